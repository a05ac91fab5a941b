// mm/page_alloc.c: the zonelist allocator (prepare_alloc_pages,
// get_page_from_freelist, __alloc_pages_slowpath), numa_zone_alloc_allowed
// (v4), watermarks, alloc_contig_pages. SEMANTICS 2.2, 2.4, 3.3.
//
// Not modelled inside the allocator: per-cpu lists (pages go straight to the
// buddy), lowmem_reserve (0), node_reclaim, direct reclaim, compaction and the
// OOM killer. Where the kernel would enter direct reclaim the model fails the
// allocation: reclaim is an actor of its own (kswapd), woken here.

import { cpusetCurrentMemsAllowed, cpusetsEnabled, cpusetZoneAllowed } from './cpuset.ts';
import {
  __GFP_DIRECT_RECLAIM, __GFP_DMA, __GFP_DMA32, __GFP_HARDWALL, __GFP_HIGH, __GFP_HIGHMEM, __GFP_KSWAPD_RECLAIM,
  __GFP_MEMALLOC, __GFP_MOVABLE, __GFP_NOMEMALLOC, __GFP_PRIVATE, __GFP_THISNODE, gfpName, MAX_NR_ZONES,
  N_MEMORY_PRIVATE, N_ONLINE, NP_OPS_RECLAIM, ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NAMES, ZONE_NORMAL,
} from './defs.ts';
import { freeOnePage, prepNewPage, rmqueueSmallest } from './buddy.ts';
import { zoneNode, zoneType } from './geometry.ts';
import type { Kernel } from './kernel.ts';
import type { Field } from './layout.ts';
import { GA_CONTIG, GA_GFP_PRIVATE, GA_OVER_FLUSH_BIT, GA_PREFERRED_HERE, GA_PRIVATE_OK, GA_WHILE_BLOCKED, PG_hwpoison } from './layout.ts';
import { nodePrivateHasFlag, nodePrivateMigrationBlocked, nodePrivateReclaimPolicy, npSlotOfNode } from './node_private.ts';
import { nodeZonelist } from './zonelist.ts';
import { checkAllocation } from './contracts.ts';
import { ran } from './ran.ts';

/** NULL for a struct page * result. */
export const NULL_PFN = -1;

// mm/internal.h: alloc_flags
export const ALLOC_WMARK_MIN = 0;
export const ALLOC_WMARK_LOW = 1;
export const ALLOC_WMARK_HIGH = 2;
export const ALLOC_NO_WATERMARKS = 0x04;
export const ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
export const ALLOC_OOM = 0x08;
export const ALLOC_NON_BLOCK = 0x10;
export const ALLOC_MIN_RESERVE = 0x20;
export const ALLOC_CPUSET = 0x40;
export const ALLOC_KSWAPD = 0x800;

/** Context the allocator reads from `current` (PF_MEMALLOC, task vs interrupt). */
export interface AllocContext {
  /** current has PF_MEMALLOC (kswapd, direct reclaim): may get ALLOC_NO_WATERMARKS. */
  readonly pfMemalloc?: boolean;
  /** Task context: prepare_alloc_pages turns a NULL nodemask into the cpuset's mems. */
  readonly inTask?: boolean;
}

/**
 * gfp_zone(gfp): the highest zone index the request may use. DMA and DMA32
 * win; HIGHMEM|MOVABLE is ZONE_MOVABLE; anything else (no modifier, HIGHMEM
 * alone on 64-bit, MOVABLE alone) is ZONE_NORMAL.
 */
// include/linux/gfp.h: gfp_zone
export function gfpZone(gfp: number): number {
  if (gfp & __GFP_DMA) return ZONE_DMA;
  if (gfp & __GFP_DMA32) return ZONE_DMA32;
  if ((gfp & (__GFP_HIGHMEM | __GFP_MOVABLE)) === (__GFP_HIGHMEM | __GFP_MOVABLE)) return ZONE_MOVABLE;
  return ZONE_NORMAL;
}

