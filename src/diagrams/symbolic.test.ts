import { describe, expect, test } from "vitest";
import { Polynomial } from "../algebra/polynomial.js";
import { Rational } from "../algebra/rational.js";
import { gdSchedule, sgdSchedule } from "../schedule/schedule.js";
import { diagramCoefficient } from "./coefficient.js";
import { enumerateDiagrams } from "./enumerate.js";
import { diagramPolynomial, symbolicForm, symbolicValues } from "./symbolic.js";

describe("symbolic coefficients", () => {
  const schedules = [
    sgdSchedule(5),
    sgdSchedule(4, { batch: 2 }),
    sgdSchedule(6, { batch: 3, epochs: 3 }),
    sgdSchedule(3, { epochs: 4 }),
    gdSchedule(4, 5),
    gdSchedule(1, 3),
  ];
  for (const s of schedules) {
    test(`evaluate to the concrete coefficients: ${JSON.stringify(s)}`, () => {
      for (const loss of ["test", "train"] as const) {
        for (let d = 0; d <= 4; d++) {
          for (const c of enumerateDiagrams(d, { rootTies: loss === "train" })) {
            const p = diagramPolynomial(c.diagram, s, loss)!;
            expect(p.evaluate(symbolicValues(s)).toString(), `${loss} ${c.key}`).toBe(diagramCoefficient(c.diagram, s, loss).toString());
          }
        }
      }
    });
  }

  test("vanilla SGD order 3 as polynomials in T (docs/theory.md#closed-forms)", () => {
    const s = sgdSchedule(10);
    const T = Polynomial.variable("T");
    const C = (k: number) => {
      let p = Polynomial.ONE;
      for (let i = 0; i < k; i++) p = p.mul(T.sub(Polynomial.constant(i)));
      return p.scale(Rational.of(1, [1, 1, 2, 6][k]));
    };
    const byKey = new Map(enumerateDiagrams(3).map((c) => [c.key, diagramPolynomial(c.diagram, s, "test")!]));
    const sum = (...keys: string[]) => keys.reduce((acc, k) => acc.add(byKey.get(`v1:${k}`)!), Polynomial.ZERO);
    expect(sum("(.(.(.(.))))", "(.(.(.))(.))").equals(C(3).scale(Rational.int(-4)))).toBe(true);
    expect(sum("(.(.(.)(.)))", "(.(.)(.)(.))").equals(C(3).scale(Rational.int(-2)))).toBe(true);
    expect(sum("(.(.(A)(A)))", "(.(.)(A)(A))").equals(C(2).scale(Rational.of(-3, 2)))).toBe(true);
    expect(sum("(.(A)(A)(A))").toString()).toBe("-1/6*T");
  });

  test("train loss of one epoch: order-1 gap is η·tr C as polynomials", () => {
    const s = sgdSchedule(10);
    const [, c1] = enumerateDiagrams(1, { rootTies: true }).map((c) => [c.key, diagramPolynomial(c.diagram, s, "train")!.toString()]);
    expect(c1).toBeDefined();
    const all = Object.fromEntries(enumerateDiagrams(1, { rootTies: true }).map((c) => [c.key, diagramPolynomial(c.diagram, s, "train")!.toString()]));
    expect(all).toEqual({ "v1:(.(.))": "-T + 1", "v1:(R(R))": "-1" });
  });

  test("families without a polynomial form say so", () => {
    expect(symbolicForm(sgdSchedule(3, { epochs: 2, shuffle: true }))).toBeNull();
    expect(symbolicForm(sgdSchedule(3, { momentum: Rational.of(1, 2) }))).toBeNull();
    expect(symbolicForm(sgdSchedule(3, { epochs: 1, shuffle: true }))?.kind).toBe("vanilla");
  });
});
