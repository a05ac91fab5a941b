// Reference and lifetime invariants of node_private and cram_node (SEMANTICS
// §4.7, §6.2, §8.1, §8.2 R4/R5, §9 items 13, 15).
//
// Decision (item 15): the folio_get on a refcount-0 folio in flush_cb is its own
// property, INV-FOLIO-GET-ZERO. The faithful v4 driver does it on every deferred
// free (SEMANTICS 7.3 (b)), so keeping it apart keeps INV-REFCOUNT-BALANCE
// meaningful for the np/cn/NR_ISOLATED counters.

import type { Property } from '../src/explore/system.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { EV_FOLIO_GET_ZERO, EV_FREE_LEAK, EV_NP_HELD_AFTER_UNREG, EV_OPS_AFTER_UNREGISTER, REF_CN, REF_CN_OLD, REF_NP } from '../src/kernel/layout.ts';
import { allIdle, eventSet, holders, nodeLabel, prop, type StateView } from './common.ts';

/** np slots: which node publishes each (or -1). */
function publishedBy(k: Kernel, slot: number): number {
  for (let n = 0; n < k.g.nodes; n++) if (k.get(k.L.NODE_NP, n) === slot + 1) return n;
  return -1;
}

function checkNpRefs(k: Kernel): string | null {
  const slots = k.L.NP_REFCOUNT.len;
  let sumExtra = 0;
  for (let s = 0; s < slots; s++) {
    const rc = k.get(k.L.NP_REFCOUNT, s);
    const n = publishedBy(k, s);
    // An unpublished np with references is draining (unregister waits on them):
    // REF_NP does not say which np a thread holds, so skip the exact count then.
    if (n < 0) {
      if (rc !== 0) return null;
      continue;
    }
    if (rc < 1) return `np${s} on ${nodeLabel(k, n)} is published with refcount ${rc}`;
    sumExtra += rc - 1;
  }
  const h = holders(k, REF_NP);
  if (sumExtra !== h) return `node_private refcounts hold ${sumExtra} temporary reference(s) but ${h} thread(s) are inside node_private_migrate_to`;
  return null;
}

function checkCnRefs(k: Kernel): string | null {
  let sumExtra = 0;
  for (let n = 0; n < k.g.nodes; n++) {
    const st = k.get(k.L.CN_STATE, n);
    const rc = k.get(k.L.CN_REFCOUNT, n);
    if (st === 2) return null; // draining: holders of the old cn are legitimate
    if (st !== 1) continue;
    if (rc < 1) return `cram_node of ${nodeLabel(k, n)} is published with refcount ${rc}`;
    sumExtra += rc - 1;
  }
  const h = holders(k, REF_CN);
  if (sumExtra !== h) return `cram_node refcounts hold ${sumExtra} temporary reference(s) but ${h} thread(s) hold a cram_node`;
  // A displaced cram_node (`cram2`): its draining unregister holds the base reference.
  for (let n = 0; n < k.L.CN_OLD_REF.len; n++) {
    const old = k.get(k.L.CN_OLD_REF, n);
    const ho = holders(k, REF_CN_OLD);
    if (old > 0 && old - 1 !== ho) return `the displaced cram_node of ${nodeLabel(k, n)} holds ${old - 1} temporary reference(s) but ${ho} thread(s) hold it`;
  }
  return null;
}

export function refProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-NO-OPS-AFTER-UNREGISTER', 'include/linux/node_private.h: node_private_ops (header comment), drivers/base/node.c: node_private_unregister', (k) => {
      if (eventSet(k, EV_OPS_AFTER_UNREGISTER)) return 'a callback of the old ops ran after node_private_unregister returned 0 (EV_OPS_AFTER_UNREGISTER)';
      if (eventSet(k, EV_NP_HELD_AFTER_UNREG)) return 'a thread held the np after node_private_unregister returned 0 (EV_NP_HELD_AFTER_UNREG)';
      // REF_NP does not name its np: a holder is blamed on an unregistered np
      // only when no other np is published or draining that it could hold.
      const h = holders(k, REF_NP);
      if (h === 0) return null;
      let unreg = -1;
      for (let s = 0; s < k.L.NP_REFCOUNT.len; s++) {
        const live = publishedBy(k, s) >= 0 || k.get(k.L.NP_REFCOUNT, s) !== 0;
        if (live) return null;
        if (unreg < 0 && k.get(k.L.GH_NP_UNREG_OPS, s) !== 0) unreg = s;
      }
      if (unreg >= 0) return `np${unreg} was unregistered but ${h} thread(s) still hold it`;
      return null;
    }),
    prop(v, 'INV-REFCOUNT-BALANCE', 'include/linux/node_private.h: node_private_migrate_to; mm/cram.c: get_cram_node/put_cram_node, cram_fault (NR_ISOLATED +-nr); drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_flush_cb folio_get / cxl_flush_buf_send folio_put', (k) => {
      // Each folio_get in flush_cb is matched by one folio_put in send: a freed
      // folio kept out of the buddy for good breaks that (EV_FREE_LEAK).
      if (eventSet(k, EV_FREE_LEAK)) return 'a freed folio was kept out of the buddy for good: its flush_cb folio_get has no matching put (EV_FREE_LEAK)';
      const np = checkNpRefs(k);
      if (np) return np;
      const cn = checkCnRefs(k);
      if (cn) return cn;
      // NR_ISOLATED is judged only when no thread is inside a fault or migration.
      if (allIdle(k)) {
        for (let n = 0; n < k.g.nodes; n++) {
          const a = k.get(k.L.NODE_NR_ISOLATED_ANON, n);
          const f = k.get(k.L.NODE_NR_ISOLATED_FILE, n);
          if (a !== 0 || f !== 0) return `${nodeLabel(k, n)}: NR_ISOLATED_ANON=${a} NR_ISOLATED_FILE=${f} with every thread idle`;
        }
      }
      return null;
    }),
    prop(v, 'INV-FOLIO-GET-ZERO', 'include/linux/mm.h: folio_get (VM_BUG_ON_FOLIO on refcount 0), drivers/cxl/type3_drivers/cxl_compression/compression.c: cxl_compression_flush_cb', (k) =>
      eventSet(k, EV_FOLIO_GET_ZERO) ? 'folio_get on a folio with refcount 0 (EV_FOLIO_GET_ZERO; VM_BUG_ON under CONFIG_DEBUG_VM)' : null),
  ];
}
