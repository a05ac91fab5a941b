// mm/page_alloc.c: zonelists (build_zonelists, find_next_best_node,
// build_zonerefs_node, build_thisnode_zonelists) with v4 patch "private node
// zonelists" (SEMANTICS 3.1-3.3).
//
// Stored in NODE_ZL_FALLBACK[nid * zones + i] / NODE_ZL_NOFALLBACK[nid *
// MAX_NR_ZONES + i] as global zone id + 1, 0-terminated, the rest zeroed.

import { MAX_NR_ZONES, N_MEMORY, N_MEMORY_PRIVATE, N_ONLINE } from './defs.ts';
import { zoneId } from './geometry.ts';
import type { Kernel } from './kernel.ts';
import { ran } from './ran.ts';

/** include/linux/topology.h: PENALTY_FOR_NODE_WITH_CPUS */
const PENALTY_FOR_NODE_WITH_CPUS = 1;
/** MAX_NUMNODES of a CONFIG_NODES_SHIFT=6 kernel: the scale of the distance metric. */
export const MAX_NUMNODES = 64;

export function nodeHasState(k: Kernel, nid: number, state: number): boolean {
  return k.has(k.L.NODE_STATES, nid, state);
}

/** Nodemask of the nodes in `state`. */
export function nodesInState(k: Kernel, state: number): number {
  let m = 0;
  for (let n = 0; n < k.g.nodes; n++) if (nodeHasState(k, n, state)) m |= 1 << n;
  return m;
}

export function nodeDistance(k: Kernel, a: number, b: number): number {
  return k.cfg.distance[a]![b]!;
}

/** populated_zone(): the zone has managed pages. */
export function populatedZone(k: Kernel, zone: number): boolean {
  return k.get(k.L.ZONE_MANAGED, zone) > 0;
}

/**
 * find_next_best_node_in(node, used, candidates): the local node first if not
 * used, then the unused candidate minimising
 * (distance + (n < node) + PENALTY if n has CPUs) * MAX_NUMNODES + node_load[n];
 * ties go to the lowest id. Marks the result used. -1 when none is left.
 * find_next_best_node is this with candidates = N_MEMORY.
 */
// mm/page_alloc.c: find_next_best_node
export function findNextBestNodeIn(k: Kernel, node: number, used: { mask: number }, candidates: number, nodeLoad: readonly number[] | null): number {
  if ((used.mask & (1 << node)) === 0) {
    used.mask |= 1 << node;
    return node;
  }
  let best = -1;
  let minVal = Number.MAX_SAFE_INTEGER;
  for (let n = 0; n < k.g.nodes; n++) {
    if ((candidates & (1 << n)) === 0 || (used.mask & (1 << n)) !== 0) continue;
    let val = nodeDistance(k, node, n);
    if (n < node) val += 1;
    if (k.cfg.nodes[n]!.cpus) val += PENALTY_FOR_NODE_WITH_CPUS;
    val = val * MAX_NUMNODES + (nodeLoad ? nodeLoad[n]! : 0);
    if (val < minVal) {
      minVal = val;
      best = n;
    }
  }
  if (best >= 0) used.mask |= 1 << best;
  return best;
}

/** build_zonerefs_node: the node's populated zones, highest type first. */
function zonesOfNode(k: Kernel, nid: number): number[] {
  const out: number[] = [];
  for (let t = MAX_NR_ZONES - 1; t >= 0; t--) {
    const z = zoneId(nid, t);
    if (populatedZone(k, z)) out.push(z);
  }
  return out;
}

