// Seeded bugs that only node-state consistency catches (issue 10, class 3:
// INV-NODE-STATE, properties/node_state.ts). The node keeps a state, a tier
// placement or a daemon after the memory that justified it is gone; nothing
// else reads it until much later, if ever.
import type { Mutant } from './types.ts';

export const NODE_STATE_MUTANTS: readonly Mutant[] = [
  {
    name: 'offline-keeps-node-state',
    site: 'mm/memory_hotplug.c: offline_pages (node_states_clear_node)',
    catches: 'INV-NODE-STATE',
    description: 'the last offline of a node leaves N_MEMORY / N_MEMORY_PRIVATE set',
    config: 'driver',
  },
  {
    name: 'memtier-removed-keeps-tier',
    site: 'mm/memory-tiers.c: memtier_hotplug_callback (MEM_OFFLINE: clear_node_memory_tier)',
    catches: 'INV-NODE-STATE',
    description: 'the last offline of a node refreshes the demotion targets but leaves the node in its memory tier',
    config: 'driver',
  },
];
