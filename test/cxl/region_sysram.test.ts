// drivers/cxl/core/region_sysram.c + compression.c probe/remove: the driver
// thread, SEMANTICS 7.2 (probe steps), 7.5 (devm teardown order, sysfs
// hotplug toggle) and 5.3 (the -EBUSY ambiguity).
import test from 'ava';
import { CN_DRAINING, CN_FREED, CN_PUBLISHED } from '../../src/cram/cram.ts';
import { DF_FLUSH_CTX, DF_IRQS, DF_KTHREAD, DF_NP_FREED, DF_NP_OLD, DF_NP_UNREG, DF_OFFLINING, DF_PRE_TEARDOWN, DF_RES, DF_SIGNAL, DF_SYSRAM } from '../../src/cxl/compression.ts';
import { IRQ_LTHRESH } from '../../src/cxl/device.ts';
import { DS_NONE, DS_PROBED, driverProbeAtBoot } from '../../src/cxl/region_sysram.ts';
import { BLOCK_ABSENT, BLOCK_ONLINE, N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { nodePrivateNp, npSlotOfNode } from '../../src/kernel/node_private.ts';
import { OPS_CRAM } from '../../src/kernel/ops_table.ts';
import { scenario } from '../helpers/scenario.ts';
import { kernelProperties } from '../../properties/index.ts';
import { P, cramMachine, demoteProgram, nodeOf, ptePfn, runCpuTo, step } from '../cram/helpers.ts';

const flags = (k: Kernel) => k.get(k.L.DRV_FLAGS);
/** Driver steps (choice 0) while offline_and_remove_private_memory runs, at most `max`; how many ran. */
function runOffline(k: Kernel, max = 10): number {
  let n = 0;
  while ((flags(k) & DF_OFFLINING) !== 0 && n < max && step(k, 'driver')) n++;
  return n;
}
const pBlock = (k: Kernel) => k.g.blocks.findIndex((b) => b.node === P);
/**
 * The offline's round that migrates v0's folio off P: do_migrate_range isolates it, then its
 * migrate_pages unmaps and moves it in driver steps of their own (src/kernel/memory_hotplug.ts,
 * migrate_batch.ts), until the round is over (a driver step that changes nothing).
 */
function migrateMappedFolio(k: Kernel, max = 8): void {
  for (let i = 0; i < max; i++) {
    const before = k.s.slice();
    t_assert(step(k, 'driver'));
    if (nodeOf(k, ptePfn(k, 0, 0)) !== P && k.s.every((w, j) => w === before[j])) return;
  }
  throw new Error('the offline round did not migrate the folio');
}

test('probe as driver steps in 7.2 order: add sysram (online MOVABLE, np registered) | flush ctx + kthread | cram_register + pre_teardown | IRQs', (t) => {
  const k = scenario({});
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ABSENT);
  t.true(step(k, 'driver'));
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ONLINE);
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.is(nodePrivateNp(k, P), npSlotOfNode(k, P));
  t.is(flags(k), DF_SYSRAM | DF_RES);
  t.is(k.get(k.L.CN_STATE, P), 0, 'CRAM not yet registered');
  t.true(step(k, 'driver'));
  t.is(flags(k) & (DF_FLUSH_CTX | DF_KTHREAD), DF_FLUSH_CTX | DF_KTHREAD);
  t.not(k.get(k.L.CPU_BUF_ACTIVE, 0), 0);
  t.true(step(k, 'driver'));
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED);
  t.true((flags(k) & DF_PRE_TEARDOWN) !== 0);
  k.setBits(k.L.DEV_IRQ, 0, IRQ_LTHRESH); // an edge before any handler exists
  t.true(step(k, 'driver'));
  t.is(k.get(k.L.DRV_STATE), DS_PROBED);
  t.true((flags(k) & DF_IRQS) !== 0);
  t.is(k.get(k.L.DEV_IRQ), 0, 'edges raised before request_irq are lost: pressure starts at 0 (7.1)');
});

