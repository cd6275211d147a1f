/**
 * Shard files: what a shard process leaves for `merge` — its units of work, the fingerprint of
 * the configuration that produced them, its index and count, and a checksum. One file per
 * shard, named by the shard (`<name>.shard-03-of-16.json`) and written atomically (temp file +
 * rename), so shards writing to one shared folder never touch each other's files and a merge
 * never reads a half-written one.
 *
 * @module
 */
import { mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { fnv1aHex } from "../stats/hash.js";
import { readRegularFile, withFsErrors, writeFileAtomic } from "./safeFile.js";
import { MAX_SHARDS, type Shard, shardTag } from "./shard.js";

/** The `format` field of every shard file. */
export const SHARD_FILE_FORMAT = "sgd-diagrams shard";
/** Version of the shard files' layout (a file of another version is refused, never misread). */
export const SHARD_FILE_VERSION = 1;
/** Sub-folder of an output folder that holds its shard files. */
export const SHARD_FOLDER = "shards";

/** A fingerprint of anything JSON-serialisable (what determines a shard's numbers). */
export function fingerprintOf(value: unknown): string {
  return fnv1aHex(JSON.stringify(value));
}

/** One shard's contribution. */
export interface ShardFile<P = unknown> {
  /** What produced it, e.g. `"compare"` or `"reproduce"`. */
  readonly kind: string;
  /** Hash of everything that determines the numbers (configuration, code version). */
  readonly fingerprint: string;
  readonly shard: Shard;
  readonly payload: P;
}

/** A shard file as read, with where it came from. */
export interface ReadShardFile extends ShardFile {
  readonly path: string;
  readonly sum: string;
}

function checksum(f: ShardFile): string {
  return fnv1aHex(JSON.stringify({ kind: f.kind, fingerprint: f.fingerprint, shard: f.shard, payload: f.payload }));
}

/** Writes `f` as `<outDir>/shards/<stem>.shard-kk-of-n.json` (atomically) and returns the path. */
export function writeShardFile(outDir: string, stem: string, f: ShardFile): string {
  const dir = join(outDir, SHARD_FOLDER);
  // Shards of one array may create the folder at the same moment: recursive mkdir tolerates that.
  withFsErrors(dir, () => mkdirSync(dir, { recursive: true }));
  const path = join(dir, `${stem}.${shardTag(f.shard)}.json`);
  const body = { format: SHARD_FILE_FORMAT, version: SHARD_FILE_VERSION, kind: f.kind, fingerprint: f.fingerprint, shard: f.shard, sum: checksum(f), payload: f.payload };
  writeFileAtomic(path, JSON.stringify(body));
  return path;
}

const SHARD_NAME = /\.shard-\d+-of-\d+\.json$/;

/** The shard files in `dir` and in `dir/shards` (one-line error for a folder that is not there). */
export function findShardFiles(dir: string): string[] {
  const st = withFsErrors(dir, () => statSync(dir));
  if (!st.isDirectory()) throw new UsageError(`merge: ${dir} is not a folder (give the --out folders of the shards)`);
  const inDir = (d: string) => withFsErrors(d, () => readdirSync(d)).filter((n) => SHARD_NAME.test(n)).map((n) => join(d, n));
  const sub = join(dir, SHARD_FOLDER);
  let subIsDir = false;
  try {
    subIsDir = statSync(sub).isDirectory();
  } catch {
    subIsDir = false;
  }
  return [...inDir(dir), ...(subIsDir ? inDir(sub) : [])].sort();
}

/** Reads and checks one shard file; anything torn, edited or foreign is one line naming the file. */
export function readShardFile(path: string): ReadShardFile {
  const text = readRegularFile(path, "shard file");
  const bad = (why: string) => new UsageError(`merge: ${path} is not a usable shard file (${why}); rerun that shard`);
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw bad(`not complete JSON: truncated or corrupt, ${text.length} bytes`);
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw bad("not a JSON object");
  if (o.format !== SHARD_FILE_FORMAT) throw bad(`format ${JSON.stringify(o.format)}, expected ${JSON.stringify(SHARD_FILE_FORMAT)}`);
  if (o.version !== SHARD_FILE_VERSION) throw bad(`version ${JSON.stringify(o.version)} of another release, expected ${SHARD_FILE_VERSION}`);
  const s = o.shard as Record<string, unknown> | null;
  const okInt = (x: unknown, lo: number, hi: number) => typeof x === "number" && Number.isSafeInteger(x) && x >= lo && x <= hi;
  if (typeof s !== "object" || s === null || !okInt(s.count, 1, MAX_SHARDS) || !okInt(s.index, 0, (s.count as number) - 1)) throw bad("no valid shard index and count");
  if (typeof o.kind !== "string" || typeof o.fingerprint !== "string" || o.payload === undefined) throw bad("missing fields");
  const f: ShardFile = { kind: o.kind, fingerprint: o.fingerprint, shard: { index: s.index as number, count: s.count as number }, payload: o.payload };
  if (o.sum !== checksum(f)) throw bad("checksum mismatch: edited or corrupt");
  return { ...f, path, sum: o.sum };
}

/** The shards of one configuration, ready to merge. */
export interface GatheredShards {
  readonly kind: string;
  readonly fingerprint: string;
  readonly count: number;
  /** One file per present index, by index. */
  readonly shards: readonly ReadShardFile[];
  /** Indices with no file. */
  readonly missing: readonly number[];
  /** Files skipped because another file already gave their index (same content). */
  readonly duplicates: readonly string[];
}

/**
 * Reads every shard file in `dirs` and checks that they belong together: one kind, one
 * fingerprint (else: shards of different configurations, refused), one count. A shard found
 * twice (the same file reached through two folders, or a copy) is counted once; two different
 * files for one index are refused. Missing indices are listed, not refused (the caller decides).
 */
export function gatherShards(dirs: readonly string[]): GatheredShards {
  if (dirs.length === 0) throw new UsageError("merge needs at least one folder (the --out of the shards)");
  const files = [...new Set(dirs.flatMap((d) => findShardFiles(d)))];
  if (files.length === 0) throw new UsageError(`merge: no shard files (*.shard-k-of-n.json) in ${dirs.join(", ")} or their ${SHARD_FOLDER}/ folders`);
  const read = files.map(readShardFile);
  const configs = new Map<string, ReadShardFile[]>();
  for (const f of read) {
    const k = `${f.kind} ${f.fingerprint} of ${f.shard.count}`;
    configs.set(k, [...(configs.get(k) ?? []), f]);
  }
  if (configs.size > 1) {
    const list = [...configs.entries()].map(([k, fs]) => `${k.replace(/ of (\d+)$/, ", $1 shards")} (${fs.length} file(s), e.g. ${fs[0].path})`);
    throw new UsageError(`merge: the shard files are of ${configs.size} different configurations (kind, fingerprint, shard count): ${list.join("; ")}; merge each configuration's folder on its own`);
  }
  const [first] = read;
  const byIndex = new Map<number, ReadShardFile>();
  const duplicates: string[] = [];
  for (const f of read) {
    const have = byIndex.get(f.shard.index);
    if (have === undefined) byIndex.set(f.shard.index, f);
    else if (have.sum === f.sum) duplicates.push(f.path);
    else throw new UsageError(`merge: two different files for shard ${f.shard.index}/${f.shard.count}: ${have.path} and ${f.path}; remove the wrong one`);
  }
  const count = first.shard.count;
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  return { kind: first.kind, fingerprint: first.fingerprint, count, shards: [...byIndex.values()].sort((a, b) => a.shard.index - b.shard.index), missing, duplicates };
}

/** `3, 7 and 12` (at most 20 listed). */
export function indexList(xs: readonly number[]): string {
  const shown = xs.slice(0, 20).map(String);
  const more = xs.length > 20 ? ` and ${xs.length - 20} more` : "";
  return shown.length <= 1 ? shown.join("") + more : `${shown.slice(0, -1).join(", ")}${more === "" ? " and " + shown[shown.length - 1] : ", " + shown[shown.length - 1] + more}`;
}
