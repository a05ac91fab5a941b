// Issue 12 item 11: two compression regions on one private node (config `cram2`).
// v4, katherinemohr/ltram-linux @ bc4b49e8fbde8fdfe17b7f2bd04fd8880a27e25f,
// drivers/cxl/type3_drivers/cxl_compression/compression.c:
// - convert_region_to_sysram, per region: `rc = devm_cxl_add_sysram(cxlr, true, MMOP_ONLINE_MOVABLE);`
//   (a refused hot-add is only warned inside it: drivers/cxl/core/region_sysram.c, devm_cxl_add_sysram,
//   `if (rc) dev_warn(dev, "hotplug failed: %d\n", rc);`), then its own `flush_ctx` (`base_pfn =
//   PHYS_PFN(region_start)`, `nr_pages = region_size >> PAGE_SHIFT`, `flush_record_alloc(nr_pages)`),
//   its own kthread, then `rc = cram_register_private_node(nid, cxlr, cxl_compression_flush_cb,
//   flush_ctx);` and on failure `goto err_pcpu_init` (kthread_stop, buffers and bitmap freed).
// - cxl_compression_pre_teardown: `cram_unregister_private_node(tctx->nid);` (by node, whoever owns it),
//   then the offline retries; cxl_compression_post_teardown frees the context.
// - cxl_compression_flush_cb: `unsigned long idx = pfn - ctx->base_pfn;` then
//   `flush_record_test_and_clear(ctx->flush_record, idx)` / `flush_record_set(...)`.
// mm/cram.c, cram_register_private_node: `if (cn) { if (cn->owner != owner) { ... return -EBUSY; }`;
// `cn->flush_cb = flush_cb; cn->flush_data = flush_data;` and `node_private_set_ops(nid, &cram_ops)`
// on whatever np the node has registered.
import test from 'ava';
import { CN_PUBLISHED } from '../../src/cram/cram.ts';
import { DF_CN_OLD, DF_FLUSH_CTX, DF_IRQS, DF_PRE_TEARDOWN, DF_RES, DF_SYSRAM } from '../../src/cxl/compression.ts';
import { cramSetPressureBegin, cramSetPressureStep } from '../../src/cram/pressure.ts';
import { REF_CN_OLD } from '../../src/kernel/layout.ts';
import { DS_CRAM, DS_NONE, DS_OFFLINE, DS_PROBED, DS_UNREG_DRAIN } from '../../src/cxl/region_sysram.ts';
import { compRegionBlocks, compRegionOfPfn, DRIVER2_OWNER, DRIVER_OWNER } from '../../src/cxl/regions.ts';
import { boot } from '../../src/kernel/boot.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { BLOCK_ABSENT, BLOCK_ONLINE, GFP_PRIVATE, N_MEMORY_PRIVATE, __GFP_HIGHMEM, __GFP_MOVABLE } from '../../src/kernel/defs.ts';
import { event2Set, EV2_FLUSH_RECORD_OOB } from '../../src/kernel/ghost.ts';
import { folioPut } from '../../src/kernel/folio.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { nodePrivateNp } from '../../src/kernel/node_private.ts';
import { rbFlags, RB_NP } from '../../src/kernel/np_owner.ts';
import { OPS_CRAM } from '../../src/kernel/ops_table.ts';
import { allocPagesNode, NULL_PFN } from '../../src/kernel/page_alloc.ts';
import { unregisteringRegion } from '../../src/kernel/free_window.ts';
import { kernelProperties } from '../../properties/index.ts';
import { step } from '../helpers/scenario.ts';

const P = 1; // cram2: D0 = N0, P = N1

function machine(fixes: readonly string[] = []): Kernel {
  return boot(buildMachine(configByName('cram2', { fixes })));
}

function violated(k: Kernel, id: string): string | null {
  const p = kernelProperties(k.m).find((x) => x.id === id);
  if (!p) throw new Error(`no property ${id}`);
  return p.check(new Uint32Array(k.s.buffer));
}

