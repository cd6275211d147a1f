import { parseArgs, type ParseArgsConfig } from "node:util";
import { Rational, UsageError } from "../index.js";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>;

/** `parseArgs` in strict mode, with its errors turned into one-line usage errors. */
export function parseFlags<O extends Options>(argv: string[], options: O, command: string): Parsed<O> {
  // Let negative numbers be values ("--order -1") so that validation can say what is wrong.
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    const opt = a.startsWith("--") ? options[a.slice(2)] : undefined;
    if (opt !== undefined && opt.type === "string" && next !== undefined && /^-[\d.]/.test(next)) {
      args.push(`${a}=${next}`);
      i++;
    } else args.push(a);
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0] : String(e);
    const unknown = /^Unknown option '([^']*)'/.exec(msg);
    throw new UsageError(unknown !== null ? `unknown flag ${unknown[1]}` : msg);
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
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`${flag} must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}`);
  return v as C;
}
