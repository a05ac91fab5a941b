// mm/rmap.c: the reverse map. The model has no anon_vma / i_mmap trees: a
// walk visits every PTE slot of every live mm and picks those that map the
// folio (present or migration entry pointing into it). This is exactly
// rmap_walk's result set, found by brute force (the machine is tiny).

import { EV_MIGRATE_UNGATED, PG_dirty, PTE_DIRTY, PTE_EXCL, PTE_HWPOISON, PTE_MIGRATION, PTE_MIG_WRITE, PTE_NONE, PTE_PRESENT, PTE_PROTNONE, PTE_SWAP, PTE_WRITE } from './layout.ts';
import { NP_OPS_MIGRATION } from './defs.ts';
import type { Kernel } from './kernel.ts';
import { folioIsPrivateNode, folioManagedAllowsMigrate, folioManagedWrprotect, nodePrivateHasFlag } from './node_private.ts';
import { folioGet, folioNid, folioNrPages, folioPut, folioTestAnon, folioTestSwapcache, pageFolio } from './folio.ts';
import { swapDuplicate } from './swap.ts';
import { EV2_MAP_FREE, event2, pageInBuddy } from './ghost.ts';
import { ran } from './ran.ts';
import { folioMaybeDmaPinned } from './folio_pin.ts';

/** Does PTE slot s (present or migration entry) point into folio [pfn, pfn+nr)? */
function slotMapsFolio(k: Kernel, s: number, pfn: number, nr: number, kind: number): boolean {
  if (k.get(k.L.PTE_KIND, s) !== kind) return false;
  const v = k.get(k.L.PTE_VAL, s);
  return v >= pfn && v < pfn + nr;
}

/** Slots of live mms whose PTE of the given kind maps the folio, lowest first. */
export function rmapSlots(k: Kernel, pfn: number, kind: number = PTE_PRESENT): number[] {
  const out: number[] = [];
  const nr = folioNrPages(k, pfn);
  const V = k.cfg.vaddrs;
  for (let mm = 0; mm < k.cfg.mms; mm++) {
    if (!k.get(k.L.MM_LIVE, mm)) continue;
    for (let v = 0; v < V; v++) {
      const s = mm * V + v;
      if (slotMapsFolio(k, s, pfn, nr, kind)) out.push(s);
    }
  }
  return out;
}

/** folio_mapped(f) */
export function folioMapped(k: Kernel, pfn: number): boolean {
  return k.get(k.L.PG_MAPCOUNT, pfn) > 0;
}

/** Map folio pfn at PTE slot s (folio_add_*_rmap + set_pte_at): mapcount+1; the caller supplies the reference. */
export function setPtePresent(k: Kernel, s: number, pfn: number, flags: number): void {
  if (pageInBuddy(k, pfn)) event2(k, EV2_MAP_FREE);
  k.set(k.L.PTE_KIND, s, PTE_PRESENT);
  k.set(k.L.PTE_FLAGS, s, flags);
  k.set(k.L.PTE_VAL, s, pfn);
  // The PTE maps page pfn; the mapcount is the folio's (kept at its head: folio_mapcount).
  k.add(k.L.PG_MAPCOUNT, pageFolio(k, pfn), 1);
}

/** Clear PTE slot s to none (all fields 0). */
export function ptClear(k: Kernel, s: number): void {
  k.set(k.L.PTE_KIND, s, PTE_NONE);
  k.set(k.L.PTE_FLAGS, s, 0);
  k.set(k.L.PTE_VAL, s, 0);
}

/**
 * zap_present_pte: drop one present mapping: the dirty bit goes to the folio,
 * mapcount-1, the mapping's reference is put (may free the folio).
 */
export function zapPresentPte(k: Kernel, tid: number, s: number): void {
  ran(k, 'zap_present_ptes');
  // mm/memory.c: zap_present_ptes
  const pfn = pageFolio(k, k.get(k.L.PTE_VAL, s));
  if (k.has(k.L.PTE_FLAGS, s, PTE_DIRTY)) k.setBits(k.L.PG_FLAGS, pfn, PG_dirty);
  ptClear(k, s);
  k.add(k.L.PG_MAPCOUNT, pfn, -1);
  // Mutant zap-skips-folio-put (mutants/folio_refs.ts): the mapping's reference is never dropped.
  if (k.cfg.mutant !== 'zap-skips-folio-put') folioPut(k, tid, pfn);
}

