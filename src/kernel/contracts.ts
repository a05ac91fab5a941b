// Postconditions of the kernel APIs the RFC adds or relies on, checked at the
// call's return as contracts (issue 10, class 2). Each check reads only what
// the API promises, never how the model implements it, and records a ghost
// event (src/kernel/ghost.ts) when the promise is broken; properties/
// contracts.ts judges the events.

import { cpusetCurrentMemsAllowed, cpusetsEnabled } from './cpuset.ts';
import {
  __GFP_DIRECT_RECLAIM, __GFP_HIGH, __GFP_MEMALLOC, __GFP_NOMEMALLOC, __GFP_PRIVATE, __GFP_THISNODE, N_MEMORY, N_MEMORY_PRIVATE,
} from './defs.ts';
import { zoneType } from './geometry.ts';
import { EV2_ALLOC_POST, EV2_MIGRATE_POST, EV2_NPAPI_ROW, event2 } from './ghost.ts';
import type { Kernel } from './kernel.ts';
import { PG_head, PTE_MIGRATION, PTE_PRESENT } from './layout.ts';

// ---- migration: a folio reported moved is where it was moved to -------------

/** Where one folio of a migration list is reachable from: its PTEs, page-cache slot and swap-cache slot. */
export interface FolioHomes {
  readonly pfn: number;
  readonly nr: number;
  readonly ptes: readonly number[];
  readonly pcache: number; // index + 1, 0 = none
  readonly swapcache: number; // slot + 1, 0 = none
}

/** Record, before a migration call, where each folio of `list` lives. */
export function migrationHomes(k: Kernel, list: readonly number[]): FolioHomes[] {
  const L = k.L;
  return list.map((pfn) => {
    const nr = 1 << k.get(L.PG_ORDER, pfn);
    const ptes: number[] = [];
    for (let s = 0; s < k.cfg.mms * k.cfg.vaddrs; s++) {
      const kind = k.get(L.PTE_KIND, s);
      const v = k.get(L.PTE_VAL, s);
      if ((kind === PTE_PRESENT || kind === PTE_MIGRATION) && v >= pfn && v < pfn + nr) ptes.push(s);
    }
    return { pfn, nr, ptes, pcache: k.get(L.PG_MAPPING, pfn), swapcache: k.get(L.PG_SWAP, pfn) };
  });
}

/**
 * After a migration call that left `list` (the folios it did not move) and
 * reported `nrSucceeded` pages moved: the moved pages add up to nrSucceeded,
 * and every home of a moved folio now holds a folio on a node `allowed`
 * accepts (the target node of migrate_to; any N_MEMORY node for a promotion,
 * whose allocation may fall back). A folio freed under the migration has no
 * home left and is vacuously fine.
 */
export function checkMigrated(k: Kernel, before: readonly FolioHomes[], list: readonly number[], nrSucceeded: number, allowed: (nid: number) => boolean): void {
  const L = k.L;
  let moved = 0;
  let bad = false;
  for (const h of before) {
    if (list.includes(h.pfn)) continue;
    moved += h.nr;
    const at = (pfn: number): void => {
      if (!allowed(k.g.pfnNode[pfn]!)) bad = true;
    };
    for (const s of h.ptes) {
      const kind = k.get(L.PTE_KIND, s);
      if (kind === PTE_PRESENT || kind === PTE_MIGRATION) at(k.get(L.PTE_VAL, s));
    }
    if (h.pcache !== 0 && k.get(L.PCACHE, h.pcache - 1) !== 0) at(k.get(L.PCACHE, h.pcache - 1) - 1);
    if (h.swapcache !== 0 && k.get(L.SWAP_CACHE, h.swapcache - 1) !== 0) at(k.get(L.SWAP_CACHE, h.swapcache - 1) - 1);
  }
  if (moved !== nrSucceeded || bad) {
    event2(k, EV2_MIGRATE_POST);
    if (k.log) k.trace(`CONTRACT: migration reported ${nrSucceeded} page(s) moved, ${moved} left the list${bad ? ', a moved folio is not on its target node' : ''}`);
  }
}

/** The target of node_private_migrate_to(nid) / ops->migrate_to(nid): exactly nid. */
export function onNode(nid: number): (n: number) => boolean {
  return (n) => n === nid;
}

/** A promotion's allocation may fall back, but only to N_MEMORY (never a private node). */
export function offPrivate(k: Kernel): (n: number) => boolean {
  return (n) => k.has(k.L.NODE_STATES, n, N_MEMORY) && !k.has(k.L.NODE_STATES, n, N_MEMORY_PRIVATE);
}

// ---- allocation: the page is one its gfp, preferred node and nodemask allow ---

/**
 * __alloc_pages(gfp, order, preferred, nodemask) returned pfn: its zone is at
 * most gfp_zone(gfp); __GFP_THISNODE keeps it on the preferred node; a private
 * node's page needs __GFP_PRIVATE (numa_zone_alloc_allowed rule 1); the
 * nodemask and, in task context with cpusets, the cpuset's mems hold its node,
 * unless the request may ignore them (a non-blocking __GFP_HIGH request, or
 * the memory reserves: __GFP_MEMALLOC / PF_MEMALLOC without __GFP_NOMEMALLOC).
 */
