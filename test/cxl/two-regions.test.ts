// Issue 12 item 11: two CXL regions on one private node (config `tworegions`).
// v4, katherinemohr/ltram-linux @ bc4b49e8fbde8fdfe17b7f2bd04fd8880a27e25f:
// - drivers/cxl/core/region_sysram.c, devm_cxl_add_sysram: `sysram->np.owner = sysram` (an np per
//   sysram, i.e. per region), and `rc = sysram_hotplug_add(sysram, sysram->online_type); if (rc)
//   dev_warn(dev, "hotplug failed: %d\n", rc);` then `return devm_add_action_or_reset(...)`: 0.
// - drivers/base/node.c, node_private_register: `if (existing) { if (existing != np) { ret = -EBUSY;`
//   ("Only one driver can register per node"); node_private_set_ops: `else np->ops = ops;` (no owner).
// - drivers/cxl/type3_drivers/cxl_mempolicy/mempolicy.c, setup_private_node: devm_cxl_add_sysram(cxlr,
//   true, MMOP_ONLINE_MOVABLE), then `rc = node_private_set_ops(ctx->nid, &cxl_mempolicy_ops);`.
// - drivers/cxl/type3_drivers/cxl_compression/compression.c, convert_region_to_sysram: after
//   devm_cxl_add_sysram, `cram_register_private_node(nid, cxlr, cxl_compression_flush_cb, flush_ctx)`;
//   cxl_compression_flush_cb: `unsigned long idx = pfn - ctx->base_pfn;` into a flush_record of
//   ctx->nr_pages bits.
import test from 'ava';
import { CN_PUBLISHED } from '../../src/cram/cram.ts';
import { cxlCompressionFlushCb, DF_NP_UNREG, DF_RES } from '../../src/cxl/compression.ts';
import { driverProbeAtBoot } from '../../src/cxl/region_sysram.ts';
import { regionABlocks, regionBBlocks } from '../../src/cxl/regions.ts';
import { boot } from '../../src/kernel/boot.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { BLOCK_ABSENT, BLOCK_ONLINE, EBUSY, N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import { event2Set, EV2_FLUSH_RECORD_OOB } from '../../src/kernel/ghost.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { nodePrivateNp, nodePrivateUnregisterBegin } from '../../src/kernel/node_private.ts';
import { rbFlags, RB_NP, RB_NP_FREED, RB_RES } from '../../src/kernel/np_owner.ts';
import { OPS_CRAM, opsIdByName } from '../../src/kernel/ops_table.ts';
import { kernelProperties } from '../../properties/index.ts';
import { step } from '../helpers/scenario.ts';

const P = 1; // tworegions: D0 = N0, P = N1

function machine(fixes: readonly string[] = []): Kernel {
  return boot(buildMachine(configByName('tworegions', { fixes })));
}

function violated(k: Kernel, id: string): string | null {
  const p = kernelProperties(k.m).find((x) => x.id === id);
  if (!p) throw new Error(`no property ${id}`);
  return p.check(new Uint32Array(k.s.buffer));
}

/** Region B's driver (cpu1) runs its next program op to its end (the probe and the remove are two steps each). */
function regionB(k: Kernel): void {
  const pc = k.get(k.L.THR_PC, k.g.cpuThread(1));
  for (let i = 0; i < 4 && k.get(k.L.THR_PC, k.g.cpuThread(1)) === pc; i++) step(k, 'cpu1');
}

test('tworegions: P has two memory blocks, region A the first and region B the second', (t) => {
  const k = machine();
  t.deepEqual(regionABlocks(k, P), { first: k.g.blocks.findIndex((b) => b.node === P), n: 1 });
  t.is(regionBBlocks(k, P).n, 1);
  t.is(regionBBlocks(k, P).first, regionABlocks(k, P).first + 1);
});

test('v4: region B probed while region A is online: its np is refused (-EBUSY), and its set_ops overwrites cram_ops in region A\'s np', (t) => {
  const k = machine();
  driverProbeAtBoot(k);
  const slot = nodePrivateNp(k, P);
  t.is(k.get(k.L.NP_OPS, slot), OPS_CRAM);
  t.is(violated(k, 'INV-NP-OPS-OWNER'), null);
  regionB(k);
  const b = regionBBlocks(k, P).first;
  t.is(k.get(k.L.BLOCK_STATE, b), BLOCK_ABSENT, 'region B was not hot-added: node_private_register returned -EBUSY');
  t.is(rbFlags(k) & (RB_RES | RB_NP), 0);
  t.is(nodePrivateNp(k, P), slot, "region A's np stays registered");
  t.is(k.get(k.L.NP_OPS, slot), opsIdByName(k, 'cxl_mempolicy'), 'node_private_set_ops replaced cram_ops');
  t.regex(violated(k, 'INV-NP-OPS-OWNER') ?? '', /carries ops written by region B/);
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED, 'CRAM still believes it manages the node');
});

test('fix sysram-add-fails-probe: region B\'s probe fails at devm_cxl_add_sysram and leaves cram_ops alone', (t) => {
  const k = machine(['sysram-add-fails-probe']);
  driverProbeAtBoot(k);
  regionB(k);
  t.is(k.get(k.L.NP_OPS, nodePrivateNp(k, P)), OPS_CRAM);
  t.is(violated(k, 'INV-NP-OPS-OWNER'), null);
});

