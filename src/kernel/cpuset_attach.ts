// Moving a task between child cpusets (cgroup v2, issue 12 item 10): an
// administrator writes a pid into another child's cgroup.procs, and the cgroup
// core moves the task's thread group (cgroup_attach_task) with the cpuset
// controller's cpuset_can_attach and cpuset_attach around it. Run as a program
// op of the writer's CPU (ProgramOp 'cpuset_attach'); TASK_CS is each task's
// task_cs().
//
// What v2's cpuset_attach does, and what it does not share with a cpuset.mems
// write (src/kernel/cpuset.ts: setChildEffective):
// - tasks: cpuset_attach_task -> cpuset_change_task_nodemask(task,
//   guarantee_online_mems(cs)): the same mems_allowed and mpol_rebind_task as
//   a write gives the destination's tasks;
// - the mm: mpol_rebind_mm(mm, &cs->effective_mems) (a write rebinds to
//   cs->mems_allowed) and cpuset_migrate_mm(mm, &oldcs->old_mems_allowed,
//   &cs->effective_mems): `to` is the destination's effective mems, NOT
//   guarantee_online_mems(cs), so a private-only destination ({P}) makes
//   do_migrate_pages move every DRAM folio of the mm onto P (a write's `to`
//   always holds N_MEMORY nodes);
// - cs->old_mems_allowed = cs->effective_mems (a write sets the guaranteed mask);
// - v2 skips everything (not even the task rebind) when the two cpusets'
//   effective mems are equal (the model's children all have every CPU).
// The writer's way back to user space flushes cpuset_migrate_mm_wq
// (schedule_flush_migrate_mm): its next op waits for the queue to drain.

import { ran } from './ran.ts';
import type { Kernel } from './kernel.ts';
import { childName, cpusetChildCount, cpusetV1, guaranteeOnlineMems, isMemoryMigrate, maskStr, taskCpuset } from './cpuset.ts';
import { cpusetMigrateMm, cpusetMigratePending } from './cpuset_migrate_queue.ts';
import { mpolRebindMm, mpolRebindTask } from './mempolicy.ts';

/** THR_STAGE of a writer between its cgroup.procs write and the end of its flush_workqueue (task_work on return to user space). */
export const ATTACH_FLUSH = 1;

/** What a cpuset_attach op step did: 'next' (done), 'stay' (flush pending), 'blocked' (nothing changed). */
export type AttachStep = 'next' | 'stay' | 'blocked';

/** A cpuset's effective_mems (-1: the root, top_cpuset.effective_mems). */
function effectiveMems(k: Kernel, cs: number): number {
  return cs < 0 ? k.get(k.L.G_CPUSET_MEMS) : k.get(k.L.CS_CHILD_EFF, cs);
}

/** cs->old_mems_allowed (the root's: its effective mems, as cpuset_update_tasks_nodemask(&top_cpuset) leaves it). */
function oldMemsAllowed(k: Kernel, cs: number): number {
  return cs < 0 ? k.get(k.L.G_CPUSET_MEMS) : k.get(k.L.CS_OLD_MEMS, cs);
}

/**
 * cgroup_attach_task(dst, leader of cpu's task, threadgroup) for the cpuset
 * controller: every user CPU of the task's mm moves to child `dst`. Returns
 * whether cpuset_migrate_mm ran (queue_task_work), or null when the task is
 * already there (cgroup_migrate_add_src finds no task to move: no attach
 * callback runs) or cpuset_can_attach refuses (v1: a cpuset without mems).
 */
// kernel/cgroup/cpuset.c: cpuset_can_attach, cpuset_attach
export function cpusetAttach(k: Kernel, cpu: number, dst: number): { queued: boolean } | null {
  ran(k, 'cpuset_attach');
  const mm = k.cfg.cpus[cpu]!.mm;
  const old = taskCpuset(k, cpu);
  if (old === dst) return null;
  // cpuset_can_attach_check: "if (cpumask_empty(cs->effective_cpus) || (!is_in_v2_mode() && nodes_empty(cs->mems_allowed))) return -ENOSPC;"
  // (every child has every CPU; attach_in_progress is within this one step).
  if (cpusetV1(k) && dst >= 0 && k.get(k.L.CS_CHILD_MEMS, dst) === 0) return null;
  const tasks: number[] = [];
  k.cfg.cpus.forEach((c, i) => {
    if (c.mm === mm) tasks.push(i);
  });
  return attachTasks(k, tasks, mm, old, dst);
}

/**
 * cpuset_attach(tset) of `tasks` (one thread group, mm `mm`) from cpuset
 * `old` to `dst` (-1: the root), after the cgroup core moved their css_set.
 */
