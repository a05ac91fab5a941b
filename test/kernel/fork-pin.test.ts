// Fork of a pinned anonymous page and FOLL_WRITE long-term pins (issue 12
// item 9), on the scenario machine (D0 = N0, D1 = N1, P = N2).
// mm/memory.c copy_present_pte (mainline; v4 does not touch it):
//   if (folio && folio_test_anon(folio)) {
//       folio_get(folio);
//       if (unlikely(folio_try_dup_anon_rmap_pte(folio, page, dst_vma, src_vma))) {
//           /* Page may be pinned, we have to copy. */
//           folio_put(folio);
//           err = copy_present_page(dst_vma, src_vma, dst_pte, src_pte, addr, rss, prealloc, page);
// and include/linux/rmap.h __folio_try_dup_anon_rmap returns -EBUSY for a
// PageAnonExclusive page when folio_needs_cow_for_dma (folio_maybe_dma_pinned).
// copy_present_page maps the copy in the child with
// maybe_mkwrite(pte_mkdirty(pte)) and RMAP_EXCLUSIVE; the parent's PTE is left
// alone. mm/rmap.c try_to_migrate_one: folio_try_share_anon_rmap_pte fails on
// the same page, so migration never turns it into a migration entry.
// mm/gup.c: a FOLL_WRITE pin follows only a writable PTE (can_follow_write_pte),
// else faultin_page takes a FAULT_FLAG_WRITE fault (no FOLL_UNLOCKABLE for
// pin_user_pages, so no FAULT_FLAG_ALLOW_RETRY); on P that is v4's handle_fault.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { explore } from '../../src/explore/explorer.ts';
import { withReachProbe } from '../../src/explore/reach-probe.ts';
import { withProperties } from '../../src/explore/system.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { PIN_HELD } from '../../src/kernel/gup_longterm.ts';
import { PTE_EXCL, PTE_PRESENT, PTE_WRITE } from '../../src/kernel/layout.ts';
import { doPagesMove } from '../../src/kernel/migrate.ts';
import { takePageOffBuddy } from '../../src/kernel/buddy.ts';
import { ENOMEM } from '../../src/kernel/defs.ts';
import { dupMm } from '../../src/kernel/fork.ts';
import { pageInBuddy } from '../../src/kernel/ghost.ts';
import { D0, P, nodeOf, ptePfn, runCpu, scenario, slotOf, step, traced } from '../helpers/scenario.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { OP_KSWAPD_DEMOTE } from '../../src/kernel/ops_codes.ts';

const ALL_FIXES = FIXES.map((f) => f.name);
const HIGH = { min: 0, low: 0, high: 64 };

const writeThen = (...rest: ProgramOp[]): ProgramOp[] => [{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 5 }, ...rest];

function pte(k: ReturnType<typeof scenario>, mm: number): { kind: number; flags: number; pfn: number } {
  const s = slotOf(k, mm, 0);
  return { kind: k.get(k.L.PTE_KIND, s), flags: k.get(k.L.PTE_FLAGS, s), pfn: k.get(k.L.PTE_VAL, s) };
}

test('fork of a long-term pinned exclusive anon page gives the child a copy at once; the parent keeps the pinned page exclusive and writable (copy_present_pte -> copy_present_page)', (t) => {
  const k = traced(scenario({ programs: [writeThen({ op: 'pin_user_pages', vaddr: 0 }, { op: 'fork', child: 1 })], cpuMms: [0], mms: 2 }));
  runCpu(k, 0);
  const parent = pte(k, 0);
  const child = pte(k, 1);
  t.is(k.get(k.L.THR_LT_PIN_STAGE, k.g.cpuThread(0)), PIN_HELD);
  t.is(k.get(k.L.THR_LT_PIN, k.g.cpuThread(0)) - 1, parent.pfn, 'the pin is on the parent\'s page');
  t.is(parent.kind, PTE_PRESENT);
  t.true((parent.flags & PTE_EXCL) !== 0, 'parent PTE still PageAnonExclusive');
  t.true((parent.flags & PTE_WRITE) !== 0, 'parent PTE not write-protected');
  t.is(child.kind, PTE_PRESENT);
  t.not(child.pfn, parent.pfn, 'the child maps its own copy');
  t.true((child.flags & PTE_EXCL) !== 0 && (child.flags & PTE_WRITE) !== 0, 'RMAP_EXCLUSIVE, maybe_mkwrite(pte_mkdirty())');
  t.is(k.get(k.L.PG_CONTENT, child.pfn), 5);
  t.is(k.get(k.L.PG_MAPCOUNT, parent.pfn), 1);
  t.true(k.log!.some((l) => l.startsWith('copy_present_page(v0)')));
});

