import { BudgetExceededError, DivisionByZeroError, InsufficientSamplesError, InvalidArgumentError, MissingPackageError, UsageError } from "../index.js";
import { FileSystemError, fsErrorLine, isFsError } from "../harness/safeFile.js";
import type { Command, CommandIO } from "./command.js";
import { commandHelp, generalHelp } from "./help.js";
import { didYouMean } from "./suggest.js";
import { packageVersion } from "./version.js";
import { diagrams } from "./commands/diagrams.js";
import { explore } from "./commands/explore.js";
import { merge } from "./commands/merge.js";
import { reproduce } from "./commands/reproduce.js";
import { compare, predict, simulate } from "./commands/mainJob.js";
import { series } from "./commands/series.js";
import { verify } from "./commands/verify.js";

const COMMANDS: readonly Command[] = [compare, predict, simulate, merge, diagrams, series, verify, reproduce, explore];

/** `unknown command "x" (did you mean y?; commands: …)` */
function unknownCommand(name: string): string {
  const names = COMMANDS.map((c) => c.name);
  return `sgd-diagrams: unknown command ${JSON.stringify(name)}${didYouMean(name, names)} (commands: ${names.join(", ")})\n`;
}

/**
 * Runs the CLI and returns the exit code: 0 success, 1 a known domain error (e.g. a
 * budget exceeded), 2 a user mistake (one line on stderr, never a stack trace).
 */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  const name = args[0];
  if (name === "--version" || name === "-V") {
    io.stdout(`sgd-diagrams ${packageVersion()}\n`);
    return 0;
  }
  if (name === undefined || name === "--help" || name === "-h" || (name === "help" && args.length === 1)) {
    io.stdout(generalHelp(COMMANDS));
    return name === undefined ? 2 : 0;
  }
  if (name === "help") {
    const topic = COMMANDS.find((c) => c.name === args[1]);
    if (topic === undefined) {
      io.stderr(unknownCommand(args[1]));
      return 2;
    }
    io.stdout(commandHelp(topic));
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    io.stderr(unknownCommand(name));
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout(commandHelp(cmd));
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
    if (e instanceof MissingPackageError) {
      io.stderr(`sgd-diagrams ${cmd.name}: ${e.message}\n`);
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
