// Page contents. Every write to a page's bytes goes through setPageContent, so
// the compressed device sees each change to its media (it is real memory: the
// device compresses whatever lands on it, whoever writes it).

import { deviceContentChanged } from '../cxl/device.ts';
import { compressedPfn } from '../cxl/regions.ts';
import { EV2_FREE_ACCESS, event2, pageInBuddy } from './ghost.ts';
import type { Kernel } from './kernel.ts';

export function pageContent(k: Kernel, pfn: number): number {
  // KASAN: a free page is poisoned; reading it is a use-after-free.
  if (pageInBuddy(k, pfn)) event2(k, EV2_FREE_ACCESS);
  return k.get(k.L.PG_CONTENT, pfn);
}

/** Store v into page pfn (a CPU store, a DMA copy, a device zeroing). */
export function setPageContent(k: Kernel, pfn: number, v: number): void {
  if (pageInBuddy(k, pfn)) event2(k, EV2_FREE_ACCESS);
  const old = k.get(k.L.PG_CONTENT, pfn);
  if (old === v) return;
  k.set(k.L.PG_CONTENT, pfn, v);
  // Only the compression region is the device's memory (a second region on the node is another device's).
  if (k.g.pfnNode[pfn] === k.g.privateNode && compressedPfn(k, pfn)) deviceContentChanged(k, old, v);
}

/** copy_highpage / folio_copy for an order-0..n folio. */
export function copyFolioContent(k: Kernel, dst: number, src: number, nr: number): void {
  for (let i = 0; i < nr; i++) setPageContent(k, dst + i, pageContent(k, src + i));
}

/** clear_highpage on every page of the folio. */
export function zeroFolio(k: Kernel, pfn: number, nr: number): void {
  for (let i = 0; i < nr; i++) setPageContent(k, pfn + i, 0);
}

/**
 * Ghost (INV-WRITE-PATH): the page's current contents came through a path the
 * cover letter allows on a private node: a migration copy into a folio
 * allocated while not blocked, or a scrub. Call it right after such a write.
 */
export function ghostLegitWrite(k: Kernel, pfn: number): void {
  k.set(k.L.GH_EXPECT, pfn, k.get(k.L.PG_CONTENT, pfn) + 1);
}
