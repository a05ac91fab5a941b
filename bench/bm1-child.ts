// One BM1 run of cramcheck's explorer, in its own process so its time and
// memory are measured alone. Prints one JSON line (BenchFigures).
// Usage: node --import tsx bench/bm1-child.ts small|medium|large|xlarge|F=..,D=..,C=..,P=.. [--max-states N] [--dfs]
//        [--store exact|fingerprint] [--layout flat|tree|packed] [--workers N]
import { explore } from '../src/explore/explorer.ts';
import { bm1System, parseBm1Params } from '../models/bm1.ts';
import { childStoreOptions } from './child-options.ts';
import { cramcheckFigures, type BenchFigures } from './figures.ts';

const argv = process.argv.slice(2);
const parsed = parseBm1Params(argv[0] ?? 'small');
if (!parsed.ok) {
  console.error(parsed.error);
  process.exit(2);
}
const mi = argv.indexOf('--max-states');
const maxStates = mi >= 0 ? Number(argv[mi + 1]) : undefined;
const { opts, label, workers } = childStoreOptions(argv);
const r = explore(bm1System(parsed.params), {
  ...opts,
  ...(workers > 1 ? { workers, recipe: { module: new URL('../models/bm1.ts', import.meta.url).href, exportName: 'bm1System', args: [parsed.params] } } : {}),
  strategy: argv.includes('--dfs') ? 'dfs' : 'bfs',
  ...(maxStates !== undefined ? { maxStates } : {}),
});
const out: BenchFigures = cramcheckFigures(r, parsed.name, `${r.store.layout ? `exact/${r.store.layout}` : label}${workers > 1 ? ` x${workers}` : ''}`);
console.log(JSON.stringify(out));
