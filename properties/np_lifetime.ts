// The lifetime of a driver's struct node_private (include/linux/node_private.h,
// struct node_private: "This structure is allocated by the driver and passed
// to node_private_register(). The driver owns the memory and must ensure it
// remains valid until after node_private_unregister() returns with the
// reference count dropped to 0."). The CXL driver embeds np in its struct
// cxl_sysram (drivers/cxl/core/region_sysram.c), freed by cxl_sysram_release.

import type { Property } from '../src/explore/system.ts';
import { DF_NP_FREED } from '../src/cxl/compression.ts';
import { nodePrivateNp } from '../src/kernel/node_private.ts';
import { nodeLabel, prop, type StateView } from './common.ts';

export function npLifetimeProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-NP-LIFETIME', 'include/linux/node_private.h: struct node_private (owner keeps np valid until unregister returned); drivers/cxl/core/region_sysram.c: cxl_sysram_release', (k) => {
      const nid = k.g.privateNode;
      if (nid < 0 || !(k.get(k.L.DRV_FLAGS) & DF_NP_FREED) || nodePrivateNp(k, nid) < 0) return null;
      return `${nodeLabel(k, nid)}: pgdat->node_private points to an np whose sysram was freed`;
    }),
  ];
}