/**
 * numa_zone_alloc_allowed(alloc_flags, zone, gfp), in order: (1) a zone of an
 * N_MEMORY_PRIVATE node needs __GFP_PRIVATE, no exceptions; (2) cpusets
 * enabled and ALLOC_CPUSET -> cpuset_zone_allowed; (3) true.
 */
// mm/page_alloc.c: numa_zone_alloc_allowed
export function numaZoneAllocAllowed(k: Kernel, allocFlags: number, zone: number, gfp: number, inTask = true): boolean {
  ran(k, 'numa_zone_alloc_allowed');
  const nid = zoneNode(zone);
  // Input-coverage mutant numa-zone-allowed-tests-thisnode (mutants/input.ts): rule 1 tests the wrong gfp bit.
  const privateBit = k.cfg.mutant === 'numa-zone-allowed-tests-thisnode' ? __GFP_THISNODE : __GFP_PRIVATE;
  if (k.cfg.mutant !== 'numa-zone-allowed-ignores-private' && k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE) && (gfp & privateBit) === 0) return false;
  // Mutant numa-zone-allowed-private-skips-cpuset: a __GFP_PRIVATE request returns before the cpuset test.
  if (k.cfg.mutant === 'numa-zone-allowed-private-skips-cpuset' && (gfp & __GFP_PRIVATE)) return true;
  if (cpusetsEnabled(k) && (allocFlags & ALLOC_CPUSET)) return cpusetZoneAllowed(k, zone, gfp, inTask);
  return true;
}

/** wmark_pages(z, i): the watermark plus watermark_boost (the mutant forgets the boost). */
// mm/internal.h: wmark_pages
export function wmarkPages(k: Kernel, zone: number, wmark: number): number {
  const f = wmark === ALLOC_WMARK_MIN ? k.L.ZONE_WMARK_MIN : wmark === ALLOC_WMARK_LOW ? k.L.ZONE_WMARK_LOW : k.L.ZONE_WMARK_HIGH;
  const boost = k.cfg.mutant === 'boost-ignored-in-watermark' ? 0 : k.get(k.L.ZONE_BOOST, zone);
  return k.get(f, zone) + boost;
}

/**
 * __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free):
 * free pages minus the unusable (1 << order) - 1 must exceed the mark (halved
 * for ALLOC_MIN_RESERVE, less a quarter more for NON_BLOCK, halved for OOM);
 * for order > 0 a free block of at least that order must exist.
 */
// mm/page_alloc.c: __zone_watermark_ok
export function zoneWatermarkOk(k: Kernel, zone: number, order: number, mark: number, allocFlags: number): boolean {
  const free = k.get(k.L.ZONE_FREE, zone) - ((1 << order) - 1);
  let min = mark;
  if (allocFlags & ALLOC_MIN_RESERVE) {
    min -= Math.floor(min / 2);
    if (allocFlags & ALLOC_NON_BLOCK) min -= Math.floor(min / 4);
  }
  if (allocFlags & ALLOC_OOM) min -= Math.floor(min / 2);
  if (free <= min) return false;
  if (order === 0) return true;
  for (let o = order; o <= k.cfg.maxOrder; o++) {
    if (k.get(k.L.ZONE_AREA_NR_FREE, zone * k.g.orders + o) > 0) return true;
  }
  return false;
}

/** Watermarks of a zone from its config, or the default derived from managed pages. */
function defaultWmarks(k: Kernel, zone: number, managed: number): { min: number; low: number; high: number } {
  const zc = k.cfg.nodes[zoneNode(zone)]!.zones.find((z) => z.type === ZONE_NAMES[zoneType(zone)]);
  if (zc?.wmark) return zc.wmark;
  // Default: min = managed / 16 (the zone's share of min_free_kbytes, scaled to
  // the model's tiny zones), then low/high = min + k*max(min/4, managed/1000)
  // (watermark_scale_factor 10), as __setup_per_zone_wmarks spaces them.
  const min = managed >> 4;
  const step = Math.max(min >> 2, Math.floor(managed / 1000));
  return { min, low: min + step, high: min + 2 * step };
}

/**
 * __setup_per_zone_wmarks: min/low/high for every zone, and watermark_boost
 * reset to 0 unless the node's reclaim_policy reports managed_watermarks (v4;
 * the callback runs under zone->lock with IRQs off, SEMANTICS 5.2).
 */
