/**
 * The explorer's state: every control, read from and written to the URL query with the CLI's
 * flag names (`?schedule=sgd&N=10&batch=2&epochs=3&shuffle=true&order=3&loss=test`), so that a
 * link reproduces the view and the same schedule can be typed into `sgd-diagrams diagrams`.
 *
 * Pure: no DOM, no worker; the schedule is built with the library's own validating
 * constructors, so the page rejects exactly what the engine rejects.
 *
 * @module
 */
import { Rational } from "../../src/algebra/rational.js";
import { gdSchedule, type Schedule, sgdSchedule, stepCount } from "../../src/schedule/schedule.js";

/** The page's views (tabs). */
export const VIEWS = ["diagrams", "predict", "helix"] as const;
export type View = (typeof VIEWS)[number];

/** Named per-step rate profiles `η_t = η·r_t` (the `--eta-scale` list is derived from them). */
export const RATE_PRESETS = ["constant", "decay", "warmup", "step"] as const;
export type RatePreset = (typeof RATE_PRESETS)[number];
/** A preset, or `custom`: the typed `eta-scale` list (the CLI's `--eta-scale`, one multiplier per step). */
export type RateChoice = RatePreset | "custom";

/** Landscapes of the prediction view. */
export const LANDSCAPES = ["noisy-quadratic", "cubic-chi", "gauss-fit", "mnist-logistic"] as const;
export type LandscapeName = (typeof LANDSCAPES)[number];

export interface ExplorerState {
  view: View;
  schedule: "sgd" | "gd";
  N: number;
  /** Steps of `gd` (ignored for `sgd`, where `T = epochs·N/batch`). */
  T: number;
  batch: number;
  epochs: number;
  shuffle: boolean;
  /** Heavy-ball β as typed (`0`, `0.9`, `9/10`). */
  momentum: string;
  rates: RateChoice;
  /** With `rates = custom`: the per-step multipliers as typed, comma-separated (`1,1/2,0.25`), as the CLI's `--eta-scale`. */
  etaScale: string;
  order: number;
  loss: "test" | "train";
  landscape: LandscapeName;
  /** Largest learning rate plotted in the prediction view. */
  etaMax: number;
}

export const DEFAULT_STATE: Readonly<ExplorerState> = Object.freeze({
  view: "diagrams",
  schedule: "sgd",
  N: 4,
  T: 4,
  batch: 1,
  epochs: 2,
  shuffle: false,
  momentum: "0",
  rates: "constant",
  etaScale: "",
  order: 3,
  loss: "test",
  landscape: "noisy-quadratic",
  etaMax: 0.1,
});

/** The default largest η of each landscape: where its truncated series visibly part (T ≈ 10). */
export const DEFAULT_ETA_MAX: Readonly<Record<LandscapeName, number>> = Object.freeze({
  "noisy-quadratic": 0.1,
  "cubic-chi": 0.1,
  "gauss-fit": 0.1,
  // The logistic model's Xavier scale s = √(2/794) sits inside it: its curvature is ~s² smaller.
  "mnist-logistic": 2,
});

/** Largest order the page computes (the engine's table grows to ~800 diagrams at 5). */
export const MAX_PAGE_ORDER = 5;

const MAX_SMALL_INT = 10_000;

/**
 * Reads the query string; unknown keys are ignored and malformed values fall back to the
 * default (a shared link never breaks the page), each fallback reported in `problems`.
 */
