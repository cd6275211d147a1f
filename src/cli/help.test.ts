import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Command } from "./command.js";
import type { FlagTable } from "./flags.js";
import { parseFlags } from "./flags.js";
import { commandHelp, flagList, usageLine, wrap } from "./help.js";
import { closest, didYouMean, editDistance } from "./suggest.js";

const FLAGS = {
  order: { type: "string", value: "<d>", required: true, description: "Highest order." },
  loss: { type: "string", value: "test|train", defaultValue: "test", description: "Which loss." },
  json: { type: "boolean", description: "Print JSON." },
  "a-very-long-flag-name-indeed": { type: "string", value: "<some-placeholder>", description: "Long signature: description on the next line." },
} as const satisfies FlagTable;

const cmd: Command = { name: "demo", summary: "A demo command", positionals: "<id>", flags: FLAGS, notes: ["A note."], run: () => 0 };

describe("help generated from the flag table", () => {
  test("the usage line shows positionals and required flags bare, never a defaulted flag", () => {
    expect(usageLine(cmd)).toBe("sgd-diagrams demo <id> --order <d> [flags]");
  });
  test("each flag: its signature, description and default (or 'required'), in table order", () => {
    const lines = flagList(FLAGS).split("\n");
    expect(lines[0]).toMatch(/^ {2}--order <d>\s+Highest order\. \(required\)$/);
    expect(lines[1]).toMatch(/^ {2}--loss test\|train\s+Which loss\. \(default: test\)$/);
    expect(lines[2]).toMatch(/^ {2}--json\s+Print JSON\.$/);
    // A signature wider than the left column gets its description on the next line, aligned.
    expect(lines[3]).toBe("  --a-very-long-flag-name-indeed <some-placeholder>");
    expect(lines[4].trimStart()).toBe("Long signature: description on the next line.");
    expect(lines[4].length - lines[4].trimStart().length).toBe(lines[0].indexOf("Highest"));
  });
  test("the whole screen: summary, usage, flags, notes", () => {
    const text = commandHelp(cmd);
    expect(text.split("\n\n").map((p) => p.split("\n")[0])).toEqual(["sgd-diagrams demo: A demo command", "Usage: sgd-diagrams demo <id> --order <d> [flags]", "Flags:", "A note."]);
  });
  test("wrap keeps every word, in order, and every line within the width (an overlong word alone)", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { maxLength: 60 }), fc.integer({ min: 20, max: 100 }), fc.integer({ min: 0, max: 10 }), (words, width, start) => {
        const out = wrap(words.join(" "), width, start);
        const lines = out.split("\n");
        // Within the width, unless the line is one word too long for any line.
        lines.forEach((l, i) => {
          if (l.trim().includes(" ") || l.trim().length <= width - start) expect((i === 0 ? start : 0) + l.length).toBeLessThanOrEqual(width);
        });
        lines.slice(1).forEach((l) => expect(l.startsWith(" ".repeat(start))).toBe(true));
        expect(out.split(/\s+/).filter((w) => w !== "")).toEqual(words);
      }),
    );
  });
  test("parseFlags reads the same table and names the closest flag for a typo", () => {
    expect(parseFlags(["--order", "3", "--json", "x"], FLAGS)).toEqual({ values: { order: "3", json: true }, positionals: ["x"] });
    expect(() => parseFlags(["--ordr", "3"], FLAGS)).toThrow("unknown flag --ordr (did you mean --order?)");
    expect(() => parseFlags(["--frobnicate"], FLAGS)).toThrow(/^unknown flag --frobnicate$/);
    // parseArgs never applies a help default: an absent flag stays undefined for the command.
    expect(parseFlags([], FLAGS).values.loss).toBeUndefined();
  });
});

describe("did-you-mean", () => {
  test("edit distance: insertions, deletions, substitutions, adjacent swaps", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("epoch", "epochs")).toBe(1);
    expect(editDistance("ordre", "order")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    fc.assert(fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (a, b) => editDistance(a, b) === editDistance(b, a)));
  });
  test("closest: the nearest name within the limit, else nothing", () => {
    expect(closest("epoch", ["batch", "epochs", "eta"])).toBe("epochs");
    expect(closest("comapre", ["compare", "predict", "simulate"])).toBe("compare");
    expect(closest("Helix", ["helix", "cubic-chi"])).toBe("helix");
    expect(closest("frobnicate", ["order", "loss", "json"])).toBeUndefined();
    expect(didYouMean("xyz", ["order"])).toBe("");
    expect(didYouMean("lss", ["loss"], (n) => `--${n}`)).toBe(" (did you mean --loss?)");
  });
});
