// `cramcheck coverage`: for each protocol machine, which states and
// transitions the concrete system reaches (witness traces that replay), and
// why the others are unreachable. Exit 1 when a transition is neither covered
// nor explained by the reasons table (src/coverage/reasons.ts).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coverGapsByScenarios, machineCoverage, mergeCoverage, type CoverageReport } from '../coverage/coverage.ts';
import { parseTrace } from '../trace/format.ts';
import { REPO_ROOT } from './paths.ts';
import { coverageText } from '../coverage/report.ts';
import { abstractionsFor } from '../mbt/machines.ts';
import { flag, list, oneOf, parseCommandArgs, positiveInt, str, UsageError } from './args.ts';
import { EXIT_OK, EXIT_VIOLATION, type Command, type Io } from './command.ts';
import { SYSTEM_OPTIONS } from './explore-cmd.ts';
import { resolveSystem, resolveTraceSystem } from './systems.ts';
import type { SystemDescriptor } from '../trace/format.ts';

export const coverageCommand: Command = {
  name: 'coverage',
  summary: 'protocol-machine coverage: every machine transition reached concretely or explained',
  usage: [
    'cramcheck coverage [--config NAME|FILE]... [--system kernel|bm1] [--params ...] [--mutant NAME] [--fix NAME|all]...',
    '                   [--max-states N] [--targeted-states N] [--json]',
    'BFS of each concrete system (kernel default: tiny, small, driver, flush, npapi, nomig, offlineadd, and dontneed, driver, swapin, swapfull, zapiso, swapasync, swapdram, offlineadd, swapteardown with every fix on, merged) watching each machine through its abstraction;',
    'transitions not met get a targeted search along the machine\'s shortest path; witnesses are replayed.',
    'Exit 0: every transition covered or listed as unreachable with a reason; 1: gaps; 2: bad input.',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(
      argv,
      { ...SYSTEM_OPTIONS, config: { type: 'string', multiple: true }, 'max-states': { type: 'string' }, 'targeted-states': { type: 'string' }, json: { type: 'boolean' } },
      0,
    );
    const system = oneOf(p, 'system', ['kernel', 'bm1'] as const, 'kernel');
    const configs = list(p, 'config');
    // driver: teardown (offline retries, cram_unregister, kswapd_stop while woken, S3 unblock), cram_isolated putback;
    // flush: the deferred free and its send. large reaches nothing more within the bound and costs a minute.
    // dontneed (with every fix on, unless --fix is given): swap-out by kswapd(P), swap-in,
    // MADV_DONTNEED of a swap-cache folio (the swapcache edges; faithful v4 stops early on findings).
    // driver+fixes: the hot-unplug migration off P (v4 clears the ops first, so offline cannot migrate, finding
    // private-no-ops-protected) and the fixed cram_unregister's back-pressure reset.
    const defaults = configs.length === 0;
    // swapin, swapfull, zapiso, swapasync, swapdram (every fix on): the swap-cache
    // round trip through a fork, a full swap device (putback from kswapd's batch),
    // a zap under cram_fault, and asynchronous swap writeback on P and on D0.
    // offlineadd (faithful and fixed): a region added offline, re-added (-EEXIST) and onlined.
    const FIXED = ['dontneed', 'driver+fixes', 'swapin', 'swapfull', 'zapiso', 'swapasync', 'swapdram', 'offlineadd+fixes', 'swapteardown'];
    // npapi, nomig (faithful): the node_private / CRAM API called by a second caller during probe and teardown
    // (refusals, a new owner while the old cn drains), and cram_ops overwritten by another service (unmanaged boost).
    if (defaults) configs.push(...(system === 'kernel' ? ['tiny', 'small', 'driver', 'flush', 'npapi', 'nomig', 'offlineadd', ...FIXED] : ['small']));
    const maxStates = positiveInt(p, 'max-states') ?? 100_000;
    const targeted = positiveInt(p, 'targeted-states');
    const reports: CoverageReport[] = [];
    const descriptors: SystemDescriptor[] = [];
    for (const config of configs) {
      const fixed = defaults && FIXED.includes(config) && list(p, 'fix').length === 0;
      const fixes = fixed ? ['all'] : list(p, 'fix');
      const { sys, descriptor } = resolveSystem({ system, config: config.replace(/\+fixes$/, ''), params: str(p, 'params'), mutant: str(p, 'mutant') ?? null, fixes });
      const abs = abstractionsFor(sys, descriptor);
      if (abs.length === 0) throw new UsageError(`coverage: no protocol machines apply to ${sys.name} (the kernel system must expose its Machine)`);
      reports.push(machineCoverage(sys, abs, { maxStates, ...(targeted !== undefined ? { targetedStates: targeted } : {}) }));
      descriptors.push(descriptor);
    }
    let r = reports.length === 1 ? reports[0]! : mergeCoverage(reports);
    // A transition only a finding's deep path reaches (flush-swap-atomic's
    // reset of a live buffer, 49 steps) is covered by that finding's trace.
    if (defaults && system === 'kernel') r = coverByFindings(r);
    if (flag(p, 'json')) io.out(`${JSON.stringify({ descriptors, ...r }, null, 2)}\n`);
    else io.out(`${coverageText(r).join('\n')}\n`);
    return r.ok ? EXIT_OK : EXIT_VIOLATION;
  },
};

/** Fill the report's gaps from the findings corpus (each trace on its own config and fixes). */
function coverByFindings(report: CoverageReport): CoverageReport {
  const dir = join(REPO_ROOT, 'counterexamples', 'findings');
  let r = report;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    if (r.ok) break;
    const parsed = parseTrace(readFileSync(join(dir, name), 'utf8'));
    if (!parsed.ok || parsed.trace.system !== 'kernel' || parsed.trace.cycle !== undefined) continue;
    const { sys, descriptor } = resolveTraceSystem(parsed.trace);
    const abs = abstractionsFor(sys, descriptor);
    r = coverGapsByScenarios(r, sys, abs, [{ name: name.replace(/\.json$/, ''), actions: parsed.trace.steps.map((s) => s.action) }]);
  }
  return r;
}

/** For callers without the registry: run `cramcheck coverage` with argv, output to the process. */
export async function runCoverageCmd(argv: readonly string[]): Promise<number> {
  return coverageCommand.run(argv, { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) });
}
