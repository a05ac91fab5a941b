// The state at the end of boot: DRAM blocks online and in the buddy, zonelists
// built, node states set, node_private_initialized, root cpuset, idle threads,
// the programs' mms live. STUB CONTRACT (allocator/nodes helper), signature final.

import { Kernel, type Machine } from './kernel.ts';

export function boot(m: Machine): Kernel {
  return Kernel.blank(m);
}
