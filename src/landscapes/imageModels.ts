/**
 * The image classifiers of docs/theory.md#data-and-models — multinomial logistic regression, a
 * small LeNet and a small tanh MLP on MNIST-like 28×28 images — as built-in
 * {@link defineModel} definitions (`builtinModels.ts`) turned into {@link DefinedModel}s.
 *
 * @module
 */
import { InvalidArgumentError, requireInt } from "../errors.js";
import { lenetDefinition, logisticDefinition, mlpDefinition } from "./builtinModels.js";
import type { ImageDataset } from "./datasets.js";
import { createModel, DefinedModel, type ModelOptions } from "./definedModel.js";
import { IMAGE_MODEL_KINDS, PIXELS, type ImageModelKind } from "./imageModelTypes.js";

export { IMAGE_MODEL_EXACT_POLICY, IMAGE_MODEL_POLICY } from "./imageModelPolicies.js";
export { IMAGE_CLASSES, IMAGE_DATUM_FEATURES, IMAGE_MODEL_KINDS, type BatchLossFunction, type ImageModelKind } from "./imageModelTypes.js";

/** An image classifier: a {@link DefinedModel} of a built-in definition on an image set. */
export type ImageModel = DefinedModel;
export const ImageModel = DefinedModel;

/** Options of {@link createImageModel}. */
export interface ImageModelOptions extends ModelOptions {
  /**
   * Width of the MLP's hidden layer (`mlp` only).
   * @defaultValue 32
   */
  readonly hidden?: number;
}

/**
 * Builds one of the image classifiers of docs/theory.md#experiments on `data`:
 * - `logistic`: `z = s·W·(x, 1)` with `W` of shape `10 × 785` (the bias is the last column),
 *   the layout of the analytic `LogisticModel`; zero init. 7850 weights.
 * - `lenet`: two 5×5 stride-2 convolutions (10 channels) and two dense layers, tanh (4490 weights);
 * - `mlp`: dense 784→`hidden` → tanh → dense `hidden`→10 (25,450 weights for `hidden = 32`).
 * Every layer is scaled by its Xavier scale inside the model, so θ0 is standard normal
 * (`builtinModels.ts`). The datum row is the 784 pixels then the one-hot label.
 *
 * @throws InvalidArgumentError for an unknown kind, a data set whose images are not 28×28,
 *   or bad options.
 *
 * @example
 * ```ts
 * await initNumerics();
 * const model = createImageModel("lenet", loadDataset("mnist"));
 * const theta = model.theta0(1);
 * model.meanLoss(theta, [0, 1, 2]);            // mean NLL of three images
 * model.directionalGradient(theta, 0, [theta]); // a Hessian-vector product
 * model.dispose();
 * ```
 */
export function createImageModel(kind: ImageModelKind, data: ImageDataset, options: ImageModelOptions = {}): ImageModel {
  if (!(IMAGE_MODEL_KINDS as readonly string[]).includes(kind)) {
    throw new InvalidArgumentError("createImageModel", "kind", `one of ${IMAGE_MODEL_KINDS.join(", ")}`, kind);
  }
  if (data.features !== PIXELS) {
    throw new InvalidArgumentError("createImageModel", "data.features", `${PIXELS} (28×28 images)`, data.features);
  }
  const { hidden, ...rest } = options;
  const width = requireInt(hidden ?? 32, "createImageModel", "hidden", 1, 1 << 16);
  const def = kind === "logistic" ? logisticDefinition() : kind === "lenet" ? lenetDefinition() : mlpDefinition(width);
  return createModel(def, data, rest);
}
