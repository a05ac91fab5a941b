// Seeded bugs at the large-folio sites (src/kernel/thp.ts, rmap.ts), issue 12 item 9.
import type { Mutant } from './types.ts';

export const THP_MUTANTS: readonly Mutant[] = [
  {
    name: 'fixup-wrprotect-head-only',
    site: 'mm/internal.h: folio_managed_fixup_migration_pte (from mm/migrate.c: remove_migration_pte)',
    catches: 'INV-RO',
    description:
      'remove_migration_pte write-protects only the PTE of the head page of a folio arriving on a PROTECT_WRITE node: the tail ' +
      'pages of a demoted large folio stay writable, and a store to them lands on compressed memory without handle_fault. ' +
      'Invisible with order-0 folios (every other config); thp: the demoted order-1 folio\'s second PTE.',
    config: 'thp',
  },
  {
    name: 'split-keeps-tail-flag',
    site: 'mm/huge_memory.c: __split_folio_to_order (clear_compound_head)',
    catches: 'INV-COMPOUND',
    description:
      'The split makes every page a folio head but leaves PageTail set on the new folios: page_folio() of a former tail still ' +
      'resolves to the original head. thp: kswapd(P) splits the demoted order-1 folio before swap-out.',
    config: 'thp',
  },
  {
    name: 'compound-tail-refcounted',
    site: 'mm/page_alloc.c: prep_new_page / prep_compound_page',
    catches: 'INV-COMPOUND',
    description:
      'A __GFP_COMP allocation gives every page a refcount of 1 (set_page_refcounted on each page, as split_page() does) ' +
      'instead of the head alone: the tails of the large folio carry references nobody owns. No refcount check looks at ' +
      'tail pages (INV-FOLIO-REFS judges folio heads); thp: the order-1 folio of the first fault.',
    config: 'thp',
  },
  {
    name: 'split-skips-folio-split-cb',
    site: 'mm/huge_memory.c: __folio_split (v4 patch 11: folio_managed_split_cb)',
    catches: 'INV-SPLIT-CB',
    description:
      'The split path never calls folio_managed_split_cb, as in the stored v4 tree, whose mm/huge_memory.c lacks patch 11\'s ' +
      'hunks: a service with a folio_split callback never hears that its large folio became two. thpsplit: kswapd(P) splits ' +
      'the demoted folio of a service with folio_split.',
    config: 'thpsplit',
  },
];
