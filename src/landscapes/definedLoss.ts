/**
 * The per-datum losses of a batch for a {@link ModelDefinition}: the jax-level function the
 * float64 oracle differentiates and the float32 batched trainer steps with.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { ACCURATE_TRANSCENDENTALS, logSumExp, vmap, type JaxArray, type Transcendentals } from "../numerics/index.js";
import type { BatchLossFunction } from "./imageModelTypes.js";
import { modelTools, paramView, type ModelDefinition, type ModelLoss, type ModelTools, type ParamLayout } from "./modelDefinition.js";

/** The shape of a datum row: `features` inputs, then `outputs` target entries (one-hot classes or real targets). */
export interface DatumShape {
  readonly features: number;
  readonly outputs: number;
}

/**
 * `(θ [P] or [L, P], x [S, F+K] or [L, S, F+K]) → losses [S] or [L, S]`, consuming both: the
 * first `F` columns of `x` go to `apply` (as `[1, S, F]` when lanes share the data), the last
 * `K` are the one-hot class (cross-entropy) or the target (MSE). Lanes go through `apply` directly when the definition declares
 * `lanes: true`, otherwise through `vmap` over the lane axis.
 */
export function definedBatchLoss(def: ModelDefinition, layout: ParamLayout, shape: DatumShape, math: Transcendentals = ACCURATE_TRANSCENDENTALS): BatchLossFunction {
  const D = shape.features + shape.outputs;
  const tools = modelTools(math);
  const perModel = (theta: JaxArray, x: JaxArray): JaxArray => datumLosses(def, layout, shape, theta, x, tools);
  return (theta, x) => {
    const P = layout.dim;
    if (theta.ndim < 1 || theta.ndim > 2 || theta.shape[theta.ndim - 1] !== P || x.ndim < 2 || x.ndim > 3 || x.shape[x.ndim - 1] !== D || (x.ndim === 3 && (theta.ndim !== 2 || x.shape[0] !== theta.shape[0]))) {
      const got = `θ [${theta.shape.join(", ")}], x [${x.shape.join(", ")}]`;
      theta.dispose();
      x.dispose();
      throw new InvalidArgumentError(`${def.name}.batchLoss`, "arguments", `θ [${P}] or [L, ${P}] with x [S, ${D}] or [L, S, ${D}]`, got);
    }
    if (theta.ndim === 1 || def.lanes === true) return perModel(theta, x);
    return vmap(perModel, [0, x.ndim === 3 ? 0 : null])(theta, x) as JaxArray;
  };
}

const SHARED_ROWS = new WeakSet<ModelDefinition>();

/**
 * Marks a definition whose `apply` takes data shared by all lanes as `[S, F]` (no lane axis):
 * the built-in models, whose layers compute `W @ xᵀ`, which jax-js broadcasts correctly, and
 * which would otherwise pay for the broadcast of the data across lanes. Returns `def`.
 */
export function takesSharedRows<D extends ModelDefinition>(def: D): D {
  SHARED_ROWS.add(def);
  return def;
}

/** The losses of one model (or of lanes the definition broadcasts itself). Consumes both. */
function datumLosses(def: ModelDefinition, layout: ParamLayout, shape: DatumShape, theta: JaxArray, x: JaxArray, tools: ModelTools): JaxArray {
  const F = shape.features;
  const K = shape.outputs;
  const dataLanes = x.ndim === 3 ? [[] as []] : [];
  // Lanes with shared data: inputs [1, S, F] (jax-js 0.1.25's matmul mis-broadcasts [S, F] @ [L, F, H]),
  // except for definitions known to take [S, F] there (the built-ins: W @ xᵀ broadcasts correctly).
  const shared = theta.ndim === 2 && x.ndim === 2 && !SHARED_ROWS.has(def);
  const sliced = x.ref.slice(...dataLanes, [], [0, F]);
  const inputs = shared ? sliced.reshape([1, ...sliced.shape]) : sliced;
  const want = [...(theta.ndim === 2 ? [theta.shape[0]] : []), x.shape[x.ndim - 2], K];
  const targets = x.slice(...dataLanes, [], [F, F + K]);
  let out: JaxArray;
  try {
    out = def.apply(paramView(theta, layout), inputs, tools);
  } finally {
    theta.dispose();
  }
  if (!isJaxArray(out) || out.ndim !== want.length || out.shape.some((n, i) => n !== want[i])) {
    const got = isJaxArray(out) ? `[${out.shape.join(", ")}]` : out;
    if (isJaxArray(out)) out.dispose();
    targets.dispose();
    throw new InvalidArgumentError(`model "${def.name}"`, "apply's outputs", `of shape [${want.join(", ")}] (${K} = ${def.loss === "mse" ? "target dimensions" : "classes"} of the data)`, got);
  }
  return perDatumLoss(def.loss, out, targets, tools);
}

function isJaxArray(x: unknown): x is JaxArray {
  return typeof x === "object" && x !== null && "shape" in x && "ndim" in x && typeof (x as JaxArray).dispose === "function";
}

/** `l(f, y)` over the last axis (see {@link ModelLoss}); consumes both. */
export function perDatumLoss(loss: ModelLoss, outputs: JaxArray, targets: JaxArray, math: Transcendentals = ACCURATE_TRANSCENDENTALS): JaxArray {
  if (loss === "mse") {
    const r = outputs.sub(targets);
    return r.ref.mul(r).sum(-1).mul(0.5);
  }
  return logSumExp(outputs.ref, -1, math).sub(outputs.mul(targets).sum(-1));
}