// mm/page_alloc.c: __setup_per_zone_wmarks
export function setupPerZoneWmarks(k: Kernel): void {
  ran(k, '__setup_per_zone_wmarks');
  for (let z = 0; z < k.g.zones; z++) {
    const managed = k.get(k.L.ZONE_MANAGED, z);
    const w = managed > 0 ? defaultWmarks(k, z, managed) : { min: 0, low: 0, high: 0 };
    k.set(k.L.ZONE_WMARK_MIN, z, w.min);
    k.set(k.L.ZONE_WMARK_LOW, z, w.low);
    k.set(k.L.ZONE_WMARK_HIGH, z, w.high);
    const nid = zoneNode(z);
    const keepBoost = npSlotOfNode(k, nid) >= 0 && nodePrivateReclaimPolicy(k, nid).managedWatermarks;
    if (!keepBoost) k.set(k.L.ZONE_BOOST, z, 0);
  }
}

/** The allocation context of one request (struct alloc_context). */
interface AllocCtx {
  /** The zonelist in the state (read in place: the hot path allocates nothing). */
  readonly zlField: Field;
  readonly zlBase: number;
  readonly zlLen: number;
  nodemask: number | null;
  readonly highestZoneidx: number;
  readonly preferredNid: number;
  readonly inTask: boolean;
}

/** Zone id at position i of the request's zonelist, or -1 past its end. */
function zonelistAt(k: Kernel, ac: AllocCtx, i: number): number {
  if (i >= ac.zlLen) return -1;
  return k.get(ac.zlField, ac.zlBase + i) - 1;
}

/** for_next_zone_zonelist_nodemask: zone index and nodemask filter. */
function zoneEligible(ac: AllocCtx, z: number, mutant: string | null = null): boolean {
  // Contract mutants (mutants/contracts.ts): the zone index / the nodemask filter is skipped.
  const zoneOk = mutant === 'alloc-ignores-zone-index' || zoneType(z) <= ac.highestZoneidx;
  const maskOk = mutant === 'alloc-ignores-nodemask' || ac.nodemask === null || (ac.nodemask & (1 << zoneNode(z))) !== 0;
  return zoneOk && maskOk;
}

/** first_zones_zonelist(...)->zone != NULL */
function anyEligibleZone(k: Kernel, ac: AllocCtx): boolean {
  for (let i = 0, z = zonelistAt(k, ac, 0); z >= 0; z = zonelistAt(k, ac, ++i)) if (zoneEligible(ac, z)) return true;
  return false;
}

/** Ghost GH_ALLOC bits on every page of a fresh folio. */
function markAllocated(k: Kernel, pfn: number, order: number, gfp: number, preferredNid: number, contig: boolean): void {
  const nid = k.g.pfnNode[pfn]!;
  let bits = 0;
  if (gfp & __GFP_PRIVATE) bits |= GA_GFP_PRIVATE;
  if (preferredNid === nid) bits |= GA_PREFERRED_HERE;
  if ((gfp & __GFP_PRIVATE) && preferredNid === nid) bits |= GA_PRIVATE_OK;
  if (npSlotOfNode(k, nid) >= 0 && nodePrivateMigrationBlocked(k, nid)) bits |= GA_WHILE_BLOCKED;
  if (contig) bits |= GA_CONTIG;
  // Per page: after a split each page heads its own folio, and flush_cb indexes the head's bit.
  for (let i = 0; i < 1 << order; i++) k.set(k.L.GH_ALLOC, pfn + i, bits | (k.get(k.L.PG_FLUSH_BIT, pfn + i) ? GA_OVER_FLUSH_BIT : 0));
}

/**
 * get_page_from_freelist: walk the zonelist in order (zone index and nodemask
 * filtered), skip zones numa_zone_alloc_allowed refuses, check the watermark
 * unless ALLOC_NO_WATERMARKS, take from the first zone that passes.
 */
