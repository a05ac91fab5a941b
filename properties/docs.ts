// What each invariant says, why it matters and where it comes from: the one
// table behind `cramcheck explain`, `cramcheck list invariants` and
// docs/invariants.md. Citations a reader can follow: the kernel source as
// `file: function` (the v4 patch code, KERNEL_TREE below; files that tree
// lacks are the v4 patch mails' versions, or mainline) and a sentence of the
// RFC cover letter (RFC_COVER_LETTER), quoted verbatim where one says it.
//
// Every property a kernel System reports (properties/index.ts PROPERTY_ORDER,
// CONFORMANCE-<machine>, DEADLOCK) must have an entry: test/properties/docs.test.ts
// names any that lack one.

/** The v4 patch code every `kernel` citation refers to. */
export const KERNEL_TREE = 'https://github.com/katherinemohr/ltram-linux/tree/bc4b49e8fbde8fdfe17b7f2bd04fd8880a27e25f';

/** The RFC cover letter every `rfc` quote comes from (a copy is docs/rfc-v4-cover-letter.txt). */
export const RFC_COVER_LETTER = 'https://lore.kernel.org/all/20260222084842.1824063-1-gourry@gourry.net/';

/** The CXL compression driver of v4, cited by its path in KERNEL_TREE. */
const COMPRESSION = 'drivers/cxl/type3_drivers/cxl_compression/compression.c';

export interface PropertyDoc {
  /** One line: what must hold (for `cramcheck list invariants`). */
  readonly summary: string;
  /** What it says, in kernel terms: a short paragraph. */
  readonly statement: string;
  /** Why it matters: what breaks in a real kernel when it does not hold. */
  readonly why: string;
  /** Kernel sources as 'path: function' (KERNEL_TREE). */
  readonly kernel: readonly string[];
  /** The cover-letter sentence it comes from, verbatim; null where the cover letter does not say it. */
  readonly rfc: string | null;
}

