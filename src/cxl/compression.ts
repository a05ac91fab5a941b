// drivers/cxl/type3_drivers/cxl_compression/compression.c: the flush (scrub)
// protocol of SEMANTICS 7.3 and the watermark IRQ threads of 7.1. Each *Step
// runs one step of that thread and returns false (k unchanged) if it cannot
// run now.
//
// State: buffer b holds BUF_LEN[b] folios (BUF_ENT = pfn + 1); each CPU has an
// active (CPU_BUF_ACTIVE), an overflow spare and a kthread spare (buf + 1,
// 0 = NULL); the flush_record bit of a folio is PG_FLUSH_BIT at its head pfn
// (idx = pfn - base_pfn, one bit per 4K page).
//
// Modelling choices:
// * The CPU a freeing thread runs on: a user CPU thread uses its cpu; every
//   other thread (kswapd, the IRQ threads, the driver) the CPU its step was
//   given (src/kernel/kthread_cpu.ts: any CPU it may run on when there are
//   several CPUs and no flush kthread; CPU 0 otherwise).
// * flush_cb runs with IRQs off under RCU inside one step, so a grace period
//   never has to wait for it; synchronize_rcu waits only for LK_RCU holders.
// * The timer (schedule_timeout_interruptible, every flush_interval_ms) fires
//   whether or not a buffer holds work; the model lets a round start whenever
//   some active buffer is non-empty or some overflow work is pending or
//   running. The ticks left out are those with every active buffer empty and
//   no overflow work about: such a round only swaps empty buffers, which
//   renames buffers no invariant tells apart (a folio queued mid-round is the
//   same state as the round starting after it), and the one race such a round
//   can take part in, with the overflow work's replace of the same pointer,
//   is kept. A round swaps each CPU as two steps (read the active pointer,
//   then write it) because rcu_replace_pointer is an unlocked read-then-write
//   that races with the overflow work (R6).
// * The overflow work's rcu_replace_pointer is two steps too (read, then
//   write): it runs on the owning CPU with local IRQs off, so nothing else on
//   that CPU runs in between (irqsOffByOverflowWork), but the kthread on
//   another CPU can.
// * A mailbox Media Operations Zero command always succeeds; it zeroes the
//   ranges on the device (a device write, accounted through setPageContent).

import { hasFix } from '../kernel/config.ts';
import { CRAM_PRESSURE_MAX } from '../kernel/defs.ts';
import { folioGet, folioNrPages, folioPut } from '../kernel/folio.ts';
import type { Kernel } from '../kernel/kernel.ts';
import { EV_DOUBLE_BUFFERED, EV_FREE_LEAK, THREAD_REGS } from '../kernel/layout.ts';
import { ghostLegitWrite, setPageContent } from '../kernel/page.ts';
import { synchronizeRcuReady } from '../cram/rcu.ts';
import { cramSetPressureBegin, cramSetPressureStep } from '../cram/pressure.ts';
import { IRQ_HTHRESH, IRQ_LTHRESH } from './device.ts';
import { ran } from '../kernel/ran.ts';
import { event2, EV2_FLUSH_RECORD_OOB } from '../kernel/ghost.ts';
import { compRegionOfPfn } from './regions.ts';
import { kthreadCurrentCpu } from '../kernel/kthread_cpu.ts';

// DRV_FLAGS bits shared with region_sysram.ts.
export const DF_SYSRAM = 1 << 0; // sysram device registered (sysram_unregister devm action)
export const DF_RES = 1 << 1; // sysram->res held: the range was hot-added
export const DF_FLUSH_CTX = 1 << 2; // flush context allocated (post_teardown has work)
export const DF_KTHREAD = 1 << 3; // cxl-flush/nid kthread running
export const DF_PRE_TEARDOWN = 1 << 4; // CRAM registered, pre_teardown devm action registered
export const DF_IRQS = 1 << 5; // lthresh/hthresh threaded IRQs requested
export const DF_NP_UNREG = 1 << 6; // inside node_private_unregister (second stage pending)
export const DF_OFFLINING = 1 << 7; // inside offline_and_remove_private_memory (sysram_hotplug_remove)
export const DF_SIGNAL = 1 << 8; // signal_pending() on the task running the driver
export const DF_NP_UNREG_DROPPED = 1 << 9; // node_private_unregister dropped the base reference, waits for the completion
// Outlive the driver instance (kept across DS_NONE): the np registered on the node is not the
// current sysram's but an earlier sysram's whose release could not remove the range (OLD), and
// that earlier sysram, with the np embedded in it, was kfree'd (FREED).
export const DF_NP_OLD = 1 << 10;
export const DF_NP_FREED = 1 << 11;
// The cram_node this driver's cram_unregister_private_node is draining was displaced by the other
// compression region's registration (`cram2`): the drain waits on CN_OLD_REF.
export const DF_CN_OLD = 1 << 12;

