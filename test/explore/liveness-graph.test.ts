// The compact liveness graph (src/explore/liveness-graph.ts): states in the
// tree-compressed exact store, an edge as target + interned label, columns
// grown in blocks and sealed exact; on a kernel config it costs a small
// fraction of the flat graph's ~1,000 bytes/state.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { Int32Column, LabelColumn } from '../../src/explore/chunked-column.ts';
import { buildStateGraph, edgeAction, edgeInGroup, graphBytes } from '../../src/explore/liveness-graph.ts';
import { TreeStore } from '../../src/explore/tree-store.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { FIXES } from '../../src/kernel/fixes.ts';

const BLOCK = 1 << 20;

test('Int32Column: values across a block boundary survive truncate and seal', (t) => {
  const c = new Int32Column();
  for (let i = 0; i < BLOCK + 10; i++) c.push(i - 5);
  t.is(c.get(BLOCK + 3), BLOCK - 2);
  c.truncate(BLOCK + 4);
  c.push(-7);
  const a = c.seal();
  t.is(a.length, BLOCK + 5);
  t.is(a[0], -5);
  t.is(a[BLOCK - 1], BLOCK - 6);
  t.is(a[BLOCK + 3], BLOCK - 2);
  t.is(a[BLOCK + 4], -7);
  t.is(c.length, 0);
});

test('LabelColumn: 16-bit until a label needs more, then every stored label is kept in 32', (t) => {
  const c = new LabelColumn();
  for (let i = 0; i < BLOCK + 2; i++) c.push(i & 0xffff);
  t.true(c.seal() instanceof Uint16Array);
  const w = new LabelColumn();
  for (let i = 0; i < BLOCK + 2; i++) w.push(i & 0xffff);
  w.push(70_000);
  const a = w.seal();
  t.true(a instanceof Uint32Array);
  t.is(a.length, BLOCK + 3);
  t.is(a[BLOCK + 1], (BLOCK + 1) & 0xffff);
  t.is(a[BLOCK + 2], 70_000);
});

test('kernel graph: tree-compressed states and 6-byte edges, well under 150 bytes/state (the flat graph took ~1,000)', (t) => {
  const sys = kernelSystem(configByName('tiny', { fixes: FIXES.map((f) => f.name) }));
  const g = buildStateGraph(sys);
  t.true(g.complete);
  t.true(g.store instanceof TreeStore);
  t.true(g.edgeLabel instanceof Uint16Array);
  t.is(g.edgeTo.length, g.transitions);
  t.is(g.edgeStart.length, g.states + 1);
  // Few distinct (action, transition groups) labels, each edge's fairness groups include its actor's.
  t.true(g.labelAction.length < 1000, String(g.labelAction.length));
  for (let e = 0; e < g.transitions; e += 97) {
    const ga = g.groupOfAction[edgeAction(g, e)]!;
    if (ga >= 0) t.true(edgeInGroup(g, e, ga));
  }
  const perState = graphBytes(g) / g.states;
  t.true(perState < 150, `${perState.toFixed(1)} B/state`);
});

test('kernel graph cut by a bound: rows only for expanded states, every edge inside the store', (t) => {
  const sys = kernelSystem(configByName('tiny', { fixes: FIXES.map((f) => f.name) }));
  const g = buildStateGraph(sys, { maxStates: 5000 });
  t.false(g.complete);
  t.is(g.stopReason, 'max-states');
  t.is(g.edgeStart.length, g.expanded + 1);
  t.is(g.enabled.length, g.expanded * g.groupWords);
  t.is(g.edgeStart[g.expanded], g.transitions);
  t.is(g.edgeLabel.length, g.transitions);
  t.true(g.edgeTo.every((s) => s < g.states));
});
