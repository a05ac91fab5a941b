// `cramcheck triage --config NAME`: which fix of the catalogue mends each
// invariant v4 breaks there (src/cli/triage.ts says why and how). It runs
// 2 + (number of fixes) explorations of the config, so it is meant for the
// small configs a reviewer writes; --max-states bounds each.
// Exit 0: every invariant v4 breaks is mended by the catalogue; 1: one is not
// (broken with every fix on: a new finding, or the config's scenario);
// 3: a run did not finish (bound or signal) and nothing was left unmended.
// Like `findings`, the runs judge the invariants only (no protocol machines).
// `--liveness` asks the same of the liveness verdicts (the deadlock check and
// every temporal property under the model's fairness, src/explore/liveness.ts):
// which fix mends each lasso v4 shows, so a faithful-v4 liveness violation is
// attributed to a finding by exploration, not by reading the lasso.

import { explore } from '../explore/explorer.ts';
import { runLiveness } from './liveness-cmd.ts';
import { DEADLOCK } from '../trace/lasso.ts';
import { FIXES } from '../kernel/fixes.ts';
import { flag, parseCommandArgs, positiveInt, str } from './args.ts';
import { EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATION, type Command, type Io } from './command.ts';
import { installStopPipe } from './stop.ts';
import { resolveSystem } from './systems.ts';
import { rowVerdict, triage, type TriageFix, type TriageRun } from './triage.ts';
import { GENERATOR } from '../version.ts';

const DEFAULT_MAX_STATES = 5_000_000;
/** The liveness graph keeps every state and edge (~75 B/state plus the check's): a smaller default bound. */
const DEFAULT_LIVENESS_MAX_STATES = 2_000_000;

export const triageCommand: Command = {
  name: 'triage',
  summary: 'which fix of the catalogue mends each invariant v4 breaks on a config (a NEW one is mended by none)',
  usage: [
    'cramcheck triage [--config NAME|FILE] [--liveness] [--max-states N] [--json]',
    'Explores the config with v4 as posted, with every fix, and with every fix but one, for each fix;',
    'an invariant that breaks again without fix X is one X mends (its finding: counterexamples/findings/X.md).',
    '--liveness: the same for the deadlock check and the temporal properties (`cramcheck liveness`), each run a liveness check.',
    `--max-states N bounds each exploration (default ${DEFAULT_MAX_STATES.toLocaleString('en-US')}, with --liveness ${DEFAULT_LIVENESS_MAX_STATES.toLocaleString('en-US')}); a bounded run makes the verdict incomplete.`,
    'Exit 0: every violation of v4 is mended by a fix; 1: one is not (broken with every fix on);',
    '     2: bad input; 3: incomplete (a bound or a signal) with nothing left unmended.',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(argv, { config: { type: 'string' }, liveness: { type: 'boolean' }, 'max-states': { type: 'string' }, json: { type: 'boolean' } }, 0);
    const config = str(p, 'config') ?? 'canonical';
    const liveness = flag(p, 'liveness');
    const maxStates = positiveInt(p, 'max-states') ?? (liveness ? DEFAULT_LIVENESS_MAX_STATES : DEFAULT_MAX_STATES);
    const what = liveness ? 'property' : 'invariant';
    const json = flag(p, 'json');
    // Resolve once before any run: a bad config is one line and exit 2, not a failure halfway.
    const { descriptor } = resolveSystem({ system: 'kernel', config, mutant: null, fixes: [], conformance: false });
    const stop = installStopPipe();
    stop.holdGroupSignals();
    const catalogue: TriageFix[] = FIXES.map((f) => ({ name: f.name, alsoOff: f.alsoOff ?? [] }));
    const total = catalogue.length + 2;
    let n = 0;
    const safetyRun = (fixes: readonly string[]): TriageRun & { stopped: string } => {
      const { sys } = resolveSystem({ system: 'kernel', config, mutant: null, fixes: [...fixes], conformance: false });
      const r = explore(sys, { strategy: 'bfs', maxStates, stopAtFirstViolation: false, shouldStop: stop.requested });
      return { violated: r.violations.map((v) => v.property), finished: r.exhausted === undefined, states: r.states, stopped: r.exhausted?.reason ?? 'signal' };
    };
    // A lasso is found only among fully expanded states, so a bounded graph's violations are real; its holds are unknown.
    const livenessRun = (fixes: readonly string[]): TriageRun & { stopped: string } => {
      const { sys } = resolveSystem({ system: 'kernel', config, mutant: null, fixes: [...fixes], conformance: false });
      const r = runLiveness(sys, { maxStates, shouldStop: stop.requested });
      const violated = [...(r.deadlocks.deadlock ? [DEADLOCK] : []), ...r.verdicts.filter((v) => v.status === 'violated').map((v) => v.id)];
      return { violated, finished: r.graph.complete, states: r.graph.states, stopped: r.graph.stopReason ?? 'signal' };
    };
    const run = (fixes: readonly string[], label: string): TriageRun => {
      const r = (liveness ? livenessRun : safetyRun)(fixes);
      const out: TriageRun = { violated: r.violated, finished: r.finished, states: r.states };
      n++;
      // One line per exploration: the progress of a run that takes minutes.
      io.err(`triage ${n}/${total}: ${label}: ${r.states.toLocaleString('en-US')} states${out.finished ? '' : ` (stopped: ${r.stopped})`}, ${out.violated.length ? `breaks ${out.violated.join(', ')}` : `every ${what} holds`}\n`);
      return out;
    };
    const t = triage(catalogue, run, stop.requested);
    const unmended = t.rows.filter((r) => r.withAll);
    const code = unmended.length > 0 ? EXIT_VIOLATION : t.incomplete ? EXIT_INCOMPLETE : EXIT_OK;
    if (json) {
      io.out(`${JSON.stringify({
        config: descriptor.config, liveness, maxStates, complete: !t.incomplete,
        v4: t.v4, all: t.all, without: Object.fromEntries(t.without), rows: t.rows, exitCode: code, generator: GENERATOR,
      })}\n`);
      return code;
    }
    const width = Math.max(10, ...t.rows.map((r) => r.property.length));
    const lines = [
      `triage of config '${config}': ${t.without.size + 2} explorations (v4 as posted, every fix, every fix but one for each of ${catalogue.length})`,
      t.rows.length === 0 ? `no ${what} breaks in any of them` : `${liveness ? 'liveness properties' : 'invariants'} broken:`,
      ...t.rows.map((r) => `  ${r.property.padEnd(width)}  ${r.inV4 ? 'v4' : '  '}  ${rowVerdict(r)}`),
      '',
      unmended.length > 0
        ? `verdict: ${unmended.length} ${what}(s) broken with every fix on: ${unmended.map((r) => r.property).join(', ')} (\`cramcheck ${liveness ? 'liveness' : 'explore'} --config ${config} --fix all\` shows the traces)`
        : t.incomplete
          ? `verdict: incomplete (${t.stopped ? 'stopped by a signal' : `a run reached --max-states ${maxStates.toLocaleString('en-US')}`}): nothing left unmended within the bounds`
          : t.rows.some((r) => r.inV4)
            ? `verdict: every ${what} v4 breaks here is mended by the catalogue; each fix's finding is counterexamples/findings/<fix>.md`
            : `verdict: v4 breaks no ${what} here`,
    ];
    io.out(`${lines.join('\n')}\n`);
    return code;
  },
};
