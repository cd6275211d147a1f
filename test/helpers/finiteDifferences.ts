/**
 * Finite-difference references for checking automatic differentiation (JAX `check_grads`).
 */

type VectorFn = (x: Float64Array) => Float64Array | number;

function asArray(y: Float64Array | number): Float64Array {
  return typeof y === "number" ? new Float64Array([y]) : y;
}

function shifted(x: Float64Array, v: ArrayLike<number>, t: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + t * v[i];
  return out;
}

/**
 * The directional derivative `d/dt f(x + t v)` at `t = 0` by central differences with one
 * Richardson step: `(4 D(h/2) − D(h))/3`, where `D(h) = (f(x+hv) − f(x−hv))/(2h)`; the
 * truncation error is O(h⁴).
 */
export function centralDifference(f: VectorFn, x: Float64Array, v: ArrayLike<number>, h = 1e-3): Float64Array {
  const d = (step: number): Float64Array => {
    const plus = asArray(f(shifted(x, v, step)));
    const minus = asArray(f(shifted(x, v, -step)));
    return plus.map((p, i) => (p - minus[i]) / (2 * step));
  };
  const coarse = d(h);
  const fine = d(h / 2);
  return fine.map((y, i) => (4 * y - coarse[i]) / 3);
}

/** `Σ a_i b_i`. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
