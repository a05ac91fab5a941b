// kswapd: balance_pgdat -> shrink_folio_list / demote_folio_list (mm/vmscan.c), wakeup_kswapd.
import test, { type ExecutionContext } from 'ava';
import { PG_lru, PTE_PRESENT, PTE_WRITE, REF_NP, THREAD_REGS } from '../../src/kernel/layout.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import { OP_KSWAPD_DEMOTE, OP_NONE } from '../../src/kernel/ops_codes.ts';
import { canDemote, wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { nodePrivateClearOps, nodePrivateUnregisterBegin, nodePrivateUnregisterDrop, nodePrivateUnregisterWait, npSlotOfNode } from '../../src/kernel/node_private.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { D0, P, nodeOf, ptePfn, runCpu, scenario, slotOf, step, traced } from '../helpers/scenario.ts';

const HIGH = { min: 0, low: 0, high: 64 };
/** Run kswapd(D0)'s demote_folio_list to its end (choice 0 steps); returns the steps taken. */
function demoteAll(k: Kernel): number {
  const tid = k.g.kswapdThread(D0);
  let n = 0;
  while (k.get(k.L.THR_OP, tid) === OP_KSWAPD_DEMOTE && n < 10 && step(k, 'kswapd0', 0)) n++;
  return n;
}

const anon: ProgramOp[] = [{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 6 }];

test('demotion is two kswapd steps: isolate + can_demote, then demote_folio_list into P via migrate_to (§6.3.2-6.3.4)', (t) => {
  const k = scenario({ wmark: HIGH, pOps: 'demote', programs: [anon, []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.is(canDemote(k, D0), P);
  t.true(wakeupKswapd(k, D0 * 4 + 2));
  const tid = k.g.kswapdThread(D0);
  t.true(step(k, 'kswapd0', pfn));
  t.is(k.get(k.L.THR_OP, tid), OP_KSWAPD_DEMOTE);
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS), P + 1);
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + 1), pfn + 1);
  t.false(k.has(k.L.PG_FLAGS, pfn, PG_lru), 'isolated');
  t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, D0), 1);
  t.false(step(k, 'kswapd0', 1), 'pfn 1 is no LRU folio: it cannot join the batch');
  t.true(step(k, 'kswapd0', 0), 'demote_folio_list: node_private_migrate_to takes the np reference under RCU');
  t.true(k.has(k.L.THR_REFS, tid, REF_NP));
  t.true(step(k, 'kswapd0', 0), 'migrate_to, outside RCU: the table\'s prologue');
  t.true(step(k, 'kswapd0', 0), 'migrate_pages_batch: unmap loop (alloc + unmap)');
  t.true(step(k, 'kswapd0', 0), 'migrate_pages_batch: move loop; migrate_to returns');
  t.is(k.get(k.L.THR_OP, tid), OP_KSWAPD_DEMOTE, 'the put is still to come');
  t.true(step(k, 'kswapd0', 0), 'refcount_dec_and_test');
  t.false(k.has(k.L.THR_REFS, tid, REF_NP));
  t.is(k.get(k.L.THR_OP, tid), OP_NONE);
  t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, D0), 0);
  const now = ptePfn(k, 0, 0);
  t.is(nodeOf(k, now), P);
  t.is(k.get(k.L.PG_CONTENT, now), 6);
  t.false(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE), 'arrives write-protected (PROTECT_WRITE)');
  t.is(k.get(k.L.PG_REF, pfn), 0);
});

test('can_demote is false while the target is migration_blocked: the folio is reclaimed instead (vmscan.c: can_demote)', (t) => {
  const k = scenario({ wmark: HIGH, pOps: 'demote', programs: [anon, []] });
  runCpu(k, 0);
  k.set(k.L.NP_MIGRATION_BLOCKED, npSlotOfNode(k, P), 1);
  t.is(canDemote(k, D0), -1);
  wakeupKswapd(k, D0 * 4 + 2);
  t.true(step(k, 'kswapd0', ptePfn(k, 0, 0)));
  t.is(ptePfn(k, 0, 0), -1, 'swapped out');
});

