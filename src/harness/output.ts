/**
 * Writes an experiment's outputs (data JSON + CSV, figures as SVG + PNG, the verdict) and the
 * HTML report that `reproduce all` puts in front of them.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { renderSvg, svgToPng } from "../plot/render.js";
import type { Experiment, ExperimentPlot, ExperimentResult } from "./experiment.js";
import { withFsErrors, writeFileAtomic } from "./safeFile.js";
import type { VerdictCheck, VerdictStatus } from "./verdict.js";

type Row = ExperimentResult["rows"][number];

/** What was written for one experiment (paths relative to the report folder). */
export interface WrittenExperiment {
  readonly id: string;
  readonly title: string;
  readonly figure: string;
  /** REPRODUCED, PARTIAL or NOT REPRODUCED (./verdict.ts decides). */
  readonly status: VerdictStatus;
  /** The verdict's first line: status, claim, criteria with their numbers. */
  readonly headline: string;
  readonly checks: readonly VerdictCheck[];
  /** The details after the headline. */
  readonly verdict: string;
  /** `status === "REPRODUCED"`; null when interrupted. */
  readonly pass: boolean | null;
  readonly partial: boolean;
  /** The command that regenerates these files. */
  readonly command: string;
  readonly seconds: number;
  readonly files: {
    readonly data: string;
    readonly csv: string;
    readonly verdict: string;
    readonly plots: readonly { readonly name: string; readonly caption: string; readonly svg: string; readonly png: string | null }[];
  };
}

/** Options of {@link writeExperimentOutputs}. */
export interface WriteOptions {
  /** The command line that regenerates the outputs (shown in the report). */
  readonly command: string;
  /** Wall time of the run, seconds. */
  readonly seconds: number;
  /** Also rasterise every figure to PNG. @defaultValue true */
  readonly png?: boolean;
}

/** A plot's SVG: its own `svg` when it has one, else the rendered Vega-Lite spec. */
export async function plotSvg(plot: ExperimentPlot): Promise<string> {
  return plot.svg ?? (await renderSvg(plot.spec));
}

/**
 * Writes `dir/<id>/data.json`, `data.csv`, `<plot>.svg`, `<plot>.png` and `verdict.txt`.
 * Paths in the result are relative to `dir`.
 */
export async function writeExperimentOutputs(
  experiment: Pick<Experiment, "id" | "title" | "figure">,
  result: ExperimentResult,
  dir: string,
  options: WriteOptions,
): Promise<WrittenExperiment> {
  const sub = join(dir, experiment.id);
  mkdirSync(sub, { recursive: true });
  const partial = result.partial === true;
  // What data.json and the index share about the experiment and its verdict.
  const head = {
    id: experiment.id,
    title: experiment.title,
    figure: experiment.figure,
    status: result.status,
    headline: result.headline,
    checks: result.checks,
    verdict: result.verdict,
    pass: result.pass,
    partial,
    command: options.command,
    seconds: options.seconds,
  };
  const data = { ...head, details: result.details ?? {}, rows: result.rows };
  writeFileSync(join(sub, "data.json"), JSON.stringify(data, null, 1) + "\n");
  writeFileSync(join(sub, "data.csv"), toCsv(result.rows));
  writeFileSync(join(sub, "verdict.txt"), `${result.headline}\n${result.verdict}\n`);
  const plots: { name: string; caption: string; svg: string; png: string | null }[] = [];
  for (const plot of result.plots) {
    const svg = await plotSvg(plot);
    writeFileSync(join(sub, `${plot.name}.svg`), svg);
    let png: string | null = null;
    if (options.png !== false) {
      writeFileSync(join(sub, `${plot.name}.png`), svgToPng(svg, pngWidth(svg)));
      png = `${experiment.id}/${plot.name}.png`;
    }
    plots.push({ name: plot.name, caption: plot.caption, svg: `${experiment.id}/${plot.name}.svg`, png });
  }
  return {
    ...head,
    files: { data: `${experiment.id}/data.json`, csv: `${experiment.id}/data.csv`, verdict: `${experiment.id}/verdict.txt`, plots },
  };
}

/** Twice the SVG's own width (sharp PNGs), capped to keep files small. */
function pngWidth(svg: string): number {
  const m = /<svg[^>]*\swidth="([\d.]+)/.exec(svg);
  const w = m === null ? 900 : Number(m[1]);
  return Math.round(Math.min(2400, Math.max(600, 2 * w)));
}

/**
 * Rows as CSV (RFC 4180): the header is the union of the rows' keys in first-seen order,
 * missing and null fields are empty, fields with commas, quotes or newlines are quoted.
 */
