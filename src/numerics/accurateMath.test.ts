import { beforeAll, describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import * as accurate from "./accurateMath.js";
import { trackBuffers } from "./bufferTracker.js";
import { fromFloat64Array, grad, initNumerics, jit, np, toFloat64Array, type JaxArray, type NumericsPolicy } from "./jax.js";

beforeAll(async () => {
  await initNumerics();
});

const wasm64: NumericsPolicy = { dtype: "float64", device: "wasm", jit: false };
type Unary = (x: JaxArray) => JaxArray;

/** Distance from `got` to `want` in units of the last place of `want` (0 when both are equal, incl. ±Infinity). */
function ulps(got: number, want: number): number {
  if (Object.is(got, want) || got === want) return 0;
  if (!Number.isFinite(want) || !Number.isFinite(got)) return Infinity;
  const exponent = want === 0 ? -1074 : Math.max(Math.floor(Math.log2(Math.abs(want))) - 52, -1074);
  return Math.abs(got - want) / 2 ** exponent;
}

/** Largest ulp error of `f` against `reference` on `xs`, evaluated in one wasm kernel (eager or jit). */
function maxUlps(f: Unary, reference: (x: number) => number, xs: readonly number[], useJit: boolean): { worst: number; at: number } {
  const g = useJit ? jit(f) : f;
  const y = toFloat64Array(g(fromFloat64Array(xs, wasm64)));
  if (useJit) (g as { dispose?: () => void }).dispose?.();
  let worst = 0;
  let at = NaN;
  xs.forEach((x, i) => {
    const u = ulps(y[i], reference(x));
    if (!(u <= worst)) {
      worst = u;
      at = x;
    }
  });
  return { worst, at };
}

const grid = (from: number, to: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
/** Log-spaced positive numbers from 2^a to 2^b, with some irregularity in the mantissa. */
const logGrid = (a: number, b: number, n: number): number[] => grid(a, b, n).map((e, i) => 2 ** e * (1 + 0.37 * Math.sin(i)));
const symmetric = (xs: number[]): number[] => [...xs, ...xs.map((x) => -x)];

/** The ulp bounds the module documents ("a few ulp"); Math.* itself is within 1 ulp of the truth. */
/** `n` seeded uniform points in `[a, b]` (the ranges the models use most). */
const random = (a: number, b: number, n: number, seed: number): number[] => {
  const u = seededRandom(SEED + seed);
  return Array.from({ length: n }, () => a + (b - a) * u());
};

const CASES: [string, Unary, (x: number) => number, number[], number][] = [
  ["exp", accurate.exp, Math.exp, [...grid(-745, 709.78, 3001), ...symmetric(logGrid(-60, 0, 300)), ...random(-30, 0, 5000, 1)], 2],
  ["expm1", accurate.expm1, Math.expm1, [...grid(-50, 709, 2001), ...symmetric(logGrid(-80, 3, 600)), ...random(-2, 2, 5000, 2)], 3],
  ["log", accurate.log, Math.log, [...logGrid(-1074, 1023, 3001), ...grid(0.5, 2, 1001), 5e-324, Number.MAX_VALUE, ...random(1, 10, 5000, 3)], 2],
  ["log1p", accurate.log1p, Math.log1p, [...logGrid(-80, 60, 1001), ...logGrid(-80, -0.01, 800).map((x) => -x), ...grid(-0.99, 3, 801)], 3],
  ["tanh", accurate.tanh, Math.tanh, [...symmetric(logGrid(-1000, 6, 1501)), ...grid(-30, 30, 1201), 1e300, -1e300, ...random(-4, 4, 5000, 4)], 4],
];

describe("accurate float64 transcendentals vs Math.* (wasm device)", () => {
  for (const [name, f, reference, xs, bound] of CASES) {
    test(`${name}: within ${bound} ulp, eager and jit`, () => {
      for (const useJit of [false, true]) {
        const { worst, at } = maxUlps(f, reference, xs, useJit);
        console.info(`accurate ${name} (${useJit ? "jit" : "eager"}) vs Math.${name}: worst ${worst.toFixed(2)} ulp at ${at}, ${xs.length} points in [${Math.min(...xs).toExponential(2)}, ${Math.max(...xs).toExponential(2)}]`);
        expect(worst, `${name} ${useJit ? "jit" : "eager"}: ${worst} ulp at ${at}`).toBeLessThanOrEqual(bound);
      }
    });
  }

  test("jax-js's own wasm transcendentals fail the same check (the reason this module exists)", () => {
    expect(maxUlps(np.exp, Math.exp, grid(-20, 20, 101), false).worst).toBeGreaterThan(1e6);
    expect(maxUlps((x) => np.tanh(x), Math.tanh, [1e-9, 1e-5, 0.3], false).worst).toBeGreaterThan(1e6);
  });

  test("special values follow Math.*", () => {
    const specials = [0, -0, -1, Infinity, -Infinity, NaN, 1e-320];
    const read = (f: Unary, xs: number[]) => Array.from(toFloat64Array(f(fromFloat64Array(xs, wasm64))));
    expect(read(accurate.log, specials)).toEqual(specials.map(Math.log));
    expect(read(accurate.exp, [1000, -1000, Infinity, -Infinity, NaN])).toEqual([Infinity, 0, Infinity, 0, NaN]);
    expect(read(accurate.tanh, [Infinity, -Infinity, 0])).toEqual([1, -1, 0]);
    expect(read(accurate.log1p, [-1, 0])).toEqual([-Infinity, 0]);
  });
});

/** `d^k/dx^k f` at each point by nested `grad` (through the polynomials). */
function derivative(f: Unary, k: number, xs: readonly number[]): Float64Array {
  let g: Unary = f;
  for (let i = 0; i < k; i++) {
    const inner = g;
    g = (t) => grad((u: JaxArray) => inner(u).sum())(t);
  }
  return toFloat64Array(jit(g)(fromFloat64Array(xs, wasm64)));
}

const maxRelative = (got: Float64Array, want: readonly number[]): number =>
  Math.max(...want.map((w, i) => Math.abs(got[i] - w) / Math.abs(w)));

describe("derivatives through the polynomials equal the closed forms", () => {
  const xs = [-3.7, -0.9, -0.21, 0.05, 0.33, 0.7, 1.9, 4.2];
  test("exp: first to fourth derivative", () => {
    for (let k = 1; k <= 4; k++) expect(maxRelative(derivative(accurate.exp, k, xs), xs.map(Math.exp)), `order ${k}`).toBeLessThan(1e-14);
  });

  test("log: first to fourth derivative, (−1)^{k−1}(k−1)!/x^k", () => {
    const pos = xs.map((x) => Math.abs(x) * 3 + 0.02);
    for (let k = 1; k <= 4; k++) {
      const fact = [1, 1, 2, 6][k - 1];
      const want = pos.map((x) => ((-1) ** (k - 1) * fact) / x ** k);
      expect(maxRelative(derivative(accurate.log, k, pos), want), `order ${k}`).toBeLessThan(1e-14);
    }
  });

  test("tanh: first to fourth derivative (polynomials in t = tanh x)", () => {
    const t = xs.map(Math.tanh);
    const want = [
      t.map((v) => 1 - v * v),
      t.map((v) => -2 * v * (1 - v * v)),
      t.map((v) => -2 * (1 - v * v) * (1 - 3 * v * v)),
      t.map((v) => 8 * v * (1 - v * v) * (2 - 3 * v * v)),
    ];
    for (let k = 1; k <= 4; k++) {
      const got = derivative(accurate.tanh, k, xs);
      // Absolute scale: the fourth derivative crosses zero; compare against its magnitude O(1).
      const err = Math.max(...want[k - 1].map((w, i) => Math.abs(got[i] - w) / Math.max(Math.abs(w), 1)));
      expect(err, `order ${k}`).toBeLessThan(1e-14);
    }
  });

  test("log1p: derivative 1/(1 + x), also near 0", () => {
    const near = [1e-12, -3e-9, 0.25, 2];
    expect(maxRelative(derivative(accurate.log1p, 1, near), near.map((x) => 1 / (1 + x)))).toBeLessThan(1e-15);
  });

  test("logSumExp over an axis equals the direct sum, with the softmax as gradient", () => {
    const z = [0.3, -1.2, 2.5, 0.7, 700, 699.5];
    const got = toFloat64Array(accurate.logSumExp(fromFloat64Array(z, wasm64, [3, 2]), 0));
    const col = (j: number) => [z[j], z[j + 2], z[j + 4]];
    const lse = (v: number[]) => {
      const m = Math.max(...v);
      return m + Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0));
    };
    expect(ulps(got[0], lse(col(0)))).toBeLessThanOrEqual(2);
    expect(ulps(got[1], lse(col(1)))).toBeLessThanOrEqual(2);
    const g = toFloat64Array(grad((u: JaxArray) => accurate.logSumExp(u, 0).sum())(fromFloat64Array(z, wasm64, [3, 2])));
    col(0).forEach((v, r) => expect(Math.abs(g[2 * r] - Math.exp(v - lse(col(0))))).toBeLessThan(1e-16));
  });
});

