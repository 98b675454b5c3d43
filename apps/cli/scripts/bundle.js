// Bundles the binary into dist/cli/ with esbuild: oclif, the commands, the workspace libraries (from their
// TypeScript sources) and the npm dependencies, so start-up reads a few files instead of ~250 small modules.
// ESM with code splitting keeps every `await import()` a separate chunk: `apps` never loads tar or the
// sign-in servers. Usage: node scripts/bundle.js (run by `pnpm build` after tsc).
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cliDir = join(dirname(fileURLToPath(import.meta.url)), "..");

// @rack-gateway/convox-client imports `ws` at its top, so every rack command would run ws's module code
// (and load zlib, tls, https) though only logs, run, exec and deploy open a websocket. In the bundle, `ws`
// is a class that requires the real one on first `new`: same instances, same statics, loaded when used.
const LAZY_WS = `
let Real;
const load = () => (Real ??= require("ws"));
export default class WebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  constructor(...args) {
    return new (load())(...args);
  }
}
`;

/** @type {import("esbuild").Plugin} */
const lazyWs = {
  name: "lazy-ws",
  setup(build) {
    build.onResolve({ filter: /^ws$/ }, (args) =>
      args.pluginData?.realWs
        ? undefined
        : { path: "ws", namespace: "lazy-ws", pluginData: { resolveDir: args.resolveDir } },
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-ws" }, (args) => ({
      contents: LAZY_WS,
      loader: "js",
      resolveDir: args.pluginData.resolveDir,
      pluginData: { realWs: true },
    }));
  },
};
const outdir = join(cliDir, "dist", "cli");

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: cliDir,
  entryPoints: {
    run: "src/bundle-entry.ts",
    commands: "src/commands.ts",
    "command-not-found": "src/hooks/command-not-found.ts",
  },
  outdir,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  conditions: ["@rack-gateway/source"],
  // ws tries bufferutil and utf-8-validate in try/catch and does without them; oclif reads tsconfig.json with typescript only to transpile sources, which the bundle turns off.
  external: ["bufferutil", "utf-8-validate", "typescript"],
  // The CommonJS inside (oclif, ws) calls require() for Node built-ins, which ESM output lacks.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
  },
  plugins: [lazyWs],
  // Less to parse at every start (~15 ms of CPU on `apps`); names are kept so stacks stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "eof",
  logLevel: "warning",
});
