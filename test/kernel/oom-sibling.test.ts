// Sibling cpusets (issue 12 item 10) and the OOM killer's cpuset test (v4
// patch 17). Config oomsibling: cs0 = {D0,P} holds cpu0's task, cs1 = {D1,P}
// holds cpu1's; P is OOM-eligible (RECLAIM|DEMOTION).
//
// kernel/cgroup/cpuset.c (v4):
//   guarantee_online_mems: while (!nodes_intersects(cs->effective_mems, node_states[N_MEMORY]))
//     cs = parent_cs(cs); nodes_and(*pmask, cs->effective_mems, node_states[N_MEMORY]);
//     for_each_node_state(nid, N_MEMORY_PRIVATE) if (node_isset(nid, orig_cs->effective_mems)) node_set(nid, *pmask);
//   ("N_MEMORY_PRIVATE nodes from the original cpuset are preserved, but only N_MEMORY nodes are pulled from ancestors")
//   update_nodemasks_hier / cpuset_update_tasks_nodemask: each task of the written cpuset only.
// mm/oom_kill.c (v4 patch 17):
//   oom_mems_intersect: for_each_node_state(nid, N_MEMORY) { if (!node_isset(nid, tsk1->mems_allowed)) continue;
//     if (!node_isset(nid, tsk2->mems_allowed)) continue; if (!node_oom_eligible(nid)) continue; return true; } return false;
//   ("Killing a task can only relieve system pressure if freed memory can be demoted there and reclaim can
//    operate on the node's pages, so we omit private nodes that aren't eligible.")
//   oom_evaluate_task: if (!is_memcg_oom(oc) && !oom_cpuset_eligible(task, oc)) goto next;
import test from 'ava';
import { cpusetWriteAction, kernelInitial, kernelSystem } from '../../models/kernel.system.ts';
import type { KernelConfig } from '../../src/kernel/config.ts';
import { configByName, KERNEL_CONFIG_PARAMS, makeConfig } from '../../src/kernel/configs.ts';
import { NP_OPS_MEMPOLICY, NP_OPS_MIGRATION } from '../../src/kernel/defs.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withReachProbe } from '../../src/explore/reach-probe.ts';
import { withProperties } from '../../src/explore/system.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { nodeOomEligible, oomCpusetEligible, oomMemsIntersect } from '../../src/kernel/oom_kill.ts';
import { runThread } from '../../src/kernel/sched.ts';

const ALL_FIXES = FIXES.map((f) => f.name);
const D0 = 0;
const D1 = 1;
const P = 2;
const bit = (...n: number[]) => n.reduce((m, x) => m | (1 << x), 0);

/** oomsibling after cpu0's first two ops: P hot-added and given the OOM-eligible 'oomok' ops. */
function withP(cfg: KernelConfig): Kernel {
  const k = kernelInitial(buildMachine(cfg));
  for (let i = 0; i < 2; i++) runThread(k, k.g.cpuThread(0), 0);
  return k;
}

test('sibling cpusets: each child has its own cpuset.mems and effective_mems, each task the mems_allowed of its own cpuset; a write updates only that cpuset\'s tasks; a private-only cpuset\'s tasks get every N_MEMORY node of the root (guarantee_online_mems, v4)', (t) => {
  const k = withP(configByName('oomsibling'));
  t.is(k.get(k.L.G_CPUSET_MEMS), bit(D0, D1, P));
  t.deepEqual([k.get(k.L.CS_CHILD_MEMS, 0), k.get(k.L.CS_CHILD_MEMS, 1)], [bit(D0, P), bit(D1, P)]);
  t.deepEqual([k.get(k.L.CS_CHILD_EFF, 0), k.get(k.L.CS_CHILD_EFF, 1)], [bit(D0, P), bit(D1, P)]);
  t.deepEqual([k.get(k.L.TASK_MEMS, 0), k.get(k.L.TASK_MEMS, 1)], [bit(D0, P), bit(D1, P)]);
  t.true(cpusetWriteAction(k, bit(P), 1));
  t.is(k.get(k.L.CS_CHILD_EFF, 1), bit(P));
  t.is(k.get(k.L.TASK_MEMS, 1), bit(D0, D1, P), "cs1 = {P}: its task gets the root's N_MEMORY nodes plus P");
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0, P), "cs0's task is untouched");
  t.is(k.get(k.L.CS_CHILD_MEMS, 0), bit(D0, P));
  t.false(cpusetWriteAction(k, bit(P), 1), 'the same mask again changes nothing');
  t.true(cpusetWriteAction(k, bit(D0), 0));
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0));
  t.is(k.get(k.L.TASK_MEMS, 1), bit(D0, D1, P));
  t.is(k.get(k.L.CS_MIGQ_LEN), 1, "cs0's memory_migrate queues one item, for mm 0 ({D0,P} -> {D0})");
  t.is(k.get(k.L.CS_MIGQ_MM, 0), 0);
});

