/**
 * Builds the findings page into dist/ui (or OUTDIR): app.js bundled by esbuild from
 * lambdas/ui/page/main.ts, with index.html and styles.css beside it. No CDN and no inline script: the
 * page's Content-Security-Policy allows only its own files. Run by `npm run prepare` and
 * `npm run build:ui`; without esbuild (an --omit=dev install) it says so and exits 0.
 */
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const PAGE_SOURCE = join(REPO_ROOT, 'lambdas', 'ui', 'page');
export const DEFAULT_UI_DIR = join(REPO_ROOT, 'dist', 'ui');

/** Builds into a fresh sibling directory, then swaps it in, so a server never serves half a build. */
export async function buildUi(outdir: string = DEFAULT_UI_DIR): Promise<string> {
  const { build } = await import('esbuild');
  const staging = `${outdir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [join(PAGE_SOURCE, 'main.ts')],
    outfile: join(staging, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    sourcemap: 'linked',
    tsconfig: join(PAGE_SOURCE, 'tsconfig.json'),
    logLevel: 'warning',
  });
  for (const file of ['index.html', 'styles.css']) copyFileSync(join(PAGE_SOURCE, file), join(staging, file));
  const old = `${outdir}.${process.pid}.old`;
  rmSync(old, { recursive: true, force: true });
  try {
    renameSync(outdir, old);
  } catch {
    // no earlier build
  }
  renameSync(staging, outdir);
  rmSync(old, { recursive: true, force: true });
  return outdir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    await import('esbuild');
  } catch {
    console.log('build-ui: esbuild is not installed (a production install); the findings page is not built');
    process.exit(0);
  }
  const outdir = await buildUi(process.argv[2] ? resolve(process.argv[2]) : DEFAULT_UI_DIR);
  console.log(`build-ui: ${outdir}`);
}
