/**
 * Package boundaries, checked on the sources (so nothing here depends on a stale dist/):
 * - `sgd-diagrams/engine` (src/engine.ts) reaches, through its static imports, only the exact
 *   core: no npm package, no `node:` module, nothing from numerics/;
 * - it bundles for browsers (esbuild, platform "browser") and the bundle runs in a bare
 *   JavaScript realm without Node's globals;
 * - the declarations emitted for both entries compile under `strict` without `skipLibCheck`,
 *   the engine's without any package types at all;
 * - every type a public declaration mentions is itself exported from the same entry;
 * - package.json's exports map, dependencies and files agree with the sources.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { runInNewContext } from "node:vm";
import { build } from "esbuild";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as engine from "../src/engine.js";

const ROOT = resolve(import.meta.dirname, "..");
const SRC = join(ROOT, "src");
const ENGINE = join(SRC, "engine.ts");
const INDEX = join(SRC, "index.ts");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  version: string;
  exports: Record<string, string | Record<string, string>>;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  files: string[];
  bin: Record<string, string>;
  sideEffects: string[];
};

/** Every module specifier a file imports or re-exports (static, dynamic and type-only). */
function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((f) => f.fileName);
}

/**
 * The static import graph from `entry`, following relative imports only; returns the files
 * reached and every non-relative specifier met (`node:` modules and npm packages).
 */
function importGraph(entry: string): { files: Set<string>; external: Map<string, string> } {
  const files = new Set<string>();
  const external = new Map<string, string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of specifiers(file)) {
      if (!spec.startsWith(".")) {
        external.set(spec, relative(ROOT, file));
        continue;
      }
      todo.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
    }
  }
  return { files, external };
}

describe("the engine entry's import graph", () => {
  it("reaches no npm package, no node: module and nothing from numerics/", () => {
    const { files, external } = importGraph(ENGINE);
    expect([...external.entries()]).toEqual([]);
    const folders = new Set([...files].map((f) => relative(SRC, f).split(sep)[0]!));
    for (const folder of folders) expect(["engine.ts", "errors.ts", "algebra", "combinatorics", "schedule", "diagrams"]).toContain(folder);
  });

  it("the same walk does see the packages behind the full library (so the check above can fail)", () => {
    const { external } = importGraph(INDEX);
    expect([...external.keys()]).toContain("@jax-js/jax");
    expect([...external.keys()].some((s) => s.startsWith("node:"))).toBe(true);
  });
});

