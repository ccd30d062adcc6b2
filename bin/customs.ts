#!/usr/bin/env node
// CLI entry: everything lives in lambdas/cli so the same code can be bundled or run from source.
import { processIo } from '../lambdas/cli/cli-io.ts';
import { main } from '../lambdas/cli/main.ts';

process.exitCode = await main(process.argv.slice(2), processIo);
