// The liveness checker (src/explore/liveness.ts) on explicit toy graphs with
// known answers: fair and unfair cycles under weak and strong fairness, the
// strong-fairness refinement, stuttering ends, vacuous premises, lassos that
// replay (src/trace/lasso.ts) and a chain deep enough to overflow a
// recursive Tarjan.
import test from 'ava';
import { buildStateGraph, LivenessRefusal } from '../../src/explore/liveness-graph.ts';
import { assertLivenessSound, checkDeadlocks, checkTemporal, type TemporalVerdict } from '../../src/explore/liveness.ts';
import type { Fairness, System, Temporal } from '../../src/explore/system.ts';
import { describeLassoOutcome, replayLasso } from '../../src/trace/lasso.ts';
import { alwaysEventually, eventually, graphSystem, leadsTo, type ToyEdge } from './graph-toy.ts';

function judge(edges: readonly ToyEdge[], fair: Record<string, Fairness>, t: Temporal): { v: TemporalVerdict; sys: System } {
  const sys = graphSystem(edges, fair, [t]);
  const g = buildStateGraph(sys);
  return { v: checkTemporal(g, t), sys };
}

/** The lasso replays independently of the checker and ends where it should. */
function assertLassoReplays(t: { is: (a: unknown, b: unknown, m?: string) => void }, sys: System, v: TemporalVerdict): void {
  const l = v.lasso!;
  const steps = [...l.stem, ...l.cycle].map((a) => ({ action: a, ...sys.describe(a) }));
  const o = replayLasso(sys, v.id, steps.map((s) => ({ action: s.action, actor: s.actor, name: s.name })), l.stem.length);
  t.is(o.kind, 'reproduced', describeLassoOutcome(o));
}

test('a chain to the goal: eventually holds under weak fairness', (t) => {
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 1, to: 2, actor: 'A' }, { from: 2, to: 2, actor: 'A' }];
  t.is(judge(edges, { A: 'weak' }, eventually('E', [2])).v.status, 'holds');
});

test('an unfair cycle is not reported: B continuously enabled never steps in A\'s self-loop', (t) => {
  const edges = [{ from: 0, to: 0, actor: 'A' }, { from: 0, to: 1, actor: 'B' }, { from: 1, to: 1, actor: 'A' }];
  t.is(judge(edges, { A: 'weak', B: 'weak' }, eventually('E', [1])).v.status, 'holds');
});

test('the same cycle is reported when B has no fairness, and the lasso replays', (t) => {
  const edges = [{ from: 0, to: 0, actor: 'A' }, { from: 0, to: 1, actor: 'B' }, { from: 1, to: 1, actor: 'A' }];
  const { v, sys } = judge(edges, { A: 'weak', B: 'none' }, eventually('E', [1]));
  t.is(v.status, 'violated');
  t.deepEqual(v.lasso, { stem: [], cycle: [0] });
  assertLassoReplays(t, sys, v);
});

test('weak fairness: B enabled only in one state of the cycle is not owed a step (fair cycle reported)', (t) => {
  // 0 -A-> 1 -A-> 0; B leaves to the goal 2 only from 0.
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 1, to: 0, actor: 'A' }, { from: 0, to: 2, actor: 'B' }, { from: 2, to: 2, actor: 'A' }];
  const { v, sys } = judge(edges, { A: 'weak', B: 'weak' }, eventually('E', [2]));
  t.is(v.status, 'violated');
  t.is(v.lasso!.cycle.length, 2);
  assertLassoReplays(t, sys, v);
});

test('strong fairness: B enabled infinitely often must step, so the same cycle is unfair', (t) => {
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 1, to: 0, actor: 'A' }, { from: 0, to: 2, actor: 'B' }, { from: 2, to: 2, actor: 'A' }];
  t.is(judge(edges, { A: 'weak', B: 'strong' }, eventually('E', [2])).v.status, 'holds');
});

test('strong fairness refinement: a fair sub-cycle avoiding the states where B is enabled is found', (t) => {
  // SCC {0,1,2}: 0<->1 by A, 1 -A-> 2 -A-> 0; B (strong) is enabled only in 2 (to the goal 3).
  const edges = [
    { from: 0, to: 1, actor: 'A' }, { from: 1, to: 0, actor: 'A' }, { from: 1, to: 2, actor: 'A' }, { from: 2, to: 0, actor: 'A' },
    { from: 2, to: 3, actor: 'B' }, { from: 3, to: 3, actor: 'A' },
  ];
  const { v, sys } = judge(edges, { A: 'weak', B: 'strong' }, eventually('E', [3]));
  t.is(v.status, 'violated');
  // the cycle stays in {0,1}: actions 0 (0->1) and 1 (1->0)
  t.deepEqual([...v.lasso!.cycle].sort(), [0, 1]);
  assertLassoReplays(t, sys, v);
});

