// mm/mempolicy.c with v4 MPOL_F_PRIVATE (SEMANTICS 2.5, 2.6).
import test from 'ava';
import {
  EFAULT, EINVAL, GFP_HIGHUSER_MOVABLE, NP_OPS_MEMPOLICY, MPOL_BIND, MPOL_DEFAULT, MPOL_F_PRIVATE, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_PREFERRED,
} from '../../src/kernel/defs.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { VMA_MAPPED } from '../../src/kernel/layout.ts';
import {
  doMbind, mpolRebindNodemask, mpolSetNodemask, nodesRemap, policyNodemask, vmaAllocFolio, vmaPolicy,
} from '../../src/kernel/mempolicy.ts';
import { addPrivateMemoryDriverManaged } from '../../src/kernel/memory_hotplug.ts';
import { nodePrivateClearOps, nodePrivateHasFlag, nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { NULL_PFN } from '../../src/kernel/page_alloc.ts';
import { bootWithP, D0, D1, P } from '../helpers/machines.ts';

const bit = (...n: number[]) => n.reduce((m, x) => m | (1 << x), 0);
function mapSlot(k: Kernel, mm: number, v: number): void {
  k.setBits(k.L.VMA_FLAGS, mm * k.cfg.vaddrs + v, VMA_MAPPED);
}

test('mpol_set_nodemask: a private node without NP_OPS_MEMPOLICY -> -EINVAL', (t) => {
  const k = bootWithP({}, 'demote');
  t.is(mpolSetNodemask(k, MPOL_BIND, bit(P)).ret, -EINVAL);
  t.is(mpolSetNodemask(k, MPOL_BIND, bit(D0, P)).ret, -EINVAL);
  const ok = mpolSetNodemask(k, MPOL_BIND, bit(D0, D1));
  t.is(ok.ret, 0);
  t.is(ok.pol.flags & MPOL_F_PRIVATE, 0);
});

test('mpol_set_nodemask: >= 1 private node, all flagged -> MPOL_F_PRIVATE (1 << 5); mask = cpuset mems ∩ (N_MEMORY ∪ N_MEMORY_PRIVATE)', (t) => {
  const k = bootWithP({}, 'mpol');
  const r = mpolSetNodemask(k, MPOL_BIND, bit(D0, P));
  t.is(r.ret, 0);
  t.is(r.pol.nodes, bit(D0, P));
  t.is(r.pol.flags, MPOL_F_PRIVATE);
  t.is(MPOL_F_PRIVATE, 32);
  // Nodes outside the allowed set drop out; all gone -> -EINVAL.
  t.is(mpolSetNodemask(k, MPOL_BIND, bit(5)).ret, -EINVAL);
  t.is(mpolSetNodemask(k, MPOL_BIND, bit(D1, 5)).pol.nodes, bit(D1));
});

test('do_mbind: -EFAULT on an unmapped slot, -EINVAL for DEFAULT with nodes; stores the policy', (t) => {
  const k = bootWithP({}, 'mpol');
  t.is(doMbind(k, 0, 0, MPOL_BIND, bit(P)), -EFAULT);
  mapSlot(k, 0, 0);
  t.is(doMbind(k, 0, 0, MPOL_DEFAULT, bit(D0)), -EINVAL);
  t.is(doMbind(k, 0, 0, 9, bit(D0)), -EINVAL);
  t.is(doMbind(k, 0, 0, MPOL_LOCAL, bit(D0)), -EINVAL); // mpol_new: LOCAL takes no nodes
  t.is(doMbind(k, 0, 0, MPOL_BIND, bit(P)), 0);
  t.deepEqual(vmaPolicy(k, 0, 0), { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_PRIVATE });
  t.is(doMbind(k, 0, 0, MPOL_PREFERRED, 0), 0);
  t.is(vmaPolicy(k, 0, 0).mode, MPOL_LOCAL);
  t.is(doMbind(k, 0, 0, MPOL_DEFAULT, 0), 0);
  t.deepEqual(vmaPolicy(k, 0, 0), { mode: 0, nodes: 0, flags: 0 });
});

test('§2.5 vma_alloc_folio under MPOL_F_PRIVATE adds __GFP_PRIVATE: BIND {P} lands on P', (t) => {
  const k = bootWithP({}, 'mpol');
  mapSlot(k, 0, 1);
  t.is(doMbind(k, 0, 1, MPOL_BIND, bit(P)), 0);
  const pfn = vmaAllocFolio(k, 0, 1, GFP_HIGHUSER_MOVABLE, 0);
  t.is(k.g.pfnNode[pfn], P);
  // Without the policy the same request never does.
  mapSlot(k, 0, 2);
  const d = vmaAllocFolio(k, 0, 2, GFP_HIGHUSER_MOVABLE, 0);
  t.not(d, NULL_PFN);
  t.not(k.g.pfnNode[d], P);
});

test('§2.6 policy_nodemask BIND+MPOL_F_PRIVATE: local nid outside the nodes -> first_node; BIND {D0,P} from D0 uses D0', (t) => {
  const k = bootWithP({}, 'mpol');
  const pol = { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_PRIVATE };
  t.deepEqual(policyNodemask(k, GFP_HIGHUSER_MOVABLE, pol, 0, D1), { nid: P, nodemask: bit(P) });
  const pol2 = { mode: MPOL_BIND, nodes: bit(D0, P), flags: MPOL_F_PRIVATE };
  t.is(policyNodemask(k, GFP_HIGHUSER_MOVABLE, pol2, 0, D0).nid, D0);
  t.is(policyNodemask(k, GFP_HIGHUSER_MOVABLE, pol2, 0, D1).nid, D0);
  // Without MPOL_F_PRIVATE the local nid stays.
  t.is(policyNodemask(k, GFP_HIGHUSER_MOVABLE, { mode: MPOL_BIND, nodes: bit(D0), flags: 0 }, 0, D1).nid, D1);
});

test('A4: BIND over two private nodes {P,Q} only ever uses the first (derived, 2.6)', (t) => {
  const k = bootWithP({ secondPrivate: true }, 'mpol');
  {
    // hot-add Q too, with the same ops
    const q = 3;
    const first = k.g.blocks.findIndex((b) => b.node === q);
    t.is(addPrivateMemoryDriverManaged(k, q, first, 1, 3, 1), 0);
    t.is(nodePrivateSetOps(k, q, opsIdByName(k, 'mpol')), 0);
    mapSlot(k, 0, 0);
    t.is(doMbind(k, 0, 0, MPOL_BIND, bit(P, q)), 0);
    const nodes = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const pfn = vmaAllocFolio(k, 0, 0, GFP_HIGHUSER_MOVABLE, 0);
      if (pfn !== NULL_PFN) nodes.add(k.g.pfnNode[pfn]!);
    }
    t.false(nodes.has(q));
    t.true(nodes.has(P));
  }
});

