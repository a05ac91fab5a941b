// Turns the CLI's system selection (--system, --config, --params, --mutant,
// --fix) or a trace file's header into a System plus the descriptor that a
// trace records, so that replay rebuilds exactly the system a trace came from.
// Every unknown name is a UsageError listing what is known.

import type { System } from '../explore/system.ts';
import { BM1_MUTANTS, bm1System, isBm1Mutant, parseBm1Params, type Bm1Params } from '../../models/bm1.ts';
import type { SystemDescriptor, SystemKind, TraceFile } from '../trace/format.ts';
import { UsageError } from './args.ts';
import { kernelCatalog, resolveKernel } from './kernel-systems.ts';
import { withConformance } from '../../models/conformance.ts';
import { kernelMachineOf } from '../mbt/machines.ts';

export interface SystemRequest {
  readonly system: SystemKind;
  /** kernel: config name or JSON file; bm1: a BM1 config name (small, medium, ...). */
  readonly config?: string | undefined;
  /** bm1 only: F=..,D=..,C=..,P=.. */
  readonly params?: string | undefined;
  readonly mutant: string | null;
  /** Fix names, or ['all']. */
  readonly fixes: readonly string[];
  /** Kernel only: judge every transition by the protocol machines (CONFORMANCE-<machine>); default true. */
  readonly conformance?: boolean;
}

export interface ResolvedSystem {
  readonly sys: System;
  readonly descriptor: SystemDescriptor;
}

/** A seeded bug and the property expected to catch it. */
export interface MutantInfo {
  readonly name: string;
  readonly catches: string;
  readonly site: string;
  readonly description: string;
  /** The configuration the mutant is meant to be explored in (else the command's --config). */
  readonly config?: string;
  /** Fixes its run leaves off when every fix is on (Mutant.fixesOff). */
  readonly fixesOff?: readonly string[];
}

/**
 * The fixes a mutant runs with: the command's, except that under `all` the
 * mutant's fixesOff stay off (explicitly named fixes are taken as given).
 */
export function mutantFixes(m: MutantInfo, fixes: readonly string[], catalogue: readonly string[]): string[] {
  const off = m.fixesOff ?? [];
  if (off.length === 0 || !fixes.includes('all')) return [...fixes];
  const named = fixes.filter((f) => f !== 'all');
  return [...new Set([...catalogue.filter((f) => !off.includes(f)), ...named])];
}

/** Which BM1 invariant each BM1 mutant breaks (models/bm1.ts documents them). */
const BM1_CATCHES: Readonly<Record<(typeof BM1_MUTANTS)[number], string>> = {
  'demote-keeps-write': 'BM1-I1',
  'demote-ignores-budget': 'BM1-I2',
  'promote-keeps-charge': 'BM1-I3',
  'alloc-ignores-capacity': 'BM1-I4',
  'offline-ignores-cram': 'BM1-I5',
};

export function mutantCatalogue(system: SystemKind): readonly MutantInfo[] {
  if (system === 'kernel') return kernelCatalog().mutants;
  return BM1_MUTANTS.map((name) => ({ name, catches: BM1_CATCHES[name], site: 'models/bm1.ts', description: `BM1 mutant ${name}` }));
}

function resolveBm1(req: SystemRequest): ResolvedSystem {
  if (req.params !== undefined && req.config !== undefined) throw new UsageError('--params and --config both given for bm1 (use one)');
  const text = req.params ?? req.config ?? 'small';
  const r = parseBm1Params(text);
  if (!r.ok) throw new UsageError(`${req.params !== undefined ? '--params' : '--config'}: ${r.error}`);
  if (req.mutant !== null && !isBm1Mutant(req.mutant)) {
    throw new UsageError(`--mutant: unknown bm1 mutant '${req.mutant}' (known: ${BM1_MUTANTS.join(', ')})`);
  }
  const bad = req.fixes.find((f) => f !== 'all' && f !== 'none');
  if (bad !== undefined) throw new UsageError(`--fix: unknown fix '${bad}' (bm1 has no fixes)`);
  const mutant = req.mutant !== null && isBm1Mutant(req.mutant) ? req.mutant : null;
  const params: Bm1Params = { F: r.params.F, D: r.params.D, C: r.params.C, P: r.params.P };
  let sys: System;
  try {
    sys = bm1System(params, { mutant });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  return { sys, descriptor: { system: 'bm1', config: r.name, params: { ...params }, mutant, fixes: [] } };
}

export function resolveSystem(req: SystemRequest): ResolvedSystem {
  if (req.system === 'bm1') return resolveBm1(req);
  if (req.params !== undefined) throw new UsageError('--params: only for --system bm1');
  return conformed(resolveKernel(req.config ?? 'canonical', req.mutant, req.fixes), req.conformance ?? true);
}

/** The kernel system with conformance (models/conformance.ts) as its transition check, when on. */
function conformed(r: ResolvedSystem, on: boolean): ResolvedSystem {
  if (!on) return r;
  const m = kernelMachineOf(r.sys);
  return m ? { ...r, sys: withConformance(r.sys, m) } : r;
}

/** Rebuild the system a trace was recorded on. */
export function resolveTraceSystem(t: TraceFile): ResolvedSystem {
  if (t.system === 'bm1') {
    const p = t.params;
    const params = p ? `F=${p['F'] ?? ''},D=${p['D'] ?? ''},C=${p['C'] ?? ''},P=${p['P'] ?? ''}` : typeof t.config === 'string' ? t.config : 'small';
    return resolveBm1({ system: 'bm1', params, mutant: t.mutant, fixes: t.fixes });
  }
  // Always with conformance: replay judges exactly what explore judged by default.
  return conformed(resolveKernel(t.config, t.mutant, t.fixes), true);
}
