// Who runs: every modelled thread advances one step at a time. A "step" is the
// code a thread runs between two points where another CPU can observe it (a
// lock dropped, a sleep, an RCU section ended): SEMANTICS 8.2 R1-R8. The
// explorer interleaves steps of different threads in every order.
//
// STUB CONTRACT, signatures final. Each thread role's step function lives in
// the module of the kernel code it models; this file only dispatches.
//   cpu            -> src/kernel/workload.ts  (syscalls and faults of the program)
//   kswapd         -> src/kernel/vmscan.ts    (balance_pgdat: demote / reclaim)
//   flush_kthread  -> src/cxl/compression.ts
//   overflow_work  -> src/cxl/compression.ts
//   irq_lthresh/irq_hthresh -> src/cxl/compression.ts (cram_set_pressure S1-S4)
//   driver         -> src/cxl/region_sysram.ts (probe, hot-add, teardown)

import type { Kernel } from './kernel.ts';
import type { Machine } from './kernel.ts';

/**
 * Static number of choices of thread tid (1 for deterministic threads; more
 * where the kernel picks among candidates, e.g. which folio kswapd scans).
 * The system's action table has one action per (thread, choice).
 */
export function threadChoices(m: Machine, tid: number): number {
  void m;
  void tid;
  return 1;
}

/**
 * Run one step of thread tid with the given choice, mutating k. Returns false
 * (and leaves k unchanged) if the thread cannot take that step now.
 */
export function runThread(k: Kernel, tid: number, choice: number): boolean {
  void k;
  void tid;
  void choice;
  return false;
}

/** One line naming what thread tid would do with `choice` (for action tables). */
export function threadLabel(m: Machine, tid: number, choice: number): { actor: string; name: string } {
  const r = m.g.threads[tid];
  return { actor: r ? r.kind : `t${tid}`, name: `step#${choice}` };
}
