// The engine flags of `cramcheck explore` (src/cli/engine-options.ts): values
// pass through to explore(), bad values are one-line usage errors.
import test from 'ava';
import { parseCommandArgs, UsageError } from '../../src/cli/args.ts';
import { ENGINE_OPTIONS, engineOptions } from '../../src/cli/engine-options.ts';

const parse = (...argv: string[]) => engineOptions(parseCommandArgs(argv, ENGINE_OPTIONS, 0));

test('--progress: each mode passes through; auto by default', (t) => {
  t.is(parse().progress, 'auto');
  for (const m of ['auto', 'tty', 'lines', 'off'] as const) t.is(parse('--progress', m).progress, m);
});

test('--progress: a bad value is a UsageError naming the flag', (t) => {
  const e = t.throws(() => parse('--progress', 'sometimes'), { instanceOf: UsageError });
  t.regex(e!.message, /^--progress: expected one of auto, tty, lines, off/);
});

test('--store: exact by default, fingerprint on request, refused with dfs, bad value refused', (t) => {
  t.is(parse().store, 'exact');
  t.is(parse('--store', 'fingerprint').store, 'fingerprint');
  const parseS = (...argv: string[]) => engineOptions(parseCommandArgs(argv, { ...ENGINE_OPTIONS, strategy: { type: 'string' } }, 0));
  t.throws(() => parseS('--store', 'fingerprint', '--strategy', 'dfs'), { instanceOf: UsageError, message: /bfs only/ });
  t.throws(() => parse('--store', 'lossy'), { instanceOf: UsageError, message: /^--store: expected one of exact, fingerprint/ });
});
