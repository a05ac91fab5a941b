// Issue 12 item 2, free path: v4 mm/internal.h folio_managed_on_free ->
// include/linux/node_private.h folio_node_private_ops() reads np->ops under
// rcu_read_lock and releases it ("Folio-referenced callbacks (RCU released
// before callback)"), then calls ops->free_folio. The model makes the read and
// the call one step. What can land between them is a clear_ops: a plain
// node_private_clear_ops writes only np->ops, which cram_free_folio_cb never
// reads; cram_unregister_private_node's first stage also unpublishes the cram
// node, which the callback reads (get_cram_node). node_private_unregister
// cannot land there: the folio (refcount 0, not yet in the buddy) keeps its
// block from going offline.
//
// The first test runs that interleaving by hand (the free reads cram_ops, the
// unregister's first stage runs, then the callback) and checks that its
// state is byte for byte one the model explores (the free before the
// unregister), for a cram node without a flush callback. With a flush
// callback the window zeroes synchronously where the explored orders defer
// or skip the hook: the model explores it as an action of the freeing
// thread (src/kernel/free_window.ts), tested below.
import test from 'ava';
import { CN_DRAINING, cramUnregisterBegin } from '../../src/cram/cram.ts';
import { DS_PROBED, DS_UNREG_RCU } from '../../src/cxl/region_sysram.ts';
import { freeWindowHooks, freeWindowOpen, freeWindowThread, runThreadWithFreeWindow } from '../../src/kernel/free_window.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { pageInBuddy } from '../../src/kernel/ghost.ts';
import { nodePrivateNp } from '../../src/kernel/node_private.ts';
import { OPS_CRAM } from '../../src/kernel/ops_table.ts';
import { buildMachine, Kernel } from '../../src/kernel/kernel.ts';
import { kernelActions, kernelInitial, kernelSystem, type KernelSystem } from '../../models/kernel.system.ts';
import { P, nodeOf, ptePfn, scenario, scenarioConfig, step } from '../helpers/scenario.ts';
import { cramMachine, demoteProgram, runCpuTo } from './helpers.ts';

