/**
 * Help text generated from each command's flag table, so that parsing and help cannot drift
 * apart, wrapped to {@link HELP_WIDTH} columns.
 *
 * @module
 */
import type { Command } from "./command.js";
import type { FlagSpec, FlagTable } from "./flags.js";

/** Column limit of every help screen and table the CLI prints. */
export const HELP_WIDTH = 100;

/**
 * Greedy word wrap for text that starts at column `start` (already printed before it) in a
 * screen `width` columns wide; continuation lines are indented to `start`. A word longer than
 * the space gets a line of its own.
 */
export function wrap(text: string, width: number, start = 0): string {
  const room = Math.max(10, width - start);
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    if (line.length > 0 && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
    } else line = line.length === 0 ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join("\n" + " ".repeat(start));
}

/** `--name <value>` as the usage line and the flag list write it. */
export function flagSignature(name: string, f: FlagSpec): string {
  return f.type === "boolean" || f.value === undefined ? `--${name}` : `--${name} ${f.value}`;
}

/** `sgd-diagrams <name> <positionals> <required flags> [flags]`: defaulted flags are never shown as required. */
export function usageLine(cmd: Command): string {
  if (cmd.flags === undefined) return cmd.usage ?? `sgd-diagrams ${cmd.name}`;
  const required = Object.entries(cmd.flags)
    .filter(([, f]) => f.required === true)
    .map(([n, f]) => flagSignature(n, f));
  const optional = Object.values(cmd.flags).some((f) => f.required !== true);
  return ["sgd-diagrams", cmd.name, cmd.positionals, ...required, optional ? "[flags]" : undefined].filter((x) => x !== undefined && x !== "").join(" ");
}

/** The flag list: signature, then the description with `(default: …)` or `(required)`. */
export function flagList(flags: FlagTable, width = HELP_WIDTH): string {
  const rows = Object.entries(flags).map(([n, f]) => {
    const tag = f.required === true ? " (required)" : f.defaultValue !== undefined ? ` (default: ${f.defaultValue})` : "";
    return { sig: flagSignature(n, f), text: f.description + tag };
  });
  // Signatures in a left column; a long one gets its description on the next line.
  const col = Math.min(30, Math.max(...rows.map((r) => r.sig.length)) + 4);
  return rows
    .map(({ sig, text }) => {
      const head = `  ${sig}`;
      const body = wrap(text, width, col).split("\n").map((l) => l.trimStart());
      const first = head.length + 2 <= col ? `${head.padEnd(col)}${body[0]}` : `${head}\n${" ".repeat(col)}${body[0]}`;
      return [first, ...body.slice(1).map((l) => " ".repeat(col) + l)].join("\n");
    })
    .join("\n");
}

/** The whole `<command> --help` / `help <command>` screen. */
export function commandHelp(cmd: Command, width = HELP_WIDTH): string {
  const parts = [wrap(`sgd-diagrams ${cmd.name}: ${cmd.summary}`, width), wrap(`Usage: ${usageLine(cmd)}`, width, 7)];
  if (cmd.flags !== undefined) parts.push(`Flags:\n${flagList(cmd.flags, width)}`);
  for (const note of cmd.notes ?? []) parts.push(wrap(note, width));
  return parts.join("\n\n") + "\n";
}

/** The general help: commands with their summaries. */
export function generalHelp(commands: readonly Command[], width = HELP_WIDTH): string {
  const w = Math.max(...commands.map((c) => c.name.length)) + 2;
  const lines = commands.map((c) => `  ${c.name.padEnd(w)}${wrap(c.summary, width, w + 2)}`);
  return [
    "sgd-diagrams: the space-time (Feynman-diagram) calculus of SGD",
    "Usage: sgd-diagrams <command> [flags]",
    `Commands:\n${lines.join("\n")}`,
    wrap("Run 'sgd-diagrams help <command>' (or '<command> --help') for a command's flags, 'sgd-diagrams --version' for the version. Add --debug to see stack traces.", width),
  ].join("\n\n") + "\n";
}
