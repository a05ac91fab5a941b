// Seeded bugs at the allocation API boundary that only the allocation matrix
// reaches (issue 10, class 6): every other configuration allocates with
// __GFP_PRIVATE and __GFP_THISNODE together (alloc_cram_folio) or with neither
// (user faults, promotion), and never with a nodemask under a cpuset that
// excludes P. The `allocmatrix` config explores them as program ops
// (src/kernel/alloc_matrix.ts); on the other configs these mutants escape.
import type { Mutant } from './types.ts';

export const INPUT_MUTANTS: readonly Mutant[] = [
  {
    name: 'numa-zone-allowed-tests-thisnode',
    site: 'mm/page_alloc.c: numa_zone_alloc_allowed',
    catches: 'INV-ALLOC-POST',
    description: 'rule 1 tests __GFP_THISNODE instead of __GFP_PRIVATE: a __GFP_THISNODE request without __GFP_PRIVATE gets a page of P (the matrix frees it at once, so the allocation contract, not the state of P, sees it)',
    config: 'allocmatrix',
  },
  {
    name: 'numa-zone-allowed-private-skips-cpuset',
    site: 'mm/page_alloc.c: numa_zone_alloc_allowed',
    catches: 'INV-ALLOC-POST',
    description: 'a __GFP_PRIVATE request returns true before the cpuset test: with ALLOC_CPUSET it gets P while the cpuset\'s mems exclude P',
    config: 'allocmatrix',
  },
];
