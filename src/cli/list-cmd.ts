// `cramcheck list configs|fixes|mutants|invariants`: what the catalogues hold,
// one line each, in catalogue order. Lists only: builds no system, explores
// nothing. --json for tools; --markdown (invariants) writes docs/invariants.md.

import { match } from 'ts-pattern';
import { PROPERTY_DOCS } from '../../properties/docs.ts';
import { CONFIG_PURPOSE, configShape } from '../kernel/config-docs.ts';
import { configByName, KERNEL_CONFIG_NAMES } from '../kernel/configs.ts';
import { DESIGN_FIXES, FIXES } from '../kernel/fixes.ts';
import { MUTANTS } from '../kernel/mutants/index.ts';
import { GENERATOR } from '../version.ts';
import { flag, parseCommandArgs, UsageError } from './args.ts';
import { EXIT_OK, type Command, type Io } from './command.ts';
import { invariantsMarkdown, listedIds } from './invariant-docs.ts';

export const LIST_SUBJECTS = ['configs', 'fixes', 'mutants', 'invariants'] as const;
type Subject = (typeof LIST_SUBJECTS)[number];

/** One listed item: its name, the columns of the text table, and its JSON form. */
interface Row {
  readonly cells: readonly string[];
  readonly json: Readonly<Record<string, string | boolean | null>>;
}

/** The first sentence of a catalogue description (up to the first '. ', not counting 'e.g.' and 'i.e.'). */
export function firstSentence(text: string): string {
  const m = /^(.*?(?<!\be\.g|\bi\.e)[.!?])\s/.exec(text);
  return m ? m[1]! : text;
}

function configRows(): Row[] {
  return KERNEL_CONFIG_NAMES.map((name) => {
    const purpose = CONFIG_PURPOSE[name] ?? '(no description yet: add it to src/kernel/config-docs.ts)';
    const shape = configShape(configByName(name));
    return { cells: [name, `${purpose} [${shape}]`], json: { name, purpose, shape } };
  });
}

function fixRows(): Row[] {
  return FIXES.map((f) => {
    const design = DESIGN_FIXES.includes(f);
    const summary = firstSentence(f.description);
    const config = f.config ?? 'canonical';
    return {
      cells: [f.name, `${design ? '[design fix] ' : ''}mends ${f.mends} on ${config} at ${f.site}: ${summary}`],
      json: { name: f.name, mends: f.mends, config, site: f.site, design, summary },
    };
  });
}

function mutantRows(): Row[] {
  return MUTANTS.map((m) => {
    const config = m.config ?? 'canonical';
    return { cells: [m.name, m.catches, config], json: { name: m.name, catches: m.catches, config, site: m.site } };
  });
}

function invariantRows(): Row[] {
  return listedIds().map((id) => {
    const summary = PROPERTY_DOCS[id]?.summary ?? null;
    return { cells: [id, summary ?? '(no description yet: add it to properties/docs.ts)'], json: { id, summary } };
  });
}

function rowsOf(subject: Subject): Row[] {
  return match(subject)
    .with('configs', () => configRows())
    .with('fixes', () => fixRows())
    .with('mutants', () => mutantRows())
    .with('invariants', () => invariantRows())
    .exhaustive();
}

const HEADERS: Readonly<Record<Subject, readonly string[]>> = {
  configs: ['config', 'what it exists to reach [nodes, CPUs, actors]'],
  fixes: ['fix', 'what it mends'],
  mutants: ['mutant', 'expected catcher', 'config'],
  invariants: ['id', 'what must hold (npx cramcheck explain ID)'],
};

/** Columns padded to the widest cell; the last column is never padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

export function listOutput(subject: Subject, format: 'text' | 'json' | 'markdown'): string {
  if (format === 'markdown') return invariantsMarkdown();
  const rows = rowsOf(subject);
  if (format === 'json') return `${JSON.stringify({ generator: GENERATOR, subject, items: rows.map((r) => r.json) }, null, 2)}\n`;
  return `${table(HEADERS[subject], rows.map((r) => r.cells)).join('\n')}\n`;
}

export const listCommand: Command = {
  name: 'list',
  summary: 'list the named configs, fixes, mutants or invariants (runs nothing)',
  usage: [
    'usage: cramcheck list configs|fixes|mutants|invariants [--json] [--markdown]',
    '',
    'configs     each named configuration: what it exists to reach, its nodes, CPUs and actors',
    'fixes       each fix of a v4 finding: the invariant it mends, where, what it changes ([design fix]: not a small v4 change)',
    'mutants     each seeded bug: the invariant expected to catch it and the config it runs on',
    'invariants  each invariant id and what must hold (cramcheck explain ID for its sources)',
    '',
    '--json      the same as JSON; --markdown (invariants only) prints docs/invariants.md.',
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(argv, { json: { type: 'boolean' }, markdown: { type: 'boolean' } }, 1);
    const subject = p.positionals[0];
    if (subject === undefined) throw new UsageError(`list: missing subject (one of ${LIST_SUBJECTS.join(', ')})`);
    if (!(LIST_SUBJECTS as readonly string[]).includes(subject)) {
      throw new UsageError(`list: unknown subject '${subject}' (one of ${LIST_SUBJECTS.join(', ')})`);
    }
    const s = subject as Subject;
    const json = flag(p, 'json');
    const markdown = flag(p, 'markdown');
    if (json && markdown) throw new UsageError('list: --json and --markdown cannot be combined');
    if (markdown && s !== 'invariants') throw new UsageError(`list: --markdown is for 'list invariants' only`);
    io.out(listOutput(s, json ? 'json' : markdown ? 'markdown' : 'text'));
    return EXIT_OK;
  },
};
