// The fix catalogue: the smallest kernel change that mends each real v4
// finding, switched on by cfg.fixes (hasFix(cfg, name) at the site).
// Areas contribute their own lists; this file is the one list the CLI shows.
import { ALLOC_FIXES } from './mutants/alloc.ts';
import { MM_FIXES } from './mutants/mm.ts';
import type { Fix } from './mutants/types.ts';

export const CRAM_FIXES: readonly Fix[] = [
  {
    name: 'set-pressure-serialized',
    site: 'mm/cram.c: cram_set_pressure',
    mends: 'INV-BACKPRESSURE-COHERENT',
    description:
      'Take a per-node mutex around S2-S4 (pressure, migration_blocked, boost). In v4 the lthresh and hthresh IRQ threads run cram_set_pressure concurrently with no lock, so an interleaving can end with pressure 0 and migration_blocked 1 (or pressure 1000 and demotion allowed) until the next edge (cxl_compression_lthresh_irq and cxl_compression_hthresh_irq both call it).',
  },
  {
    name: 'cram-unregister-clears-backpressure',
    site: 'mm/cram.c: cram_unregister_private_node',
    mends: 'INV-BACKPRESSURE-COHERENT',
    config: 'driver',
    description:
      'Reset np->migration_blocked and the zone watermark_boost/ZONE_BOOSTED when CRAM unregisters: at the unpublish and again after the refcount drain (an lthresh IRQ thread holding the cn can run S3/S4 in between). v4 leaves them, so a re-registered node starts at pressure 0 while still blocked and boosted (mm/cram.c: cram_unregister_private_node resets neither; cram_register_private_node starts at pressure 0).',
  },
  {
    name: 'flush-cb-no-get-on-zero',
    site: 'compression.c: cxl_compression_flush_cb',
    mends: 'INV-FOLIO-GET-ZERO',
    description:
      'Take the deferral reference with a ref-0-safe increment (folio_ref_inc / set_page_refcounted) instead of folio_get, whose VM_BUG_ON fires on the refcount-0 folio free_folio hands over (DEBUG_VM).',
  },
  {
    name: 'no-file-demotion',
    site: 'mm/cram.c: cram_migrate_to',
    mends: 'INV-WRITE-PATH',
    config: 'small',
    alsoOff: ['demote-anon-only'],
    description:
      'Refuse file-backed folios (leave them on the list). Demoted page-cache folios can be written without a present PTE (write(2), do_shared_fault); Gregory Price, 2026-03-19: "I need to not allow file-backed memory to be demoted" (linux-mm).',
  },
  {
    name: 'flush-swap-atomic',
    site: 'compression.c: cxl_flush_kthread_fn / cxl_flush_overflow_work',
    mends: 'INV-FLUSH-BIT',
    config: 'flush',
    // 60 steps deep since the LRU batches and staged demotion (issue 12): found after ~2.0M states.
    findingMaxStates: 3_000_000,
    description:
      'Swap pcpu->active with xchg() instead of the unlocked rcu_replace_pointer read-then-write. In v4 the kthread (another CPU) and the overflow work can both read the same active buffer: one buffer ends up as both overflow_spare and kthread spare, later as active and kthread spare, and the next round\'s cxl_flush_buf_reset(spare) wipes the live active buffer, leaking the references of the folios queued in it (kept out of the buddy for good, flush bits left set).',
  },
  {
    name: 'sysram-release-keeps-np',
    site: 'drivers/cxl/core/region_sysram.c: cxl_sysram_release',
    mends: 'INV-NP-LIFETIME',
    config: 'driver',
    description:
      'When sysram_hotplug_remove fails in cxl_sysram_release, WARN and leave the sysram allocated instead of kfree(sysram). In v4 offline_pages loops until a signal; a signal to the task tearing the driver down (e.g. the writer of the unbind attribute) fails every offline attempt of pre_teardown with -EINTR (the signal stays pending across msleep), then the release\'s removal too, and the release frees the sysram with its embedded np still registered as pgdat->node_private: include/linux/node_private.h requires the driver to keep np valid until node_private_unregister returned. The next probe\'s new np gets -EBUSY from node_private_register, and cram_register_private_node\'s node_private_set_ops writes into the freed np.',
  },
  {
    name: 'sysram-hotplug-busy-while-cram',
    site: 'drivers/cxl/core/region_sysram.c: hotplug_store',
    mends: 'INV-LIFECYCLE-ORDER',
    config: 'driver',
    description:
      'Refuse the sysram `hotplug` offline (-EBUSY) while CRAM is registered on the node. In v4 the attribute offlines and removes the region without touching CRAM: cram_ops and cram_nodes[nid] outlive the memory and np (node_private_unregister runs while ops are set), kswapd(P) is stopped by offline_pages and never restarted on re-add (only mm/cram.c: cram_register_private_node starts it).',
  },
  {
    name: 'free-folio-after-lru-removal',
    site: 'mm/swap.c: __folio_put',
    mends: 'INV-FLUSH-BIT',
    config: 'dontneed',
    description:
      'Run page_cache_release (LRU removal, PG_lru cleared) before folio_managed_on_free. In v4 __folio_put calls the free_folio hook first; a folio the hook keeps (cxl_compression_flush_cb defers it into a flush buffer, refcount 1 held by the driver) stays on its LRU with PG_lru set (mm/swap.c: __folio_put calls mm/internal.h: folio_managed_on_free before page_cache_release), so kswapd(P) isolates the freed folio (folio_try_get succeeds on the driver reference) and swaps it out: a freed folio re-enters reclaim, leaves the buffer accounting (flush_record bit set, in no buffer, no send in flight) and is reclaimed under the driver (CONFORMANCE-folio cram_deferred -> swapcache first, INV-FLUSH-BIT later).',
  },
];

/**
 * Design fixes: findings whose mend is not a small change to v4 but a design
 * decision the RFC would have to make; modelled so the tool can check that the
 * proposed design holds, and labelled as such.
 */
export const DESIGN_FIXES: readonly Fix[] = [
  {
    name: 'cram-alloc-checks-device',
    site: 'mm/cram.c: alloc_cram_folio (+ a driver headroom query)',
    mends: 'INV-DEVICE-CAPACITY',
    config: 'pressure',
    description:
      'DESIGN CHANGE, not in v4: alloc_cram_folio reads the device headroom synchronously (a driver callback) and refuses a folio that might not fit uncompressed. In v4 the only brake is the threaded lthresh IRQ (cram_set_pressure S3 sets migration_blocked), so demotions between the device edge and the IRQ thread, or before the probe has requested the IRQs at all, overcommit the device (finding device-capacity-irq-latency). Concurrent demoters in the kernel would need a reservation; the model migrates in one step, so the read suffices there.',
  },
];

export const FIXES: readonly Fix[] = [...CRAM_FIXES, ...MM_FIXES, ...ALLOC_FIXES, ...DESIGN_FIXES];
