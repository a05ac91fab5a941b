// kernel/cgroup/cpuset.c (SEMANTICS 2.3), cgroup v2 (the default hierarchy).
// The root cpuset holds the kernel threads: G_CPUSET_MEMS is both
// top_cpuset.effective_mems and its tasks' mems_allowed (they are equal:
// guarantee_online_mems(top) keeps all of top's N_MEMORY and private nodes).
// Its mems_allowed is node_possible_map (cpuset_bind, v2) and cannot be written
// (cpuset_write_resmask: -EACCES on the root).
//
// With the cpuset actor (actors.cpuset) the user tasks run in child cpusets
// of the root: one, or two siblings (cfg.cpusetChildren, issue 12 item 10),
// each task in the one its CpuConfig.cpuset names. CS_CHILD_MEMS[c] is child
// c's cpuset.mems, CS_CHILD_EFF[c] its effective_mems, TASK_MEMS[cpu] each
// task's mems_allowed; an administrator writes each child's cpuset.mems
// (cpusetWriteMems). Without the actor every task is in the root.
// G_CPUSET_ENABLED is cpusets_enabled() (a non-root cpuset exists).
//
// Task mempolicies are rebound with each task's mems_allowed
// (cpuset_change_task_nodemask -> mpol_rebind_task). Each child has
// CS_MEMORY_MIGRATE (cpuset_css_alloc sets it on v2): each update of its tasks
// queues cpuset_migrate_mm(mm, old_mems_allowed, newmems) on the ordered
// cpuset_migrate_mm_wq (src/kernel/cpuset_migrate.ts runs it).

import { EINVAL, ENOSPC, N_MEMORY, N_MEMORY_PRIVATE } from './defs.ts';
import { hasFix } from './config.ts';
import { zoneNode } from './geometry.ts';
import type { Kernel } from './kernel.ts';
import { cpusetMigrateMm } from './cpuset_migrate_queue.ts';
import { mpolRebindMm, mpolRebindTask } from './mempolicy.ts';
import { nodesInState } from './zonelist.ts';
import { ran } from './ran.ts';

/** cpusets_enabled() */
export function cpusetsEnabled(k: Kernel): boolean {
  return k.get(k.L.G_CPUSET_ENABLED) !== 0;
}

/** The user CPU whose task thread tid runs, or -1 (a kernel thread). */
function taskCpu(k: Kernel, tid: number): number {
  const r = tid >= 0 ? k.g.threads[tid] : undefined;
  return r?.kind === 'cpu' ? r.cpu : -1;
}

/** Child cpusets under the root: one, or cfg.cpusetChildren's siblings. */
export function cpusetChildCount(k: Kernel): number {
  return k.cfg.cpusetChildren?.length ?? 1;
}

/**
 * The child cpuset user CPU `cpu`'s task is in (task_cs), or -1: the root (no
 * cpuset actor, or a kernel thread). CpuConfig.cpuset (default 0) unless a
 * program moves tasks (cpuset_attach): then TASK_CS, which starts there.
 */
export function taskCpuset(k: Kernel, cpu: number): number {
  if (!k.cfg.actors.cpuset || cpu < 0) return -1;
  if (k.L.TASK_CS.len !== 0) return k.get(k.L.TASK_CS, cpu) - 1;
  return k.cfg.cpus[cpu]?.cpuset ?? 0;
}

/** The legacy hierarchy (cgroup v1): !is_in_v2_mode(). */
export function cpusetV1(k: Kernel): boolean {
  return k.cfg.cpusetV1 === true;
}

/** is_memory_migrate(cs) of a child: cpuset_css_alloc sets CS_MEMORY_MIGRATE on v2 only (v1: off unless written, which the model does not). */
export function isMemoryMigrate(k: Kernel): boolean {
  return !cpusetV1(k);
}

/** The task of user CPU `cpu` is in a child cpuset (every user task is, when the config has the cpuset actor). */
export function taskInChild(k: Kernel, cpu: number): boolean {
  return taskCpuset(k, cpu) >= 0;
}

/** node_possible_map: every node of the machine (top_cpuset.mems_allowed on v2). */
export function nodePossibleMap(k: Kernel): number {
  return (1 << k.g.nodes) - 1;
}