test('fork of an unpinned exclusive page still shares it copy-on-write (folio_try_dup_anon_rmap_pte succeeds)', (t) => {
  const k = scenario({ programs: [writeThen({ op: 'fork', child: 1 })], cpuMms: [0], mms: 2 });
  runCpu(k, 0);
  t.is(pte(k, 0).pfn, pte(k, 1).pfn);
  t.is(pte(k, 0).flags & (PTE_EXCL | PTE_WRITE), 0);
});

test('a GUP pin (pin_user_pages without FOLL_LONGTERM) is copied for the child as well (folio_maybe_dma_pinned sees every FOLL_PIN)', (t) => {
  const k = scenario({ programs: [writeThen({ op: 'gup', vaddr: 0, write: false, pin: true }, { op: 'fork', child: 1 })], cpuMms: [0], mms: 2 });
  runCpu(k, 0);
  t.not(pte(k, 0).pfn, pte(k, 1).pfn);
  t.true((pte(k, 0).flags & PTE_EXCL) !== 0);
});

test('migration backs off a pinned exclusive page before unmapping it (try_to_migrate_one: folio_try_share_anon_rmap_pte fails)', (t) => {
  const k = traced(scenario({ pOps: 'mpol', programs: [writeThen({ op: 'pin_user_pages', vaddr: 0 })] }));
  runCpu(k, 0);
  const pfn = pte(k, 0).pfn;
  k.log!.length = 0;
  doPagesMove(k, k.g.cpuThread(0), 0, 0, P);
  t.true(k.log!.some((l) => l === `try_to_migrate(pfn ${pfn}): exclusive anon page may be pinned, not unmapped`), k.log!.join('\n'));
  t.false(k.log!.some((l) => l.startsWith(`try_to_migrate(pfn ${pfn}): 1 migration`)));
  t.is(pte(k, 0).pfn, pfn);
});

test('a FOLL_WRITE long-term pin of a demoted CRAM folio takes a write fault that v4 hands to cram_fault; the pin is granted on the promoted, writable DRAM folio', (t) => {
  const k = traced(scenario({ wmark: HIGH, pOps: 'cram', programs: [writeThen({ op: 'pin_user_pages', vaddr: 0, write: true }), []] }));
  runCpu(k, 0, 3); // mmap, the write fault, the store
  // kswapd(D0) demotes v0 to P (as test/kernel/gup.test.ts does).
  if (!wakeupKswapd(k, D0 * 4 + 2)) throw new Error('no wakeup');
  if (!step(k, 'kswapd0', ptePfn(k, 0, 0))) throw new Error('no demotion');
  const kt = k.g.kswapdThread(D0);
  for (let n = 0; n < 10 && k.get(k.L.THR_OP, kt) === OP_KSWAPD_DEMOTE; n++) step(k, 'kswapd0', 0);
  k.set(k.L.NODE_KSWAPD, D0, 1);
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
  t.is(pte(k, 0).flags & PTE_WRITE, 0, 'CRAM maps it read-only');
  const t0 = k.g.cpuThread(0);
  k.log!.length = 0;
  runCpu(k, 0);
  t.true(k.log!.some((l) => l.startsWith('cram_fault F4')), 'the write fault went to handle_fault (cram_fault promoted it)');
  const now = pte(k, 0);
  t.not(nodeOf(k, now.pfn), P);
  t.true((now.flags & PTE_WRITE) !== 0, 'can_follow_write_pte: the pin follows a writable PTE only');
  t.is(k.get(k.L.THR_LT_PIN_STAGE, t0), PIN_HELD);
  t.is(k.get(k.L.THR_LT_PIN, t0) - 1, now.pfn);
  t.is(k.get(k.L.PG_CONTENT, now.pfn), 5);
});

