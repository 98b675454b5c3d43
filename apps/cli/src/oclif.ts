/**
 * oclif's pieces, from the subpaths that need no more of oclif than they use. The binary runs the esbuild
 * bundle (dist/cli/), where these become plain function calls inside one file.
 */
export * as Args from "@oclif/core/args";
export { Command } from "@oclif/core/command";
export * as Flags from "@oclif/core/flags";
