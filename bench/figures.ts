// The figures every benchmark child prints as one JSON line, and the parser
// that turns a child's stdout (cramcheck's or the reference's) into them.
import type { ExploreResult } from '../src/explore/explorer.ts';

export interface BenchFigures {
  readonly tool: string;
  readonly config: string;
  readonly distinct: number;
  readonly explored: number;
  readonly transitions: number;
  readonly depth: number;
  readonly complete: boolean;
  readonly seconds: number;
  readonly statesPerSec: number;
  readonly storeBytes: number;
  readonly bytesPerState: number;
  readonly rssMiB: number;
  /** Peak BFS queue beside a store that cannot read states back (packed, fingerprint). */
  readonly queueBytes?: number;
  /** Store variant, e.g. 'exact/tree', 'fingerprint'. */
  readonly store?: string;
  readonly exhausted?: string;
  /** Property ids violated (kernel system runs). */
  readonly violations?: readonly string[];
}

function num(o: Record<string, unknown>, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`benchmark output: '${k}' missing or not a number`);
  return v;
}

/** Parse cramcheck's child output (already in BenchFigures form). */
export function parseCramcheck(line: string): BenchFigures {
  const o = JSON.parse(line) as Record<string, unknown>;
  return {
    tool: 'cramcheck',
    config: String(o['config']),
    distinct: num(o, 'distinct'),
    explored: num(o, 'explored'),
    transitions: num(o, 'transitions'),
    depth: num(o, 'depth'),
    complete: o['complete'] === true,
    seconds: num(o, 'seconds'),
    statesPerSec: num(o, 'statesPerSec'),
    storeBytes: num(o, 'storeBytes'),
    bytesPerState: num(o, 'bytesPerState'),
    rssMiB: num(o, 'rssMiB'),
    ...(typeof o['queueBytes'] === 'number' ? { queueBytes: o['queueBytes'] } : {}),
    ...(typeof o['store'] === 'string' ? { store: o['store'] } : {}),
    ...(typeof o['exhausted'] === 'string' ? { exhausted: o['exhausted'] } : {}),
    ...(Array.isArray(o['violations']) ? { violations: o['violations'].map(String) } : {}),
  };
}

/** Parse ../shared/bench/js/bm1-bfs.mjs output (storeMiB, bfsDepth, ...). */
export function parseReference(line: string): BenchFigures {
  const o = JSON.parse(line) as Record<string, unknown>;
  const distinct = num(o, 'distinct');
  const storeBytes = num(o, 'storeMiB') * 2 ** 20;
  return {
    tool: 'reference',
    config: String(o['config']),
    distinct,
    explored: num(o, 'explored'),
    transitions: num(o, 'transitions'),
    depth: num(o, 'bfsDepth'),
    complete: o['complete'] === true,
    seconds: num(o, 'seconds'),
    statesPerSec: num(o, 'statesPerSec'),
    storeBytes,
    bytesPerState: distinct > 0 ? storeBytes / distinct : 0,
    rssMiB: num(o, 'rssMiB'),
  };
}

/** The last line of stdout that looks like a JSON object. */
export function lastJsonLine(stdout: string): string | null {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{') && l.endsWith('}'));
  return lines.length > 0 ? lines[lines.length - 1]! : null;
}

/** The figures line a cramcheck bench child prints for one exploration result. */
export function cramcheckFigures(r: ExploreResult, config: string, store?: string): BenchFigures {
  return {
    tool: 'cramcheck',
    config,
    distinct: r.states,
    explored: r.explored,
    transitions: r.transitions,
    depth: r.depth,
    complete: r.complete,
    seconds: r.timing.elapsedMs / 1000,
    statesPerSec: r.timing.statesPerSec,
    storeBytes: r.storeBytes,
    bytesPerState: r.bytesPerState,
    rssMiB: process.memoryUsage().rss / 2 ** 20,
    ...(r.queueBytes > 0 ? { queueBytes: r.queueBytes } : {}),
    ...(store !== undefined ? { store } : {}),
    ...(r.exhausted ? { exhausted: r.exhausted.reason } : {}),
  };
}
