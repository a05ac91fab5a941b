// Seeded bugs that only the KASAN-style memory-safety check catches (issue
// 10, class 1: INV-MEM-SAFETY, properties/safety.ts). Each leaves every state
// between steps looking sane: the harm is an access to, a free of, a reference
// on or a mapping of a page while it sits free in the buddy, inside one step.
// Without INV-MEM-SAFETY each escapes every other property on its config
// (evidence: test/properties/safety.test.ts).
import type { Mutant } from './types.ts';

export const SAFETY_MUTANTS: readonly Mutant[] = [
  {
    name: 'demote-copy-after-free',
    site: 'mm/migrate.c: migrate_folio_move / migrate_folio_done',
    catches: 'INV-MEM-SAFETY',
    description: 'a DRAM source is copied into its destination after its last folio_put freed it (the freed page still holds the bytes, so the data survives)',
    config: 'tiny',
  },
  {
    name: 'freed-under-us-double-free',
    site: 'mm/migrate.c: migrate_folio_unmap ("Folio was freed from under us")',
    catches: 'INV-MEM-SAFETY',
    description: 'the freed-under-us path frees a DRAM folio to the buddy a second time after migrate_folio_done',
    config: 'zapiso',
  },
  {
    name: 'freed-under-us-put-twice',
    site: 'mm/migrate.c: migrate_folio_unmap ("Folio was freed from under us")',
    catches: 'INV-MEM-SAFETY',
    description: 'the freed-under-us path drops the isolation reference of a DRAM folio twice (the second put is on a free folio)',
    config: 'zapiso',
  },
  {
    name: 'anon-fault-drops-alloc-ref',
    site: 'mm/memory.c: do_anonymous_page',
    catches: 'INV-MEM-SAFETY',
    description: "the allocation's reference is dropped before set_pte_at, as if folio_add_new_anon_rmap took its own: the new folio is freed, then mapped",
    config: 'tiny',
  },
];
