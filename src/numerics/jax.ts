/**
 * The one bootstrap module for jax-js: Node shims, backend initialisation, the dtype/device
 * policy, ownership helpers, and the curated re-exports the rest of the code may use.
 *
 * Only `src/numerics/**` imports `@jax-js/jax`; everything else (landscapes, simulate,
 * predict) imports what it needs from here or from the oracles, and sees `Float64Array` and
 * `number` at its boundary.
 *
 * ## Ownership rules (jax-js reference counting)
 *
 * jax-js frees device memory by reference counting, not by garbage collection:
 *
 * 1. A new array has reference count 1; whoever created it **owns** that reference.
 * 2. Passing an array to any jax-js function or method (`np.add(a, b)`, `a.mul(b)`,
 *    `grad(f)(a)`, `a.dataSync()`, `a.item()`) **consumes** one reference. To keep using `a`,
 *    pass `a.ref` (which adds a reference and returns `a`).
 * 3. An owned array that will not be passed on must be released with `a.dispose()`.
 * 4. Our own jax-level functions follow the same convention: a `LossFunction`
 *    `(theta, x) => scalar` consumes both arguments exactly once (use `.ref` for every use
 *    but the last) and returns a new array that the caller owns. Closed-over arrays are
 *    used through `.ref` and disposed by whoever created them.
 * 5. Reading data out (`dataSync`, `data`, `js`, `item`, and {@link toFloat64Array},
 *    {@link toNumber} here) consumes the array.
 * 6. **Error paths too.** A jax-js op that throws does *not* consume its arguments (observed:
 *    after a broadcast error, `a.refCount` is unchanged). Code that creates arrays therefore
 *    runs inside {@link withArrays}, which releases every array created in the scope when
 *    the body returns or throws.
 * 7. Functions wrapped by `jit` keep compiled kernels and constants alive; call `.dispose()`
 *    on the jitted function when it is no longer needed (the oracles do this in `dispose()`).
 *
 * ## Precision facts (jax-js 0.1.25, pinned by tests in `jax.test.ts`)
 *
 * - **wasm device, float64 transcendentals** (arrays of ≥ 2 elements, i.e. evaluated in a wasm
 *   kernel; one-element arrays are folded in JavaScript and exact): `exp`, `cos`, `sin`,
 *   `tanh` have ~1e-7 relative error (float32 level); `log` has absolute error up to ~1e-5
 *   near 1; `exp` overflows to `Infinity` above ≈ 88.7 and underflows to 0 below ≈ −87 (float32
 *   thresholds); `sin` has no range reduction (`sin(1e10)` is wrong); `tanh`/`sinh` of tiny
 *   arguments lose all relative accuracy (`tanh(1e-9) = 0`). `./accurateMath.ts` has float64
 *   `exp`, `expm1`, `log`, `log1p`, `tanh` and `logSumExp` accurate to ≤ 3 ulp, built from
 *   exact arithmetic, with exact derivatives.
 * - **cpu device** evaluates with `Math.*`: `exp`, `log`, `sin`, `cos` are accurate to ~1 ulp,
 *   but `tanh`/`sinh` are computed through `exp` and lose relative accuracy near 0
 *   (relative error ~1e-16/|x|).
 * - float64 arithmetic (`add`, `mul`, `div`, `sqrt`) is exact on both devices.
 * - Under `jit`, a JavaScript number literal (`t.mul(0.1)`) is embedded as a *float32*
 *   constant (`0.1 → 0.10000000149…`), even when `t` is float64; eagerly it is exact. This is
 *   the "jit gives wrong float64 numbers" defect. Write literals that are not exact in float32
 *   with {@link constant}; captured float64 arrays are kept exactly.
 * - Eager evaluation is slow per call (~10 ms for a Hessian-vector product) but `vmap` makes
 *   the cost per batch, not per datum; `jit` is 10–20× faster on wasm.
 * - `random.normal` is float32 only; samplers use `src/stats/rng.ts` instead.
 * - **Leak in eager AD:** the JVP rule of `reciprocal` does `reciprocal(x.ref)` and never
 *   consumes `x`, so each *eager* derivative through `reciprocal` (division by an array,
 *   first derivatives of `1/x`; second derivatives of `log` and `sqrt`) leaks one device
 *   buffer per call. Nothing leaks under `jit`. Losses evaluated eagerly many times should
 *   avoid those ops or use a `jit` policy (pinned by a test in `jax.test.ts`).
 *
 * @module
 */
