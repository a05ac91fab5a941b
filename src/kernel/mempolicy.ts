// mm/mempolicy.c with v4 patch 13 (MPOL_F_PRIVATE), SEMANTICS 2.5-2.6.
//
// A policy lives in VMA_POL_MODE / VMA_POL_NODES / VMA_POL_FLAGS of the page
// slot (mm, vaddr): each slot is its own VMA for policy purposes. VMA_POL_W is
// the policy's w.cpuset_mems_allowed: the task's mems_allowed when the policy
// was made, then the mask of its last rebind (mpol_rebind_nodemask remaps from
// it; cgroup v2 rebinds VMA policies to the cpuset's configured mems_allowed,
// node_possible_map for the root).

import { cpusetCurrentMemsAllowed } from './cpuset.ts';
import {
  __GFP_DIRECT_RECLAIM, __GFP_NOWARN, __GFP_PRIVATE, __GFP_THISNODE, EFAULT, MAX_NUMNODES, EINVAL, ENOENT, EOPNOTSUPP, errname, MPOL_BIND, MPOL_DEFAULT,
  MPOL_F_PRIVATE, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES, MPOL_INTERLEAVE, MPOL_LOCAL, MPOL_MODE_FLAGS, MPOL_PREFERRED,
  MPOL_PREFERRED_MANY, N_MEMORY, N_MEMORY_PRIVATE, N_ONLINE,
  NP_OPS_MEMPOLICY, NP_OPS_MIGRATION, ZONE_MOVABLE, ZONE_NORMAL,
} from './defs.ts';
import { hasFix } from './config.ts';
import type { Kernel } from './kernel.ts';
import { VMA_MAPPED } from './layout.ts';
import { folioIsPrivateNode, nodePrivateHasFlag, nodesPrivateMpolAllowed } from './node_private.ts';
import { allocPages, gfpZone, NULL_PFN } from './page_alloc.ts';
import { nodesInState } from './zonelist.ts';
import { ran } from './ran.ts';
import { EV2_MPOL_ALLOC_UNGATED, event2 } from './ghost.ts';

export interface Mempolicy {
  readonly mode: number;
  readonly nodes: number;
  readonly flags: number;
  /** pol->home_node (set_mempolicy_home_node): a node id, or NUMA_NO_NODE (absent or -1). */
  readonly home?: number;
}

/** NUMA_NO_NODE */
export const NUMA_NO_NODE = -1;

function firstNode(mask: number): number {
  for (let n = 0; n < 16; n++) if (mask & (1 << n)) return n;
  return -1;
}

function weight(mask: number): number {
  let w = 0;
  for (let m = mask; m; m &= m - 1) w++;
  return w;
}

/** The n-th set bit of mask (bitmap_ord_to_pos). */
function nthNode(mask: number, n: number): number {
  let i = 0;
  for (let b = 0; b < 16; b++) {
    if (mask & (1 << b)) {
      if (i === n) return b;
      i++;
    }
  }
  return -1;
}

/** next_node_in(n, mask): the first node of mask after n, wrapping; MAX_NUMNODES if mask is empty. */
// include/linux/nodemask.h: next_node_in
export function nextNodeIn(n: number, mask: number): number {
  for (let b = n + 1; b < MAX_NUMNODES; b++) if (mask & (1 << b)) return b;
  const f = firstNode(mask);
  return f < 0 ? MAX_NUMNODES : f;
}

/** The interleave index of an allocation without a VMA (alloc_pages): interleave_nodes decides. */
export const NO_INTERLEAVE_INDEX = -1;

/**
 * mpol_set_nodemask + the mode's create(): allowed = cpuset mems ∩ (N_MEMORY ∪
 * N_MEMORY_PRIVATE) (v4); the nodes are the user's ∩ allowed, or with
 * MPOL_F_RELATIVE_NODES the user's folded onto allowed; w is the user's mask
 * with a user flag, else the task's mems_allowed. A private node in the mask
 * without NP_OPS_MEMPOLICY -> -EINVAL; >= 1 private node, all with the flag ->
 * MPOL_F_PRIVATE. An empty result for BIND/INTERLEAVE/PREFERRED(_MANY) -> -EINVAL.
 */
