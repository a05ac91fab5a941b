// Seeded bugs that break no safety property at all: they stop the behaviour a
// configuration exists to exercise (issue 10, class 5). Only vacuity catches
// them: an exhaustive run of the configuration never reaches one of its
// Reachability entries (properties/reach.ts), where before it did. `catches`
// names that entry; `cramcheck mutants` judges it on a complete exploration.
import type { Mutant } from './types.ts';

export const VACUITY_MUTANTS: readonly Mutant[] = [
  {
    name: 'can-demote-tests-target-private',
    site: 'mm/vmscan.c: can_demote',
    catches: 'REACH-DEMOTED-TO-P',
    description: 'the "private nodes do not demote" test is applied to the target instead of the source: nothing is ever demoted into P',
    config: 'tiny',
  },
  {
    name: 'swap-slot-off-by-one',
    site: 'mm/swapfile.c: folio_alloc_swap',
    catches: 'REACH-SWAPPED',
    description: 'the free-slot scan stops one slot early: with one swap slot per page nothing is ever swapped out',
    config: 'swapasync',
  },
];
