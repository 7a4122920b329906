#!/usr/bin/env node
// The gradscope command. Runs the TypeScript sources directly (no build step): see register.js.
import './register.js';

const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
