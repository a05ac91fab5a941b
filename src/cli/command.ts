// The command registry's contract. Each command lives in its own file and
// exports one Command; main.ts lists them (adding a command is one line there).
// Commands write through Io (never process.stdout directly) so tests and main
// agree on what was printed, and return the exit code instead of exiting.

export const EXIT_OK = 0;
/** An invariant was violated, a mutant escaped, or a replay diverged. */
export const EXIT_VIOLATION = 1;
/** Bad input: flags, config, trace file, output path. Nothing ran, nothing was written. */
export const EXIT_USAGE = 2;
/**
 * The run did not finish (a state or depth bound, memory, a signal) and found
 * no violation: not a pass. CI must treat it as a failure.
 */
export const EXIT_INCOMPLETE = 3;
/** cramcheck itself failed (a bug): the message says so. */
export const EXIT_INTERNAL = 4;

export interface Io {
  /** Write text to stdout (caller includes newlines). */
  out(text: string): void;
  /** Write text to stderr. */
  err(text: string): void;
}

export interface Command {
  readonly name: string;
  /** One line for `cramcheck help`. */
  readonly summary: string;
  /** Usage lines shown by `cramcheck help <name>`. */
  readonly usage: readonly string[];
  /** Throws UsageError (args.ts) for bad input; returns the exit code otherwise. */
  run(argv: readonly string[], io: Io): Promise<number> | number;
}
