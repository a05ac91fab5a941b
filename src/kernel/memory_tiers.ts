// mm/memory-tiers.c with v4 (SEMANTICS 3.1 last bullet, 6.3.1): tiers by
// abstract distance, demotion targets from the next lower tier, candidates
// N_MEMORY ∪ {N_MEMORY_PRIVATE nodes with NP_OPS_DEMOTION}.
//
// Tiers are not state: a node is in a tier iff NODE_IN_TIER, and its tier is
// adistance / MEMTIER_CHUNK_SIZE (static per config).

import { N_CPU, N_MEMORY, N_MEMORY_PRIVATE, NP_OPS_DEMOTION } from './defs.ts';
import type { Kernel } from './kernel.ts';
import { nodePrivateHasFlag } from './node_private.ts';
import { findNextBestNodeIn, nodeDistance, nodesInState } from './zonelist.ts';
import { ran } from './ran.ts';

/** include/linux/memory-tiers.h */
export const MEMTIER_CHUNK_BITS = 7;
export const MEMTIER_CHUNK_SIZE = 1 << MEMTIER_CHUNK_BITS;
export const MEMTIER_ADISTANCE_DRAM = 4 * MEMTIER_CHUNK_SIZE + (MEMTIER_CHUNK_SIZE >> 1);
/**
 * Default abstract distance of a private node without cfg.adistance: two tiers
 * below DRAM (a modelling default; the CXL driver reports one from its HMAT/CDAT
 * performance data, which is always slower than local DRAM for CRAM).
 */
export const MODEL_ADISTANCE_PRIVATE_DEFAULT = MEMTIER_ADISTANCE_DRAM + 2 * MEMTIER_CHUNK_SIZE;

export function nodeAdistance(k: Kernel, nid: number): number {
  const n = k.cfg.nodes[nid]!;
  return n.adistance ?? (n.kind === 'dram' ? MEMTIER_ADISTANCE_DRAM : MODEL_ADISTANCE_PRIVATE_DEFAULT);
}

/** Tier id of a node (adistance_start / chunk), or -1 if not in a tier. */
export function nodeTier(k: Kernel, nid: number): number {
  if (!k.get(k.L.NODE_IN_TIER, nid)) return -1;
  return nodeAdistance(k, nid) >> MEMTIER_CHUNK_BITS;
}

function tierNodes(k: Kernel, tier: number): number {
  let m = 0;
  for (let n = 0; n < k.g.nodes; n++) if (nodeTier(k, n) === tier) m |= 1 << n;
  return m;
}

/** The next lower (slower) tier present after `tier`, or -1. */
function nextLowerTier(k: Kernel, tier: number): number {
  let best = -1;
  for (let n = 0; n < k.g.nodes; n++) {
    const t = nodeTier(k, n);
    if (t > tier && (best < 0 || t < best)) best = t;
  }
  return best;
}

/** v4 demotion candidates: N_MEMORY ∪ private nodes with NP_OPS_DEMOTION. */
export function demotionCandidates(k: Kernel): number {
  let cand = nodesInState(k, N_MEMORY);
  for (let n = 0; n < k.g.nodes; n++) {
    if (!k.has(k.L.NODE_STATES, n, N_MEMORY_PRIVATE)) continue;
    if (k.cfg.mutant === 'demotion-target-without-flag' || nodePrivateHasFlag(k, n, NP_OPS_DEMOTION)) cand |= 1 << n;
  }
  return cand;
}

/**
 * establish_demotion_targets: for every N_MEMORY node (only those: P gets
 * none), the candidates of the next lower tier at the best distance become
 * its preferred targets. find_next_best_node_in is used without node_load
 * (the kernel reads whatever the last zonelist build left there; the model
 * reads 0, which only affects ties at equal distance).
 */
// mm/memory-tiers.c: establish_demotion_targets
export function establishDemotionTargets(k: Kernel): void {
  ran(k, 'establish_demotion_targets');
  for (let n = 0; n < k.g.nodes; n++) k.set(k.L.NODE_DEMOTION_TARGETS, n, 0);
  const cand = demotionCandidates(k);
  const nMem = nodesInState(k, N_MEMORY);
  for (let n = 0; n < k.g.nodes; n++) {
    if (!(nMem & (1 << n))) continue;
    const t = nodeTier(k, n);
    if (t < 0) continue;
    const lower = nextLowerTier(k, t);
    if (lower < 0) continue;
    // Everything but the lower tier's nodes is "used", so only they can be picked.
    const used = { mask: cand & ~tierNodes(k, lower) };
    let best = -1;
    let targets = 0;
    for (;;) {
      const target = findNextBestNodeIn(k, n, used, cand, null);
      if (target < 0) break;
      const d = nodeDistance(k, n, target);
      if (best === -1 || d === best) {
        best = d;
        targets |= 1 << target;
      } else break;
    }
    k.set(k.L.NODE_DEMOTION_TARGETS, n, targets);
  }
  k.trace('establish_demotion_targets()');
}

/** memory_tier_refresh_demotion(): re-run establish_demotion_targets under memory_tier_lock. */
// mm/memory-tiers.c: memory_tier_refresh_demotion
export function memoryTierRefreshDemotion(k: Kernel): void {
  establishDemotionTargets(k);
}

/** set_node_memory_tier on NODE_ADDED_FIRST_MEMORY, then refresh. */
// mm/memory-tiers.c: memtier_hotplug_callback (MEM_ONLINE)
export function memtierNodeAdded(k: Kernel, nid: number): void {
  k.set(k.L.NODE_IN_TIER, nid, 1);
  establishDemotionTargets(k);
}

/** clear_node_memory_tier on NODE_REMOVED_LAST_MEMORY, then refresh. */
// mm/memory-tiers.c: memtier_hotplug_callback (MEM_OFFLINE)
export function memtierNodeRemoved(k: Kernel, nid: number): void {
  // Mutant memtier-removed-keeps-tier (mutants/node_state.ts): clear_node_memory_tier is skipped.
  if (k.cfg.mutant !== 'memtier-removed-keeps-tier') k.set(k.L.NODE_IN_TIER, nid, 0);
  establishDemotionTargets(k);
}

/**
 * next_demotion_node(nid): the kernel picks a random node of the preferred
 * mask; the model returns the lowest (deterministic; a system wanting every
 * choice enumerates NODE_DEMOTION_TARGETS itself). -1 = NUMA_NO_NODE.
 */
// mm/memory-tiers.c: next_demotion_node
export function nextDemotionNode(k: Kernel, nid: number): number {
  const t = k.get(k.L.NODE_DEMOTION_TARGETS, nid);
  for (let n = 0; n < k.g.nodes; n++) if (t & (1 << n)) return n;
  return -1;
}

/**
 * node_is_toptier(nid): no tier, or a tier at or above the lowest tier that
 * holds a node with CPUs. (The kernel caches top_tier_adistance at the last
 * establish; the model derives it from the current tiers.)
 */
// mm/memory-tiers.c: node_is_toptier
export function nodeIsToptier(k: Kernel, nid: number): boolean {
  const t = nodeTier(k, nid);
  if (t < 0) return true;
  const cpus = nodesInState(k, N_CPU);
  let top = -1;
  for (let n = 0; n < k.g.nodes; n++) {
    const tn = nodeTier(k, n);
    if (tn >= 0 && (cpus & (1 << n)) && tn > top) top = tn;
  }
  return top < 0 || t <= top;
}