test('v4: region B first, then region A: A is refused, and cram_register_private_node sets cram_ops in region B\'s np over B\'s memory', (t) => {
  const k = machine();
  regionB(k);
  const b = regionBBlocks(k, P).first;
  t.is(k.get(k.L.BLOCK_STATE, b), BLOCK_ONLINE);
  t.is(rbFlags(k) & (RB_RES | RB_NP), RB_RES | RB_NP);
  t.true(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  driverProbeAtBoot(k);
  t.is(k.get(k.L.DRV_FLAGS) & DF_RES, 0, "region A's range was not added");
  t.is(k.get(k.L.BLOCK_STATE, regionABlocks(k, P).first), BLOCK_ABSENT);
  t.is(k.get(k.L.CN_STATE, P), CN_PUBLISHED, 'CRAM registered on the node: N_MEMORY_PRIVATE (region B\'s memory)');
  t.is(k.get(k.L.NP_OPS, nodePrivateNp(k, P)), OPS_CRAM);
  t.regex(violated(k, 'INV-NP-OPS-OWNER') ?? '', /registered by region B .* written by region A/);
  // A folio of region B freed through CRAM reaches region A's flush callback: idx = pfn - base_pfn
  // lies outside region A's flush_record.
  t.false(event2Set(k, EV2_FLUSH_RECORD_OOB));
  t.is(violated(k, 'INV-MEM-SAFETY'), null);
  cxlCompressionFlushCb(k, k.g.driverThread, k.g.blocks[b]!.firstPfn);
  t.true(event2Set(k, EV2_FLUSH_RECORD_OOB));
  t.not(violated(k, 'INV-MEM-SAFETY'), null);
});

test('v4: with each region its own np, node_private_unregister\'s -EBUSY (another range still online) is not reachable through the two regions: only one range is ever online', (t) => {
  const k = machine();
  regionB(k); // B online with its np
  driverProbeAtBoot(k); // A refused
  regionB(k); // B removed: offline_and_remove_private_memory -> node_private_unregister
  t.is(k.get(k.L.BLOCK_STATE, regionBBlocks(k, P).first), BLOCK_ABSENT);
  t.is(nodePrivateNp(k, P), -1, 'unregister returned 0: the node had no other memory online');
  t.false(k.has(k.L.NODE_STATES, P, N_MEMORY_PRIVATE));
  t.not(nodePrivateUnregisterBegin(k, P), -EBUSY);
});

test('v4: region B removed (its np unregistered), then re-probed: its new np registers and region A\'s np keeps its own ops', (t) => {
  const k = machine();
  regionB(k); // probe
  regionB(k); // remove
  t.is(nodePrivateNp(k, P), -1);
  regionB(k); // re-probe: a new sysram, a new np
  t.is(rbFlags(k) & (RB_RES | RB_NP), RB_RES | RB_NP);
  t.is(k.get(k.L.NP_OPS, nodePrivateNp(k, P)), opsIdByName(k, 'cxl_mempolicy'));
  t.is(violated(k, 'INV-NP-OPS-OWNER'), null);
});

test('modelling choice: region B\'s np takes the node\'s np slot only once region A\'s driver is back from node_private_unregister (DF_NP_UNREG); then it registers', (t) => {
  const k = machine();
  driverProbeAtBoot(k);
  // Region A's teardown up to node_private_unregister's second stage.
  let n = 0;
  while (!(k.get(k.L.DRV_FLAGS) & DF_NP_UNREG) && n++ < 30) t.true(step(k, 'driver'));
  t.true((k.get(k.L.DRV_FLAGS) & DF_NP_UNREG) !== 0);
  t.is(nodePrivateNp(k, P), -1, 'the pointer is cleared');
  t.false(step(k, 'cpu1'), "region B's probe waits: the slot's np is still region A's, inside unregister");
  t.true(step(k, 'driver')); // unregister's second stage returns
  t.is(k.get(k.L.DRV_FLAGS) & DF_NP_UNREG, 0);
  regionB(k);
  t.is(rbFlags(k) & (RB_RES | RB_NP), RB_RES | RB_NP);
});

test('v4: region B\'s remove is clear_ops, then the sysram release (offline_pages\' rounds, test/cxl/region-b-offline.test.ts); a failed removal with fix sysram-release-keeps-np keeps its np valid', (t) => {
  const k = machine();
  regionB(k);
  t.true(step(k, 'cpu1')); // remove, step 1: node_private_clear_ops
  t.is(k.get(k.L.NP_OPS, nodePrivateNp(k, P)), 0);
  t.is(k.get(k.L.BLOCK_STATE, regionBBlocks(k, P).first), BLOCK_ONLINE, 'the range is still online');
  // cxl_destroy_region -> cxl_sysram_release: offline_and_remove_private_memory's steps to the end.
  const pc = k.get(k.L.THR_PC, k.g.cpuThread(1));
  for (let i = 0; i < 10 && k.get(k.L.THR_PC, k.g.cpuThread(1)) === pc; i++) t.true(step(k, 'cpu1'));
  t.is(k.get(k.L.BLOCK_STATE, regionBBlocks(k, P).first), BLOCK_ABSENT);
  t.is(nodePrivateNp(k, P), -1);
  t.is(rbFlags(k) & RB_NP_FREED, 0);
});