test('a not-goal state where nothing is enabled ends the run: violated with an empty cycle', (t) => {
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 0, to: 2, actor: 'A' }];
  const { v, sys } = judge(edges, { A: 'weak' }, eventually('E', [2]));
  t.is(v.status, 'violated');
  t.deepEqual(v.lasso, { stem: [0], cycle: [] });
  assertLassoReplays(t, sys, v);
});

test('leads-to: a premise never reached holds vacuously and says so', (t) => {
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 1, to: 1, actor: 'A' }];
  const { v } = judge(edges, { A: 'weak' }, leadsTo('L', [7], [1]));
  t.is(v.status, 'holds');
  t.is(v.premiseStates, 0);
  t.regex(v.message, /vacuous/);
});

test('leads-to: the stem reaches the premise, then a fair cycle avoids the goal', (t) => {
  // 0 -> 1 (premise) -> 2 <-> 3 by A; C could leave 3 to the goal 4 but has no fairness.
  const edges = [
    { from: 0, to: 1, actor: 'A' }, { from: 1, to: 2, actor: 'A' }, { from: 2, to: 3, actor: 'A' }, { from: 3, to: 2, actor: 'A' },
    { from: 3, to: 4, actor: 'C' }, { from: 4, to: 4, actor: 'A' },
  ];
  const { v, sys } = judge(edges, { A: 'weak' }, leadsTo('L', [1], [4]));
  t.is(v.status, 'violated');
  t.is(v.premiseStates, 1);
  t.deepEqual(v.lasso!.stem, [0, 1]);
  assertLassoReplays(t, sys, v);
  // with C weakly fair: C is enabled only in 3, so the 2<->3 cycle is still fair
  t.is(judge(edges, { A: 'weak', C: 'weak' }, leadsTo('L', [1], [4])).v.status, 'violated');
  // with C strongly fair it is not
  t.is(judge(edges, { A: 'weak', C: 'strong' }, leadsTo('L', [1], [4])).v.status, 'holds');
});

test('leads-to holds when the premise state already satisfies the goal', (t) => {
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 1, to: 1, actor: 'A' }];
  t.is(judge(edges, { A: 'weak' }, leadsTo('L', [1], [1])).v.status, 'holds');
});

test('always-eventually: a goal visited on every cycle holds; a cycle avoiding it is a violation', (t) => {
  const ring = [{ from: 0, to: 1, actor: 'A' }, { from: 1, to: 2, actor: 'A' }, { from: 2, to: 0, actor: 'A' }];
  t.is(judge(ring, { A: 'weak' }, alwaysEventually('AE', [2])).v.status, 'holds');
  const escape = [...ring, { from: 1, to: 1, actor: 'A' }];
  const { v, sys } = judge(escape, { A: 'weak' }, alwaysEventually('AE', [2]));
  t.is(v.status, 'violated');
  t.deepEqual(v.lasso!.cycle, [3]);
  assertLassoReplays(t, sys, v);
});

test('a 200,000-state chain: iterative Tarjan, no stack overflow', (t) => {
  const n = 200_000;
  const edges: ToyEdge[] = [];
  for (let i = 0; i < n; i++) edges.push({ from: i, to: i + 1, actor: 'A' });
  edges.push({ from: n, to: 0, actor: 'A' });
  const { v } = judge(edges, { A: 'weak' }, alwaysEventually('AE', [n + 5]));
  t.is(v.status, 'violated');
  t.is(v.lasso!.cycle.length, n + 1);
});

test('an incomplete graph: a property that holds so far is unknown', (t) => {
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 1, to: 2, actor: 'A' }, { from: 2, to: 2, actor: 'A' }];
  const t1 = eventually('E', [2]);
  const g = buildStateGraph(graphSystem(edges, { A: 'weak' }, [t1]), { maxStates: 2 });
  t.false(g.complete);
  t.is(checkTemporal(g, t1).status, 'unknown');
});