test('driverProbeAtBoot equals the stepped probe', (t) => {
  const a = scenario({});
  for (let i = 0; i < 4; i++) step(a, 'driver');
  const b = scenario({});
  driverProbeAtBoot(b);
  t.deepEqual(Array.from(b.s), Array.from(a.s));
});

test('teardown in devm reverse order: cram_unregister (ops cleared, kswapd stopped, rcu, drain) | offline+remove | node_private_unregister | post_teardown | sysram_unregister | IRQs freed', (t) => {
  const k = cramMachine();
  const slot = npSlotOfNode(k, P);
  t.true(step(k, 'driver')); // pre_teardown: cram_unregister stage 1
  t.is(k.get(k.L.CN_STATE, P), CN_DRAINING);
  t.is(k.get(k.L.NP_OPS, slot), 0, 'ops cleared before any offline');
  t.is(k.get(k.L.NODE_KSWAPD, P), 0);
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ONLINE);
  t.true(step(k, 'driver')); // synchronize_rcu
  t.true(step(k, 'driver')); // drain, kfree(cn)
  t.is(k.get(k.L.CN_STATE, P), CN_FREED);
  t.true(step(k, 'driver')); // offline_and_remove attempt 1: offline_pages isolates the block
  t.true((flags(k) & DF_OFFLINING) !== 0);
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ONLINE);
  t.true(step(k, 'driver')); // a round of the retry loop: nothing to migrate, all free: offline
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), 1 /* BLOCK_OFFLINE */);
  t.true(step(k, 'driver')); // every block offline: try_remove_memory, node_private_unregister
  t.is(flags(k) & DF_OFFLINING, 0);
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ABSENT);
  t.false(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.true((flags(k) & DF_NP_UNREG) !== 0, 'inside node_private_unregister');
  t.true(step(k, 'driver')); // node_private_unregister second stage
  t.is(nodePrivateNp(k, P), -1);
  t.is((flags(k) & DF_RES), 0, 'resource released');
  t.true((flags(k) & DF_FLUSH_CTX) !== 0, 'post_teardown has not run yet');
  t.true(step(k, 'driver')); // post_teardown
  t.is(flags(k) & (DF_FLUSH_CTX | DF_KTHREAD), 0);
  t.is(k.get(k.L.CPU_BUF_ACTIVE, 0), 0);
  t.true((flags(k) & DF_IRQS) !== 0, 'IRQs are on the pci device: freed after remove');
  t.true(step(k, 'driver')); // sysram_unregister
  t.true(step(k, 'driver')); // pci devm: free IRQs
  t.is(k.get(k.L.DRV_STATE), DS_NONE);
  t.is(flags(k), 0);
  // A new probe works again.
  for (let i = 0; i < 4; i++) t.true(step(k, 'driver'));
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED);
  t.is(k.get(k.L.NP_OPS, slot), OPS_CRAM);
});

test('teardown waits: cram_unregister spins while a set_pressure holds cn; free_irq waits for a running IRQ thread', (t) => {
  const k = cramMachine();
  k.setBits(k.L.DEV_IRQ, 0, IRQ_LTHRESH);
  t.true(step(k, 'lthresh')); // S1: holds cn
  t.true(step(k, 'driver')); // unregister stage 1
  t.true(step(k, 'driver')); // synchronize_rcu
  t.false(step(k, 'driver'), 'refcount_dec_if_one spins');
  t.true(step(k, 'lthresh')); // S2
  t.true(step(k, 'lthresh')); // S3
  t.true(step(k, 'lthresh')); // S4 puts cn
  t.true(step(k, 'driver'), 'drain completes');
});

