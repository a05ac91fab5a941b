// Parallel BFS, level-synchronous (--workers N): each level's parents are cut
// into N contiguous lanes, one per thread (the main thread is lane 0). Each
// thread expands its lane and inserts the successors into the store's shared
// table itself (lock-free, by CAS), ranks its entries, and writes them into
// the shared store (expand-chunk.ts: phases A, B, C, a barrier after each). The main
// thread only decides where the level ends (a violation with
// stopAtFirstViolation, the state bound) by walking the lanes' violations in
// sequential order, and records them.
//
// States get the same indices and parent links as in bfs.ts, so counts,
// depths and (shortest) counterexamples are identical and deterministic. Only
// when a run stops early (first violation, bound) may `explored` and
// `transitions` count parents of that last level that the sequential search
// had not reached.

import { clearLane, commitLane, expandLane, indexDuringLevel, levelShared, rankLane, type ExpandOut, type LaneEvent, type LaneFailure, type LevelShared, type RankOut } from './expand-chunk.ts';
import type { LanePool, LaneTask } from './lane-runner.ts';
import { type CoreOut, type ExhaustReason, type Run, type Violation } from './run.ts';
import type { StateStore } from './store.ts';

/** Levels with fewer parents stay on the main thread (a worker round trip costs more). */
const MIN_PARALLEL = 256;
/** Entries per lane to start with (doubled when a level outgrows them). */
const MIN_CAP = 1 << 12;

