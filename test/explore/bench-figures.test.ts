// The benchmark's output parsing (bench/figures.ts): the reference's JSON line
// (../shared/bench/js/bm1-bfs.mjs prints storeMiB and bfsDepth) must map onto
// the same figures as cramcheck's, or the ratios `npm run bench` prints are wrong.
import test from 'ava';
import { lastJsonLine, parseCramcheck, parseReference } from '../../bench/figures.ts';

test('reference line: bytes/state from storeMiB, depth from bfsDepth', (t) => {
  const line = '{"tool":"js-bfs","config":"medium","F":6,"D":3,"C":3,"P":8,"distinct":3498372,"explored":3498372,"transitions":54616326,"bfsDepth":29,"complete":true,"violation":null,"seconds":7.058,"statesPerSec":495654,"storeMiB":64,"rssMiB":122.6}';
  const f = parseReference(line);
  t.is(f.distinct, 3_498_372);
  t.is(f.depth, 29);
  t.is(f.storeBytes, 64 * 2 ** 20);
  t.is(Math.round(f.bytesPerState * 10) / 10, 19.2);
  t.true(f.complete);
});

test('cramcheck line round-trips; missing figures are an error, not NaN ratios', (t) => {
  const f = parseCramcheck('{"tool":"cramcheck","config":"small","distinct":1,"explored":1,"transitions":0,"depth":0,"complete":true,"seconds":0.1,"statesPerSec":10,"storeBytes":100,"bytesPerState":100,"rssMiB":50,"exhausted":"memory"}');
  t.is(f.exhausted, 'memory');
  t.throws(() => parseCramcheck('{"config":"small"}'), { message: /'distinct' missing/ });
});

test('lastJsonLine skips noise around the JSON line', (t) => {
  t.is(lastJsonLine('warning: x\n{"a":1}\n\n'), '{"a":1}');
  t.is(lastJsonLine('no json here'), null);
});
