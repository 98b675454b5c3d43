/** Any command rack-gateway does not implement runs the user's convox through the gateway, arguments untouched. */
import type { Hook } from "@oclif/core";

const hook: Hook.CommandNotFound = async (options) => {
  const { describeFailure } = await import("../cli-error.js");
  const { resolveTarget } = await import("../target.js");
  const { convoxEnvironment, runConvox } = await import("../convox-wrap.js");
  // oclif joins the words it tried as a command id; convox gets exactly what was typed.
  const typed = process.argv.slice(2);
  const args = typed.length > 0 ? typed : [options.id, ...(options.argv ?? [])];
  let context: Parameters<typeof describeFailure>[1] = { alias: null, gatewayUrl: null, source: null };
  try {
    const target = await resolveTarget({
      env: process.env,
      rack: undefined,
      warn: (message) => process.stderr.write(`rack-gateway: warning: ${message}\n`),
    });
    context = { alias: target.alias, gatewayUrl: target.gatewayUrl, source: target.source };
    process.exitCode = await runConvox(args, convoxEnvironment(process.env, target));
  } catch (error) {
    const { message, exitCode } = describeFailure(error, context);
    process.stderr.write(`rack-gateway: ${message}\n`);
    process.exitCode = exitCode;
  }
};

export default hook;
