// Finding (CRAM helper, confirmed here): cram_unregister_private_node clears np->ops while the
// private memory is still online (the devm pre_teardown runs before offline_and_remove, 7.5).
// With ops NULL, node_private_flags() reads 0 (include/linux/node_private.h), so
//  - folio_managed_wrprotect() is false and handle_pte_fault() finds no ops->handle_fault: a
//    write fault on a write-protected P folio takes do_wp_page (mm/memory.c), which reuses the
//    exclusive anon folio in place: the store lands on the compressed device (INV-WRITE-PATH);
//  - folio_managed_allows_migrate() is false: do_migrate_range (mm/memory_hotplug.c) skips the
//    P folio (WARN_ONCE) and offline cannot succeed while it is in use.
// Fix private-no-ops-protected (src/kernel/mutants/alloc.ts): a private node whose ops are NULL
// reads as PROTECT_WRITE + MIGRATION, and do_wp_page copies such a folio off the node instead of
// reusing it.
import test from 'ava';
import { cramUnregisterPrivateNode } from '../../src/cram/cram.ts';
import { BLOCK_ABSENT, EINTR, N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { offlinePages } from '../../src/kernel/memory_hotplug.ts';
import { kernelProperties } from '../../properties/index.ts';
import { P, cramMachine, demoteProgram, nodeOf, ptePfn, runCpuTo, step } from '../cram/helpers.ts';
import { DS_NONE } from '../../src/cxl/region_sysram.ts';

function check(k: Kernel, id: string): string | null {
  const p = kernelProperties(k.m).find((q) => q.id === id)!;
  return p.check(new Uint32Array(k.s.buffer, k.s.byteOffset, k.L.words16 / 2));
}

/** A folio demoted to P (move_pages -> cram_migrate_to), then CRAM unregistered (pre_teardown stage). */
function afterCramUnregister(fixes: readonly string[]): Kernel {
  const k = cramMachine({ fixes, programs: [[...demoteProgram(0, 5, P), { op: 'write', vaddr: 0, value: 7 }], []] });
  runCpuTo(k, 0, 3);
  if (nodeOf(k, ptePfn(k, 0, 0)) !== P) throw new Error('setup: not on P');
  const r = cramUnregisterPrivateNode(k, k.g.driverThread, P);
  if (r.ret !== 0 || r.blocked) throw new Error('setup: cram_unregister');
  return k;
}

test('FINDING: after cram_unregister_private_node clears the ops, a write fault on a P folio takes do_wp_page and writes the P page in place (INV-WRITE-PATH)', (t) => {
  const k = afterCramUnregister([]);
  const onP = ptePfn(k, 0, 0);
  t.is(check(k, 'INV-WRITE-PATH'), null);
  runCpuTo(k, 0, 4); // the write faults: no handle_fault, generic do_wp_page -> wp_page_reuse; the store retries
  t.is(ptePfn(k, 0, 0), onP, 'still mapped to the P folio');
  t.is(k.get(k.L.PG_CONTENT, onP), 7, 'the store landed on P');
  t.regex(check(k, 'INV-WRITE-PATH') ?? '', /holds 7 but its last legitimate write stored 5/);
});

test('FINDING: after cram_unregister_private_node clears the ops, offline cannot migrate the in-use P folio (NP_OPS_MIGRATION reads 0): -EINTR', (t) => {
  const k = afterCramUnregister([]);
  const block = k.g.blocks.findIndex((b) => b.node === P);
  t.is(offlinePages(k, block, k.g.driverThread), -EINTR);
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
});

test('fix private-no-ops-protected: the write copies the folio off P (contents kept, P untouched) and offline migrates the in-use P folio', (t) => {
  const k = afterCramUnregister(['private-no-ops-protected']);
  const onP = ptePfn(k, 0, 0);
  runCpuTo(k, 0, 4);
  const now = ptePfn(k, 0, 0);
  t.not(nodeOf(k, now), P, 'wp_page_copy to a DRAM folio');
  t.is(k.get(k.L.PG_CONTENT, now), 7);
  t.is(k.get(k.L.PG_REF, onP), 0, 'the P folio was released');
  t.is(check(k, 'INV-WRITE-PATH'), null);
  t.is(check(k, 'INV-SCRUB'), null, 'the released P folio was zeroed on free');
  // Offline with a mapped P folio: it is now migratable.
  const k2 = afterCramUnregister(['private-no-ops-protected']);
  const block = k2.g.blocks.findIndex((b) => b.node === P);
  t.is(offlinePages(k2, block, k2.g.driverThread), 0);
  t.not(nodeOf(k2, ptePfn(k2, 0, 0)), P);
  t.is(k2.get(k2.L.PG_CONTENT, ptePfn(k2, 0, 0)), 5);
  t.false(k2.has(k2.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  for (const id of ['INV-WRITE-PATH', 'INV-SCRUB', 'INV-REFCOUNT-BALANCE', 'INV-MIGRATE-GATE', 'INV-DATA']) t.is(check(k2, id), null, id);
});

/**
 * Driver steps to the end of the teardown: the flush kthread runs when the driver waits, and
 * when offline_pages' loop spins (a driver step that changes nothing) the task gets a signal,
 * the only way v4's loop ends then (mm/memory_hotplug.c: offline_pages, signal_pending).
 */
function teardownToEnd(k: Kernel): void {
  for (let i = 0; i < 60 && !(i > 0 && k.get(k.L.DRV_STATE) === DS_NONE); i++) {
    const before = k.s.slice();
    if (!step(k, 'driver')) step(k, 'flush'); // let the flush kthread send deferred sources
    else if (before.every((w, j) => w === k.s[j])) step(k, 'driver', 2);
  }
}

test('fix private-no-ops-protected: the driver teardown with a mapped P folio now offlines and removes P and unregisters the np (cf. the test/cxl pre_teardown finding)', (t) => {
  for (const fixed of [false, true]) {
    const k = cramMachine({ fixes: fixed ? ['private-no-ops-protected'] : [], programs: [demoteProgram(0, 5, P), []] });
    runCpuTo(k, 0, 3);
    t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
    teardownToEnd(k);
    t.is(k.get(k.L.DRV_STATE), DS_NONE);
    const block = k.g.blocks.findIndex((b) => b.node === P);
    t.is(k.get(k.L.BLOCK_STATE, block) === BLOCK_ABSENT, fixed, fixed ? 'removed' : 'still present');
    t.is(k.get(k.L.NODE_NP, P) === 0, fixed, fixed ? 'np unregistered' : 'np left registered');
    t.is(nodeOf(k, ptePfn(k, 0, 0)) !== P, fixed);
    t.is(k.get(k.L.PG_CONTENT, ptePfn(k, 0, 0)), 5);
    for (const id of ['INV-WRITE-PATH', 'INV-SCRUB', 'INV-NO-OPS-AFTER-UNREGISTER', 'INV-REFCOUNT-BALANCE', 'INV-DATA']) t.is(check(k, id), null, `${id} (${fixed})`);
  }
});

// The reported EV_OPS_AFTER_UNREGISTER (cxl_flush_buf_send -> folio_put -> free_folio after
// node_private_unregister "returned 0"), end to end: the teardown fails to offline (above, ended by
// a signal), the driver is re-probed, and the new sysram's np gets -EBUSY from
// node_private_register (another np, the freed one, is registered; drivers/base/node.c): nothing
// is unregistered, so later cram callbacks are not "after unregister" (the freed np is
// INV-NP-LIFETIME's finding).
test('re-probe after a failed teardown: the new np\'s register is -EBUSY, the old np stays registered and later cram callbacks are not flagged (INV-NO-OPS-AFTER-UNREGISTER)', (t) => {
  const k = cramMachine({ programs: [[...demoteProgram(0, 5, P), { op: 'munmap', vaddr: 0 }], []] });
  runCpuTo(k, 0, 3);
  teardownToEnd(k);
  t.is(k.get(k.L.DRV_STATE), DS_NONE);
  const slot = 0;
  t.true(step(k, 'driver'), 're-probe: node_private_register(new np) = -EBUSY, the hot-add fails');
  t.is(k.get(k.L.NODE_NP, P), slot + 1);
  t.is(k.get(k.L.NP_REFCOUNT, slot), 1);
  t.is(k.get(k.L.GH_NP_UNREG_OPS, slot), 0);
  for (let i = 0; i < 4; i++) step(k, 'driver'); // flush ctx, cram_register (cram_ops again), IRQs
  runCpuTo(k, 0, 4); // munmap: the P folio is freed through cram_ops.free_folio (flush_cb defers it)
  while (step(k, 'flush')); // the deferred send: folio_put -> free_folio again
  t.is(check(k, 'INV-NO-OPS-AFTER-UNREGISTER'), null);
});
