// Conformance-only mutants (src/kernel/mutants/conformance.ts): applied by hand
// to real kernel states (the same change the catalogue describes for the site),
// each keeps every kernel property true but fails conformance.
import test from 'ava';
import { ConformanceChecker } from '../../models/conformance.ts';
import { stateOf } from '../../models/abstraction.ts';
import { kernelInitial } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { buildMachine, type Kernel, type Machine } from '../../src/kernel/kernel.ts';
import { cramSetPressure, cramSetPressureBegin, cramSetPressureStep } from '../../src/cram/pressure.ts';
import { cramUnregisterBegin, cramUnregisterDrain, cramUnregisterSyncRcu, firstManagedZone } from '../../src/cram/cram.ts';
import { nodePrivateUnregisterBegin } from '../../src/kernel/node_private.ts';
import { offlinePages } from '../../src/kernel/memory_hotplug.ts';
import { kernelProperties } from '../../properties/index.ts';
import { CONFORMANCE_MUTANTS } from '../../src/kernel/mutants/conformance.ts';
import { bootWithP, nodeBlocks, P } from '../helpers/machines.ts';

function setup(): { m: Machine; k: Kernel; nid: number } {
  const m = buildMachine(configByName('tiny'));
  return { m, k: kernelInitial(m), nid: m.g.privateNode };
}

/** Apply fn to a copy of k as ONE step: conformance verdict and properties of the successor. */
function oneStep(m: Machine, k: Kernel, fn: (k: Kernel) => void): { id: string | null; broken: string[]; after: Kernel } {
  const c = new ConformanceChecker(m);
  const a = stateOf(k);
  const k2 = k.clone();
  fn(k2);
  const b = stateOf(k2);
  const broken = kernelProperties(m).filter((p) => p.check(b) !== null).map((p) => p.id);
  return { id: c.check(a, b)?.id ?? null, broken, after: k2 };
}

test('catalogue: every conformance mutant names a CONFORMANCE-* id and its site', (t) => {
  t.true(CONFORMANCE_MUTANTS.length >= 3);
  for (const mu of CONFORMANCE_MUTANTS) {
    t.regex(mu.catches, /^CONFORMANCE-(hotplug|folio|backpressure)$/);
    t.regex(mu.site, /: /);
  }
});

test('set-pressure-s2-s3-fused: S2+S3 in one step fails CONFORMANCE-backpressure, no invariant breaks (mm/cram.c: cram_set_pressure)', (t) => {
  const { m, k, nid } = setup();
  const tid = m.g.lthreshThread;
  t.deepEqual(kernelProperties(m).filter((p) => p.check(stateOf(k)) !== null).map((p) => p.id), []);
  const s1 = oneStep(m, k, (k) => cramSetPressureBegin(k, tid, nid, 1000));
  t.is(s1.id, null);
  // faithful: S2, then S3, separate steps
  const s2 = oneStep(m, s1.after, (k) => cramSetPressureStep(k, tid));
  t.is(s2.id, null);
  t.is(oneStep(m, s2.after, (k) => cramSetPressureStep(k, tid)).id, null);
  // mutant: S2 and S3 in one step
  const fused = oneStep(m, s1.after, (k) => {
    cramSetPressureStep(k, tid);
    cramSetPressureStep(k, tid);
  });
  t.is(fused.id, 'CONFORMANCE-backpressure');
  t.deepEqual(fused.broken, []);
});

test('set-pressure-zero-wakes-kswapd: clearing pressure drops the boost and wakes kswapd in one step: CONFORMANCE-backpressure only', (t) => {
  const { m, k, nid } = setup();
  const tid = m.g.hthreshThread;
  cramSetPressure(k, m.g.lthreshThread, nid, 1000);
  k.set(k.L.NODE_KSWAPD, nid, 1); // kswapd(P) went back to sleep
  let cur = k;
  for (const fn of [(k: Kernel) => cramSetPressureBegin(k, tid, nid, 0), (k: Kernel) => cramSetPressureStep(k, tid), (k: Kernel) => cramSetPressureStep(k, tid)]) {
    const s = oneStep(m, cur, fn);
    t.is(s.id, null);
    cur = s.after;
  }
  t.is(oneStep(m, cur, (k) => cramSetPressureStep(k, tid)).id, null); // faithful S4: boost 0, no wakeup
  t.true(firstManagedZone(cur, nid) >= 0);
  const mutant = oneStep(m, cur, (k) => {
    cramSetPressureStep(k, tid);
    // the mutant's bare wake_up_interruptible(&pgdat->kswapd_wait) of a sleeping kswapd(P)
    if (k.get(k.L.NODE_KSWAPD, nid) === 1) k.set(k.L.NODE_KSWAPD, nid, 2);
  });
  t.is(mutant.after.get(mutant.after.L.NODE_KSWAPD, nid), 2);
  t.is(mutant.id, 'CONFORMANCE-backpressure');
  t.deepEqual(mutant.broken, []);
});

test('cram-unregister-fused-free: freeing an unused cn in the unpublish step skips cram_draining: CONFORMANCE-hotplug only', (t) => {
  const { m, k, nid } = setup();
  const tid = m.g.driverThread;
  const begin = oneStep(m, k, (k) => t.is(cramUnregisterBegin(k, nid), 0));
  t.is(begin.id, null);
  const fused = oneStep(m, k, (k) => {
    t.is(cramUnregisterBegin(k, nid), 0);
    t.true(cramUnregisterSyncRcu(k, tid));
    t.true(cramUnregisterDrain(k, nid));
  });
  t.is(fused.id, 'CONFORMANCE-hotplug');
  t.deepEqual(fused.broken, []);
});

test('unregister-clears-ops: unregister that also drops np->ops is one step no machine event makes: CONFORMANCE-hotplug (node.c: node_private_unregister)', (t) => {
  const k = bootWithP({}, 'mpol');
  const m = k.m;
  const { first } = nodeBlocks(k, P);
  t.is(offlinePages(k, first, 0), 0);
  const faithful = oneStep(m, k, (k) => t.is(nodePrivateUnregisterBegin(k, P), 0));
  t.is(faithful.id, null);
  const mutant = oneStep(m, k, (k) => {
    t.is(nodePrivateUnregisterBegin(k, P), 0);
    k.set(k.L.NP_OPS, 0, 0);
  });
  t.is(mutant.id, 'CONFORMANCE-hotplug');
  t.deepEqual(mutant.broken, faithful.broken);
});