// mm/page_alloc.c: get_page_from_freelist
function getPageFromFreelist(k: Kernel, gfp: number, order: number, allocFlags: number, ac: AllocCtx): number {
  // skip_kswapd_nodes = nr_online_nodes > 1: the first pass passes over nodes whose kswapd is
  // awake (!waitqueue_active(&pgdat->kswapd_wait)); v4 (patch 13) never skips a node without a
  // kswapd (`zone->zone_pgdat->kswapd &&`). If it skipped one and found nothing, retry without.
  let skipKswapdNodes = nrOnlineNodes(k) > 1;
  for (;;) {
    let skipped = false;
    for (let i = 0, z = zonelistAt(k, ac, 0); z >= 0; z = zonelistAt(k, ac, ++i)) {
      if (!zoneEligible(ac, z, k.cfg.mutant)) continue;
      if (!numaZoneAllocAllowed(k, allocFlags, z, gfp, ac.inTask)) continue;
      if (skipKswapdNodes && k.get(k.L.NODE_KSWAPD, zoneNode(z)) === 2) {
        skipped = true;
        continue;
      }
      if (!(allocFlags & ALLOC_NO_WATERMARKS)) {
        const mark = wmarkPages(k, z, allocFlags & ALLOC_WMARK_MASK);
        if (!zoneWatermarkOk(k, z, order, mark, allocFlags)) continue;
      }
      let pfn = rmqueueSmallest(k, z, order);
      // rmqueue -> check_new_pages: a hwpoisoned page is a bad page, dropped (leaked); rmqueue tries again.
      while (pfn >= 0 && badHwpoisonPage(k, pfn, order)) pfn = rmqueueSmallest(k, z, order);
      if (pfn < 0) continue;
      prepNewPage(k, pfn, order);
      markAllocated(k, pfn, order, gfp, ac.preferredNid, false);
      return pfn;
    }
    if (!(skipKswapdNodes && skipped)) return NULL_PFN;
    skipKswapdNodes = false;
  }
}

/** nr_online_nodes: nodes in N_ONLINE. */
function nrOnlineNodes(k: Kernel): number {
  let n = 0;
  for (let nid = 0; nid < k.g.nodes; nid++) if (k.has(k.L.NODE_STATES, nid, N_ONLINE)) n++;
  return n;
}

/**
 * wake_all_kswapds -> wakeup_kswapd per eligible zone's node: only if the node
 * has a kswapd, the cpuset allows the zone, v4's zone_reclaim_allowed passes
 * (private nodes need NP_OPS_RECLAIM) and the node is not balanced at the high
 * watermark. NODE_KSWAPD 1 (sleeping) -> 2 (woken).
 */
// mm/vmscan.c: wakeup_kswapd (via page_alloc.c: wake_all_kswapds)
function wakeAllKswapds(k: Kernel, gfp: number, order: number, ac: AllocCtx): void {
  for (let i = 0, z = zonelistAt(k, ac, 0); z >= 0; z = zonelistAt(k, ac, ++i)) {
    if (!zoneEligible(ac, z)) continue;
    const nid = zoneNode(z);
    if (k.get(k.L.NODE_KSWAPD, nid) !== 1) continue;
    if (k.get(k.L.ZONE_MANAGED, z) === 0) continue;
    if (!cpusetZoneAllowed(k, z, gfp, ac.inTask)) continue;
    if (k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE) && !nodePrivateHasFlag(k, nid, NP_OPS_RECLAIM)) continue;
    if (zoneWatermarkOk(k, z, order, wmarkPages(k, z, ALLOC_WMARK_HIGH), 0)) continue;
    k.set(k.L.NODE_KSWAPD, nid, 2);
    k.trace(`wakeup_kswapd(N${nid})`);
  }
}

/** gfp_to_alloc_flags: WMARK_MIN | CPUSET, + MIN_RESERVE for __GFP_HIGH, NON_BLOCK without direct reclaim. */
// mm/page_alloc.c: gfp_to_alloc_flags
function gfpToAllocFlags(gfp: number): number {
  let f = ALLOC_WMARK_MIN | ALLOC_CPUSET;
  if (gfp & __GFP_HIGH) f |= ALLOC_MIN_RESERVE;
  if (gfp & __GFP_KSWAPD_RECLAIM) f |= ALLOC_KSWAPD;
  if (!(gfp & __GFP_DIRECT_RECLAIM)) {
    f |= ALLOC_NON_BLOCK;
    // Non-blocking __GFP_HIGH (GFP_ATOMIC) ignores cpuset mems rather than fail.
    if (f & ALLOC_MIN_RESERVE) f &= ~ALLOC_CPUSET;
  }
  return f;
}

