import { resolveSystem } from './src/cli/systems.ts';
import { learnFootprints, Guard } from './src/explore/footprint.ts';
const { sys } = resolveSystem({ system: 'kernel', config: process.argv[2]!, mutant: null, fixes: ['all'] });
const fp = learnFootprints(sys, { bfsStates: 3000, walks: 50 });
const h = fp.hook;
const names = (b: Uint8Array) => { const o: string[] = []; for (let i = 0; i < b.length; i++) if (b[i]) o.push(h.wordName(i)); return o; };
console.log('visible', names(fp.visible).length, 'of', h.accessWords);
const notVis: string[] = []; for (let i = 0; i < h.accessWords; i++) if (!fp.visible[i]) notVis.push(h.wordName(i)); console.log('invisible:', notVis.join(' '));
for (let p = 0; p < fp.actors; p++) console.log('actor', p, 'writes', names(fp.writes[p]!).length, 'reads', names(fp.reads[p]!).length);
// blockers count
const cnt = new Map<string, number>();
const init = new Uint32Array(sys.words); sys.initial(init);
const seen = new Set([init.join(',')]); const q = [init]; const next = new Uint32Array(sys.words);
const g = new Guard(fp);
for (let hd = 0; hd < q.length && hd < 2000; hd++) {
  const s = q[hd]!;
  for (let a = 0; a < sys.actionCount; a++) {
    const p = h.actor(a); g.clear(); g.actorMode(p, a, s); h.install(g); const ok = sys.step(s, a, next); h.install(null);
    if (!ok) continue;
    for (const x of g.w) { const why = fp.visible[x] ? 'vis' : fp.othersRead[p]![x] ? 'oR' : fp.othersWrite[p]![x] ? 'oW' : ''; if (why) cnt.set(`${sys.describe(a).actor} W ${h.wordName(x)} ${why}`, (cnt.get(`${sys.describe(a).actor} W ${h.wordName(x)} ${why}`) ?? 0) + 1); }
    for (const x of g.r) if (fp.othersWrite[p]![x]) { const k = `${sys.describe(a).actor} R ${h.wordName(x)} oW`; cnt.set(k, (cnt.get(k) ?? 0) + 1); }
    const k = next.join(','); if (!seen.has(k)) { seen.add(k); q.push(next.slice()); }
  }
}
console.log([...cnt].sort((a, b) => b[1] - a[1]).slice(0, 60).map(([k, v]) => `${v} ${k}`).join('\n'));
