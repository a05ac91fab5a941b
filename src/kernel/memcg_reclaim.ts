// mm/vmscan.c: try_to_free_mem_cgroup_pages, the memcg reclaim the charge
// path runs when a memcg is at memory.max (src/kernel/memcontrol.ts).
//
// Which nodes it scans: do_try_to_free_pages(zonelist) walks
// node_zonelist(numa_node_id(), gfp), the ZONELIST_FALLBACK list of the
// faulting CPU's node ("to put equal pressure on all the nodes"). v4's
// build_zonelists leaves private nodes out of every N_MEMORY node's fallback
// list (patch 4), and v4's zone_reclaim_allowed (patch 16) is applied in
// shrink_zones only to global reclaim (`if (!cgroup_reclaim(sc))`), so memcg
// reclaim never scans a private node's LRU, NP_OPS_RECLAIM or not. On the
// nodes it scans, shrink_folio_list demotes as kswapd does (can_demote ->
// demote_folio_list; the demoted folio keeps its charge through
// mem_cgroup_migrate) and reclaims what is not demoted.
//
// Fix memcg-reclaim-private-nodes (design change, not in v4): cgroup reclaim
// also scans each private node whose ops allow reclaim (zone_reclaim_allowed).
//
// Modelling choice (README): a fault's charge (do_anonymous_page from a user
// load or store) reclaims as steps of the faulting CPU
// (src/kernel/memcg_charge_step.ts): each isolation (memcgIsolateNext) and each
// folio's demotion or reclaim (memcgShrinkIsolated) is a step, so kswapd,
// cram_fault and the IRQ threads run in between. The other charges (COW,
// wp_page_copy, swap-in, a GUP fault) run the same pieces in one step
// (tryToFreeMemCgroupPages). Isolation takes no rmap lock: a folio whose mm's
// PTL another thread holds is isolated, and the shrink step (folio_referenced,
// try_to_unmap / try_to_migrate: page_vma_mapped_walk spins on the PTL) waits
// for it (vmscan.ts rmapBusy). The one-step form cannot wait inside its step:
// it skips such a folio at isolation instead (fork's copy_present_page only).
// A staged charge's folio that shrink_folio_list keeps stays isolated until
// the next step's move_folios_to_lru (MC_PUTBACK), as kswapd's does (vmscan.ts).
import { hasFix } from './config.ts';
import { N_MEMORY_PRIVATE, NP_OPS_RECLAIM } from './defs.ts';
import { folioIsolateLru, folioTestAnon, isFolioHead, lruAddDrain } from './folio.ts';
import type { Kernel } from './kernel.ts';
import { PG_locked, PG_lru } from './layout.ts';
import { threadNode } from './memory.ts';
import { nodePrivateHasFlag } from './node_private.ts';
import { ran } from './ran.ts';
import { canDemote, demoteFolioList, moveFoliosToLru, nodePfnRange, rmapBusy, shrinkFolio } from './vmscan.ts';
import { zoneNode } from './geometry.ts';
import { nodeZonelist } from './zonelist.ts';

/** The nodes memcg reclaim scans, in zonelist order. */
export function memcgReclaimNodes(k: Kernel, tid: number): number[] {
  const out: number[] = [];
  for (const z of nodeZonelist(k, threadNode(k, tid), false)) {
    const nid = zoneNode(z);
    if (!out.includes(nid)) out.push(nid);
  }
  // Mutant memcg-reclaim-zonelist-only (mutants/memcg.ts): the fix's private nodes are left out again.
  if (hasFix(k.cfg, 'memcg-reclaim-private-nodes') && k.cfg.mutant !== 'memcg-reclaim-zonelist-only') {
    for (let nid = 0; nid < k.g.nodes; nid++) {
      if (out.includes(nid) || !k.has(k.L.NODE_STATES, nid, N_MEMORY_PRIVATE)) continue;
      if (nodePrivateHasFlag(k, nid, NP_OPS_RECLAIM)) out.push(nid);
    }
  }
  return out;
}

/** A folio memcg reclaim may isolate: a charged LRU folio head, unlocked, with a reference. */
function memcgCandidate(k: Kernel, tid: number, pfn: number, skipBusy: boolean): boolean {
  const L = k.L;
  if (!isFolioHead(k, pfn) || k.get(L.PG_MEMCG, pfn) === 0) return false;
  if (!k.has(L.PG_FLAGS, pfn, PG_lru) || k.has(L.PG_FLAGS, pfn, PG_locked) || k.get(L.PG_REF, pfn) === 0) return false;
  return !(skipBusy && rmapBusy(k, tid, pfn));
}

/** SWAP_CLUSTER_MAX (include/linux/swap.h) */
const SWAP_CLUSTER_MAX = 32;

/** sc.nr_to_reclaim of try_to_free_mem_cgroup_pages: max(nr_pages, SWAP_CLUSTER_MAX). */
export function memcgNrToReclaim(nr: number): number {
  return Math.max(nr, SWAP_CLUSTER_MAX);
}

