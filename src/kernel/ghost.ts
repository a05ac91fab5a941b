// Second word of ghost history (GH_EVENTS2): what a KASAN / DEBUG_VM kernel
// would report at the moment it happens, inside a step, and API contracts
// whose postcondition failed. The model only records these bits; the
// properties (properties/safety.ts, properties/contracts.ts) judge them.

import type { Kernel } from './kernel.ts';

// KASAN-style memory safety (mm/kasan: a free page is poisoned; DEBUG_VM checks).
/** A page's contents were read or written while the page was free in the buddy (KASAN use-after-free). */
export const EV2_FREE_ACCESS = 1 << 0;
/** A page already free in the buddy was freed again (__free_one_page: VM_BUG_ON_PAGE(PageBuddy)). */
export const EV2_DOUBLE_FREE = 1 << 1;
/** folio_get / folio_put on a folio free in the buddy, or folio_put on refcount 0 (page_ref underflow). */
export const EV2_REF_ON_FREE = 1 << 2;
/** A present PTE was set to a page free in the buddy (set_pte_at of a freed page). */
export const EV2_MAP_FREE = 1 << 3;
// API contracts.
/** node_private_migrate_to / migrate_to / a promotion reported a folio moved that is not where it was moved to. */
export const EV2_MIGRATE_POST = 1 << 4;
/** __alloc_pages returned a page its gfp, preferred node or nodemask does not allow. */
export const EV2_ALLOC_POST = 1 << 5;
/** node_private_register / set_ops / clear_ops / unregister returned an errno row whose state it did not leave. */
export const EV2_NPAPI_ROW = 1 << 6;
/** vma_alloc_folio's __GFP_PRIVATE (the policy's MPOL_F_PRIVATE) took a page of a private node whose ops lack NP_OPS_MEMPOLICY. */
export const EV2_MPOL_ALLOC_UNGATED = 1 << 7;

// Cover-letter claims (issue 12).
/** pin_user_pages(FOLL_LONGTERM) returned a pin on a private-node folio whose node's ops lacked NP_OPS_LONGTERM_PIN. */
export const EV2_LONGTERM_PIN_UNGATED = 1 << 10;
/** out_of_memory killed a process whose memory lies only on private nodes that are not OOM-eligible, while another candidate held eligible memory. */
export const EV2_OOM_UNDESERVING = 1 << 11;
/** The allocator handed out a hwpoisoned page (prep_new_page; check_new_page would have called it a bad page). */
export const EV2_HWPOISON_ALLOC = 1 << 12;
/** A private-node folio whose ops have folio_split was split without one folio_split call per new folio and one with NULL (issue 12 item 9). */
export const EV2_SPLIT_CB_MISSED = 1 << 13;
/** The memcg charge gave up (memcg OOM or -ENOMEM) while a folio charged to the memcg sat reclaimable on a private node with NP_OPS_RECLAIM (src/kernel/memcontrol.ts). */
export const EV2_MEMCG_OOM_RECLAIMABLE = 1 << 14;
/** The memcg charge gave up while part of the memcg's usage was folios their users had freed, kept out of the buddy by a free_folio callback (the flush-buffer deferral) and still charged. */
export const EV2_MEMCG_OOM_FREED = 1 << 15;
/** Reach marker: out_of_memory ran under CONSTRAINT_CPUSET (the zonelist met a zone outside current's cpuset or not OOM-eligible). */
export const EV2_OOM_CPUSET = 1 << 25;
/** Reach marker: a mempolicy-constrained OOM skipped a candidate whose task policy (MPOL_BIND) misses the nodemask (mempolicy_in_oom_domain). */
export const EV2_OOM_MPOL_SKIP = 1 << 26;
/** A global, non-mempolicy OOM skipped (oom_cpuset_eligible) a candidate holding memory on an OOM-eligible node both tasks' mems_allowed share (INV-OOM-CPUSET-SKIP). */
export const EV2_OOM_SKIP_SHARED = 1 << 20;
/** Reach marker: a global, non-mempolicy OOM skipped a candidate by its cpuset (oom_mems_intersect false). */
export const EV2_OOM_CPUSET_SKIP = 1 << 21;
/** A migration other than demotion (reason != MR_DEMOTION) moved a folio onto a node whose ops are cram_ops. */
export const EV2_CRAM_INBOUND = 1 << 18;
/** memory_failure reported an in-use page recovered (MF_RECOVERED / MF_DELAYED) while a present PTE still mapped it or it was still on an LRU. */
export const EV2_HWPOISON_MAPPED = 1 << 23;

// Issue 12 item 11 (KASAN-style, out-of-bounds rather than use-after-free).
/** cxl_compression_flush_cb indexed its region's flush_record with a folio outside the region (idx = pfn - base_pfn >= nr_pages). */
export const EV2_FLUSH_RECORD_OOB = 1 << 16;
/** node_possible(nid) ran on a nid outside 0..MAX_NUMNODES-1 (NUMA_NO_NODE): test_bit outside node_states[N_POSSIBLE]. */
export const EV2_NODEMASK_OOB = 1 << 17;
/** __alloc_pages ran with preferred_nid = MAX_NUMNODES (interleave_nodes of an empty mask): node_zonelist reads NODE_DATA() past node_data[]. */
export const EV2_NODE_DATA_OOB = 1 << 27;

/**
 * Record ghost history (GH_EVENTS2); the model never judges it. EV2 bits run
 * over two 16-bit words: bits 0-15 in the first, 16-30 in the second.
 */
export function event2(k: Kernel, bits: number): void {
  const lo = bits & 0xffff, hi = bits >>> 16;
  if (lo !== 0) k.setBits(k.L.GH_EVENTS2, 0, lo);
  if (hi !== 0) k.setBits(k.L.GH_EVENTS2, 1, hi);
}

export function event2Set(k: Kernel, bit: number): boolean {
  return bit >>> 16 !== 0 ? k.has(k.L.GH_EVENTS2, 1, bit >>> 16) : k.has(k.L.GH_EVENTS2, 0, bit);
}

/**
 * PageBuddy(pfn) or a tail of a free buddy block: the page is free in the
 * buddy allocator. A free block of order o has PG_BUDDY = o + 1 at its
 * (1 << o)-aligned head.
 */
export function pageInBuddy(k: Kernel, pfn: number): boolean {
  for (let o = 0; o <= k.cfg.maxOrder; o++) {
    const head = pfn & ~((1 << o) - 1);
    if (head >= 0 && head < k.g.pfns && k.get(k.L.PG_BUDDY, head) === o + 1) return true;
  }
  return false;
}
