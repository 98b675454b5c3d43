/**
 * oclif's pieces, loaded with require(): oclif is CommonJS, and importing CommonJS from ESM runs Node's
 * export lexer over it at start-up, which a CLI that should start fast can skip.
 */
import { createRequire } from "node:module";
import type * as ArgsModule from "@oclif/core/args";
import type * as CommandModule from "@oclif/core/command";
import type * as FlagsModule from "@oclif/core/flags";

const require = createRequire(import.meta.url);

export const Args = require("@oclif/core/args") as typeof ArgsModule;
export const Flags = require("@oclif/core/flags") as typeof FlagsModule;
export const { Command } = require("@oclif/core/command") as typeof CommandModule;