test('sysfs hotplug toggle offlines+removes and re-adds without touching CRAM; kswapd(P) is not restarted (11.9)', (t) => {
  const k = cramMachine();
  t.is(k.get(k.L.NODE_KSWAPD, P), 1);
  t.true(step(k, 'driver', 1)); // hotplug_store(offline)
  t.is(runOffline(k), 2);
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ABSENT);
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED, 'CRAM still registered');
  t.is(k.get(k.L.NODE_KSWAPD, P), 0, 'offline_pages stopped kswapd');
  while ((flags(k) & DF_NP_UNREG) !== 0) t.true(step(k, 'driver'));
  t.is(nodePrivateNp(k, P), -1, 'np unregistered by offline_and_remove_private_memory');
  t.true(step(k, 'driver', 1)); // hotplug_store(online)
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ONLINE);
  t.is(k.get(k.L.NP_OPS, npSlotOfNode(k, P)), OPS_CRAM, 'np->ops is not reset by register: cram_ops again');
  t.is(k.get(k.L.NODE_KSWAPD, P), 0, 'nobody restarts kswapd(P) after a re-online');
});

/** Teardown with a folio still mapped on P, up to the offline of its block. */
function teardownWithMappedFolio(fixes: readonly string[]): Kernel {
  const k = cramMachine({ fixes, programs: [demoteProgram(0, 5, P), []] });
  runCpuTo(k, 0, 3);
  t_assert(nodeOf(k, ptePfn(k, 0, 0)) === P);
  for (let i = 0; i < 10 && !(flags(k) & DF_OFFLINING); i++) step(k, 'driver');
  t_assert((flags(k) & DF_OFFLINING) !== 0);
  return k;
}

function t_assert(c: boolean): void {
  if (!c) throw new Error('setup failed');
}

// mm/memory_hotplug.c: do_migrate_range skips a private folio without NP_OPS_MIGRATION
// (`WARN_ONCE(1, "hot-unplug on non-migratable node ...")`), scan_movable_pages finds it
// again, and offline_pages' `do { ... } while (ret)` only ends at `signal_pending(current)`.
test('finding: pre_teardown clears cram_ops before offlining: the in-use P folio cannot migrate and offline_pages spins (every round changes nothing); only a signal ends it, and the driver then ends with P online and np registered (7.5)', (t) => {
  const k = teardownWithMappedFolio([]);
  const spinning = k.s.slice();
  t.true(step(k, 'driver'));
  t.deepEqual(k.s, spinning, 'a round of the retry loop changes nothing');
  t.true(step(k, 'driver', 2), 'a signal to the task');
  t.true((flags(k) & DF_SIGNAL) !== 0);
  t.false(step(k, 'driver', 2), 'one pending signal at a time');
  for (let i = 0; i < 30 && k.get(k.L.DRV_STATE) !== DS_NONE; i++) step(k, 'driver');
  t.is(k.get(k.L.DRV_STATE), DS_NONE, 'the driver finished its teardown');
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ONLINE, 'memory still online');
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.not(nodePrivateNp(k, P), -1, 'np (embedded in the freed sysram) still registered');
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P, 'the folio never moved');
});

// v4 (session 3 re-triage of finding 5.3): offline_pages never returns -EBUSY for a folio held by
// the flush buffer; it loops until cxl_flush_buf_send's folio_put frees it, or a signal gives -EINTR,
// which sysram_hotplug_remove (`if (rc && rc != -EBUSY) return rc;`) reports as a failure.
test('re-triage (5.3): the sysfs offline migrates the mapped P folio, the migrated source is deferred by the flush protocol, and offline_pages waits for the flush instead of failing -EBUSY', (t) => {
  const k = cramMachine({ programs: [demoteProgram(0, 5, P), []] });
  runCpuTo(k, 0, 3);
  t.true(step(k, 'driver', 1)); // hotplug_store(offline): offline_pages isolates
  migrateMappedFolio(k); // round 1: do_migrate_range, its migrate_pages a folio per step
  t.not(nodeOf(k, ptePfn(k, 0, 0)), P, 'the mapped folio migrated to DRAM');
  t.is(k.get(k.L.PG_CONTENT, ptePfn(k, 0, 0)), 5);
  const held = k.s.slice();
  t.true(step(k, 'driver'));
  t.deepEqual(k.s, held, 'the deferred source holds the block: the loop goes round');
  while (step(k, 'flush'));
  t.is(runOffline(k), 2, 'the round after the send offlines the block, then the removal');
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ABSENT);
  t.is(flags(k) & DF_RES, 0);
});

