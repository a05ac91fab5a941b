// Who runs: every modelled thread advances one step at a time. A "step" is the
// code a thread runs between two points where another CPU can observe it (a
// lock dropped, a sleep, an RCU section ended): SEMANTICS 8.2 R1-R8. The
// explorer interleaves steps of different threads in every order.
//
// Each thread role's step function lives in the module of the kernel code it
// models; this file only dispatches.
//   cpu            -> src/kernel/workload.ts  (syscalls and faults of the program;
//                     choice 1: an lru_add_drain on that CPU, src/kernel/folio.ts;
//                     choice 2, only where the program removes region B: a signal
//                     to the task while its offline_pages loops, src/cxl/region_b.ts)
//   kswapd         -> src/kernel/vmscan.ts    (balance_pgdat: demote / reclaim)
//   flush_kthread  -> src/cxl/compression.ts
//   overflow_work  -> src/cxl/compression.ts
//   irq_lthresh/irq_hthresh -> src/cxl/compression.ts (cram_set_pressure S1-S4)
//   driver         -> src/cxl/region_sysram.ts (probe, hot-add, teardown)
//   cpuset_migrate -> src/kernel/cpuset_migrate.ts (cpuset_migrate_mm_wq's do_migrate_pages)
//
// Contract: a step function that returns false has left k unchanged (each
// checks enabledness before it mutates anything).

import { match } from 'ts-pattern';
import { flushKthreadChoices, flushKthreadStep, irqsOffByOverflowWork, irqThreadStep, overflowWorkStep } from '../cxl/compression.ts';
import { driverChoiceLabel, driverChoices, driverStep } from '../cxl/region_sysram.ts';
import { cpusetMigrateWorkStep } from './cpuset_migrate.ts';
import { cpusetV1TransferStep } from './cpuset_attach.ts';
import type { Kernel, Machine } from './kernel.ts';
import { kswapdChoices, kswapdStep, nodePfnRange } from './vmscan.ts';
import { cpuLruDrainStep, cpuStep } from './workload.ts';
import { cpuRemovesRegionB, regionBRemoverSignal } from '../cxl/region_b.ts';
import { kthreadBatchStillVisible, kthreadCpus } from './kthread_cpu.ts';

/**
 * Static number of choices of thread tid (1 for deterministic threads; more
 * where the kernel picks among candidates, e.g. which folio kswapd scans).
 * The system's action table has one action per (thread, choice).
 */
export function threadChoices(m: Machine, tid: number): number {
  const r = m.g.threads[tid];
  if (!r) return 0;
  return match(r)
    .with({ kind: 'cpu' }, (x) => (cpuRemovesRegionB(m, x.cpu) ? 3 : 2))
    .with({ kind: 'kswapd' }, (x) => kswapdChoices(m, x.node))
    .with({ kind: 'flush_kthread' }, () => flushKthreadChoices())
    .with({ kind: 'overflow_work' }, () => 1)
    .with({ kind: 'irq_lthresh' }, { kind: 'irq_hthresh' }, () => 1)
    .with({ kind: 'driver' }, () => driverChoices(m))
    // cgroup v1: the same kworker pool also runs remove_tasks_in_empty_cpuset's work (choice 1).
    .with({ kind: 'cpuset_migrate' }, () => (m.cfg.cpusetV1 ? 2 : 1))
    .exhaustive();
}

/** One thread's step function: (k, choice) -> enabled. */
type StepFn = (k: Kernel, choice: number) => boolean;

// Thread roles are static per machine, so the role dispatch is compiled once
// per Machine (a cache keyed on the immutable machine, never on state): the
// explorer calls runThread once per transition and a match() there dominated
// the profile.
const dispatchCache = new WeakMap<Machine, readonly StepFn[]>();
/** Per machine: each thread's static choices (threadChoices), and a scratch state for the kernel-thread CPU variants. */
const choicesCache = new WeakMap<Machine, { readonly base: Int32Array; readonly save: Uint16Array }>();

function choicesTable(m: Machine): { readonly base: Int32Array; readonly save: Uint16Array } {
  let c = choicesCache.get(m);
  if (!c) {
    c = { base: Int32Array.from(m.g.threads, (_, tid) => threadChoices(m, tid)), save: new Uint16Array(m.L.words16) };
    choicesCache.set(m, c);
  }
  return c;
}

/**
 * Choices of thread tid counting its CPU (src/kernel/kthread_cpu.ts): choice
 * c + base * v runs choice c on the v-th CPU the thread may use. v = 0 is the
 * thread's first CPU, so the choices below threadChoices keep their meaning.
 */
export function threadChoicesWithCpu(m: Machine, tid: number): number {
  return threadChoices(m, tid) * kthreadCpus(m, tid).length;
}

