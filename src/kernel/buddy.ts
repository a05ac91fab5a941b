// mm/page_alloc.c: the buddy allocator proper (free lists per zone and order,
// split on allocation, merge on free) over the pfns of one zone.
//
// Free lists are not lists here: a free block is marked at its head page by
// PG_BUDDY = order + 1, and ZONE_AREA_NR_FREE counts them per order. The kernel
// takes the head of a free list, whose position depends on history; the model
// takes the LOWEST-pfn free block instead (a modelling choice: it keeps equal
// kernels byte-equal and makes the choice deterministic, and no invariant
// depends on which free block is handed out).
//
// Pageblock isolation (MIGRATE_ISOLATE, used by offline_pages) is PG_isolated_pb
// on every page of the block: free blocks there stay in the buddy but cannot be
// allocated and are not counted in ZONE_FREE (NR_FREE_PAGES), as in the kernel.

import type { Geometry } from './geometry.ts';
import { EV2_DOUBLE_FREE, EV2_HWPOISON_ALLOC, event2, pageInBuddy } from './ghost.ts';
import type { Kernel } from './kernel.ts';
import { PG_head, PG_hwpoison, PG_hwpoison_ref, PG_isolated_pb, PG_lru, PG_reserved, PG_tail } from './layout.ts';
import { ran } from './ran.ts';

interface ZoneSpan {
  readonly start: Int32Array;
  readonly end: Int32Array;
}

// Static (config-derived) zone spans; keyed on the immutable geometry, never on state.
const spans = new WeakMap<Geometry, ZoneSpan>();

/** [start, end) pfns of every zone (zones are contiguous runs of blocks). */
export function zoneSpan(g: Geometry): ZoneSpan {
  let s = spans.get(g);
  if (s) return s;
  const start = new Int32Array(g.zones).fill(0);
  const end = new Int32Array(g.zones).fill(0);
  const seen = new Uint8Array(g.zones);
  for (const b of g.blocks) {
    if (!seen[b.zone]) {
      seen[b.zone] = 1;
      start[b.zone] = b.firstPfn;
    }
    end[b.zone] = b.firstPfn + b.pages;
  }
  s = { start, end };
  spans.set(g, s);
  return s;
}

function areaIdx(k: Kernel, zone: number, order: number): number {
  return zone * k.g.orders + order;
}

function isIsolated(k: Kernel, pfn: number): boolean {
  return k.has(k.L.PG_FLAGS, pfn, PG_isolated_pb);
}

/** Take a free block of exactly `order` at pfn off its free list. */
function delFromFreeArea(k: Kernel, zone: number, pfn: number, order: number): void {
  k.set(k.L.PG_BUDDY, pfn, 0);
  k.add(k.L.ZONE_AREA_NR_FREE, areaIdx(k, zone, order), -1);
  if (!isIsolated(k, pfn)) k.add(k.L.ZONE_FREE, zone, -(1 << order));
}

function addToFreeArea(k: Kernel, zone: number, pfn: number, order: number): void {
  k.set(k.L.PG_BUDDY, pfn, order + 1);
  k.add(k.L.ZONE_AREA_NR_FREE, areaIdx(k, zone, order), 1);
  if (!isIsolated(k, pfn)) k.add(k.L.ZONE_FREE, zone, 1 << order);
}

/**
 * __rmqueue_smallest(zone, order): the lowest-pfn free, non-isolated block of
 * the smallest sufficient order, split down to `order` (expand() gives back the
 * upper halves). Returns the pfn or -1. Does not prep the page.
 */
// mm/page_alloc.c: __rmqueue_smallest / expand
export function rmqueueSmallest(k: Kernel, zone: number, order: number): number {
  const sp = zoneSpan(k.g);
  const start = sp.start[zone]!;
  const end = sp.end[zone]!;
  for (let o = order; o <= k.cfg.maxOrder; o++) {
    if (k.get(k.L.ZONE_AREA_NR_FREE, areaIdx(k, zone, o)) === 0) continue;
    // Block heads of order o are aligned to 1 << o (zones start on block boundaries).
    for (let pfn = start; pfn < end; pfn += 1 << o) {
      if (k.get(k.L.PG_BUDDY, pfn) !== o + 1 || isIsolated(k, pfn)) continue;
      delFromFreeArea(k, zone, pfn, o);
      // expand(): keep the lower half, free the upper half, until the order fits.
      let cur = o;
      while (cur > order) {
        cur--;
        addToFreeArea(k, zone, pfn + (1 << cur), cur);
      }
      return pfn;
    }
  }
  return -1;
}