export function parallelBfs(run: Run, store: StateStore, pool: LanePool, stoppedAtStart: boolean, checkDeadlock: boolean): CoreOut {
  const { sys } = run;
  const { maxStates, maxDepth } = run.limits;
  const W = sys.words;
  const lanes = pool.size + 1;
  let transitions = 0, explored = 0, level = 0, deepest = 0;
  let head = 0;
  let stop = stoppedAtStart;
  let exhausted: ExhaustReason | null = null;
  let lv: LevelShared = levelShared(W, lanes, MIN_CAP);
  let growth = 4; // new states per parent, from the last level (sizes the lanes' buffers)
  // Each lane's share of a level's parents, from the lanes' speeds on the last
  // one (the main thread does more per level; another job may hold a core).
  // Where the cuts fall never changes a result, only how long a level takes.
  let share = Array.from({ length: lanes }, () => 1 / lanes);
  const info = () => ({ states: store.size, explored, transitions, depth: level, queue: store.size - head, elapsedMs: run.elapsedMs(), storeBytes: store.bytes() });

  // Run one phase on lanes [0, n): lane 0 here, the others on workers.
  const phase = <R>(n: number, task: (lane: number) => LaneTask, here: () => R): R[] => {
    const wait = n > 1 ? pool.start<R>(Array.from({ length: n - 1 }, (_, i) => task(i + 1))) : () => [];
    const mine = here();
    return [mine, ...wait()];
  };

  while (!stop && head < store.size) {
    if (level >= maxDepth) {
      exhausted = 'maxDepth';
      break;
    }
    const from = head, to = store.size;
    const n = to - from < MIN_PARALLEL ? 1 : lanes;
    const cuts = [from];
    for (let i = 0, acc = 0; i < n; i++) cuts.push(i === n - 1 ? to : from + Math.floor((to - from) * (acc += n === lanes ? share[i]! : 1 / n)));
    const cut = (i: number): number => cuts[i]!;
    const want = Math.ceil((((to - from) / n) * growth * 5) / 4);
    if (want > lv.cap) lv = levelShared(W, lanes, Math.max(want, lv.cap * 2));
    // A: expand and insert into the level table; redo with larger buffers if a lane ran out.
    let outs: ExpandOut[] | undefined;
    let tableView = store.view();
    for (;;) {
      if (!store.reserveTable(n * lv.cap) || !store.reserveKeys(lv.cap)) break;
      const view = (tableView = store.view()), l = lv;
      outs = phase<ExpandOut>(n, (lane) => ({ phase: 'A', store: view, lv: l, lane, from: cut(lane), to: cut(lane + 1), levelStart: to, checkDeadlock }), () => expandLane(sys, view, l, 0, from, cut(1), to, checkDeadlock));
      if (!outs.some((o) => o.overflow)) break;
      outs.forEach((o, lane) => clearLane(view, l, lane, o.count));
      outs = undefined;
      lv = levelShared(W, lanes, lv.cap * 2);
    }
    if (outs === undefined) {
      exhausted = 'memory';
      break;
    }
    // B: rank the valid entries; lane bases follow in lane order.
    const l = lv, mainOut = outs[0]!, tv = tableView;
    const ranks = phase<RankOut>(n, (lane) => ({ phase: 'B', store: tv, lv: l, lane }), () => rankLane(tv, l, 0, mainOut));
    const base: number[] = [];
    let total = 0;
    for (const r of ranks) {
      base.push(to + total);
      total += r.valid;
    }
    // Walk the violations in sequential order: where does the level end?
    const limitNew = Math.max(0, maxStates - to);
    const pending: (() => Violation)[] = [];
    let keepNew = total;
    const targetIndex = (words: Uint32Array, before: number): number => {
      const g = indexDuringLevel(tv, l, words, base);
      return g < before ? g : -1;
    };
    for (let t = 0; t < n && !stop; t++) {
      const { events, failures, valid } = ranks[t]!;
      const off = base[t]! - to;
      const rm = limitNew - off; // this lane's entry that would pass the bound, if < valid
      let e = 0, f = 0;
      for (;;) {
        const ev: LaneEvent | undefined = events[e];
        const fl: LaneFailure | undefined = failures[f];
        const atE = ev ? ev.at : Infinity, atF = fl ? fl.entry : Infinity, atB = rm < valid ? rm : Infinity;
        if (atE === Infinity && atF === Infinity && atB === Infinity) break;
        if (atE <= atF && atE <= atB) {
          e++;
          const at = base[t]! + atE;
          if (ev!.kind === 'deadlock') {
            const p = ev!.parent, msg = ev!.message;
            pending.push(() => ({ property: 'DEADLOCK', message: msg, stateIndex: p, depth: level, trace: store.traceTo(p), kind: 'state' }));
          } else {
            const p = ev!.parent, a = ev!.action, id = ev!.id, msg = ev!.message, tgt = targetIndex(Uint32Array.from(ev!.target!), at);
            pending.push(() => {
              const trace = store.traceTo(p);
              trace.push(a);
              return { property: id, message: msg, stateIndex: tgt, depth: level + 1, trace, kind: 'transition' };
            });
          }
          if (run.stopsAtFirstViolation) {
            keepNew = at - to;
            stop = true;
            break;
          }
        } else if (atB <= atF) {
          keepNew = limitNew;
          exhausted = 'maxStates';
          stop = true;
          break;
        } else {
          f++;
          const idx = base[t]! + atF, id = fl!.id, msg = fl!.message;
          pending.push(() => ({ property: id, message: msg, stateIndex: idx, depth: level + 1, trace: store.traceTo(idx), kind: 'state' }));
          if (run.stopsAtFirstViolation) {
            keepNew = idx + 1 - to;
            stop = true;
            break;
          }
        }
      }
    }
    if (!store.reserveKeys(keepNew)) {
      keepNew = 0;
      stop = true;
      exhausted = 'memory';
    }
    // C: every lane with entries writes its kept ones and clears its level-table slots.
    const view = store.view(), reach = run.pendingReachability().slice();
    const keepOf = (t: number): number => Math.max(0, Math.min(ranks[t]!.valid, to + keepNew - base[t]!));
    const reached = phase<number[]>(n, (lane) => ({ phase: 'C', store: view, lv: l, lane, base: base[lane]!, keep: keepOf(lane), pending: reach }), () => commitLane(sys, view, l, 0, mainOut.count, base[0]!, keepOf(0), reach));
    store.adoptWritten(to + keepNew, keepNew < total);
    for (const r of reached) run.markReached(r);
    if (keepNew > 0) deepest = level + 1;
    for (const v of pending) if (run.record(v())) break;
    for (const o of outs) transitions += o.transitions;
    explored += to - from;
    growth = Math.max(1, total / (to - from));
    if (n === lanes && to - from >= 4 * MIN_PARALLEL) {
      const speed = outs.map((o, i) => (cut(i + 1) - cut(i)) / Math.max(o.ms, 0.01));
      const sum = speed.reduce((a, b) => a + b, 0);
      // Half the old share, half the measured one; no lane below a tenth of its even share.
      share = share.map((s0, i) => Math.max(0.1 / lanes, (s0 + speed[i]! / sum) / 2));
      const norm = share.reduce((a, b) => a + b, 0);
      share = share.map((x) => x / norm);
    }
    head = to;
    level++;
    if (!stop && run.poll(info)) {
      exhausted = 'interrupted';
      break;
    }
  }
  return { explored, transitions, depth: deepest, exhausted, stoppedEarly: head < store.size && exhausted === null, queueBytes: 0 };
}

