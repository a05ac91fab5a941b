// Which fix of the catalogue mends each invariant v4 breaks on one config.
//
// `--baseline` matches a violation to the findings corpus by invariant only:
// a known bug that breaks a second invariant on another config (a consequence
// the finding's own trace does not show) reads as NEW there, and a reviewer
// takes it for a new bug. Triage answers the question by exploration, not by
// matching traces: for every fix X, explore the config with every fix on but X
// (and X's alternatives, Fix.alsoOff). An invariant that breaks again is one X
// is necessary to mend, given the others; an invariant broken with every fix
// on is mended by none: a new finding (or the config's own scenario).
//
// The logic is a pure function over a runner so a test can drive it with a
// toy (test/cli/triage.test.ts); triage-cmd.ts runs the explorations.

export interface TriageRun {
  /** Invariants (properties) violated in the run. */
  readonly violated: readonly string[];
  /** Every reachable state within the run was expanded (no bound, no signal). */
  readonly finished: boolean;
  readonly states: number;
}

export interface TriageFix {
  readonly name: string;
  /** Fixes turned off with it (alternatives that mend the same finding, or a second bug it needs). */
  readonly alsoOff: readonly string[];
}

export interface TriageRow {
  readonly property: string;
  /** Broken by v4 as posted. */
  readonly inV4: boolean;
  /** Still broken with every fix on: no fix of the catalogue mends it. */
  readonly withAll: boolean;
  /** Each fix whose removal (alone, with its alsoOff) brings the violation back. */
  readonly necessary: readonly string[];
}

export interface TriageResult {
  readonly v4: TriageRun;
  readonly all: TriageRun;
  /** One run per fix: every fix on but that one (and its alsoOff). */
  readonly without: ReadonlyMap<string, TriageRun>;
  readonly rows: readonly TriageRow[];
  /** Some run stopped at a bound or a signal: what it did not see is unknown. */
  readonly incomplete: boolean;
  /** The run was stopped before every exploration ran. */
  readonly stopped: boolean;
}

export type Runner = (fixes: readonly string[], label: string) => TriageRun;

/** The fixes left on when `fix` is taken out: every other one but its alsoOff. */
export function fixesWithout(catalogue: readonly TriageFix[], fix: TriageFix): string[] {
  const off = new Set([fix.name, ...fix.alsoOff]);
  return catalogue.map((f) => f.name).filter((n) => !off.has(n));
}

export function triage(catalogue: readonly TriageFix[], run: Runner, stop: () => boolean = () => false): TriageResult {
  const v4 = run([], 'v4 as posted (no fix)');
  const allNames = catalogue.map((f) => f.name);
  const all = run(allNames, 'every fix');
  const without = new Map<string, TriageRun>();
  let stopped = false;
  for (const f of catalogue) {
    if (stop()) {
      stopped = true;
      break;
    }
    without.set(f.name, run(fixesWithout(catalogue, f), `every fix but ${[f.name, ...f.alsoOff].join(', ')}`));
  }
  // Declaration order of first sight: v4's violations, then those only some partial fix set shows.
  const seen: string[] = [];
  const note = (p: string): void => {
    if (!seen.includes(p)) seen.push(p);
  };
  v4.violated.forEach(note);
  all.violated.forEach(note);
  for (const r of without.values()) r.violated.forEach(note);
  const rows = seen.map((property): TriageRow => ({
    property,
    inV4: v4.violated.includes(property),
    withAll: all.violated.includes(property),
    necessary: all.violated.includes(property) ? [] : [...without].filter(([, r]) => r.violated.includes(property)).map(([n]) => n),
  }));
  const incomplete = stopped || !v4.finished || !all.finished || [...without.values()].some((r) => !r.finished);
  return { v4, all, without, rows, incomplete, stopped };
}

/** One line of what a row means, for the text output. */
export function rowVerdict(r: TriageRow): string {
  if (r.withAll) return 'NOT mended by any fix of the catalogue (broken with every fix on): a new finding, or the config\'s own scenario';
  if (r.necessary.length > 0) {
    const who = r.necessary.join(', ');
    return r.inV4 ? `mended by ${who} (without it, every other fix on, it breaks again)` : `broken only without ${who} (every other fix on), not by v4 as posted: the fixes interact`;
  }
  return r.inV4 ? 'mended by the catalogue, but no single fix is necessary: two or more fixes each mend it' : 'broken in a partial fix set only';
}