/** cpuset_current_mems_allowed: current->mems_allowed (k.current's task; a kernel thread's is the root's). */
export function cpusetCurrentMemsAllowed(k: Kernel): number {
  const cpu = taskCpu(k, k.current);
  return taskInChild(k, cpu) ? k.get(k.L.TASK_MEMS, cpu) : k.get(k.L.G_CPUSET_MEMS);
}

/**
 * __cpuset_node_allowed(node, gfp): any node in interrupt context; else the
 * node must be in mems_allowed. Outside mems_allowed a !__GFP_HARDWALL request
 * would look at the nearest hardwall ancestor, which is the root with the same
 * mems, so the answer is the same. Unchanged by v4 (SEMANTICS 11.1).
 */
// kernel/cgroup/cpuset.c: cpuset_node_allowed
export function cpusetNodeAllowed(k: Kernel, nid: number, gfp: number, inTask: boolean): boolean {
  // gfp only matters for __GFP_HARDWALL, whose answer equals the mems check with one cpuset.
  if (!cpusetsEnabled(k)) return true;
  if (!inTask) return true;
  return (cpusetCurrentMemsAllowed(k) & (1 << nid)) !== 0;
}

// include/linux/cpuset.h: cpuset_zone_allowed
export function cpusetZoneAllowed(k: Kernel, zone: number, gfp: number, inTask: boolean): boolean {
  return cpusetNodeAllowed(k, zoneNode(zone), gfp, inTask);
}

/**
 * guarantee_online_mems(cs, pmask) for a cpuset with effective mems `mems` and
 * ancestors `ancestors` (nearest first; the root's effective mems are implied
 * last): ascend until a cpuset intersects N_MEMORY, take that ∩ N_MEMORY, then
 * v4 adds back the ORIGINAL cpuset's private nodes. A child whose effective
 * mems are private nodes only thus gets every N_MEMORY node of the root.
 */
// kernel/cgroup/cpuset.c: guarantee_online_mems
export function guaranteeOnlineMems(k: Kernel, mems: number, ancestors: readonly number[] = []): number {
  const nMem = nodesInState(k, N_MEMORY);
  // parent_cs() of a child is top_cpuset, whose effective_mems are G_CPUSET_MEMS.
  const chain = [mems, ...ancestors, k.get(k.L.G_CPUSET_MEMS)];
  let base = 0;
  for (const m of chain) {
    if ((m & nMem) !== 0) {
      base = m & nMem;
      break;
    }
  }
  return base | (mems & nodesInState(k, N_MEMORY_PRIVATE));
}

/**
 * cpuset_handle_hotplug: new mems = N_MEMORY ∪ N_MEMORY_PRIVATE (v4). When they
 * change, the root's tasks get them and their mempolicies are rebound
 * (cpuset_update_tasks_nodemask -> mpol_rebind_mm). Run synchronously from the
 * memory hotplug notifier (the kernel defers it to a work item; the model runs
 * it in the same step as the online/offline that triggers it).
 */
// kernel/cgroup/cpuset.c: cpuset_handle_hotplug
export function cpusetHandleHotplug(k: Kernel): void {
  ran(k, 'cpuset_handle_hotplug');
  const old = k.get(k.L.G_CPUSET_MEMS);
  const mems = nodesInState(k, N_MEMORY) | nodesInState(k, N_MEMORY_PRIVATE);
  if (mems === old) return;
  // top_cpuset.effective_mems = new_mems; cpuset_update_tasks_nodemask(&top_cpuset):
  // its tasks' mems_allowed, and mpol_rebind_mm(mm, &top_cpuset.mems_allowed) (v2: node_possible_map).
  k.set(k.L.G_CPUSET_MEMS, 0, mems);
  // cpuset_change_task_nodemask -> mpol_rebind_task(tsk, newmems = guarantee_online_mems(top) = mems)
  k.cfg.cpus.forEach((_, cpu) => {
    if (!taskInChild(k, cpu)) mpolRebindTask(k, cpu, mems);
  });
  // v1: "if (!on_dfl) top_cpuset.mems_allowed = new_mems;" so the root's VMA policies are rebound to the online nodes.
  for (const mm of taskMms(k, -1)) mpolRebindMm(k, mm, cpusetV1(k) ? mems : nodePossibleMap(k));
  k.trace(`cpuset_handle_hotplug(): mems ${old.toString(2)} -> ${mems.toString(2)}`);
  // Descendants: cpuset_for_each_descendant_pre -> cpuset_hotplug_update_tasks(child), in creation order.
  if (k.cfg.actors.cpuset) {
    for (let cs = 0; cs < cpusetChildCount(k); cs++) {
      const newMems = k.get(k.L.CS_CHILD_MEMS, cs) & mems;
      if (newMems === k.get(k.L.CS_CHILD_EFF, cs)) continue;
      // hotplug_update_tasks: an empty result inherits the parent's effective mask.
      if (!cpusetV1(k)) setChildEffective(k, cs, newMems === 0 ? mems : newMems);
      else cpuset1HotplugUpdateTasks(k, cs, newMems);
    }
  }
}

