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
    machine: 'backpressure',
    matches: (e) => has(e, 'pressure=mid') || has(e, 'boost=partial') || /_(mid|partial)/.test(e.event.type),
    reason: 'the CXL driver only sends 1000 (lthresh) and 0 (hthresh): intermediate pressure is API-only (SEMANTICS 6.5, 7.1)',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'add_memory_driver_managed' || (e.event.type === 'online_pages' && e.from.includes('memory=offline')),
    reason: 'the sysram driver adds private memory only through add_private_memory_driver_managed with MMOP_ONLINE_MOVABLE, which onlines in the same call (SEMANTICS 7.2, 5.1)',
  },
  {
    machine: 'hotplug',
    matches: (e) => has(e, 'memory=offlining') || e.event.type === 'start_isolate_page_range' || e.event.type === 'offline_rollback',
    reason: 'offline_pages is one atomic step in the model (isolation, migration and the state change are not separately observable)',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'node_private_register',
    reason: 'the sysram driver registers np only inside add_private_memory_driver_managed (SEMANTICS 5.1, 7.2); -EBUSY needs a second region on the node, and the configurations have one',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'node_private_unregister' || e.event.type === 'remove_memory' || (e.event.type === 'offline_pages' && e.from === 'memory=online'),
    reason: 'the driver offlines, removes and unregisters through offline_and_remove_private_memory, one step in the model (SEMANTICS 5.3, 7.5)',
  },
  {
    machine: 'hotplug',
    matches: (e) => e.event.type === 'node_private_set_ops' || e.event.type === 'node_private_clear_ops' || e.from === 'service=ops' || e.event.type === 'cram_node_freed' && e.to === 'service=ops',
    reason: 'no actor of the kernel system calls set_ops/clear_ops outside cram_register/cram_unregister_private_node (cfg.opsTables services are driven by tests only)',
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
      'mm/memory.c: do_swap_page). (The same state pair free -> swapcache is taken by migrate_pages moving an unmapped swap-cache folio, ' +
      'which the default configs do not reach; with MADV_DONTNEED after a swap-out and --fix all it is reached and then reported as covered.)',
  },
  {
    machine: 'folio',
    matches: (e) => (e.event.type === 'add_to_swap' && e.from === 'cram_isolated') || (e.event.type === 'folio_putback_lru' && e.from === 'swapcache' && e.to === 'cram'),
    reason:
      'add_to_swap runs only inside shrink_folio_list (src/kernel/vmscan.ts shrinkFolio); kswapd(P) has no demotion target, so it isolates and ' +
      'shrinks a CRAM folio in ONE step (kswapdStep: folio_isolate_lru + shrinkFolio), and the other isolators of CRAM folios (cram_fault F2, ' +
      'offline_pages, migrate_pages) never swap; swap-in never allocates on a private node (SEMANTICS 2.5, doSwapPage without __GFP_PRIVATE)',
  },
  {
    machine: 'folio',
    matches: (e) => e.event.type === 'folio_put' && e.from === 'cram_scrubbed',
    reason:
      'the faithful model reaches cram_scrubbed only through the flush kthread race (non-atomic active/spare swap, fix flush-swap-atomic): ' +
      'cxl_flush_buf_reset of a buffer still holding folios drops their references for good (src/cxl/compression.ts flushBufReset, EV_FREE_LEAK), ' +
      'so no folio_put ever frees them; the R6 path (another reference at send time) needs a folio_try_get on a deferred folio, which no modelled actor does ' +
      '(with flush-swap-atomic on, cram_scrubbed is not reached in 300k states of config flush)',
  },
];

/** The reason an edge of `machine` is unreachable, or null if none is known. */
export function unreachableReason(machine: string, edge: MachineEdge): string | null {
  for (const r of UNREACHABLE_REASONS) if (r.machine === machine && r.matches(edge)) return r.reason;
  return null;
}
