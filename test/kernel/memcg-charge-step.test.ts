// try_charge_memcg's reclaim as steps of the faulting CPU (src/kernel/memcg_charge_step.ts), the
// memcg OOM on a named config (memcgoom) and the zap of a migration entry. What the model follows:
//   mm/memcontrol.c: try_charge_memcg: `retry: ... page_counter_try_charge(&memcg->memory, ...)`;
//     `nr_reclaimed = try_to_free_mem_cgroup_pages(...)`; `if (mem_cgroup_margin(mem_over_limit)
//     >= nr_pages) goto retry;` `if (nr_reclaimed && nr_pages <= (1 << PAGE_ALLOC_COSTLY_ORDER))
//     goto retry;` `if (nr_retries--) goto retry;` then mem_cgroup_oom; after a kill `passed_oom =
//     true; nr_retries = MAX_RECLAIM_RETRIES; goto retry;`
//   mm/vmscan.c: try_to_free_mem_cgroup_pages: `.nr_to_reclaim = max(nr_pages, SWAP_CLUSTER_MAX)`;
//     shrink_inactive_list: lru_add_drain(); isolate_lru_folios; shrink_folio_list
//   mm/memory.c: do_anonymous_page after alloc_anon_folio: `ret = check_stable_address_space(
//     vma->vm_mm); if (ret) goto release;` and `if (vmf_pte_changed(vmf)) { ... goto release; }`
//   mm/memory.c: zap_nonpresent_ptes: `} else if (is_migration_entry(entry)) { folio =
//     pfn_swap_entry_folio(entry); ... rss[mm_counter(folio)]--; }` then the entry is cleared
//   mm/oom_kill.c: __oom_reap_task_mm -> unmap_page_range(&tlb, vma, ..., NULL) (the same zap)
import test from 'ava';
import { kernelInitial, kernelSystem } from '../../models/kernel.system.ts';
import { withProperties, type System } from '../../src/explore/system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { KERNEL_CONFIG_PARAMS, configByName, makeConfig } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { buildMachine, type Kernel } from '../../src/kernel/kernel.ts';
import { PG_lru, PTE_MIGRATION, PTE_NONE, PTE_PRESENT, THREAD_REGS } from '../../src/kernel/layout.ts';
import { MC_CHARGED, MC_RETRIES_SHIFT, MC_R_ISOLATED, MC_R_RETRIES, MC_SHRINK, memcgChargeStage } from '../../src/kernel/memcg_charge_step.ts';
import { MB_DST_MAX, MB_PENDING, entryStatus, entrySrc } from '../../src/kernel/migrate_batch.ts';
import { outOfMemoryMemcg } from '../../src/kernel/oom_kill.ts';
import { OP_KSWAPD_DEMOTE, OP_MEMCG_CHARGE, OP_NONE } from '../../src/kernel/ops_codes.ts';
import { tryToMigrate } from '../../src/kernel/rmap.ts';
import { folioIsolateLru } from '../../src/kernel/folio.ts';
import { runThread } from '../../src/kernel/sched.ts';
import { MAX_RECLAIM_RETRIES, MODEL_RECLAIM_RETRIES } from '../../src/kernel/vmscan.ts';
import { runLiveness } from '../../src/cli/liveness-cmd.ts';
import { projectedReachable } from '../helpers/projection.ts';

const ALL = FIXES.map((f) => f.name);

/** Step cpu `cpu` (choice 0) until `done` holds; fails after 20 steps. */
function runUntil(k: Kernel, cpu: number, done: () => boolean): void {
  for (let i = 0; i < 20 && !done(); i++) if (!runThread(k, k.g.cpuThread(cpu), 0)) throw new Error(`cpu${cpu} blocked`);
  if (!done()) throw new Error(`cpu${cpu}: condition not reached`);
}

