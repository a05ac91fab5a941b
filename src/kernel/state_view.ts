// A Kernel re-pointed at whatever System state it is asked about: the 32-bit
// words are viewed as the kernel's 16-bit fields in place, no copy. The view
// is rebuilt only when a different buffer is handed over, so the explorer's
// hot loop (step, properties, conformance) allocates nothing per state.

import { Kernel, type Machine } from './kernel.ts';

export class StateView {
  private readonly k: Kernel;
  private buf: ArrayBufferLike | null = null;
  private off = -1;
  constructor(readonly m: Machine) {
    this.k = Kernel.blank(m);
  }
  at(state: Uint32Array): Kernel {
    if (state.buffer !== this.buf || state.byteOffset !== this.off) {
      this.buf = state.buffer;
      this.off = state.byteOffset;
      this.k.s = new Uint16Array(state.buffer, state.byteOffset, this.m.L.words16);
    }
    return this.k;
  }
}
