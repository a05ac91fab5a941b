// mm/migrate.c. STUB CONTRACT (folio/CRAM helper): signatures final.
import type { Kernel } from './kernel.ts';

/** new_folio_t: allocate a destination for src; NULL_PFN if none. */
export type NewFolioFn = (k: Kernel, src: number) => number;
/** free_folio_t: give back an unused destination. */
export type PutNewFolioFn = (k: Kernel, tid: number, dst: number) => void;

/**
 * migrate_pages(list, get_new, put_new, private, mode, reason): migrate every
 * isolated folio on `list` (pfns); moved ones are removed from the list.
 * Returns 0, the number not migrated, or -errno, and nrSucceeded.
 */
export function migratePages(k: Kernel, tid: number, list: number[], getNew: NewFolioFn, putNew: PutNewFolioFn | null, mode: number, reason: number): { ret: number; nrSucceeded: number } {
  void k; void tid; void list; void getNew; void putNew; void mode; void reason;
  return { ret: list.length, nrSucceeded: 0 };
}
