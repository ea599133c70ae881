/**
 * Re-renders stored results with the current report code:
 * `node --import tsx bench/render.ts bench/results/<file>.json …` rewrites each `.md` beside its
 * `.json` (targets recomputed) and prints it. Runs nothing else.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { capacityVsOneProcess, renderMarkdown, targets, type BenchResult } from "./report.ts";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node --import tsx bench/render.ts bench/results/<file>.json …");
  process.exit(2);
}
for (const file of files) {
  const stored = JSON.parse(readFileSync(file, "utf8")) as BenchResult;
  const result: BenchResult = {
    ...stored,
    ...((stored.processes ?? 1) > 1 ? { capacityVsOneProcess: capacityVsOneProcess(stored) } : {}),
    targets: targets(stored),
  };
  const markdown = renderMarkdown(result);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(file.replace(/\.json$/, ".md"), markdown);
  console.log(markdown);
}
