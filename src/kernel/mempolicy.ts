// mm/mempolicy.c. STUB CONTRACT (allocator/nodes helper): signatures final.
import type { Kernel } from './kernel.ts';

/** vma_alloc_folio_noprof(gfp, order, vma, addr): the policy of (mm, vaddr) decides. Head pfn or NULL_PFN. */
export function vmaAllocFolio(k: Kernel, mm: number, vaddr: number, gfp: number, order: number): number {
  void k; void mm; void vaddr; void gfp; void order;
  return -1;
}