/** __gfp_pfmemalloc_flags: ALLOC_NO_WATERMARKS for __GFP_MEMALLOC or a PF_MEMALLOC task, never with __GFP_NOMEMALLOC. */
// mm/page_alloc.c: __gfp_pfmemalloc_flags
function gfpPfmemallocFlags(gfp: number, ctx: AllocContext): number {
  if (gfp & __GFP_NOMEMALLOC) return 0;
  if (gfp & __GFP_MEMALLOC) return ALLOC_NO_WATERMARKS;
  if ((ctx.inTask ?? true) && ctx.pfMemalloc) return ALLOC_NO_WATERMARKS;
  return 0;
}

// mm/page_alloc.c: __alloc_pages_slowpath (without reclaim, compaction, OOM)
function allocPagesSlowpath(k: Kernel, gfp: number, order: number, ac: AllocCtx, ctx: AllocContext): number {
  let allocFlags = gfpToAllocFlags(gfp);
  // first_zones_zonelist: nothing eligible at all -> nopage.
  if (!anyEligibleZone(k, ac)) return NULL_PFN;
  if (allocFlags & ALLOC_KSWAPD) wakeAllKswapds(k, gfp, order, ac);
  let pfn = getPageFromFreelist(k, gfp, order, allocFlags, ac);
  if (pfn !== NULL_PFN) return pfn;
  // retry:
  const reserve = gfpPfmemallocFlags(gfp, ctx);
  if (reserve) allocFlags = reserve | (allocFlags & ALLOC_KSWAPD);
  // High-priority and non-cpuset requests drop the nodemask (policy is ignored).
  if (!(allocFlags & ALLOC_CPUSET) || reserve) ac.nodemask = null;
  pfn = getPageFromFreelist(k, gfp, order, allocFlags, ac);
  if (pfn !== NULL_PFN) return pfn;
  // !can_direct_reclaim, PF_MEMALLOC, or direct reclaim (not modelled): nopage.
  return NULL_PFN;
}

function maskStr(m: number | null): string {
  return m === null ? 'NULL' : `{${[...Array(16).keys()].filter((n) => m & (1 << n)).join(',')}}`;
}

/** __alloc_pages(gfp, order, preferred_nid, nodemask): head pfn or NULL_PFN. */
// mm/page_alloc.c: __alloc_pages_noprof
export function allocPages(k: Kernel, gfp: number, order: number, preferredNid: number, nodemask: number | null, ctx: AllocContext = {}): number {
  ran(k, '__alloc_pages');
  const inTask = ctx.inTask ?? true;
  // prepare_alloc_pages
  let allocFlags = ALLOC_WMARK_LOW;
  let allocGfp = gfp;
  let nm = nodemask;
  if (cpusetsEnabled(k)) {
    allocGfp |= __GFP_HARDWALL;
    if (inTask && nm === null) nm = cpusetCurrentMemsAllowed(k);
    else allocFlags |= ALLOC_CPUSET;
  }
  // node_zonelist(preferred_nid, gfp): NOFALLBACK with __GFP_THISNODE.
  const thisnode = (gfp & __GFP_THISNODE) !== 0;
  const ac: AllocCtx = {
    zlField: thisnode ? k.L.NODE_ZL_NOFALLBACK : k.L.NODE_ZL_FALLBACK,
    zlBase: thisnode ? preferredNid * MAX_NR_ZONES : preferredNid * k.g.zones,
    zlLen: thisnode ? MAX_NR_ZONES : k.g.zones,
    nodemask: nm,
    highestZoneidx: gfpZone(gfp),
    preferredNid,
    inTask,
  };
  let pfn = getPageFromFreelist(k, allocGfp, order, allocFlags, ac);
  if (pfn === NULL_PFN) {
    // The slowpath restarts from the caller's gfp and nodemask.
    ac.nodemask = nm;
    pfn = allocPagesSlowpath(k, allocGfp, order, ac, ctx);
  }
  if (k.log) k.trace(`__alloc_pages(${gfpName(gfp)}, ${order}, N${preferredNid}, ${maskStr(nodemask)}) = ${pfn === NULL_PFN ? 'NULL' : `pfn ${pfn} (N${k.g.pfnNode[pfn]})`}`);
  checkAllocation(k, pfn, gfp, gfpZone(gfp), preferredNid, nodemask, ctx);
  return pfn;
}

