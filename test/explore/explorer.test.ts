// The explorer's contract (src/explore/explorer.ts): BFS finds shortest
// counterexamples, DFS reaches the same states, properties are checked once per
// state, bounds and memory exhaustion stop cleanly with a reason, results are
// deterministic. A small hand-written System keeps the expected figures exact.
import test from 'ava';
import { explore, type ExploreResult } from '../../src/explore/explorer.ts';
import type { Property, System } from '../../src/explore/system.ts';
import { exhaustText, summaryLines, timingLine } from '../../src/explore/stats.ts';

// Three counters x, y, z in 0..N-1 (W = 3: the generic-width store path).
// Actions: 0 inc x, 1 inc y, 2 inc z, 3 reset all (enabled unless all zero).
// Reachable: N^3 states; BFS depth 3(N-1).
interface CounterOpts {
  readonly n: number;
  readonly bad?: (x: number, y: number, z: number) => boolean;
  readonly withExpand?: boolean;
  readonly forbidReset?: boolean;
  readonly xmax?: boolean;
}
function counters(o: CounterOpts): System & { checks: { count: number } } {
  const { n } = o;
  const checks = { count: 0 };
  const props: Property[] = [
    {
      id: 'BAD',
      source: 'test',
      check(s) {
        checks.count++;
        return o.bad && o.bad(s[0]!, s[1]!, s[2]!) ? `bad at ${s[0]},${s[1]},${s[2]}` : null;
      },
    },
    {
      id: 'X-NOT-MAX',
      source: 'test',
      check: (s) => (o.xmax && s[0] === n - 1 ? 'x at max' : null),
    },
  ];
  const step = (s: Uint32Array, a: number, next: Uint32Array): boolean => {
    next.set(s);
    if (a < 3) {
      if (s[a]! >= n - 1) return false;
      next[a] = s[a]! + 1;
      return true;
    }
    if (a === 3) {
      if (s[0] === 0 && s[1] === 0 && s[2] === 0) return false;
      next.fill(0);
      return true;
    }
    return false;
  };
  const sys: System & { checks: { count: number } } = {
    name: `counters(${n})`,
    words: 3,
    actionCount: 4,
    checks,
    initial: (out) => out.fill(0),
    step,
    describe: (a) => ({ actor: 'cpu', name: ['incX', 'incY', 'incZ', 'reset'][a] ?? '?' }),
    explain: (_s, a) => [String(a)],
    properties: props,
    render: (s) => [`x=${s[0]} y=${s[1]} z=${s[2]}`],
    ...(o.forbidReset
      ? {
          checkTransition: (_s: Uint32Array, a: number) => (a === 3 ? { id: 'NO-RESET', message: 'reset taken' } : null),
        }
      : {}),
  };
  if (o.withExpand) {
    return {
      ...sys,
      expand(s, next, emit) {
        for (let a = 0; a < 4; a++) if (step(s, a, next)) emit(a);
      },
    };
  }
  return sys;
}

function replay(sys: System, trace: number[]): Uint32Array {
  let s = new Uint32Array(sys.words);
  sys.initial(s);
  for (const a of trace) {
    const next = new Uint32Array(sys.words);
    if (!sys.step(s, a, next)) throw new Error(`action ${a} not enabled`);
    s = next;
  }
  return s;
}

function sansTiming(r: ExploreResult): Omit<ExploreResult, 'timing'> {
  const { timing: _t, ...rest } = r;
  return rest;
}

test('BFS reaches every state once, checks each property once per state, and reports BFS depth', (t) => {
  const sys = counters({ n: 5 });
  const r = explore(sys, { tty: false });
  t.is(r.states, 125);
  t.is(r.explored, 125);
  t.is(r.depth, 12);
  t.true(r.complete);
  t.deepEqual(r.violations, []);
  t.is(sys.checks.count, 125); // once per state, not per transition
  // 3 * 5*5*4 increments + 124 resets
  t.is(r.transitions, 3 * 100 + 124);
  t.true(r.storeBytes > 0);
  t.is(r.bytesPerState, r.storeBytes / 125);
});

test('DFS (step cursor) and DFS (expand) reach the same states and transitions as BFS', (t) => {
  const b = explore(counters({ n: 4 }), { tty: false });
  const d1 = explore(counters({ n: 4 }), { strategy: 'dfs', tty: false });
  const d2 = explore(counters({ n: 4, withExpand: true }), { strategy: 'dfs', tty: false });
  for (const d of [d1, d2]) {
    t.is(d.states, b.states);
    t.is(d.transitions, b.transitions);
    t.true(d.complete);
  }
  // DFS goes deep first: its tree is deeper than the BFS levels.
  t.true(d1.depth >= b.depth);
  t.deepEqual(sansTiming(d1).states, sansTiming(d2).states);
});

test('BFS gives a shortest counterexample whose trace replays to a violating state', (t) => {
  const sys = counters({ n: 6, bad: (x, y, z) => x === 2 && y === 3 && z === 1 });
  const r = explore(sys, { tty: false });
  t.false(r.complete);
  t.is(r.violations.length, 1);
  const v = r.violations[0]!;
  t.is(v.property, 'BAD');
  t.is(v.kind, 'state');
  t.is(v.trace.length, 6); // 2 + 3 + 1 increments: the shortest path
  t.is(v.depth, 6);
  const s = replay(sys, v.trace);
  t.deepEqual(Array.from(s), [2, 3, 1]);
  t.not(sys.properties[0]!.check(s), null);
});