/**
 * try_to_migrate(folio, flags): replace every present PTE with a migration
 * entry (writable entries keep PTE_MIG_WRITE), dropping mapcount and the
 * mapping's reference. v4: returns WITHOUT unmapping when
 * !folio_managed_allows_migrate (SEMANTICS 4.3); the caller then sees the
 * folio still mapped and fails the migration.
 */
export function tryToMigrate(k: Kernel, pfn: number): void {
  ran(k, 'try_to_migrate');
  // mm/rmap.c: try_to_migrate
  const gated = k.cfg.mutant !== 'try-to-migrate-ignores-gate';
  if (gated && !folioManagedAllowsMigrate(k, pfn)) {
    if (k.log) k.trace(`try_to_migrate(pfn ${pfn}): !folio_managed_allows_migrate, not unmapped`);
    return;
  }
  const slots = rmapSlots(k, pfn, PTE_PRESENT);
  // try_to_migrate_one: folio_try_share_anon_rmap_pte fails on a PageAnonExclusive
  // page that folio_maybe_dma_pinned: the PTE is restored and the walk stops, so
  // the caller finds the folio still mapped (a pinned exclusive page is never
  // turned into a migration entry, which fork would make non-exclusive).
  if (folioTestAnon(k, pfn) && folioMaybeDmaPinned(k, pfn) && slots.some((s) => k.has(k.L.PTE_FLAGS, s, PTE_EXCL))) {
    if (k.log) k.trace(`try_to_migrate(pfn ${pfn}): exclusive anon page may be pinned, not unmapped`);
    return;
  }
  if (slots.length > 0 && folioIsPrivateNode(k, pfn) && !nodePrivateHasFlag(k, folioNid(k, pfn), NP_OPS_MIGRATION)) {
    k.event(EV_MIGRATE_UNGATED);
  }
  for (const s of slots) {
    const f = k.get(k.L.PTE_FLAGS, s);
    if (f & PTE_DIRTY) k.setBits(k.L.PG_FLAGS, pfn, PG_dirty);
    k.set(k.L.PTE_KIND, s, PTE_MIGRATION);
    // make_writable_migration_entry iff the PTE was writable (else readable_exclusive
    // for an exclusive page); the dirty bit rides along.
    k.set(k.L.PTE_FLAGS, s, (f & PTE_WRITE ? PTE_MIG_WRITE : 0) | (f & (PTE_DIRTY | PTE_EXCL)));
    k.add(k.L.PG_MAPCOUNT, pfn, -1);
    k.add(k.L.PG_REF, pfn, -1); // page_vma_mapped: folio_put of the mapping's ref; never the last (isolation ref)
  }
  if (k.log) k.trace(`try_to_migrate(pfn ${pfn}): ${slots.length} migration entr${slots.length === 1 ? 'y' : 'ies'}`);
}

/**
 * remove_migration_ptes(src, dst): every migration entry for src becomes a
 * present PTE for dst, writable iff the entry was writable; then v4's
 * folio_managed_fixup_migration_pte write-protects it when dst's node has
 * PROTECT_WRITE. Each restored PTE takes a reference and a mapcount on dst.
 */
export function removeMigrationPtes(k: Kernel, src: number, dst: number): void {
  ran(k, 'remove_migration_ptes');
  // mm/migrate.c: remove_migration_pte
  const slots = rmapSlots(k, src, PTE_MIGRATION);
  for (const s of slots) {
    const f = k.get(k.L.PTE_FLAGS, s);
    let flags = (f & PTE_MIG_WRITE ? PTE_WRITE : 0) | (f & (PTE_DIRTY | PTE_EXCL));
    // mm/internal.h: folio_managed_fixup_migration_pte
    // The entry names the page; the new PTE maps the same page of dst (remove_migration_pte: folio_page(dst, idx)).
    const page = dst + (k.get(k.L.PTE_VAL, s) - src);
    // Mutant fixup-wrprotect-head-only (mutants/thp.ts): only the head page's PTE is write-protected.
    const skipTail = k.cfg.mutant === 'fixup-wrprotect-head-only' && page !== dst;
    if (k.cfg.mutant !== 'fixup-migration-pte-keeps-write' && !skipTail && folioManagedWrprotect(k, dst)) flags &= ~PTE_WRITE;
    folioGet(k, dst);
    setPtePresent(k, s, page, flags);
  }
  if (k.log && slots.length) k.trace(`remove_migration_ptes(pfn ${src} -> pfn ${dst}): ${slots.length} restored`);
}

