// The checks of issue 10 on hand-built states (properties/safety.ts,
// contracts.ts, node_state.ts, folio_refs.ts): each holds on the healthy
// fixture and reports the one thing broken.
import test from 'ava';
import { EV2_ALLOC_POST, EV2_DOUBLE_FREE, EV2_FREE_ACCESS, EV2_MAP_FREE, EV2_MIGRATE_POST, EV2_NPAPI_ROW, EV2_REF_ON_FREE, event2, pageInBuddy } from '../../src/kernel/ghost.ts';
import { N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import { PG_anon, PG_head, PG_lru, PTE_PRESENT, PTE_WRITE } from '../../src/kernel/layout.ts';
import { OP_HANDLE_FAULT } from '../../src/kernel/ops_codes.ts';
import { D0, P, healthy } from './fixture.ts';

test('INV-MEM-SAFETY reports each KASAN-style event; pageInBuddy reads PG_BUDDY', (t) => {
  t.is(healthy().check('INV-MEM-SAFETY'), null);
  const f = healthy();
  t.true(pageInBuddy(f.k, 5));
  t.false(pageInBuddy(f.k, 4));
  for (const [bit, re] of [[EV2_FREE_ACCESS, /use-after-free/], [EV2_DOUBLE_FREE, /double free/], [EV2_REF_ON_FREE, /reference was taken or dropped/], [EV2_MAP_FREE, /present PTE was set/]] as const) {
    const g = healthy();
    event2(g.k, bit);
    t.regex(g.check('INV-MEM-SAFETY') ?? '', re);
  }
});

test('the contract properties report their own event only', (t) => {
  for (const [bit, id] of [[EV2_MIGRATE_POST, 'INV-MIGRATE-POST'], [EV2_ALLOC_POST, 'INV-ALLOC-POST'], [EV2_NPAPI_ROW, 'INV-NPAPI-ROWS']] as const) {
    const f = healthy();
    t.is(f.check(id), null);
    event2(f.k, bit);
    t.not(f.check(id), null, id);
    t.is(f.check('INV-MEM-SAFETY'), null);
  }
});

test('INV-NODE-STATE: states, daemons, tier and demotion targets agree with the online memory', (t) => {
  t.is(healthy().check('INV-NODE-STATE'), null);
  const a = healthy();
  a.k.clearBits(a.k.L.NODE_STATES, P, N_MEMORY_PRIVATE);
  t.regex(a.check('INV-NODE-STATE') ?? '', /D0 demotes to \{1\} without memory/);
  a.k.set(a.k.L.NODE_DEMOTION_TARGETS, D0, 0);
  t.regex(a.check('INV-NODE-STATE') ?? '', /P1 has online memory but N_MEMORY=0 N_MEMORY_PRIVATE=0/);
  const b = healthy();
  b.k.set(b.k.L.NODE_KCOMPACTD, D0, 0);
  t.regex(b.check('INV-NODE-STATE') ?? '', /D0 is N_MEMORY but kswapd=1 kcompactd=0/);
  const c = healthy();
  c.k.set(c.k.L.NODE_IN_TIER, P, 0);
  t.regex(c.check('INV-NODE-STATE') ?? '', /in a memory tier=0/);
  const d = healthy();
  d.k.set(d.k.L.NODE_DEMOTION_TARGETS, D0, 1 << 2);
  t.regex(d.check('INV-NODE-STATE') ?? '', /demotes to \{2\} without memory/);
  const e = healthy();
  e.k.set(e.k.L.NODE_NP, P, 0);
  t.regex(e.check('INV-NODE-STATE') ?? '', /pgdat->private=1 but pgdat->node_private=NULL/);
});

test('INV-FOLIO-REFS: refcount = PTEs + caches + flush buffers, mapcount = PTEs; a busy thread\'s folio waits', (t) => {
  const f = healthy();
  const L = f.k.L;
  // pfn 4 on P: an anon folio mapped by mm0 v0, one reference.
  f.k.set(L.PG_FLAGS, 4, PG_head | PG_anon | PG_lru);
  f.k.set(L.PG_REF, 4, 1);
  f.k.set(L.PG_MAPCOUNT, 4, 1);
  f.k.set(L.PTE_KIND, 0, PTE_PRESENT);
  f.k.set(L.PTE_VAL, 0, 4);
  t.is(f.check('INV-FOLIO-REFS'), null);
  f.k.set(L.PG_REF, 4, 2);
  t.regex(f.check('INV-FOLIO-REFS') ?? '', /pfn 4 on P1: refcount 2 but its holders account for 1/);
  // cram_fault holds it isolated: judged again once the thread is done.
  f.k.set(L.THR_OP, 0, OP_HANDLE_FAULT);
  f.k.set(L.THR_REG, 1, 4);
  t.is(f.check('INV-FOLIO-REFS'), null);
  f.k.set(L.THR_OP, 0, 0);
  f.k.set(L.PG_REF, 4, 1);
  f.k.set(L.PG_MAPCOUNT, 4, 2);
  t.regex(f.check('INV-FOLIO-REFS') ?? '', /mapcount 2 but 1 present PTE/);
  f.k.set(L.PG_MAPCOUNT, 4, 1);
  f.k.setBits(L.PTE_FLAGS, 0, PTE_WRITE);
  t.is(f.check('INV-FOLIO-REFS'), null);
});