/**
 * cgroup v1: cs->mems_allowed = cs->effective_mems = new_mems (the shrink is
 * for good: a node coming back does not return to the cpuset); the tasks are
 * updated only if something is left, else the tasks of the (populated)
 * cpuset are handed to a work item that moves them to the nearest non-empty
 * ancestor (the root here) later, with their mems_allowed and mempolicies
 * as they were.
 */
// kernel/cgroup/cpuset-v1.c: cpuset1_hotplug_update_tasks
function cpuset1HotplugUpdateTasks(k: Kernel, cs: number, newMems: number): void {
  k.set(k.L.CS_CHILD_MEMS, cs, newMems);
  // "if (mems_updated && !nodes_empty(cs->mems_allowed)) cpuset_update_tasks_nodemask(cs);"
  // Fix cpuset1-empty-updates-tasks: the tasks of an emptied cpuset are updated too.
  if (newMems !== 0 || hasFix(k.cfg, 'cpuset1-empty-updates-tasks')) setChildEffective(k, cs, newMems);
  if (newMems !== 0) return;
  k.set(k.L.CS_CHILD_EFF, cs, 0);
  const populated = k.cfg.cpus.some((c, cpu) => taskCpuset(k, cpu) === cs && k.get(k.L.MM_LIVE, c.mm));
  // "if (is_empty && cs->css.cgroup->nr_populated_csets && css_tryget_online(&cs->css)) ... schedule_work(&s->work);"
  if (populated) k.set(k.L.CS_V1_XFER, cs, 1);
  if (k.log) k.trace(`cpuset1_hotplug_update_tasks(${childName(k, cs)}): mems_allowed {} (tasks left as they are${populated ? '; remove_tasks_in_empty_cpuset queued' : ''})`);
}

/** The live mms of the tasks in child cpuset `cs` (-1: in the root). */
export function taskMms(k: Kernel, cs: number): number[] {
  const out: number[] = [];
  k.cfg.cpus.forEach((c, cpu) => {
    if (taskCpuset(k, cpu) === cs && k.get(k.L.MM_LIVE, c.mm) && !out.includes(c.mm)) out.push(c.mm);
  });
  if (cs < 0 && !k.cfg.actors.cpuset) {
    // every mm is the root's (a fork child's mm included)
    for (let mm = 0; mm < k.cfg.mms; mm++) if (k.get(k.L.MM_LIVE, mm) && !out.includes(mm)) out.push(mm);
  }
  return out;
}

/**
 * cp->effective_mems = new; cpuset_update_tasks_nodemask(cp): newmems =
 * guarantee_online_mems(cp); each task: cpuset_change_task_nodemask (its
 * mems_allowed); each task's mm: mpol_rebind_mm(mm, &cp->mems_allowed).
 */
