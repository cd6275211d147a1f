import { beforeAll, describe, expect, test } from "vitest";
import { InvalidArgumentError } from "../errors.js";
import { Rng } from "../stats/rng.js";
import { centralDifference, dot } from "../../test/helpers/finiteDifferences.js";
import { SEED } from "../../test/helpers/seed.js";
import { trackBuffers } from "./bufferTracker.js";
import { dataMatrix } from "./dataMatrix.js";
import { type LossFunction } from "./directional.js";
import { constant, FAST_POLICY, initNumerics, np, type NumericsPolicy } from "./jax.js";
import { LossOracle } from "./oracles.js";

beforeAll(async () => {
  await initNumerics();
});

const P = 3;

/** `l_x(θ) = (x·θ)⁴/24`: every derivative has a closed form (see `quarticDerivative`). */
const quartic: LossFunction = (theta, x) => {
  const z = theta.mul(x).sum();
  return z.ref.mul(z.ref).mul(z.ref).mul(z).div(24);
};

/** `∇^k l_x(θ)[v_1..v_k] = (x·θ)^{4−k}/(4−k)! · Π_j (x·v_j)` for the quartic (0 for k > 4). */
function quarticDerivative(theta: ArrayLike<number>, x: ArrayLike<number>, vs: readonly ArrayLike<number>[]): number {
  const k = vs.length;
  if (k > 4) return 0;
  const factorial = [1, 1, 2, 6, 24][4 - k];
  return (dot(x, theta) ** (4 - k) / factorial) * vs.reduce((acc, v) => acc * dot(x, v), 1);
}

/** A polynomial with mixed terms: `Σ θ_i³ x_i + ½|θ|²|x|² + θ₀θ₁θ₂ x₁ + θ₁⁴/4`. */
const polynomial: LossFunction = (theta, x) => {
  const cubes = theta.ref.mul(theta.ref).mul(theta.ref).mul(x.ref).sum();
  const quad = theta.ref.mul(theta.ref).sum().mul(x.ref.mul(x.ref).sum()).div(2);
  const t0 = theta.ref.slice(0);
  const t1 = theta.ref.slice(1);
  const t2 = theta.slice(2);
  const triple = t0.mul(t1.ref).mul(t2).mul(x.slice(1));
  const quartic1 = t1.ref.mul(t1.ref).mul(t1.ref).mul(t1).div(4);
  return cubes.add(quad).add(triple).add(quartic1);
};

/** A smooth non-polynomial loss: `softplus(x·θ) + ¼ Σ sin(θ_i) x_i² + e^{−|θ|²/2} x₀ + 0.1·cos(θ₂)`. */
const smooth: LossFunction = (theta, x) => {
  const z = theta.ref.mul(x.ref).sum();
  const softplus = np.log(np.exp(z).add(1));
  const wave = np.sin(theta.ref).mul(x.ref.mul(x.ref)).sum().div(4);
  const bump = np.exp(theta.ref.mul(theta.ref).sum().div(-2)).mul(x.slice(0));
  const tail = np.cos(theta.slice(2));
  return softplus.add(wave).add(bump).add(tail.mul(constant(tail, 0.1)));
};

function randomVectors(rng: Rng, count: number, length = P): Float64Array[] {
  return Array.from({ length: count }, () => rng.normals(length));
}

describe("LossOracle: closed forms on the quartic (x·θ)⁴/24", () => {
  const oracle = new LossOracle(quartic, P, P);
  const rng = new Rng(SEED);
  const [theta, x] = randomVectors(rng, 2);

  test.each([0, 1, 2, 3, 4, 5])("∇^k l[v_1..v_k] for k = %i", (k) => {
    const vs = randomVectors(new Rng(SEED + k), k);
    expect(oracle.directionalDerivative(theta, x, vs)).toBeAllclose(quarticDerivative(theta, x, vs), {
      rtol: 1e-13,
      atol: 1e-14,
    });
  });

  test.each([0, 1, 2, 3, 4])("∇^{k+1} l[v_1..v_k, ·] for k = %i", (k) => {
    const vs = randomVectors(new Rng(SEED + 10 + k), k);
    // ∇^{k+1} l[v.., ·] = (x·θ)^{3−k}/(3−k)! Π(x·v_j) · x
    const scale = k > 3 ? 0 : quarticDerivative(theta, x, [...vs, x]) / dot(x, x);
    expect(oracle.directionalGradient(theta, x, vs)).toBeAllclose(
      Array.from(x, (xi) => scale * xi),
      { rtol: 1e-13, atol: 1e-14 },
    );
  });

  test("convenience methods are the k = 0, 1 cases", () => {
    const v = rng.normals(P);
    expect(oracle.value(theta, x)).toBe(oracle.directionalDerivative(theta, x, []));
    expect(Array.from(oracle.gradient(theta, x))).toEqual(Array.from(oracle.directionalGradient(theta, x, [])));
    expect(Array.from(oracle.hvp(theta, x, v))).toEqual(Array.from(oracle.directionalGradient(theta, x, [v])));
  });
});

