// Large anonymous folios (mTHP): the fault-time allocation of an order > 0
// folio (mm/memory.c: alloc_anon_folio, do_anonymous_page) and the split of a
// large folio into order-0 folios (mm/huge_memory.c: __folio_split), with
// v4's folio_split notification (include/linux/node_private.h:
// folio_managed_split_cb, called from the split's unfreeze loop once per new
// folio and then with NULL: patch 11/27 "mm/huge_memory.c: add private node
// folio split notification callback").
//
// Modelling choices (README, modelling choices):
// * One large order, cfg.thpOrder (the named `thp` configs use 1: two pages).
//   v4 never allocates an order-1 anonymous folio (THP_ORDERS_ALL_ANON
//   starts at order 2, and __split_unmapped_folio skips order-1 anon
//   targets); every path modelled here loops over the folio's pages (one
//   PTE per page, one migration entry per page, one split callback per new
//   folio), so a second tail page only repeats what the first does.
// * Folios are PTE-mapped (mTHP below PMD order): no PMD mappings, no
//   deferred split queue (order <= 1 folios are never queued:
//   deferred_split_folio), no partial munmap of a large folio.
// * A large folio is never swapped out whole: the modelled kernel has
//   CONFIG_THP_SWAP off (only x86_64 and arm64 select it), so
//   folio_alloc_swap() refuses order > 0 and shrink_folio_list splits the
//   folio first (src/kernel/vmscan.ts).
// * remap_page(RMP_USE_SHARED_ZEROPAGE): a zero-filled subpage of a split
//   anon folio is not remapped; the model has no shared zero page (memory.ts
//   maps a real zeroed folio on read faults instead), so its PTE becomes none
//   and the next access faults in a fresh zeroed page, which reads back the
//   same zeros.

import { EAGAIN, EBUSY, EINVAL, GFP_HIGHUSER_MOVABLE, __GFP_COMP, __GFP_KSWAPD_RECLAIM, __GFP_NOMEMALLOC, __GFP_NOWARN } from './defs.ts';
import { PG_active, PG_anon, PG_dirty, PG_head, PG_locked, PG_lru, PG_swapcache, PG_tail, PG_unevictable, PG_writeback, PTE_MIGRATION, PTE_NONE, VMA_FILE, VMA_HUGEPAGE, VMA_MAPPED } from './layout.ts';
import type { Kernel } from './kernel.ts';
import { folioGet, folioNrPages, folioPut } from './folio.ts';
import { vmaAllocFolio } from './mempolicy.ts';
import { folioIsPrivateNode, folioManagedSplitCb, folioNodePrivateOps } from './node_private.ts';
import { NULL_PFN } from './page_alloc.ts';
import { ptClear, removeMigrationPtes, rmapSlots, tryToMigrate } from './rmap.ts';
import { EV2_SPLIT_CB_MISSED, event2 } from './ghost.ts';
import { ran } from './ran.ts';

/** The large order do_anonymous_page tries in a VM_HUGEPAGE vma (0: large folios off). */
export function thpOrder(k: Kernel): number {
  return k.cfg.thpOrder ?? 0;
}

/** vma_thp_gfp_mask for a VM_HUGEPAGE vma with defrag=madvise (the default): GFP_TRANSHUGE. */
// mm/huge_memory.c: vma_thp_gfp_mask
const GFP_TRANSHUGE = (GFP_HIGHUSER_MOVABLE | __GFP_COMP | __GFP_NOMEMALLOC | __GFP_NOWARN) & ~__GFP_KSWAPD_RECLAIM;

/**
 * alloc_anon_folio's large attempt for a fault at (mm, vaddr): the order is
 * allowed when the vma has VM_HUGEPAGE, the aligned range lies inside one
 * anon VM_HUGEPAGE vma (thp_vma_suitable_orders) and all its PTEs are none
 * (pte_range_none). Returns the folio and the first slot of its range, or
 * null to fall back to an order-0 folio (also when the allocation fails).
 */