// mm/mempolicy.c: mpol_set_nodemask
export function mpolSetNodemask(k: Kernel, mode: number, nodes: number, userFlags = 0): { ret: number; pol: Mempolicy; w: number } {
  ran(k, 'mpol_set_nodemask');
  const none = { mode, nodes: 0, flags: userFlags };
  if (mode === MPOL_DEFAULT || mode === MPOL_LOCAL) return { ret: 0, pol: none, w: 0 };
  const allowed = cpusetCurrentMemsAllowed(k) & (nodesInState(k, N_MEMORY) | nodesInState(k, N_MEMORY_PRIVATE));
  let mask = userFlags & MPOL_F_RELATIVE_NODES ? mpolRelativeNodemask(nodes, allowed) : nodes & allowed;
  const w = userFlags & MPOL_MODE_FLAGS ? nodes : cpusetCurrentMemsAllowed(k);
  let flags = userFlags;
  if ((mask & nodesInState(k, N_MEMORY_PRIVATE)) !== 0) {
    if (k.cfg.mutant !== 'mpol-allows-unflagged-private' && !nodesPrivateMpolAllowed(k, mask)) return { ret: -EINVAL, pol: none, w };
    flags |= MPOL_F_PRIVATE;
  }
  if (mask === 0) return { ret: -EINVAL, pol: none, w };
  // mpol_new_preferred keeps only the first node.
  if (mode === MPOL_PREFERRED) mask = 1 << firstNode(mask);
  return { ret: 0, pol: { mode, nodes: mask, flags }, w };
}

/** mpol_relative_nodemask(orig, rel): nodes_fold(orig, weight(rel)) then nodes_onto(rel). */
// mm/mempolicy.c: mpol_relative_nodemask
export function mpolRelativeNodemask(orig: number, rel: number): number {
  const w = weight(rel);
  if (w === 0) return 0;
  let folded = 0;
  for (let n = 0; n < 16; n++) if (orig & (1 << n)) folded |= 1 << (n % w);
  // bitmap_onto: bit i of folded selects the i-th set bit of rel.
  let out = 0;
  for (let i = 0; i < w; i++) if (folded & (1 << i)) out |= 1 << nthNode(rel, i);
  return out;
}

/**
 * nodes_remap(src, old, new): a node at position i of old moves to position
 * i mod weight(new) of new; nodes outside old stay.
 */
// lib/bitmap.c: bitmap_remap
export function nodesRemap(src: number, oldMems: number, newMems: number): number {
  let out = 0;
  const w = weight(newMems);
  for (let n = 0; n < 16; n++) {
    if (!(src & (1 << n))) continue;
    if (!(oldMems & (1 << n)) || w === 0) {
      out |= 1 << n;
      continue;
    }
    const pos = weight(oldMems & ((1 << n) - 1));
    out |= 1 << nthNode(newMems, pos % w);
  }
  return out;
}

/**
 * mpol_rebind_nodemask(pol, new mems): with MPOL_F_STATIC_NODES the user's
 * mask ∩ new; with MPOL_F_RELATIVE_NODES the user's mask folded onto new;
 * else remap from w to new (and w := new); if the result is empty take the
 * new mems; THEN (v4) silently drop private nodes lacking NP_OPS_MEMPOLICY
 * and recompute MPOL_F_PRIVATE, so a BIND mask can end up empty (2.6).
 * Returns the policy and its w.
 */
