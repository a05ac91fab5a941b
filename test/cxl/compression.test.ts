// drivers/cxl/type3_drivers/cxl_compression/compression.c: the flush (scrub)
// protocol, SEMANTICS 7.3 and 8.2 R6.
import test from 'ava';
import { cxlCompressionFlushCb, flushKthreadStep, overflowWorkStep } from '../../src/cxl/compression.ts';
import { GFP_PRIVATE, __GFP_HIGHMEM, __GFP_MOVABLE } from '../../src/kernel/defs.ts';
import { folioPut } from '../../src/kernel/folio.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { EV_DOUBLE_BUFFERED, EV_FOLIO_GET_ZERO, EV_FREE_LEAK, PG_anon } from '../../src/kernel/layout.ts';
import { NULL_PFN, allocPagesNode, nodeFreePages } from '../../src/kernel/page_alloc.ts';
import { setPageContent } from '../../src/kernel/page.ts';
import { runThread } from '../../src/kernel/sched.ts';
import { P, cramMachine, cramMachineDriver, demoteProgram, ptePfn, runCpuTo, traced } from '../cram/helpers.ts';

/** A P folio in use (refcount 1) holding `v`, allocated as a driver would (GFP_PRIVATE). */
function pFolio(k: Kernel, v = 3): number {
  const pfn = allocPagesNode(k, P, GFP_PRIVATE | __GFP_HIGHMEM | __GFP_MOVABLE, 0);
  if (pfn === NULL_PFN) throw new Error('P full');
  k.setBits(k.L.PG_FLAGS, pfn, PG_anon);
  setPageContent(k, pfn, v);
  return pfn;
}

/** Free it from cpu0 (last folio_put -> __folio_put -> cram_free_folio_cb -> flush_cb). */
function freeOnCpu0(k: Kernel, pfn: number): void {
  folioPut(k, k.g.cpuThread(0), pfn);
}

const active = (k: Kernel, cpu = 0) => k.get(k.L.CPU_BUF_ACTIVE, cpu) - 1;
const len = (k: Kernel, b: number) => k.get(k.L.BUF_LEN, b);

/** Run the kthread until it sleeps again; returns the number of steps. */
function kthreadRound(k: Kernel): number {
  let n = 0;
  if (!flushKthreadStep(k, 0)) return 0;
  n++;
  while (k.get(k.L.THR_STAGE, k.g.flushThread) !== 0 && flushKthreadStep(k, 0)) n++;
  return n;
}

test('probe gives each CPU three distinct buffers: active, overflow spare, kthread spare (7.2 step 3)', (t) => {
  const k = cramMachine();
  const all = [0, 1].flatMap((c) => [k.get(k.L.CPU_BUF_ACTIVE, c), k.get(k.L.CPU_BUF_OVERFLOW, c), k.get(k.L.CPU_BUF_SPARE, c)]);
  t.deepEqual([...all].sort(), [1, 2, 3, 4, 5, 6]);
});

test('flush protocol: free -> flush_cb (b) bit set, ref 0 -> 1, queued; kthread swap | synchronize_rcu | send zeroes and puts; second free (a) -> buddy zeroed', (t) => {
  const k = cramMachine();
  const pfn = pFolio(k, 3);
  const free0 = nodeFreePages(k, P);
  freeOnCpu0(k, pfn);
  t.is(k.get(k.L.PG_REF, pfn), 1, 'flush_cb took a reference on the refcount-0 folio');
  t.true(k.has(k.L.GH_EVENTS, 0, EV_FOLIO_GET_ZERO), 'folio_get on refcount 0: VM_BUG_ON under DEBUG_VM');
  t.is(k.get(k.L.PG_FLUSH_BIT, pfn), 1);
  t.is(len(k, active(k)), 1);
  t.is(k.get(k.L.PG_CONTENT, pfn), 3, 'not zeroed yet');
  t.is(nodeFreePages(k, P), free0, 'kept out of the buddy');
  // kthread: read/write cpu0, read/write cpu1 (4 steps), synchronize_rcu, send.
  const old = active(k);
  for (let i = 0; i < 4; i++) t.true(flushKthreadStep(k, 0));
  t.not(active(k), old, 'active swapped with the kthread spare');
  t.is(k.get(k.L.CPU_BUF_SPARE, 0) - 1, old);
  t.is(k.get(k.L.PG_CONTENT, pfn), 3);
  t.true(flushKthreadStep(k, 0)); // synchronize_rcu
  t.true(flushKthreadStep(k, 0)); // send
  t.is(k.get(k.L.PG_CONTENT, pfn), 0, 'device zeroed it');
  t.is(k.get(k.L.PG_FLUSH_BIT, pfn), 0, 'second free took case (a)');
  t.is(k.get(k.L.PG_REF, pfn), 0);
  t.is(nodeFreePages(k, P), free0 + 1, 'in the buddy now');
  t.is(len(k, old), 0, 'buffer reset');
  t.false(flushKthreadStep(k, 0), 'nothing queued: the kthread sleeps');
});

