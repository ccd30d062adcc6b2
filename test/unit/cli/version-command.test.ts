import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../lambdas/cli/main.ts';
import { SCHEME_NAMES } from '../../../lambdas/core/versions/schemes.ts';

async function compare(scheme: string, input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['version', 'compare', '--scheme', scheme], {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
    stdin: Readable.from([input]),
  });
  return { code, stdout, stderr };
}

describe('customs version compare', () => {
  it('knows all ten schemes', () => {
    expect([...SCHEME_NAMES].sort()).toEqual(['apk', 'composer', 'dpkg', 'gem', 'go', 'maven', 'nuget', 'pep440', 'rpm', 'semver']);
  });

  it.each([
    ['dpkg', '1:1.0\t2.0\n1.0~rc1\t1.0\n2.0\t2.0\n', '1\n-1\n0\n'],
    ['rpm', '1.0^git1\t1.0\n1.0~rc1\t1.0\n', '1\n-1\n'],
    ['semver', '1.0.0-alpha\t1.0.0\n', '-1\n'],
    ['go', 'go1.21.3\tv1.21.3\nnot-a-version\tv0.0.0\n', '0\n-1\n'],
    ['pep440', '1.0.dev1\t1.0a1\n1.0.post1\t1.0\n', '-1\n1\n'],
    ['maven', '1.0-SNAPSHOT\t1.0\n', '-1\n'],
  ])('%s reads A<TAB>B lines and prints the order', async (scheme, input, output) => {
    expect(await compare(scheme, input)).toEqual({ code: 0, stdout: output, stderr: '' });
  });

  it('prints an error line for an unreadable version or a malformed line, and goes on', async () => {
    const run = await compare('semver', '1.x\t1.0.0\nonly-one\n1.0.0\t1.0.1\n');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^error: .*1\.x/);
    expect(lines[1]).toMatch(/^error: expected two versions separated by a tab/);
    expect(lines[2]).toBe('-1');
  });

  it('refuses an unknown scheme with exit 2', async () => {
    const run = await compare('calver', '1\t2\n');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^customs: unknown version scheme "calver"/);
  });
});
