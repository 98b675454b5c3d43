/**
 * @module Summarises a `.cpuprofile` (from `BENCH_CPU_PROFILE_DIR=… pnpm bench:proxy`): the functions and the
 * source files with the most self time. Usage: `node --import tsx bench/summarize-profile.ts FILE [TOP]`.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topText = "25"] = process.argv.slice(2);
if (!file) throw new TypeError("usage: summarize-profile.ts FILE.cpuprofile [TOP]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, index) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
});
const total = [...selfUs.values()].reduce((sum, value) => sum + value, 0);

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, "")
    .replace(/.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
    .replace(/.*\/work\/main\//, "");
const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
const functions = new Map<string, number>();
const files = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : "(native)";
  add(functions, `${frame.functionName || "(anonymous)"}  ${where}`, us);
  add(files, frame.url ? shortUrl(frame.url) : `(${frame.functionName || "native"})`, us);
}
const print = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title} (of ${(total / 1e6).toFixed(1)} s sampled)\n`);
  const top = [...map].sort((a, b) => b[1] - a[1]).slice(0, Number(topText));
  for (const [name, us] of top) {
    process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(6)}%  ${name}\n`);
  }
};
print("self time by function", functions);
print("self time by file", files);