// kernel/cgroup/cpuset.c: update_nodemasks_hier / hotplug_update_tasks -> cpuset_update_tasks_nodemask
function setChildEffective(k: Kernel, cs: number, eff: number): void {
  k.set(k.L.CS_CHILD_EFF, cs, eff);
  // Mutant cpuset-tasks-keep-effective (mutants/cpuset.ts): the tasks get the cpuset's effective mask, private nodes not re-added / N_MEMORY not guaranteed.
  const newmems = k.cfg.mutant === 'cpuset-tasks-keep-effective' ? eff : guaranteeOnlineMems(k, eff);
  // cpuset_change_task_nodemask: mpol_rebind_task(tsk, newmems), then tsk->mems_allowed = newmems.
  k.cfg.cpus.forEach((_, cpu) => {
    if (taskCpuset(k, cpu) !== cs) return;
    mpolRebindTask(k, cpu, newmems);
    k.set(k.L.TASK_MEMS, cpu, newmems);
  });
  // Each mm: mpol_rebind_mm(mm, &cs->mems_allowed); is_memory_migrate(cs) ->
  // cpuset_migrate_mm(mm, &cs->old_mems_allowed, &newmems).
  const old = k.get(k.L.CS_OLD_MEMS, cs);
  for (const mm of taskMms(k, cs)) {
    mpolRebindMm(k, mm, k.get(k.L.CS_CHILD_MEMS, cs));
    if (isMemoryMigrate(k)) cpusetMigrateMm(k, mm, old, newmems);
  }
  k.set(k.L.CS_OLD_MEMS, cs, newmems);
  // With siblings the name is repeated after the colon: the mail layout drops a repeated call's arguments.
  if (k.log) k.trace(`cpuset_update_tasks_nodemask(${childName(k, cs)}): ${cpusetChildCount(k) > 1 ? `${childName(k, cs)} ` : ''}effective_mems ${maskStr(eff)}, tasks' mems_allowed ${maskStr(newmems)}`);
}

/** The child's name in traces: 'child' with one child (the traces before siblings), else 'cs0' / 'cs1'. */
export function childName(k: Kernel, cs: number): string {
  return cpusetChildCount(k) === 1 ? 'child' : `cs${cs}`;
}

export function maskStr(mask: number): string {
  const out: number[] = [];
  for (let n = 0; mask >> n; n++) if (mask & (1 << n)) out.push(n);
  return `{${out.join(',')}}`;
}

/**
 * The child cpusets at boot: each created under the root (cpuset_css_online:
 * it inherits the root's effective mems) and given its cpuset.mems (every
 * node unless cfg.cpusetChildren says otherwise), its tasks attached (their
 * mems_allowed = guarantee_online_mems(child)).
 */
export function cpusetChildBoot(k: Kernel): void {
  if (!k.cfg.actors.cpuset) return;
  if (k.L.TASK_CS.len !== 0) k.cfg.cpus.forEach((c, cpu) => k.set(k.L.TASK_CS, cpu, (c.cpuset ?? 0) + 1));
  const root = k.get(k.L.G_CPUSET_MEMS);
  for (let cs = 0; cs < cpusetChildCount(k); cs++) {
    const initial = k.cfg.cpusetChildren?.[cs]?.initial;
    // v1: a child starts with no mems and its cpuset.mems write must be a subset of the online nodes (the default: those).
    const mems = initial ? initial.reduce((a, n) => a | (1 << n), 0) : cpusetV1(k) ? root : nodePossibleMap(k);
    if (cpusetV1(k) && (mems & ~root) !== 0) {
      throw new Error(`config ${k.cfg.name}: cgroup v1 child cpuset ${cs}'s cpuset.mems ${maskStr(mems)} is not a subset of the nodes online at boot ${maskStr(root)} (update_nodemask: -EINVAL)`);
    }
    k.set(k.L.CS_CHILD_MEMS, cs, mems);
    const eff = mems & root || root;
    k.set(k.L.CS_CHILD_EFF, cs, eff);
    const newmems = guaranteeOnlineMems(k, eff);
    k.cfg.cpus.forEach((_, cpu) => {
      if (taskCpuset(k, cpu) === cs) k.set(k.L.TASK_MEMS, cpu, newmems);
    });
    // cpuset_attach: cs->old_mems_allowed = cpuset_attach_nodemask_to (guarantee_online_mems(cs)).
    k.set(k.L.CS_OLD_MEMS, cs, newmems);
  }
}

/**
 * An administrator writes the child's cpuset.mems (cpuset_write_resmask ->
 * update_nodemask): the mask must be a subset of top_cpuset.mems_allowed
 * (node_possible_map), else -EINVAL; the same mask is a no-op; a populated
 * cpuset cannot be emptied (validate_change: -ENOSPC). Then
 * update_nodemasks_hier: effective = mems ∩ parent's effective, the parent's
 * when that is empty (v2), and the tasks are updated if it changed. v4 changes
 * none of this: a private node may be written, and is effective while the
 * root's effective mems (N_MEMORY ∪ N_MEMORY_PRIVATE) hold it.
 */
