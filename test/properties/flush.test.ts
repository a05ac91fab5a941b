// Scrub and flush-bit invariants on hand-built states (properties/flush.ts).
import test from 'ava';
import { EV_DOUBLE_BUFFERED } from '../../src/kernel/layout.ts';
import { healthy, type Fixture } from './fixture.ts';

test('INV-SCRUB: every free buddy page of P is zeroed (cram.c: cram_free_folio_cb; cxl_flush_buf_send)', (t) => {
  const f = healthy();
  t.is(f.check('INV-SCRUB'), null);
  f.k.set(f.k.L.PG_CONTENT, 5, 2);
  t.regex(f.check('INV-SCRUB') ?? '', /pfn 5 on P1 is free in the buddy \(block 5 order 0\) with contents 2/);
  // a DRAM page in the buddy may hold anything
  const g = healthy();
  g.k.set(g.k.L.PG_BUDDY, 0, 1);
  g.k.set(g.k.L.PG_CONTENT, 0, 3);
  t.is(g.check('INV-SCRUB'), null);
});

/** P's pfn 4 was freed and deferred: bit set, in CPU0's active buffer 0. */
function deferred(): Fixture {
  const f = healthy();
  const L = f.k.L;
  f.k.set(L.PG_FLUSH_BIT, 4, 1);
  f.k.set(L.PG_REF, 4, 1);
  f.k.set(L.BUF_LEN, 0, 1);
  f.k.set(L.BUF_ENT, 0, 5);
  return f;
}

test('INV-FLUSH-BIT: bit set iff the folio is in exactly one flush buffer (cxl_compression_flush_cb)', (t) => {
  const f = deferred();
  t.is(f.check('INV-FLUSH-BIT'), null);
  f.k.set(f.k.L.PG_FLUSH_BIT, 4, 0);
  t.regex(f.check('INV-FLUSH-BIT') ?? '', /pfn 4 on P1 is in a flush buffer but its flush_record bit is clear/);
  const g = deferred();
  g.k.set(g.k.L.BUF_LEN, 1, 1);
  g.k.set(g.k.L.BUF_ENT, 1, 5);
  t.regex(g.check('INV-FLUSH-BIT') ?? '', /pfn 4 on P1 is in 2 flush buffers/);
  const h = deferred();
  h.k.set(h.k.L.BUF_LEN, 0, 0);
  h.k.set(h.k.L.BUF_ENT, 0, 0);
  t.regex(h.check('INV-FLUSH-BIT') ?? '', /pfn 4 on P1 has its flush_record bit set but is in no flush buffer and no send is in flight/);
  // ... unless a send is putting it (the second free is pending)
  h.k.set(h.k.L.THR_OP, h.k.g.flushThread, 1);
  t.is(h.check('INV-FLUSH-BIT'), null);
});

test('INV-FLUSH-BIT: no folio is appended twice (EV_DOUBLE_BUFFERED)', (t) => {
  const f = healthy();
  f.k.event(EV_DOUBLE_BUFFERED);
  t.regex(f.check('INV-FLUSH-BIT') ?? '', /EV_DOUBLE_BUFFERED/);
});
