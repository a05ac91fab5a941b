// Progress reporting (src/explore/progress.ts): off outside a TTY / in CI, and
// the line carries the running figures.
import test from 'ava';
import { formatProgress, ttyProgressWanted } from '../../src/explore/progress.ts';

test('progress line shows states, depth, rate and store size', (t) => {
  const line = formatProgress({ states: 3_498_372, explored: 1_000_000, transitions: 54_616_326, depth: 29, elapsedMs: 2000, storeBytes: 92 * 2 ** 20 });
  t.regex(line, /states 3\.50M/);
  t.regex(line, /transitions 54\.62M/);
  t.regex(line, /depth 29/);
  t.regex(line, /500\.0k\/s/);
  t.regex(line, /store 92 MiB/);
});

test('no live progress line in CI or when stderr is not a terminal', (t) => {
  const saved = process.env['CI'];
  process.env['CI'] = '1';
  t.false(ttyProgressWanted());
  if (saved === undefined) delete process.env['CI'];
  else process.env['CI'] = saved;
  if (!process.stderr.isTTY) t.false(ttyProgressWanted());
});
