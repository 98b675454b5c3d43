#!/usr/bin/env node
/** @module Entry point of the `rack-gateway-server` binary. */
import { runServerCli } from "./server-cli.js";

process.exitCode = await runServerCli(process.argv.slice(2), process.env);
