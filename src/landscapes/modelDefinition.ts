/**
 * The public way to define a model for the main job: an initialisation of a parameter pytree
 * and a forward pass on jax-js, plus the name of the per-datum loss. The built-in LeNet and MLP
 * are defined through it too (`builtinModels.ts`); `createModel` turns a definition and a data
 * set into the float64 derivative oracle and the float32 batched trainer's input.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { ACCURATE_TRANSCENDENTALS, constant, lax, np, Rng, type JaxArray, type Transcendentals } from "../numerics/index.js";

/**
 * The per-datum loss `l(f, y)` of the outputs `f = apply(θ, x)` (length `K`):
 * - `"softmax-cross-entropy"`: `logsumexp(f) − f_y` for an integer class `y ∈ 0..K−1`;
 * - `"mse"`: `½‖f − y‖² = ½ Σ_k (f_k − y_k)²` for a real target vector `y` (summed over the
 *   `K` outputs, not averaged, and halved, so the gradient is `Jᵀ(f − y)`).
 * The oracle (float64) and the trainer (float32) use the same formula.
 */
export type ModelLoss = "softmax-cross-entropy" | "mse";
export const MODEL_LOSSES: readonly ModelLoss[] = ["softmax-cross-entropy", "mse"];

/** A dense block of parameters: `data` row-major with `shape` (e.g. from {@link InitContext.normal}). */
export interface ParamTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/**
 * What `init` returns: nested plain objects and arrays whose leaves are numbers, rectangular
 * nested arrays of numbers (`[[1, 2], [3, 4]]` is one leaf of shape `[2, 2]`), `Float64Array`s
 * (one-dimensional) or {@link ParamTensor}s. The flat `θ` lists the leaves depth-first, object
 * keys in `Object.keys` order, each leaf row-major.
 */
export type ParamTree = number | Float64Array | ParamTensor | readonly ParamTree[] | { readonly [key: string]: ParamTree };

/** What `init` is given. */
export interface InitContext {
  /** The init seed (`--init-seed`). */
  readonly seed: number;
  /** Input features `F` of the data. */
  readonly features: number;
  /** Outputs `K`: the classes (cross-entropy) or target dimensions (MSE). */
  readonly outputs: number;
  /** Standard normals times `scale` (default 1), drawn from one stream of `seed` in call order. */
  normal(shape: readonly number[], scale?: number): ParamTensor;
  /** Zeros of `shape`. */
  zeros(shape: readonly number[]): ParamTensor;
}

/** The jax-js functions `apply` may use (so a model file needs no import of its own). */
export interface ModelTools extends Transcendentals {
  /**
   * `exp`, `log` and `tanh` (from {@link Transcendentals}): write the model with these rather
   * than `np.exp`/`np.log`/`np.tanh`. On the float64 wasm policy they are the accurate functions
   * of `numerics/accurateMath.ts` (jax-js's own are float32-accurate there, ~1e−7 relative, which
   * would leave every derivative of the model wrong in the 8th digit); elsewhere (float32
   * training, the exact `cpu` policy) they are jax-js's own.
   */
  readonly np: typeof np;
  readonly lax: typeof lax;
  /**
   * A rank-0 constant with the dtype of `like` (not consumed). Under `jit`, a bare number literal
   * is embedded as a float32 constant even in float64; write literals that are not exact in
   * float32 (`0.1`, `Math.PI`) through this, or the float64 derivatives are off in the 8th digit.
   */
  constant(like: JaxArray, value: number): JaxArray;
}

/**
 * A model. `apply(params, inputs, tools)` maps `inputs [S, F]` to `outputs [S, K]`; `params` has
 * the structure `init` returned, with jax-js arrays as leaves. Every read of a leaf gives a fresh
 * owned array (no `.ref` needed on parameters); `inputs` is one owned array (use `inputs.ref` if
 * it is read twice). With `lanes: true` the author promises that `apply` also broadcasts a
 * leading lane axis: leaves `[L, ...shape]` and `inputs [L, S, F]` (or `[1, S, F]`, data shared
 * by every lane) give `[L, S, K]` (e.g. biases stored as `[1, H]`, `np.matmul` on `[..., S, F] @ [..., F, H]`); the
 * batched trainer then runs many models in one matrix product. Without it the derivatives map
 * `apply` over per-datum lanes with `vmap`, and the harness trains each run on its own with the
 * float64 oracle (batched training through `vmap` gave wrong gradients on jax-js 0.1.25 when
 * lanes share data, so the batched trainer refuses such a model).
 */
