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
    // No createRequire banner: nothing bundled calls require() today; if that changes the bundle
    // throws at startup and the bench fails loudly rather than timing a broken scanner.
    logLevel: 'warning',
  });
}
