/**
 * Worker-thread entry for {@link simulateMainJobParallel} (the pool of the harness's run
 * engine): builds the model once (starting jax-js first for LeNet/MLP/a user's model, and
 * loading the user's files), then trains the chunks of runs it is sent ({@link serveChunks}).
 */
import { workerData } from "node:worker_threads";
import { serveChunks } from "../harness/runEngine.js";
import { type MainJobConfig, prepareModelNumerics, runChunk } from "./mainJob.js";
import { setupForConfig } from "./optimizerSetup.js";

interface Job {
  readonly config: MainJobConfig;
}

const job = workerData as Job;
await prepareModelNumerics(job.config); // jax-js, and the user's model and data files
const setup = setupForConfig(job.config);
serveChunks((from, to) => runChunk(job.config, setup, from, to));
