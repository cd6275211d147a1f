import { describe, expect, test } from "vitest";
import { Rational } from "../algebra/rational.js";
import {
  constantSeries,
  float64Field,
  rationalField,
  seriesAdd,
  seriesAddEtaTimes,
  seriesMul,
  seriesScale,
} from "./truncatedSeries.js";

const q = (xs: (number | [number, number])[]): Rational[] =>
  xs.map((x) => (typeof x === "number" ? Rational.int(x) : Rational.of(x[0], x[1])));
const strs = (xs: readonly Rational[]): string[] => xs.map(String);

describe("truncated series", () => {
  test("products drop every term above the order", () => {
    // (1 + η)(1 − η + η²) = 1 + η³, truncated at η²
    expect(strs(seriesMul(rationalField, q([1, 1, 0]), q([1, -1, 1])))).toEqual(["1", "0", "0"]);
    // (1/2 + 2η)² = 1/4 + 2η + 4η²
    expect(strs(seriesMul(rationalField, q([[1, 2], 2, 0]), q([[1, 2], 2, 0])))).toEqual(["1/4", "2", "4"]);
  });

  test("a + c·η·b shifts b up one degree", () => {
    expect(strs(seriesAddEtaTimes(rationalField, q([1, 2, 3]), Rational.int(-2), q([5, 7, 11])))).toEqual(["1", "-8", "-11"]);
  });

  test("add, scale and constants; float64 gives the same numbers", () => {
    expect(strs(seriesAdd(rationalField, q([1, 2]), q([3, [1, 3]])))).toEqual(["4", "7/3"]);
    expect(strs(seriesScale(rationalField, Rational.of(1, 2), q([1, 0, 4])))).toEqual(["1/2", "0", "2"]);
    expect(strs(constantSeries(rationalField, Rational.int(5), 2))).toEqual(["5", "0", "0"]);
    expect(seriesMul(float64Field, [0.5, 2, 0], [0.5, 2, 0])).toEqual([0.25, 2, 4]);
    expect(float64Field.fromRational(Rational.of(1, 4))).toBe(0.25);
  });
});
