// kernel/fork.c dup_mm -> mm/memory.c copy_page_range for the model's page slots.
// Anon (and COWed private-file) present PTEs are shared copy-on-write: both
// parent and child PTEs lose the write bit, the folio gains a mapping and a
// reference. Shared file VMAs are not copied (vma_needs_copy: the child
// refaults them from the page cache). Swap PTEs duplicate their slot.
//
// A PageAnonExclusive page that may be DMA-pinned is not shared: its
// folio_try_dup_anon_rmap_pte fails (folio_needs_cow_for_dma) and
// copy_present_page gives the child a copy at once, so the parent's pinned
// page stays exclusive and a later write of the parent never moves it away
// from the pin (the COW-after-fork DMA problem). The copy is allocated by
// folio_prealloc(src_mm, src_vma) on the forking task's node and charged to
// the parent; if it cannot be allocated, fork fails with -ENOMEM and the
// half-built child mm is torn down (dup_mmap -> mmput -> exit_mmap).
// MMF_HAS_PINNED is not modelled: a pin on an exclusive anon page was taken
// through the mm that maps it, so the mm flag is set whenever the folio test is.

import { EBUSY, ENOMEM, GFP_HIGHUSER_MOVABLE } from './defs.ts';
import { NULL_PFN } from './page_alloc.ts';
import { PG_anon, PTE_DIRTY, PTE_EXCL, PTE_HWPOISON, PTE_MIGRATION, PTE_MIG_WRITE, PTE_PRESENT, PTE_SWAP, PTE_WRITE, VMA_MAYWRITE, VMA_SHARED, VMA_WRITE } from './layout.ts';
import type { Kernel } from './kernel.ts';
import { folioGet, folioNid, folioPut, folioTestAnon, lruAdd, pageFolio } from './folio.ts';
import { folioMaybeDmaPinned } from './folio_pin.ts';
import { memCgroupCharge } from './memcontrol.ts';
import { vmaAllocFolio } from './mempolicy.ts';
import { threadNode } from './memory.ts';
import { exitMmapSlotOf } from './oom_kill.ts';
import { copyFolioContent } from './page.ts';
import { setPtePresent } from './rmap.ts';
import { swapDuplicate } from './swap.ts';
import { ran } from './ran.ts';

const VMA_FIELDS = ['VMA_FLAGS', 'VMA_FILE', 'VMA_PGOFF', 'VMA_POL_MODE', 'VMA_POL_NODES', 'VMA_POL_FLAGS', 'VMA_POL_W', 'GH_LAST_WRITE'] as const;

/** fork() by thread tid: copy mm `parent` into the unused mm `child`. 0, -EBUSY if child is live, -ENOMEM. */
export function dupMm(k: Kernel, parent: number, child: number, tid = -1): number {
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
    // vma_dup_policy -> mpol_dup: the copy keeps home_node (a zero-length field where no program sets one).
    if (L.VMA_POL_HOME.len !== 0) k.set(L.VMA_POL_HOME, cs, k.get(L.VMA_POL_HOME, ps));
    if (k.has(L.VMA_FLAGS, ps, VMA_SHARED)) continue; // vma_needs_copy: false
    if (copyPte(k, tid, parent, v, ps, cs) !== 0) {
      // copy_pte_range: folio_prealloc failed -> -ENOMEM; dup_mmap fails and mmput tears the child down.
      for (let u = 0; u < v; u++) exitMmapSlotOf(k, tid, child, u);
      for (const f of VMA_FIELDS) k.set(L[f], cs, 0);
      if (L.VMA_POL_HOME.len !== 0) k.set(L.VMA_POL_HOME, cs, 0);
      k.set(L.MM_LIVE, child, 0);
      if (k.log) k.trace(`fork(mm ${parent} -> mm ${child}) = -ENOMEM (copy of a pinned page)`);
      return -ENOMEM;
    }
  }
  if (k.log) k.trace(`fork(mm ${parent} -> mm ${child}) = 0`);
  return 0;
}

