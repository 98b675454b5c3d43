#!/usr/bin/env node
// The `rack-gateway` binary: runs the built CLI in dist/ (oclif with explicit command discovery, no scan).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === "--version") {
  // Answered before oclif loads (about half of start-up); same text as oclif's own --version.
  const { name, version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${name}/${version} ${process.platform}-${process.arch} node-${process.version}\n`);
} else {
  // require(), not import: oclif is CommonJS, and this skips Node's ESM export lexer over it.
  const { execute } = createRequire(import.meta.url)("@oclif/core/execute");
  await execute({ dir: import.meta.url });
}
