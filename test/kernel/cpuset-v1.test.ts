// The cpuset controller on the legacy hierarchy (cgroup v1, cfg.cpusetV1; issue 12
// item 10) with v4's private nodes, on config cpusetv1: D0 = N0, D1 = N1, P = N2
// ('mpol': MIGRATION | MEMPOLICY) hot-added by cpu0's first ops; cs0 = {D0} holds the
// three tasks, cs1 = {D1}. kernel/cgroup/cpuset-v1.c is mainline (the v4 tree has no
// copy: v4 changes kernel/cgroup/cpuset.c only, in guarantee_online_mems,
// cpuset_handle_hotplug and cpuset_spread_node).
import test from 'ava';
import { kernelInitial, kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import { cpusetWriteMems, taskCpuset } from '../../src/kernel/cpuset.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { EINVAL, MPOL_BIND, MPOL_F_PRIVATE } from '../../src/kernel/defs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { nodeBlockRange } from '../../src/cxl/regions.ts';
import { addPrivateMemoryDriverManaged, offlineAndRemovePrivateMemory } from '../../src/kernel/memory_hotplug.ts';
import { MMOP_ONLINE_MOVABLE } from '../../src/kernel/defs.ts';
import { vmaPolicy } from '../../src/kernel/mempolicy.ts';
import { runThread } from '../../src/kernel/sched.ts';

const bit = (...n: number[]) => n.reduce((m, x) => m | (1 << x), 0);
const D0 = 0;
const D1 = 1;
const P = 2;
const ALL = FIXES.map((f) => f.name);

function boot(fixes: readonly string[] = []): Kernel {
  return kernelInitial(buildMachine(configByName('cpusetv1', { fixes })));
}

function runCpuTo(k: Kernel, cpu: number, pc: number): void {
  const tid = k.g.cpuThread(cpu);
  for (let i = 0; i < 50 && k.get(k.L.THR_PC, tid) < pc; i++) {
    if (!runThread(k, tid, 0)) throw new Error(`cpu${cpu} blocked at pc ${k.get(k.L.THR_PC, tid)}`);
  }
}

function offlineP(k: Kernel): void {
  const { first, n } = nodeBlockRange(k, P);
  offlineAndRemovePrivateMemory(k, P, first, n, k.g.cpuThread(2));
}

/** The kworker's choice 1: remove_tasks_in_empty_cpuset's work item. */
function transfer(k: Kernel): boolean {
  return runThread(k, k.g.threads.findIndex((r) => r.kind === 'cpuset_migrate'), 1);
}

test('v1 update_nodemask: cpuset.mems must be a subset of top_cpuset.mems_allowed, the online nodes ("if (!nodes_subset(trialcs->mems_allowed, top_cpuset.mems_allowed)) retval = -EINVAL"; v1 cpuset_bind / cpuset_handle_hotplug: "if (!on_dfl) top_cpuset.mems_allowed = new_mems")', (t) => {
  const k = boot();
  t.is(cpusetWriteMems(k, bit(D0, P), 0), -EINVAL, 'P is not online yet');
  runCpuTo(k, 0, 2); // add_private_memory_driver_managed, node_private_set_ops
  t.is(cpusetWriteMems(k, bit(D0, P), 0), 0);
  t.is(k.get(k.L.CS_CHILD_EFF, 0), bit(D0, P), 'v1: effective_mems = mems_allowed');
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0, P));
});

test('v1 hotplug shrinks a cpuset\'s mems for good (cpuset1_hotplug_update_tasks: "cs->mems_allowed = *new_mems; cs->effective_mems = *new_mems;"); a v2 cpuset keeps its cpuset.mems and gets P back', (t) => {
  const k = boot();
  runCpuTo(k, 0, 2);
  cpusetWriteMems(k, bit(D0, P), 0);
  offlineP(k);
  t.is(k.get(k.L.CS_CHILD_MEMS, 0), bit(D0));
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0));
  const { first, n } = nodeBlockRange(k, P);
  t.is(addPrivateMemoryDriverManaged(k, P, first, n, MMOP_ONLINE_MOVABLE, 0), 0);
  t.is(k.get(k.L.G_CPUSET_MEMS), bit(D0, D1, P));
  t.is(k.get(k.L.CS_CHILD_MEMS, 0), bit(D0), 'P does not come back to cs0');
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0));
});