export function stateFromQuery(query: string): { state: ExplorerState; problems: string[] } {
  const q = new URLSearchParams(query);
  const s: ExplorerState = { ...DEFAULT_STATE };
  const problems: string[] = [];
  const int = (key: keyof ExplorerState, min: number, max: number) => {
    const v = q.get(key);
    if (v === null) return;
    const n = Number(v);
    if (/^\d+$/.test(v.trim()) && n >= min && n <= max) (s as unknown as Record<string, unknown>)[key] = n;
    else problems.push(`${key} must be an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  };
  const choice = <C extends string>(key: keyof ExplorerState, choices: readonly C[]) => {
    const v = q.get(key);
    if (v === null) return;
    if ((choices as readonly string[]).includes(v)) (s as unknown as Record<string, unknown>)[key] = v;
    else problems.push(`${key} must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}`);
  };
  choice("view", VIEWS);
  choice("schedule", ["sgd", "gd"] as const);
  int("N", 1, MAX_SMALL_INT);
  int("T", 0, MAX_SMALL_INT);
  int("batch", 1, MAX_SMALL_INT);
  int("epochs", 1, MAX_SMALL_INT);
  int("order", 0, MAX_PAGE_ORDER);
  choice("loss", ["test", "train"] as const);
  if (q.get("rates") !== "custom") choice("rates", RATE_PRESETS); // custom: the eta-scale key below
  choice("landscape", LANDSCAPES);
  s.etaMax = DEFAULT_ETA_MAX[s.landscape];
  // The CLI's flag: a link with `eta-scale` describes per-step rates (checked with the schedule).
  const etaScale = q.get("eta-scale");
  if (etaScale !== null) {
    s.rates = "custom";
    s.etaScale = etaScale;
  } else if (q.get("rates") === "custom") problems.push("rates=custom needs an eta-scale list, e.g. eta-scale=1,1,1/2,1/2");
  const shuffle = q.get("shuffle");
  if (shuffle !== null) s.shuffle = shuffle === "true" || shuffle === "1" || shuffle === "";
  const momentum = q.get("momentum");
  if (momentum !== null) s.momentum = momentum;
  const etaMax = q.get("eta-max");
  if (etaMax !== null) {
    const x = Number(etaMax);
    if (Number.isFinite(x) && x > 0 && x <= 10) s.etaMax = x;
    else problems.push(`eta-max must be a number in (0, 10], got ${JSON.stringify(etaMax)}`);
  }
  return { state: s, problems };
}

/** The query string of a state: only the keys that apply, CLI flag names. */
export function queryFromState(s: ExplorerState): string {
  const q = new URLSearchParams();
  if (s.view !== "diagrams") q.set("view", s.view);
  q.set("schedule", s.schedule);
  q.set("N", String(s.N));
  if (s.schedule === "gd") q.set("T", String(s.T));
  else {
    q.set("batch", String(s.batch));
    q.set("epochs", String(s.epochs));
    q.set("shuffle", String(s.shuffle));
  }
  if (s.momentum.trim() !== "" && s.momentum.trim() !== "0") q.set("momentum", s.momentum.trim());
  if (s.rates === "custom") q.set("eta-scale", s.etaScale.replace(/\s+/g, ""));
  else if (s.rates !== "constant") q.set("rates", s.rates);
  q.set("order", String(s.order));
  q.set("loss", s.loss);
  if (s.view === "predict") {
    q.set("landscape", s.landscape);
    q.set("eta-max", String(s.etaMax));
  }
  return q.toString();
}

/**
 * Parses a typed `eta-scale` list for a schedule of `T` steps: one exact multiplier per step,
 * decimals or fractions, comma-separated (what the CLI's `--eta-scale` takes). Throws an Error
 * with a one-line message (shown next to the controls) for anything else.
 */
export function parseEtaScale(text: string, T: number): Rational[] {
  const items = text.split(",").map((x) => x.trim());
  if (text.trim() === "") throw new Error(`eta-scale: type ${T} multipliers, one per step, e.g. ${Array.from({ length: Math.min(T, 4) }, () => "1").join(",")}${T > 4 ? ",…" : ""}`);
  const rates = items.map((x, t) => {
    if (!/^(\d+\/\d+|\d+(\.\d*)?|\.\d+)$/.test(x)) {
      throw new Error(`eta-scale: step ${t + 1}'s multiplier must be a non-negative decimal or fraction (0.5, 1/2), got ${JSON.stringify(x)}`);
    }
    try {
      return Rational.parseDecimal(x);
    } catch {
      throw new Error(`eta-scale: step ${t + 1}'s multiplier ${JSON.stringify(x)} has a zero denominator`);
    }
  });
  if (rates.length !== T) throw new Error(`eta-scale has ${rates.length} multiplier${rates.length === 1 ? "" : "s"} but the schedule has T = ${T} steps: give one per step`);
  return rates;
}

