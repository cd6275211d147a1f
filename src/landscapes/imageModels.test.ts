import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SEED } from "../../test/helpers/seed.js";
import { InvalidArgumentError } from "../errors.js";
import { trackBuffers } from "../numerics/bufferTracker.js";
import { constant, fromFloat64Array, initNumerics, lax, np, toFloat64Array, toNumber, type JaxArray } from "../numerics/index.js";
import { Rng } from "../stats/rng.js";
import { loadDataset, type ImageDataset } from "./datasets.js";
import {
  createImageModel,
  IMAGE_DATUM_FEATURES,
  IMAGE_MODEL_EXACT_POLICY,
  IMAGE_MODEL_POLICY,
  type ImageModel,
} from "./imageModels.js";
import { LogisticModel } from "./logistic.js";

let data: ImageDataset;
beforeAll(async () => {
  await initNumerics();
  data = loadDataset("mnist");
});

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, x, j) => s + x * b[j], 0);
const shift = (a: Float64Array, v: Float64Array, t: number): Float64Array => a.map((x, j) => x + t * v[j]);
const maxAbs = (a: Float64Array): number => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

/** `d/dt f(θ + t w)` at 0 by central differences with one Richardson step (error O(h⁴)). */
function centralDifference(f: (theta: Float64Array) => number, theta: Float64Array, w: Float64Array, h: number): number {
  const d = (s: number) => (f(shift(theta, w, s)) - f(shift(theta, w, -s))) / (2 * s);
  return (4 * d(h / 2) - d(h)) / 3;
}

describe("parameterization", () => {
  test("parameter counts and contiguous blocks", () => {
    const counts = { logistic: 7850, lenet: 4490, mlp: 25450 } as const;
    for (const kind of ["logistic", "lenet", "mlp"] as const) {
      const m = createImageModel(kind, data);
      expect(m.dim, kind).toBe(counts[kind]);
      let offset = 0;
      for (const b of m.layout.leaves) {
        expect(b.offset, `${kind} ${b.path}`).toBe(offset);
        expect(b.size).toBe(b.shape.reduce((x, y) => x * y, 1));
        offset += b.size;
      }
      expect(offset).toBe(m.dim);
      expect(m.dataDim).toBe(IMAGE_DATUM_FEATURES);
    }
    expect(createImageModel("mlp", data, { hidden: 8 }).dim).toBe(784 * 8 + 8 + 8 * 10 + 10);
    const lenet = createImageModel("lenet", data);
    expect(lenet.layout.leaves.map((b) => [b.path, b.size])).toEqual([
      ["conv1.weight", 250],
      ["conv1.bias", 10],
      ["conv2.weight", 2500],
      ["conv2.bias", 10],
      ["dense1.weight", 1600],
      ["dense1.bias", 10],
      ["dense2.weight", 100],
      ["dense2.bias", 10],
    ]);
  });

  test("theta0: zeros for logistic, seeded standard normals otherwise", () => {
    expect(maxAbs(createImageModel("logistic", data).theta0(5))).toBe(0);
    const m = createImageModel("lenet", data);
    const a = m.theta0(SEED);
    expect(m.theta0(SEED)).toEqual(a);
    expect(m.theta0(SEED + 1)).not.toEqual(a);
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    const variance = a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(a.length));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / a.length));
  });

  test("features: pixels then the one-hot label", () => {
    const m = createImageModel("logistic", data);
    const i = 4321;
    const f = m.features(i);
    expect(f.length).toBe(794);
    expect(Array.from(f.subarray(0, 784))).toEqual(Array.from(data.pixels.subarray(i * 784, (i + 1) * 784)));
    const label = Array.from(f.subarray(784));
    expect(label.reduce((s, x) => s + x, 0)).toBe(1);
    expect(label[data.labels[i]]).toBe(1);
  });
});