test('v1: the tasks of a cpuset emptied by hotplug keep their mems_allowed and mempolicies until remove_tasks_in_empty_cpuset moves them to the root ("if (mems_updated && !nodes_empty(cs->mems_allowed)) cpuset_update_tasks_nodemask(cs);" ... schedule_work): MPOL_F_PRIVATE stays over a P that is no longer private', (t) => {
  const k = boot(ALL.filter((f) => f !== 'cpuset1-empty-updates-tasks'));
  runCpuTo(k, 0, 3); // + mmap v0
  t.is(cpusetWriteMems(k, bit(P), 0), 0, 'cs0 = {P}: a private-only cpuset');
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0, D1, P), 'guarantee_online_mems ascends to the root for the N_MEMORY part');
  runCpuTo(k, 0, 5); // mbind v0 {P}, write v0 (on P)
  t.deepEqual(vmaPolicy(k, 0, 0), { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_PRIVATE });
  offlineP(k);
  t.is(k.get(k.L.CS_CHILD_MEMS, 0), 0);
  t.is(k.get(k.L.CS_V1_XFER, 0), 1, 'remove_tasks_in_empty_cpuset queued');
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0, D1, P), 'mems_allowed left as it was (P offline)');
  t.deepEqual(vmaPolicy(k, 0, 0), { mode: MPOL_BIND, nodes: bit(P), flags: MPOL_F_PRIVATE }, 'no rebind: the v2 fix mpol-private-rebind-on-hotplug never runs');
  t.true(transfer(k));
  t.is(taskCpuset(k, 0), -1, 'cgroup_transfer_tasks moved the task to the root');
  t.is(k.get(k.L.CS_V1_XFER, 0), 0);
  t.is(vmaPolicy(k, 0, 0).flags, 0, "cpuset_attach(top_cpuset): mpol_rebind_mm(mm, top_cpuset.effective_mems) recomputes it");
});

test('fix cpuset1-empty-updates-tasks: the emptied cpuset\'s tasks are updated at the hotplug (guarantee_online_mems gives them the parent\'s N_MEMORY nodes, MPOL_F_PRIVATE recomputed)', (t) => {
  const k = boot(ALL);
  runCpuTo(k, 0, 3);
  cpusetWriteMems(k, bit(P), 0);
  runCpuTo(k, 0, 5);
  offlineP(k);
  t.is(k.get(k.L.CS_V1_XFER, 0), 1);
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0, D1));
  t.is(vmaPolicy(k, 0, 0).flags, 0);
});

function verdict(fixes: readonly string[]): { complete: boolean; violated: string[] } {
  const r = explore(kernelSystem(configByName('cpusetv1', { fixes })), { strategy: 'bfs', maxStates: 200_000, stopAtFirstViolation: false });
  return { complete: r.complete, violated: [...new Set(r.violations.map((v) => v.property))] };
}

test('cpusetv1: INV-MPOL breaks with every fix but cpuset1-empty-updates-tasks, and holds with it (exhaustive)', (t) => {
  t.deepEqual(verdict(ALL.filter((f) => f !== 'cpuset1-empty-updates-tasks')).violated, ['INV-MPOL']);
  t.deepEqual(verdict(ALL), { complete: true, violated: [] });
});

test("mutant cpuset1-write-skips-subset escapes every other invariant (exhaustive) and INV-CPUSET-HIER's v1 subset check catches it", (t) => {
  const run = (keep: (id: string) => boolean) => {
    const sys = withProperties(kernelSystem(configByName('cpusetv1', { mutant: 'cpuset1-write-skips-subset', fixes: ALL })), keep);
    const r = explore(sys, { strategy: 'bfs', maxStates: 200_000, stopAtFirstViolation: false });
    return { complete: r.complete, violated: [...new Set(r.violations.map((v) => v.property))] };
  };
  t.deepEqual(run((id) => id !== 'INV-CPUSET-HIER'), { complete: true, violated: [] });
  t.deepEqual(run((id) => id === 'INV-CPUSET-HIER').violated, ['INV-CPUSET-HIER']);
});
