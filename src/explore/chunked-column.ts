// Growable typed columns in fixed-size blocks, for the liveness graph's edge
// and per-state arrays while the graph is being explored. A doubling array
// copies everything it holds at each growth and, while copying, holds up to
// three times what it stores; blocks never copy, so a column costs what it
// holds plus at most one partly filled block. seal() hands back one array of
// exactly the stored length, so the checker's hot loops index a plain typed
// array.

const BLOCK = 1 << 20;

/** A column of 32-bit signed integers. */
export class Int32Column {
  private blocks: Int32Array[] = [];
  length = 0;

  push(v: number): void {
    const b = this.length >>> 20, i = this.length & (BLOCK - 1);
    if (i === 0 && b === this.blocks.length) this.blocks.push(new Int32Array(BLOCK));
    this.blocks[b]![i] = v;
    this.length++;
  }

  get(k: number): number {
    return this.blocks[k >>> 20]![k & (BLOCK - 1)]!;
  }

  /** Keep the first n values. */
  truncate(n: number): void {
    this.length = Math.min(this.length, n);
    this.blocks.length = Math.ceil(this.length / BLOCK);
  }

  bytes(): number {
    return this.blocks.length * BLOCK * 4;
  }

  /** One exact-length array; the column is empty afterwards. */
  seal(): Int32Array {
    const out = new Int32Array(this.length);
    sealInto(this.blocks, out, this.length);
    this.length = 0;
    return out;
  }
}

/**
 * A column of unsigned integers stored in 16 bits until a value needs more,
 * then in 32 (the stored blocks are widened once): edge labels are almost
 * always few.
 */
export class LabelColumn {
  private blocks: (Uint16Array | Uint32Array)[] = [];
  private wide = false;
  length = 0;

  push(v: number): void {
    if (v > 0xffff && !this.wide) {
      this.wide = true;
      this.blocks = this.blocks.map((b) => Uint32Array.from(b));
    }
    const b = this.length >>> 20, i = this.length & (BLOCK - 1);
    if (i === 0 && b === this.blocks.length) this.blocks.push(this.wide ? new Uint32Array(BLOCK) : new Uint16Array(BLOCK));
    this.blocks[b]![i] = v;
    this.length++;
  }

  truncate(n: number): void {
    this.length = Math.min(this.length, n);
    this.blocks.length = Math.ceil(this.length / BLOCK);
  }

  bytes(): number {
    return this.blocks.length * BLOCK * (this.wide ? 4 : 2);
  }

  seal(): Uint16Array | Uint32Array {
    const out = this.wide ? new Uint32Array(this.length) : new Uint16Array(this.length);
    sealInto(this.blocks, out, this.length);
    this.length = 0;
    return out;
  }
}

function sealInto(blocks: (Int32Array | Uint16Array | Uint32Array)[], out: Int32Array | Uint16Array | Uint32Array, length: number): void {
  // Each block is let go once copied, so the output and the blocks overlap only while copying.
  for (let off = 0; off < length; off += BLOCK) {
    const block = blocks.shift()!;
    out.set(block.subarray(0, Math.min(BLOCK, length - off)), off);
  }
  blocks.length = 0;
}