test('cxl_flush_buf_send without media ops zeroes with the CPU (folio_zero_range)', (t) => {
  const k = traced(cramMachineDriver({}, { bufMax: 2, mediaOps: false }));
  const pfn = pFolio(k, 2);
  freeOnCpu0(k, pfn);
  kthreadRound(k);
  t.is(k.get(k.L.PG_CONTENT, pfn), 0);
  t.true(k.log!.some((l) => l.includes('folio_zero_range')));
});

test('flush_cb with no active buffer returns 2 (zero locally)', (t) => {
  const k = cramMachine();
  const pfn = pFolio(k);
  k.set(k.L.PG_REF, pfn, 0);
  k.set(k.L.CPU_BUF_ACTIVE, 0, 0);
  t.is(cxlCompressionFlushCb(k, k.g.cpuThread(0), pfn), 2);
  t.is(k.get(k.L.PG_REF, pfn), 0);
});

test('flush_cb on a full buffer schedules this CPU\'s overflow work and returns 2; the folio is zeroed locally and freed', (t) => {
  const k = cramMachine(); // bufMax 2
  const a = pFolio(k, 1);
  const b = pFolio(k, 2);
  const c = pFolio(k, 3);
  freeOnCpu0(k, a);
  freeOnCpu0(k, b);
  const free0 = nodeFreePages(k, P);
  freeOnCpu0(k, c);
  t.is(k.get(k.L.CPU_OVERFLOW_PENDING, 0), 1);
  t.is(k.get(k.L.PG_CONTENT, c), 0, 'cram_free_folio_cb zeroed it');
  t.is(nodeFreePages(k, P), free0 + 1);
  // Overflow work: read active (IRQs off) | write it | synchronize_rcu | send.
  const full = active(k);
  t.true(overflowWorkStep(k, 0));
  t.is(active(k), full, 'read only: the write is the next step');
  t.false(runThread(k, k.g.cpuThread(0), 0), 'local IRQs off: nothing else runs on cpu0');
  t.true(overflowWorkStep(k, 0));
  t.is(k.get(k.L.CPU_BUF_OVERFLOW, 0) - 1, full);
  t.not(active(k), full);
  t.true(overflowWorkStep(k, 0));
  t.true(overflowWorkStep(k, 0));
  t.is(k.get(k.L.PG_CONTENT, a), 0);
  t.is(k.get(k.L.PG_CONTENT, b), 0);
  t.is(nodeFreePages(k, P), free0 + 3);
  t.false(overflowWorkStep(k, 0), 'not pending any more');
});

test('a user CPU thread queues into its own CPU buffer; other threads use CPU 0 (model choice)', (t) => {
  const k = cramMachine();
  const pfn = pFolio(k);
  folioPut(k, k.g.cpuThread(1), pfn);
  t.is(len(k, active(k, 1)), 1);
  t.is(len(k, active(k, 0)), 0);
  const q = pFolio(k);
  folioPut(k, k.g.kswapdThread(P), q);
  t.is(len(k, active(k, 0)), 1);
});

test('fix flush-cb-no-get-on-zero: the deferral reference is taken without folio_get\'s VM_BUG_ON', (t) => {
  const k = cramMachine({ fixes: ['flush-cb-no-get-on-zero'] });
  const pfn = pFolio(k);
  freeOnCpu0(k, pfn);
  t.is(k.get(k.L.PG_REF, pfn), 1);
  t.false(k.has(k.L.GH_EVENTS, 0, EV_FOLIO_GET_ZERO));
});

test('a migrated-away P source is scrubbed through the flush protocol (promotion frees it with folio_put)', (t) => {
  const k = cramMachine({ programs: [[...demoteProgram(0, 5, P), { op: 'write', vaddr: 0, value: 6 }], []] });
  runCpuTo(k, 0, 3);
  const src = ptePfn(k, 0, 0);
  runCpuTo(k, 0, 4);
  t.not(ptePfn(k, 0, 0), src);
  t.is(k.get(k.L.PG_FLUSH_BIT, src), 1, 'deferred');
  kthreadRound(k);
  t.is(k.get(k.L.PG_CONTENT, src), 0);
  t.is(k.get(k.L.PG_FLUSH_BIT, src), 0);
  t.is(k.get(k.L.PG_REF, src), 0);
});