/**
 * try_to_unmap(folio) for reclaim: anon PTEs become swap entries to the
 * folio's swap-cache slot (swap_duplicate), file PTEs are cleared. Returns
 * false if an anon folio is not in the swap cache (cannot be unmapped).
 */
export function tryToUnmap(k: Kernel, pfn: number): boolean {
  ran(k, 'try_to_unmap');
  // mm/rmap.c: try_to_unmap_one
  const anon = folioTestAnon(k, pfn);
  if (anon && !folioTestSwapcache(k, pfn)) return false;
  const slot = k.get(k.L.PG_SWAP, pfn) - 1;
  const slots = rmapSlots(k, pfn, PTE_PRESENT);
  // folio_try_share_anon_rmap_pte fails on a PageAnonExclusive page that may be
  // pinned (folio_maybe_dma_pinned): the walk restores the PTE and aborts, so a
  // pinned exclusive anon page stays mapped (the pin's user keeps seeing it).
  if (anon && folioMaybeDmaPinned(k, pfn) && slots.some((s) => k.has(k.L.PTE_FLAGS, s, PTE_EXCL))) {
    if (k.log) k.trace(`try_to_unmap(pfn ${pfn}): exclusive anon page may be pinned, not unmapped`);
    return false;
  }
  for (const s of slots) {
    if (k.has(k.L.PTE_FLAGS, s, PTE_DIRTY)) k.setBits(k.L.PG_FLAGS, pfn, PG_dirty);
    if (anon) {
      k.set(k.L.PTE_KIND, s, PTE_SWAP);
      // pte_swp_mkexclusive iff the page was PageAnonExclusive
      k.set(k.L.PTE_FLAGS, s, k.get(k.L.PTE_FLAGS, s) & PTE_EXCL);
      k.set(k.L.PTE_VAL, s, slot);
      swapDuplicate(k, slot);
    } else {
      ptClear(k, s);
    }
    k.add(k.L.PG_MAPCOUNT, pfn, -1);
    k.add(k.L.PG_REF, pfn, -1); // the caller holds the isolation ref
  }
  if (k.log) k.trace(`try_to_unmap(pfn ${pfn}): ${slots.length} unmapped${anon ? ` to swap slot ${slot}` : ''}`);
  return true;
}

/**
 * try_to_unmap(folio, TTU_IGNORE_MLOCK | TTU_SYNC | TTU_HWPOISON) of an
 * order-0 folio whose page is PageHWPoison: every PTE that maps it becomes a
 * hwpoison entry (make_hwpoison_entry), whatever pins the page has (the
 * hwpoison branch of try_to_unmap_one comes before the anon-exclusive one);
 * the PTE's dirty bit goes to the folio first. Each PTE's mapping reference
 * and mapcount go (the caller holds its own reference).
 */
// mm/rmap.c: try_to_unmap_one (PageHWPoison(subpage) && TTU_HWPOISON)
export function tryToUnmapHwpoison(k: Kernel, pfn: number): void {
  ran(k, 'try_to_unmap');
  const slots = rmapSlots(k, pfn, PTE_PRESENT);
  for (const s of slots) {
    if (k.has(k.L.PTE_FLAGS, s, PTE_DIRTY)) k.setBits(k.L.PG_FLAGS, pfn, PG_dirty);
    k.set(k.L.PTE_KIND, s, PTE_HWPOISON);
    k.set(k.L.PTE_FLAGS, s, 0);
    k.set(k.L.PTE_VAL, s, pfn);
    k.add(k.L.PG_MAPCOUNT, pfn, -1);
    k.add(k.L.PG_REF, pfn, -1);
  }
  if (k.log) k.trace(`try_to_unmap(pfn ${pfn}, TTU_HWPOISON): ${slots.length} hwpoison entr${slots.length === 1 ? 'y' : 'ies'}`);
}

/** PTE protnone test used by the fault path. */
export function pteProtnone(k: Kernel, s: number): boolean {
  return k.has(k.L.PTE_FLAGS, s, PTE_PROTNONE);
}