/**
 * The pass's scan order: each scanned node's pfns, nodes in zonelist order
 * (the model scans an LRU in pfn order). A position indexes this list.
 */
export function memcgScanOrder(k: Kernel, tid: number): number[] {
  const out: number[] = [];
  for (const nid of memcgReclaimNodes(k, tid)) {
    const { first, n } = nodePfnRange(k.m, nid);
    for (let pfn = first; pfn < first + n; pfn++) out.push(pfn);
  }
  return out;
}

/**
 * isolate_lru_folios of the memcg's lruvecs from scan position `from`: the
 * first candidate at or after it is isolated (PG_lru cleared, a reference).
 * Returns its pfn and the next position, or null when the pass has nothing
 * left to scan.
 */
// mm/vmscan.c: shrink_lruvec -> shrink_inactive_list -> isolate_lru_folios
export function memcgIsolateNext(k: Kernel, tid: number, from: number, skipBusy = false): { pfn: number; next: number } | null {
  const order = memcgScanOrder(k, tid);
  for (let i = from; i < order.length; i++) {
    const pfn = order[i]!;
    if (!memcgCandidate(k, tid, pfn, skipBusy)) continue;
    folioIsolateLru(k, pfn);
    if (k.log) k.trace(`try_to_free_mem_cgroup_pages: isolate pfn ${pfn} (node ${k.g.pfnNode[pfn]})`);
    return { pfn, next: i + 1 };
  }
  return null;
}

/** The rmap walk the isolated folio's shrink needs waits for a PTL another thread holds. */
export function memcgShrinkBusy(k: Kernel, tid: number, pfn: number): boolean {
  return rmapBusy(k, tid, pfn);
}

/**
 * shrink_folio_list for one isolated folio of memcg reclaim: demoted when its
 * node can demote (demote_folio_list; it keeps its charge through
 * mem_cgroup_migrate), else (or if the demotion failed) reclaimed. Returns the
 * progress (1 if it was demoted or freed) and the kept folios (ret_folios),
 * still isolated: the caller runs move_folios_to_lru on them.
 */
// mm/vmscan.c: shrink_folio_list (can_demote -> demote_folio_list; else reclaim)
export function memcgShrinkIsolated(k: Kernel, tid: number, pfn: number): { progress: number; ret: number[] } {
  const sc = { maySwap: true, mayWritepage: true }; // may_swap (MEMCG_RECLAIM_MAY_SWAP), may_writepage = !laptop_mode
  const nid = k.g.pfnNode[pfn]!;
  const target = hasFix(k.cfg, 'demote-anon-only') && !folioTestAnon(k, pfn) ? -1 : canDemote(k, nid, pfn);
  const ret: number[] = [];
  if (target >= 0) {
    const list = [pfn];
    const demoted = demoteFolioList(k, tid, list, nid, target);
    if (k.log) k.trace(`try_to_free_mem_cgroup_pages: pfn ${pfn} on node ${nid} ${demoted ? `demoted to node ${target} (still charged)` : 'not demoted'}`);
    // Folios that could not be demoted go back on folio_list and are reclaimed.
    let progress = demoted;
    for (const p of list) if (shrinkFolio(k, tid, p, sc, ret)) progress++;
    return { progress, ret };
  }
  return { progress: shrinkFolio(k, tid, pfn, sc, ret) ? 1 : 0, ret };
}

/** shrink_inactive_list: lru_add_drain() first (this CPU's batches). */
export function memcgReclaimDrain(k: Kernel, tid: number): void {
  const r = k.g.threads[tid];
  if (r?.kind === 'cpu') lruAddDrain(k, tid, r.cpu);
}

/**
 * try_to_free_mem_cgroup_pages(memcg, nr_pages, GFP_KERNEL, MEMCG_RECLAIM_MAY_SWAP)
 * in one step (the charges that are not staged): shrink_lruvec over the
 * memcg's lruvec on each scanned node until nr_to_reclaim pages are
 * reclaimed. Returns the progress the charge loop sees: folios freed plus
 * folios demoted (demote_folio_list's count is added to nr_reclaimed).
 */
export function tryToFreeMemCgroupPages(k: Kernel, tid: number, nr: number): number {
  ran(k, 'try_to_free_mem_cgroup_pages');
  // mm/vmscan.c: try_to_free_mem_cgroup_pages -> do_try_to_free_pages -> shrink_zones -> shrink_node -> shrink_lruvec
  memcgReclaimDrain(k, tid);
  let progress = 0;
  const goal = memcgNrToReclaim(nr);
  for (let pos = 0; progress < goal;) {
    const got = memcgIsolateNext(k, tid, pos, true);
    if (!got) break;
    const r = memcgShrinkIsolated(k, tid, got.pfn);
    moveFoliosToLru(k, tid, r.ret);
    progress += r.progress;
    pos = got.next;
  }
  if (k.log) k.trace(`try_to_free_mem_cgroup_pages(nodes ${memcgReclaimNodes(k, tid).join(',')}) = ${progress}`);
  return progress;
}
