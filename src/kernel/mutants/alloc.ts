// Seeded bugs of the allocator and node side. Each site checks
// `k.cfg.mutant === name`; the description says what the mutant does instead
// of v4, and `catches` names the invariant (SEMANTICS 9) that must see it.
import type { Fix, Mutant } from './types.ts';

export const ALLOC_MUTANTS: readonly Mutant[] = [
  {
    name: 'numa-zone-allowed-ignores-private',
    site: 'mm/page_alloc.c: numa_zone_alloc_allowed',
    catches: 'INV-ISOLATION-ALLOC',
    description: 'rule 1 skipped: zones of N_MEMORY_PRIVATE nodes are allowed without __GFP_PRIVATE',
    config: 'policy',
  },
  {
    name: 'zonelist-private-in-normal-fallback',
    site: 'mm/page_alloc.c: build_zonelists',
    catches: 'INV-ZONELIST',
    description: "a normal node's FALLBACK list also draws from N_MEMORY_PRIVATE nodes",
  },
  {
    name: 'private-nofallback-includes-dram',
    site: 'mm/page_alloc.c: build_thisnode_zonelists',
    catches: 'INV-ZONELIST',
    description: "a private node's NOFALLBACK list is its FALLBACK list (DRAM zones included)",
  },
  {
    name: 'online-sets-n-memory',
    site: 'mm/memory_hotplug.c: online_pages',
    catches: 'INV-PRIVATE-STAYS-PRIVATE',
    description: 'the first online of a private node sets N_MEMORY instead of N_MEMORY_PRIVATE',
  },
  {
    name: 'register-ignores-n-memory',
    site: 'drivers/base/node.c: node_private_register',
    catches: 'INV-STATE-EXCL',
    description: 'register skips the N_MEMORY -EBUSY check, so an N_MEMORY node becomes private',
    config: 'npapi',
  },
  {
    name: 'unregister-while-online',
    site: 'drivers/base/node.c: node_private_unregister',
    catches: 'INV-PRIVATE-REG',
    description: 'unregister skips the N_MEMORY_PRIVATE -EBUSY check (and the present-blocks one of fix unregister-busy-while-present)',
    config: 'npapi',
  },
  {
    name: 'unregister-no-drain',
    site: 'drivers/base/node.c: node_private_unregister',
    catches: 'INV-NO-OPS-AFTER-UNREGISTER',
    description: 'unregister drops the base reference and returns without waiting for temporary references',
    config: 'driver',
  },
  {
    name: 'migrate-to-no-ref',
    site: 'include/linux/node_private.h: node_private_migrate_to',
    catches: 'INV-REFCOUNT-BALANCE',
    description: 'node_private_migrate_to calls migrate_to without taking (or dropping) a reference',
  },
  {
    name: 'mpol-allows-unflagged-private',
    site: 'mm/mempolicy.c: mpol_set_nodemask',
    catches: 'INV-MPOL',
    description: 'a private node without NP_OPS_MEMPOLICY is accepted into a policy mask',
    config: 'policy',
  },
  {
    name: 'demotion-target-without-flag',
    site: 'mm/memory-tiers.c: establish_demotion_targets',
    catches: 'INV-DEMOTION-TARGETS',
    description: 'private nodes become demotion candidates without NP_OPS_DEMOTION',
    config: 'driver',
  },
  // Kept out of the catalogue (its site stays for test/kernel/mutants-alloc.test.ts):
  // boost-ignored-in-watermark (mm/internal.h: wmark_pages without
  // watermark_boost). An equivalent mutant for every safety invariant: every
  // allocation on P that the boost guards is refused earlier by
  // np->migration_blocked (can_demote, alloc_cram_folio per folio; S3 runs before
  // S4), and cram_migrate_to returns -ENOSPC at pressure 1000; what is left is
  // kswapd(P) not seeing the node unbalanced, a progress matter (INV-PROGRESS,
  // liveness, out of scope). BFS of 200k states each on canonical, pressure and
  // nomig (a generic ops table without the blocked checks), every fix on: the
  // same violations with and without it.
];

/** Fixes of findings on the allocator/node side (to be listed in src/kernel/fixes.ts FIXES). */
export const ALLOC_FIXES: readonly Fix[] = [
  {
    name: 'private-no-ops-protected',
    site: 'include/linux/node_private.h: folio_managed_wrprotect / folio_managed_allows_migrate; mm/memory.c: do_wp_page',
    mends: 'INV-WRITE-PATH',
    config: 'driver',
    description:
      'Read a private node whose np is registered but whose ops are NULL as "private, migratable, write-protected" (NP_OPS_PROTECT_WRITE | NP_OPS_MIGRATION) instead of "no flags", let do_wp_page copy (wp_page_copy, off the node) rather than reuse such a folio, and zero such a folio in folio_managed_on_free (as cram_free_folio_cb does without a cram node). Chosen over reordering the driver teardown (teardown-keeps-ops-until-offline), which would need node_private_unregister to run with the ops set and offline to wait out the flush deferral. In v4 cram_unregister_private_node (pre_teardown) clears the ops while P is still online: a write fault on a P folio then finds no handle_fault, takes the generic do_wp_page and writes the P page in place (INV-WRITE-PATH), and do_migrate_range skips P folios (NP_OPS_MIGRATION reads 0), so offline cannot succeed while one is in use; a P folio freed meanwhile reaches the buddy unscrubbed (INV-SCRUB) (drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_pre_teardown).',
  },
  {
    name: 'unregister-busy-while-present',
    site: 'drivers/base/node.c: node_private_unregister',
    mends: 'INV-PRIVATE-STAYS-PRIVATE',
    config: 'offlineadd',
    description:
      'Return -EBUSY while the node still has present memory blocks, not only while N_MEMORY_PRIVATE. In v4 an unregister with present-but-offline blocks succeeds (e.g. the -EEXIST error path of a second add_private_memory_driver_managed for the same np), pgdat->private is cleared, and onlining those blocks later makes the node N_MEMORY: its memory becomes ordinary RAM in every zonelist.',
  },
];
