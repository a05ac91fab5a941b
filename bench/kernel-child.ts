// One run of cramcheck's explorer on the kernel system (models/kernel.system.ts)
// for a named config (src/kernel/configs.ts), in its own process. Prints one
// JSON line (BenchFigures). It explores the whole space (violations are
// recorded, first per property, and exploration goes on) so the figures
// measure throughput rather than how soon the first finding appears.
// Usage: node --import tsx bench/kernel-child.ts canonical [--max-states N] [--max-depth N] [--store exact|fingerprint] [--layout flat|tree] [--workers N]
//        [--fix all] [--cpus N] [--por] [--symmetry]
// --cpus N: the named config's parameters with N user CPUs (a config with interchangeable CPUs for --symmetry).
import { explore } from '../src/explore/explorer.ts';
import { kernelSystem } from '../models/kernel.system.ts';
import { configByName, KERNEL_CONFIG_PARAMS, makeConfig, type KernelConfigName } from '../src/kernel/configs.ts';
import { kernelCatalog } from '../src/cli/kernel-systems.ts';
import { withConformance } from '../models/conformance.ts';
import { childStoreOptions } from './child-options.ts';
import { cramcheckFigures, type BenchFigures } from './figures.ts';

const argv = process.argv.slice(2);
const name = argv[0] ?? 'canonical';
const at = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const fixes = at('--fix') === 'all' ? kernelCatalog().fixes : [];
const cpus = at('--cpus');
let cfg;
try {
  cfg = cpus === undefined ? configByName(name, { fixes }) : makeConfig({ ...KERNEL_CONFIG_PARAMS[name as KernelConfigName], cpus: Number(cpus), fixes });
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(2);
}
const mi = argv.indexOf('--max-states');
const md = at('--max-depth');
const reductions = { ...(argv.includes('--por') ? { por: true } : {}), ...(argv.includes('--symmetry') ? { symmetry: true } : {}) };
const reduced = Object.keys(reductions).length > 0;
const { opts, label, workers } = childStoreOptions(argv);
const recipe = { module: new URL('../models/kernel.system.ts', import.meta.url).href, exportName: 'kernelSystem', args: [cfg] };
// The reduction rows judge what explore judges by default: properties and conformance.
const k = kernelSystem(cfg);
const sys = reduced || fixes.length > 0 ? withConformance(k, k.machine) : k;
if (reductions.symmetry && !sys.symmetry) {
  console.error(`--symmetry: ${name} has no interchangeable actors (${sys.noSymmetry ?? ''})`);
  process.exit(2);
}
const r = explore(sys, { ...opts, ...reductions, ...(workers > 1 ? { workers, recipe } : {}), stopAtFirstViolation: false, ...(mi >= 0 ? { maxStates: Number(argv[mi + 1]) } : {}), ...(md !== undefined ? { maxDepth: Number(md) } : {}) });
const tag = [reductions.symmetry ? 'symmetry' : '', reductions.por ? 'por' : ''].filter(Boolean).join('+');
const out: BenchFigures = {
  ...cramcheckFigures(r, `kernel:${name}${cpus ? `/${cpus}cpu` : ''}`, `${r.store.layout ? `exact/${r.store.layout}` : label}${workers > 1 ? ` x${workers}` : ''}${tag ? ` ${tag}` : ''}`),
  ...(r.violations.length > 0 ? { violations: r.violations.map((v) => v.property) } : {}),
};
console.log(JSON.stringify(out));
