#!/usr/bin/env node
import { runCli } from './cli/program.js';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
// A failed start may leave a pool or a server open; a serving command that started keeps running.
if (code !== 0) process.exit(code);
