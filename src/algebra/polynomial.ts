import { DivisionByZeroError, InvalidArgumentError, requireInt } from "../errors.js";
import { Rational, binomial, factorial } from "./rational.js";

/**
 * One term `coef · ∏ v^powers[v]` of a {@link Polynomial}, as returned by
 * {@link Polynomial.terms} and accepted by {@link Polynomial.fromTerms}.
 */
export interface PolynomialTerm {
  readonly coef: Rational;
  readonly powers: Readonly<Record<string, number>>;
}

/**
 * A monomial `∏ vars[i]^exps[i]` with `vars` strictly increasing (code-unit order) and
 * every exponent ≥ 1. `key` is its canonical text (`"N*b^2"`, `""` for 1), which is also
 * how it is printed, so the key doubles as the map key and the printed form.
 */
interface Monomial {
  readonly key: string;
  readonly vars: readonly string[];
  readonly exps: readonly number[];
  readonly deg: number;
}

interface Entry {
  readonly mono: Monomial;
  readonly coef: Rational;
}

type TermMap = Map<string, Entry>;

const UNIT: Monomial = Object.freeze({ key: "", vars: [], exps: [], deg: 0 });
const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const MAX_EXPONENT = 1_000_000;

function monomialKey(vars: readonly string[], exps: readonly number[]): string {
  let s = "";
  for (let i = 0; i < vars.length; i++) {
    if (i > 0) s += "*";
    s += exps[i] === 1 ? vars[i] : `${vars[i]}^${exps[i]}`;
  }
  return s;
}

function makeMonomial(vars: string[], exps: number[]): Monomial {
  if (vars.length === 0) return UNIT;
  let deg = 0;
  for (const e of exps) deg += e;
  return { key: monomialKey(vars, exps), vars, exps, deg };
}

function mulMonomial(a: Monomial, b: Monomial): Monomial {
  if (a.deg === 0) return b;
  if (b.deg === 0) return a;
  const vars: string[] = [];
  const exps: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.vars.length && j < b.vars.length) {
    const va = a.vars[i];
    const vb = b.vars[j];
    if (va === vb) {
      vars.push(va);
      exps.push(a.exps[i++] + b.exps[j++]);
    } else if (va < vb) {
      vars.push(va);
      exps.push(a.exps[i++]);
    } else {
      vars.push(vb);
      exps.push(b.exps[j++]);
    }
  }
  for (; i < a.vars.length; i++) vars.push(a.vars[i]), exps.push(a.exps[i]);
  for (; j < b.vars.length; j++) vars.push(b.vars[j]), exps.push(b.exps[j]);
  return { key: monomialKey(vars, exps), vars, exps, deg: a.deg + b.deg };
}

/** The monomial without variable `name`, and the exponent `name` had in it. */
function splitMonomial(m: Monomial, name: string): [Monomial, number] {
  const i = m.vars.indexOf(name);
  if (i < 0) return [m, 0];
  const vars = m.vars.filter((_, k) => k !== i);
  const exps = m.exps.filter((_, k) => k !== i);
  return [makeMonomial(vars, exps), m.exps[i]];
}

/**
 * Graded lexicographic order: higher total degree first; ties are broken by the first
 * variable (in code-unit order of the names) whose exponents differ, the larger first.
 */
function grlex(x: Entry, y: Entry): number {
  const a = x.mono;
  const b = y.mono;
  if (a.deg !== b.deg) return b.deg - a.deg;
  let i = 0;
  let j = 0;
  while (i < a.vars.length && j < b.vars.length) {
    if (a.vars[i] === b.vars[j]) {
      if (a.exps[i] !== b.exps[j]) return b.exps[j] - a.exps[i];
      i++, j++;
    } else {
      // The earlier variable occurs in one monomial only, with a positive exponent.
      return a.vars[i] < b.vars[j] ? -1 : 1;
    }
  }
  return 0;
}

