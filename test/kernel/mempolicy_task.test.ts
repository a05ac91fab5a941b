// Task mempolicy (set_mempolicy), MPOL_F_STATIC_NODES / MPOL_F_RELATIVE_NODES
// and cpuset.memory_migrate (issue 12 item 10). v4: katherinemohr/ltram-linux
// @ bc4b49e8 mm/mempolicy.c (its mpol_set_nodemask / mpol_rebind_nodemask
// carry patch 13) and kernel/cgroup/cpuset.c.
import test from 'ava';
import { cpusetWriteMems } from '../../src/kernel/cpuset.ts';
import { cpusetMigratePending, cpusetMigrateWorkStep, nextMigratePair } from '../../src/kernel/cpuset_migrate.ts';
import {
  EINVAL, MPOL_BIND, MPOL_DEFAULT, MPOL_F_PRIVATE, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_PREFERRED,
  GFP_HIGHUSER_MOVABLE,
} from '../../src/kernel/defs.ts';
import { VMA_MAPPED } from '../../src/kernel/layout.ts';
import {
  doSetMempolicy, mpolRebindNodemask, mpolRebindPolicy, mpolRelativeNodemask, taskPolicy, vmaAllocFolio,
} from '../../src/kernel/mempolicy.ts';
import { NULL_PFN } from '../../src/kernel/page_alloc.ts';
import { bootExample, bootWithP, D0, D1, P } from '../helpers/machines.ts';

const bit = (...n: number[]) => n.reduce((m, x) => m | (1 << x), 0);

test('sanitize_mpol_flags / mpol_new: STATIC with RELATIVE, DEFAULT or LOCAL with nodes, PREFERRED {} with a user flag, BIND {} are -EINVAL', (t) => {
  const k = bootWithP({}, 'mpol');
  t.is(doSetMempolicy(k, 0, MPOL_BIND, MPOL_F_STATIC_NODES | MPOL_F_RELATIVE_NODES, bit(D0)), -EINVAL);
  t.is(doSetMempolicy(k, 0, MPOL_DEFAULT, 0, bit(D0)), -EINVAL);
  t.is(doSetMempolicy(k, 0, MPOL_LOCAL, 0, bit(D0)), -EINVAL);
  t.is(doSetMempolicy(k, 0, MPOL_LOCAL, MPOL_F_STATIC_NODES, 0), -EINVAL);
  t.is(doSetMempolicy(k, 0, MPOL_PREFERRED, MPOL_F_RELATIVE_NODES, 0), -EINVAL);
  t.is(doSetMempolicy(k, 0, MPOL_BIND, 0, 0), -EINVAL);
  // mpol_new: PREFERRED with no nodes and no flag is LOCAL.
  t.is(doSetMempolicy(k, 0, MPOL_PREFERRED, 0, 0), 0);
  t.is(taskPolicy(k, 0).mode, MPOL_LOCAL);
  t.is(doSetMempolicy(k, 0, MPOL_DEFAULT, 0, 0), 0);
  t.deepEqual(taskPolicy(k, 0), { mode: MPOL_DEFAULT, nodes: 0, flags: 0 });
});

test('v4 mpol_set_nodemask for set_mempolicy: a private node lacking NP_OPS_MEMPOLICY -> -EINVAL, also when MPOL_F_RELATIVE_NODES folds the user\'s node onto it', (t) => {
  const k = bootWithP({}, 'demote'); // CRAM-like: no NP_OPS_MEMPOLICY
  t.is(doSetMempolicy(k, 0, MPOL_BIND, 0, bit(D0, P)), -EINVAL);
  t.is(doSetMempolicy(k, 0, MPOL_BIND, MPOL_F_STATIC_NODES, bit(P)), -EINVAL);
  // Relative node 2 of mems {D0, D1, P} is P.
  t.is(doSetMempolicy(k, 0, MPOL_INTERLEAVE, MPOL_F_RELATIVE_NODES, bit(2)), -EINVAL);
  t.deepEqual(taskPolicy(k, 0), { mode: MPOL_DEFAULT, nodes: 0, flags: 0 });
  // With the flag: allowed, MPOL_F_PRIVATE set, the user flag kept.
  const m = bootWithP({}, 'mpol');
  t.is(doSetMempolicy(m, 0, MPOL_BIND, MPOL_F_STATIC_NODES, bit(D1, P)), 0);
  t.deepEqual(taskPolicy(m, 0), { mode: MPOL_BIND, nodes: bit(D1, P), flags: MPOL_F_STATIC_NODES | MPOL_F_PRIVATE });
  t.is(m.get(m.L.TASK_POL_W, 0), bit(D1, P)); // w.user_nodemask = the user's nodes (mpol_store_user_nodemask)
});