export interface ModelDefinition {
  /** Short name for labels and output folders. */
  readonly name: string;
  readonly loss: ModelLoss;
  init(ctx: InitContext): ParamTree;
  apply(params: any, inputs: JaxArray, tools: ModelTools): JaxArray;
  readonly lanes?: boolean;
  /** Input features the model requires (e.g. 784 for a 28×28 LeNet); checked against the data. */
  readonly inputs?: number;
}

const DEFINED = new WeakSet<object>();

/**
 * Checks `definition`'s fields and returns it frozen: the typed way to write a model (a plain
 * object with the same fields is accepted too, see {@link asModelDefinition}).
 * @throws InvalidArgumentError for a missing or malformed field.
 */
export function defineModel<D extends ModelDefinition>(definition: D): D {
  const d = asModelDefinition(definition, "defineModel");
  return d as D;
}

/** `x` as a {@link ModelDefinition}, or an error naming the field that is wrong. */
export function asModelDefinition(x: unknown, where: string): ModelDefinition {
  if (typeof x === "object" && x !== null && DEFINED.has(x)) return x as ModelDefinition;
  if (typeof x !== "object" || x === null) throw new InvalidArgumentError(where, "model", "an object { name, loss, init, apply }", x);
  const d = x as Partial<ModelDefinition>;
  if (typeof d.name !== "string" || d.name.trim() === "") throw new InvalidArgumentError(where, "model.name", "a non-empty string", d.name);
  if (!MODEL_LOSSES.includes(d.loss as ModelLoss)) throw new InvalidArgumentError(where, "model.loss", `one of ${MODEL_LOSSES.join(", ")}`, d.loss);
  if (typeof d.init !== "function") throw new InvalidArgumentError(where, "model.init", "a function (ctx) → parameters", d.init);
  if (typeof d.apply !== "function") throw new InvalidArgumentError(where, "model.apply", "a function (params, inputs, tools) → outputs", d.apply);
  if (d.lanes !== undefined && typeof d.lanes !== "boolean") throw new InvalidArgumentError(where, "model.lanes", "a boolean", d.lanes);
  if (d.inputs !== undefined && !(Number.isInteger(d.inputs) && d.inputs >= 1)) throw new InvalidArgumentError(where, "model.inputs", "a positive integer", d.inputs);
  const frozen = Object.freeze({ ...d }) as ModelDefinition;
  DEFINED.add(frozen);
  return frozen;
}

/** One leaf of the flat `θ`: `θ[offset, offset + size)` reshaped to `shape`. */
export interface ParamLeaf {
  /** e.g. `"dense1.weight"` or `"layers.0.bias"`. */
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  readonly shape: readonly number[];
}

/** Where the leaves of a parameter tree sit in `θ`, and the tree's structure. */
export interface ParamLayout {
  readonly leaves: readonly ParamLeaf[];
  readonly dim: number;
  /** The tree with each leaf replaced by its index in `leaves`. */
  readonly skeleton: Skeleton;
}
export type Skeleton = number | readonly Skeleton[] | { readonly [key: string]: Skeleton };

/** An {@link InitContext} for `seed` (one normal stream, drawn in call order). */
export function initContext(seed: number, features: number, outputs: number): InitContext {
  const rng = new Rng(seed);
  return {
    seed,
    features,
    outputs,
    normal(shape, scale = 1) {
      const data = rng.normals(shapeSize(shape, "InitContext.normal"));
      if (scale !== 1) for (let i = 0; i < data.length; i++) data[i] *= scale;
      return { shape: [...shape], data };
    },
    zeros: (shape) => ({ shape: [...shape], data: new Float64Array(shapeSize(shape, "InitContext.zeros")) }),
  };
}

function shapeSize(shape: readonly number[], where: string): number {
  if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 1)) throw new InvalidArgumentError(where, "shape", "a list of positive integers", shape);
  return shape.reduce((a, b) => a * b, 1);
}

/** The leaf at `tree` as shape + values, or `null` when `tree` is an inner node. */
function asLeaf(tree: unknown, path: string): { shape: number[]; values: ArrayLike<number> } | null {
  if (typeof tree === "number") return { shape: [], values: [tree] };
  if (tree instanceof Float64Array) return { shape: [tree.length], values: tree };
  if (typeof tree === "object" && tree !== null && !Array.isArray(tree) && "shape" in tree && "data" in tree) {
    const t = tree as ParamTensor;
    if (!(t.data instanceof Float64Array) || t.data.length !== shapeSize(t.shape, `parameters ${path}`)) {
      throw new InvalidArgumentError("init", `parameters ${path}`, "a tensor whose data length is the product of its shape", t.data?.length);
    }
    return { shape: [...t.shape], values: t.data };
  }
  if (!Array.isArray(tree)) return null;
  let probe: unknown = tree;
  while (Array.isArray(probe) && probe.length > 0) probe = probe[0];
  if (typeof probe !== "number") return null;
  return nestedLeaf(tree, path);
}

