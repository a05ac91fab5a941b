// Seeded bugs of the cpuset hierarchy (src/kernel/cpuset.ts). Issue 12 item 10.
import type { Mutant } from './types.ts';

export const CPUSET_MUTANTS: readonly Mutant[] = [
  {
    name: 'cpuset-eff-ignores-parent',
    site: 'kernel/cgroup/cpuset.c: update_nodemasks_hier',
    catches: 'INV-CPUSET-HIER',
    description: "A cpuset.mems write makes the child's effective mems its written mems, without the intersection with the parent's: a private node that is offline stays effective.",
    config: 'cpusets',
  },
  {
    name: 'cpuset-tasks-keep-effective',
    site: 'kernel/cgroup/cpuset.c: guarantee_online_mems',
    catches: 'INV-CPUSET-HIER',
    description: "The tasks' mems_allowed get the cpuset's effective mems as they are: a cpuset confined to the private node leaves its tasks no N_MEMORY node.",
    config: 'cpusets',
  },
];
