// Each mm mutant (src/kernel/mutants/mm.ts) changes observable behaviour at its
// site, in the direction its invariant judges; the faithful model does not.
import test from 'ava';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { MIGRATE_SYNC, MR_SYSCALL } from '../../src/kernel/defs.ts';
import { folioIsolateLru } from '../../src/kernel/folio.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';

// Isolate as the kernel's callers do before migrate_pages: take the folio off
// the LRU and account it in NR_ISOLATED (mm/migrate.c: migrate_folio_add).
function isolate(k: Kernel, pfn: number): boolean {
  const ok = folioIsolateLru(k, pfn);
  if (ok) nodeStatModIsolated(k, pfn, 1);
  return ok;
}
import { EV_DATA_LOSS, EV_MIGRATE_UNGATED, PTE_PROTNONE, PTE_WRITE } from '../../src/kernel/layout.ts';
import { handleMmFault, pteSlot } from '../../src/kernel/memory.ts';
import { allocMigrationTarget, migratePages, nodeStatModIsolated } from '../../src/kernel/migrate.ts';
import { MM_FIXES, MM_MUTANTS } from '../../src/kernel/mutants/mm.ts';
import { nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { allocPagesNode, NULL_PFN } from '../../src/kernel/page_alloc.ts';
import { GFP_KERNEL, __GFP_THISNODE } from '../../src/kernel/defs.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { D0, D1, P, nodeOf, ptePfn, runCpu, scenario, slotOf, step, traced } from '../helpers/scenario.ts';

const anonToP: ProgramOp[] = [
  { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' },
  { op: 'write', vaddr: 0, value: 3 },
  { op: 'move_pages', vaddr: 0, node: P },
];

const writable = (k: ReturnType<typeof scenario>) => k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE);

test('the catalogue names at least the eight required mutants, each with a site and an invariant', (t) => {
  const names = MM_MUTANTS.map((m) => m.name);
  for (const n of ['fixup-migration-pte-keeps-write', 'mprotect-ignores-protect-write', 'numa-fault-maps-writable', 'handle-fault-after-write-check', 'try-to-migrate-ignores-gate', 'free-skips-free-folio-hook', 'swapin-to-private', 'migrate-copy-skipped']) {
    t.true(names.includes(n), n);
  }
  for (const m of [...MM_MUTANTS, ...MM_FIXES]) t.true(m.site.length > 0 && m.description.length > 0);
  t.is(new Set(names).size, names.length);
});

test('fixup-migration-pte-keeps-write: a folio demoted to a PROTECT_WRITE node stays writable (INV-RO)', (t) => {
  for (const mutant of [null, 'fixup-migration-pte-keeps-write']) {
    const k = scenario({ mutant, pOps: 'demote', programs: [anonToP, []] });
    runCpu(k, 0);
    t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
    t.is(writable(k), mutant !== null);
  }
});

test('mprotect-ignores-protect-write: mprotect(rw) upgrades a P folio (INV-RO)', (t) => {
  for (const mutant of [null, 'mprotect-ignores-protect-write']) {
    const k = scenario({ mutant, pOps: 'demote', programs: [[...anonToP, { op: 'mprotect', vaddr: 0, prot: 'r' }, { op: 'mprotect', vaddr: 0, prot: 'rw' }], []] });
    runCpu(k, 0);
    t.is(writable(k), mutant !== null);
  }
});

test('numa-fault-maps-writable: do_numa_page rebuilds a P folio writable (INV-RO)', (t) => {
  for (const mutant of [null, 'numa-fault-maps-writable']) {
    const k = scenario({ mutant, pOps: 'demote', programs: [anonToP, []] });
    runCpu(k, 0);
    while (allocPagesNode(k, D0, GFP_KERNEL | __GFP_THISNODE, 0) !== NULL_PFN) { /* fill D0: the folio stays on P */ }
    k.set(k.L.PTE_FLAGS, pteSlot(k, 0, 0), PTE_PROTNONE);
    handleMmFault(k, k.g.cpuThread(0), 0, 0, false);
    t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
    t.is(writable(k), mutant !== null);
  }
});

test('try-to-migrate-ignores-gate: a P folio without MIGRATION is unmapped and moved (INV-MIGRATE-GATE, EV_MIGRATE_UNGATED)', (t) => {
  for (const mutant of [null, 'try-to-migrate-ignores-gate']) {
    const k = scenario({ mutant, pOps: 'mpol', programs: [anonToP, []] });
    runCpu(k, 0);
    const pfn = ptePfn(k, 0, 0);
    nodePrivateSetOps(k, P, opsIdByName(k, 'bare'));
    isolate(k, pfn);
    const r = migratePages(k, 0, [pfn], allocMigrationTarget(D1), null, MIGRATE_SYNC, MR_SYSCALL);
    t.is(r.nrSucceeded, mutant ? 1 : 0);
    t.is((k.get(k.L.GH_EVENTS) & EV_MIGRATE_UNGATED) !== 0, mutant !== null);
  }
});

test('free-skips-free-folio-hook: __folio_put frees a P folio without calling free_folio (INV-SCRUB)', (t) => {
  for (const mutant of [null, 'free-skips-free-folio-hook']) {
    const k = scenario({ mutant, pOps: 'demote', programs: [[...anonToP, { op: 'munmap', vaddr: 0 }], []] });
    runCpu(k, 0, 4);
    const pfn = ptePfn(k, 0, 0);
    traced(k);
    runCpu(k, 0);
    t.is(k.get(k.L.PG_REF, pfn), 0);
    t.is((k.log ?? []).some((l) => l.includes('demote.free_folio')), mutant === null);
  }
});

test('swapin-to-private: swap-in lands on the private node (INV-ISOLATION-ALLOC); faithful swap-in stays on DRAM', (t) => {
  for (const mutant of [null, 'swapin-to-private']) {
    const k = scenario({ mutant, pOps: 'mpol', wmark: { min: 0, low: 0, high: 64 }, numaDemotionEnabled: false, programs: [[
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 }, { op: 'read', vaddr: 0 },
    ], []] });
    runCpu(k, 0, 3);
    wakeupKswapd(k, D0 * 4 + 2);
    t.true(step(k, 'kswapd0', ptePfn(k, 0, 0)));
    k.set(k.L.NODE_KSWAPD, D0, 1); // kswapd(D0) asleep again, or the swap-in passes D0 over for D1
    runCpu(k, 0);
    const pfn = ptePfn(k, 0, 0);
    t.is(nodeOf(k, pfn), mutant ? P : D0);
    t.is(k.get(k.L.PG_CONTENT, pfn), 3);
  }
});

test('migrate-copy-skipped: the moved page reads back wrong (EV_DATA_LOSS)', (t) => {
  for (const mutant of [null, 'migrate-copy-skipped']) {
    const k = scenario({ mutant, programs: [[
      { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 },
      { op: 'move_pages', vaddr: 0, node: D1 }, { op: 'read', vaddr: 0 },
    ], []] });
    runCpu(k, 0);
    t.is(nodeOf(k, ptePfn(k, 0, 0)), D1);
    t.is((k.get(k.L.GH_EVENTS) & EV_DATA_LOSS) !== 0, mutant !== null);
  }
});
