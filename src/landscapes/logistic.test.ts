import { describe, expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import type { ImageDataset } from "./datasets.js";
import { jointCumulant, LogisticModel } from "./logistic.js";

/** A tiny synthetic data set (6 pixels) so finite differences are cheap and exact enough. */
function tinyData(): ImageDataset {
  const rnd = seededRandom(SEED);
  const size = 5;
  const features = 6;
  return {
    name: "mnist",
    size,
    features,
    pixels: Float32Array.from({ length: size * features }, () => rnd()),
    labels: Uint8Array.from({ length: size }, (_, i) => i % 10),
    skipped: [],
  };
}

const rnd = seededRandom(SEED + 7);
const randVec = (n: number, scale = 1) => Float64Array.from({ length: n }, () => scale * (2 * rnd() - 1));

describe("LogisticModel derivatives vs central finite differences", () => {
  const model = new LogisticModel(tinyData());
  const theta = randVec(model.dim, 0.8);
  const dirs = [randVec(model.dim), randVec(model.dim), randVec(model.dim)];
  const h = 1e-4;
  const shift = (t: Float64Array, v: Float64Array, a: number) => t.map((x, j) => x + a * v[j]);

  for (let k = 0; k <= 3; k++) {
    test(`∇^${k + 1} l[v_1..v_${k}, w] = d/dε ∇^${k} l(θ + εw)[v_1..v_${k}]`, () => {
      for (let i = 0; i < model.data.size; i++) {
        const w = randVec(model.dim);
        const g = model.directionalGradient(theta, i, dirs.slice(0, k));
        const analytic = g.reduce((s, gj, j) => s + gj * w[j], 0);
        const viaScalar = model.directionalDerivative(theta, i, [...dirs.slice(0, k), w]);
        const fd =
          (model.directionalDerivative(shift(theta, w, h), i, dirs.slice(0, k)) - model.directionalDerivative(shift(theta, w, -h), i, dirs.slice(0, k))) /
          (2 * h);
        expect(analytic).toBeAllclose(fd, { rtol: 1e-6, atol: 1e-8 });
        expect(viaScalar).toBeAllclose(analytic, { rtol: 1e-12, atol: 1e-14 });
      }
    });
  }

  test("directional derivatives are symmetric in their directions", () => {
    const a = model.directionalDerivative(theta, 2, [dirs[0], dirs[1], dirs[2]]);
    const b = model.directionalDerivative(theta, 2, [dirs[2], dirs[0], dirs[1]]);
    expect(a).toBeAllclose(b, { rtol: 1e-12 });
  });

  test("zero init: the loss is log 10 and the gradient has mean-zero logits", () => {
    expect(model.directionalDerivative(model.theta0(), 0, [])).toBeAllclose(Math.log(10), { rtol: 1e-15 });
  });

  test("rejects a bad datum index", () => {
    expect(() => model.directionalGradient(theta, 99, [])).toThrow(/datum must be an index in \[0, 5\), got 99/);
  });
});

test("joint cumulants: second is the covariance, cumulants of a constant vanish", () => {
  const p = [0.2, 0.5, 0.3];
  const u = [1, -2, 4];
  const v = [0.5, 3, -1];
  const mean = (f: number[]) => f.reduce((s, x, c) => s + p[c] * x, 0);
  const cov = mean(u.map((x, c) => x * v[c])) - mean(u) * mean(v);
  expect(jointCumulant(p, [u, v])).toBeAllclose(cov, { rtol: 1e-14 });
  expect(jointCumulant(p, [u, [2, 2, 2], v])).toBeAllclose(0, { atol: 1e-14 });
});

test("meanDirectionalGradient is the mean of directionalGradient", () => {
  const rnd2 = seededRandom(SEED + 11);
  const data: ImageDataset = {
    name: "mnist",
    size: 4,
    features: 5,
    pixels: Float32Array.from({ length: 20 }, (_, k) => (k % 3 === 0 ? 0 : rnd2())),
    labels: Uint8Array.from([1, 2, 3, 4]),
    skipped: [],
  };
  const m = new LogisticModel(data);
  const th = Float64Array.from({ length: m.dim }, () => rnd2() - 0.5);
  const v = Float64Array.from({ length: m.dim }, () => rnd2() - 0.5);
  const mean = m.meanDirectionalGradient(th, [0, 2, 3], [v]);
  const direct = [0, 2, 3].map((i) => m.directionalGradient(th, i, [v])).reduce((acc, g) => acc.map((x, j) => x + g[j] / 3), new Float64Array(m.dim));
  expect(Array.from(mean)).toBeAllclose(Array.from(direct), { rtol: 1e-12, atol: 1e-15 });
});

describe("LogisticModel.at (frozen-point oracle)", () => {
  const rnd3 = seededRandom(SEED + 23);
  const data: ImageDataset = {
    name: "mnist",
    size: 6,
    features: 7,
    pixels: Float32Array.from({ length: 42 }, (_, k) => (k % 4 === 1 ? 0 : rnd3())),
    labels: Uint8Array.from([0, 3, 9, 3, 5, 1]),
    skipped: [],
  };
  const m = new LogisticModel(data);
  const th = Float64Array.from({ length: m.dim }, () => rnd3() - 0.5);
  const point = m.at(th);
  const vs = [0, 1, 2].map(() => Float64Array.from({ length: m.dim }, () => rnd3() - 0.5));

  test("agrees with the model for every order it serves, and for repeated directions", () => {
    const dirSets = [[], [vs[0]], [vs[0], vs[1]], [vs[2], vs[2]], [vs[0], vs[1], vs[2]], [vs[1], vs[1], vs[0]], [vs[0], vs[1], vs[2], vs[0]]];
    for (let i = 0; i < data.size; i++) {
      for (const dirs of dirSets) {
        expect(point.directionalDerivative(point.theta, i, dirs)).toBeAllclose(m.directionalDerivative(th, i, dirs), { rtol: 1e-12, atol: 1e-14 });
        expect(Array.from(point.directionalGradient(point.theta, i, dirs))).toBeAllclose(Array.from(m.directionalGradient(th, i, dirs)), { rtol: 1e-12, atol: 1e-14 });
      }
    }
    for (const dirs of dirSets.slice(0, 4)) {
      expect(Array.from(point.meanDirectionalGradient(point.theta, [0, 4, 4, 2], dirs))).toBeAllclose(Array.from(m.meanDirectionalGradient(th, [0, 4, 4, 2], dirs)), {
        rtol: 1e-12,
        atol: 1e-14,
      });
      const mean = [1, 3, 5].reduce((s, i) => s + m.directionalDerivative(th, i, dirs), 0) / 3;
      expect(point.meanDirectionalDerivative(point.theta, [1, 3, 5], dirs)).toBeAllclose(mean, { rtol: 1e-12, atol: 1e-14 });
    }
    const into = Float64Array.from({ length: m.dim }, (_, j) => j);
    point.meanDirectionalGradientInto(into, point.theta, [2, 5], [vs[1]]);
    const ref = m.meanDirectionalGradient(th, [2, 5], [vs[1]]);
    expect(Array.from(into)).toBeAllclose(Array.from(ref, (x, j) => x + j), { rtol: 1e-12, atol: 1e-14 });
    const means = dirSets.map((dirs) => [1, 3, 3, 5].reduce((s, i) => s + m.directionalDerivative(th, i, dirs), 0) / 4);
    expect(point.meanDirectionalDerivatives(point.theta, [1, 3, 3, 5], dirSets)).toBeAllclose(means, { rtol: 1e-12, atol: 1e-14 });
  });

  test("at zero weights (no pass for the logits) it agrees with the model too", () => {
    const zero = m.theta0();
    const p0 = m.at(zero);
    for (let i = 0; i < data.size; i++) {
      expect(p0.directionalDerivative(p0.theta, i, [])).toBe(m.directionalDerivative(zero, i, []));
      expect(Array.from(p0.directionalGradient(p0.theta, i, [vs[0], vs[1]]))).toBeAllclose(Array.from(m.directionalGradient(zero, i, [vs[0], vs[1]])), { rtol: 1e-12, atol: 1e-15 });
    }
  });

  test("is frozen: a copy of θ, and other weights go to the model", () => {
    const copy = Float64Array.from(th);
    th[0] += 1;
    const other = Float64Array.from(copy, (x) => x * 0.5);
    expect(Array.from(point.theta)).toEqual(Array.from(copy));
    expect(Array.from(point.directionalGradient(other, 2, [vs[0]]))).toEqual(Array.from(m.directionalGradient(other, 2, [vs[0]])));
    expect(point.directionalDerivative(point.theta, 2, [])).toBeAllclose(m.directionalDerivative(copy, 2, []), { rtol: 1e-14 });
    th[0] -= 1;
    expect(() => point.directionalGradient(point.theta, 6, [])).toThrow(/datum must be an index in \[0, 6\), got 6/);
  });
});

describe("LogisticModel.theta0", () => {
  test("seed 0 is the zero init; seed k ≥ 1 gives seeded standard normals", () => {
    const model = new LogisticModel(tinyData());
    expect(model.theta0().every((x) => x === 0)).toBe(true);
    expect(model.theta0(0).every((x) => x === 0)).toBe(true);
    const a = model.theta0(3);
    expect(a).toEqual(model.theta0(3));
    expect(a).not.toEqual(model.theta0(4));
    const mean = a.reduce((s, x) => s + x, 0) / a.length;
    const variance = a.reduce((s, x) => s + (x - mean) ** 2, 0) / (a.length - 1);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(a.length));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / a.length));
  });
});
