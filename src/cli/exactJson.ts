/**
 * An exact integer for a JSON output: a number while it is a safe integer (the field keeps its
 * type), else its exact decimal digits as a string, since a JSON number above 2^53 is read back
 * rounded by JavaScript (and `JSON.stringify` of a float prints the rounded value).
 */
export function exactIntegerJson(n: bigint): number | string {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}
