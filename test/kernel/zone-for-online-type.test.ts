// Issue 12 item 11, first clause: the online type chooses the zone.
// v4 (katherinemohr/ltram-linux @ bc4b49e8fbde8fdfe17b7f2bd04fd8880a27e25f), mm/memory_hotplug.c:
//   zone_for_pfn_range(): `if (online_type == MMOP_ONLINE_KERNEL) return default_kernel_zone_for_pfn(...);
//   if (online_type == MMOP_ONLINE_MOVABLE) return &NODE_DATA(nid)->node_zones[ZONE_MOVABLE];
//   if (online_policy == ONLINE_POLICY_AUTO_MOVABLE) return auto_movable_zone_for_pfn(...);
//   return default_zone_for_pfn(...);` with no private-node case; default_zone_for_pfn inherits the
//   zone that spans the range (`if (in_kernel ^ in_movable)`), else `movable_node_enabled ?
//   movable_zone : kernel_zone`. online_pages() then takes that zone (`const int nid = zone_to_nid(zone)`)
//   and only decides N_MEMORY_PRIVATE vs N_MEMORY by pgdat_is_private.
// The CXL drivers pass MMOP_ONLINE_MOVABLE: compression.c convert_region_to_sysram
//   `devm_cxl_add_sysram(cxlr, true, MMOP_ONLINE_MOVABLE)`, mempolicy.c setup_private_node the same.
import test from 'ava';
import { EINVAL, MMOP_ONLINE, MMOP_ONLINE_KERNEL, MMOP_ONLINE_MOVABLE, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from '../../src/kernel/defs.ts';
import { zoneType } from '../../src/kernel/geometry.ts';
import { addPrivateMemoryDriverManaged, zoneForPfnRange } from '../../src/kernel/memory_hotplug.ts';
import { bootExample, D0, nodeBlocks, P } from '../helpers/machines.ts';
import { allocMatrixStep } from '../../src/kernel/alloc_matrix.ts';
import { boot } from '../../src/kernel/boot.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { buildMachine } from '../../src/kernel/kernel.ts';
import { cpuStep } from '../../src/kernel/workload.ts';

test('MMOP_ONLINE_MOVABLE selects ZONE_MOVABLE of the node: the zone the CXL drivers\' private regions get', (t) => {
  const k = bootExample();
  const { first } = nodeBlocks(k, P);
  t.is(zoneType(zoneForPfnRange(k, MMOP_ONLINE_MOVABLE, first)), ZONE_MOVABLE);
  t.is(zoneForPfnRange(k, MMOP_ONLINE_MOVABLE, first), k.g.blocks[first]!.zone);
  t.is(addPrivateMemoryDriverManaged(k, P, first, 1, MMOP_ONLINE_MOVABLE, 0), 0);
});

test('MMOP_ONLINE_KERNEL selects ZONE_NORMAL of the private node (v4 adds no private-node case): the model refuses it as a limitation instead of onlining into ZONE_MOVABLE', (t) => {
  const k = bootExample();
  const { first } = nodeBlocks(k, P);
  t.is(zoneType(zoneForPfnRange(k, MMOP_ONLINE_KERNEL, first)), ZONE_NORMAL);
  t.throws(() => addPrivateMemoryDriverManaged(k, P, first, 1, MMOP_ONLINE_KERNEL, 0), { message: /model limitation/ });
});

test('MMOP_ONLINE on a node no zone spans yet: default_zone_for_pfn gives the kernel zone (movable_node off)', (t) => {
  const k = bootExample();
  const { first } = nodeBlocks(k, P);
  t.is(zoneType(zoneForPfnRange(k, MMOP_ONLINE, first)), ZONE_NORMAL);
});

test('MMOP_ONLINE inherits ZONE_MOVABLE when only it spans the range (a block between two online MOVABLE blocks)', (t) => {
  const k = bootExample({ pMovable: 3 });
  const { first } = nodeBlocks(k, P);
  t.is(addPrivateMemoryDriverManaged(k, P, first, 3, MMOP_ONLINE_MOVABLE, 0), 0);
  t.is(zoneType(zoneForPfnRange(k, MMOP_ONLINE, first + 1)), ZONE_MOVABLE);
});

test('default_kernel_zone_for_pfn: a lower zone spanning the range (D0\'s DMA32) is the kernel zone', (t) => {
  const k = bootExample();
  const dma32 = k.g.blocks.findIndex((b) => b.node === D0 && zoneType(b.zone) === ZONE_DMA32);
  t.is(zoneType(zoneForPfnRange(k, MMOP_ONLINE_KERNEL, dma32)), ZONE_DMA32);
});

test('an online type outside OFFLINE..ONLINE_MOVABLE is still -EINVAL before any zone is chosen', (t) => {
  const k = bootExample();
  const { first } = nodeBlocks(k, P);
  t.is(addPrivateMemoryDriverManaged(k, P, first, 1, 7, 0), -EINVAL);
});

// v4 refuses no online type for private memory: drivers/cxl/core/region_sysram.c hotplug_store
// (`online_type = mhp_online_type_from_str(buf); ... rc = sysram_hotplug_add(sysram, online_type);`)
// -> add_private_memory_driver_managed(..., online_type, &sysram->np) -> __add_memory_driver_managed,
// with no check of the type. Config zonenormal gives P a ZONE_NORMAL block and adds it online_kernel.
test('zonenormal: the sysram hotplug attribute\'s online_kernel puts P in ZONE_NORMAL, where a GFP_KERNEL | __GFP_PRIVATE | __GFP_THISNODE request preferring P finds a page (in ZONE_MOVABLE it finds none)', (t) => {
  const pick = (name: 'zonenormal' | 'opsrows'): number => {
    const k = boot(buildMachine(configByName(name)));
    t.true(cpuStep(k, 0)); // add_private_memory_driver_managed(P, np0, online type of the config)
    const priv = k.g.nodes - 1;
    const pfn = allocMatrixStep(k, priv, ['GFP_KERNEL', '__GFP_PRIVATE', '__GFP_THISNODE'], undefined);
    return pfn < 0 ? -1 : k.g.pfnNode[pfn]!;
  };
  const k = boot(buildMachine(configByName('zonenormal')));
  const { first } = nodeBlocks(k, 1);
  t.is(zoneType(k.g.blocks[first]!.zone), ZONE_NORMAL);
  t.is(pick('zonenormal'), 1);
  t.is(pick('opsrows'), -1); // P's block in ZONE_MOVABLE (online_movable): above gfp_zone(GFP_KERNEL)
});
