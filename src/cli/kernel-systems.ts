// The kernel side of system resolution: named configs, JSON config files,
// the mutant and fix catalogues, and kernelSystem(cfg). Kept apart from
// systems.ts so that file stays about the CLI's choices, not the kernel's.

import { existsSync } from 'node:fs';
import { kernelSystem } from '../../models/kernel.system.ts';
import type { System } from '../explore/system.ts';
import type { KernelConfig } from '../kernel/config.ts';
import { configByName as namedConfig, KERNEL_CONFIG_NAMES } from '../kernel/configs.ts';
import { ConfigFitError } from '../kernel/fit.ts';
import { FIXES } from '../kernel/fixes.ts';
import { MUTANTS } from '../kernel/mutants/index.ts';
import type { SystemDescriptor } from '../trace/format.ts';
import { UsageError } from './args.ts';
import { configConsistency, loadConfigFile, validateConfig } from './config-file.ts';
import type { MutantInfo, ResolvedSystem } from './systems.ts';

export interface KernelCatalog {
  readonly configs: readonly string[];
  readonly mutants: readonly MutantInfo[];
  readonly fixes: readonly string[];
}

export function kernelCatalog(): KernelCatalog {
  return {
    configs: KERNEL_CONFIG_NAMES,
    mutants: MUTANTS.map((m) => {
      // A catalogue entry may name the config that exercises it (optional field, read structurally).
      const cfg: unknown = (m as { readonly config?: unknown }).config;
      const info = { name: m.name, catches: m.catches, site: m.site, description: m.description, ...(m.fixesOff ? { fixesOff: m.fixesOff } : {}) };
      return typeof cfg === 'string' ? { ...info, config: cfg } : info;
    }),
    fixes: FIXES.map((f) => f.name),
  };
}

function configByName(name: string): KernelConfig | undefined {
  return (KERNEL_CONFIG_NAMES as readonly string[]).includes(name) ? namedConfig(name) : undefined;
}

/** Named config or JSON file; the descriptor keeps the name, or the whole config for files. */
function loadBase(config: string | Record<string, unknown>): { cfg: KernelConfig; recorded: string | Record<string, unknown> } {
  if (typeof config !== 'string') {
    const cfg = validateConfig(config, 'config', configByName);
    return { cfg, recorded: config };
  }
  const named = configByName(config);
  if (named) return { cfg: named, recorded: config };
  if (config.endsWith('.json') || config.includes('/') || existsSync(config)) {
    const cfg = loadConfigFile(config, configByName);
    return { cfg, recorded: JSON.parse(JSON.stringify(cfg)) as Record<string, unknown> };
  }
  throw new UsageError(`--config: unknown config '${config}' (known: ${kernelCatalog().configs.join(', ') || 'none'}; or a JSON file)`);
}

/**
 * The one validation path for catalogue names, whether they come from flags
 * or from a config file (named configs included): the mutant, the fixes, the
 * modelling choices and the ops tables a program names. An unknown name is
 * bad input, never silently ignored.
 */
export function checkCatalogueNames(cfg: KernelConfig, mutant: string | null, flagFixes: readonly string[]): void {
  const cat = kernelCatalog();
  const m = mutant ?? cfg.mutant;
  if (m !== null && !cat.mutants.some((x) => x.name === m)) {
    throw new UsageError(`${mutant !== null ? '--mutant' : 'config mutant'}: unknown mutant '${m}' (see 'cramcheck list mutants')`);
  }
  for (const [where, list] of [['--fix', flagFixes], ['config fixes', cfg.fixes]] as const) {
    for (const f of list) {
      if (f !== 'all' && f !== 'none' && !cat.fixes.includes(f)) throw new UsageError(`${where}: unknown fix '${f}' (see 'cramcheck list fixes'; or all, none)`);
    }
  }
  const choice = Object.keys(cfg.choices)[0];
  if (choice !== undefined) throw new UsageError(`config choices: unknown choice '${choice}' (this model has no configurable choices; see README "Modelling choices")`);
  const tables = new Set(['cram', ...cfg.opsTables.map((t) => t.name)]);
  if (tables.size !== cfg.opsTables.length + 1) throw new UsageError(`config opsTables: duplicate table name (or a table named 'cram')`);
  cfg.cpus.forEach((c, i) =>
    c.program.forEach((op, j) => {
      if (op.op === 'node_private_set_ops' && !tables.has(op.table)) {
        throw new UsageError(`config cpus[${i}].program[${j}].table: unknown ops table '${op.table}' (known: ${[...tables].join(', ')})`);
      }
    }),
  );
}

export function resolveKernel(config: string | Record<string, unknown>, mutant: string | null, fixes: readonly string[]): ResolvedSystem {
  const cat = kernelCatalog();
  const { cfg, recorded } = loadBase(config);
  const inconsistent = configConsistency(cfg);
  if (inconsistent !== null) throw new UsageError(`config '${cfg.name}': ${inconsistent}`);
  checkCatalogueNames(cfg, mutant, fixes);
  // --fix none: faithful v4, whatever fixes the config names.
  const none = fixes.includes('none');
  if (none && fixes.length > 1) throw new UsageError(`--fix: 'none' cannot be combined with other fixes`);
  // Catalogue order, whatever order the flags came in, so descriptors are canonical.
  const want = new Set(none ? [] : [...cfg.fixes, ...fixes]);
  const chosen = want.has('all') ? [...cat.fixes] : cat.fixes.filter((f) => want.has(f));
  const full: KernelConfig = { ...cfg, mutant: mutant ?? cfg.mutant, fixes: chosen };
  const descriptor: SystemDescriptor = { system: 'kernel', config: recorded, mutant: full.mutant, fixes: chosen };
  let sys: System;
  try {
    sys = kernelSystem(full);
  } catch (e) {
    // Only a configuration the layout cannot represent is bad input; anything else is a bug.
    if (e instanceof ConfigFitError) throw new UsageError(`config '${full.name}': ${e.message}`);
    throw e;
  }
  return { sys, descriptor };
}