/** Adds `coef · mono` into a mutable term map, dropping terms that cancel. */
function accumulate(map: TermMap, mono: Monomial, coef: Rational): void {
  if (coef.isZero()) return;
  const old = map.get(mono.key);
  if (old === undefined) {
    map.set(mono.key, { mono, coef });
    return;
  }
  const sum = old.coef.add(coef);
  if (sum.isZero()) map.delete(mono.key);
  else map.set(mono.key, { mono: old.mono, coef: sum });
}

function checkName(name: unknown, where: string, arg: string): string {
  if (typeof name !== "string" || !IDENTIFIER.test(name)) {
    throw new InvalidArgumentError(where, arg, 'a variable name like "T" or "beta"', name);
  }
  return name;
}

function toRational(c: unknown, where: string, arg: string): Rational {
  if (c instanceof Rational) return c;
  if (typeof c === "bigint") return Rational.int(c);
  if (typeof c === "number" && Number.isSafeInteger(c)) return Rational.int(c);
  throw new InvalidArgumentError(where, arg, "a Rational, a bigint or a safe integer", c);
}

/** Wraps a term map (taking ownership) without copying; set in Polynomial's static block. */
let fromMap: (map: TermMap) => Polynomial;
/** The entries of a polynomial, for code in this module; set in Polynomial's static block. */
let entriesOf: (p: Polynomial) => IterableIterator<Entry>;

/**
 * An immutable sparse multivariate polynomial with {@link Rational} coefficients in named
 * variables (`"T"`, `"N"`, `"E"`, `"b"`, `"beta"`, `"eta"`, …).
 *
 * Definition: a finite sum `Σ c_m · m` over distinct monomials `m = ∏ v^{k_v}` with
 * nonzero `c_m`. Variable names are identifiers (a letter or `_`, then letters, digits or
 * `_`). The printed form ({@link Polynomial.toString}) lists terms in graded
 * lexicographic order with variables sorted by code unit (so `"N" < "T" < "b"`); it is
 * canonical, so two polynomials are equal exactly when their strings are, and
 * {@link Polynomial.parse} reads it back.
 *
 * ## Method
 * Terms live in a `Map` keyed by the monomial's canonical text, so addition is a map
 * merge and multiplication is a double loop with hashed accumulation (SymPy's sparse
 * `PolyElement` does the same with exponent tuples as keys). For long sums use
 * {@link Polynomial.sum} or {@link PolynomialAccumulator}, which avoid copying.
 *
 * @example
 * ```ts
 * const T = Polynomial.variable("T");
 * T.mul(T.sub(Polynomial.ONE)).scale(Rational.of(1, 2)).toString(); // "1/2*T^2 - 1/2*T"
 * ```
 */
export class Polynomial {
  /** The zero polynomial. */
  static readonly ZERO: Polynomial = new Polynomial(new Map());
  /** The constant polynomial 1. */
  static readonly ONE: Polynomial = new Polynomial(new Map([["", { mono: UNIT, coef: Rational.ONE }]]));

  #sorted: readonly Entry[] | undefined;
  #text: string | undefined;

  private constructor(private readonly map: ReadonlyMap<string, Entry>) {}

  /**
   * The constant polynomial `c`.
   * @throws InvalidArgumentError if `c` is a number that is not a safe integer.
   */
  static constant(c: Rational | bigint | number): Polynomial {
    const r = toRational(c, "Polynomial.constant", "c");
    if (r.isZero()) return Polynomial.ZERO;
    if (r.equals(Rational.ONE)) return Polynomial.ONE;
    return new Polynomial(new Map([["", { mono: UNIT, coef: r }]]));
  }

  /**
   * The polynomial consisting of the single variable `name`.
   * @throws InvalidArgumentError if `name` is not an identifier.
   */
  static variable(name: string): Polynomial {
    checkName(name, "Polynomial.variable", "name");
    const mono = makeMonomial([name], [1]);
    return new Polynomial(new Map([[mono.key, { mono, coef: Rational.ONE }]]));
  }

