import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type BenchRow = Record<string, string | number>;
export interface BenchGroup {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchRow[]> | BenchRow[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs `script` (ESM, may import the built package as `PKG`) in a fresh Node process; returns its JSON line. */
export function inChild(script: string): Record<string, number> {
  const code = script.replaceAll("PKG", JSON.stringify(join(root, "dist", "index.js")));
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", maxBuffer: 1 << 30 });
  return JSON.parse(out.trim().split("\n").pop()!);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const diagrams: BenchGroup = {
  name: "diagrams",
  description: "full `diagrams --json` list for vanilla SGD, test loss (N = 10): wall time (median of 3 fresh processes) and peak memory",
  run() {
    const rows: BenchRow[] = [];
    for (const order of [4, 5, 6, 7, 8]) {
      const times: number[] = [];
      const rss: number[] = [];
      let count = 0;
      let total = 0;
      for (let rep = 0; rep < 3; rep++) {
        const r = inChild(`
          const { coefficientTable, sgdSchedule } = await import(PKG);
          const t0 = performance.now();
          const rows = coefficientTable(sgdSchedule(10), ${order}, "test");
          const json = JSON.stringify({ diagrams: rows });
          const ms = performance.now() - t0;
          console.log(JSON.stringify({ ms, rss: process.resourceUsage().maxRSS / 1024, count: rows.filter((r) => r.order === ${order}).length, total: rows.length, bytes: json.length }));
        `);
        times.push(r.ms);
        rss.push(r.rss);
        count = r.count;
        total = r.total;
      }
      rows.push({ order, "diagrams at this order": count, "diagrams 0..order": total, "median ms": Math.round(median(times)), "peak RSS MiB": Math.round(median(rss)) });
    }
    return rows;
  },
};

export const BENCHES: readonly BenchGroup[] = [diagrams];