test('nodes_remap: position-preserving remap from old to new mems', (t) => {
  t.is(nodesRemap(bit(1), bit(0, 1), bit(0, 1, 2)), bit(1));
  t.is(nodesRemap(bit(2), bit(0, 1, 2), bit(0, 1)), bit(0));
  t.is(nodesRemap(bit(3), bit(0, 1), bit(0)), bit(3)); // outside old: unchanged
});

test('§2.6 mpol_rebind_nodemask drops unflagged private nodes AFTER the empty fallback, so a BIND can end up empty', (t) => {
  const k = bootWithP({}, 'mpol');
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'demote')), 0); // MEMPOLICY lost
  const mems = bit(D0, D1, P);
  const r = mpolRebindNodemask(k, { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_PRIVATE }, mems, bit(P)).pol;
  t.is(r.nodes, 0);
  t.is(r.flags & MPOL_F_PRIVATE, 0);
  // A flagged node survives and keeps MPOL_F_PRIVATE.
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'mpol')), 0);
  const r2 = mpolRebindNodemask(k, { mode: MPOL_BIND, nodes: bit(D0, P), flags: MPOL_F_PRIVATE }, mems, mems).pol;
  t.deepEqual(r2, { mode: MPOL_BIND, nodes: bit(D0, P), flags: MPOL_F_PRIVATE });
});

test('interleave policy picks nodes by slot index', (t) => {
  const k = bootWithP({}, 'mpol');
  const pol = { mode: MPOL_INTERLEAVE, nodes: bit(D0, D1), flags: 0 };
  t.is(policyNodemask(k, GFP_HIGHUSER_MOVABLE, pol, 0, D0).nid, D0);
  t.is(policyNodemask(k, GFP_HIGHUSER_MOVABLE, pol, 1, D0).nid, D1);
});

test('queue_folios_pte_range: mbind skips private folios whose node lacks NP_OPS_MIGRATION', async (t) => {
  const { mbindMayQueueFolio } = await import('../../src/kernel/mempolicy.ts');
  const { allocPagesNode } = await import('../../src/kernel/page_alloc.ts');
  const { __GFP_PRIVATE } = await import('../../src/kernel/defs.ts');
  const k = bootWithP({}, 'bare');
  const p = allocPagesNode(k, P, GFP_HIGHUSER_MOVABLE | __GFP_PRIVATE, 0);
  const d = allocPagesNode(k, D0, GFP_HIGHUSER_MOVABLE, 0);
  t.false(mbindMayQueueFolio(k, p));
  t.true(mbindMayQueueFolio(k, d));
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'mpol')), 0);
  t.true(mbindMayQueueFolio(k, p));
});

test('FINDING (faithful v4): clear_ops does not rebind policies, so a live BIND {P} keeps MPOL_F_PRIVATE and keeps allocating on P without NP_OPS_MEMPOLICY (INV-MPOL)', (t) => {
  const k = bootWithP({}, 'mpol');
  mapSlot(k, 0, 0);
  t.is(doMbind(k, 0, 0, MPOL_BIND, bit(P)), 0);
  // The service goes away (teardown order: clear_ops before the offline, 5.5).
  t.is(nodePrivateClearOps(k, P, opsIdByName(k, 'mpol')), 0);
  const pol = vmaPolicy(k, 0, 0);
  t.is(pol.nodes, bit(P));
  t.is(pol.flags, MPOL_F_PRIVATE);
  t.false(nodePrivateHasFlag(k, P, NP_OPS_MEMPOLICY));
  // ... and user pages still land on P through __GFP_PRIVATE.
  const pfn = vmaAllocFolio(k, 0, 0, GFP_HIGHUSER_MOVABLE, 0);
  t.is(k.g.pfnNode[pfn], P);
});
