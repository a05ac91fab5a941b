// Tasks moving between sibling cpusets (issue 12 item 10): kernel/cgroup/cpuset.c
// cpuset_attach / cpuset_attach_task (mainline; v4 patch 2 changes only
// guarantee_online_mems, cpuset_handle_hotplug and cpuset_spread_node), on
// config cpusetmove: D0 = N0, D1 = N1, P = N2 ('mpol': MIGRATION | MEMPOLICY);
// cs0 = {D0, P} holds both tasks, cs1 = {D1}; cpu1 moves cpu0's task.
import test from 'ava';
import { cpusetWriteAction, kernelInitial, kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { ATTACH_FLUSH } from '../../src/kernel/cpuset_attach.ts';
import { taskCpuset } from '../../src/kernel/cpuset.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { MPOL_BIND, MPOL_F_PRIVATE } from '../../src/kernel/defs.ts';
import { folioNid, pageFolio } from '../../src/kernel/folio.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { taskPolicy, vmaPolicy } from '../../src/kernel/mempolicy.ts';
import { runThread } from '../../src/kernel/sched.ts';
import { FIXES } from '../../src/kernel/fixes.ts';

const bit = (...n: number[]) => n.reduce((m, x) => m | (1 << x), 0);
const D0 = 0;
const D1 = 1;
const P = 2;

function boot(): Kernel {
  return kernelInitial(buildMachine(configByName('cpusetmove')));
}

/** Steps user CPU `cpu` until its program counter reaches `pc`. */
function runCpuTo(k: Kernel, cpu: number, pc: number): void {
  const tid = k.g.cpuThread(cpu);
  for (let i = 0; i < 50 && k.get(k.L.THR_PC, tid) < pc; i++) {
    if (!runThread(k, tid, 0)) throw new Error(`cpu${cpu} blocked at pc ${k.get(k.L.THR_PC, tid)}`);
  }
}

function kworker(k: Kernel): number {
  return k.g.threads.findIndex((r) => r.kind === 'cpuset_migrate');
}

/** The memory_migrate kworker runs until cpuset_migrate_mm_wq is empty. */
function drain(k: Kernel): void {
  for (let i = 0; i < 20 && k.get(k.L.CS_MIGQ_LEN) > 0; i++) runThread(k, kworker(k), 0);
}

const nodeOf = (k: Kernel, mm: number, v: number): number => folioNid(k, pageFolio(k, k.get(k.L.PTE_VAL, mm * k.cfg.vaddrs + v)));

// cpu0's program: add P, set ops, set_mempolicy(BIND {D0,P}), mmap v0, write v0, mmap v1, mbind v1 {P}, write v1, read v0, read v1.
const AFTER_WRITES = 8;

test('cpuset_attach into a sibling without P: cpuset_change_task_nodemask (mems_allowed, mpol_rebind_task), mpol_rebind_mm to effective_mems, do_migrate_pages from the old cpuset\'s old_mems_allowed', (t) => {
  const k = boot();
  runCpuTo(k, 0, AFTER_WRITES);
  t.is(nodeOf(k, 0, 0), D0);
  t.is(nodeOf(k, 0, 1), P);
  t.deepEqual(taskPolicy(k, 0), { mode: MPOL_BIND, nodes: bit(D0, P), flags: MPOL_F_PRIVATE });
  // cpu1: echo pid(cpu0) > cs1/cgroup.procs
  t.true(runThread(k, k.g.cpuThread(1), 0));
  t.is(taskCpuset(k, 0), 1, 'task_cs(cpu0) is cs1');
  // cpuset_attach_task -> cpuset_change_task_nodemask(task, guarantee_online_mems(cs1))
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D1));
  t.deepEqual(taskPolicy(k, 0), { mode: MPOL_BIND, nodes: bit(D1), flags: 0 }, 'mpol_rebind_task remaps {D0,P} onto {D1}; MPOL_F_PRIVATE recomputed');
  // mpol_rebind_mm(mm, &cpuset_attach_nodemask_to = cs->effective_mems)
  t.deepEqual(vmaPolicy(k, 0, 1), { mode: MPOL_BIND, nodes: bit(D1), flags: 0 });
  // cpuset_migrate_mm(mm, &oldcs->old_mems_allowed, &cs->effective_mems)
  t.is(k.get(k.L.CS_MIGQ_LEN), 1);
  t.is(k.get(k.L.CS_MIGQ_FROM, 0), bit(D0, P));
  t.is(k.get(k.L.CS_MIGQ_TO, 0), bit(D1));
  t.is(k.get(k.L.CS_OLD_MEMS, 1), bit(D1), 'cs->old_mems_allowed = cpuset_attach_nodemask_to');
  drain(k);
  t.is(nodeOf(k, 0, 0), D1);
  t.is(nodeOf(k, 0, 1), D1, "P's folio leaves with NP_OPS_MIGRATION");
});

