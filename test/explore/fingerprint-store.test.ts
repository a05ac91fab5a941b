// The fingerprint store (src/explore/fingerprint-store.ts): hash compaction to
// <= 16 bytes/state, the same counts as the exact store where no fingerprints
// collide, traces that replay, and results that say they are probabilistic.
import test from 'ava';
import { explore } from '../../src/explore/explorer.ts';
import { FingerprintStore, unmixExact } from '../../src/explore/fingerprint-store.ts';
import { summaryLines } from '../../src/explore/stats.ts';
import type { System } from '../../src/explore/system.ts';
import { ADD_EXISTS, ADD_FULL } from '../../src/explore/visited.ts';
import { bm1System, BM1_CONFIGS } from '../../models/bm1.ts';
import { kernelSystem } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';

function key(i: number, out: Uint32Array): Uint32Array {
  out[0] = i;
  out[1] = Math.imul(i, 7);
  out[2] = 5;
  return out;
}

test('fingerprints: insertion-order indices, duplicates found, parent links kept, <= 16 B/state through growth', (t) => {
  const s = new FingerprintStore(3, { initialCapacity: 16 });
  const buf = new Uint32Array(3);
  let worst = 0;
  for (let i = 0; i < 400_000; i++) {
    if (s.add(key(i, buf), i - 1, i & 0xff) !== i) return t.fail(`key ${i}`);
    if (i > 100_000 && i % 500 === 0) worst = Math.max(worst, s.bytes() / s.size);
  }
  t.true(worst <= 16, `worst ${worst} B/state`);
  for (let i = 0; i < 400_000; i += 997) {
    t.true(s.has(key(i, buf)));
    t.is(s.add(buf, 0, 0), ADD_EXISTS);
  }
  t.false(s.has(key(400_001, buf)));
  t.deepEqual(s.traceTo(3), [1, 2, 3]);
  const m = s.missProbability(2_000_000);
  t.true(m.optimistic > 0 && m.optimistic < 1e-6);
  t.true(m.actual > 0 && m.actual < 1e-3);
});

test('fingerprints: a byte budget gives ADD_FULL, not a crash', (t) => {
  const s = new FingerprintStore(3, { initialCapacity: 16, maxBytes: 256 * 1024 });
  const buf = new Uint32Array(3);
  let i = 0, r = 0;
  while ((r = s.add(key(i, buf), i - 1, 0)) >= 0) i++;
  t.is(r, ADD_FULL);
  t.true(s.bytes() <= 256 * 1024);
  t.true(s.has(key(i - 1, buf)));
});

function replays(sys: System, trace: number[]): boolean {
  let s = new Uint32Array(sys.words);
  sys.initial(s);
  for (const a of trace) {
    const n = new Uint32Array(sys.words);
    if (!sys.step(s, a, n)) return false;
    s = n;
  }
  return true;
}

test('explore: exact and fingerprint stores give the same counts on BM1 small', (t) => {
  const a = explore(bm1System(BM1_CONFIGS.small), { tty: false });
  const b = explore(bm1System(BM1_CONFIGS.small), { tty: false, store: 'fingerprint' });
  t.deepEqual([b.states, b.transitions, b.depth, b.complete], [a.states, a.transitions, a.depth, a.complete]);
  t.deepEqual(a.store, { kind: 'exact', layout: 'packed', probabilistic: false });
  t.is(b.store.kind, 'fingerprint');
  t.true(b.store.probabilistic);
  t.regex(summaryLines(b)[1]!, /probabilistic: P\(a state was missed\) ~ \d/);
  t.notRegex(summaryLines(a)[1]!, /probabilistic/);
});

test('explore: exact and fingerprint stores agree on a kernel config: counts, violations, replayable traces', (t) => {
  const sys = kernelSystem(configByName('small'));
  const opts = { stopAtFirstViolation: false, tty: false, maxStates: 30_000 } as const;
  const a = explore(sys, opts);
  const b = explore(sys, { ...opts, store: 'fingerprint' });
  t.deepEqual([b.states, b.transitions, b.depth, b.explored], [a.states, a.transitions, a.depth, a.explored]);
  t.deepEqual(b.violations.map((v) => [v.property, v.trace]), a.violations.map((v) => [v.property, v.trace]));
  for (const v of b.violations) t.true(replays(sys, v.trace));
  t.true(b.bytesPerState <= 16 || b.states < 50_000); // tiny runs pay the fixed overflow area
});

test('explore: the fingerprint store refuses dfs', (t) => {
  t.throws(() => explore(bm1System(BM1_CONFIGS.small), { tty: false, store: 'fingerprint', strategy: 'dfs' }), { message: /bfs only/ });
});

test('packed (exact keys, <= 2 words): a bijection, so every state is kept, including the one keyed like the empty marker', (t) => {
  const s = new FingerprintStore(2, { exact: true, initialCapacity: 16 });
  const buf = new Uint32Array(2);
  const zero = unmixExact(0, 0);
  const keys: [number, number][] = [zero, [0, 0], [1, 0], [0, 1], zero];
  for (let i = 0; i < 50_000; i++) keys.push([i & 0xff, i >>> 8]); // structured, like BM1 states
  const seen = new Map<string, number>();
  for (const [a, b] of keys) {
    buf[0] = a;
    buf[1] = b;
    const k = `${a},${b}`;
    const r = s.add(buf, 0, 0);
    if (seen.has(k)) t.is(r, ADD_EXISTS, k);
    else {
      t.is(r, seen.size, k);
      seen.set(k, r);
    }
    t.true(s.has(buf));
  }
  t.is(s.size, seen.size);
  t.throws(() => new FingerprintStore(3, { exact: true }), { message: /at most 2 words/ });
});

test('explore: the packed layout (default for BM1 under bfs) is exact: flat and packed agree on BM1 small, not probabilistic', (t) => {
  const a = explore(bm1System(BM1_CONFIGS.small), { tty: false, layout: 'flat' });
  const b = explore(bm1System(BM1_CONFIGS.small), { tty: false });
  t.deepEqual([b.states, b.transitions, b.depth, b.complete], [a.states, a.transitions, a.depth, a.complete]);
  t.deepEqual(b.store, { kind: 'exact', layout: 'packed', probabilistic: false });
  t.true(b.queueBytes > 0);
  t.is(a.queueBytes, 0);
  t.throws(() => explore(bm1System(BM1_CONFIGS.small), { tty: false, layout: 'packed', strategy: 'dfs' }), { message: /packed/ });
});
