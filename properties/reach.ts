// What each named configuration exists to reach (issue 10, class 5:
// vacuity). An exhaustive run that never reaches one of its configuration's
// Reachability entries is vacuous: a bug that stops demotion altogether must
// not leave `tiny` "OK" with a handful of states. Every predicate reads one
// state, without history, so none of them adds state: a behaviour is
// recognised by the state it passes through (a user folio on P, cram_fault
// right after a successful promotion, a filled flush buffer, ...).

import type { Reachability } from '../src/explore/system.ts';
import { F5, F6, R_NR } from '../src/cram/cram.ts';
import { BLOCK_ABSENT, CRAM_PRESSURE_MAX, MPOL_MODE_FLAGS, N_MEMORY_PRIVATE } from '../src/kernel/defs.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { PG_anon, PG_head, PG_hwpoison, PTE_HWPOISON, PTE_PRESENT, PTE_SWAP, PTE_WRITE, THREAD_REGS, VMA_HUGEPAGE } from '../src/kernel/layout.ts';
import { nextMigratePair } from '../src/kernel/cpuset_migrate_queue.ts';
import { OP_HANDLE_FAULT, OP_KSWAPD_DEMOTE, OP_KSWAPD_PUTBACK, OP_MEMCG_CHARGE } from '../src/kernel/ops_codes.ts';
import { opsById } from '../src/kernel/ops_table.ts';
import { MB_DST_MAX, MB_MOVED, MB_MOVED_LARGE, MB_NOMEM, MB_SPLIT_PENDING, MB_SPLIT_WAIT, entryStatus } from '../src/kernel/migrate_batch.ts';
import { StateView } from '../src/kernel/state_view.ts';
import { EV2_OOM_CPUSET, EV2_OOM_CPUSET_SKIP, EV2_OOM_MPOL_SKIP, event2Set } from '../src/kernel/ghost.ts';
import { PIN_CHECK, PIN_HELD, nodePrivateAllowsLongtermPin } from '../src/kernel/gup_longterm.ts';
import type { Machine } from '../src/kernel/kernel.ts';
import { rbFlags, RB_NP, RB_RES } from '../src/kernel/np_owner.ts';
import { DF_FLUSH_CTX, DF_RES } from '../src/cxl/compression.ts';
import { DS_FLUSH, DS_OFFLINE, DS_POST, DS_SYSRAM } from '../src/cxl/region_sysram.ts';
import { compRegionOfPfn, DRIVER2_OWNER } from '../src/cxl/regions.ts';
import { CN_PUBLISHED } from '../src/cram/cram.ts';

type Pred = (k: Kernel) => boolean;

interface ReachDef {
  readonly id: string;
  readonly source: string;
  readonly description: string;
  readonly pred: Pred;
}

