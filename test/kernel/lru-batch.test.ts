// Issue 12 item 6: per-CPU lru_add batches.
// v4 mm/swap.c: folio_add_lru -> folio_batch_add_and_move(folio, lru_add):
// folio_get, then the folio waits in this CPU's cpu_fbatches.lru_add (PG_lru
// clear) until folio_batch_move_lru runs (the batch is full, the folio is
// large, lru_cache_disabled(), or lru_add_drain / lru_add_drain_all), which
// sets PG_lru (lru_add) and puts the batch's references (folios_put).
// mm/vmscan.c: folio_isolate_lru fails without PG_lru (kswapd, cram_fault F2,
// offline_pages' scan). Drain points followed: mm/cram.c cram_fault (nothing
// migrated -> lru_add_drain), cram_migrate_to (lru_add_drain_all once
// something moved), mm/memory_hotplug.c offline_pages (lru_cache_disable),
// mm/migrate.c do_pages_move (lru_cache_disable).
import test from 'ava';
import { PG_locked, PG_lru } from '../../src/kernel/layout.ts';
import { handleMmFault } from '../../src/kernel/memory.ts';
import { offlinePagesBegin } from '../../src/kernel/memory_hotplug.ts';
import { OP_HANDLE_FAULT, OP_NONE } from '../../src/kernel/ops_codes.ts';
import { kswapdIdle, moveFoliosToLru, shrinkFolio, wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { folioIsolateLru, folioPutbackLru, lruAdd, lruAddDrain } from '../../src/kernel/folio.ts';
import { kthreadBatchStillVisible } from '../../src/kernel/kthread_cpu.ts';
import { GFP_HIGHUSER_MOVABLE, __GFP_COMP } from '../../src/kernel/defs.ts';
import { NULL_PFN, allocPagesNode } from '../../src/kernel/page_alloc.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { D0, P, ptePfn, runCpu, runCpuKeepBatch, scenario, step } from '../helpers/scenario.ts';
import { nodeBlocks } from '../helpers/machines.ts';
import { cramMachine, demoteProgram, runCpuTo } from '../cram/helpers.ts';

const HIGH = { min: 0, low: 0, high: 64 };
const anon: ProgramOp[] = [{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 }];

test('do_anonymous_page -> folio_add_lru: the folio waits in the CPU\'s batch with a reference; kswapd cannot isolate it until that CPU drains', (t) => {
  const k = cramMachine({ wmark: HIGH, programs: [anon, []] });
  runCpuKeepBatch(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'not on the LRU');
  t.is(k.get(k.L.PG_LRU_BATCH, pfn), 1, 'in cpu0\'s lru_add batch');
  t.is(k.get(k.L.PG_REF, pfn), 2, 'the mapping\'s reference and the batch\'s');
  wakeupKswapd(k, D0 * 4 + 2);
  t.false(step(k, 'kswapd0', pfn), 'isolate_lru_folios skips it (no PG_lru)');
  t.true(step(k, 'cpu0', 1), 'lru_add_drain on cpu0');
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_lru));
  t.is(k.get(k.L.PG_LRU_BATCH, pfn), 0);
  t.is(k.get(k.L.PG_REF, pfn), 1, 'folios_put dropped the batch\'s reference');
  t.false(step(k, 'cpu0', 1), 'nothing left to drain');
  t.true(step(k, 'kswapd0', pfn), 'now kswapd isolates it');
});

test('cram_fault F5/F6 window: a failed promotion\'s putback sits in the CPU\'s batch, another CPU\'s cram_fault F2 fails on it (refault), F6 drains it', (t) => {
  const k = cramMachine({ programs: [[...demoteProgram(0, 5, P), { op: 'write', vaddr: 0, value: 6 }], [{ op: 'write', vaddr: 0, value: 7 }]], cpuMms: [0, 0] });
  runCpuTo(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  t.is(k.g.pfnNode[pfn], P);
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'move_pages drained its batch (lru_cache_disable)');
  k.setBits(k.L.PG_FLAGS, pfn, PG_locked); // the sync migration cannot take the folio lock: F4 fails
  const t0 = k.g.cpuThread(0);
  handleMmFault(k, t0, 0, 0, true);
  for (let i = 0; i < 5; i++) t.true(step(k, 'cpu0'), `F${i + 1}`);
  k.clearBits(k.L.PG_FLAGS, pfn, PG_locked);
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'F5 folio_putback_lru: in cpu0\'s batch');
  t.is(k.get(k.L.PG_LRU_BATCH, pfn), 1);
  // cpu1 (same mm) write-faults on v0: its cram_fault's F2 isolation fails.
  const t1 = k.g.cpuThread(1);
  handleMmFault(k, t1, 0, 0, true);
  t.is(k.get(k.L.THR_OP, t1), OP_HANDLE_FAULT);
  t.true(step(k, 'cpu1'), 'F1');
  t.true(step(k, 'cpu1'), 'F2: folio_isolate_lru fails -> return 0, refault');
  t.not(k.get(k.L.THR_OP, t1), OP_HANDLE_FAULT, 'cpu1 left cram_fault without isolating');
  t.is(ptePfn(k, 0, 0), pfn, 'v0 still on P');
  t.true(step(k, 'cpu0'), 'F6: nothing migrated -> lru_add_drain, VM_FAULT_RETRY');
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'drained onto the LRU');
  t.is(k.get(k.L.PG_LRU_BATCH, pfn), 0);
});

