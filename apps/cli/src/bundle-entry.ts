/**
 * Entry of the binary's bundle (dist/cli/run.js): oclif's runner. The bundle is plain JavaScript, so oclif
 * must never look for TypeScript sources to transpile (it would in NODE_ENV=development or test).
 */
import { execute } from "@oclif/core/execute";
import { settings } from "@oclif/core/settings";

settings.enableAutoTranspile = false;

export { execute };