// mm/mempolicy.c: mpol_rebind_nodemask
export function mpolRebindNodemask(k: Kernel, pol: Mempolicy, w: number, newMems: number, keepPrivate = false): { pol: Mempolicy; w: number } {
  let tmp: number;
  let nw = w;
  if (pol.flags & MPOL_F_STATIC_NODES) tmp = w & newMems;
  else if (pol.flags & MPOL_F_RELATIVE_NODES) tmp = mpolRelativeNodemask(w, newMems);
  else {
    tmp = nodesRemap(pol.nodes, w, newMems);
    nw = newMems;
  }
  const priv = nodesInState(k, N_MEMORY_PRIVATE);
  // v4: "Drop private nodes that don't have mempolicy support."
  const drop = (m: number): number => {
    let out = m;
    for (let n = 0; n < k.g.nodes && !keepPrivate; n++) {
      if ((out & (1 << n)) && (priv & (1 << n)) && !nodePrivateHasFlag(k, n, NP_OPS_MEMPOLICY)) out &= ~(1 << n);
    }
    return out;
  };
  if (hasFix(k.cfg, 'mpol-rebind-drop-before-fallback')) {
    // Fix: drop first, then fall back to the new mems without those nodes, and
    // keep the policy's nodes when nothing is left (a cpuset.mems naming only
    // such a node: the v2 VMA rebind to cs->mems_allowed).
    tmp = drop(tmp);
    // Mutant mpol-rebind-no-empty-fallback (mutants/mempolicy_task.ts): no nodes_empty() fallback at all.
    if (tmp === 0 && k.cfg.mutant !== 'mpol-rebind-no-empty-fallback') tmp = drop(newMems) || drop(pol.nodes) || pol.nodes;
  } else {
    if (tmp === 0) tmp = newMems;
    tmp = drop(tmp);
  }
  const flags = (tmp & priv) !== 0 ? pol.flags | MPOL_F_PRIVATE : pol.flags & ~MPOL_F_PRIVATE;
  return { pol: { mode: pol.mode, nodes: tmp, flags }, w: nw };
}

/**
 * mpol_rebind_policy(pol, newmask): none or LOCAL is left alone, and so is a
 * policy without a user flag whose w already equals newmask; BIND and
 * INTERLEAVE rebind their nodes (mpol_rebind_nodemask); PREFERRED and
 * PREFERRED_MANY only record newmask in w (mpol_rebind_preferred: w is a
 * union, so a user flag's user_nodemask is overwritten). null: unchanged.
 */
// mm/mempolicy.c: mpol_rebind_policy
export function mpolRebindPolicy(k: Kernel, pol: Mempolicy, w: number, newMask: number, keepPrivate = false): { pol: Mempolicy; w: number } | null {
  if (pol.mode === MPOL_DEFAULT || pol.mode === MPOL_LOCAL) return null;
  // Fix mpol-private-rebind-on-hotplug: a policy with MPOL_F_PRIVATE is rebound even when
  // w equals the new mask, so the drop and the MPOL_F_PRIVATE recompute see the node's new state.
  const priv = hasFix(k.cfg, 'mpol-private-rebind-on-hotplug') && (pol.flags & MPOL_F_PRIVATE) !== 0;
  if (!(pol.flags & MPOL_MODE_FLAGS) && w === newMask && !priv) return null;
  if (pol.mode === MPOL_PREFERRED || pol.mode === MPOL_PREFERRED_MANY) return { pol, w: newMask };
  return mpolRebindNodemask(k, pol, w, newMask, keepPrivate);
}

/** mpol_rebind_mm(mm, newmask): mpol_rebind_policy of every VMA policy of mm. */
// mm/mempolicy.c: mpol_rebind_mm
export function mpolRebindMm(k: Kernel, mm: number, newMask: number): void {
  ran(k, 'mpol_rebind_mm');
  for (let v = 0; v < k.cfg.vaddrs; v++) {
    const i = mm * k.cfg.vaddrs + v;
    const r = mpolRebindPolicy(k, vmaPolicy(k, mm, v), k.get(k.L.VMA_POL_W, i), newMask);
    if (!r) continue;
    setVmaPolicy(k, mm, v, r.pol);
    k.set(k.L.VMA_POL_W, i, r.w);
  }
}

/** current->mempolicy of user CPU cpu's task (mode MPOL_DEFAULT: none). */
export function taskPolicy(k: Kernel, cpu: number): Mempolicy {
  return { mode: k.get(k.L.TASK_POL_MODE, cpu), nodes: k.get(k.L.TASK_POL_NODES, cpu), flags: k.get(k.L.TASK_POL_FLAGS, cpu) };
}

