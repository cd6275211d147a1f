/**
 * IDX files, the format of the original MNIST, Fashion-MNIST and KMNIST distributions
 * (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, often gzipped). Written by hand:
 * the format is a 4-byte magic number (two zero bytes, a type code, the number of
 * dimensions), the dimensions as big-endian uint32, then the values in C order, big-endian.
 * No maintained npm package reads it from memory with these checks.
 *
 * @module
 */
import { DataFileError } from "./dataFileError.js";
import { type NumericArray, requireDataLength } from "./numericArray.js";

/** The IDX type codes: bytes per element, name, and how to read one big-endian element. */
const TYPES: Readonly<Record<number, readonly [number, string, (v: DataView, at: number) => number]>> = {
  0x08: [1, "uint8", (v, at) => v.getUint8(at)],
  0x09: [1, "int8", (v, at) => v.getInt8(at)],
  0x0b: [2, "int16", (v, at) => v.getInt16(at, false)],
  0x0c: [4, "int32", (v, at) => v.getInt32(at, false)],
  0x0d: [4, "float32", (v, at) => v.getFloat32(at, false)],
  0x0e: [8, "float64", (v, at) => v.getFloat64(at, false)],
};

/** Whether the bytes start like an IDX file: `00 00 <known type> <1..4 dims>`. */
export function isIdx(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && TYPES[bytes[2]] !== undefined && bytes[3] >= 1 && bytes[3] <= 4;
}

/**
 * Parses the (decompressed) bytes of an IDX file into a {@link NumericArray}. uint8 values are
 * divided by `uint8Divisor` as they are converted (255 scales pixels to [0, 1]): one pass over
 * the output instead of two, with the same float64 values `x / 255` a second pass would give.
 */
export function parseIdx(file: string, bytes: Uint8Array, uint8Divisor = 1): NumericArray {
  const hex = (n: number) => Array.from(bytes.subarray(0, n), (b) => b.toString(16).padStart(2, "0")).join(" ");
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataFileError(file, `not an IDX file: wrong magic number (expected 00 00 <type> <dims>, e.g. 00 00 08 03 for images, got ${hex(4)})`);
  }
  const type = TYPES[bytes[2]];
  if (type === undefined) throw new DataFileError(file, `unsupported IDX type code 0x${bytes[2].toString(16).padStart(2, "0")} (supported: 08 uint8, 09 int8, 0b int16, 0c int32, 0d float32, 0e float64)`);
  const dims = bytes[3];
  if (dims === 0) throw new DataFileError(file, "malformed IDX file: 0 dimensions");
  const headerBytes = 4 + 4 * dims;
  if (bytes.length < headerBytes) throw new DataFileError(file, `truncated IDX file: a ${dims}-dimensional header needs ${headerBytes} bytes, the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = Array.from({ length: dims }, (_, d) => view.getUint32(4 + 4 * d, false));
  const [itemBytes, dtype, read] = type;
  const count = shape.reduce((a, b) => a * b, 1);
  requireDataLength(file, "IDX", shape, dtype, count * itemBytes, bytes.length - headerBytes);
  const values = new Float64Array(count);
  if (dtype === "uint8") {
    // A plain loop: TypedArray.set across element types is several times slower in V8. Most
    // of this loop's time is the first touch of the output's pages (8 bytes per pixel).
    if (uint8Divisor === 1) for (let i = 0; i < count; i++) values[i] = bytes[headerBytes + i];
    else for (let i = 0; i < count; i++) values[i] = bytes[headerBytes + i] / uint8Divisor;
  } else {
    for (let i = 0; i < count; i++) values[i] = read(view, headerBytes + i * itemBytes);
  }
  return { shape, values, dtype };
}
