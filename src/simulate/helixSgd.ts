/**
 * Vanilla SGD on the helix ("thermodynamic engine", docs/theory.md#thermodynamic-engine) in float64 with a
 * hand-coded gradient, vectorised over independent runs.
 *
 * @module
 */
import { InvalidArgumentError, requireFinite, requireInt } from "../errors.js";
import type { Rng } from "../stats/rng.js";
import { type Sums, sumsOf } from "../stats/sums.js";

/**
 * The gradient of the helix loss
 * `l_x(u, v, z) = ½[u² + v² + s²] + x·(c′u + s′v) + αz` with `s = cos z·u + sin z·v`,
 * `c′ = cos(z − π/4)`, `s′ = sin(z − π/4)`:
 *
 * - `∂_u = u + s·cos z + x·c′`
 * - `∂_v = v + s·sin z + x·s′`
 * - `∂_z = s·(v cos z − u sin z) + x·(v c′ − u s′) + α`
 *
 * (the same loss as `helix()` in `src/landscapes/builtin.ts`; a test checks it against the
 * jax-js oracle).
 *
 * @param theta - `(u, v, z)`.
 * @param x - the datum.
 * @param alpha - tilt `α`.
 * @param out - where to write (a new array by default).
 */
export function helixGradient(theta: ArrayLike<number>, x: number, alpha = 0, out: Float64Array = new Float64Array(3)): Float64Array {
  const u = theta[0];
  const v = theta[1];
  const z = theta[2];
  const c = Math.cos(z);
  const s = Math.sin(z);
  const cn = (c + s) * Math.SQRT1_2; // cos(z − π/4)
  const sn = (s - c) * Math.SQRT1_2; // sin(z − π/4)
  const stiff = c * u + s * v;
  out[0] = u + stiff * c + x * cn;
  out[1] = v + stiff * s + x * sn;
  out[2] = stiff * (v * c - u * s) + x * (v * cn - u * sn) + alpha;
  return out;
}

/** The helix's test loss `E_x l_x = ½[u² + v² + (cos z·u + sin z·v)²] + αz`. */
export function helixTestLoss(u: number, v: number, z: number, alpha = 0): number {
  const stiff = Math.cos(z) * u + Math.sin(z) * v;
  return 0.5 * (u * u + v * v + stiff * stiff) + alpha * z;
}

/** Options of {@link simulateHelix}. */
export interface HelixSimulationOptions {
  /** Learning rate `η > 0`. */
  readonly eta: number;
  /** Number of SGD steps `T` (one fresh datum `x ~ N(0,1)` per step). */
  readonly T: number;
  /** Independent runs, all started at `u = v = z = 0`. */
  readonly runs: number;
  /** Tilt `α` of the added `αz`. @defaultValue 0 */
  readonly alpha?: number;
  /** Record statistics at `t = 0, every, 2·every, …` (and at `T`). */
  readonly recordEvery: number;
  /** Also keep the `z` trajectories of the first this-many runs. @defaultValue 0 */
  readonly trackRuns?: number;
}

/** Mergeable sums over runs at each recorded time ({@link Sums}), so chunks of runs can be merged. */
export interface HelixSimulationResult {
  readonly runs: number;
  readonly times: readonly number[];
  /** Count, mean and squared deviations of `z_t` over runs, at each recorded time. */
  readonly z: Sums[];
  /** The same of the test loss `l(θ_t)` (exact in `x`). */
  readonly loss: Sums[];
  /** `z` trajectories of the tracked runs: `tracks[k][i]` at `times[i]`. */
  readonly tracks: number[][];
  /** Per-run `u, v` at the end (for the tracked runs). */
  readonly finalUV: [number, number][];
}

/**
 * Runs SGD on the helix for `runs` independent runs in lock-step (one datum per run per step,
 * drawn from `rng`), and records the mergeable sums of `z` and of the test loss at the recorded times.
 *
 * @throws InvalidArgumentError for a non-positive `η`, non-integer sizes or `recordEvery < 1`.
 */
export function simulateHelix(options: HelixSimulationOptions, rng: Rng): HelixSimulationResult {
  const where = "simulateHelix";
  const eta = requireFinite(options.eta, where, "eta");
  if (!(eta > 0)) throw new InvalidArgumentError(where, "eta", "positive", eta);
  const T = requireInt(options.T, where, "T", 0, 1e9);
  const R = requireInt(options.runs, where, "runs", 1, 1e7);
  const every = requireInt(options.recordEvery, where, "recordEvery", 1, 1e9);
  const alpha = requireFinite(options.alpha ?? 0, where, "alpha");
  const tracked = Math.min(R, requireInt(options.trackRuns ?? 0, where, "trackRuns", 0, 1e6));
  const u = new Float64Array(R);
  const v = new Float64Array(R);
  const z = new Float64Array(R);
  const x = new Float64Array(R);
  const times: number[] = [];
  const zSums: Sums[] = [];
  const lossSums: Sums[] = [];
  const losses = new Float64Array(R);
  const tracks: number[][] = Array.from({ length: tracked }, () => []);
  const record = (t: number): void => {
    for (let r = 0; r < R; r++) losses[r] = helixTestLoss(u[r], v[r], z[r], alpha);
    times.push(t);
    zSums.push(sumsOf(z));
    lossSums.push(sumsOf(losses));
    for (let k = 0; k < tracked; k++) tracks[k].push(z[k]);
  };
  record(0);
  for (let t = 1; t <= T; t++) {
    rng.fillNormal(x);
    for (let r = 0; r < R; r++) {
      const ur = u[r];
      const vr = v[r];
      const zr = z[r];
      const c = Math.cos(zr);
      const s = Math.sin(zr);
      const cn = (c + s) * Math.SQRT1_2;
      const sn = (s - c) * Math.SQRT1_2;
      const stiff = c * ur + s * vr;
      const xr = x[r];
      u[r] = ur - eta * (ur + stiff * c + xr * cn);
      v[r] = vr - eta * (vr + stiff * s + xr * sn);
      z[r] = zr - eta * (stiff * (vr * c - ur * s) + xr * (vr * cn - ur * sn) + alpha);
    }
    if (t % every === 0 || t === T) record(t);
  }
  const finalUV: [number, number][] = [];
  for (let k = 0; k < tracked; k++) finalUV.push([u[k], v[k]]);
  return { runs: R, times, z: zSums, loss: lossSums, tracks, finalUV };
}
