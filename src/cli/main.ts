// cramcheck entry point: dispatch to a command of the registry, turn bad input
// (UsageError) into one `cramcheck: ...` line on stderr with exit 2, and set
// the exit code without calling process.exit so piped output is flushed.

import { UsageError } from './args.ts';
import { EXIT_INTERNAL, EXIT_USAGE, type Command, type Io } from './command.ts';
import { FootprintEscape } from '../explore/footprint.ts';
import { SymmetryUnsound } from '../explore/symmetry.ts';
import { installStopPipe } from './stop.ts';
import { CRAMCHECK_VERSION } from '../version.ts';
import { coverageCommand } from './coverage-cmd.ts';
import { exploreCommand } from './explore-cmd.ts';
import { exportCommand } from './export-cmd.ts';
import { explainCommand } from './explain-cmd.ts';
import { listCommand } from './list-cmd.ts';
import { findingsCommand } from './findings-cmd.ts';
import { livenessCommand } from './liveness-cmd.ts';
import { mbtCommand } from './mbt-cmd.ts';
import { mutantsCommand } from './mutants-cmd.ts';
import { replayCommand } from './replay-cmd.ts';
import { reportCommand } from './report-cmd.ts';
import { triageCommand } from './triage-cmd.ts';
import { viewCommand } from './view-cmd.ts';

/** The command registry: adding a command is one line here. */
export const COMMANDS: readonly Command[] = [
  exploreCommand,
  replayCommand,
  mutantsCommand,
  coverageCommand,
  mbtCommand,
  findingsCommand,
  triageCommand,
  livenessCommand,
  reportCommand,
  viewCommand,
  exportCommand,
  listCommand,
  explainCommand,
];

function helpText(): string[] {
  const w = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'cramcheck: model checker for the RFC "Private Memory Nodes (w/ Compressed RAM)" v4',
    '',
    'usage: cramcheck <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    `  ${'help'.padEnd(w)}  this text; 'cramcheck help <command>' for a command's options`,
    '',
    'Exit codes: 0 every invariant holds (search finished), 1 a violation (or replay diverged),',
    '            2 bad input (nothing ran), 3 incomplete (a bound, memory or a signal stopped the',
    '            search before it finished, and no violation was found), 4 internal error.',
    `Version: ${CRAMCHECK_VERSION} ('cramcheck --version').`,
  ];
}

/** Run the CLI on argv (without node and script); returns the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === '--version' || name === '-V' || name === 'version') {
      io.out(`cramcheck ${CRAMCHECK_VERSION}\n`);
      return 0;
    }
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = rest[0];
      if (name === 'help' && topic !== undefined) {
        const c = COMMANDS.find((x) => x.name === topic);
        if (!c) throw new UsageError(`help: unknown command '${topic}'`);
        io.out(`${c.summary}\n\n${c.usage.join('\n')}\n`);
        return 0;
      }
      io.out(`${helpText().join('\n')}\n`);
      return name === undefined ? EXIT_USAGE : 0;
    }
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`unknown command '${name}' (commands: ${COMMANDS.map((c) => c.name).join(', ')}, help)`);
    // `cramcheck <command> --help` (anywhere among its flags, before a `--`).
    const dashdash = rest.indexOf('--');
    const own = dashdash < 0 ? rest : rest.slice(0, dashdash);
    if (own.includes('--help') || own.includes('-h')) {
      io.out(`${cmd.summary}\n\n${cmd.usage.join('\n')}\n`);
      return 0;
    }
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`cramcheck: ${e.message.split('\n')[0]}\n`);
      return EXIT_USAGE;
    }
    // A reduction that would be unsound on this run (src/explore/footprint.ts): one line, exit 4.
    if (e instanceof FootprintEscape || e instanceof SymmetryUnsound) {
      io.err(`cramcheck: ${e.message}\n`);
      return EXIT_INTERNAL;
    }
    throw e;
  }
}

const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

// Only when run as the entry point (tests import runCli without side effects).
if (process.argv[1] !== undefined && /main\.ts$/.test(process.argv[1])) {
  // A signal forwarded by the bin ends an idle process as the signal would;
  // a polling command (explore) stops cleanly instead (stop.ts).
  installStopPipe();
  runCli(process.argv.slice(2), processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      // A bug in cramcheck, not bad input: say so in one line plus the stack for the report.
      process.stderr.write(`cramcheck: internal error (a bug in cramcheck, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = EXIT_INTERNAL;
    },
  );
}