test('R6 finding: kthread swap (read | write) racing the overflow swap aliases one buffer as both spares, and a later round resets the active buffer, leaking its folios', (t) => {
  const k = cramMachine();
  const f = [pFolio(k, 1), pFolio(k, 2), pFolio(k, 3)];
  freeOnCpu0(k, f[0]!);
  freeOnCpu0(k, f[1]!);
  freeOnCpu0(k, f[2]!); // full: overflow pending
  // kthread reads cpu0's active pointer ...
  t.true(flushKthreadStep(k, 0));
  // ... the overflow work swaps in between (read, write) ...
  t.true(overflowWorkStep(k, 0));
  t.true(overflowWorkStep(k, 0));
  // ... and the kthread writes its stale view.
  t.true(flushKthreadStep(k, 0));
  t.is(k.get(k.L.CPU_BUF_OVERFLOW, 0), k.get(k.L.CPU_BUF_SPARE, 0), 'overflow_spare == kthread spare');
  // Both finish: the aliased buffer is sent once (the second send sees count 0).
  while (overflowWorkStep(k, 0));
  kthreadRound(k);
  while (k.get(k.L.THR_STAGE, k.g.flushThread) !== 0 && flushKthreadStep(k, 0));
  t.is(k.get(k.L.PG_REF, f[0]!), 0);
  // Next overflow swaps the aliased buffer in as active.
  const g = [pFolio(k, 1), pFolio(k, 2), pFolio(k, 3)];
  for (const x of g) freeOnCpu0(k, x);
  while (overflowWorkStep(k, 0));
  t.is(k.get(k.L.CPU_BUF_ACTIVE, 0), k.get(k.L.CPU_BUF_SPARE, 0), 'active == kthread spare');
  const h = pFolio(k, 2);
  freeOnCpu0(k, h);
  t.is(k.get(k.L.PG_FLUSH_BIT, h), 1, 'queued in the active buffer');
  kthreadRound(k); // cxl_flush_buf_reset(spare) wipes the active buffer
  t.true(k.has(k.L.GH_EVENTS, 0, EV_FREE_LEAK));
  t.is(k.get(k.L.PG_REF, h), 1, 'its reference is never put: kept out of the buddy for good');
  t.false(k.has(k.L.GH_EVENTS, 0, EV_DOUBLE_BUFFERED));
});

// compression.c: cxl_flush_overflow_work does `local_irq_save(flags); dirty =
// rcu_replace_pointer(pcpu->active, spare, true); local_irq_restore(flags); pcpu->overflow_spare =
// dirty;`: IRQs off keep this CPU's flush_cb out, not the kthread on another CPU, whose own
// rcu_replace_pointer of the same pointer can run between the work's read and its write.
test('R6, the other order: the overflow work reads pcpu->active, the kthread swaps it (read | write), the work writes its stale view: one buffer is both spares', (t) => {
  const k = cramMachine();
  const f = [pFolio(k, 1), pFolio(k, 2), pFolio(k, 3)];
  for (const x of f) freeOnCpu0(k, x); // full: overflow pending
  t.true(overflowWorkStep(k, 0)); // read
  t.true(flushKthreadStep(k, 0)); // kthread read
  t.true(flushKthreadStep(k, 0)); // kthread write
  t.true(overflowWorkStep(k, 0)); // the work's write
  t.is(k.get(k.L.CPU_BUF_OVERFLOW, 0), k.get(k.L.CPU_BUF_SPARE, 0), 'overflow_spare == kthread spare');
});

test('the flush kthread\'s timer also fires with every buffer empty while an overflow work is pending or running', (t) => {
  const k = cramMachine();
  t.false(flushKthreadStep(k, 0), 'nothing queued, no overflow work: a tick would only rename empty buffers');
  k.set(k.L.CPU_OVERFLOW_PENDING, 0, 1);
  t.true(flushKthreadStep(k, 0), 'the round that can race the overflow work runs');
});

test('fix flush-swap-atomic: the kthread swap is one step, so the overflow work cannot interleave and no buffer is aliased', (t) => {
  const k = cramMachine({ fixes: ['flush-swap-atomic'] });
  const f = [pFolio(k, 1), pFolio(k, 2), pFolio(k, 3)];
  for (const x of f) freeOnCpu0(k, x);
  t.true(flushKthreadStep(k, 0)); // cpu0 swapped atomically
  t.true(overflowWorkStep(k, 0));
  const bufs = [k.get(k.L.CPU_BUF_ACTIVE, 0), k.get(k.L.CPU_BUF_OVERFLOW, 0), k.get(k.L.CPU_BUF_SPARE, 0)];
  t.is(new Set(bufs).size, 3, 'three distinct buffers');
});
