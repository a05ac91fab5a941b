// The engine flags of `cramcheck explore` (src/cli/engine-options.ts): values
// pass through to explore(), bad values are one-line usage errors.
import test from 'ava';
import { parseCommandArgs, UsageError } from '../../src/cli/args.ts';
import { ENGINE_OPTIONS, engineOptions } from '../../src/cli/engine-options.ts';

const parse = (...argv: string[]) => engineOptions(parseCommandArgs(argv, ENGINE_OPTIONS, 0));

test('--progress: each mode passes through; auto by default', (t) => {
  t.is(parse().progress, 'auto');
  for (const m of ['auto', 'tty', 'lines', 'off']) t.is(parse('--progress', m).progress, m);
});

test('--progress: a bad value is a UsageError naming the flag', (t) => {
  const e = t.throws(() => parse('--progress', 'sometimes'), { instanceOf: UsageError });
  t.regex(e!.message, /^--progress: expected one of auto, tty, lines, off/);
});
