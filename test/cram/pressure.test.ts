// mm/cram.c: cram_set_pressure, SEMANTICS 6.5 (S1-S4, the pressure table) and
// 8.2 R3 (concurrent lthresh / hthresh IRQ threads).
import test from 'ava';
import { cramClearPressure, cramSetPressure } from '../../src/cram/pressure.ts';
import { DF_IRQS } from '../../src/cxl/compression.ts';
import { IRQ_HTHRESH, IRQ_LTHRESH } from '../../src/cxl/device.ts';
import { CRAM_PRESSURE_MAX, ZONE_MOVABLE } from '../../src/kernel/defs.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { REF_CN } from '../../src/kernel/layout.ts';
import { nodePrivateNp } from '../../src/kernel/node_private.ts';
import { P, cramMachine, step } from './helpers.ts';

const zoneP = P * 4 + ZONE_MOVABLE;
const blocked = (k: Kernel) => k.get(k.L.NP_MIGRATION_BLOCKED, nodePrivateNp(k, P));
const managed = (k: Kernel) => k.get(k.L.ZONE_MANAGED, zoneP);

test('lthresh IRQ thread: takes the edge, then S1 get cn | S2 pressure | S3 migration_blocked | S4 boost, one step each', (t) => {
  const k = cramMachine();
  const tid = k.g.lthreshThread;
  t.false(step(k, 'lthresh'), 'no edge pending: not enabled');
  k.setBits(k.L.DEV_IRQ, 0, IRQ_LTHRESH);
  t.true(step(k, 'lthresh')); // S1
  t.false(k.has(k.L.DEV_IRQ, 0, IRQ_LTHRESH), 'edge consumed');
  t.true(k.has(k.L.THR_REFS, tid, REF_CN));
  t.is(k.get(k.L.CN_REFCOUNT, P), 2);
  t.is(k.get(k.L.CN_PRESSURE, P), 0);
  t.true(step(k, 'lthresh')); // S2
  t.is(k.get(k.L.CN_PRESSURE, P), CRAM_PRESSURE_MAX);
  t.is(blocked(k), 0);
  t.true(step(k, 'lthresh')); // S3
  t.is(blocked(k), 1);
  t.is(k.get(k.L.ZONE_BOOST, zoneP), 0);
  t.true(step(k, 'lthresh')); // S4
  t.is(k.get(k.L.ZONE_BOOST, zoneP), managed(k));
  t.is(k.get(k.L.ZONE_BOOSTED, zoneP), 1);
  t.is(k.get(k.L.NODE_KSWAPD, P), 2, 'wakeup_kswapd woke the sleeping kswapd(P)');
  t.is(k.get(k.L.THR_OP, tid), 0);
  t.is(k.get(k.L.CN_REFCOUNT, P), 1);
  t.false(step(k, 'lthresh'));
});

test('S2 ghost: GH_USED_AT_BLOCK records DEV_USED when pressure becomes 1000', (t) => {
  const k = cramMachine();
  k.set(k.L.DEV_USED, 0, 17);
  cramSetPressure(k, k.g.lthreshThread, P, 1000);
  t.is(k.get(k.L.GH_USED_AT_BLOCK), 17);
});

test('pressure table (6.5): 0 -> no boost; 500 -> boost managed/2, not blocked; 1000 -> blocked, boost managed; >1000 clamps', (t) => {
  const k = cramMachine();
  const tid = k.g.lthreshThread;
  cramSetPressure(k, tid, P, 500);
  t.is(k.get(k.L.CN_PRESSURE, P), 500);
  t.is(blocked(k), 0);
  t.is(k.get(k.L.ZONE_BOOST, zoneP), Math.floor((managed(k) * 500) / 1000));
  cramSetPressure(k, tid, P, 5000);
  t.is(k.get(k.L.CN_PRESSURE, P), 1000);
  t.is(blocked(k), 1);
  t.is(k.get(k.L.ZONE_BOOST, zoneP), managed(k));
  cramClearPressure(k, tid, P);
  t.is(k.get(k.L.CN_PRESSURE, P), 0);
  t.is(blocked(k), 0);
  t.is(k.get(k.L.ZONE_BOOST, zoneP), 0);
  t.is(k.get(k.L.ZONE_BOOSTED, zoneP), 1, 'p = 0 leaves ZONE_BOOSTED_WATERMARK set');
});

