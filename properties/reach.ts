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
import { PG_anon, PG_head, PTE_SWAP, THREAD_REGS } from '../src/kernel/layout.ts';
import { OP_HANDLE_FAULT, OP_KSWAPD_DEMOTE } from '../src/kernel/ops_codes.ts';
import { MB_DST_MAX, MB_MOVED, MB_NOMEM, entryStatus } from '../src/kernel/migrate_batch.ts';
import { StateView } from '../src/kernel/state_view.ts';
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
    description: 'the cpuset\'s mems exclude an N_MEMORY_PRIVATE node',
    pred: (k) => {
      for (let n = 0; n < k.g.nodes; n++) if (k.has(k.L.NODE_STATES, n, N_MEMORY_PRIVATE) && !(k.get(k.L.G_CPUSET_MEMS) & (1 << n))) return true;
      return false;
    },
  },
};

/** What each named configuration declares it reaches (large is for MBT only: none). */
export const CONFIG_REACH: Readonly<Record<string, readonly string[]>> = {
  tiny: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED'],
  small: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED'],
  canonical: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED', 'REACH-PRESSURE-BLOCKED'],
  race2: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PROMOTED', 'REACH-PRESSURE-BLOCKED'],
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
  batch2: ['REACH-PROGRAMS-DONE', 'REACH-DEMOTED-TO-P', 'REACH-PRESSURE-BLOCKED', 'REACH-BATCH-BLOCKED-MIDWAY'],
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
