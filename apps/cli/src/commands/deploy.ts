import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { appFlag } from "../base-command.js";
import { CliError } from "../cli-error.js";
import { EXIT } from "../exit-codes.js";
import { Args, Flags } from "../oclif.js";
import { printable } from "../printable.js";
import { RackCommand } from "../rack-command.js";

const BUILD_POLL_MS = 1000;

export default class Deploy extends RackCommand {
  static override description =
    "Build the current directory (honouring .dockerignore) on the rack, stream the build logs, then promote";
  static override examples = [
    "<%= config.bin %> deploy -a myapp",
    "<%= config.bin %> deploy ./service --no-promote -d 'hotfix'",
  ];
  static override args = { dir: Args.string({ description: "directory to build", default: "." }) };
  static override flags = {
    app: appFlag,
    description: Flags.string({ char: "d", description: "build description" }),
    "no-promote": Flags.boolean({ description: "build only; do not promote the release", default: false }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Deploy);
    const { rack } = await this.openRack(flags);
    const app = await this.appOf(flags.app);
    const directory = resolve(args.dir);
    await rack.system();

    const { writeContextTarball } = await import("../tarball.js");
    const { createProgressBar, formatBytes } = await import("../progress-bar.js");
    const workDir = await mkdtemp(join(tmpdir(), "rack-gateway-"));
    let objectUrl: string;
    try {
      const tarball = join(workDir, "context.tgz");
      process.stderr.write("Packaging source... ");
      const { fileCount, sizeBytes } = await writeContextTarball(directory, tarball);
      process.stderr.write(`OK (${fileCount} files, ${formatBytes(sizeBytes)})\n`);
      const key = `tmp/${randomBytes(16).toString("hex")}.tgz`;
      const bar = createProgressBar({
        totalBytes: sizeBytes,
        label: "Uploading source",
        write: (text) => process.stderr.write(text),
        isTTY: process.stderr.isTTY === true,
      });
      await rack.uploadObject(app, key, createReadStream(tarball), {
        onProgress: (sent) => bar.update(sent),
      });
      bar.finish();
      objectUrl = `object://${app}/${key}`;
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }

    process.stderr.write("Starting build... ");
    const build = await rack.createBuild(app, {
      url: objectUrl,
      ...(flags.description === undefined ? {} : { description: flags.description }),
    });
    process.stderr.write(`OK (${printable(build.id)})\n`);
    for await (const text of rack.streamBuildLogs(app, build.id)) process.stdout.write(text);

    let finished = await rack.getBuild(app, build.id);
    while (finished.status === "created" || finished.status === "running") {
      await sleep(BUILD_POLL_MS);
      finished = await rack.getBuild(app, build.id);
    }
    if (finished.status !== "complete") {
      throw new CliError(
        `build ${build.id} ${finished.status}${finished.reason ? `: ${finished.reason}` : ""}`,
        EXIT.ERROR,
        "BUILD_FAILED",
      );
    }
    this.write(`Build:   ${printable(finished.id)}\nRelease: ${printable(finished.release)}\n`);
    if (flags["no-promote"]) return;
    await this.promote(rack, app, finished.release);
  }
}
