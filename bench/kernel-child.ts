// One run of cramcheck's explorer on the kernel system (models/kernel.system.ts,
// kernelSystem(cfg)) for a named config from src/kernel/configs.ts. Both are
// the lead's files and may not exist yet, so they are imported by computed URL
// and checked at run time; exit code 3 means "not available".
// Usage: node --import tsx bench/kernel-child.ts canonical [--max-states N]
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { explore } from '../src/explore/explorer.ts';
import type { System } from '../src/explore/system.ts';
import type { BenchFigures } from './figures.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const sysPath = `${root}models/kernel.system.ts`;
const cfgPath = `${root}src/kernel/configs.ts`;

function unavailable(why: string): never {
  console.error(`kernel system: not available yet (${why})`);
  process.exit(3);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

// Accept the shapes a named-config module is likely to export: a lookup
// function or a record of configs.
function findConfig(mod: Record<string, unknown>, name: string): unknown {
  for (const fn of ['configByName', 'namedConfig', 'getConfig', 'kernelConfig']) {
    const f = mod[fn];
    if (typeof f === 'function') {
      const c: unknown = f(name);
      if (c !== undefined && c !== null) return c;
    }
  }
  for (const rec of ['CONFIGS', 'NAMED_CONFIGS', 'configs', 'KERNEL_CONFIGS']) {
    const r = mod[rec];
    if (isRecord(r) && isRecord(r[name])) return r[name];
  }
  const direct = mod[name];
  return isRecord(direct) ? direct : undefined;
}

function isSystem(x: unknown): x is System {
  return isRecord(x) && typeof x['words'] === 'number' && typeof x['actionCount'] === 'number' && typeof x['step'] === 'function';
}

const argv = process.argv.slice(2);
const name = argv[0] ?? 'canonical';
if (!existsSync(sysPath)) unavailable('models/kernel.system.ts missing');
if (!existsSync(cfgPath)) unavailable('src/kernel/configs.ts missing');
const sysMod: unknown = await import(pathToFileURL(sysPath).href);
const cfgMod: unknown = await import(pathToFileURL(cfgPath).href);
if (!isRecord(sysMod) || typeof sysMod['kernelSystem'] !== 'function') unavailable('kernelSystem not exported');
if (!isRecord(cfgMod)) unavailable('configs module empty');
const cfg = findConfig(cfgMod, name);
if (cfg === undefined) unavailable(`no config named '${name}' found in src/kernel/configs.ts`);
const sys: unknown = (sysMod['kernelSystem'] as (c: unknown) => unknown)(cfg);
if (!isSystem(sys)) unavailable('kernelSystem(cfg) did not return a System');
const mi = argv.indexOf('--max-states');
const r = explore(sys, { ...(mi >= 0 ? { maxStates: Number(argv[mi + 1]) } : {}) });
const out: BenchFigures = {
  tool: 'cramcheck',
  config: `kernel:${name}`,
  distinct: r.states,
  explored: r.explored,
  transitions: r.transitions,
  depth: r.depth,
  complete: r.complete,
  seconds: r.timing.elapsedMs / 1000,
  statesPerSec: r.timing.statesPerSec,
  storeBytes: r.storeBytes,
  bytesPerState: r.bytesPerState,
  rssMiB: process.memoryUsage().rss / 2 ** 20,
  ...(r.exhausted ? { exhausted: r.exhausted.reason } : {}),
  ...(r.violations.length > 0 ? { violations: r.violations.map((v) => v.property) } : {}),
};
console.log(JSON.stringify(out));