test('a write fault over memory.max stays in try_charge_memcg: the isolation and the shrink of v0 are two steps of cpu0, and kswapd(D0) runs between them (finds v0 off its LRU)', (t) => {
  const k = kernelInitial(buildMachine(configByName('memcg', { fixes: ALL })));
  const tid = k.g.cpuThread(0);
  runUntil(k, 0, () => k.get(k.L.PTE_KIND, 0) === PTE_PRESENT);
  const v0 = k.get(k.L.PTE_VAL, 0);
  runThread(k, tid, 1); // lru_add_drain: v0 on D0's LRU
  t.true(k.has(k.L.PG_FLAGS, v0, PG_lru));
  // write(v0), read(v0), mmap(v1), then write(v1): its fault allocates and finds usage 1 = memory.max.
  runUntil(k, 0, () => k.get(k.L.THR_OP, tid) === OP_MEMCG_CHARGE);
  t.is(k.get(k.L.MEMCG_USAGE, 0), 1, 'the new folio is not charged yet');
  t.is(k.get(k.L.PTE_KIND, 1), PTE_NONE);
  t.true(runThread(k, tid, 0), 'MC_TRY: the charge fails again, the pass isolates v0');
  t.is(memcgChargeStage(k, tid), MC_SHRINK);
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + MC_R_ISOLATED), v0 + 1);
  t.false(k.has(k.L.PG_FLAGS, v0, PG_lru));
  // kswapd(D0) is enabled here (D0 below its watermark) but cannot take v0: memcg reclaim holds it.
  const kswapd = k.g.kswapdThread(0);
  const first = k.g.blocks.find((b) => b.node === 0)!.firstPfn;
  t.is(v0, first, 'v0 is D0\'s first pfn: kswapd\'s choice 0');
  t.true(runThread(k, kswapd, 0), 'kswapd(D0) runs between the two steps');
  t.not(k.get(k.L.THR_OP, kswapd), OP_KSWAPD_DEMOTE, 'and finds nothing on its LRU (memcg reclaim holds v0): balance_pgdat returns');
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + MC_R_ISOLATED), v0 + 1);
  t.true(runThread(k, tid, 0), 'MC_SHRINK: v0 is demoted to P (charge kept) or reclaimed');
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + MC_R_ISOLATED), 0);
});

test('the OOM victim may be inside a memcg charge: the kill reaps its mm, and its fault, once charged, finds the address space unstable, releases the folio (uncharged at the free) and returns VM_FAULT_SIGBUS', (t) => {
  const k = kernelInitial(buildMachine(configByName('memcgoom', { fixes: ALL })));
  const t1 = k.g.cpuThread(1);
  k.set(k.L.MEMCG_USAGE, 0, 1); // the memcg is at memory.max (another cgroup member's charge)
  runUntil(k, 1, () => k.get(k.L.THR_OP, t1) === OP_MEMCG_CHARGE);
  const pfn = k.get(k.L.THR_REG, t1 * THREAD_REGS + 1) - 1;
  // Neither task maps anything: equal badness, the last candidate (mm 1) is chosen.
  t.is(outOfMemoryMemcg(k, k.g.cpuThread(0), 0), 1);
  t.is(k.get(k.L.MM_LIVE, 1), 0);
  k.set(k.L.MEMCG_USAGE, 0, 0); // the other member's charge is gone: the retry charges
  runUntil(k, 1, () => memcgChargeStage(k, t1) === MC_CHARGED);
  t.is(k.get(k.L.MEMCG_USAGE, 0), 1);
  const pc = k.get(k.L.THR_PC, t1);
  t.true(runThread(k, t1, 0));
  t.is(k.get(k.L.THR_OP, t1), OP_NONE);
  t.is(k.get(k.L.THR_PC, t1), pc + 1, 'VM_FAULT_SIGBUS: the access is not retried');
  t.is(k.get(k.L.PG_REF, pfn), 0, 'the folio was released');
  t.is(k.get(k.L.MEMCG_USAGE, 0), 0, 'and uncharged at its free');
});

test('zap_nonpresent_ptes clears a migration entry (MADV_DONTNEED under a migration): the folio under migration keeps only the migration\'s reference', (t) => {
  const cfg = makeConfig({ ...KERNEL_CONFIG_PARAMS.memcgoom, fixes: ALL, extraOps: [{ op: 'madv_dontneed', vaddr: 0 }] });
  const k = kernelInitial(buildMachine(cfg));
  const tid = k.g.cpuThread(0);
  runUntil(k, 0, () => k.get(k.L.PTE_KIND, 0) === PTE_PRESENT);
  runThread(k, tid, 1);
  const pfn = k.get(k.L.PTE_VAL, 0);
  // migrate_folio_unmap by some migrator: isolate, then try_to_migrate (the mapping's reference goes).
  t.true(folioIsolateLru(k, pfn));
  tryToMigrate(k, pfn);
  t.is(k.get(k.L.PTE_KIND, 0), PTE_MIGRATION);
  // cpu0 at its madvise (its read of v0 would wait in migration_entry_wait).
  k.set(k.L.THR_PC, tid, k.cfg.cpus[0]!.program.findIndex((o) => o.op === 'madv_dontneed'));
  t.true(runThread(k, tid, 0));
  t.is(k.get(k.L.PTE_KIND, 0), PTE_NONE, 'the zap cleared the entry');
  t.is(k.get(k.L.PG_REF, pfn), 1, 'the isolation reference only');
});