test('offline_pages: lru_cache_disable drains every CPU\'s batch, and nothing is batched while the range is isolated', (t) => {
  const k = cramMachine({ programs: [[...anon, { op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 1 }], []] });
  runCpuKeepBatch(k, 0, 2);
  const a = ptePfn(k, 0, 0);
  t.is(k.get(k.L.PG_LRU_BATCH, a), 1);
  const { first } = nodeBlocks(k, P);
  t.is(offlinePagesBegin(k, first, false, k.g.driverThread), 0);
  t.true(k.has(k.L.PG_FLAGS, a, PG_lru), 'lru_add_drain_all');
  t.is(k.get(k.L.PG_LRU_BATCH, a), 0);
  runCpuKeepBatch(k, 0);
  const b = ptePfn(k, 0, 1);
  t.true(k.has(k.L.PG_FLAGS, b, PG_lru), 'lru_cache_disabled(): folio_batch_add_and_move moves at once');
  t.is(k.get(k.L.PG_LRU_BATCH, b), 0);
});

// Kernel threads batch too (mm/swap.c: folio_add_lru -> this_cpu_ptr(&cpu_fbatches.lru_add)):
// mainline mm/migrate.c migrate_folio_move "folio_add_lru(dst)" puts a demoted folio in the
// batch of the CPU kswapd runs on; it reaches the LRU at the next drain of that CPU, by any
// thread (here the CPU's user thread, choice 1), or at cram_migrate_to's lru_add_drain_all.
// mm/vmscan.c: shrink_inactive_list's move_folios_to_lru puts kept folios straight on the lruvec.
const two: ProgramOp[] = [...anon, { op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 4 }];

test('kswapd\'s demotion batch: the first folio\'s dst waits in kswapd\'s CPU\'s batch until cram_migrate_to\'s lru_add_drain_all; another CPU\'s cram_fault F2 fails on it meanwhile', (t) => {
  const k = cramMachine({ wmark: HIGH, programs: [two, []], cpuMms: [0, 0] });
  runCpu(k, 0);
  const [a, b] = [ptePfn(k, 0, 0), ptePfn(k, 0, 1)];
  wakeupKswapd(k, D0 * 4 + 2);
  t.true(step(k, 'kswapd0', a), 'isolate a, can_demote -> P');
  t.true(step(k, 'kswapd0', b), 'b joins the batch (cfg.demoteBatch = 2)');
  for (const s of ['node_private_migrate_to: np reference', 'cram_migrate_to prologue', 'unmap a', 'unmap b', 'move a']) t.true(step(k, 'kswapd0', 0), s);
  const da = ptePfn(k, 0, 0);
  t.is(k.g.pfnNode[da], P, 'v0 maps its copy on P');
  t.false(k.has(k.L.PG_FLAGS, da, PG_lru), 'folio_add_lru(dst): not on the LRU yet');
  t.is(k.get(k.L.PG_LRU_BATCH, da), 1, 'in cpu0\'s batch: kswapd(D0) runs on CPU 0 (the flush kthread: no CPU choice)');
  t.is(k.get(k.L.PG_REF, da), 2, 'the mapping\'s reference and the batch\'s');
  // cpu1 (same mm) write-faults on v0: cram_fault's F2 isolation fails on the batched folio.
  const t1 = k.g.cpuThread(1);
  handleMmFault(k, t1, 0, 0, true);
  t.is(k.get(k.L.THR_OP, t1), OP_HANDLE_FAULT);
  t.true(step(k, 'cpu1'), 'F1');
  t.true(step(k, 'cpu1'), 'F2: folio_isolate_lru fails -> return 0, refault');
  t.not(k.get(k.L.THR_OP, t1), OP_HANDLE_FAULT, 'cpu1 left cram_fault without isolating');
  t.is(ptePfn(k, 0, 0), da, 'v0 still on P');
  t.true(step(k, 'kswapd0', 0), 'move b; cram_migrate_to: lru_add_drain_all');
  t.true(k.has(k.L.PG_FLAGS, da, PG_lru), 'drained onto the LRU');
  t.is(k.get(k.L.PG_LRU_BATCH, da), 0);
  t.is(k.get(k.L.PG_LRU_BATCH, ptePfn(k, 0, 1)), 0, 'b\'s dst too');
  t.is(k.get(k.L.PG_REF, da), 1);
});