/** The node order build_zonelists would use for nid (exported for tests and traces). */
// mm/page_alloc.c: build_zonelists (node order part)
export function zonelistNodeOrder(k: Kernel, nid: number, nodeLoad: number[]): number[] {
  const order: number[] = [];
  const used = { mask: 0 };
  const nMemory = nodesInState(k, N_MEMORY);
  if (nodeHasState(k, nid, N_MEMORY_PRIVATE)) {
    // v4: [P] + every N_MEMORY node by distance; node_load is not bumped.
    order.push(nid);
    used.mask |= 1 << nid;
    let n: number;
    while ((n = findNextBestNodeIn(k, nid, used, nMemory, nodeLoad)) >= 0) order.push(n);
    return order;
  }
  // Normal node: unchanged mainline. Candidates are N_MEMORY only, so private
  // nodes never appear (the mutant draws from N_MEMORY_PRIVATE as well).
  const cand = k.cfg.mutant === 'zonelist-private-in-normal-fallback' ? nMemory | nodesInState(k, N_MEMORY_PRIVATE) : nMemory;
  let prev = nid;
  let n: number;
  while ((n = findNextBestNodeIn(k, nid, used, cand, nodeLoad)) >= 0) {
    // Round-robin penalty for the first node of each distance group.
    if (nodeDistance(k, nid, n) !== nodeDistance(k, nid, prev)) nodeLoad[n] = nodeLoad[n]! + 1;
    order.push(n);
    prev = n;
  }
  return order;
}

function storeList(k: Kernel, base: number, len: number, zones: readonly number[], fallback: boolean): void {
  const f = fallback ? k.L.NODE_ZL_FALLBACK : k.L.NODE_ZL_NOFALLBACK;
  for (let i = 0; i < len; i++) k.set(f, base + i, i < zones.length ? zones[i]! + 1 : 0);
}

/** build_zonelists(pgdat): FALLBACK from the node order, NOFALLBACK = this node's zones. */
// mm/page_alloc.c: build_zonelists
export function buildZonelists(k: Kernel, nid: number, nodeLoad: number[]): void {
  const order = zonelistNodeOrder(k, nid, nodeLoad);
  const fallback: number[] = [];
  for (const n of order) fallback.push(...zonesOfNode(k, n));
  // build_thisnode_zonelists: only the node's own zones.
  let nofallback = zonesOfNode(k, nid);
  if (k.cfg.mutant === 'private-nofallback-includes-dram' && nodeHasState(k, nid, N_MEMORY_PRIVATE)) nofallback = fallback.slice(0, MAX_NR_ZONES - 1);
  // Lists are 0-terminated: at most len - 1 entries fit (a node has <= MAX_NR_ZONES zones).
  storeList(k, nid * k.g.zones, k.g.zones, fallback, true);
  storeList(k, nid * MAX_NR_ZONES, MAX_NR_ZONES, nofallback, false);
}

/**
 * build_all_zonelists: node_load is reset, then every online node is built in
 * id order sharing node_load (as __build_all_zonelists does); nodes not online
 * (a private node before hot-add) are built as hotadd_init_pgdat would, each
 * with a fresh node_load, so every node always has valid lists.
 */
// mm/page_alloc.c: __build_all_zonelists
export function buildAllZonelists(k: Kernel): void {
  ran(k, 'build_all_zonelists');
  const load = new Array<number>(k.g.nodes).fill(0);
  for (let n = 0; n < k.g.nodes; n++) if (nodeHasState(k, n, N_ONLINE)) buildZonelists(k, n, load);
  for (let n = 0; n < k.g.nodes; n++) {
    if (!nodeHasState(k, n, N_ONLINE)) buildZonelists(k, n, new Array<number>(k.g.nodes).fill(0));
  }
  k.trace('build_all_zonelists()');
}

/** node_zonelist(nid, flags): the zone ids of FALLBACK (or NOFALLBACK with __GFP_THISNODE). */
// include/linux/gfp.h: node_zonelist
export function nodeZonelist(k: Kernel, nid: number, nofallback: boolean): number[] {
  const out: number[] = [];
  const f = nofallback ? k.L.NODE_ZL_NOFALLBACK : k.L.NODE_ZL_FALLBACK;
  const base = nofallback ? nid * MAX_NR_ZONES : nid * k.g.zones;
  const len = nofallback ? MAX_NR_ZONES : k.g.zones;
  for (let i = 0; i < len; i++) {
    const v = k.get(f, base + i);
    if (v === 0) break;
    out.push(v - 1);
  }
  return out;
}