function setTaskPolicy(k: Kernel, cpu: number, pol: Mempolicy, w: number): void {
  k.set(k.L.TASK_POL_MODE, cpu, pol.mode);
  k.set(k.L.TASK_POL_NODES, cpu, pol.nodes);
  k.set(k.L.TASK_POL_FLAGS, cpu, pol.flags);
  k.set(k.L.TASK_POL_W, cpu, w);
}

/** The user CPU whose task is current (k.current), or -1 for a kernel thread. */
export function currentTaskCpu(k: Kernel): number {
  const r = k.current >= 0 ? k.g.threads[k.current] : undefined;
  return r?.kind === 'cpu' ? r.cpu : -1;
}

/**
 * copy_process -> mpol_dup(p->mempolicy) for the fork child's task (and
 * dup_task_struct's copy of il_prev): the child starts with a copy of the
 * parent's policy. __mpol_dup rebinds the copy only while the cpuset is being
 * rebound (current_cpuset_is_being_rebound), which never holds at a fork step:
 * the model's cpuset updates are one step each. Both tasks are in the same
 * cpuset, so the child's mems_allowed is the parent's.
 */
// mm/mempolicy.c: __mpol_dup (kernel/fork.c: copy_process)
export function mpolDupTask(k: Kernel, parentCpu: number, childCpu: number): void {
  setTaskPolicy(k, childCpu, taskPolicy(k, parentCpu), k.get(k.L.TASK_POL_W, parentCpu));
  k.set(k.L.TASK_IL_PREV, childCpu, k.get(k.L.TASK_IL_PREV, parentCpu));
  k.set(k.L.TASK_MEMS, childCpu, k.get(k.L.TASK_MEMS, parentCpu));
}

/**
 * interleave_nodes(pol) for the current task: next_node_in(il_prev, nodes),
 * stored back in il_prev unless it is MAX_NUMNODES (an empty mask).
 */
// mm/mempolicy.c: interleave_nodes
export function interleaveNodes(k: Kernel, cpu: number, pol: Mempolicy): number {
  if (cpu < 0) return MAX_NUMNODES; // a kernel thread has no task policy to interleave
  // Mutant interleave-nodes-no-wrap (mutants/mempolicy_task.ts): next_node instead of next_node_in.
  const prev = k.get(k.L.TASK_IL_PREV, cpu);
  let nid = nextNodeIn(prev, pol.nodes);
  if (k.cfg.mutant === 'interleave-nodes-no-wrap' && nid <= prev) nid = MAX_NUMNODES;
  if (nid < MAX_NUMNODES) k.set(k.L.TASK_IL_PREV, cpu, nid);
  return nid;
}

/**
 * mpol_rebind_task(tsk, new): the task's policy is rebound to its new
 * mems_allowed (cpuset_change_task_nodemask, under task_lock).
 */
// mm/mempolicy.c: mpol_rebind_task
export function mpolRebindTask(k: Kernel, cpu: number, newMask: number): void {
  // Mutant mpol-rebind-task-keeps-private (mutants/mempolicy_task.ts): the task's rebind keeps private nodes lacking NP_OPS_MEMPOLICY.
  const r = mpolRebindPolicy(k, taskPolicy(k, cpu), k.get(k.L.TASK_POL_W, cpu), newMask, k.cfg.mutant === 'mpol-rebind-task-keeps-private');
  if (r) setTaskPolicy(k, cpu, r.pol, r.w);
}

/**
 * do_set_mempolicy(mode, flags, nodes) for user CPU cpu's task:
 * sanitize_mpol_flags (STATIC and RELATIVE together -> -EINVAL), mpol_new
 * (DEFAULT with nodes -> -EINVAL, else no policy; PREFERRED with no nodes ->
 * LOCAL unless a user flag -> -EINVAL; LOCAL with nodes or a user flag ->
 * -EINVAL; any other mode with no nodes -> -EINVAL), then under task_lock
 * mpol_set_nodemask, and current->mempolicy = new.
 */