test('cram_set_pressure with no cram node returns at S1 and changes nothing', (t) => {
  const k = cramMachine();
  k.set(k.L.CN_STATE, P, 0);
  cramSetPressure(k, k.g.lthreshThread, P, 1000);
  t.is(blocked(k), 0);
  t.is(k.get(k.L.ZONE_BOOST, zoneP), 0);
  t.is(k.get(k.L.THR_OP, k.g.lthreshThread), 0);
});

/** lthresh S1 S2, then hthresh S1..S4, then lthresh S3 S4 (R3). */
function r3(k: Kernel): boolean[] {
  k.setBits(k.L.DEV_IRQ, 0, IRQ_LTHRESH | IRQ_HTHRESH);
  const r: boolean[] = [];
  r.push(step(k, 'lthresh'), step(k, 'lthresh'));
  r.push(step(k, 'hthresh'), step(k, 'hthresh'), step(k, 'hthresh'), step(k, 'hthresh'));
  r.push(step(k, 'lthresh'), step(k, 'lthresh'));
  return r;
}

test('R3 finding: interleaved lthresh/hthresh calls end with pressure 0 but migration_blocked 1 and full boost (no lock in v4)', (t) => {
  const k = cramMachine();
  const r = r3(k);
  t.deepEqual(r, [true, true, true, true, true, true, true, true]);
  t.is(k.get(k.L.THR_OP, k.g.lthreshThread), 0);
  t.is(k.get(k.L.THR_OP, k.g.hthreshThread), 0);
  t.is(k.get(k.L.CN_PRESSURE, P), 0);
  t.is(blocked(k), 1, 'INV-BACKPRESSURE-COHERENT broken: blocked while pressure is 0');
  t.is(k.get(k.L.ZONE_BOOST, zoneP), managed(k));
});

test('fix set-pressure-serialized: hthresh S2 waits for the mutex, so pressure and migration_blocked agree at the end', (t) => {
  const k = cramMachine({ fixes: ['set-pressure-serialized'] });
  const r = r3(k);
  // lthresh S1, S2 (takes the mutex); hthresh S1 ok, then S2 blocked three times.
  t.deepEqual(r, [true, true, true, false, false, false, true, true]);
  t.is(blocked(k), 1);
  t.is(k.get(k.L.CN_PRESSURE, P), 1000);
  // hthresh now runs to completion.
  t.true(step(k, 'hthresh'));
  t.true(step(k, 'hthresh'));
  t.true(step(k, 'hthresh'));
  t.is(k.get(k.L.CN_PRESSURE, P), 0);
  t.is(blocked(k), 0);
  t.is(k.get(k.L.ZONE_BOOST, zoneP), 0);
});

test('IRQ threads are not enabled before probe requests the IRQs', (t) => {
  const k = cramMachine();
  k.clearBits(k.L.DRV_FLAGS, 0, DF_IRQS);
  k.setBits(k.L.DEV_IRQ, 0, IRQ_LTHRESH);
  t.false(step(k, 'lthresh'));
});

// Finding irq-edge-reorder (counterexamples/liveness/findings/irq-edge-reorder.md): the device
// raised lthresh then hthresh (it is back low), the older lthresh edge's thread runs last.
function reorder(fixes: readonly string[]): Kernel {
  const k = cramMachine({ fixes });
  k.setBits(k.L.DEV_IRQ, 0, IRQ_LTHRESH);
  t_step(k, 'lthresh'); // S1 of the older edge
  k.setBits(k.L.DEV_IRQ, 0, IRQ_HTHRESH); // the device fell back to hthresh: level low
  k.set(k.L.DEV_LEVEL, 0, 0);
  for (let i = 0; i < 4; i++) t_step(k, 'hthresh'); // the newer edge, S1..S4
  for (let i = 0; i < 3; i++) t_step(k, 'lthresh'); // the older one's S2..S4 last
  return k;
}
function t_step(k: Kernel, who: 'lthresh' | 'hthresh'): void {
  if (!step(k, who)) throw new Error(`${who} not enabled`);
}

test('fix irq-applies-device-level: the older edge applied last leaves the stale pressure in v4 (even serialized), the device\'s level with the fix', (t) => {
  const v4 = reorder(['set-pressure-serialized']);
  t.is(v4.get(v4.L.CN_PRESSURE, P), CRAM_PRESSURE_MAX, 'v4: the device is low, demotion stays blocked');
  t.is(blocked(v4), 1);
  const fixed = reorder(['set-pressure-serialized', 'irq-applies-device-level']);
  t.is(fixed.get(fixed.L.CN_PRESSURE, P), 0);
  t.is(blocked(fixed), 0);
  t.is(fixed.get(fixed.L.ZONE_BOOST, zoneP), 0);
});
