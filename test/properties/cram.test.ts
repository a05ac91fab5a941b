// CRAM back-pressure and cram_node lifetime invariants on hand-built states (properties/cram.ts).
import test from 'ava';
import { EV_CN_USE_AFTER_FREE, REF_CN } from '../../src/kernel/layout.ts';
import { P, P_MOVABLE, healthy, type Fixture } from './fixture.ts';

/** Pressure 1000 published coherently: blocked, boost = managed (2). */
function blocked(): Fixture {
  const f = healthy();
  const L = f.k.L;
  f.k.set(L.CN_PRESSURE, P, 1000);
  f.k.set(L.NP_MIGRATION_BLOCKED, 0, 1);
  f.k.set(L.ZONE_BOOST, P_MOVABLE, 2);
  f.k.set(L.ZONE_BOOSTED, P_MOVABLE, 1);
  return f;
}

test('INV-DEVICE-CAPACITY: device usage stays within physical capacity (SEMANTICS 7.1: no capacity accounting in the driver)', (t) => {
  const f = healthy();
  f.k.set(f.k.L.DEV_USED, 0, 8);
  t.is(f.check('INV-DEVICE-CAPACITY'), null);
  t.is(f.check('INV-NO-OVERCOMMIT'), null, 'pressure 0: the batch bound is not judged');
  f.k.set(f.k.L.DEV_USED, 0, 9);
  t.regex(f.check('INV-DEVICE-CAPACITY') ?? '', /device used 9 > physical capacity 8/);
});

test('INV-NO-OVERCOMMIT: at pressure 1000 usage grows by at most one in-flight batch (cram.c: cram_migrate_to -ENOSPC, alloc_cram_folio)', (t) => {
  const f = blocked();
  f.k.set(f.k.L.GH_USED_AT_BLOCK, 0, 2);
  f.k.set(f.k.L.DEV_USED, 0, 6); // 2 + demoteBatch(1) * cost[2](4)
  t.is(f.check('INV-NO-OVERCOMMIT'), null);
  f.k.set(f.k.L.DEV_USED, 0, 7);
  t.regex(f.check('INV-NO-OVERCOMMIT') ?? '', /P1 at pressure 1000: device used 7 > 2 \(at block\) \+ 4 \(in-flight batch\)/);
  // at pressure 0 the same usage is not judged by the batch bound
  f.k.set(f.k.L.CN_PRESSURE, P, 0);
  t.is(f.check('INV-NO-OVERCOMMIT'), null);
});

test('INV-BACKPRESSURE-COHERENT: migration_blocked iff pressure >= 1000 and boost = managed * pressure / 1000 (cram.c: cram_set_pressure)', (t) => {
  const f = blocked();
  t.is(f.check('INV-BACKPRESSURE-COHERENT'), null);
  f.k.set(f.k.L.NP_MIGRATION_BLOCKED, 0, 0);
  t.regex(f.check('INV-BACKPRESSURE-COHERENT') ?? '', /P1: migration_blocked=0 but pressure=1000/);
  // mid set_pressure (an IRQ thread between S2 and S4) is not judged
  f.k.set(f.k.L.THR_OP, f.k.g.lthreshThread, 1);
  t.is(f.check('INV-BACKPRESSURE-COHERENT'), null);
  const g = blocked();
  g.k.set(g.k.L.ZONE_BOOST, P_MOVABLE, 1);
  t.regex(g.check('INV-BACKPRESSURE-COHERENT') ?? '', /N1.MOVABLE: watermark_boost=1 but managed 2 \* pressure 1000 \/ 1000 = 2/);
  const h = healthy(); // pressure 0 but stale boost (as left by cram_unregister, SEMANTICS 6.2)
  h.k.set(h.k.L.ZONE_BOOST, P_MOVABLE, 2);
  t.regex(h.check('INV-BACKPRESSURE-COHERENT') ?? '', /watermark_boost=2 but managed 2 \* pressure 0/);
});

test('INV-NO-CRAM-AFTER-FREE: no thread holds a freed cram_node (cram.c: get_cram_node, cram_unregister_private_node)', (t) => {
  const f = healthy();
  const L = f.k.L;
  f.k.set(L.CN_STATE, P, 3);
  f.k.set(L.CN_REFCOUNT, P, 0);
  t.is(f.check('INV-NO-CRAM-AFTER-FREE'), null);
  f.k.setBits(L.THR_REFS, 0, REF_CN);
  t.regex(f.check('INV-NO-CRAM-AFTER-FREE') ?? '', /cram_node of P1 is freed while 1 thread\(s\) hold a reference/);
  const g = healthy();
  g.k.event(EV_CN_USE_AFTER_FREE);
  t.regex(g.check('INV-NO-CRAM-AFTER-FREE') ?? '', /EV_CN_USE_AFTER_FREE/);
});
