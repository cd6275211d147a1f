import { UsageError } from "../../index.js";
import { gatherShards, type GatheredShards, indexList } from "../../harness/shardFiles.js";
import { ensureUserInputs } from "../../harness/userInputs.js";
import { mergeMainJobShards } from "../../mainJob/shards.js";
import type { Command, CommandIO } from "../command.js";
import { type FlagTable, parseFlags } from "../flags.js";
import { packageVersion } from "../version.js";
import { runMergedMainJob } from "./mainJob.js";
import { mergeReproduceShards } from "./reproduce.js";

const FLAGS = {
  out: { type: "string", value: "DIR", defaultValue: "the first DIR", description: "Where the merged outputs go (the table, plot, JSON and verdict one process would write there)." },
  "allow-partial": {
    type: "boolean",
    description: "Merge even when shards are missing: the outputs say PARTIAL and list the missing shards (never a pass). Without it, missing shards are refused.",
  },
  "no-png": { type: "boolean", description: "reproduce shards: write SVG figures only (no PNG)." },
  json: { type: "boolean", description: "Print JSON instead of a table (the command's own --json output, plus the merge's fields)." },
} as const satisfies FlagTable;

/** `PARTIAL (shards 3 and 7 of 16 missing)`, or null when every shard is there. */
export function missingNote(g: Pick<GatheredShards, "missing" | "count">): string | null {
  return g.missing.length === 0 ? null : `PARTIAL (shard${g.missing.length === 1 ? "" : "s"} ${indexList(g.missing)} of ${g.count} missing)`;
}

async function runMerge(argv: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS);
  const g = gatherShards(positionals);
  if (g.missing.length > 0 && values["allow-partial"] !== true) {
    throw new UsageError(
      `${g.missing.length} of ${g.count} ${g.kind} shards missing: ${indexList(g.missing)} (run them with --shard k/${g.count}, same flags), or pass --allow-partial to merge the rest, marked PARTIAL`,
    );
  }
  const out = values.out ?? positionals[0];
  const note = missingNote(g);
  if (note !== null) io.stderr(`merge: ${note}\n`);
  if (g.duplicates.length > 0) io.stderr(`merge: ${g.duplicates.length} shard file(s) found twice, counted once (e.g. ${g.duplicates[0]})\n`);
  if (g.kind === "reproduce") return mergeReproduceShards(g, { out, json: values.json === true, png: values["no-png"] !== true, partial: note }, io);
  const m = mergeMainJobShards(g, packageVersion());
  // A user's model or data file is read again by path: it must be the one the shards used.
  await ensureUserInputs(m.config, "the shard files");
  return runMergedMainJob(m.command, { config: m.config, outDir: out, json: values.json === true, workers: 1 }, io, {
    ...(m.tuples === undefined ? {} : { tuples: m.tuples }),
    ...(m.runs === undefined ? {} : { runs: m.runs }),
    partial: note,
    missingShards: g.missing,
    shards: g.count,
  });
}

export const merge: Command = {
  name: "merge",
  summary: "Combine the shards of a --shard i/n run into the result one process would give (bit for bit)",
  positionals: "DIR…",
  flags: FLAGS,
  notes: [
    "DIR: the --out folders of the shards (their shard files are in DIR/shards/). Shards of different configurations are refused; a shard found twice is counted once. " +
      "The merge recomputes what is not sharded (population passes at θ0 for the control variates and exact means, the ODE fit and the resummation) and then writes exactly what the unsharded command writes. See docs/cluster.md.",
  ],
  run: (argv, io) => runMerge(argv, io),
};
