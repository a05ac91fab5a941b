// The exact store for a strategy that reads its states back (the liveness
// graph labels and judges every stored state after exploring): the safety
// explorer's default choice among the readable layouts, tree compression
// (tree-store.ts) from TREE_MIN_WORDS words and the flat words below. Exact by
// construction: a fingerprint store cannot read a state back, and a state graph
// over fingerprints could merge two states and close a cycle that does not
// exist, so the liveness checker never uses one.

import { TREE_MIN_WORDS } from './explorer.ts';
import { StateStore } from './store.ts';
import { TreeStore } from './tree-store.ts';
import type { VisitedStore } from './visited.ts';

export interface ReadableStore extends VisitedStore {
  read(idx: number, out: Uint32Array): void;
}

export function readableStore(words: number, opts: { readonly maxAction: number; readonly maxBytes?: number }): ReadableStore {
  const common = { maxAction: opts.maxAction, ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}) };
  return words >= TREE_MIN_WORDS ? new TreeStore(words, common) : new StateStore(words, common);
}
