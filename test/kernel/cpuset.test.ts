// kernel/cgroup/cpuset.c with v4 (SEMANTICS 2.3).
import test from 'ava';
import { __GFP_HARDWALL, EINVAL, ENOSPC, GFP_KERNEL, MPOL_BIND, MPOL_F_PRIVATE } from '../../src/kernel/defs.ts';
import { cpusetHandleHotplug, cpusetNodeAllowed, cpusetWriteMems, guaranteeOnlineMems } from '../../src/kernel/cpuset.ts';
import { VMA_MAPPED } from '../../src/kernel/layout.ts';
import { offlineAndRemovePrivateMemory } from '../../src/kernel/memory_hotplug.ts';
import { doMbind, mpolRebindMm, vmaPolicy } from '../../src/kernel/mempolicy.ts';
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

test('guarantee_online_mems ascends to parent_cs(cs) = top_cpuset (its effective_mems), whichever task is current: a cpuset of P only gives its tasks the root\'s N_MEMORY nodes, not the caller\'s mems_allowed (kernel/cgroup/cpuset.c v4: "while (!nodes_intersects(cs->effective_mems, node_states[N_MEMORY])) cs = parent_cs(cs);")', (t) => {
  const k = bootWithP({ cpuset: true });
  k.set(k.L.TASK_MEMS, 0, bit(D0, P));
  k.current = k.g.cpuThread(0);
  t.is(guaranteeOnlineMems(k, bit(P)), bit(D0, D1, P));
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

test('cgroup v2: hotplug rebinds a root task\'s VMA policies to top_cpuset.mems_allowed = node_possible_map (cpuset_update_tasks_nodemask -> mpol_rebind_mm(mm, &cs->mems_allowed)); a policy whose w already equals it is left alone (mpol_rebind_policy)', (t) => {
  const k = bootWithP({}, 'mpol');
  k.setBits(k.L.VMA_FLAGS, 0, VMA_MAPPED);
  t.is(doMbind(k, 0, 0, MPOL_BIND, bit(P)), 0);
  t.is(vmaPolicy(k, 0, 0).flags, MPOL_F_PRIVATE);
  t.is(k.get(k.L.VMA_POL_W, 0), bit(D0, D1, P), "w.cpuset_mems_allowed = the task's mems_allowed at mbind");
  const { first, n } = nodeBlocks(k, P);
  offlineAndRemovePrivateMemory(k, P, first, n, 0);
  // w = {D0,D1,P} = node_possible_map: nodes_equal -> no rebind; the BIND mask keeps the offline P.
  t.deepEqual(vmaPolicy(k, 0, 0), { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_PRIVATE });
});

test('mpol_rebind_nodemask (default remap) from w to the new mask by position, then v4 recomputes MPOL_F_PRIVATE', (t) => {
  const k = bootWithP({}, 'mpol');
  k.setBits(k.L.VMA_FLAGS, 0, VMA_MAPPED);
  t.is(doMbind(k, 0, 0, MPOL_BIND, bit(D1)), 0);
  t.is(k.get(k.L.VMA_POL_W, 0), bit(D0, D1, P));
  mpolRebindMm(k, 0, bit(D0, P));
  // nodes_remap: D1 is position 1 of {D0,D1,P} -> position 1 of {D0,P} = P (which has NP_OPS_MEMPOLICY here).
  t.deepEqual(vmaPolicy(k, 0, 0), { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_PRIVATE });
  t.is(k.get(k.L.VMA_POL_W, 0), bit(D0, P));
  mpolRebindMm(k, 0, bit(D0, P)); // w equal: mpol_rebind_policy returns at once
  t.is(vmaPolicy(k, 0, 0).nodes, bit(P));
});

test('child cpuset (cgroup v2): update_nodemask -> update_nodemasks_hier: effective = mems ∩ parent (parent when empty); tasks get guarantee_online_mems (v4 keeps the child\'s private nodes and adds the nearest N_MEMORY); -EINVAL outside node_possible_map; -ENOSPC emptying a populated cpuset', (t) => {
  const k = bootWithP({ cpuset: true });
  t.is(k.get(k.L.CS_CHILD_MEMS), bit(D0, D1, P));
  t.is(k.get(k.L.CS_CHILD_EFF), bit(D0, D1, P));
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0, D1, P));
  t.is(cpusetWriteMems(k, bit(P)), 0);
  t.is(k.get(k.L.CS_CHILD_EFF), bit(P));
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0, D1, P), 'guarantee_online_mems: the root\'s N_MEMORY part plus P');
  t.is(cpusetWriteMems(k, bit(D1)), 0);
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D1));
  t.is(cpusetWriteMems(k, 1 << 7), -EINVAL);
  t.is(cpusetWriteMems(k, 0), -ENOSPC);
  t.is(k.get(k.L.G_CPUSET_MEMS), bit(D0, D1, P), 'the root never changes by a write');
  // cpuset_hotplug_update_tasks: P goes away -> the child's mems ∩ the root's.
  t.is(cpusetWriteMems(k, bit(D0, P)), 0);
  const { first, n } = nodeBlocks(k, P);
  offlineAndRemovePrivateMemory(k, P, first, n, 0);
  t.is(k.get(k.L.CS_CHILD_EFF), bit(D0));
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0));
  t.is(k.get(k.L.CS_CHILD_MEMS), bit(D0, P), 'cpuset.mems (v2) keeps what was written');
});

test('the cpuset check reads current->mems_allowed: a task of the child cpuset is refused a node its cpuset left out, a kernel thread (root) is not', (t) => {
  const k = bootWithP({ cpuset: true });
  t.is(cpusetWriteMems(k, bit(D0)), 0);
  k.current = k.g.cpuThread(0);
  t.false(cpusetNodeAllowed(k, D1, GFP_KERNEL | __GFP_HARDWALL, true));
  k.current = -1;
  t.true(cpusetNodeAllowed(k, D1, GFP_KERNEL | __GFP_HARDWALL, true));
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
