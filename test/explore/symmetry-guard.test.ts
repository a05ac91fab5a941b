// The run-time check of a model's symmetry (src/explore/symmetry.ts,
// orbitCheck): a symmetry that does not commute with the model, or that a
// verdict tells apart, stops the run (SymmetryUnsound, exit 4) instead of
// merging states that are not mirror images. memcgoom's OOM tie-break was
// such a symmetry (session 7): the orbit merge hid a seeded bug.
import test from 'ava';
import { explore } from '../../src/explore/explorer.ts';
import { ORBIT_CHECK_EVERY, SymmetryUnsound } from '../../src/explore/symmetry.ts';
import type { Property, System } from '../../src/explore/system.ts';

/**
 * Two counters x, y in 0..N, each actor increments its own; `last` is who
 * moved last (1 x, 2 y). The declared symmetry swaps x and y (and renames
 * `last` and `dead`), keeping the lexicographically least image.
 * `tieBreak`: while x = y a kill action ends actor y, the last of equals in
 * actor order (as select_bad_process keeps the last task of equal badness):
 * killing the last mover in one image and the other actor in its mirror.
 * `prop`: a property that is not symmetric.
 */
function counters(N: number, opts: { tieBreak?: boolean; prop?: Property; noImages?: boolean }): System {
  const swap = (v: number): number => (v === 0 ? 0 : 3 - v);
  return {
    name: 'counters',
    words: 4,
    actionCount: 3,
    initial(out) {
      out.fill(0);
    },
    step(s, a, next) {
      next.set(s);
      const dead = s[3]!;
      if (a === 0 && dead !== 1 && s[0]! < N) {
        next[0] = s[0]! + 1;
        next[2] = 1;
      } else if (a === 1 && dead !== 2 && s[1]! < N) {
        next[1] = s[1]! + 1;
        next[2] = 2;
      } else if (a === 2 && opts.tieBreak && dead === 0 && s[0] === s[1] && s[0]! > 0) next[3] = 2;
      else return false;
      return true;
    },
    describe: (a) => ({ actor: a === 1 ? 'y' : 'x', name: `a${a}` }),
    explain: () => [],
    render: (s) => [s.join(',')],
    properties: opts.prop ? [opts.prop] : [],
    symmetry: {
      description: 'x and y',
      canonicalize(s, out) {
        const m = [s[1]!, s[0]!, swap(s[2]!), swap(s[3]!)];
        const less = m[0]! !== s[0] ? m[0]! < s[0]! : m[1]! !== s[1] ? m[1]! < s[1]! : m[2]! !== s[2] ? m[2]! < s[2]! : m[3]! < s[3]!;
        out.set(less ? m : [s[0]!, s[1]!, s[2]!, s[3]!]);
      },
      ...(opts.noImages ? {} : { images: (s: Uint32Array) => [Uint32Array.from([s[1]!, s[0]!, swap(s[2]!), swap(s[3]!)])] }),
    },
  };
}

test('a sound symmetry passes the check and halves the space', (t) => {
  const plain = explore(counters(30, {}));
  const red = explore(counters(30, {}), { symmetry: true });
  t.true(plain.complete && red.complete);
  t.true(red.states < plain.states && red.states * 2 >= plain.states, `${red.states} of ${plain.states}`);
});

test('a symmetry the transitions break (a tie decided by actor order) stops the run', (t) => {
  const e = t.throws(() => explore(counters(30, { tieBreak: true }), { symmetry: true }));
  t.true(e instanceof SymmetryUnsound, String(e));
  t.regex(e!.message, /different successors up to symmetry/);
});

test('a symmetry a property tells apart stops the run, with or without the orbit images', (t) => {
  const prop: Property = { id: 'INV-X-SMALL', source: 'test', check: (s) => (s[0]! < 25 ? null : 'x reached 25') };
  const e = t.throws(() => explore(counters(30, { prop }), { symmetry: true }));
  t.true(e instanceof SymmetryUnsound, String(e));
  t.regex(e!.message, /INV-X-SMALL judges a state and its representative differently/);
  // Without images(), the successors met in the search are checked against their representatives.
  const f = t.throws(() => explore(counters(30, { prop, noImages: true }), { symmetry: true }));
  t.true(f instanceof SymmetryUnsound, String(f));
});

test('the orbit check samples one expansion in ORBIT_CHECK_EVERY, deterministically', (t) => {
  t.is(ORBIT_CHECK_EVERY, 8);
  const a = explore(counters(30, {}), { symmetry: true });
  const b = explore(counters(30, {}), { symmetry: true });
  t.deepEqual([a.states, a.transitions], [b.states, b.transitions]);
});
