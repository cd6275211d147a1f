import cliProgress from "cli-progress";
import type { CommandIO } from "./command.js";

/**
 * A progress bar on stderr when it is a terminal (nothing otherwise, so logs and pipes stay
 * clean). `update(done, total)` may be called often; the bar redraws at most ~10×/s.
 */
export function progressBar(io: CommandIO, label: string): { update(done: number, total: number): void; stop(): void } {
  if (!io.interactive) return { update() {}, stop() {} };
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
