// Each allocator/node mutant (src/kernel/mutants/alloc.ts) deviates observably
// from the faithful v4 model at its site: faithful does X, the mutant does Y.
import test from 'ava';
import {
  EBUSY, EINVAL, GFP_HIGHUSER_MOVABLE, GFP_PRIVATE, __GFP_HIGHMEM, __GFP_MOVABLE, MIGRATE_SYNC, MPOL_BIND, MR_SYSCALL,
  N_MEMORY, N_MEMORY_PRIVATE, ZONE_MOVABLE,
} from '../../src/kernel/defs.ts';
import { zoneId, zoneLabel } from '../../src/kernel/geometry.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { EV_OPS_AFTER_UNREGISTER, REF_NP } from '../../src/kernel/layout.ts';
import { offlineAndRemovePrivateMemory } from '../../src/kernel/memory_hotplug.ts';
import { memoryTierRefreshDemotion, nextDemotionNode } from '../../src/kernel/memory_tiers.ts';
import { mpolSetNodemask } from '../../src/kernel/mempolicy.ts';
import { ALLOC_MUTANTS } from '../../src/kernel/mutants/alloc.ts';
import {
  nodePrivateMigrateToCall, nodePrivateMigrateToGet, nodePrivateMigrateToPut, nodePrivateRegister, nodePrivateUnregisterBegin,
  nodePrivateUnregisterDrop, nodePrivateUnregisterWait,
} from '../../src/kernel/node_private.ts';
import { allocPagesNode, NULL_PFN } from '../../src/kernel/page_alloc.ts';
import { nodeZonelist } from '../../src/kernel/zonelist.ts';
import { bootExample, bootWithP, D0, nodeBlocks, P, type MachineOpts } from '../helpers/machines.ts';

const both = (o: MachineOpts, name: string, ops: string | null = 'mpol'): [Kernel, Kernel] => [bootWithP(o, ops), bootWithP({ ...o, mutant: name }, ops)];

// 10: boost-ignored-in-watermark is kept out of the catalogue (equivalent for the
// safety invariants, see src/kernel/mutants/alloc.ts); its site is still tested below.
test('catalogue: 10 mutants with distinct names, each with a site and an invariant', (t) => {
  t.is(ALLOC_MUTANTS.length, 10);
  t.is(new Set(ALLOC_MUTANTS.map((m) => m.name)).size, 10);
  t.false(ALLOC_MUTANTS.some((m) => m.name === 'boost-ignored-in-watermark'));
  for (const m of ALLOC_MUTANTS) t.regex(m.catches, /^INV-/);
});

test('numa-zone-allowed-ignores-private: GFP_HIGHUSER_MOVABLE with preferred P gets D0 (faithful) vs P (mutant)', (t) => {
  const [f, m] = both({}, 'numa-zone-allowed-ignores-private');
  t.is(f.g.pfnNode[allocPagesNode(f, P, GFP_HIGHUSER_MOVABLE, 0)], D0);
  t.is(m.g.pfnNode[allocPagesNode(m, P, GFP_HIGHUSER_MOVABLE, 0)], P);
});

test('zonelist-private-in-normal-fallback: D0 FALLBACK has no private zone (faithful) vs has P.MOVABLE (mutant)', (t) => {
  const [f, m] = both({}, 'zonelist-private-in-normal-fallback');
  t.false(nodeZonelist(f, D0, false).map(zoneLabel).includes('N2.MOVABLE'));
  t.true(nodeZonelist(m, D0, false).map(zoneLabel).includes('N2.MOVABLE'));
});

test('private-nofallback-includes-dram: NOFALLBACK(P) = [P.MOVABLE] (faithful) vs DRAM zones too (mutant)', (t) => {
  const [f, m] = both({}, 'private-nofallback-includes-dram');
  t.deepEqual(nodeZonelist(f, P, true), [zoneId(P, ZONE_MOVABLE)]);
  t.true(nodeZonelist(m, P, true).length > 1);
});

