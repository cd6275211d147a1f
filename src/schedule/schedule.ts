import { Rational } from "../algebra/rational.js";
import { InvalidArgumentError, requireInt } from "../errors.js";

/**
 * A training schedule (docs/theory.md#setting): `T` steps, step `t` averaging the gradients of the
 * training indices in its batch `b_t ⊆ {0..N-1}`.
 *
 * - `sgd`: `epochs` passes over `N` points in consecutive batches of size `batch`
 *   (`T = epochs·N/batch`); with `shuffle` every epoch uses an independent uniformly random
 *   order (the expectation is over those permutations).
 * - `gd`: `T` steps, each on all `N` points.
 * - `custom`: an explicit list of batches.
 *
 * Optional for every kind:
 * - `momentum` β ∈ [0, 1): heavy ball `v ← βv − η g`, `θ ← θ + v` (docs/theory.md#momentum-and-hessian-update);
 * - `etaScale`: per-step learning rates `η_t = η·etaScale[t]` (length `T`).
 */
export type Schedule = SgdSchedule | GdSchedule | CustomSchedule;

/** The options every schedule kind may carry (momentum, per-step learning-rate scales). */
export interface ScheduleExtras {
  readonly momentum?: Rational;
  readonly etaScale?: readonly Rational[];
}

export interface SgdSchedule extends ScheduleExtras {
  readonly kind: "sgd";
  readonly N: number;
  readonly batch: number;
  readonly epochs: number;
  readonly shuffle: boolean;
}

export interface GdSchedule extends ScheduleExtras {
  readonly kind: "gd";
  readonly N: number;
  readonly T: number;
}

export interface CustomSchedule extends ScheduleExtras {
  readonly kind: "custom";
  readonly N: number;
  readonly batches: readonly (readonly number[])[];
}

/** Largest N, T accepted anywhere (keeps exact counts and loops finite). */
export const MAX_STEPS = 1_000_000_000;

/** Number of steps `T` of a schedule. */
export function stepCount(s: Schedule): number {
  switch (s.kind) {
    case "sgd":
      return (s.epochs * s.N) / s.batch;
    case "gd":
      return s.T;
    case "custom":
      return s.batches.length;
  }
}

/**
 * {@link stepCount} as an exact integer: `E·N/B` can pass 2^53 (`--N` and `--epochs` up to 1e9
 * each), where the float product is rounded; outputs print this one.
 */
export function stepCountExact(s: Schedule): bigint {
  return s.kind === "sgd" ? (BigInt(s.epochs) * BigInt(s.N)) / BigInt(s.batch) : BigInt(stepCount(s));
}

/** The largest batch of a step: `B` for SGD, `N` for GD, the longest batch (at least 1) of a custom schedule. */
export function largestBatch(s: Schedule): number {
  return s.kind === "sgd" ? s.batch : s.kind === "gd" ? s.N : Math.max(1, ...s.batches.map((b) => b.length));
}

export interface SgdScheduleOptions {
  /** @defaultValue 1 */ batch?: number;
  /** @defaultValue 1 */ epochs?: number;
  /** @defaultValue false */ shuffle?: boolean;
  momentum?: Rational;
  etaScale?: readonly Rational[];
}

/** SGD over `N` points; validates that `batch` divides `N`. */
export function sgdSchedule(N: number, options: SgdScheduleOptions = {}): SgdSchedule {
  requireInt(N, "sgdSchedule", "N", 1, MAX_STEPS);
  const batch = requireInt(options.batch ?? 1, "sgdSchedule", "batch", 1, N);
  if (N % batch !== 0) throw new InvalidArgumentError("sgdSchedule", "batch", `a divisor of N = ${N}`, batch);
  const epochs = requireInt(options.epochs ?? 1, "sgdSchedule", "epochs", 1, MAX_STEPS);
  const s: SgdSchedule = { kind: "sgd", N, batch, epochs, shuffle: options.shuffle ?? false, ...extras(options, "sgdSchedule") };
  checkEtaScale(s, "sgdSchedule");
  return s;
}

/** GD on `N` points for `T` steps. */
export function gdSchedule(N: number, T: number, options: { momentum?: Rational; etaScale?: readonly Rational[] } = {}): GdSchedule {
  requireInt(N, "gdSchedule", "N", 1, MAX_STEPS);
  requireInt(T, "gdSchedule", "T", 0, MAX_STEPS);
  const s: GdSchedule = { kind: "gd", N, T, ...extras(options, "gdSchedule") };
  checkEtaScale(s, "gdSchedule");
  return s;
}

/** An explicit list of batches over indices `0..N-1` (each batch non-empty, no repeats). */
export function customSchedule(
  N: number,
  batches: readonly (readonly number[])[],
  options: { momentum?: Rational; etaScale?: readonly Rational[] } = {},
): CustomSchedule {
  requireInt(N, "customSchedule", "N", 1, MAX_STEPS);
  batches.forEach((b, t) => {
    if (b.length === 0 || new Set(b).size !== b.length || b.some((n) => !Number.isInteger(n) || n < 0 || n >= N)) {
      throw new InvalidArgumentError("customSchedule", `batches[${t}]`, `a non-empty list of distinct indices in 0..${N - 1}`, [...b]);
    }
  });
  const s: CustomSchedule = { kind: "custom", N, batches: batches.map((b) => [...b]), ...extras(options, "customSchedule") };
  checkEtaScale(s, "customSchedule");
  return s;
}

/**
 * The batches of a schedule without shuffling (for `sgd` with `shuffle`, the identity order
 * of every epoch; callers that need the expectation over shuffles must not use this).
 */
export function explicitBatches(s: Schedule): number[][] {
  switch (s.kind) {
    case "custom":
      return s.batches.map((b) => [...b]);
    case "gd": {
      const all = Array.from({ length: s.N }, (_, n) => n);
      return Array.from({ length: s.T }, () => [...all]);
    }
    case "sgd": {
      const out: number[][] = [];
      for (let e = 0; e < s.epochs; e++) {
        for (let j = 0; j < s.N / s.batch; j++) out.push(Array.from({ length: s.batch }, (_, i) => j * s.batch + i));
      }
      return out;
    }
  }
}

function extras(o: ScheduleExtras, where: string): ScheduleExtras {
  const out: { momentum?: Rational; etaScale?: readonly Rational[] } = {};
  if (o.momentum !== undefined) {
    if (o.momentum.sign() < 0 || o.momentum.compare(Rational.ONE) >= 0) {
      throw new InvalidArgumentError(where, "momentum", "in [0, 1)", o.momentum.toString());
    }
    if (!o.momentum.isZero()) out.momentum = o.momentum;
  }
  if (o.etaScale !== undefined) out.etaScale = [...o.etaScale];
  return out;
}

function checkEtaScale(s: Schedule, where: string): void {
  if (s.etaScale !== undefined && s.etaScale.length !== stepCount(s)) {
    throw new InvalidArgumentError(where, "etaScale", `a list of T = ${stepCount(s)} rates`, s.etaScale.length);
  }
}
