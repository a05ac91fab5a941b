// Task policies beyond faults (issue 12 item 10): kernel allocations in the
// task's context read current->mempolicy, MPOL_F_PRIVATE or not, and a fork
// child inherits the policy. v4: katherinemohr/ltram-linux @ bc4b49e8
// mm/mempolicy.c(.orig, patch 13 applied): alloc_frozen_pages_noprof ("if
// (!in_interrupt() && !(gfp & __GFP_THISNODE)) pol = get_task_policy(current);
// return alloc_pages_mpol(gfp, order, pol, NO_INTERLEAVE_INDEX,
// numa_node_id())"), policy_nodemask ("*nid = (ilx == NO_INTERLEAVE_INDEX) ?
// interleave_nodes(pol) : interleave_nid(pol, ilx)"), interleave_nodes
// ("nid = next_node_in(current->il_prev, policy->nodes); if (nid <
// MAX_NUMNODES) current->il_prev = nid; return nid;"), do_set_mempolicy
// ("current->il_prev = MAX_NUMNODES-1"), __mpol_dup ("*new = *old").
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { __GFP_PRIVATE, GFP_HIGHUSER_MOVABLE, MAX_NUMNODES, MMOP_ONLINE_MOVABLE, MPOL_BIND, MPOL_DEFAULT, MPOL_F_PRIVATE, MPOL_F_RELATIVE_NODES, MPOL_INTERLEAVE, MPOL_PREFERRED_MANY } from '../../src/kernel/defs.ts';
import { filemapGetFolio } from '../../src/kernel/filemap.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { EV2_NODE_DATA_OOB, event2Set } from '../../src/kernel/ghost.ts';
import { boot } from '../../src/kernel/boot.ts';
import { zoneNode } from '../../src/kernel/geometry.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { VMA_MAPPED } from '../../src/kernel/layout.ts';
import { allocPagesMpol, doMbind, doSetMempolicy, taskPolicy, vmaPolicy } from '../../src/kernel/mempolicy.ts';
import { addPrivateMemoryDriverManaged } from '../../src/kernel/memory_hotplug.ts';
import { nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { cpuStep } from '../../src/kernel/workload.ts';
import { bootWithP, D0, D1, P } from '../helpers/machines.ts';

const bit = (...n: number[]) => n.reduce((m, x) => m | (1 << x), 0);
const ALL = FIXES.map((f) => f.name);
function mapSlot(k: Kernel, mm: number, v: number): void {
  k.setBits(k.L.VMA_FLAGS, mm * k.cfg.vaddrs + v, VMA_MAPPED);
}

test('filemap_alloc_folio -> folio_alloc -> alloc_pages: an INTERLEAVE task policy spreads page-cache folios by il_prev (the VMA policy is ignored, the task\'s is not)', (t) => {
  const k = bootWithP({}, 'mpol');
  k.current = k.g.cpuThread(0);
  t.is(doSetMempolicy(k, 0, MPOL_INTERLEAVE, 0, bit(D0, D1)), 0);
  t.is(k.get(k.L.TASK_IL_PREV, 0), MAX_NUMNODES - 1);
  const a = filemapGetFolio(k, D0, 0, 0);
  const b = filemapGetFolio(k, D0, 0, 1);
  t.deepEqual([k.g.pfnNode[a], k.g.pfnNode[b]], [D0, D1]);
  t.is(k.get(k.L.TASK_IL_PREV, 0), D1);
});

test('a kernel thread (no task) allocates page-cache folios on its local node whatever a user task\'s policy is', (t) => {
  const k = bootWithP({}, 'mpol');
  k.current = k.g.cpuThread(0);
  t.is(doSetMempolicy(k, 0, MPOL_BIND, 0, bit(D1)), 0);
  k.current = -1;
  t.is(k.g.pfnNode[filemapGetFolio(k, D0, 0, 0)], D0);
});

test('interleave_nodes of an INTERLEAVE emptied by the v4 rebind returns MAX_NUMNODES: __alloc_pages would read NODE_DATA(MAX_NUMNODES) (EV2_NODE_DATA_OOB)', (t) => {
  const k = bootWithP({}, 'mpol');
  k.current = k.g.cpuThread(0);
  t.is(doSetMempolicy(k, 0, MPOL_INTERLEAVE, MPOL_F_RELATIVE_NODES, bit(1)), 0);
  // What the rebind of finding mpol-rebind-drop-before-fallback leaves: no node.
  k.set(k.L.TASK_POL_NODES, 0, 0);
  t.false(event2Set(k, EV2_NODE_DATA_OOB));
  t.is(filemapGetFolio(k, D0, 0, 0), -1);
  t.true(event2Set(k, EV2_NODE_DATA_OOB));
  t.is(k.get(k.L.TASK_IL_PREV, 0), MAX_NUMNODES - 1); // not stored back
});

test('fork: copy_process -> mpol_dup gives the child\'s task a copy of the parent\'s policy and il_prev (config taskpol)', (t) => {
  const k = boot(buildMachine(configByName('taskpol')));
  t.is(taskPolicy(k, 1).mode, MPOL_DEFAULT);
  // cpu0: set_mempolicy, alloc_page (interleave), fork
  for (let i = 0; i < 3; i++) t.true(cpuStep(k, 0));
  t.deepEqual(taskPolicy(k, 1), taskPolicy(k, 0));
  t.is(taskPolicy(k, 1).mode, MPOL_INTERLEAVE);
  t.is(k.get(k.L.TASK_POL_W, 1), k.get(k.L.TASK_POL_W, 0));
  t.is(k.get(k.L.TASK_IL_PREV, 1), k.get(k.L.TASK_IL_PREV, 0));
});

function first(fixes: readonly string[], mutant: string | null, keep: (id: string) => boolean): { property: string; depth: number } | null {
  const sys = kernelSystem(configByName('taskpol', { mutant, fixes }));
  const r = explore(withProperties(sys, keep), { strategy: 'bfs', maxStates: 300_000, stopAtFirstViolation: true });
  const v = r.violations[0];
  return v ? { property: v.property, depth: v.trace.length } : null;
}

test('v4 as posted (finding mpol-rebind-drop-before-fallback): the task INTERLEAVE emptied by a cpuset.mems write {D0, P} makes the task\'s next kernel allocation pass MAX_NUMNODES to __alloc_pages (INV-MEM-SAFETY, 4 steps); the fix mends it', (t) => {
  const v = first(ALL.filter((f) => f !== 'mpol-rebind-drop-before-fallback'), null, (id) => id === 'INV-MEM-SAFETY');
  t.deepEqual(v, { property: 'INV-MEM-SAFETY', depth: 4 });
  t.is(first(ALL, null, (id) => id === 'INV-MEM-SAFETY'), null);
});

test('mutant interleave-nodes-no-wrap: escapes every other invariant on taskpol (every fix on, exhaustive) and is caught by INV-MEM-SAFETY\'s NODE_DATA check', (t) => {
  t.is(first(ALL, 'interleave-nodes-no-wrap', (id) => id !== 'INV-MEM-SAFETY'), null);
  t.is(first(ALL, 'interleave-nodes-no-wrap', (id) => id === 'INV-MEM-SAFETY')?.property, 'INV-MEM-SAFETY');
});

test('kernel allocations in task context never add __GFP_PRIVATE (v4 adds it in vma_alloc_folio and alloc_migration_target_by_mpol only): a task BIND to an opted-in P (numactl --membind=P) gets no page-cache folio, P free or not', (t) => {
  const k = bootWithP({}, 'mpol');
  k.current = k.g.cpuThread(0);
  t.is(doSetMempolicy(k, 0, MPOL_BIND, 0, bit(P)), 0);
  // policy_nodemask: apply_policy_zone (no N_MEMORY node: ZONE_MOVABLE, which
  // GFP_HIGHUSER_MOVABLE reaches) -> nodemask {P}, nid P; numa_zone_alloc_allowed
  // refuses P without __GFP_PRIVATE and the nodemask leaves no other zone.
  t.is(filemapGetFolio(k, D0, 0, 0), -1);
  let free = 0;
  for (let z = 0; z < k.g.zones; z++) if (zoneNode(z) === P) free += k.get(k.L.ZONE_FREE, z);
  t.true(free > 0);
});

// The home node: set_mempolicy_home_node accepts any online node ("if (home_node >=
// MAX_NUMNODES || !node_online(home_node)) return -EINVAL;"), a private one included, for a
// VMA's MPOL_BIND or MPOL_PREFERRED_MANY policy, and policy_nodemask starts there ("if
// (pol->home_node != NUMA_NO_NODE) *nid = pol->home_node;"). This test shows the allocator
// path alone (Q as the start nid); the syscall, the configs homenode / homenodeplain and
// finding home-node-private-refused are in test/kernel/homenode.test.ts.
test('home node (allocator path): MPOL_PREFERRED_MANY over an opted-in P with home node Q, a private node without NP_OPS_MEMPOLICY, allocates on Q in alloc_pages_preferred_many\'s second pass (__GFP_PRIVATE, no nodemask, Q\'s zonelist)', (t) => {
  const k = bootWithP({ secondPrivate: true }, 'mpol');
  const q = 3;
  const first = k.g.blocks.findIndex((b) => b.node === q);
  t.is(addPrivateMemoryDriverManaged(k, q, first, 1, MMOP_ONLINE_MOVABLE, 1), 0);
  t.is(nodePrivateSetOps(k, q, opsIdByName(k, 'demote')), 0); // CRAM-like: no NP_OPS_MEMPOLICY
  mapSlot(k, 0, 0);
  t.is(doMbind(k, 0, 0, MPOL_PREFERRED_MANY, bit(P)), 0);
  const pol = vmaPolicy(k, 0, 0);
  t.true((pol.flags & MPOL_F_PRIVATE) !== 0);
  // vma_alloc_folio_noprof: MPOL_F_PRIVATE -> __GFP_PRIVATE; folio_alloc_mpol with nid = home node Q.
  const pfn = allocPagesMpol(k, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0, pol, 0, q);
  t.not(pfn, -1);
  t.is(k.g.pfnNode[pfn], q);
  // Without a home node (nid = the CPU's node) the same policy never reaches Q.
  const d = allocPagesMpol(k, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0, pol, 0, D0);
  t.not(k.g.pfnNode[d], q);
});
