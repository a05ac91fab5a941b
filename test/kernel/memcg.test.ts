// Memory cgroups (issue 12 item 12): src/kernel/memcontrol.ts, memcg_charge.ts,
// memcg_reclaim.ts. What the model follows:
//   mm/memory.c: alloc_anon_folio -> mem_cgroup_charge(folio, vma->vm_mm, gfp);
//     on failure folio_put(folio) and VM_FAULT_OOM (mainline; v4 leaves it)
//   mm/migrate.c: folio_migrate_flags ends in mem_cgroup_migrate(folio, newfolio):
//     commit_charge(new, memcg); old->memcg_data = 0 (the counter is unchanged)
//   mm/swap.c (v4 bc4b49e8): __folio_put: `if (unlikely(folio_is_private_managed(folio)))
//     if (folio_managed_on_free(folio)) return;` BEFORE page_cache_release and
//     mem_cgroup_uncharge(folio): a folio the free_folio hook keeps stays charged
//   mm/vmscan.c: try_to_free_mem_cgroup_pages: `zonelist = node_zonelist(numa_node_id(),
//     sc.gfp_mask)`; v4 patch 16's shrink_zones: `if (!cgroup_reclaim(sc)) { if
//     (!zone_reclaim_allowed(zone, ...)) continue;` (global reclaim only); v4 patch 4:
//     an N_MEMORY node's fallback zonelist has no private node
//   mm/oom_kill.c (v4): constrained_alloc `if (is_memcg_oom(oc)) { ... return
//     CONSTRAINT_MEMCG; }` before the NP_OPS_OOM_ELIGIBLE logic; oom_evaluate_task
//     `if (!is_memcg_oom(oc) && !oom_cpuset_eligible(task, oc)) goto next;`
import test from 'ava';
import { kernelInitial, kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withProperties } from '../../src/explore/system.ts';
import { boot } from '../../src/kernel/boot.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { folioIsolateLru, lruAddDrain } from '../../src/kernel/folio.ts';
import { EV2_OOM_UNDESERVING, event2Set } from '../../src/kernel/ghost.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { PTE_PRESENT } from '../../src/kernel/layout.ts';
import { memcgReclaimNodes } from '../../src/kernel/memcg_reclaim.ts';
import { MEMCG_MUTANTS } from '../../src/kernel/mutants/memcg.ts';
import { oomBadness, outOfMemoryMemcg } from '../../src/kernel/oom_kill.ts';
import { runThread } from '../../src/kernel/sched.ts';
import { demoteFolioList } from '../../src/kernel/vmscan.ts';
import { buildLayout } from '../../src/kernel/layout.ts';

const ALL_FIXES = FIXES.map((f) => f.name);

function memcgKernel(fixes: readonly string[] = []): Kernel {
  return kernelInitial(buildMachine(configByName('memcg', { fixes })));
}

/** Run cpu0 until v0 is mapped (mmap, then the write fault). */
function faultV0(k: Kernel): number {
  const t = k.g.cpuThread(0);
  for (let i = 0; i < 10 && k.get(k.L.PTE_KIND, 0) !== PTE_PRESENT; i++) runThread(k, t, 0);
  return k.get(k.L.PTE_VAL, 0);
}

test('layout: the memcg fields exist only in a config with a memcg (canonical keeps its state size)', (t) => {
  const can = configByName('canonical');
  const m = buildMachine(configByName('memcg'));
  t.is(buildLayout(can, buildMachine(can).g).PG_MEMCG.len, 0);
  t.is(m.L.PG_MEMCG.len, m.g.pfns);
  t.is(m.L.MEMCG_USAGE.len, 1);
});

test('alloc_anon_folio -> mem_cgroup_charge: the fault\'s folio is charged to the memcg', (t) => {
  const k = memcgKernel();
  const pfn = faultV0(k);
  t.is(k.get(k.L.MEMCG_USAGE, 0), 1);
  t.is(k.get(k.L.PG_MEMCG, pfn), 1);
});

