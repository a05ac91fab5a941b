// Scrub and deferred-flush invariants of the compression driver (SEMANTICS
// §7.3, §8.2 R6, §9 items 11, 12).

import type { Property } from '../src/explore/system.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { EV_DOUBLE_BUFFERED } from '../src/kernel/layout.ts';
import { compRegionOfPfn, compressedPfn } from '../src/cxl/regions.ts';
import { regionOfOwner } from '../src/cxl/regions.ts';
import { CN_PUBLISHED } from '../src/cram/cram.ts';
import { eventSet, isPrivateKind, nodeLabel, prop, type StateView } from './common.ts';

/** How many flush buffers hold pfn (each entry is pfn + 1, first BUF_LEN entries live). */
export function bufferCount(k: Kernel, pfn: number): number {
  const bm = k.cfg.driver.bufMax;
  let c = 0;
  for (let b = 0; b < k.g.flushBufs; b++) {
    const len = k.get(k.L.BUF_LEN, b);
    for (let i = 0; i < len; i++) if (k.get(k.L.BUF_ENT, b * bm + i) === pfn + 1) c++;
  }
  return c;
}

/**
 * Can a stale flush_record bit still be read? cxl_compression_flush_cb reads
 * it only from cram_free_folio_cb, i.e. while CRAM is registered on P with a
 * flush_cb: a page whose bit was left set can then be allocated again
 * (alloc_cram_folio) and its next free would be taken for "the free after our
 * own flush" and skip the scrub. Once cram_unregister has cleared the ops, the
 * hook no longer runs (a thread still inside it is freeing its own folio, not
 * one whose bit went stale) and post_teardown frees the bitmap (SEMANTICS 7.5).
 */
function flushRecordReadable(k: Kernel, nid: number, pfn: number): boolean {
  if (k.get(k.L.CN_FLUSH_CB, nid) === 0 || k.get(k.L.CN_STATE, nid) !== CN_PUBLISHED) return false;
  // With two compression regions (`cram2`) the registered flush_cb reads its own region's bitmap.
  return k.g.compRegions === 1 || regionOfOwner(k.get(k.L.CN_OWNER, nid) - 1) === compRegionOfPfn(k, pfn);
}

/** A flush buffer is being sent (its folios are put one by one): a kthread or an overflow work is mid-op. */
function sendInFlight(k: Kernel): boolean {
  for (let r = 0; r < k.g.compRegions; r++) {
    if (k.get(k.L.THR_OP, k.g.flushThreadOf(r)) !== 0) return true;
    for (let c = 0; c < k.cfg.cpus.length; c++) if (k.get(k.L.THR_OP, k.g.overflowThreadOf(r, c)) !== 0) return true;
  }
  return false;
}

export function flushProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-SCRUB', 'mm/cram.c: cram_free_folio_cb, cram_zero_folio; drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_flush_buf_send', (k) => {
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        const ord1 = k.get(k.L.PG_BUDDY, pfn);
        if (ord1 === 0 || !isPrivateKind(k, k.g.pfnNode[pfn]!) || !compressedPfn(k, pfn)) continue;
        const nr = 1 << (ord1 - 1);
        for (let i = 0; i < nr; i++) {
          const c = k.get(k.L.PG_CONTENT, pfn + i);
          if (c !== 0) return `pfn ${pfn + i} on ${nodeLabel(k, k.g.pfnNode[pfn]!)} is free in the buddy (block ${pfn} order ${ord1 - 1}) with contents ${c}`;
        }
      }
      return null;
    }),
    // "Being freed a second time" is the window inside a send, after the
    // folio left its buffer and before its second free clears the bit.
    // A bit left set is judged only while flush_cb can still read it: a send
    // after cram_unregister cleared the ops frees the folio without the
    // free_folio hook, so the bit stays set, but nothing reads the bitmap
    // again before post_teardown frees it (MBT on large reached this window;
    // judging it would flag a state no reader can observe).
    prop(v, 'INV-FLUSH-BIT', 'drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_flush_cb (test_and_clear / set bit + append), cxl_flush_buf_send', (k) => {
      if (eventSet(k, EV_DOUBLE_BUFFERED)) return 'a folio was appended to a flush buffer twice (EV_DOUBLE_BUFFERED)';
      const inFlight = sendInFlight(k);
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        const n = k.g.pfnNode[pfn]!;
        if (!isPrivateKind(k, n)) continue;
        const bit = k.get(k.L.PG_FLUSH_BIT, pfn);
        const cnt = bufferCount(k, pfn);
        if (cnt > 1) return `pfn ${pfn} on ${nodeLabel(k, n)} is in ${cnt} flush buffers`;
        if (cnt === 1 && bit === 0) return `pfn ${pfn} on ${nodeLabel(k, n)} is in a flush buffer but its flush_record bit is clear`;
        if (cnt === 0 && bit !== 0 && !inFlight && flushRecordReadable(k, n, pfn)) return `pfn ${pfn} on ${nodeLabel(k, n)} has its flush_record bit set but is in no flush buffer and no send is in flight`;
      }
      return null;
    }),
  ];
}