export function checkAllocation(
  k: Kernel, pfn: number, gfp: number, highestZoneidx: number, preferredNid: number, nodemask: number | null,
  ctx: { readonly pfMemalloc?: boolean; readonly inTask?: boolean },
): void {
  if (pfn < 0) return;
  const nid = k.g.pfnNode[pfn]!;
  const zone = k.g.pfnZone[pfn]!;
  const inTask = ctx.inTask ?? true;
  const reserves = !(gfp & __GFP_NOMEMALLOC) && ((gfp & __GFP_MEMALLOC) !== 0 || (inTask && ctx.pfMemalloc === true));
  const atomicHigh = (gfp & __GFP_HIGH) !== 0 && (gfp & __GFP_DIRECT_RECLAIM) === 0;
  const mayIgnoreMasks = reserves || atomicHigh;
  let why: string | null = null;
  if (!k.has(k.L.PG_FLAGS, pfn, PG_head)) why = 'not a folio head';
  else if (zoneType(zone) > highestZoneidx) why = `zone type ${zoneType(zone)} above gfp_zone ${highestZoneidx}`;
  else if ((gfp & __GFP_THISNODE) && nid !== preferredNid) why = `__GFP_THISNODE for N${preferredNid} gave N${nid}`;
  else if (k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE) && !(gfp & __GFP_PRIVATE)) why = `private N${nid} without __GFP_PRIVATE`;
  else if (!mayIgnoreMasks && nodemask !== null && !(nodemask & (1 << nid))) why = `N${nid} outside the nodemask`;
  else if (!mayIgnoreMasks && inTask && cpusetsEnabled(k) && !(cpusetCurrentMemsAllowed(k) & (1 << nid))) why = `N${nid} outside the cpuset's mems`;
  if (why !== null) {
    event2(k, EV2_ALLOC_POST);
    if (k.log) k.trace(`CONTRACT: __alloc_pages returned pfn ${pfn}: ${why}`);
  }
}

// ---- node_private API: each errno row leaves the state the row says ----------

/** What the node_private API rows talk about, read before a call. */
export interface NpRowState {
  readonly np: number; // NODE_NP of nid (slot + 1, 0 = NULL)
  readonly priv: number; // pgdat->private
  readonly ops: number; // np->ops of that slot (0 if none)
  readonly ref: number; // np refcount of that slot
}

export function npRowState(k: Kernel, nid: number, slot = k.get(k.L.NODE_NP, nid) - 1): NpRowState {
  const L = k.L;
  const ok = slot >= 0 && slot < L.NP_OPS.len;
  return { np: k.get(L.NODE_NP, nid), priv: k.get(L.NODE_PRIVATE, nid), ops: ok ? k.get(L.NP_OPS, slot) : 0, ref: ok ? k.get(L.NP_REFCOUNT, slot) : 0 };
}

function sameRow(a: NpRowState, b: NpRowState): boolean {
  return a.np === b.np && a.priv === b.priv && a.ops === b.ops && a.ref === b.ref;
}

function rowBroken(k: Kernel, call: string, ret: number): void {
  event2(k, EV2_NPAPI_ROW);
  if (k.log) k.trace(`CONTRACT: ${call} returned ${ret} but left a state its row does not allow`);
}

/**
 * drivers/base/node.c: node_private_register(nid, np). 0: pgdat->node_private
 * is np, pgdat->private set, np holds at least its base reference; an errno:
 * nothing changed.
 */
export function checkRegisterRow(k: Kernel, nid: number, slot: number, ret: number, pre: NpRowState): void {
  const post = npRowState(k, nid, slot);
  const ok = ret === 0 ? post.np === slot + 1 && post.priv === 1 && post.ref >= 1 : sameRow(pre, post);
  if (!ok) rowBroken(k, `node_private_register(${nid}, np${slot})`, ret);
}

/** node_private_set_ops(nid, ops). 0: np->ops is ops; an errno: nothing changed. */
export function checkSetOpsRow(k: Kernel, nid: number, opsId: number, ret: number, pre: NpRowState): void {
  const post = npRowState(k, nid);
  const ok = ret === 0 ? post.np !== 0 && post.ops === opsId && post.np === pre.np : sameRow(pre, post);
  if (!ok) rowBroken(k, `node_private_set_ops(${nid}, ops#${opsId})`, ret);
}

/** node_private_clear_ops(nid, ops). 0: np->ops is NULL (it was ops); an errno: nothing changed. */
export function checkClearOpsRow(k: Kernel, nid: number, opsId: number, ret: number, pre: NpRowState): void {
  const post = npRowState(k, nid);
  const ok = ret === 0 ? post.np !== 0 && post.ops === 0 && pre.ops === opsId : sameRow(pre, post);
  if (!ok) rowBroken(k, `node_private_clear_ops(${nid}, ops#${opsId})`, ret);
}

/**
 * node_private_unregister(nid), pointer-clearing stage. 0 with an np
 * registered: pgdat->node_private NULL and pgdat->private clear; 0 without
 * one, or -EBUSY: nothing changed.
 */
export function checkUnregisterRow(k: Kernel, nid: number, ret: number, pre: NpRowState): void {
  const post = npRowState(k, nid, pre.np - 1);
  const ok = ret === 0 && pre.np !== 0 ? post.np === 0 && post.priv === 0 : sameRow(pre, post);
  if (!ok) rowBroken(k, `node_private_unregister(${nid})`, ret);
}