// mm/memory.c: alloc_anon_folio
export function allocAnonLargeFolio(k: Kernel, mm: number, vaddr: number, localNid: number): { pfn: number; base: number; nr: number } | null {
  const order = thpOrder(k);
  if (order === 0) return null;
  const V = k.cfg.vaddrs;
  const nr = 1 << order;
  const base = vaddr & ~(nr - 1);
  if (base + nr > V) return null;
  const vf = k.get(k.L.VMA_FLAGS, mm * V + vaddr);
  if (!(vf & VMA_HUGEPAGE) || vf & VMA_FILE) return null;
  for (let i = 0; i < nr; i++) {
    const s = mm * V + base + i;
    // thp_vma_suitable_orders: the range is inside the vma (same flags, mapped); pte_range_none.
    if (k.get(k.L.VMA_FLAGS, s) !== vf || !(vf & VMA_MAPPED)) return null;
    if (k.get(k.L.PTE_KIND, s) !== PTE_NONE) return null;
  }
  ran(k, 'alloc_anon_folio');
  const pfn = vmaAllocFolio(k, mm, base, GFP_TRANSHUGE, order, localNid);
  if (pfn === NULL_PFN) {
    if (k.log) k.trace(`alloc_anon_folio(mm ${mm}, v${vaddr}): order-${order} allocation failed, fallback to order 0`);
    return null;
  }
  return { pfn, base: mm * V + base, nr };
}

/** Flags __split_folio_to_order copies from the folio to each new folio (PG_lru is set by lru_add_split_folio). */
const SPLIT_COPIED_FLAGS = PG_anon | PG_dirty | PG_swapcache | PG_active | PG_unevictable | PG_locked;

/**
 * split_folio_to_list(folio, list) = __folio_split(folio, 0, head, head, list,
 * uniform): the caller holds the folio locked and one reference of its own
 * (the isolation reference for reclaim and migration). On success every page
 * is an order-0 folio; the head keeps the caller's reference and lock, each
 * new folio is unlocked and either on `list` (toList: with a reference the
 * list owns) or back on the LRU. Returns 0 and the new folios, or -errno
 * with nothing changed.
 */
// mm/huge_memory.c: __folio_split
export function splitFolioToList(k: Kernel, tid: number, pfn: number, toList: boolean): { ret: number; newFolios: number[] } {
  ran(k, '__folio_split');
  const L = k.L;
  const order = k.get(L.PG_ORDER, pfn);
  const nr = 1 << order;
  const fail = (ret: number): { ret: number; newFolios: number[] } => {
    if (k.log) k.trace(`split_folio_to_list(pfn ${pfn}) = ${ret}`);
    return { ret, newFolios: [] };
  };
  if (order === 0) return fail(-EINVAL);
  if (k.has(L.PG_FLAGS, pfn, PG_writeback)) return fail(-EBUSY);
  const anon = k.has(L.PG_FLAGS, pfn, PG_anon);
  // folio_get_anon_vma: an anon folio that is no longer mapped has no anon_vma to lock.
  if (anon && k.get(L.PG_MAPCOUNT, pfn) === 0) return fail(-EBUSY);
  // can_split_folio(folio, 1, &extra_pins): only the caller's reference beyond the mappings (+ cache).
  const extraPins = anon ? (k.has(L.PG_FLAGS, pfn, PG_swapcache) ? nr : 0) : nr;
  if (k.get(L.PG_MAPCOUNT, pfn) !== k.get(L.PG_REF, pfn) - extraPins - 1) return fail(-EAGAIN);
  // unmap_folio: anon -> try_to_migrate (migration entries; v4's migrate gate may leave it mapped).
  tryToMigrate(k, pfn);
  // folio_ref_freeze(folio, 1 + extra_pins)
  if (k.get(L.PG_REF, pfn) !== 1 + extraPins) {
    removeMigrationPtes(k, pfn, pfn); // remap_page
    return fail(-EAGAIN);
  }
  // Ghost (INV-SPLIT-CB): folio_split calls the ops of a private node's folio see.
  const priv = folioIsPrivateNode(k, pfn);
  const expectCb = priv && folioNodePrivateOps(k, pfn)?.folioSplit ? nr : 0;
  splitCbCalls = 0;
  // __split_unmapped_folio -> __split_folio_to_order(folio, order, 0)
  const flags = k.get(L.PG_FLAGS, pfn) & SPLIT_COPIED_FLAGS;
  const newFolios: number[] = [];
  for (let i = 1; i < nr; i++) {
    const p = pfn + i;
    // clear_compound_head (mutant split-keeps-tail-flag, mutants/thp.ts: PageTail stays set).
    const keepTail = k.cfg.mutant === 'split-keeps-tail-flag' ? PG_tail : 0;
    k.set(L.PG_FLAGS, p, (k.get(L.PG_FLAGS, p) & ~(PG_tail | SPLIT_COPIED_FLAGS)) | PG_head | flags | keepTail);
    k.set(L.PG_ORDER, p, 0);
    newFolios.push(p);
  }
  k.set(L.PG_ORDER, pfn, 0);
  // The unfreeze loop: v4 notifies the service before each new folio is unfrozen.
  for (const p of newFolios) {
    if (k.cfg.mutant !== 'split-skips-folio-split-cb') splitCb(k, pfn, p);
    k.set(L.PG_REF, p, 1); // folio_ref_unfreeze(new, folio_expected_ref_count(new) + 1): unmapped, no cache
    // lru_add_split_folio: onto the caller's list with a reference of its own, else onto the LRU.
    if (toList) folioGet(k, p);
    else k.setBits(L.PG_FLAGS, p, PG_lru);
  }
  if (k.cfg.mutant !== 'split-skips-folio-split-cb') splitCb(k, pfn, NULL_PFN);
  if (splitCbCalls !== expectCb) event2(k, EV2_SPLIT_CB_MISSED);
  k.set(L.PG_REF, pfn, 1 + extraPins); // folio_ref_unfreeze(folio, expected + 1): the caller's reference
  // remap_page(folio, nr, RMP_USE_SHARED_ZEROPAGE): each new folio gets its PTEs back.
  for (let i = 0; i < nr; i++) remapSplitPage(k, pfn + i);
  // Unlock every new folio but the one holding lock_at (the head); free_folio_and_swap_cache drops the +1.
  for (const p of newFolios) {
    k.clearBits(L.PG_FLAGS, p, PG_locked);
    dropUnfreezeRef(k, tid, p);
  }
  if (k.log) k.trace(`split_folio_to_list(pfn ${pfn}, order ${order}) = 0: folios ${[pfn, ...newFolios].join(', ')}${toList ? ' (tails on the list)' : ''}`);
  return { ret: 0, newFolios };
}