describe.each([
  ["polynomial", polynomial],
  ["smooth", smooth],
] as const)("LossOracle: finite differences on the %s loss (float64, cpu)", (_name, loss) => {
  const oracle = new LossOracle(loss, P, P);
  const rng = new Rng(SEED + 100);
  const theta = rng.normals(P).map((t) => 0.5 * t);
  const x = rng.normals(P);

  test.each([0, 1, 2, 3])("∇^{k+1} l[v_1..v_k, ·] is the derivative of ∇^k l[v_1..v_{k−1}, ·] (k = %i)", (k) => {
    const dirs = randomVectors(new Rng(SEED + 200 + k), k + 1);
    const vs = dirs.slice(0, k);
    if (k === 0) {
      const w = dirs[0];
      const fd = centralDifference((t) => oracle.value(t, x), theta, w);
      expect(dot(oracle.gradient(theta, x), w)).toBeAllclose(fd[0], { rtol: 1e-8, atol: 1e-9 });
      return;
    }
    const fd = centralDifference((t) => oracle.directionalGradient(t, x, vs.slice(0, k - 1)), theta, vs[k - 1]);
    expect(oracle.directionalGradient(theta, x, vs)).toBeAllclose(fd, { rtol: 1e-7, atol: 1e-8 });
  });

  test("∇^k l[v_1..v_k] = ∇^k l[v_1..v_{k−1}, ·]·v_k and derivative tensors are symmetric", () => {
    const vs = randomVectors(new Rng(SEED + 300), 3);
    for (let k = 1; k <= 3; k++) {
      const scalar = oracle.directionalDerivative(theta, x, vs.slice(0, k));
      const viaGradient = dot(oracle.directionalGradient(theta, x, vs.slice(0, k - 1)), vs[k - 1]);
      expect(scalar).toBeAllclose(viaGradient, { rtol: 1e-12, atol: 1e-13 });
    }
    const abc = oracle.directionalGradient(theta, x, [vs[0], vs[1], vs[2]]);
    const cab = oracle.directionalGradient(theta, x, [vs[2], vs[0], vs[1]]);
    expect(abc).toBeAllclose(cab, { rtol: 1e-12, atol: 1e-13 });
  });
});

describe("LossOracle: batches", () => {
  const oracle = new LossOracle(polynomial, P, P, { maxBatchRows: 3 });
  const unchunked = new LossOracle(polynomial, P, P);
  const rng = new Rng(SEED + 400);
  const n = 10;
  const theta = rng.normals(P);
  const data = dataMatrix(rng.normals(n * P), P);
  const perRow = rng.normals(n * P);
  const shared = rng.normals(P);
  const row = (m: Float64Array, i: number) => m.subarray(i * P, (i + 1) * P);

  test("per-datum gradients, HVPs and derivatives equal the single-datum results", () => {
    const grads = oracle.gradients(theta, data);
    const hvps = oracle.hvps(theta, data, perRow);
    const mixed = oracle.directionalGradients(theta, data, [shared, perRow]);
    const values = oracle.values(theta, data);
    const scalars = oracle.directionalDerivatives(theta, data, [perRow, shared]);
    expect(grads.length).toBe(n * P);
    expect(values.length).toBe(n);
    for (let i = 0; i < n; i++) {
      const xi = row(data.values, i);
      expect(row(grads, i)).toBeAllclose(oracle.gradient(theta, xi), { rtol: 1e-14, atol: 1e-14 });
      expect(row(hvps, i)).toBeAllclose(oracle.hvp(theta, xi, row(perRow, i)), { rtol: 1e-14, atol: 1e-14 });
      expect(row(mixed, i)).toBeAllclose(oracle.directionalGradient(theta, xi, [shared, row(perRow, i)]), {
        rtol: 1e-14,
        atol: 1e-14,
      });
      expect(values[i]).toBeAllclose(oracle.value(theta, xi), { rtol: 1e-14, atol: 1e-14 });
      expect(scalars[i]).toBeAllclose(oracle.directionalDerivative(theta, xi, [row(perRow, i), shared]), {
        rtol: 1e-14,
        atol: 1e-14,
      });
    }
  });

  test("chunking does not change results; an empty batch gives an empty result", () => {
    expect(oracle.hvps(theta, data, shared)).toBeAllclose(unchunked.hvps(theta, data, shared), { rtol: 1e-15 });
    expect(oracle.gradients(theta, dataMatrix(new Float64Array(0), P)).length).toBe(0);
  });
});

