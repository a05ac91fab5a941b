// Page migration (mm/migrate.c, mm/rmap.c try_to_migrate / remove_migration_pte).
import test from 'ava';
import { EV_MIGRATE_UNGATED, PG_lru, PTE_MIGRATION, PTE_PRESENT, PTE_WRITE } from '../../src/kernel/layout.ts';
import { ENOENT, MIGRATE_SYNC, MR_SYSCALL } from '../../src/kernel/defs.ts';
import { folioIsolateLru } from '../../src/kernel/folio.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';

// Isolate as the kernel's callers do before migrate_pages: take the folio off
// the LRU and account it in NR_ISOLATED (mm/migrate.c: migrate_folio_add).
function isolate(k: Kernel, pfn: number): boolean {
  const ok = folioIsolateLru(k, pfn);
  if (ok) nodeStatModIsolated(k, pfn, 1);
  return ok;
}
import { allocMigrationTarget, doPagesMove, doPagesStat, migratePages, nodeStatModIsolated, putbackMovablePages } from '../../src/kernel/migrate.ts';
import { nodePrivateSetOps } from '../../src/kernel/node_private.ts';
import { opsIdByName } from '../../src/kernel/ops_table.ts';
import { tryToMigrate, removeMigrationPtes, rmapSlots } from '../../src/kernel/rmap.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { D0, D1, P, nodeOf, ptePfn, runCpu, scenario, slotOf } from '../helpers/scenario.ts';

const touch = (v: number, value: number): ProgramOp[] => [
  { op: 'mmap', vaddr: v, kind: 'anon', prot: 'rw' },
  { op: 'write', vaddr: v, value },
];

test('move_pages to DRAM: contents copied, PTE restored writable on the new folio, old folio freed (do_pages_move)', (t) => {
  const k = scenario({ programs: [[...touch(0, 5)], []] });
  runCpu(k, 0);
  const old = ptePfn(k, 0, 0);
  const freeBefore = k.get(k.L.ZONE_FREE, 1 * 4 + 2);
  const r = doPagesMove(k, k.g.cpuThread(0), 0, 0, D1);
  t.deepEqual(r, { ret: 0, status: D1 });
  const now = ptePfn(k, 0, 0);
  t.is(nodeOf(k, now), D1);
  t.is(k.get(k.L.PG_CONTENT, now), 5);
  t.true(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
  t.is(k.get(k.L.PG_REF, now), 1);
  t.is(k.get(k.L.PG_MAPCOUNT, now), 1);
  t.true(k.has(k.L.PG_FLAGS, now, PG_lru));
  t.is(k.get(k.L.PG_REF, old), 0, 'the source was freed');
  t.is(k.get(k.L.ZONE_FREE, 1 * 4 + 2), freeBefore - 1);
});

test('move_pages to a private node goes through its migrate_to (MR_SYSCALL accepted, SEMANTICS 11.4)', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [[...touch(0, 3)], []] });
  runCpu(k, 0);
  const r = doPagesMove(k, k.g.cpuThread(0), 0, 0, P);
  t.is(r.ret, 0);
  const now = ptePfn(k, 0, 0);
  t.is(nodeOf(k, now), P);
  t.is(k.get(k.L.PG_CONTENT, now), 3);
  t.is(doPagesStat(k, 0, 0), P);
});

