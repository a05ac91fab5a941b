// kernel/cgroup/cpuset.c (SEMANTICS 2.3). The model has one cpuset, the root,
// which every modelled task belongs to: G_CPUSET_MEMS is both
// top_cpuset.effective_mems and every task's current->mems_allowed.
// G_CPUSET_ENABLED is cpusets_enabled() (a non-root cpuset exists).

import { N_MEMORY, N_MEMORY_PRIVATE } from './defs.ts';
import { zoneNode } from './geometry.ts';
import type { Kernel } from './kernel.ts';
import { mpolRebindMm } from './mempolicy.ts';
import { nodesInState } from './zonelist.ts';
import { ran } from './ran.ts';

/** cpusets_enabled() */
export function cpusetsEnabled(k: Kernel): boolean {
  return k.get(k.L.G_CPUSET_ENABLED) !== 0;
}

/** cpuset_current_mems_allowed: current->mems_allowed (root cpuset's mems). */
export function cpusetCurrentMemsAllowed(k: Kernel): number {
  return k.get(k.L.G_CPUSET_MEMS);
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
 * guarantee_online_mems(cs, pmask) for a cpuset with mems `mems` and ancestors
 * `ancestors` (nearest first; the root's mems are implied last): ascend until a
 * cpuset intersects N_MEMORY, take that ∩ N_MEMORY, then v4 adds back the
 * ORIGINAL cpuset's private nodes.
 */
// kernel/cgroup/cpuset.c: guarantee_online_mems
export function guaranteeOnlineMems(k: Kernel, mems: number, ancestors: readonly number[] = []): number {
  const nMem = nodesInState(k, N_MEMORY);
  const chain = [mems, ...ancestors, cpusetCurrentMemsAllowed(k)];
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
  const old = cpusetCurrentMemsAllowed(k);
  const mems = nodesInState(k, N_MEMORY) | nodesInState(k, N_MEMORY_PRIVATE);
  if (mems === old) return;
  k.set(k.L.G_CPUSET_MEMS, 0, mems);
  for (let mm = 0; mm < k.cfg.mms; mm++) if (k.get(k.L.MM_LIVE, mm)) mpolRebindMm(k, mm, old, mems);
  k.trace(`cpuset_handle_hotplug(): mems ${old.toString(2)} -> ${mems.toString(2)}`);
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
