import cliProgress from "cli-progress";
import type { CommandIO } from "./command.js";

/** Seconds between two plain progress lines when stderr is not a terminal. */
export const LOG_PROGRESS_SECONDS = 60;

/**
 * Progress for logs and pipes: a plain line on stderr, the first after
 * {@link LOG_PROGRESS_SECONDS} and then at most once per that period (short runs print
 * nothing, long background runs show they are alive and how far they got).
 */
export function logProgress(io: CommandIO, now: () => number = Date.now): (label: string, done: number, total: number) => void {
  let next = now() + LOG_PROGRESS_SECONDS * 1000;
  return (label, done, total) => {
    const t = now();
    if (t < next) return;
    next = t + LOG_PROGRESS_SECONDS * 1000;
    io.stderr(`[${new Date(t).toISOString().slice(11, 19)}] ${label}: ${done}/${total}\n`);
  };
}

/**
 * A progress bar on stderr when it is a terminal (otherwise {@link logProgress} lines, so logs
 * stay readable). `update(done, total)` may be called often; the bar redraws at most ~10×/s.
 */
export function progressBar(io: CommandIO, label: string): { update(done: number, total: number): void; stop(): void } {
  if (!io.interactive) {
    const log = logProgress(io);
    return { update: (done, total) => log(label, done, total), stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label.padEnd(22)} [{bar}] {percentage}% | {value}/{total} | eta {eta_formatted}`, stream: process.stderr, hideCursor: true, fps: 10 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Installs a Ctrl-C handler that asks long work to stop cleanly; returns the flag reader. */
export function interruptFlag(): { stopped(): boolean; dispose(): void } {
  let stopped = false;
  const onSigint = () => {
    if (stopped) process.exit(130); // a second Ctrl-C leaves at once
    stopped = true;
    process.stderr.write("\ninterrupt: finishing the current run and saving; press Ctrl-C again to quit now\n");
  };
  process.on("SIGINT", onSigint);
  return { stopped: () => stopped, dispose: () => void process.off("SIGINT", onSigint) };
}
