/**
 * Worker-thread entry for {@link simulateMainJobParallel}: builds the model once, then
 * trains the run indices it is sent and posts each result back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type MainJobConfig, runOne, setupModel } from "./mainJob.js";

interface Job {
  readonly config: MainJobConfig;
  readonly runs: readonly number[];
}

const job = workerData as Job;
const setup = setupModel(job.config);
for (const r of job.runs) parentPort!.postMessage({ run: r, results: runOne(job.config, setup, r) });
parentPort!.postMessage({ done: true });
