// What each named configuration exists to reach (issue 10, class 5:
// vacuity). An exhaustive run that never reaches one of its configuration's
// Reachability entries is vacuous: a bug that stops demotion altogether must
// not leave `tiny` "OK" with a handful of states. Every predicate reads one
// state, without history, so none of them adds state: a behaviour is
// recognised by the state it passes through (a user folio on P, cram_fault
// right after a successful promotion, a filled flush buffer, ...).

import type { Reachability } from '../src/explore/system.ts';
import { F5, F6, R_NR } from '../src/cram/cram.ts';
import { BLOCK_ABSENT, CRAM_PRESSURE_MAX, N_MEMORY_PRIVATE } from '../src/kernel/defs.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { PG_anon, PG_head, PG_hwpoison, PTE_SWAP, THREAD_REGS } from '../src/kernel/layout.ts';
import { OP_HANDLE_FAULT, OP_KSWAPD_DEMOTE } from '../src/kernel/ops_codes.ts';
import { opsById } from '../src/kernel/ops_table.ts';
import { MB_DST_MAX, MB_MOVED, MB_NOMEM, entryStatus } from '../src/kernel/migrate_batch.ts';
import { StateView } from '../src/kernel/state_view.ts';
import { PIN_CHECK, PIN_HELD, nodePrivateAllowsLongtermPin } from '../src/kernel/gup_longterm.ts';
import type { Machine } from '../src/kernel/kernel.ts';

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
          else if (st === MB_MOVED || (st >= 1 && st <= MB_DST_MAX)) progressed = true;
        }
        if (nomem && progressed) return true;
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
};

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
  cpusets: ['REACH-DEMOTED-TO-P', 'REACH-TEARDOWN', 'REACH-CPUSET-EXCLUDES-P'],
  gupfork: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-GUP-FAULT-CRAM', 'REACH-GUP-PINNED'],
  batch2: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PRESSURE-BLOCKED', 'REACH-BATCH-BLOCKED-MIDWAY'],
  driverflush: ['REACH-DEMOTED-TO-P', 'REACH-TEARDOWN', 'REACH-FLUSH-DEFERRED', 'REACH-FLUSH-SEND'],
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
