// Node state consistency (issue 10, class 3; SEMANTICS §1): the node-state
// bits, pgdat->private, the np pointer, the per-node daemons, the memory-tier
// placement and the demotion targets all say the same thing about which nodes
// have online memory of which kind. Each update happens under
// mem_hotplug_lock in the step that onlines or offlines the memory (or
// registers / unregisters the np), so the agreement is checked in every state.

import type { Property } from '../src/explore/system.ts';
import { BLOCK_ONLINE, N_MEMORY, N_MEMORY_PRIVATE, N_ONLINE } from '../src/kernel/defs.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { maskStr, nodeLabel, prop, type StateView } from './common.ts';

function hasOnlineBlock(k: Kernel, n: number): boolean {
  for (let b = 0; b < k.g.blocks.length; b++) if (k.g.blocks[b]!.node === n && k.get(k.L.BLOCK_STATE, b) === BLOCK_ONLINE) return true;
  return false;
}

function checkNode(k: Kernel, n: number, withMemory: number): string | null {
  const L = k.L;
  const st = k.get(L.NODE_STATES, n);
  const online = hasOnlineBlock(k, n);
  const mem = (st & (N_MEMORY | N_MEMORY_PRIVATE)) !== 0;
  const label = nodeLabel(k, n);
  // node_states_check_changes_online/offline: the first online memory sets one of
  // the two states, the last offline clears it (mm/memory_hotplug.c).
  if (online !== mem) return `${label} ${online ? 'has' : 'has no'} online memory but N_MEMORY=${st & N_MEMORY ? 1 : 0} N_MEMORY_PRIVATE=${st & N_MEMORY_PRIVATE ? 1 : 0}`;
  if (mem && !(st & N_ONLINE)) return `${label} has memory but is not N_ONLINE`;
  const priv = k.get(L.NODE_PRIVATE, n) !== 0;
  // online_pages picks N_MEMORY_PRIVATE iff pgdat->private; register refuses an N_MEMORY node.
  if (mem && priv !== ((st & N_MEMORY_PRIVATE) !== 0)) return `${label}: pgdat->private=${priv ? 1 : 0} but N_MEMORY_PRIVATE=${st & N_MEMORY_PRIVATE ? 1 : 0}`;
  // node_private_register / node_private_unregister set and clear both together.
  if (priv !== (k.get(L.NODE_NP, n) !== 0)) return `${label}: pgdat->private=${priv ? 1 : 0} but pgdat->node_private=${k.get(L.NODE_NP, n) === 0 ? 'NULL' : 'set'}`;
  // kswapd_run/kcompactd_run at the first online of a non-private node, kswapd_stop/kcompactd_stop at its last offline.
  const ks = k.get(L.NODE_KSWAPD, n);
  const kc = k.get(L.NODE_KCOMPACTD, n);
  if (st & N_MEMORY) {
    if (ks === 0 || kc === 0) return `${label} is N_MEMORY but kswapd=${ks} kcompactd=${kc}`;
  } else if (!mem && (ks !== 0 || kc !== 0)) return `${label} has no memory but kswapd=${ks} kcompactd=${kc}`;
  // memory tiers: a node is placed in a tier at its first memory and removed at its last.
  if (mem !== (k.get(L.NODE_IN_TIER, n) !== 0)) return `${label}: in a memory tier=${k.get(L.NODE_IN_TIER, n)} but has memory=${mem ? 1 : 0}`;
  // establish_demotion_targets: only N_MEMORY nodes demote, only to nodes with memory.
  const t = k.get(L.NODE_DEMOTION_TARGETS, n);
  if (t !== 0 && !(st & N_MEMORY)) return `${label} is not N_MEMORY but has demotion targets ${maskStr(t)}`;
  if ((t & ~withMemory) !== 0) return `${label} demotes to ${maskStr(t & ~withMemory)} without memory`;
  return null;
}

export function nodeStateProperties(v: StateView): Property[] {
  return [
    prop(v, 'INV-NODE-STATE', 'include/linux/nodemask.h: node_states (N_MEMORY, v4 N_MEMORY_PRIVATE); mm/memory_hotplug.c: online_pages, offline_pages (node_states_set_node/clear_node, kswapd_run/kcompactd_run, kswapd_stop/kcompactd_stop); drivers/base/node.c: node_private_register/unregister (pgdat->private with the pointer); mm/memory-tiers.c: memtier_hotplug_callback, establish_demotion_targets', (k) => {
      let withMemory = 0;
      for (let n = 0; n < k.g.nodes; n++) if (k.has(k.L.NODE_STATES, n, N_MEMORY | N_MEMORY_PRIVATE)) withMemory |= 1 << n;
      for (let n = 0; n < k.g.nodes; n++) {
        const r = checkNode(k, n, withMemory);
        if (r) return r;
      }
      return null;
    }),
  ];
}
