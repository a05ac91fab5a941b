// Node-state and lifecycle invariants (SEMANTICS §1, §4, §5, §9 items 1-3, 16, 17).

import type { Property } from '../src/explore/system.ts';
import { BLOCK_ONLINE } from '../src/kernel/defs.ts';
import { EV_LIFECYCLE } from '../src/kernel/layout.ts';
import { eventSet, isNMemory, isNPrivate, isPrivateKind, nodeLabel, prop, type StateView } from './common.ts';

export function nodeProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-STATE-EXCL', 'drivers/base/node.c: node_private_register (-EBUSY on N_MEMORY), mm/memory_hotplug.c: online_pages (sets exactly one state)', (k) => {
      for (let n = 0; n < k.g.nodes; n++) {
        if (isNMemory(k, n) && isNPrivate(k, n)) return `node ${nodeLabel(k, n)} is both N_MEMORY and N_MEMORY_PRIVATE`;
        // §1.4: pgdat->private is set only by node_private_register, which refuses an N_MEMORY node (-EBUSY).
        if (isNMemory(k, n) && k.get(k.L.NODE_PRIVATE, n) !== 0) return `node ${nodeLabel(k, n)} is N_MEMORY with pgdat->private set`;
      }
      return null;
    }),
    prop(v, 'INV-PRIVATE-REG', 'drivers/base/node.c: node_private_unregister (-EBUSY while N_MEMORY_PRIVATE)', (k) => {
      for (let n = 0; n < k.g.nodes; n++) {
        if (!isNPrivate(k, n)) continue;
        const priv = k.get(k.L.NODE_PRIVATE, n);
        const np = k.get(k.L.NODE_NP, n);
        if (priv === 0 || np === 0) return `node ${nodeLabel(k, n)} is N_MEMORY_PRIVATE but pgdat->private=${priv} node_private=${np === 0 ? 'NULL' : `np${np - 1}`}`;
      }
      return null;
    }),
    prop(v, 'INV-PRIVATE-STAYS-PRIVATE', 'cover letter; mm/memory_hotplug.c: add_private_memory_driver_managed', (k) => {
      for (let b = 0; b < k.g.blocks.length; b++) {
        if (k.get(k.L.BLOCK_PRIVATE_NP, b) === 0 || k.get(k.L.BLOCK_STATE, b) !== BLOCK_ONLINE) continue;
        const n = k.g.blocks[b]!.node;
        if (!isNPrivate(k, n)) return `block ${b} (added for np${k.get(k.L.BLOCK_PRIVATE_NP, b) - 1}) is online but node ${nodeLabel(k, n)} is not N_MEMORY_PRIVATE (states=${k.get(k.L.NODE_STATES, n)})`;
      }
      return null;
    }),
    // Order register < online < set_ops <= clear_ops < last offline < unregister.
    // The model records a call that succeeded out of order as EV_LIFECYCLE; the
    // state half is: a published cram_node implies its node is private and registered.
    prop(v, 'INV-LIFECYCLE-ORDER', 'drivers/base/node.c: node_private_set_ops (-ENODEV), node_private_unregister (-EBUSY); mm/cram.c: cram_register_private_node (-EINVAL)', (k) => {
      if (eventSet(k, EV_LIFECYCLE)) return 'a lifecycle call succeeded out of order (EV_LIFECYCLE)';
      for (let n = 0; n < k.g.nodes; n++) {
        if (k.get(k.L.CN_STATE, n) !== 1) continue;
        if (!isNPrivate(k, n) || k.get(k.L.NODE_NP, n) === 0) {
          return `cram_node of ${nodeLabel(k, n)} is published but node N_MEMORY_PRIVATE=${isNPrivate(k, n) ? 1 : 0} node_private=${k.get(k.L.NODE_NP, n) === 0 ? 'NULL' : 'set'}`;
        }
      }
      return null;
    }),
    prop(v, 'INV-DAEMONS', 'mm/memory_hotplug.c: online_pages (kswapd_run/kcompactd_run skipped for private nodes), mm/cram.c: cram_register_private_node (kswapd_run), cram_unregister_private_node (kswapd_stop)', (k) => {
      for (let n = 0; n < k.g.nodes; n++) {
        if (!isPrivateKind(k, n)) continue;
        const ks = k.get(k.L.NODE_KSWAPD, n);
        if (ks !== 0 && (k.get(k.L.CN_STATE, n) !== 1 || !isNPrivate(k, n))) {
          return `kswapd(${nodeLabel(k, n)}) exists (state ${ks}) but cram_node state=${k.get(k.L.CN_STATE, n)} N_MEMORY_PRIVATE=${isNPrivate(k, n) ? 1 : 0}`;
        }
        // Converse: cram_register_private_node runs kswapd_run under cram_mutex in
        // the same step that publishes the cn, and offline stops both together, so
        // a published cn on an N_MEMORY_PRIVATE node has its kswapd (SEMANTICS 11.9:
        // nothing restarts it after a re-online).
        if (ks === 0 && k.get(k.L.CN_STATE, n) === 1 && isNPrivate(k, n)) {
          return `CRAM is registered on N_MEMORY_PRIVATE ${nodeLabel(k, n)} but kswapd(${nodeLabel(k, n)}) is not running`;
        }
        // No service in the model starts kcompactd on a private node.
        if (k.get(k.L.NODE_KCOMPACTD, n) !== 0) return `kcompactd(${nodeLabel(k, n)}) runs on a private node that no service started it on`;
      }
      return null;
    }),
  ];
}