describe("jax logistic = analytic LogisticModel", () => {
  const images = [3, 4000, 9000];

  test("cpu float64: loss, gradient, HVP, ∇²/∇³/∇⁴ contractions to 1e-10", () => {
    const analytic = new LogisticModel(data);
    const jaxModel = createImageModel("logistic", data, { policy: IMAGE_MODEL_EXACT_POLICY });
    const rng = new Rng(SEED);
    const theta = rng.normals(analytic.dim).map((x) => 0.5 * x);
    const dirs = [rng.normals(analytic.dim), rng.normals(analytic.dim), rng.normals(analytic.dim)];
    try {
      for (const i of images) {
        for (let k = 0; k <= 3; k++) {
          const want = analytic.directionalDerivative(theta, i, dirs.slice(0, k));
          expect(jaxModel.directionalDerivative(theta, i, dirs.slice(0, k)), `image ${i}, k = ${k}`).toBeAllclose(want, {
            rtol: 1e-10,
            atol: 1e-13,
          });
        }
        for (let k = 0; k <= 2; k++) {
          const want = analytic.directionalGradient(theta, i, dirs.slice(0, k));
          const got = jaxModel.directionalGradient(theta, i, dirs.slice(0, k));
          expect(got, `image ${i}, gradient k = ${k}`).toBeAllclose(want, { rtol: 0, atol: 1e-10 * maxAbs(want) });
        }
      }
    } finally {
      jaxModel.dispose();
    }
  });

  test("default wasm policy: every digit too (accurate float64 exp/log), to 1e-12", () => {
    expect(IMAGE_MODEL_POLICY).toEqual({ dtype: "float64", device: "wasm", jit: true });
    const analytic = new LogisticModel(data);
    const jaxModel = createImageModel("logistic", data);
    const rng = new Rng(SEED + 1);
    const theta = rng.normals(analytic.dim).map((x) => 0.5 * x);
    const v = rng.normals(analytic.dim);
    try {
      for (const i of images) {
        expect(jaxModel.directionalDerivative(theta, i, [])).toBeAllclose(analytic.directionalDerivative(theta, i, []), { rtol: 1e-12 });
        const hvp = analytic.directionalGradient(theta, i, [v]);
        expect(jaxModel.directionalGradient(theta, i, [v])).toBeAllclose(hvp, { rtol: 0, atol: 1e-12 * maxAbs(hvp) });
      }
    } finally {
      jaxModel.dispose();
    }
  });
});

/** Xavier scales √(2/(fan_in + fan_out)) of the LeNet's layers, conv fans counting the 5×5 window. */
const LENET_SCALES: Record<string, number> = {
  conv1: Math.sqrt(2 / (25 + 250)),
  conv2: Math.sqrt(2 / (250 + 250)),
  dense1: Math.sqrt(2 / (160 + 10)),
  dense2: Math.sqrt(2 / (10 + 10)),
};

/** The LeNet written with `lax.conv` on the model's parameter leaves (an independent reference). */
function lenetWithLaxConv(model: ImageModel, theta: Float64Array, i: number): number {
  const policy = IMAGE_MODEL_EXACT_POLICY;
  const block = (name: string, shape: number[]): JaxArray => {
    const b = model.layout.leaves.find((c) => c.path === name);
    if (b === undefined) throw new Error(name);
    const w = fromFloat64Array(theta.subarray(b.offset, b.offset + b.size), policy, shape);
    return w.mul(constant(w, LENET_SCALES[name.split(".")[0]]));
  };
  const image = fromFloat64Array(model.features(i).subarray(0, 784), policy, [1, 1, 28, 28]);
  const h1 = np.tanh(lax.conv(image, block("conv1.weight", [10, 1, 5, 5]), [2, 2], "VALID").add(block("conv1.bias", [1, 10, 1, 1])));
  const h2 = np.tanh(lax.conv(h1, block("conv2.weight", [10, 10, 5, 5]), [2, 2], "VALID").add(block("conv2.bias", [1, 10, 1, 1])));
  const h3 = np.tanh(np.matmul(block("dense1.weight", [10, 160]), h2.reshape([160])).add(block("dense1.bias", [10])));
  const z = np.matmul(block("dense2.weight", [10, 10]), h3).add(block("dense2.bias", [10]));
  const y = data.labels[i];
  const zs = Array.from(toFloat64Array(z));
  const m = Math.max(...zs);
  return m + Math.log(zs.reduce((s, x) => s + Math.exp(x - m), 0)) - zs[y];
}

