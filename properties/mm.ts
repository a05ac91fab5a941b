// Page-table and data invariants on folios of private nodes (SEMANTICS §6.3,
// §6.4, §9 items 7, 8, 19, 20, and INV-DATA).

import type { Property } from '../src/explore/system.ts';
import { NP_OPS_MIGRATION, NP_OPS_PROTECT_WRITE } from '../src/kernel/defs.ts';
import { EV_DATA_LOSS, EV_MIGRATE_UNGATED, EV_NOWAIT_UNLOCK, EV_PIN_NOT_EXCL, EV_PTL_LEAK, EV_RETRY_NO_ALLOW, GA_WHILE_BLOCKED, LK_PTL, PG_anon, PG_head, PTE_EXCL, PTE_MIGRATION, PTE_PRESENT, PTE_WRITE } from '../src/kernel/layout.ts';
import { pageFolio } from '../src/kernel/folio.ts';
import { folioMaybeDmaPinned } from '../src/kernel/folio_pin.ts';
import { eventSet, isNPrivate, isPrivateKind, nodeFlags, nodeLabel, prop, threadName, type StateView } from './common.ts';
import { compressedPfn } from '../src/cxl/regions.ts';
import { nodePrivateHasFlag } from '../src/kernel/node_private.ts';

export function mmProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-RO', 'cover letter; mm/internal.h: folio_managed_fixup_migration_pte, mm/mprotect.c: change_pte_range, mm/memory.c: do_numa_page', (k) => {
      const V = k.cfg.vaddrs;
      for (let mm = 0; mm < k.cfg.mms; mm++) {
        if (k.get(k.L.MM_LIVE, mm) === 0) continue;
        for (let va = 0; va < V; va++) {
          const i = mm * V + va;
          if (k.get(k.L.PTE_KIND, i) !== PTE_PRESENT || !k.has(k.L.PTE_FLAGS, i, PTE_WRITE)) continue;
          const pfn = k.get(k.L.PTE_VAL, i);
          const n = k.g.pfnNode[pfn]!;
          if (isNPrivate(k, n) && nodeFlags(k, n) & NP_OPS_PROTECT_WRITE) {
            return `mm${mm} v${va}: writable present PTE maps pfn ${pfn} on ${nodeLabel(k, n)} whose ops have PROTECT_WRITE`;
          }
        }
      }
      return null;
    }),
    // GH_EXPECT holds the contents of the last legitimate write (migration copy
    // into a folio allocated while not blocked, or a scrub); any other store
    // leaves PG_CONTENT different from it. Contents that arrived in a folio
    // allocated while migration_blocked are also outside the allowed path.
    prop(v, 'INV-WRITE-PATH', 'cover letter ("device only ever sees net compression"); mm/cram.c: alloc_cram_folio', (k) => {
      for (let pfn = 0; pfn < k.g.pfns; pfn++) {
        const n = k.g.pfnNode[pfn]!;
        if (!isPrivateKind(k, n) || !compressedPfn(k, pfn)) continue;
        const c = k.get(k.L.PG_CONTENT, pfn);
        const e = k.get(k.L.GH_EXPECT, pfn);
        if (e !== 0 && c !== e - 1) return `pfn ${pfn} on ${nodeLabel(k, n)} holds ${c} but its last legitimate write stored ${e - 1}`;
        if (c !== 0 && k.has(k.L.PG_FLAGS, pfn, PG_head) && k.has(k.L.GH_ALLOC, pfn, GA_WHILE_BLOCKED)) {
          return `pfn ${pfn} on ${nodeLabel(k, n)} holds ${c} in a folio allocated while migration_blocked`;
        }
      }
      return null;
    }),
    // The structural half reads flags live, so a promotion already unmapped
    // when clear_ops ran is also reported (SEMANTICS 8.2 R4).
    prop(v, 'INV-MIGRATE-GATE', 'mm/rmap.c: try_to_migrate (folio_managed_allows_migrate)', (k) => {
      if (eventSet(k, EV_MIGRATE_UNGATED)) return 'a private folio without NP_OPS_MIGRATION was unmapped for migration (EV_MIGRATE_UNGATED)';
      const V = k.cfg.vaddrs;
      for (let mm = 0; mm < k.cfg.mms; mm++) {
        if (k.get(k.L.MM_LIVE, mm) === 0) continue;
        for (let va = 0; va < V; va++) {
          const i = mm * V + va;
          if (k.get(k.L.PTE_KIND, i) !== PTE_MIGRATION) continue;
          const pfn = k.get(k.L.PTE_VAL, i);
          const n = k.g.pfnNode[pfn]!;
          // node_private_flags as try_to_migrate reads it (fix private-no-ops-protected: NULL ops read MIGRATION)
          if (isNPrivate(k, n) && !nodePrivateHasFlag(k, n, NP_OPS_MIGRATION)) {
            return `mm${mm} v${va}: migration entry for pfn ${pfn} on ${nodeLabel(k, n)} whose ops lack NP_OPS_MIGRATION`;
          }
        }
      }
      return null;
    }),
    prop(v, 'INV-FAULT-LOCK', 'include/linux/node_private.h (handle_fault must release the PTL), mm/memory.c fault contract (VM_FAULT_RETRY needs FAULT_FLAG_ALLOW_RETRY), include/linux/mm_types.h: FAULT_FLAG_RETRY_NOWAIT ("don\'t drop mmap_lock"), mm/gup.c: faultin_page', (k) => {
      if (eventSet(k, EV_PTL_LEAK)) return 'handle_fault returned holding the PTL (EV_PTL_LEAK)';
      if (eventSet(k, EV_RETRY_NO_ALLOW)) return 'VM_FAULT_RETRY returned without FAULT_FLAG_ALLOW_RETRY (EV_RETRY_NO_ALLOW)';
      if (eventSet(k, EV_NOWAIT_UNLOCK)) return 'a fault with FAULT_FLAG_RETRY_NOWAIT returned with the mmap lock dropped (EV_NOWAIT_UNLOCK)';
      for (let t = 0; t < k.g.threads.length; t++) {
        if (k.get(k.L.THR_OP, t) === 0 && k.has(k.L.THR_LOCKS, t, LK_PTL)) return `${threadName(k, t)} is idle but holds a PTL`;
      }
      return null;
    }),
    // follow_page_pte: VM_BUG_ON_PAGE((flags & FOLL_PIN) && PageAnon(page) && !PageAnonExclusive(page)):
    // gup_must_unshare sends a R/O pin of a shared anon page through an UNSHARE fault first.
    prop(v, 'INV-GUP-PIN-EXCL', 'mm/gup.c: follow_page_pte (VM_BUG_ON_PAGE on a pinned non-exclusive anon page), include/linux/mm.h: gup_must_unshare, mm/memory.c: do_wp_page (FAULT_FLAG_UNSHARE)', (k) =>
      eventSet(k, EV_PIN_NOT_EXCL) ? 'FOLL_PIN took an anonymous page that is not PageAnonExclusive (EV_PIN_NOT_EXCL)' : null),
    // A FOLL_PIN'ed anonymous page stays PageAnonExclusive while pinned (fork copies it,
    // try_to_unmap / try_to_migrate back off): the PTE that maps it keeps PTE_EXCL.
    prop(v, 'INV-PIN-STAYS-EXCL', 'mm/memory.c: copy_present_pte -> copy_present_page ("Page may be pinned, we have to copy"), include/linux/rmap.h: __folio_try_dup_anon_rmap (folio_needs_cow_for_dma), include/linux/mm.h: folio_maybe_dma_pinned', (k) => {
      const V = k.cfg.vaddrs;
      for (let mm = 0; mm < k.cfg.mms; mm++) {
        if (k.get(k.L.MM_LIVE, mm) === 0) continue;
        for (let va = 0; va < V; va++) {
          const i = mm * V + va;
          if (k.get(k.L.PTE_KIND, i) !== PTE_PRESENT || k.has(k.L.PTE_FLAGS, i, PTE_EXCL)) continue;
          const page = k.get(k.L.PTE_VAL, i);
          const folio = pageFolio(k, page);
          if (k.has(k.L.PG_FLAGS, folio, PG_anon) && folioMaybeDmaPinned(k, folio)) {
            return `mm${mm} v${va}: pinned anonymous pfn ${page} on ${nodeLabel(k, k.g.pfnNode[page]!)} is mapped without PageAnonExclusive (shared copy-on-write)`;
          }
        }
      }
      return null;
    }),
    prop(v, 'INV-DATA', 'cover letter (transparent tiering: a read returns the last write); mm/cram.c: cram_fault, mm/migrate.c: migrate_pages', (k) =>
      eventSet(k, EV_DATA_LOSS) ? 'a read returned contents other than the program last wrote (EV_DATA_LOSS)' : null),
  ];
}
