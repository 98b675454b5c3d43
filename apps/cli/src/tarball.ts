/**
 * The build context for `deploy`: a gzip tarball of a directory honouring its `.dockerignore` the way docker
 * does (patterns anchored at the context root, `!` re-includes, `**` any depth; Dockerfile and .dockerignore
 * always sent), written to a private temp file so the upload can show a real percentage.
 */
import { createWriteStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

/** Turns .dockerignore lines into gitignore patterns for `ignore` (docker anchors every pattern at the root). */
export function dockerignoreToGitignore(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    let pattern = (negated ? line.slice(1) : line).trim().replace(/^(\.\/)+/, "");
    if (pattern === "" || pattern === "/") continue;
    if (!pattern.startsWith("/") && !pattern.startsWith("**")) pattern = `/${pattern}`;
    patterns.push(`${negated ? "!" : ""}${pattern}`);
  }
  return patterns;
}

/** Relative paths (POSIX separators) of the files to send, sorted; directories excluded wholesale are not walked. */
export async function listContextFiles(directory: string): Promise<string[]> {
  const { default: ignore } = await import("ignore");
  const rules = ignore();
  const dockerignore = await readFile(join(directory, ".dockerignore"), "utf8").catch(() => "");
  rules.add(dockerignoreToGitignore(dockerignore));
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(directory, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      const always = relative === "" && (entry.name === "Dockerfile" || entry.name === ".dockerignore");
      if (entry.isDirectory()) {
        // A directory is walked unless ignored and no negation could re-include something inside it.
        if (!rules.ignores(`${path}/`) || hasNegations(dockerignore)) await walk(path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && (always || !rules.ignores(path))) {
        files.push(path);
      }
    }
  };
  await walk("");
  return files.sort();
}

const hasNegations = (dockerignore: string) => /^\s*!/m.test(dockerignore);

/** Writes `directory`'s build context to `outputPath` as .tar.gz; returns the file count and size in bytes. */
export async function writeContextTarball(
  directory: string,
  outputPath: string,
): Promise<{ fileCount: number; sizeBytes: number }> {
  const files = await listContextFiles(directory);
  const { create } = await import("tar");
  await pipeline(
    create({ gzip: true, cwd: directory, portable: true, noDirRecurse: true }, files),
    createWriteStream(outputPath, { mode: 0o600 }),
  );
  return { fileCount: files.length, sizeBytes: (await stat(outputPath)).size };
}