// kernel/cgroup/cpuset.c: update_nodemask
export function cpusetWriteMems(k: Kernel, mask: number, cs = 0): number {
  ran(k, 'update_nodemask');
  const L = k.L;
  if (mask & ~nodePossibleMap(k)) return -EINVAL;
  if (cpusetV1(k)) return cpuset1UpdateNodemask(k, mask, cs);
  const cur = k.get(L.CS_CHILD_MEMS, cs);
  if (mask === cur) return 0;
  // (No child is mem_exclusive, so siblings' masks may overlap: mems_excl_conflict is false.)
  if (storeChildMems(k, cs, cur, mask) !== 0) return -ENOSPC;
  // update_nodemasks_hier(cs)
  const parent = k.get(L.G_CPUSET_MEMS);
  // Mutant cpuset-eff-ignores-parent (mutants/cpuset.ts): the child's effective mems are its mems, not ∩ the parent's.
  let eff = k.cfg.mutant === 'cpuset-eff-ignores-parent' ? mask : mask & parent;
  if (eff === 0) eff = parent;
  if (eff !== k.get(L.CS_CHILD_EFF, cs)) setChildEffective(k, cs, eff);
  return 0;
}

/** validate_change's rule (a cpuset with tasks can't be changed to have empty mems_allowed), then cs->mems_allowed = mask. */
function storeChildMems(k: Kernel, cs: number, cur: number, mask: number): number {
  const L = k.L;
  const populated = k.cfg.cpus.some((c, cpu) => taskCpuset(k, cpu) === cs && k.get(L.MM_LIVE, c.mm));
  if (populated && cur !== 0 && mask === 0) return -ENOSPC;
  k.set(L.CS_CHILD_MEMS, cs, mask);
  if (k.log) k.trace(`update_nodemask(${childName(k, cs)} cpuset.mems = ${maskStr(mask)})`);
  return 0;
}

/**
 * update_nodemask on the legacy hierarchy: the mask must be a subset of
 * top_cpuset.mems_allowed (v1: the online nodes, N_MEMORY ∪ N_MEMORY_PRIVATE
 * since v4's cpuset_handle_hotplug), else -EINVAL (cpuset1_validate_change's
 * subset-of-parent rule, -EACCES, is implied); a populated cpuset cannot be
 * emptied (-ENOSPC); effective_mems = mems_allowed (no inheritance when
 * empty), and the tasks are updated when it changed (memory_migrate off).
 */
// kernel/cgroup/cpuset.c: update_nodemask, kernel/cgroup/cpuset-v1.c: cpuset1_validate_change
function cpuset1UpdateNodemask(k: Kernel, mask: number, cs: number): number {
  const L = k.L;
  // Mutant cpuset1-write-skips-subset (mutants/cpuset.ts): no subset-of-top_cpuset.mems_allowed check.
  if ((mask & ~k.get(L.G_CPUSET_MEMS)) && k.cfg.mutant !== 'cpuset1-write-skips-subset') return -EINVAL;
  const cur = k.get(L.CS_CHILD_MEMS, cs);
  if (mask === cur) return 0;
  if (storeChildMems(k, cs, cur, mask) !== 0) return -ENOSPC;
  // update_nodemasks_hier: new = mems ∩ parent's effective (= mems, a subset); v1 keeps an empty result.
  if (mask !== k.get(L.CS_CHILD_EFF, cs)) setChildEffective(k, cs, mask);
  return 0;
}

/**
 * cpuset_spread_node(rotor): the next node of mems_allowed after the rotor,
 * skipping private nodes (v4). If mems_allowed holds only private nodes the
 * kernel loop never ends; the model returns node -1 for that hang (2.3). The
 * rotor is per-task and not modelled state: the caller passes and keeps it.
 */
// kernel/cgroup/cpuset.c: cpuset_spread_node
export function cpusetSpreadNode(k: Kernel, rotor: number): { node: number; rotor: number } {
  const mems = cpusetCurrentMemsAllowed(k);
  if (mems === 0) return { node: -1, rotor };
  let r = rotor;
  // One full lap visits every node of the mask once.
  for (let i = 0; i < k.g.nodes; i++) {
    let next = -1;
    for (let d = 1; d <= k.g.nodes; d++) {
      const n = (r + d) % k.g.nodes;
      if (mems & (1 << n)) {
        next = n;
        break;
      }
    }
    r = next;
    if (!k.has(k.L.NODE_STATES, next, N_MEMORY_PRIVATE)) return { node: next, rotor: r };
  }
  return { node: -1, rotor: r };
}
