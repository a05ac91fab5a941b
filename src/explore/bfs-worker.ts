// A parallel-BFS worker thread: rebuilds the System from its recipe, then for
// each task (a slice of a BFS level and the shared store's current buffers)
// expands the slice and posts the result back on its port, bumping the shared
// done counter the main thread waits on.

import { workerData, type MessagePort } from 'node:worker_threads';
import { expandChunk, type ChunkOut } from './expand-chunk.ts';
import { loadSystem, type SystemRecipe } from './recipe.ts';
import type { StoreView } from './store.ts';

interface Task {
  readonly view: StoreView;
  readonly from: number;
  readonly to: number;
  readonly checkDeadlock: boolean;
}

const { recipe, port, done } = workerData as { recipe: SystemRecipe; port: MessagePort; done: Int32Array };

function finish(msg: { out?: ChunkOut; error?: string }): void {
  if (msg.out) port.postMessage(msg, [msg.out.buf.buffer as ArrayBuffer]);
  else port.postMessage(msg);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
}

loadSystem(recipe).then(
  (sys) => {
    port.on('message', (t: Task) => {
      try {
        const out = expandChunk(sys, t.view, t.from, t.to, t.checkDeadlock);
        // Send a compact copy: the chunk buffer may be much larger than its entries.
        finish({ out: { ...out, buf: out.buf.slice() } });
      } catch (e) {
        finish({ error: e instanceof Error ? e.message : String(e) });
      }
    });
  },
  (e: unknown) => {
    port.on('message', () => finish({ error: `worker could not build the system: ${e instanceof Error ? e.message : String(e)}` }));
  },
);
