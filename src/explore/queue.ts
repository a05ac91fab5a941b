// A FIFO of fixed-width states in chunks, for stores that keep no state words
// (fingerprints): BFS pushes each new state and shifts the one it expands, so
// memory follows the frontier, not the whole space. Chunks are freed as the
// head passes them.

const CHUNK_STATES = 4096;

export class StateQueue {
  private readonly chunks: Uint32Array[] = [];
  private head = 0; // states shifted from chunks[0]
  private tail = 0; // states pushed into the last chunk
  length = 0;

  constructor(private readonly words: number) {}

  push(src: Uint32Array): void {
    if (this.chunks.length === 0 || this.tail === CHUNK_STATES) {
      this.chunks.push(new Uint32Array(CHUNK_STATES * this.words));
      this.tail = 0;
    }
    this.chunks[this.chunks.length - 1]!.set(src.subarray(0, this.words), this.tail * this.words);
    this.tail++;
    this.length++;
  }

  /** Copy the oldest state into out and drop it. */
  shift(out: Uint32Array): void {
    if (this.length === 0) throw new Error('StateQueue: shift on empty queue');
    const c = this.chunks[0]!, w = this.words, o = this.head * w;
    for (let j = 0; j < w; j++) out[j] = c[o + j]!;
    this.length--;
    this.head++;
    if (this.head === CHUNK_STATES || this.length === 0) {
      this.chunks.shift();
      this.head = 0;
      if (this.chunks.length === 0) this.tail = 0;
    }
  }

  bytes(): number {
    return this.chunks.length * CHUNK_STATES * this.words * 4;
  }
}