test('mpol_relative_nodemask: nodes_fold by weight(rel), then nodes_onto rel', (t) => {
  t.is(mpolRelativeNodemask(bit(1), bit(D0, D1)), bit(D1));
  t.is(mpolRelativeNodemask(bit(1), bit(D0, P)), bit(P));
  t.is(mpolRelativeNodemask(bit(0, 3), bit(D1, P)), bit(D1, P)); // 3 folds to 1
  t.is(mpolRelativeNodemask(bit(1), bit(D0)), bit(D0)); // folded by weight 1
});

test('mpol_rebind_nodemask: STATIC is user_nodemask ∩ new, RELATIVE folds user_nodemask onto new, w left as the user\'s mask', (t) => {
  const k = bootWithP({}, 'mpol');
  const st = mpolRebindNodemask(k, { mode: MPOL_BIND, nodes: bit(D0), flags: MPOL_F_STATIC_NODES }, bit(D0, D1), bit(D1, P));
  t.deepEqual(st, { pol: { mode: MPOL_BIND, nodes: bit(D1), flags: MPOL_F_STATIC_NODES }, w: bit(D0, D1) });
  const rel = mpolRebindNodemask(k, { mode: MPOL_BIND, nodes: bit(D1), flags: MPOL_F_RELATIVE_NODES }, bit(1), bit(D0, P));
  t.deepEqual(rel, { pol: { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_RELATIVE_NODES | MPOL_F_PRIVATE }, w: bit(1) });
});

test('mpol_rebind_policy: a user-flag policy is rebound even when w equals the new mask; PREFERRED only records the mask in w (a union: it overwrites user_nodemask)', (t) => {
  const k = bootWithP({}, 'mpol');
  t.is(mpolRebindPolicy(k, { mode: MPOL_BIND, nodes: bit(D0), flags: 0 }, bit(D0, D1), bit(D0, D1)), null);
  t.not(mpolRebindPolicy(k, { mode: MPOL_BIND, nodes: bit(D0), flags: MPOL_F_STATIC_NODES }, bit(D0, D1), bit(D0, D1)), null);
  t.deepEqual(mpolRebindPolicy(k, { mode: MPOL_PREFERRED, nodes: bit(D1), flags: MPOL_F_STATIC_NODES }, bit(D1), bit(D0)), {
    pol: { mode: MPOL_PREFERRED, nodes: bit(D1), flags: MPOL_F_STATIC_NODES }, w: bit(D0),
  });
});

test('v4 finding mpol-rebind-drop-before-fallback: RELATIVE folded onto P, dropped after the nodes_empty() fallback, leaves a BIND naming no node; the fix falls back to the DRAM part', (t) => {
  const k = bootWithP({}, 'demote');
  const pol = { mode: MPOL_BIND, nodes: bit(D1), flags: MPOL_F_RELATIVE_NODES };
  t.is(mpolRebindNodemask(k, pol, bit(1), bit(D0, P)).pol.nodes, 0);
  const f = bootWithP({}, 'demote');
  (f.cfg as { fixes: readonly string[] }).fixes = ['mpol-rebind-drop-before-fallback'];
  t.is(mpolRebindNodemask(f, pol, bit(1), bit(D0, P)).pol.nodes, bit(D0));
});

