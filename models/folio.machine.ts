// Folio protocol of one page-frame slot (SEMANTICS §6.3, §6.4, §7.3, §8.2 R1/R2/R6):
// what may happen to the folio that occupies a pfn, DRAM or CRAM.
//
// The slot is the unit because migration moves data between slots: a demotion
// is seen as the DRAM source going isolated -> migrating -> free while the CRAM
// destination goes free -> migrating -> read-only; a promotion (cram_fault
// F1..F6) the other way round. Names follow the RFC:
//   dram / dram_writable   in DRAM, mapped read-only or not mapped / mapped writable
//   dram_isolated          isolated from the LRU (demotion candidate, or kswapd)
//   dram_migrating         migration source with migration entries, or a locked
//                          destination not yet mapped (promotion target)
//   cram                   on CRAM, read-only (PROTECT_WRITE)
//   cram_isolated          isolated: cram_fault F2, kswapd(P), hot-unplug scan
//   cram_migrating         demotion destination before remap, or promotion source
//                          with migration entries (F4)
//   cram_deferred          freed, kept from the buddy by flush_cb (in a flush buffer)
//   cram_scrubbed          deferred and already zeroed (send done, put pending)
//   swapcache              in the swap cache (kswapd(P) eviction, swap-in)
//   free, offline          in the buddy / in a block that is not online
// Isolation is read from a MAPPED folio's extra reference, so an isolated folio
// whose mappings are zapped (MADV_DONTNEED, a COW copy) reads as dram / cram
// until its isolator puts it back or frees it (zap_pte_range_isolated,
// wp_page_copy below).
// There is deliberately no "cram_writable": a writable mapping of a
// PROTECT_WRITE folio is not a protocol state, so reaching it is a conformance
// failure as well as an INV-RO one.

import { setup } from 'xstate';
import type { MachineSpec } from './machine_graph.ts';

export const FOLIO_STATES = [
  'offline',
  'free',
  'dram',
  'dram_writable',
  'dram_isolated',
  'dram_migrating',
  'cram',
  'cram_isolated',
  'cram_migrating',
  'cram_deferred',
  'cram_scrubbed',
  'swapcache',
] as const;
export type FolioState = (typeof FOLIO_STATES)[number];

/** Abstract folio state that is not a machine state (a PROTECT_WRITE folio mapped writable). */
export const FOLIO_CRAM_WRITABLE = 'cram_writable';

export type FolioEvent =
  | { type: 'online_pages'; ret?: number }
  | { type: 'HOTUNPLUG_MIGRATE'; ret?: number }
  | { type: 'offline_pages'; ret?: number }
  | { type: 'alloc_pages'; ret?: number }
  | { type: 'do_anonymous_page'; ret?: number }
  | { type: 'alloc_migration_target'; ret?: number }
  | { type: 'alloc_cram_folio'; ret?: number }
  | { type: 'migrate_pages'; ret?: number }
  | { type: 'do_wp_page'; ret?: number }
  | { type: 'wp_page_copy'; ret?: number }
  | { type: 'pte_wrprotect'; ret?: number }
  | { type: 'folio_isolate_lru'; ret?: number }
  | { type: 'folio_putback_lru'; ret?: number }
  | { type: 'folio_putback_lru_writable'; ret?: number }
  | { type: 'try_to_migrate'; ret?: number }
  | { type: 'remove_migration_ptes'; ret?: number }
  | { type: 'remove_migration_ptes_writable'; ret?: number }
  | { type: 'migrate_folio_done'; ret?: number }
  | { type: 'folio_put'; ret?: number }
  | { type: 'cram_free_folio_cb'; ret?: number }
  | { type: 'cxl_flush_buf_send'; ret?: number }
  | { type: 'cxl_flush_buf_reset'; ret?: number }
  | { type: 'migrate_pages_swapcache'; ret?: number }
  | { type: 'migrate_pages_failed'; ret?: number }
  | { type: 'add_to_swap'; ret?: number }
  | { type: 'swap_in'; ret?: number }
  | { type: 'do_swap_page'; ret?: number }
  | { type: 'swapin_readahead'; ret?: number }
  | { type: 'zap_pte_range'; ret?: number }
  | { type: 'zap_pte_range_isolated'; ret?: number }
  | { type: 'swap_in_isolated'; ret?: number }
  | { type: 'swap_in_isolated_cram'; ret?: number }
  | { type: 'swap_in_cram'; ret?: number };

