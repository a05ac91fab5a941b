// The lifetime of a driver's struct node_private (include/linux/node_private.h,
// struct node_private: "This structure is allocated by the driver and passed
// to node_private_register(). The driver owns the memory and must ensure it
// remains valid until after node_private_unregister() returns with the
// reference count dropped to 0."). The CXL driver embeds np in its struct
// cxl_sysram (drivers/cxl/core/region_sysram.c), freed by cxl_sysram_release.

import type { Property } from '../src/explore/system.ts';
import { DF_NP_FREED } from '../src/cxl/compression.ts';
import { nodePrivateNp } from '../src/kernel/node_private.ts';
import { hasRegionB, rbFlags, RB_NP, RB_NP_FREED, RB_OPS_BY_B } from '../src/kernel/np_owner.ts';
import { nodeLabel, prop, type StateView } from './common.ts';

export function npLifetimeProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-NP-LIFETIME', 'include/linux/node_private.h: struct node_private (owner keeps np valid until unregister returned); drivers/cxl/core/region_sysram.c: cxl_sysram_release', (k) => {
      const nid = k.g.privateNode;
      if (nid < 0 || nodePrivateNp(k, nid) < 0) return null;
      // The registered np is region B's (RB_NP) or else region A's; each flag says its sysram was freed.
      const rb = rbFlags(k);
      const freed = rb & RB_NP ? (rb & RB_NP_FREED) !== 0 : (k.get(k.L.DRV_FLAGS) & DF_NP_FREED) !== 0;
      if (!freed) return null;
      return `${nodeLabel(k, nid)}: pgdat->node_private points to an np whose sysram${rb & RB_NP ? (k.g.compRegions > 1 ? ' (region 2)' : ' (region B)') : ''} was freed`;
    }),
    // Cover letter: "Only one driver may register per private node"; node_private_register:
    // "If another driver has already registered (with different np), -EBUSY is returned".
    // Judged where the model tells two drivers apart (a second region on the node, src/cxl/region_b.ts).
    prop(v, 'INV-NP-OPS-OWNER', 'drivers/base/node.c: node_private_register (one driver per node), node_private_set_ops; drivers/cxl/core/region_sysram.c: devm_cxl_add_sysram', (k) => {
      const nid = k.g.privateNode;
      if (nid < 0 || !hasRegionB(k)) return null;
      const slot = nodePrivateNp(k, nid);
      if (slot < 0 || k.get(k.L.NP_OPS, slot) === 0) return null;
      const rb = rbFlags(k);
      // The second region is cxl_mempolicy's (`tworegions`) or another compression region (`cram2`).
      const second = k.g.compRegions > 1 ? '2 (cxl_compression)' : 'B (cxl_mempolicy)';
      const owner = rb & RB_NP ? second : 'A (cxl_compression)';
      const writer = rb & RB_OPS_BY_B ? second : 'A (cxl_compression)';
      if (owner === writer) return null;
      return `${nodeLabel(k, nid)}: the np registered by region ${owner} carries ops written by region ${writer}'s driver, whose own registration was refused`;
    }),
  ];
}
