import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import open from "open";
import sirv from "sirv";
import { UsageError } from "../../index.js";
import type { Command } from "../command.js";
import { type FlagTable, intFlag, parseFlags } from "../flags.js";

/**
 * The built explorer page: dist/web at the package root (`npm run build:web` writes it; the
 * package ships it). Both src/cli/commands and dist/cli/commands sit three levels below the root.
 */
export const EXPLORER_DIR = fileURLToPath(new URL("../../../dist/web/", import.meta.url));

export interface ExplorerServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the built page on 127.0.0.1 (never on other interfaces: the page is a local tool).
 * `port` 0 picks a free port.
 */
export async function serveExplorer(port: number, dir: string = EXPLORER_DIR): Promise<ExplorerServer> {
  if (!existsSync(`${dir}/index.html`)) {
    throw new UsageError(`the explorer page is not built (no ${dir}index.html); run: npm run build:web`);
  }
  const handler = sirv(dir, { etag: true, gzip: false, dev: false });
  const server: Server = createServer((req, res) => handler(req, res, () => {
    res.statusCode = 404;
    res.end("not found");
  }));
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "EADDRINUSE" ? new UsageError(`port ${port} is in use; pick another with --port`) : e),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const FLAGS = {
  port: { type: "string", value: "<P>", defaultValue: "5178", description: "Port on 127.0.0.1 (0 picks a free one)." },
  open: { type: "boolean", description: "Open the page in the default browser." },
} as const satisfies FlagTable;

export const explore: Command = {
  name: "explore",
  summary: "Serve the interactive explorer page (diagrams, prediction vs simulation, helix) on 127.0.0.1",
  flags: FLAGS,
  async run(argv, io) {
    const { values } = parseFlags(argv, FLAGS);
    const port = intFlag(values.port, "--port", 0, 65535) ?? 5178;
    const server = await serveExplorer(port);
    io.stdout(`sgd-diagrams explorer: ${server.url}  (Ctrl-C to stop)\n`);
    if (values.open === true) {
      await open(server.url).catch(() => io.stderr(`could not open a browser; open ${server.url} yourself\n`));
    }
    // Keep serving until the process is interrupted.
    await new Promise<never>(() => {});
    return 0;
  },
};
