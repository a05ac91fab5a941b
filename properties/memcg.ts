// Memory cgroups (issue 12 item 12, src/kernel/memcontrol.ts): the memcg's
// page counter against the folios charged to it, memory.max, and what the
// charge path may give up on. Configurations without cfg.memcg have no memcg
// state: every check holds vacuously there.

import type { Property } from '../src/explore/system.ts';
import { EV2_MEMCG_OOM_FREED, EV2_MEMCG_OOM_RECLAIMABLE, event2Set, pageInBuddy } from '../src/kernel/ghost.ts';
import type { Kernel } from '../src/kernel/kernel.ts';
import { PG_anon, PG_head, PTE_PRESENT } from '../src/kernel/layout.ts';
import { nodeLabel, prop, type StateView } from './common.ts';

export function memcgProperties(v: StateView): Property[] {
  return [
    prop(
      v,
      'INV-MEMCG-CHARGE',
      'mm/memcontrol.c: commit_charge, __mem_cgroup_uncharge, mem_cgroup_migrate (page_counter = the pages whose folio->memcg_data is the memcg); mm/migrate.c: folio_migrate_flags; mm/swap.c: __folio_put (v4: folio_managed_on_free before mem_cgroup_uncharge); mm/memory.c: alloc_anon_folio (mem_cgroup_charge)',
      (k) => (k.cfg.memcg ? chargeBroken(k) : null),
    ),
    prop(
      v,
      'INV-MEMCG-MAX',
      'mm/memcontrol.c: try_charge_memcg (page_counter_try_charge against memory.max; no __GFP_NOFAIL charge in the model)',
      (k) => {
        if (!k.cfg.memcg) return null;
        const u = k.get(k.L.MEMCG_USAGE, 0);
        return u > k.cfg.memcg.max ? `memcg usage ${u} pages is over memory.max ${k.cfg.memcg.max}` : null;
      },
    ),
    prop(
      v,
      'INV-MEMCG-RECLAIM',
      'cover letter: "NP_OPS_RECLAIM - Node supports reclaim", "free_folio - ... in __folio_put()"; mm/cram.c (header: "Folios are aged by kswapd on the private node and reclaimed to swap"); mm/vmscan.c: try_to_free_mem_cgroup_pages ("Traverse the ZONELIST_FALLBACK zonelist of the current node to put equal pressure on all the nodes"), shrink_zones (v4 zone_reclaim_allowed only for global reclaim); mm/memcontrol.c: try_charge_memcg, mem_cgroup_oom; mm/swap.c: __folio_put',
      (k) => {
        if (event2Set(k, EV2_MEMCG_OOM_RECLAIMABLE)) return 'the memcg charge gave up (memcg OOM) while a folio charged to the memcg sat on the LRU of a private node with NP_OPS_RECLAIM, reclaimable to swap';
        if (event2Set(k, EV2_MEMCG_OOM_FREED)) return 'the memcg charge gave up (memcg OOM) while folios its task had freed (kept in a flush buffer by free_folio) still counted against memory.max';
        return null;
      },
    ),
  ];
}

/** The counter against the charged folios; a charged folio is a live folio head; a mapped anon folio of a user task is charged. */
function chargeBroken(k: Kernel): string | null {
  const L = k.L;
  let charged = 0;
  for (let pfn = 0; pfn < k.g.pfns; pfn++) {
    if (k.get(L.PG_MEMCG, pfn) === 0) continue;
    if (!k.has(L.PG_FLAGS, pfn, PG_head) || pageInBuddy(k, pfn)) return `pfn ${pfn} on ${nodeLabel(k, k.g.pfnNode[pfn]!)} is charged but is not an allocated folio`;
    charged += 1 << k.get(L.PG_ORDER, pfn);
  }
  const usage = k.get(L.MEMCG_USAGE, 0);
  if (usage !== charged) return `memcg page counter ${usage} but ${charged} page(s) charged to it`;
  for (let s = 0; s < k.cfg.mms * k.cfg.vaddrs; s++) {
    if (k.get(L.PTE_KIND, s) !== PTE_PRESENT) continue;
    const pfn = k.get(L.PTE_VAL, s);
    if (k.has(L.PG_FLAGS, pfn, PG_anon) && k.get(L.PG_MEMCG, pfn) === 0) {
      return `anon pfn ${pfn} on ${nodeLabel(k, k.g.pfnNode[pfn]!)} mapped by mm ${Math.floor(s / k.cfg.vaddrs)} is not charged to the memcg`;
    }
  }
  return null;
}
