/** CLI end-to-end: runs `main` in-process (same code as the binary) and checks stdout/stderr/exit codes. */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.js";
import { Rational } from "../../src/index.js";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), interactive: false });
  return { code, out, err };
}

describe("diagrams --json contract", () => {
  test("vanilla SGD order 3: every order listed, node 0 root, exact coefficients", async () => {
    const { code, out, err } = await run(["diagrams", "--schedule", "sgd", "--N", "10", "--order", "3", "--loss", "test", "--json"]);
    expect(code).toBe(0);
    expect(err).toBe("");
    const j = JSON.parse(out);
    expect(new Set(j.diagrams.map((d: { order: number }) => d.order))).toEqual(new Set([0, 1, 2, 3]));
    for (const d of j.diagrams) {
      expect(d.parents.length).toBe(d.order);
      expect(d.coefficient).toMatch(/^-?\d+(\/\d+)?$/);
      for (const t of d.ties) expect(t.length).toBeGreaterThan(1);
    }
    expect(new Set(j.diagrams.map((d: { key: string }) => d.key)).size).toBe(j.diagrams.length);
    expect(j.diagrams.find((d: { order: number }) => d.order === 1).coefficient).toBe("-10");
    expect(j.polynomialVariables).toEqual({ T: "steps = N" });
  });
  test("train loss can tie the root; decimal momentum is exact", async () => {
    const train = JSON.parse((await run(["diagrams", "--schedule", "sgd", "--N", "4", "--order", "1", "--loss", "train", "--json"])).out);
    expect(train.diagrams.some((d: { ties: number[][] }) => d.ties.some((t) => t.includes(0)))).toBe(true);
    const mom = JSON.parse((await run(["diagrams", "--schedule", "sgd", "--N", "2", "--order", "1", "--momentum", "0.9", "--json"])).out);
    // −(w(1) + w(2)) = −(1 + 1.9) = −29/10
    expect(mom.diagrams.find((d: { order: number }) => d.order === 1).coefficient).toBe("-29/10");
  });
  test("gd, epochs, shuffle, batch flags", async () => {
    for (const args of [
      ["--schedule", "gd", "--N", "4", "--T", "3"],
      ["--schedule", "sgd", "--N", "4", "--batch", "2", "--epochs", "3", "--shuffle"],
      ["--schedule", "custom", "--N", "3", "--batches", "0,1;2;1"],
    ]) {
      const r = await run(["diagrams", ...args, "--order", "2", "--loss", "train", "--json"]);
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out).diagrams.length).toBeGreaterThan(3);
    }
  });
  test("text table and SVG", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sgd-diagrams-"));
    const svg = join(dir, "d.svg");
    const r = await run(["diagrams", "--schedule", "sgd", "--N", "5", "--order", "2", "--svg", svg]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/coefficient/);
    const text = readFileSync(svg, "utf8");
    expect(text).toMatch(/^<svg/);
    expect(text).toMatch(/feGaussianBlur/); // fuzzy ties
  });
});

describe("bad input: one line on stderr, exit 2, no stack trace", () => {
  const cases: [string, string[], RegExp][] = [
    ["non-integer order", ["--schedule", "sgd", "--N", "4", "--order", "2.5"], /--order must be a non-negative integer/],
    ["negative order", ["--schedule", "sgd", "--N", "4", "--order", "-1"], /--order must be a non-negative integer/],
    ["order too large", ["--schedule", "sgd", "--N", "4", "--order", "40"], /too large/],
    ["B not dividing N", ["--schedule", "sgd", "--N", "10", "--batch", "3", "--order", "2"], /--batch 3 must divide --N 10/],
    ["unknown schedule", ["--schedule", "adam", "--N", "4", "--order", "2"], /--schedule must be one of sgd, gd, custom/],
    ["β = 1", ["--schedule", "sgd", "--N", "4", "--momentum", "1", "--order", "2"], /--momentum must be in \[0, 1\)/],
    ["β < 0", ["--schedule", "sgd", "--N", "4", "--momentum", "-0.5", "--order", "2"], /--momentum must be in \[0, 1\)/],
    ["unknown flag", ["--schedule", "sgd", "--N", "4", "--order", "2", "--frobnicate"], /unknown flag --frobnicate/],
    ["missing N", ["--schedule", "sgd", "--order", "2"], /--N is required/],
    ["bad loss", ["--schedule", "sgd", "--N", "4", "--order", "2", "--loss", "val"], /--loss must be one of test, train/],
  ];
  for (const [name, args, pattern] of cases) {
    test(name, async () => {
      const r = await run(["diagrams", ...args]);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(pattern);
      expect(r.err.trim().split("\n").length).toBe(1);
      expect(r.err).not.toMatch(/\n\s+at /);
    });
  }
  test("unknown command", async () => {
    const r = await run(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command/);
  });
});