/** Region r's driver steps (choice 0) until its state is `until`. */
function driveTo(k: Kernel, r: number, until: number): void {
  for (let i = 0; i < 40 && k.get(k.L.DRV_STATE, r) !== until; i++) if (!step(k, r ? 'driver2' : 'driver')) break;
  if (k.get(k.L.DRV_STATE, r) !== until) throw new Error(`region ${r}: state ${k.get(k.L.DRV_STATE, r)}, wanted ${until}`);
}

/** A folio on P (what a demotion leaves there), allocated as alloc_cram_folio does. */
function folioOnP(k: Kernel): number {
  const pfn = allocPagesNode(k, P, GFP_PRIVATE | __GFP_HIGHMEM | __GFP_MOVABLE, 0);
  if (pfn === NULL_PFN) throw new Error('no page on P');
  return pfn;
}

const userTid = (k: Kernel): number => k.g.cpuThread(0);

test('cram2: two compression regions, each its own blocks, driver instance, flush context and threads; one-region configs keep their layout', (t) => {
  const k = machine();
  t.is(k.g.compRegions, 2);
  const a = compRegionBlocks(k, P, 0);
  const b = compRegionBlocks(k, P, 1);
  t.is(a.n, 1);
  t.true(b.n >= 1);
  t.is(b.first, a.first + 1);
  t.is(compRegionOfPfn(k, k.g.blocks[a.first]!.firstPfn), 0);
  t.is(compRegionOfPfn(k, k.g.blocks[b.first]!.firstPfn), 1);
  t.not(k.g.driverThreadOf(1), k.g.driverThread);
  t.not(k.g.flushThreadOf(1), k.g.flushThread);
  t.is(k.L.DRV_STATE.len, 2);
  t.is(k.g.flushBufs, 2 * 3 * k.cfg.cpus.length);
  // A one-region configuration: one driver instance, its buffers and threads as before.
  const one = buildMachine(configByName('canonical'));
  t.is(one.g.compRegions, 1);
  t.is(one.L.DRV_STATE.len, 1);
  t.is(one.L.CPU_BUF_ACTIVE.len, one.cfg.cpus.length);
  t.is(one.g.threads.filter((r) => r.kind === 'driver').length, 1);
});

test('v4: both probe; region 2 is refused its hot-add (only warned) and still registers CRAM first: region A gets -EBUSY and its frees index region 2\'s flush_record out of bounds', (t) => {
  const k = machine();
  step(k, 'driver'); // region A: devm_cxl_add_sysram, its np registered, its block online
  t.true((k.get(k.L.DRV_FLAGS, 0) & DF_RES) !== 0);
  driveTo(k, 1, DS_CRAM); // region 2: hot-add refused (-EBUSY), flush context, cram_register_private_node = 0
  t.is(k.get(k.L.BLOCK_STATE, compRegionBlocks(k, P, 1).first), BLOCK_ABSENT, "region 2's range was not added");
  t.is(k.get(k.L.CN_OWNER, P), DRIVER2_OWNER + 1, 'CRAM is registered by region 2 over region A\'s memory');
  t.is(k.get(k.L.NP_OPS, nodePrivateNp(k, P)), OPS_CRAM, "cram_ops went into region A's np");
  t.regex(violated(k, 'INV-NP-OPS-OWNER') ?? '', /registered by region A .* written by region 2/);
  driveTo(k, 0, DS_PROBED); // region A: its flush context, then cram_register_private_node = -EBUSY (owner differs)
  t.is(k.get(k.L.DRV_FLAGS, 0) & (DF_PRE_TEARDOWN | DF_FLUSH_CTX), 0, "region A's probe failed at cram_register_private_node (err_pcpu_init)");
  const f = folioOnP(k);
  t.is(compRegionOfPfn(k, f), 0);
  folioPut(k, userTid(k), f);
  t.true(event2Set(k, EV2_FLUSH_RECORD_OOB), "region 2's flush_cb: idx = pfn - base_pfn is below region 2's range");
  t.regex(violated(k, 'INV-MEM-SAFETY') ?? '', /out of bounds/);
});