/** Per-step rates `r_t` of a preset over `T` steps (exact rationals). */
export function etaScaleOf(preset: RatePreset, T: number): Rational[] | undefined {
  switch (preset) {
    case "constant":
      return undefined;
    case "decay": // linear decay to 1/T at the last step
      return Array.from({ length: T }, (_, t) => Rational.of(T - t, T));
    case "warmup": // linear warm-up from 1/T to 1
      return Array.from({ length: T }, (_, t) => Rational.of(t + 1, T));
    case "step": // full rate for the first half, half rate after
      return Array.from({ length: T }, (_, t) => (t < Math.ceil(T / 2) ? Rational.ONE : Rational.of(1, 2)));
  }
}

/** The momentum control as an exact rational in `[0, 1)`; throws a readable Error otherwise. */
export function momentumOf(s: ExplorerState): Rational | undefined {
  const text = s.momentum.trim();
  if (text === "" || text === "0") return undefined;
  let m: Rational;
  try {
    m = Rational.parseDecimal(text);
  } catch {
    throw new Error(`momentum must be a decimal like 0.9 or a fraction like 9/10, got ${JSON.stringify(text)}`);
  }
  if (m.sign() < 0 || m.compare(Rational.ONE) >= 0) throw new Error(`momentum must be in [0, 1), got ${text}`);
  return m;
}

/**
 * The schedule the controls describe, validated by the library's constructors. Throws an
 * Error with a one-line message (shown next to the controls) for an impossible combination.
 */
export function scheduleOf(s: ExplorerState): Schedule {
  const momentum = momentumOf(s);
  const extras = momentum !== undefined ? { momentum } : {};
  const rates = (T: number) => (s.rates === "custom" ? parseEtaScale(s.etaScale, T) : etaScaleOf(s.rates, T));
  if (s.schedule === "gd") {
    const etaScale = rates(s.T);
    return gdSchedule(s.N, s.T, { ...extras, ...(etaScale ? { etaScale } : {}) });
  }
  if (s.N % s.batch !== 0) throw new Error(`batch ${s.batch} must divide N ${s.N}`);
  const T = (s.epochs * s.N) / s.batch;
  const etaScale = rates(T);
  return sgdSchedule(s.N, { batch: s.batch, epochs: s.epochs, shuffle: s.shuffle, ...extras, ...(etaScale ? { etaScale } : {}) });
}

/** The equivalent command line (so every table on the page can be reproduced in a terminal). */
export function cliCommand(s: ExplorerState, schedule: Schedule): string {
  const parts = ["npx sgd-diagrams diagrams", `--schedule ${s.schedule}`, `--N ${s.N}`];
  if (s.schedule === "gd") parts.push(`--T ${s.T}`);
  else {
    parts.push(`--batch ${s.batch}`, `--epochs ${s.epochs}`);
    if (s.shuffle) parts.push("--shuffle");
  }
  if (schedule.momentum !== undefined) parts.push(`--momentum ${schedule.momentum.toString()}`);
  if (schedule.etaScale !== undefined) parts.push(`--eta-scale ${schedule.etaScale.map((r) => r.toString()).join(",")}`);
  parts.push(`--order ${s.order}`, `--loss ${s.loss}`, "--json");
  return parts.join(" ");
}

/** `T` of the state's schedule without validating it. */
export function stepsOf(s: ExplorerState): number {
  return s.schedule === "gd" ? s.T : (s.epochs * s.N) / s.batch;
}

export { stepCount };

/** Learning rates where the prediction view measures SGD: 8 evenly spaced up to `eta-max`. */
export function predictionEtas(s: ExplorerState): number[] {
  return Array.from({ length: 8 }, (_, k) => (s.etaMax * (k + 1)) / 8);
}
