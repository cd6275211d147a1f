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
  readonly usage: string;
  run(argv: string[], io: CommandIO): Promise<number> | number;
}
