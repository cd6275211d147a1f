/**
 * A data set as the rows a defined model's jax-level loss takes: `F` input features, then `K`
 * target entries (the one-hot class, or the real targets). One adapter per source: the built-in
 * image sets and a user's {@link TabularData}.
 *
 * @module
 */
import type { DataTask, TabularData } from "../data/types.js";
import type { ImageDataset } from "./datasets.js";
import { IMAGE_CLASSES } from "./imageModelTypes.js";

/** Rows of `features + outputs` numbers, one per datum. */
export interface DatumTable {
  /** For labels and messages. */
  readonly name: string;
  readonly size: number;
  /** Input features `F`. */
  readonly features: number;
  /** Target entries `K`: classes (one-hot) or target dimensions. */
  readonly outputs: number;
  readonly task: DataTask;
  /** Writes datum `i`'s row at `out[offset..offset + F + K)` (which must hold zeros). */
  writeRow(i: number, out: Float64Array, offset: number): void;
}


/** An image set: pixels, then the one-hot label among 10 classes. */
export function imageDatumTable(data: ImageDataset): DatumTable {
  const F = data.features;
  const px = data.pixels;
  return {
    name: data.name,
    size: data.size,
    features: F,
    outputs: IMAGE_CLASSES,
    task: "classification",
    writeRow(i, out, offset) {
      const src = i * F;
      for (let j = 0; j < F; j++) out[offset + j] = px[src + j];
      out[offset + F + data.labels[i]] = 1;
    },
  };
}

/** A tabular set: features, then the one-hot class (classification) or the targets (regression). */
export function tabularDatumTable(data: TabularData): DatumTable {
  const F = data.features;
  const classification = data.task === "classification";
  const K = classification ? data.classes : data.targetDims;
  return {
    name: data.name,
    size: data.size,
    features: F,
    outputs: K,
    task: data.task,
    writeRow(i, out, offset) {
      out.set(data.inputs.subarray(i * F, (i + 1) * F), offset);
      if (classification) out[offset + F + data.labels![i]] = 1;
      else out.set(data.targets!.subarray(i * K, (i + 1) * K), offset + F);
    },
  };
}

/** Whether `x` is a {@link TabularData} (rather than an {@link ImageDataset}). */
export function isTabularData(x: TabularData | ImageDataset): x is TabularData {
  return "inputs" in x && "task" in x;
}