  /**
   * `Σ coef · ∏ v^powers[v]` over the given terms (repeated monomials are added; zero
   * exponents are ignored).
   * @throws InvalidArgumentError if a coefficient is not a Rational, a variable name is not
   * an identifier, or an exponent is not an integer in `[0, 1000000]`.
   */
  static fromTerms(terms: readonly PolynomialTerm[]): Polynomial {
    const map: TermMap = new Map();
    for (const t of terms) {
      if (!(t.coef instanceof Rational)) {
        throw new InvalidArgumentError("Polynomial.fromTerms", "coef", "a Rational", t.coef);
      }
      const names = Object.keys(t.powers).sort(compareNames);
      const vars: string[] = [];
      const exps: number[] = [];
      for (const v of names) {
        checkName(v, "Polynomial.fromTerms", "each key of powers");
        const e = requireInt(t.powers[v], "Polynomial.fromTerms", `powers.${v}`, 0, MAX_EXPONENT);
        if (e > 0) vars.push(v), exps.push(e);
      }
      accumulate(map, makeMonomial(vars, exps), t.coef);
    }
    return new Polynomial(map);
  }

  /**
   * `Σ polys` computed in one mutable map (faster than repeated {@link Polynomial.add}).
   */
  static sum(polys: Iterable<Polynomial>): Polynomial {
    const acc = new PolynomialAccumulator();
    for (const p of polys) acc.add(p);
    return acc.toPolynomial();
  }

  /**
   * Parses the canonical text form and, more generally, expressions built from integers,
   * decimals (`0.5` is exactly 1/2), identifiers, `+ - * ^` (or `**`), parentheses and
   * division by nonzero constants: `"1/2*T^2 - 1/2*T + 3"`, `"3/4*N*b^2"`, `"-(E - 1)^2"`.
   * `Polynomial.parse(p.toString())` equals `p` for every polynomial.
   * @throws InvalidArgumentError on malformed text or an exponent that is not an integer in
   * `[0, 1000000]`; DivisionByZeroError on division by zero; InvalidArgumentError on
   * division by a non-constant.
   */
  static parse(text: string): Polynomial {
    if (typeof text !== "string") throw new InvalidArgumentError("Polynomial.parse", "text", "a string", text);
    return new Parser(text).parseAll();
  }

  /** `this + o`. */
  add(o: Polynomial): Polynomial {
    if (o.map.size === 0) return this;
    if (this.map.size === 0) return o;
    const [big, small] = this.map.size >= o.map.size ? [this, o] : [o, this];
    const map: TermMap = new Map(big.map);
    for (const e of small.map.values()) accumulate(map, e.mono, e.coef);
    return new Polynomial(map);
  }

  /** `this - o`. */
  sub(o: Polynomial): Polynomial {
    if (o.map.size === 0) return this;
    const map: TermMap = new Map(this.map);
    for (const e of o.map.values()) accumulate(map, e.mono, e.coef.neg());
    return new Polynomial(map);
  }

  /** `-this`. */
  neg(): Polynomial {
    return this.scale(Rational.MINUS_ONE);
  }

  /** `this · o`. */
  mul(o: Polynomial): Polynomial {
    if (this.map.size === 0 || o.map.size === 0) return Polynomial.ZERO;
    if (o.isConstant()) return this.scale(o.constantValue());
    if (this.isConstant()) return o.scale(this.constantValue());
    const map: TermMap = new Map();
    for (const a of this.map.values()) {
      for (const b of o.map.values()) accumulate(map, mulMonomial(a.mono, b.mono), a.coef.mul(b.coef));
    }
    return new Polynomial(map);
  }

  /**
   * `r · this`.
   * @throws InvalidArgumentError if `r` is not a Rational.
   */
  scale(r: Rational): Polynomial {
    if (!(r instanceof Rational)) throw new InvalidArgumentError("Polynomial.scale", "r", "a Rational", r);
    if (r.isZero()) return Polynomial.ZERO;
    if (r.equals(Rational.ONE)) return this;
    const map: TermMap = new Map();
    for (const [k, e] of this.map) map.set(k, { mono: e.mono, coef: e.coef.mul(r) });
    return new Polynomial(map);
  }

