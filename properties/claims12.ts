// The cover letter's NP_OPS claims of issue 12 (items 9 and 12): the mm/
// services a private node opts into with NP_OPS_* flags. Each judges the
// moment the service acts (a ghost bit the model sets inside the step, read
// from the state and not through the model's helpers), so a race that opens
// and closes inside one step is still seen.

import type { Property } from '../src/explore/system.ts';
import { EV2_HWPOISON_ALLOC, EV2_HWPOISON_MAPPED, EV2_LONGTERM_PIN_UNGATED, EV2_OOM_SKIP_SHARED, EV2_OOM_UNDESERVING, event2Set, pageInBuddy } from '../src/kernel/ghost.ts';
import { PG_hwpoison } from '../src/kernel/layout.ts';
import { nodeLabel } from './common.ts';
import { prop, type StateView } from './common.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { OP_MEMORY_FAILURE } from '../src/kernel/ops_codes.ts';

export function claims12Properties(v: StateView): Property[] {
  return [
    prop(
      v,
      'INV-LONGTERM-PIN',
      'cover letter: "NP_OPS_LONGTERM_PIN - Node supports longterm pinning"; include/linux/mm.h: folio_is_longterm_pinnable, drivers/base/node.c: node_private_allows_longterm_pin (v4 patch 20), mm/gup.c: check_and_migrate_movable_folios',
      (k) => (event2Set(k, EV2_LONGTERM_PIN_UNGATED) ? 'pin_user_pages(FOLL_LONGTERM) returned a pin on a private-node folio whose node\'s ops lack NP_OPS_LONGTERM_PIN' : null),
    ),
    prop(
      v,
      'INV-OOM-VICTIM',
      'cover letter: "NP_OPS_OOM_ELIGIBLE - (MIGRATION | DEMOTION), node is reachable as normal system ram storage, so it should be considered in OOM pressure calculations"; v4 patch 17 message ("Without this check, the OOM killer may select an undeserving victim"); mm/oom_kill.c: node_oom_eligible, oom_mems_intersect, constrained_alloc, select_bad_process',
      (k) => (event2Set(k, EV2_OOM_UNDESERVING) ? 'out_of_memory killed a process whose memory lies only on private nodes without NP_OPS_OOM_ELIGIBLE, while another process held memory on an OOM-eligible node' : null),
    ),
    prop(
      v,
      'INV-HWPOISON',
      'cover letter: "memory_failure - parallels memory_failure_dev_pagemap(), but for online pages that enter the normal hwpoison path"; include/linux/node_private.h (memory_failure: "Notification only, kernel always handles the failure"); mm/memory-failure.c: memory_failure, take_page_off_buddy; mm/page_alloc.c: free_pages_prepare, check_new_page',
      (k) => {
        if (event2Set(k, EV2_HWPOISON_ALLOC)) return 'the allocator handed out a hwpoisoned page';
        for (let pfn = 0; pfn < k.g.pfns; pfn++) {
          if (k.has(k.L.PG_FLAGS, pfn, PG_hwpoison) && pageInBuddy(k, pfn) && !mfInFlight(k)) {
            return `hwpoisoned pfn ${pfn} on ${nodeLabel(k, k.g.pfnNode[pfn]!)} is free in the buddy`;
          }
        }
        return null;
      },
    ),
    prop(
      v,
      'INV-HWPOISON-UNMAPPED',
      'mm/memory-failure.c: memory_failure (v4 patch 21: "This is notification only -- the kernel proceeds with standard hwpoison handling regardless"), hwpoison_user_mappings, unmap_poisoned_folio, me_pagecache_clean, delete_from_lru_cache; mm/rmap.c: try_to_unmap_one (TTU_HWPOISON)',
      (k) => (event2Set(k, EV2_HWPOISON_MAPPED) ? 'memory_failure reported an in-use page recovered while a present PTE still mapped it or it was still on an LRU' : null),
    ),
    prop(
      v,
      'INV-OOM-CPUSET-SKIP',
      'cover letter: "NP_OPS_OOM_ELIGIBLE - (MIGRATION | DEMOTION), node is reachable as normal system ram storage, so it should be considered in OOM pressure calculations"; mm/oom_kill.c (v4 patch 17): oom_mems_intersect ("we omit private nodes that aren\'t eligible"), oom_cpuset_eligible, oom_evaluate_task, constrained_alloc (totalpages counts the eligible private nodes of current\'s mems)',
      (k) => (event2Set(k, EV2_OOM_SKIP_SHARED) ? "out_of_memory's cpuset test skipped a process holding memory on a full OOM-eligible node that its cpuset and current's both allow" : null),
    ),
  ];
}

/** A thread is inside memory_failure between its ops read and the rest (the page is taken off the buddy at the end). */
function mfInFlight(k: Kernel): boolean {
  for (let t = 0; t < k.g.threads.length; t++) if (k.get(k.L.THR_OP, t) === OP_MEMORY_FAILURE) return true;
  return false;
}