test('kswapd reclaims a dirty file folio: writeback to storage, dropped from the page cache (shrink_folio_list: pageout, __remove_mapping)', (t) => {
  const k = scenario({ wmark: HIGH, numaDemotionEnabled: false, programs: [[{ op: 'pwrite', file: 0, pgoff: 1, value: 5 }], []] });
  runCpu(k, 0);
  const pfn = k.get(k.L.PCACHE, 1) - 1;
  t.is(k.get(k.L.FILE_DATA, 1), 0);
  wakeupKswapd(k, D0 * 4 + 2);
  t.true(step(k, 'kswapd0', pfn));
  t.is(k.get(k.L.FILE_DATA, 1), 5);
  t.is(k.get(k.L.PCACHE, 1), 0);
  t.is(k.get(k.L.PG_REF, pfn), 0);
});

test('kswapd goes back to sleep when balanced; a sleeping kswapd with nothing to do takes no step', (t) => {
  const k = scenario({ programs: [anon, []] });
  runCpu(k, 0);
  k.set(k.L.NODE_KSWAPD, D0, 2);
  t.false(step(k, 'kswapd0', 1));
  t.true(step(k, 'kswapd0', 0));
  t.is(k.get(k.L.NODE_KSWAPD, D0), 1);
  t.false(step(k, 'kswapd0', 0));
});

test('wakeup_kswapd: only a sleeping kswapd is woken; a private node needs NP_OPS_RECLAIM (zone_reclaim_allowed)', (t) => {
  const k = scenario({ wmark: HIGH, pOps: 'mpol' });
  const pz = P * 4 + 3;
  t.false(wakeupKswapd(k, pz), 'no kswapd(P) exists');
  k.set(k.L.NODE_KSWAPD, P, 1);
  t.false(wakeupKswapd(k, pz), 'mpol table lacks RECLAIM');
  const k2 = scenario({ wmark: HIGH, pOps: 'demote' });
  k2.set(k2.L.NODE_KSWAPD, P, 1);
  t.true(wakeupKswapd(k2, pz));
  t.false(wakeupKswapd(k2, pz), 'already running');
});

test('FINDING candidate: kswapd(P) frees a reclaimed P folio with free_unref_folios, so free_folio never runs; the fix routes it through the hook', (t) => {
  for (const fixed of [false, true]) {
    const k = scenario({ wmark: HIGH, pOps: 'demote', fixes: fixed ? ['reclaim-free-calls-free-folio'] : [], programs: [[...anon, { op: 'move_pages', vaddr: 0, node: P }], []] });
    runCpu(k, 0);
    const pfn = ptePfn(k, 0, 0);
    t.is(nodeOf(k, pfn), P);
    k.set(k.L.NODE_KSWAPD, P, 2);
    traced(k);
    t.true(step(k, 'kswapd2', pfn - 24));
    t.is(k.get(k.L.PG_REF, pfn), 0, 'reclaimed');
    const hook = (k.log ?? []).some((l) => l.includes('free_folio'));
    t.is(hook, fixed);
    if (!fixed) t.is(k.get(k.L.PG_CONTENT, pfn), 6, 'the stale contents reach the buddy unscrubbed');
  }
});

test('a demotion batch: more folios join while the first waits; one demote_folio_list moves them all, a folio per unmap and per move step (R2 batch, NR_MAX_BATCHED_MIGRATION, migrate_pages_batch)', (t) => {
  const k = scenario({ wmark: HIGH, pOps: 'demote', programs: [[...anon, { op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 2 },
    { op: 'mmap', vaddr: 2, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 2, value: 3 }], []] });
  runCpu(k, 0);
  const [a, b, c] = [ptePfn(k, 0, 0), ptePfn(k, 0, 1), ptePfn(k, 0, 2)];
  wakeupKswapd(k, D0 * 4 + 2);
  t.true(step(k, 'kswapd0', a));
  t.true(step(k, 'kswapd0', b));
  t.false(step(k, 'kswapd0', c), 'cfg.demoteBatch = 2');
  t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, D0), 2);
  t.is(demoteAll(k), 7, 'get, migrate_to, unmap a, unmap b, move a, move b, put');
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
  t.is(nodeOf(k, ptePfn(k, 0, 1)), P);
  t.is(ptePfn(k, 0, 2), c);
  t.is(k.get(k.L.PG_CONTENT, ptePfn(k, 0, 1)), 2);
  t.is(k.get(k.L.NODE_NR_ISOLATED_ANON, D0), 0);
});

