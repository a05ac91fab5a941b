// The CPU a kernel thread's step runs on (issue 11).
//
// A kernel thread touches per-CPU state of the CPU it happens to run on: the
// compression driver's cxl_compression_flush_cb (drivers/cxl/type3_drivers/
// cxl_compression/compression.c) queues a freed folio on this_cpu_ptr(pcpu)
// ->active and schedules the overflow work on raw_smp_processor_id(). kswapd,
// the threaded IRQ handlers, the driver's probe/teardown and the cpuset
// workqueue item free P's folios, so which CPU they run on decides whose
// flush buffer fills. None of them is pinned to one CPU: kswapd(N) is bound
// to cpumask_of_node(N) when N has CPUs and runs anywhere when it has none
// (mm/vmscan.c: kswapd, set_cpus_allowed_ptr only for a non-empty mask: P is
// CPU-less), and the IRQ threads, the probe's task and the unbound
// cpuset_migrate_mm_wq run on any CPU. The scheduler may move them between
// two steps.
//
// So, when kthreadCpuChoice(cfg), each step of such a thread runs on any CPU
// it may use (kthreadCpus): a nondeterministic choice, made per step (a
// modelling choice: the thread does not move inside one model step). To keep
// the state space from multiplying where the CPU is invisible, a step on a
// CPU other than the first allowed one is a separate action that is enabled
// only if the step consulted its CPU (kthreadCurrentCpu below): otherwise its
// successor would be the first CPU's, already generated.
//
// Off (every kernel thread on CPU 0, the earlier modelling choice) when there
// is one CPU (no choice to make) and when the flush kthread runs
// (actors.flush): there the kernel thread's CPU also decides whether that
// CPU's overflow work, inside its local_irq_save section, holds it back
// (compression.ts: irqsOffByOverflowWork), which this choice does not model
// yet. The only such named configuration with several CPUs is `large`.

import type { KernelConfig } from './config.ts';
import type { Kernel, Machine } from './kernel.ts';

/** Does a kernel thread's step choose its CPU (see the header)? */
export function kthreadCpuChoice(cfg: KernelConfig): boolean {
  return cfg.cpus.length > 1 && !cfg.actors.flush;
}

const ALL = new WeakMap<Machine, readonly (readonly number[])[]>();

/**
 * The CPUs thread tid's step may run on, ascending; [0] when the choice is off
 * or tid is a user CPU thread, the flush kthread or an overflow work (never
 * asked: a user thread has its own CPU, the other two exist only with
 * actors.flush).
 */
export function kthreadCpus(m: Machine, tid: number): readonly number[] {
  let all = ALL.get(m);
  if (!all) {
    const every = m.cfg.cpus.map((_, c) => c);
    all = m.g.threads.map((r) => {
      if (!kthreadCpuChoice(m.cfg)) return [0];
      switch (r.kind) {
        case 'kswapd': {
          const local = every.filter((c) => m.cfg.cpus[c]!.node === r.node);
          return local.length ? local : every;
        }
        case 'irq_lthresh':
        case 'irq_hthresh':
        case 'driver':
        case 'cpuset_migrate':
          return every;
        case 'cpu':
        case 'flush_kthread':
        case 'overflow_work':
          return [0];
      }
    });
    ALL.set(m, all);
  }
  return all[tid] ?? [0];
}

/**
 * this_cpu_ptr / raw_smp_processor_id of a kernel thread's step: the CPU the
 * step was given, recorded as consulted (the step is then a distinct action
 * for each CPU it may run on).
 */
export function kthreadCurrentCpu(k: Kernel): number {
  k.kthreadCpuUsed = true;
  return k.kthreadCpu;
}

/**
 * this_cpu_ptr(&cpu_fbatches.lru_add) of a kernel thread's folio_add_lru: the
 * step's CPU, noted with the folio. The step counts as having consulted its
 * CPU only if the folio is still in that CPU's batch when the step ends
 * (kthreadBatchStillVisible): cram_migrate_to's lru_add_drain_all in the same
 * step leaves the state the same on every CPU.
 */
export function kthreadBatchCpu(k: Kernel, pfn: number): number {
  k.kthreadBatched.push(pfn);
  return k.kthreadCpu;
}

/** Does a folio the step batched still sit in the step's CPU's batch? */
export function kthreadBatchStillVisible(k: Kernel): boolean {
  return k.kthreadBatched.some((p) => k.get(k.L.PG_LRU_BATCH, p) === k.kthreadCpu + 1);
}