describe("LeNet", () => {
  test("its im2col convolutions equal lax.conv (cpu float64)", () => {
    const model = createImageModel("lenet", data, { policy: IMAGE_MODEL_EXACT_POLICY });
    try {
      for (const [seed, i] of [
        [SEED, 17],
        [SEED + 1, 5555],
      ]) {
        const theta = model.theta0(seed);
        expect(model.directionalDerivative(theta, i, [])).toBeAllclose(lenetWithLaxConv(model, theta, i), { rtol: 1e-13 });
      }
    } finally {
      model.dispose();
    }
  });
});

describe("default policy (wasm, accurate transcendentals) = exact cpu policy (Math.*), to 1e-12", () => {
  /**
   * Loss, gradient, Hessian-vector product, `∇³l[v,w,·]`, the scalars `∇^k l[v,…,v]`
   * (`k = 1..3`), and batch means of a loss and a Hessian-vector product. Vectors are compared
   * relative to their largest entry; a scalar contraction `∇^k l[v,…,v] = ⟨∇^k l[v,…,v,·], v⟩`
   * relative to the larger of itself and its Cauchy–Schwarz bound `|∇^k l[v,…,v,·]|₂·|v|₂`:
   * on the LeNet `∇³l[v,v,v] ≈ −0.0045` results from a cancellation, where the cpu policy's
   * own `tanh` (through `exp`, see `jax.ts`) leaves a 1.0e−12 relative
   * (4.7e−15 absolute) difference that the accurate functions evaluated on the cpu device do
   * not show (they equal the wasm values bit for bit).
   */
  for (const [kind, hidden] of [["lenet", undefined], ["mlp", 8]] as const) {
    // Separate tests (one model pair) so that no single synchronous stretch blocks the worker.
    describe(kind, () => {
      let fast: ImageModel;
      let exact: ImageModel;
      let theta: Float64Array;
      let v: Float64Array;
      let w: Float64Array;
      const i = 17;
      beforeAll(() => {
        fast = createImageModel(kind, data, { hidden });
        exact = createImageModel(kind, data, { hidden, policy: IMAGE_MODEL_EXACT_POLICY });
        const rng = new Rng(SEED + 21);
        theta = fast.theta0(SEED);
        v = rng.normals(fast.dim);
        w = rng.normals(fast.dim);
      });
      afterAll(() => {
        fast.dispose();
        exact.dispose();
      });
      const relative = (a: Float64Array, b: Float64Array) => maxAbs(a.map((x, j) => x - b[j])) / maxAbs(b);
      const norm = (a: Float64Array) => Math.sqrt(dot(a, a));

      test("loss", () => {
        const loss = exact.directionalDerivative(theta, i, []);
        expect(Math.abs(fast.directionalDerivative(theta, i, []) - loss) / loss).toBeLessThan(1e-12);
      });

      for (const k of [0, 1, 2]) {
        test(`∇^${k + 1}l[v…v, ·] and ∇^${k + 1}l[v…v]`, () => {
          const dirs = Array<Float64Array>(k).fill(v);
          const want = exact.directionalGradient(theta, i, dirs);
          expect(relative(fast.directionalGradient(theta, i, dirs), want), "vector").toBeLessThan(1e-12);
          const exactScalar = exact.directionalDerivative(theta, i, [...dirs, v]);
          const scale = Math.max(Math.abs(exactScalar), norm(want) * norm(v));
          expect(Math.abs(fast.directionalDerivative(theta, i, [...dirs, v]) - exactScalar) / scale, "scalar").toBeLessThan(1e-12);
        }, 120_000);
      }

      test("∇³l[v,w,·]", () => {
        expect(relative(fast.directionalGradient(theta, i, [v, w]), exact.directionalGradient(theta, i, [v, w]))).toBeLessThan(1e-12);
      }, 120_000);

      test("batch means of the loss and of a Hessian-vector product", () => {
        const images = [3, 5, 8];
        expect(Math.abs(fast.meanLoss(theta, images) / exact.meanLoss(theta, images) - 1)).toBeLessThan(1e-12);
        expect(relative(fast.meanDirectionalGradient(theta, images, [v]), exact.meanDirectionalGradient(theta, images, [v]))).toBeLessThan(1e-12);
      }, 120_000);
    });
  }
});