/** alloc_pages_node(nid, gfp, order) */
// include/linux/gfp.h: alloc_pages_node
export function allocPagesNode(k: Kernel, nid: number, gfp: number, order: number, ctx: AllocContext = {}): number {
  return allocPages(k, gfp, order, nid, null, ctx);
}

/**
 * alloc_contig_pages(nr, gfp, nid, nodemask) for nr = 1 << order: walks
 * node_zonelist(nid) WITHOUT numa_zone_alloc_allowed or watermarks (2.4, last
 * paragraph), taking a free aligned range. The kernel also migrates movable
 * pages out of a candidate range; the model takes only already-free ranges.
 */
// mm/page_alloc.c: alloc_contig_pages_noprof
export function allocContigPages(k: Kernel, order: number, gfp: number, nid: number, nodemask: number | null): number {
  ran(k, 'alloc_contig_pages');
  const zl = nodeZonelist(k, nid, (gfp & __GFP_THISNODE) !== 0);
  const hi = gfpZone(gfp);
  for (const z of zl) {
    if (zoneType(z) > hi) continue;
    if (nodemask !== null && (nodemask & (1 << zoneNode(z))) === 0) continue;
    const pfn = rmqueueSmallest(k, z, order);
    if (pfn < 0) continue;
    prepNewPage(k, pfn, order);
    markAllocated(k, pfn, order, gfp, nid, true);
    k.trace(`alloc_contig_pages(${1 << order}, ${gfpName(gfp)}, N${nid}) = pfn ${pfn} (N${zoneNode(z)})`);
    return pfn;
  }
  k.trace(`alloc_contig_pages(${1 << order}, ${gfpName(gfp)}, N${nid}) = NULL`);
  return NULL_PFN;
}

/** check_new_page: PageHWPoison is in PAGE_FLAGS_CHECK_AT_PREP, so bad_page() keeps the block out of use. */
// mm/page_alloc.c: check_new_pages -> check_new_page_bad
function badHwpoisonPage(k: Kernel, pfn: number, order: number): boolean {
  for (let i = 0; i < 1 << order; i++) {
    if (k.has(k.L.PG_FLAGS, pfn + i, PG_hwpoison)) {
      if (k.log) k.trace(`check_new_page(pfn ${pfn + i}): bad page (hwpoison), dropped`);
      return true;
    }
  }
  return false;
}

/** free_frozen_pages / __free_pages_ok: give a folio's pages back to the buddy (no free hooks). */
// mm/page_alloc.c: __free_pages_ok
export function freePagesToBuddy(k: Kernel, pfn: number, order: number): void {
  // free_pages_prepare: "Do not let hwpoison pages hit pcplists/buddy" (order 0).
  if (order === 0 && k.has(k.L.PG_FLAGS, pfn, PG_hwpoison)) {
    if (k.log) k.trace(`free_pages(pfn ${pfn}, 0): hwpoison page kept out of the buddy`);
    return;
  }
  freeOnePage(k, pfn, order);
  if (k.log) k.trace(`free_pages(pfn ${pfn}, ${order})`);
}

/** Sum of free pages of a node's zones (NR_FREE_PAGES of the node). */
export function nodeFreePages(k: Kernel, nid: number): number {
  let n = 0;
  for (let t = 0; t < MAX_NR_ZONES; t++) n += k.get(k.L.ZONE_FREE, nid * MAX_NR_ZONES + t);
  return n;
}
