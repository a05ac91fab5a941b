// Footprints for partial-order reduction (src/explore/por.ts): which state
// words each actor may read and write, and which words the checks read.
//
// Derived from the code by instrumentation (System.instrument: the model
// reports every word a step or a check touches), never from a hand-kept list:
// a pre-pass runs the unreduced system (a bounded BFS, then seeded random
// walks to full depth), evaluating every action in every state it visits,
// and records
// - per actor: the union of the words its transitions read / wrote, widened
//   by the model (System.instrument.widen: a pfn-indexed word stands for its
//   whole field, since which pfn an actor touches next depends on
//   allocation; a thread's, mm's or CPU's own words stay single words);
// - visible words: everything any property, reachability or transition
//   check read. The deadlock check needs none: ample sets that satisfy C0 and
//   C1 keep every deadlock state (a state with no enabled action is never
//   skipped: some ample action of its predecessors leads to it, Godefroid's
//   thesis, thm 6.14), so it runs unguarded on the states without successors.
// The reduced search then checks every transition it evaluates and every
// check it runs against these declarations (Guard): a word outside is
// declared on the spot when no ample set taken so far touched it (every
// earlier decision still holds), else the run stops with FootprintEscape
// (exit 4) naming the transition group and the word, so a footprint the
// pre-pass under-approximated is never used silently on a visited state. The residue a run cannot check is transitions that only
// occur in states the reduction skipped; the pre-pass and the widening are
// what cover them (test/explore/por.test.ts compares verdicts with and
// without the reduction over the catalogue).

import type { AccessRecorder, InstrumentHook, System } from './system.ts';

/** A transition or check touched a word outside its declared footprint. */
export class FootprintEscape extends Error {
  override readonly name = 'FootprintEscape';
}

export interface PrepassOptions {
  /** States of the bounded BFS (default 10,000). */
  readonly bfsStates?: number;
  /** Random walks after it (default 200), each up to walkDepth steps (default 300). */
  readonly walks?: number;
  readonly walkDepth?: number;
}

export interface Footprints {
  readonly hook: InstrumentHook;
  readonly actors: number;
  /** Per actor: words it may read / write (1 = declared). */
  readonly reads: readonly Uint8Array[];
  readonly writes: readonly Uint8Array[];
  /** Per actor p: words some other actor may read / write. */
  readonly othersRead: readonly Uint8Array[];
  readonly othersWrite: readonly Uint8Array[];
  /** Words some check reads. */
  readonly visible: Uint8Array;
  /** States the pre-pass visited (BFS plus walks). */
  readonly prepassStates: number;
  readonly groups: number;
}

/** A recorder that sets bits of a read and a write set. */
class Collect implements AccessRecorder {
  r: Uint8Array;
  w: Uint8Array;
  constructor(n: number) {
    this.r = new Uint8Array(n);
    this.w = new Uint8Array(n);
  }
  read(x: number): void {
    this.r[x] = 1;
  }
  write(x: number): void {
    this.w[x] = 1;
  }
}

/** Deterministic PRNG (no Math.random: runs must repeat). */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
}

export function learnFootprints(sys: System, o: PrepassOptions = {}): Footprints {
  const hook = sys.instrument;
  if (!hook) throw new Error(`${sys.name}: no access instrumentation`);
  const n = hook.accessWords;
  let actors = 0;
  for (let a = 0; a < sys.actionCount; a++) actors = Math.max(actors, hook.actor(a) + 1);
  const per = Array.from({ length: actors }, () => new Collect(n));
  const checks = new Collect(n);
  const groups = new Set<string>();
  const next = new Uint32Array(sys.words);
  const enabled: number[] = [];

  /** Evaluate every action and every check on s; returns the enabled actions. */
  const visit = (s: Uint32Array): number[] => {
    enabled.length = 0;
    try {
      for (let a = 0; a < sys.actionCount; a++) {
        groups.add(hook.group(s, a));
        hook.install(per[hook.actor(a)]!);
        const ok = sys.step(s, a, next);
        if (!ok) continue;
        enabled.push(a);
        hook.install(checks);
        sys.checkTransition?.(s, a, next);
      }
      hook.install(checks);
      for (const p of sys.properties) p.check(s);
      for (const r of sys.sometimes ?? []) r.reached(s);
    } finally {
      hook.install(null);
    }
    return enabled.slice();
  };

  let visited = 0;
  // Bounded BFS from the initial state.
  const bfsMax = o.bfsStates ?? 10_000;
  const init = new Uint32Array(sys.words);
  sys.initial(init);
  const seen = new Set<string>([init.join(',')]);
  const queue: Uint32Array[] = [init];
  for (let h = 0; h < queue.length && h < bfsMax; h++) {
    const s = queue[h]!;
    visited++;
    for (const a of visit(s)) {
      sys.step(s, a, next);
      const k = next.join(',');
      if (seen.size < bfsMax && !seen.has(k)) {
        seen.add(k);
        queue.push(next.slice());
      }
    }
  }
  // Seeded random walks to full depth: the far states a bounded BFS never sees.
  const rnd = lcg(0x9e3779b9);
  const walks = o.walks ?? 200;
  const depth = o.walkDepth ?? 300;
  for (let w = 0; w < walks; w++) {
    let s = init.slice();
    for (let d = 0; d < depth; d++) {
      visited++;
      const en = visit(s);
      if (en.length === 0) break;
      sys.step(s, en[rnd() % en.length]!, next);
      s = next.slice();
    }
  }

  const widen = (bits: Uint8Array): Uint8Array => {
    const out = new Uint8Array(n);
    for (let x = 0; x < n; x++) {
      if (!bits[x]) continue;
      const { from, to } = hook.widen(x);
      out.fill(1, from, to);
    }
    return out;
  };
  const reads = per.map((c) => widen(c.r));
  const writes = per.map((c) => widen(c.w));
  const union = (sets: readonly Uint8Array[], skip: number): Uint8Array => {
    const out = new Uint8Array(n);
    sets.forEach((s, i) => {
      if (i === skip) return;
      for (let x = 0; x < n; x++) out[x] |= s[x]!;
    });
    return out;
  };
  const visible = widen(checks.r);
  return {
    hook,
    actors,
    reads,
    writes,
    othersRead: reads.map((_, p) => union(reads, p)),
    othersWrite: writes.map((_, p) => union(writes, p)),
    visible,
    prepassStates: visited,
    groups: groups.size,
  };
}

