// The explorer's hooks for the CLI and the liveness work: interruption
// (shouldStop), deadlock detection (System.deadlock), reachability
// (System.sometimes). Each on a toy System whose figures are known exactly,
// under BFS and DFS.
import test from 'ava';
import { explore } from '../../src/explore/explorer.ts';
import { exhaustText, summaryLines } from '../../src/explore/stats.ts';
import type { Reachability, System } from '../../src/explore/system.ts';

// Two counters x, y in 0..n-1; actions: 0 inc x, 1 inc y, 2 reset. n*n states.
function grid(n: number, extra: Partial<System> = {}): System {
  const step = (s: Uint32Array, a: number, next: Uint32Array): boolean => {
    next.set(s);
    if (a < 2) {
      if (s[a]! >= n - 1) return false;
      next[a] = s[a]! + 1;
      return true;
    }
    if (s[0] === 0 && s[1] === 0) return false;
    next.fill(0);
    return true;
  };
  return {
    name: `grid(${n})`,
    words: 2,
    actionCount: 3,
    initial: (out) => out.fill(0),
    step,
    describe: (a) => ({ actor: 't', name: ['incX', 'incY', 'reset'][a]! }),
    explain: () => [],
    properties: [],
    render: (s) => [`x=${s[0]} y=${s[1]}`],
    ...extra,
  };
}

// One counter x from 0: inc (x < 5, x != 3), jump 1 -> 3, jump 2 -> 5.
// Ends with no enabled action: 3 (stuck: a deadlock) and 5 (finished: legitimate).
function stuck(withDeadlock = true): System {
  return {
    name: 'stuck',
    words: 1,
    actionCount: 3,
    initial: (out) => out.fill(0),
    step(s, a, next) {
      const x = s[0]!;
      const to = a === 0 ? (x < 5 && x !== 3 ? x + 1 : -1) : a === 1 ? (x === 1 ? 3 : -1) : x === 2 ? 5 : -1;
      if (to < 0) return false;
      next[0] = to;
      return true;
    },
    describe: (a) => ({ actor: 't', name: ['inc', 'jump3', 'jump5'][a]! }),
    explain: () => [],
    properties: [],
    render: (s) => [`x=${s[0]}`],
    ...(withDeadlock ? { deadlock: (s: Uint32Array) => (s[0] === 5 ? null : `stuck at ${s[0]}`) } : {}),
  };
}

for (const strategy of ['bfs', 'dfs'] as const) {
  test(`${strategy}: shouldStop stops the run cleanly as 'interrupted', incomplete, with partial figures`, (t) => {
    let polls = 0;
    const r = explore(grid(400), { strategy, tty: false, shouldStop: () => ++polls >= 3 });
    t.is(polls, 3);
    t.deepEqual(r.exhausted, { reason: 'interrupted' });
    t.false(r.complete);
    t.true(r.states > 3 * 4096 && r.states < 160_000, String(r.states));
    t.regex(summaryLines(r)[0]!, /interrupted by a signal/);
    // Never true: the run completes as without the hook.
    const full = explore(grid(400), { strategy, tty: false, shouldStop: () => false });
    t.true(full.complete);
    t.is(full.states, 160_000);
  });

  test(`${strategy}: a state with no enabled action is a DEADLOCK violation unless System.deadlock says it is an end`, (t) => {
    const r = explore(stuck(), { strategy, tty: false, stopAtFirstViolation: false });
    t.is(r.violations.length, 1);
    const v = r.violations[0]!;
    t.is(v.property, 'DEADLOCK');
    t.is(v.kind, 'state');
    t.is(v.message, 'stuck at 3');
    // The trace leads to x = 3.
    const sys = stuck();
    const s = new Uint32Array(1), n = new Uint32Array(1);
    for (const a of v.trace) {
      t.true(sys.step(s, a, n));
      s.set(n);
    }
    t.is(s[0], 3);
    t.is(v.trace.length, v.depth);
    if (strategy === 'bfs') t.deepEqual(v.trace, [0, 1]); // shortest: inc, jump3
    t.false(r.complete);
    // Off by option, and absent without the hook.
    t.deepEqual(explore(stuck(), { strategy, tty: false, checkDeadlock: false }).violations, []);
    t.deepEqual(explore(stuck(false), { strategy, tty: false }).violations, []);
    // Stop at first: the run stops there.
    t.is(explore(stuck(), { strategy, tty: false }).violations[0]!.property, 'DEADLOCK');
  });

  test(`${strategy}: reachability ids reached and unreached, in declaration order, each evaluated only until reached`, (t) => {
    const calls = new Map<string, number>();
    const reach = (id: string, f: (s: Uint32Array) => boolean): Reachability => ({
      id,
      source: 'test',
      description: id,
      reached: (s) => {
        calls.set(id, (calls.get(id) ?? 0) + 1);
        return f(s);
      },
    });
    const sometimes = [reach('X-TOP', (s) => s[0] === 9), reach('NEVER', (s) => s[0]! > 10), reach('ORIGIN', (s) => s[0] === 0 && s[1] === 0)];
    const r = explore(grid(10, { sometimes }), { strategy, tty: false });
    t.true(r.complete);
    t.deepEqual(r.reached, ['X-TOP', 'ORIGIN']);
    t.deepEqual(r.unreached, ['NEVER']);
    t.is(calls.get('ORIGIN'), 1); // reached on the initial state, never asked again
    t.is(calls.get('NEVER'), 100); // asked on every state
    t.true(calls.get('X-TOP')! < 100);
    const none = explore(grid(3), { strategy, tty: false });
    t.deepEqual([none.reached, none.unreached], [[], []]);
  });
}

test("exhaustText covers 'interrupted'", (t) => {
  t.is(exhaustText('interrupted'), 'interrupted by a signal');
});