/** prep_new_page: a fresh folio of `order` at pfn with one reference. */
// mm/page_alloc.c: prep_new_page
export function prepNewPage(k: Kernel, pfn: number, order: number): void {
  const L = k.L;
  const nr = 1 << order;
  for (let i = 0; i < nr; i++) {
    // Ghost for INV-HWPOISON: a poisoned page handed out again (check_new_page: bad page).
    if (k.has(L.PG_FLAGS, pfn + i, PG_hwpoison)) event2(k, EV2_HWPOISON_ALLOC);
    const keep = k.get(L.PG_FLAGS, pfn + i) & PG_isolated_pb;
    k.set(L.PG_FLAGS, pfn + i, keep | (i === 0 ? PG_head : PG_tail));
  }
  k.set(L.PG_ORDER, pfn, order);
  k.set(L.PG_REF, pfn, 1);
  // Mutant compound-tail-refcounted (mutants/thp.ts): set_page_refcounted on every page, as for split_page().
  if (k.cfg.mutant === 'compound-tail-refcounted') for (let i = 1; i < nr; i++) k.set(L.PG_REF, pfn + i, 1);
}

/** Reset every folio field of pages [pfn, pfn + nr) (canonical state of a free page). */
export function clearFolioFields(k: Kernel, pfn: number, nr: number): void {
  const L = k.L;
  for (let p = pfn; p < pfn + nr; p++) {
    // The pageblock migratetype (isolation) belongs to the block, not the folio.
    k.set(L.PG_FLAGS, p, k.get(L.PG_FLAGS, p) & PG_isolated_pb);
    k.set(L.PG_ORDER, p, 0);
    k.set(L.PG_REF, p, 0);
    k.set(L.PG_MAPCOUNT, p, 0);
    k.set(L.PG_MAPPING, p, 0);
    k.set(L.PG_SWAP, p, 0);
    k.set(L.GH_ALLOC, p, 0);
  }
}

/**
 * __free_one_page(page, pfn, zone, order): clear the folio and merge with its
 * buddy (pfn ^ (1 << order)) while that is a free head of the same order in the
 * same zone, up to cfg.maxOrder. Page contents are left alone (scrubbing is the
 * caller's business: INV-SCRUB judges it).
 */
// mm/page_alloc.c: __free_one_page
export function freeOnePage(k: Kernel, pfn: number, order: number): void {
  ran(k, '__free_one_page');
  const zone = k.g.pfnZone[pfn]!;
  const sp = zoneSpan(k.g);
  // __free_one_page: VM_BUG_ON_PAGE(PageBuddy) -- freeing a page already in the buddy.
  if (pageInBuddy(k, pfn)) event2(k, EV2_DOUBLE_FREE);
  clearFolioFields(k, pfn, 1 << order);
  let head = pfn;
  let o = order;
  while (o < k.cfg.maxOrder) {
    const buddy = head ^ (1 << o);
    if (buddy < sp.start[zone]! || buddy >= sp.end[zone]!) break;
    if (k.get(k.L.PG_BUDDY, buddy) !== o + 1) break;
    // Both halves lie in one memory block (blocks hold >= 2^maxOrder pages), so
    // they share online state and isolation.
    delFromFreeArea(k, zone, buddy, o);
    head = Math.min(head, buddy);
    o++;
  }
  addToFreeArea(k, zone, head, o);
}

/** Give the pages of an onlined memory block to the buddy (generic_online_page, max-order chunks). */
// mm/memory_hotplug.c: online_pages_range -> generic_online_page
export function buddyOnlineBlock(k: Kernel, block: number): void {
  const b = k.g.blocks[block]!;
  const chunk = 1 << k.cfg.maxOrder;
  for (let p = b.firstPfn; p < b.firstPfn + b.pages; p++) k.clearBits(k.L.PG_FLAGS, p, PG_reserved);
  for (let p = b.firstPfn; p < b.firstPfn + b.pages; p += chunk) freeOnePage(k, p, k.cfg.maxOrder);
}

/** Mark a block's pageblocks MIGRATE_ISOLATE: its free pages leave NR_FREE_PAGES. */
// mm/page_isolation.c: start_isolate_page_range
export function isolateBlock(k: Kernel, block: number): void {
  ran(k, 'start_isolate_page_range');
  const b = k.g.blocks[block]!;
  for (let p = b.firstPfn; p < b.firstPfn + b.pages; p++) {
    const o = k.get(k.L.PG_BUDDY, p);
    if (o !== 0 && !isIsolated(k, p)) k.add(k.L.ZONE_FREE, b.zone, -(1 << (o - 1)));
  }
  for (let p = b.firstPfn; p < b.firstPfn + b.pages; p++) k.setBits(k.L.PG_FLAGS, p, PG_isolated_pb);
}