export const PROPERTY_DOCS: Readonly<Record<string, PropertyDoc>> = {
  'INV-STATE-EXCL': {
    summary: 'no node is both N_MEMORY and N_MEMORY_PRIVATE; an N_MEMORY node never has pgdat->private set',
    statement:
      'For every node, N_MEMORY and N_MEMORY_PRIVATE never hold together, and a node with N_MEMORY never carries pgdat->private. ' +
      'node_private_register refuses an N_MEMORY node with -EBUSY, and online_pages sets exactly one of the two states when the ' +
      'first block comes online, choosing by pgdat->private.',
    why:
      'Every isolation rule keys on the node state: zonelists, numa_zone_alloc_allowed and the folio_is_private_managed hooks ' +
      'treat an N_MEMORY node as ordinary RAM. A node in both states hands driver-owned memory to general allocations.',
    kernel: ['drivers/base/node.c: node_private_register', 'mm/memory_hotplug.c: online_pages', 'mm/memory_hotplug.c: offline_pages'],
    rfc: 'N_MEMORY and N_MEMORY_PRIVATE are mutually exclusive -- registration fails with -EBUSY if the node already has N_MEMORY set.',
  },
  'INV-PRIVATE-REG': {
    summary: 'an N_MEMORY_PRIVATE node has pgdat->private set and a registered node_private',
    statement:
      'If a node is N_MEMORY_PRIVATE, pgdat->private is set and pgdat->node_private points at a registered struct node_private. ' +
      'node_private_unregister refuses with -EBUSY while N_MEMORY_PRIVATE is set, so the np outlives the node\'s online private memory.',
    why:
      'Every hook on a private folio reads the node\'s np and its ops (node_private_flags, the callback dispatch): a private node ' +
      'without its np sends memory the driver owns down the generic paths.',
    kernel: ['drivers/base/node.c: node_private_unregister', 'drivers/base/node.c: node_private_register', 'mm/memory_hotplug.c: offline_pages'],
    rfc: 'It refuses to unregister (-EBUSY) if N_MEMORY_PRIVATE is still set (other memory ranges remain).',
  },
  'INV-PRIVATE-STAYS-PRIVATE': {
    summary: 'a block added by add_private_memory_driver_managed is online only while its node is N_MEMORY_PRIVATE',
    statement:
      'A memory block that add_private_memory_driver_managed added for a node_private is online only while its node is ' +
      'N_MEMORY_PRIVATE: driver-managed memory never comes online as ordinary N_MEMORY (online_pages picks the state from pgdat->private).',
    why:
      'Private memory online as N_MEMORY is reachable by every allocator in the kernel: CRAM\'s compressed memory would take ' +
      'ordinary allocations and writes behind the device\'s back.',
    kernel: ['mm/memory_hotplug.c: add_private_memory_driver_managed', 'mm/memory_hotplug.c: online_pages', 'drivers/base/node.c: node_private_unregister'],
    rfc: 'When online_pages() runs, it checks pgdat->private and sets N_MEMORY_PRIVATE instead of N_MEMORY.',
  },
  'INV-ISOLATION-ALLOC': {
    summary: 'a page of a private node is allocated only with __GFP_PRIVATE and that node as the preferred nid',
    statement:
      'Every folio allocated from a zone of a private node P was requested with __GFP_PRIVATE and preferred nid P. ' +
      'numa_zone_alloc_allowed rejects a private zone without __GFP_PRIVATE, and build_zonelists keeps P out of every other ' +
      'node\'s zonelists. alloc_contig_pages walks node_zonelist(nid) without that check; it is judged by the same rule.',
    why: 'This is the isolation the RFC is about: no existing allocation path may reach private memory by accident.',
    kernel: ['mm/page_alloc.c: numa_zone_alloc_allowed', 'mm/page_alloc.c: get_page_from_freelist', 'mm/page_alloc.c: build_zonelists', 'mm/page_alloc.c: alloc_contig_pages'],
    rfc: 'No existing allocator path sets __GFP_PRIVATE, so private nodes are unreachable by default.',
  },
  'INV-ZONELIST': {
    summary: "no normal node's zonelist holds a private zone; P's lists are its own zones (then N_MEMORY zones); no list holds two private nodes",
    statement:
      '(a) The FALLBACK and NOFALLBACK zonelists of a normal node contain no zone of a private (or driver-reserved) node; ' +
      '(b) a private node P\'s NOFALLBACK list is exactly P\'s populated zones, and its FALLBACK list is P\'s zones first, ' +
      'followed only by zones of N_MEMORY nodes; (c) no zonelist holds zones of two private nodes.',
    why:
      'Zonelists are how every allocation falls back from one node to the next: a private zone in a normal node\'s list is ' +
      'reachable by plain fallback, and one private node falling back to another puts one driver\'s allocations in another\'s memory.',
    kernel: ['mm/page_alloc.c: build_zonelists', 'mm/page_alloc.c: find_next_best_node'],
    rfc: 'Zonelist construction gives private nodes a self-only NOFALLBACK list and an N_MEMORY fallback list (so kernel/slab allocations on behalf of private node work can fall back to DRAM).',
  },
  'INV-MPOL': {
    summary: 'a live mempolicy names a private node only if its ops have NP_OPS_MEMPOLICY; MPOL_F_PRIVATE is set exactly then',
    statement:
      'For the policy of every mapped VMA and every task policy (set_mempolicy): each N_MEMORY_PRIVATE node in the nodemask has NP_OPS_MEMPOLICY in its ops, and ' +
      'MPOL_F_PRIVATE is set exactly when the nodemask holds a private node. mpol_set_nodemask refuses (-EINVAL) a mask with a ' +
      'private node lacking the flag; mpol_rebind_nodemask drops such nodes and recomputes MPOL_F_PRIVATE.',
    why:
      'MPOL_F_PRIVATE is what makes a policy allocation pass __GFP_PRIVATE: a stale flag or a node that never opted in lets ' +
      'user allocations land on private memory.',
    kernel: ['mm/mempolicy.c: mpol_set_nodemask', 'mm/mempolicy.c: mpol_rebind_nodemask', 'mm/mempolicy.c: vma_alloc_folio_noprof'],
    rfc: 'NP_OPS_MEMPOLICY - Node supports mempolicy actions',
  },
  'INV-RO': {
    summary: 'no present writable PTE maps a folio on a private node whose ops have NP_OPS_PROTECT_WRITE',
    statement:
      'In every live mm, no present PTE mapping a folio on an N_MEMORY_PRIVATE node whose ops have NP_OPS_PROTECT_WRITE is ' +
      'writable. Migration onto the node write-protects the new PTE (folio_managed_fixup_migration_pte), and mprotect, NUMA ' +
      'hinting faults and swap-in must not upgrade it. The check is per PTE and per page: every page of a large folio, its ' +
      'compound tails included, has a PTE of its own, each of which remove_migration_pte must write-protect.',
    why:
      'CRAM\'s safety rests on read-only mappings: a write to compressed memory can ruin its compression ratio behind the ' +
      'allocator\'s back and overcommit the device. Every write must fault into handle_fault, which promotes the folio to DRAM first.',
    kernel: ['mm/internal.h: folio_managed_fixup_migration_pte', 'mm/mprotect.c: change_pte_range', 'mm/memory.c: do_numa_page', 'mm/memory.c: do_swap_page', 'mm/cram.c: cram_ops (NP_OPS_PROTECT_WRITE)'],
    rfc: 'This MVP takes a conservative position: all compressed memory is mapped read-only.',
  },
  'INV-WRITE-PATH': {
    summary: "a private page's contents change only by a migration copy into a folio allocated while not blocked, or by a scrub",
    statement:
      'The contents of a page on a private node change only through a migration copy into a folio that alloc_cram_folio ' +
      'allocated while migration_blocked was clear, or through the scrub of a freed folio (cram_zero_folio, the device\'s media ' +
      'zero). Any other store breaks it: a user write through a writable PTE, write(2) into a demoted page-cache folio, a copy ' +
      'into a folio allocated while blocked.',
    why:
      'The device can stay ahead of compression loss only if nothing writes compressed memory in place: writes must go ' +
      'through promotion to DRAM.',
    kernel: ['mm/cram.c: alloc_cram_folio', 'mm/cram.c: cram_fault', 'mm/cram.c: cram_zero_folio', 'mm/migrate.c: migrate_pages'],
    rfc: 'The device only ever sees net compression (demotion in) and explicit decompression (promotion out via fault or reclaim), and has a much wider timeframe to respond to poor compression scenarios.',
  },
  'INV-NO-OVERCOMMIT': {
    summary: "at pressure 1000 the device's use grows by at most the one demotion batch already in flight",
    statement:
      'While a CRAM node\'s pressure is CRAM_PRESSURE_MAX (1000), the device\'s physical use does not grow by more than the one ' +
      'demotion batch that may be past its checks when the pressure rose (each page at most its incompressible cost). The brakes ' +
      'are can_demote and alloc_cram_folio (both read migration_blocked; alloc_cram_folio per folio) and cram_migrate_to (-ENOSPC).',
    why:
      'Back-pressure is the "bear-proof cage": once the device reports it is full, demotion must stop, or the device runs out ' +
      'of physical memory and corrupts data.',
    kernel: ['mm/cram.c: cram_migrate_to', 'mm/cram.c: alloc_cram_folio', 'mm/vmscan.c: can_demote', 'mm/vmscan.c: demote_folio_list'],
    rfc: 'The backpressure system is our bear-proof cage: the driver reports real device utilization (generalized via watermark_boost on the private node\'s zone), and CRAM throttles demotion when capacity is tight.',
  },
  'INV-BACKPRESSURE-COHERENT': {
    summary: 'between cram_set_pressure calls: migration_blocked <=> pressure >= 1000, and watermark_boost = managed * pressure / 1000',
    statement:
      'Whenever no cram_set_pressure call is in flight, for every published cram_node: np->migration_blocked is set exactly when ' +
      'pressure >= CRAM_PRESSURE_MAX, and the watermark_boost of the node\'s first managed zone is managed * pressure / 1000. ' +
      'cram_set_pressure writes the three fields in separate unlocked steps, from two independent IRQ threads.',
    why:
      'Different brakes read different fields (cram_migrate_to the pressure, can_demote and alloc_cram_folio migration_blocked, ' +
      'kswapd the boost): when they disagree, demotion runs on at full pressure, or stays blocked with nothing left to unblock it.',
    kernel: ['mm/cram.c: cram_set_pressure', `${COMPRESSION}: cxl_compression_lthresh_irq`, `${COMPRESSION}: cxl_compression_hthresh_irq`, 'mm/cram.c: cram_unregister_private_node'],
    rfc: 'If compression ratios are bad, we stop demoting pages and start evicting pages aggressively.',
  },
  'INV-SCRUB': {
    summary: 'every free page of a private node in the buddy allocator is zeroed',
    statement:
      'Every page of a private node that is free in the buddy allocator holds zero: a folio freed on P is zeroed by the CPU ' +
      '(cram_zero_folio), by the device (the media-ops zero in cxl_flush_buf_send) or by init_on_free before it reaches the buddy.',
    why:
      'Stale contents in a free page leak one owner\'s data to the next, and a page the device has not zeroed keeps ' +
      'consuming compressed capacity.',
    kernel: ['mm/cram.c: cram_free_folio_cb', 'mm/cram.c: cram_zero_folio', `${COMPRESSION}: cxl_flush_buf_send`, 'mm/swap.c: __folio_put', 'mm/swap.c: folios_put_refs'],
    rfc: 'free_folio scrubs stale data before buddy free.',
  },
  'INV-FLUSH-BIT': {
    summary: "a folio's flush_record bit is set exactly while it is in one flush buffer (or its send is in flight); no folio is in two",
    statement:
      'For every page of P: it is in at most one flush buffer; while it is in one, its flush_record bit is set; and a set bit ' +
      'with the page in no buffer is allowed only while a send is in flight (the folio is being freed a second time) or once ' +
      'nothing can read the bitmap again (CRAM\'s ops cleared). cxl_compression_flush_cb sets the bit when it defers a free and ' +
      'test_and_clears it on the second free.',
    why:
      'The bit decides whether a free is "the free after our own flush" and may skip the scrub: a stale bit lets a reused page ' +
      'reach the buddy unscrubbed, and a folio in two buffers is put twice.',
    kernel: [`${COMPRESSION}: cxl_compression_flush_cb`, `${COMPRESSION}: cxl_flush_buf_send`, `${COMPRESSION}: cxl_flush_kthread_fn`, `${COMPRESSION}: cxl_flush_overflow_work`],
    rfc: null,
  },
  'INV-NO-OPS-AFTER-UNREGISTER': {
    summary: 'after node_private_unregister returns 0, no callback of the old ops runs and no thread holds the old np',
    statement:
      'Once node_private_unregister has returned 0, no callback of the ops that were set on that np runs any more, and no ' +
      'thread holds a reference to the np (node_private_migrate_to\'s temporary reference). Unregister clears the pointer, ' +
      'waits for synchronize_rcu and drains the refcount; the driver may free the np after it returns.',
    why: 'The driver frees the np (and its ops\' private data) after unregister: a late callback or reference is a use after free.',
    kernel: ['drivers/base/node.c: node_private_unregister', 'include/linux/node_private.h: node_private_migrate_to', 'include/linux/node_private.h: node_private_ops'],
    rfc: 'node_private_unregister() clears pgdat->node_private and drops the refcount.',
  },
  'INV-NO-CRAM-AFTER-FREE': {
    summary: 'no thread uses a cram_node after cram_unregister_private_node freed it',
    statement:
      'No thread dereferences or holds a cram_node after it is freed. CRAM callbacks and cram_set_pressure take it with ' +
      'get_cram_node (RCU plus refcount_inc_not_zero); cram_unregister_private_node unpublishes it, waits for synchronize_rcu, ' +
      'spins on refcount_dec_if_one and only then frees it.',
    why: 'A CRAM callback racing the unregister (a fault, a free, an IRQ thread) would otherwise read freed memory.',
    kernel: ['mm/cram.c: get_cram_node', 'mm/cram.c: put_cram_node', 'mm/cram.c: cram_unregister_private_node'],
    rfc: null,
  },
  'INV-REFCOUNT-BALANCE': {
    summary: 'np and cram_node refcounts are 1 + their holders; NR_ISOLATED nets to 0; each deferral folio_get has its folio_put',
    statement:
      'A published np\'s refcount is 1 plus the threads inside node_private_migrate_to; a published cram_node\'s refcount is 1 ' +
      'plus the threads holding it (CRAM callbacks, cram_set_pressure); NR_ISOLATED_ANON/FILE are 0 whenever every thread is ' +
      'idle (cram_fault adds and removes nr); and the folio_get cxl_compression_flush_cb takes on a deferred free is matched by ' +
      'one folio_put in cxl_flush_buf_send, so no freed folio stays out of the buddy for good.',
    why:
      'A leaked reference makes unregister spin forever; a missing one frees a structure under its user; a leaked isolation ' +
      'count skews reclaim; a deferred folio never put is memory lost.',
    kernel: ['include/linux/node_private.h: node_private_migrate_to', 'mm/cram.c: get_cram_node', 'mm/cram.c: put_cram_node', 'mm/cram.c: cram_fault', `${COMPRESSION}: cxl_compression_flush_cb`, `${COMPRESSION}: cxl_flush_buf_send`],
    rfc: null,
  },
  'INV-LIFECYCLE-ORDER': {
    summary: 'register < online < set_ops <= clear_ops < last offline < unregister; a published cram_node sits on a registered private node',
    statement:
      'A private node\'s lifecycle calls succeed only in the order node_private_register < online (N_MEMORY_PRIVATE) < ' +
      'node_private_set_ops (cram_register_private_node) <= clear_ops < last offline < node_private_unregister; out of order ' +
      'they are refused (-ENODEV: set_ops before register; -EBUSY: unregister while online; -EINVAL: cram_register_private_node ' +
      'on a node that is not N_MEMORY_PRIVATE). In every state, a published cram_node sits on an N_MEMORY_PRIVATE node with a registered np.',
    why:
      'CRAM\'s ops and cram_node must not outlive the memory and np they manage: otherwise callbacks run for a node the driver ' +
      'has torn down.',
    kernel: [
      'drivers/base/node.c: node_private_set_ops', 'drivers/base/node.c: node_private_unregister', 'mm/cram.c: cram_register_private_node',
      'mm/memory_hotplug.c: add_private_memory_driver_managed', 'mm/memory_hotplug.c: offline_and_remove_private_memory', 'drivers/cxl/core/region_sysram.c: hotplug_store',
    ],
    rfc: 'Registration follows a strict order enforced by add_private_memory_driver_managed():',
  },
  'INV-DAEMONS': {
    summary: 'kswapd runs on a private node exactly while CRAM is registered on it and it is N_MEMORY_PRIVATE; kcompactd never',
    statement:
      'kswapd(P) exists only while CRAM is registered on P and P is N_MEMORY_PRIVATE, and a node with CRAM registered that is ' +
      'N_MEMORY_PRIVATE has its kswapd; kcompactd(P) runs only if a service starts it (none does). online_pages skips ' +
      'kswapd_run and kcompactd_run for private nodes; cram_register_private_node starts kswapd and cram_unregister_private_node stops it.',
    why:
      'kswapd(P) is CRAM\'s eviction engine, woken by the pressure boost: without it back-pressure cannot free the device; ' +
      'running on a node no service manages, it reclaims memory nobody asked it to.',
    kernel: ['mm/memory_hotplug.c: online_pages', 'mm/memory_hotplug.c: offline_pages', 'mm/cram.c: cram_register_private_node', 'mm/cram.c: cram_unregister_private_node'],
    rfc: 'kswapd and kcompactd are NOT started for private nodes.',
  },
  'INV-DEMOTION-TARGETS': {
    summary: 'a private node is a demotion target only while N_MEMORY_PRIVATE with NP_OPS_DEMOTION, and has no targets itself',
    statement:
      'A private node P is in a node\'s demotion targets only while P is N_MEMORY_PRIVATE and its ops have NP_OPS_DEMOTION ' +
      '(read live), and P itself has no demotion targets. establish_demotion_targets adds opted-in private nodes to the ' +
      'candidates, and only N_MEMORY nodes get targets.',
    why:
      'Demotion is how folios reach CRAM: a target whose ops lost the flag (or CRAM\'s migrate_to) gets folios it cannot ' +
      'take, and a private node with targets would demote compressed memory further.',
    kernel: ['mm/memory-tiers.c: establish_demotion_targets', 'mm/memory-tiers.c: memory_tier_refresh_demotion', 'drivers/base/node.c: node_private_clear_ops', 'mm/cram.c: cram_unregister_private_node'],
    rfc: 'NP_OPS_DEMOTION - Node appears in demotion target lists',
  },
  'INV-MIGRATE-GATE': {
    summary: 'a private folio whose ops lack NP_OPS_MIGRATION is never unmapped for migration',
    statement:
      'No folio on an N_MEMORY_PRIVATE node whose ops lack NP_OPS_MIGRATION is unmapped for migration (no migration entry ' +
      'maps it). try_to_migrate returns without unmapping such a folio (folio_managed_allows_migrate).',
    why: 'A node without MIGRATION has told mm its folios must not move: moving them anyway bypasses the driver that owns them.',
    kernel: ['mm/rmap.c: try_to_migrate', 'include/linux/node_private.h: folio_managed_allows_migrate', 'mm/migrate.c: migrate_pages'],
    rfc: 'NP_OPS_MIGRATION - Node supports migration',
  },
  'INV-FAULT-LOCK': {
    summary: 'handle_fault releases the PTL on every path, returns VM_FAULT_RETRY only with FAULT_FLAG_ALLOW_RETRY, keeps mmap_lock with RETRY_NOWAIT',
    statement:
      'A node_private handle_fault callback (cram_fault) releases the page-table lock on every return path, and returns ' +
      'VM_FAULT_RETRY (with the fault lock dropped) only when the fault has FAULT_FLAG_ALLOW_RETRY; a fault with ' +
      'FAULT_FLAG_RETRY_NOWAIT returns with the mmap lock still held; no idle thread holds a PTL. Faults come from user ' +
      'accesses (always ALLOW_RETRY) and from GUP (faultin_page: ALLOW_RETRY only for FOLL_UNLOCKABLE or FOLL_NOWAIT callers).',
    why:
      'A leaked PTL deadlocks the next fault on that page table; VM_FAULT_RETRY without ALLOW_RETRY breaks the fault ' +
      'handler\'s contract: get_user_pages() and get_user_pages_remote(locked = NULL) (ptrace) return 0 pages with the ' +
      'caller\'s mmap lock already dropped, and the caller unlocks it again; with RETRY_NOWAIT faultin_page leaves *locked set.',
    kernel: ['include/linux/node_private.h: node_private_ops (handle_fault)', 'mm/cram.c: cram_fault', 'mm/cram.c: cram_release_ptl', 'mm/memory.c: handle_pte_fault', 'mm/gup.c: faultin_page', 'mm/gup.c: __get_user_pages_locked'],
    rfc: 'handle_fault - mirrors the ZONE_DEVICE fault dispatch in handle_pte_fault() (do_wp_page path)',
  },
  'INV-DATA': {
    summary: 'a read returns what the program last wrote, wherever the page moved in between',
    statement:
      'Every read a user program does returns the value it last wrote to that address, whether the page stayed in DRAM, was ' +
      'demoted to the private node, promoted back by cram_fault, swapped out and in, or migrated away by an offline.',
    why: 'Tiering is meant to be transparent: lost or corrupted user data is the worst outcome there is.',
    kernel: ['mm/cram.c: cram_fault', 'mm/migrate.c: migrate_pages', 'mm/vmscan.c: demote_folio_list', 'mm/memory.c: do_swap_page'],
    rfc: 'If workloads write faster than the OS can reclaim from the device, we run out of real backing store and corrupt data or crash.',
  },
  'INV-FOLIO-GET-ZERO': {
    summary: 'folio_get is never called on a folio whose refcount is 0',
    statement:
      'No thread calls folio_get on a folio with refcount 0. The free_folio hook runs from __folio_put after the refcount ' +
      'reached 0; cxl_compression_flush_cb takes its deferral reference with folio_get, whose VM_BUG_ON_FOLIO fires on a zero ' +
      'refcount under CONFIG_DEBUG_VM.',
    why:
      'On a debug kernel it is a BUG; on any kernel it revives a folio the rest of mm considers free (a speculative ' +
      'folio_try_get then succeeds on it).',
    kernel: ['include/linux/mm.h: folio_get', `${COMPRESSION}: cxl_compression_flush_cb`, 'mm/swap.c: __folio_put', 'mm/internal.h: folio_managed_on_free'],
    rfc: "free_folio - mirrors ZONE_DEVICE's free_zone_device_page() hook in __folio_put() / folios_put_refs()",
  },
  'INV-DEVICE-CAPACITY': {
    summary: 'the compressed device never holds more than its physical capacity',
    statement:
      'The device\'s physical use never exceeds its physical capacity. v4 does no physical-versus-reported accounting: the ' +
      'thresholds live in the device, which raises the lthresh IRQ, and demotion stops only once the threaded handler has run ' +
      'cram_set_pressure(nid, 1000) (before the probe requests the IRQs, nothing stops it). Not a rule the v4 code states but ' +
      'what the device needs; kept apart from INV-NO-OVERCOMMIT so that one judges the brakes themselves.',
    why: 'When the compressed data no longer fits, the device corrupts data or crashes the machine: the failure the RFC exists to prevent.',
    kernel: [`${COMPRESSION}: cxl_compression_lthresh_irq`, `${COMPRESSION}: convert_region_to_sysram`, 'mm/cram.c: cram_set_pressure', 'mm/cram.c: alloc_cram_folio'],
    rfc: 'CXL devices with inline compression, for example, may corrupt data or crash the machine if the compression ratio drops below a threshold -- we simply run out of physical memory.',
  },
  'INV-NP-LIFETIME': {
    summary: "pgdat->node_private never points at an np whose owner (the CXL sysram) was freed",
    statement:
      'While a node\'s pgdat->node_private points at a struct node_private, the object that embeds it is alive. The CXL driver ' +
      'embeds np in struct cxl_sysram; cxl_sysram_release kfree()s the sysram, so it must not run while the np is still registered.',
    why:
      'Every private-node hook dereferences pgdat->node_private (ops, flags, refcount): a registered np inside freed memory is a ' +
      'use-after-free on every fault, free and demotion of the node, and the next probe\'s node_private_register fails with -EBUSY.',
    kernel: ['include/linux/node_private.h: struct node_private', 'drivers/cxl/core/region_sysram.c: cxl_sysram_release', 'drivers/base/node.c: node_private_unregister'],
    rfc: null,
  },
  'INV-NP-OPS-OWNER': {
    summary: 'the ops on a registered np are those of the driver that registered it (one driver per private node)',
    statement:
      'With two CXL regions on one private node (each region\'s sysram embeds its own np), while pgdat->node_private points at ' +
      'one region\'s np, its np->ops were written by that region\'s driver, not by the driver of the other region, whose own ' +
      'node_private_register was refused with -EBUSY.',
    why:
      'node_private_set_ops takes no owner and devm_cxl_add_sysram only warns when the hot-add (and so the registration) fails: ' +
      'the refused driver goes on and overwrites the registered driver\'s ops. CRAM\'s compressed memory then loses PROTECT_WRITE, ' +
      'free_folio and handle_fault (writes land on compressed memory, freed pages reach the buddy unscrubbed), or CRAM takes over ' +
      'the other region\'s memory with a flush context that does not cover it.',
    kernel: ['drivers/base/node.c: node_private_register', 'drivers/base/node.c: node_private_set_ops', 'drivers/cxl/core/region_sysram.c: devm_cxl_add_sysram', 'drivers/cxl/type3_drivers/cxl_mempolicy/mempolicy.c: setup_private_node', 'mm/cram.c: cram_register_private_node'],
    rfc: 'Only one driver may register per private node.',
  },
  'INV-MEM-SAFETY': {
    summary: 'no page is read, written, freed, referenced or mapped while it is free in the buddy (KASAN / DEBUG_VM)',
    statement:
      'At the moment it happens (inside a step, not only between steps): no read or write of a page\'s contents while the page is ' +
      'free in the buddy, no second free of a free page, no folio_get or folio_put on a free folio, and no present PTE set to a free page; ' +
      'out of bounds: no flush_record index outside the region, no node_possible(NUMA_NO_NODE), no __alloc_pages with preferred_nid MAX_NUMNODES (NODE_DATA past node_data[]).',
    why:
      'These are the use-after-free and double-free bugs KASAN and CONFIG_DEBUG_VM catch in a real kernel: data of another owner ' +
      'leaks or is corrupted, and the buddy allocator hands one page out twice.',
    kernel: ['mm/page_alloc.c: __free_one_page', 'include/linux/mm.h: folio_get', 'include/linux/page_ref.h: page_ref_dec_and_test', 'mm/memory.c: set_pte_at', 'mm/page_alloc.c: prepare_alloc_pages (node_zonelist)'],
    rfc: null,
  },
  'INV-MIGRATE-POST': {
    summary: 'a folio that node_private_migrate_to / migrate_to / a promotion reports moved is on the node it was moved to',
    statement:
      'When a migration reports success (migrate_pages\' nr_succeeded, cram_migrate_to\'s count, cram_fault\'s promotion), each folio ' +
      'counted as moved now lives on the target node (for a promotion: off the private node), and nr_succeeded equals the folios that left the list.',
    why:
      'Demotion accounting, back-pressure and the callers\' putback decisions trust these counts: a folio reported moved but left behind ' +
      'is freed or put back twice, or stays on compressed memory writable.',
    kernel: ['include/linux/node_private.h: node_private_migrate_to', 'mm/cram.c: cram_migrate_to', 'mm/cram.c: cram_fault', 'mm/migrate.c: migrate_pages'],
    rfc: 'migrate_to - demote_folio_list() custom demotion (same site as ZONE_DEVICE demotion rejection)',
  },
  'INV-ALLOC-POST': {
    summary: 'an allocation returns a page of a node and zone its gfp, preferred node, nodemask and cpuset allow',
    statement:
      '__alloc_pages returns a page whose zone is at or below gfp_zone(gfp), which is on the preferred node when __GFP_THISNODE is set, ' +
      'on a private node only with __GFP_PRIVATE and that node preferred, inside the nodemask, and inside the cpuset\'s mems unless the ' +
      'request may ignore them.',
    why:
      'Private memory handed to a general allocation breaks the isolation the series exists for; a page outside the caller\'s nodemask ' +
      'or zone breaks mempolicy, cpusets and DMA limits.',
    kernel: ['mm/page_alloc.c: numa_zone_alloc_allowed', 'mm/page_alloc.c: get_page_from_freelist', 'mm/page_alloc.c: prepare_alloc_pages', 'include/linux/gfp.h: gfp_zone'],
    rfc: 'No existing allocator path sets __GFP_PRIVATE, so private nodes are unreachable by default.',
  },
  'INV-NPAPI-ROWS': {
    summary: 'each errno a node_private API call returns leaves the state that row documents',
    statement:
      'node_private_register, node_private_set_ops, node_private_clear_ops and node_private_unregister each change nothing when they ' +
      'return an errno (-EINVAL, -EBUSY, -ENODEV), and leave exactly the documented state when they return 0 (np stored and pgdat->private ' +
      'set; ops published; ops cleared; np cleared with its reference dropped).',
    why:
      'Drivers unwind on the errno: a call that fails yet changed state leaves a half-registered node, ops that were refused, or an np ' +
      'the driver believes it still owns.',
    kernel: ['drivers/base/node.c: node_private_register', 'drivers/base/node.c: node_private_set_ops', 'drivers/base/node.c: node_private_clear_ops', 'drivers/base/node.c: node_private_unregister'],
    rfc: 'N_MEMORY and N_MEMORY_PRIVATE are mutually exclusive -- registration fails with -EBUSY if the node already has N_MEMORY set.',
  },
  'INV-NODE-STATE': {
    summary: 'N_MEMORY / N_MEMORY_PRIVATE exactly when the node has online memory of that kind; private, np, daemons and tiers agree',
    statement:
      'A node is N_MEMORY or N_MEMORY_PRIVATE exactly when it has an online block, N_MEMORY_PRIVATE exactly when pgdat->private is set; ' +
      'pgdat->private goes with a registered np; kswapd and kcompactd run for N_MEMORY nodes only; a node with memory sits in a memory ' +
      'tier and the demotion targets name only nodes with memory.',
    why:
      'Every allocation, reclaim and demotion decision reads these bits: a stale one sends demotion to a node without memory, starts ' +
      'kswapd on a private node, or loses a node from the fallback lists.',
    kernel: ['mm/memory_hotplug.c: online_pages', 'mm/memory_hotplug.c: offline_pages', 'drivers/base/node.c: node_private_register', 'mm/memory-tiers.c: establish_demotion_targets'],
    rfc: 'When the last block is offlined, N_MEMORY_PRIVATE is cleared automatically.',
  },
  'INV-FOLIO-REFS': {
    summary: "a folio's refcount is what its holders account for, its mapcount its present PTEs",
    statement:
      'For every folio not held by a thread in the middle of an operation: mapcount equals the present PTEs that map it, and refcount ' +
      'equals those mappings plus its page-cache slot, its swap-cache slot and its flush-buffer entries (the deferral list\'s folio_get).',
    why:
      'A reference nobody accounts for pins the folio forever (memory leak, offline never finishes); one too few frees it while mapped ' +
      '(use-after-free, data corruption).',
    kernel: ['include/linux/mm.h: folio_get', 'mm/rmap.c: folio_add_anon_rmap_pte', 'mm/filemap.c: filemap_add_folio', 'mm/swap_state.c: add_to_swap_cache'],
    rfc: null,
  },
  'INV-LONGTERM-PIN': {
    summary: 'a FOLL_LONGTERM pin is returned on a private-node folio only if the node\'s ops have NP_OPS_LONGTERM_PIN',
    statement:
      'When pin_user_pages(FOLL_LONGTERM) returns a pin, the pinned folio is not on an N_MEMORY_PRIVATE node whose ops (read at that ' +
      'moment) lack NP_OPS_LONGTERM_PIN. v4 makes folio_is_longterm_pinnable ask node_private_allows_longterm_pin for private folios, ' +
      'so check_and_migrate_movable_folios migrates an unpinnable one away (or fails the pin with -ENOMEM) instead of returning it. ' +
      'The flag is read live after the pin is taken, so a set_ops or clear_ops between the two is part of the check.',
    why:
      'A long-term pin freezes the folio: no migration, compaction, reclaim or hot-unplug while it lasts. A service that does not opt in ' +
      '(CRAM) relies on being able to move its folios (promotion, offline); a pin it did not allow would block its teardown for good.',
    kernel: ['include/linux/mm.h: folio_is_longterm_pinnable', 'drivers/base/node.c: node_private_allows_longterm_pin', 'mm/gup.c: check_and_migrate_movable_folios', 'mm/gup.c: migrate_longterm_unpinnable_folios'],
    rfc: 'NP_OPS_LONGTERM_PIN - Node supports longterm pinning',
  },
  'INV-OOM-VICTIM': {
    summary: 'the OOM killer does not kill a process whose memory is only on private nodes without NP_OPS_OOM_ELIGIBLE while another holds eligible memory',
    statement:
      'When out_of_memory kills a process, the victim holds memory on an OOM-eligible node (an N_MEMORY node, or a private node whose ops ' +
      'have RECLAIM and DEMOTION, NP_OPS_OOM_ELIGIBLE), unless no candidate does. Memory on a private node that is not OOM-eligible does ' +
      'not relieve the pressure the allocation failed under, so a process holding only such memory is the "undeserving victim" v4 patch 17 ' +
      'sets out to avoid. Flags are read at the kill.',
    why:
      'The kill frees nothing the failing allocation can use: the allocation fails again and a second process dies, while the one ' +
      'holding the memory that would have helped lives on.',
    kernel: ['mm/oom_kill.c: node_oom_eligible', 'mm/oom_kill.c: oom_mems_intersect', 'mm/oom_kill.c: constrained_alloc', 'mm/oom_kill.c: select_bad_process', 'mm/oom_kill.c: oom_badness'],
    rfc: 'NP_OPS_OOM_ELIGIBLE - (MIGRATION | DEMOTION), node is reachable as normal system ram storage, so it should be considered in OOM pressure calculations.',
  },
  'INV-OOM-CPUSET-SKIP': {
    summary: "the OOM killer's cpuset test does not skip a process holding memory on a full OOM-eligible node both cpusets allow",
    statement:
      'When a global OOM that is not mempolicy-constrained skips a candidate because oom_cpuset_eligible (oom_mems_intersect) finds no ' +
      "node shared by its and current's mems_allowed, the candidate holds no memory on a full node (no zone above its min watermark) " +
      "that both tasks' mems_allowed contain and that is OOM-eligible: an N_MEMORY node, or a private node whose ops have " +
      'NP_OPS_OOM_ELIGIBLE (RECLAIM | DEMOTION in v4). (A shared node with free pages would have relieved the pressure by allocation or ' +
      'demotion before the OOM; the model runs out_of_memory without direct reclaim, so the invariant asks for a full node.) The cover ' +
      'letter says such a private node "is reachable as normal system ram storage, so it should be considered in OOM pressure ' +
      "calculations\"; v4's oom_mems_intersect says it omits only the private nodes that are not eligible, and constrained_alloc counts " +
      "the eligible ones of current's mems in totalpages. Flags and mems are read at the skip.",
    why:
      "With sibling cpusets sharing an OOM-eligible private node (a CXL tier both containers demote to) and disjoint DRAM, the process " +
      "holding that node's memory is never considered: the OOM kills current (or no one) though freeing the shared node would let " +
      "reclaim demote current's DRAM pages there.",
    kernel: ['mm/oom_kill.c: oom_mems_intersect', 'mm/oom_kill.c: oom_cpuset_eligible', 'mm/oom_kill.c: oom_evaluate_task', 'mm/oom_kill.c: constrained_alloc', 'kernel/cgroup/cpuset.c: guarantee_online_mems'],
    rfc: 'NP_OPS_OOM_ELIGIBLE - (MIGRATION | DEMOTION), node is reachable as normal system ram storage, so it should be considered in OOM pressure calculations.',
  },
  'INV-HWPOISON': {
    summary: 'a hwpoisoned page never goes back to the buddy and is never handed out again',
    statement:
      'Once memory_failure has set PageHWPoison on a page and finished, the page is not free in the buddy (a free page is taken off ' +
      'it, an in-use page is kept out of it when freed: free_pages_prepare) and the allocator never hands it out. On a private node ' +
      'v4 adds a notification, node_private_ops->memory_failure, before the kernel\'s own handling, which must not change this.',
    why:
      'A poisoned page handed out again feeds corrupt data to its next user, or machine-checks the kernel on the next read.',
    kernel: ['mm/memory-failure.c: memory_failure', 'mm/internal.h: folio_managed_memory_failure', 'mm/page_alloc.c: take_page_off_buddy', 'mm/page_alloc.c: free_pages_prepare'],
    rfc: 'memory_failure - parallels memory_failure_dev_pagemap(), but for online pages that enter the normal hwpoison path',
  },
  'INV-MPOL-NONEMPTY': {
    summary: 'a live MPOL_BIND or MPOL_INTERLEAVE policy (task or VMA) names at least one node',
    statement:
      'For every task policy and every mapped VMA\'s policy of mode BIND or INTERLEAVE the nodemask is not empty. mpol_new refuses an ' +
      'empty mask (-EINVAL) and mpol_rebind_nodemask falls back to the new mems when the remapped (or STATIC / RELATIVE) mask is empty; ' +
      'v4 then drops private nodes lacking NP_OPS_MEMPOLICY, on the grounds that "cpusets guarantees at least one N_MEMORY node".',
    why:
      'An empty BIND names nothing: policy_nodemask then applies no nodemask and the task allocates from its local node\'s fallback ' +
      'list, outside the nodes it bound itself to; an empty INTERLEAVE has no node to interleave over (interleave_nodes returns MAX_NUMNODES).',
    kernel: ['mm/mempolicy.c: mpol_new', 'mm/mempolicy.c: mpol_rebind_nodemask', 'mm/mempolicy.c: mpol_relative_nodemask', 'mm/mempolicy.c: policy_nodemask'],
    // No cover-letter sentence: sourced from v4's own mpol_rebind_nodemask comment and mpol_new.
    rfc: null,
  },
  'INV-CRAM-INBOUND': {
    summary: 'a folio reaches a CRAM node only by demotion',
    statement:
      'No migration other than demotion (reason MR_DEMOTION, through demote_folio_list and cram_migrate_to) moves a folio onto a node ' +
      'whose ops are cram_ops: not move_pages, not mbind, not the do_migrate_pages of a cpuset.mems write (cpuset.memory_migrate).',
    why:
      'CRAM\'s safety argument is that the device only sees net compression from demotion, throttled by back-pressure at the ' +
      'allocation; user-directed migrations bypass reclaim\'s choice of cold folios and put hot, writable data on compressed memory.',
    kernel: ['mm/cram.c: cram_migrate_to', 'mm/migrate.c: migrate_folios_to_node', 'mm/mempolicy.c: migrate_to_node', 'kernel/cgroup/cpuset.c: cpuset_migrate_mm'],
    rfc: 'Folios reach the private node only via reclaim (demotion) - migrate_to implements custom demotion with backpressure.',
  },
  'INV-MPOL-ALLOC': {
    summary: 'a mempolicy allocation takes a private node\'s page only where the node opted into mempolicy',
    statement:
      'When vma_alloc_folio adds __GFP_PRIVATE for a policy with MPOL_F_PRIVATE (a fault, or mbind\'s migration target), the page ' +
      'it gets lies on a DRAM node or on a private node whose ops have NP_OPS_MEMPOLICY at that moment. The policy\'s nodemask was ' +
      'checked (mpol_set_nodemask refuses a private node without the flag); the __GFP_PRIVATE it earns must not open another one.',
    why:
      '__GFP_PRIVATE is the only key to a private node. A policy that holds it for an opted-in node P and starts its allocation ' +
      'elsewhere (set_mempolicy_home_node takes any online node) walks that node\'s zonelist with the key: a service that never asked ' +
      'for mempolicy (CRAM) gets user pages faulted onto it, writable, outside its demotion and back-pressure path.',
    kernel: ['mm/mempolicy.c: vma_alloc_folio_noprof', 'mm/mempolicy.c: policy_nodemask', 'mm/mempolicy.c: alloc_pages_preferred_many', 'mm/mempolicy.c: set_mempolicy_home_node', 'mm/page_alloc.c: numa_zone_alloc_allowed'],
    rfc: 'NP_OPS_MEMPOLICY - Node supports mempolicy actions',
  },
  'INV-CPUSET-HIER': {
    summary: "cpuset effective mems follow the hierarchy, and each task's mems_allowed is guarantee_online_mems of its cpuset",
    statement:
      "The root cpuset's effective mems are N_MEMORY | N_MEMORY_PRIVATE (v4's cpuset_handle_hotplug); a child cpuset's effective mems are " +
      'its cpuset.mems ∩ its parent\'s effective mems, or the parent\'s when that is empty (cgroup v2); every task of the child has ' +
      'mems_allowed = guarantee_online_mems(child): the N_MEMORY part of the nearest cpuset that has one, plus the child\'s own private ' +
      'nodes (v4). A private node is in a task\'s mems_allowed only while it is N_MEMORY_PRIVATE and its cpuset.mems name it.',
    why:
      'The cpuset check of every task allocation reads mems_allowed: a stale or wrong mask lets a container allocate on a node its ' +
      'administrator took away (or on an offline node), or leaves it no DRAM node to fall back to.',
    kernel: ['kernel/cgroup/cpuset.c: cpuset_handle_hotplug', 'kernel/cgroup/cpuset.c: update_nodemasks_hier', 'kernel/cgroup/cpuset.c: guarantee_online_mems', 'kernel/cgroup/cpuset.c: cpuset_hotplug_update_tasks'],
    rfc: null,
  },
  'INV-MEMCG-CHARGE': {
    summary: "a memcg's page counter equals the pages charged to it; a charged folio is live; a mapped anon folio is charged",
    statement:
      "The memcg's memory page_counter equals the pages of the folios whose memcg_data names it; every such folio is an allocated " +
      'folio head (never a page free in the buddy); and every anonymous folio a user task maps is charged. The charge is taken when ' +
      'the fault allocates (alloc_anon_folio, folio_prealloc, mem_cgroup_swapin_charge_folio), moves with migration ' +
      '(folio_migrate_flags -> mem_cgroup_migrate: demotion to a private node and promotion back carry it), and is dropped at the free ' +
      'that reaches the buddy (__folio_put after v4\'s free_folio hook, or shrink_folio_list\'s mem_cgroup_uncharge_folios). A folio ' +
      'the hook keeps (the flush-buffer deferral) is still charged: it still counts.',
    why:
      'A counter above its folios makes the memcg reclaim and OOM-kill over memory it no longer has; below them, a container runs ' +
      'past its memory.max; an uncharged user folio is memory no limit controls.',
    kernel: ['mm/memcontrol.c: commit_charge', 'mm/memcontrol.c: mem_cgroup_migrate', 'mm/memcontrol.c: __mem_cgroup_uncharge', 'mm/migrate.c: folio_migrate_flags', 'mm/swap.c: __folio_put', 'mm/memory.c: alloc_anon_folio'],
    rfc: null,
  },
  'INV-MEMCG-MAX': {
    summary: "a memcg's usage never exceeds its memory.max after a successful charge",
    statement:
      'try_charge_memcg charges the page counter only within memory.max (page_counter_try_charge); over it, it reclaims, then runs the ' +
      'memcg OOM killer, then fails with -ENOMEM (no __GFP_NOFAIL or __GFP_HIGH charge in the model). Migration never changes the counter.',
    why: 'memory.max is the hard limit a container is given: a charge past it is memory the administrator did not grant.',
    kernel: ['mm/memcontrol.c: try_charge_memcg', 'mm/page_counter.c: page_counter_try_charge'],
    rfc: null,
  },
  'INV-MEMCG-RECLAIM': {
    summary: "a memcg charge gives up (memcg OOM) only when none of its charge is reclaimable on a reclaim-enabled node or already freed",
    statement:
      'When the charge path gives up (mem_cgroup_oom, or -ENOMEM), no folio charged to the memcg sits on the LRU of a private node whose ' +
      'ops have NP_OPS_RECLAIM, reclaimable to swap, and no folio charged to it is one its task already freed (kept out of the buddy by ' +
      'free_folio in a flush buffer). A demoted folio keeps its charge, so memcg reclaim must reach the node it was demoted to, and ' +
      'memory the task freed must not hold the limit.',
    why:
      'Otherwise a container at memory.max is OOM-killed (or its faults fail) while its memory sits on CRAM where kswapd(P) could swap ' +
      'it out, or while its usage is memory it has already freed, waiting for the driver\'s flush.',
    kernel: ['mm/vmscan.c: try_to_free_mem_cgroup_pages', 'mm/vmscan.c: shrink_zones', 'mm/page_alloc.c: build_zonelists', 'mm/memcontrol.c: try_charge_memcg', 'mm/swap.c: __folio_put', 'mm/cram.c: cram_free_folio_cb'],
    rfc: 'NP_OPS_RECLAIM - Node supports reclaim',
  },
  'INV-GUP-PIN-EXCL': {
    summary: 'a page pinned read-only by FOLL_PIN is PageAnonExclusive if anonymous (UNSHARE broke COW sharing first)',
    statement:
      'When GUP pins an anonymous page (FOLL_PIN), that page is PageAnonExclusive in the mm it was pinned from: a R/O pin of a ' +
      'page still shared with a fork child goes through gup_must_unshare -> an UNSHARE fault (do_wp_page copies or marks it ' +
      'exclusive, the PTE stays read-only) before the pin is taken. On a private node v4 dispatches the UNSHARE fault to ' +
      'handle_fault (cram_fault) first, which promotes the folio; the unshare then happens on DRAM.',
    why:
      'A pin on a page that a COW fault can later replace in the process silently detaches the pinned copy from the process ' +
      '(DMA writes lost, or leaking into the other mm): the 2022 GUP COW fixes exist for this; follow_page_pte has VM_BUG_ON_PAGE for it.',
    kernel: ['mm/gup.c: follow_page_pte', 'include/linux/mm.h: gup_must_unshare', 'mm/memory.c: do_wp_page', 'mm/memory.c: handle_pte_fault'],
    rfc: null,
  },
  'INV-PIN-STAYS-EXCL': {
    summary: 'a FOLL_PIN\'ed anonymous page stays PageAnonExclusive while the pin is held (fork copies it instead of sharing it)',
    statement:
      'While a GUP pin or a FOLL_LONGTERM pin is held on an anonymous folio, every present PTE that maps it is exclusive: fork does not ' +
      'share it copy-on-write (folio_try_dup_anon_rmap_pte fails on a PageAnonExclusive page that folio_maybe_dma_pinned, so ' +
      'copy_present_pte gives the child a copy at once), and reclaim and migration back off an exclusive pinned page. A pinned page ' +
      'on a private node is copied by fork like any other (the copy comes from the parent\'s VMA policy: DRAM).',
    why:
      'A pinned page shared COW with a fork child is replaced in the parent at its next write: the device keeps DMAing to the old ' +
      'page, which the parent no longer sees (lost writes) and which the child now reads (the pre-5.8 fork/GUP bug).',
    kernel: ['mm/memory.c: copy_present_pte', 'mm/memory.c: copy_present_page', 'include/linux/rmap.h: __folio_try_dup_anon_rmap', 'include/linux/mm.h: folio_needs_cow_for_dma'],
    rfc: null,
  },
  'INV-HWPOISON-UNMAPPED': {
    summary: 'when memory_failure reports an in-use page recovered, no PTE maps it and it is off the LRU (private pages too: the v4 hook is notification only)',
    statement:
      'When memory_failure returns MF_RECOVERED for an in-use page, hwpoison_user_mappings has replaced every PTE that mapped it by a ' +
      'hwpoison entry (try_to_unmap with TTU_HWPOISON) and identify_page_state has taken it off the LRU (delete_from_lru_cache), so no ' +
      'process reads the poisoned memory again (a later access faults on the hwpoison entry and gets SIGBUS) and reclaim never sees it. ' +
      'v4 calls the private node\'s ops->memory_failure first; the cover letter and the hook\'s comment promise that private pages ' +
      'then enter this normal path unchanged.',
    why:
      'A poisoned page left mapped is consumed again (a second machine check, or silent corruption on hardware that does not trap); ' +
      'left on the LRU, reclaim or demotion copies the poisoned data to another page.',
    kernel: ['mm/memory-failure.c: memory_failure', 'mm/memory-failure.c: hwpoison_user_mappings', 'mm/memory-failure.c: me_pagecache_clean', 'mm/rmap.c: try_to_unmap_one'],
    rfc: 'memory_failure - parallels memory_failure_dev_pagemap(), but for online pages that enter the normal hwpoison path',
  },
  'INV-COMPOUND': {
    summary: 'every large folio is a head followed by its compound tails, and no compound tail lies outside one',
    statement:
      'For every allocated folio of order n > 0, its pages 1 .. 2^n - 1 are compound tails (PageTail, no head bit, no refcount, ' +
      'mapcount or order of their own: those live at the head), and every compound tail lies inside the order range of the head ' +
      'before it. Large folios reach private nodes by demotion (alloc_cram_folio allocates the source\'s order) and leave by ' +
      'promotion or split; a split (__split_folio_to_order) must turn every page into a folio of its own.',
    why:
      'Every PTE, pfn walk and rmap step goes from a page to its folio through compound_head(): a tail outside any folio or a page ' +
      'that is head and tail at once sends the refcount, mapcount, LRU and free_folio hooks to the wrong folio.',
    kernel: ['include/linux/page-flags.h: compound_head', 'mm/page_alloc.c: prep_compound_page', 'mm/huge_memory.c: __split_folio_to_order'],
    rfc: 'Use standard struct page / folio. No ZONE_DEVICE, no pgmap, no struct page metadata limitations.',
  },
  'INV-SPLIT-CB': {
    summary: 'every split of a private-node folio whose ops have folio_split calls it once per new folio and once with NULL',
    statement:
      'When the kernel splits a large folio on a private node whose node_private_ops have a folio_split callback (split_folio_to_list ' +
      'from reclaim, from migrate_pages on -ENOMEM, ...), v4 calls ops->folio_split(folio, new_folio) for each new folio, while the ' +
      'folio is frozen, then ops->folio_split(folio, NULL) for the original folio (patch 11: folio_managed_split_cb in ' +
      '__folio_freeze_and_split_unmapped). The service keeps per-folio metadata (compression tables, device page tables) and must ' +
      'hear of every folio it now has.',
    why:
      'A service that missed a split keeps describing one large folio where the kernel now has several: a later free_folio or ' +
      'folio_migrate for a new folio finds no metadata, or the service frees or moves the whole range under folios it never heard of.',
    kernel: ['include/linux/node_private.h: folio_managed_split_cb', 'include/linux/node_private.h: node_private_split_cb', 'mm/huge_memory.c: __folio_split'],
    rfc: "folio_split - mirrors ZONE_DEVICE's called when a huge page is split up",
  },
  'CONFORMANCE-hotplug': {
    summary: "every kernel step moves a private node's lifecycle by at most one transition of the hotplug protocol machine",
    statement:
      'For every explored transition, the abstract hotplug state of each private node (registered, memory online/offline, ops ' +
      'set, CRAM registered) either stays the same or moves by exactly one transition of the hotplug machine ' +
      '(models/hotplug.machine.ts), the lifecycle the v4 code enforces.',
    why: 'A step that skips or reverses part of the lifecycle is a path the protocol does not allow, even if no state invariant notices it yet.',
    kernel: ['mm/memory_hotplug.c: add_private_memory_driver_managed', 'mm/memory_hotplug.c: offline_and_remove_private_memory', 'drivers/base/node.c: node_private_register', 'drivers/base/node.c: node_private_set_ops', 'mm/cram.c: cram_register_private_node'],
    rfc: 'Registration follows a strict order enforced by add_private_memory_driver_managed():',
  },
  'CONFORMANCE-folio': {
    summary: 'every kernel step moves a page frame by at most one transition of the folio protocol machine',
    statement:
      'For every explored transition, the abstract state of each page frame of the private node (free, demoted and mapped ' +
      'read-only, isolated for promotion, deferred by the flush protocol, in the swap cache, ...) either stays the same or moves ' +
      'by exactly one transition of the folio machine (models/folio.machine.ts).',
    why: 'A folio that skips a protocol step (reclaimed while the driver holds it, freed while isolated) is a bug before any invariant sees harm.',
    kernel: ['mm/cram.c: cram_migrate_to', 'mm/cram.c: cram_fault', 'mm/cram.c: cram_free_folio_cb', `${COMPRESSION}: cxl_compression_flush_cb`, 'mm/vmscan.c: shrink_folio_list'],
    rfc: 'Folios reach the private node only via reclaim (demotion) - migrate_to implements custom demotion with backpressure.',
  },
  'CONFORMANCE-backpressure': {
    summary: 'every kernel step moves a CRAM node by at most one transition of the back-pressure protocol machine',
    statement:
      'For every explored transition, the abstract back-pressure state of each CRAM node (pressure, migration_blocked, boost) ' +
      'either stays the same or moves by exactly one transition of the back-pressure machine (models/backpressure.machine.ts).',
    why: 'Back-pressure must move through its protocol one edge at a time; a jump shows a writer outside cram_set_pressure or a lost update.',
    kernel: ['mm/cram.c: cram_set_pressure', `${COMPRESSION}: cxl_compression_lthresh_irq`, `${COMPRESSION}: cxl_compression_hthresh_irq`, 'mm/cram.c: cram_register_private_node'],
    rfc: 'The backpressure system is our bear-proof cage: the driver reports real device utilization (generalized via watermark_boost on the private node\'s zone), and CRAM throttles demotion when capacity is tight.',
  },
  DEADLOCK: {
    summary: 'no reachable state where nothing can run but some thread still waits',
    statement:
      'A reachable state in which no action is enabled is a legitimate end only if every program finished and nothing waits; ' +
      'otherwise it is reported with the waiting threads and what each waits for (a lock, a refcount drain, a completion).',
    why: 'A hung kernel thread or task is a real failure even though no state invariant breaks.',
    kernel: ['mm/cram.c: cram_unregister_private_node (refcount_dec_if_one spin)', 'drivers/base/node.c: node_private_unregister (waits for the refcount)'],
    rfc: null,
  },
};

/** The documented ids in a stable order: PROPERTY_ORDER first (callers pass it), then the rest as listed here. */
export function documentedIds(order: readonly string[]): string[] {
  const rest = Object.keys(PROPERTY_DOCS).filter((id) => !order.includes(id));
  return [...order.filter((id) => id in PROPERTY_DOCS), ...rest];
}

/** Ids of `ids` that have no entry in PROPERTY_DOCS. */
export function undocumented(ids: readonly string[]): string[] {
  return ids.filter((id) => !(id in PROPERTY_DOCS));
}