test('arrival on a PROTECT_WRITE node write-protects the restored PTE (folio_managed_fixup_migration_pte)', (t) => {
  const k = scenario({ pOps: 'demote', programs: [[...touch(0, 3)], []] });
  runCpu(k, 0);
  t.true(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
  t.is(doPagesMove(k, k.g.cpuThread(0), 0, 0, P).ret, 0);
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
  t.false(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
});

test('try_to_migrate: migration entries keep the write bit; remove_migration_ptes restores it (mm/rmap.c, mm/migrate.c)', (t) => {
  const k = scenario({ programs: [[...touch(0, 2)], []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  t.true(isolate(k, pfn));
  tryToMigrate(k, pfn);
  const s = slotOf(k, 0, 0);
  t.is(k.get(k.L.PTE_KIND, s), PTE_MIGRATION);
  t.is(k.get(k.L.PG_MAPCOUNT, pfn), 0);
  t.deepEqual(rmapSlots(k, pfn, PTE_MIGRATION), [s]);
  removeMigrationPtes(k, pfn, pfn);
  t.is(k.get(k.L.PTE_KIND, s), PTE_PRESENT);
  t.true(k.has(k.L.PTE_FLAGS, s, PTE_WRITE));
  t.is(k.get(k.L.PG_MAPCOUNT, pfn), 1);
  t.is(k.get(k.L.PG_REF, pfn), 2, 'mapping + isolation');
});

test('the MIGRATION gate: a P folio whose node lacks NP_OPS_MIGRATION is not unmapped and does not move (try_to_migrate, §4.3)', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [[...touch(0, 3)], []] });
  runCpu(k, 0);
  doPagesMove(k, k.g.cpuThread(0), 0, 0, P);
  const pfn = ptePfn(k, 0, 0);
  t.is(nodePrivateSetOps(k, P, opsIdByName(k, 'bare')), 0); // set_ops overwrites the ops (4.5)
  t.deepEqual(doPagesMove(k, k.g.cpuThread(0), 0, 0, D0), { ret: 0, status: -ENOENT });
  t.is(doPagesStat(k, 0, 0), -ENOENT);
  // A kernel path that isolates and migrates anyway is stopped inside try_to_migrate.
  t.true(isolate(k, pfn));
  const list = [pfn];
  const r = migratePages(k, k.g.cpuThread(0), list, allocMigrationTarget(D0), null, MIGRATE_SYNC, MR_SYSCALL);
  t.is(r.ret, 1);
  t.deepEqual(list, [pfn], 'stays on the list for putback');
  t.is(ptePfn(k, 0, 0), pfn, 'still mapped');
  t.is(k.get(k.L.GH_EVENTS) & EV_MIGRATE_UNGATED, 0);
});

test('migrate_pages fails with -EAGAIN semantics when someone else holds a reference (folio_migrate_mapping refcount check)', (t) => {
  const k = scenario({ programs: [[...touch(0, 2)], []] });
  runCpu(k, 0);
  const pfn = ptePfn(k, 0, 0);
  isolate(k, pfn);
  k.add(k.L.PG_REF, pfn, 1); // e.g. a GUP pin
  const list = [pfn];
  const r = migratePages(k, k.g.cpuThread(0), list, allocMigrationTarget(D1), null, MIGRATE_SYNC, MR_SYSCALL);
  t.is(r.ret, 1);
  t.is(ptePfn(k, 0, 0), pfn, 'the mapping was restored to the source');
  t.true(k.has(k.L.PTE_FLAGS, slotOf(k, 0, 0), PTE_WRITE));
});

test('migrate_pages counts a folio freed under it as migrated, without allocating (migrate_folio_unmap)', (t) => {
  const k = scenario({ programs: [[...touch(0, 2), { op: 'madv_dontneed', vaddr: 0 }], []] });
  runCpu(k, 0, 3); // mmap, write fault, write; then isolate and let madvise zap it
  const pfn = ptePfn(k, 0, 0);
  isolate(k, pfn);
  runCpu(k, 0);
  t.is(k.get(k.L.PG_REF, pfn), 1, 'only the isolation reference is left');
  let allocated = 0;
  const list = [pfn];
  const r = migratePages(k, 0, list, () => { allocated++; return -1; }, null, MIGRATE_SYNC, MR_SYSCALL);
  t.is(r.ret, 0);
  t.is(r.nrSucceeded, 1);
  t.is(allocated, 0);
  t.is(k.get(k.L.PG_REF, pfn), 0);
});

test('NR_ISOLATED balances: +nr at isolation, -nr in migrate_folio_done on success (not for MR_DEMOTION) or in putback_movable_pages', (t) => {
  const k = scenario({ pOps: 'mpol', programs: [[...touch(0, 3)], []] });
  runCpu(k, 0);
  const iso = () => [0, 1, 2].map((n) => k.get(k.L.NODE_NR_ISOLATED_ANON, n) + k.get(k.L.NODE_NR_ISOLATED_FILE, n));
  t.is(doPagesMove(k, k.g.cpuThread(0), 0, 0, P).ret, 0);
  t.deepEqual(iso(), [0, 0, 0], 'moved: taken back by migrate_folio_done');
  nodePrivateSetOps(k, P, opsIdByName(k, 'bare'));
  // a failing move: isolated then put back
  const pfn = ptePfn(k, 0, 0);
  isolate(k, pfn);
  const list = [pfn];
  migratePages(k, 0, list, allocMigrationTarget(D0), null, MIGRATE_SYNC, MR_SYSCALL);
  t.deepEqual(iso(), [0, 0, 1], 'failed: still isolated');
  putbackMovablePages(k, 0, list);
  t.deepEqual(iso(), [0, 0, 0]);
});
