import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";
import { mnistSubsetPlugin } from "./build/mnistSubset.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Builds the explorer into dist/web (what the package ships; `sgd-diagrams explore` serves it).
 * `base: "./"` keeps every URL relative, so the folder works from any static host or sub-path.
 */
export default defineConfig({
  root: here("."),
  base: "./",
  logLevel: "warn",
  build: { outDir: here("../dist/web"), emptyOutDir: true, target: "es2022", reportCompressedSize: false, chunkSizeWarningLimit: 2000 },
  worker: { format: "es" },
  plugins: [mnistSubsetPlugin()],
});
