// Seeded bugs at the CRAM (mm/cram.c) and CXL compression driver sites. Each
// site checks `k.cfg.mutant === name`; `catches` names the invariant
// (SEMANTICS 9) that must see it.
import type { Mutant } from './types.ts';

export const CRAM_MUTANTS: readonly Mutant[] = [
  {
    name: 'alloc-cram-ignores-blocked',
    site: 'mm/cram.c: alloc_cram_folio',
    // Corrected from INV-NO-OVERCOMMIT: cram_migrate_to already returns -ENOSPC at pressure 1000, so the extra destinations are those allocated in the in-flight batch while migration_blocked; INV-WRITE-PATH (GA_WHILE_BLOCKED) sees them, the overcommit allowance covers them.
    catches: 'INV-WRITE-PATH',
    description: 'alloc_cram_folio does not check node_private_migration_blocked: demotion destinations are allocated while blocked (also INV-WRITE-PATH).',
    config: 'pressure',
  },
  {
    name: 'migrate-to-ignores-pressure',
    site: 'mm/cram.c: cram_migrate_to',
    catches: 'INV-NO-OVERCOMMIT',
    description: 'cram_migrate_to never returns -ENOSPC at pressure 1000.',
    config: 'pressure',
    // the design fix's headroom read is a second brake on the same demotions
    fixesOff: ['cram-alloc-checks-device'],
  },
  {
    name: 'set-pressure-skips-blocked',
    site: 'mm/cram.c: cram_set_pressure (S3)',
    catches: 'INV-BACKPRESSURE-COHERENT',
    description: 'step S3 is omitted: np->migration_blocked never follows the pressure.',
  },
  {
    name: 'boost-not-scaled',
    site: 'mm/cram.c: cram_set_pressure (S4)',
    catches: 'INV-BACKPRESSURE-COHERENT',
    description: 'S4 writes watermark_boost = managed whatever the pressure (even 0).',
  },
  {
    name: 'free-cb-no-zero',
    site: 'mm/cram.c: cram_free_folio_cb',
    catches: 'INV-SCRUB',
    description: 'the "zero, return false" paths return the folio to the buddy without cram_zero_folio.',
  },
  {
    name: 'flush-send-no-zero',
    site: 'compression.c: cxl_flush_buf_send',
    catches: 'INV-SCRUB',
    description: 'send puts the deferred folios without zeroing them (no media op, no folio_zero_range).',
    config: 'flush',
  },
  {
    name: 'flush-bit-not-set',
    site: 'compression.c: cxl_compression_flush_cb',
    catches: 'INV-FLUSH-BIT',
    description: 'case (b) queues the folio without setting its flush_record bit: the second free queues it again.',
  },
  {
    name: 'cram-unregister-no-drain',
    site: 'mm/cram.c: cram_unregister_private_node',
    catches: 'INV-NO-CRAM-AFTER-FREE',
    description: 'cn is freed right after synchronize_rcu, without the refcount_dec_if_one spin.',
    config: 'driver',
  },
  {
    name: 'sysram-remove-drops-res',
    site: 'drivers/cxl/core/region_sysram.c: sysram_hotplug_remove',
    catches: 'INV-NP-LIFETIME',
    description: 'the resource is dropped whatever offline_and_remove_private_memory returned (not only -EBUSY): after a failed (signalled) teardown cxl_sysram_release finds nothing to remove and frees the sysram with its np still registered.',
    config: 'driver',
  },
  {
    name: 'cram-fault-keeps-ptl',
    site: 'mm/cram.c: cram_fault (F2)',
    catches: 'INV-FAULT-LOCK',
    description: 'the folio_isolate_lru failure path returns 0 with the PTL still held.',
    config: 'shared',
  },
  {
    name: 'cram-fault-isolated-leak',
    site: 'mm/cram.c: cram_fault (F5)',
    catches: 'INV-REFCOUNT-BALANCE',
    description: 'F5 puts a failed folio back on the LRU without NR_ISOLATED -= nr.',
    config: 'nomig',
  },
  {
    name: 'cram-register-not-private',
    site: 'mm/cram.c: cram_register_private_node',
    catches: 'INV-LIFECYCLE-ORDER',
    description: 'the !N_MEMORY_PRIVATE -> -EINVAL check is skipped (EV_LIFECYCLE on success).',
    config: 'npapi',
  },
  {
    name: 'cram-register-no-kswapd',
    site: 'mm/cram.c: cram_register_private_node',
    catches: 'INV-DAEMONS',
    description: 'kswapd_run(nid) is not called: P is registered with no kswapd to age and evict it.',
  },
  {
    name: 'flush-cb-folio-get',
    site: 'compression.c: cxl_compression_flush_cb (case b)',
    catches: 'INV-FOLIO-GET-ZERO',
    description: 'case (b) takes the deferral reference with folio_get on the refcount-0 folio being freed (VM_BUG_ON_FOLIO), even with fix flush-cb-no-get-on-zero on.',
    config: 'flush',
  },
];
