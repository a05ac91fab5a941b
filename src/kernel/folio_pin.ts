// Who holds a FOLL_PIN on a folio: GUP pins (gup.ts, THR_PIN) and long-term
// pins (gup_longterm.ts, THR_LT_PIN). A leaf module (no kernel imports) so
// that rmap.ts, cram.ts and gup_longterm.ts can all ask.

import type { Kernel } from './kernel.ts';

/** THR_LT_PIN_STAGE: no long-term pin (gup_longterm.ts names the other stages). */
export const PIN_NONE = 0;

/** Threads holding a long-term pin (PIN_HELD) on pfn, or between pin and check (PIN_CHECK). */
export function pinsOn(k: Kernel, pfn: number): number {
  let n = 0;
  for (let t = 0; t < k.g.threads.length; t++) if (k.get(k.L.THR_LT_PIN_STAGE, t) !== PIN_NONE && k.get(k.L.THR_LT_PIN, t) === pfn + 1) n++;
  return n;
}

/** folio_maybe_dma_pinned: a GUP pin (pin_user_pages) or a FOLL_LONGTERM pin is held on the folio. */
// include/linux/mm.h: folio_maybe_dma_pinned
export function folioMaybeDmaPinned(k: Kernel, pfn: number): boolean {
  for (let t = 0; t < k.L.THR_PIN.len; t++) if (k.get(k.L.THR_PIN, t) === pfn + 1) return true;
  return pinsOn(k, pfn) > 0;
}
