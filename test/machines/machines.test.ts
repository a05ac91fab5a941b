// The protocol machines themselves: the orders SEMANTICS states, as graph facts.
import test from 'ava';
import { buildRelation, pairKey } from '../../models/machine_graph.ts';
import { hotplugSpec } from '../../models/hotplug.machine.ts';
import { folioSpec, FOLIO_STATES } from '../../models/folio.machine.ts';
import { backpressureSpec, demotionMode } from '../../models/backpressure.machine.ts';
import { machinePath } from '../../src/coverage/scenario.ts';

test('every event of every machine is taken somewhere (no dead events)', (t) => {
  for (const spec of [hotplugSpec, folioSpec, backpressureSpec]) {
    const rel = buildRelation(spec);
    for (const ev of spec.events) {
      t.true(rel.edges.some((e) => e.event.type === ev.type && (e.event.ret ?? 0) === (ev.ret ?? 0)), `${spec.name}: ${ev.type}=${ev.ret ?? 0}`);
    }
  }
});

test('hotplug (SEMANTICS 5.5): online memory only after register; unregister only after the last offline', (t) => {
  const rel = buildRelation(hotplugSpec);
  // No reachable state has N_MEMORY_PRIVATE memory without a registered np.
  t.false(rel.states.some((s) => /memory=(online|offlining)/.test(s) && s.includes('np=unregistered')));
  // node_private_unregister while online is a -EBUSY self-loop only.
  const unreg = rel.edges.filter((e) => e.event.type === 'node_private_unregister' && e.from.includes('memory=online'));
  t.true(unreg.length > 0);
  t.true(unreg.every((e) => e.from === e.to && e.event.ret === -16));
  // cram_register_private_node succeeds only on an online node (-EINVAL otherwise).
  const cram = rel.edges.filter((e) => e.event.type === 'cram_register_private_node' && e.from !== e.to);
  t.true(cram.every((e) => e.from.includes('memory=online')));
  // The full lifecycle is a path: unregistered -> online + CRAM -> offline -> absent -> unregistered.
  const p = machinePath(rel, 'memory=absent,np=unregistered,service=none', 'memory=online,np=registered,service=cram');
  t.deepEqual(p, ['memory=absent,np=unregistered,service=none', 'memory=online,np=registered,service=none', 'memory=online,np=registered,service=cram']);
});

test('folio (SEMANTICS 6.3/6.4/7.3): CRAM slots are filled only by migration; deferred folios reach the buddy only through the flush', (t) => {
  const rel = buildRelation(folioSpec);
  t.deepEqual([...rel.states].sort(), [...FOLIO_STATES].sort());
  const into = (s: string) => [...new Set(rel.edges.filter((e) => e.to === s && e.from !== s).map((e) => e.from))].sort();
  t.deepEqual(into('cram'), ['cram_isolated', 'cram_migrating', 'free', 'swapcache']);
  t.deepEqual(into('cram_migrating'), ['cram_isolated', 'free']);
  t.false(rel.allowed.has(pairKey('dram_writable', 'cram')));
  t.false(rel.allowed.has(pairKey('cram_deferred', 'cram')));
  t.deepEqual([...new Set(rel.edges.filter((e) => e.from === 'cram_deferred').map((e) => e.to))].sort(), ['cram_scrubbed', 'free']);
  // only the flush send or its reset (the faithful v4 race) take a deferred folio out of its buffer
  t.deepEqual(rel.edges.filter((e) => e.from === 'cram_deferred' && e.to === 'cram_scrubbed').map((e) => e.event.type).sort(), ['cxl_flush_buf_reset', 'cxl_flush_buf_send']);
});

test('backpressure (SEMANTICS 6.5): each set_pressure step changes one fact; demotion mode per state', (t) => {
  const rel = buildRelation(backpressureSpec);
  t.is(rel.states.length, 3 * 2 * 3 * 3);
  // S2 and S3 never together: pressure and blocked do not change in one machine step.
  const split = (s: string) => Object.fromEntries(s.split(',').map((kv) => kv.split('=') as [string, string]));
  for (const e of rel.edges) {
    const a = split(e.from);
    const b = split(e.to);
    // except the fixed cram_unregister's second reset: after the drain no
    // cram_set_pressure can run, and the cn's free zeroes its pressure in the same call
    if (e.event.type === 'CRAM_FREED_CLEAR_BACKPRESSURE') continue;
    t.false(a.pressure !== b.pressure && a.blocked !== b.blocked, e.label);
  }
  t.is(demotionMode('zero', 'open'), 'allowed');
  t.is(demotionMode('mid', 'open'), 'throttled');
  t.is(demotionMode('max', 'open'), 'denied');
  t.is(demotionMode('zero', 'blocked'), 'denied');
});
