// kernel/cgroup/cpuset.c with v4 (SEMANTICS 2.3).
import test from 'ava';
import { __GFP_HARDWALL, GFP_KERNEL, MPOL_BIND, MPOL_F_PRIVATE } from '../../src/kernel/defs.ts';
import { cpusetHandleHotplug, cpusetNodeAllowed, guaranteeOnlineMems } from '../../src/kernel/cpuset.ts';
import { VMA_MAPPED } from '../../src/kernel/layout.ts';
import { offlineAndRemovePrivateMemory } from '../../src/kernel/memory_hotplug.ts';
import { doMbind, vmaPolicy } from '../../src/kernel/mempolicy.ts';
import { bootExample, bootWithP, D0, D1, nodeBlocks, P } from '../helpers/machines.ts';

const bit = (...n: number[]) => n.reduce((m, x) => m | (1 << x), 0);

test('boot: root cpuset mems = N_MEMORY; cpusets disabled unless the config has the cpuset actor', (t) => {
  const k = bootExample();
  t.is(k.get(k.L.G_CPUSET_MEMS), bit(D0, D1));
  t.is(k.get(k.L.G_CPUSET_ENABLED), 0);
  t.is(bootExample({ cpuset: true }).get(k.L.G_CPUSET_ENABLED), 1);
});

test('cpuset_handle_hotplug: new mems = N_MEMORY ∪ N_MEMORY_PRIVATE, so root tasks\' mems_allowed include P', (t) => {
  const k = bootWithP();
  t.is(k.get(k.L.G_CPUSET_MEMS), bit(D0, D1, P));
  const { first, n } = nodeBlocks(k, P);
  offlineAndRemovePrivateMemory(k, P, first, n, 0);
  t.is(k.get(k.L.G_CPUSET_MEMS), bit(D0, D1));
  cpusetHandleHotplug(k); // idempotent
  t.is(k.get(k.L.G_CPUSET_MEMS), bit(D0, D1));
});

test('guarantee_online_mems: ascend to the first cpuset with N_MEMORY, then add back the original cpuset\'s private nodes', (t) => {
  const k = bootWithP();
  t.is(guaranteeOnlineMems(k, bit(P), [bit(5), bit(D1)]), bit(D1, P));
  t.is(guaranteeOnlineMems(k, bit(D0, P)), bit(D0, P));
  // Only private nodes all the way up: falls back to the root's N_MEMORY part.
  t.is(guaranteeOnlineMems(k, bit(P), [bit(P)]), bit(D0, D1, P));
});

test('cpuset_current_node_allowed is unchanged (11.1): private nodes in mems_allowed are allowed by the cpuset check', (t) => {
  const k = bootWithP({ cpuset: true });
  t.true(cpusetNodeAllowed(k, P, GFP_KERNEL | __GFP_HARDWALL, true));
  k.set(k.L.G_CPUSET_MEMS, 0, bit(D0));
  t.false(cpusetNodeAllowed(k, D1, GFP_KERNEL, true));
  t.true(cpusetNodeAllowed(k, D1, GFP_KERNEL, false)); // interrupt context
  k.set(k.L.G_CPUSET_ENABLED, 0, 0);
  t.true(cpusetNodeAllowed(k, D1, GFP_KERNEL, true));
});

test('hotplug rebinds policies (mpol_rebind_mm): BIND {P} becomes BIND {D0} without MPOL_F_PRIVATE when P goes away', (t) => {
  const k = bootWithP({}, 'mpol');
  k.setBits(k.L.VMA_FLAGS, 0, VMA_MAPPED);
  t.is(doMbind(k, 0, 0, MPOL_BIND, bit(P)), 0);
  t.is(vmaPolicy(k, 0, 0).flags, MPOL_F_PRIVATE);
  const { first, n } = nodeBlocks(k, P);
  offlineAndRemovePrivateMemory(k, P, first, n, 0);
  // nodes_remap: P was position 2 of {D0,D1,P}; 2 mod 2 = position 0 of {D0,D1}.
  t.deepEqual(vmaPolicy(k, 0, 0), { mode: MPOL_BIND, nodes: bit(D0), flags: 0 });
});

test('cpuset_spread_node skips private nodes; with only private nodes in mems_allowed it would never return (-1)', async (t) => {
  const { cpusetSpreadNode } = await import('../../src/kernel/cpuset.ts');
  const k = bootWithP();
  const seen: number[] = [];
  let rotor = P;
  for (let i = 0; i < 4; i++) {
    const r = cpusetSpreadNode(k, rotor);
    seen.push(r.node);
    rotor = r.rotor;
  }
  t.deepEqual(seen, [D0, D1, D0, D1]);
  k.set(k.L.G_CPUSET_MEMS, 0, bit(P));
  t.is(cpusetSpreadNode(k, 0).node, -1);
});