test('online-sets-n-memory: P is N_MEMORY_PRIVATE (faithful) vs N_MEMORY (mutant)', (t) => {
  const [f, m] = both({}, 'online-sets-n-memory');
  t.true(f.has(f.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.false(f.has(f.L.NODE_STATES, P, N_MEMORY));
  t.true(m.has(m.L.NODE_STATES, P, N_MEMORY));
  t.false(m.has(m.L.NODE_STATES, P, N_MEMORY_PRIVATE));
});

test('register-ignores-n-memory: register on N_MEMORY D0 is -EBUSY (faithful) vs 0 with pgdat->private set (mutant)', (t) => {
  const f = bootExample();
  const m = bootExample({ mutant: 'register-ignores-n-memory' });
  t.is(nodePrivateRegister(f, D0, 0), -EBUSY);
  t.is(nodePrivateRegister(m, D0, 0), 0);
  t.is(m.get(m.L.NODE_PRIVATE, D0), 1);
});

test('unregister-while-online: -EBUSY while N_MEMORY_PRIVATE (faithful) vs pointer cleared while online (mutant)', (t) => {
  const [f, m] = both({}, 'unregister-while-online');
  t.is(nodePrivateUnregisterBegin(f, P), -EBUSY);
  t.is(nodePrivateUnregisterBegin(m, P), 0);
  t.true(m.has(m.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.is(m.get(m.L.NODE_NP, P), 0);
});

test('unregister-no-drain: Finish waits for the migrate_to reference (faithful) vs returns at once (mutant)', (t) => {
  const [f, m] = both({}, 'unregister-no-drain');
  for (const k of [f, m]) {
    t.is(nodePrivateMigrateToGet(k, 0, P), 0);
    const { first, n } = nodeBlocks(k, P);
    offlineAndRemovePrivateMemory(k, P, first, n, k.g.driverThread);
  }
  t.true(nodePrivateUnregisterDrop(f, P, f.g.driverThread));
  t.false(nodePrivateUnregisterWait(f, P));
  t.true(nodePrivateUnregisterDrop(m, P, m.g.driverThread) && nodePrivateUnregisterWait(m, P));
  t.is(m.get(m.L.NP_REFCOUNT, 0), 1); // only the in-flight reference: base dropped
  nodePrivateMigrateToCall(m, 0, [], P, MIGRATE_SYNC, MR_SYSCALL);
  t.not(m.get(m.L.GH_EVENTS) & EV_OPS_AFTER_UNREGISTER, 0);
  nodePrivateMigrateToPut(m, 0, P);
  t.is(m.get(m.L.NP_REFCOUNT, 0), 0);
});

test('migrate-to-no-ref: refcount 2 while migrate_to runs (faithful) vs 1 (mutant), thread still marked in flight', (t) => {
  const [f, m] = both({}, 'migrate-to-no-ref');
  t.is(nodePrivateMigrateToGet(f, 0, P), 0);
  t.is(nodePrivateMigrateToGet(m, 0, P), 0);
  t.is(f.get(f.L.NP_REFCOUNT, 0), 2);
  t.is(m.get(m.L.NP_REFCOUNT, 0), 1);
  t.true(m.has(m.L.THR_REFS, 0, REF_NP));
});

test('mpol-allows-unflagged-private: BIND {P} without MEMPOLICY is -EINVAL (faithful) vs accepted with MPOL_F_PRIVATE (mutant)', (t) => {
  const [f, m] = both({}, 'mpol-allows-unflagged-private', 'demote');
  t.is(mpolSetNodemask(f, MPOL_BIND, 1 << P).ret, -EINVAL);
  const r = mpolSetNodemask(m, MPOL_BIND, 1 << P);
  t.is(r.ret, 0);
  t.is(r.pol.nodes, 1 << P);
});

test('demotion-target-without-flag: P without DEMOTION is no target (faithful) vs target of D0 (mutant)', (t) => {
  const [f, m] = both({}, 'demotion-target-without-flag', 'mpol');
  memoryTierRefreshDemotion(f);
  memoryTierRefreshDemotion(m);
  t.is(nextDemotionNode(f, D0), -1);
  t.is(nextDemotionNode(m, D0), P);
});

test('boost-ignored-in-watermark: a fully boosted P refuses CRAM allocations (faithful) vs serves them (mutant)', (t) => {
  const [f, m] = both({}, 'boost-ignored-in-watermark');
  const gfp = GFP_PRIVATE | __GFP_HIGHMEM | __GFP_MOVABLE;
  for (const k of [f, m]) k.set(k.L.ZONE_BOOST, zoneId(P, ZONE_MOVABLE), 8);
  t.is(allocPagesNode(f, P, gfp, 0), NULL_PFN);
  t.is(m.g.pfnNode[allocPagesNode(m, P, gfp, 0)], P);
});
