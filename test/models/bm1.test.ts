// BM1 (../shared/bench/BM1.md) as a System (models/bm1.ts): the distinct-state
// counts must equal the hand-written reference's (../shared/bench/js/bm1-bfs.mjs),
// expand() must agree with step(), every invariant must be able to fail.
import test from 'ava';
import { explore, type ExploreResult } from '../../src/explore/explorer.ts';
import { forEachSuccessor, type System } from '../../src/explore/system.ts';
import { BM1_CONFIGS, BM1_MUTANTS, bm1System, decodeBm1, encodeBm1, parseBm1Params, type Bm1Mutant } from '../../models/bm1.ts';

const small = BM1_CONFIGS.small;

function replay(sys: System, trace: readonly number[]): Uint32Array {
  let s = new Uint32Array(sys.words);
  sys.initial(s);
  for (const a of trace) {
    const next = new Uint32Array(sys.words);
    if (!sys.step(s, a, next)) throw new Error(`${sys.describe(a).name} not enabled`);
    s = next;
  }
  return s;
}

function sansTiming(r: ExploreResult): Omit<ExploreResult, 'timing'> {
  const { timing: _t, ...rest } = r;
  return rest;
}

test('BM1.md table: small has 32,788 distinct states at BFS depth 24 (the reference count)', (t) => {
  const r = explore(bm1System(small), { tty: false });
  t.is(r.states, 32_788);
  t.is(r.depth, 24);
  t.is(r.transitions, 332_886); // reference transitions count
  t.true(r.complete);
  t.deepEqual(r.violations, []);
});

test('BM1 small: DFS reaches the same 32,788 states and transitions as BFS', (t) => {
  const b = explore(bm1System(small), { tty: false });
  const d = explore(bm1System(small), { strategy: 'dfs', tty: false });
  t.is(d.states, b.states);
  t.is(d.transitions, b.transitions);
  t.true(d.complete);
});

test('BM1 explicit parameters: F=3,D=1,C=1,P=2 and a store grown from 2 slots agree with default capacity', (t) => {
  const p = { F: 3, D: 1, C: 1, P: 2 };
  const a = explore(bm1System(p), { tty: false });
  const b = explore(bm1System(p), { tty: false, initialCapacity: 2 });
  t.true(a.complete);
  t.is(a.states, b.states);
  t.is(a.transitions, b.transitions);
  const big = explore(bm1System(small), { tty: false, initialCapacity: 2 });
  t.is(big.states, 32_788);
});

test('BM1: expand() agrees with step() on every reachable state of small (same actions, same successors, increasing order)', (t) => {
  const sys = bm1System(small);
  const fast: number[] = [];
  const slow: number[] = [];
  const seen = new Set<string>();
  const queue: Uint32Array[] = [];
  const init = new Uint32Array(2);
  sys.initial(init);
  queue.push(init);
  seen.add(init.join(','));
  const next = new Uint32Array(2);
  let mismatches = 0;
  for (let qi = 0; qi < queue.length; qi++) {
    const s = queue[qi]!;
    fast.length = 0;
    slow.length = 0;
    sys.expand!(s, next, (a) => fast.push(a, next[0]!, next[1]!));
    for (let a = 0; a < sys.actionCount; a++) if (sys.step(s, a, next)) slow.push(a, next[0]!, next[1]!);
    if (fast.join() !== slow.join()) mismatches++;
    for (let i = 0; i < slow.length; i += 3) {
      const k = `${slow[i + 1]},${slow[i + 2]}`;
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(new Uint32Array([slow[i + 1]!, slow[i + 2]!]));
      }
    }
    for (let i = 3; i < fast.length; i += 3) if (fast[i]! <= fast[i - 3]!) mismatches++;
  }
  t.is(mismatches, 0);
  t.is(queue.length, 32_788);
});