test('DFS finds the violation too, with a trace that replays', (t) => {
  const sys = counters({ n: 6, bad: (x, y, z) => x === 2 && y === 3 && z === 1 });
  const r = explore(sys, { strategy: 'dfs', tty: false });
  const v = r.violations[0]!;
  t.is(v.property, 'BAD');
  t.deepEqual(Array.from(replay(sys, v.trace)), [2, 3, 1]);
  t.is(v.trace.length, v.depth);
});

test('stopAtFirstViolation=false records the first violation of each property and keeps going', (t) => {
  const sys = counters({ n: 4, bad: (x, y) => x === 1 && y === 1, xmax: true });
  const r = explore(sys, { stopAtFirstViolation: false, tty: false });
  t.is(r.states, 64);
  t.deepEqual(r.violations.map((v) => v.property).sort(), ['BAD', 'X-NOT-MAX']);
  t.is(r.violations.find((v) => v.property === 'X-NOT-MAX')!.trace.length, 3);
  t.false(r.complete);
});

test('checkTransition is applied to every transition and its violation carries the step', (t) => {
  const sys = counters({ n: 3, forbidReset: true });
  const r = explore(sys, { tty: false });
  t.is(r.violations.length, 1);
  const v = r.violations[0]!;
  t.is(v.property, 'NO-RESET');
  t.is(v.kind, 'transition');
  t.deepEqual(v.trace, [0, 3]); // shortest: incX then reset
  t.is(v.stateIndex, 0); // the target is the (already stored) initial state
});

test('maxStates is never exceeded and is reported as the exhaustion reason', (t) => {
  for (const strategy of ['bfs', 'dfs'] as const) {
    const r = explore(counters({ n: 10 }), { strategy, maxStates: 77, tty: false });
    t.is(r.states, 77);
    t.false(r.complete);
    t.deepEqual(r.exhausted, { reason: 'maxStates' });
  }
});

test('maxDepth bounds the search: states at the bound are stored and checked but not expanded', (t) => {
  const r = explore(counters({ n: 10 }), { maxDepth: 2, tty: false });
  // depth <= 2 over three counters from 0: 1 + 3 + 6 states (resets go back to the start)
  t.is(r.states, 10);
  t.is(r.depth, 2);
  t.false(r.complete);
  t.deepEqual(r.exhausted, { reason: 'maxDepth' });
  const d = explore(counters({ n: 10 }), { strategy: 'dfs', maxDepth: 2, tty: false });
  t.is(d.states, 10);
  t.deepEqual(d.exhausted, { reason: 'maxDepth' });
  // A bound deeper than the space changes nothing.
  const full = explore(counters({ n: 3 }), { maxDepth: 100, tty: false });
  t.true(full.complete);
  t.is(full.exhausted, undefined);
});

test('memory exhaustion (byte budget) stops with reason memory and partial statistics, no crash', (t) => {
  for (const strategy of ['bfs', 'dfs'] as const) {
    const r = explore(counters({ n: 40 }), { strategy, maxBytes: 64 * 1024, initialCapacity: 16, tty: false });
    t.deepEqual(r.exhausted, { reason: 'memory' });
    t.false(r.complete);
    t.true(r.states > 100 && r.states < 64_000);
    t.true(r.storeBytes <= 64 * 1024);
  }
});

test('deterministic: same system and options give the same result except timing', (t) => {
  const mk = (): System => counters({ n: 7, bad: (x, y, z) => x + y + z === 15 });
  for (const strategy of ['bfs', 'dfs'] as const) {
    const a = explore(mk(), { strategy, stopAtFirstViolation: false, tty: false });
    const b = explore(mk(), { strategy, stopAtFirstViolation: false, tty: false });
    t.deepEqual(sansTiming(a), sansTiming(b));
  }
});

test('progress callback receives running figures', (t) => {
  const seen: number[] = [];
  const r = explore(counters({ n: 40 }), { progress: (p) => seen.push(p.states), progressIntervalMs: 0, tty: false });
  t.is(r.states, 64_000);
  t.true(seen.length > 0);
  t.true(seen.every((s) => s <= 64_000));
});

test('a violating initial state is reported with an empty trace', (t) => {
  const r = explore(counters({ n: 3, bad: (x) => x === 0 }), { tty: false });
  t.is(r.violations[0]!.trace.length, 0);
  t.is(r.states, 1);
});

test('summaryLines names the violation and its trace through describe(); timing stays on its own line', (t) => {
  const sys = counters({ n: 4, bad: (x, y) => x === 1 && y === 1 });
  const r = explore(sys, { tty: false });
  const lines = summaryLines(r, sys);
  t.regex(lines[0]!, /INCOMPLETE/);
  t.true(lines.includes('  trace: incX -> incY'));
  t.regex(timingLine(r), /states\/s/);
  const full = explore(counters({ n: 2 }), { maxStates: 3, tty: false });
  t.regex(summaryLines(full)[0]!, /state bound reached/);
  t.is(exhaustText('memory').includes('could not grow'), true);
});

test('maxStates=1 stores only the initial state and says the bound stopped it', (t) => {
  for (const strategy of ['bfs', 'dfs'] as const) {
    const r = explore(counters({ n: 3 }), { strategy, maxStates: 1, tty: false });
    t.is(r.states, 1);
    t.false(r.complete);
    t.deepEqual(r.exhausted, { reason: 'maxStates' });
  }
});
