/**
 * How a verdict of `reproduce` is decided: an experiment states its claim and a list of
 * checks (each a criterion with its numbers and whether it held); one rule, here and only
 * here, turns them into REPRODUCED, PARTIAL or NOT REPRODUCED, and one headline line puts
 * status, claim and criteria in front of the details.
 *
 * @module
 */
import { InternalError } from "../errors.js";

/** The three outcomes of a verdict. */
export type VerdictStatus = "REPRODUCED" | "PARTIAL" | "NOT REPRODUCED";

/** One criterion of a verdict. */
export interface VerdictCheck {
  /** The criterion with its numbers, e.g. "order 3 inside the 95% interval for 9/10 η with ηT ≤ 1 (need ≥ 90%)". */
  readonly criterion: string;
  readonly pass: boolean;
  /**
   * `true`: part of the main claim (its failure means NOT REPRODUCED); `false`: a secondary
   * check (its failure alone means PARTIAL).
   */
  readonly main: boolean;
}

/** A decided verdict: what {@link judge} adds to an experiment's result. */
export interface Judgement {
  readonly status: VerdictStatus;
  /**
   * `true` exactly when the status is REPRODUCED; `null` when the run was interrupted (nothing
   * was judged; a rerun resumes), else `false`. Kept for machines that read `pass`.
   */
  readonly pass: boolean | null;
  /** One line: status, claim, and each criterion with ✓ or ✗. */
  readonly headline: string;
  readonly checks: readonly VerdictCheck[];
}

/**
 * The rule behind every status (also in docs/reproduce.md, "How verdicts are decided"):
 * - the run was interrupted (partial) → PARTIAL, whatever the checks say so far;
 * - any main check fails → NOT REPRODUCED;
 * - every main check passes but a secondary check fails → PARTIAL;
 * - every check passes → REPRODUCED.
 * @throws InternalError when a finished run has no main check (a verdict must judge its claim).
 */
export function verdictStatus(checks: readonly VerdictCheck[], interrupted = false): VerdictStatus {
  if (interrupted) return "PARTIAL";
  if (!checks.some((c) => c.main)) throw new InternalError("verdictStatus: a verdict needs at least one main check");
  if (checks.some((c) => c.main && !c.pass)) return "NOT REPRODUCED";
  if (checks.some((c) => !c.pass)) return "PARTIAL";
  return "REPRODUCED";
}

/**
 * Decides `claim` from `checks` by {@link verdictStatus}; `interrupted` marks a run stopped
 * before it finished (its checks, if any, cover only what was done).
 */
export function judge(claim: string, checks: readonly VerdictCheck[], interrupted = false): Judgement {
  const status = verdictStatus(checks, interrupted);
  const criteria = checks.map((c) => `${c.pass ? "✓" : "✗"} ${c.criterion}${c.main ? "" : " (secondary)"}`);
  const head = `${status} — ${claim}`;
  const tail = interrupted ? ["interrupted before it finished; rerun the same command to resume", ...criteria] : criteria;
  return { status, pass: interrupted ? null : status === "REPRODUCED", headline: tail.length === 0 ? head : `${head}: ${tail.join("; ")}`, checks };
}

/** The judgement of a run interrupted before any check could be made. */
export function interrupted(claim: string): Judgement {
  return judge(claim, [], true);
}
