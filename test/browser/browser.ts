/**
 * Shared set-up of the end-to-end tests: the built explorer served by the CLI's own server,
 * driven in Debian's headless Chromium through playwright-core (no browser download).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { EXPLORER_DIR, type ExplorerServer, serveExplorer } from "../../src/cli/commands/explore.js";

/** Where screenshots go (ignored by git; CI keeps them as artefacts). */
export const ARTIFACT_DIR = "out/browser";

/** The Chromium binary: $CHROMIUM_PATH, else the first of Debian's names on PATH. */
export function chromiumPath(): string {
  const env = process.env.CHROMIUM_PATH;
  if (env !== undefined && env !== "") return env;
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    try {
      return execFileSync("which", [name], { encoding: "utf8" }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error("no Chromium found: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH; .ci/run installs it");
}

export interface Session {
  readonly server: ExplorerServer;
  readonly browser: Browser;
  /** Console errors and uncaught page errors seen so far, across every page opened. */
  readonly errors: string[];
  open(query?: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function startSession(): Promise<Session> {
  if (!existsSync(`${EXPLORER_DIR}index.html`)) throw new Error(`the explorer is not built (${EXPLORER_DIR}); run: npm run build:web`);
  mkdirSync(ARTIFACT_DIR, { recursive: true });
  const server = await serveExplorer(0);
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ["--no-sandbox"] });
  const errors: string[] = [];
  return {
    server,
    browser,
    errors,
    async open(query = "", viewport = { width: 1280, height: 800 }) {
      const page = await browser.newPage({ viewport });
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
      await page.goto(`${server.url}${query}`);
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