test('FINDING candidate, consequence: kswapd(P) eviction under cram_ops does not lower the device usage (no scrub), the fix does', (t) => {
  const used: number[] = [];
  for (const fixed of [false, true]) {
    const k = scenario({ wmark: HIGH, pOps: 'cram', fixes: fixed ? ['reclaim-free-calls-free-folio'] : [], programs: [[
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 7 }, { op: 'move_pages', vaddr: 0, node: P },
    ], []] });
    runCpu(k, 0);
    const pfn = ptePfn(k, 0, 0);
    t.is(nodeOf(k, pfn), P);
    const before = k.get(k.L.DEV_USED);
    t.true(before > 0);
    k.set(k.L.NODE_KSWAPD, P, 2);
    t.true(step(k, 'kswapd2', pfn - 24));
    t.is(k.get(k.L.PG_REF, pfn), 0, 'evicted to swap');
    used.push(k.get(k.L.DEV_USED) - before);
  }
  t.deepEqual(used.map((d) => d < 0), [false, true]);
});

test('fix demote-anon-only: a page-cache folio is reclaimed instead of demoted to P (A3); without it the file folio lands on P', (t) => {
  for (const fixed of [false, true]) {
    const k = scenario({ wmark: HIGH, pOps: 'demote', fixes: fixed ? ['demote-anon-only'] : [], programs: [[{ op: 'pwrite', file: 0, pgoff: 0, value: 5 }], []] });
    runCpu(k, 0);
    const pfn = k.get(k.L.PCACHE, 0) - 1;
    wakeupKswapd(k, D0 * 4 + 2);
    t.true(step(k, 'kswapd0', pfn));
    if (!fixed) t.is(demoteAll(k), 5, 'get, migrate_to, unmap, move, put');
    const now = k.get(k.L.PCACHE, 0) - 1;
    if (fixed) {
      t.is(now, -1, 'dropped from the page cache');
      t.is(k.get(k.L.FILE_DATA, 0), 5);
    } else {
      t.is(nodeOf(k, now), P);
    }
  }
});

test('boosted reclaim may not swap; v4 reclaim_policy ORs may_swap back in (cram_ops yes, a table whose policy says no: anon not scanned) (balance_pgdat)', (t) => {
  for (const ops of ['demote', 'cram']) {
    const k = scenario({ pOps: ops, programs: [[...anon, { op: 'move_pages', vaddr: 0, node: P }], []] });
    runCpu(k, 0);
    const pfn = ptePfn(k, 0, 0);
    t.is(nodeOf(k, pfn), P);
    k.set(k.L.ZONE_BOOST, P * 4 + 3, 8); // cram_set_pressure(1000) on an 8-page zone
    k.set(k.L.NODE_KSWAPD, P, 2);
    const before = k.s.slice();
    const ran = step(k, 'kswapd2', pfn - 24);
    t.is(ran, ops === 'cram', ops);
    if (!ran) t.deepEqual(k.s, before);
    else t.is(k.get(k.L.PG_REF, pfn), 0, 'evicted');
  }
});

test('end of balance_pgdat: the boost is dropped unless reclaim_policy reports managed_watermarks (cram_ops keeps it)', (t) => {
  for (const ops of ['demote', 'cram']) {
    const k = scenario({ pOps: ops });
    const z = P * 4 + 3;
    k.set(k.L.ZONE_BOOST, z, 8);
    k.set(k.L.NODE_KSWAPD, P, 2);
    t.true(step(k, 'kswapd2', 0), 'nothing to reclaim: back to sleep');
    t.is(k.get(k.L.ZONE_BOOST, z), ops === 'cram' ? 8 : 0, ops);
  }
});

