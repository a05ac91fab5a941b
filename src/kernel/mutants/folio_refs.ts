// Seeded bugs that only folio refcount accounting catches (issue 10, class 4:
// INV-FOLIO-REFS, properties/folio_refs.ts). A reference too many pins a
// folio for good: it is never freed, which no other invariant of one state
// can tell from a folio somebody still uses.
import type { Mutant } from './types.ts';

export const FOLIO_REF_MUTANTS: readonly Mutant[] = [
  {
    name: 'zap-skips-folio-put',
    site: 'mm/memory.c: zap_present_ptes',
    catches: 'INV-FOLIO-REFS',
    description: "MADV_DONTNEED / munmap clears the PTE and the mapcount but never drops the mapping's reference: the folio leaks",
    config: 'dontneed',
  },
  {
    name: 'swapcache-delete-keeps-ref',
    site: 'mm/swap_state.c: delete_from_swap_cache',
    catches: 'INV-FOLIO-REFS',
    description: "the folio leaves the swap cache but keeps the cache's reference",
    config: 'swapin',
  },
];