/** The CPU the thread runs on (see header). */
export function cpuOfThread(k: Kernel, tid: number): number {
  const r = k.g.threads[tid];
  return r && r.kind === 'cpu' ? r.cpu : k.kthreadCpu;
}

/** this_cpu_ptr in flush_cb: the freeing thread's CPU (a kernel thread's step is then one per CPU it may run on). */
function freeingCpu(k: Kernel, tid: number): number {
  const r = k.g.threads[tid];
  return r && r.kind === 'cpu' ? r.cpu : kthreadCurrentCpu(k);
}

function bufMax(k: Kernel): number {
  return k.cfg.driver.bufMax;
}

/** Is pfn recorded in some flush buffer? */
function inSomeBuffer(k: Kernel, pfn: number): boolean {
  const L = k.L;
  const M = bufMax(k);
  for (let b = 0; b < k.g.flushBufs; b++) {
    const n = k.get(L.BUF_LEN, b);
    for (let i = 0; i < n; i++) if (k.get(L.BUF_ENT, b * M + i) === pfn + 1) return true;
  }
  return false;
}

/** cxl_flush_buf_reset(buf): count = 0 (entries cleared for a canonical state). */
function flushBufReset(k: Kernel, b: number): void {
  const L = k.L;
  const M = bufMax(k);
  const n = k.get(L.BUF_LEN, b);
  // A reset of a buffer still holding folios drops their references for good.
  if (n > 0) {
    k.event(EV_FREE_LEAK);
    if (k.log) k.trace(`cxl_flush_buf_reset(buf ${b}): ${n} deferred folio(s) dropped unsent`);
  }
  for (let i = 0; i < M; i++) k.set(L.BUF_ENT, b * M + i, 0);
  k.set(L.BUF_LEN, b, 0);
}

/** Per-CPU pointer index of region r's CPU c (pcpu of region r's flush context). */
export function pcpuIdx(k: Kernel, r: number, c: number): number {
  return r * k.cfg.cpus.length + c;
}

/**
 * cxl_compression_flush_cb(folio) (the cram flush_cb) with flush_data = region
 * r's flush context: 0 = the free that follows our own flush (bit was set),
 * 1 = deferred (reference taken, queued), 2 = zero locally (no active buffer,
 * or full: overflow work scheduled).
 */
export function cxlCompressionFlushCb(k: Kernel, tid: number, pfn: number, r = 0): number {
  ran(k, 'cxl_compression_flush_cb');
  // drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_flush_cb
  const L = k.L;
  // idx = pfn - ctx->base_pfn indexes the flush_record allocated for this region's nr_pages:
  // a folio of another region on the node (CRAM registered over it) is outside it.
  if (compRegionOfPfn(k, pfn) !== r) {
    event2(k, EV2_FLUSH_RECORD_OOB);
    if (k.log) k.trace(`cxl_compression_flush_cb(pfn ${pfn}): idx outside the region's flush_record (out of bounds)`);
  }
  // (a) test_and_clear_bit(flush_record[idx])
  if (k.get(L.PG_FLUSH_BIT, pfn)) {
    k.set(L.PG_FLUSH_BIT, pfn, 0);
    if (k.log) k.trace(`cxl_compression_flush_cb(pfn ${pfn}) = 0 (flush bit was set)`);
    return 0;
  }
  const cpu = freeingCpu(k, tid);
  const a = k.get(L.CPU_BUF_ACTIVE, pcpuIdx(k, r, cpu));
  if (a === 0) {
    if (k.log) k.trace(`cxl_compression_flush_cb(pfn ${pfn}) = 2 (no active buffer)`);
    return 2;
  }
  const b = a - 1;
  const n = k.get(L.BUF_LEN, b);
  if (n >= bufMax(k)) {
    k.set(L.CPU_OVERFLOW_PENDING, pcpuIdx(k, r, cpu), 1); // schedule_work_on(cpu, &pcpu->overflow_work)
    if (k.log) k.trace(`cxl_compression_flush_cb(pfn ${pfn}) = 2 (buffer full: overflow work on cpu${cpu})`);
    return 2;
  }
  // (b) folio_get on a refcount-0 folio: VM_BUG_ON under DEBUG_VM (folio.ts records it).
  // Mutant flush-cb-folio-get: the fixed driver still takes its reference with folio_get.
  if (hasFix(k.cfg, 'flush-cb-no-get-on-zero') && k.cfg.mutant !== 'flush-cb-folio-get') k.add(L.PG_REF, pfn, 1); // folio_ref_inc: no assertion
  else folioGet(k, pfn);
  if (inSomeBuffer(k, pfn)) k.event(EV_DOUBLE_BUFFERED);
  if (k.cfg.mutant !== 'flush-bit-not-set') k.set(L.PG_FLUSH_BIT, pfn, 1);
  k.set(L.BUF_ENT, b * bufMax(k) + n, pfn + 1);
  k.set(L.BUF_LEN, b, n + 1);
  if (k.log) k.trace(`cxl_compression_flush_cb(pfn ${pfn}) = 1 (deferred in buf ${b} of cpu${cpu})`);
  return 1;
}

