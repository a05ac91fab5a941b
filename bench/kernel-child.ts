// One run of cramcheck's explorer on the kernel system (models/kernel.system.ts)
// for a named config (src/kernel/configs.ts), in its own process. Prints one
// JSON line (BenchFigures). It explores the whole space (violations are
// recorded, first per property, and exploration goes on) so the figures
// measure throughput rather than how soon the first finding appears.
// Usage: node --import tsx bench/kernel-child.ts canonical [--max-states N] [--store exact|fingerprint] [--layout flat|tree] [--workers N]
import { explore } from '../src/explore/explorer.ts';
import { kernelSystem } from '../models/kernel.system.ts';
import { configByName } from '../src/kernel/configs.ts';
import { childStoreOptions } from './child-options.ts';
import { cramcheckFigures, type BenchFigures } from './figures.ts';

const argv = process.argv.slice(2);
const name = argv[0] ?? 'canonical';
let cfg;
try {
  cfg = configByName(name);
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
}
const mi = argv.indexOf('--max-states');
const { opts, label, workers } = childStoreOptions(argv);
const recipe = { module: new URL('../models/kernel.system.ts', import.meta.url).href, exportName: 'kernelSystem', args: [cfg] };
const r = explore(kernelSystem(cfg), { ...opts, ...(workers > 1 ? { workers, recipe } : {}), stopAtFirstViolation: false, ...(mi >= 0 ? { maxStates: Number(argv[mi + 1]) } : {}) });
const out: BenchFigures = {
  ...cramcheckFigures(r, `kernel:${name}`, `${r.store.layout ? `exact/${r.store.layout}` : label}${workers > 1 ? ` x${workers}` : ''}`),
  ...(r.violations.length > 0 ? { violations: r.violations.map((v) => v.property) } : {}),
};
console.log(JSON.stringify(out));