const MUTANT_PROPERTY: Record<Bm1Mutant, string> = {
  'demote-keeps-write': 'BM1-I1',
  'demote-ignores-budget': 'BM1-I2',
  'promote-keeps-charge': 'BM1-I3',
  'alloc-ignores-capacity': 'BM1-I4',
  'offline-ignores-cram': 'BM1-I5',
};

for (const mutant of BM1_MUTANTS) {
  test(`BM1 mutant ${mutant} is caught by ${MUTANT_PROPERTY[mutant]} with a shortest trace that replays through step()`, (t) => {
    const sys = bm1System(small, { mutant });
    const r = explore(sys, { tty: false });
    t.false(r.complete);
    const v = r.violations[0]!;
    t.is(v.property, MUTANT_PROPERTY[mutant]);
    const end = replay(sys, v.trace);
    t.not(sys.properties.find((p) => p.id === v.property)!.check(end), null);
    // Shortest: no violation at all within one step less.
    const shorter = explore(sys, { tty: false, maxDepth: v.trace.length - 1 });
    t.deepEqual(shorter.violations, []);
    // The faithful model does not violate it along the same depth.
    t.deepEqual(explore(bm1System(small), { tty: false, maxDepth: v.trace.length }).violations, []);
  });
}

test('BM1 demote-keeps-write: the I1 trace ends with a Demote (named for the reviewer)', (t) => {
  const sys = bm1System(small, { mutant: 'demote-keeps-write' });
  const v = explore(sys, { tty: false }).violations[0]!;
  const names = v.trace.map((a) => sys.describe(a).name);
  t.deepEqual(names, ['Alloc(f0)', 'Online', 'Demote(f0)']);
  t.regex(v.message, /f0.*writable/);
});

test('BM1 determinism: two runs give equal results (BFS and DFS, with mutant)', (t) => {
  for (const strategy of ['bfs', 'dfs'] as const) {
    const a = explore(bm1System(small, { mutant: 'demote-keeps-write' }), { strategy, stopAtFirstViolation: false, tty: false });
    const b = explore(bm1System(small, { mutant: 'demote-keeps-write' }), { strategy, stopAtFirstViolation: false, tty: false });
    t.deepEqual(sansTiming(a), sansTiming(b));
  }
});

test('BM1 describe: action names follow BM1.md', (t) => {
  const sys = bm1System(small);
  t.is(sys.actionCount, 4 * 9 + 3);
  t.deepEqual(
    [0, 1, 3, 4, 5, 6, 7, 8, 9 + 2, 36, 37, 38].map((a) => sys.describe(a).name),
    ['Alloc(f0)', 'Write(f0,c0)', 'Write(f0,c2)', 'Promote(f0)', 'Demote(f0)', 'SwapOut(f0)', 'SwapIn(f0)', 'Free(f0)', 'Write(f1,c1)', 'Report', 'Online', 'Offline'],
  );
  t.is(sys.describe(36).actor, 'device');
});

test('BM1 guards: Demote needs online, pressure < MAX, room on CRAM and device budget (BM1.md Demote)', (t) => {
  const sys = bm1System(small);
  const s = new Uint32Array(2);
  const next = new Uint32Array(2);
  const base = { loc: [1, 0, 0, 0], wr: [1, 0, 0, 0], cls: [2, 0, 0, 0], used: 0, pressure: 0, online: 1 };
  encodeBm1(small, base, s);
  t.true(sys.step(s, 5, next)); // Demote(f0): cost 4 <= P=4
  const after = decodeBm1(small, next);
  t.deepEqual([after.loc[0], after.wr[0], after.used], [2, 0, 4]);
  encodeBm1(small, { ...base, online: 0 }, s);
  t.false(sys.step(s, 5, next));
  encodeBm1(small, { ...base, pressure: 3 }, s);
  t.false(sys.step(s, 5, next));
  encodeBm1(small, { ...base, used: 1, loc: [1, 2, 0, 0], cls: [2, 0, 0, 0] }, s);
  t.false(sys.step(s, 5, next)); // 1 + 4 > 4
  // Report sets pressure to level(used) = floor(4u/(P+1)).
  encodeBm1(small, { ...base, loc: [2, 0, 0, 0], wr: [0, 0, 0, 0], used: 4 }, s);
  t.true(sys.step(s, 36, next));
  t.is(decodeBm1(small, next).pressure, 3);
  // Offline refused while a folio is on CRAM.
  t.false(sys.step(s, 38, next));
  // explain and render say what happened.
  t.regex(sys.explain(s, 36).join(), /pressure 0->3/);
  t.true(sys.render(s).some((l) => l.includes('CRAM')));
});