test('re-triage (5.3): a signal while the flush holds the folio: -EINTR, rolled back, the resource is kept (not the -EBUSY branch)', (t) => {
  const k = cramMachine({ programs: [demoteProgram(0, 5, P), []] });
  runCpuTo(k, 0, 3);
  t.true(step(k, 'driver', 1));
  migrateMappedFolio(k);
  t.true(step(k, 'driver', 2));
  t.is(runOffline(k), 1);
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ONLINE);
  t.true((flags(k) & DF_RES) !== 0, 'resource kept');
  t.is(flags(k) & DF_SIGNAL, 0, 'the signal is handled when hotplug_store returns');
  while (step(k, 'flush'));
  t.true(step(k, 'driver', 1));
  t.is(runOffline(k), 2);
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ABSENT);
});

test('fix sysram-hotplug-busy-while-cram: the sysfs offline is refused while CRAM is registered', (t) => {
  const k = cramMachine({ fixes: ['sysram-hotplug-busy-while-cram'] });
  t.true(step(k, 'driver', 1));
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ONLINE);
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED);
  t.true((flags(k) & DF_RES) !== 0);
});

/** Teardown with a signal to the task while offline_pages loops, run to its end. */
function signalledTeardown(fixes: readonly string[]): Kernel {
  const k = cramMachine({ fixes });
  for (let i = 0; i < 10 && !(flags(k) & DF_OFFLINING); i++) step(k, 'driver');
  t_assert(step(k, 'driver', 2));
  for (let i = 0; i < 30 && k.get(k.L.DRV_STATE) !== DS_NONE; i++) step(k, 'driver');
  t_assert(k.get(k.L.DRV_STATE) === DS_NONE);
  return k;
}

// drivers/cxl/core/region_sysram.c: cxl_sysram_release calls sysram_hotplug_remove (its -EINTR is
// ignored) then kfree(sysram), and sysram embeds the np registered by add_private_memory_driver_managed;
// include/linux/node_private.h: the owner must keep np valid until node_private_unregister returned.
test('finding (INV-NP-LIFETIME): a signal fails every offline attempt (-EINTR, still pending), cxl_sysram_release frees the sysram with its np registered; the next probe\'s new np gets -EBUSY', (t) => {
  const k = signalledTeardown([]);
  t.is(k.get(k.L.BLOCK_STATE, pBlock(k)), BLOCK_ONLINE, 'memory still online');
  t.not(nodePrivateNp(k, P), -1, 'the freed np is still pgdat->node_private');
  t.is(flags(k) & (DF_NP_OLD | DF_NP_FREED), DF_NP_OLD | DF_NP_FREED);
  const props = kernelProperties(k.m);
  const inv = props.find((p) => p.id === 'INV-NP-LIFETIME')!;
  t.regex(inv.check(new Uint32Array(k.s.buffer)) ?? '', /freed/);
  t.true(step(k, 'driver')); // re-probe: devm_cxl_add_sysram with a new sysram
  t.is(flags(k) & DF_RES, 0, 'node_private_register(new np) = -EBUSY: the hot-add failed');
  // Fix sysram-release-keeps-np: the sysram is kept (WARN), np stays valid.
  const f = signalledTeardown(['sysram-release-keeps-np']);
  t.is(flags(f) & (DF_NP_OLD | DF_NP_FREED), DF_NP_OLD);
  t.is(inv.check(new Uint32Array(f.s.buffer)), null);
});
