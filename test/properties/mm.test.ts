// Page-table and data invariants on hand-built states (properties/mm.ts).
import test from 'ava';
import { EV_DATA_LOSS, EV_MIGRATE_UNGATED, EV_PTL_LEAK, EV_RETRY_NO_ALLOW, GA_PRIVATE_OK, GA_WHILE_BLOCKED, LK_PTL, PG_head, PTE_MIGRATION, PTE_PRESENT, PTE_WRITE } from '../../src/kernel/layout.ts';
import { OP_HANDLE_FAULT } from '../../src/kernel/ops_codes.ts';
import { OPS_BARE, OPS_MPOL, healthy, type Fixture } from './fixture.ts';

/** mm0 v0 maps P's pfn 4 with a present PTE. */
function mapped(): Fixture {
  const f = healthy();
  const L = f.k.L;
  f.k.set(L.PG_FLAGS, 4, PG_head);
  f.k.set(L.PG_REF, 4, 1);
  f.k.set(L.PG_MAPCOUNT, 4, 1);
  f.k.set(L.GH_ALLOC, 4, GA_PRIVATE_OK);
  f.k.set(L.PTE_KIND, 0, PTE_PRESENT);
  f.k.set(L.PTE_VAL, 0, 4);
  return f;
}

test('INV-RO: no writable present PTE maps a P folio whose ops have PROTECT_WRITE (internal.h: folio_managed_fixup_migration_pte, mprotect.c: change_pte_range)', (t) => {
  const f = mapped();
  t.is(f.check('INV-RO'), null);
  f.k.setBits(f.k.L.PTE_FLAGS, 0, PTE_WRITE);
  t.regex(f.check('INV-RO') ?? '', /mm0 v0: writable present PTE maps pfn 4 on P1 whose ops have PROTECT_WRITE/);
  // a service without PROTECT_WRITE may map P writable
  f.k.set(f.k.L.NP_OPS, 0, OPS_MPOL);
  t.is(f.check('INV-RO'), null);
});

test('INV-WRITE-PATH: P contents equal the last legitimate write (cover letter: the device only sees migration copies and scrubs)', (t) => {
  const f = mapped();
  const L = f.k.L;
  f.k.set(L.PG_CONTENT, 4, 3);
  f.k.set(L.GH_EXPECT, 4, 4);
  t.is(f.check('INV-WRITE-PATH'), null);
  f.k.set(L.PG_CONTENT, 4, 2); // an in-place store (e.g. write(2) on a demoted page-cache folio, A3)
  t.regex(f.check('INV-WRITE-PATH') ?? '', /pfn 4 on P1 holds 2 but its last legitimate write stored 3/);
  const g = mapped();
  g.k.set(g.k.L.PG_CONTENT, 4, 3);
  g.k.set(g.k.L.GH_EXPECT, 4, 4);
  g.k.setBits(g.k.L.GH_ALLOC, 4, GA_WHILE_BLOCKED);
  t.regex(g.check('INV-WRITE-PATH') ?? '', /pfn 4 on P1 holds 3 in a folio allocated while migration_blocked/);
});

test('INV-MIGRATE-GATE: no migration entry for a P folio whose node lacks MIGRATION (rmap.c: try_to_migrate)', (t) => {
  const f = mapped();
  f.k.set(f.k.L.PTE_KIND, 0, PTE_MIGRATION);
  t.is(f.check('INV-MIGRATE-GATE'), null); // cram_ops has MIGRATION
  f.k.set(f.k.L.NP_OPS, 0, OPS_BARE);
  t.regex(f.check('INV-MIGRATE-GATE') ?? '', /mm0 v0: migration entry for pfn 4 on P1 whose ops lack NP_OPS_MIGRATION/);
  const g = healthy();
  g.k.event(EV_MIGRATE_UNGATED);
  t.regex(g.check('INV-MIGRATE-GATE') ?? '', /EV_MIGRATE_UNGATED/);
});

test('INV-FAULT-LOCK: handle_fault releases the PTL; RETRY only with ALLOW_RETRY; an idle thread holds no PTL (node_private.h)', (t) => {
  const f = healthy();
  const L = f.k.L;
  f.k.set(L.THR_LOCKS, 0, LK_PTL);
  f.k.set(L.THR_OP, 0, OP_HANDLE_FAULT);
  t.is(f.check('INV-FAULT-LOCK'), null); // inside handle_fault: allowed
  f.k.set(L.THR_OP, 0, 0);
  t.regex(f.check('INV-FAULT-LOCK') ?? '', /cpu0 is idle but holds a PTL/);
  const g = healthy();
  g.k.event(EV_PTL_LEAK);
  t.regex(g.check('INV-FAULT-LOCK') ?? '', /EV_PTL_LEAK/);
  const h = healthy();
  h.k.event(EV_RETRY_NO_ALLOW);
  t.regex(h.check('INV-FAULT-LOCK') ?? '', /EV_RETRY_NO_ALLOW/);
});

test('INV-DATA: a read returns what the program last wrote (EV_DATA_LOSS)', (t) => {
  const f = healthy();
  t.is(f.check('INV-DATA'), null);
  f.k.event(EV_DATA_LOSS);
  t.regex(f.check('INV-DATA') ?? '', /EV_DATA_LOSS/);
});