describe("LossOracle: jit agrees with eager", () => {
  const rng = new Rng(SEED + 500);
  const n = 6;
  const theta = rng.normals(P).map((t) => 0.5 * t);
  const data = dataMatrix(rng.normals(n * P), P);
  const v = rng.normals(n * P);
  const w = rng.normals(P);

  function run(oracle: LossOracle): Float64Array[] {
    const x0 = data.values.subarray(0, P);
    return [
      oracle.gradients(theta, data),
      oracle.hvps(theta, data, v),
      oracle.directionalGradients(theta, data, [v, w]),
      oracle.directionalDerivatives(theta, data, [w, w, v]),
      oracle.directionalGradient(theta, x0, [w, w]),
      new Float64Array([oracle.directionalDerivative(theta, x0, [w])]),
    ];
  }

  test.each([
    ["polynomial", "cpu", 1e-13, polynomial],
    ["polynomial", "wasm", 1e-13, polynomial],
    ["smooth", "cpu", 1e-13, smooth],
    // wasm kernels evaluate float64 exp/log/sin/cos to float32 accuracy (see jax.test.ts).
    ["smooth", "wasm", 1e-5, smooth],
  ] as const)("%s loss on %s (rtol %s)", (_name, device, rtol, loss) => {
    const eager = new LossOracle(loss, P, P, { policy: { device, jit: false } });
    const jitted = new LossOracle(loss, P, P, { policy: { device, jit: true } });
    try {
      const a = run(eager);
      const b = run(jitted);
      const again = run(jitted); // second call reuses the compiled function
      a.forEach((ai, i) => {
        expect(b[i]).toBeAllclose(ai, { rtol, atol: rtol });
        expect(Array.from(again[i])).toEqual(Array.from(b[i]));
      });
    } finally {
      jitted.dispose();
    }
  });

  test("FAST_POLICY (float32, wasm, jit) agrees with float64 to float32 accuracy", () => {
    const precise = new LossOracle(polynomial, P, P);
    const fast = new LossOracle(polynomial, P, P, { policy: FAST_POLICY });
    try {
      const a = run(precise);
      const b = run(fast);
      a.forEach((ai, i) => {
        expect(b[i]).toBeInstanceOf(Float64Array);
        expect(b[i]).toBeAllclose(ai, { rtol: 1e-4, atol: 1e-4 });
      });
    } finally {
      fast.dispose();
    }
  });
});

