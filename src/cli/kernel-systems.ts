// The kernel side of system resolution: named configs, JSON config files,
// the mutant and fix catalogues, and kernelSystem(cfg). Kept apart from
// systems.ts so that file stays about the CLI's choices, not the kernel's.

import { existsSync } from 'node:fs';
import { kernelSystem } from '../../models/kernel.system.ts';
import type { System } from '../explore/system.ts';
import type { KernelConfig } from '../kernel/config.ts';
import { configByName as namedConfig, KERNEL_CONFIG_NAMES } from '../kernel/configs.ts';
import { FIXES } from '../kernel/fixes.ts';
import { MUTANTS } from '../kernel/mutants/index.ts';
import type { SystemDescriptor } from '../trace/format.ts';
import { UsageError } from './args.ts';
import { loadConfigFile, validateConfig } from './config-file.ts';
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

export function resolveKernel(config: string | Record<string, unknown>, mutant: string | null, fixes: readonly string[]): ResolvedSystem {
  const cat = kernelCatalog();
  const { cfg, recorded } = loadBase(config);
  if (mutant !== null && !cat.mutants.some((m) => m.name === mutant)) {
    throw new UsageError(`--mutant: unknown mutant '${mutant}' (see 'cramcheck mutants')`);
  }
  for (const f of fixes) {
    if (f !== 'all' && !cat.fixes.includes(f)) throw new UsageError(`--fix: unknown fix '${f}' (known: ${cat.fixes.join(', ') || 'none'}, all)`);
  }
  // Catalogue order, whatever order the flags came in, so descriptors are canonical.
  const want = new Set([...cfg.fixes, ...fixes]);
  const chosen = want.has('all') ? [...cat.fixes] : cat.fixes.filter((f) => want.has(f));
  const full: KernelConfig = { ...cfg, mutant: mutant ?? cfg.mutant, fixes: chosen };
  const descriptor: SystemDescriptor = { system: 'kernel', config: recorded, mutant: full.mutant, fixes: chosen };
  let sys: System;
  try {
    sys = kernelSystem(full);
  } catch (e) {
    // Geometry/layout refuse configurations they cannot encode (too many pages, fields overflow).
    throw new UsageError(`config '${full.name}': ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`);
  }
  return { sys, descriptor };
}
