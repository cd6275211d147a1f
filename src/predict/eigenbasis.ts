/**
 * Float inputs of the resummed predictions (vectors, matrices, 3-tensors of derivative
 * moments) and their rotation into an eigenbasis of the Hessian.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { symmetricEigen } from "./symmetricEigen.js";

/** A length-`P` vector. */
export type VectorInput = Float64Array | readonly number[];
/** A `P × P` matrix: nested rows, or row-major entries in a `Float64Array` of length `P²`. */
export type MatrixInput = Float64Array | readonly (readonly number[])[];
/**
 * A `P × P × P` tensor: nested arrays `t[a][b][c]`, or a row-major `Float64Array` of length
 * `P³` (entry `(a, b, c)` at `(a·P + b)·P + c`).
 */
export type Tensor3Input = Float64Array | readonly (readonly (readonly number[])[])[];

/** The Hessian's eigen-decomposition: `H = V diag(h) Vᵀ`, columns of `V` = eigenvectors. */
export interface Eigenbasis {
  readonly P: number;
  readonly h: Float64Array;
  readonly V: Float64Array;
}

/** The dimension `P` of a square matrix input. */
export function matrixDimension(x: MatrixInput, where: string, arg: string): number {
  if (x instanceof Float64Array) {
    const P = Math.round(Math.sqrt(x.length));
    if (P * P !== x.length) throw new InvalidArgumentError(where, arg, "of a square length P² (a row-major P×P matrix)", x.length);
    return P;
  }
  if (!Array.isArray(x)) throw new TypeError(`${where}: ${arg} must be a Float64Array or an array of rows`);
  return x.length;
}

/** A validated copy of a length-`P` vector. */
export function toVector(x: VectorInput, P: number, where: string, arg: string): Float64Array {
  if (!(x instanceof Float64Array) && !Array.isArray(x)) throw new TypeError(`${where}: ${arg} must be a Float64Array or an array`);
  if (x.length !== P) throw new InvalidArgumentError(where, arg, `of length ${P}`, x.length);
  const out = Float64Array.from(x);
  requireFiniteEntries(out, where, arg);
  return out;
}

/** A validated row-major copy of a `P × P` matrix. */
export function toMatrix(x: MatrixInput, P: number, where: string, arg: string): Float64Array {
  let out: Float64Array;
  if (x instanceof Float64Array) {
    if (x.length !== P * P) throw new InvalidArgumentError(where, arg, `of length ${P * P} (a row-major ${P}×${P} matrix)`, x.length);
    out = Float64Array.from(x);
  } else {
    if (!Array.isArray(x)) throw new TypeError(`${where}: ${arg} must be a Float64Array or an array of rows`);
    if (x.length !== P || x.some((row) => !isArrayLike(row) || row.length !== P)) {
      throw new InvalidArgumentError(where, arg, `a ${P}×${P} matrix (${P} rows of length ${P})`, describeShape(x));
    }
    out = new Float64Array(P * P);
    for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) out[i * P + j] = x[i][j];
  }
  requireFiniteEntries(out, where, arg);
  return out;
}

/** A validated row-major copy of a `P × P × P` tensor. */
export function toTensor3(x: Tensor3Input, P: number, where: string, arg: string): Float64Array {
  let out: Float64Array;
  if (x instanceof Float64Array) {
    if (x.length !== P * P * P) {
      throw new InvalidArgumentError(where, arg, `of length ${P * P * P} (a row-major ${P}×${P}×${P} tensor)`, x.length);
    }
    out = Float64Array.from(x);
  } else {
    if (!Array.isArray(x)) throw new TypeError(`${where}: ${arg} must be a Float64Array or nested arrays`);
    const ok =
      x.length === P &&
      x.every((m) => isArrayLike(m) && m.length === P && m.every((row) => isArrayLike(row) && row.length === P));
    if (!ok) throw new InvalidArgumentError(where, arg, `a ${P}×${P}×${P} tensor (nested arrays)`, describeShape(x));
    out = new Float64Array(P * P * P);
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) for (let c = 0; c < P; c++) out[(a * P + b) * P + c] = x[a][b][c];
  }
  requireFiniteEntries(out, where, arg);
  return out;
}