describe("directional derivatives vs central finite differences", () => {
  /**
   * For k = 0..3: `∇^{k+1} l[v_1..v_k, w]` three ways: the scalar oracle, the vector oracle
   * contracted with `w`, and central differences of `∇^k l[v_1..v_k]` along `w`.
   */
  function check(model: ImageModel, i: number, h: number, fdRtol: number): void {
    const rng = new Rng(SEED + 11);
    const theta = model.theta0(SEED);
    const dirs = [rng.normals(model.dim), rng.normals(model.dim), rng.normals(model.dim)];
    const w = rng.normals(model.dim);
    for (let k = 0; k <= 3; k++) {
      const vs = dirs.slice(0, k);
      const scalar = model.directionalDerivative(theta, i, [...vs, w]);
      const viaGradient = dot(model.directionalGradient(theta, i, vs), w);
      const fd = centralDifference((t) => model.directionalDerivative(t, i, vs), theta, w, h);
      expect(viaGradient, `${model.kind} k = ${k}: gradient·w vs scalar`).toBeAllclose(scalar, { rtol: 1e-11, atol: 1e-13 });
      expect(fd, `${model.kind} k = ${k}: finite differences`).toBeAllclose(scalar, { rtol: fdRtol, atol: fdRtol * 1e-2 });
    }
  }

  test("MLP (cpu float64, exact transcendentals): agreement to 1e-6", () => {
    const model = createImageModel("mlp", data, { hidden: 6, policy: IMAGE_MODEL_EXACT_POLICY });
    try {
      check(model, 11, 1e-3, 1e-6);
    } finally {
      model.dispose();
    }
  });

  test("LeNet (default wasm policy, accurate transcendentals): agreement to 1e-6", () => {
    const model = createImageModel("lenet", data);
    try {
      check(model, 11, 1e-3, 1e-6);
    } finally {
      model.dispose();
    }
  });
});

