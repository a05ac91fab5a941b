// Seeded bugs and fixes of task mempolicies, the user nodemask flags and
// cpuset.memory_migrate (src/kernel/mempolicy.ts, src/kernel/cpuset_migrate.ts). Issue 12 item 10.
import type { Fix, Mutant } from './types.ts';

export const MEMPOLICY_TASK_MUTANTS: readonly Mutant[] = [
  {
    name: 'mpol-rebind-task-keeps-private',
    site: 'mm/mempolicy.c: mpol_rebind_task -> mpol_rebind_nodemask',
    catches: 'INV-MPOL',
    description:
      'The rebind of a task policy keeps private nodes lacking NP_OPS_MEMPOLICY (and sets MPOL_F_PRIVATE for them): a RELATIVE policy folded onto a cpuset that holds P names CRAM\'s node and its faults pass __GFP_PRIVATE.',
    config: 'mpolflags',
  },
  {
    name: 'mpol-rebind-no-empty-fallback',
    site: 'mm/mempolicy.c: mpol_rebind_nodemask',
    catches: 'INV-MPOL-NONEMPTY',
    description: 'mpol_rebind_nodemask loses its nodes_empty() fallback: a policy whose remapped nodes are all dropped is left naming no node.',
    config: 'mpolflags',
  },
  {
    name: 'migrate-folios-to-node-bypasses-ops',
    site: 'mm/migrate.c: migrate_folios_to_node',
    catches: 'INV-CRAM-INBOUND',
    description:
      'migrate_folios_to_node allocates a private target directly with GFP_PRIVATE instead of calling the node\'s migrate_to: a user migration (here cpuset.memory_migrate\'s do_migrate_pages) puts a folio on CRAM\'s node without CRAM\'s say.',
    config: 'mpolflags',
  },
  {
    name: 'interleave-nodes-no-wrap',
    site: 'mm/mempolicy.c: interleave_nodes',
    catches: 'INV-MEM-SAFETY',
    description:
      'interleave_nodes takes next_node(il_prev, nodes) instead of next_node_in: past the last node of the mask it returns MAX_NUMNODES instead of wrapping (il_prev starts at MAX_NUMNODES - 1, so the first kernel allocation of an interleaving task already does), and alloc_pages hands __alloc_pages a node past node_data[].',
    config: 'taskpol',
  },
  {
    name: 'home-node-check-skips-private',
    site: 'mm/mempolicy.c: set_mempolicy_home_node',
    catches: 'INV-MPOL-ALLOC',
    description:
      'set_mempolicy_home_node keeps only its node_online test and drops the fix\'s private-node test: a VMA bound MPOL_PREFERRED_MANY to an opted-in P gets a home node Q whose ops lack NP_OPS_MEMPOLICY, and alloc_pages_preferred_many\'s second pass faults the page onto Q with the policy\'s __GFP_PRIVATE. Q has neither CRAM nor PROTECT_WRITE here, so no other invariant sees the page.',
    config: 'homenodeplain',
  },
];

export const MEMPOLICY_TASK_FIXES: readonly Fix[] = [
  {
    name: 'mpol-rebind-drop-before-fallback',
    site: 'mm/mempolicy.c: mpol_rebind_nodemask',
    mends: 'INV-MPOL-NONEMPTY',
    config: 'mpolflags',
    description:
      'Drop the private nodes lacking NP_OPS_MEMPOLICY before the nodes_empty() fallback, fall back to the new mems without those nodes, and keep the policy\'s current nodes when nothing is left. v4 drops them after the fallback, trusting "cpusets guarantees at least one N_MEMORY node": true of the new mems, not of the remapped mask. A task BIND with MPOL_F_RELATIVE_NODES over relative node 1 is folded onto the second node of cpuset.mems {D0, P} = P, dropped, and left naming no node (the task then allocates anywhere its local fallback list reaches; a task INTERLEAVE emptied this way makes interleave_nodes return MAX_NUMNODES for allocations without a VMA).',
  },
  {
    name: 'cram-migrate-to-demotion-only',
    site: 'mm/cram.c: cram_migrate_to',
    mends: 'INV-CRAM-INBOUND',
    config: 'mpolflags',
    description:
      'Refuse (-EINVAL, folios left on the list) a migration whose reason is not MR_DEMOTION. cram_ops sets NP_OPS_MIGRATION and cram_migrate_to never checks the reason, so migrate_folios_to_node hands it any user migration to the node: move_pages, and the do_migrate_pages that cpuset.memory_migrate (on by default on cgroup v2) queues on a cpuset.mems write: {D0, D1} -> {D0, P} maps D1 onto P and moves the task\'s freshly written folio onto compressed memory, against the cover letter\'s "Folios reach the private node only via reclaim (demotion)".',
  },
  {
    name: 'mpol-private-rebind-on-hotplug',
    site: 'mm/mempolicy.c: mpol_rebind_policy',
    mends: 'INV-MPOL',
    config: 'zonenormal',
    description:
      'Do not skip the rebind of a policy carrying MPOL_F_PRIVATE when its w already equals the new mask, so mpol_rebind_nodemask drops the private nodes that lost NP_OPS_MEMPOLICY and recomputes MPOL_F_PRIVATE on every cpuset hotplug update. v4 sets the flag once (mpol_set_nodemask) and recomputes it only in mpol_rebind_nodemask, which mpol_rebind_policy skips for a policy without a user flag whose w equals the new mask: an mbind(MPOL_BIND, {P}) made while P had NP_OPS_MEMPOLICY keeps MPOL_F_PRIVATE after the driver offlines and removes P (cpuset_handle_hotplug rebinds the VMA policies of a cgroup v2 cpuset to its unchanged cpuset.mems), so its faults go on passing __GFP_PRIVATE for a node that may come back with other ops (a re-probe by the compression driver: cram_ops lack NP_OPS_MEMPOLICY).',
  },
  {
    name: 'home-node-private-refused',
    site: 'mm/mempolicy.c: set_mempolicy_home_node',
    mends: 'INV-MPOL-ALLOC',
    config: 'homenode',
    description:
      'Refuse (-EINVAL) a home node that is N_MEMORY_PRIVATE without NP_OPS_MEMPOLICY, as mpol_set_nodemask refuses such a node in the nodemask. v4 checks only "home_node >= MAX_NUMNODES || !node_online(home_node)", and policy_nodemask then starts a BIND or MPOL_PREFERRED_MANY allocation at the home node ("if (pol->home_node != NUMA_NO_NODE) *nid = pol->home_node;"). With MPOL_PREFERRED_MANY over an opted-in P (MPOL_F_PRIVATE: vma_alloc_folio_noprof adds __GFP_PRIVATE) and home node Q = CRAM\'s node, the first pass of alloc_pages_preferred_many walks Q\'s zonelist ([Q, N_MEMORY nodes]: build_zonelists of a private node) with nodemask {P} and finds no zone; the second pass walks it with no nodemask and the same __GFP_PRIVATE, which numa_zone_alloc_allowed accepts for Q: the fault maps a writable user page on compressed memory.',
  },
];
