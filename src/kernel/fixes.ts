// The fix catalogue: the smallest kernel change that mends each real v4
// finding, switched on by cfg.fixes (hasFix(cfg, name) at the site).
// Areas contribute their own lists; this file is the one list the CLI shows.
import { ALLOC_FIXES } from './mutants/alloc.ts';
import { MM_FIXES } from './mutants/mm.ts';
import { GUP_FIXES } from './mutants/gup.ts';
import { MEMCG_FIXES } from './mutants/memcg.ts';
import { MEMPOLICY_TASK_FIXES } from './mutants/mempolicy_task.ts';
import { CPUSET_FIXES } from './mutants/cpuset.ts';
import type { Fix } from './mutants/types.ts';

export const CRAM_FIXES: readonly Fix[] = [
  {
    name: 'set-pressure-serialized',
    site: 'mm/cram.c: cram_set_pressure',
    mends: 'INV-BACKPRESSURE-COHERENT',
    // irq-applies-device-level takes the same mutex (and applies the device's level): it mends this too.
    alsoOff: ['irq-applies-device-level'],
    description:
      'Take a per-node mutex around S2-S4 (pressure, migration_blocked, boost). In v4 the lthresh and hthresh IRQ threads run cram_set_pressure concurrently with no lock, so an interleaving can end with pressure 0 and migration_blocked 1 (or pressure 1000 and demotion allowed) until the next edge (cxl_compression_lthresh_irq and cxl_compression_hthresh_irq both call it).',
  },
  {
    name: 'cram-unregister-clears-backpressure',
    site: 'mm/cram.c: cram_unregister_private_node',
    mends: 'INV-BACKPRESSURE-COHERENT',
    config: 'driver',
    // The re-registration its trace needs is the re-probe over the np a signalled teardown left
    // registered, going on after its own hot-add failed: the second bug sysram-add-fails-probe mends.
    alsoOff: ['sysram-add-fails-probe'],
    description:
      'Reset np->migration_blocked and the zone watermark_boost/ZONE_BOOSTED when CRAM unregisters: at the unpublish and again after the refcount drain (an lthresh IRQ thread holding the cn can run S3/S4 in between), the second reset under cram_mutex and only while no newer cram_node is published (with two compression regions the other region can register one during the drain). v4 leaves them, so a re-registered node starts at pressure 0 while still blocked and boosted (mm/cram.c: cram_unregister_private_node resets neither; cram_register_private_node starts at pressure 0).',
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
  {
    name: 'sysram-add-fails-probe',
    site: 'drivers/cxl/core/region_sysram.c: devm_cxl_add_sysram',
    mends: 'INV-NP-OPS-OWNER',
    config: 'tworegions',
    description:
      'devm_cxl_add_sysram returns the error of a private region\'s hot-add (sysram_hotplug_add) instead of only warning, so the driver\'s probe fails before it touches the node. In v4 two CXL regions on one node (one fixed memory window) each embed their own np; the second region\'s node_private_register returns -EBUSY, devm_cxl_add_sysram warns and returns 0, and the driver goes on: cxl_mempolicy\'s setup_private_node calls node_private_set_ops on the node, which overwrites the compression region\'s cram_ops in the first region\'s np (compressed memory loses PROTECT_WRITE, free_folio and handle_fault), and cxl_compression\'s convert_region_to_sysram registers CRAM over the other region\'s memory with a flush context that does not cover it.',
  },
];

/** Fixes of findings on the cover letter's NP_OPS claims (issue 12). */
export const CLAIM_FIXES: readonly Fix[] = [
  {
    name: 'memory-failure-cb-under-rcu',
    site: 'mm/internal.h: folio_managed_memory_failure',
    mends: 'INV-NO-OPS-AFTER-UNREGISTER',
    config: 'hwpoison',
    description:
      'Call ops->memory_failure inside the rcu_read_lock of the ops read (the callback is a notification and must not sleep), or take a temporary np reference as node_private_migrate_to does. In v4 folio_managed_memory_failure reads the ops with folio_node_private_ops, which drops RCU before the call, and memory_failure calls it before get_hwpoison_page: for a free page nothing pins the node, so the memory can be offlined and node_private_unregister can return (its synchronize_rcu has no reader to wait for) before the callback of the old ops runs. The header of include/linux/node_private.h calls it a "folio-referenced callback", which it is not.',
  },
  {
    name: 'oom-mems-intersect-private',
    site: 'mm/oom_kill.c: oom_mems_intersect',
    mends: 'INV-OOM-CPUSET-SKIP',
    config: 'oomsibling',
    description:
      'Walk N_MEMORY and N_MEMORY_PRIVATE in oom_mems_intersect (for_each_node_state over both, keeping the node_oom_eligible test), so that two tasks whose mems_allowed share an OOM-eligible private node intersect. In v4 the loop walks N_MEMORY only: a private node is never N_MEMORY, so the node_oom_eligible test inside is dead and the comment ("we omit private nodes that aren\'t eligible") does not hold; with sibling cpusets that share only an OOM-eligible private node (guarantee_online_mems keeps each cpuset\'s private nodes in its tasks\' mems_allowed), the OOM killer never considers the process holding that node\'s memory, though constrained_alloc counts the node in totalpages.',
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
  {
    name: 'oom-badness-eligible-rss',
    site: 'mm/oom_kill.c: oom_badness (+ per-node RSS counters)',
    mends: 'INV-OOM-VICTIM',
    config: 'oom',
    description:
      'DESIGN CHANGE, not in v4: oom_badness counts only the RSS a process holds on OOM-eligible nodes (N_MEMORY, or private with NP_OPS_OOM_ELIGIBLE), which needs per-node RSS accounting the kernel does not keep. In v4 the flag reaches only oom_mems_intersect, which walks N_MEMORY nodes (a private node never is one, so its node_oom_eligible test never sees one) and constrained_alloc\'s constraint and totalpages; with one cpuset every process is eligible and oom_badness counts get_mm_rss whatever node the pages are on, so a process whose memory sits on a private node that is not OOM-eligible is killed for a DRAM allocation it cannot relieve.',
  },
  // Memory cgroups (issue 12 item 12, mutants/memcg.ts).
  ...MEMCG_FIXES,
];

/**
 * Fixes of liveness findings (counterexamples/liveness/findings/): `mends` is
 * a temporal property; `cramcheck findings` reproduces them with the liveness
 * checker (a lasso) instead of a safety trace.
 */
export const LIVENESS_FIXES: readonly Fix[] = [
  {
    name: 'irq-applies-device-level',
    site: 'compression.c: cxl_compression_lthresh_irq / cxl_compression_hthresh_irq, convert_region_to_sysram (+ a device threshold-status read)',
    mends: 'LIVE-PRESSURE-RELIEF',
    config: 'tiny',
    description:
      'DESIGN CHANGE, not in v4: each threshold IRQ thread applies the device\'s current threshold level (a status read under the pressure mutex of set-pressure-serialized: high -> cram_set_pressure(nid, CRAM_PRESSURE_MAX), low -> 0) instead of the level its vector stands for, and convert_region_to_sysram wakes the lthresh thread once after requesting the IRQs if the device is already high (irq_wake_thread). In v4 the lthresh and hthresh handlers are two threaded IRQs with nothing ordering them: an older edge\'s cram_set_pressure can run after a newer one\'s, and the edge-triggered device never corrects the stale pressure (finding irq-edge-reorder: pressure 0 with the device above lthresh, or demotion blocked and the boost up on an empty device, for good); and a re-probe registers CRAM at pressure 0 while the device stays above lthresh, with no new edge to come.',
  },
  {
    name: 'cram-pressure-revives-kswapd',
    site: 'mm/cram.c: cram_set_pressure (+ atomic_set(&NODE_DATA(nid)->kswapd_failures, 0) before wakeup_kswapd), cram_migrate_to (+ the same reset and wakeup_kswapd once folios landed on a boosted P)',
    mends: 'LIVE-PRESSURE-RELIEF',
    config: 'tiny',
    description:
      'cram_set_pressure resets the private node\'s kswapd_failures before its wakeup_kswapd when it raises the boost, as a direct reclaim\'s progress would (shrink_node), and cram_migrate_to does the same (reset, wakeup_kswapd) once folios landed on P while its boost is up (a kswapd(P) woken by the lthresh edge can give up while the demotion that raised the edge is still in flight). In v4 a kswapd(P) woken while P holds nothing it can evict (its folios deferred in the flush buffers, swapped out or isolated) runs MAX_RECLAIM_RETRIES fruitless balance_pgdat passes back to back and gives up; wakeup_kswapd then returns early for the hopeless node ("leave it to direct reclaim"), but no direct reclaim ever scans a private node (left out of every fallback zonelist, memcg reclaim included) and free_frozen_page_commit\'s reset needs the zone above its high watermark, which the boost of CRAM_PRESSURE_MAX (the whole zone) rules out: once folios are demoted to P again and the device crosses lthresh, CRAM\'s boost never wakes kswapd(P) and nothing evicts them (finding kswapd-hopeless-private).',
  },
];

export const FIXES: readonly Fix[] = [...CRAM_FIXES, ...MM_FIXES, ...ALLOC_FIXES, ...DESIGN_FIXES, ...CLAIM_FIXES, ...GUP_FIXES, ...LIVENESS_FIXES, ...MEMPOLICY_TASK_FIXES, ...CPUSET_FIXES];
