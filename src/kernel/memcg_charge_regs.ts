// The registers and stage bits of a fault inside try_charge_memcg
// (THR_OP = OP_MEMCG_CHARGE, src/kernel/memcg_charge_step.ts). A leaf module:
// swap.ts reads a swap-in's claim on its slot from here without importing the
// charge path.
//
// THR_STAGE: the loop's stage (bits 0-2), the fault the charge is for (bits
// 3-4), MC_UNSHARE, MC_WRITE.
// REG[0] = PTE slot (mm * vaddrs + vaddr); REG[1] = the new folio's pfn + 1;
// REG[2] = the fault's original PTE (orig_pte: value * 64 + flags) for the
// faults that check it again under the PTL (wp_page_copy, do_swap_page);
// REG[3] = the folio memcg reclaim holds isolated + 1 (a kept one until
// move_folios_to_lru, MC_PUTBACK); REG[4] = the pass's
// next scan position; REG[5] = the pass's nr_reclaimed (low byte) and the
// fruitless passes so far (high byte).

import type { Kernel } from './kernel.ts';
import { THREAD_REGS } from './layout.ts';
import { OP_MEMCG_CHARGE } from './ops_codes.ts';

export const MC_TRY = 1;
export const MC_ISOLATE = 2;
export const MC_SHRINK = 3;
export const MC_OOM = 4;
export const MC_CHARGED = 5;
/** The charge failed; the fault's failure path (do_swap_page's pte_same check under the PTL) is the next step. */
export const MC_FAILED = 6;
/** move_folios_to_lru of the folio shrink_folio_list kept (REG[3], still isolated): src/kernel/vmscan.ts. */
export const MC_PUTBACK = 7;
export const MC_STAGE_MASK = 7;

/** Which fault's charge (THR_STAGE bits 3-4). */
export const MC_KIND_SHIFT = 3;
export const MC_KIND_MASK = 3 << MC_KIND_SHIFT;
/** do_anonymous_page: alloc_anon_folio's mem_cgroup_charge. */
export const MC_KIND_ANON = 0;
/** do_wp_page -> wp_page_copy: folio_prealloc's mem_cgroup_charge. */
export const MC_KIND_WP_COPY = 1;
/** do_swap_page -> swapin_readahead -> __read_swap_cache_async: mem_cgroup_swapin_charge_folio. */
export const MC_KIND_SWAPIN = 2;
/** do_cow_fault: folio_prealloc's mem_cgroup_charge (REG[2] = the page-cache folio + 1 once copied). */
export const MC_KIND_COW_FAULT = 3;
/** THR_STAGE flag: FAULT_FLAG_UNSHARE (wp_page_copy maps the copy read-only). */
export const MC_UNSHARE = 32;
/** THR_STAGE flag: the fault is a write fault. */
export const MC_WRITE = 64;

export const MC_R_SLOT = 0;
export const MC_R_FOLIO = 1;
export const MC_R_ORIG = 2;
export const MC_R_ISOLATED = 3;
export const MC_R_POS = 4;
export const MC_R_PROGRESS = 5;
/** The fruitless-pass count shares REG[5] with nr_reclaimed (its high byte). */
export const MC_R_RETRIES = 5;
export const MC_RETRIES_SHIFT = 8;

/** PTE flags fit in 6 bits (layout.ts PTE_*): REG[2] = value * 64 + flags. */
const ORIG_FLAG_BITS = 6;

export function packOrigPte(val: number, flags: number): number {
  return val * (1 << ORIG_FLAG_BITS) + flags;
}

export function origPteVal(orig: number): number {
  return Math.floor(orig / (1 << ORIG_FLAG_BITS));
}

export function origPteFlags(orig: number): number {
  return orig % (1 << ORIG_FLAG_BITS);
}

export function memcgChargeKindOf(stage: number): number {
  return (stage & MC_KIND_MASK) >> MC_KIND_SHIFT;
}

/**
 * Thread t is a swap-in whose charge is still reclaiming: __read_swap_cache_async's
 * swapcache_prepare set SWAP_HAS_CACHE on the slot before mem_cgroup_swapin_charge_folio,
 * and no folio is in the swap cache yet. Returns the slot, or -1.
 */
export function swapinClaimedSlot(k: Kernel, t: number): number {
  if (k.get(k.L.THR_OP, t) !== OP_MEMCG_CHARGE) return -1;
  const stage = k.get(k.L.THR_STAGE, t);
  if (memcgChargeKindOf(stage) !== MC_KIND_SWAPIN) return -1;
  const s = stage & MC_STAGE_MASK;
  if (s !== MC_PUTBACK && (s < MC_TRY || s > MC_OOM)) return -1;
  return origPteVal(k.get(k.L.THR_REG, t * THREAD_REGS + MC_R_ORIG));
}
