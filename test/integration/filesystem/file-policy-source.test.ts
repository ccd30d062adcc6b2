import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_POLICY_YAML, FilePolicySource, writeDefaultPolicy } from '../../../lambdas/adapters/filesystem/file-policy-source.ts';
import { applyPolicy } from '../../../lambdas/core/policy/apply-policy.ts';
import { evaluateGate } from '../../../lambdas/core/policy/gate.ts';
import type { RepositoryPolicy } from '../../../lambdas/core/policy/repository-policy.ts';
import { sampleFinding, sampleImageFindings, sampleImageSbom } from '../../support/sample-findings.ts';

const roots: string[] = [];
const newDir = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'customs-file-policy-'));
  roots.push(root);
  return root;
};
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A clock the test moves, so refreshes happen when the test says. */
function testClock(): { now: () => Date; advance: (ms: number) => void } {
  let now = Date.parse('2026-12-02T12:00:00Z');
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

/** Whether a repository's policy fails an image with one finding of this severity. */
function fails(policy: RepositoryPolicy, severity: 'CRITICAL' | 'HIGH'): boolean {
  const finding = sampleFinding({ severity: { ...sampleFinding().severity, severity } });
  const { findings } = applyPolicy([finding], sampleImageSbom(), { ignores: policy.ignores, vex: policy.vex, ignoreUnfixed: policy.ignoreUnfixed, now: new Date() });
  return !evaluateGate([sampleImageFindings(findings)], policy.failOn).passed;
}

/** Rewrites a file so its stamp surely changes (a new inode, and a later mtime). */
function replaceFile(path: string, text: string, mtime: Date): void {
  writeFileSync(`${path}.new`, text);
  utimesSync(`${path}.new`, mtime, mtime);
  renameSync(`${path}.new`, path);
}

describe('FilePolicySource', () => {
  it('the default local policy is written once (0644, never over an edit), compiles, enforces on push everywhere and fails CRITICAL only', async () => {
    const path = join(newDir(), 'config', 'policy.yaml');
    expect(await writeDefaultPolicy(path)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(DEFAULT_LOCAL_POLICY_YAML);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    writeFileSync(path, 'default: { mode: audit }\n');
    expect(await writeDefaultPolicy(path)).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('default: { mode: audit }\n');

    const fresh = join(newDir(), 'policy.yaml');
    await writeDefaultPolicy(fresh);
    const catalogue = await new FilePolicySource({ path: fresh, clock: testClock() }).current();
    for (const repository of ['payments/api', 'team-a/web', 'library/alpine']) {
      const policy = catalogue.policyFor(repository);
      expect(policy).toMatchObject({ source: 'default', mode: 'enforce', failOn: 'CRITICAL', ignoreUnfixed: false, quarantine: { method: 'untag', enforceOnRescan: false } });
      expect(fails(policy, 'CRITICAL')).toBe(true);
      expect(fails(policy, 'HIGH')).toBe(false);
    }
  });

  it('re-reads the file only when it changed, and only once the refresh interval has passed', async () => {
    const path = join(newDir(), 'policy.yaml');
    writeFileSync(path, 'default: { failOn: CRITICAL }\n');
    const clock = testClock();
    const source = new FilePolicySource({ path, clock, refreshMs: 1_000 });
    const first = await source.current();
    expect(first.policyFor('team/app').failOn).toBe('CRITICAL');

    clock.advance(1_000);
    expect(await source.current()).toBe(first);

    replaceFile(path, 'default: { failOn: HIGH }\noverrides: [{ repositories: { prefixes: [legacy/] }, mode: audit }]\n', new Date(Date.now() + 5_000));
    expect(await source.current()).toBe(first);
    clock.advance(1_000);
    const second = await source.current();
    expect(second.version).not.toBe(first.version);
    expect(second.policyFor('team/app')).toMatchObject({ failOn: 'HIGH', mode: 'audit' });
    expect(second.policyFor('legacy/app')).toMatchObject({ failOn: 'HIGH', source: 'prefix:legacy/' });

    // JSON is a policy document too.
    replaceFile(path, JSON.stringify({ default: { mode: 'enforce', failOn: 'LOW' } }), new Date(Date.now() + 10_000));
    clock.advance(1_000);
    expect((await source.current()).policyFor('team/app')).toMatchObject({ mode: 'enforce', failOn: 'LOW' });
  });

  it('keeps the compiled policy when an edit breaks the file, telling why, and takes the fixed file', async () => {
    const path = join(newDir(), 'policy.yaml');
    writeFileSync(path, 'default: { failOn: HIGH }\n');
    const clock = testClock();
    const problems: string[] = [];
    const source = new FilePolicySource({ path, clock, onProblem: (error) => problems.push(String(error)) });
    const good = await source.current();

    replaceFile(path, 'default: { failOn: SEVERE }\n', new Date(Date.now() + 5_000));
    clock.advance(1_000);
    expect(await source.current()).toBe(good);
    expect(problems.at(-1)).toContain(`policy file ${path}.default.failOn`);

    replaceFile(path, 'default: [unclosed\n', new Date(Date.now() + 6_000));
    clock.advance(1_000);
    expect(await source.current()).toBe(good);
    expect(problems.at(-1)).toContain('not valid YAML');

    replaceFile(path, 'default: { failOn: MEDIUM }\n', new Date(Date.now() + 7_000));
    clock.advance(1_000);
    expect((await source.current()).policyFor('x/y').failOn).toBe('MEDIUM');
  });

  it('a missing file is the fallback when one is given, else an error; a broken first read is thrown', async () => {
    const dir = newDir();
    const path = join(dir, 'policy.yaml');
    const clock = testClock();
    await expect(new FilePolicySource({ path, clock }).current()).rejects.toMatchObject({ code: 'not-found', message: `policy file ${path} does not exist` });
    const withFallback = new FilePolicySource({ path, clock, fallback: DEFAULT_LOCAL_POLICY_YAML });
    expect((await withFallback.current()).policyFor('a/b')).toMatchObject({ mode: 'enforce', failOn: 'CRITICAL' });

    // The file appearing later replaces the fallback.
    writeFileSync(path, 'default: { mode: audit, failOn: LOW }\n');
    clock.advance(1_000);
    expect((await withFallback.current()).policyFor('a/b')).toMatchObject({ mode: 'audit', failOn: 'LOW' });

    writeFileSync(path, 'default: { unknownSetting: 1 }\n');
    await expect(new FilePolicySource({ path, clock }).current()).rejects.toMatchObject({ code: 'malformed' });
    await expect(new FilePolicySource({ path: join(dir, 'absent.yaml'), clock, fallback: 'default: { failOn: NOPE }' }).current()).rejects.toMatchObject({ code: 'malformed', message: expect.stringContaining('fallback policy.default.failOn') as unknown });
  });

  it('takes inline VEX documents and refuses S3 ones with a clear error, since the local stack reads no S3', async () => {
    const path = join(newDir(), 'policy.yaml');
    const finding = sampleFinding();
    const inline = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://example.test/vex/1',
      author: 'AppSec',
      timestamp: '2026-11-30T12:00:00Z',
      version: 1,
      statements: [{ vulnerability: { name: finding.id }, products: [{ '@id': 'pkg:oci/app' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
    };
    writeFileSync(path, JSON.stringify({ default: { vex: [{ inline }] } }));
    const clock = testClock();
    expect((await new FilePolicySource({ path, clock }).current()).policyFor('team/app').vex).toHaveLength(1);

    writeFileSync(path, 'default:\n  vex:\n    - s3: { bucket: acme-security, key: vex/payments.openvex.json }\n');
    await expect(new FilePolicySource({ path, clock }).current()).rejects.toMatchObject({
      code: 'unsupported',
      message: expect.stringContaining('VEX document s3://acme-security/vex/payments.openvex.json is in S3, which the local stack does not read') as unknown,
    });
  });

  it('refuses a policy file over the size cap before parsing it', async () => {
    const path = join(newDir(), 'policy.yaml');
    writeFileSync(path, `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
    await expect(new FilePolicySource({ path, clock: testClock() }).current()).rejects.toMatchObject({ code: 'limit' });
  });
});
