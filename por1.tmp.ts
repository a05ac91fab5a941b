import { explore } from './src/explore/explorer.ts';
import { resolveSystem } from './src/cli/systems.ts';
const [config, fix, depth] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4] ?? 1e9)];
const { sys } = resolveSystem({ system: 'kernel', config, mutant: null, fixes: [fix] });
for (const por of [false, true]) {
  const r = explore(sys, { maxDepth: depth, por, progress: 'off', stopAtFirstViolation: false });
  console.log(por, r.states, r.transitions, r.depth, r.complete, r.violations.map((v) => `${v.property}:${v.trace.length}`), r.timing.elapsedMs | 0, JSON.stringify(r.reductions ?? {}));
}