test('parseBm1Params: names, F=..,D=.. in any order, positional, and clear errors', (t) => {
  t.deepEqual(parseBm1Params('medium'), { ok: true, params: BM1_CONFIGS.medium, name: 'medium' });
  const r = parseBm1Params('P=8, F=6,D=3,C=3');
  t.true(r.ok);
  if (r.ok) t.deepEqual(r.params, { F: 6, D: 3, C: 3, P: 8 });
  const pos = parseBm1Params('4,2,2,4');
  t.true(pos.ok && pos.params.P === 4);
  const bad = (s: string, re: RegExp): void => {
    const x = parseBm1Params(s);
    t.false(x.ok, s);
    if (!x.ok) t.regex(x.error, re, s);
  };
  bad('F=6,D=3,C=3', /missing P/);
  bad('F=6,D=3,C=3,P=16', /P must be in 0..15/);
  bad('F=11,D=3,C=3,P=8', /F must be in 1..10/);
  bad('F=6,D=x,C=3,P=8', /D must be a non-negative integer/);
  bad('F=6,Q=3,C=3,P=8', /unknown parameter 'Q'/);
  bad('F=6,F=3,C=3,P=8', /F given twice/);
  bad('huge', /cannot read 'huge'/);
  bad('', /empty/);
  t.throws(() => bm1System({ F: 0, D: 0, C: 0, P: 0 }), { message: /F must be in 1..10/ });
});

test('BM1 with the forEachSuccessor helper (engine contract) gives the same successors as expand', (t) => {
  const sys = bm1System(BM1_CONFIGS.medium);
  const s = new Uint32Array(2);
  encodeBm1(BM1_CONFIGS.medium, { loc: [1, 2, 3, 0, 1, 0], wr: [1, 0, 0, 0, 1, 0], cls: [1, 2, 0, 0, 0, 0], used: 4, pressure: 1, online: 1 }, s);
  const out: number[] = [];
  const next = new Uint32Array(2);
  forEachSuccessor(sys, s, next, (a) => out.push(a));
  const viaStep: number[] = [];
  for (let a = 0; a < sys.actionCount; a++) if (sys.step(s, a, next)) viaStep.push(a);
  t.deepEqual(out, viaStep);
});

// BM1 medium (3,498,372 states) takes ~6 s plain and ~16 s under c8, inside
// the brief's ~20 s budget, so it runs by default; BM1_MEDIUM=0 skips it.
const mediumTest = process.env['BM1_MEDIUM'] === '0' ? test.skip : test;
mediumTest('BM1.md table: medium has 3,498,372 distinct states at BFS depth 29', (t) => {
  const r = explore(bm1System(BM1_CONFIGS.medium), { tty: false });
  t.is(r.states, 3_498_372);
  t.is(r.depth, 29);
  t.true(r.complete);
});

test('BM1 small through step() only (no expand fast path): BFS and DFS reach the reference count', (t) => {
  const { expand: _e, ...rest } = bm1System(small);
  const slow: System = rest;
  const b = explore(slow, { tty: false });
  const d = explore(slow, { strategy: 'dfs', tty: false });
  t.is(b.states, 32_788);
  t.is(b.depth, 24);
  t.is(d.states, 32_788);
  t.is(d.transitions, b.transitions);
});