/** cxl_flush_buf_send(ctx, buf): zero each folio (CPU or device), folio_put each, reset. */
export function cxlFlushBufSend(k: Kernel, tid: number, b: number): void {
  ran(k, 'cxl_flush_buf_send');
  // drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_flush_buf_send
  const L = k.L;
  const M = bufMax(k);
  const n = k.get(L.BUF_LEN, b);
  if (n === 0) return;
  const pfns: number[] = [];
  for (let i = 0; i < n; i++) pfns.push(k.get(L.BUF_ENT, b * M + i) - 1);
  if (k.cfg.mutant !== 'flush-send-no-zero') {
    // !media_ops: folio_zero_range on each; else one Media Operations Zero mailbox command.
    for (const pfn of pfns) {
      const nr = folioNrPages(k, pfn);
      for (let i = 0; i < nr; i++) {
        setPageContent(k, pfn + i, 0);
        ghostLegitWrite(k, pfn + i);
      }
    }
  }
  if (k.log) k.trace(`cxl_flush_buf_send(buf ${b}): ${k.cfg.driver.mediaOps ? 'media ops zero' : 'folio_zero_range'} [${pfns.join(',')}]`);
  for (const pfn of pfns) folioPut(k, tid, pfn);
  // cxl_flush_buf_reset: count = 0 (the folios' references were just put).
  for (let i = 0; i < M; i++) k.set(L.BUF_ENT, b * M + i, 0);
  k.set(L.BUF_LEN, b, 0);
}

function anyActiveNonEmpty(k: Kernel, r: number): boolean {
  for (let c = 0; c < k.cfg.cpus.length; c++) {
    const a = k.get(k.L.CPU_BUF_ACTIVE, pcpuIdx(k, r, c));
    if (a && k.get(k.L.BUF_LEN, a - 1) > 0) return true;
  }
  return false;
}

// Flush kthread stages (THR_STAGE): 0 asleep; 1 + 2c: about to read cpu c's
// active pointer; 2 + 2c: read done (REG[0] = old active), about to write it;
// SYNC: synchronize_rcu; SEND: send the dirty kthread spares.
// REG[1] = any_dirty.
const KT_SYNC = 200;
const KT_SEND = 201;

