/**
 * NumPy `.npy` files (as written by `numpy.save`), through the `npyjs` package: its header
 * dictionary parser and typed-array views. What this module adds is the project's checks:
 * the magic number, C order, a supported dtype, and a data length that matches the shape
 * (a truncated file names the expected and actual byte counts).
 *
 * Supported: little-endian float16/32/64, int8/16/32/64, uint8/16/32/64 (64-bit integers
 * must be exact as doubles, |v| ≤ 2^53), and unicode strings (`<U…`, for class labels).
 * Refused: big-endian, bool, complex, object arrays, Fortran order.
 *
 * @module
 */
import { parse as parseNpyBuffer, type NpyArray } from "npyjs";
import { DataFileError } from "./dataFileError.js";
import { type NumericArray, requireDataLength, shapeText, sizeOf } from "./numericArray.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Bytes per element, and the dtype in words, of the dtype codes (without byte order) npyjs returns. */
const DTYPES: Readonly<Record<string, readonly [number, string]>> = {
  f2: [2, "float16"],
  f4: [4, "float32"],
  f8: [8, "float64"],
  i1: [1, "int8"],
  i2: [2, "int16"],
  i4: [4, "int32"],
  i8: [8, "int64"],
  u1: [1, "uint8"],
  u2: [2, "uint16"],
  u4: [4, "uint32"],
  u8: [8, "uint64"],
};

/** Whether the bytes start with the NPY magic string. */
export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

/** Where the data start: after the magic, version, header length and header (format versions 1–3). */
function dataOffset(file: string, bytes: Uint8Array): number {
  if (!isNpy(bytes)) {
    const got = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new DataFileError(file, `not an NPY file: wrong magic number (expected 93 4e 55 4d 50 59 = "\\x93NUMPY", got ${got})`);
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw new DataFileError(file, `unsupported NPY format version ${major}.${bytes[7]} (supported: 1, 2, 3)`);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new DataFileError(file, `truncated NPY file: ${bytes.length} bytes, shorter than its preamble`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const offset = 8 + lengthBytes + headerLength;
  if (bytes.length < offset) throw new DataFileError(file, `truncated NPY file: the header needs ${offset} bytes, the file has ${bytes.length}`);
  return offset;
}

/** Runs npyjs's parser, turning its errors into one-line messages about `file`. */
function npyjsParse(file: string, buffer: ArrayBuffer): NpyArray {
  try {
    return parseNpyBuffer(buffer);
  } catch (e) {
    const message = (e as Error).message;
    const dtype = /Unsupported dtype: (.*)/.exec(message)?.[1];
    if (dtype !== undefined) throw new DataFileError(file, `unsupported NPY dtype '${dtype}' (supported: little-endian float16/32/64, int8–64, uint8–64, unicode text)`);
    throw new DataFileError(file, `malformed NPY header (${message})`);
  }
}

/** Bytes per element and name of a dtype code npyjs returned; `null` when unsupported. */
function dtypeInfo(code: string): readonly [number, string] | null {
  const text = /^U(\d+)$/.exec(code);
  if (text !== null) return [4 * Number(text[1]), `<U${text[1]} (text)`];
  return DTYPES[code] ?? null;
}

/** Numbers of a typed array as doubles; 64-bit integers must be exactly representable. */
function toFloat64(file: string, data: ArrayBufferView, shape: readonly number[]): Float64Array {
  if (data instanceof Float64Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const out = new Float64Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (v > 2n ** 53n || v < -(2n ** 53n)) throw new DataFileError(file, `the 64-bit integer ${v} at flat index ${i} of shape ${shapeText(shape)} is not exact as a double`);
      out[i] = Number(v);
    }
    return out;
  }
  return Float64Array.from(data as unknown as ArrayLike<number>);
}

/** Parses the bytes of a `.npy` file into a {@link NumericArray}. */
export function parseNpy(file: string, bytes: Uint8Array): NumericArray {
  const offset = dataOffset(file, bytes);
  const buffer =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
      ? (bytes.buffer as ArrayBuffer)
      : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  // The header alone first (an empty data part), so that the length check comes before any view.
  const header = npyjsParse(file, buffer.slice(0, offset));
  const info = dtypeInfo(header.dtype);
  if (info === null) throw new DataFileError(file, `unsupported NPY dtype '${header.dtype}' (supported: float16/32/64, int8–64, uint8–64, unicode text)`);
  const [itemBytes, dtype] = info;
  const shape = header.shape;
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new DataFileError(file, `malformed NPY header: shape ${shapeText(shape)}`);
  if (header.fortranOrder && shape.filter((d) => d > 1).length > 1) {
    throw new DataFileError(file, `Fortran-order arrays are not supported: save it in C order (numpy.save(f, numpy.ascontiguousarray(x)))`);
  }
  if (offset % 8 !== 0 && itemBytes > 1) throw new DataFileError(file, `malformed NPY file: data offset ${offset} is not aligned to the ${itemBytes}-byte items`);
  requireDataLength(file, "NPY", shape, dtype, sizeOf(shape) * itemBytes, bytes.length - offset);
  const { data } = npyjsParse(file, buffer);
  if (Array.isArray(data)) return { shape, values: data as string[], dtype };
  return { shape, values: toFloat64(file, data, shape), dtype };
}