function dispatchTable(m: Machine): readonly StepFn[] {
  let d = dispatchCache.get(m);
  if (!d) {
    d = m.g.threads.map((r): StepFn =>
      match(r)
        .with({ kind: 'cpu' }, (x): StepFn => (k, choice) => (choice === 0 ? cpuStep(k, x.cpu) : choice === 1 ? cpuLruDrainStep(k, x.cpu) : choice === 2 && regionBRemoverSignal(k, x.cpu)))
        .with({ kind: 'kswapd' }, (x): StepFn => (k, choice) => kswapdStep(k, x.node, choice))
        .with({ kind: 'flush_kthread' }, (x): StepFn => (k, choice) => flushKthreadStep(k, choice, x.region))
        .with({ kind: 'overflow_work' }, (x): StepFn => (k, choice) => choice === 0 && overflowWorkStep(k, x.cpu, x.region))
        .with({ kind: 'irq_lthresh' }, (): StepFn => (k, choice) => choice === 0 && irqThreadStep(k, 'lthresh'))
        .with({ kind: 'irq_hthresh' }, (): StepFn => (k, choice) => choice === 0 && irqThreadStep(k, 'hthresh'))
        .with({ kind: 'driver' }, (x): StepFn => (k, choice) => driverStep(k, choice, x.region))
        .with({ kind: 'cpuset_migrate' }, (): StepFn => (k, choice) => (choice === 0 ? cpusetMigrateWorkStep(k, k.current) : choice === 1 && cpusetV1TransferStep(k)))
        .exhaustive(),
    );
    dispatchCache.set(m, d);
  }
  return d;
}

/**
 * Run one step of thread tid with the given choice, mutating k. Returns false
 * (and leaves k unchanged) if the thread cannot take that step now.
 */
export function runThread(k: Kernel, tid: number, choice: number): boolean {
  const f = dispatchTable(k.m)[tid];
  if (!f) return false;
  const { base, save } = choicesTable(k.m);
  const n = base[tid]!;
  const cpus = kthreadCpus(k.m, tid);
  const v = n > 0 ? Math.floor(choice / n) : 0;
  if (v >= cpus.length) return false;
  // A CPU whose overflow work has local IRQs off runs nothing else (cxl_flush_overflow_work).
  if (k.cfg.actors.flush && irqsOffByOverflowWork(k, tid)) return false;
  k.current = tid;
  k.kthreadCpu = cpus[v]!;
  k.kthreadCpuUsed = false;
  k.kthreadBatched.length = 0;
  if (v > 0) save.set(k.s);
  let r = f(k, choice - v * n);
  // On another CPU than the first: a distinct step only if the CPU was consulted (kthread_cpu.ts).
  if (r && v > 0 && !k.kthreadCpuUsed && !kthreadBatchStillVisible(k)) {
    k.s.set(save);
    r = false;
  }
  k.current = -1;
  k.kthreadCpu = 0;
  k.kthreadBatched.length = 0;
  return r;
}

/** One line naming what thread tid would do with `choice` (for action tables). */
export function threadLabel(m: Machine, tid: number, choice: number): { actor: string; name: string } {
  const r = m.g.threads[tid];
  if (!r) return { actor: `t${tid}`, name: `step#${choice}` };
  const n = threadChoices(m, tid);
  const cpus = kthreadCpus(m, tid);
  const v = n > 0 ? Math.floor(choice / n) : 0;
  if (v > 0 && v < cpus.length) {
    // The same actor (its fairness is the thread's, whichever CPU it runs on).
    const l = threadLabel(m, tid, choice - v * n);
    return { actor: l.actor, name: `${l.name} on cpu${cpus[v]!}` };
  }
  return match(r)
    .with({ kind: 'cpu' }, (x) => ({ actor: `cpu${x.cpu}`, name: choice === 1 ? 'lru_add_drain' : choice === 2 ? 'signal' : 'step' }))
    .with({ kind: 'kswapd' }, (x) => ({ actor: `kswapd(N${x.node})`, name: kswapdChoiceName(m, x.node, choice) }))
    // The second compression region's threads carry its number (region A's names are unchanged).
    .with({ kind: 'flush_kthread' }, (x) => ({ actor: `cxl-flush${x.region ? x.region + 1 : ''}`, name: `step#${choice}` }))
    .with({ kind: 'overflow_work' }, (x) => ({ actor: `overflow${x.region ? x.region + 1 : ''}(cpu${x.cpu})`, name: 'send' }))
    .with({ kind: 'irq_lthresh' }, () => ({ actor: 'irq-lthresh', name: 'cram_set_pressure(1000)' }))
    .with({ kind: 'irq_hthresh' }, () => ({ actor: 'irq-hthresh', name: 'cram_set_pressure(0)' }))
    .with({ kind: 'driver' }, (x) => ({ actor: `driver${x.region ? x.region + 1 : ''}`, name: driverChoiceLabel(m, choice) }))
    .with({ kind: 'cpuset_migrate' }, () => (choice === 1 ? { actor: 'kworker(cpuset_migrate_mm)', name: 'remove_tasks_in_empty_cpuset' } : { actor: 'kworker(cpuset_migrate_mm)', name: 'do_migrate_pages' }))
    .exhaustive();
}

function kswapdChoiceName(m: Machine, nid: number, choice: number): string {
  const { first } = nodePfnRange(m, nid);
  return choice === 0 ? `sleep|demote|scan(pfn ${first})` : `scan(pfn ${first + choice})`;
}