export function toCsv(rows: readonly Row[]): string {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
    }
  }
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return "";
    const s = typeof v === "number" ? (Number.isFinite(v) ? String(v) : v > 0 ? "Infinity" : v < 0 ? "-Infinity" : "NaN") : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [keys.map(cell).join(",")];
  for (const r of rows) lines.push(keys.map((k) => cell((r as Record<string, unknown>)[k])).join(","));
  return lines.join("\n") + "\n";
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Options of {@link reportHtml}. */
export interface ReportOptions {
  /** The command that regenerates the whole report. */
  readonly command: string;
  /** When the report was generated (ISO string; omitted from the page when absent). */
  readonly generated?: string;
  /** Total wall time, seconds. */
  readonly seconds?: number;
}

/**
 * A static, script-free HTML page with every experiment: its figures (the SVG files, linked),
 * its verdict, the command that regenerates it and links to its data.
 */
export function reportHtml(entries: readonly WrittenExperiment[], options: ReportOptions): string {
  const badgeClass: Record<VerdictStatus, string> = { REPRODUCED: "pass", PARTIAL: "partial", "NOT REPRODUCED": "fail" };
  const badge = (e: WrittenExperiment) => `<span class="badge ${badgeClass[e.status]}">${e.status.toLowerCase()}</span>`;
  // The headline without its leading status (the badge shows it).
  const claim = (e: WrittenExperiment) => escapeHtml(e.headline.startsWith(`${e.status} — `) ? e.headline.slice(e.status.length + 3) : e.headline);
  const summary = entries
    .map((e) => `<tr><td><a href="#${escapeHtml(e.id)}">${escapeHtml(e.id)}</a></td><td>${escapeHtml(e.figure)}</td><td>${badge(e)}</td><td>${claim(e)}</td><td class="num">${e.seconds.toFixed(1)} s</td></tr>`)
    .join("\n");
  const sections = entries
    .map((e) => {
      const figs = e.files.plots
        .map((p) => `<figure><a href="${escapeHtml(p.svg)}"><img src="${escapeHtml(p.svg)}" alt="${escapeHtml(`${e.id}: ${p.name}`)}"></a><figcaption>${escapeHtml(p.caption)} <span class="files">(${escapeHtml(p.name)}: <a href="${escapeHtml(p.svg)}">SVG</a>${p.png === null ? "" : ` · <a href="${escapeHtml(p.png)}">PNG</a>`})</span></figcaption></figure>`)
        .join("\n");
      return `<section id="${escapeHtml(e.id)}">
<h2>${escapeHtml(e.id)}: ${escapeHtml(e.title)} ${badge(e)}</h2>
<p class="figref">Paper: ${escapeHtml(e.figure)} · ${e.seconds.toFixed(1)} s · data: <a href="${escapeHtml(e.files.data)}">JSON</a>, <a href="${escapeHtml(e.files.csv)}">CSV</a></p>
<p class="headline">${claim(e)}</p>
<details open><summary>details</summary><p class="verdict">${escapeHtml(e.verdict)}</p></details>
<pre class="cmd">${escapeHtml(e.command)}</pre>
${figs}
</section>`;
    })
    .join("\n");
  const meta = [options.generated === undefined ? null : `generated ${escapeHtml(options.generated)}`, options.seconds === undefined ? null : `total ${options.seconds.toFixed(1)} s`]
    .filter((x) => x !== null)
    .join(" · ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sgd-diagrams: reproduced results</title>
<link rel="icon" href="data:,">
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-top: 1px solid #ccc; padding-top: 1em; }
table { border-collapse: collapse; width: 100%; font-size: 0.9em; }
td, th { border-bottom: 1px solid #ddd; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; }
.badge { font-size: 0.75em; padding: 0.15em 0.5em; border-radius: 0.8em; color: white; white-space: nowrap; }
.pass { background: #2e7d32; } .fail { background: #c62828; } .info { background: #546e7a; } .partial { background: #ef6c00; }
.headline { font-weight: 600; } .verdict { font-size: 0.9em; }
figcaption .files { color: #888; }
pre.cmd { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }
figure { margin: 1em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
.figref { color: #555; font-size: 0.9em; }
</style>
</head>
<body>
<h1>sgd-diagrams: the paper's results, reproduced (synthetic landscapes and real data)</h1>
<p>Each section shows a figure, its verdict (prediction vs measurement with 95% intervals) and the exact command that regenerates it. A verdict is REPRODUCED when every check holds, PARTIAL when the main claim holds but a secondary check fails (or the run was interrupted), NOT REPRODUCED when the main claim fails. ${meta}</p>
<pre class="cmd">${escapeHtml(options.command)}</pre>
<table>
<thead><tr><th>experiment</th><th>paper</th><th>status</th><th>claim and criteria</th><th>time</th></tr></thead>
<tbody>
${summary}
</tbody>
</table>
${sections}
</body>
</html>
`;
}

/** Writes a file atomically (never half-written when interrupted), creating its folder; one-line errors. */
export function writeOutput(path: string, text: string | Buffer): void {
  withFsErrors(path, () => mkdirSync(dirname(path), { recursive: true }));
  writeFileAtomic(path, text);
}