describe("series and verify", () => {
  const file = join(mkdtempSync(join(tmpdir(), "sgd-diagrams-")), "l.json");
  const json = {
    kind: "polynomial",
    dim: 2,
    theta0: [0.5, -0.25],
    population: [
      [
        { coef: 1.5, powers: [2, 0] },
        { coef: -0.75, powers: [1, 1] },
      ],
      [{ coef: 2, powers: [0, 3] }],
    ],
  };
  test("series --json gives coefficients c_0..c_d", async () => {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, JSON.stringify(json));
    const r = await run(["series", "--landscape", file, "--schedule", "sgd", "--N", "3", "--order", "3", "--loss", "test", "--json"]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.coefficients.length).toBe(4);
    // c0 = mean loss at θ0 = ½(1.5·¼ + 0.75/8) + ½·2·(−1/64) = 7/32.
    expect(j.exactCoefficients[0]).toBe("7/32");
  });
  for (const sched of [
    ["--schedule", "sgd", "--N", "3"],
    ["--schedule", "sgd", "--N", "4", "--batch", "2", "--epochs", "2"],
    ["--schedule", "sgd", "--N", "3", "--epochs", "2", "--shuffle"],
    ["--schedule", "gd", "--N", "3", "--T", "3"],
    ["--schedule", "sgd", "--N", "3", "--momentum", "0.5"],
  ]) {
    test(`verify agrees: ${sched.join(" ")}`, async () => {
      for (const loss of ["test", "train"]) {
        const r = await run(["verify", "--landscape", file, ...sched, "--order", "3", "--loss", loss, "--json"]);
        expect(r.code, r.err + r.out).toBe(0);
        const j = JSON.parse(r.out);
        expect(j.agree).toBe(true);
        expect(j.maxRelativeDifference).toBeLessThanOrEqual(1e-10);
      }
    });
  }
  test("a bad landscape file: one line naming the field, exit 2", async () => {
    const { writeFileSync } = await import("node:fs");
    const bad = file.replace("l.json", "bad.json");
    writeFileSync(bad, JSON.stringify({ ...json, population: [[{ coef: 1, powers: [1] }]] }));
    const r = await run(["series", "--landscape", bad, "--schedule", "sgd", "--N", "3", "--order", "2"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/population\[0\]\[0\]\.powers/);
    expect(r.err.trim().split("\n").length).toBe(1);
  });
});

describe("predict / simulate / compare: bad input is one line, exit 2", () => {
  const cases: [string, string[], RegExp][] = [
    ["unknown model", ["predict", "--model", "resnet"], /--model must be one of logistic, lenet, mlp, got "resnet".*or an ES module file/],
    ["unknown data", ["simulate", "--data", "cifar"], /--data must be one of mnist, fashion, got "cifar".*or a data file/],
    ["η ≤ 0", ["compare", "--eta", "0.1,0"], /--eta must be a comma-separated list of positive numbers/],
    ["negative η", ["predict", "--eta", "-0.1"], /--eta must be a comma-separated list of positive numbers/],
    ["batch not dividing N", ["simulate", "--N", "10", "--batch", "3"], /--batch 3 must divide --N 10/],
    ["runs < 2", ["simulate", "--runs", "1"], /--runs must be an integer in \[2,/],
    ["bad loss", ["compare", "--loss", "val"], /--loss must be one of test, train, gap/],
  ];
  for (const [name, args, pattern] of cases) {
    test(name, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(pattern);
      expect(r.err.trim().split("\n").length).toBe(1);
    });
  }
});