describe("the engine in a browser", () => {
  let bundle = "";
  let inputs: string[] = [];

  beforeAll(async () => {
    const result = await build({
      entryPoints: [ENGINE],
      bundle: true,
      platform: "browser",
      format: "iife",
      globalName: "sgdEngine",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    bundle = result.outputFiles[0]!.text;
    inputs = Object.keys(result.metafile.inputs);
  });

  it("bundles from src/engine.ts alone, with nothing from node_modules", () => {
    expect(inputs.length).toBeGreaterThan(5);
    for (const input of inputs) expect(input.startsWith("src/")).toBe(true);
  });

  it("the bundle runs without Node's globals and computes what the module computes", () => {
    // A fresh realm has only ECMAScript's built-ins: no process, require, Buffer or globalThis.Float16Array.
    const realm: Record<string, unknown> = {};
    runInNewContext(`${bundle}\nglobalThis.result = (() => {
      const t = sgdEngine.coefficientTable(sgdEngine.sgdSchedule(6, { batch: 2, epochs: 2 }), 3, "test");
      return t.map((r) => r.key + "=" + r.coefficient).join(" ");
    })();
    globalThis.sawNode = typeof process !== "undefined" || typeof require !== "undefined" || typeof Buffer !== "undefined";`, realm);
    const expected = engine
      .coefficientTable(engine.sgdSchedule(6, { batch: 2, epochs: 2 }), 3, "test")
      .map((r) => `${r.key}=${r.coefficient}`)
      .join(" ");
    expect(realm.sawNode).toBe(false);
    expect(realm.result).toBe(expected);
    expect(expected.split(" ").length).toBeGreaterThan(5);
  });
});

/**
 * Emits the declarations of both entries into a scratch folder inside the repository (so
 * that the full library's declarations resolve @jax-js/jax from node_modules as a consumer's
 * would) and compiles them again as a consumer does.
 */
describe("the emitted declarations", () => {
  let out = "";

  beforeAll(() => {
    const cacheDir = join(ROOT, "node_modules", ".cache");
    mkdirSync(cacheDir, { recursive: true });
    out = mkdtempSync(join(cacheDir, "sgd-diagrams-packaging-"));
    const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, "tsconfig.build.json"), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    });
    if (config === undefined) throw new Error("cannot read tsconfig.build.json");
    const program = ts.createProgram([INDEX, ENGINE], {
      ...config.options,
      outDir: out,
      declaration: true,
      emitDeclarationOnly: true,
      sourceMap: false,
      inlineSources: false,
      noEmit: false,
    });
    const emitted = program.emit();
    const errors = ts.getPreEmitDiagnostics(program).concat(emitted.diagnostics);
    if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, formatHost));
    // The shipped package is "type": "module"; its declarations are read as ES modules.
    writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
  }, 240_000);

  afterAll(() => {
    if (out !== "") rmSync(out, { recursive: true, force: true });
  });

  /** A consumer's compilation of one declaration file: strict, lib checks on. */
  function consumerProgram(entryDts: string, types: string[]): ts.Program {
    return ts.createProgram([join(out, entryDts)], {
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types,
    });
  }

  it("engine.d.ts compiles under strict without skipLibCheck, with no package types and no DOM", () => {
    const program = consumerProgram("engine.d.ts", []);
    expect(ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), formatHost)).toBe("");
    const outside = program
      .getSourceFiles()
      .filter((f) => !program.isSourceFileDefaultLibrary(f) && !f.fileName.startsWith(out.split(sep).join("/")))
      .map((f) => f.fileName);
    expect(outside).toEqual([]);
  });

  it("index.d.ts compiles under strict without skipLibCheck (with @types/node, as a Node consumer has)", () => {
    const program = consumerProgram("index.d.ts", ["node"]);
    expect(ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), formatHost)).toBe("");
  }, 120_000);

  it.each(["engine.d.ts", "index.d.ts"])("every type that %s's public declarations mention is exported from it", (entry) => {
    const program = consumerProgram(entry, ["node"]);
    expect(unexportedTypes(program, join(out, entry), out)).toEqual([]);
  }, 120_000);

  it("the check above finds a type that is used but not exported (so it can fail)", () => {
    const dir = join(out, "probe");
    mkdirSync(dir);
    writeFileSync(join(dir, "hidden.d.ts"), "export interface Hidden { x: number }\nexport declare function make(): Hidden;\n");
    writeFileSync(join(dir, "entry.d.ts"), 'export { make } from "./hidden.js";\n');
    const program = consumerProgram(join("probe", "entry.d.ts"), []);
    expect(unexportedTypes(program, join(dir, "entry.d.ts"), out)).toEqual(["Hidden (used by make)"]);
  });
});

