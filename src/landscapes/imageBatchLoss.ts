/**
 * The per-image cross-entropy of a batch, `l = logsumexp(z) − z_y`, built from an
 * architecture's logits function; {@link ImageModel} exposes it as
 * {@link ImageModel.batchLoss}.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.js";
import { constant, logSumExp, type JaxArray, type Transcendentals } from "../numerics/index.js";
import type { ImageModel } from "./imageModels.js";
import { IMAGE_DATUM_FEATURES, PIXELS, type BatchLossFunction, type LogitsFunction, type ParameterBlock } from "./imageModelTypes.js";

/**
 * {@link ImageModel.batchLoss} for the parameter `blocks` (covering `[0, P)`) and `logits`:
 * checks the shapes, hands `logits` one owned, scaled view of a block per use and consumes
 * both arguments (see {@link BatchLossFunction}).
 */
export function imageBatchLoss(blocks: readonly ParameterBlock[], P: number, logits: LogitsFunction, math: Transcendentals): BatchLossFunction {
  const byName = new Map(blocks.map((b) => [b.name, b]));
  return (theta, x) => {
    try {
      const lanes = theta.ndim === 2 ? [theta.shape[0]] : [];
      if (theta.ndim < 1 || theta.ndim > 2 || theta.shape[theta.ndim - 1] !== P) {
        throw new InvalidArgumentError("ImageModel.batchLoss", "theta", `of shape [${P}] or [L, ${P}]`, `[${theta.shape.join(", ")}]`);
      }
      if (x.ndim < 2 || x.ndim > 3 || x.shape[x.ndim - 1] !== IMAGE_DATUM_FEATURES || (x.ndim === 3 && lanes[0] !== x.shape[0])) {
        const want = lanes.length === 0 ? `[S, ${IMAGE_DATUM_FEATURES}]` : `[S, ${IMAGE_DATUM_FEATURES}] or [${lanes[0]}, S, ${IMAGE_DATUM_FEATURES}]`;
        throw new InvalidArgumentError("ImageModel.batchLoss", "x", `of shape ${want}`, `[${x.shape.join(", ")}]`);
      }
      // `params(name)` hands out one owned, scaled view of a block per use: [...lanes, ...shape].
      const params = (name: string, scaled = true): JaxArray => {
        const b = byName.get(name);
        if (b === undefined) throw new InvalidArgumentError("ImageModel.batchLoss", "block", "a known parameter block", name);
        const raw = theta.ref.slice(...lanes.map((): [] => []), [b.offset, b.offset + b.size]).reshape([...lanes, ...b.shape]);
        return scaled ? raw.mul(constant(theta, b.scale)) : raw;
      };
      const dataLanes = x.ndim === 3 ? 1 : 0;
      const rows = (range: [number, number]) => x.ref.slice(...(dataLanes ? [[] as []] : []), [], range);
      const z = logits(params, rows([0, PIXELS])); // [...lanes, 10, S]
      const oneHot = matrixT(rows([PIXELS, IMAGE_DATUM_FEATURES])); // [...dataLanes, 10, S]
      return logSumExp(z.ref, -2, math).sub(z.mul(oneHot).sum(-2));
    } finally {
      theta.dispose();
      x.dispose();
    }
  };
}

/** Swaps the last two axes. Consumes `x`. */
export function matrixT(x: JaxArray): JaxArray {
  const n = x.ndim;
  return x.transpose([...Array.from({ length: n - 2 }, (_, i) => i), n - 1, n - 2]);
}
