// set_mempolicy_home_node (issue 12 item 10; the README's task-mempolicy row).
// v4: katherinemohr/ltram-linux @ bc4b49e8, mm/mempolicy.c(.orig: the tree's
// mempolicy.c with patch 13 applied, only the rejected NUMA-balancing hunk of
// patch 18 missing):
//   SYSCALL_DEFINE4(set_mempolicy_home_node): "int err = -ENOENT;" ...
//     "if (home_node >= MAX_NUMNODES || !node_online(home_node)) return -EINVAL;"
//     ... "old = vma_policy(vma); if (!old) { prev = vma; continue; }"
//     "if (old->mode != MPOL_BIND && old->mode != MPOL_PREFERRED_MANY) { err = -EOPNOTSUPP; break; }"
//     "new = mpol_dup(old); ... new->home_node = home_node; err = mbind_range(...)"
//   policy_nodemask: MPOL_PREFERRED_MANY "nodemask = &pol->nodes; if (pol->home_node != NUMA_NO_NODE)
//     *nid = pol->home_node;"; MPOL_BIND "if (pol->home_node != NUMA_NO_NODE) *nid = pol->home_node;
//     else if ((pol->flags & MPOL_F_PRIVATE) && !node_isset(*nid, pol->nodes)) *nid = first_node(pol->nodes);"
//   alloc_pages_preferred_many: "page = __alloc_frozen_pages_noprof(preferred_gfp, order, nid, nodemask);
//     if (!page) page = __alloc_frozen_pages_noprof(gfp, order, nid, NULL);"
//   vma_alloc_folio_noprof: "if (pol->flags & MPOL_F_PRIVATE) gfp |= __GFP_PRIVATE;"
//   mpol_new: "policy->home_node = NUMA_NO_NODE;"
// mm/page_alloc.c build_zonelists (v4 patch 4): a private node's FALLBACK list is
// [the node, then N_MEMORY nodes by find_next_best_node]: no other private node.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import type { KernelConfig } from '../../src/kernel/config.ts';
import { configByName } from '../../src/kernel/configs.ts';
import {
  __GFP_PRIVATE, EINVAL, ENOENT, EOPNOTSUPP, GFP_HIGHUSER_MOVABLE, MAX_NUMNODES, MMOP_ONLINE_MOVABLE, MPOL_BIND, MPOL_F_PRIVATE, MPOL_INTERLEAVE,
  MPOL_PREFERRED, MPOL_PREFERRED_MANY,
} from '../../src/kernel/defs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { dupMm } from '../../src/kernel/fork.ts';
import { EV2_MPOL_ALLOC_UNGATED, event2Set } from '../../src/kernel/ghost.ts';
import { boot } from '../../src/kernel/boot.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { VMA_MAPPED } from '../../src/kernel/layout.ts';
import { doMbind, NUMA_NO_NODE, policyNodemask, setMempolicyHomeNode, vmaAllocFolio, vmaPolicy } from '../../src/kernel/mempolicy.ts';
import { addPrivateMemoryDriverManaged } from '../../src/kernel/memory_hotplug.ts';
import { nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { D0, D1, exampleConfig, nodeBlocks, P } from '../helpers/machines.ts';

const ALL = FIXES.map((f) => f.name);
const Q = 3;
const bit = (...n: number[]) => n.reduce((m, x) => m | (1 << x), 0);

/**
 * The §3.3 example with a second private node Q (N3): P hot-added with 'mpol'
 * (MIGRATION | MEMPOLICY), Q with 'demote' (CRAM-like: no MEMPOLICY) unless
 * qOps is null (Q offline). A program holding set_mempolicy_home_node gives
 * the VMA policies their home-node field (never run here).
 */
function machine(qOps: string | null = 'demote', fixes: readonly string[] = []): Kernel {
  const base = exampleConfig({ secondPrivate: true });
  const cfg: KernelConfig = { ...base, fixes, cpus: base.cpus.map((c, i) => (i === 0 ? { ...c, program: [{ op: 'set_mempolicy_home_node', vaddr: 0, home: Q }] } : c)) };
  const k = boot(buildMachine(cfg));
  const p = nodeBlocks(k, P);
  if (addPrivateMemoryDriverManaged(k, P, p.first, p.n, MMOP_ONLINE_MOVABLE, 0) !== 0) throw new Error('hot-add P');
  if (nodePrivateSetOps(k, P, opsIdByName(k, 'mpol')) !== 0) throw new Error('set_ops P');
  if (qOps) {
    const q = nodeBlocks(k, Q);
    if (addPrivateMemoryDriverManaged(k, Q, q.first, q.n, MMOP_ONLINE_MOVABLE, 1) !== 0) throw new Error('hot-add Q');
    if (nodePrivateSetOps(k, Q, opsIdByName(k, qOps)) !== 0) throw new Error('set_ops Q');
  }
  k.current = k.g.cpuThread(0);
  return k;
}

function mapSlot(k: Kernel, v: number): void {
  k.setBits(k.L.VMA_FLAGS, v, VMA_MAPPED);
}

test('set_mempolicy_home_node: -EINVAL for a node >= MAX_NUMNODES or not online (Q before its hot-add), checked before the VMA is looked at', (t) => {
  const k = machine(null);
  t.is(setMempolicyHomeNode(k, 0, 0, MAX_NUMNODES), -EINVAL);
  t.is(setMempolicyHomeNode(k, 0, 0, Q), -EINVAL); // N3 offline: unmapped v0 would say -ENOENT
  t.is(setMempolicyHomeNode(k, 0, 0, D1), -ENOENT);
});

test('set_mempolicy_home_node: -ENOENT without a VMA or for a VMA without a policy, -EOPNOTSUPP for a policy other than BIND / PREFERRED_MANY', (t) => {
  const k = machine();
  t.is(setMempolicyHomeNode(k, 0, 0, D1), -ENOENT);
  mapSlot(k, 0);
  t.is(setMempolicyHomeNode(k, 0, 0, D1), -ENOENT);
  for (const mode of [MPOL_PREFERRED, MPOL_INTERLEAVE]) {
    t.is(doMbind(k, 0, 0, mode, bit(D0, D1)), 0);
    t.is(setMempolicyHomeNode(k, 0, 0, D1), -EOPNOTSUPP);
    t.is(vmaPolicy(k, 0, 0).home, undefined);
  }
});

test('v4: set_mempolicy_home_node takes a private node (node_online only), even one whose ops lack NP_OPS_MEMPOLICY; a later mbind starts over with no home node', (t) => {
  const k = machine();
  mapSlot(k, 0);
  t.is(doMbind(k, 0, 0, MPOL_BIND, bit(D0)), 0);
  t.is(setMempolicyHomeNode(k, 0, 0, Q), 0);
  t.is(vmaPolicy(k, 0, 0).home, Q);
  t.is(doMbind(k, 0, 0, MPOL_PREFERRED_MANY, bit(P)), 0);
  t.is(vmaPolicy(k, 0, 0).home, undefined); // mpol_new: NUMA_NO_NODE
  t.is(setMempolicyHomeNode(k, 0, 0, Q), 0);
  t.is(vmaPolicy(k, 0, 0).home, Q);
});

test('fork: vma_dup_policy -> mpol_dup copies home_node', (t) => {
  const base = exampleConfig({ secondPrivate: true });
  const cfg: KernelConfig = { ...base, mms: 2, cpus: base.cpus.map((c, i) => (i === 0 ? { ...c, program: [{ op: 'set_mempolicy_home_node', vaddr: 0, home: D1 }] } : c)) };
  const k = boot(buildMachine(cfg));
  k.current = k.g.cpuThread(0);
  mapSlot(k, 0);
  t.is(doMbind(k, 0, 0, MPOL_BIND, bit(D0, D1)), 0);
  t.is(setMempolicyHomeNode(k, 0, 0, D1), 0);
  t.is(dupMm(k, 0, 1), 0);
  t.is(vmaPolicy(k, 1, 0).home, D1);
});

test('policy_nodemask: BIND and PREFERRED_MANY start at the home node (BIND over an opted-in P too, before v4\'s first_node rule)', (t) => {
  const k = machine();
  const gfp = GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE;
  t.deepEqual(policyNodemask(k, gfp, { mode: MPOL_PREFERRED_MANY, nodes: bit(P), flags: MPOL_F_PRIVATE, home: Q }, 0, D0), { nid: Q, nodemask: bit(P) });
  t.deepEqual(policyNodemask(k, gfp, { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_PRIVATE, home: Q }, 0, D0), { nid: Q, nodemask: bit(P) });
  t.deepEqual(policyNodemask(k, gfp, { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_PRIVATE, home: NUMA_NO_NODE }, 0, D0), { nid: P, nodemask: bit(P) });
  // PREFERRED ignores it (set_mempolicy_home_node never sets it there).
  t.is(policyNodemask(k, gfp, { mode: MPOL_PREFERRED, nodes: bit(D1), flags: 0, home: Q }, 0, D0).nid, D1);
});

test('v4 (finding home-node-private-refused): PREFERRED_MANY over the opted-in P with home node Q faults the page onto Q, whose ops lack NP_OPS_MEMPOLICY (EV2_MPOL_ALLOC_UNGATED); without the home node it lands on D0', (t) => {
  const k = machine();
  mapSlot(k, 0);
  t.is(doMbind(k, 0, 0, MPOL_PREFERRED_MANY, bit(P)), 0);
  t.true((vmaPolicy(k, 0, 0).flags & MPOL_F_PRIVATE) !== 0);
  const d = vmaAllocFolio(k, 0, 0, GFP_HIGHUSER_MOVABLE, 0, D0);
  t.is(k.g.pfnNode[d], D0); // first pass {P} over D0's zonelist finds no zone; the second takes D0
  t.false(event2Set(k, EV2_MPOL_ALLOC_UNGATED));
  t.is(setMempolicyHomeNode(k, 0, 0, Q), 0);
  const q = vmaAllocFolio(k, 0, 0, GFP_HIGHUSER_MOVABLE, 0, D0);
  t.is(k.g.pfnNode[q], Q);
  t.true(event2Set(k, EV2_MPOL_ALLOC_UNGATED));
});

test('v4: BIND over the opted-in P with home node Q starts at Q with nodemask {P}, which Q\'s zonelist does not hold: the allocation fails (no second pass), where without the home node it lands on P', (t) => {
  const k = machine();
  mapSlot(k, 0);
  t.is(doMbind(k, 0, 0, MPOL_BIND, bit(P)), 0);
  const p = vmaAllocFolio(k, 0, 0, GFP_HIGHUSER_MOVABLE, 0, D0);
  t.is(k.g.pfnNode[p], P); // v4's first_node start
  t.is(setMempolicyHomeNode(k, 0, 0, Q), 0);
  t.is(vmaAllocFolio(k, 0, 0, GFP_HIGHUSER_MOVABLE, 0, D0), -1);
  t.false(event2Set(k, EV2_MPOL_ALLOC_UNGATED));
});

test('fix home-node-private-refused: -EINVAL for a private home node without NP_OPS_MEMPOLICY; P itself (opted in) and DRAM nodes are still taken', (t) => {
  const k = machine('demote', ['home-node-private-refused']);
  mapSlot(k, 0);
  t.is(doMbind(k, 0, 0, MPOL_PREFERRED_MANY, bit(P)), 0);
  t.is(setMempolicyHomeNode(k, 0, 0, Q), -EINVAL);
  t.is(vmaPolicy(k, 0, 0).home, undefined);
  t.is(setMempolicyHomeNode(k, 0, 0, P), 0);
  const p = vmaAllocFolio(k, 0, 0, GFP_HIGHUSER_MOVABLE, 0, D0);
  t.is(k.g.pfnNode[p], P);
  t.is(setMempolicyHomeNode(k, 0, 0, D1), 0);
  t.false(event2Set(k, EV2_MPOL_ALLOC_UNGATED));
});

function first(config: string, fixes: readonly string[], mutant: string | null, keep: (id: string) => boolean): { property: string; depth: number } | null {
  const sys = kernelSystem(configByName(config, { mutant, fixes }));
  const r = explore(withProperties(sys, keep), { strategy: 'bfs', maxStates: 10_000, stopAtFirstViolation: true });
  const v = r.violations[0];
  return v ? { property: v.property, depth: v.trace.length } : null;
}

test('config homenode, v4 as posted: the write fault maps a writable page on CRAM\'s node (INV-MPOL-ALLOC and INV-RO, 6 steps); the fix mends both', (t) => {
  const off = ALL.filter((f) => f !== 'home-node-private-refused');
  t.deepEqual(first('homenode', off, null, (id) => id === 'INV-MPOL-ALLOC'), { property: 'INV-MPOL-ALLOC', depth: 6 });
  t.deepEqual(first('homenode', off, null, (id) => id === 'INV-RO'), { property: 'INV-RO', depth: 6 });
  t.is(first('homenode', ALL, null, () => true), null);
});

test('config homenodeplain (Q: MIGRATION only), v4 as posted: only INV-MPOL-ALLOC sees the page on Q', (t) => {
  const off = ALL.filter((f) => f !== 'home-node-private-refused');
  t.is(first('homenodeplain', off, null, (id) => id !== 'INV-MPOL-ALLOC'), null);
  t.deepEqual(first('homenodeplain', off, null, (id) => id === 'INV-MPOL-ALLOC'), { property: 'INV-MPOL-ALLOC', depth: 8 });
});

test('mutant home-node-check-skips-private: escapes every other invariant on homenodeplain (every fix on, exhaustive) and is caught by INV-MPOL-ALLOC', (t) => {
  t.is(first('homenodeplain', ALL, 'home-node-check-skips-private', (id) => id !== 'INV-MPOL-ALLOC'), null);
  t.is(first('homenodeplain', ALL, 'home-node-check-skips-private', (id) => id === 'INV-MPOL-ALLOC')?.property, 'INV-MPOL-ALLOC');
});