describe("package.json", () => {
  it("the exports map names both entries and every target is a file the build emits", () => {
    expect(Object.keys(pkg.exports).sort()).toEqual([".", "./engine", "./package.json"]);
    for (const [entry, source] of [
      [".", "index"],
      ["./engine", "engine"],
    ] as const) {
      const target = pkg.exports[entry] as Record<string, string>;
      expect(Object.keys(target)[0]).toBe("types"); // "types" must come first to be used
      expect(target.types).toBe(`./dist/${source}.d.ts`);
      expect(target.default).toBe(`./dist/${source}.js`);
      expect(readdirSync(SRC)).toContain(`${source}.ts`);
    }
    expect(pkg.bin["sgd-diagrams"]).toBe("dist/cli/bin.js");
    expect(pkg.files).toContain("dist");
  });

  it("every dependency is imported by the shipped sources, and every imported package is a dependency", () => {
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) {
          for (const spec of specifiers(path)) {
            if (spec.startsWith(".") || spec.startsWith("node:")) continue;
            imported.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
          }
        }
      }
    };
    walk(SRC);
    // The data packages are read as files (require.resolve of "<name>/package.json"), not imported.
    const data = Object.keys(pkg.optionalDependencies ?? {});
    expect(data.sort()).toEqual(["fashion-mnist", "mnist"]);
    expect(Object.keys(pkg.dependencies).sort()).toEqual([...imported].sort());
  });

  it("sideEffects lists exactly the modules that do something when they are evaluated", () => {
    // A bundler drops an unused module unless it is listed here, so a module with top-level
    // statements (a polyfill, a worker's message loop, the executable) must be listed, and a
    // listed path must still exist.
    const patterns = pkg.sideEffects.map((p) => ({ p, re: globToRegExp(p) }));
    const effectful: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") && hasTopLevelEffects(path)) {
          effectful.push(`./dist/${relative(SRC, path).split(sep).join("/").replace(/\.ts$/, ".js")}`);
        }
      }
    };
    walk(SRC);
    expect(effectful.length).toBeGreaterThanOrEqual(2); // at least the executable and the polyfill
    for (const file of effectful) expect(patterns.some(({ re }) => re.test(file)), `${file} is not in sideEffects`).toBe(true);
    for (const { p, re } of patterns) expect(effectful.some((f) => re.test(f)), `${p} matches no module with effects`).toBe(true);
  });

  it("CITATION.cff cites this version and the paper by its title", () => {
    const cff = readFileSync(join(ROOT, "CITATION.cff"), "utf8");
    expect(cff).toMatch(new RegExp(`^version: ${pkg.version.replaceAll(".", "\\.")}$`, "m"));
    expect(cff).toContain('title: "A Space-Time Approach to Analyzing Stochastic Gradient Descent"');
    expect(readFileSync(join(ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} the sgd-diagrams authors$/m);
  });
});

/** A package.json `sideEffects` glob as a RegExp: `*` stays within a folder, `**` then a slash spans folders. */
function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("**/")
    .map((part) => part.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*"))
    .join("(?:.*/)?");
  return new RegExp(`^${body}$`);
}

/** True when evaluating the module does more than declare and import: top-level statements or a bare `import "x"`. */
function hasTopLevelEffects(file: string): boolean {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  return source.statements.some(
    (s) =>
      ts.isExpressionStatement(s) ||
      ts.isIfStatement(s) ||
      ts.isIterationStatement(s, false) ||
      ts.isTryStatement(s) ||
      ts.isBlock(s) ||
      (ts.isImportDeclaration(s) && s.importClause === undefined),
  );
}

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => ROOT,
  getNewLine: () => "\n",
};

/**
 * The names of types (and values used in `typeof`) declared in this package's declaration
 * files under `dir` that a declaration exported from `entry` mentions but `entry` does not
 * export, as `"<name> (used by <export>)"`. Private members are skipped (a consumer cannot
 * reach them); types from the standard library or other packages are not this package's to
 * export.
 */
function unexportedTypes(program: ts.Program, entry: string, dir: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (source === undefined) throw new Error(`not in the program: ${entry}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (moduleSymbol === undefined) throw new Error(`not a module: ${entry}`);
  const real = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const exports = checker.getExportsOfModule(moduleSymbol);
  const exported = new Set(exports.map(real));
  const ours = (s: ts.Symbol): boolean =>
    (s.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(dir.split(sep).join("/")));
  const missing = new Set<string>();

  const visit = (node: ts.Node, owner: string): void => {
    if (ts.canHaveModifiers(node) && ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)) return;
    if ((ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node)) && ts.isPrivateIdentifier(node.name)) return;
    const name = ts.isTypeReferenceNode(node)
      ? node.typeName
      : ts.isExpressionWithTypeArguments(node)
        ? node.expression
        : ts.isTypeQueryNode(node)
          ? node.exprName
          : ts.isImportTypeNode(node)
            ? node.qualifier
            : undefined;
    const symbol = name === undefined ? undefined : checker.getSymbolAtLocation(name);
    if (symbol !== undefined) {
      const s = real(symbol);
      if (!(s.flags & ts.SymbolFlags.TypeParameter) && ours(s) && !exported.has(s)) missing.add(`${s.name} (used by ${owner})`);
    }
    ts.forEachChild(node, (child) => visit(child, owner));
  };

  for (const e of exports) for (const d of real(e).declarations ?? []) visit(d, e.name);
  return [...missing].sort();
}