describe("no device buffer outlives jit-compiled derivatives", () => {
  // jax-js 0.1.25 leaked buffers for two earlier forms of these functions (a `where` on the
  // differentiated Taylor sum; `reciprocal` of the gradient-stopped argument itself).
  test("values, gradients and second derivatives of every function", async () => {
    const d = (f: Unary): Unary => (x) => grad((u: JaxArray) => f(u).sum())(x);
    const fns: [string, Unary][] = [
      ["exp", accurate.exp],
      ["expm1", accurate.expm1],
      ["log", accurate.log],
      ["log1p", accurate.log1p],
      ["tanh", accurate.tanh],
      ["logSumExp", (x) => accurate.logSumExp(x.reshape([3, 2]), 0)],
    ];
    for (const [name, f] of fns) {
      for (const [order, g] of [f, d(f), d(d(f))].entries()) {
        const tracker = await trackBuffers();
        try {
          const compiled = jit(g);
          toFloat64Array(compiled(fromFloat64Array([0.5, 1.5, 2.5, 0.1, 0.2, 0.3], wasm64)));
          compiled.dispose();
          expect(tracker.live(), `${name}, order ${order}`).toBe(0);
        } finally {
          tracker.stop();
        }
      }
    }
  });
});

test("rationalTanh (float32 evaluation tanh) is within 4e-7 relative of tanh, tiny and saturated arguments included", () => {
  const f32: NumericsPolicy = { dtype: "float32", device: "wasm", jit: true };
  const rng = seededRandom(SEED);
  const xs = [
    ...grid(-10, 10, 4001),
    ...Array.from({ length: 400 }, () => (rng() - 0.5) * 2 ** (-40 * rng())),
    1e-30,
    -1e-30,
    1e-9,
    0,
    7.9,
    8,
    30,
    -30,
  ].map(Math.fround);
  for (const useJit of [false, true]) {
    const f: Unary = (x) => accurate.rationalTanh(x);
    const g = useJit ? jit(f) : f;
    const y = toFloat64Array(g(fromFloat64Array(xs, f32)));
    if (useJit) (g as { dispose?: () => void }).dispose?.();
    let worst = 0;
    xs.forEach((x, i) => {
      const want = Math.tanh(x);
      const err = want === 0 ? Math.abs(y[i]) : Math.abs(y[i] - want) / Math.abs(want);
      worst = Math.max(worst, err);
    });
    expect(worst, `jit ${useJit}`).toBeLessThan(4e-7);
  }
  // float64 arrays get the accurate tanh.
  expect(toFloat64Array(accurate.rationalTanh(fromFloat64Array([1e-9, 0.5], wasm64)))).toBeAllclose([Math.tanh(1e-9), Math.tanh(0.5)], { rtol: 1e-15 });
});
