#!/usr/bin/env node
// The `rack-gateway` binary: runs the esbuild bundle in dist/cli/ (oclif with explicit command discovery, no scan).
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === "--version") {
  // Answered before oclif loads; same text as oclif's own --version.
  const { name, version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  const { execute } = await import("../dist/cli/run.js");
  await execute({ dir: import.meta.url });
}
