// Progress reporting for long explorations, in one of four modes:
// - tty:   one short line on stderr rewritten in place (\r\x1b[K), kept under
//          80 columns so it never wraps and leaves stale copies behind;
// - lines: one plain line on stderr per minute, as TLC prints in a log or CI;
// - off:   nothing;
// - auto:  tty when stderr is a terminal and not CI, else lines.
// A callback (ProgressFn) replaces the sink entirely (tests, embedding tools).
// Rates are left out until a run has lasted a second: a rate over a few
// milliseconds is noise, not a figure.

export interface ProgressInfo {
  /** Distinct states stored so far. */
  readonly states: number;
  /** States expanded so far. */
  readonly explored: number;
  readonly transitions: number;
  /** Current BFS level, or DFS stack depth. */
  readonly depth: number;
  /** States stored but not yet expanded (BFS queue, DFS stack). */
  readonly queue: number;
  readonly elapsedMs: number;
  readonly storeBytes: number;
}

export type ProgressFn = (p: ProgressInfo) => void;
export type ProgressMode = 'auto' | 'tty' | 'lines' | 'off';
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'tty', 'lines', 'off'];

/** True when a live progress line is wanted: a TTY on stderr and not CI. */
export function ttyProgressWanted(): boolean {
  return !process.env['CI'] && process.stderr.isTTY === true;
}

/** 'auto' resolved against the environment. */
export function resolveProgressMode(mode: ProgressMode): Exclude<ProgressMode, 'auto'> {
  if (mode !== 'auto') return mode;
  return ttyProgressWanted() ? 'tty' : 'lines';
}

function human(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
  return `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
}

/** States expanded per second, or null for a run too short to rate. */
function rate(p: ProgressInfo): number | null {
  return p.elapsedMs >= 1000 ? (p.explored * 1000) / p.elapsedMs : null;
}

/** The live TTY line: short (<= 79 columns for any realistic figure), no label. */
export function formatProgressTty(p: ProgressInfo): string {
  const r = rate(p);
  const parts = [`${human(p.states)} states`, `depth ${p.depth}`, `queue ${human(p.queue)}`];
  if (r !== null) parts.push(`${human(r)}/s`);
  parts.push(`${(p.storeBytes / 2 ** 20).toFixed(0)} MiB`, `${(p.elapsedMs / 1000).toFixed(0)}s`);
  return parts.join('  ');
}

/** One log line (TLC style): elapsed clock, states, depth, rate, queue. */
export function formatProgressLine(p: ProgressInfo): string {
  const r = rate(p);
  return `progress ${clock(p.elapsedMs)}: ${grouped(p.states)} states, ${grouped(p.transitions)} transitions, depth ${p.depth}${r !== null ? `, ${grouped(r)} states/s` : ''}, queue ${grouped(p.queue)}, store ${(p.storeBytes / 2 ** 20).toFixed(0)} MiB`;
}

/** Kept for callers of the old single format: the TTY line. */
export const formatProgress = formatProgressTty;

export interface ProgressSink {
  /** Called often (every few thousand expansions); rate-limits itself. */
  readonly tick: (p: () => ProgressInfo, nowMs: number) => void;
  readonly done: () => void;
}

export interface SinkOptions {
  readonly mode: ProgressMode;
  readonly callback?: ProgressFn;
  /** Interval between reports; default 500 ms (tty, callback) or 60 s (lines). */
  readonly intervalMs?: number;
  /** Where lines go; default process.stderr. */
  readonly write?: (s: string) => void;
}

/** A rate-limited progress sink; null when nothing is to be reported. */
export function progressSink(o: SinkOptions): ProgressSink | null {
  const write = o.write ?? ((s: string) => void process.stderr.write(s));
  const mode = o.callback ? 'callback' : resolveProgressMode(o.mode);
  if (mode === 'off') return null;
  const interval = o.intervalMs ?? (mode === 'lines' ? 60_000 : 500);
  let last = 0;
  let shown = false;
  return {
    tick(info, nowMs) {
      if (nowMs - last < interval) return;
      last = nowMs;
      const p = info();
      if (mode === 'callback') o.callback!(p);
      else if (mode === 'tty') {
        shown = true;
        write(`\r\x1b[K${formatProgressTty(p)}`);
      } else write(`${formatProgressLine(p)}\n`);
    },
    done() {
      if (shown) write('\r\x1b[K');
    },
  };
}
