// Postconditions of the kernel APIs the RFC adds or relies on (issue 10,
// class 2). The model checks each call's promise at its return
// (src/kernel/contracts.ts) and records a broken one as a ghost event.

import type { Property } from '../src/explore/system.ts';
import { EV2_ALLOC_POST, EV2_MIGRATE_POST, EV2_NPAPI_ROW, event2Set } from '../src/kernel/ghost.ts';
import { prop, type StateView } from './common.ts';

export function contractProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-MIGRATE-POST', 'cover letter (migrate_to: "migrate folios to the private node"); include/linux/node_private.h: node_private_migrate_to (nr_succeeded); mm/cram.c: cram_migrate_to, cram_fault (promotion via alloc_cram_promote_folio); mm/migrate.c: migrate_pages (nr_succeeded)', (k) =>
      event2Set(k, EV2_MIGRATE_POST) ? 'a migration reported a folio moved that is not on the node it was moved to, or nr_succeeded disagrees with the folios that left the list' : null),
    prop(v, 'INV-ALLOC-POST', 'include/linux/gfp.h: gfp_zone, __GFP_THISNODE; mm/page_alloc.c: numa_zone_alloc_allowed (v4 rule 1: __GFP_PRIVATE), prepare_alloc_pages / __alloc_pages_slowpath (nodemask and cpuset mems, dropped only for reserves and non-blocking __GFP_HIGH)', (k) =>
      event2Set(k, EV2_ALLOC_POST) ? '__alloc_pages returned a page its gfp, preferred node, nodemask or cpuset does not allow' : null),
    prop(v, 'INV-NPAPI-ROWS', 'drivers/base/node.c (v4): node_private_register, node_private_set_ops, node_private_clear_ops, node_private_unregister (each errno row leaves the state unchanged; 0 leaves the documented one)', (k) =>
      event2Set(k, EV2_NPAPI_ROW) ? 'a node_private API call returned an errno row whose state it did not leave' : null),
  ];
}
