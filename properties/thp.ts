// Large folios (issue 12 item 9, src/kernel/thp.ts): the compound structure
// the kernel relies on whenever it goes from a page to its folio, and v4's
// folio_split notification.

import type { Property } from '../src/explore/system.ts';
import { EV2_SPLIT_CB_MISSED, event2Set } from '../src/kernel/ghost.ts';
import { PG_head, PG_tail } from '../src/kernel/layout.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { nodeLabel, prop, type StateView } from './common.ts';

/**
 * Every page of an allocated order-n folio but its head is a compound tail
 * (PG_tail, no head bit, no refcount, mapcount or order of its own), and every
 * compound tail lies inside the order range of the head at or below it. A
 * page the kernel reaches through a PTE or a pfn walk resolves to its folio by
 * compound_head(); a tail outside any folio, or a page that is head and tail
 * at once, sends page_folio() to the wrong folio.
 */
function compoundBroken(k: Kernel): string | null {
  const L = k.L;
  for (let pfn = 0; pfn < k.g.pfns; pfn++) {
    const f = k.get(L.PG_FLAGS, pfn);
    if (f & PG_head) {
      const order = k.get(L.PG_ORDER, pfn);
      for (let i = 1; i < 1 << order; i++) {
        const p = pfn + i;
        if (p >= k.g.pfns || !k.has(L.PG_FLAGS, p, PG_tail) || k.has(L.PG_FLAGS, p, PG_head)) {
          return `pfn ${pfn} on ${nodeLabel(k, k.g.pfnNode[pfn]!)} heads an order-${order} folio but pfn ${p} is not its compound tail`;
        }
        if (k.get(L.PG_REF, p) || k.get(L.PG_MAPCOUNT, p) || k.get(L.PG_ORDER, p)) {
          return `tail pfn ${p} of the order-${order} folio at pfn ${pfn} keeps a refcount, mapcount or order of its own`;
        }
      }
    }
    if (f & PG_tail) {
      let h = pfn - 1;
      while (h >= 0 && k.has(L.PG_FLAGS, h, PG_tail) && !k.has(L.PG_FLAGS, h, PG_head)) h--;
      if (h < 0 || !k.has(L.PG_FLAGS, h, PG_head) || pfn >= h + (1 << k.get(L.PG_ORDER, h)) || f & PG_head) {
        return `pfn ${pfn} on ${nodeLabel(k, k.g.pfnNode[pfn]!)} is a compound tail outside any large folio`;
      }
    }
  }
  return null;
}

export function thpProperties(v: StateView): Property[] {
  return [
    prop(
      v,
      'INV-COMPOUND',
      'include/linux/page-flags.h: compound_head / PageTail; mm/page_alloc.c: prep_compound_page; mm/huge_memory.c: __split_folio_to_order (clear_compound_head on every new folio)',
      compoundBroken,
    ),
    prop(
      v,
      'INV-SPLIT-CB',
      'cover letter: "folio_split - mirrors ZONE_DEVICE\'s called when a huge page is split up"; include/linux/node_private.h: struct node_private_ops @folio_split ("@new_folio is the newly created folio, or NULL when called for the final (original) folio"), folio_managed_split_cb; v4 patch 11/27 (mm/huge_memory.c: __folio_freeze_and_split_unmapped calls folio_managed_split_cb per new folio, then with NULL)',
      (k) => (event2Set(k, EV2_SPLIT_CB_MISSED) ? 'a private-node folio whose ops have folio_split was split without one folio_split call per new folio and one with NULL' : null),
    ),
  ];
}
