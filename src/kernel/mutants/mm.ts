// Seeded bugs and fixes at the folio / fault / migration / reclaim sites
// (src/kernel/{memory,rmap,migrate,mprotect,folio}.ts). Each site checks
// `k.cfg.mutant === name` (mutants) or `hasFix(k.cfg, name)` (fixes).
import type { Fix, Mutant } from './types.ts';

export const MM_MUTANTS: readonly Mutant[] = [
  {
    name: 'fixup-migration-pte-keeps-write',
    site: 'mm/internal.h: folio_managed_fixup_migration_pte',
    catches: 'INV-RO',
    description: 'remove_migration_pte does not pte_wrprotect a PTE arriving on a PROTECT_WRITE node: a demoted folio stays writable.',
  },
  {
    name: 'mprotect-ignores-protect-write',
    site: 'mm/mprotect.c: change_pte_range',
    catches: 'INV-RO',
    description: 'mprotect(PROT_WRITE) upgrades PTEs of PROTECT_WRITE folios to writable.',
  },
  {
    name: 'numa-fault-maps-writable',
    site: 'mm/memory.c: do_numa_page',
    catches: 'INV-RO',
    description: 'do_numa_page rebuilds the PTE of a PROTECT_WRITE folio writable.',
    config: 'nomig',
  },
  {
    name: 'handle-fault-after-write-check',
    site: 'mm/memory.c: handle_pte_fault',
    // Corrected from INV-WRITE-PATH: wp_page_reuse makes the PTE of the P folio writable one step before the store lands, so INV-RO legitimately sees it first (INV-WRITE-PATH follows at the store).
    catches: 'INV-RO',
    description: 'The write check runs before the private-node dispatch: a write fault on a P folio reuses it in place and the store lands on P.',
  },
  {
    name: 'try-to-migrate-ignores-gate',
    site: 'mm/rmap.c: try_to_migrate',
    catches: 'INV-MIGRATE-GATE',
    description: 'try_to_migrate unmaps a private folio whose node lacks NP_OPS_MIGRATION.',
    config: 'nomig',
  },
  {
    name: 'free-skips-free-folio-hook',
    site: 'mm/swap.c: __folio_put',
    catches: 'INV-SCRUB',
    description: '__folio_put frees a private folio to the buddy without calling free_folio (no scrub).',
  },
  {
    name: 'swapin-to-private',
    site: 'mm/memory.c: do_swap_page',
    // Corrected from INV-ISOLATION-ALLOC: the swap-in allocation carries __GFP_PRIVATE and prefers P, which is exactly what item 4 allows.
    // The breach was the writable mapping of a PROTECT_WRITE folio (INV-RO) until fix swapin-wrprotect (on in --fix all) write-protected
    // every folio do_swap_page maps on P; what remains is swapped data landing on P outside alloc_cram_folio/migration (INV-WRITE-PATH).
    catches: 'INV-WRITE-PATH',
    description: 'Swap-in allocates with __GFP_PRIVATE on the preferred private node.',
  },
  {
    name: 'migrate-copy-skipped',
    site: 'mm/migrate.c: migrate_folio_move',
    catches: 'INV-DATA',
    description: 'migrate_pages does not copy the contents: the mapping sees a stale or zeroed page (EV_DATA_LOSS).',
  },
  {
    name: 'promote-leaks-src',
    site: 'mm/migrate.c: migrate_folio_done',
    catches: 'INV-DEVICE-CAPACITY',
    description: 'A folio migrated off a private node (promotion) keeps its isolation reference: the P folio is never freed, so its compressed copy stays on the device and each demote/promote cycle adds one more.',
    config: 'cycles',
    // with the design fix the leaked copies only stop further demotion; the capacity breach is what shows the leak
    fixesOff: ['cram-alloc-checks-device'],
  },
];

export const MM_FIXES: readonly Fix[] = [
  {
    name: 'reclaim-free-calls-free-folio',
    site: 'mm/vmscan.c: shrink_folio_list (free_unref_folios)',
    mends: 'INV-SCRUB',
    description: 'Folios reclaimed by shrink_folio_list are freed with free_unref_folios, which v4 does not hook (free_folio runs only from __folio_put and folios_put_refs), so a P folio evicted by kswapd(P) reaches the buddy unscrubbed and its compressed data stays on the device: DEV_USED does not fall, so the hthresh edge that would clear pressure 1000 may never come. The fix routes private folios through folio_managed_on_free. Explorer: tiny, 10 steps (demote, lthresh, kswapd(P) evicts) -> INV-SCRUB.',
  },
  {
    name: 'demote-anon-only',
    site: 'mm/vmscan.c: shrink_folio_list (demotion candidates)',
    mends: 'INV-WRITE-PATH',
    config: 'small',
    alsoOff: ['no-file-demotion'],
    description: 'Only anon folios go on the demotion list; file folios are reclaimed instead, so no page-cache folio lands on P where write(2) or a shared write fault would write it in place (the author proposes this on linux-mm, 2026-03-19). move_pages(2) to P (mm/migrate.c: do_pages_move) is not covered.',
  },
  {
    name: 'swapin-wrprotect',
    site: 'mm/memory.c: do_swap_page',
    mends: 'INV-RO',
    config: 'swapasync',
    description: 'do_swap_page maps an exclusive swap-cache folio writable (pte_mkwrite when VM_WRITE, on read faults too) and v4 adds no folio_managed_wrprotect there (its PROTECT_WRITE sites are change_pte_range, change_huge_pmd, remove_migration_pmd, fixup_migration_pte and do_numa_page). With an asynchronous swap device kswapd(P) leaves an evicted P folio in the swap cache under writeback (shrink_folio_list: goto keep); a fault before the next reclaim pass maps that P folio writable, and later writes reach the compressed device without cram_fault promoting them. The fix drops the write bit for a folio_managed_wrprotect folio, so the next write faults into handle_fault. Explorer: swapasync, 9 steps -> INV-RO.',
  },
  {
    name: 'putback-free-calls-free-folio',
    site: 'mm/vmscan.c: move_folios_to_lru (free_unref_folios)',
    mends: 'INV-SCRUB',
    config: 'putbackzap',
    description: 'A folio shrink_folio_list keeps stays isolated and unlocked on ret_folios until shrink_inactive_list runs move_folios_to_lru; if another CPU zaps or unpins it in between, move_folios_to_lru\'s folio_put_testzero drops the isolation reference to 0 and frees it through the free_folios batch (mem_cgroup_uncharge_folios, free_unref_folios), which v4 does not hook (free_folio runs only from __folio_put and folios_put_refs). A private-node folio kswapd(P) kept reaches the buddy without its service\'s free_folio (cram_free_folio_cb: no scrub, device usage not released). The fix routes private folios freed there through folio_managed_on_free, as reclaim-free-calls-free-folio does for shrink_folio_list\'s own free (one patch could cover both sites: the two free_folios batches of mm/vmscan.c).',
  },
];