import "./float16Polyfill.js";
import { Array as JaxArrayClass, init, numpy } from "@jax-js/jax";
import { InvalidArgumentError } from "../errors.js";

export { grad, jit, jvp, lax, numpy as np, tree, valueAndGrad, vjp, vmap } from "@jax-js/jax";
export type { OwnedFunction } from "@jax-js/jax";

/** A jax-js array (or tracer, inside a transformation). Own it or pass it on; see the module docs. */
export type JaxArray = JaxArrayClass;

/** Floating dtypes the numerics layer supports. */
export type NumericDType = "float64" | "float32";

/** Devices usable on Node (`webgpu`/`webgl` do not exist there). */
export type NumericDevice = "cpu" | "wasm";

/**
 * Where and in which precision the numerics layer computes.
 *
 * - `dtype`: `"float64"` for precision work (moment estimates compared with exact values),
 *   `"float32"` for speed.
 * - `device`: `"cpu"` evaluates with `Math.*` (exp/log/sin/cos accurate to ~1 ulp, slower);
 *   `"wasm"` compiles kernels (fast; float64 transcendentals only float32-accurate, see the
 *   module notes).
 * - `jit`: compile the oracle functions with `jit` (10-20× faster on wasm; number literals in
 *   losses become float32 constants unless written with {@link constant}).
 */
export interface NumericsPolicy {
  readonly dtype: NumericDType;
  readonly device: NumericDevice;
  readonly jit: boolean;
}

/** float64 on the cpu device, eager: every digit the landscape's formula allows. The default. */
export const PRECISE_POLICY: NumericsPolicy = Object.freeze({ dtype: "float64", device: "cpu", jit: false });

/** float32 on wasm, jit-compiled: for throughput when ~1e-6 relative accuracy suffices. */
export const FAST_POLICY: NumericsPolicy = Object.freeze({ dtype: "float32", device: "wasm", jit: true });

/**
 * Completes and validates a partial policy (missing fields from {@link PRECISE_POLICY}).
 *
 * @throws InvalidArgumentError for an unknown dtype or device, or a non-boolean `jit`.
 */
export function completePolicy(policy: Partial<NumericsPolicy> = {}, where = "completePolicy"): NumericsPolicy {
  const dtype = policy.dtype ?? PRECISE_POLICY.dtype;
  const device = policy.device ?? PRECISE_POLICY.device;
  const jitFlag = policy.jit ?? PRECISE_POLICY.jit;
  if (dtype !== "float64" && dtype !== "float32") {
    throw new InvalidArgumentError(where, "policy.dtype", '"float64" or "float32"', dtype);
  }
  if (device !== "cpu" && device !== "wasm") {
    throw new InvalidArgumentError(where, "policy.device", '"cpu" or "wasm"', device);
  }
  if (typeof jitFlag !== "boolean") throw new InvalidArgumentError(where, "policy.jit", "a boolean", jitFlag);
  return Object.freeze({ dtype, device, jit: jitFlag });
}

let initialized: Promise<void> | null = null;
let ready = false;

/**
 * Initialises the jax-js backends used on Node (`wasm`, and `cpu`). Idempotent: concurrent and
 * repeated calls share one initialisation. Must be awaited before any array is created.
 *
 * (`init()` with no argument tries every backend and fails on Node; `init("wasm")` is needed.)
 */
export function initNumerics(): Promise<void> {
  if (initialized === null) {
    initialized = init("wasm", "cpu").then((devices) => {
      if (!devices.includes("wasm") || !devices.includes("cpu")) {
        initialized = null;
        throw new Error(`initNumerics: jax-js could not start the wasm and cpu backends (got ${devices.join(", ")})`);
      }
      ready = true;
    });
  }
  return initialized;
}

/** Whether {@link initNumerics} has completed. */
export function isNumericsReady(): boolean {
  return ready;
}