test('deadlocks: terminal states judged by System.deadlock, first by BFS rank', (t) => {
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 0, to: 2, actor: 'A' }, { from: 2, to: 3, actor: 'A' }];
  const sys = graphSystem(edges, { A: 'weak' }, [], (s) => (s === 3 ? 'A waits for a lock' : null));
  const d = checkDeadlocks(buildStateGraph(sys));
  t.is(d.terminalStates, 2);
  t.deepEqual(d.deadlock, { stem: [1, 2], message: 'A waits for a lock' });
  const o = replayLasso(sys, 'DEADLOCK', [1, 2].map((a) => ({ action: a, ...sys.describe(a) })).map(({ action, actor, name }) => ({ action, actor, name })), 2);
  t.is(o.kind, 'reproduced');
});

test('lasso replay rejects an open cycle, an unfair cycle and a goal on the cycle', (t) => {
  const edges = [{ from: 0, to: 0, actor: 'A' }, { from: 0, to: 1, actor: 'B' }, { from: 1, to: 0, actor: 'A' }];
  const E = eventually('E', [9]);
  const weakB = graphSystem(edges, { A: 'weak', B: 'weak' }, [E]);
  const st = (sys: System, acts: number[]) => acts.map((a) => ({ action: a, actor: sys.describe(a).actor, name: sys.describe(a).name }));
  t.is(replayLasso(weakB, 'E', st(weakB, [1]), 0).kind, 'open');
  t.is(replayLasso(weakB, 'E', st(weakB, [0]), 0).kind, 'unfair');
  t.is(replayLasso(weakB, 'E', st(weakB, [1, 2]), 0).kind, 'reproduced');
  const goal1 = graphSystem(edges, { A: 'weak', B: 'weak' }, [eventually('E', [1])]);
  t.is(replayLasso(goal1, 'E', st(goal1, [1, 2]), 0).kind, 'goal-holds');
});

test('reductions the checker is not sound with are refused', (t) => {
  t.throws(() => assertLivenessSound({ symmetry: true }), { instanceOf: LivenessRefusal, message: /symmetry/ });
  t.throws(() => assertLivenessSound({ por: true }), { instanceOf: LivenessRefusal, message: /partial-order/ });
  t.throws(() => assertLivenessSound({ store: 'fingerprint' }), { instanceOf: LivenessRefusal, message: /--store fingerprint is refused: .*hash compaction/ });
  t.notThrows(() => assertLivenessSound({ store: 'exact' }));
  t.notThrows(() => assertLivenessSound({}));
});

test('a state where only an actor without fairness can act lets the run stop there; with weak fairness it must act', (t) => {
  // 0 -A-> 1; in 1 only the administrator (C) can move to the goal 2.
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 1, to: 2, actor: 'C' }, { from: 2, to: 2, actor: 'A' }];
  const { v, sys } = judge(edges, { A: 'weak', C: 'none' }, eventually('E', [2]));
  t.is(v.status, 'violated');
  t.deepEqual(v.lasso, { stem: [0], cycle: [] });
  assertLassoReplays(t, sys, v);
  t.is(judge(edges, { A: 'weak', C: 'weak' }, eventually('E', [2])).v.status, 'holds');
});

test('transition fairness: a strongly fair group finer than its actor breaks a cycle the actor\'s weak fairness allows; an edge may be in two groups', (t) => {
  // 0 -A-> 1 (a fault), 1 -K-> 0 (kswapd undoes it), 1 -A-> 2 (the access lands). A steps in the cycle 0->1->0,
  // so A's weak fairness is met; the access (edge 2) is enabled in state 1 infinitely often.
  const edges = [{ from: 0, to: 1, actor: 'A' }, { from: 1, to: 0, actor: 'K' }, { from: 1, to: 2, actor: 'A' }, { from: 2, to: 2, actor: 'K' }];
  const prop = eventually('E', [2]);
  const base = graphSystem(edges, { A: 'weak', K: 'weak' }, [prop]);
  const v0 = checkTemporal(buildStateGraph(base), prop);
  t.is(v0.status, 'violated');
  assertLassoReplays(t, base, v0);
  const group = (name: string, actions: number[]) => ({ name, fairness: 'strong' as const, actions, has: () => true });
  // 'A steps' (both of A's edges) first: the access edge is in both groups, and the second must still count.
  const sys: System = { ...base, transitionFairness: [group('A steps', [0, 2]), group('A accesses', [2])] };
  t.is(checkTemporal(buildStateGraph(sys), prop).status, 'holds');
  // the replay judges the same cycle unfair to the group
  const steps = [...v0.lasso!.stem, ...v0.lasso!.cycle].map((a) => ({ action: a, ...sys.describe(a) }));
  const o = replayLasso(sys, 'E', steps.map((s) => ({ action: s.action, actor: s.actor, name: s.name })), v0.lasso!.stem.length);
  t.is(o.kind, 'unfair', describeLassoOutcome(o));
});