  /**
   * `this^k` by repeated squaring (`p^0 = 1`, also for `p = 0`).
   * @throws InvalidArgumentError if `k` is not an integer in `[0, 1000000]`.
   */
  pow(k: number): Polynomial {
    requireInt(k, "Polynomial.pow", "k", 0, MAX_EXPONENT);
    let result = Polynomial.ONE;
    let base: Polynomial = this;
    let n = k;
    while (n > 0) {
      if (n & 1) result = result.mul(base);
      n >>>= 1;
      if (n > 0) base = base.mul(base);
    }
    return result;
  }

  /**
   * The value of the polynomial at `values` (every variable of `this` must be given; extra
   * entries are ignored).
   * @throws InvalidArgumentError naming the first variable without a value.
   * @throws TypeError if a needed value is present but not a Rational.
   */
  evaluate(values: Readonly<Record<string, Rational>>): Rational {
    const powers = new Map<string, Rational[]>();
    let total = Rational.ZERO;
    for (const e of this.sortedEntries()) {
      let term = e.coef;
      for (let i = 0; i < e.mono.vars.length; i++) {
        term = term.mul(powerOf(powers, values, e.mono.vars[i], e.mono.exps[i], "Polynomial.evaluate"));
      }
      total = total.add(term);
    }
    return total;
  }

  /**
   * Replaces the variable `name` by the polynomial `p` everywhere: `this|_{name := p}`.
   * @throws InvalidArgumentError if `name` is not an identifier or `p` not a Polynomial.
   */
  substitute(name: string, p: Polynomial): Polynomial {
    checkName(name, "Polynomial.substitute", "name");
    if (!(p instanceof Polynomial)) throw new InvalidArgumentError("Polynomial.substitute", "p", "a Polynomial", p);
    if (!this.hasVariable(name)) return this;
    const powers: Polynomial[] = [Polynomial.ONE];
    const map: TermMap = new Map();
    for (const e of this.map.values()) {
      const [rest, k] = splitMonomial(e.mono, name);
      while (powers.length <= k) powers.push(powers[powers.length - 1].mul(p));
      for (const f of powers[k].map.values()) accumulate(map, mulMonomial(rest, f.mono), e.coef.mul(f.coef));
    }
    return fromMap(map);
  }

  /**
   * Substitutes the given constants for their variables and keeps the other variables:
   * `partialEvaluate({T: 3})` of `T·N + 1` is `3·N + 1`. Entries for variables that do not
   * occur are ignored.
   * @throws TypeError if a value is not a Rational.
   */
  partialEvaluate(values: Readonly<Record<string, Rational>>): Polynomial {
    const powers = new Map<string, Rational[]>();
    const map: TermMap = new Map();
    for (const e of this.map.values()) {
      let coef = e.coef;
      const vars: string[] = [];
      const exps: number[] = [];
      for (let i = 0; i < e.mono.vars.length; i++) {
        const v = e.mono.vars[i];
        if (Object.prototype.hasOwnProperty.call(values, v) && values[v] !== undefined) {
          coef = coef.mul(powerOf(powers, values, v, e.mono.exps[i], "Polynomial.partialEvaluate"));
        } else {
          vars.push(v);
          exps.push(e.mono.exps[i]);
        }
      }
      accumulate(map, vars.length === e.mono.vars.length ? e.mono : makeMonomial(vars, exps), coef);
    }
    return fromMap(map);
  }

  /** Whether this is the zero polynomial. */
  isZero(): boolean {
    return this.map.size === 0;
  }

  /** Whether this has no variables (zero included). */
  isConstant(): boolean {
    return this.map.size === 0 || (this.map.size === 1 && this.map.has(""));
  }

  /**
   * The value of a constant polynomial.
   * @throws InvalidArgumentError if the polynomial is not constant.
   */
  constantValue(): Rational {
    if (!this.isConstant()) {
      throw new InvalidArgumentError("Polynomial.constantValue", "the polynomial", "constant", this.toString());
    }
    return this.map.get("")?.coef ?? Rational.ZERO;
  }

