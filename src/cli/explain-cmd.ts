// `cramcheck explain ID`: what an invariant (INV-*, CONFORMANCE-<machine>,
// DEADLOCK) says in kernel terms, why it matters, and its sources: the v4
// kernel functions and the cover-letter sentence it comes from. Runs nothing.

import { GENERATOR } from '../version.ts';
import { flag, parseCommandArgs, UsageError } from './args.ts';
import { EXIT_OK, type Command, type Io } from './command.ts';
import { explainText, invariantEntry, resolveInvariantId } from './invariant-docs.ts';

export const explainCommand: Command = {
  name: 'explain',
  summary: "an invariant's statement, why it matters and its sources (kernel code, RFC cover letter)",
  usage: [
    'usage: cramcheck explain ID [--json]',
    '',
    'ID: an invariant (e.g. INV-RO), CONFORMANCE-<machine> or DEADLOCK; case does not matter.',
    "The known ids: 'cramcheck list invariants'; all of them in one page: docs/invariants.md.",
  ],
  run(argv: readonly string[], io: Io): number {
    const p = parseCommandArgs(argv, { json: { type: 'boolean' } }, 1);
    const input = p.positionals[0];
    if (input === undefined) throw new UsageError("explain: missing invariant id (see 'cramcheck list invariants')");
    const id = resolveInvariantId(input);
    if (id === undefined) throw new UsageError(`explain: unknown invariant '${input}' (see 'cramcheck list invariants')`);
    const e = invariantEntry(id);
    if (flag(p, 'json')) io.out(`${JSON.stringify({ generator: GENERATOR, ...e }, null, 2)}\n`);
    else io.out(`${explainText(e).join('\n')}\n`);
    return EXIT_OK;
  },
};
