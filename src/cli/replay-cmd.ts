// `cramcheck replay FILE`: validate a trace file, rebuild its system, re-run
// its steps and confirm the recorded property first fails at the recorded
// step. Exit 0 reproduced, 1 diverged, 2 unreadable/invalid file.

import { MAIL_WIDTH, wrapParagraph } from '../trace/mail/layout.ts';
import { renderCounterexample } from '../trace/render.ts';
import { describeOutcome, isReproduced, replaySteps } from '../trace/replay.ts';
import { describeLassoOutcome, isLassoReproduced, replayLasso } from '../trace/lasso.ts';
import { renderLasso } from '../trace/render-lasso.ts';
import { flag, parseCommandArgs, UsageError } from './args.ts';
import { EXIT_OK, EXIT_VIOLATION, type Command, type Io } from './command.ts';
import { mailLines } from './narrators.ts';
import { resolveTraceSystem } from './systems.ts';
import { readTraceArg } from './trace-file.ts';

export const replayCommand: Command = {
  name: 'replay',
  summary: 're-run a trace file and confirm the same violation at the same step',
  usage: [
    'cramcheck replay FILE [--json] [--verbose]',
    'Prints the trace as a review mail would show it (75 columns, kernel calls, state changes);',
    '--verbose: the old one-line-per-step form with the final state dump.',
    'Exit 0: reproduced; 1: diverged (says where); 2: unreadable or invalid trace.',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(argv, { json: { type: 'boolean' }, verbose: { type: 'boolean' } }, 1);
    const { file, trace: t } = readTraceArg('replay', p.positionals[0]);
    let resolved: ReturnType<typeof resolveTraceSystem>;
    try {
      resolved = resolveTraceSystem(t);
    } catch (e) {
      // The same checks as for flags, but the culprit is a field of the file.
      if (e instanceof UsageError) throw new UsageError(`${file}: invalid trace: ${e.message.replace(/^--(mutant|fix|config|params): /, (_m, f: string) => `${f === 'fix' ? 'fixes' : f}: `)}`);
      throw e;
    }
    const { sys, descriptor } = resolved;
    if (t.cycle !== undefined) {
      // A lasso: the cycle must close on the state where it starts, the property fail on it, the cycle be fair.
      const o = replayLasso(sys, t.property, t.steps, t.cycle);
      const lok = isLassoReproduced(o);
      const lline = describeLassoOutcome(o);
      if (flag(p, 'json')) {
        io.out(`${JSON.stringify({ file, reproduced: lok, property: t.property, step: t.expect.step, cycle: t.cycle, outcome: o, message: lline })}\n`);
      } else {
        const lines = lok ? renderLasso(sys, descriptor, t.property, t.steps.map((s) => s.action), t.cycle) : [];
        io.out(`${[`replay ${file}: ${lline}`, ...(lines.length > 0 ? ['', ...lines] : [])].join('\n')}\n`);
      }
      return lok ? EXIT_OK : EXIT_VIOLATION;
    }
    const r = replaySteps(sys, t.steps, t.expect);
    const ok = isReproduced(r.outcome);
    const line = describeOutcome(r.outcome);
    if (flag(p, 'json')) {
      io.out(`${JSON.stringify({ file, reproduced: ok, property: t.property, step: t.expect.step, outcome: r.outcome, message: line })}\n`);
    } else {
      const actions = t.steps.map((s) => s.action);
      const verbose = flag(p, 'verbose');
      const lines = !ok ? [] : verbose ? renderCounterexample(sys, descriptor, t.property, actions) : mailLines(sys, descriptor, t.property, actions);
      // Mail form: the file on a line of its own, the outcome wrapped (its message ends the trace anyway).
      const outcome = r.outcome.kind === 'reproduced' ? `reproduced: ${r.outcome.property} first fails at step ${r.outcome.step}` : line;
      const head = verbose ? [`replay ${file}: ${line}`] : [`replay ${file}:`, ...wrapParagraph(outcome, MAIL_WIDTH)];
      io.out(`${[...head, ...(lines.length > 0 ? ['', ...lines] : [])].join('\n')}\n`);
    }
    return ok ? EXIT_OK : EXIT_VIOLATION;
  },
};