describe("simulate: checkpoints make an interrupted run resumable", () => {
  test("a second run with the same arguments resumes and gives the same numbers", async () => {
    const out = mkdtempSync(join(tmpdir(), "sgd-diagrams-sim-"));
    const args = ["simulate", "--runs", "6", "--eta", "0.05", "--test-size", "50", "--out", out, "--json"];
    const first = JSON.parse((await run(args)).out);
    const again = JSON.parse((await run(args)).out);
    expect(again.simulation.resumedFrom).toBe(6);
    expect(again.simulation.rows).toEqual(first.simulation.rows);
    const more = JSON.parse((await run(["simulate", "--runs", "8", "--eta", "0.05", "--test-size", "50", "--out", out, "--json"])).out);
    expect(more.simulation.resumedFrom).toBe(6);
    expect(more.simulation.runsDone).toBe(8);
  });
});

describe("simulate --optimizer", () => {
  const tiny = ["--runs", "4", "--eta", "0.05,0.1", "--test-size", "50", "--json", "--workers", "1"];
  const sim = async (extra: string[], out: string) => {
    const r = await run(["simulate", ...tiny, "--out", out, ...extra]);
    expect(r.code, r.err).toBe(0);
    return JSON.parse(r.out) as {
      config: { optimizer?: { name: string }; schedule: { kind: string } };
      optimizer: string;
      simulation: { resumedFrom: number; rows: { eta: number; mean: number; runs: number; diverged: number }[] };
    };
  };
  test("every optimizer runs, names itself in the JSON and never shares a checkpoint", async () => {
    const out = mkdtempSync(join(tmpdir(), "sgd-diagrams-opt-"));
    const cases: [string[], RegExp][] = [
      [[], /^sgd\(B=1, E=1\)$/],
      [["--optimizer", "gd"], /^gd$/],
      [["--optimizer", "gdc"], /^gdc\(β×1\)$/],
      [["--optimizer", "gdc", "--gdc-scale", "2"], /^gdc\(β×2\)$/],
      [["--optimizer", "hessian", "--lambda", "0.5"], /^hessian\(λ=0\.5\)$/],
      [["--optimizer", "ode", "--substeps", "4"], /^ode\(4 substeps\)$/],
      [["--optimizer", "sde"], /^sde\(α=16\)$/],
    ];
    for (const [extra, name] of cases) {
      const j = await sim(extra, out);
      expect(j.optimizer).toMatch(name);
      expect(j.simulation.resumedFrom).toBe(0); // a fresh checkpoint for each optimizer
      expect(j.simulation.rows.map((r) => r.runs)).toEqual([4, 4]);
    }
  });
  test("paired runs: gdc with β×0 and ode with 1 sub-step are GD on the same training sets", async () => {
    const out = mkdtempSync(join(tmpdir(), "sgd-diagrams-opt-"));
    const gd = await sim(["--optimizer", "gd"], out);
    expect(gd.config.schedule.kind).toBe("gd");
    const gdc0 = await sim(["--optimizer", "gdc", "--gdc-scale", "0"], out);
    const ode1 = await sim(["--optimizer", "ode", "--substeps", "1"], out);
    expect(gdc0.config.optimizer).toEqual({ name: "gdc", betaScale: 0 });
    for (const other of [gdc0, ode1]) {
      other.simulation.rows.forEach((r, i) => expect(r.mean).toBeAllclose(gd.simulation.rows[i].mean, { rtol: 1e-12 }));
    }
    const sde = await sim(["--optimizer", "sde", "--substeps", "2"], out);
    expect(sde.simulation.rows[0].mean).not.toBe(gd.simulation.rows[0].mean);
  });
  test("compare --optimizer gd predicts and measures GD", async () => {
    const out = mkdtempSync(join(tmpdir(), "sgd-diagrams-opt-"));
    const r = await run(["compare", "--optimizer", "gd", "--runs", "4", "--tuples", "4", "--est-batch", "4", "--test-size", "50", "--eta", "0.05", "--order", "1", "--out", out, "--json", "--workers", "1"]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.optimizer).toBe("gd");
    expect(j.config.schedule).toEqual(expect.objectContaining({ kind: "gd", N: 10, T: 10 }));
  });
  const bad: [string, string[], RegExp][] = [
    ["unknown optimizer", ["simulate", "--optimizer", "adam"], /--optimizer must be one of sgd, gd, gdc, hessian, ode, sde/],
    ["--lambda without hessian", ["simulate", "--optimizer", "gdc", "--lambda", "1"], /--lambda goes with --optimizer hessian/],
    ["hessian without --lambda", ["simulate", "--optimizer", "hessian"], /--optimizer hessian needs --lambda/],
    ["--gdc-scale without gdc", ["simulate", "--gdc-scale", "2"], /--gdc-scale goes with --optimizer gdc/],
    ["negative --gdc-scale", ["simulate", "--optimizer", "gdc", "--gdc-scale", "-1"], /--gdc-scale must be a number ≥ 0/],
    ["--substeps without ode/sde", ["simulate", "--optimizer", "gd", "--substeps", "4"], /--substeps goes with --optimizer ode or sde/],
    ["--substeps 0", ["simulate", "--optimizer", "sde", "--substeps", "0"], /--substeps must be an integer in \[1,/],
    ["momentum with gdc", ["simulate", "--optimizer", "gdc", "--momentum", "0.5"], /--momentum does not apply to --optimizer gdc/],
    ["momentum with sde", ["simulate", "--optimizer", "sde", "--momentum", "0.5"], /--momentum does not apply to --optimizer sde/],
    ["gdc with odd N", ["simulate", "--optimizer", "gdc", "--N", "5"], /--optimizer gdc needs an even --N/],
    ["compare with sde", ["compare", "--optimizer", "sde"], /compare --optimizer sde: predictions are for SGD-family schedules/],
    ["predict with gdc", ["predict", "--optimizer", "gdc"], /predict --optimizer gdc: predictions are for SGD-family schedules/],
  ];
  for (const [name, args, pattern] of bad) {
    test(`bad: ${name} (one line, exit 2)`, async () => {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(pattern);
      expect(r.err.trim().split("\n").length).toBe(1);
    });
  }
});

describe("--model lenet and --model mlp (jax-js models, tiny sizes)", () => {
  const tiny = ["--N", "4", "--eta", "0.05,0.1", "--test-size", "20", "--workers", "1", "--json"];
  test("predict --model mlp: defaults for jax models, finite predictions", async () => {
    const r = await run(["predict", "--model", "mlp", ...tiny, "--order", "2", "--tuples", "3", "--est-batch", "2"]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.config).toEqual(expect.objectContaining({ model: "mlp", tuples: 3, batch: 2, testSize: 20 }));
    expect(j.prediction.rows.map((x: { eta: number }) => x.eta)).toEqual([0.05, 0.1]);
    for (const row of j.prediction.rows) for (const e of row.polynomial) expect(Number.isFinite(e.value)).toBe(true);
    // Without --tuples/--est-batch, LeNet and MLP get their own (smaller) estimator defaults.
    const d = JSON.parse((await run(["predict", "--model", "mlp", ...tiny, "--order", "1"])).out);
    expect({ tuples: d.config.tuples, batch: d.config.batch }).toEqual({ tuples: 100, batch: 16 });
  });
  test("simulate --model lenet: checkpoints resume with the same numbers", async () => {
    const out = mkdtempSync(join(tmpdir(), "sgd-diagrams-lenet-"));
    const args = ["simulate", "--model", "lenet", "--runs", "3", ...tiny, "--out", out];
    const first = await run(args);
    expect(first.code, first.err).toBe(0);
    const a = JSON.parse(first.out);
    expect(a.config.model).toBe("lenet");
    expect(a.simulation.runsDone).toBe(3);
    for (const row of a.simulation.rows) expect(Number.isFinite(row.mean) && row.ci95 > 0).toBe(true);
    const again = JSON.parse((await run(args)).out);
    expect(again.simulation.resumedFrom).toBe(3);
    expect(again.simulation.rows).toEqual(a.simulation.rows);
    const more = JSON.parse((await run(["simulate", "--model", "lenet", "--runs", "5", ...tiny, "--out", out])).out);
    expect(more.simulation.resumedFrom).toBe(3);
    expect(more.simulation.runsDone).toBe(5);
  });
  test("compare --model mlp writes the table, plot and verdict", async () => {
    const out = mkdtempSync(join(tmpdir(), "sgd-diagrams-mlp-"));
    const r = await run(["compare", "--model", "mlp", "--runs", "3", "--tuples", "3", "--est-batch", "2", "--order", "2", ...tiny, "--out", out]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.rows.length).toBe(2);
    expect(typeof j.verdict).toBe("string");
    expect(readFileSync(join(j.outDir, "verdict.txt"), "utf8")).toMatch(/order-2 test prediction/);
    expect(readFileSync(join(j.outDir, "plot.svg"), "utf8")).toMatch(/^<svg/);
  });
});

describe("help, --version, did-you-mean", () => {
  const COMMAND_NAMES = ["compare", "predict", "simulate", "diagrams", "series", "verify", "reproduce"];
  test("--version prints the version in package.json", async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    const r = await run(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`sgd-diagrams ${pkg.version}\n`);
  });
  test("help <command> is that command's --help: flags with descriptions and defaults, within 100 columns", async () => {
    for (const name of COMMAND_NAMES) {
      const viaHelp = await run(["help", name]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.out).toBe((await run([name, "--help"])).out);
      expect(viaHelp.out.split("\n")[0]).toMatch(new RegExp(`^sgd-diagrams ${name}: `));
      expect(viaHelp.out).toMatch(/\nFlags:\n {2}--/);
      for (const line of viaHelp.out.split("\n")) expect(line.length, `${name}: ${line}`).toBeLessThanOrEqual(100);
    }
    expect((await run(["help"])).out).toBe((await run(["--help"])).out);
  });
  test("compare --help states the real estimator defaults and marks no defaulted flag as required", async () => {
    const { defaultMainJobConfig, JAX_MODEL_DEFAULTS } = await import("../../src/mainJob/mainJob.js");
    const { sgdSchedule } = await import("../../src/index.js");
    const d = defaultMainJobConfig(sgdSchedule(10));
    const text = (await run(["help", "compare"])).out.replace(/\s+/g, " ");
    expect(text).toContain(`--tuples <n> Independent data tuples per diagram-value estimate. (default: logistic ${d.tuples}, lenet/mlp ${JAX_MODEL_DEFAULTS.tuples})`);
    expect(text).toContain(`(logistic: ${d.tuples} × ${d.batch})`);
    expect(text).not.toContain("200 × 64");
    expect(text).toContain("Usage: sgd-diagrams compare [flags]");
    expect(text).toContain(`--runs <n> Paired training runs (the same training sets at every η). (default: ${d.runs})`);
    // diagrams: --N and --order are required; --schedule (sgd) and --loss (test) have defaults.
    const usage = (await run(["help", "diagrams"])).out.split("\n\n")[1].replace(/\s+/g, " ");
    expect(usage).toBe("Usage: sgd-diagrams diagrams --N <int> --order <d> [flags]");
  });
  test("predict's text table fits 100 columns at the default order 3", async () => {
    const r = await run(["predict", "--tuples", "4", "--est-batch", "2", "--test-size", "50", "--eta", "0.005,0.2"]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/order 1\s+order 2\s+order 3\s+± se\s+resummed\s+± se\s+ODE fit\s+last term/);
    for (const line of r.out.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100);
  });
  test("unknown flags and commands name the closest match (one line, exit 2)", async () => {
    const cases: [string[], RegExp][] = [
      [["compare", "--epoch", "2"], /^sgd-diagrams compare: unknown flag --epoch \(did you mean --epochs\?\)/],
      [["diagrams", "--schedule", "sgd", "--N", "4", "--ordre", "2"], /unknown flag --ordre \(did you mean --order\?\)/],
      [["reproduce", "all", "--quik"], /unknown flag --quik \(did you mean --quick\?\)/],
      [["comapre"], /^sgd-diagrams: unknown command "comapre" \(did you mean compare\?\)/],
      [["help", "verfy"], /unknown command "verfy" \(did you mean verify\?\)/],
      [["reproduce", "helx"], /unknown experiment "helx" \(did you mean helix\?\)/],
      [["predict", "--model", "lenett"], /--model must be one of logistic, lenet, mlp, got "lenett" \(did you mean lenet\?\)/],
    ];
    for (const [args, pattern] of cases) {
      const r = await run(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toMatch(pattern);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
  });
});

describe("series on the built-in landscapes: exact where the engine knows the exact value", () => {
  const args = (name: string, extra: string[] = []) => ["series", "--landscape", name, "--schedule", "sgd", "--N", "4", "--order", "3", ...extra];
  test("cubic-chi: vanishing coefficients print as 0, and c3 = 8T (the issue's command: --schedule defaults to sgd)", async () => {
    const r = await run(["series", "--landscape", "cubic-chi", "--N", "4", "--order", "3"]);
    expect(r.code, r.err).toBe(0);
    const rows = r.out.split("\n").slice(3, 7).map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([["0", "0", "0"], ["1", "0", "0"], ["2", "0", "0"], ["3", "32.0000000000", "32"]]);
  });
  for (const name of ["cubic-chi", "gauss-fit", "mean-estimation"]) {
    test(`${name}: the exact coefficients agree with the Gauss–Hermite quadrature route`, async () => {
      const j = JSON.parse((await run(args(name, ["--batch", "2", "--epochs", "2", "--json"]))).out);
      expect(j.mode).toBe("exact");
      expect(j.coefficients).toEqual(j.exactCoefficients.map((c: string) => Rational.parse(c).toNumber()));
      j.quadratureCoefficients.forEach((q: number, k: number) => expect(q, `c${k}`).toBeAllclose(j.coefficients[k], { rtol: 1e-9, atol: 1e-12 }));
      // The quadrature's own terms sum to its coefficients (the two routes really are separate).
      const sums = j.quadratureCoefficients.map((_: number, k: number) =>
        j.terms.filter((t: { order: number }) => t.order === k).reduce((s: number, t: { coefficient: string; value: number }) => s + Rational.parse(t.coefficient).toNumber() * t.value, 0),
      );
      sums.forEach((s: number, k: number) => expect(s).toBeAllclose(j.quadratureCoefficients[k], { rtol: 1e-12, atol: 1e-15 }));
    });
  }
  test("the train loss (root tied) stays on the quadrature route", async () => {
    const j = JSON.parse((await run(args("cubic-chi", ["--loss", "train", "--json"]))).out);
    expect(j.mode).toBe("quadrature");
    expect(j.exactCoefficients).toBeUndefined();
  });
  test("verify --landscape cubic-chi explains that cubic-chi is a built-in landscape for series and an experiment", async () => {
    const r = await run(["verify", "--landscape", "cubic-chi", "--schedule", "sgd", "--N", "4", "--order", "3"]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toMatch(/verify needs a polynomial landscape JSON file/);
    expect(r.err).toMatch(/cubic-chi is a built-in landscape, which only series takes/);
    expect(r.err).toMatch(/sgd-diagrams reproduce cubic-chi/);
    const typo = await run(["series", "--landscape", "gaus-fit", "--schedule", "sgd", "--N", "4", "--order", "3"]);
    expect(typo.err).toMatch(/no such file \(did you mean gauss-fit\?\) \(built-in landscapes: gauss-fit, cubic-chi, helix, mean-estimation\)/);
    const experiment = await run(["series", "--landscape", "tic-stic", "--schedule", "sgd", "--N", "4", "--order", "3"]);
    expect(experiment.err).toMatch(/tic-stic is a reproduce experiment, not a landscape/);
  });
});