test('demotion carries the charge (folio_migrate_flags -> mem_cgroup_migrate): the folio on P is charged, the DRAM source is not, the counter is unchanged', (t) => {
  const k = memcgKernel();
  const src = faultV0(k);
  const kswapd = k.g.kswapdThread(0);
  lruAddDrain(k, kswapd, -1);
  t.true(folioIsolateLru(k, src));
  const list = [src];
  t.is(demoteFolioList(k, kswapd, list, 0, 1), 1);
  const dst = k.get(k.L.PTE_VAL, 0);
  t.is(k.g.pfnNode[dst], 1, 'v0 now maps a P folio');
  t.is(k.get(k.L.PG_MEMCG, dst), 1);
  t.is(k.get(k.L.PG_MEMCG, src), 0);
  t.is(k.get(k.L.MEMCG_USAGE, 0), 1);
});

test('try_to_free_mem_cgroup_pages walks numa_node_id()\'s fallback zonelist: v4 never scans P; the design fix adds P (NP_OPS_RECLAIM)', (t) => {
  const v4 = memcgKernel();
  t.deepEqual(memcgReclaimNodes(v4, v4.g.cpuThread(0)), [0]);
  const fixed = memcgKernel(['memcg-reclaim-private-nodes']);
  t.deepEqual(memcgReclaimNodes(fixed, fixed.g.cpuThread(0)), [0, 1]);
});

function violations(config: string, fixes: readonly string[], mutant: string | null = null, keep: (id: string) => boolean = () => true): { props: string[]; complete: boolean; messages: string[] } {
  const sys = withProperties(kernelSystem(configByName(config, { fixes, mutant })), keep);
  const r = explore(sys, { strategy: 'bfs', maxStates: 50_000, stopAtFirstViolation: false });
  return { props: r.violations.map((x) => x.property), complete: r.complete || r.violations.length > 0, messages: r.violations.map((x) => x.message) };
}

test('memcg (v4): the second fault\'s charge gives up while v0\'s charge sits on P, reclaimable by kswapd(P) but outside memcg reclaim (finding memcg-reclaim-private-nodes)', (t) => {
  const v4 = violations('memcg', []);
  t.true(v4.props.includes('INV-MEMCG-RECLAIM'));
  t.true(v4.messages.some((m) => m.includes('private node with NP_OPS_RECLAIM')));
  t.false(v4.props.includes('INV-MEMCG-CHARGE'));
  t.false(v4.props.includes('INV-MEMCG-MAX'));
  t.deepEqual(violations('memcg', ALL_FIXES).props, []);
});

test('memcgfree (v4): v0 freed on P stays charged in the flush buffer (__folio_put returns before mem_cgroup_uncharge) and the next charge gives up (finding memcg-uncharge-deferred-free)', (t) => {
  const v4 = violations('memcgfree', ALL_FIXES.filter((f) => f !== 'memcg-uncharge-deferred-free'));
  t.deepEqual(v4.props, ['INV-MEMCG-RECLAIM']);
  t.true(v4.messages.some((m) => m.includes('flush buffer')));
  t.false(violations('memcgfree', []).props.includes('INV-MEMCG-CHARGE'), 'a deferred folio is charged and counted: the counter matches');
  t.deepEqual(violations('memcgfree', ALL_FIXES).props, []);
});

for (const m of MEMCG_MUTANTS) {
  test(`mutant ${m.name}: caught by ${m.catches}, escapes without it`, (t) => {
    const withIt = violations(m.config!, ALL_FIXES, m.name);
    t.true(withIt.props.includes(m.catches));
    const without = violations(m.config!, ALL_FIXES, m.name, (id) => id !== m.catches);
    t.deepEqual(without.props, [], `${m.name} escapes every other invariant`);
  });
}

test('memcg OOM (mem_cgroup_out_of_memory): CONSTRAINT_MEMCG, no cpuset / NP_OPS_OOM_ELIGIBLE filter; the badness picks the process whose memory is on an ineligible P, and INV-OOM-VICTIM does not judge it', (t) => {
  const k = boot(buildMachine(configByName('oom')));
  for (let i = 0; i < 100 && runThread(k, k.g.cpuThread(0), 0); i++);
  const t1 = k.g.cpuThread(1);
  for (let i = 0; i < 20 && k.get(k.L.PTE_KIND, 3 + 1) !== PTE_PRESENT; i++) runThread(k, t1, 0);
  t.is(oomBadness(k, 0), 3);
  t.is(oomBadness(k, 1), 2);
  t.is(outOfMemoryMemcg(k, t1, 1), 0);
  t.is(k.get(k.L.MM_LIVE, 0), 0);
  t.false(event2Set(k, EV2_OOM_UNDESERVING));
});
