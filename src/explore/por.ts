// Partial-order reduction for BFS (`--por`): ample sets (Peled; Clarke,
// Grumberg, Peled ch. 10) from footprints recorded by instrumentation
// (src/explore/footprint.ts), LTSmin's dependency-matrix idea at word
// granularity.
//
// In each state every action is evaluated (the model decides enabledness by
// running the step), under the run-time guard, so every transition the
// search looks at is checked against its actor's declared footprint. The
// ample set is all enabled actions of one actor p, taken instead of the full
// expansion when
// - C0: it is non-empty (p has an enabled action) and smaller than the full set;
// - C1: what p's actions read and wrote in this state (enabled and disabled
//   ones: a disabled action read what enables it) is independent of every
//   transition any other actor can ever take (their declared footprints):
//   no other actor reads or writes a word p writes, nor writes a word p
//   reads. So along any path from here, actions of others neither change
//   what p does nor are changed by it, and p's disabled actions stay
//   disabled until p moves (a step depends only on the words it reads);
// - C2: p's actions write no visible word (no property, reachability or
//   transition check reads it), so they cannot change a verdict;
// - C3 (the cycle proviso for BFS): no ample successor is already expanded
//   or being expanded (store index <= the current one; with a store that
//   cannot give indices, no ample successor is stored at all). States are expanded
//   in index order, so on every cycle of the reduced graph the state with
//   the largest index has a successor with a smaller or equal index, and
//   that state is fully expanded: no action is ignored forever.
// Otherwise the state is fully expanded.
//
// Counterexamples are real, replayable traces of the system, but not
// necessarily the shortest: the reduction drops interleavings, and a
// shorter one may go through a dropped one (the output says so).
// Safety only: liveness refuses --por (src/explore/liveness.ts).

import { FootprintEscape, Guard, independentAndInvisible, type Footprints } from './footprint.ts';
import { StateQueue } from './queue.ts';
import { POLL_MASK, type CoreOut, type ExhaustReason, type Run } from './run.ts';
import { Admission } from './admit.ts';

export interface PorStats {
  /** States expanded with an ample set smaller than the enabled set. */
  readonly reducedStates: number;
  /** States where an ample set qualified but the cycle proviso forced a full expansion. */
  readonly provisoFull: number;
  /** Words first met after the pre-pass and declared during the run (no ample set had touched them). */
  readonly extensions: number;
  readonly prepassStates: number;
  readonly groups: number;
}

export function porBfs(run: Run, cur: Uint32Array, stoppedAtStart: boolean, fp: Footprints): CoreOut & { readonly por: PorStats } {
  const { sys, store } = run;
  const { maxDepth } = run.limits;
  const W = sys.words;
  const A = sys.actionCount;
  const hook = fp.hook;
  const guard = new Guard(fp);
  const actorOf = new Int32Array(A);
  for (let a = 0; a < A; a++) actorOf[a] = hook.actor(a);
  // Per actor, the words its actions touched in the current state.
  const rs: number[][] = Array.from({ length: fp.actors }, () => []);
  const ws: number[][] = Array.from({ length: fp.actors }, () => []);
  const enabledOf = new Int32Array(fp.actors);
  const succ = new Uint32Array(A * W);
  const slot = (a: number): Uint32Array => succ.subarray(a * W, (a + 1) * W);
  const enabled: number[] = [];
  const chosen: number[] = [];
  const read = store.read ? store.read.bind(store) : null;
  const queue = read ? null : new StateQueue(W);
  if (queue) queue.push(cur);
  let head = 0;
  let level = 0;
  let levelEnd = 1;
  let exhausted: ExhaustReason | null = null;
  let reducedStates = 0;
  let provisoFull = 0;
  const info = () => ({ states: store.size, explored: head, transitions: adm.transitions, depth: level, queue: store.size - head, elapsedMs: run.elapsedMs(), storeBytes: store.bytes() });

  // Checks run under the guard in check mode: a read outside the visible words stops the run.
  const checked = <T>(f: () => T): T => {
    guard.checkMode();
    hook.install(guard);
    try {
      return f();
    } finally {
      hook.install(null);
    }
  };
  const adm = new Admission(run, queue, stoppedAtStart, checked);

  while (!adm.stop && head < store.size) {
    if (head === levelEnd) {
      level++;
      levelEnd = store.size;
    }
    if (level >= maxDepth) {
      exhausted = 'maxDepth';
      break;
    }
    const curIdx = head;
    if (queue) queue.shift(cur);
    else read!(head, cur);

    // Evaluate every action under the guard, recording per actor what it touched.
    enabled.length = 0;
    for (let p = 0; p < fp.actors; p++) {
      rs[p]!.length = 0;
      ws[p]!.length = 0;
      enabledOf[p] = 0;
    }
    for (let a = 0; a < A; a++) {
      const p = actorOf[a]!;
      guard.clear();
      guard.actorMode(p, a, cur);
      hook.install(guard);
      let ok: boolean;
      try {
        ok = sys.step(cur, a, slot(a));
      } finally {
        hook.install(null);
      }
      for (const x of guard.r) rs[p]!.push(x);
      for (const x of guard.w) ws[p]!.push(x);
      if (ok) {
        enabled.push(a);
        enabledOf[p]!++;
      }
    }

    // The smallest qualifying actor's enabled actions, else everything.
    let best = -1;
    for (let p = 0; p < fp.actors; p++) {
      const n = enabledOf[p]!;
      if (n === 0 || n >= enabled.length) continue;
      if (best >= 0 && n >= enabledOf[best]!) continue;
      if (independentAndInvisible(fp, p, rs[p]!, ws[p]!)) best = p;
    }
    chosen.length = 0;
    if (best >= 0) {
      for (const a of enabled) if (actorOf[a] === best) chosen.push(a);
      // C3: an ample successor already expanded (or this state) closes a cycle: expand fully.
      let cycle = false;
      for (const a of chosen) {
        const i = store.find(slot(a));
        // A store that cannot name indices (fingerprints, packed keys: find = -1)
        // falls back to "already stored", queued states included: stricter, still sound.
        if (i >= 0 ? i <= curIdx : store.has(slot(a))) cycle = true;
      }
      if (cycle) {
        provisoFull++;
        chosen.length = 0;
      } else {
        reducedStates++;
        guard.noteAmple(rs[best]!, ws[best]!);
      }
    }
    if (chosen.length === 0) for (const a of enabled) chosen.push(a);

    for (const a of chosen) {
      if (adm.stop) break;
      adm.admit(cur, curIdx, a, slot(a), level);
    }
    // Deadlocks are kept by C0 and C1 alone: the check reads what it likes (footprint.ts).
    if (!adm.stop && enabled.length === 0 && run.deadState(cur, curIdx, level)) adm.stop = true;
    if (adm.stop) break;
    head++;
    if ((head & POLL_MASK) === 0 && run.poll(info)) {
      exhausted = 'interrupted';
      break;
    }
  }
  exhausted = exhausted ?? adm.exhausted;
  return {
    explored: head,
    transitions: adm.transitions,
    depth: adm.deepest,
    exhausted,
    stoppedEarly: head < store.size && exhausted === null,
    queueBytes: adm.queuePeak,
    por: { reducedStates, provisoFull, extensions: guard.extensions, prepassStates: fp.prepassStates, groups: fp.groups },
  };
}

export { FootprintEscape };
