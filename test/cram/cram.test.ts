// mm/cram.c, SEMANTICS 6.2 (function table) and 6.4 (cram_fault F1-F6).
import test from 'ava';
import {
  CN_DRAINING, CN_FREED, CN_PUBLISHED, allocCramFolio, cramFaultStep, allocCramPromoteFolio, cramFreeFolioCb, cramMigrateTo,
  cramReclaimPolicy, cramRegisterPrivateNode, cramUnpurge, cramUnregisterPrivateNode, getCramNode, putCramNode,
} from '../../src/cram/cram.ts';
import { cramSetPressure } from '../../src/cram/pressure.ts';
import { EBUSY, EINVAL, ENODEV, ENOSPC, MIGRATE_ASYNC, MR_DEMOTION, MR_SYSCALL, VM_FAULT_RETRY } from '../../src/kernel/defs.ts';
import { EV_CN_USE_AFTER_FREE, LK_PTL, PG_locked, PG_lru, REF_CN } from '../../src/kernel/layout.ts';
import { handleFaultStep, handleMmFault } from '../../src/kernel/memory.ts';
import { OP_HANDLE_FAULT } from '../../src/kernel/ops_codes.ts';
import { nodePrivateNp } from '../../src/kernel/node_private.ts';
import { OPS_CRAM } from '../../src/kernel/ops_table.ts';
import { NULL_PFN } from '../../src/kernel/page_alloc.ts';
import { D0, D1, P, cramMachine, demoteProgram, nodeOf, ptePfn, runCpuTo, step } from './helpers.ts';

const writeAfterDemote = (value: number) => [[...demoteProgram(0, 5, P), { op: 'write' as const, vaddr: 0, value }], []];

test('probe registers CRAM on P: cn published with refcount 1, cram_ops set, kswapd(P) started (cram_register_private_node)', (t) => {
  const k = cramMachine();
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED);
  t.is(k.get(k.L.CN_REFCOUNT, P), 1);
  t.is(k.get(k.L.NP_OPS, nodePrivateNp(k, P)), OPS_CRAM);
  t.is(k.get(k.L.NODE_KSWAPD, P), 1);
  t.is(k.get(k.L.CN_FLUSH_CB, P), 1);
});

test('cram_register_private_node: same owner -> 0, other owner -> -EBUSY, non-private node -> -EINVAL (mm/cram.c)', (t) => {
  const k = cramMachine();
  t.is(cramRegisterPrivateNode(k, P, 0, true), 0);
  t.is(cramRegisterPrivateNode(k, P, 1, true), -EBUSY);
  t.is(cramRegisterPrivateNode(k, D0, 0, true), -EINVAL);
});

test('get_cram_node takes a reference only on a published cn; put_cram_node drops it (mm/cram.c)', (t) => {
  const k = cramMachine();
  t.true(getCramNode(k, P));
  t.is(k.get(k.L.CN_REFCOUNT, P), 2);
  putCramNode(k, P);
  t.is(k.get(k.L.CN_REFCOUNT, P), 1);
  t.false(getCramNode(k, D0), 'no cram node on a DRAM node');
  t.false(getCramNode(k, 99), 'out-of-range nid (cram_valid_nid)');
});

test('cram_migrate_to: no cn -> -ENODEV; pressure 1000 -> -ENOSPC; reason is not checked (MR_SYSCALL accepted, 11.4)', (t) => {
  const k = cramMachine();
  t.is(cramMigrateTo(k, 0, [], D1, MIGRATE_ASYNC, MR_DEMOTION).ret, -ENODEV);
  t.is(cramMigrateTo(k, 0, [], P, MIGRATE_ASYNC, MR_SYSCALL).ret, 0, 'MR_SYSCALL goes through');
  cramSetPressure(k, k.g.lthreshThread, P, 1000);
  t.is(cramMigrateTo(k, 0, [], P, MIGRATE_ASYNC, MR_DEMOTION).ret, -ENOSPC);
  t.is(k.get(k.L.CN_REFCOUNT, P), 1, 'every path puts its reference');
});

test('alloc_cram_folio returns NULL while migration_blocked, else a P folio (mm/cram.c: alloc_cram_folio)', (t) => {
  const k = cramMachine();
  const dst = allocCramFolio(k, 0, 0, P);
  t.not(dst, NULL_PFN);
  t.is(nodeOf(k, dst), P);
  cramSetPressure(k, k.g.lthreshThread, P, 1000);
  t.is(allocCramFolio(k, 0, 0, P), NULL_PFN);
});

test('alloc_cram_promote_folio never lands on P (GFP_HIGHUSER_MOVABLE without __GFP_PRIVATE)', (t) => {
  const k = cramMachine();
  const dst = allocCramPromoteFolio(k, 0, P);
  t.not(dst, NULL_PFN);
  t.not(nodeOf(k, dst), P);
});

test('cram_reclaim_policy: may_swap = may_writepage = managed_watermarks = true', (t) => {
  const k = cramMachine();
  t.deepEqual(cramReclaimPolicy(k, P), { mayswap: true, maywritepage: true, managedWatermarks: true });
});