/** A rectangular nested number array as shape + row-major values. */
function nestedLeaf(tree: readonly unknown[], path: string): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  for (let t: unknown = tree; Array.isArray(t); t = t[0]) shape.push(t.length);
  const values: number[] = [];
  const walk = (t: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof t !== "number") throw new InvalidArgumentError("init", `parameters ${path}`, "a rectangular array of numbers", t);
      values.push(t);
      return;
    }
    if (!Array.isArray(t) || t.length !== shape[depth]) throw new InvalidArgumentError("init", `parameters ${path}`, `a rectangular array of shape [${shape.join(", ")}]`, "a ragged array");
    for (const u of t) walk(u, depth + 1);
  };
  walk(tree, 0);
  return { shape, values };
}

/**
 * Flattens an initial parameter tree into `θ` and its {@link ParamLayout}.
 * @throws InvalidArgumentError for a leaf that is not finite or an empty tree.
 */
export function flattenParams(tree: ParamTree): { theta: Float64Array; layout: ParamLayout } {
  const leaves: ParamLeaf[] = [];
  const chunks: ArrayLike<number>[] = [];
  let offset = 0;
  const walk = (t: unknown, path: string): Skeleton => {
    const leaf = asLeaf(t, path || "(root)");
    if (leaf !== null) {
      leaves.push({ path, offset, size: leaf.values.length, shape: leaf.shape });
      chunks.push(leaf.values);
      offset += leaf.values.length;
      return leaves.length - 1;
    }
    if (Array.isArray(t)) return t.map((u, i) => walk(u, path === "" ? String(i) : `${path}.${i}`));
    if (typeof t === "object" && t !== null) {
      return Object.fromEntries(Object.keys(t).map((k) => [k, walk((t as Record<string, unknown>)[k], path === "" ? k : `${path}.${k}`)]));
    }
    throw new InvalidArgumentError("init", `parameters ${path || "(root)"}`, "numbers, arrays of numbers, Float64Arrays or nested objects of them", t);
  };
  const skeleton = walk(tree, "");
  if (offset === 0) throw new InvalidArgumentError("init", "parameters", "at least one parameter", tree);
  const theta = new Float64Array(offset);
  leaves.forEach((l, i) => theta.set(chunks[i], l.offset));
  const bad = theta.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InvalidArgumentError("init", `parameters ${leaves.find((l) => bad < l.offset + l.size)!.path}`, "finite numbers", theta[bad]);
  return { theta, layout: { leaves, dim: offset, skeleton } };
}

/**
 * The parameter tree `apply` sees for a flat `θ [...lanes, P]` (jax-level, not consumed here):
 * every property read returns a new owned view `[...lanes, ...shape]` of its leaf.
 */
export function paramView(theta: JaxArray, layout: ParamLayout): unknown {
  const lanes = theta.shape.slice(0, -1);
  const whole = lanes.map((): [] => []);
  const leafArray = (l: ParamLeaf): JaxArray => theta.ref.slice(...whole, [l.offset, l.offset + l.size]).reshape([...lanes, ...l.shape]);
  const build = (s: Skeleton): unknown => {
    const node: Record<string, unknown> | unknown[] = Array.isArray(s) ? [] : {};
    for (const [k, child] of Object.entries(s)) {
      if (typeof child === "number") Object.defineProperty(node, k, { get: () => leafArray(layout.leaves[child]), enumerable: true });
      else Object.defineProperty(node, k, { value: build(child), enumerable: true });
    }
    return node;
  };
  return typeof layout.skeleton === "number" ? leafArray(layout.leaves[layout.skeleton]) : build(layout.skeleton);
}

/** The {@link ModelTools} handed to `apply`, with the transcendental functions `math` (`transcendentalsFor(policy)`). */
export function modelTools(math: Transcendentals = ACCURATE_TRANSCENDENTALS): ModelTools {
  return Object.freeze({ np, lax, constant, exp: math.exp, log: math.log, tanh: math.tanh });
}