test('a FOLL_WRITE long-term pin of a read-only VMA fails with -EFAULT (check_vma_flags)', (t) => {
  const k = traced(scenario({ programs: [[{ op: 'mmap', vaddr: 0, kind: 'anon', prot: 'r' }, { op: 'read', vaddr: 0 }, { op: 'pin_user_pages', vaddr: 0, write: true }]] }));
  runCpu(k, 0);
  t.is(k.get(k.L.THR_LT_PIN_STAGE, k.g.cpuThread(0)), 0);
  t.true(k.log!.some((l) => l === 'pin_user_pages(v0, FOLL_LONGTERM) = -EFAULT'));
});

test('fork fails with -ENOMEM when the copy of a pinned page cannot be allocated; the half-built child mm is torn down (copy_pte_range: folio_prealloc fails)', (t) => {
  const k = traced(scenario({ programs: [writeThen({ op: 'pin_user_pages', vaddr: 0 })], cpuMms: [0], mms: 2 }));
  runCpu(k, 0);
  // Nothing left for GFP_HIGHUSER_MOVABLE: every free DRAM page is taken (P is never a fallback).
  for (let pfn = 0; pfn < k.g.pfns; pfn++) if (k.cfg.nodes[k.g.pfnNode[pfn]!]?.kind !== 'private' && pageInBuddy(k, pfn)) takePageOffBuddy(k, pfn);
  t.is(dupMm(k, 0, 1, k.g.cpuThread(0)), -ENOMEM);
  t.is(k.get(k.L.MM_LIVE, 1), 0, 'no child');
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 1, 0)), 0);
  const parent = pte(k, 0);
  t.true((parent.flags & PTE_EXCL) !== 0 && (parent.flags & PTE_WRITE) !== 0, 'the pinned page is untouched');
  t.is(k.get(k.L.PG_MAPCOUNT, parent.pfn), 1);
});

for (const config of ['forkpin', 'longpinw']) {
  test(`${config}: every fix on, complete, every invariant holds, every declared reachability target is reached; v4 breaks only the known INV-FOLIO-GET-ZERO`, (t) => {
    const p = withReachProbe(kernelSystem(configByName(config, { fixes: ALL_FIXES })));
    const r = explore(p.sys, { strategy: 'bfs', maxStates: 200_000 });
    t.true(r.complete);
    t.deepEqual(r.violations.map((v) => v.property), []);
    t.deepEqual(p.declared.filter((id) => !p.reached.has(id)), []);
    const v4 = explore(kernelSystem(configByName(config)), { strategy: 'bfs', maxStates: 200_000, stopAtFirstViolation: false });
    t.deepEqual([...new Set(v4.violations.map((v) => v.property))], ['INV-FOLIO-GET-ZERO']);
  });
}

test('mutant fork-shares-pinned-page escapes every other invariant (complete) and INV-PIN-STAYS-EXCL catches it (forkpin)', (t) => {
  const sys = kernelSystem(configByName('forkpin', { fixes: ALL_FIXES, mutant: 'fork-shares-pinned-page' }));
  const without = explore(withProperties(sys, (id) => id !== 'INV-PIN-STAYS-EXCL'), { strategy: 'bfs', maxStates: 1_000_000, stopAtFirstViolation: false });
  t.log(`without INV-PIN-STAYS-EXCL: ${without.states} states`);
  t.true(without.complete);
  t.deepEqual(without.violations.map((v) => v.property), []);
  t.deepEqual([...new Set(explore(sys, { strategy: 'bfs', maxStates: 200_000, stopAtFirstViolation: false }).violations.map((v) => v.property))], ['INV-PIN-STAYS-EXCL']);
});
