import { resolveSystem } from './src/cli/systems.ts';
import { learnFootprints, Guard } from './src/explore/footprint.ts';
const { sys } = resolveSystem({ system: 'kernel', config: process.argv[2]!, mutant: null, fixes: ['all'] });
const fp = learnFootprints(sys, { bfsStates: 5000, walks: 100 });
const h = fp.hook;
const init = new Uint32Array(sys.words); sys.initial(init);
const seen = new Set([init.join(',')]); const q = [init]; const next = new Uint32Array(sys.words);
const g = new Guard(fp);
let c1 = 0, c12 = 0, n = 0;
const c1By = new Map<string, number>();
for (let hd = 0; hd < q.length && hd < 5000; hd++) {
  const s = q[hd]!; n++;
  const rs: number[][] = Array.from({ length: fp.actors }, () => []), ws: number[][] = Array.from({ length: fp.actors }, () => []); const en = new Array(fp.actors).fill(0); let tot = 0;
  for (let a = 0; a < sys.actionCount; a++) {
    const p = h.actor(a); g.clear(); g.actorMode(p, a, s); h.install(g); const ok = sys.step(s, a, next); h.install(null);
    rs[p]!.push(...g.r); ws[p]!.push(...g.w);
    if (ok) { en[p]++; tot++; const k = next.join(','); if (!seen.has(k)) { seen.add(k); q.push(next.slice()); } }
  }
  let any1 = false, any12 = false;
  for (let p = 0; p < fp.actors; p++) {
    if (!en[p] || en[p] >= tot) continue;
    const ok1 = ws[p]!.every((x) => !fp.othersRead[p]![x] && !fp.othersWrite[p]![x]) && rs[p]!.every((x) => !fp.othersWrite[p]![x]);
    const ok2 = ws[p]!.every((x) => !fp.visible[x]);
    if (ok1) { any1 = true; c1By.set(String(p), (c1By.get(String(p)) ?? 0) + 1); }
    if (ok1 && ok2) any12 = true;
  }
  if (any1) c1++; if (any12) c12++;
}
console.log({ n, c1, c12, c1By: [...c1By] });
