import { BudgetExceededError, DivisionByZeroError, InsufficientSamplesError, InvalidArgumentError, UsageError } from "../index.js";
import { FileSystemError, fsErrorLine, isFsError } from "../harness/safeFile.js";
import type { Command, CommandIO } from "./command.js";
import { diagrams } from "./commands/diagrams.js";
import { reproduce } from "./commands/reproduce.js";
import { compare, predict, simulate } from "./commands/mainJob.js";
import { series } from "./commands/series.js";
import { verify } from "./commands/verify.js";

const COMMANDS: readonly Command[] = [compare, predict, simulate, diagrams, series, verify, reproduce];

function help(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return `sgd-diagrams — the space-time (Feynman-diagram) calculus of SGD\n\nUsage: sgd-diagrams <command> [flags]\n\nCommands:\n${lines.join("\n")}\n\nRun 'sgd-diagrams <command> --help' for a command's flags. Add --debug to see stack traces.\n`;
}

/**
 * Runs the CLI and returns the exit code: 0 success, 1 a known domain error (e.g. a
 * budget exceeded), 2 a user mistake (one line on stderr, never a stack trace).
 */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  const name = args[0];
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(help());
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    io.stderr(`sgd-diagrams: unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(", ")})\n`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(`${cmd.summary}\n\nUsage: ${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(args.slice(1), io);
  } catch (e) {
    if (debug) io.stderr(`${e instanceof Error ? e.stack : String(e)}\n`);
    // Any file-system error (a bad --out, a full disk, a read-only folder): one line with the path.
    if (e instanceof FileSystemError || isFsError(e)) {
      io.stderr(`sgd-diagrams ${cmd.name}: ${(e instanceof FileSystemError ? e : fsErrorLine(e)).message}\n`);
      return 2;
    }
    if (e instanceof UsageError || e instanceof InvalidArgumentError) {
      io.stderr(`sgd-diagrams ${cmd.name}: ${e.message} (see: sgd-diagrams ${cmd.name} --help)\n`);
      return 2;
    }
    if (e instanceof BudgetExceededError || e instanceof InsufficientSamplesError || e instanceof DivisionByZeroError) {
      io.stderr(`sgd-diagrams ${cmd.name}: ${e.message}\n`);
      return 1;
    }
    if (!debug) io.stderr(`${e instanceof Error ? e.stack : String(e)}\n`);
    return 3;
  }
}
