// Why a machine transition may be unreachable in the modelled systems: a table,
// so every uncovered transition in a coverage report is either explained here
// or shown as a gap. Each reason cites what in v4 (or in the model's step
// granularity) keeps the transition from happening.

import type { MachineEdge } from '../../models/machine_graph.ts';

interface Reason {
  readonly machine: string;
  readonly matches: (e: MachineEdge) => boolean;
  readonly reason: string;
}

const has = (e: MachineEdge, part: string): boolean => e.from.includes(part) || e.to.includes(part);

export const UNREACHABLE_REASONS: readonly Reason[] = [
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'offline_and_remove_private_memory' && e.from.includes('memory=online'),
    reason:
      'offline_and_remove_private_memory runs as steps (src/kernel/memory_hotplug.ts offlineAndRemoveStep): offline_pages isolates first (memory=offlining) and fails back through offline_rollback, so the region never goes from online to absent, or from online back to online, in one step (mm/memory_hotplug.c: offline_pages retry loop)',
  },
  {
    machine: 'folio',
    matches: (e) => e.event.type === 'HOTUNPLUG_MIGRATE' && e.to === 'offline',
    reason:
      'offline_pages migrates in one round of its retry loop and offlines the block in a later one (src/kernel/memory_hotplug.ts offlinePagesPass, doMigrateRangeStep: the migration runs in steps of its own): a migrated folio is first freed into the isolated pageblock, and its page goes offline with the block afterwards',
  },
  {
    machine: 'backpressure',
    matches: (e) => has(e, 'pressure=mid') || has(e, 'boost=partial') || /_(mid|partial)/.test(e.event.type),
    reason: 'the CXL driver only sends 1000 (lthresh) and 0 (hthresh): intermediate pressure is API-only (drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_lthresh_irq, cxl_compression_hthresh_irq)',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'add_memory_driver_managed' || (e.event.type === 'online_pages' && e.from.includes('memory=offline')),
    reason: 'the sysram driver adds private memory only through add_private_memory_driver_managed with MMOP_ONLINE_MOVABLE, which onlines in the same call (drivers/cxl/type3_drivers/cxl_compression/compression.c: convert_region_to_sysram; mm/memory_hotplug.c: add_private_memory_driver_managed)',
  },
  {
    machine: 'hotplug',
    matches: (e) => has(e, 'memory=offlining') || e.event.type === 'start_isolate_page_range' || e.event.type === 'offline_rollback',
    reason: 'offline_pages is one atomic step in the model (isolation, migration and the state change are not separately observable)',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'node_private_register',
    reason: 'the sysram driver registers np only inside add_private_memory_driver_managed (mm/memory_hotplug.c: add_private_memory_driver_managed); -EBUSY needs a second region on the node, and the configurations have one',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'node_private_unregister' || e.event.type === 'remove_memory' || (e.event.type === 'offline_pages' && e.from === 'memory=online'),
    reason: 'the driver removes and unregisters inside offline_and_remove_private_memory, in the step after the last offline_pages round, and offline_pages always isolates first, in a step of its own (memory=offlining), so online never goes straight to offline (mm/memory_hotplug.c: offline_pages, offline_and_remove_private_memory)',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'node_private_set_ops' || e.event.type === 'node_private_clear_ops' || e.from === 'service=ops' || e.event.type === 'cram_node_freed' && e.to === 'service=ops',
    reason:
      'set_ops/clear_ops outside cram_register/cram_unregister_private_node come only from the node_private_set_ops program op, which config ' +
      'nomig issues while CRAM owns the node (an overwrite: drivers/base/node.c: node_private_set_ops); no configuration registers another service on a node CRAM does not ' +
      'own, and clear_ops has no program op (npapi drives node_private_register/unregister and cram_register only)',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'offline_and_remove_private_memory' && e.from === 'memory=offline',
    reason: 'the driver starts offline_and_remove_private_memory only on memory it onlined (teardown, sysfs hotplug toggle); nothing offlines the private range alone before it',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'cram_register_private_node' && e.from === e.to,
    reason: 'the driver calls cram_register_private_node once per probe, right after onlining, with its own owner: -EINVAL and -EBUSY need another caller',
  },
  {
    machine: 'folio',
    matches: (e) => has(e, 'dram_migrating') || has(e, 'cram_migrating') || e.event.type === 'alloc_cram_folio',
    reason: 'migrate_pages is one atomic step in the model (src/kernel/migrate.ts): destinations are never seen locked-but-unmapped, sources never with migration entries between steps',
  },
  {
    machine: 'folio',
    matches: (e) => e.event.type === 'swapin_readahead',
    reason:
      'swapin_readahead is not modelled: do_swap_page allocates, adds to the swap cache and maps in one step (src/kernel/memory.ts doSwapPage, ' +
      'mm/memory.c: do_swap_page); the same state pair free -> swapcache is migrate_pages_swapcache (covered)',
  },
  {
    machine: 'folio',
    matches: (e) => (e.event.type === 'add_to_swap' && e.from === 'cram_isolated') || (e.event.type === 'folio_putback_lru' && e.from === 'swapcache' && e.to === 'cram'),
    reason:
      'add_to_swap runs only inside shrink_folio_list (src/kernel/vmscan.ts shrinkFolio); kswapd(P) has no demotion target, so it isolates and ' +
      'shrinks a CRAM folio in ONE step (kswapdStep: folio_isolate_lru + shrinkFolio), and the other isolators of CRAM folios (cram_fault F2, ' +
      'offline_pages, migrate_pages) never swap; swap-in never allocates on a private node (mm/memory.c: do_swap_page allocates without __GFP_PRIVATE)',
  },
  {
    machine: 'folio',
    matches: (e) => (e.event.type === 'folio_put' && e.from === 'cram_scrubbed') || (e.event.type === 'cxl_flush_buf_send' && e.to === 'cram_scrubbed'),
    reason:
      'R6 (the send zeroes a deferred folio and its folio_put does not free it) needs another reference held across the send; the only actor ' +
      'that takes one on a deferred folio is kswapd(P) (folio_try_get on a deferred folio left on the LRU, finding free-folio-after-lru-removal). ' +
      'kswapd(P) isolates and shrinks in one step (src/kernel/vmscan.ts kswapdStep) and holds the reference across steps only for a folio ' +
      'shrink_folio_list keeps (OP_KSWAPD_PUTBACK, until move_folios_to_lru). Without free-folio-after-lru-removal the send can land in that ' +
      'window (that finding\'s trace: refcount 3 -> 2, cram_deferred -> cram_scrubbed), but the coverage configs run dontneed with every fix on, ' +
      'where the fix keeps deferred folios off the LRU (cram_scrubbed not reached in 3,000,000 states, measured before the putback became a ' +
      'step of its own). Otherwise the model reaches cram_scrubbed only through cxl_flush_buf_reset of an unsent buffer ' +
      '(finding flush-swap-atomic, covered), which drops the references for good (EV_FREE_LEAK): no folio_put follows',
  },
  {
    machine: 'folio',
    matches: (e) => e.event.type === 'folio_put' && e.from === 'cram_isolated',
    reason:
      'cram_isolated is a MAPPED folio with an extra reference (models/abstraction.ts), and the mapping holds a reference, so no single put ' +
      'frees it; when another thread zaps the mapping under cram_fault (F2), the folio first reads as cram (zap_pte_range_isolated, covered) ' +
      'and the final put is cram --folio_put--> free (covered)',
  },
];

/** The reason an edge of `machine` is unreachable, or null if none is known. */
export function unreachableReason(machine: string, edge: MachineEdge): string | null {
  for (const r of UNREACHABLE_REASONS) if (r.machine === machine && r.matches(edge)) return r.reason;
  return null;
}
