// The compact exact store (src/explore/tree-store.ts): tree compression must be
// an exact re-encoding: same indices as the flat store for the same insertion
// sequence, same lookups, same words read back, and the same exploration
// counts on real systems.
import test from 'ava';
import { explore } from '../../src/explore/explorer.ts';
import { StateStore } from '../../src/explore/store.ts';
import { TreeStore } from '../../src/explore/tree-store.ts';
import { ADD_EXISTS, ADD_FULL } from '../../src/explore/visited.ts';
import { bm1System, BM1_CONFIGS } from '../../models/bm1.ts';
import { kernelSystem } from '../../models/kernel.system.ts';
import { configByName } from '../../src/kernel/configs.ts';

// Keys that share most words (like successors) and differ in a few.
function key(w: number, i: number, out: Uint32Array): Uint32Array {
  for (let j = 0; j < w; j++) out[j] = j % 7 === 0 ? Math.imul(i + 1, 2654435761 + j) >>> (j % 5) : (i >>> (j % 11)) & 3;
  return out;
}

for (const w of [1, 2, 3, 5, 13, 211]) {
  test(`tree W=${w}: the same indices, lookups and words as the flat store`, (t) => {
    const tree = new TreeStore(w, { initialCapacity: 16 });
    const flat = new StateStore(w, { initialCapacity: 2 });
    const buf = new Uint32Array(w), out = new Uint32Array(w), other = new Uint32Array(w);
    const n = w > 100 ? 5_000 : 20_000;
    for (let i = 0; i < n; i++) {
      // Read a pseudo-random earlier state first (sets the incremental base), as a strategy does.
      if (i > 0 && i % 3 === 0) tree.read((i * 7919) % tree.size, other);
      key(w, i % (n - 1000), buf); // the tail repeats earlier keys
      const a = tree.add(buf, i - 1, i & 0xff), b = flat.add(buf, i - 1, i & 0xff);
      if (a !== b) return t.fail(`key ${i}: tree ${a}, flat ${b}`);
    }
    t.is(tree.size, flat.size);
    for (let i = 0; i < flat.size; i += 331) {
      tree.read(i, out);
      flat.read(i, buf);
      t.deepEqual(Array.from(out), Array.from(buf));
      t.is(tree.find(buf), i);
      t.true(tree.has(buf));
      t.deepEqual(tree.traceTo(i), flat.traceTo(i));
    }
    buf.fill(0xdeadbeef);
    t.is(tree.find(buf), -1);
    t.false(tree.has(buf));
    t.is(tree.add(buf, 0, 0), flat.size);
    t.is(tree.add(buf, 0, 0), ADD_EXISTS);
  });
}

test('tree: shares subtrees, so successor-like states cost far less than their words', (t) => {
  const w = 211, tree = new TreeStore(w);
  const s = new Uint32Array(w);
  for (let i = 0; i < 5000; i++) {
    s[i % w] = (s[i % w]! + 1) & 3; // one word changes per state
    tree.add(s, i - 1, 0);
  }
  t.true(tree.bytes() / tree.size < (4 * w) / 4, `${tree.bytes() / tree.size} B/state`);
});

test('tree: a byte budget makes add() return ADD_FULL, keeping what it has', (t) => {
  const tree = new TreeStore(13, { initialCapacity: 16, maxBytes: 64 * 1024 });
  const buf = new Uint32Array(13);
  let i = 0, r = 0;
  while ((r = tree.add(key(13, i, buf), i - 1, 0)) >= 0) i++;
  t.is(r, ADD_FULL);
  t.true(tree.bytes() <= 64 * 1024);
  key(13, 5, buf);
  t.is(tree.find(buf), 5);
});

test('explore: tree and flat layouts give the same counts on BM1 small (medium: npm run bench)', (t) => {
  for (const p of [BM1_CONFIGS.small]) {
    const a = explore(bm1System(p), { layout: 'flat', tty: false });
    const b = explore(bm1System(p), { layout: 'tree', tty: false });
    t.deepEqual([b.states, b.transitions, b.depth, b.complete], [a.states, a.transitions, a.depth, a.complete]);
  }
});

test('explore: tree and flat layouts give the same counts and verdicts on a kernel config (BFS and DFS)', (t) => {
  for (const strategy of ['bfs', 'dfs'] as const) {
    const opts = { strategy, stopAtFirstViolation: false, tty: false, maxStates: 30_000 } as const;
    const a = explore(kernelSystem(configByName('small')), { ...opts, layout: 'flat' });
    const b = explore(kernelSystem(configByName('small')), { ...opts, layout: 'tree' });
    t.deepEqual([b.states, b.transitions, b.depth, b.explored], [a.states, a.transitions, a.depth, a.explored]);
    t.deepEqual(b.violations, a.violations);
    t.true(b.bytesPerState < a.bytesPerState / 4);
  }
});
