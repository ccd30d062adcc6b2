/**
 * Bundles bin/customs.ts into ESM (dist/cli/customs.mjs by default, each command's code in its own
 * chunk under chunks/) so the CLI starts without tsx transpiling TypeScript, and writes a stamp of
 * the project files esbuild read, which bin/customs.mjs compares with the tree to tell a stale bundle. Run by `npm run prepare` (npm ci and
 * npm install run it); `tsx scripts/build-cli.ts [OUTDIR]` builds elsewhere. Without esbuild (an
 * `npm ci --omit=dev` install) it says so and exits 0: the launcher then runs the source.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BuildOptions, Metafile } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where `npm run prepare` puts the bundle, and where bin/customs.mjs looks unless CUSTOMS_CLI_BUNDLE_DIR says otherwise. */
export const DEFAULT_CLI_DIR = join(REPO_ROOT, 'dist', 'cli');
export const BUNDLE_FILE = 'customs.mjs';
/** Where the code shared by or loaded lazily from the entry goes, relative to the bundle's directory. */
export const CHUNK_DIR = 'chunks';
export const STAMP_FILE = 'customs.stamp.json';
/** Read by esbuild or deciding the dependencies' code, yet not inputs in the metafile (or too many to stat: node_modules). */
const EXTRA_INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json'];

/**
 * The stamp bin/customs.mjs reads: each project input (path from the repository root, POSIX
 * separators) with the mtime and size it had when bundled. Any difference, or a missing file, is stale.
 */
export interface CliStamp {
  readonly format: 1;
  readonly inputs: ReadonlyArray<readonly [path: string, mtimeMs: number, size: number]>;
}

export interface BuiltCli {
  /** The entry, customs.mjs; it imports the chunks it needs from CHUNK_DIR beside it. */
  readonly bundle: string;
  readonly stamp: string;
  /** JavaScript files written: the entry and its chunks. */
  readonly files: number;
  /** Project files recorded in the stamp (node_modules files are covered by package-lock.json). */
  readonly inputs: number;
}

/**
 * esbuild options shared by the installed CLI and the bench: platform node, ESM, target node20,
 * every package bundled (all of the CLI's are pure JavaScript), a linked source map. Code splitting
 * puts what main.ts imports lazily (each command) into chunks, so `customs --help` parses the entry
 * and not the scanner. The entry is outdir/customs.mjs, the chunks outdir/chunks/NAME-HASH.mjs.
 */
export function cliBuildOptions(outdir: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: [{ in: 'bin/customs.ts', out: BUNDLE_FILE.replace(/\.mjs$/, '') }],
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: `${CHUNK_DIR}/[name]-[hash]`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    // Whitespace and syntax only: a quarter less for V8 to parse at every start, names kept for stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    // CommonJS dependencies (yaml's node build) require() Node built-ins, which an ESM bundle has no
    // require for; the banner gives it Node's own, the usual fix for ESM Lambda bundles. esbuild puts
    // it at the top of every chunk too: each module has its own `require`, only ever for built-ins.
    banner: { js: "import { createRequire as __customsCreateRequire } from 'node:module'; const require = __customsCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  };
}

/**
 * Builds the bundle and its stamp into outdir, replacing an earlier build there (its chunks included;
 * other files are left alone). The old stamp goes first, so a failed build never looks current;
 * esbuild writes into a fresh sibling directory, whose files then replace the old ones; the stamp
 * is written last.
 */
export async function buildCli(outdir: string = DEFAULT_CLI_DIR): Promise<BuiltCli> {
  const { build } = await import('esbuild');
  const stamp = join(outdir, STAMP_FILE);
  rmSync(stamp, { force: true });
  mkdirSync(dirname(outdir), { recursive: true });
  const staging = join(dirname(outdir), `.${basename(outdir)}.${process.pid}.tmp`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const started = Date.now();
    const result = await build(cliBuildOptions(staging));
    const record = stampOf(result.metafile);
    // An input saved while esbuild ran may be bundled in its old form: leave the bundle unstamped (stale).
    const changed = record.inputs.find(([, mtimeMs]) => mtimeMs >= started);
    if (changed) throw new Error(`${changed[0]} changed while the CLI was being bundled; run the build again`);
    const files = Object.keys(result.metafile.outputs).filter((path) => path.endsWith('.mjs')).length;
    // Unstamped until the end: meanwhile the launcher runs the source.
    mkdirSync(outdir, { recursive: true });
    for (const old of [BUNDLE_FILE, `${BUNDLE_FILE}.map`, CHUNK_DIR]) rmSync(join(outdir, old), { recursive: true, force: true });
    for (const made of readdirSync(staging)) renameSync(join(staging, made), join(outdir, made));
    const partial = join(outdir, `${STAMP_FILE}.${process.pid}.tmp`);
    writeFileSync(partial, `${JSON.stringify(record)}\n`);
    renameSync(partial, stamp);
    return { bundle: join(outdir, BUNDLE_FILE), stamp, files, inputs: record.inputs.length };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function stampOf(metafile: Metafile): CliStamp {
  // Metafile input paths are relative to absWorkingDir (the repository root), with '/' separators.
  const project = Object.keys(metafile.inputs).filter((path) => !path.split('/').includes('node_modules'));
  const inputs = [...new Set([...project, ...EXTRA_INPUTS])].sort().map((path) => {
    const stats = statSync(join(REPO_ROOT, path));
    return [path, stats.mtimeMs, stats.size] as const;
  });
  return { format: 1, inputs };
}

async function isEsbuildInstalled(): Promise<boolean> {
  try {
    await import('esbuild');
    return true;
  } catch {
    return false;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outdir = process.argv[2] ? resolve(process.argv[2]) : DEFAULT_CLI_DIR;
  if (!(await isEsbuildInstalled())) {
    process.stdout.write('build-cli: esbuild is not installed (npm ci --omit=dev?); the customs CLI will run from source through tsx\n');
  } else {
    const built = await buildCli(outdir);
    process.stdout.write(`build-cli: ${relative(process.cwd(), built.bundle) || built.bundle} and ${built.files - 1} chunks (${built.inputs} project inputs stamped)\n`);
  }
}