// mm/mempolicy.c: do_set_mempolicy
export function doSetMempolicy(k: Kernel, cpu: number, mode: number, userFlags: number, nodemask: number): number {
  ran(k, 'do_set_mempolicy');
  const ret = setMempolicyInner(k, cpu, mode, userFlags, nodemask);
  if (k.log) k.trace(`set_mempolicy(cpu${cpu}, mode ${mode}, flags 0x${userFlags.toString(16)}, nodes 0x${nodemask.toString(16)}) = ${errname(ret)}`);
  return ret;
}

function setMempolicyInner(k: Kernel, cpu: number, mode: number, userFlags: number, nodemask: number): number {
  const fl = userFlags & MPOL_MODE_FLAGS;
  // mm/mempolicy.c: sanitize_mpol_flags
  if (mode < MPOL_DEFAULT || mode > MPOL_PREFERRED_MANY) return -EINVAL;
  if ((fl & MPOL_F_STATIC_NODES) && (fl & MPOL_F_RELATIVE_NODES)) return -EINVAL;
  // mm/mempolicy.c: mpol_new
  let m = mode;
  if (m === MPOL_DEFAULT) {
    if (nodemask !== 0) return -EINVAL;
    setTaskPolicy(k, cpu, { mode: MPOL_DEFAULT, nodes: 0, flags: 0 }, 0);
    return 0;
  }
  if (m === MPOL_PREFERRED && nodemask === 0) {
    if (fl) return -EINVAL;
    m = MPOL_LOCAL;
  } else if (m === MPOL_LOCAL) {
    if (nodemask !== 0 || fl) return -EINVAL;
  } else if (nodemask === 0) return -EINVAL;
  const r = mpolSetNodemask(k, m, nodemask, fl);
  if (r.ret !== 0) return r.ret;
  setTaskPolicy(k, cpu, r.pol, r.w);
  // current->il_prev = MAX_NUMNODES - 1 for an interleave policy (the next pick wraps to its first node).
  if (r.pol.mode === MPOL_INTERLEAVE) k.set(k.L.TASK_IL_PREV, cpu, MAX_NUMNODES - 1);
  return 0;
}

export function vmaPolicy(k: Kernel, mm: number, vaddr: number): Mempolicy {
  const i = mm * k.cfg.vaddrs + vaddr;
  const pol = { mode: k.get(k.L.VMA_POL_MODE, i), nodes: k.get(k.L.VMA_POL_NODES, i), flags: k.get(k.L.VMA_POL_FLAGS, i) };
  const home = vmaHomeNode(k, i);
  return home === NUMA_NO_NODE ? pol : { ...pol, home };
}

/** The home node of page slot i's VMA policy, or NUMA_NO_NODE (also where the config has no home-node field). */
export function vmaHomeNode(k: Kernel, i: number): number {
  return k.L.VMA_POL_HOME.len === 0 ? NUMA_NO_NODE : k.get(k.L.VMA_POL_HOME, i) - 1;
}

function setVmaHomeNode(k: Kernel, i: number, home: number): void {
  if (k.L.VMA_POL_HOME.len !== 0) k.set(k.L.VMA_POL_HOME, i, home + 1);
}

function setVmaPolicy(k: Kernel, mm: number, vaddr: number, pol: Mempolicy): void {
  const i = mm * k.cfg.vaddrs + vaddr;
  k.set(k.L.VMA_POL_MODE, i, pol.mode);
  k.set(k.L.VMA_POL_NODES, i, pol.nodes);
  k.set(k.L.VMA_POL_FLAGS, i, pol.flags);
}

/**
 * apply_policy_zone(pol, zone): a BIND mask holding no N_MEMORY node (only
 * movable/private memory) applies only to ZONE_MOVABLE requests; otherwise to
 * requests reaching policy_zone (NORMAL).
 */
// mm/mempolicy.c: apply_policy_zone
function applyPolicyZone(k: Kernel, nodes: number, zone: number): boolean {
  const dyn = (nodes & nodesInState(k, N_MEMORY)) !== 0 ? ZONE_NORMAL : ZONE_MOVABLE;
  return zone >= dyn;
}

