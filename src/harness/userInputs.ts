/**
 * A user's model file and data files for the harness: loaded once per process (and again in
 * each worker thread), registered under a fingerprint of their contents, and named in a
 * {@link ModelSpec} by small references that go into labels, config keys and checkpoint keys,
 * so runs of different files (or of an edited file) never share a checkpoint.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { readDataset, readTestDataset, type DataFileOptions } from "../data/read.js";
import type { DataTask, TabularData } from "../data/types.js";
import { InvalidArgumentError, UsageError } from "../errors.js";
import { asModelDefinition, type ModelDefinition } from "../landscapes/modelDefinition.js";

/** A loaded model file: its absolute path, the model's name and the fingerprint of its contents. */
export interface UserModelRef {
  readonly file: string;
  readonly name: string;
  readonly fingerprint: string;
}

/** A loaded data set: how it was read, its name, the fingerprint of its contents and its classes. */
export interface UserDataRef {
  /** The population's files and options (absolute paths). */
  readonly options: DataFileOptions;
  /** The separate test distribution's files, if any. */
  readonly test?: DataFileOptions;
  readonly name: string;
  readonly fingerprint: string;
  /** Classification with text labels: class `k`'s name; otherwise `null`. */
  readonly classNames: readonly string[] | null;
}

/** The data of a {@link UserDataRef}: the population and the optional test set. */
export interface UserDataset {
  readonly population: TabularData;
  readonly test: TabularData | null;
}

const models = new Map<string, ModelDefinition>();
const datasets = new Map<string, UserDataset>();

const sha = (parts: readonly (string | Uint8Array)[]): string => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest("hex").slice(0, 12);
};

/**
 * Imports the ES module `file` (resolved against the working directory) and checks that its
 * default export is a model ({@link asModelDefinition}).
 * @throws UsageError (one line naming the file) when it cannot be read or imported, has no
 *   default export, or the export is not a model.
 */
export async function loadUserModel(file: string): Promise<UserModelRef> {
  const path = resolve(file);
  if (!/\.(mjs|js)$/i.test(path)) throw new UsageError(`--model ${file}: expected logistic, lenet, mlp or an ES module file (.mjs or .js)`);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new UsageError(`${file}: cannot read the model file (${(e as NodeJS.ErrnoException).code ?? firstLine(e)})`);
  }
  const fingerprint = sha([bytes]);
  let module: { default?: unknown };
  try {
    module = (await import(`${pathToFileURL(path).href}?sha=${fingerprint}`)) as { default?: unknown };
  } catch (e) {
    throw new UsageError(`${file}: the module does not load: ${firstLine(e)}`);
  }
  if (module.default === undefined) throw new UsageError(`${file}: no default export (write \`export default { name, loss, init, apply }\`)`);
  let def: ModelDefinition;
  try {
    def = asModelDefinition(module.default, "default export");
  } catch (e) {
    throw new UsageError(`${file}: the default export is not a model: ${e instanceof InvalidArgumentError ? e.message : firstLine(e)}`);
  }
  models.set(fingerprint, def);
  return { file: path, name: def.name, fingerprint };
}

/**
 * Reads a data set (and optionally a separate test set) with the `src/data` readers and
 * registers it; `task` comes from the model's loss.
 * @throws UsageError (DataFileError) for a bad file, one line naming it.
 */
export async function loadUserData(options: DataFileOptions, test?: Omit<DataFileOptions, "standardize" | "task">): Promise<UserDataRef> {
  const opts: DataFileOptions = { ...options, data: resolve(options.data), ...(options.labels !== undefined ? { labels: resolve(options.labels) } : {}) };
  const population = await readDataset(opts);
  const testOpts = test === undefined ? undefined : { ...test, data: resolve(test.data), ...(test.labels !== undefined ? { labels: resolve(test.labels) } : {}) };
  const testData = testOpts === undefined ? null : await readTestDataset(testOpts, population);
  const fingerprint = sha([...dataBytes(population), ...(testData === null ? [] : ["|test|", ...dataBytes(testData)])]);
  datasets.set(fingerprint, { population, test: testData });
  return { options: opts, ...(testOpts !== undefined ? { test: testOpts } : {}), name: population.name, fingerprint, classNames: population.classNames };
}

/**
 * The contents that determine a data set's numbers, as views (no copy of the inputs, which
 * can be hundreds of MB): shape, task, class names as UTF-16 bytes, then inputs, labels or
 * targets. Hashed part by part, this gives the digest of their concatenation.
 */
function dataBytes(d: TabularData): Uint8Array[] {
  const head = JSON.stringify([d.size, d.features, d.task, d.classes, d.targetDims, d.classNames]);
  const text = new Uint8Array(head.length * 2);
  for (let i = 0; i < head.length; i++) (text[2 * i] = head.charCodeAt(i) & 255), (text[2 * i + 1] = head.charCodeAt(i) >> 8);
  const arrays = [d.inputs, d.labels ?? new Int32Array(0), d.targets ?? new Float64Array(0)];
  return [text, ...arrays.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength))];
}