// Calls of folio_managed_split_cb that reached ops->folio_split during the split in progress
// (a transient of one step, reset at its start: never state between steps).
let splitCbCalls = 0;

function splitCb(k: Kernel, pfn: number, newPfn: number): void {
  const ops = folioIsPrivateNode(k, pfn) ? folioNodePrivateOps(k, pfn) : null;
  if (ops?.folioSplit) splitCbCalls++;
  folioManagedSplitCb(k, pfn, newPfn);
  if (k.log && ops?.folioSplit) k.trace(`${ops.name}.folio_split(pfn ${pfn}, ${newPfn === NULL_PFN ? 'NULL' : `pfn ${newPfn}`})`);
}

/**
 * remove_migration_ptes(f, f, RMP_LOCKED | RMP_USE_SHARED_ZEROPAGE) for one
 * page after the split: a zero-filled page is not remapped
 * (try_to_map_unused_to_zeropage; the model's stand-in for the shared zero
 * page is pte_none, see the header).
 */
// mm/migrate.c: remove_migration_pte -> try_to_map_unused_to_zeropage
function remapSplitPage(k: Kernel, p: number): void {
  if (k.get(k.L.PG_CONTENT, p) === 0 && k.has(k.L.PG_FLAGS, p, PG_anon)) {
    for (const s of rmapSlots(k, p, PTE_MIGRATION)) {
      ptClear(k, s);
      if (k.log) k.trace(`remap_page: slot ${s} (zero-filled pfn ${p}) -> shared zero page (pte_none in the model)`);
    }
  }
  removeMigrationPtes(k, p, p);
}

/** free_folio_and_swap_cache(new): put the unfreeze's extra reference (the last one frees an unmapped folio). */
function dropUnfreezeRef(k: Kernel, tid: number, p: number): void {
  folioPut(k, tid, p);
}

/** A page of a large folio (not its head): compound tail. */
export function pageIsTail(k: Kernel, pfn: number): boolean {
  return k.has(k.L.PG_FLAGS, pfn, PG_tail);
}

/** folio_test_large(f) */
export function folioTestLarge(k: Kernel, pfn: number): boolean {
  return k.has(k.L.PG_FLAGS, pfn, PG_head) && folioNrPages(k, pfn) > 1;
}