/**
 * policy_nodemask(gfp, pol, ilx, &nid): the nodemask and preferred nid. BIND
 * and PREFERRED_MANY start at the policy's home node if it has one (any
 * online node: set_mempolicy_home_node); BIND without one, with
 * MPOL_F_PRIVATE and the local nid outside the nodes, prefers
 * first_node(nodes) (v4). INTERLEAVE picks node
 * ilx mod weight (interleave_nid, ilx = the page slot), or for an allocation
 * without a VMA (NO_INTERLEAVE_INDEX) the task's next node (interleave_nodes).
 */
// mm/mempolicy.c: policy_nodemask
export function policyNodemask(k: Kernel, gfp: number, pol: Mempolicy, ilx: number, localNid: number): { nid: number; nodemask: number | null } {
  let nid = localNid;
  let nodemask: number | null = null;
  const home = pol.home ?? NUMA_NO_NODE;
  switch (pol.mode) {
    case MPOL_PREFERRED:
      nid = firstNode(pol.nodes);
      break;
    case MPOL_PREFERRED_MANY:
      nodemask = pol.nodes;
      if (home !== NUMA_NO_NODE) nid = home;
      break;
    case MPOL_BIND:
      if (applyPolicyZone(k, pol.nodes, gfpZone(gfp)) && (pol.nodes & cpusetCurrentMemsAllowed(k)) !== 0) nodemask = pol.nodes;
      // v4: the home node first; else with MPOL_F_PRIVATE a policy node when the local one is outside the mask.
      if (home !== NUMA_NO_NODE) nid = home;
      else if ((pol.flags & MPOL_F_PRIVATE) && !(pol.nodes & (1 << localNid)) && pol.nodes !== 0) nid = firstNode(pol.nodes);
      break;
    case MPOL_INTERLEAVE: {
      if (ilx === NO_INTERLEAVE_INDEX) {
        nid = interleaveNodes(k, currentTaskCpu(k), pol);
        break;
      }
      // interleave_nid: an empty mask gives numa_node_id().
      const w = weight(pol.nodes);
      if (w > 0) nid = nthNode(pol.nodes, ilx % w);
      break;
    }
    default:
      break;
  }
  return { nid, nodemask };
}

/** numa_node_id() for a task of mm: the node of the first CPU running that mm (lowest index), else 0. */
export function localNidOfMm(k: Kernel, mm: number): number {
  const c = k.cfg.cpus.find((cpu) => cpu.mm === mm);
  return c ? c.node : 0;
}

/**
 * get_vma_policy(vma, addr): the VMA's policy, else the current task's
 * (get_task_policy); with neither, preferred_node_policy[numa_node_id()],
 * which allocates like the model's default (local) policy.
 */
// mm/mempolicy.c: get_vma_policy -> get_task_policy
export function getVmaPolicy(k: Kernel, mm: number, vaddr: number): Mempolicy {
  const pol = vmaPolicy(k, mm, vaddr);
  if (pol.mode !== MPOL_DEFAULT) return pol;
  const r = k.current >= 0 ? k.g.threads[k.current] : undefined;
  if (r?.kind !== 'cpu') return pol;
  return taskPolicy(k, r.cpu);
}

/**
 * vma_alloc_folio_noprof(gfp, order, vma, addr): the policy of (mm, vaddr),
 * else the task's, decides; MPOL_F_PRIVATE adds __GFP_PRIVATE (v4). Head pfn
 * or NULL_PFN.
 */
