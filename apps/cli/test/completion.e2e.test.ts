import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createHome, runCli } from "./cli-process.js";

/** Asks bash's completion function what it offers after `words` (the last word is being typed). */
function complete(script: string, words: string[]): string[] {
  const file = join(mkdtempSync(join(tmpdir(), "rgw-comp-")), "complete.bash");
  const quoted = words.map((word) => `'${word}'`).join(" ");
  writeFileSync(
    file,
    `${script}\nCOMP_WORDS=(rack-gateway ${quoted})\nCOMP_CWORD=${words.length}\n_rack_gateway_complete\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`,
  );
  return execFileSync("bash", [file], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
}

describe("shell completion", () => {
  it("bash: valid script completing commands, subcommands and flags", async () => {
    const { stdout, code } = await runCli(["completion", "bash"], { env: createHome().env });
    expect(code).toBe(0);
    expect(complete(stdout, ["us"])).toEqual(["users"]);
    expect(complete(stdout, ["users", ""])).toEqual(["add", "list", "lock", "set-role", "unlock"]);
    expect(complete(stdout, ["env", "set", "--pro"])).toEqual(["--promote"]);
    expect(complete(stdout, ["--rack", "x", "api-token", "cr"])).toEqual(["create"]);
  });

  it("zsh and fish scripts are generated; an unknown shell is a usage error", async () => {
    const env = createHome().env;
    const zsh = await runCli(["completion", "zsh"], { env });
    expect(zsh.stdout).toContain("bashcompinit");
    expect(zsh.stdout).toContain("complete -o default -F _rack_gateway_complete rack-gateway");
    const fish = await runCli(["completion", "fish"], { env });
    expect(fish.stdout).toContain("complete -c rack-gateway -f -n __fish_use_subcommand -a 'deploy'");
    expect(fish.stdout).toContain(
      "complete -c rack-gateway -f -n '__fish_seen_subcommand_from users' -a 'set-role'",
    );
    expect((await runCli(["completion", "tcsh"], { env })).code).toBe(2);
  });
});
