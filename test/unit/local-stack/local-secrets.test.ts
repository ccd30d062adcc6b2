import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureSecret } from '../../../lambdas/local/stack/local-secrets.ts';
import { repoRoot } from '../../support/paths.ts';

const run = promisify(execFile);

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function secretPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-secrets-'));
  dirs.push(dir);
  return join(dir, 'api-token');
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;
const TOKEN = /^[0-9a-f]{64}$/;

describe('ensureSecret', () => {
  it('creates a 64-hex-digit token readable by the owner only, and stores it in the file', async () => {
    const path = secretPath();
    const token = await ensureSecret(path);
    expect(token).toMatch(TOKEN);
    expect(modeOf(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toBe(token);
  });

  it('returns the same token on the next call, and different paths get different tokens', async () => {
    const path = secretPath();
    const first = await ensureSecret(path);
    expect(await ensureSecret(path)).toBe(first);
    expect(await ensureSecret(secretPath())).not.toBe(first);
  });

  it('keeps a token written by hand (no newline) and tightens a file others could read to 0600', async () => {
    const path = secretPath();
    const token = 'ab'.repeat(32);
    writeFileSync(path, token);
    chmodSync(path, 0o644);
    expect(await ensureSecret(path)).toBe(token);
    expect(modeOf(path)).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(token);
  });

  it.each([
    ['empty', ''],
    ['blank', '\n'],
    ['not hex', 'z'.repeat(64)],
    ['too short', 'a'.repeat(63)],
    ['too long', 'a'.repeat(65)],
    ['upper-case hex', 'AB'.repeat(32)],
    ['two tokens', `${'a'.repeat(64)}\n${'b'.repeat(64)}`],
  ])('refuses a file that is %s, naming it, and leaves it as it was', async (_what, text) => {
    const path = secretPath();
    writeFileSync(path, text, { mode: 0o600 });
    await expect(ensureSecret(path)).rejects.toThrow(path);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('refuses a directory in the token\'s place, naming it', async () => {
    const path = secretPath();
    mkdirSync(path);
    await expect(ensureSecret(path)).rejects.toThrow(path);
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it('fails when the directory it goes in does not exist', async () => {
    await expect(ensureSecret(join(secretPath(), 'nested', 'token'))).rejects.toThrow();
  });

  it('gives concurrent callers one token', async () => {
    const path = secretPath();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => ensureSecret(path)));
    expect(tokens[0]).toMatch(TOKEN);
    expect(new Set(tokens).size).toBe(1);
    expect(readFileSync(path, 'utf8').trim()).toBe(tokens[0]);
  });

  it('gives separate processes creating the secrets at the same moment one token each, none failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'local-secrets-'));
    dirs.push(dir);
    const paths = Array.from({ length: 100 }, (_, index) => join(dir, `token-${index}`));
    const module = pathToFileURL(join(repoRoot, 'lambdas', 'local', 'stack', 'local-secrets.ts')).href;
    const script = `const { ensureSecret } = await import(${JSON.stringify(module)});
const paths = JSON.parse(process.env.SECRET_PATHS);
const settled = await Promise.allSettled(paths.map((path) => ensureSecret(path)));
process.stdout.write(JSON.stringify(settled.map((result) => result.status === 'fulfilled' ? result.value : 'error: ' + result.reason.message)));`;
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, env: { ...process.env, SECRET_PATHS: JSON.stringify(paths) } })),
    );
    const answers = runs.map((result) => JSON.parse(result.stdout) as string[]);
    for (const [index, path] of paths.entries()) {
      const stored = readFileSync(path, 'utf8').trim();
      expect(stored).toMatch(TOKEN);
      expect(answers.map((answer) => answer[index])).toEqual(answers.map(() => stored));
    }
    // No private file of a loser is left beside the secrets.
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});
