// Issue 12: offline_pages' do_migrate_range migrates a block folio by folio.
// v4 mm/memory_hotplug.c: do_migrate_range isolates the range's LRU folios onto
// `source`, then "ret = migrate_pages(&source, alloc_migration_target, NULL,
// (unsigned long)&mtc, MIGRATE_SYNC, MR_MEMORY_HOTPLUG, NULL);".
// mm/migrate.c: migrate_pages -> migrate_pages_sync: "Try to migrate in batch
// with MIGRATE_ASYNC mode firstly": migrate_pages_batch(from, ..., MIGRATE_ASYNC,
// ..., NR_MAX_MIGRATE_ASYNC_RETRY), whose unmap loop runs migrate_folio_unmap
// -> try_to_migrate per folio (cond_resched between folios).
// mm/rmap.c: try_to_migrate -> rmap_walk -> try_to_migrate_one ->
// page_vma_mapped_walk takes each mapping mm's PTL (spin_lock): a folio whose
// mm's PTL another CPU holds waits there, after the folios before it were
// unmapped. The old model made the whole round wait while any PTL it needed
// was held, so the first folio was never unmapped before the busy one.
import test from 'ava';
import { LK_PTL, PTE_MIGRATION, PTE_PRESENT, THREAD_REGS } from '../../src/kernel/layout.ts';
import { nodeBlockRange, offlineAndRemoveStep } from '../../src/kernel/memory_hotplug.ts';
import { cramMachine, demoteProgram, D0, P, nodeOf, ptePfn, runCpu, slotOf } from '../cram/helpers.ts';

test('a block with folios of two mms: the first folio is unmapped while the second mm\'s PTL is held, and the offline waits at the second (migrate_pages_batch per folio)', (t) => {
  const k = cramMachine({ programs: [demoteProgram(0, 3, P), demoteProgram(0, 5, P)], cpuMms: [0, 1], mms: 2 });
  runCpu(k, 0);
  runCpu(k, 1);
  const f0 = ptePfn(k, 0, 0);
  const f1 = ptePfn(k, 1, 0);
  t.is(nodeOf(k, f0), P);
  t.is(nodeOf(k, f1), P);
  t.true(f0 < f1, 'mm 0\'s folio comes first in the block');
  const { first, n } = nodeBlockRange(k, P);
  t.is(n, 1);
  t.is(k.g.blocks[first]!.firstPfn <= f0 && f1 < k.g.blocks[first]!.firstPfn + k.g.blocks[first]!.pages, true, 'both folios in one block');
  // cpu1 is inside handle_fault on mm 1 (its PTL held across steps, as between cram_fault's ops read and F3).
  const t1 = k.g.cpuThread(1);
  k.setBits(k.L.THR_LOCKS, t1, LK_PTL);
  k.set(k.L.THR_REG, t1 * THREAD_REGS, slotOf(k, 1, 0));
  const tid = k.g.driverThread;
  const rb = tid * THREAD_REGS + 1;
  const stepOffline = () => offlineAndRemoveStep(k, P, first, n, tid, rb, false);
  t.is(stepOffline(), null, 'offline_pages: the range isolated');
  t.is(stepOffline(), null, 'a round: do_migrate_range isolates both folios');
  t.is(stepOffline(), null, 'migrate_pages_batch: unmap f0 (mm 0\'s PTL is free)');
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_MIGRATION, 'f0 is under its migration entry');
  t.is(stepOffline(), 'wait', 'f1\'s rmap walk waits for mm 1\'s PTL');
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 1, 0)), PTE_PRESENT);
  // cpu1 leaves handle_fault.
  k.clearBits(k.L.THR_LOCKS, t1, LK_PTL);
  t.is(stepOffline(), null, 'unmap f1');
  t.is(stepOffline(), null, 'move f0');
  t.is(nodeOf(k, ptePfn(k, 0, 0)), D0, 'f0 moved to DRAM');
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 1, 0)), PTE_MIGRATION, 'f1 waits for its move');
  t.is(stepOffline(), null, 'move f1: migrate_pages returns');
  t.is(k.get(k.L.THR_REG, rb + 3), 0, 'the source list is empty');
  t.not(nodeOf(k, ptePfn(k, 0, 0)), P, 'f0 left P');
  t.not(nodeOf(k, ptePfn(k, 1, 0)), P, 'f1 left P');
  t.is(k.get(k.L.THR_MB_PASS, tid), 0);
});