test('oom_mems_intersect (v4) walks N_MEMORY only: sibling tasks whose mems_allowed share only the OOM-eligible P do not intersect, so cs1\'s process is skipped; fix oom-mems-intersect-private walks the private nodes too', (t) => {
  const k = withP(configByName('oomsibling'));
  t.true(nodeOomEligible(k, P), "P's ops have RECLAIM|DEMOTION");
  t.false(oomMemsIntersect(k, bit(D0, P), bit(D1, P)));
  k.current = k.g.cpuThread(0);
  t.false(oomCpusetEligible(k, 1, null), "mm 1 (cs1) is not eligible for cpu0's OOM");
  const f = withP(configByName('oomsibling', { fixes: ['oom-mems-intersect-private'] }));
  t.true(oomMemsIntersect(f, bit(D0, P), bit(D1, P)));
  f.current = f.g.cpuThread(0);
  t.true(oomCpusetEligible(f, 1, null));
  t.false(oomMemsIntersect(f, bit(D0), bit(D1, P)), 'nothing shared: still skipped');
});

test('oomsibling: v4 breaks INV-OOM-CPUSET-SKIP (and INV-MPOL-NONEMPTY, finding mpol-rebind-drop-before-fallback); --fix all holds and reaches what it declares (exhaustive)', (t) => {
  const v4 = explore(kernelSystem(configByName('oomsibling')), { strategy: 'bfs', maxStates: 100_000, stopAtFirstViolation: false });
  t.true(v4.states < 100_000, 'the search ran to its end');
  t.deepEqual(v4.violations.map((v) => v.property).sort(), ['INV-MPOL-NONEMPTY', 'INV-OOM-CPUSET-SKIP']);
  const only = explore(kernelSystem(configByName('oomsibling', { fixes: ['mpol-rebind-drop-before-fallback'] })), { strategy: 'bfs', maxStates: 100_000, stopAtFirstViolation: false });
  t.deepEqual(only.violations.map((v) => v.property), ['INV-OOM-CPUSET-SKIP']);
  const p = withReachProbe(kernelSystem(configByName('oomsibling', { fixes: ALL_FIXES })));
  const fixed = explore(p.sys, { strategy: 'bfs', maxStates: 100_000 });
  t.true(fixed.complete);
  t.deepEqual(fixed.violations.map((v) => v.property), []);
  t.deepEqual(p.declared.filter((id) => !p.reached.has(id)), []);
});

test('mutant oom-intersect-cpuset-effective escapes every other invariant on oomsibling --fix all and is caught by INV-OOM-CPUSET-SKIP', (t) => {
  const sys = kernelSystem(configByName('oomsibling', { fixes: ALL_FIXES, mutant: 'oom-intersect-cpuset-effective' }));
  const without = explore(withProperties(sys, (id) => id !== 'INV-OOM-CPUSET-SKIP'), { strategy: 'bfs', maxStates: 100_000 });
  t.true(without.complete);
  t.deepEqual(without.violations.map((v) => v.property), []);
  t.deepEqual(explore(sys, { strategy: 'bfs', maxStates: 100_000 }).violations.map((v) => v.property), ['INV-OOM-CPUSET-SKIP']);
});

test('P not OOM-eligible (MIGRATION|MEMPOLICY): skipping the sibling is right (INV-OOM-CPUSET-SKIP holds), but a cpuset of private memory only is no shield: guarantee_online_mems gives its task every DRAM node, so oom_mems_intersect passes it and its badness (all on P) gets it killed for cpu0\'s DRAM OOM (INV-OOM-VICTIM, mended by the design fix oom-badness-eligible-rss alone, not by oom-mems-intersect-private)', (t) => {
  const base = KERNEL_CONFIG_PARAMS.oomsibling;
  const variant = (fixes: readonly string[]): KernelConfig => makeConfig({ ...base, opsTables: [{ ...base.opsTables[0], flags: NP_OPS_MIGRATION | NP_OPS_MEMPOLICY }], fixes });
  const run = (fixes: readonly string[]) => explore(kernelSystem(variant(fixes)), { strategy: 'bfs', maxStates: 100_000, stopAtFirstViolation: false });
  const v4 = run(['mpol-rebind-drop-before-fallback']);
  t.true(v4.states < 100_000);
  t.deepEqual(v4.violations.map((v) => v.property), ['INV-OOM-VICTIM']);
  t.deepEqual(run(['mpol-rebind-drop-before-fallback', 'oom-mems-intersect-private']).violations.map((v) => v.property), ['INV-OOM-VICTIM']);
  t.deepEqual(run(['mpol-rebind-drop-before-fallback', 'oom-badness-eligible-rss']).violations.map((v) => v.property), []);
  const p = withReachProbe(kernelSystem(variant(ALL_FIXES)));
  const r = explore(p.sys, { strategy: 'bfs', maxStates: 100_000 });
  t.true(r.complete);
  t.true(p.reached.has('REACH-OOM-CPUSET-SKIP'));
  t.true(p.reached.has('REACH-OOM-KILL'));
});
