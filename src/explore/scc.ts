// Strongly connected components of a region of a stored graph, by Tarjan's
// algorithm run iteratively (an explicit call stack of (state, edge cursor)):
// a recursive Tarjan overflows the JS stack on the long chains a kernel state
// graph has (depth 200+ of BFS is a chain of 10^5..10^6 DFS frames).
//
// The region is given by a stamp array: state s is in it iff region[s] ===
// stamp, so the liveness checker can narrow a component (strong fairness)
// without clearing arrays. Edges leaving the region are ignored.

export interface Csr {
  readonly edgeStart: Int32Array;
  readonly edgeTo: Int32Array;
}

export interface SccScratch {
  readonly index: Int32Array;
  readonly low: Int32Array;
  readonly onStack: Uint8Array;
  readonly stack: Int32Array;
  readonly callNode: Int32Array;
  readonly callEdge: Int32Array;
  /** Visit generation of index[] (so a later run need not clear it). */
  gen: Int32Array;
  round: number;
}

export function sccScratch(n: number): SccScratch {
  return {
    index: new Int32Array(n),
    low: new Int32Array(n),
    onStack: new Uint8Array(n),
    stack: new Int32Array(n),
    callNode: new Int32Array(n),
    callEdge: new Int32Array(n),
    gen: new Int32Array(n),
    round: 0,
  };
}

/**
 * Call `emit(members)` for every SCC of the region reachable from `roots`
 * (roots outside the region are skipped). Components come out in Tarjan order
 * (a component before every component that reaches it).
 */
export function forEachScc(
  g: Csr,
  region: Int32Array,
  stamp: number,
  roots: Iterable<number>,
  sc: SccScratch,
  emit: (members: Int32Array) => void,
  /** Edges to ignore (default none): e.g. transitions a fair cycle may not take. */
  skipEdge?: (e: number) => boolean,
): void {
  const { index, low, onStack, stack, callNode, callEdge, gen } = sc;
  const round = ++sc.round;
  const { edgeStart, edgeTo } = g;
  let counter = 0;
  let sp = 0;
  for (const root of roots) {
    if (region[root] !== stamp || gen[root] === round) continue;
    let depth = 0;
    const open = (s: number): void => {
      gen[s] = round;
      index[s] = counter;
      low[s] = counter;
      counter++;
      stack[sp++] = s;
      onStack[s] = 1;
      callNode[depth] = s;
      callEdge[depth] = edgeStart[s]!;
      depth++;
    };
    open(root);
    while (depth > 0) {
      const v = callNode[depth - 1]!;
      const e = callEdge[depth - 1]!;
      if (e < edgeStart[v + 1]!) {
        callEdge[depth - 1] = e + 1;
        const w = edgeTo[e]!;
        if (region[w] !== stamp || (skipEdge !== undefined && skipEdge(e))) continue;
        if (gen[w] !== round) open(w);
        else if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
        continue;
      }
      // v is finished
      depth--;
      if (depth > 0) {
        const u = callNode[depth - 1]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
      if (low[v] === index[v]) {
        let k = sp;
        while (stack[k - 1] !== v) k--;
        k--;
        const members = stack.slice(k, sp);
        for (let j = k; j < sp; j++) onStack[stack[j]!] = 0;
        sp = k;
        emit(members);
      }
    }
  }
}

/** Does the single-state component {s} have an edge to itself? */
export function hasSelfLoop(g: Csr, s: number, skipEdge?: (e: number) => boolean): boolean {
  for (let e = g.edgeStart[s]!; e < g.edgeStart[s + 1]!; e++) if (g.edgeTo[e] === s && !(skipEdge !== undefined && skipEdge(e))) return true;
  return false;
}
