// kernel/fork.c dup_mm -> mm/memory.c copy_page_range for the model's page slots.
// Anon (and COWed private-file) present PTEs are shared copy-on-write: both
// parent and child PTEs lose the write bit, the folio gains a mapping and a
// reference. Shared file VMAs are not copied (vma_needs_copy: the child
// refaults them from the page cache). Swap PTEs duplicate their slot.

import { EBUSY } from './defs.ts';
import { PTE_EXCL, PTE_MIGRATION, PTE_MIG_WRITE, PTE_PRESENT, PTE_SWAP, PTE_WRITE, VMA_SHARED } from './layout.ts';
import type { Kernel } from './kernel.ts';
import { folioGet, pageFolio } from './folio.ts';
import { swapDuplicate } from './swap.ts';
import { ran } from './ran.ts';

const VMA_FIELDS = ['VMA_FLAGS', 'VMA_FILE', 'VMA_PGOFF', 'VMA_POL_MODE', 'VMA_POL_NODES', 'VMA_POL_FLAGS', 'VMA_POL_W', 'GH_LAST_WRITE'] as const;

/** fork(): copy mm `parent` into the unused mm `child`. 0 or -EBUSY if child is live. */
export function dupMm(k: Kernel, parent: number, child: number): number {
  ran(k, 'dup_mm');
  // kernel/fork.c: dup_mm
  const L = k.L;
  if (child >= k.cfg.mms || child === parent || k.get(L.MM_LIVE, child)) {
    if (k.log) k.trace(`fork(mm ${parent} -> mm ${child}) = -EBUSY`);
    return -EBUSY;
  }
  k.set(L.MM_LIVE, child, 1);
  const V = k.cfg.vaddrs;
  for (let v = 0; v < V; v++) {
    const ps = parent * V + v;
    const cs = child * V + v;
    for (const f of VMA_FIELDS) k.set(L[f], cs, k.get(L[f], ps));
    if (k.has(L.VMA_FLAGS, ps, VMA_SHARED)) continue; // vma_needs_copy: false
    copyPte(k, ps, cs);
  }
  if (k.log) k.trace(`fork(mm ${parent} -> mm ${child}) = 0`);
  return 0;
}

/** copy_present_pte / copy_nonpresent_pte for one slot. */
function copyPte(k: Kernel, ps: number, cs: number): void {
  // mm/memory.c: copy_pte_range
  const L = k.L;
  const kind = k.get(L.PTE_KIND, ps);
  const flags = k.get(L.PTE_FLAGS, ps);
  const val = k.get(L.PTE_VAL, ps);
  if (kind === PTE_PRESENT) {
    const pfn = pageFolio(k, val);
    // is_cow_mapping: wrprotect both (ptep_set_wrprotect on the parent); the
    // page is shared now, no longer PageAnonExclusive (page_try_dup_anon_rmap).
    const f = flags & ~(PTE_WRITE | PTE_EXCL);
    k.set(L.PTE_FLAGS, ps, f);
    folioGet(k, pfn);
    k.add(L.PG_MAPCOUNT, pfn, 1);
    k.set(L.PTE_KIND, cs, PTE_PRESENT);
    k.set(L.PTE_FLAGS, cs, f);
    k.set(L.PTE_VAL, cs, val);
  } else if (kind === PTE_SWAP) {
    swapDuplicate(k, val);
    // copy_nonpresent_pte: mark the swap entry as shared (pte_swp_clear_exclusive on the parent)
    k.set(L.PTE_FLAGS, ps, flags & ~PTE_EXCL);
    k.set(L.PTE_FLAGS, cs, flags & ~PTE_EXCL);
    k.set(L.PTE_KIND, cs, PTE_SWAP);
    k.set(L.PTE_VAL, cs, val);
  } else if (kind === PTE_MIGRATION) {
    // A writable migration entry becomes a read entry in both (copy_nonpresent_pte).
    const f = flags & ~(PTE_MIG_WRITE | PTE_EXCL);
    k.set(L.PTE_FLAGS, ps, f);
    k.set(L.PTE_KIND, cs, PTE_MIGRATION);
    k.set(L.PTE_FLAGS, cs, f);
    k.set(L.PTE_VAL, cs, val);
  }
}
