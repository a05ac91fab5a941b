// Issue 12 item 11: NUMA_NO_NODE (-1) as a nid, against v4
// (katherinemohr/ltram-linux @ bc4b49e8fbde8fdfe17b7f2bd04fd8880a27e25f).
// - drivers/base/node.c: node_private_register `if (!np || !node_possible(nid)) return -EINVAL;`,
//   node_private_set_ops `if (!node_possible(nid)) return -EINVAL;`, node_private_clear_ops and
//   node_private_unregister the same: node_possible(nid) is node_state(nid, N_POSSIBLE), a test_bit
//   of the nodemask, not a range check: for -1 it reads outside node_possible_map.
// - mm/cram.c: cram_register_private_node starts with `if (!node_state(nid, N_MEMORY_PRIVATE))`
//   (no cram_valid_nid, unlike cram_unregister_private_node / get_cram_node).
// - Who could pass -1: drivers/cxl/core/region_sysram.c: devm_cxl_add_sysram
//   `numa_node = sysram_get_numa_node(cxlr); if (numa_node < 0) { ... return -EINVAL; }` before any
//   hotplug or node_private call; convert_region_to_sysram and setup_private_node run their own
//   phys_to_target_node / memory_add_physaddr_to_nid only after devm_cxl_add_sysram succeeded (the
//   same region start, the same nid), and the remove paths test `nid == NUMA_NO_NODE` first. So no
//   v4 caller reaches the API with -1: the out-of-bounds bit test is latent.
import test from 'ava';
import { cramRegisterPrivateNode, cramUnregisterPrivateNode } from '../../src/cram/cram.ts';
import { cxlMempolicyProbeStep } from '../../src/cxl/region_b.ts';
import { boot } from '../../src/kernel/boot.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { EINVAL } from '../../src/kernel/defs.ts';
import { event2Set, EV2_NODEMASK_OOB } from '../../src/kernel/ghost.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { nodePrivateClearOps, nodePrivateRegister, nodePrivateSetOps, nodePrivateUnregisterBegin } from '../../src/kernel/node_private.ts';
import { OPS_CRAM, opsIdByName } from '../../src/kernel/ops_table.ts';
import { kernelProperties } from '../../properties/index.ts';

const NUMA_NO_NODE = -1;

function machine(): Kernel {
  return boot(buildMachine(configByName('tworegions')));
}

function memSafety(k: Kernel): string | null {
  return kernelProperties(k.m).find((p) => p.id === 'INV-MEM-SAFETY')!.check(new Uint32Array(k.s.buffer));
}

const API: readonly [string, (k: Kernel) => number, number][] = [
  ['node_private_register', (k) => nodePrivateRegister(k, NUMA_NO_NODE, 0), -EINVAL],
  ['node_private_set_ops', (k) => nodePrivateSetOps(k, NUMA_NO_NODE, OPS_CRAM), -EINVAL],
  ['node_private_clear_ops', (k) => nodePrivateClearOps(k, NUMA_NO_NODE, OPS_CRAM), -EINVAL],
  ['node_private_unregister', (k) => nodePrivateUnregisterBegin(k, NUMA_NO_NODE), 0],
  ['cram_register_private_node', (k) => cramRegisterPrivateNode(k, NUMA_NO_NODE, 0, true), -EINVAL],
];

for (const [name, call, ret] of API) {
  test(`${name}(NUMA_NO_NODE): node_possible/node_state is an out-of-bounds test_bit (INV-MEM-SAFETY), not a silent range check`, (t) => {
    const k = machine();
    t.is(memSafety(k), null);
    t.is(call(k), ret);
    t.true(event2Set(k, EV2_NODEMASK_OOB));
    t.regex(memSafety(k) ?? '', /NUMA_NO_NODE/);
  });
}

test('node_private_set_ops(NULL, NUMA_NO_NODE): the NULL check returns first, no bit test', (t) => {
  const k = machine();
  t.is(nodePrivateSetOps(k, NUMA_NO_NODE, 0), -EINVAL);
  t.false(event2Set(k, EV2_NODEMASK_OOB));
});

test('node_private_register(NUMA_NO_NODE, NULL): `!np ||` short-circuits before node_possible', (t) => {
  const k = machine();
  t.is(nodePrivateRegister(k, NUMA_NO_NODE, -1), -EINVAL);
  t.false(event2Set(k, EV2_NODEMASK_OOB));
});

test('cram_unregister_private_node(NUMA_NO_NODE): cram_valid_nid is a real range check', (t) => {
  const k = machine();
  t.is(cramUnregisterPrivateNode(k, 0, NUMA_NO_NODE).ret, -EINVAL);
  t.false(event2Set(k, EV2_NODEMASK_OOB));
});

test('the CXL callers never pass NUMA_NO_NODE: devm_cxl_add_sysram rejects a negative node before any node_private call', (t) => {
  const k = machine();
  t.is(cxlMempolicyProbeStep(k, NUMA_NO_NODE, opsIdByName(k, 'cxl_mempolicy')), 'done');
  t.false(event2Set(k, EV2_NODEMASK_OOB));
  t.is(memSafety(k), null);
});
