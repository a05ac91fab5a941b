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
import { OP_HANDLE_FAULT } from '../../src/kernel/ops_codes.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { D0, P, ptePfn, runCpuKeepBatch, step } from '../helpers/scenario.ts';
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
