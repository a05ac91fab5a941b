// The contract between the search strategies and a visited-state store. Every
// store numbers states densely in insertion order (index 0 is the initial
// state) and keeps a parent link and action per state, so a trace is a walk up
// the parent links whatever the store keeps of the state itself.

/** add(): the key was already present. */
export const ADD_EXISTS = -1;
/** add(): the store could not grow (memory or byte budget). */
export const ADD_FULL = -2;

export interface VisitedStore {
  /** Number of distinct states stored. */
  readonly size: number;
  /** Insert a state: its new index, ADD_EXISTS, or ADD_FULL. */
  add(src: Uint32Array, parent: number, action: number): number;
  /** Whether the state is stored. */
  has(src: Uint32Array): boolean;
  /** Index of a stored state, or -1 (also -1 where the store cannot tell). */
  find(src: Uint32Array): number;
  /**
   * Copy state idx into out. Absent on stores that keep no state words
   * (fingerprints): the strategy then keeps its own queue of full states.
   */
  readonly read?: (idx: number, out: Uint32Array) => void;
  /** Action ids from the initial state to state idx. */
  traceTo(idx: number): number[];
  /** Bytes held (the figure reported as storeBytes). */
  bytes(): number;
}
