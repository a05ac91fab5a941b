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
import { childName, cpusetChildCount, guaranteeOnlineMems, maskStr, taskCpuset } from './cpuset.ts';
import { cpusetMigrateMm, cpusetMigratePending } from './cpuset_migrate_queue.ts';
import { mpolRebindMm, mpolRebindTask } from './mempolicy.ts';

/** THR_STAGE of a writer between its cgroup.procs write and the end of its flush_workqueue (task_work on return to user space). */
export const ATTACH_FLUSH = 1;

/** What a cpuset_attach op step did: 'next' (done), 'stay' (flush pending), 'blocked' (nothing changed). */
export type AttachStep = 'next' | 'stay' | 'blocked';

/**
 * cgroup_attach_task(dst, leader of cpu's task, threadgroup) for the cpuset
 * controller: every user CPU of the task's mm moves to child `dst`. Returns
 * whether cpuset_migrate_mm ran (queue_task_work), or null when the task is
 * already there (cgroup_migrate_add_src finds no task to move: no attach
 * callback runs).
 */
// kernel/cgroup/cpuset.c: cpuset_can_attach, cpuset_attach
export function cpusetAttach(k: Kernel, cpu: number, dst: number): { queued: boolean } | null {
  ran(k, 'cpuset_attach');
  const L = k.L;
  const mm = k.cfg.cpus[cpu]!.mm;
  const old = taskCpuset(k, cpu);
  if (old === dst || old < 0) return null;
  const tasks: number[] = [];
  k.cfg.cpus.forEach((c, i) => {
    if (c.mm === mm) tasks.push(i);
  });
  // cpuset_can_attach: cpuset_can_attach_check (v2: effective_cpus empty -> -ENOSPC) never
  // fails here (every child has every CPU); attach_in_progress is within this one step.
  // The cgroup core moves the css_set (task_cs() is the destination from now on).
  for (const t of tasks) k.set(L.TASK_CS, t, dst);
  const eff = k.get(L.CS_CHILD_EFF, dst);
  const memsUpdated = eff !== k.get(L.CS_CHILD_EFF, old);
  if (!memsUpdated) {
    // "if (cpuset_v2() && !cpus_updated && !mems_updated) { cpuset_attach_nodemask_to = cs->effective_mems; goto out; }"
    k.set(L.CS_OLD_MEMS, dst, eff);
    if (k.log) k.trace(`cpuset_attach(${childName(k, old)} -> ${childName(k, dst)}, mm${mm}): effective mems unchanged, tasks left as they are`);
    return { queued: false };
  }
  // guarantee_online_mems(cs, &cpuset_attach_nodemask_to); cpuset_attach_task -> cpuset_change_task_nodemask
  const newmems = guaranteeOnlineMems(k, eff);
  for (const t of tasks) {
    mpolRebindTask(k, t, newmems);
    k.set(L.TASK_MEMS, t, newmems);
  }
  // cpuset_attach_nodemask_to = cs->effective_mems; the leader's mm (get_task_mm: none once the mm is gone).
  let queued = false;
  if (k.get(L.MM_LIVE, mm)) {
    mpolRebindMm(k, mm, eff);
    // is_memory_migrate(cs) (v2: every child): cpuset_migrate_mm(mm, &oldcs->old_mems_allowed, &cpuset_attach_nodemask_to)
    cpusetMigrateMm(k, mm, k.get(L.CS_OLD_MEMS, old), eff);
    queued = true;
  }
  k.set(L.CS_OLD_MEMS, dst, eff);
  if (k.log) k.trace(`cpuset_attach(${childName(k, old)} -> ${childName(k, dst)}, mm${mm}): tasks' mems_allowed ${maskStr(newmems)}, mm rebound to effective_mems ${maskStr(eff)}`);
  return { queued };
}

/**
 * The writer's step of a cpuset_attach op: the write (cgroup_procs_write ->
 * cgroup_attach_task), then, when cpuset_attach queued the flush task_work,
 * the wait in flush_workqueue(cpuset_migrate_mm_wq) on the way back to user
 * space. The model's queue only ever holds work queued while it was empty
 * or by this write (every cpuset.mems write waits for it to drain before it
 * starts), so waiting for an empty queue is waiting for what was queued
 * before the flush.
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
  if (k.log) k.trace(`cgroup.procs of ${childName(k, dst)} <- pid of cpu${cpu}'s task = 0`);
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