  /**
   * The coefficient of the monomial `∏ v^powers[v]` (zero if absent); `coefficient({})` is
   * the constant term.
   * @throws InvalidArgumentError on a bad name or exponent.
   */
  coefficient(powers: Readonly<Record<string, number>>): Rational {
    const key = Polynomial.fromTerms([{ coef: Rational.ONE, powers }]).sortedEntries()[0].mono.key;
    return this.map.get(key)?.coef ?? Rational.ZERO;
  }

  /**
   * The coefficients of `this` as a polynomial in `name`: `c` with `this = Σ_k c[k]·name^k`
   * (`c` is empty for the zero polynomial; the other variables stay in `c[k]`).
   * @throws InvalidArgumentError if `name` is not an identifier.
   */
  coefficientsIn(name: string): Polynomial[] {
    checkName(name, "Polynomial.coefficientsIn", "name");
    const maps: TermMap[] = [];
    for (const e of this.map.values()) {
      const [rest, k] = splitMonomial(e.mono, name);
      while (maps.length <= k) maps.push(new Map());
      accumulate(maps[k], rest, e.coef);
    }
    return maps.map(fromMap);
  }

  /** Exact equality (same terms and coefficients). */
  equals(o: Polynomial): boolean {
    if (this === o) return true;
    if (this.map.size !== o.map.size) return false;
    for (const [k, e] of this.map) {
      const f = o.map.get(k);
      if (f === undefined || !f.coef.equals(e.coef)) return false;
    }
    return true;
  }

  /**
   * The total degree, or the degree in `name` if given; `-1` for the zero polynomial (the
   * exact layer never returns `-Infinity`).
   * @throws InvalidArgumentError if `name` is given and is not an identifier.
   */
  degree(name?: string): number {
    if (name !== undefined) checkName(name, "Polynomial.degree", "name");
    let d = -1;
    for (const e of this.map.values()) {
      const k = name === undefined ? e.mono.deg : (e.mono.exps[e.mono.vars.indexOf(name)] ?? 0);
      if (k > d) d = k;
    }
    return d;
  }

  /** The variables that occur, sorted by code unit. */
  variables(): string[] {
    const s = new Set<string>();
    for (const e of this.map.values()) for (const v of e.mono.vars) s.add(v);
    return [...s].sort(compareNames);
  }

  /** The number of nonzero terms. */
  get size(): number {
    return this.map.size;
  }

  /** The nonzero terms in canonical (graded lexicographic) order. */
  terms(): PolynomialTerm[] {
    return this.sortedEntries().map((e) => {
      const powers: Record<string, number> = {};
      for (let i = 0; i < e.mono.vars.length; i++) powers[e.mono.vars[i]] = e.mono.exps[i];
      return { coef: e.coef, powers };
    });
  }