// kernel/cgroup/cpuset.c: cpuset_attach -> cpuset_attach_task
function attachTasks(k: Kernel, tasks: readonly number[], mm: number, old: number, dst: number): { queued: boolean } {
  const L = k.L;
  for (const t of tasks) k.set(L.TASK_CS, t, dst + 1);
  const eff = effectiveMems(k, dst);
  const memsUpdated = eff !== effectiveMems(k, old);
  const setOld = (): void => {
    if (dst >= 0) k.set(L.CS_OLD_MEMS, dst, eff);
  };
  if (!cpusetV1(k) && !memsUpdated) {
    // "if (cpuset_v2() && !cpus_updated && !mems_updated) { cpuset_attach_nodemask_to = cs->effective_mems; goto out; }"
    setOld();
    if (k.log) k.trace(`cpuset_attach(${csName(k, old)} -> ${csName(k, dst)}, mm${mm}): effective mems unchanged, tasks left as they are`);
    return { queued: false };
  }
  // guarantee_online_mems(cs, &cpuset_attach_nodemask_to); cpuset_attach_task -> cpuset_change_task_nodemask
  const newmems = guaranteeOnlineMems(k, eff);
  // Mutant cpuset-attach-keeps-mems (mutants/cpuset.ts): cpuset_attach_task's nodemask change is skipped.
  for (const t of k.cfg.mutant === 'cpuset-attach-keeps-mems' ? [] : tasks) {
    mpolRebindTask(k, t, newmems);
    k.set(L.TASK_MEMS, t, newmems);
  }
  // cpuset_attach_nodemask_to = cs->effective_mems; "if (!is_memory_migrate(cs) && !mems_updated) goto out;"
  // (the root is never memory_migrate: top_cpuset's flags do not have it).
  const migrate = dst >= 0 && isMemoryMigrate(k);
  let queued = false;
  // The leader's mm (get_task_mm: none once the mm is gone).
  if ((migrate || memsUpdated) && k.get(L.MM_LIVE, mm)) {
    mpolRebindMm(k, mm, eff);
    if (migrate) {
      // cpuset_migrate_mm(mm, &oldcs->old_mems_allowed, &cpuset_attach_nodemask_to)
      cpusetMigrateMm(k, mm, oldMemsAllowed(k, old), eff);
      queued = true;
    }
  }
  setOld();
  if (k.log) k.trace(`cpuset_attach(${csName(k, old)} -> ${csName(k, dst)}, mm${mm}): tasks' mems_allowed ${maskStr(newmems)}, mm rebound to effective_mems ${maskStr(eff)}`);
  return { queued };
}

function csName(k: Kernel, cs: number): string {
  return cs < 0 ? 'root' : childName(k, cs);
}

/**
 * cgroup v1: the work item cpuset1_hotplug_update_tasks queued for an
 * emptied child: remove_tasks_in_empty_cpuset finds the nearest ancestor with
 * CPUs and mems (the root: it always has both) and cgroup_transfer_tasks
 * moves every task of the child there (cgroup_attach_task -> cpuset_attach
 * of the root for each thread group). It does not look at the child again:
 * tasks are moved even if an administrator has given it mems meanwhile.
 */
// kernel/cgroup/cpuset-v1.c: cpuset_migrate_tasks_workfn -> remove_tasks_in_empty_cpuset
export function cpusetV1TransferStep(k: Kernel): boolean {
  const L = k.L;
  if (L.CS_V1_XFER.len === 0) return false;
  let cs = -1;
  for (let c = 0; c < cpusetChildCount(k) && cs < 0; c++) if (k.get(L.CS_V1_XFER, c)) cs = c;
  if (cs < 0) return false;
  ran(k, 'remove_tasks_in_empty_cpuset');
  k.set(L.CS_V1_XFER, cs, 0);
  if (k.log) k.trace(`remove_tasks_in_empty_cpuset(${childName(k, cs)}): cgroup_transfer_tasks to the root`);
  const mms: number[] = [];
  k.cfg.cpus.forEach((c, cpu) => {
    if (taskCpuset(k, cpu) === cs && !mms.includes(c.mm)) mms.push(c.mm);
  });
  for (const mm of mms) {
    const tasks = k.cfg.cpus.flatMap((c, cpu) => (c.mm === mm && taskCpuset(k, cpu) === cs ? [cpu] : []));
    attachTasks(k, tasks, mm, cs, -1);
  }
  return true;
}

/**
 * The writer's step of a cpuset_attach op: the write (cgroup_procs_write ->
 * cgroup_attach_task), then, when cpuset_attach queued the flush task_work,
 * the wait in flush_workqueue(cpuset_migrate_mm_wq) on the way back to user
 * space. flush_workqueue waits for the items queued before it; the model
 * waits for an empty queue, which is that or longer (items another writer or
 * a hotplug event queued meanwhile): the writer's next op can only come
 * later than in the kernel, never earlier.
 */
// kernel/cgroup/cgroup.c: cgroup_procs_write -> kernel/cgroup/cpuset.c: cpuset_attach, schedule_flush_migrate_mm
export function cpusetAttachOpStep(k: Kernel, tid: number, cpu: number, dst: number): AttachStep {
  const L = k.L;
  if (k.get(L.THR_STAGE, tid) === ATTACH_FLUSH) {
    if (cpusetMigratePending(k) !== 0) return 'blocked';
    k.set(L.THR_STAGE, tid, 0);
    if (k.log) k.trace('flush_migrate_mm_task_workfn: cpuset_migrate_mm_wq flushed');
    return 'next';
  }
  if (dst < 0 || dst >= cpusetChildCount(k) || L.TASK_CS.len === 0) return 'next';
  const r = cpusetAttach(k, cpu, dst);
  const refused = r === null && taskCpuset(k, cpu) !== dst;
  if (k.log) k.trace(`cgroup.procs of ${childName(k, dst)} <- pid of cpu${cpu}'s task = ${refused ? '-ENOSPC' : '0'}`);
  if (!r?.queued) return 'next';
  k.set(L.THR_STAGE, tid, ATTACH_FLUSH);
  return 'stay';
}

/**
 * cpuset_fork: a child forked in the parent's cpuset stays there (cgroup
 * core: the child's css_set is the parent's) with the parent's mems_allowed.
 */
// kernel/cgroup/cpuset.c: cpuset_fork
export function cpusetFork(k: Kernel, parentCpu: number, childCpu: number): void {
  if (k.L.TASK_CS.len === 0) return;
  k.set(k.L.TASK_CS, childCpu, k.get(k.L.TASK_CS, parentCpu));
}