/** cpu0's anon folio isolated by kswapd(D0) for demotion to P (a 'demote' ops table): the R4/R5 window opens next. */
function isolatedForDemotion(t: ExecutionContext): { k: Kernel; pfn: number; tid: number; slot: number } {
  const k = scenario({ wmark: HIGH, pOps: 'demote', programs: [anon, []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.true(wakeupKswapd(k, D0 * 4 + 2));
  t.true(step(k, 'kswapd0', pfn));
  return { k, pfn, tid: k.g.kswapdThread(D0), slot: npSlotOfNode(k, P) };
}

// R5 (SEMANTICS 8.2): node_private_migrate_to takes np->refcount under RCU, calls
// ops->migrate_to outside it and drops the reference after (include/linux/node_private.h);
// node_private_unregister clears the pointer, synchronize_rcu, then waits for `released`
// (drivers/base/node.c). kswapd runs get | migrate_to | put as three steps, so an unregister
// can land in between: its second stage must not return while kswapd holds the reference.
test('R5: node_private_unregister interleaves with a demotion in flight; it completes only after kswapd puts the np reference', (t) => {
  const { k, tid, slot } = isolatedForDemotion(t);
  t.true(step(k, 'kswapd0', 0), 'get');
  t.true(k.has(k.L.THR_REFS, tid, REF_NP));
  t.is(k.get(k.L.NP_REFCOUNT, slot), 2);
  // Unregister stage 1 needs P offline (not N_MEMORY_PRIVATE): model that directly.
  k.clearBits(k.L.NODE_STATES, P, N_MEMORY_PRIVATE);
  t.is(nodePrivateUnregisterBegin(k, P), 0);
  t.true(nodePrivateUnregisterDrop(k, P, -1), 'base reference dropped');
  t.is(k.get(k.L.NP_REFCOUNT, slot), 1);
  t.false(nodePrivateUnregisterWait(k, P), 'wait_for_completion: kswapd holds REF_NP');
  t.true(step(k, 'kswapd0', 0), 'migrate_to runs with the old ops (R4/R5)');
  t.true(step(k, 'kswapd0', 0), 'its migrate_pages: unmap');
  t.false(nodePrivateUnregisterWait(k, P), 'held across the batch');
  t.true(step(k, 'kswapd0', 0), 'its migrate_pages: move');
  t.false(nodePrivateUnregisterWait(k, P), 'still held until the put');
  t.is(k.get(k.L.NP_RELEASED, slot), 0);
  t.true(step(k, 'kswapd0', 0), 'put: the last reference completes `released`');
  t.false(k.has(k.L.THR_REFS, tid, REF_NP));
  t.true(nodePrivateUnregisterWait(k, P), 'completes after the put');
  t.is(k.get(k.L.NP_REFCOUNT, slot), 0);
  t.is(k.get(k.L.NP_RELEASED, slot), 1);
  t.is(k.get(k.L.THR_OP, tid), OP_NONE);
  t.is(k.get(k.L.GH_EVENTS), 0, 'no callback after unregister returned');
});

test('R4/R5: a demotion whose RCU section runs after clear_ops gets -ENODEV; the folio is reclaimed instead', (t) => {
  const { k, pfn, tid, slot } = isolatedForDemotion(t);
  t.is(nodePrivateClearOps(k, P, k.get(k.L.NP_OPS, slot)), 0);
  t.true(step(k, 'kswapd0', 0), 'get: np->ops NULL -> -ENODEV; next_node_in wraps: return');
  t.false(k.has(k.L.THR_REFS, tid, REF_NP));
  t.is(k.get(k.L.NP_REFCOUNT, slot), 1);
  t.true(step(k, 'kswapd0', 0), 'the folio left on the list is reclaimed');
  t.is(k.get(k.L.THR_OP, tid), OP_NONE);
  t.is(k.get(k.L.PG_REF, pfn), 0, 'swapped out and freed, not demoted');
  t.not(k.get(k.L.PTE_KIND, 0), PTE_PRESENT);
});