describe("batched calls equal single calls", () => {
  const indices = [5, 77, 901, 2024, 4444, 8000, 9999];

  /**
   * The checks, in three parts (separate tests, so that no single synchronous stretch of
   * compilation blocks the test worker for long on a loaded machine).
   */
  function batchedChecks(model: () => ImageModel, rtol: number): [string, () => void][] {
    const rng = new Rng(SEED + 21);
    let theta: Float64Array;
    let shared: Float64Array[];
    let perRow: Float64Array;
    const setUp = () => {
      const m = model();
      theta = m.theta0(SEED).map((x) => x + 0.1 * rng.normal());
      shared = [rng.normals(m.dim), rng.normals(m.dim)];
      perRow = rng.normals(indices.length * m.dim);
    };
    const row = (r: number) => perRow.subarray(r * model().dim, (r + 1) * model().dim);
    const close = (got: Float64Array, want: Float64Array, what: string) =>
      expect(got, what).toBeAllclose(want, { rtol: 0, atol: rtol * Math.max(1e-12, maxAbs(want)) });
    return [
      [
        "directional derivatives and gradients",
        () => {
          setUp();
          const m = model();
          const P = m.dim;
          close(
            m.directionalDerivatives(theta, indices, shared),
            Float64Array.from(indices, (i) => m.directionalDerivative(theta, i, shared)),
            "derivatives, shared directions",
          );
          close(
            m.directionalDerivatives(theta, indices, [shared[0], perRow]),
            Float64Array.from(indices, (i, r) => m.directionalDerivative(theta, i, [shared[0], row(r)])),
            "derivatives, a per-row direction",
          );
          const grads = m.directionalGradients(theta, indices, [perRow]);
          indices.forEach((i, r) => close(grads.subarray(r * P, (r + 1) * P), m.directionalGradient(theta, i, [row(r)]), `HVP row ${r}`));
        },
      ],
      [
        "gradients, mean loss and mean gradient",
        () => {
          const m = model();
          const P = m.dim;
          const plain = m.directionalGradients(theta, indices, []);
          const mean = new Float64Array(P);
          indices.forEach((i, r) => {
            const g = m.directionalGradient(theta, i, []);
            close(plain.subarray(r * P, (r + 1) * P), g, `gradient row ${r}`);
            for (let j = 0; j < P; j++) mean[j] += g[j] / indices.length;
          });
          const meanLoss = indices.reduce((s, i) => s + m.directionalDerivative(theta, i, []), 0) / indices.length;
          expect(m.meanLoss(theta, indices)).toBeAllclose(meanLoss, { rtol });
          close(m.meanGradient(theta, indices), mean, "meanGradient");
        },
      ],
      [
        "batch means of directional gradients and derivatives, and a batch of one",
        () => {
          const m = model();
          const P = m.dim;
          for (const k of [0, 1, 2]) {
            const dirs = shared.slice(0, k);
            const want = new Float64Array(P);
            let wantValue = 0;
            indices.forEach((i) => {
              const g = m.directionalGradient(theta, i, dirs);
              for (let j = 0; j < P; j++) want[j] += g[j] / indices.length;
              wantValue += m.directionalDerivative(theta, i, [...dirs, shared[1]]) / indices.length;
            });
            close(m.meanDirectionalGradient(theta, indices, dirs), want, `meanDirectionalGradient, k = ${k}`);
            expect(m.meanDirectionalDerivative(theta, indices, [...dirs, shared[1]]), `meanDirectionalDerivative, k = ${k + 1}`).toBeAllclose(wantValue, {
              rtol: 0,
              atol: rtol * Math.max(1e-12, Math.abs(wantValue)),
            });
            close(m.meanDirectionalGradient(theta, [indices[2]], dirs), m.directionalGradient(theta, indices[2], dirs), `one image, k = ${k}`);
          }
        },
      ],
    ];
  }

  const cases = [
    ["MLP on cpu: to 1e-12 (chunks of 3 rows, padded)", () => createImageModel("mlp", data, { hidden: 5, policy: IMAGE_MODEL_EXACT_POLICY, maxBatchRows: 3 })],
    ["LeNet on wasm: to 1e-12 (accurate transcendentals: only summation orders differ)", () => createImageModel("lenet", data, { maxBatchRows: 4 })],
  ] as const;
  for (const [title, create] of cases) {
    describe(title, () => {
      let model: ImageModel;
      beforeAll(() => {
        model = create();
      });
      afterAll(() => model.dispose());
      // The parts share θ and the directions drawn by the first; they run in order.
      for (const [name, check] of batchedChecks(() => model, 1e-12)) test(name, check);
    });
  }

  test("batchLoss with a lane axis = one call per lane", () => {
    const model = createImageModel("lenet", data, { policy: IMAGE_MODEL_EXACT_POLICY });
    const policy = IMAGE_MODEL_EXACT_POLICY;
    const P = model.dim;
    const thetas = [model.theta0(1), model.theta0(2)];
    const both = new Float64Array(2 * P);
    thetas.forEach((t, l) => both.set(t, l * P));
    const x = model.featureRows([10, 20, 30]);
    const perLane = model.featureRows([10, 20, 30, 40, 50, 60]);
    const run = (theta: Float64Array, thetaShape: number[], rows: Float64Array, shape: number[]) =>
      Array.from(toFloat64Array(model.batchLoss(fromFloat64Array(theta, policy, thetaShape), fromFloat64Array(rows, policy, shape))));
    const single = (l: number, rows: Float64Array) => run(thetas[l], [P], rows, [3, 794]);
    expect(run(both, [2, P], x, [3, 794])).toBeAllclose([...single(0, x), ...single(1, x)], { rtol: 1e-14 });
    expect(run(both, [2, P], perLane, [2, 3, 794])).toBeAllclose(
      [...single(0, perLane.subarray(0, 3 * 794)), ...single(1, perLane.subarray(3 * 794))],
      { rtol: 1e-14 },
    );
    model.dispose();
  });
});

