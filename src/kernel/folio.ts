// Folio reference counting and LRU membership (mm/swap.c, mm/vmscan.c helpers).
// STUB CONTRACT (folio/CRAM helper): signatures final.
import type { Kernel } from './kernel.ts';

/** folio_get(f) */
export function folioGet(k: Kernel, pfn: number): void { void k; void pfn; }

/** folio_put(f): at 0, __folio_put -> folio_managed_on_free -> LRU removal -> buddy. */
export function folioPut(k: Kernel, tid: number, pfn: number): void { void k; void tid; void pfn; }

/** folio_isolate_lru(f): clears PG_lru, takes a reference; false if not on an LRU. */
export function folioIsolateLru(k: Kernel, pfn: number): boolean { void k; void pfn; return false; }

/** folio_putback_lru(f): back on the LRU, drop the isolation reference. */
export function folioPutbackLru(k: Kernel, tid: number, pfn: number): void { void k; void tid; void pfn; }
