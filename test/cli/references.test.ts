// References a reader can follow: what cramcheck shows a user (property
// sources, which every trace records; mutant and fix descriptions; coverage
// reasons; the commands' help; the invariant docs and config purposes) cites
// the kernel source and the RFC cover letter, never SEMANTICS.md, a document
// that is not in the repository (nor its bare section numbers such as '§9.7').
// Code comments may keep SEMANTICS references: they are for developers.
import test from 'ava';
import { kernelSystem } from '../../models/kernel.system.ts';
import { PROPERTY_DOCS } from '../../properties/docs.ts';
import { COMMANDS } from '../../src/cli/main.ts';
import { CONFIG_PURPOSE } from '../../src/kernel/config-docs.ts';
import { configByName } from '../../src/kernel/configs.ts';
import { UNREACHABLE_REASONS } from '../../src/coverage/reasons.ts';
import { FIXES } from '../../src/kernel/fixes.ts';
import { MUTANTS } from '../../src/kernel/mutants/index.ts';

/** A reference to SEMANTICS.md: its name, a section sign, or a bare 'SEMANTICS 6.2'-style section. */
const SEMANTICS_REF = /SEMANTICS|§/;

/** `where: text` for every user-visible string that cites SEMANTICS. */
function offenders(strings: readonly (readonly [string, string])[]): string[] {
  return strings.filter(([, s]) => SEMANTICS_REF.test(s)).map(([where, s]) => `${where}: ${s.slice(0, 120)}`);
}

function userVisibleStrings(): [string, string][] {
  const out: [string, string][] = [];
  for (const p of kernelSystem(configByName('canonical')).properties) out.push([`property ${p.id} source`, p.source]);
  for (const m of MUTANTS) out.push([`mutant ${m.name}`, `${m.site} ${m.description}`]);
  for (const f of FIXES) out.push([`fix ${f.name}`, `${f.site} ${f.description}`]);
  UNREACHABLE_REASONS.forEach((r, i) => out.push([`coverage reason ${i} (${r.machine})`, r.reason]));
  for (const c of COMMANDS) out.push([`command ${c.name} help`, [c.summary, ...c.usage].join('\n')]);
  for (const [id, d] of Object.entries(PROPERTY_DOCS)) out.push([`docs ${id}`, [d.summary, d.statement, d.why, ...d.kernel].join('\n')]);
  for (const [name, purpose] of Object.entries(CONFIG_PURPOSE)) out.push([`config ${name} purpose`, purpose ?? '']);
  return out;
}

test('no user-visible string cites SEMANTICS.md (a document not in the repository)', (t) => {
  const bad = offenders(userVisibleStrings());
  t.deepEqual(bad, [], `cite the kernel source (file: function) or the cover letter instead:\n${bad.join('\n')}`);
});

test('the scan catches the references this project used to show', (t) => {
  // Property source and fix description as they read before the kernel citations replaced them.
  const before: [string, string][] = [
    ['INV-RO', 'SEMANTICS §9.7, §4.3 PROTECT_WRITE; cover letter; internal.h: folio_managed_fixup_migration_pte'],
    ['cram-unregister-clears-backpressure', 'v4 leaves them, so a re-registered node starts at pressure 0 while still blocked and boosted (SEMANTICS 6.2).'],
    ['INV-SCRUB', 'mm/cram.c: cram_free_folio_cb, cram_zero_folio'],
  ];
  t.deepEqual(offenders(before).map((s) => s.split(':')[0]), ['INV-RO', 'cram-unregister-clears-backpressure']);
});
