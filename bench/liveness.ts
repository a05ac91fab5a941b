// The liveness row of `npm run bench`: the cost of `cramcheck liveness` on the
// kernel system beside the safety run (same config, same bound), in its own
// process (bench/liveness-child.ts), once faithful and once with every fix on.
import { spawnSync } from 'node:child_process';

interface LivenessFigures {
  readonly states: number;
  readonly transitions: number;
  readonly complete: boolean;
  readonly properties: number;
  readonly violated: number;
  readonly deadlock: boolean;
  readonly graphSeconds: number;
  readonly checkSeconds: number;
  readonly graphBytes: number;
  readonly bytesPerState: number;
  readonly rssMiB: number;
  readonly peakRssMiB: number;
}

export function printLivenessBench(root: string, config: string, bound: string): boolean {
  let ok = true;
  for (const fix of [false, true]) {
    const args = ['--import', 'tsx', 'bench/liveness-child.ts', config, ...(bound !== '0' ? ['--max-states', bound] : []), ...(fix ? ['--fix', 'all'] : [])];
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    let f: LivenessFigures;
    try {
      f = JSON.parse(line) as LivenessFigures;
    } catch {
      console.log(`  liveness${fix ? ' --fix all' : ''}: FAILED (exit ${r.status})`);
      ok = false;
      continue;
    }
    const secs = f.graphSeconds + f.checkSeconds;
    console.log(`  liveness${fix ? ' (fix all)' : '          '} distinct ${Math.round(f.states).toLocaleString('en-US').padStart(12)}  trans ${Math.round(f.transitions).toLocaleString('en-US')}  ${secs.toFixed(2).padStart(7)} s (graph ${f.graphSeconds.toFixed(2)} s + ${f.properties} properties ${f.checkSeconds.toFixed(2)} s)  ${f.bytesPerState.toFixed(1)} B/state  graph ${(f.graphBytes / 2 ** 20).toFixed(0)} MiB  rss ${f.rssMiB.toFixed(0)} MiB (peak ${f.peakRssMiB.toFixed(0)})  ${f.violated} violated${f.deadlock ? ', DEADLOCK' : ''}${f.complete ? '' : '  INCOMPLETE'}`);
  }
  return ok;
}