test('cpuset_attach into a private-only cpuset: the tasks get guarantee_online_mems ({D0,D1,P}) but do_migrate_pages goes to cs->effective_mems = {P}, a mask no cpuset.mems write queues', (t) => {
  const k = boot();
  runCpuTo(k, 0, AFTER_WRITES);
  t.true(cpusetWriteAction(k, bit(P), 1));
  t.is(k.get(k.L.CS_CHILD_EFF, 1), bit(P));
  t.true(runThread(k, k.g.cpuThread(1), 0));
  t.is(k.get(k.L.TASK_MEMS, 0), bit(D0, D1, P));
  t.is(k.get(k.L.CS_MIGQ_FROM, 0), bit(D0, P));
  t.is(k.get(k.L.CS_MIGQ_TO, 0), bit(P), "cpuset_attach_nodemask_to = cs->effective_mems before cpuset_migrate_mm");
  t.is(k.get(k.L.CS_OLD_MEMS, 1), bit(P));
  drain(k);
  t.is(nodeOf(k, 0, 0), P, "v0 (default VMA policy, written on D0) is moved onto P by P's migrate_to");
  t.is(nodeOf(k, 0, 1), P);
});

test('cgroup v2: a move between cpusets with equal effective mems skips the task update ("if (cpuset_v2() && !cpus_updated && !mems_updated) goto out")', (t) => {
  const k = boot();
  runCpuTo(k, 0, AFTER_WRITES);
  k.set(k.L.CS_CHILD_MEMS, 1, bit(D0, P));
  k.set(k.L.CS_CHILD_EFF, 1, bit(D0, P));
  const before = k.s.slice();
  t.true(runThread(k, k.g.cpuThread(1), 0));
  t.is(taskCpuset(k, 0), 1);
  t.is(k.get(k.L.CS_MIGQ_LEN), 0);
  t.is(k.get(k.L.TASK_MEMS, 0), before[k.L.TASK_MEMS.off]!);
  t.deepEqual(taskPolicy(k, 0), { mode: MPOL_BIND, nodes: bit(D0, P), flags: MPOL_F_PRIVATE });
});

test('the writer waits for flush_workqueue(cpuset_migrate_mm_wq) on its way back to user space (schedule_flush_migrate_mm) before its next write', (t) => {
  const k = boot();
  runCpuTo(k, 0, AFTER_WRITES);
  const w = k.g.cpuThread(1);
  t.true(runThread(k, w, 0));
  t.is(k.get(k.L.THR_STAGE, w), ATTACH_FLUSH);
  t.is(k.get(k.L.THR_PC, w), 0);
  t.false(runThread(k, w, 0), 'blocked while the item is queued');
  drain(k);
  t.true(runThread(k, w, 0));
  t.is(k.get(k.L.THR_PC, w), 1);
  t.true(runThread(k, w, 0), 'echo pid(cpu0) > cs0/cgroup.procs');
  t.is(taskCpuset(k, 0), 0);
  // from cs1's old_mems_allowed {D1} to cs0's effective {D0,P}
  t.is(k.get(k.L.CS_MIGQ_FROM, 0), bit(D1));
  t.is(k.get(k.L.CS_MIGQ_TO, 0), bit(D0, P));
});

test('cpusetmove, every fix on: every invariant holds, exhaustively', (t) => {
  const sys = kernelSystem(configByName('cpusetmove', { fixes: FIXES.map((f) => f.name) }));
  const r = explore(sys, { strategy: 'bfs', maxStates: 2_000_000, stopAtFirstViolation: false });
  t.true(r.complete);
  t.deepEqual([...new Set(r.violations.map((v) => v.property))], []);
});

test('mutant cpuset-attach-keeps-mems (cpuset_attach_task skipped): INV-CPUSET-HIER, which reads task_cs from TASK_CS, catches it first', (t) => {
  const sys = kernelSystem(configByName('cpusetmove', { mutant: 'cpuset-attach-keeps-mems', fixes: FIXES.map((f) => f.name) }));
  const r = explore(sys, { strategy: 'bfs', maxStates: 2_000_000, stopAtFirstViolation: true });
  t.is(r.violations[0]?.property, 'INV-CPUSET-HIER');
});
