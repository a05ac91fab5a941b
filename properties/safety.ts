// Memory safety of the model's pages and folios, KASAN / DEBUG_VM style
// (issue 10, class 1). The model records each event at the moment it happens,
// inside the step that does it (src/kernel/ghost.ts: EV2_*), so an access to a
// free page that is repaired before the step ends is still seen.

import type { Property } from '../src/explore/system.ts';
import { EV2_DOUBLE_FREE, EV2_FLUSH_RECORD_OOB, EV2_FREE_ACCESS, EV2_MAP_FREE, EV2_NODE_DATA_OOB, EV2_NODEMASK_OOB, EV2_REF_ON_FREE, event2Set } from '../src/kernel/ghost.ts';
import { prop, type StateView } from './common.ts';

export function safetyProperties(v: StateView): Property[] {
  return [
    prop(
      v,
      'INV-MEM-SAFETY',
      'mm/kasan (a free page is poisoned: any access is a use-after-free); mm/page_alloc.c: __free_one_page (VM_BUG_ON_PAGE(PageBuddy)), include/linux/page_ref.h (refcount underflow), include/linux/mm.h: folio_get (VM_BUG_ON on a free folio); mm/memory.c: set_pte_at of a freed page; drivers/cxl/type3_drivers/cxl_compression/compression.c: flush_record_test_and_clear (idx outside the region); include/linux/nodemask.h: node_possible (test_bit); mm/page_alloc.c: prepare_alloc_pages -> node_zonelist(preferred_nid) (NODE_DATA(MAX_NUMNODES))',
      (k) => {
        if (event2Set(k, EV2_FREE_ACCESS)) return 'a page was read or written while free in the buddy (use-after-free)';
        if (event2Set(k, EV2_DOUBLE_FREE)) return 'a page already free in the buddy was freed again (double free)';
        if (event2Set(k, EV2_REF_ON_FREE)) return 'a reference was taken or dropped on a free folio';
        if (event2Set(k, EV2_MAP_FREE)) return 'a present PTE was set to a page free in the buddy';
        if (event2Set(k, EV2_FLUSH_RECORD_OOB)) return 'cxl_compression_flush_cb indexed its flush_record with a folio outside its region (out of bounds)';
        if (event2Set(k, EV2_NODEMASK_OOB)) return 'node_possible(NUMA_NO_NODE): test_bit outside node_possible_map (out of bounds)';
        if (event2Set(k, EV2_NODE_DATA_OOB)) return '__alloc_pages with preferred_nid MAX_NUMNODES: node_zonelist reads NODE_DATA(MAX_NUMNODES), past node_data[] (out of bounds)';
        return null;
      },
    ),
  ];
}