/** Region r's cxl-flush/nid kthread: choice 0 only (one deterministic step). */
export function flushKthreadStep(k: Kernel, choice: number, r = 0): boolean {
  ran(k, 'cxl_flush_kthread_fn');
  // drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_flush_kthread_fn
  if (choice !== 0) return false;
  const L = k.L;
  const tid = k.g.flushThreadOf(r);
  const R = tid * THREAD_REGS;
  const C = k.cfg.cpus.length;
  let st = k.get(L.THR_STAGE, tid);
  if (!(k.get(L.DRV_FLAGS, r) & DF_KTHREAD)) return false;
  if (st === 0) {
    // Timer fired (see the header for the ticks left out): start a round at CPU 0's read.
    // Mutant flush-timer-never-fires: the timer is never armed.
    if ((!anyActiveNonEmpty(k, r) && !anyOverflowWork(k, r)) || k.cfg.mutant === 'flush-timer-never-fires') return false;
    st = 1;
  }
  if (st === KT_SYNC) {
    if (!synchronizeRcuReady(k, tid)) return false;
    k.trace('cxl-flush: synchronize_rcu()');
    k.set(L.THR_STAGE, tid, KT_SEND);
    return true;
  }
  if (st === KT_SEND) {
    for (let c = 0; c < C; c++) {
      const d = k.get(L.CPU_BUF_SPARE, pcpuIdx(k, r, c));
      if (d && k.get(L.BUF_LEN, d - 1) > 0) cxlFlushBufSend(k, tid, d - 1);
    }
    k.set(L.THR_STAGE, tid, 0);
    return true;
  }
  const c = Math.floor((st - 1) / 2);
  if ((st - 1) % 2 === 0) {
    // Read: cxl_flush_buf_reset(spare); dirty = READ of pcpu->active.
    const spare = k.get(L.CPU_BUF_SPARE, pcpuIdx(k, r, c));
    if (spare) flushBufReset(k, spare - 1);
    k.set(L.THR_REG, R, k.get(L.CPU_BUF_ACTIVE, pcpuIdx(k, r, c)));
    if (k.log) k.trace(`cxl_flush_kthread_fn: dirty = cpu${c} active (buf ${k.get(L.CPU_BUF_ACTIVE, pcpuIdx(k, r, c)) - 1})`);
    // Fix flush-swap-atomic: xchg() makes the read and the write one atomic step.
    if (!hasFix(k.cfg, 'flush-swap-atomic')) {
      k.set(L.THR_STAGE, tid, st + 1);
      return true;
    }
    st++;
  }
  // Write: pcpu->active = spare; kthread_spares[c] = dirty.
  const spare = k.get(L.CPU_BUF_SPARE, pcpuIdx(k, r, c));
  const dirty = k.get(L.THR_REG, R);
  if (spare) {
    k.set(L.CPU_BUF_ACTIVE, pcpuIdx(k, r, c), spare);
    k.set(L.CPU_BUF_SPARE, pcpuIdx(k, r, c), dirty);
    if (k.log) k.trace(`cxl_flush_kthread_fn: cpu${c} active = buf ${spare - 1}, spare = buf ${dirty - 1}`);
    if (dirty && k.get(L.BUF_LEN, dirty - 1) > 0) k.set(L.THR_REG, R + 1, 1);
  }
  k.set(L.THR_REG, R, 0);
  if (c + 1 < C) {
    k.set(L.THR_STAGE, tid, st + 1);
  } else {
    const anyDirty = k.get(L.THR_REG, R + 1) === 1;
    k.set(L.THR_REG, R + 1, 0);
    k.set(L.THR_STAGE, tid, anyDirty ? KT_SYNC : 0);
    if (k.log) k.trace(`cxl-flush: swapped all CPUs, ${anyDirty ? 'dirty' : 'nothing dirty: sleep'}`);
  }
  return true;
}

/** Is region r's flush kthread asleep between rounds (kthread_stop can complete)? */
export function flushKthreadIdle(k: Kernel, r = 0): boolean {
  return k.get(k.L.THR_STAGE, k.g.flushThreadOf(r)) === 0;
}

// Overflow work stages: 0 idle (runs when pending); OW_WRITE: pcpu->active
// read into REG[0], IRQs off, the write pending; 1 synchronize_rcu; 2 send REG[0] - 1.
const OW_WRITE = 3;

function anyOverflowWork(k: Kernel, r: number): boolean {
  for (let c = 0; c < k.cfg.cpus.length; c++) {
    if (k.get(k.L.CPU_OVERFLOW_PENDING, pcpuIdx(k, r, c)) || k.get(k.L.THR_STAGE, k.g.overflowThreadOf(r, c)) !== 0) return true;
  }
  return false;
}

/**
 * Is thread tid on a CPU whose overflow work is inside its local_irq_save
 * section (between the read and the write of pcpu->active)? Nothing else runs
 * on that CPU then. The CPU of a thread is cpuOfThread's (the header's
 * choice), except that the flush kthread and the overflow works are never
 * held back: the kthread runs on another CPU (it is the racing party), each
 * work item on its own.
 */
export function irqsOffByOverflowWork(k: Kernel, tid: number): boolean {
  const r = k.g.threads[tid];
  if (!r || r.kind === 'flush_kthread' || r.kind === 'overflow_work') return false;
  const cpu = cpuOfThread(k, tid);
  for (let reg = 0; reg < k.g.compRegions; reg++) if (k.get(k.L.THR_STAGE, k.g.overflowThreadOf(reg, cpu)) === OW_WRITE) return true;
  return false;
}