test('cram_unpurge: -EINVAL out of range, -ENODEV without cn, else purged := false (mm/cram.c)', (t) => {
  const k = cramMachine();
  t.is(cramUnpurge(k, -1), -EINVAL);
  t.is(cramUnpurge(k, D0), -ENODEV);
  k.set(k.L.CN_PURGED, P, 1);
  t.is(cramMigrateTo(k, 0, [], P, MIGRATE_ASYNC, MR_DEMOTION).ret, -ENODEV, 'purged -> -ENODEV');
  t.is(cramUnpurge(k, P), 0);
  t.is(k.get(k.L.CN_PURGED, P), 0);
});

test('cram_free_folio_cb without a cn zeroes the folio and returns false (zero_and_free)', (t) => {
  const k = cramMachine({ programs: [demoteProgram(0, 5, P), []] });
  runCpuTo(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  t.is(k.get(k.L.PG_CONTENT, pfn), 5);
  k.set(k.L.CN_STATE, P, CN_DRAINING);
  t.false(cramFreeFolioCb(k, 0, pfn));
  t.is(k.get(k.L.PG_CONTENT, pfn), 0);
});

test('cram_free_folio_cb with no flush_cb zeroes and returns false; with flush_cb result 1 keeps the folio (true)', (t) => {
  const k = cramMachine({ programs: [demoteProgram(0, 5, P), []] });
  runCpuTo(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  k.set(k.L.PG_REF, pfn, 0); // as __folio_put hands it over
  t.true(cramFreeFolioCb(k, 0, pfn), 'deferred by the driver');
  t.is(k.get(k.L.PG_CONTENT, pfn), 5, 'not zeroed yet: the device will');
  k.set(k.L.CN_FLUSH_CB, P, 0);
  k.set(k.L.PG_FLUSH_BIT, pfn, 0);
  t.false(cramFreeFolioCb(k, 0, pfn));
  t.is(k.get(k.L.PG_CONTENT, pfn), 0);
});

test('cram_unregister_private_node: ops cleared, kswapd stopped, cn freed after the drain; -ENODEV the second time', (t) => {
  const k = cramMachine();
  const r = cramUnregisterPrivateNode(k, k.g.driverThread, P);
  t.deepEqual(r, { ret: 0, blocked: false });
  t.is(k.get(k.L.CN_STATE, P), CN_FREED);
  t.is(k.get(k.L.NP_OPS, nodePrivateNp(k, P)), 0);
  t.is(k.get(k.L.NODE_KSWAPD, P), 0);
  t.is(cramUnregisterPrivateNode(k, k.g.driverThread, P).ret, -ENODEV);
});

test('cram_unregister spins while another thread holds a cn reference (refcount_dec_if_one)', (t) => {
  const k = cramMachine();
  t.true(getCramNode(k, P)); // an in-flight callback
  const r = cramUnregisterPrivateNode(k, k.g.driverThread, P);
  t.true(r.blocked);
  t.is(k.get(k.L.CN_STATE, P), CN_DRAINING);
});

test('cram_unregister leaves migration_blocked and the boost: a re-register starts at pressure 0 while blocked (6.2, finding)', (t) => {
  const k = cramMachine();
  cramSetPressure(k, k.g.lthreshThread, P, 1000);
  cramUnregisterPrivateNode(k, k.g.driverThread, P);
  t.is(cramRegisterPrivateNode(k, P, 0, true), 0);
  t.is(k.get(k.L.CN_PRESSURE, P), 0);
  t.is(k.get(k.L.NP_MIGRATION_BLOCKED, nodePrivateNp(k, P)), 1, 'still blocked');
  t.true(k.get(k.L.ZONE_BOOST, P * 4 + 3) > 0, 'still boosted');
});

test('fix cram-unregister-clears-backpressure: unregister resets migration_blocked and the boost', (t) => {
  const k = cramMachine({ fixes: ['cram-unregister-clears-backpressure'] });
  cramSetPressure(k, k.g.lthreshThread, P, 1000);
  cramUnregisterPrivateNode(k, k.g.driverThread, P);
  t.is(k.get(k.L.NP_MIGRATION_BLOCKED, nodePrivateNp(k, P)), 0);
  t.is(k.get(k.L.ZONE_BOOST, P * 4 + 3), 0);
});

// ---- cram_fault (6.4): one step per F ----

test('cram_fault F1..F6 as separate steps: a write fault on a P folio promotes it to the CPU node keeping its content', (t) => {
  const k = cramMachine({ programs: writeAfterDemote(6) });
  runCpuTo(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  t.is(nodeOf(k, pfn), P);
  const tid = k.g.cpuThread(0);
  // Fault entry: folio_managed_handle_fault reads np->ops (PTL held) and stops there.
  t.true(step(k, 'cpu0'));
  t.is(k.get(k.L.THR_OP, tid), OP_HANDLE_FAULT);
  t.true(k.has(k.L.THR_LOCKS, tid, LK_PTL));
  t.is(k.get(k.L.CN_REFCOUNT, P), 1, 'cram_fault not yet called');
  // The call: cram_fault F1 (get_cram_node, PTL held).
  t.true(step(k, 'cpu0'));
  t.is(k.get(k.L.THR_STAGE, tid), 101);
  t.true(k.has(k.L.THR_REFS, tid, REF_CN));
  t.is(k.get(k.L.CN_REFCOUNT, P), 2);
  t.true(k.has(k.L.THR_LOCKS, tid, LK_PTL));
  // F2: isolated, PTL still held.
  t.true(step(k, 'cpu0'));
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru));
  t.true(k.has(k.L.THR_LOCKS, tid, LK_PTL));
  // F3: PTL released.
  t.true(step(k, 'cpu0'));
  t.false(k.has(k.L.THR_LOCKS, tid, LK_PTL));
  // F4: NR_ISOLATED += 1, migrate_pages; migrate_folio_done takes it back for the moved source.
  t.true(step(k, 'cpu0'));
  t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, P), 0, 'migrate_folio_done decremented it (reason MR_NUMA_MISPLACED)');
  const dst = ptePfn(k, 0, 0);
  t.is(nodeOf(k, dst), D0, 'numa_node_id() of cpu0');
  t.is(k.get(k.L.PG_CONTENT, dst), 5);
  // F5, F6.
  t.true(step(k, 'cpu0'));
  t.true(step(k, 'cpu0'));
  t.is(k.get(k.L.THR_OP, tid), 0, 'handle_fault returned');
  t.is(k.get(k.L.CN_REFCOUNT, P), 1);
  t.false(k.has(k.L.THR_REFS, tid, REF_CN));
});

