import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CHUNK_DIR, type BuiltCli, type CliStamp } from '../../../scripts/build-cli.ts';

const LAUNCHER = fileURLToPath(new URL('../../../bin/customs.mjs', import.meta.url));
const MARKER = 'ran the bundle in place of the CLI';
const run = promisify(execFile);

interface Ran {
  readonly code: number;
  readonly stdout: string;
}

async function node(args: readonly string[], env: Record<string, string>): Promise<Ran> {
  try {
    const { stdout } = await run(process.execPath, [...args], { env: { ...process.env, CUSTOMS_FROM_SOURCE: '', CUSTOMS_CLI_BUNDLE_DIR: '', ...env } });
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
  }
}

describe('the bundled CLI', () => {
  let dir: string;
  let built: BuiltCli;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'customs-cli-bundle-'));
    built = await buildCli(join(dir, 'cli'));
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the same help and version as the source, run directly and through the launcher', async () => {
    for (const args of [['--help'], ['--version'], ['sbom', '--help']]) {
      const source = await node([LAUNCHER, ...args], { CUSTOMS_FROM_SOURCE: '1' });
      expect(source.code).toBe(0);
      expect(source.stdout).toMatch(/\S/);
      expect(await node([built.bundle, ...args], {})).toEqual(source);
      expect(await node([LAUNCHER, ...args], { CUSTOMS_CLI_BUNDLE_DIR: join(dir, 'cli') })).toEqual(source);
    }
  }, 180_000);

  it('runs a current bundle, and the source when forced, stale or absent', async () => {
    // A fresh copy whose bundle only prints a marker, so which one ran shows in the output.
    const bundleDir = join(dir, 'marked');
    const marked = await buildCli(bundleDir);
    await writeFile(marked.bundle, `process.stdout.write(${JSON.stringify(`${MARKER}\n`)});\n`);
    const env = { CUSTOMS_CLI_BUNDLE_DIR: bundleDir };
    const source = (await node([LAUNCHER, '--version'], { CUSTOMS_FROM_SOURCE: '1' })).stdout;
    expect(source).not.toContain(MARKER);

    expect((await node([LAUNCHER, '--version'], env)).stdout).toBe(`${MARKER}\n`);
    expect((await node([LAUNCHER, '--version'], { ...env, CUSTOMS_FROM_SOURCE: '1' })).stdout).toBe(source);

    // One input saved after the build: its mtime no longer matches the stamp.
    const stamp = JSON.parse(await readFile(marked.stamp, 'utf8')) as CliStamp;
    const edited: CliStamp = { ...stamp, inputs: stamp.inputs.map(([path, mtimeMs, size], index) => [path, index === 0 ? mtimeMs - 1000 : mtimeMs, size] as const) };
    await writeFile(marked.stamp, JSON.stringify(edited));
    expect((await node([LAUNCHER, '--version'], env)).stdout).toBe(source);

    // A file the bundle was built from is gone (renamed or deleted).
    await writeFile(marked.stamp, JSON.stringify({ ...stamp, inputs: [...stamp.inputs, ['lambdas/cli/no-such-file.ts', 1, 1]] }));
    expect((await node([LAUNCHER, '--version'], env)).stdout).toBe(source);

    await writeFile(marked.stamp, JSON.stringify(stamp));
    expect((await node([LAUNCHER, '--version'], env)).stdout).toBe(`${MARKER}\n`);
    await rm(marked.bundle);
    expect((await node([LAUNCHER, '--version'], env)).stdout).toBe(source);
    await rm(marked.stamp);
    expect((await node([LAUNCHER, '--version'], env)).stdout).toBe(source);
  }, 180_000);

  it('answers --help and --version without loading any command', async () => {
    // A copy without the commands' own chunks: main.ts imports each only when that command runs.
    const copy = join(dir, 'no-commands');
    await cp(join(dir, 'cli'), copy, { recursive: true });
    const commands = (await readdir(join(copy, CHUNK_DIR))).filter((name) => /^[a-z]+-command-[A-Z0-9]+\.mjs$/.test(name));
    expect(commands.map((name) => name.replace(/-[A-Z0-9]+\.mjs$/, '')).sort()).toEqual(['advisories-command', 'api-command', 'backfill-command', 'sbom-command', 'scan-command', 'ui-command', 'version-command']);
    for (const name of commands) await rm(join(copy, CHUNK_DIR, name));
    const bundle = join(copy, 'customs.mjs');
    for (const args of [['--help'], ['--version']]) expect(await node([bundle, ...args], {})).toEqual(await node([built.bundle, ...args], {}));
    expect((await node([bundle, 'sbom', '--help'], {})).code).toBe(2);
  }, 60_000);

  it('removes the chunks of an earlier build when it builds again, and leaves other files alone', async () => {
    const again = join(dir, 'again');
    await buildCli(again);
    await writeFile(join(again, CHUNK_DIR, 'chunk-OLD.mjs'), 'export {};\n');
    await writeFile(join(again, 'notes.txt'), 'kept\n');
    const rebuilt = await buildCli(again);
    const chunks = await readdir(join(again, CHUNK_DIR));
    expect(chunks).not.toContain('chunk-OLD.mjs');
    expect(chunks.filter((name) => name.endsWith('.mjs')).length).toBe(rebuilt.files - 1);
    expect(await readFile(join(again, 'notes.txt'), 'utf8')).toBe('kept\n');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect((await node([LAUNCHER, '--version'], { CUSTOMS_CLI_BUNDLE_DIR: again })).stdout).toBe((await node([built.bundle, '--version'], {})).stdout);
  }, 120_000);

  it('stamps the project files it bundled and none from node_modules', () => {
    return readFile(built.stamp, 'utf8').then((text) => {
      const paths = (JSON.parse(text) as CliStamp).inputs.map(([path]) => path);
      expect(paths).toContain('bin/customs.ts');
      expect(paths).toContain('lambdas/cli/main.ts');
      expect(paths).toContain('package-lock.json');
      expect(paths.some((path) => path.includes('node_modules'))).toBe(false);
      expect(paths.length).toBe(built.inputs);
    });
  });
});