/** Undo isolateBlock (offline failed): free pages count again. */
// mm/page_isolation.c: undo_isolate_page_range
export function unisolateBlock(k: Kernel, block: number): void {
  const b = k.g.blocks[block]!;
  for (let p = b.firstPfn; p < b.firstPfn + b.pages; p++) k.clearBits(k.L.PG_FLAGS, p, PG_isolated_pb);
  for (let p = b.firstPfn; p < b.firstPfn + b.pages; p++) {
    const o = k.get(k.L.PG_BUDDY, p);
    if (o !== 0) k.add(k.L.ZONE_FREE, b.zone, 1 << (o - 1));
  }
}

/**
 * True if every page of the block is free in the buddy or a hwpoisoned page
 * (test_pages_isolated, MEMORY_OFFLINE: "A HWPoisoned page cannot be also
 * PageBuddy"); a poisoned page still mapped or on an LRU is not counted (the
 * kernel's do_migrate_range unmaps and skips such a page: not modelled). An
 * in-use page memory_failure recovered (off the LRU, unmapped, its one
 * reference) counts.
 */
// mm/page_isolation.c: test_pages_isolated
export function blockAllFree(k: Kernel, block: number): boolean {
  const b = k.g.blocks[block]!;
  let p = b.firstPfn;
  while (p < b.firstPfn + b.pages) {
    const o = k.get(k.L.PG_BUDDY, p);
    if (o === 0) {
      if (!hwpoisonIdle(k, p)) return false;
      p++;
      continue;
    }
    p += 1 << (o - 1);
  }
  return true;
}

/** A hwpoisoned page nobody uses: taken off the buddy (one reference) or kept out of it at its free. */
function hwpoisonIdle(k: Kernel, p: number): boolean {
  return k.has(k.L.PG_FLAGS, p, PG_hwpoison) && !k.has(k.L.PG_FLAGS, p, PG_lru | PG_tail) && (!k.has(k.L.PG_FLAGS, p, PG_head) || k.has(k.L.PG_FLAGS, p, PG_hwpoison_ref)) && k.get(k.L.PG_REF, p) <= 1 && k.get(k.L.PG_MAPCOUNT, p) === 0;
}

/**
 * take_page_off_buddy(page): remove the free page from the buddy, splitting
 * the free block that holds it (break_down_buddy_pages gives back the halves
 * that do not hold it). False if the page is not free in the buddy.
 */
// mm/page_alloc.c: take_page_off_buddy
export function takePageOffBuddy(k: Kernel, pfn: number): boolean {
  const zone = k.g.pfnZone[pfn]!;
  for (let o = 0; o <= k.cfg.maxOrder; o++) {
    const head = pfn & ~((1 << o) - 1);
    if (k.get(k.L.PG_BUDDY, head) !== o + 1) continue;
    delFromFreeArea(k, zone, head, o);
    let lo = head;
    let cur = o;
    while (cur > 0) {
      cur--;
      const half = lo + (1 << cur);
      if (pfn >= half) {
        addToFreeArea(k, zone, lo, cur);
        lo = half;
      } else addToFreeArea(k, zone, half, cur);
    }
    return true;
  }
  return false;
}

/** __offline_isolated_pages: take an isolated, all-free block out of the buddy; pages become reserved. */
// mm/page_alloc.c: __offline_isolated_pages
export function buddyOfflineBlock(k: Kernel, block: number): void {
  ran(k, '__offline_isolated_pages');
  const b = k.g.blocks[block]!;
  for (let p = b.firstPfn; p < b.firstPfn + b.pages; p++) {
    const o = k.get(k.L.PG_BUDDY, p);
    if (o !== 0) {
      k.set(k.L.PG_BUDDY, p, 0);
      k.add(k.L.ZONE_AREA_NR_FREE, areaIdx(k, b.zone, o - 1), -1);
    }
    // A hwpoisoned page taken off the buddy keeps memory_failure's reference until the block goes.
    if (k.has(k.L.PG_FLAGS, p, PG_hwpoison)) k.set(k.L.PG_REF, p, 0);
    k.set(k.L.PG_FLAGS, p, PG_reserved);
  }
}

/** Pages of zone `zone` that are free in the buddy, counted from the free heads (tests, invariants). */
export function countFreePages(k: Kernel, zone: number): number {
  const sp = zoneSpan(k.g);
  let n = 0;
  for (let p = sp.start[zone]!; p < sp.end[zone]!; p++) {
    const o = k.get(k.L.PG_BUDDY, p);
    if (o !== 0) n += 1 << (o - 1);
  }
  return n;
}
