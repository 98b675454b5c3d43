/** The commands that work without a convox binary, named in the "convox is not installed" message. */
export const NATIVE_COMMANDS =
  "apps, apps info, ps, ps stop, env, env get|set|unset, releases, releases promote, builds, logs, restart, scale, rack, run, exec, deploy";
