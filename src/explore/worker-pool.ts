// The worker threads of a parallel BFS, driven synchronously: explore() is a
// synchronous function, so the main thread posts one task per worker taking
// part in a phase, does its own lane, then blocks on a shared counter
// (Atomics.wait) and takes each result with receiveMessageOnPort, never
// needing its event loop. Worker i runs lane i + 1 (lane 0 is the main thread).

import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { LanePool, LaneTask } from './lane-runner.ts';
import type { SystemRecipe } from './recipe.ts';

export class WorkerPool implements LanePool {
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly done = new Int32Array(new SharedArrayBuffer(4));

  constructor(recipe: SystemRecipe, count: number) {
    for (let i = 0; i < count; i++) {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(new URL('./bfs-worker-entry.mjs', import.meta.url), {
        workerData: { recipe, port: port2, done: this.done },
        transferList: [port2],
      });
      w.unref();
      this.workers.push(w);
      this.ports.push(port1);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Post tasks[i] to worker i; returns a function that waits for all and gives their results in order. */
  start<R>(tasks: readonly LaneTask[]): () => R[] {
    Atomics.store(this.done, 0, 0);
    tasks.forEach((task, i) => this.ports[i]!.postMessage(task));
    return () => {
      const n = tasks.length;
      for (;;) {
        const d = Atomics.load(this.done, 0);
        if (d >= n) break;
        Atomics.wait(this.done, 0, d, 1000);
      }
      return tasks.map((_, i) => {
        let m: { message: { out?: R; error?: string } } | undefined;
        // The message is posted before the counter moves; allow for delivery lag.
        while ((m = receiveMessageOnPort(this.ports[i]!) as typeof m) === undefined) Atomics.wait(this.done, 0, Atomics.load(this.done, 0), 1);
        if (m.message.error !== undefined) throw new Error(`parallel bfs worker ${i}: ${m.message.error}`);
        return m.message.out!;
      });
    };
  }

  close(): void {
    for (const p of this.ports) p.close();
    for (const w of this.workers) void w.terminate();
  }
}
