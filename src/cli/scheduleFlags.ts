import {
  customSchedule,
  gdSchedule,
  InvalidArgumentError,
  MAX_ENUMERATION_ORDER,
  Rational,
  type Schedule,
  sgdSchedule,
  UsageError,
} from "../index.js";
import { choiceFlag, type FlagTable, intFlag, rationalFlag, requiredInt } from "./flags.js";

/**
 * The schedule flags shared by `diagrams`, `series`, `verify`, `predict`, `simulate`,
 * `compare`. `--schedule` defaults to sgd; with a default `N` (the main-job commands) `--N` is
 * optional too.
 */
export function scheduleFlags(defaults?: { N: number }) {
  return {
    schedule: {
      type: "string",
      value: "sgd|gd|custom",
      defaultValue: "sgd",
      description: "sgd: E epochs of N/B batches of B distinct points; gd: T steps on all N points; custom: the batches given by --batches.",
    },
    N: {
      type: "string",
      value: "<int>",
      ...(defaults === undefined ? { required: true } : { defaultValue: String(defaults.N) }),
      description: "Training-set size.",
    },
    T: { type: "string", value: "<int>", description: "Number of steps: required for gd; for sgd it is E·N/B, so leave it out." },
    batch: { type: "string", value: "<B>", defaultValue: "1", description: "Batch size for sgd (must divide N)." },
    epochs: { type: "string", value: "<E>", defaultValue: "1", description: "Number of epochs for sgd." },
    shuffle: { type: "boolean", description: "sgd: reshuffle the training set at each epoch (default: the same order every epoch)." },
    momentum: { type: "string", value: "<β>", defaultValue: "0", description: "Heavy-ball momentum β in [0, 1), exact as a decimal (0.9) or fraction (9/10)." },
    "eta-scale": { type: "string", value: "r0,r1,…", description: "Per-step multipliers of η, one per step (η_t = η·r_t), exact decimals or fractions." },
    batches: { type: "string", value: '"0,1;2,3"', description: "custom: the points of each step's batch, steps separated by ';'." },
  } as const satisfies FlagTable;
}

export interface ScheduleFlagValues {
  schedule?: string;
  N?: string;
  T?: string;
  batch?: string;
  epochs?: string;
  shuffle?: boolean;
  momentum?: string;
  "eta-scale"?: string;
  batches?: string;
}

const MAX = 1_000_000_000;

/** Reads the schedule flags into a validated {@link Schedule} (user mistakes → UsageError). */
export function scheduleFromFlags(v: ScheduleFlagValues, defaults: { N?: number } = {}): Schedule {
  const kind = choiceFlag(v.schedule, "--schedule", ["sgd", "gd", "custom"] as const, "sgd");
  const N = v.N === undefined && defaults.N !== undefined ? defaults.N : requiredInt(v.N, "--N", 1, MAX);
  const momentum = rationalFlag(v.momentum, "--momentum");
  if (momentum !== undefined && (momentum.sign() < 0 || momentum.compare(Rational.ONE) >= 0)) {
    throw new UsageError(`--momentum must be in [0, 1), got ${v.momentum}`);
  }
  const etaScale = v["eta-scale"] === undefined ? undefined : v["eta-scale"].split(",").map((x) => rationalFlag(x, "--eta-scale")!);
  const extras = { ...(momentum !== undefined ? { momentum } : {}), ...(etaScale !== undefined ? { etaScale } : {}) };
  try {
    switch (kind) {
      case "sgd": {
        const batch = intFlag(v.batch, "--batch", 1, MAX) ?? 1;
        if (N % batch !== 0) throw new UsageError(`--batch ${batch} must divide --N ${N}`);
        const epochs = intFlag(v.epochs, "--epochs", 1, MAX) ?? 1;
        const T = intFlag(v.T, "--T", 0, MAX);
        if (T !== undefined && T !== (epochs * N) / batch) {
          throw new UsageError(`--T ${T} disagrees with --schedule sgd: T = epochs·N/batch = ${(BigInt(epochs) * BigInt(N)) / BigInt(batch)} (omit --T)`);
        }
        if (v.batches !== undefined) throw new UsageError("--batches goes with --schedule custom");
        return sgdSchedule(N, { batch, epochs, shuffle: v.shuffle ?? false, ...extras });
      }
      case "gd": {
        if (v.batch !== undefined || v.epochs !== undefined || v.shuffle === true) {
          throw new UsageError("--schedule gd uses all N points at each of --T steps; --batch, --epochs and --shuffle do not apply");
        }
        return gdSchedule(N, requiredInt(v.T, "--T", 0, MAX), extras);
      }
      case "custom": {
        if (v.batches === undefined) throw new UsageError('--schedule custom needs --batches, e.g. --batches "0,1;2;0,2"');
        const batches = v.batches.split(";").map((b) =>
          b.split(",").map((x) => {
            const n = intFlag(x.trim(), "--batches entry", 0, N - 1);
            return n!;
          }),
        );
        return customSchedule(N, batches, extras);
      }
    }
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new UsageError(e.message);
    throw e;
  }
}

/** The order flag: an integer in `[0, max]`. */
export function orderFromFlag(value: string | undefined, max: number = MAX_ENUMERATION_ORDER): number {
  if (value === undefined) throw new UsageError(`--order is required (an integer in [0, ${max}])`);
  if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError(`--order must be a non-negative integer, got ${JSON.stringify(value)}`);
  const n = Number(value);
  if (n < 0) throw new UsageError(`--order must be a non-negative integer, got ${value}`);
  if (n > max) throw new UsageError(`--order ${value} is too large: the engine holds orders up to ${max} in memory and time`);
  return n;
}
