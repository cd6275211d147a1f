import type { FlagTable } from "./flags.js";

/** Where a command writes: injected so tests can capture output. */
export interface CommandIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is an interactive terminal (progress bars only then). */
  readonly interactive: boolean;
}

/** One subcommand of the CLI: parses its flags, calls the library, prints. No math here. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /**
   * The flag table its parser reads; `--help` and the usage line are generated from it
   * (see help.ts). A command without one shows {@link usage} as written.
   */
  readonly flags?: FlagTable;
  /** Positional arguments for the usage line, e.g. `"<id>|all"`. */
  readonly positionals?: string;
  /** Paragraphs printed after the flag list (defaults that depend on other flags, timings). */
  readonly notes?: readonly string[];
  /** Free-text usage, for commands without a flag table. */
  readonly usage?: string;
  run(argv: string[], io: CommandIO): Promise<number> | number;
}
