// mm/memory-tiers.c with v4 (SEMANTICS 3.1 last bullet): demotion targets.
import test from 'ava';
import { N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import { offlineAndRemovePrivateMemory } from '../../src/kernel/memory_hotplug.ts';
import { establishDemotionTargets, memoryTierRefreshDemotion, nextDemotionNode, nodeIsToptier, nodeTier } from '../../src/kernel/memory_tiers.ts';
import { nodePrivateClearOps, nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { bootExample, bootWithP, D0, D1, nodeBlocks, P } from '../helpers/machines.ts';

const bit = (...n: number[]) => n.reduce((m, x) => m | (1 << x), 0);

test('boot: DRAM nodes in the top tier, no lower tier, no demotion targets', (t) => {
  const k = bootExample();
  t.is(nodeTier(k, D0), nodeTier(k, D1));
  t.is(nodeTier(k, P), -1);
  t.is(nextDemotionNode(k, D0), -1);
  t.true(nodeIsToptier(k, D0));
});

test('P with NP_OPS_DEMOTION becomes the demotion target of both DRAM nodes at the next refresh; P has none itself', (t) => {
  const k = bootWithP({}, 'demote');
  // set_ops does not refresh (4.5): P was placed in its tier at first online, without DEMOTION then.
  t.is(k.get(k.L.NODE_DEMOTION_TARGETS, D0), 0);
  memoryTierRefreshDemotion(k);
  t.is(k.get(k.L.NODE_DEMOTION_TARGETS, D0), bit(P));
  t.is(k.get(k.L.NODE_DEMOTION_TARGETS, D1), bit(P));
  t.is(k.get(k.L.NODE_DEMOTION_TARGETS, P), 0);
  t.is(nextDemotionNode(k, D0), P);
  t.is(nextDemotionNode(k, P), -1);
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.false(nodeIsToptier(k, P));
});

test('without NP_OPS_DEMOTION P is never a target; clear_ops keeps a stale target until the next refresh', (t) => {
  const k = bootWithP({}, 'mpol');
  memoryTierRefreshDemotion(k);
  t.is(nextDemotionNode(k, D0), -1);
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'demote')), 0);
  establishDemotionTargets(k);
  t.is(nextDemotionNode(k, D0), P);
  t.is(nodePrivateClearOps(k, P, opsIdByName(k, 'demote')), 0);
  t.is(nextDemotionNode(k, D0), P); // stale: nothing refreshed
  establishDemotionTargets(k);
  t.is(nextDemotionNode(k, D0), -1);
});

test('offline of P\'s last memory removes it from its tier and from the targets', (t) => {
  const k = bootWithP({}, 'demote');
  memoryTierRefreshDemotion(k);
  const { first, n } = nodeBlocks(k, P);
  offlineAndRemovePrivateMemory(k, P, first, n, 0);
  t.is(nodeTier(k, P), -1);
  t.is(nextDemotionNode(k, D0), -1);
});

test('a private node in the same tier as DRAM (adistance = DRAM) is never a target', (t) => {
  const k = bootWithP({ pAdistance: 576 }, 'demote');
  memoryTierRefreshDemotion(k);
  t.is(nextDemotionNode(k, D0), -1);
});
