// Seeded bugs that only the API postconditions catch (issue 10, class 2:
// INV-MIGRATE-POST, INV-ALLOC-POST, INV-NPAPI-ROWS in properties/contracts.ts,
// checked at each call's return by src/kernel/contracts.ts). Each leaves a
// state no other invariant objects to: the call's answer or its errno row is
// what is wrong.
import type { Mutant } from './types.ts';

export const CONTRACT_MUTANTS: readonly Mutant[] = [
  {
    name: 'demote-remaps-src',
    site: 'mm/migrate.c: migrate_folio_move (remove_migration_ptes(src, dst))',
    catches: 'INV-MIGRATE-POST',
    description: 'a migration into a private node restores the PTEs to the source folio: migrate_to reports the folio moved while it stays on DRAM (the destination is freed)',
    config: 'tiny',
  },
  {
    name: 'migrate-to-counts-kept',
    site: 'mm/cram.c: cram_migrate_to (*nr_succeeded)',
    catches: 'INV-MIGRATE-POST',
    description: 'the file folios cram_migrate_to keeps back (fix no-file-demotion) are counted in nr_succeeded as if they had moved',
    config: 'small',
    // demote-anon-only stops file folios before they reach cram_migrate_to: the site would never run.
    fixesOff: ['demote-anon-only'],
  },
  {
    name: 'alloc-ignores-zone-index',
    site: 'mm/page_alloc.c: get_page_from_freelist (for_next_zone_zonelist_nodemask highest_zoneidx)',
    catches: 'INV-ALLOC-POST',
    description: 'the zonelist walk skips the zone-index filter: GFP_KERNEL|GFP_PRIVATE gets a page of P\'s MOVABLE zone',
    config: 'allocmatrix',
  },
  {
    name: 'alloc-ignores-nodemask',
    site: 'mm/page_alloc.c: get_page_from_freelist (for_next_zone_zonelist_nodemask nodemask)',
    catches: 'INV-ALLOC-POST',
    description: 'the zonelist walk skips the nodemask filter: a page outside the caller\'s nodemask is returned',
    config: 'allocmatrix',
  },
  {
    name: 'set-ops-einval-stores',
    site: 'drivers/base/node.c: node_private_set_ops',
    catches: 'INV-NPAPI-ROWS',
    description: 'a flag-dependency -EINVAL is returned but np->ops is set anyway',
    config: 'opsrows',
  },
  {
    name: 'clear-ops-mismatch-clears',
    site: 'drivers/base/node.c: node_private_clear_ops',
    catches: 'INV-NPAPI-ROWS',
    description: 'clear_ops with ops that do not match returns -EINVAL but clears np->ops anyway',
    config: 'opsrows',
  },
];