const REACH: Readonly<Record<string, ReachDef>> = {
  'REACH-PROGRAMS-DONE': {
    id: 'REACH-PROGRAMS-DONE',
    source: 'the configuration\'s workload (src/kernel/configs.ts)',
    description: 'every user CPU ran its whole program and is idle',
    pred: (k) => k.cfg.cpus.every((c, cpu) => {
      const t = k.g.cpuThread(cpu);
      return k.get(k.L.THR_PC, t) >= c.program.length && k.get(k.L.THR_OP, t) === 0;
    }),
  },
  'REACH-DEMOTED-TO-P': {
    id: 'REACH-DEMOTED-TO-P',
    source: 'cover letter (demotion into the compressed tier); mm/vmscan.c: demote_folio_list -> node_private_migrate_to; mm/cram.c: cram_migrate_to',
    description: 'a user folio (anon or page cache) lives on a private node',
    pred: (k) => {
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        if (!k.has(k.L.PG_FLAGS, pfn, PG_head) || k.cfg.nodes[k.g.pfnNode[pfn]!]?.kind !== 'private') continue;
        if (k.has(k.L.PG_FLAGS, pfn, PG_anon) || k.get(k.L.PG_MAPPING, pfn) !== 0) return true;
      }
      return false;
    },
  },
  'REACH-PROMOTED': {
    id: 'REACH-PROMOTED',
    source: 'mm/cram.c: cram_fault (promotion on a fault)',
    description: 'cram_fault has just promoted a folio (migrate_pages reported it moved)',
    pred: (k) => {
      for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
        const t = k.g.cpuThread(cpu);
        const st = k.get(k.L.THR_STAGE, t);
        if (k.get(k.L.THR_OP, t) === OP_HANDLE_FAULT && (st === F5 || st === F6) && k.get(k.L.THR_REG, t * THREAD_REGS + R_NR) > 0) return true;
      }
      return false;
    },
  },
  'REACH-FLUSH-DEFERRED': {
    id: 'REACH-FLUSH-DEFERRED',
    source: 'cxl_compression: cxl_compression_flush_cb (a freed P folio deferred into a flush buffer)',
    description: 'a freed folio of P sits in a flush buffer',
    pred: (k) => {
      for (let b = 0; b < k.g.flushBufs; b++) if (k.get(k.L.BUF_LEN, b) > 0) return true;
      return false;
    },
  },
  'REACH-FLUSH-SEND': {
    id: 'REACH-FLUSH-SEND',
    source: 'cxl_compression: cxl_flush_kthread_fn / the overflow work (cxl_flush_buf_send of a swapped-out buffer)',
    description: 'a filled buffer was swapped out for sending (a kthread spare, or an overflow buffer with its work pending)',
    pred: (k) => {
      for (let c = 0; c < k.cfg.cpus.length; c++) {
        const spare = k.get(k.L.CPU_BUF_SPARE, c) - 1;
        if (spare >= 0 && k.get(k.L.BUF_LEN, spare) > 0) return true;
        const over = k.get(k.L.CPU_BUF_OVERFLOW, c) - 1;
        if (k.get(k.L.CPU_OVERFLOW_PENDING, c) && over >= 0 && k.get(k.L.BUF_LEN, over) > 0) return true;
      }
      return false;
    },
  },
  'REACH-PRESSURE-BLOCKED': {
    id: 'REACH-PRESSURE-BLOCKED',
    source: 'mm/cram.c: cram_set_pressure (pressure 1000 sets migration_blocked)',
    description: 'back-pressure is engaged: a cram_node is at pressure 1000',
    pred: (k) => {
      for (let n = 0; n < k.g.nodes; n++) if (k.get(k.L.CN_PRESSURE, n) >= CRAM_PRESSURE_MAX) return true;
      return false;
    },
  },
  'REACH-SWAPPED': {
    id: 'REACH-SWAPPED',
    source: 'mm/vmscan.c: shrink_folio_list (pageout to swap), mm/rmap.c: try_to_unmap',
    description: 'a page slot holds a swap entry',
    pred: (k) => {
      for (let s = 0; s < k.cfg.mms * k.cfg.vaddrs; s++) if (k.get(k.L.PTE_KIND, s) === PTE_SWAP) return true;
      return false;
    },
  },
  'REACH-TEARDOWN': {
    id: 'REACH-TEARDOWN',
    source: 'mm/memory_hotplug.c: offline_and_remove_private_memory; drivers/base/node.c: node_private_unregister',
    description: 'a private node\'s memory is removed and its np unregistered',
    pred: (k) => {
      for (let s = 0; s < k.L.GH_NP_UNREG_OPS.len; s++) {
        if (k.get(k.L.GH_NP_UNREG_OPS, s) === 0 || k.get(k.L.NP_REFCOUNT, s) !== 0) continue;
        const p = k.g.privateNode;
        if (p >= 0 && k.g.blocks.every((b, i) => b.node !== p || k.get(k.L.BLOCK_STATE, i) === BLOCK_ABSENT)) return true;
      }
      return false;
    },
  },
  'REACH-BATCH-BLOCKED-MIDWAY': {
    id: 'REACH-BATCH-BLOCKED-MIDWAY',
    source: 'mm/migrate.c: migrate_pages_batch (unmap loop, case -ENOMEM: "move unmapped folios, then exit"); mm/cram.c: alloc_cram_folio (migration_blocked per folio)',
    description: 'a demotion batch whose allocation failed for one folio after another folio of it was unmapped or moved',
    pred: (k) => {
      for (let t = 0; t < k.g.threads.length; t++) {
        if (k.get(k.L.THR_OP, t) !== OP_KSWAPD_DEMOTE) continue;
        let nomem = false;
        let progressed = false;
        for (let r = 1; r < THREAD_REGS; r++) {
          const st = entryStatus(k.get(k.L.THR_REG, t * THREAD_REGS + r));
          if (st === MB_NOMEM) nomem = true;
          else if (st === MB_MOVED || st === MB_MOVED_LARGE || (st >= 1 && st <= MB_DST_MAX)) progressed = true;
        }
        if (nomem && progressed) return true;
      }
      return false;
    },
  },
  'REACH-THP-ON-P': {
    id: 'REACH-THP-ON-P',
    source: 'mm/cram.c: alloc_cram_folio (folio_order(src), __GFP_COMP); mm/memory.c: alloc_anon_folio',
    description: 'a large anon folio lives on a private node (demoted whole)',
    pred: (k) => {
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        if (k.cfg.nodes[k.g.pfnNode[pfn]!]?.kind !== 'private' || k.get(k.L.PG_ORDER, pfn) === 0) continue;
        if (k.has(k.L.PG_FLAGS, pfn, PG_head) && k.has(k.L.PG_FLAGS, pfn, PG_anon)) return true;
      }
      return false;
    },
  },
  'REACH-THP-PROMOTED': {
    id: 'REACH-THP-PROMOTED',
    source: 'mm/cram.c: cram_fault (migrate_pages of the whole folio, alloc_cram_promote_folio of its order)',
    description: 'cram_fault has just promoted a large folio (migrate_pages reported more than one page moved)',
    pred: (k) => {
      for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
        const t = k.g.cpuThread(cpu);
        const st = k.get(k.L.THR_STAGE, t);
        if (k.get(k.L.THR_OP, t) === OP_HANDLE_FAULT && (st === F5 || st === F6) && k.get(k.L.THR_REG, t * THREAD_REGS + R_NR) > 1) return true;
      }
      return false;
    },
  },
  'REACH-THP-SPLIT': {
    id: 'REACH-THP-SPLIT',
    source: 'mm/vmscan.c: shrink_folio_list ("Fallback to swap normal pages": split_folio_to_list); mm/huge_memory.c: __folio_split',
    description: 'a page of a VM_HUGEPAGE range is swapped out: its large folio was split (without THP_SWAP only order-0 folios reach swap)',
    pred: (k) => {
      const n = k.cfg.mms * k.cfg.vaddrs;
      for (let s = 0; s < n; s++) if (k.get(k.L.PTE_KIND, s) === PTE_SWAP && k.has(k.L.VMA_FLAGS, s, VMA_HUGEPAGE)) return true;
      return false;
    },
  },
  'REACH-THP-SPLIT-ON-ENOMEM': {
    id: 'REACH-THP-SPLIT-ON-ENOMEM',
    source: 'mm/migrate.c: migrate_pages_batch (case -ENOMEM: try_split_folio unless MR_NUMA_MISPLACED), migrate_pages (one MIGRATE_ASYNC pass over split_folios)',
    description: 'a demotion batch split a large folio whose destination could not be allocated; its pieces wait for the second pass',
    pred: (k) => {
      for (let t = 0; t < k.g.threads.length; t++) {
        if (k.get(k.L.THR_OP, t) !== OP_KSWAPD_DEMOTE) continue;
        for (let r = 1; r < THREAD_REGS; r++) {
          const v = k.get(k.L.THR_REG, t * THREAD_REGS + r);
          const st = entryStatus(v);
          if (v !== 0 && (st === MB_SPLIT_WAIT || st === MB_SPLIT_PENDING)) return true;
        }
      }
      return false;
    },
  },
  'REACH-CPUSET-EXCLUDES-P': {
    id: 'REACH-CPUSET-EXCLUDES-P',
    source: 'kernel/cgroup/cpuset.c: update_nodemask',
    description: 'a task\'s mems_allowed exclude an N_MEMORY_PRIVATE node',
    pred: (k) => {
      for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
        const mems = k.cfg.actors.cpuset ? k.get(k.L.TASK_MEMS, cpu) : k.get(k.L.G_CPUSET_MEMS);
        for (let n = 0; n < k.g.nodes; n++) if (k.has(k.L.NODE_STATES, n, N_MEMORY_PRIVATE) && !(mems & (1 << n))) return true;
      }
      return false;
    },
  },
  'REACH-TASK-MPOL-REBOUND': {
    id: 'REACH-TASK-MPOL-REBOUND',
    source: 'mm/mempolicy.c: do_set_mempolicy, mpol_rebind_task -> mpol_rebind_nodemask (MPOL_F_RELATIVE_NODES)',
    description: "a task policy with a user nodemask flag names other nodes than its user nodemask (it was folded onto a changed mems_allowed)",
    pred: (k) => {
      for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
        if (!(k.get(k.L.TASK_POL_FLAGS, cpu) & MPOL_MODE_FLAGS) || k.get(k.L.TASK_POL_MODE, cpu) === 0) continue;
        if (k.get(k.L.TASK_POL_NODES, cpu) !== k.get(k.L.TASK_POL_W, cpu)) return true;
      }
      return false;
    },
  },
  'REACH-TASK-MPOL-ALLOC': {
    id: 'REACH-TASK-MPOL-ALLOC',
    source: 'mm/mempolicy.c: vma_alloc_folio_noprof -> get_vma_policy -> get_task_policy',
    description: "a task's page sits on a node its task policy names and its CPU's node is not (the fault allocated under the task policy)",
    pred: (k) => {
      for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
        const c = k.cfg.cpus[cpu]!;
        const nodes = k.get(k.L.TASK_POL_NODES, cpu);
        if (k.get(k.L.TASK_POL_MODE, cpu) === 0 || (nodes & (1 << c.node))) continue;
        for (let v = 0; v < k.cfg.vaddrs; v++) {
          const s = c.mm * k.cfg.vaddrs + v;
          if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT || k.get(k.L.VMA_POL_MODE, s) !== 0) continue;
          if (nodes & (1 << k.g.pfnNode[k.get(k.L.PTE_VAL, s)]!)) return true;
        }
      }
      return false;
    },
  },
  'REACH-CPUSET-MIGRATE-P-FOLIO': {
    id: 'REACH-CPUSET-MIGRATE-P-FOLIO',
    source: 'kernel/cgroup/cpuset.c: cpuset_migrate_mm -> cpuset_migrate_mm_workfn -> mm/mempolicy.c: do_migrate_pages, migrate_to_node',
    description: 'a queued do_migrate_pages of cpuset.memory_migrate is about to move a folio on a private node (its source nodes hold P and P holds a folio of the mm)',
    pred: (k) => {
      if (!k.cfg.actors.cpuset || k.get(k.L.CS_MIGQ_LEN) === 0) return false;
      const mm = k.get(k.L.CS_MIGQ_MM, 0);
      const from = k.get(k.L.CS_MIGQ_STARTED) ? k.get(k.L.CS_MIGQ_TMP) : k.get(k.L.CS_MIGQ_FROM, 0);
      for (let v = 0; v < k.cfg.vaddrs; v++) {
        const s = mm * k.cfg.vaddrs + v;
        if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT) continue;
        const n = k.g.pfnNode[k.get(k.L.PTE_VAL, s)]!;
        if ((from & (1 << n)) && k.has(k.L.NODE_STATES, n, N_MEMORY_PRIVATE)) return true;
      }
      return false;
    },
  },
  'REACH-CPUSET-MIGRATE-TO-P': {
    id: 'REACH-CPUSET-MIGRATE-TO-P',
    source: 'kernel/cgroup/cpuset.c: cpuset_migrate_mm; mm/mempolicy.c: do_migrate_pages (node_remap onto a private node)',
    description: 'a queued do_migrate_pages of cpuset.memory_migrate maps a DRAM node holding a folio of the mm onto a private node',
    pred: (k) => {
      if (!k.cfg.actors.cpuset || k.get(k.L.CS_MIGQ_LEN) === 0 || k.get(k.L.CS_MIGQ_STARTED)) return false;
      const mm = k.get(k.L.CS_MIGQ_MM, 0);
      const from = k.get(k.L.CS_MIGQ_FROM, 0);
      const to = k.get(k.L.CS_MIGQ_TO, 0);
      for (let v = 0; v < k.cfg.vaddrs; v++) {
        const s = mm * k.cfg.vaddrs + v;
        if (k.get(k.L.PTE_KIND, s) !== PTE_PRESENT) continue;
        const n = k.g.pfnNode[k.get(k.L.PTE_VAL, s)]!;
        const pair = from & (1 << n) ? nextMigratePair(1 << n, from, to) : null;
        if (pair && k.has(k.L.NODE_STATES, pair.dest, N_MEMORY_PRIVATE) && !k.has(k.L.NODE_STATES, n, N_MEMORY_PRIVATE)) return true;
      }
      return false;
    },
  },
  'REACH-GUP-FAULT-CRAM': {
    id: 'REACH-GUP-FAULT-CRAM',
    source: 'mm/gup.c: faultin_page -> handle_mm_fault; mm/cram.c: cram_fault',
    description: 'a GUP\'s fault (not a user access) is inside cram_fault',
    pred: (k) => {
      for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
        const t = k.g.cpuThread(cpu);
        if (k.get(k.L.THR_OP, t) === OP_HANDLE_FAULT && k.cfg.cpus[cpu]!.program[k.get(k.L.THR_PC, t)]?.op === 'gup') return true;
      }
      return false;
    },
  },
  'REACH-GUP-PIN-P': {
    id: 'REACH-GUP-PIN-P',
    source: 'mm/gup.c: follow_page_pte (a R/O pin of an exclusive page takes it where it is)',
    description: 'a GUP pin is held on a folio of a private node',
    pred: (k) => {
      for (let t = 0; t < k.L.THR_PIN.len; t++) {
        const p = k.get(k.L.THR_PIN, t);
        if (p && k.cfg.nodes[k.g.pfnNode[p - 1]!]?.kind === 'private') return true;
      }
      return false;
    },
  },
  'REACH-GUP-PINNED': {
    id: 'REACH-GUP-PINNED',
    source: 'mm/gup.c: pin_user_pages',
    description: 'a GUP pin is held',
    pred: (k) => {
      for (let t = 0; t < k.L.THR_PIN.len; t++) if (k.get(k.L.THR_PIN, t)) return true;
      return false;
    },
  },
  'REACH-LONGTERM-PIN-REFUSAL': {
    id: 'REACH-LONGTERM-PIN-REFUSAL',
    source: 'mm/gup.c: check_and_migrate_movable_folios; include/linux/mm.h: folio_is_longterm_pinnable (v4 patch 20)',
    description: 'a FOLL_LONGTERM pin of a private-node folio is about to be checked while the node lacks NP_OPS_LONGTERM_PIN (the check refuses it)',
    pred: (k) => pinOnPrivate(k, PIN_CHECK, false),
  },
  'REACH-LONGTERM-PIN-ON-P': {
    id: 'REACH-LONGTERM-PIN-ON-P',
    source: 'drivers/base/node.c: node_private_allows_longterm_pin (v4 patch 20: "With the flag: pin succeeds and the folio stays on the private node")',
    description: 'a thread holds a long-term pin on a private-node folio whose node has NP_OPS_LONGTERM_PIN',
    pred: (k) => pinOnPrivate(k, PIN_HELD, true),
  },
  'REACH-LONGTERM-PIN-OPS-GONE': {
    id: 'REACH-LONGTERM-PIN-OPS-GONE',
    source: 'drivers/base/node.c: node_private_clear_ops (no check for pinned folios)',
    description: 'a long-term pin on a private-node folio outlives the ops that allowed it (clear_ops returned while it is held)',
    pred: (k) => pinOnPrivate(k, PIN_HELD, false),
  },
  'REACH-FORK-COPIED-PINNED': {
    id: 'REACH-FORK-COPIED-PINNED',
    source: 'mm/memory.c: copy_present_pte -> copy_present_page ("Page may be pinned, we have to copy")',
    description: 'a thread holds a pin on an anonymous page one mm maps while another live mm maps its own page at that address (fork copied the pinned page)',
    pred: (k) => {
      const V = k.cfg.vaddrs;
      for (let t = 0; t < k.g.threads.length; t++) {
        const lt = k.get(k.L.THR_LT_PIN_STAGE, t) === PIN_HELD ? k.get(k.L.THR_LT_PIN, t) : 0;
        const pinned = lt || (t < k.L.THR_PIN.len ? k.get(k.L.THR_PIN, t) : 0);
        if (!pinned) continue;
        for (let s = 0; s < k.cfg.mms * V; s++) {
          if (!k.get(k.L.MM_LIVE, Math.floor(s / V)) || k.get(k.L.PTE_KIND, s) !== PTE_PRESENT || k.get(k.L.PTE_VAL, s) !== pinned - 1) continue;
          for (let mm = 0; mm < k.cfg.mms; mm++) {
            const o = mm * V + (s % V);
            if (o !== s && k.get(k.L.MM_LIVE, mm) && k.get(k.L.PTE_KIND, o) === PTE_PRESENT && k.get(k.L.PTE_VAL, o) !== pinned - 1) return true;
          }
        }
      }
      return false;
    },
  },
  'REACH-WRITE-PIN-FAULT-P': {
    id: 'REACH-WRITE-PIN-FAULT-P',
    source: 'mm/gup.c: faultin_page (FOLL_WRITE -> FAULT_FLAG_WRITE) -> mm/memory.c: handle_pte_fault -> folio_managed_handle_fault (v4)',
    description: 'a pin_user_pages(FOLL_LONGTERM|FOLL_WRITE) call is inside a private node\'s handle_fault (cram_fault)',
    pred: (k) => k.cfg.cpus.some((c, cpu) => {
      const t = k.g.cpuThread(cpu);
      const op = c.program[k.get(k.L.THR_PC, t)];
      return op?.op === 'pin_user_pages' && op.write === true && k.get(k.L.THR_OP, t) === OP_HANDLE_FAULT;
    }),
  },
  'REACH-WRITE-PIN-HELD': {
    id: 'REACH-WRITE-PIN-HELD',
    source: 'mm/gup.c: pin_user_pages (FOLL_LONGTERM|FOLL_WRITE), can_follow_write_pte',
    description: 'a FOLL_WRITE long-term pin is held on a folio mapped by a writable PTE',
    pred: (k) => k.cfg.cpus.some((c, cpu) => {
      const t = k.g.cpuThread(cpu);
      if (k.get(k.L.THR_LT_PIN_STAGE, t) !== PIN_HELD) return false;
      const pc = k.get(k.L.THR_PC, t);
      const last = c.program.slice(0, pc).reverse().find((o) => o.op === 'pin_user_pages');
      if (last?.op !== 'pin_user_pages' || !last.write) return false;
      const s = c.mm * k.cfg.vaddrs + last.vaddr;
      return k.get(k.L.PTE_KIND, s) === PTE_PRESENT && k.has(k.L.PTE_FLAGS, s, PTE_WRITE) && k.get(k.L.PTE_VAL, s) === k.get(k.L.THR_LT_PIN, t) - 1;
    }),
  },
  'REACH-HWPOISON-UNMAPPED': {
    id: 'REACH-HWPOISON-UNMAPPED',
    source: 'mm/memory-failure.c: hwpoison_user_mappings -> unmap_poisoned_folio -> mm/rmap.c: try_to_unmap_one (TTU_HWPOISON)',
    description: 'a user PTE holds a hwpoison entry for a private page (memory_failure unmapped it)',
    pred: (k) => {
      for (let s = 0; s < k.cfg.mms * k.cfg.vaddrs; s++) {
        if (k.get(k.L.PTE_KIND, s) === PTE_HWPOISON && k.cfg.nodes[k.g.pfnNode[k.get(k.L.PTE_VAL, s)]!]?.kind === 'private') return true;
      }
      return false;
    },
  },
  'REACH-HWPOISON-FORKED': {
    id: 'REACH-HWPOISON-FORKED',
    source: 'mm/memory.c: copy_nonpresent_pte (a hwpoison entry is copied)',
    description: 'two live mms hold a hwpoison entry at the same address (fork copied it)',
    pred: (k) => {
      const V = k.cfg.vaddrs;
      for (let v = 0; v < V; v++) {
        let n = 0;
        for (let mm = 0; mm < k.cfg.mms; mm++) if (k.get(k.L.MM_LIVE, mm) && k.get(k.L.PTE_KIND, mm * V + v) === PTE_HWPOISON) n++;
        if (n >= 2) return true;
      }
      return false;
    },
  },
  'REACH-OOM-KILL': {
    id: 'REACH-OOM-KILL',
    source: 'mm/oom_kill.c: out_of_memory, oom_kill_process',
    description: 'the OOM killer has killed a process (its mm is gone while its task had a program)',
    pred: (k) => k.cfg.cpus.some((c) => !c.forkChild && !k.get(k.L.MM_LIVE, c.mm)),
  },
  'REACH-HWPOISON-TAKEN-OFF': {
    id: 'REACH-HWPOISON-TAKEN-OFF',
    source: 'mm/memory-failure.c: memory_failure -> take_page_off_buddy (MF_RECOVERED)',
    description: 'a hwpoisoned page of a private node has been taken off the buddy',
    pred: (k) => {
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        if (k.cfg.nodes[k.g.pfnNode[pfn]!]?.kind !== 'private' || !k.has(k.L.PG_FLAGS, pfn, PG_hwpoison)) continue;
        if (k.get(k.L.PG_BUDDY, pfn) === 0 && k.get(k.L.PG_REF, pfn) === 1 && !k.has(k.L.PG_FLAGS, pfn, PG_head)) return true;
      }
      return false;
    },
  },
  'REACH-MF-POISON-WITH-CALLBACK': {
    id: 'REACH-MF-POISON-WITH-CALLBACK',
    source: 'mm/memory-failure.c: memory_failure -> mm/internal.h: folio_managed_memory_failure',
    description: 'a private page is hwpoisoned while its node\'s ops have a memory_failure callback (the notification path)',
    pred: (k) => {
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        const nid = k.g.pfnNode[pfn]!;
        if (!k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE) || !k.has(k.L.PG_FLAGS, pfn, PG_hwpoison)) continue;
        const np = k.get(k.L.NODE_NP, nid) - 1;
        if (np >= 0 && opsById(k, k.get(k.L.NP_OPS, np))?.memoryFailure) return true;
      }
      return false;
    },
  },
  'REACH-MEMCG-AT-MAX': {
    id: 'REACH-MEMCG-AT-MAX',
    source: 'mm/memcontrol.c: try_charge_memcg (page_counter_try_charge against memory.max)',
    description: "the memcg's usage is at its memory.max (the next charge must reclaim)",
    pred: (k) => k.cfg.memcg !== undefined && k.get(k.L.MEMCG_USAGE, 0) === k.cfg.memcg.max,
  },
  'REACH-MEMCG-CHARGED-ON-P': {
    id: 'REACH-MEMCG-CHARGED-ON-P',
    source: 'mm/migrate.c: folio_migrate_flags -> mm/memcontrol.c: mem_cgroup_migrate (demotion carries the charge)',
    description: 'a folio on a private node is charged to the memcg (its charge moved with the demotion)',
    pred: (k) => {
      if (k.cfg.memcg === undefined) return false;
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        if (k.cfg.nodes[k.g.pfnNode[pfn]!]?.kind === 'private' && k.get(k.L.PG_MEMCG, pfn) !== 0) return true;
      }
      return false;
    },
  },
  'REACH-MEMCG-RECLAIMED': {
    id: 'REACH-MEMCG-RECLAIMED',
    source: 'mm/vmscan.c: try_to_free_mem_cgroup_pages -> shrink_folio_list (swap-out, mem_cgroup_swapout)',
    description: "a memcg task's page is out on swap while another is charged in its place (memcg reclaim swapped one out so the other's charge fits; kswapd alone never swaps in the memcg configs)",
    pred: (k) => {
      if (k.cfg.memcg === undefined || k.get(k.L.MEMCG_USAGE, 0) === 0) return false;
      for (let s = 0; s < k.cfg.mms * k.cfg.vaddrs; s++) if (k.get(k.L.PTE_KIND, s) === PTE_SWAP) return true;
      return false;
    },
  },
  'REACH-MEMCG-RECLAIM-STAGED': {
    id: 'REACH-MEMCG-RECLAIM-STAGED',
    source: 'mm/memcontrol.c: try_charge_memcg -> mm/vmscan.c: try_to_free_mem_cgroup_pages (isolate_lru_folios, then shrink_folio_list)',
    description: "a fault's memcg charge holds a folio isolated for reclaim while kswapd is inside a demotion batch (the two reclaimers interleave)",
    pred: (k) => {
      let charge = false;
      let kswapd = false;
      for (let t = 0; t < k.g.threads.length; t++) {
        const op = k.get(k.L.THR_OP, t);
        if (op === OP_MEMCG_CHARGE && k.get(k.L.THR_REG, t * THREAD_REGS + 3) !== 0) charge = true;
        if (op === OP_KSWAPD_DEMOTE) kswapd = true;
      }
      return charge && kswapd;
    },
  },
  'REACH-OOM-REAP-UNDER-MIGRATION': {
    id: 'REACH-OOM-REAP-UNDER-MIGRATION',
    source: 'mm/oom_kill.c: __oom_reap_task_mm -> unmap_page_range; mm/memory.c: zap_nonpresent_ptes (migration entry)',
    description: "the OOM killer reaped a process while kswapd holds its folio unmapped under migration (the reap cleared the migration entry)",
    pred: (k) => {
      const kt = k.g.kswapdThread(0);
      if (k.get(k.L.THR_OP, kt) !== OP_KSWAPD_DEMOTE) return false;
      const dead = k.cfg.cpus.some((c) => !c.forkChild && !k.get(k.L.MM_LIVE, c.mm));
      if (!dead) return false;
      for (let r = 1; r < THREAD_REGS; r++) {
        const st = entryStatus(k.get(k.L.THR_REG, kt * THREAD_REGS + r));
        if (st >= 1 && st <= MB_DST_MAX && k.get(k.L.PG_MAPCOUNT, (k.get(k.L.THR_REG, kt * THREAD_REGS + r) & 0xff) - 1) === 0) return true;
      }
      return false;
    },
  },
  'REACH-OOM-CONSTRAINT-CPUSET': {
    id: 'REACH-OOM-CONSTRAINT-CPUSET',
    source: 'mm/oom_kill.c: constrained_alloc (v4 patch 17: zone_oom_eligible -> cpuset_zone_allowed; CONSTRAINT_CPUSET)',
    description: "out_of_memory ran under CONSTRAINT_CPUSET: the failing allocation's zonelist met a zone outside current's cpuset (the child cpuset's mems)",
    pred: (k) => event2Set(k, EV2_OOM_CPUSET),
  },
  'REACH-OOM-MPOL-SKIP': {
    id: 'REACH-OOM-MPOL-SKIP',
    source: 'mm/oom_kill.c: oom_cpuset_eligible -> mm/mempolicy.c: mempolicy_in_oom_domain',
    description: 'a CONSTRAINT_MEMORY_POLICY OOM skipped a candidate whose task policy (MPOL_BIND) misses the allocation\'s nodemask',
    pred: (k) => event2Set(k, EV2_OOM_MPOL_SKIP),
  },
  'REACH-OOM-CPUSET-SKIP': {
    id: 'REACH-OOM-CPUSET-SKIP',
    source: 'mm/oom_kill.c: oom_evaluate_task -> oom_cpuset_eligible -> oom_mems_intersect (v4 patch 17)',
    description: "a global OOM (not mempolicy-constrained) skipped a candidate in a sibling cpuset: its mems_allowed and current's share no N_MEMORY node",
    pred: (k) => event2Set(k, EV2_OOM_CPUSET_SKIP),
  },
  'REACH-REGION-B-REFUSED': {
    id: 'REACH-REGION-B-REFUSED',
    source: 'drivers/base/node.c: node_private_register (-EBUSY: another np registered); drivers/cxl/core/region_sysram.c: devm_cxl_add_sysram',
    description: "region B's driver finished its probe while region A's range is hot-added: B's range stayed out (its np was refused)",
    pred: (k) => regionBProbed(k) && !(rbFlags(k) & RB_RES) && (k.get(k.L.DRV_FLAGS) & DF_RES) !== 0,
  },
  'REACH-REGION-B-ONLINE': {
    id: 'REACH-REGION-B-ONLINE',
    source: 'drivers/cxl/core/region_sysram.c: sysram_hotplug_add (region B with its own np)',
    description: "region B's range is online on the private node with region B's np registered",
    pred: (k) => (rbFlags(k) & (RB_RES | RB_NP)) === (RB_RES | RB_NP) && k.has(k.L.NODE_STATES, k.g.privateNode, N_MEMORY_PRIVATE),
  },
  'REACH-REGION-A-TEARDOWN-AFTER-B': {
    id: 'REACH-REGION-A-TEARDOWN-AFTER-B',
    source: 'drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_pre_teardown (with the other region probed)',
    description: "region A's driver is offlining its range in its teardown after region B's driver probed (bound, or refused)",
    pred: (k) => k.get(k.L.DRV_STATE) === DS_OFFLINE && regionBProbed(k),
  },
  'REACH-REGION-B-REPROBED': {
    id: 'REACH-REGION-B-REPROBED',
    source: 'drivers/cxl/type3_drivers/cxl_mempolicy/mempolicy.c: cxl_mempolicy_remove, then a second attach probe',
    description: "region B's driver was removed and probed again (a new sysram, a new np)",
    pred: (k) => regionBProbes(k) >= 2,
  },
  // Two compression regions (`cram2`): the windows issue 12 item 11 asks about.
  'REACH-CRAM2-OWNS-CRAM': {
    id: 'REACH-CRAM2-OWNS-CRAM',
    source: 'mm/cram.c: cram_register_private_node (owner: the second region, flush_data: its flush context)',
    description: "the second compression region's driver holds CRAM on the private node, with its own range online",
    pred: (k) => k.get(k.L.CN_STATE, k.g.privateNode) === CN_PUBLISHED && k.get(k.L.CN_OWNER, k.g.privateNode) === DRIVER2_OWNER + 1
      && (k.get(k.L.DRV_FLAGS, 1) & DF_RES) !== 0,
  },
  'REACH-CRAM2-PROBE-IN-A-TEARDOWN': {
    id: 'REACH-CRAM2-PROBE-IN-A-TEARDOWN',
    source: 'drivers/cxl/type3_drivers/cxl_compression/compression.c: convert_region_to_sysram (region 2) inside cxl_compression_pre_teardown / post_teardown (region A)',
    description: "the second region's probe is past its hot-add, before cram_register_private_node, while region A's teardown is past its cram_unregister_private_node and its flush context still exists",
    pred: (k) => [DS_SYSRAM, DS_FLUSH].includes(k.get(k.L.DRV_STATE, 1)) && [DS_OFFLINE, DS_POST].includes(k.get(k.L.DRV_STATE, 0))
      && (k.get(k.L.DRV_FLAGS, 0) & DF_FLUSH_CTX) !== 0,
  },
  'REACH-CRAM2-FLUSH-DEFERRED': {
    id: 'REACH-CRAM2-FLUSH-DEFERRED',
    source: "drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_flush_cb (the second region's flush context)",
    description: "a freed folio of the second region waits in one of the second region's flush buffers",
    pred: (k) => {
      const M = k.cfg.driver.bufMax;
      for (let b = k.g.flushBufs / k.g.compRegions; b < k.g.flushBufs; b++) {
        for (let i = 0; i < k.get(k.L.BUF_LEN, b); i++) if (compRegionOfPfn(k, k.get(k.L.BUF_ENT, b * M + i) - 1) === 1) return true;
      }
      return false;
    },
  },
  'REACH-CPUSET-MOVED-PRIVATE-FOLIO': {
    id: 'REACH-CPUSET-MOVED-PRIVATE-FOLIO',
    source: 'kernel/cgroup/cpuset.c: cpuset_attach, cpuset_attach_task (a cgroup.procs write)',
    description: 'a task moved to a child cpuset other than the one it started in maps a folio on a private node',
    pred: (k) => {
      if (k.L.TASK_CS.len === 0) return false;
      return k.cfg.cpus.some((c, cpu) => {
        if (k.get(k.L.TASK_CS, cpu) === (c.cpuset ?? 0) + 1) return false;
        for (let v = 0; v < k.cfg.vaddrs; v++) {
          const s = c.mm * k.cfg.vaddrs + v;
          if (k.get(k.L.PTE_KIND, s) === PTE_PRESENT && k.has(k.L.NODE_STATES, k.g.pfnNode[k.get(k.L.PTE_VAL, s)]!, N_MEMORY_PRIVATE)) return true;
        }
        return false;
      });
    },
  },
  'REACH-CPUSET-ATTACH-TO-PRIVATE-ONLY': {
    id: 'REACH-CPUSET-ATTACH-TO-PRIVATE-ONLY',
    source: "kernel/cgroup/cpuset.c: cpuset_attach (cpuset_migrate_mm(mm, &oldcs->old_mems_allowed, &cs->effective_mems))",
    description: 'a queued do_migrate_pages goes to private nodes only (a move into a private-only cpuset: a mask no cpuset.mems write queues)',
    pred: (k) => {
      if (!k.cfg.actors.cpuset) return false;
      const priv = k.cfg.nodes.reduce((a, n, i) => (n.kind === 'private' ? a | (1 << i) : a), 0);
      for (let i = 0; i < k.get(k.L.CS_MIGQ_LEN); i++) {
        const to = k.get(k.L.CS_MIGQ_TO, i);
        if (to !== 0 && (to & ~priv) === 0) return true;
      }
      return false;
    },
  },
  'REACH-PUTBACK-LAST-REF': {
    id: 'REACH-PUTBACK-LAST-REF',
    source: 'mm/vmscan.c: shrink_folio_list (keep: ret_folios) -> shrink_inactive_list -> move_folios_to_lru (folio_put_testzero)',
    description: "kswapd holds a private-node folio it kept on its ret list whose only reference left is the isolation (another thread dropped the rest in the window): move_folios_to_lru frees it",
    pred: (k) => {
      for (let nid = 0; nid < k.g.nodes; nid++) {
        if (!k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) continue;
        const kt = k.g.kswapdThread(nid);
        if (kt < 0 || k.get(k.L.THR_OP, kt) !== OP_KSWAPD_PUTBACK) continue;
        for (let r = 1; r < THREAD_REGS; r++) {
          const pfn = k.get(k.L.THR_REG, kt * THREAD_REGS + r) - 1;
          if (pfn >= 0 && k.get(k.L.PG_REF, pfn) === 1) return true;
        }
      }
      return false;
    },
  },
  'REACH-CPUSET-V1-EMPTIED': {
    id: 'REACH-CPUSET-V1-EMPTIED',
    source: 'kernel/cgroup/cpuset-v1.c: cpuset1_hotplug_update_tasks (schedule_work of cpuset_migrate_tasks_workfn)',
    description: "cgroup v1: a populated child cpuset lost its last node to a hot-remove and waits for remove_tasks_in_empty_cpuset",
    pred: (k) => {
      for (let cs = 0; cs < k.L.CS_V1_XFER.len; cs++) if (k.get(k.L.CS_V1_XFER, cs)) return true;
      return false;
    },
  },
  'REACH-CPUSET-V1-TRANSFERRED': {
    id: 'REACH-CPUSET-V1-TRANSFERRED',
    source: 'kernel/cgroup/cpuset-v1.c: remove_tasks_in_empty_cpuset -> cgroup_transfer_tasks -> kernel/cgroup/cpuset.c: cpuset_attach',
    description: 'cgroup v1: the tasks of an emptied child cpuset were moved to the root',
    pred: (k) => k.cfg.cpusetV1 === true && k.L.TASK_CS.len !== 0 && k.cfg.cpus.some((_, cpu) => k.get(k.L.TASK_CS, cpu) === 0),
  },
};

