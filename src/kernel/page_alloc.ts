// mm/page_alloc.c. STUB CONTRACT (allocator/nodes helper): signatures final.
import type { Kernel } from './kernel.ts';

/** NULL for a struct page * result. */
export const NULL_PFN = -1;

/** Context the allocator reads from `current` (PF_MEMALLOC, task vs interrupt). */
export interface AllocContext {
  /** current has PF_MEMALLOC (kswapd, direct reclaim): may get ALLOC_NO_WATERMARKS. */
  readonly pfMemalloc?: boolean;
  /** Task context: prepare_alloc_pages turns a NULL nodemask into the cpuset's mems. */
  readonly inTask?: boolean;
}

/** __alloc_pages(gfp, order, preferred_nid, nodemask): head pfn or NULL_PFN. */
export function allocPages(k: Kernel, gfp: number, order: number, preferredNid: number, nodemask: number | null, ctx: AllocContext = {}): number {
  void k; void gfp; void order; void preferredNid; void nodemask; void ctx;
  return NULL_PFN;
}

/** alloc_pages_node(nid, gfp, order) */
export function allocPagesNode(k: Kernel, nid: number, gfp: number, order: number, ctx: AllocContext = {}): number {
  return allocPages(k, gfp, order, nid, null, ctx);
}

/** free_frozen_pages / __free_pages_ok: give a folio's pages back to the buddy (no free hooks). */
export function freePagesToBuddy(k: Kernel, pfn: number, order: number): void {
  void k; void pfn; void order;
}