/** This CPU's overflow work item of region r's flush context. */
export function overflowWorkStep(k: Kernel, cpu: number, r = 0): boolean {
  ran(k, 'cxl_flush_overflow_work');
  // drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_flush_overflow_work
  const L = k.L;
  const tid = k.g.overflowThreadOf(r, cpu);
  const R = tid * THREAD_REGS;
  const pc = pcpuIdx(k, r, cpu);
  let st = k.get(L.THR_STAGE, tid);
  if (st === 0) {
    // Mutant overflow-work-never-queued: pending is set but the work item is never queued.
    if (!k.get(L.CPU_OVERFLOW_PENDING, pc) || k.cfg.mutant === 'overflow-work-never-queued') return false;
    k.set(L.CPU_OVERFLOW_PENDING, pc, 0);
    const spare = k.get(L.CPU_BUF_OVERFLOW, pc);
    if (!spare) return true;
    flushBufReset(k, spare - 1);
    // local_irq_save; dirty = rcu_replace_pointer(pcpu->active, spare): the READ of pcpu->active.
    k.set(L.THR_REG, R, k.get(L.CPU_BUF_ACTIVE, pc));
    // Fix flush-swap-atomic: xchg() makes the read and the write one atomic step.
    if (!hasFix(k.cfg, 'flush-swap-atomic')) {
      k.set(L.THR_STAGE, tid, OW_WRITE);
      return true;
    }
    st = OW_WRITE;
  }
  if (st === OW_WRITE) {
    // The write: pcpu->active = spare; local_irq_restore; pcpu->overflow_spare = dirty.
    const spare = k.get(L.CPU_BUF_OVERFLOW, pc);
    const dirty = k.get(L.THR_REG, R);
    k.set(L.CPU_BUF_ACTIVE, pc, spare);
    k.set(L.CPU_BUF_OVERFLOW, pc, dirty);
    k.set(L.THR_STAGE, tid, 1);
    if (k.log) k.trace(`overflow(cpu${cpu}): swap active buf ${dirty - 1} <-> overflow spare ${spare - 1}`);
    return true;
  }
  if (st === 1) {
    if (!synchronizeRcuReady(k, tid)) return false;
    k.set(L.THR_STAGE, tid, 2);
    if (k.log) k.trace(`overflow(cpu${cpu}): synchronize_rcu()`);
    return true;
  }
  const dirty = k.get(L.THR_REG, R);
  if (dirty) cxlFlushBufSend(k, tid, dirty - 1);
  k.set(L.THR_REG, R, 0);
  k.set(L.THR_STAGE, tid, 0);
  return true;
}

/** Is region r's overflow work of cpu not running (cancel_work_sync need not wait)? */
export function overflowWorkIdle(k: Kernel, cpu: number, r = 0): boolean {
  return k.get(k.L.THR_STAGE, k.g.overflowThreadOf(r, cpu)) === 0;
}

/** Does some region's driver instance hold the device's watermark IRQs (DF_IRQS)? */
export function deviceIrqsRequested(k: Kernel): boolean {
  for (let r = 0; r < k.g.compRegions; r++) if (k.get(k.L.DRV_FLAGS, r) & DF_IRQS) return true;
  return false;
}

/** The threaded IRQ handlers: lthresh -> cram_set_pressure(nid, 1000), hthresh -> (nid, 0), as steps S1-S4. */
export function irqThreadStep(k: Kernel, which: 'lthresh' | 'hthresh'): boolean {
  // drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_{l,h}thresh_irq
  const L = k.L;
  const tid = which === 'lthresh' ? k.g.lthreshThread : k.g.hthreshThread;
  if (k.get(L.THR_OP, tid) !== 0) return cramSetPressureStep(k, tid) !== 'blocked';
  const bit = which === 'lthresh' ? IRQ_LTHRESH : IRQ_HTHRESH;
  if (!deviceIrqsRequested(k) || !k.has(L.DEV_IRQ, 0, bit)) return false;
  const nid = k.g.privateNode;
  if (nid < 0) return false;
  // Mutant hthresh-irq-no-ack: the handler runs and returns without acting or acking (re-run for ever).
  if (which === 'hthresh' && k.cfg.mutant === 'hthresh-irq-no-ack') return true;
  k.clearBits(L.DEV_IRQ, 0, bit);
  // Fix irq-applies-device-level: both handlers apply the device's current level (read at S2).
  const fromDevice = hasFix(k.cfg, 'irq-applies-device-level');
  if (k.log) k.trace(`${which} IRQ thread: cram_set_pressure(N${nid}, ${fromDevice ? 'device level' : which === 'lthresh' ? CRAM_PRESSURE_MAX : 0})`);
  cramSetPressureBegin(k, tid, nid, which === 'lthresh' ? CRAM_PRESSURE_MAX : 0, fromDevice);
  return true;
}

/** Is the IRQ thread between calls (free_irq's synchronize_irq need not wait)? */
export function irqThreadIdle(k: Kernel, which: 'lthresh' | 'hthresh'): boolean {
  return k.get(k.L.THR_OP, which === 'lthresh' ? k.g.lthreshThread : k.g.hthreshThread) === 0;
}

/** Static number of choices of the flush kthread. */
export function flushKthreadChoices(): number {
  return 1;
}