  /**
   * The canonical text, e.g. `"1/2*T^2 - 1/2*T + 3"` or `"3/4*N*b^2 - 1"`; `"0"` for zero.
   * Terms are in graded lexicographic order; unit coefficients are omitted.
   */
  toString(): string {
    if (this.#text !== undefined) return this.#text;
    const entries = this.sortedEntries();
    const parts: string[] = []; // joined once: a flat string, not a rope of concatenations
    entries.forEach((e, i) => {
      const negative = e.coef.sign() < 0;
      const abs = negative ? e.coef.neg() : e.coef;
      parts.push(i === 0 ? (negative ? "-" : "") : negative ? " - " : " + ");
      if (e.mono.deg === 0) parts.push(abs.toString());
      else if (abs.equals(Rational.ONE)) parts.push(e.mono.key);
      else parts.push(abs.toString(), "*", e.mono.key);
    });
    this.#text = entries.length === 0 ? "0" : parts.join("");
    return this.#text;
  }

  /** The canonical text ({@link Polynomial.toString}), the JSON wire format. */
  toJSON(): string {
    return this.toString();
  }

  private hasVariable(name: string): boolean {
    for (const e of this.map.values()) if (e.mono.vars.includes(name)) return true;
    return false;
  }

  private sortedEntries(): readonly Entry[] {
    if (this.#sorted === undefined) this.#sorted = [...this.map.values()].sort(grlex);
    return this.#sorted;
  }

  static {
    fromMap = (map) => (map.size === 0 ? Polynomial.ZERO : new Polynomial(map));
    entriesOf = (p) => p.map.values();
  }
}


/**
 * A mutable running sum of polynomials, for loops that add up thousands of terms.
 *
 * `acc.add(p, r)` adds `r·p` in place (no copy of the running sum), and
 * {@link PolynomialAccumulator.toPolynomial} returns the sum as an immutable
 * {@link Polynomial}; the accumulator may keep being used afterwards.
 *
 * @example
 * ```ts
 * const acc = new PolynomialAccumulator();
 * for (let k = 0; k < 1000; k++) acc.add(Polynomial.variable("T").pow(k % 3));
 * acc.toPolynomial().toString(); // "333*T^2 + 333*T + 334"
 * ```
 */
export class PolynomialAccumulator {
  #map: TermMap = new Map();
  #shared = false;

  /**
   * Adds `scale · p` (scale defaults to 1) and returns `this`.
   * @throws InvalidArgumentError if `scale` is not a Rational.
   */
  add(p: Polynomial, scale: Rational = Rational.ONE): this {
    if (!(scale instanceof Rational)) {
      throw new InvalidArgumentError("PolynomialAccumulator.add", "scale", "a Rational", scale);
    }
    if (scale.isZero()) return this;
    this.unshare();
    const one = scale.equals(Rational.ONE);
    for (const e of entriesOf(p)) accumulate(this.#map, e.mono, one ? e.coef : e.coef.mul(scale));
    return this;
  }

  /** The current sum as an immutable polynomial. */
  toPolynomial(): Polynomial {
    this.#shared = true;
    return fromMap(this.#map);
  }

  private unshare(): void {
    if (this.#shared) {
      this.#map = new Map(this.#map);
      this.#shared = false;
    }
  }
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function powerOf(
  cache: Map<string, Rational[]>,
  values: Readonly<Record<string, Rational>>,
  v: string,
  k: number,
  where: string,
): Rational {
  let ps = cache.get(v);
  if (ps === undefined) {
    const x = Object.prototype.hasOwnProperty.call(values, v) ? values[v] : undefined;
    if (x === undefined) throw new InvalidArgumentError(where, `values.${v}`, "a Rational (no value given for this variable)", x);
    if (!(x instanceof Rational)) throw new TypeError(`${where}: values.${v} must be a Rational, got ${String(x)}`);
    ps = [Rational.ONE, x];
    cache.set(v, ps);
  }
  while (ps.length <= k) ps.push(ps[ps.length - 1].mul(ps[1]));
  return ps[k];
}

/** Recursive-descent parser for {@link Polynomial.parse}. */
class Parser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseAll(): Polynomial {
    const p = this.expr();
    this.skip();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.text[this.pos])}`);
    return p;
  }

  // expr := ['+'|'-'] term (('+'|'-') term)*
  private expr(): Polynomial {
    const acc = new PolynomialAccumulator();
    let sign = this.sign() ?? Rational.ONE;
    for (;;) {
      acc.add(this.term(), sign);
      const s = this.sign();
      if (s === undefined) return acc.toPolynomial();
      sign = s;
    }
  }

  private sign(): Rational | undefined {
    this.skip();
    const c = this.text[this.pos];
    if (c === "+") return this.pos++, Rational.ONE;
    if (c === "-") return this.pos++, Rational.MINUS_ONE;
    return undefined;
  }

  // term := power (('*'|'/') power)*
  private term(): Polynomial {
    let p = this.power();
    for (;;) {
      this.skip();
      const c = this.text[this.pos];
      if (c === "*" && this.text[this.pos + 1] !== "*") {
        this.pos++;
        p = p.mul(this.power());
      } else if (c === "/") {
        this.pos++;
        const start = this.pos;
        const d = this.power();
        if (!d.isConstant()) this.fail(`division by the non-constant ${JSON.stringify(this.text.slice(start, this.pos).trim())}`);
        if (d.isZero()) throw new DivisionByZeroError("Polynomial.parse", this.text);
        p = p.scale(d.constantValue().inv());
      } else {
        return p;
      }
    }
  }

  // power := atom (('^' | '**') integer)?
  private power(): Polynomial {
    const base = this.atom();
    this.skip();
    if (this.text[this.pos] === "^") this.pos++;
    else if (this.text.startsWith("**", this.pos)) this.pos += 2;
    else return base;
    this.skip();
    const m = /^\d+/.exec(this.text.slice(this.pos));
    if (m === null) this.fail("expected a nonnegative integer exponent");
    this.pos += m[0].length;
    const k = Number(m[0]);
    if (k > MAX_EXPONENT) this.fail(`exponent ${m[0]} above ${MAX_EXPONENT}`);
    return base.pow(k);
  }

  // atom := number | identifier | '(' expr ')' | ('+'|'-') power
  private atom(): Polynomial {
    this.skip();
    const rest = this.text.slice(this.pos);
    const num = /^\d+(?:\.\d+)?/.exec(rest);
    if (num !== null) {
      this.pos += num[0].length;
      return Polynomial.constant(Rational.parseDecimal(num[0]));
    }
    const id = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(rest);
    if (id !== null) {
      this.pos += id[0].length;
      return Polynomial.variable(id[0]);
    }
    if (rest[0] === "(") {
      this.pos++;
      const p = this.expr();
      this.skip();
      if (this.text[this.pos] !== ")") this.fail('expected ")"');
      this.pos++;
      return p;
    }
    if (rest[0] === "-") {
      this.pos++;
      return this.power().neg();
    }
    if (rest[0] === "+") {
      this.pos++;
      return this.power();
    }
    this.fail(rest.length === 0 ? "unexpected end of text" : `unexpected ${JSON.stringify(rest[0])}`);
  }

  private skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  private fail(why: string): never {
    throw new InvalidArgumentError(
      "Polynomial.parse",
      "text",
      `a polynomial like "1/2*T^2 - 3*N*b + 1" (${why} at position ${this.pos})`,
      this.text,
    );
  }
}

/**
 * The falling factorial `x(x-1)…(x-k+1)` of a polynomial (`1` when `k = 0`).
 * @throws InvalidArgumentError if `k` is not an integer in `[0, 1000000]`.
 */
export function fallingPoly(x: Polynomial, k: number): Polynomial {
  requireInt(k, "fallingPoly", "k", 0, MAX_EXPONENT);
  let p = Polynomial.ONE;
  for (let i = 0; i < k; i++) p = p.mul(x.sub(Polynomial.constant(i)));
  return p;
}

/**
 * The binomial coefficient `C(x, k) = x(x-1)…(x-k+1)/k!` as a polynomial in the variables
 * of `x`; for integer `x ≥ 0` it counts the `k`-subsets of an `x`-set.
 * @throws InvalidArgumentError if `k` is not an integer in `[0, 1000000]`.
 */
export function binomialPoly(x: Polynomial, k: number): Polynomial {
  requireInt(k, "binomialPoly", "k", 0, MAX_EXPONENT);
  return fallingPoly(x, k).scale(Rational.of(1n, factorial(k)));
}

const bernoulliCache: Rational[] = [Rational.ONE];
const faulhaberCache: Rational[][] = [];

/**
 * Bernoulli numbers with `B_1 = -1/2` (the convention for sums `Σ_{v=0}^{n-1}`), from
 * `Σ_{j=0}^{m} C(m+1, j) B_j = 0` for `m ≥ 1`.
 */
function bernoulli(m: number): Rational {
  for (let n = bernoulliCache.length; n <= m; n++) {
    let s = Rational.ZERO;
    for (let j = 0; j < n; j++) s = s.add(bernoulliCache[j].mul(Rational.int(binomial(n + 1, j))));
    bernoulliCache.push(s.neg().div(Rational.int(n + 1)));
  }
  return bernoulliCache[m];
}

/**
 * Coefficients `a` with `Σ_{v=0}^{n-1} v^e = Σ_m a[m] n^m` (Faulhaber):
 * `S_e(n) = 1/(e+1) · Σ_{j=0}^{e} C(e+1, j) B_j n^{e+1-j}`.
 */
function faulhaber(e: number): readonly Rational[] {
  let a = faulhaberCache[e];
  if (a === undefined) {
    a = new Array<Rational>(e + 2).fill(Rational.ZERO);
    const inv = Rational.of(1, e + 1);
    for (let j = 0; j <= e; j++) a[e + 1 - j] = bernoulli(j).mul(Rational.int(binomial(e + 1, j))).mul(inv);
    faulhaberCache[e] = a;
  }
  return a;
}

/**
 * The indefinite sum `Σ_{v=0}^{upper-1} p` as a polynomial, where `upper` is a polynomial
 * in variables other than `v` (e.g. `Σ_{e=0}^{E-1} e^2 = E^3/3 - E^2/2 + E/6`).
 *
 * Definition: writing `p = Σ_k c_k v^k` with `c_k` free of `v`, the result is
 * `Σ_k c_k S_k(upper)` where `S_k(n) = Σ_{v=0}^{n-1} v^k` is Faulhaber's polynomial. It agrees
 * with the literal sum whenever `upper` takes a nonnegative integer value, and is `0` at
 * `upper = 0`.
 *
 * ## Method
 * Faulhaber's formula `S_k(n) = 1/(k+1) Σ_{j=0}^{k} C(k+1, j) B_j n^{k+1-j}` with exact
 * Bernoulli numbers (`B_1 = -1/2`), cached per `k`; powers of `upper` are shared.
 *
 * ## References
 * Graham, Knuth, Patashnik, *Concrete Mathematics*, 2nd ed., §6.5 (Eq. 6.78).
 *
 * @throws InvalidArgumentError if `v` is not an identifier or `upper` involves `v`.
 */
export function sumOverRange(p: Polynomial, v: string, upper: Polynomial): Polynomial {
  checkName(v, "sumOverRange", "v");
  if (upper.variables().includes(v)) {
    throw new InvalidArgumentError("sumOverRange", "upper", `a polynomial not involving ${JSON.stringify(v)}`, upper.toString());
  }
  const cs = p.coefficientsIn(v);
  const powers: Polynomial[] = [Polynomial.ONE];
  const acc = new PolynomialAccumulator();
  cs.forEach((c, k) => {
    if (c.isZero()) return;
    const a = faulhaber(k);
    while (powers.length < a.length) powers.push(powers[powers.length - 1].mul(upper));
    const s = new PolynomialAccumulator();
    a.forEach((am, m) => s.add(powers[m], am));
    acc.add(c.mul(s.toPolynomial()));
  });
  return acc.toPolynomial();
}

/**
 * The sum `Σ_{v=lower}^{upper-1} p = F(upper) - F(lower)` with `F` = {@link sumOverRange};
 * for integer values with `lower > upper` it is minus the sum over `[upper, lower)`.
 * @throws InvalidArgumentError if `v` is not an identifier or a bound involves `v`.
 */
export function sumOverInterval(p: Polynomial, v: string, lower: Polynomial, upper: Polynomial): Polynomial {
  checkName(v, "sumOverInterval", "v");
  if (lower.variables().includes(v)) {
    throw new InvalidArgumentError("sumOverInterval", "lower", `a polynomial not involving ${JSON.stringify(v)}`, lower.toString());
  }
  return sumOverRange(p, v, upper).sub(sumOverRange(p, v, lower));
}
