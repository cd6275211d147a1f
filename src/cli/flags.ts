import { parseArgs, type ParseArgsConfig } from "node:util";
import { Rational, UsageError } from "../index.js";
import { didYouMean } from "./suggest.js";

/**
 * One row of a command's flag table: the single source of its parsing (`type`) and of its
 * `--help` (placeholder, default, description).
 */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  /** Placeholder of the value in help, e.g. `"<int>"` or `"test|train"` (string flags). */
  readonly value?: string;
  /**
   * The default as help shows it (the command applies it; `parseArgs` never sees it).
   * Absent: the flag is off (booleans) or has no default.
   */
  readonly defaultValue?: string;
  /** Shown bare (not in brackets) in the usage line: the command fails without it. */
  readonly required?: boolean;
  /** One sentence or two; help wraps it. */
  readonly description: string;
}

/** A command's flags by name (without the leading `--`), in help order. */
export type FlagTable = Readonly<Record<string, FlagSpec>>;

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed values of a flag table: strings and booleans, `undefined` when absent. */
export type FlagValues<T extends FlagTable> = { -readonly [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };

/**
 * `parseArgs` in strict mode over a flag table, with its errors turned into one-line usage
 * errors (an unknown flag names the closest known one).
 */
export function parseFlags<T extends FlagTable>(argv: string[], table: T): { values: FlagValues<T>; positionals: string[] } {
  // Let negative numbers be values ("--order -1") so that validation can say what is wrong.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    const opt = a.startsWith("--") ? table[a.slice(2)] : undefined;
    if (opt !== undefined && opt.type === "string" && next !== undefined && /^-[\d.]/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  const options: Options = Object.fromEntries(Object.entries(table).map(([name, f]) => [name, { type: f.type }]));
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    const unknown = /^Unknown option '([^']*)'/.exec(msg);
    if (unknown === null) throw new UsageError(msg);
    const flag = unknown[1];
    const hint = flag.startsWith("--") ? didYouMean(flag.slice(2).split("=")[0], Object.keys(table), (n) => `--${n}`) : "";
    throw new UsageError(`unknown flag ${flag}${hint}`);
  }
}

/** An integer flag in `[min, max]`; `undefined` passes through when not required. */
export function intFlag(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer in [${min}, ${max}], got ${value}`);
  return n;
}

export function requiredInt(value: string | undefined, flag: string, min: number, max: number): number {
  if (value === undefined) throw new UsageError(`${flag} is required (an integer in [${min}, ${max}])`);
  return intFlag(value, flag, min, max)!;
}

/** An exact decimal or fraction flag (`0.9` is exactly 9/10). */
export function rationalFlag(value: string | undefined, flag: string): Rational | undefined {
  if (value === undefined) return undefined;
  try {
    return Rational.parseDecimal(value);
  } catch {
    throw new UsageError(`${flag} must be a decimal like 0.9 or a fraction like 9/10, got ${JSON.stringify(value)}`);
  }
}

/** A comma-separated list of positive finite numbers. */
export function numberListFlag(value: string | undefined, flag: string, opts: { positive?: boolean } = {}): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(",").map((s) => s.trim());
  const out = parts.map((p) => Number(p));
  out.forEach((x, i) => {
    if (parts[i] === "" || !Number.isFinite(x) || (opts.positive === true && x <= 0)) {
      throw new UsageError(`${flag} must be a comma-separated list of ${opts.positive === true ? "positive " : ""}numbers, got ${JSON.stringify(value)}`);
    }
  });
  return out;
}

export function choiceFlag<C extends string>(value: string | undefined, flag: string, choices: readonly C[], fallback?: C): C {
  const v = value ?? fallback;
  if (v === undefined) throw new UsageError(`${flag} is required (one of ${choices.join(", ")})`);
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}${didYouMean(v, choices)}`);
  return v as C;
}
