// The page cache and file I/O (mm/filemap.c). PCACHE[file * filePages + pgoff]
// holds the cached folio (pfn + 1); FILE_DATA holds what is on the backing
// storage. The page cache holds one reference on each cached folio.
//
// filemap_alloc_folio ignores the VMA's mempolicy (SEMANTICS 2.5, A4) but not
// the task's: folio_alloc -> alloc_pages reads current->mempolicy (interleave
// by il_prev). It never adds __GFP_PRIVATE, so the folio never lands on a
// private node. A cached folio can get onto one later only by demotion (A3),
// and then write(2) and shared write faults write it in place.

import { GFP_HIGHUSER_MOVABLE } from './defs.ts';
import { PG_dirty } from './layout.ts';
import type { Kernel } from './kernel.ts';
import { folioPut, lruAdd } from './folio.ts';
import { allocPagesNoVma } from './mempolicy.ts';
import { NULL_PFN } from './page_alloc.ts';
import { pageContent, setPageContent } from './page.ts';
import { ran } from './ran.ts';

export function fileIndex(k: Kernel, file: number, pgoff: number): number {
  return file * k.cfg.filePages + pgoff;
}

/** filemap_get_folio(mapping, index) without taking a reference: pfn or NULL_PFN. */
export function filemapLookup(k: Kernel, file: number, pgoff: number): number {
  return k.get(k.L.PCACHE, fileIndex(k, file, pgoff)) - 1;
}

/**
 * filemap_alloc_folio(gfp, order): no cpuset page spread (cgroup v2 has no
 * memory_spread_page), so folio_alloc: the current task's policy, no VMA
 * policy, no __GFP_PRIVATE; `node` is numa_node_id().
 */
export function filemapAllocFolio(k: Kernel, node: number): number {
  // mm/filemap.c: filemap_alloc_folio -> mm/mempolicy.c: folio_alloc_noprof
  return allocPagesNoVma(k, GFP_HIGHUSER_MOVABLE, 0, node);
}

/**
 * __filemap_get_folio(mapping, index, FGP_CREAT): the cached folio, or a new
 * one read from storage and inserted. Returns the pfn with a reference for the
 * caller (folio_put when done), or NULL_PFN if allocation failed.
 */
export function filemapGetFolio(k: Kernel, node: number, file: number, pgoff: number, tid = -1): number {
  ran(k, 'filemap_get_folio');
  // mm/filemap.c: __filemap_get_folio
  const idx = fileIndex(k, file, pgoff);
  const cached = k.get(k.L.PCACHE, idx) - 1;
  if (cached >= 0) {
    k.add(k.L.PG_REF, cached, 1);
    return cached;
  }
  const pfn = filemapAllocFolio(k, node);
  if (pfn === NULL_PFN) {
    if (k.log) k.trace(`filemap_alloc_folio(node ${node}) = NULL`);
    return NULL_PFN;
  }
  // filemap_add_folio: the cache takes a reference; the allocation's is the caller's.
  k.set(k.L.PCACHE, idx, pfn + 1);
  k.set(k.L.PG_MAPPING, pfn, idx + 1);
  k.add(k.L.PG_REF, pfn, 1);
  // filemap_read_folio: contents from storage.
  setPageContent(k, pfn, k.get(k.L.FILE_DATA, idx));
  lruAdd(k, pfn, tid);
  if (k.log) k.trace(`filemap_add_folio(file ${file}, pgoff ${pgoff}) = pfn ${pfn} (node ${k.g.pfnNode[pfn]})`);
  return pfn;
}

/**
 * write(2): generic_perform_write into the page-cache folio WHEREVER it is,
 * including a folio demoted to a private node (A3: no PTE, no fault, no hook).
 */
export function genericPerformWrite(k: Kernel, tid: number, node: number, file: number, pgoff: number, value: number): number {
  ran(k, 'generic_perform_write');
  // mm/filemap.c: generic_perform_write
  const pfn = filemapGetFolio(k, node, file, pgoff, tid);
  if (pfn === NULL_PFN) return -12;
  setPageContent(k, pfn, value);
  k.setBits(k.L.PG_FLAGS, pfn, PG_dirty);
  if (k.log) k.trace(`generic_perform_write(file ${file}, pgoff ${pgoff}, ${value}) -> pfn ${pfn} (node ${k.g.pfnNode[pfn]})`);
  folioPut(k, tid, pfn);
  return 1;
}

/** Writeback of a dirty file folio (writepage during reclaim): contents to storage, folio clean. */
export function filemapWriteback(k: Kernel, pfn: number): void {
  ran(k, 'filemap_writeback');
  // mm/vmscan.c: pageout -> ->writepage
  const m = k.get(k.L.PG_MAPPING, pfn);
  if (m === 0) return;
  k.set(k.L.FILE_DATA, m - 1, pageContent(k, pfn));
  k.clearBits(k.L.PG_FLAGS, pfn, PG_dirty);
  if (k.log) k.trace(`writepage(pfn ${pfn}) -> file data ${pageContent(k, pfn)}`);
}

/** __filemap_remove_folio: unlink from the cache and drop the cache's reference (caller holds another). */
export function filemapRemoveFolio(k: Kernel, pfn: number): void {
  ran(k, 'filemap_remove_folio');
  // mm/filemap.c: __filemap_remove_folio
  const m = k.get(k.L.PG_MAPPING, pfn);
  if (m === 0) return;
  k.set(k.L.PCACHE, m - 1, 0);
  k.set(k.L.PG_MAPPING, pfn, 0);
  k.add(k.L.PG_REF, pfn, -1);
}
