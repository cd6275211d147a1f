/**
 * Decodes the page's MNIST subset (written at build time by web/build/mnistSubset.ts) into the
 * library's {@link ImageDataset}, pixel for pixel the float32 values the CLI loads.
 *
 * @module
 */
import type { ImageDataset } from "../../src/landscapes/datasets.js";

export function decodeSubset(bytes: ArrayBuffer): ImageDataset {
  const view = new DataView(bytes);
  const magic = String.fromCharCode(...new Uint8Array(bytes, 0, 4));
  if (magic !== "SGDM") throw new Error(`not an MNIST subset file (magic ${JSON.stringify(magic)})`);
  const size = view.getUint32(4, true);
  const features = view.getUint32(8, true);
  const labels = new Uint8Array(bytes.slice(12, 12 + size));
  const pixels = new Float32Array(size * features);
  let at = 12 + size;
  for (let i = 0; i < size; i++) {
    const count = view.getUint16(at, true);
    at += 2;
    for (let j = 0; j < count; j++, at += 4) {
      pixels[i * features + view.getUint16(at, true)] = view.getUint16(at + 2, true) / 1000;
    }
  }
  if (at !== bytes.byteLength) throw new Error(`MNIST subset: ${bytes.byteLength - at} trailing bytes`);
  return { name: "mnist", size, features, pixels, labels, skipped: [] };
}