function onP(): { k: Kernel; pfn: number } {
  const k = scenario({ pOps: 'cram', programs: [[...demoteProgram(0, 5, P), { op: 'madv_dontneed', vaddr: 0 }], []] });
  runCpuTo(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  if (nodeOf(k, pfn) !== P) throw new Error('not demoted');
  return { k, pfn };
}

test('free path window: free_folio called after cram_unregister cleared the ops reaches the state of the free before the unregister (no flush callback)', (t) => {
  // Explored: MADV_DONTNEED frees the P folio (cram_free_folio_cb with the cram node published), then cram_unregister's first stage.
  const a = onP();
  t.is(a.k.get(a.k.L.CN_FLUSH_CB, P), 0);
  t.true(step(a.k, 'cpu0'), 'madvise(DONTNEED): the last put, free_folio with cram_ops');
  t.is(a.k.get(a.k.L.PG_REF, a.pfn), 0);
  t.is(cramUnregisterBegin(a.k, P), 0);
  // The window: the free's ops read sees cram_ops, the unregister's first stage runs, then the callback.
  const b = onP();
  const slot = nodePrivateNp(b.k, P);
  t.is(cramUnregisterBegin(b.k, P), 0);
  t.is(b.k.get(b.k.L.NP_OPS, slot), 0, 'np->ops cleared');
  b.k.set(b.k.L.NP_OPS, slot, OPS_CRAM); // the value the free path read before the clear
  t.true(step(b.k, 'cpu0'), 'madvise(DONTNEED): free_folio through the stale ops -> get_cram_node fails -> zero, buddy');
  b.k.set(b.k.L.NP_OPS, slot, 0);
  t.is(b.k.get(b.k.L.PG_REF, b.pfn), 0);
  t.is(b.k.get(b.k.L.PG_CONTENT, b.pfn), 0, 'zeroed (cram_zero_folio)');
  t.deepEqual([...b.k.s], [...a.k.s], 'the same state bytes');
});

// With a flush callback (the compression driver's). v4:
//   mm/internal.h folio_managed_on_free:
//     const struct node_private_ops *ops = folio_node_private_ops(folio);
//     if (ops && ops->free_folio) { if (ops->free_folio(folio)) return true; }
//   include/linux/node_private.h folio_node_private_ops:
//     rcu_read_lock(); np = rcu_dereference(...->node_private); ops = np ? np->ops : NULL; rcu_read_unlock(); return ops;
//   mm/cram.c cram_unregister_private_node (the driver's pre_teardown, cxl_compression_pre_teardown):
//     kswapd_stop(nid); WARN_ON(node_private_clear_ops(nid, &cram_ops)); rcu_assign_pointer(cram_nodes[nid], NULL);
//   mm/cram.c cram_free_folio_cb:
//     cn = get_cram_node(nid); if (!cn) goto zero_and_free;   ... zero_and_free: cram_zero_folio(folio); return false;
// So the callback, called with the ops read before the unregister's first
// stage, finds no cram node: it zeroes the folio and returns it to the buddy,
// where the free before the unregister defers it to a flush buffer
// (flush_cb = 1) and the free after it skips the hook.

function onPFlush(fixes: readonly string[] = []): { k: Kernel; pfn: number } {
  const k = cramMachine({ fixes, programs: [[...demoteProgram(0, 5, P), { op: 'madv_dontneed', vaddr: 0 }], []] });
  runCpuTo(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  if (nodeOf(k, pfn) !== P) throw new Error('not demoted');
  return { k, pfn };
}

test('free path window, flush callback: the driver\'s cram_unregister between the ops read and free_folio zeroes and frees the folio at once', (t) => {
  const before = onPFlush();
  t.is(before.k.get(before.k.L.CN_FLUSH_CB, P), 1);
  t.true(step(before.k, 'cpu0'), 'madvise(DONTNEED) before the unregister');
  t.is(before.k.get(before.k.L.PG_REF, before.pfn), 1, 'flush_cb deferred it: the driver holds a reference');
  t.is(before.k.get(before.k.L.PG_FLUSH_BIT, before.pfn), 1);
  t.true(step(before.k, 'driver'), 'cram_unregister stage 1');

  const after = onPFlush();
  t.true(step(after.k, 'driver'), 'cram_unregister stage 1');
  t.true(step(after.k, 'cpu0'), 'madvise(DONTNEED) after the unregister: no ops, no hook');
  t.true(pageInBuddy(after.k, after.pfn));
  t.is(after.k.get(after.k.L.PG_CONTENT, after.pfn), 5, 'v4: unscrubbed (finding private-no-ops-protected)');

  const w = onPFlush();
  const r = runThreadWithFreeWindow(w.k, w.k.g.cpuThread(0), 0, 0);
  t.true(r.ok && r.probe.fired, 'the window opens at the free of the P folio');
  t.true(pageInBuddy(w.k, w.pfn), 'returned to the buddy at once');
  t.is(w.k.get(w.k.L.PG_CONTENT, w.pfn), 0, 'cram_zero_folio');
  t.is(w.k.get(w.k.L.PG_FLUSH_BIT, w.pfn), 0, 'flush_cb never ran');
  t.is(w.k.get(w.k.L.CN_STATE, P), CN_DRAINING);
  t.is(w.k.get(w.k.L.DRV_STATE), DS_UNREG_RCU);
  t.notDeepEqual([...w.k.s], [...before.k.s]);
  t.notDeepEqual([...w.k.s], [...after.k.s]);
});

test('free path window, flush callback, fix private-no-ops-protected: the window reaches the state of the free after the unregister', (t) => {
  const fix = ['private-no-ops-protected'];
  const after = onPFlush(fix);
  t.true(step(after.k, 'driver'));
  t.true(step(after.k, 'cpu0'));
  const w = onPFlush(fix);
  const r = runThreadWithFreeWindow(w.k, w.k.g.cpuThread(0), 0, 0);
  t.true(r.ok && r.probe.fired);
  t.deepEqual([...w.k.s], [...after.k.s], 'the same state bytes');
});

test('free path window: closed when the driver\'s next step is not cram_unregister\'s first stage, and never in kswapd of the node', (t) => {
  const a = onPFlush();
  t.true(step(a.k, 'driver'), 'stage 1 already done');
  const r = runThreadWithFreeWindow(a.k, a.k.g.cpuThread(0), 0, 0);
  t.true(r.ok);
  t.false(r.probe.fired);
  t.is(r.probe.seen, 0);
  const b = onPFlush();
  t.false(freeWindowThread(b.k.m, b.k.g.kswapdThread(P)), 'kswapd_stop waits for kswapd(P) to finish its work');
  t.false(freeWindowThread(b.k.m, b.k.g.driverThread));
  t.true(freeWindowThread(b.k.m, b.k.g.kswapdThread(0)));
  t.true(freeWindowOpen(b.k, b.k.g.cpuThread(0), b.pfn));
  t.false(freeWindowOpen(b.k, b.k.g.kswapdThread(P), b.pfn));
});

// The explorer sees the window as actions of the freeing thread: a config with
// the driver thread reaches the zeroed-and-freed state, which neither order of
// the two plain steps gives.
function driverSystem(): { sys: KernelSystem; k: Kernel } {
  const base = scenarioConfig({ programs: [[...demoteProgram(0, 5, P), { op: 'madv_dontneed', vaddr: 0 }], []] });
  const sys = kernelSystem({ ...base, actors: { ...base.actors, driver: true } });
  const k = kernelInitial(sys.machine);
  while (k.get(k.L.DRV_STATE) !== DS_PROBED) if (!step(k, 'driver')) throw new Error('probe blocked');
  runCpuTo(k, 0, 3);
  return { sys, k };
}

function stateOf(sys: KernelSystem, k: Kernel): Uint32Array {
  const s = new Uint32Array(sys.words);
  new Uint16Array(s.buffer).set(k.s);
  return s;
}

test('free path window: the system offers cpu0\'s step with cram_unregister inside its free_folio window', (t) => {
  const { sys, k } = driverSystem();
  const pfn = ptePfn(k, 0, 0);
  t.is(nodeOf(k, pfn), P);
  const s = stateOf(sys, k);
  const next = new Uint32Array(sys.words);
  const zeroedFree: string[] = [];
  for (let a = 0; a < sys.actionCount; a++) {
    if (!sys.step(s, a, next)) continue;
    const kk = new Kernel(sys.machine, new Uint16Array(next.buffer.slice(0)));
    if (pageInBuddy(kk, pfn) && kk.get(kk.L.PG_CONTENT, pfn) === 0 && kk.get(kk.L.CN_STATE, P) === CN_DRAINING) zeroedFree.push(`${sys.describe(a).actor}: ${sys.describe(a).name}`);
  }
  t.deepEqual(zeroedFree, ["cpu0: step [driver's cram_unregister lands in free_folio window #1]"]);
});

test('free path window: the variants\' cache gives the same successors as running every action afresh', (t) => {
  const { sys, k } = driverSystem();
  const path = [k.s.slice()];
  // cpu0's free, then the rest of its program and the driver's teardown: states on both sides of the window.
  for (const who of ['cpu0', 'cpu0', 'driver', 'driver', 'cpu0']) if (step(k, who)) path.push(k.s.slice());
  const cached = sys;
  for (const s16 of path) {
    const s = new Uint32Array(sys.words);
    new Uint16Array(s.buffer).set(s16);
    for (let a = 0; a < sys.actionCount; a++) {
      const fresh = kernelSystem(sys.machine.cfg);
      const n1 = new Uint32Array(sys.words);
      const n2 = new Uint32Array(sys.words);
      // cached: every action in order (the plain ones fill the cache); fresh: this action alone.
      for (let b = 0; b <= a; b++) cached.step(s, b, n1);
      const e1 = cached.step(s, a, n1);
      const e2 = fresh.step(s, a, n2);
      t.is(e1, e2, `action ${a} enabledness`);
      if (e1 && e2) t.deepEqual([...n1], [...n2], `action ${a} successor`);
    }
  }
});

test('free path window: the variants are appended to the action table, per (thread, choice) of every thread but the driver and kswapd of its node, once per page of that node', (t) => {
  const withDriver = kernelActions(buildMachine(configByName('driver')));
  const plain = withDriver.filter((a) => a.kind !== 'free-window');
  t.deepEqual(withDriver.slice(0, plain.length), plain, 'the plain actions keep their indices');
  const m = buildMachine(configByName('driver'));
  const hooks = freeWindowHooks(m);
  t.is(hooks, 2);
  const expected = plain.flatMap((a, base) =>
    a.kind === 'thread' && a.tid !== m.g.driverThread && a.tid !== m.g.kswapdThread(m.g.privateNode)
      ? Array.from({ length: hooks }, (_, at) => ({ kind: 'free-window', tid: a.tid, choice: a.choice, at, base }))
      : [],
  );
  t.deepEqual(withDriver.slice(plain.length), expected);
  t.false(kernelActions(buildMachine(configByName('flush'))).some((a) => a.kind === 'free-window'), 'no thread unregisters CRAM: no window');
});
