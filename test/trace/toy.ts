// A tiny System for testing traces independently of the kernel and BM1:
// two counters x, y in 0..7; actions inc x, inc y, dec x, reset.
// Property LIMIT: x + y < 4. Transition check NO-RESET-AT-0: reset from x=y=0.
import type { System } from '../../src/explore/system.ts';

const NAMES = ['inc(x)', 'inc(y)', 'dec(x)', 'reset'] as const;

export function toySystem(limit = 4): System {
  return {
    name: 'toy',
    words: 2,
    actionCount: NAMES.length,
    initial(out) {
      out.fill(0);
    },
    step(s, a, next) {
      next.set(s);
      if (a === 0 && s[0]! < 7) next[0] = s[0]! + 1;
      else if (a === 1 && s[1]! < 7) next[1] = s[1]! + 1;
      else if (a === 2 && s[0]! > 0) next[0] = s[0]! - 1;
      else if (a === 3) next.fill(0);
      else return false;
      return true;
    },
    describe(a) {
      return { actor: a === 3 ? 'device' : 'cpu0', name: NAMES[a] ?? '?' };
    },
    explain(s, a) {
      return [`${NAMES[a]} from x=${s[0]} y=${s[1]}`];
    },
    properties: [
      {
        id: 'LIMIT',
        source: 'toy rule',
        check: (s) => (s[0]! + s[1]! < limit ? null : `x + y = ${s[0]! + s[1]!} >= ${limit}`),
      },
    ],
    checkTransition(s, a) {
      return a === 3 && s[0] === 0 && s[1] === 0 ? { id: 'NO-RESET-AT-0', message: 'reset of a zero state' } : null;
    },
    render(s) {
      return [`x=${s[0]} y=${s[1]}`];
    },
  };
}
