// Progress reporting (src/explore/progress.ts): a short TTY line rewritten in
// place, one plain log line per interval, off; no rates for runs under 1 s.
import test from 'ava';
import { formatProgressLine, formatProgressTty, progressSink, resolveProgressMode, ttyProgressWanted, type ProgressInfo } from '../../src/explore/progress.ts';

const big: ProgressInfo = { states: 3_498_372, explored: 1_000_000, transitions: 54_616_326, depth: 29, queue: 2_498_372, elapsedMs: 2000, storeBytes: 92 * 2 ** 20 };

test('TTY line: states, depth, queue, rate and store, under 80 columns even for huge figures', (t) => {
  const line = formatProgressTty(big);
  t.regex(line, /3\.50M states/);
  t.regex(line, /depth 29/);
  t.regex(line, /queue 2\.50M/);
  t.regex(line, /500\.0k\/s/);
  t.regex(line, /92 MiB/);
  const huge = formatProgressTty({ states: 9.99e11, explored: 9e11, transitions: 9e12, depth: 99_999, queue: 9e11, elapsedMs: 9e8, storeBytes: 2 ** 50 });
  t.true(huge.length < 80, `${huge.length}: ${huge}`);
  t.false(line.includes('\n'));
});

test('log line: TLC-style elapsed clock, grouped counts, states/s and queue', (t) => {
  const line = formatProgressLine({ ...big, elapsedMs: 3_723_000 });
  t.regex(line, /^progress 01:02:03: 3,498,372 states, 54,616,326 transitions, depth 29, 269 states\/s, queue 2,498,372/);
});

test('no rate for a run shorter than a second', (t) => {
  const short = { ...big, elapsedMs: 40 };
  t.notRegex(formatProgressTty(short), /\/s/);
  t.notRegex(formatProgressLine(short), /states\/s/);
});

test('sinks: tty rewrites one line and clears it; lines prints one line per interval; off prints nothing', (t) => {
  const out: string[] = [];
  const write = (s: string) => void out.push(s);
  const tty = progressSink({ mode: 'tty', write, intervalMs: 500 })!;
  tty.tick(() => big, 100); // before the first interval: nothing
  tty.tick(() => big, 600);
  tty.tick(() => big, 700); // rate-limited
  tty.done();
  t.is(out.length, 2);
  t.true(out[0]!.startsWith('\r\x1b[K'));
  t.is(out[1], '\r\x1b[K');
  out.length = 0;
  const lines = progressSink({ mode: 'lines', write })!;
  lines.tick(() => big, 59_000);
  lines.tick(() => big, 60_000);
  lines.tick(() => big, 100_000);
  lines.tick(() => big, 120_500);
  lines.done();
  t.is(out.length, 2);
  t.true(out.every((l) => l.endsWith('\n') && !l.includes('\r')));
  t.is(progressSink({ mode: 'off', write }), null);
});

test('auto: lines in CI or when stderr is not a terminal', (t) => {
  const saved = process.env['CI'];
  process.env['CI'] = '1';
  t.false(ttyProgressWanted());
  t.is(resolveProgressMode('auto'), 'lines');
  if (saved === undefined) delete process.env['CI'];
  else process.env['CI'] = saved;
  if (!process.stderr.isTTY) t.is(resolveProgressMode('auto'), 'lines');
  t.is(resolveProgressMode('off'), 'off');
});
