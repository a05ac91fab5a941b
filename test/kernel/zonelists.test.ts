// build_zonelists (mm/page_alloc.c, v4 patch "private node zonelists"), SEMANTICS 3.1-3.3.
import test from 'ava';
import { MMOP_OFFLINE, N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import { zoneLabel } from '../../src/kernel/geometry.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { addPrivateMemoryDriverManaged, offlineAndRemovePrivateMemory, onlinePages } from '../../src/kernel/memory_hotplug.ts';
import { nodePrivateUnregisterFinish } from '../../src/kernel/node_private.ts';
import { findNextBestNodeIn, nodeZonelist, zonelistNodeOrder } from '../../src/kernel/zonelist.ts';
import { bootExample, bootWithP, D0, D1, nodeBlocks, P } from '../helpers/machines.ts';

const labels = (k: Kernel, nid: number, nofb: boolean) => nodeZonelist(k, nid, nofb).map(zoneLabel);

test('§3.3 worked example: FALLBACK and NOFALLBACK of D0, D1 and P exactly (mm/page_alloc.c: build_zonelists)', (t) => {
  const k = bootWithP();
  t.deepEqual(labels(k, D0, false), ['N0.NORMAL', 'N0.DMA32', 'N1.NORMAL']);
  t.deepEqual(labels(k, D0, true), ['N0.NORMAL', 'N0.DMA32']);
  t.deepEqual(labels(k, D1, false), ['N1.NORMAL', 'N0.NORMAL', 'N0.DMA32']);
  t.deepEqual(labels(k, D1, true), ['N1.NORMAL']);
  t.deepEqual(labels(k, P, false), ['N2.MOVABLE', 'N0.NORMAL', 'N0.DMA32', 'N1.NORMAL']);
  t.deepEqual(labels(k, P, true), ['N2.MOVABLE']);
});

test('private nodes never appear in a normal node\'s zonelists (find_next_best_node draws from N_MEMORY only)', (t) => {
  const k = bootWithP({ secondPrivate: true });
  const { first, n } = nodeBlocks(k, 3);
  t.is(addPrivateMemoryDriverManaged(k, 3, first, n, 3, 1), 0);
  for (const nid of [D0, D1]) {
    for (const nofb of [false, true]) t.false(labels(k, nid, nofb).some((l) => l.startsWith('N2') || l.startsWith('N3')));
  }
  // A second private node Q is never a fallback of P (and vice versa): SEMANTICS 2.4 / 3.3.
  t.false(labels(k, P, false).some((l) => l.startsWith('N3')));
  t.false(labels(k, 3, false).some((l) => l.startsWith('N2')));
  t.deepEqual(labels(k, 3, false), ['N3.MOVABLE', 'N0.NORMAL', 'N0.DMA32', 'N1.NORMAL']);
});

test('registered but nothing online: built like a memoryless normal node (FALLBACK = DRAM, NOFALLBACK empty)', (t) => {
  const k = bootExample();
  const { first, n } = nodeBlocks(k, P);
  t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_OFFLINE, 0), 0);
  t.false(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.deepEqual(labels(k, P, false), ['N0.NORMAL', 'N0.DMA32', 'N1.NORMAL']);
  t.deepEqual(labels(k, P, true), []);
  // Onlining the block rebuilds (zone was unpopulated, state set before the rebuild).
  t.is(onlinePages(k, first), 0);
  t.deepEqual(labels(k, P, false), ['N2.MOVABLE', 'N0.NORMAL', 'N0.DMA32', 'N1.NORMAL']);
});

test('offline of the last block rebuilds: P falls back to the memoryless shape, no zonelist keeps P.MOVABLE', (t) => {
  const k = bootWithP();
  const { first, n } = nodeBlocks(k, P);
  const r = offlineAndRemovePrivateMemory(k, P, first, n, k.g.driverThread);
  t.deepEqual(r, { remove: 0, unregister: 0 });
  t.true(nodePrivateUnregisterFinish(k, P));
  for (const nid of [D0, D1, P]) t.false(labels(k, nid, false).includes('N2.MOVABLE'));
  t.deepEqual(labels(k, P, true), []);
});

test('find_next_best_node metric: +1 for a lower id, +1 penalty for CPUs, x MAX_NUMNODES, + node_load', (t) => {
  const k = bootWithP();
  // From P (id 2): D0 scores (20+1+1)*64, D1 (30+1+1)*64 -> D0 first.
  t.deepEqual(zonelistNodeOrder(k, P, [0, 0, 0]), [P, D0, D1]);
  // node_load breaks a tie: from a node equidistant to D0 and D1 the lower load wins.
  const used = { mask: 1 << P };
  const cand = (1 << D0) | (1 << D1);
  // Force equal distance by comparing D0/D1 from D1's perspective on a load-biased array.
  t.is(findNextBestNodeIn(k, D1, { mask: 1 << D1 }, cand, [0, 0, 0]), D0);
  t.is(findNextBestNodeIn(k, P, used, cand, [0, 0, 0]), D0);
  // A huge load on D0 (more than one distance step * 64) pushes it behind D1.
  t.is(findNextBestNodeIn(k, P, { mask: 1 << P }, cand, [64 * 11, 0, 0]), D1);
});

test('mutant zonelist-private-in-normal-fallback: D0 FALLBACK gains P.MOVABLE (INV-ZONELIST)', (t) => {
  const k = bootWithP({ mutant: 'zonelist-private-in-normal-fallback' });
  t.true(labels(k, D0, false).includes('N2.MOVABLE'));
});
