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

test('--workers: a positive integer; > 1 needs bfs and the exact store and carries a recipe rebuilding the same system', (t) => {
  const parseW = (...argv: string[]) => engineOptions(parseCommandArgs(argv, { ...ENGINE_OPTIONS, strategy: { type: 'string' } }, 0), { system: 'bm1', config: 'small', mutant: null, fixes: [] });
  t.is(parseW().workers, undefined);
  const w = parseW('--workers', '2');
  t.is(w.workers, 2);
  t.deepEqual(w.recipe?.args, [{ system: 'bm1', config: 'small', mutant: null, fixes: [] }]);
  t.throws(() => parseW('--workers', '0'), { instanceOf: UsageError, message: /^--workers: expected a positive integer/ });
  t.throws(() => parseW('--workers', '100000'), { instanceOf: UsageError, message: /at most/ });
  t.throws(() => parseW('--workers', '2', '--strategy', 'dfs'), { instanceOf: UsageError, message: /bfs/ });
  t.throws(() => parseW('--workers', '2', '--store', 'fingerprint'), { instanceOf: UsageError, message: /exact/ });
});

test('--symmetry, --por: booleans passed through; refused with --workers > 1; --por refused with dfs', (t) => {
  const parseS = (...argv: string[]) => engineOptions(parseCommandArgs(argv, { ...ENGINE_OPTIONS, strategy: { type: 'string' } }, 0), { system: 'kernel', config: 'tiny', mutant: null, fixes: [] });
  t.is(parseS().symmetry, undefined);
  t.is(parseS().por, undefined);
  t.true(parseS('--symmetry').symmetry);
  t.true(parseS('--por').por);
  t.throws(() => parseS('--symmetry', '--workers', '2'), { instanceOf: UsageError, message: /^--workers: not supported with --symmetry/ });
  t.throws(() => parseS('--por', '--workers', '2'), { instanceOf: UsageError, message: /^--workers: not supported with --por/ });
  t.throws(() => parseS('--por', '--strategy', 'dfs'), { instanceOf: UsageError, message: /^--por: supported with --strategy bfs only/ });
  t.true(parseS('--symmetry', '--strategy', 'dfs').symmetry);
});
