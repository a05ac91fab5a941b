// Issue 12 item 2, free path: v4 mm/internal.h folio_managed_on_free ->
// include/linux/node_private.h folio_node_private_ops() reads np->ops under
// rcu_read_lock and releases it ("Folio-referenced callbacks (RCU released
// before callback)"), then calls ops->free_folio. The model makes the read and
// the call one step. What can land between them is a clear_ops: a plain
// node_private_clear_ops writes only np->ops, which cram_free_folio_cb never
// reads; cram_unregister_private_node's first stage also unpublishes the cram
// node, which the callback reads (get_cram_node). node_private_unregister
// cannot land there: the folio (refcount 0, not yet in the buddy) keeps its
// block from going offline.
//
// This test runs that interleaving by hand (the free reads cram_ops, the
// unregister's first stage runs, then the callback) and checks that its
// state is byte for byte one the model explores (the free before the
// unregister), for a cram node without a flush callback. With a flush
// callback the window zeroes synchronously where the explored order defers
// (README, modelling choices: partly open).
import test from 'ava';
import { cramUnregisterBegin } from '../../src/cram/cram.ts';
import { nodePrivateNp } from '../../src/kernel/node_private.ts';
import { OPS_CRAM } from '../../src/kernel/ops_table.ts';
import type { Kernel } from '../../src/kernel/kernel.ts';
import { P, nodeOf, ptePfn, scenario, step } from '../helpers/scenario.ts';
import { demoteProgram, runCpuTo } from './helpers.ts';

function onP(): { k: Kernel; pfn: number } {
  const k = scenario({ pOps: 'cram', programs: [[...demoteProgram(0, 5, P), { op: 'madv_dontneed', vaddr: 0 }], []] });
  runCpuTo(k, 0, 3);
  const pfn = ptePfn(k, 0, 0);
  if (nodeOf(k, pfn) !== P) throw new Error('not demoted');
  return { k, pfn };
}

test('free path window: free_folio called after cram_unregister cleared the ops reaches the state of the free before the unregister (no flush callback)', (t) => {
  // Explored: MADV_DONTNEED frees the P folio (cram_free_folio_cb with the cram node published), then cram_unregister's first stage.
  const a = onP();
  t.is(a.k.get(a.k.L.CN_FLUSH_CB, P), 0);
  t.true(step(a.k, 'cpu0'), 'madvise(DONTNEED): the last put, free_folio with cram_ops');
  t.is(a.k.get(a.k.L.PG_REF, a.pfn), 0);
  t.is(cramUnregisterBegin(a.k, P), 0);
  // The window: the free's ops read sees cram_ops, the unregister's first stage runs, then the callback.
  const b = onP();
  const slot = nodePrivateNp(b.k, P);
  t.is(cramUnregisterBegin(b.k, P), 0);
  t.is(b.k.get(b.k.L.NP_OPS, slot), 0, 'np->ops cleared');
  b.k.set(b.k.L.NP_OPS, slot, OPS_CRAM); // the value the free path read before the clear
  t.true(step(b.k, 'cpu0'), 'madvise(DONTNEED): free_folio through the stale ops -> get_cram_node fails -> zero, buddy');
  b.k.set(b.k.L.NP_OPS, slot, 0);
  t.is(b.k.get(b.k.L.PG_REF, b.pfn), 0);
  t.is(b.k.get(b.k.L.PG_CONTENT, b.pfn), 0, 'zeroed (cram_zero_folio)');
  t.deepEqual([...b.k.s], [...a.k.s], 'the same state bytes');
});
