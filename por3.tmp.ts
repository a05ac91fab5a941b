import { resolveSystem } from './src/cli/systems.ts';
const { sys } = resolveSystem({ system: 'kernel', config: 'canonical', mutant: null, fixes: ['all'] });
const h = sys.instrument!;
const init = new Uint32Array(sys.words); sys.initial(init);
const seen = new Set([init.join(',')]); const q = [init]; const next = new Uint32Array(sys.words);
for (let hd = 0; hd < q.length && q.length < 3000; hd++) for (let a = 0; a < sys.actionCount; a++) if (sys.step(q[hd]!, a, next)) { const k = next.join(','); if (!seen.has(k)) { seen.add(k); q.push(next.slice()); } }
const by = new Map<string, Set<string>>();
const want = (n: string) => /THR_(STAGE|OP|PC|REG)/.test(n);
let cur = '';
h.install({ read: (w) => { const n = h.wordName(w); if (want(n)) { if (!by.has(cur)) by.set(cur, new Set()); by.get(cur)!.add(n.replace(/\[\d+\]/, '')); } }, write: () => {} });
for (const s of q) { for (const p of sys.properties) { cur = p.id; p.check(s); } for (const r of sys.sometimes ?? []) { cur = r.id; r.reached(s); } }
h.install(null);
const n2 = new Uint32Array(sys.words);
for (const s of q.slice(0, 500)) for (let a = 0; a < sys.actionCount; a++) if (sys.step(s, a, n2)) { cur = 'checkTransition'; h.install({ read: (w) => { const n = h.wordName(w); if (want(n)) { if (!by.has(cur)) by.set(cur, new Set()); by.get(cur)!.add(n.replace(/\[\d+\]/, '')); } }, write: () => {} }); sys.checkTransition!(s, a, n2); h.install(null); }
for (const [k, v] of by) console.log(k, [...v].join(','));