/** The CPU that drives region B's driver and how many of its probe ops have ended (done = PC past them). */
function regionBProbes(k: Kernel): number {
  for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
    const prog = k.cfg.cpus[cpu]!.program;
    if (!prog.some((o) => o.op === 'cxl_mempolicy_probe')) continue;
    const pc = k.get(k.L.THR_PC, k.g.cpuThread(cpu));
    return prog.slice(0, pc).filter((o) => o.op === 'cxl_mempolicy_probe').length;
  }
  return 0;
}

function regionBProbed(k: Kernel): boolean {
  return regionBProbes(k) >= 1;
}

/** A thread whose pin is at `stage` on a private-node folio whose node's ops have (or lack) NP_OPS_LONGTERM_PIN. */
function pinOnPrivate(k: Kernel, stage: number, allowed: boolean): boolean {
  for (let t = 0; t < k.g.threads.length; t++) {
    if (k.get(k.L.THR_LT_PIN_STAGE, t) !== stage) continue;
    const nid = k.g.pfnNode[k.get(k.L.THR_LT_PIN, t) - 1]!;
    if (!k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) continue;
    if (nodePrivateAllowsLongtermPin(k, nid) === allowed) return true;
  }
  return false;
}

/** What each named configuration declares it reaches (large is for MBT only: none). */
export const CONFIG_REACH: Readonly<Record<string, readonly string[]>> = {
  tiny: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED'],
  small: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED'],
  canonical: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED', 'REACH-PRESSURE-BLOCKED'],
  race2: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED', 'REACH-PRESSURE-BLOCKED'],
  race2small: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED'],
  flush: ['REACH-DEMOTED-TO-P', 'REACH-FLUSH-DEFERRED', 'REACH-FLUSH-SEND'],
  driver: ['REACH-DEMOTED-TO-P', 'REACH-TEARDOWN'],
  pressure: ['REACH-DEMOTED-TO-P', 'REACH-PRESSURE-BLOCKED'],
  policy: ['REACH-PROGRAMS-DONE'],
  nomig: ['REACH-DEMOTED-TO-P'],
  npapi: ['REACH-PROGRAMS-DONE', 'REACH-TEARDOWN'],
  shared: ['REACH-PROMOTED'],
  cycles: ['REACH-DEMOTED-TO-P', 'REACH-PROMOTED'],
  dontneed: ['REACH-FLUSH-DEFERRED'],
  swapin: ['REACH-SWAPPED', 'REACH-PROGRAMS-DONE'],
  swapfull: ['REACH-SWAPPED'],
  swapasync: ['REACH-SWAPPED'],
  swapdram: ['REACH-SWAPPED'],
  swapteardown: ['REACH-SWAPPED', 'REACH-TEARDOWN'],
  zapiso: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P'],
  offlineadd: ['REACH-PROGRAMS-DONE'],
  allocmatrix: ['REACH-PROGRAMS-DONE', 'REACH-CPUSET-EXCLUDES-P'],
  opsrows: ['REACH-PROGRAMS-DONE'],
  large: [],
  oom: ['REACH-OOM-KILL'],
  longpincram: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-LONGTERM-PIN-REFUSAL'],
  hwpoison: ['REACH-PROGRAMS-DONE', 'REACH-HWPOISON-TAKEN-OFF', 'REACH-MF-POISON-WITH-CALLBACK'],
  longpin: ['REACH-PROGRAMS-DONE', 'REACH-LONGTERM-PIN-REFUSAL', 'REACH-LONGTERM-PIN-ON-P', 'REACH-LONGTERM-PIN-OPS-GONE'],
  gup: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-GUP-FAULT-CRAM', 'REACH-GUP-PIN-P'],
  gupnowait: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-GUP-FAULT-CRAM', 'REACH-GUP-PIN-P'],
  cpusets: ['REACH-DEMOTED-TO-P', 'REACH-TEARDOWN', 'REACH-CPUSET-EXCLUDES-P', 'REACH-CPUSET-MIGRATE-P-FOLIO'],
  mpolflags: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-TASK-MPOL-REBOUND', 'REACH-TASK-MPOL-ALLOC', 'REACH-CPUSET-MIGRATE-P-FOLIO', 'REACH-CPUSET-MIGRATE-TO-P'],
  gupfork: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-GUP-FAULT-CRAM', 'REACH-GUP-PINNED'],
  batch2: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PRESSURE-BLOCKED', 'REACH-BATCH-BLOCKED-MIDWAY'],
  thp: ['REACH-PROGRAMS-DONE', 'REACH-THP-ON-P', 'REACH-THP-PROMOTED', 'REACH-THP-SPLIT', 'REACH-THP-SPLIT-ON-ENOMEM'],
  thpsplit: ['REACH-THP-ON-P', 'REACH-THP-SPLIT'],
  memcg: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED', 'REACH-MEMCG-AT-MAX', 'REACH-MEMCG-CHARGED-ON-P', 'REACH-MEMCG-RECLAIMED', 'REACH-MEMCG-RECLAIM-STAGED'],
  memcgfree: ['REACH-PROGRAMS-DONE', 'REACH-FLUSH-DEFERRED', 'REACH-MEMCG-AT-MAX', 'REACH-MEMCG-CHARGED-ON-P'],
  tworegions: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-REGION-B-REFUSED', 'REACH-REGION-B-ONLINE', 'REACH-REGION-A-TEARDOWN-AFTER-B', 'REACH-REGION-B-REPROBED'],
  cram2: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-CRAM2-OWNS-CRAM', 'REACH-CRAM2-PROBE-IN-A-TEARDOWN', 'REACH-CRAM2-FLUSH-DEFERRED'],
  driverflush: ['REACH-DEMOTED-TO-P', 'REACH-TEARDOWN', 'REACH-FLUSH-DEFERRED', 'REACH-FLUSH-SEND'],
  forkpin: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-LONGTERM-PIN-REFUSAL', 'REACH-FORK-COPIED-PINNED'],
  longpinw: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-WRITE-PIN-FAULT-P', 'REACH-WRITE-PIN-HELD'],
  hwpoisonmap: ['REACH-PROGRAMS-DONE', 'REACH-MF-POISON-WITH-CALLBACK', 'REACH-HWPOISON-UNMAPPED', 'REACH-HWPOISON-FORKED'],
  taskpol: ['REACH-PROGRAMS-DONE', 'REACH-TASK-MPOL-REBOUND'],
  zonenormal: ['REACH-PROGRAMS-DONE'],
  oomcpuset: ['REACH-OOM-KILL', 'REACH-OOM-CONSTRAINT-CPUSET', 'REACH-OOM-MPOL-SKIP'],
  // With every fix on the home node Q is refused (-EINVAL): the program still runs to its end.
  homenode: ['REACH-PROGRAMS-DONE'],
  homenodeplain: ['REACH-PROGRAMS-DONE'],
  oomsibling: ['REACH-OOM-KILL', 'REACH-OOM-CONSTRAINT-CPUSET', 'REACH-OOM-CPUSET-SKIP'],
  cpusetmove: ['REACH-PROGRAMS-DONE', 'REACH-TEARDOWN', 'REACH-CPUSET-MIGRATE-P-FOLIO', 'REACH-CPUSET-MOVED-PRIVATE-FOLIO', 'REACH-CPUSET-ATTACH-TO-PRIVATE-ONLY'],
  cpusetv1: ['REACH-PROGRAMS-DONE', 'REACH-TEARDOWN', 'REACH-CPUSET-V1-EMPTIED', 'REACH-CPUSET-V1-TRANSFERRED'],
  memcgoom: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-MEMCG-AT-MAX', 'REACH-MEMCG-CHARGED-ON-P', 'REACH-OOM-KILL', 'REACH-MEMCG-RECLAIM-STAGED', 'REACH-OOM-REAP-UNDER-MIGRATION'],
  putbackzap: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-SWAPPED', 'REACH-PUTBACK-LAST-REF'],
};

export const REACH_IDS: readonly string[] = Object.keys(REACH);

/** The Reachability entries a machine's configuration declares (none for a config file with another name). */
export function kernelReachability(m: Machine): Reachability[] {
  const v = new StateView(m);
  return (CONFIG_REACH[m.cfg.name] ?? []).map((id) => {
    const d = REACH[id]!;
    return { id: d.id, source: d.source, description: d.description, reached: (s: Uint32Array) => d.pred(v.at(s)) };
  });
}