// mm/mempolicy.c: vma_alloc_folio_noprof -> folio_alloc_mpol_noprof
export function vmaAllocFolio(k: Kernel, mm: number, vaddr: number, gfp: number, order: number, localNid = localNidOfMm(k, mm)): number {
  const pol = getVmaPolicy(k, mm, vaddr);
  let g = gfp;
  if (pol.flags & MPOL_F_PRIVATE) g |= __GFP_PRIVATE;
  const pfn = allocPagesMpol(k, g, order, pol, vaddr, localNid);
  // Ghost (INV-MPOL-ALLOC): the __GFP_PRIVATE this policy added took a page of a
  // private node that never opted into mempolicy (no NP_OPS_MEMPOLICY).
  if (pfn !== NULL_PFN && (pol.flags & MPOL_F_PRIVATE) && !(gfp & __GFP_PRIVATE)) {
    const nid = k.g.pfnNode[pfn]!;
    if (k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE) && !nodePrivateHasFlag(k, nid, NP_OPS_MEMPOLICY)) event2(k, EV2_MPOL_ALLOC_UNGATED);
  }
  return pfn;
}

/** alloc_pages_mpol(gfp, order, pol, ilx, nid) */
// mm/mempolicy.c: alloc_pages_mpol
export function allocPagesMpol(k: Kernel, gfp: number, order: number, pol: Mempolicy, ilx: number, localNid: number): number {
  const { nid, nodemask } = policyNodemask(k, gfp, pol, ilx, localNid);
  if (pol.mode === MPOL_PREFERRED_MANY) {
    // alloc_pages_preferred_many: a light try within the mask (gfp | __GFP_NOWARN, no
    // __GFP_DIRECT_RECLAIM or __GFP_NOFAIL), then anywhere.
    const light = (gfp | __GFP_NOWARN) & ~__GFP_DIRECT_RECLAIM;
    const pfn = allocPages(k, light, order, nid, nodemask);
    if (pfn !== NULL_PFN) return pfn;
    return allocPages(k, gfp, order, nid, null);
  }
  return allocPages(k, gfp, order, nid, nodemask);
}

/**
 * alloc_frozen_pages_noprof(gfp, order) / alloc_pages(gfp, order): a kernel
 * allocation without a VMA. In task context and without __GFP_THISNODE the
 * current task's policy decides (get_task_policy: its mempolicy, else local),
 * with no interleave index (interleave_nodes and il_prev); a kernel thread
 * (or __GFP_THISNODE) allocates locally. No __GFP_PRIVATE is added here (v4
 * adds it only in vma_alloc_folio and alloc_migration_target_by_mpol).
 */
// mm/mempolicy.c: alloc_frozen_pages_noprof
export function allocPagesNoVma(k: Kernel, gfp: number, order: number, localNid: number): number {
  const cpu = currentTaskCpu(k);
  const none: Mempolicy = { mode: MPOL_DEFAULT, nodes: 0, flags: 0 };
  const pol = cpu >= 0 && !(gfp & __GFP_THISNODE) ? taskPolicy(k, cpu) : none;
  return allocPagesMpol(k, gfp, order, pol, NO_INTERLEAVE_INDEX, localNid);
}

/**
 * do_mbind(mm, vaddr, mode, nodes) on one page slot: -EFAULT if the slot is
 * not mapped, -EINVAL for DEFAULT with nodes or an invalid mask, else the
 * policy is stored. Migration of present pages is the caller's (folio helper).
 */
// mm/mempolicy.c: do_mbind
export function doMbind(k: Kernel, mm: number, vaddr: number, mode: number, nodemask: number): number {
  ran(k, 'do_mbind');
  let ret: number;
  let pol: Mempolicy | null = null;
  let w = 0;
  const idx = mm * k.cfg.vaddrs + vaddr;
  if (mode < MPOL_DEFAULT || mode > MPOL_PREFERRED_MANY) ret = -EINVAL;
  else if ((mode === MPOL_DEFAULT || mode === MPOL_LOCAL) && nodemask !== 0) ret = -EINVAL;
  else if (!k.has(k.L.VMA_FLAGS, idx, VMA_MAPPED)) ret = -EFAULT;
  else if (mode === MPOL_DEFAULT || mode === MPOL_LOCAL) {
    pol = { mode, nodes: 0, flags: 0 };
    ret = 0;
  } else if (mode === MPOL_PREFERRED && nodemask === 0) {
    // mpol_new: MPOL_PREFERRED with an empty mask means local allocation.
    pol = { mode: MPOL_LOCAL, nodes: 0, flags: 0 };
    ret = 0;
  } else {
    const r = mpolSetNodemask(k, mode, nodemask);
    ret = r.ret;
    if (ret === 0) {
      pol = r.pol;
      w = r.w;
    }
  }
  if (pol) {
    setVmaPolicy(k, mm, vaddr, pol);
    // mpol_new: policy->home_node = NUMA_NO_NODE (mbind_range replaces the VMA's policy whole).
    setVmaHomeNode(k, idx, NUMA_NO_NODE);
    // mpol_set_nodemask: pol->w.cpuset_mems_allowed = cpuset_current_mems_allowed (none for DEFAULT/LOCAL)
    k.set(k.L.VMA_POL_W, idx, w);
  }
  k.trace(`mbind(mm${mm}, v${vaddr}, mode ${mode}, nodes 0x${nodemask.toString(16)}) = ${errname(ret)}`);
  return ret;
}