test('get_vma_policy falls back to the task policy: a fault of a slot without a VMA policy allocates under the task\'s BIND', (t) => {
  const k = bootWithP({}, 'mpol');
  k.setBits(k.L.VMA_FLAGS, 0, VMA_MAPPED);
  t.is(doSetMempolicy(k, 0, MPOL_BIND, 0, bit(D1)), 0);
  k.current = k.g.cpuThread(0); // cpu0 runs on D0
  const pfn = vmaAllocFolio(k, 0, 0, GFP_HIGHUSER_MOVABLE, 0);
  t.not(pfn, NULL_PFN);
  t.is(k.g.pfnNode[pfn], D1);
  // With the task policy BIND {P} (MPOL_F_PRIVATE): __GFP_PRIVATE, so the fault lands on P.
  t.is(doSetMempolicy(k, 0, MPOL_BIND, 0, bit(P)), 0);
  const p2 = vmaAllocFolio(k, 0, 1, GFP_HIGHUSER_MOVABLE, 0);
  t.is(k.g.pfnNode[p2], P);
  k.current = -1;
});

test('cpuset_update_tasks_nodemask: a cpuset.mems write rebinds the task policy (mpol_rebind_task) and queues do_migrate_pages (cpuset_migrate_mm) from old_mems_allowed to the new mems', (t) => {
  const k = bootWithP({ cpuset: true }, 'mpol');
  t.is(doSetMempolicy(k, 0, MPOL_BIND, MPOL_F_RELATIVE_NODES, bit(1)), 0);
  t.is(taskPolicy(k, 0).nodes, bit(D1));
  t.is(cpusetWriteMems(k, bit(D0, P)), 0);
  // Relative node 1 of {D0, P} is P, which has NP_OPS_MEMPOLICY here.
  t.deepEqual(taskPolicy(k, 0), { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_RELATIVE_NODES | MPOL_F_PRIVATE });
  t.is(cpusetMigratePending(k), 1);
  t.is(k.get(k.L.CS_MIGQ_FROM, 0), bit(D0, D1, P));
  t.is(k.get(k.L.CS_MIGQ_TO, 0), bit(D0, P));
  // The kworker's step runs it ({D0,D1,P} -> {D0,P}: only D1 moves, onto P), and the queue drains.
  const wq = k.g.threads.findIndex((r) => r.kind === 'cpuset_migrate');
  t.true(wq >= 0);
  k.current = wq;
  t.true(cpusetMigrateWorkStep(k, wq));
  k.current = -1;
  t.is(cpusetMigratePending(k), 0);
});

test('do_migrate_pages\' pairs (mm/mempolicy.c comment): [2,3,4] -> [3,4,5] moves everything; [0-7] -> [3,4,5] moves only 0,1,2,6,7', (t) => {
  const pairs = (from: number, to: number): number[] => {
    const out: number[] = [];
    let tmp = from;
    for (let p = nextMigratePair(tmp, from, to); p; p = nextMigratePair(tmp, from, to)) {
      out.push(p.source);
      tmp &= ~(1 << p.source);
    }
    return out.sort((a, b) => a - b);
  };
  t.deepEqual(pairs(bit(2, 3, 4), bit(3, 4, 5)), [2, 3, 4]);
  t.deepEqual(pairs(bit(0, 1, 2, 3, 4, 5, 6, 7), bit(3, 4, 5)), [0, 1, 2, 6, 7]);
  // cpuset.mems {D0,D1,P} -> {D0}: P's folios go to D0 (node_remap(P) = D0), D1's too.
  t.deepEqual(pairs(bit(D0, D1, P), bit(D0)), [D1, P]);
  t.is(nextMigratePair(bit(D0), bit(D0), bit(D0, P)), null);
});

test('boot without the child cpuset: no cpuset_migrate kworker thread', (t) => {
  const k = bootExample();
  t.is(k.g.threads.findIndex((r) => r.kind === 'cpuset_migrate'), -1);
});