export const folioMachine = setup({
  types: { events: {} as FolioEvent },
}).createMachine({
  id: 'folio',
  initial: 'free',
  states: {
    offline: { on: { online_pages: 'free' } },
    free: {
      on: {
        offline_pages: 'offline',
        // page cache, kernel and swap-in allocations land unmapped or read-only
        alloc_pages: 'dram',
        do_anonymous_page: 'dram_writable',
        // promotion / hot-unplug destination, locked until remapped
        alloc_migration_target: 'dram_migrating',
        // cram.c: alloc_cram_folio, the only way a CRAM slot becomes used (§2.5)
        alloc_cram_folio: 'cram_migrating',
        // migrate_pages is one atomic step in the model (src/kernel/migrate.ts):
        // alloc_cram_folio + copy + remove_migration_pte (read-only) at once
        migrate_pages: 'cram',
        // ... and when the move fails (folio_migrate_mapping: the source has a
        // reference beyond the isolation, e.g. a GUP pin), cram_put_new_folio puts the
        // destination in the same step and flush_cb defers it (alloc -> put -> free_folio)
        migrate_pages_failed: 'cram_deferred',
        swapin_readahead: 'swapcache',
        // do_swap_page with no swap-cache folio: allocated, read from the slot and
        // mapped writable when the entry is exclusive (read-only: alloc_pages -> dram)
        do_swap_page: 'dram_writable',
        // do_wp_page -> wp_page_copy: the new copy, mapped writable
        wp_page_copy: 'dram_writable',
        // migrate_pages of an unmapped swap-cache folio (demotion, or offline of P):
        // the copy keeps PG_swapcache (migrate_folio -> folio_migrate_mapping)
        migrate_pages_swapcache: 'swapcache',
      },
    },
    dram: {
      on: {
        do_wp_page: 'dram_writable',
        folio_isolate_lru: 'dram_isolated',
        folio_put: 'free',
        add_to_swap: 'swapcache',
      },
    },
    dram_writable: {
      on: {
        // mm/memory.c zap_pte_range -> zap_present_ptes (MADV_DONTNEED, munmap):
        // the last mapping of a swapped-in folio goes, the swap cache keeps it
        // (do_swap_page frees the swap slot only if should_try_to_free_swap)
        zap_pte_range: 'swapcache',
        pte_wrprotect: 'dram',
        folio_isolate_lru: 'dram_isolated',
        folio_put: 'free',
      },
    },
    dram_isolated: {
      on: {
        folio_putback_lru: 'dram',
        // the isolation hid the mapping: a writable one is still writable after putback
        folio_putback_lru_writable: 'dram_writable',
        try_to_migrate: 'dram_migrating',
        add_to_swap: 'swapcache',
        // MADV_DONTNEED zaps the last mapping of a swap-cache folio sitting in
        // kswapd's demotion batch: the swap cache keeps it
        zap_pte_range: 'swapcache',
        // do_wp_page -> wp_page_copy: the isolation reference makes the folio
        // look shared, so a write fault copies it; the old folio loses its
        // mapping and, unmapped, reads as dram until kswapd's batch ends
        wp_page_copy: 'dram',
        // MADV_DONTNEED / munmap of a folio in kswapd's batch that is not in the swap cache
        zap_pte_range_isolated: 'dram',
        // the mapping was zapped meanwhile: the last put frees it (R1)
        folio_put: 'free',
        // migrate_pages is one atomic step: the demotion source is freed after the move
        migrate_pages: 'free',
      },
    },
    dram_migrating: {
      on: {
        // destination remapped through remove_migration_ptes (read-only, §6.4 F6)
        remove_migration_ptes: 'dram',
        // a writable migration entry is restored writable (mm/migrate.c remove_migration_pte:
        // is_writable_migration_entry -> pte_mkwrite): a staged offline_pages migrating a
        // writable folio off a private node without PROTECT_WRITE (region B's cxl_mempolicy
        // memory in `tworegions`, src/cxl/region_b.ts), its destination seen between steps
        remove_migration_ptes_writable: 'dram_writable',
        // source after a failed move: mapped again, still isolated
        folio_putback_lru: 'dram_isolated',
        // source after a successful move, or an unused destination
        migrate_folio_done: 'free',
        // mm/memory.c zap_nonpresent_ptes (MADV_DONTNEED, munmap, the OOM reaper) clears
        // the migration entries of a swap-cache source: unmapped in the swap cache
        // while its migration goes on
        zap_pte_range: 'swapcache',
        // the destination of an unmapped swap-cache folio after its move (offline_pages'
        // staged do_migrate_range off P, src/kernel/memory_hotplug.ts doMigrateRangeStep)
        migrate_pages_swapcache: 'swapcache',
      },
    },
    cram: {
      on: {
        // mm/memory_hotplug.c offline_pages -> do_migrate_range -> migrate_pages
        // (MR_MEMORY_HOTPLUG) then __offline_isolated_pages: the atomic form
        // (src/kernel/memory_hotplug.ts offlinePages, tests and direct API use,
        // SEMANTICS 5.4 / 6.3.10) makes isolate -> migrate -> free -> offline of the
        // P source one step; the driver's staged offline goes through
        // cram_isolated and cram_migrating (doMigrateRangeStep)
        HOTUNPLUG_MIGRATE: 'offline',
        // zap_pte_range of the last mapping of a demoted swap-cache folio
        // (migrate_folio keeps PG_swapcache): it stays in the swap cache on P
        zap_pte_range: 'swapcache',
        folio_isolate_lru: 'cram_isolated',
        folio_put: 'free',
        cram_free_folio_cb: 'cram_deferred',
        // kswapd(P) eviction on an asynchronous swap device (cfg.swapAsync):
        // pageout leaves the folio under writeback, shrink_folio_list keeps it
        add_to_swap: 'swapcache',
      },
    },
    cram_isolated: {
      on: {
        folio_putback_lru: 'cram',
        // migrate_pages is one atomic step: the promotion source (cram_fault F4) is freed after the move
        migrate_pages: 'free',
        // MADV_DONTNEED by another thread while cram_fault (F2) holds the folio isolated
        zap_pte_range_isolated: 'cram',
        try_to_migrate: 'cram_migrating',
        add_to_swap: 'swapcache',
        folio_put: 'free',
        cram_free_folio_cb: 'cram_deferred',
      },
    },
    cram_migrating: {
      on: {
        // destination: remove_migration_pte -> folio_managed_fixup_migration_pte -> pte_wrprotect
        remove_migration_ptes: 'cram',
        // source after a failed promotion
        folio_putback_lru: 'cram_isolated',
        // source after a successful promotion, or cram_put_new_folio
        migrate_folio_done: 'free',
        cram_free_folio_cb: 'cram_deferred',
        // a demotion destination of an unmapped swap-cache folio after its move
        // (kswapd's staged migrate_pages_batch, src/kernel/migrate_batch.ts)
        migrate_pages_swapcache: 'swapcache',
      },
    },
    cram_deferred: {
      on: {
        // the device (media ops) or the CPU zeroes the folio ...
        cxl_flush_buf_send: 'cram_scrubbed',
        // faithful v4 flush race (finding flush-swap-atomic): the kthread resets a
        // buffer it has not sent; the folio keeps its flush bit, out of every
        // buffer and never zeroed, and the abstraction cannot tell it from a
        // scrubbed one (INV-REFCOUNT-BALANCE flags the lost reference)
        cxl_flush_buf_reset: 'cram_scrubbed',
        // ... and send's folio_put frees it through flush_cb case (a)
        folio_put: 'free',
      },
    },
    cram_scrubbed: { on: { folio_put: 'free' } },
    swapcache: {
      on: {
        swap_in: 'dram',
        do_swap_page: 'dram_writable',
        // do_swap_page on a swap-cache folio kswapd(D0) holds in its demotion batch
        swap_in_isolated: 'dram_isolated',
        // do_swap_page on a swap-cache folio on P that offline_pages' do_migrate_range
        // holds isolated before its migrate_pages unmaps it (the staged hot-unplug
        // migration: the folio lock is taken only by migrate_folio_unmap)
        swap_in_isolated_cram: 'cram_isolated',
        // do_swap_page on a swap-cache folio that sits on P (kept under writeback
        // by kswapd(P), or demoted while in the swap cache), mapped read-only:
        // fix swapin-wrprotect (v4 maps it writable: cram_writable, finding)
        swap_in_cram: 'cram',
        folio_put: 'free',
        folio_putback_lru: 'cram',
        // the source of migrate_pages_swapcache, freed after the move
        migrate_pages: 'free',
        // hot-unplug migrates an unmapped swap-cache folio off P like any other
        // (offline_pages -> do_migrate_range), then offlines the block
        HOTUNPLUG_MIGRATE: 'offline',
        // a swap-cache folio on P (demoted while in the swap cache, then unmapped)
        // freed by reclaim: free_folio defers it like any CRAM folio
        cram_free_folio_cb: 'cram_deferred',
      },
    },
  },
});

