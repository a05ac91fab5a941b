// A parallel-BFS worker thread: rebuilds the System from its recipe, then
// runs its lane's phase tasks (lane-runner.ts) as the main thread posts them,
// posting each result back on its port and bumping the shared done counter
// the main thread waits on.

import { workerData, type MessagePort } from 'node:worker_threads';
import { LaneRunner, type LaneTask } from './lane-runner.ts';
import { loadSystem, type SystemRecipe } from './recipe.ts';

const { recipe, port, done } = workerData as { recipe: SystemRecipe; port: MessagePort; done: Int32Array };

function finish(msg: { out?: unknown; error?: string }): void {
  port.postMessage(msg);
  Atomics.add(done, 0, 1);
  Atomics.notify(done, 0);
}

loadSystem(recipe).then(
  (sys) => {
    const runner = new LaneRunner(sys);
    port.on('message', (t: LaneTask) => {
      try {
        finish({ out: runner.run(t) });
      } catch (e) {
        finish({ error: e instanceof Error ? e.message : String(e) });
      }
    });
  },
  (e: unknown) => {
    port.on('message', () => finish({ error: `worker could not build the system: ${e instanceof Error ? e.message : String(e)}` }));
  },
);
