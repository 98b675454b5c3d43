/**
 * Any command rack-gateway does not implement runs the user's convox through the gateway, arguments untouched.
 * oclif also lands here when the first word is `--rack`: then the alias picks the rack, and a native command
 * after it still runs natively.
 */
import type { Hook } from "@oclif/core";
// Static: oclif's runner has loaded it already (a dynamic import of this CommonJS module loses its names in the bundle).
import { normalizeArgv } from "@oclif/core/help";

const hook: Hook.CommandNotFound = async (options) => {
  const { describeFailure } = await import("../cli-error.js");
  const { printableLines } = await import("../printable.js");
  const { resolveTarget } = await import("../target.js");
  const { convoxEnvironment, refuseRackArgument, runConvox, splitLeadingRack } = await import(
    "../convox-wrap.js"
  );
  // oclif joins the words it tried as a command id; convox gets exactly what was typed.
  const typed = process.argv.slice(2);
  const { rack, args } = splitLeadingRack(typed.length > 0 ? typed : [options.id, ...(options.argv ?? [])]);
  if (rack !== undefined && args.length > 0) {
    // The command id the way oclif finds it ("env set X=1" → env:set), now that --rack is out of the way.
    const [id = "", ...rest] = normalizeArgv(options.config, [...args]);
    // Outside the try below: oclif reports the command's own usage errors as usual.
    if (options.config.findCommand(id)) return options.config.runCommand(id, ["--rack", rack, ...rest]);
  }
  let context: Parameters<typeof describeFailure>[1] = { alias: null, gatewayUrl: null, source: null };
  try {
    refuseRackArgument(args);
    const target = await resolveTarget({
      env: process.env,
      rack,
      warn: (message) => process.stderr.write(`rack-gateway: warning: ${printableLines(message)}\n`),
    });
    context = { alias: target.alias, gatewayUrl: target.gatewayUrl, source: target.source };
    process.exitCode = await runConvox(args, convoxEnvironment(process.env, target));
  } catch (error) {
    const { message, exitCode } = describeFailure(error, context);
    process.stderr.write(`rack-gateway: ${printableLines(message)}\n`);
    process.exitCode = exitCode;
  }
};

export default hook;