/** @throws Error naming `where` when {@link initNumerics} has not completed. */
export function requireNumerics(where: string): void {
  if (!ready) throw new Error(`${where}: numerics not initialised; await initNumerics() first`);
}

function jaxDType(dtype: NumericDType) {
  return dtype === "float64" ? numpy.float64 : numpy.float32;
}

/**
 * A new array holding `data` with the policy's dtype and device (the caller owns it).
 *
 * @param shape - defaults to `[data.length]`; its product must equal `data.length`.
 */
export function fromFloat64Array(
  data: Float64Array | readonly number[],
  policy: NumericsPolicy,
  shape: readonly number[] = [data.length],
): JaxArray {
  requireNumerics("fromFloat64Array");
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new InvalidArgumentError("fromFloat64Array", "shape", `a shape with ${data.length} elements`, `[${shape.join(", ")}]`);
  }
  const buffer = policy.dtype === "float64" ? Float64Array.from(data) : Float32Array.from(data);
  const arr = numpy.array(buffer, { dtype: jaxDType(policy.dtype), device: policy.device });
  return shape.length === 1 ? arr : arr.reshape([...shape]);
}

/**
 * Reads an array into a new `Float64Array` (row-major) and **consumes** the array, also when
 * reading fails.
 */
export function toFloat64Array(arr: JaxArray): Float64Array {
  try {
    const data = arr.dataSync();
    return data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>);
  } catch (err) {
    releaseAll(arr);
    throw err;
  }
}

/** Reads a one-element array as a number and **consumes** it. */
export function toNumber(arr: JaxArray): number {
  const size = arr.size;
  if (size !== 1) {
    releaseAll(arr);
    throw new InvalidArgumentError("toNumber", "arr", "an array with one element", `shape [${arr.shape.join(", ")}]`);
  }
  return toFloat64Array(arr)[0];
}

/**
 * A rank-0 constant with the dtype of `like` (which is *not* consumed). Use it instead of a
 * number literal inside losses when the literal is not exact in float32 (e.g. `0.1`, `π/4`):
 * under `jit`, bare literals are embedded as float32 constants.
 */
export function constant(like: JaxArray, value: number): JaxArray {
  return numpy.full([], value, { dtype: like.dtype });
}

/** Drops every remaining reference to `arr` (no-op when already freed). */
function releaseAll(arr: JaxArray): void {
  let guard = 0;
  while (arr.refCount > 0 && guard++ < 1_000_000) arr.dispose();
}

/**
 * Arrays created for one computation, released together when the scope ends.
 *
 * Every array made by {@link ArrayScope.array} or passed to {@link ArrayScope.adopt} belongs to
 * the scope. The body passes them into jax-js (consuming them) as usual; whatever references
 * remain when the scope closes (normally none; on an error path, the ones an op failed to
 * consume) are dropped. Arrays owned by a scope must not outlive it.
 */
export class ArrayScope {
  readonly #owned: JaxArray[] = [];
  constructor(readonly policy: NumericsPolicy) {}

  /** A new array from `data` with this scope's policy, owned by the scope. */
  array(data: Float64Array | readonly number[], shape?: readonly number[]): JaxArray {
    return this.adopt(fromFloat64Array(data, this.policy, shape));
  }

  /** Makes the scope responsible for `arr` (returns `arr`). */
  adopt<A extends JaxArray>(arr: A): A {
    this.#owned.push(arr);
    return arr;
  }

  /** Drops every reference still held on arrays owned by the scope. */
  close(): void {
    for (const arr of this.#owned) releaseAll(arr);
    this.#owned.length = 0;
  }
}

/**
 * Runs `body` with a fresh {@link ArrayScope} and closes the scope afterwards, whether `body`
 * returns or throws. `body` should return plain data (numbers, `Float64Array`), never an
 * array owned by the scope.
 *
 * @example
 * ```ts
 * const y = withArrays(PRECISE_POLICY, (s) => toFloat64Array(np.exp(s.array([0, 1]))));
 * ```
 */
export function withArrays<R>(policy: NumericsPolicy, body: (scope: ArrayScope) => R): R {
  requireNumerics("withArrays");
  const scope = new ArrayScope(policy);
  try {
    return body(scope);
  } finally {
    scope.close();
  }
}