test('finite transition groups: an environment that toggles for ever is not a fair cycle; it may stop, and then the weakly fair actor must act', (t) => {
  // 0 -E-> 1 -E-> 0: an administrator toggling; K (weak) undoes it too (1 -K-> 0); A (weak) reaches the goal 2 from 0 only.
  const edges = [{ from: 0, to: 1, actor: 'E' }, { from: 1, to: 0, actor: 'E' }, { from: 0, to: 2, actor: 'A' }, { from: 2, to: 2, actor: 'A' }, { from: 1, to: 0, actor: 'K' }];
  const prop = eventually('E', [2]);
  const base = graphSystem(edges, { A: 'weak', E: 'none', K: 'weak' }, [prop]);
  const v0 = checkTemporal(buildStateGraph(base), prop);
  t.is(v0.status, 'violated', 'E toggling for ever starves A (A is not continuously enabled)');
  t.true(v0.lasso!.cycle.includes(0), 'the cycle takes E');
  assertLassoReplays(t, base, v0);
  const sys: System = { ...base, transitionFairness: [{ name: 'E toggles', fairness: 'finite', actions: [0, 1], has: () => true }] };
  t.is(checkTemporal(buildStateGraph(sys), prop).status, 'holds');
  const steps = [...v0.lasso!.stem, ...v0.lasso!.cycle].map((a) => ({ action: a, ...sys.describe(a) }));
  const o = replayLasso(sys, 'E', steps.map((s) => ({ action: s.action, actor: s.actor, name: s.name })), v0.lasso!.stem.length);
  t.is(o.kind, 'finite-on-cycle', describeLassoOutcome(o));
  // With only E enabled (state 1 has no A edge) the run may stop there: a goal-less end is still found.
  const stuck = [{ from: 0, to: 1, actor: 'E' }, { from: 1, to: 0, actor: 'E' }];
  const s2: System = { ...graphSystem(stuck, { E: 'none' }, [prop]), transitionFairness: [{ name: 'E toggles', fairness: 'finite', actions: [0, 1], has: () => true }] };
  const v2 = checkTemporal(buildStateGraph(s2), prop);
  t.is(v2.status, 'violated');
  t.deepEqual(v2.lasso!.cycle, []);
  assertLassoReplays(t, s2, v2);
});

// Group sets are several 32-bit words when a system has more than 32 fair
// actors and transition groups (tworegions has 31, cpusetmove 35; the limit
// was 31). 39 padding actors each loop in state 0; B, the 40th group (bit 7 of
// word 1), leads to the goal. Under weak fairness B must step; without
// fairness, or with its bit lost, the padding loop is a fair cycle.
function manyActors(fairB: Fairness): { v: TemporalVerdict; sys: System; groups: number; words: number } {
  const edges: ToyEdge[] = [];
  const fair: Record<string, Fairness> = {};
  for (let i = 0; i < 39; i++) {
    edges.push({ from: 0, to: 0, actor: `P${i}` });
    fair[`P${i}`] = 'weak';
  }
  edges.push({ from: 0, to: 1, actor: 'B' }, { from: 1, to: 1, actor: 'P0' });
  fair.B = fairB;
  const sys = graphSystem(edges, fair, [eventually('E', [1])]);
  const g = buildStateGraph(sys);
  return { v: checkTemporal(g, eventually('E', [1])), sys, groups: g.groups.length, words: g.groupWords };
}

test('more than 32 fairness groups: the 40th group (second word) is owed its step', (t) => {
  const fair = manyActors('weak');
  t.is(fair.groups, 40);
  t.is(fair.words, 2);
  t.is(fair.v.status, 'holds', fair.v.message);
  const unfair = manyActors('none');
  t.is(unfair.v.status, 'violated');
  assertLassoReplays(t, unfair.sys, unfair.v);
});
