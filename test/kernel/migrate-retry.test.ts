// Issue 12, the -EAGAIN retry passes of kswapd's staged migrate_pages_batch.
// v4 mm/migrate.c (the tree's mm/migrate.c.orig, patched migrate_folios_to_node):
//   #define NR_MAX_MIGRATE_PAGES_RETRY 10
//   migrate_pages: if (mode == MIGRATE_ASYNC) rc = migrate_pages_batch(..., NR_MAX_MIGRATE_PAGES_RETRY);
//   migrate_pages_batch: for (pass = 0; pass < nr_pass && retry; pass++) { ... list_for_each_entry_safe(folio, folio2, from, lru) {
//       cond_resched(); ... rc = migrate_folio_unmap(...); case -EAGAIN: retry++; ... } }
//   move: retry = 1; for (pass = 0; pass < nr_pass && retry; pass++) { migrate_folios_move(...) }
//   migrate_folio_move: out: "if (rc == -EAGAIN) { list_add(&dst->lru, prev); __migrate_folio_record(...); return rc; }"
//     (the folio stays unmapped, under migration entries, with its dst, for the next pass)
//   out: migrate_folios_undo(&unmap_folios, &dst_folios, ...) after the last pass.
// kswapd's demotion runs MIGRATE_ASYNC (demote_folio_list), so a folio whose
// move fails while another CPU holds a reference is tried again after that
// CPU may have dropped it (cond_resched between folios and passes).
import test from 'ava';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { PG_locked, PTE_MIGRATION, THREAD_REGS } from '../../src/kernel/layout.ts';
import { folioGet, folioPut } from '../../src/kernel/folio.ts';
import { wakeupKswapd } from '../../src/kernel/vmscan.ts';
import { NR_MAX_MIGRATE_PAGES_RETRY } from '../../src/kernel/defs.ts';
import type { ProgramOp } from '../../src/kernel/config.ts';
import { D0, P, nodeOf, ptePfn, runCpu, slotOf, step } from '../helpers/scenario.ts';
import { cramMachine } from '../cram/helpers.ts';

const HIGH = { min: 0, low: 0, high: 64 };
const two: ProgramOp[] = [
  { op: 'mmap', vaddr: 0, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 0, value: 3 },
  { op: 'mmap', vaddr: 1, kind: 'anon', prot: 'rw' }, { op: 'write', vaddr: 1, value: 1 },
];

/** kswapd(D0) has both folios in its demotion batch and has entered cram_migrate_to (as test/kernel/migrate-batch.test.ts). */
function batchOfTwo(): { k: Kernel; v0: number; v1: number; tid: number } {
  const k = cramMachine({ wmark: HIGH, programs: [two, []] });
  runCpu(k, 0);
  const v0 = ptePfn(k, 0, 0);
  const v1 = ptePfn(k, 0, 1);
  wakeupKswapd(k, D0 * 4 + 2);
  const tid = k.g.kswapdThread(D0);
  if (!step(k, 'kswapd0', v0)) throw new Error('isolate v0');
  if (!step(k, 'kswapd0', v1)) throw new Error('v1 joins the batch');
  if (!step(k, 'kswapd0', 0)) throw new Error('node_private_migrate_to: np reference');
  if (!step(k, 'kswapd0', 0)) throw new Error('cram_migrate_to: get_cram_node, pressure check');
  return { k, v0, v1, tid };
}

test('a move that fails with -EAGAIN keeps its folio unmapped for the next pass, which moves it once the other reference is gone (migrate_folio_move, migrate_pages_batch)', (t) => {
  const { k, v0, tid } = batchOfTwo();
  t.true(step(k, 'kswapd0', 0), 'unmap v0');
  t.true(step(k, 'kswapd0', 0), 'unmap v1');
  folioGet(k, v0); // another CPU's reference (a speculative get, a pin) across the move
  t.true(step(k, 'kswapd0', 0), 'move v0: folio_migrate_mapping = -EAGAIN');
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_MIGRATION, 'v0 stays under its migration entry with its dst');
  t.true(step(k, 'kswapd0', 0), 'move v1');
  t.is(nodeOf(k, ptePfn(k, 0, 1)), P);
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_MIGRATION, 'the move loop goes round again for v0');
  folioPut(k, tid, v0); // the other CPU drops its reference between two passes
  t.true(step(k, 'kswapd0', 0), 'move v0, pass 2');
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P, 'v0 was demoted by the second pass');
  t.is(k.get(k.L.PG_REF, v0), 0);
  t.is(k.get(k.L.THR_MB_PASS, tid), 0, 'the batch is over');
});

test('after NR_MAX_MIGRATE_PAGES_RETRY move passes the folio is undone (migrate_folios_undo) and stays on the list', (t) => {
  const { k, v0, tid } = batchOfTwo();
  t.true(step(k, 'kswapd0', 0), 'unmap v0');
  t.true(step(k, 'kswapd0', 0), 'unmap v1');
  folioGet(k, v0);
  t.true(step(k, 'kswapd0', 0), 'move v0 = -EAGAIN');
  t.true(step(k, 'kswapd0', 0), 'move v1');
  for (let pass = 2; pass <= NR_MAX_MIGRATE_PAGES_RETRY; pass++) {
    t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_MIGRATION, `v0 still unmapped before pass ${pass}`);
    t.true(step(k, 'kswapd0', 0), `move v0, pass ${pass} = -EAGAIN`);
  }
  t.is(ptePfn(k, 0, 0), v0, 'undone: v0 mapped again');
  t.is(nodeOf(k, v0), D0);
  t.is(nodeOf(k, ptePfn(k, 0, 1)), P);
  t.is(k.get(k.L.THR_REG, tid * THREAD_REGS + 1), v0 + 1, 'v0 is the list migrate_pages hands back');
  t.is(k.get(k.L.THR_MB_PASS, tid), 0);
  folioPut(k, tid, v0);
});

test('an unmap that fails with -EAGAIN (the folio locked by another CPU) is tried again by the next pass, before the move loop', (t) => {
  const { k, v0, tid } = batchOfTwo();
  k.setBits(k.L.PG_FLAGS, v0, PG_locked); // PG_locked: another CPU holds the folio lock (folio_trylock fails: MIGRATE_ASYNC -> -EAGAIN)
  t.true(step(k, 'kswapd0', 0), 'unmap v0 = -EAGAIN');
  t.is(ptePfn(k, 0, 0), v0, 'v0 still mapped');
  t.true(step(k, 'kswapd0', 0), 'unmap v1');
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 1)), PTE_MIGRATION);
  k.clearBits(k.L.PG_FLAGS, v0, PG_locked); // folio_unlock on the other CPU
  t.true(step(k, 'kswapd0', 0), 'unmap v0, pass 2');
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_MIGRATION, 'v0 unmapped by the second pass');
  t.true(step(k, 'kswapd0', 0), 'move v1 (unmapped first: unmap_folios keeps the unmap order)');
  t.is(nodeOf(k, ptePfn(k, 0, 1)), P);
  t.is(k.get(k.L.PTE_KIND, slotOf(k, 0, 0)), PTE_MIGRATION, 'v0 moves after v1');
  t.true(step(k, 'kswapd0', 0), 'move v0');
  t.is(nodeOf(k, ptePfn(k, 0, 0)), P);
  t.is(k.get(k.L.THR_MB_PASS, tid), 0);
});
