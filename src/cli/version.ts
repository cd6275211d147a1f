import { readFileSync } from "node:fs";

/**
 * The package version, read at run time from the package.json next to the build (both
 * `src/cli/` and `dist/cli/` sit two levels below it), so it never drifts from the release.
 */
export function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  const version = typeof pkg === "object" && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
  return typeof version === "string" ? version : "unknown";
}