describe("LossOracle: ownership (no device buffer outlives a call)", () => {
  const rng = new Rng(SEED + 600);
  const n = 5;
  const theta = rng.normals(P);
  const x = rng.normals(P);
  const data = dataMatrix(rng.normals(n * P), P);
  const v = rng.normals(P);
  const vs = rng.normals(n * P);

  function exercise(oracle: LossOracle): void {
    oracle.value(theta, x);
    oracle.gradient(theta, x);
    oracle.hvp(theta, x, v);
    oracle.directionalGradient(theta, x, [v, v, v]);
    oracle.directionalDerivative(theta, x, [v, v]);
    oracle.values(theta, data);
    oracle.gradients(theta, data);
    oracle.hvps(theta, data, vs);
    oracle.directionalGradients(theta, data, [v, vs]);
    oracle.directionalDerivatives(theta, data, [vs, v, vs]);
  }

  const policies: readonly (readonly [string, Partial<NumericsPolicy>])[] = [
    ["eager cpu float64", {}],
    ["eager wasm float64", { device: "wasm" }],
    ["jit wasm float32", FAST_POLICY],
    ["jit cpu float64", { jit: true }],
  ];

  /** Like `smooth` but without log/sqrt/array division, whose eager JVPs leak in jax-js 0.1.25. */
  const smoothNoReciprocal: LossFunction = (theta, x) => {
    const z = theta.ref.mul(x.ref).sum();
    const wave = np.sin(theta.ref).mul(x.ref.mul(x.ref)).sum().div(4);
    const bump = np.exp(theta.ref.mul(theta.ref).sum().div(-2)).mul(x.slice(0));
    const tail = np.cos(theta.slice(2));
    return np.tanh(z).add(wave).add(bump).add(tail.mul(constant(tail, 0.1)));
  };

  test.each(policies)("%s", async (_name, policy) => {
    const tracker = await trackBuffers();
    try {
      const oracle = new LossOracle(smoothNoReciprocal, P, P, { policy, maxBatchRows: 2 });
      exercise(oracle);
      oracle.dispose();
      expect(tracker.allocated()).toBeGreaterThan(0);
      expect(tracker.live(), `live buffers after ${tracker.allocated()} allocations`).toBe(0);
    } finally {
      tracker.stop();
    }
  });

  test("jit also covers losses whose eager derivatives leak (log, sqrt, division)", async () => {
    const tracker = await trackBuffers();
    try {
      const oracle = new LossOracle(smooth, P, P, { policy: { jit: true }, maxBatchRows: 2 });
      exercise(oracle);
      oracle.dispose();
      expect(tracker.live()).toBe(0);
    } finally {
      tracker.stop();
    }
  });

  test("error paths: a failing op inside the loss, a non-scalar loss, a throwing loss", async () => {
    const tracker = await trackBuffers();
    try {
      const mismatched = new LossOracle((t, xx) => t.add(xx).sum(), 2, 3);
      expect(() => mismatched.gradient([1, 2], [1, 2, 3])).toThrow(/broadcast/i);
      expect(() => mismatched.gradients([1, 2], dataMatrix(new Float64Array(6), 3))).toThrow(/broadcast/i);

      const vector = new LossOracle((t, xx) => t.mul(xx), 2, 2);
      expect(() => vector.value([1, 2], [3, 4])).toThrow(
        "LossOracle: loss must be a function returning a rank-0 array (shape []), got [2]",
      );
      expect(() => vector.gradient([1, 2], [3, 4])).toThrow(InvalidArgumentError);

      const throwing = new LossOracle((t, xx) => {
        t.dispose();
        xx.dispose();
        throw new Error("boom");
      }, 2, 2);
      expect(() => throwing.hvp([1, 2], [3, 4], [1, 0])).toThrow("boom");
      expect(tracker.live()).toBe(0);
    } finally {
      tracker.stop();
    }
  });
});

test("the LossOracle doc example: ∇²l of the cubic-chi loss is 6w", () => {
  const cubic: LossFunction = (w, x) => w.ref.mul(w.ref).mul(w.ref).sub(w.mul(x.ref.mul(x).sub(1))).sum();
  const oracle = new LossOracle(cubic, 1, 1);
  expect(Array.from(oracle.directionalGradient([0.5], [2], [[1]]))).toEqual([3]);
});

describe("LossOracle: argument validation", () => {
  const oracle = new LossOracle(quartic, P, P);
  const ok = new Float64Array(P);

  test("constructor", () => {
    expect(() => new LossOracle(quartic, 0, 1)).toThrow("LossOracle: dim must be an integer in [1, 2147483647], got 0");
    expect(() => new LossOracle(quartic, 2, 1.5)).toThrow(InvalidArgumentError);
    expect(() => new LossOracle(null as unknown as LossFunction, 2, 1)).toThrow(InvalidArgumentError);
    expect(() => new LossOracle(quartic, 2, 1, { maxBatchRows: 0 })).toThrow(InvalidArgumentError);
    expect(() => new LossOracle(quartic, 2, 1, { policy: { dtype: "float16" as "float32" } })).toThrow(InvalidArgumentError);
  });

  test("lengths of theta, x and directions", () => {
    expect(() => oracle.gradient([1, 2], ok)).toThrow("LossOracle.directionalGradient: theta.length must be 3, got 2");
    expect(() => oracle.value(ok, [1])).toThrow("LossOracle.directionalDerivative: x.length must be 3, got 1");
    expect(() => oracle.hvp(ok, ok, [1])).toThrow("LossOracle.directionalGradient: directions[0].length must be 3, got 1");
    expect(() => oracle.directionalGradient(ok, ok, Array(9).fill(ok))).toThrow(
      "LossOracle.directionalGradient: directions.length must be at most 8, got 9",
    );
  });

  test("batched shapes", () => {
    const data = dataMatrix(new Float64Array(2 * P), P);
    expect(() => oracle.gradients(ok, dataMatrix(new Float64Array(4), 2))).toThrow(InvalidArgumentError);
    expect(() => oracle.hvps(ok, data, new Float64Array(5))).toThrow(
      "LossOracle.directionalGradients: directions[0].length must be 3 or rows·P = 6, got 5",
    );
  });
});