test('v4: the teardown window: region 2\'s cram_register_private_node lands after region A\'s pre_teardown unregistered CRAM, on region A\'s memory still online', (t) => {
  const k = machine();
  driveTo(k, 0, DS_PROBED);
  t.is(k.get(k.L.CN_OWNER, P), DRIVER_OWNER + 1);
  const f = folioOnP(k); // a folio of region A's (a demoted page, a page the offline has yet to migrate)
  driveTo(k, 0, DS_OFFLINE); // pre_teardown: cram_unregister_private_node(nid) done, the offline next
  t.not(k.get(k.L.CN_STATE, P), CN_PUBLISHED);
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE), "region A's range is still online");
  driveTo(k, 1, DS_CRAM); // region 2 probes inside the window
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED);
  t.is(k.get(k.L.CN_OWNER, P), DRIVER2_OWNER + 1);
  folioPut(k, userTid(k), f);
  t.true(event2Set(k, EV2_FLUSH_RECORD_OOB), "region A's freed folio reached region 2's flush_cb");
  // The folio was deferred into one of region 2's buffers (ids 3C..6C-1), not region A's.
  const C = k.cfg.cpus.length;
  let where = -1;
  for (let b = 0; b < k.g.flushBufs; b++) if (k.get(k.L.BUF_LEN, b) > 0 && k.get(k.L.BUF_ENT, b * k.cfg.driver.bufMax) === f + 1) where = b;
  t.true(where >= 3 * C, `deferred in buffer ${where}`);
});

test('fix sysram-add-fails-probe: region 2\'s probe fails at devm_cxl_add_sysram inside region A\'s teardown window; CRAM stays unregistered', (t) => {
  const k = machine(['sysram-add-fails-probe']);
  driveTo(k, 0, DS_PROBED);
  driveTo(k, 0, DS_OFFLINE);
  t.true(step(k, 'driver2'));
  t.is(k.get(k.L.DRV_STATE, 1), DS_NONE, "region 2's probe failed");
  t.is(k.get(k.L.DRV_FLAGS, 1) & DF_SYSRAM, 0);
  t.not(k.get(k.L.CN_STATE, P), CN_PUBLISHED);
});

test('every fix: region 2 probes once region A\'s range is gone and holds CRAM over its own range; its flush_cb defers its own folios into its own buffers', (t) => {
  const k = machine(['sysram-add-fails-probe']);
  driveTo(k, 0, DS_PROBED);
  // Region A's teardown runs to its end: its range removed, its np out of node_private_unregister.
  driveTo(k, 0, DS_NONE);
  t.is(k.get(k.L.DRV_FLAGS, 0) & DF_RES, 0);
  t.true(nodePrivateNp(k, P) < 0);
  driveTo(k, 1, DS_PROBED);
  t.true((rbFlags(k) & RB_NP) !== 0, "region 2's np is registered");
  t.is(k.get(k.L.BLOCK_STATE, compRegionBlocks(k, P, 1).first), BLOCK_ONLINE);
  t.is(k.get(k.L.CN_OWNER, P), DRIVER2_OWNER + 1);
  const f = folioOnP(k);
  t.is(compRegionOfPfn(k, f), 1);
  folioPut(k, userTid(k), f);
  t.false(event2Set(k, EV2_FLUSH_RECORD_OOB));
  t.is(k.get(k.L.PG_FLUSH_BIT, f), 1);
  t.is(violated(k, 'INV-FLUSH-BIT'), null);
  t.is(violated(k, 'INV-NP-OPS-OWNER'), null);
});

test('free_folio window: the driver whose next step is cram_unregister_private_node\'s first stage is region A\'s or region 2\'s, whichever registered CRAM', (t) => {
  const k = machine(['sysram-add-fails-probe']);
  t.is(unregisteringRegion(k), -1);
  driveTo(k, 0, DS_PROBED);
  t.is(unregisteringRegion(k), 0);
  driveTo(k, 0, DS_NONE);
  t.is(unregisteringRegion(k), -1);
  driveTo(k, 1, DS_PROBED);
  t.is(unregisteringRegion(k), 1);
  t.true(step(k, 'driver2')); // region 2's pre_teardown: cram_unregister_private_node's first stage
  t.not(k.get(k.L.CN_STATE, P), CN_PUBLISHED);
  t.is(unregisteringRegion(k), -1);
});