/**
 * folio_try_dup_anon_rmap_pte fails: the page is PageAnonExclusive in a COW
 * mapping and folio_maybe_dma_pinned (folio_needs_cow_for_dma).
 */
// include/linux/rmap.h: __folio_try_dup_anon_rmap; include/linux/mm.h: folio_needs_cow_for_dma
function dupAnonRmapFails(k: Kernel, ps: number, pfn: number): boolean {
  if (!folioTestAnon(k, pfn) || !k.has(k.L.PTE_FLAGS, ps, PTE_EXCL)) return false;
  if (!k.has(k.L.VMA_FLAGS, ps, VMA_MAYWRITE)) return false; // is_cow_mapping (shared VMAs are not copied at all)
  // Mutant fork-shares-pinned-page (mutants/claims.ts): the pre-5.x fork, a pinned page is shared COW.
  if (k.cfg.mutant === 'fork-shares-pinned-page') return false;
  return folioMaybeDmaPinned(k, pfn);
}

/**
 * copy_present_page: the child gets its own copy of page `page` now
 * (folio_prealloc(src_mm, src_vma, addr), copy_mc_user_highpage,
 * folio_add_new_anon_rmap(RMAP_EXCLUSIVE), maybe_mkwrite(pte_mkdirty())); the
 * parent's PTE is left as it was. -ENOMEM if the copy cannot be allocated.
 */
// mm/memory.c: copy_present_page, copy_pte_range (folio_prealloc on -EAGAIN)
function copyPresentPage(k: Kernel, tid: number, parent: number, vaddr: number, cs: number, page: number): number {
  ran(k, 'copy_present_page');
  const L = k.L;
  const dst = vmaAllocFolio(k, parent, vaddr, GFP_HIGHUSER_MOVABLE, 0, tid < 0 ? undefined : threadNode(k, tid));
  if (dst === NULL_PFN || memCgroupCharge(k, tid, dst, parent) !== 0) {
    if (dst !== NULL_PFN) folioPut(k, tid, dst);
    return -ENOMEM;
  }
  copyFolioContent(k, dst, page, 1);
  k.setBits(L.PG_FLAGS, dst, PG_anon);
  lruAdd(k, dst, tid);
  const w = k.has(L.VMA_FLAGS, cs, VMA_WRITE) ? PTE_WRITE : 0;
  setPtePresent(k, cs, dst, PTE_EXCL | PTE_DIRTY | w);
  if (k.log) k.trace(`copy_present_page(v${vaddr}): pfn ${page} may be DMA-pinned -> child gets a copy, pfn ${dst} (node ${folioNid(k, dst)})`);
  return 0;
}

/** copy_present_pte / copy_nonpresent_pte for one slot: 0 or -ENOMEM. */
function copyPte(k: Kernel, tid: number, parent: number, vaddr: number, ps: number, cs: number): number {
  // mm/memory.c: copy_pte_range
  const L = k.L;
  const kind = k.get(L.PTE_KIND, ps);
  const flags = k.get(L.PTE_FLAGS, ps);
  const val = k.get(L.PTE_VAL, ps);
  if (kind === PTE_PRESENT) {
    const pfn = pageFolio(k, val);
    // copy_present_pte: "Page may be pinned, we have to copy."
    if (dupAnonRmapFails(k, ps, pfn)) return copyPresentPage(k, tid, parent, vaddr, cs, val);
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
  } else if (kind === PTE_HWPOISON) {
    // copy_nonpresent_pte: a hwpoison entry is copied as it is (set_pte_at of the same entry).
    k.set(L.PTE_KIND, cs, PTE_HWPOISON);
    k.set(L.PTE_FLAGS, cs, flags);
    k.set(L.PTE_VAL, cs, val);
  }
  return 0;
}
