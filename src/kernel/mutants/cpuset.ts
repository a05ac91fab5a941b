// Seeded bugs of the cpuset hierarchy (src/kernel/cpuset.ts). Issue 12 item 10.
import type { Fix, Mutant } from './types.ts';

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
  {
    name: 'cpuset-attach-keeps-mems',
    site: 'kernel/cgroup/cpuset.c: cpuset_attach_task',
    catches: 'INV-CPUSET-HIER',
    description: "cpuset_attach moves the tasks' cgroup but skips cpuset_attach_task's cpuset_change_task_nodemask: a task moved into a sibling keeps the old cpuset's mems_allowed and task policy.",
    config: 'cpusetmove',
  },
  {
    name: 'cpuset1-write-skips-subset',
    site: 'kernel/cgroup/cpuset.c: update_nodemask',
    catches: 'INV-CPUSET-HIER',
    description: "cgroup v1: a cpuset.mems write is not checked against top_cpuset.mems_allowed (the online nodes): a child takes P while P is offline, and v1's effective mems are its mems.",
    config: 'cpusetv1',
  },
];

export const CPUSET_FIXES: readonly Fix[] = [
  {
    name: 'cpuset1-empty-updates-tasks',
    site: 'kernel/cgroup/cpuset-v1.c: cpuset1_hotplug_update_tasks',
    mends: 'INV-MPOL',
    config: 'cpusetv1',
    description:
      'On the legacy hierarchy, update the tasks of a cpuset that a memory hot-remove leaves without mems too ("if (mems_updated) cpuset_update_tasks_nodemask(cs);", dropping "&& !nodes_empty(cs->mems_allowed)"): guarantee_online_mems gives them the parent\'s mems and mpol_rebind_mm recomputes MPOL_F_PRIVATE at once. v4 recomputes the flag only in mpol_rebind_nodemask (mm/mempolicy.c, patch 13); cgroup v1 skips every rebind of an emptied cpuset\'s tasks and leaves them to remove_tasks_in_empty_cpuset\'s work item, so a cpuset whose only node was a private node keeps its tasks\' policies with MPOL_F_PRIVATE over a node that is no longer private (their faults pass __GFP_PRIVATE) until the work runs, whatever the node has become by then. The v2 fix mpol-private-rebind-on-hotplug never runs there.',
  },
];