// mm/cram.c, cram_unregister_private_node: `rcu_assign_pointer(cram_nodes[nid], NULL); mutex_unlock(&cram_mutex);
// ... synchronize_rcu(); while (!refcount_dec_if_one(&cn->refcount)) cond_resched(); kfree(cn);` drains and frees
// its own local `cn`; cram_register_private_node may publish a new cram_node for the node meanwhile.
test('v4: region 2 registers CRAM while region A\'s cram_unregister_private_node still drains its cram_node (an IRQ thread holds it): the old one is drained and freed, the new one stays published', (t) => {
  const k = machine();
  driveTo(k, 0, DS_PROBED);
  const irq = k.g.lthreshThread;
  t.is(cramSetPressureBegin(k, irq, P, 1000), 'more'); // S1: get_cram_node (region A's cn)
  driveTo(k, 0, DS_UNREG_DRAIN); // unpublished, synchronize_rcu done; the drain spins on the IRQ thread's reference
  t.false(step(k, 'driver'));
  driveTo(k, 1, DS_CRAM); // region 2: hot-add refused (warned), cram_register_private_node publishes a new cn
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED);
  t.is(k.get(k.L.CN_OWNER, P), DRIVER2_OWNER + 1);
  t.is(k.get(k.L.CN_OLD_REF, P), 2, "region A's cn drains aside: its base reference and the IRQ thread's");
  t.true(k.has(k.L.THR_REFS, irq, REF_CN_OLD));
  t.true((k.get(k.L.DRV_FLAGS, 0) & DF_CN_OLD) !== 0);
  t.is(violated(k, 'INV-REFCOUNT-BALANCE'), null);
  // The balance check counts the displaced cn's holders: a reference it does not account for is flagged.
  const save = k.get(k.L.CN_OLD_REF, P);
  k.set(k.L.CN_OLD_REF, P, save + 1);
  t.regex(violated(k, 'INV-REFCOUNT-BALANCE') ?? '', /displaced cram_node/);
  k.set(k.L.CN_OLD_REF, P, save);
  t.false(step(k, 'driver'), 'still spinning: the IRQ thread holds the old cn');
  while (k.get(k.L.THR_OP, irq) !== 0) cramSetPressureStep(k, irq); // S2-S4 through the old cn, then put_cram_node
  t.is(k.get(k.L.CN_OLD_REF, P), 1);
  t.true(step(k, 'driver')); // refcount_dec_if_one on the old cn, kfree
  t.is(k.get(k.L.DRV_STATE, 0), DS_OFFLINE);
  t.is(k.get(k.L.CN_OLD_REF, P), 0);
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED, "region 2's cram_node is not the one region A freed");
  t.is(violated(k, 'INV-NO-CRAM-AFTER-FREE'), null);
  t.is(violated(k, 'INV-DAEMONS'), null);
  // The old cn's holder applied its pressure to the node region 2's cn now manages (cn2->pressure is 0).
  t.is(k.get(k.L.NP_MIGRATION_BLOCKED, nodePrivateNp(k, P)), 1);
  t.regex(violated(k, 'INV-BACKPRESSURE-COHERENT') ?? '', /./);
});

// compression.c, convert_region_to_sysram: `devm_request_threaded_irq(&pdev->dev, irq, NULL, ..., IRQF_ONESHOT,
// "cxl-lthresh", wm_ctx)`: the vectors are the PCI device's (devm on &pdev->dev), released when the device
// unbinds, and not shared: a second request for the same vector fails and is only warned.
test('the device\'s watermark IRQs: the second region\'s request is refused while region A\'s instance holds them; they pass to it when region A unbinds', (t) => {
  const k = machine();
  driveTo(k, 0, DS_PROBED);
  t.true((k.get(k.L.DRV_FLAGS, 0) & DF_IRQS) !== 0);
  driveTo(k, 1, DS_PROBED); // hot-add refused, cram_register_private_node -EBUSY (region A's owner): no IRQs
  t.is(k.get(k.L.DRV_FLAGS, 1) & DF_IRQS, 0);
  driveTo(k, 0, DS_NONE);
  t.is(k.get(k.L.DRV_FLAGS, 0) & DF_IRQS, 0);
  t.true((k.get(k.L.DRV_FLAGS, 1) & DF_IRQS) !== 0, 'region 2 is still bound: the vectors stay requested');
});
