// The exploration-engine flags of `cramcheck explore` (how to search, not what
// to check), parsed in one place so the command only spreads them into its
// option table and its explore() call.

import type { ExploreOptions } from '../explore/explorer.ts';
import { PROGRESS_MODES } from '../explore/progress.ts';
import { flag, oneOf, positiveInt, str, UsageError, type Parsed } from './args.ts';
import type { SystemRequest } from './systems.ts';

/** More threads than this is a typo, not a machine. */
const MAX_WORKERS = 256;

export const ENGINE_OPTIONS = {
  progress: { type: 'string' },
  store: { type: 'string' },
  workers: { type: 'string' },
  symmetry: { type: 'boolean' },
  por: { type: 'boolean' },
} as const;

export const ENGINE_USAGE = [
  '--progress auto|tty|lines|off: live line on a terminal, one line a minute in a log (auto: by stderr).',
  '--store exact|fingerprint: exact (default) or 64-bit fingerprints (~15 B/state, probabilistic, bfs only).',
  '--workers N: level-synchronous parallel BFS on N threads (same counts and counterexamples; exact store).',
  '--symmetry: store one state per orbit of interchangeable user CPUs (same program, each in its own mm);',
  '     refused where the config has none. Counterexamples stay concrete and replayable.',
  '--por: partial-order reduction (ample sets from footprints recorded by instrumentation, checked on every',
  '     step; exit 4 if a step leaves its footprint). Counterexamples are replayable, not necessarily shortest.',
];

/** The engine options selected by the flags (bad values: UsageError). */
export function engineOptions(p: Parsed, request?: SystemRequest): Pick<ExploreOptions, 'progress' | 'store' | 'workers' | 'recipe' | 'symmetry' | 'por'> {
  const store = oneOf(p, 'store', ['exact', 'fingerprint'] as const, 'exact');
  const bfs = (str(p, 'strategy') ?? 'bfs') === 'bfs';
  if (store === 'fingerprint' && !bfs) throw new UsageError('--store fingerprint: supported with --strategy bfs only');
  const workers = positiveInt(p, 'workers') ?? 1;
  if (workers > MAX_WORKERS) throw new UsageError(`--workers: at most ${MAX_WORKERS}, got ${workers}`);
  if (workers > 1 && (!bfs || store !== 'exact')) throw new UsageError('--workers: supported with --strategy bfs and --store exact only');
  const symmetry = flag(p, 'symmetry');
  const por = flag(p, 'por');
  if (workers > 1 && (symmetry || por)) throw new UsageError(`--workers: not supported with --${symmetry ? 'symmetry' : 'por'}`);
  if (por && !bfs) throw new UsageError('--por: supported with --strategy bfs only');
  return {
    ...(symmetry ? { symmetry } : {}),
    ...(por ? { por } : {}),
    progress: oneOf(p, 'progress', PROGRESS_MODES, 'auto'),
    store,
    ...(workers > 1 && request
      ? {
          workers,
          // Each worker rebuilds the same System from the same request.
          recipe: { module: new URL('./systems.ts', import.meta.url).href, exportName: 'resolveSystem', args: [request], property: 'sys' },
        }
      : {}),
  };
}