/**
 * queue_folios_pte_range / queue_folios_pmd (v4): mbind does not queue a
 * private folio for migration unless its node has NP_OPS_MIGRATION.
 */
// mm/mempolicy.c: queue_folios_pte_range
export function mbindMayQueueFolio(k: Kernel, pfn: number): boolean {
  if (!folioIsPrivateNode(k, pfn)) return true;
  return nodePrivateHasFlag(k, k.g.pfnNode[pfn]!, NP_OPS_MIGRATION);
}

/**
 * set_mempolicy_home_node(start, len, home_node, 0) over one page slot:
 * -EINVAL for a home node >= MAX_NUMNODES or not online (node_online: a
 * private node passes); no VMA in the range, or one without a policy:
 * -ENOENT (err's initial value, left as is when every VMA is skipped); a
 * policy other than MPOL_BIND or MPOL_PREFERRED_MANY: -EOPNOTSUPP; else the
 * VMA gets a copy of its policy with home_node set (mpol_dup + mbind_range).
 * Fix home-node-private-refused: -EINVAL for a private node whose ops lack
 * NP_OPS_MEMPOLICY, as mpol_set_nodemask refuses one in the nodemask.
 */
// mm/mempolicy.c: SYSCALL_DEFINE4(set_mempolicy_home_node)
export function setMempolicyHomeNode(k: Kernel, mm: number, vaddr: number, home: number): number {
  ran(k, 'set_mempolicy_home_node');
  const ret = setMempolicyHomeNodeInner(k, mm, vaddr, home);
  if (k.log) k.trace(`set_mempolicy_home_node(mm${mm}, v${vaddr}, N${home}) = ${errname(ret)}`);
  return ret;
}

function setMempolicyHomeNodeInner(k: Kernel, mm: number, vaddr: number, home: number): number {
  // "Check home_node is online to avoid accessing uninitialized NODE_DATA."
  if (home < 0 || home >= MAX_NUMNODES || home >= k.g.nodes || !k.has(k.L.NODE_STATES, home, N_ONLINE)) return -EINVAL;
  // Mutant home-node-check-skips-private (mutants/mempolicy_task.ts): the fix's test is left out.
  if (hasFix(k.cfg, 'home-node-private-refused') && k.cfg.mutant !== 'home-node-check-skips-private' &&
    k.has(k.L.NODE_STATES, home, N_MEMORY_PRIVATE) && !nodePrivateHasFlag(k, home, NP_OPS_MEMPOLICY)) return -EINVAL;
  const i = mm * k.cfg.vaddrs + vaddr;
  // for_each_vma_range: no VMA, or a VMA without a policy (vma_policy(vma) == NULL), leaves err = -ENOENT.
  if (!k.has(k.L.VMA_FLAGS, i, VMA_MAPPED)) return -ENOENT;
  const mode = k.get(k.L.VMA_POL_MODE, i);
  if (mode === MPOL_DEFAULT) return -ENOENT;
  if (mode !== MPOL_BIND && mode !== MPOL_PREFERRED_MANY) return -EOPNOTSUPP;
  setVmaHomeNode(k, i, home);
  return 0;
}
