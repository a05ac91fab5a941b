// Swap slots and the swap cache (mm/swapfile.c, mm/swap_state.c, mm/page_io.c).
// A slot is in use while SWAP_COUNT > 0 (swap PTEs referencing it) or while a
// folio sits in the swap cache for it (SWAP_CACHE != 0, the kernel's
// SWAP_HAS_CACHE). SWAP_DATA holds what swap_writepage wrote.
// When a slot becomes unused all its fields return to 0 (canonical state).

import { PG_dirty, PG_swapcache } from './layout.ts';
import type { Kernel } from './kernel.ts';
import { pageContent } from './page.ts';
import { ran } from './ran.ts';
import { swapinClaimedSlot } from './memcg_charge_regs.ts';

/**
 * Some thread other than `except` holds the slot's SWAP_HAS_CACHE without a
 * folio in the swap cache: a swap-in between __read_swap_cache_async's
 * swapcache_prepare and its add_to_swap_cache (its memcg charge is reclaiming).
 */
export function swapSlotClaimedByOther(k: Kernel, except: number, slot: number): boolean {
  for (let t = 0; t < k.g.threads.length; t++) if (t !== except && swapinClaimedSlot(k, t) === slot) return true;
  return false;
}

/** The slot is free: no swap PTE, no swap-cache folio, no swap-in's claim. */
export function swapSlotFree(k: Kernel, slot: number): boolean {
  return k.get(k.L.SWAP_COUNT, slot) === 0 && k.get(k.L.SWAP_CACHE, slot) === 0 && !swapSlotClaimedByOther(k, -1, slot);
}

/** folio_alloc_swap: lowest free slot (the kernel's cluster choice is arbitrary), or -1. */
export function getSwapSlot(k: Kernel): number {
  // mm/swapfile.c: folio_alloc_swap
  // Mutant swap-slot-off-by-one (mutants/vacuity.ts): the scan stops one slot early.
  const end = k.cfg.mutant === 'swap-slot-off-by-one' ? k.cfg.swapSlots - 1 : k.cfg.swapSlots;
  for (let i = 0; i < end; i++) if (swapSlotFree(k, i)) return i;
  return -1;
}

/** add_to_swap(folio): allocate a slot, insert into the swap cache (+1 ref), mark dirty. */
export function addToSwap(k: Kernel, pfn: number): boolean {
  ran(k, 'add_to_swap');
  // mm/swap_state.c: add_to_swap
  const slot = getSwapSlot(k);
  if (slot < 0) {
    if (k.log) k.trace(`add_to_swap(pfn ${pfn}) = false (no swap slot)`);
    return false;
  }
  addToSwapCache(k, pfn, slot);
  k.setBits(k.L.PG_FLAGS, pfn, PG_dirty);
  if (k.log) k.trace(`add_to_swap(pfn ${pfn}) = slot ${slot}`);
  return true;
}

/** add_to_swap_cache(folio, entry): the cache holds one reference. */
export function addToSwapCache(k: Kernel, pfn: number, slot: number): void {
  k.set(k.L.SWAP_CACHE, slot, pfn + 1);
  k.set(k.L.PG_SWAP, pfn, slot + 1);
  k.setBits(k.L.PG_FLAGS, pfn, PG_swapcache);
  k.add(k.L.PG_REF, pfn, 1);
}

/** The folio in the swap cache for slot, or -1 (swap_cache_get_folio without the ref). */
export function swapCacheLookup(k: Kernel, slot: number): number {
  return k.get(k.L.SWAP_CACHE, slot) - 1;
}

/**
 * delete_from_swap_cache(folio): unlink the folio and slot; the cache's
 * reference is dropped by the caller (it is never the last one there).
 */
export function deleteFromSwapCache(k: Kernel, pfn: number): void {
  ran(k, 'delete_from_swap_cache');
  // mm/swap_state.c: delete_from_swap_cache
  const slot = k.get(k.L.PG_SWAP, pfn) - 1;
  if (slot < 0) return;
  k.set(k.L.SWAP_CACHE, slot, 0);
  k.set(k.L.PG_SWAP, pfn, 0);
  k.clearBits(k.L.PG_FLAGS, pfn, PG_swapcache);
  // Mutant swapcache-delete-keeps-ref (mutants/folio_refs.ts): the cache's reference stays with the folio.
  if (k.cfg.mutant !== 'swapcache-delete-keeps-ref') k.add(k.L.PG_REF, pfn, -1);
  releaseSlotIfUnused(k, slot);
}

/** swap_duplicate(entry): one more swap PTE references the slot. */
export function swapDuplicate(k: Kernel, slot: number): void {
  k.add(k.L.SWAP_COUNT, slot, 1);
}

/** swap_free(entry): a swap PTE referencing the slot went away. */
export function swapFree(k: Kernel, slot: number): void {
  // mm/swapfile.c: swap_free
  if (k.get(k.L.SWAP_COUNT, slot) > 0) k.add(k.L.SWAP_COUNT, slot, -1);
  releaseSlotIfUnused(k, slot);
}

/**
 * swapcache_clear / put_swap_folio of a swap-in that gave up its claim (its
 * charge failed): the slot is free again if no swap PTE references it.
 */
export function swapcacheClear(k: Kernel, slot: number): void {
  releaseSlotIfUnused(k, slot);
}

function releaseSlotIfUnused(k: Kernel, slot: number): void {
  if (k.get(k.L.SWAP_COUNT, slot) === 0 && k.get(k.L.SWAP_CACHE, slot) === 0) k.set(k.L.SWAP_DATA, slot, 0);
}

/** swap_writepage(folio): contents to the swap device, folio clean. */
export function swapWritepage(k: Kernel, pfn: number): void {
  ran(k, 'swap_writepage');
  // mm/page_io.c: swap_writepage
  const slot = k.get(k.L.PG_SWAP, pfn) - 1;
  if (slot < 0) return;
  k.set(k.L.SWAP_DATA, slot, pageContent(k, pfn));
  k.clearBits(k.L.PG_FLAGS, pfn, PG_dirty);
  if (k.log) k.trace(`swap_writepage(pfn ${pfn}) -> slot ${slot} = ${pageContent(k, pfn)}`);
}