test('a kernel thread\'s batch is per CPU, not per thread: a driver table\'s migrate_to does not drain, kswapd(P) cannot isolate the demoted folio, cpu0\'s own drain step moves it and cpu1\'s does not', (t) => {
  const k = scenario({ wmark: HIGH, pOps: 'demote', programs: [anon, []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  wakeupKswapd(k, D0 * 4 + 2);
  t.true(step(k, 'kswapd0', pfn));
  for (let i = 0; i < 5 && k.get(k.L.THR_OP, k.g.kswapdThread(D0)) !== OP_NONE; i++) t.true(step(k, 'kswapd0', 0));
  t.is(k.get(k.L.THR_OP, k.g.kswapdThread(D0)), OP_NONE, 'demote_folio_list returned');
  const dst = ptePfn(k, 0, 0);
  t.is(k.g.pfnNode[dst], P);
  t.is(k.get(k.L.PG_LRU_BATCH, dst), 1, 'still in cpu0\'s batch after kswapd finished');
  // kswapd(P) woken with nothing on its LRU: its only step is to go back to sleep (kswapd_try_to_sleep).
  k.set(k.L.NODE_KSWAPD, P, 2);
  t.true(kswapdIdle(k, P), 'kswapd(P) finds no LRU folio to isolate');
  t.is(k.get(k.L.PG_LRU_BATCH, dst), 1);
  t.is(k.get(k.L.PG_REF, dst), 2);
  t.false(step(k, 'cpu1', 1), 'cpu1\'s drain: its batch is empty');
  t.is(k.get(k.L.PG_LRU_BATCH, dst), 1);
  t.true(step(k, 'cpu0', 1), 'lru_add_drain on cpu0, by cpu0\'s user thread');
  t.true(k.has(k.L.PG_FLAGS, dst, PG_lru));
  t.is(k.get(k.L.PG_LRU_BATCH, dst), 0);
  t.is(k.get(k.L.PG_REF, dst), 1, 'the batch\'s reference put');
  t.false(kswapdIdle(k, P), 'now kswapd(P) has it to isolate');
});

test('folio_add_lru from a kernel thread uses the CPU its step runs on; a drain later in the same step hides that CPU (the step is then no separate action)', (t) => {
  const k = scenario({ programs: [anon, []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.true(folioIsolateLru(k, pfn));
  const kswapd = k.g.kswapdThread(P);
  k.kthreadCpu = 1;
  folioPutbackLru(k, kswapd, pfn);
  t.is(k.get(k.L.PG_LRU_BATCH, pfn), 2, 'cpu1\'s batch');
  t.false(k.kthreadCpuUsed, 'not asked yet: the folio decides at the step\'s end');
  t.true(kthreadBatchStillVisible(k));
  lruAddDrain(k, kswapd, -1);
  t.false(kthreadBatchStillVisible(k), 'lru_add_drain_all in the same step: every CPU gives this state');
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_lru));
  t.is(k.get(k.L.PG_REF, pfn), 1);
});

test('move_folios_to_lru: a folio shrink_folio_list keeps goes straight onto the LRU, even when a user CPU reclaims (memcg reclaim), never into a batch', (t) => {
  const k = scenario({ swapSlots: 0, programs: [anon, []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.true(folioIsolateLru(k, pfn));
  const ret: number[] = [];
  t.false(shrinkFolio(k, k.g.cpuThread(0), pfn, { maySwap: true, mayWritepage: true }, ret), 'add_to_swap fails (no swap slot): kept');
  t.deepEqual(ret, [pfn], 'on ret_folios, still isolated');
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru));
  moveFoliosToLru(k, k.g.cpuThread(0), ret);
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'on the LRU at once');
  t.is(k.get(k.L.PG_LRU_BATCH, pfn), 0);
  t.is(k.get(k.L.PG_REF, pfn), 1, 'the isolation reference dropped');
});

test('folio_add_lru of a large folio moves this CPU\'s whole batch (folio_batch_move_lru, !folio_may_be_lru_cached)', (t) => {
  const k = cramMachine({ programs: [anon, []] });
  runCpuKeepBatch(k, 0);
  const small = ptePfn(k, 0, 0);
  t.is(k.get(k.L.PG_LRU_BATCH, small), 1);
  const big = allocPagesNode(k, D0, GFP_HIGHUSER_MOVABLE | __GFP_COMP, 1);
  t.not(big, NULL_PFN);
  lruAdd(k, big, k.g.cpuThread(0));
  t.true(k.has(k.L.PG_FLAGS, big, PG_lru), 'the large folio at once');
  t.true(k.has(k.L.PG_FLAGS, small, PG_lru), 'and the small one batched before it');
  t.is(k.get(k.L.PG_LRU_BATCH, small), 0);
  t.is(k.get(k.L.PG_REF, small), 1);
});
