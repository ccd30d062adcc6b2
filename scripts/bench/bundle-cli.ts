import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles the CLI the way a Lambda ships it (one ESM file for node20), so scan timings measure the
 * scanner rather than tsx transpiling TypeScript at startup.
 */
export async function bundleCli(outfile: string): Promise<void> {
  await build({
    entryPoints: [fileURLToPath(new URL('../../bin/customs.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // CommonJS dependencies (yaml's node build) require() Node built-ins, which an ESM bundle has no
    // require for; the banner gives it Node's own, the usual fix for ESM Lambda bundles.
    banner: { js: "import { createRequire as __customsCreateRequire } from 'node:module'; const require = __customsCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}