test('memcg: with every fix but memcg-oom-retries-isolated the charge gives up while kswapd(D0) holds v0 for its demotion, then v0 lands on P still charged (INV-MEMCG-RECLAIM); with it every invariant holds', (t) => {
  const run = (fixes: readonly string[]): string[] => explore(kernelSystem(configByName('memcg', { fixes })), { stopAtFirstViolation: false, maxStates: 50_000 }).violations.map((v) => v.property);
  t.deepEqual(run(ALL.filter((f) => f !== 'memcg-oom-retries-isolated')), ['INV-MEMCG-RECLAIM']);
  t.deepEqual(run(ALL), []);
});

test('memcgoom --fix all: exhaustive, every invariant holds, and the memcg OOM reaps a victim while kswapd(D0) holds its folio under migration entries', (t) => {
  const sys = kernelSystem(configByName('memcgoom', { fixes: ALL }));
  let reaped = false;
  const seen: System = {
    ...sys,
    properties: [...sys.properties, {
      id: 'SEEN',
      source: 'test',
      check(state: Uint32Array): null {
        if (reaped) return null;
        const k = kernelInitial(sys.machine);
        k.s.set(new Uint16Array(state.buffer, state.byteOffset, state.length * 2));
        const kt = k.g.kswapdThread(0);
        if (k.get(k.L.THR_OP, kt) !== OP_KSWAPD_DEMOTE) return null;
        for (let r = 1; r < THREAD_REGS; r++) {
          const v = k.get(k.L.THR_REG, kt * THREAD_REGS + r);
          const st = entryStatus(v);
          // an unmapped source (migration entries out) whose mm the OOM killer reaped
          if (v === 0 || st === MB_PENDING || st > MB_DST_MAX) continue;
          if (k.get(k.L.PG_MAPCOUNT, entrySrc(v)) === 0 && [0, 1].some((mm) => !k.get(k.L.MM_LIVE, mm) && k.get(k.L.PTE_KIND, mm) === PTE_NONE)) reaped = true;
        }
        return null;
      },
    }],
  };
  const r = explore(withProperties(seen, () => true), { stopAtFirstViolation: false });
  t.true(r.complete);
  t.deepEqual(r.violations.map((v) => v.property), []);
  t.true(reaped);
});

/** memcg's reachable states with the given bound on fruitless passes, the pass counter projected away. */
function projectedStates(name: 'memcg' | 'memcgfree', retries: number): { states: number; projected: Set<string> } {
  // Faithful v4: with every fix on no pass is ever counted fruitless on these configs (the bound changes nothing).
  const cfg = { ...makeConfig({ ...KERNEL_CONFIG_PARAMS[name], fixes: [] }), memcgReclaimRetries: retries };
  const sys = kernelSystem(cfg);
  const L = sys.machine.L;
  return projectedReachable(sys, (w) => {
    for (let tid = 0; tid < L.THR_OP.len; tid++) if (w[L.THR_OP.off + tid] === OP_MEMCG_CHARGE) w[L.THR_REG.off + tid * THREAD_REGS + MC_R_RETRIES] &= (1 << MC_RETRIES_SHIFT) - 1;
  });
}

for (const name of ['memcg', 'memcgfree'] as const) {
  test(`${name} (v4): with MODEL_RECLAIM_RETRIES fruitless passes every state the kernel's MAX_RECLAIM_RETRIES (16) reaches is reached, once the pass counter is projected away`, (t) => {
    const model = projectedStates(name, MODEL_RECLAIM_RETRIES);
    const kernel = projectedStates(name, MAX_RECLAIM_RETRIES);
    for (const s of kernel.projected) if (!model.projected.has(s)) return t.fail('a state reached only with MAX_RECLAIM_RETRIES');
    t.true(model.states < kernel.states);
    t.is(model.projected.size, kernel.projected.size);
  });
}

test('memcgoom --fix all (a hopeless kswapd sleeps, as in the kernel): every program finishes and every access completes; a charge step enabled again and again is taken (strong fairness: it waits only for a PTL or an OOM victim between operations), else cpu0\'s cram_fault retries could starve cpu1\'s shrink of the folio both want for ever', (t) => {
  const run = runLiveness(kernelSystem(configByName('memcgoom', { fixes: ALL })), {});
  t.true(run.verdicts.length >= 10);
  for (const v of run.verdicts) t.is(v.status, 'holds', `${v.id}: ${v.message}`);
});

