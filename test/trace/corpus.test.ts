// The regression corpus: every trace under counterexamples/ (one per mutant,
// findings/ for what the faithful v4 model breaks) must still replay to the
// same property failing at the same step. A model change that makes one
// diverge fails here, naming the file and where it diverged.
import test from 'ava';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTraceSystem } from '../../src/cli/systems.ts';
import { parseTrace } from '../../src/trace/format.ts';
import { describeOutcome, replaySteps } from '../../src/trace/replay.ts';
import { describeLassoOutcome, replayLasso } from '../../src/trace/lasso.ts';

const ROOT = 'counterexamples';

function traceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...traceFiles(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out;
}

const files = traceFiles(ROOT);

if (files.length === 0) {
  test('corpus: no traces under counterexamples/ yet', (t) => {
    t.pass();
  });
}

for (const f of files) {
  test(`corpus: ${f} replays (same property, same step)`, (t) => {
    const p = parseTrace(readFileSync(f, 'utf8'));
    if (!p.ok) {
      t.fail(`${f}: invalid trace: ${p.error}`);
      return;
    }
    const { sys } = resolveTraceSystem(p.trace);
    if (p.trace.cycle !== undefined) {
      // A lasso: the cycle closes, the property fails on it, the cycle is fair.
      const o = replayLasso(sys, p.trace.property, p.trace.steps, p.trace.cycle);
      t.is(o.kind, 'reproduced', `${f}: ${describeLassoOutcome(o)}`);
      return;
    }
    const r = replaySteps(sys, p.trace.steps, p.trace.expect);
    t.is(r.outcome.kind, 'reproduced', `${f}: ${describeOutcome(r.outcome)}`);
  });
}