const EVENT_TYPES: readonly FolioEvent['type'][] = [
  'online_pages', 'HOTUNPLUG_MIGRATE', 'offline_pages', 'alloc_pages', 'do_anonymous_page', 'alloc_migration_target',
  'alloc_cram_folio', 'migrate_pages', 'do_wp_page', 'wp_page_copy', 'pte_wrprotect', 'folio_isolate_lru', 'folio_putback_lru', 'folio_putback_lru_writable',
  'try_to_migrate', 'remove_migration_ptes', 'remove_migration_ptes_writable', 'migrate_folio_done', 'folio_put', 'cram_free_folio_cb',
  'cxl_flush_buf_send', 'cxl_flush_buf_reset', 'add_to_swap', 'migrate_pages_swapcache', 'zap_pte_range_isolated',
  'swap_in_isolated', 'swap_in_cram', 'swap_in', 'do_swap_page', 'swapin_readahead', 'zap_pte_range',
  'migrate_pages_failed', 'swap_in_isolated_cram',
];

export const folioSpec: MachineSpec = {
  name: 'folio',
  machine: folioMachine,
  events: EVENT_TYPES.map((type) => ({ type })),
  traceFns: {
    online_pages: ['online_pages'],
    offline_pages: ['offline_pages'],
    HOTUNPLUG_MIGRATE: ['offline_pages', 'do_migrate_range', 'migrate_pages'],
    alloc_pages: ['alloc_pages_node', 'alloc_pages', '__alloc_pages', 'filemap_alloc_folio', '__folio_alloc_node'],
    do_anonymous_page: ['do_anonymous_page', 'vma_alloc_folio'],
    alloc_migration_target: ['alloc_migration_target', 'alloc_cram_promote_folio', 'alloc_demote_folio'],
    alloc_cram_folio: ['alloc_cram_folio'],
    migrate_pages: ['migrate_pages', 'alloc_cram_folio'],
    do_wp_page: ['do_wp_page', 'mprotect', 'change_pte_range'],
    wp_page_copy: ['wp_page_copy'],
    pte_wrprotect: ['pte_wrprotect', 'mprotect', 'change_pte_range', 'fork'],
    // kswapd's trace says `isolate pfn N` (folio_isolate_lru in shrink_node's batch)
    folio_isolate_lru: ['folio_isolate_lru', 'isolate'],
    folio_putback_lru: ['folio_putback_lru'],
    folio_putback_lru_writable: ['folio_putback_lru', 'putback_movable_pages', 'migrate_pages'],
    try_to_migrate: ['try_to_migrate', 'migrate_pages'],
    remove_migration_ptes: ['remove_migration_ptes', 'remove_migration_pte', 'migrate_pages'],
    remove_migration_ptes_writable: ['remove_migration_ptes', 'remove_migration_pte', 'migrate_pages'],
    migrate_folio_done: ['migrate_folio_done', 'migrate_pages'],
    // the last reference's owner: reclaim's free, the flush send's put, a zap,
    // a migration that finds the source freed under it (not migrate_pages: the
    // source a migration frees is the migrate_pages edge)
    folio_put: ['folio_put', '__folio_put', 'shrink_folio_list', 'cxl_flush_buf_send', 'madvise', 'munmap', 'zap_pte_range', 'migrate_folio_unmap'],
    cram_free_folio_cb: ['cram_free_folio_cb', 'cxl_compression_flush_cb'],
    cxl_flush_buf_send: ['cxl_flush_buf_send'],
    cxl_flush_buf_reset: ['cxl_flush_buf_reset'],
    migrate_pages_swapcache: ['migrate_pages'],
    migrate_pages_failed: ['migrate_pages', 'cram_put_new_folio'],
    zap_pte_range_isolated: ['zap_pte_range', 'madvise', 'munmap'],
    swap_in_isolated: ['do_swap_page'],
    swap_in_isolated_cram: ['do_swap_page'],
    swap_in_cram: ['do_swap_page'],
    add_to_swap: ['add_to_swap', 'shrink_folio_list'],
    swap_in: ['do_swap_page', 'swap_in'],
    do_swap_page: ['do_swap_page'],
    swapin_readahead: ['swapin_readahead', 'swap_cache_alloc', 'do_swap_page'],
    zap_pte_range: ['zap_pte_range', 'madvise', 'munmap'],
  },
};