describe("jit = eager (no float32 literal under jit)", () => {
  test("MLP on cpu, k = 0..2, to 1e-13", () => {
    const jitted = createImageModel("mlp", data, { hidden: 4, policy: IMAGE_MODEL_EXACT_POLICY });
    const eager = createImageModel("mlp", data, { hidden: 4, policy: { ...IMAGE_MODEL_EXACT_POLICY, jit: false } });
    const rng = new Rng(SEED + 31);
    const theta = jitted.theta0(SEED);
    const dirs = [rng.normals(jitted.dim), rng.normals(jitted.dim)];
    try {
      for (let k = 0; k <= 2; k++) {
        expect(jitted.directionalDerivative(theta, 9, dirs.slice(0, k))).toBeAllclose(eager.directionalDerivative(theta, 9, dirs.slice(0, k)), {
          rtol: 1e-13,
        });
        expect(jitted.directionalGradient(theta, 9, dirs.slice(0, k))).toBeAllclose(eager.directionalGradient(theta, 9, dirs.slice(0, k)), {
          rtol: 1e-12,
          atol: 1e-15,
        });
      }
    } finally {
      jitted.dispose();
      eager.dispose();
    }
  });

  test("LeNet on cpu: loss and first directional derivative", () => {
    const jitted = createImageModel("lenet", data, { policy: IMAGE_MODEL_EXACT_POLICY });
    const eager = createImageModel("lenet", data, { policy: { ...IMAGE_MODEL_EXACT_POLICY, jit: false } });
    const theta = jitted.theta0(SEED);
    const v = new Rng(SEED).normals(jitted.dim);
    try {
      for (const dirs of [[], [v]]) {
        expect(jitted.directionalDerivative(theta, 123, dirs)).toBeAllclose(eager.directionalDerivative(theta, 123, dirs), { rtol: 1e-13 });
      }
    } finally {
      jitted.dispose();
      eager.dispose();
    }
  });
});

test("no device buffer outlives the calls (default policy)", async () => {
  const tracker = await trackBuffers();
  try {
    const model = createImageModel("lenet", data, { maxBatchRows: 4 });
    const rng = new Rng(SEED);
    const theta = model.theta0(SEED);
    const v = rng.normals(model.dim);
    for (let k = 0; k <= 2; k++) {
      model.directionalDerivative(theta, 1, Array(k).fill(v));
      model.directionalGradient(theta, 1, Array(k).fill(v));
    }
    model.directionalDerivatives(theta, [1, 2, 3, 4, 5], [v]);
    model.directionalGradients(theta, [1, 2, 3, 4, 5], [v]);
    model.meanLoss(theta, [1, 2, 3, 4, 5]);
    model.meanGradient(theta, [1, 2, 3, 4, 5]);
    model.meanDirectionalGradient(theta, [1, 2, 3, 4, 5], [v, v]);
    model.meanDirectionalDerivative(theta, [1, 2, 3, 4, 5], [v, v, v]);
    model.meanDirectionalGradient(theta, [1], [v]);
    expect(() => model.meanLoss(theta, [1, 1e9])).toThrow(InvalidArgumentError);
    expect(() => model.meanDirectionalGradient(theta, [1, 2], [v.subarray(1)])).toThrow(InvalidArgumentError);
    toNumber(model.loss(fromFloat64Array(theta, model.policy), fromFloat64Array(model.features(3), model.policy)));
    model.dispose();
    expect(tracker.allocated()).toBeGreaterThan(0);
    expect(tracker.live(), `live buffers after ${tracker.allocated()} allocations`).toBe(0);
  } finally {
    tracker.stop();
  }
});

describe("validation", () => {
  test("bad kinds, data, indices, weights and directions are rejected", () => {
    expect(() => createImageModel("resnet" as "lenet", data)).toThrow(/createImageModel: kind must be one of logistic, lenet, mlp/);
    expect(() => createImageModel("lenet", { ...data, features: 100 })).toThrow(InvalidArgumentError);
    expect(() => createImageModel("mlp", data, { hidden: 0 })).toThrow(InvalidArgumentError);
    const m = createImageModel("logistic", data);
    const theta = m.theta0();
    expect(() => m.directionalGradient(theta, -1, [])).toThrow(/datum must be an index in \[0, 10000\), got -1/);
    expect(() => m.meanLoss(theta, [])).toThrow(InvalidArgumentError);
    expect(() => m.meanLoss(theta.subarray(1), [0])).toThrow(InvalidArgumentError);
    expect(() => m.directionalDerivatives(theta, [0, 1], [new Float64Array(3)])).toThrow(InvalidArgumentError);
    m.dispose();
  });
});
