#!/usr/bin/env node
// Starts the CLI from the esbuild bundle (dist/cli, built by `npm run prepare`) when its stamp still
// matches the source tree, else from the TypeScript source through tsx, as `npx customs` did before.
// CUSTOMS_FROM_SOURCE=1 forces the source; CUSTOMS_CLI_BUNDLE_DIR points at a bundle built elsewhere.
import { readFileSync, statSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundleDir = process.env.CUSTOMS_CLI_BUNDLE_DIR || join(root, 'dist', 'cli');

if (process.env.CUSTOMS_FROM_SOURCE !== '1' && bundleIsCurrent()) {
  // Node 22.1+ keeps V8's compiled code between runs; Node 20 has no such cache and parses every time.
  module.enableCompileCache?.();
  await import(pathToFileURL(join(bundleDir, 'customs.mjs')).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./customs.ts');
}

/** One stat per project file the bundle was built from (a few hundred: about a millisecond). */
function bundleIsCurrent() {
  let stamp;
  try {
    statSync(join(bundleDir, 'customs.mjs'));
    stamp = JSON.parse(readFileSync(join(bundleDir, 'customs.stamp.json'), 'utf8'));
  } catch {
    return false; // no bundle, no stamp (mid-build or never built), or an unreadable one
  }
  if (stamp?.format !== 1 || !Array.isArray(stamp.inputs)) return false;
  for (const input of stamp.inputs) {
    if (!Array.isArray(input) || typeof input[0] !== 'string') return false;
    const stats = statSync(join(root, input[0]), { throwIfNoEntry: false });
    if (stats?.mtimeMs !== input[1] || stats.size !== input[2]) return false;
  }
  return true;
}
