// Node-state and lifecycle invariants on hand-built states (properties/nodes.ts).
import test from 'ava';
import { BLOCK_ONLINE, N_MEMORY, N_MEMORY_PRIVATE } from '../../src/kernel/defs.ts';
import { EV_LIFECYCLE } from '../../src/kernel/layout.ts';
import { D0, P, healthy } from './fixture.ts';

test('every property holds on the healthy fixture state', (t) => {
  const f = healthy();
  for (const p of f.props) t.is(p.check(new Uint32Array(f.k.s.buffer)), null, p.id);
});

test('INV-STATE-EXCL: a node is never N_MEMORY and N_MEMORY_PRIVATE at once (node.c: node_private_register -EBUSY; online_pages)', (t) => {
  const f = healthy();
  t.is(f.check('INV-STATE-EXCL'), null);
  f.k.setBits(f.k.L.NODE_STATES, P, N_MEMORY);
  t.regex(f.check('INV-STATE-EXCL') ?? '', /node P1 is both N_MEMORY and N_MEMORY_PRIVATE/);
});

test('INV-PRIVATE-REG: N_MEMORY_PRIVATE implies pgdat->private and a published np (node.c: node_private_unregister -EBUSY)', (t) => {
  const f = healthy();
  t.is(f.check('INV-PRIVATE-REG'), null);
  f.k.set(f.k.L.NODE_NP, P, 0);
  t.regex(f.check('INV-PRIVATE-REG') ?? '', /P1 is N_MEMORY_PRIVATE but pgdat->private=1 node_private=NULL/);
  const g = healthy();
  g.k.set(g.k.L.NODE_PRIVATE, P, 0);
  t.regex(g.check('INV-PRIVATE-REG') ?? '', /pgdat->private=0/);
});

test('INV-PRIVATE-STAYS-PRIVATE: a block added for an np is online only while its node is N_MEMORY_PRIVATE (cover letter)', (t) => {
  const f = healthy();
  t.is(f.check('INV-PRIVATE-STAYS-PRIVATE'), null);
  f.k.clearBits(f.k.L.NODE_STATES, P, N_MEMORY_PRIVATE);
  f.k.setBits(f.k.L.NODE_STATES, P, N_MEMORY);
  t.regex(f.check('INV-PRIVATE-STAYS-PRIVATE') ?? '', /block 2 \(added for np0\) is online but node P1 is not N_MEMORY_PRIVATE/);
  // the same block offline is fine
  f.k.set(f.k.L.BLOCK_STATE, 2, BLOCK_ONLINE - 1);
  t.is(f.check('INV-PRIVATE-STAYS-PRIVATE'), null);
});

test('INV-LIFECYCLE-ORDER: a published cram_node implies its node is private and registered (cram.c: cram_register_private_node -EINVAL)', (t) => {
  const f = healthy();
  t.is(f.check('INV-LIFECYCLE-ORDER'), null);
  f.k.clearBits(f.k.L.NODE_STATES, P, N_MEMORY_PRIVATE);
  t.regex(f.check('INV-LIFECYCLE-ORDER') ?? '', /cram_node of P1 is published but node N_MEMORY_PRIVATE=0/);
  const g = healthy();
  g.k.set(g.k.L.NODE_NP, P, 0);
  t.regex(g.check('INV-LIFECYCLE-ORDER') ?? '', /node_private=NULL/);
  const h = healthy();
  h.k.event(EV_LIFECYCLE);
  t.regex(h.check('INV-LIFECYCLE-ORDER') ?? '', /EV_LIFECYCLE/);
});

test('INV-DAEMONS: kswapd(P) iff CRAM is registered on an N_MEMORY_PRIVATE P; no kcompactd on P (online_pages, cram_register_private_node)', (t) => {
  const f = healthy();
  t.is(f.check('INV-DAEMONS'), null);
  f.k.set(f.k.L.CN_STATE, P, 0);
  f.k.set(f.k.L.CN_REFCOUNT, P, 0);
  t.regex(f.check('INV-DAEMONS') ?? '', /kswapd\(P1\) exists \(state 1\) but cram_node state=0/);
  f.k.set(f.k.L.NODE_KSWAPD, P, 0);
  t.is(f.check('INV-DAEMONS'), null);
  f.k.set(f.k.L.NODE_KCOMPACTD, P, 1);
  t.regex(f.check('INV-DAEMONS') ?? '', /kcompactd\(P1\)/);
  // converse: CRAM registered on N_MEMORY_PRIVATE P but no kswapd(P)
  const c = healthy();
  c.k.set(c.k.L.NODE_KSWAPD, P, 0);
  t.regex(c.check('INV-DAEMONS') ?? '', /CRAM is registered on N_MEMORY_PRIVATE P1 but kswapd\(P1\) is not running/);
  f.k.set(f.k.L.NODE_KCOMPACTD, P, 1);
  t.regex(f.check('INV-DAEMONS') ?? '', /kcompactd\(P1\)/);
  // a DRAM node's daemons are not judged
  const g = healthy();
  g.k.set(g.k.L.NODE_KCOMPACTD, D0, 1);
  t.is(g.check('INV-DAEMONS'), null);
});