/**
 * The run-time guard of the reduced search: records what one actor's
 * transitions touch in one state (for the ample-set test) and checks every
 * word against the actor's declared footprint (in check mode: against the
 * visible words). A word outside is added to the declarations only when no
 * ample set chosen so far touched it (ampleRead / ampleWrite): every earlier
 * decision then still holds under the larger declaration. Otherwise an
 * earlier decision may rest on the word being untouched, and the run stops
 * with FootprintEscape (exit 4).
 */
export class Guard implements AccessRecorder {
  /** Words read / written by the current actor's evaluated transitions in the current state. */
  readonly r: number[] = [];
  readonly w: number[] = [];
  /** Words read / written by the ample sets chosen so far. */
  readonly ampleRead: Uint8Array;
  readonly ampleWrite: Uint8Array;
  /** Declarations widened during the run (words first met after the pre-pass, harmlessly). */
  extensions = 0;
  private actor = -1;
  private action = -1;
  private state: Uint32Array | null = null;
  private checking = false;
  constructor(private readonly fp: Footprints) {
    this.ampleRead = new Uint8Array(fp.hook.accessWords);
    this.ampleWrite = new Uint8Array(fp.hook.accessWords);
  }

  /** Start recording action a of actor p on state (named by its group in messages). */
  actorMode(p: number, a: number, state: Uint32Array): void {
    this.actor = p;
    this.action = a;
    this.state = state;
    this.checking = false;
  }
  checkMode(): void {
    this.checking = true;
  }
  clear(): void {
    this.r.length = 0;
    this.w.length = 0;
  }
  /** An ample set was taken: these words may no longer be declared after the fact. */
  noteAmple(r: readonly number[], w: readonly number[]): void {
    for (const x of r) this.ampleRead[x] = 1;
    for (const x of w) this.ampleWrite[x] = 1;
  }
  read(x: number): void {
    const fp = this.fp;
    if (this.checking) {
      if (!fp.visible[x]) this.extend('check read', x, this.ampleWrite, null, (y) => (fp.visible[y] = 1));
      return;
    }
    if (!fp.reads[this.actor]![x]) this.extend('read', x, this.ampleWrite, null, (y) => this.declare(fp.reads, fp.othersRead, y));
    this.r.push(x);
  }
  write(x: number): void {
    const fp = this.fp;
    if (this.checking) throw new FootprintEscape(`partial-order reduction: a check wrote ${fp.hook.wordName(x)}`);
    if (!fp.writes[this.actor]![x]) this.extend('wrote', x, this.ampleWrite, this.ampleRead, (y) => this.declare(fp.writes, fp.othersWrite, y));
    this.w.push(x);
  }
  private declare(own: readonly Uint8Array[], others: readonly Uint8Array[], y: number): void {
    own[this.actor]![y] = 1;
    for (let p = 0; p < others.length; p++) if (p !== this.actor) others[p]![y] = 1;
  }
  /** Declare x (widened) if no ample set so far touched it (in the given ways), else stop. */
  private extend(what: string, x: number, a: Uint8Array, b: Uint8Array | null, set: (y: number) => void): void {
    const { from, to } = this.fp.hook.widen(x);
    for (let y = from; y < to; y++) {
      if (a[y] || (b !== null && b[y])) {
        const who = this.checking ? 'a check' : `transition group ${this.state ? this.fp.hook.group(this.state, this.action) : `action ${this.action}`}`;
        const verb = this.checking ? 'read' : what;
        throw new FootprintEscape(`partial-order reduction: ${who} ${verb} ${this.fp.hook.wordName(x)}, outside the footprint the pre-pass recorded, after an ample set relied on ${this.fp.hook.wordName(y)} (rerun without --por)`);
      }
    }
    for (let y = from; y < to; y++) set(y);
    this.extensions++;
  }
}

/**
 * May actor p's transitions in this state (which touched guard.r / guard.w)
 * form an ample set? C1: nothing any other actor can ever do touches what
 * they write, or writes what they read; C2: they write no visible word.
 */
export function independentAndInvisible(fp: Footprints, p: number, r: readonly number[], w: readonly number[]): boolean {
  const oR = fp.othersRead[p]!;
  const oW = fp.othersWrite[p]!;
  for (let i = 0; i < w.length; i++) {
    const x = w[i]!;
    if (oR[x] || oW[x] || fp.visible[x]) return false;
  }
  for (let i = 0; i < r.length; i++) if (oW[r[i]!]) return false;
  return true;
}