/**
 * Loads the files a spec names unless this process already has them (a worker thread, or
 * `merge` in a new process), and checks that they still have the sha256 fingerprints the spec
 * was made with. `user` names what made the spec, for the messages (`"this run"`, `"the shard
 * files"`).
 * @throws UsageError (one line) when a file changed since (its numbers would be mixed with
 *   another model's or data set's) or can no longer be read.
 */
export async function ensureUserInputs(spec: { readonly userModel?: UserModelRef; readonly userData?: UserDataRef }, user = "this run"): Promise<void> {
  const fixed = `restore that file, or rerun ${user === "this run" ? "it" : "from scratch"} with the new one`;
  const m = spec.userModel;
  if (m !== undefined && !models.has(m.fingerprint)) {
    const again = await stillReadable(() => loadUserModel(m.file), `${user} used it (sha256 fingerprint ${m.fingerprint})`);
    if (again.fingerprint !== m.fingerprint) {
      throw new UsageError(`${m.file}: the model file is not the one ${user} used (sha256 fingerprint ${again.fingerprint}, ${user} used ${m.fingerprint}): ${fixed}`);
    }
  }
  const d = spec.userData;
  if (d !== undefined && !datasets.has(d.fingerprint)) {
    const again = await stillReadable(() => loadUserData(d.options, d.test), `${user} used it (sha256 fingerprint ${d.fingerprint})`);
    if (again.fingerprint !== d.fingerprint) {
      throw new UsageError(`${d.options.data}: the data are not the ones ${user} used (sha256 fingerprint ${again.fingerprint}, ${user} used ${d.fingerprint}): ${fixed}`);
    }
  }
}

/** `load()`, with `note` appended to the one line of a UsageError (a file gone or now bad). */
async function stillReadable<T>(load: () => Promise<T>, note: string): Promise<T> {
  try {
    return await load();
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${e.message}; ${note}`);
    throw e;
  }
}

/** The definition of a loaded model file. @throws InvalidArgumentError when it was not loaded in this process. */
export function userDefinition(ref: UserModelRef): ModelDefinition {
  const def = models.get(ref.fingerprint);
  if (def === undefined) throw new InvalidArgumentError("loadModel", "userModel", "a model loaded by loadUserModel (or ensureUserInputs) in this process", ref.file);
  return def;
}

/** The data of a loaded data set. @throws InvalidArgumentError when it was not loaded in this process. */
export function userDataset(ref: UserDataRef): UserDataset {
  const d = datasets.get(ref.fingerprint);
  if (d === undefined) throw new InvalidArgumentError("loadModel", "userData", "a data set loaded by loadUserData (or ensureUserInputs) in this process", ref.options.data);
  return d;
}

/** Registers an in-memory data set (tests, scripts) under a fingerprint of its contents. */
export function registerUserData(population: TabularData, test: TabularData | null = null): UserDataRef {
  const fingerprint = sha([...dataBytes(population), ...(test === null ? [] : ["|test|", ...dataBytes(test)])]);
  datasets.set(fingerprint, { population, test });
  return { options: { data: population.source }, name: population.name, fingerprint, classNames: population.classNames };
}

/** Registers an in-memory model definition (tests, scripts) under a fingerprint of its source text. */
export function registerUserModel(definition: ModelDefinition, file = `${definition.name}.mjs`): UserModelRef {
  const def = asModelDefinition(definition, "registerUserModel");
  const fingerprint = sha([def.name, def.loss, String(def.lanes), String(def.inputs), def.init.toString(), def.apply.toString()]);
  models.set(fingerprint, def);
  return { file, name: def.name, fingerprint };
}

/** The task a model's loss needs. */
export function taskOfLoss(loss: ModelDefinition["loss"]): DataTask {
  return loss === "mse" ? "regression" : "classification";
}

/** The loaded definition's loss task for a model ref. */
export function userModelTask(ref: UserModelRef): DataTask {
  return taskOfLoss(userDefinition(ref).loss);
}

/** Short label of a file reference, e.g. `"my-mlp@1a2b3c4d"`. */
export function refLabel(ref: { readonly name: string; readonly fingerprint: string }): string {
  return `${ref.name}@${ref.fingerprint.slice(0, 8)}`;
}

/** The first line of a thrown value's `name: message` (errors from another realm are not `instanceof Error`). */
function firstLine(e: unknown): string {
  const { name, message } = (typeof e === "object" && e !== null ? e : {}) as { name?: unknown; message?: unknown };
  const text = typeof message === "string" ? `${typeof name === "string" && name !== "Error" ? `${name}: ` : ""}${message}` : String(e);
  return text.split("\n")[0];
}
