import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { list } from "tar";
import { describe, expect, it } from "vitest";
import { dockerignoreToGitignore, listContextFiles, writeContextTarball } from "./index.js";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "rgw-ctx-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe("build context (.dockerignore)", () => {
  it.each([
    ["node_modules", ["/node_modules"]],
    ["# comment\n\n./dist\n", ["/dist"]],
    ["**/*.log", ["**/*.log"]],
    ["*.md\n!README.md", ["/*.md", "!/README.md"]],
    ["/tmp/", ["/tmp/"]],
  ])("translates %j", (text, patterns) => {
    expect(dockerignoreToGitignore(text)).toEqual(patterns);
  });

  it("anchors patterns at the root like docker, re-includes with !, and always sends Dockerfile and .dockerignore", async () => {
    const root = tree({
      ".dockerignore": "node_modules\n*.md\n!README.md\nDockerfile\nsrc/secret.txt\n**/*.log\n",
      Dockerfile: "FROM scratch\n",
      "README.md": "r",
      "NOTES.md": "n",
      "src/app.js": "a",
      "src/secret.txt": "s",
      "src/deep/trace.log": "l",
      "src/node_modules/kept.js": "k",
      "node_modules/dep/index.js": "d",
    });
    expect(await listContextFiles(root)).toEqual([
      ".dockerignore",
      "Dockerfile",
      "README.md",
      "src/app.js",
      "src/node_modules/kept.js",
    ]);
  });

  it("writes a gzip tarball of exactly those files", async () => {
    const root = tree({ ".dockerignore": "ignored\n", "a.txt": "a", "ignored/b.txt": "b", "c/d.txt": "d" });
    const out = join(mkdtempSync(join(tmpdir(), "rgw-tgz-")), "context.tgz");
    const { fileCount, sizeBytes } = await writeContextTarball(root, out);
    expect(fileCount).toBe(3);
    expect(sizeBytes).toBeGreaterThan(0);
    const names: string[] = [];
    await list({ file: out, onReadEntry: (entry) => names.push(entry.path) });
    expect(names.sort()).toEqual([".dockerignore", "a.txt", "c/d.txt"]);
  });
});
