// The claims of the v4 cover letter (../shared/spec/000_b04027a33856e4fd.txt)
// a review answers one by one, each with the words of the cover letter and
// the invariants (properties/, SEMANTICS §9) that state it. Every invariant
// belongs to exactly one claim (test/report/review.test.ts checks it).

export interface Claim {
  readonly id: string;
  readonly title: string;
  /** The cover letter's own words. */
  readonly quote: string;
  readonly invariants: readonly string[];
}

export const CLAIMS: readonly Claim[] = [
  {
    id: 'isolation',
    title: 'Isolation: no one else gets private memory',
    quote: 'No existing allocator path sets __GFP_PRIVATE, so private nodes are unreachable by default.',
    invariants: ['INV-ISOLATION-ALLOC', 'INV-ZONELIST', 'INV-MPOL', 'INV-ALLOC-POST', 'INV-CPUSET-HIER', 'INV-MPOL-NONEMPTY'],
  },
  {
    id: 'read-only',
    title: 'Read-only: every write to compressed memory goes through handle_fault',
    quote: 'Because pages are read-only, writes can never cause runaway compression ratio loss behind the allocator\'s back. Every write goes through handle_fault, which promotes the folio to DRAM first.',
    invariants: ['INV-RO', 'INV-WRITE-PATH', 'INV-FAULT-LOCK', 'INV-DATA', 'INV-GUP-PIN-EXCL', 'INV-PIN-STAYS-EXCL'],
  },
  {
    id: 'scrub',
    title: 'Scrub: free_folio clears stale data before the buddy gets the page',
    quote: 'free_folio scrubs stale data before buddy free.',
    invariants: ['INV-SCRUB', 'INV-FLUSH-BIT', 'INV-FOLIO-GET-ZERO'],
  },
  {
    id: 'backpressure',
    title: 'Backpressure: the driver reports utilization, CRAM throttles demotion',
    quote: 'the driver reports real device utilization (generalized via watermark_boost on the private node\'s zone), and CRAM throttles demotion when capacity is tight.',
    invariants: ['INV-BACKPRESSURE-COHERENT', 'INV-MIGRATE-GATE', 'INV-DEMOTION-TARGETS', 'INV-MIGRATE-POST'],
  },
  {
    id: 'no-overcommit',
    title: 'No overcommit: the device never runs out of real backing store',
    quote: 'If workloads write faster than the OS can reclaim from the device, we run out of real backing store and corrupt data or crash. [...] The backpressure system is our bear-proof cage',
    invariants: ['INV-NO-OVERCOMMIT', 'INV-DEVICE-CAPACITY'],
  },
  {
    id: 'lifecycle',
    title: 'Lifecycle order: registration and teardown in a strict order',
    quote: 'Registration follows a strict order enforced by add_private_memory_driver_managed() [...] N_MEMORY and N_MEMORY_PRIVATE are mutually exclusive [...] Teardown is the reverse',
    invariants: [
      'INV-STATE-EXCL', 'INV-PRIVATE-REG', 'INV-PRIVATE-STAYS-PRIVATE', 'INV-LIFECYCLE-ORDER', 'INV-NO-OPS-AFTER-UNREGISTER',
      'INV-NO-CRAM-AFTER-FREE', 'INV-REFCOUNT-BALANCE', 'INV-NP-LIFETIME', 'INV-NPAPI-ROWS', 'INV-NODE-STATE',
      'INV-NP-OPS-OWNER',
    ],
  },
  {
    id: 'daemons',
    title: 'Daemons: kswapd and kcompactd are not started for private nodes',
    quote: 'kswapd and kcompactd are NOT started for private nodes. The owning service is responsible for driving reclaim if needed',
    invariants: ['INV-DAEMONS'],
  },
  {
    id: 'struct-page',
    title: 'Standard struct page / folio: private memory is managed by the buddy allocator like any other',
    quote: 'Use standard struct page / folio. No ZONE_DEVICE, no pgmap, no struct page metadata limitations.',
    invariants: ['INV-MEM-SAFETY', 'INV-FOLIO-REFS', 'INV-COMPOUND'],
  },
  {
    id: 'np-ops-services',
    title: 'Flag-gated services: a private node takes part only in the mm/ services its NP_OPS_* flags opt into',
    quote: 'We use OPS flags to denote what mm/ services we want to allow on our private node. [...] NP_OPS_LONGTERM_PIN - Node supports longterm pinning',
    invariants: ['INV-LONGTERM-PIN'],
  },
  {
    id: 'oom-eligible',
    title: 'OOM: only OOM-eligible private nodes count in OOM pressure',
    quote: 'NP_OPS_OOM_ELIGIBLE - (MIGRATION | DEMOTION), node is reachable as normal system ram storage, so it should be considered in OOM pressure calculations.',
    invariants: ['INV-OOM-VICTIM', 'INV-OOM-CPUSET-SKIP'],
  },
  {
    id: 'memory-failure',
    title: 'memory_failure: private pages enter the normal hwpoison path, the service is notified',
    quote: 'memory_failure - parallels memory_failure_dev_pagemap(), but for online pages that enter the normal hwpoison path',
    invariants: ['INV-HWPOISON', 'INV-HWPOISON-UNMAPPED'],
  },
  {
    id: 'folio-split',
    title: 'folio_split: the service hears of every split of a large folio on its node',
    quote: 'folio_split - mirrors ZONE_DEVICE\'s called when a huge page is split up',
    invariants: ['INV-SPLIT-CB'],
  },
  {
    id: 'memcg',
    title: 'Memory cgroups: private-node memory stays charged and reclaimable within the memcg (NP_OPS_RECLAIM)',
    quote: 'NP_OPS_RECLAIM - Node supports reclaim',
    invariants: ['INV-MEMCG-CHARGE', 'INV-MEMCG-MAX', 'INV-MEMCG-RECLAIM'],
  },
  {
    id: 'cram-inbound',
    title: 'CRAM inflow: folios reach compressed memory only by demotion',
    quote: 'Folios reach the private node only via reclaim (demotion) - migrate_to implements custom demotion with backpressure.',
    invariants: ['INV-CRAM-INBOUND'],
  },
  {
    id: 'mpol-alloc',
    title: 'Mempolicy opt-in: a policy\'s __GFP_PRIVATE reaches only nodes that support mempolicy (NP_OPS_MEMPOLICY)',
    quote: 'NP_OPS_MEMPOLICY - Node supports mempolicy actions',
    invariants: ['INV-MPOL-ALLOC'],
  },
];
