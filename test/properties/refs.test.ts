// Reference and lifetime invariants on hand-built states (properties/refs.ts).
import test from 'ava';
import { EV_FOLIO_GET_ZERO, EV_FREE_LEAK, EV_NP_HELD_AFTER_UNREG, EV_OPS_AFTER_UNREGISTER, REF_CN, REF_NP } from '../../src/kernel/layout.ts';
import { OP_HANDLE_FAULT } from '../../src/kernel/ops_codes.ts';
import { OPS_CRAM } from '../../src/kernel/ops_table.ts';
import { P, healthy } from './fixture.ts';

test('INV-NO-OPS-AFTER-UNREGISTER: no callback and no np holder after node_private_unregister returned 0 (node.c)', (t) => {
  const f = healthy();
  const L = f.k.L;
  // unregistered: pointer cleared, base ref dropped, ghost says ops were cram_ops
  f.k.set(L.NODE_NP, P, 0);
  f.k.set(L.NODE_PRIVATE, P, 0);
  f.k.set(L.NP_REFCOUNT, 0, 0);
  f.k.set(L.GH_NP_UNREG_OPS, 0, OPS_CRAM + 1);
  t.is(f.check('INV-NO-OPS-AFTER-UNREGISTER'), null);
  f.k.setBits(L.THR_REFS, 0, REF_NP);
  t.regex(f.check('INV-NO-OPS-AFTER-UNREGISTER') ?? '', /np0 was unregistered but 1 thread\(s\) still hold it/);
  const g = healthy();
  g.k.event(EV_OPS_AFTER_UNREGISTER);
  t.regex(g.check('INV-NO-OPS-AFTER-UNREGISTER') ?? '', /EV_OPS_AFTER_UNREGISTER/);
  const h = healthy();
  h.k.event(EV_NP_HELD_AFTER_UNREG);
  t.regex(h.check('INV-NO-OPS-AFTER-UNREGISTER') ?? '', /EV_NP_HELD_AFTER_UNREG/);
});

test('INV-REFCOUNT-BALANCE: np refcount = 1 + node_private_migrate_to callers (node.c: node_private_migrate_to)', (t) => {
  const f = healthy();
  const L = f.k.L;
  f.k.setBits(L.THR_REFS, 1, REF_NP);
  f.k.set(L.NP_REFCOUNT, 0, 2);
  t.is(f.check('INV-REFCOUNT-BALANCE'), null);
  f.k.set(L.NP_REFCOUNT, 0, 1);
  t.regex(f.check('INV-REFCOUNT-BALANCE') ?? '', /node_private refcounts hold 0 temporary reference\(s\) but 1 thread\(s\)/);
  f.k.set(L.NP_REFCOUNT, 0, 3);
  t.regex(f.check('INV-REFCOUNT-BALANCE') ?? '', /hold 2 temporary/);
});

test('INV-REFCOUNT-BALANCE: cn refcount = 1 + CRAM callbacks and set_pressure in flight (cram.c: get_cram_node/put_cram_node)', (t) => {
  const f = healthy();
  const L = f.k.L;
  f.k.setBits(L.THR_REFS, 0, REF_CN);
  t.regex(f.check('INV-REFCOUNT-BALANCE') ?? '', /cram_node refcounts hold 0 temporary reference\(s\) but 1 thread\(s\) hold a cram_node/);
  f.k.set(L.CN_REFCOUNT, P, 2);
  t.is(f.check('INV-REFCOUNT-BALANCE'), null);
  // while draining (unpublished), holders of the old cn are legitimate
  f.k.set(L.CN_STATE, P, 2);
  f.k.set(L.CN_REFCOUNT, P, 1);
  t.is(f.check('INV-REFCOUNT-BALANCE'), null);
});

test('INV-REFCOUNT-BALANCE: NR_ISOLATED nets to 0 once no thread is inside a fault or migration (cram.c: cram_fault F4/F5)', (t) => {
  const f = healthy();
  const L = f.k.L;
  f.k.set(L.NODE_NR_ISOLATED_ANON, P, 1);
  f.k.set(L.THR_OP, 0, OP_HANDLE_FAULT);
  t.is(f.check('INV-REFCOUNT-BALANCE'), null);
  f.k.set(L.THR_OP, 0, 0);
  t.regex(f.check('INV-REFCOUNT-BALANCE') ?? '', /P1: NR_ISOLATED_ANON=1 NR_ISOLATED_FILE=0 with every thread idle/);
});

test('INV-FOLIO-GET-ZERO: folio_get never sees refcount 0 (mm.h: folio_get VM_BUG_ON; cxl_compression_flush_cb step (b))', (t) => {
  const f = healthy();
  t.is(f.check('INV-FOLIO-GET-ZERO'), null);
  f.k.event(EV_FOLIO_GET_ZERO);
  t.regex(f.check('INV-FOLIO-GET-ZERO') ?? '', /EV_FOLIO_GET_ZERO/);
});

test('INV-REFCOUNT-BALANCE: each flush_cb folio_get is matched by a folio_put in send (EV_FREE_LEAK: folio kept from the buddy for good)', (t) => {
  const f = healthy();
  t.is(f.check('INV-REFCOUNT-BALANCE'), null);
  f.k.event(EV_FREE_LEAK);
  t.regex(f.check('INV-REFCOUNT-BALANCE') ?? '', /EV_FREE_LEAK/);
});