/** Validates `η` (finite) and returns it. */
export function requireEta(eta: number, where: string): number {
  if (typeof eta !== "number" || !Number.isFinite(eta)) throw new InvalidArgumentError(where, "eta", "a finite number", eta);
  return eta;
}

/** Eigen-decomposition of the symmetric part of `H`. */
export function eigenbasisOf(H: MatrixInput, where: string): Eigenbasis {
  const P = matrixDimension(H, where, "H");
  const flat = toMatrix(H, P, where, "H");
  const { values, vectors } = symmetricEigen(flat, P);
  return { P, h: values, V: vectors };
}

/** `Vᵀ g`. */
export function rotateVector(basis: Eigenbasis, g: Float64Array): Float64Array {
  const { P, V } = basis;
  const out = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    const gi = g[i];
    if (gi === 0) continue;
    for (let mu = 0; mu < P; mu++) out[mu] += V[i * P + mu] * gi;
  }
  return out;
}

/** `V x` (back from the eigenbasis). */
export function unrotateVector(basis: Eigenbasis, x: Float64Array): Float64Array {
  const { P, V } = basis;
  const out = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    let s = 0;
    for (let mu = 0; mu < P; mu++) s += V[i * P + mu] * x[mu];
    out[i] = s;
  }
  return out;
}

/** The diagonal of `Vᵀ A V`: `(VᵀAV)_μμ = Σ_ij V_iμ A_ij V_jμ`. */
export function rotatedDiagonal(basis: Eigenbasis, A: Float64Array): Float64Array {
  const { P, V } = basis;
  const out = new Float64Array(P);
  const col = new Float64Array(P);
  for (let mu = 0; mu < P; mu++) {
    for (let i = 0; i < P; i++) col[i] = V[i * P + mu];
    let s = 0;
    for (let i = 0; i < P; i++) {
      let row = 0;
      for (let j = 0; j < P; j++) row += A[i * P + j] * col[j];
      s += col[i] * row;
    }
    out[mu] = s;
  }
  return out;
}

/** `Vᵀ A V` (row-major). */
export function rotateMatrix(basis: Eigenbasis, A: Float64Array): Float64Array {
  return rotateTensor(basis, A, 2);
}

/** `Ã_{μνλ} = Σ_abc A_abc V_aμ V_bν V_cλ` (row-major). */
export function rotateTensor3(basis: Eigenbasis, A: Float64Array): Float64Array {
  return rotateTensor(basis, A, 3);
}

/** Applies `Vᵀ` along each of the `order` modes of a row-major tensor with all sides `P`. */
function rotateTensor(basis: Eigenbasis, A: Float64Array, order: number): Float64Array {
  const { P, V } = basis;
  const Vt = new Float64Array(P * P); // Vᵀ, so the inner loop runs over contiguous memory
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) Vt[j * P + i] = V[i * P + j];
  let cur = A;
  // Mode product along the last axis, then cycle the axes (row-major, a cyclic transpose
  // per pass), so after `order` passes every axis was rotated and the order is restored.
  for (let pass = 0; pass < order; pass++) {
    const outer = cur.length / P;
    const next = new Float64Array(cur.length);
    for (let r = 0; r < outer; r++) {
      const base = r * P;
      for (let mu = 0; mu < P; mu++) {
        const vb = mu * P;
        let s = 0;
        for (let c = 0; c < P; c++) s += cur[base + c] * Vt[vb + c];
        // (r, μ) → (μ, r): the rotated axis moves to the front.
        next[mu * outer + r] = s;
      }
    }
    cur = next;
  }
  return cur;
}

function isArrayLike(x: unknown): x is readonly unknown[] {
  return Array.isArray(x);
}

function requireFiniteEntries(x: Float64Array, where: string, arg: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new InvalidArgumentError(where, `${arg} (entry ${i})`, "a finite number", x[i]);
  }
}

/** `[2, 3]`-style shape of nested arrays, for error messages. */
function describeShape(x: unknown): string {
  const dims: number[] = [];
  let cur: unknown = x;
  while (Array.isArray(cur)) {
    dims.push(cur.length);
    cur = cur[0];
  }
  return `an array of shape [${dims.join(", ")}]`;
}