// mm/migrate.c: migrate_folio_done decrements NR_ISOLATED for a migrated source unless
// reason == MR_DEMOTION; cram_fault F5 only handles the failed ones.
test('cram_fault: NR_ISOLATED nets to 0 after a successful promotion (migrate_folio_done, INV-REFCOUNT-BALANCE)', (t) => {
  const k = cramMachine({ programs: writeAfterDemote(6) });
  runCpuTo(k, 0, 3);
  for (let i = 0; i < 7; i++) step(k, 'cpu0');
  t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, P), 0);
});

test('cram_fault F1: no cram node -> release the PTL, return 0 (the task refaults)', (t) => {
  const k = cramMachine({ programs: writeAfterDemote(6) });
  runCpuTo(k, 0, 3);
  k.set(k.L.CN_STATE, P, CN_DRAINING); // unpublished: get_cram_node returns NULL
  const tid = k.g.cpuThread(0);
  t.deepEqual(handleMmFault(k, tid, 0, 0, true), { kind: 'staged' });
  t.is(handleFaultStep(k, tid), 0);
  t.false(k.has(k.L.THR_LOCKS, tid, LK_PTL));
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P, 'not promoted');
});

test('cram_fault F2: folio already isolated -> put cn, release the PTL, return 0 (refault spin, R1)', (t) => {
  const k = cramMachine({ programs: writeAfterDemote(6) });
  runCpuTo(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  k.clearBits(k.L.PG_FLAGS, pfn, PG_lru); // another CPU isolated it
  const tid = k.g.cpuThread(0);
  t.deepEqual(handleMmFault(k, tid, 0, 0, true), { kind: 'staged' });
  t.true(step(k, 'cpu0')); // F1
  t.true(step(k, 'cpu0')); // F2 fails
  t.is(k.get(k.L.THR_OP, tid), 0);
  t.false(k.has(k.L.THR_LOCKS, tid, LK_PTL));
  t.is(k.get(k.L.CN_REFCOUNT, P), 1);
});

test('cram_fault: migration fails -> F5 puts back with NR_ISOLATED -= nr, F6 returns VM_FAULT_RETRY', (t) => {
  const k = cramMachine({ programs: writeAfterDemote(6) });
  runCpuTo(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  k.setBits(k.L.PG_FLAGS, pfn, PG_locked); // the sync migration cannot take the folio lock in one step
  const tid = k.g.cpuThread(0);
  handleMmFault(k, tid, 0, 0, true); // ops read
  t.true(step(k, 'cpu0')); // F1
  t.true(step(k, 'cpu0')); // F2
  t.true(step(k, 'cpu0')); // F3
  t.true(step(k, 'cpu0')); // F4
  t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, P), 1);
  t.true(step(k, 'cpu0')); // F5
  t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, P), 0);
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'folio_putback_lru -> folio_add_lru: in cpu0\'s lru_add batch, not on the LRU yet');
  t.is(ptePfn(k, 0, 0), pfn, 'still on P');
  // F6: drive it directly to see the return value.
  const r = cramFaultStep(k, tid);
  t.true(r.done);
  t.is(r.vmret, VM_FAULT_RETRY);
  t.true(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'F6 lru_add_drain: back on the LRU');
  t.is(k.get(k.L.CN_REFCOUNT, P), 1);
});

test('a thread still holding cn when it is freed records a use-after-free on its put (ghost EV_CN_USE_AFTER_FREE)', (t) => {
  const k = cramMachine();
  k.set(k.L.CN_STATE, P, CN_FREED);
  putCramNode(k, P);
  t.true(k.has(k.L.GH_EVENTS, 0, EV_CN_USE_AFTER_FREE));
});
