// Worker-thread entry for the parallel BFS. Node 20 does not carry the tsx
// loader into worker threads, so this plain module registers it before
// importing the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./bfs-worker.ts');
