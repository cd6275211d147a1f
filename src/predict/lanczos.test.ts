import { expect, test } from "vitest";
import { SEED, seededRandom } from "../../test/helpers/seed.js";
import { lanczosBilinearForm, lanczosQuadraticForm } from "./lanczos.js";
import { symmetricEigen } from "./symmetricEigen.js";

test("Lanczos quadrature equals the exact vᵀf(A)v (eigendecomposition) for smooth f", () => {
  const rnd = seededRandom(SEED);
  const n = 30;
  const B = Float64Array.from({ length: n * n }, () => rnd() - 0.5);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) A[i * n + j] += (B[k * n + i] * B[k * n + j]) / n;
  const matvec = (x: Float64Array) => {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) y[i] += A[i * n + j] * x[j];
    return y;
  };
  const u = Float64Array.from({ length: n }, () => rnd() - 0.5);
  const w = Float64Array.from({ length: n }, () => rnd() - 0.5);
  const eta = 0.3;
  const T = 10;
  const f = (h: number) => (Math.abs(h) < 1e-12 ? -eta * T : -(1 - (1 - eta * h) ** T) / h);
  const { values, vectors } = symmetricEigen(A, n);
  let exact = 0;
  for (let j = 0; j < n; j++) {
    let pu = 0;
    let pw = 0;
    for (let i = 0; i < n; i++) (pu += u[i] * vectors[i * n + j]), (pw += w[i] * vectors[i * n + j]);
    exact += f(values[j]) * pu * pw;
  }
  expect(lanczosBilinearForm(matvec, u, w, f, 20)).toBeAllclose(exact, { rtol: 1e-9, atol: 1e-12 });
  // A polynomial of degree < 2k is integrated exactly with k steps.
  const cubic = (h: number) => 1 - 2 * h + h ** 3;
  let exactCubic = 0;
  for (let j = 0; j < n; j++) {
    let pu = 0;
    for (let i = 0; i < n; i++) pu += u[i] * vectors[i * n + j];
    exactCubic += cubic(values[j]) * pu * pu;
  }
  expect(lanczosQuadraticForm(matvec, u, cubic, 2)).toBeAllclose(exactCubic, { rtol: 1e-10 });
});
