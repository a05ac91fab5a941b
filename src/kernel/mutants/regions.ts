// Seeded bugs of two CXL regions on one private node (issue 12 item 11,
// config tworegions: src/cxl/region_b.ts, src/kernel/np_owner.ts).
import type { Mutant } from './types.ts';

export const REGION_MUTANTS: readonly Mutant[] = [
  {
    name: 'register-accepts-other-np',
    site: 'drivers/base/node.c: node_private_register',
    catches: 'INV-NP-OPS-OWNER',
    description:
      'node_private_register returns 0 when another np is already registered on the node (the "re-registration with the same np" branch taken for any np): the second region\'s memory comes online under the first region\'s np, and its driver\'s node_private_set_ops replaces the first driver\'s ops.',
    config: 'tworegions',
  },
];
