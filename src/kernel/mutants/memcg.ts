// Memory cgroups (issue 12 item 12, src/kernel/memcontrol.ts): seeded bugs at
// the charge, uncharge and migrate sites, one per memcg invariant
// (properties/memcg.ts), and the design fixes of the memcg findings.
import type { Fix, Mutant } from './types.ts';

export const MEMCG_MUTANTS: readonly Mutant[] = [
  {
    name: 'memcg-uncharge-skipped',
    site: 'mm/memcontrol.c: __mem_cgroup_uncharge (uncharge_batch)',
    catches: 'INV-MEMCG-CHARGE',
    description: 'a freed folio\'s memcg_data is cleared but the page counter is not decremented: the memcg keeps the charge of memory that is back in the buddy',
    config: 'memcg',
  },
  {
    name: 'memcg-migrate-skipped',
    site: 'mm/migrate.c: folio_migrate_flags (mem_cgroup_migrate)',
    catches: 'INV-MEMCG-CHARGE',
    description: 'migration does not carry the charge: the destination (the demoted folio on P, the promoted folio on DRAM) is mapped uncharged and the source\'s charge is dropped when it is freed',
    config: 'memcg',
  },
  {
    name: 'memcg-charge-ignores-max',
    site: 'mm/memcontrol.c: try_charge_memcg (page_counter_try_charge)',
    catches: 'INV-MEMCG-MAX',
    description: 'the charge does not check memory.max: a fault charges past the limit instead of reclaiming',
    config: 'memcg',
  },
  {
    name: 'memcg-reclaim-zonelist-only',
    site: 'mm/vmscan.c: try_to_free_mem_cgroup_pages (the design fix memcg-reclaim-private-nodes)',
    catches: 'INV-MEMCG-RECLAIM',
    description: 'with the design fix memcg-reclaim-private-nodes on, cgroup reclaim still walks only the current node\'s fallback zonelist: the memcg\'s folio on P is out of reach and the charge fails',
    config: 'memcg',
  },
  {
    name: 'memcg-deferred-keeps-charge',
    site: 'mm/swap.c: __folio_put (the design fix memcg-uncharge-deferred-free)',
    catches: 'INV-MEMCG-RECLAIM',
    description: 'with the design fix memcg-uncharge-deferred-free on, a folio the free_folio callback keeps (deferred into a flush buffer) stays charged again: a fault of the same memcg fails its charge against memory its user already freed',
    config: 'memcgfree',
  },
  {
    name: 'zap-keeps-migration-entry',
    site: 'mm/memory.c: zap_nonpresent_ptes (is_migration_entry: the entry is cleared)',
    catches: 'INV-MIGRATE-POST',
    description: 'a zap (munmap, MADV_DONTNEED, the OOM reaper / exit_mmap) leaves a migration entry in place (the model before the memcg OOM actor): the memcg OOM kill reaps its victim while kswapd(D0) holds the victim\'s folio under migration entries, and the migration\'s move restores the entry in the reaped mm, so its postcondition misreads where the moved folio is',
    config: 'memcgoom',
  },
];

export const MEMCG_FIXES: readonly Fix[] = [
  {
    name: 'memcg-reclaim-private-nodes',
    site: 'mm/vmscan.c: try_to_free_mem_cgroup_pages / shrink_zones (cgroup reclaim)',
    mends: 'INV-MEMCG-RECLAIM',
    config: 'memcg',
    description:
      'DESIGN CHANGE, not in v4: cgroup reclaim also scans every private node whose ops allow reclaim (zone_reclaim_allowed: NP_OPS_RECLAIM). In v4 try_to_free_mem_cgroup_pages walks node_zonelist(numa_node_id()), the faulting CPU\'s fallback zonelist, which v4\'s build_zonelists keeps free of private nodes (patch 4), and v4 applies zone_reclaim_allowed in shrink_zones only to global reclaim. A folio keeps its memcg charge when it is demoted (folio_migrate_flags -> mem_cgroup_migrate), so a memcg at memory.max whose memory sits on CRAM cannot reclaim any of it: its own reclaim even demotes its DRAM folios there (freeing no charge), then finds nothing, and the charge fails (memcg OOM) while kswapd(P) could swap every one of those folios out.',
  },
  {
    name: 'memcg-uncharge-deferred-free',
    site: 'mm/swap.c: __folio_put, folios_put_refs (mm/internal.h: folio_managed_on_free)',
    mends: 'INV-MEMCG-RECLAIM',
    config: 'memcgfree',
    description:
      'DESIGN CHANGE, not in v4: when the free_folio callback keeps a folio (cram_free_folio_cb -> cxl_compression_flush_cb defers it into a flush buffer), __folio_put uncharges it before returning (mem_cgroup_uncharge; the memory is the driver\'s now). In v4 __folio_put calls folio_managed_on_free first and returns when it keeps the folio, so mem_cgroup_uncharge runs only at the driver\'s second put after the flush: until the flush kthread sends the buffer, the memory the task freed still counts against its memory.max, and a fault of the same memcg fails its charge (memcg OOM) over memory nobody uses.',
  },
  {
    name: 'memcg-oom-retries-isolated',
    site: 'mm/memcontrol.c: try_charge_memcg (before mem_cgroup_oom)',
    mends: 'INV-MEMCG-RECLAIM',
    config: 'memcg',
    description:
      'DESIGN CHANGE, not in v4: a fruitless pass of try_charge_memcg\'s reclaim does not count towards the memcg OOM while one of the memcg\'s folios was out of the LRU\'s reach: a folio in another CPU\'s lru_add batch is drained (lru_add_drain_all), one another thread holds isolated (the memcg lruvecs\' NR_ISOLATED) is waited for (reclaim_throttle, VMSCAN_THROTTLE_ISOLATED); then the charge retries. In v4 the charge\'s passes can all run while the memcg\'s folio sits in another CPU\'s lru_add batch or in kswapd(D0)\'s demotion batch: they find nothing, nr_retries runs out and the memcg OOMs, while kswapd has meanwhile demoted the folio to CRAM, still charged (mem_cgroup_migrate) and reclaimable there (with memcg-reclaim-private-nodes, by the very next pass). Mainline tiering shares the window; v4 lands the folio on a node cgroup reclaim does not scan at all.',
  },
];
