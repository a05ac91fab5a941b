// Progress reporting for long explorations: a plain callback type, and a TTY
// line on stderr that is off in CI and when stderr is not a terminal (so logs
// and test output never fill with carriage returns).

export interface ProgressInfo {
  /** Distinct states stored so far. */
  readonly states: number;
  /** States expanded so far. */
  readonly explored: number;
  readonly transitions: number;
  /** Current BFS level, or DFS stack depth. */
  readonly depth: number;
  readonly elapsedMs: number;
  readonly storeBytes: number;
}

export type ProgressFn = (p: ProgressInfo) => void;

/** True when a live progress line is wanted: a TTY on stderr and not CI. */
export function ttyProgressWanted(): boolean {
  return !process.env['CI'] && process.stderr.isTTY === true;
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function formatProgress(p: ProgressInfo): string {
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? Math.round(p.explored / secs) : 0;
  return `states ${human(p.states)}  explored ${human(p.explored)}  transitions ${human(p.transitions)}  depth ${p.depth}  ${human(rate)}/s  store ${(p.storeBytes / 2 ** 20).toFixed(0)} MiB  ${secs.toFixed(1)}s`;
}

/** A progress sink rewriting one stderr line; call the returned done() at the end. */
export function ttyProgress(label = 'explore'): { readonly report: ProgressFn; readonly done: () => void } {
  let shown = false;
  return {
    report(p) {
      shown = true;
      process.stderr.write(`\r\x1b[K${label}: ${formatProgress(p)}`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[K');
    },
  };
}
