// The visited-state store: an open-addressing set over fixed-width word keys
// with dense insertion-ordered storage and parent links (src/explore/store.ts).
import test from 'ava';
import { ADD_EXISTS, ADD_FULL, StateStore } from '../../src/explore/store.ts';

function key(w: number, i: number, out: Uint32Array): Uint32Array {
  // Distinct keys that differ in every word position (exercises all hash paths).
  for (let j = 0; j < w; j++) out[j] = Math.imul(i + 1, 2654435761 + j) ^ (j << 28);
  return out;
}

for (const w of [1, 2, 3, 5]) {
  test(`store W=${w}: grows from capacity 2 to 200k keys, indices are insertion order, duplicates are found`, (t) => {
    const s = new StateStore(w, { initialCapacity: 2 });
    const buf = new Uint32Array(w);
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const idx = s.add(key(w, i, buf), i - 1, i & 0xffff);
      if (idx !== i) return t.fail(`key ${i} got index ${idx}`);
    }
    t.is(s.size, n);
    for (let i = 0; i < n; i += 997) {
      t.is(s.add(key(w, i, buf), 0, 0), ADD_EXISTS);
      t.is(s.find(key(w, i, buf)), i);
    }
    // A key never inserted is not found.
    key(w, n + 5, buf);
    t.is(s.find(buf), -1);
    // read() returns the stored words.
    const out = new Uint32Array(w);
    s.read(12345, out);
    t.deepEqual(Array.from(out), Array.from(key(w, 12345, buf)));
    // Parent links and actions survive growth.
    t.is(s.parent[12345], 12344);
    t.is(s.action[12345], 12345 & 0xffff);
  });
}

test('store: traceTo walks parent links back to the initial state', (t) => {
  const s = new StateStore(1, { initialCapacity: 2 });
  const b = new Uint32Array(1);
  b[0] = 100;
  s.add(b, -1, 0);
  b[0] = 101;
  s.add(b, 0, 7);
  b[0] = 102;
  s.add(b, 0, 3);
  b[0] = 103;
  s.add(b, 2, 9);
  t.deepEqual(s.traceTo(3), [3, 9]);
  t.deepEqual(s.traceTo(1), [7]);
  t.deepEqual(s.traceTo(0), []);
  t.is(s.depthOf(3), 2);
});

test('store: 32-bit action links when the action table exceeds 16 bits', (t) => {
  const s = new StateStore(1, { maxAction: 70_000 });
  const b = new Uint32Array([1]);
  s.add(b, -1, 0);
  b[0] = 2;
  s.add(b, 0, 69_999);
  t.is(s.action[1], 69_999);
});

test('store: a byte budget makes add() return ADD_FULL instead of throwing, keeping what it has', (t) => {
  const s = new StateStore(2, { initialCapacity: 4, maxBytes: 4096 });
  const b = new Uint32Array(2);
  let i = 0;
  let r = 0;
  for (; i < 10_000; i++) {
    r = s.add(key(2, i, b), 0, 0);
    if (r === ADD_FULL) break;
  }
  t.is(r, ADD_FULL);
  t.true(s.bytes() <= 4096);
  t.is(s.size, i);
  // Everything stored before the failure is still there.
  for (let j = 0; j < i; j++) t.is(s.find(key(2, j, b)), j);
});

test('store: rejects a zero width', (t) => {
  t.throws(() => new StateStore(0));
});
