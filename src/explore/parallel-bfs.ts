// Parallel BFS, level-synchronous (--workers N): each level's parents are cut
// into N contiguous slices, expanded at once by the main thread and N-1
// workers (expand-chunk.ts) against the shared, read-only store; then the main
// thread merges the slices in order, inserting successors, checking new
// states and recording violations exactly where a sequential BFS would. States
// get the same indices and parent links as in bfs.ts, so counts, depths and
// (shortest) counterexamples are identical and deterministic. Only when a run
// stops early (first violation, bound) may `explored` and `transitions` count
// parents of that last level that the sequential search had not reached.

import { expandChunk, type ChunkOut } from './expand-chunk.ts';
import { type CoreOut, type ExhaustReason, type Run } from './run.ts';
import type { StateStore } from './store.ts';
import { ADD_FULL } from './visited.ts';
import type { WorkerPool } from './worker-pool.ts';

const NONE: readonly never[] = [];

export function parallelBfs(run: Run, store: StateStore, pool: WorkerPool, stoppedAtStart: boolean, checkDeadlock: boolean): CoreOut {
  const { sys } = run;
  const { maxStates, maxDepth } = run.limits;
  const W = sys.words, E = W + 2;
  const words = new Uint32Array(W);
  let transitions = 0, explored = 0, level = 0, deepest = 0;
  let head = 0;
  let stop = stoppedAtStart;
  let exhausted: ExhaustReason | null = null;
  const threads = pool.size + 1;
  const info = () => ({ states: store.size, explored, transitions, depth: level, queue: store.size - head, elapsedMs: run.elapsedMs(), storeBytes: store.bytes() });

  while (!stop && head < store.size) {
    if (level >= maxDepth) {
      exhausted = 'maxDepth';
      break;
    }
    const from = head, to = store.size;
    // Slices: small levels stay on the main thread (a worker round trip costs more).
    const n = to - from < 256 ? 1 : threads;
    const cut = (i: number): number => from + Math.floor(((to - from) * i) / n);
    const slices: [number, number][] = [];
    for (let i = 1; i < n; i++) slices.push([cut(i), cut(i + 1)]);
    const wait = slices.length > 0 ? pool.start(store.view(), slices, checkDeadlock) : () => [];
    const outs: ChunkOut[] = [expandChunk(sys, store.view(), from, cut(1), checkDeadlock), ...wait()];
    // Merge in slice order: the sequential BFS order.
    for (const out of outs) {
      let e = 0;
      let k = 0;
      let f = 0;
      const evs = out.events, fails = out.failures;
      for (let i = 0; i <= out.count && !stop; i++) {
        while (e < evs.length && evs[e]!.at === i && !stop) {
          const ev = evs[e++]!;
          if (ev.kind === 'deadlock') {
            if (run.record({ property: 'DEADLOCK', message: ev.message, stateIndex: ev.parent, depth: level, trace: store.traceTo(ev.parent), kind: 'state' })) stop = true;
          } else {
            words.set(ev.target!);
            if (run.transitionViolation(ev.parent, ev.action, store.find(words), level + 1, ev.id, ev.message)) stop = true;
          }
        }
        if (i === out.count || stop) break;
        k = i * E;
        for (let j = 0; j < W; j++) words[j] = out.buf[k + 2 + j]!;
        if (store.size >= maxStates) {
          if (!store.has(words)) {
            stop = true;
            exhausted = 'maxStates';
          }
          continue;
        }
        const idx = store.add(words, out.buf[k]!, out.buf[k + 1]!);
        while (f < fails.length && fails[f]!.entry < i) f++; // entries skipped above
        const f0 = f;
        while (f < fails.length && fails[f]!.entry === i) f++;
        if (idx >= 0) {
          deepest = level + 1;
          if (run.newStateChecked(words, idx, level + 1, f0 === f ? NONE : fails.slice(f0, f))) stop = true;
        } else if (idx === ADD_FULL) {
          stop = true;
          exhausted = 'memory';
        }
      }
      transitions += out.transitions;
    }
    explored += to - from;
    head = to;
    level++;
    if (!stop && run.poll(info)) {
      exhausted = 'interrupted';
      break;
    }
  }
  return { explored, transitions, depth: deepest, exhausted, stoppedEarly: head < store.size && exhausted === null, queueBytes: 0 };
}
