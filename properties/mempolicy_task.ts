// Task mempolicies, MPOL_F_STATIC_NODES / MPOL_F_RELATIVE_NODES and
// cpuset.memory_migrate (issue 12 item 10, src/kernel/mempolicy.ts,
// src/kernel/cpuset_migrate.ts).

import type { Property } from '../src/explore/system.ts';
import { MPOL_BIND, MPOL_INTERLEAVE } from '../src/kernel/defs.ts';
import { EV2_CRAM_INBOUND, EV2_MPOL_ALLOC_UNGATED, event2Set } from '../src/kernel/ghost.ts';
import { VMA_MAPPED } from '../src/kernel/layout.ts';
import { prop, type StateView } from './common.ts';

export function mempolicyTaskProperties(v: StateView): Property[] {
  return [
    prop(
      v,
      'INV-MPOL-NONEMPTY',
      'mm/mempolicy.c: mpol_new / mpol_new_nodemask (an empty BIND or INTERLEAVE mask is -EINVAL), mpol_rebind_nodemask ("if (nodes_empty(tmp)) tmp = *nodes"; v4: "cpusets guarantees at least one N_MEMORY node in effective_mems and mems_allowed, so dropping private nodes here is safe")',
      (k) => {
        for (let cpu = 0; cpu < k.cfg.cpus.length; cpu++) {
          const mode = k.get(k.L.TASK_POL_MODE, cpu);
          if ((mode === MPOL_BIND || mode === MPOL_INTERLEAVE) && k.get(k.L.TASK_POL_NODES, cpu) === 0) {
            return `cpu${cpu}'s task policy (${mode === MPOL_BIND ? 'MPOL_BIND' : 'MPOL_INTERLEAVE'}) names no node`;
          }
        }
        const V = k.cfg.vaddrs;
        for (let mm = 0; mm < k.cfg.mms; mm++) {
          if (k.get(k.L.MM_LIVE, mm) === 0) continue;
          for (let va = 0; va < V; va++) {
            const i = mm * V + va;
            if (!k.has(k.L.VMA_FLAGS, i, VMA_MAPPED)) continue;
            const mode = k.get(k.L.VMA_POL_MODE, i);
            if ((mode === MPOL_BIND || mode === MPOL_INTERLEAVE) && k.get(k.L.VMA_POL_NODES, i) === 0) {
              return `mm${mm} v${va}: the VMA policy (${mode === MPOL_BIND ? 'MPOL_BIND' : 'MPOL_INTERLEAVE'}) names no node`;
            }
          }
        }
        return null;
      },
    ),
    prop(
      v,
      'INV-CRAM-INBOUND',
      'cover letter: "Folios reach the private node only via reclaim (demotion) - migrate_to implements custom demotion with backpressure"; mm/cram.c: cram_migrate_to (reason not checked); mm/migrate.c: migrate_folios_to_node; mm/mempolicy.c: migrate_to_node',
      (k) => (event2Set(k, EV2_CRAM_INBOUND) ? 'a migration other than demotion moved a folio onto a CRAM node' : null),
    ),
    // Judged at the allocation (ghost EV2_MPOL_ALLOC_UNGATED, mm/mempolicy.c:
    // vma_alloc_folio): the node's ops are read when the page is taken.
    prop(
      v,
      'INV-MPOL-ALLOC',
      'cover letter: "NP_OPS_MEMPOLICY - Node supports mempolicy actions"; mm/mempolicy.c (v4): mpol_set_nodemask ("All private nodes in the mask must have NP_OPS_MEMPOLICY"), vma_alloc_folio_noprof ("if (pol->flags & MPOL_F_PRIVATE) gfp |= __GFP_PRIVATE;")',
      (k) => (event2Set(k, EV2_MPOL_ALLOC_UNGATED) ? 'vma_alloc_folio\'s __GFP_PRIVATE (MPOL_F_PRIVATE) took a page of a private node whose ops lack NP_OPS_MEMPOLICY' : null),
    ),
  ];
}
