import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { ACTOR, digestOf, READER, REGION, startInTestApi, type InTestApi, type StoredImage } from './in-test-api.ts';

const REPOSITORY = 'team/shop/web';
const counts = (overrides: Partial<StoredImage['counts']> = {}) => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, ...overrides });
const IMAGES: StoredImage[] = [
  { repository: REPOSITORY, tag: 'good', digest: digestOf(11), verdict: 'PASS', counts: counts({ MEDIUM: 2 }) },
  { repository: REPOSITORY, tag: 'high', digest: digestOf(12), verdict: 'PASS', counts: counts({ HIGH: 1 }) },
  { repository: REPOSITORY, tag: 'bad', digest: digestOf(13), verdict: 'FAIL', counts: counts({ CRITICAL: 1 }) },
  { repository: REPOSITORY, tag: 'nodb', digest: digestOf(14), verdict: 'ADVISORIES_UNAVAILABLE', counts: counts() },
  { repository: REPOSITORY, tag: 'new', digest: digestOf(15), counts: counts() },
];

let api: InTestApi;
const as = (key: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => ({
  CUSTOMS_API_URL: api.server.url,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: key.accessKeyId,
  AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
  ...(key.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: key.sessionToken }),
});

beforeAll(async () => {
  api = await startInTestApi(IMAGES);
});
afterAll(async () => {
  await api.close();
});

describe('customs api (SigV4 from the environment, checked by botocore)', () => {
  it('is a CI deploy gate: tag --fail-on exits 1 on a failing stored verdict and 0 on a passing one', async () => {
    const passing = await runCli(['api', 'tag', `${REPOSITORY}:good`, '--fail-on', 'HIGH'], { env: as(READER) });
    expect(passing.code).toBe(0);
    expect(JSON.parse(passing.stdout)).toMatchObject({ digest: digestOf(11), gate: { failOn: 'HIGH', pass: true } });
    expect(passing.stderr).toMatch(/^customs: api tag: pass: team\/shop\/web:good/);

    const cases: [string, string, RegExp][] = [
      ['high', 'HIGH', /unsuppressed findings at HIGH or worse: 1 HIGH/],
      ['bad', 'CRITICAL', /fails its repository policy/],
      ['nodb', 'LOW', /ADVISORIES_UNAVAILABLE/],
      ['new', 'CRITICAL', /not judged yet/],
    ];
    for (const [tag, failOn, reason] of cases) {
      const run = await runCli(['api', 'tag', `${REPOSITORY}:${tag}`, '--fail-on', failOn], { env: as(READER) });
      expect(run.code, tag).toBe(1);
      expect(run.stderr, tag).toMatch(reason);
      expect(JSON.parse(run.stdout), tag).toMatchObject({ gate: { pass: false } });
    }
    // The threshold decides: the same HIGH finding passes a CRITICAL gate.
    expect((await runCli(['api', 'tag', `${REPOSITORY}:high`, '--fail-on', 'critical'], { env: as(READER) })).code).toBe(0);
    // Without --fail-on the tag is only shown.
    expect((await runCli(['api', 'tag', `${REPOSITORY}:bad`], { env: as(READER) })).code).toBe(0);
    expect(api.server.log.every((entry) => entry.verified)).toBe(true);
  });

  it('asks for a verdict by digest, as a table on a terminal and JSON otherwise', async () => {
    const table = await runCli(['api', 'verdict', '--repository', REPOSITORY, '--digest', digestOf(13)], { env: as(READER), tty: true });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^repository\s+team\/shop\/web\n/);
    expect(table.stdout).toMatch(/\nverdict\s+FAIL\n/);
    expect(table.stdout).toMatch(/\nallowed\s+no\n/);
    const json = await runCli(['api', 'verdict', `${REPOSITORY}@${digestOf(11)}`], { env: as(READER) });
    expect(JSON.parse(json.stdout)).toMatchObject({ repository: REPOSITORY, digest: digestOf(11), verdict: 'PASS', allowed: true });
    expect((await runCli(['api', 'verdict', `${REPOSITORY}@${digestOf(13)}`, '--require-allowed'], { env: as(READER) })).code).toBe(1);
    const forced = await runCli(['api', 'verdict', `${REPOSITORY}@${digestOf(11)}`, '--json'], { env: as(READER), tty: true });
    expect(JSON.parse(forced.stdout)).toMatchObject({ verdict: 'PASS' });
    expect(api.server.log.at(-1)!.url).toBe(`/verdict?repository=team%2Fshop%2Fweb&digest=sha256%3A${digestOf(11).slice(7)}`);
  });

  it('lists images across pages with --all, and one page with where the next starts', async () => {
    const all = await runCli(['api', 'images', '--repository', REPOSITORY, '--limit', '2', '--all'], { env: as(READER) });
    expect(all.code).toBe(0);
    expect((JSON.parse(all.stdout) as { items: { digest: string }[] }).items.map((item) => item.digest)).toEqual(IMAGES.map((image) => image.digest));
    const page = await runCli(['api', 'images', '--repository', REPOSITORY, '--limit', '2', '--table'], { env: as(READER) });
    expect(page.stdout.split('\n')[0]).toMatch(/^DIGEST\s+TAGS\s+PUSHED\s+VERDICT\s+CRIT\s+HIGH\s+MEDI\s+QUARANTINED$/);
    expect(page.stdout.split('\n').filter(Boolean)).toHaveLength(3);
    const token = /more: --next-token (\S+)/.exec(page.stderr)?.[1];
    expect(token).toBeDefined();
    const second = await runCli(['api', 'images', '--repository', REPOSITORY, '--limit', '2', '--next-token', token!], { env: as(READER) });
    expect((JSON.parse(second.stdout) as { items: { digest: string }[] }).items.map((item) => item.digest)).toEqual([digestOf(13), digestOf(14)]);
  });

  it('adds, lists and removes an exception (session credentials)', async () => {
    const added = await runCli(['api', 'exceptions', 'add', '--vulnerability', 'CVE-2024-3094', '--reason', 'not shipped in prod', '--expires', '2026-12-31', '--repository-prefix', 'team/shop/'], { env: as(ACTOR) });
    expect(added.code).toBe(0);
    const id = (JSON.parse(added.stdout) as { exception: { id: string } }).exception.id;
    const listed = await runCli(['api', 'exceptions', 'list'], { env: as(ACTOR), tty: true });
    expect(listed.stdout).toMatch(new RegExp(`\\n${id}\\s+ignore\\s+CVE-2024-3094\\s+team/shop/\\s+2026-12-31\\s+no`));
    const removed = await runCli(['api', 'exceptions', 'remove', id, '--reason', 'fixed upstream'], { env: as(ACTOR) });
    expect(removed.code).toBe(0);
    expect(api.exceptions.find((one) => one.id === id)).toBeUndefined();
  });

  it('exits 2 naming the API error: a bad field, an unknown image, a repository outside the prefixes, wrong credentials', async () => {
    const unknown = await runCli(['api', 'verdict', `${REPOSITORY}@${digestOf(999)}`], { env: as(READER) });
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^customs: api verdict: NOT_FOUND \(HTTP 404\): no image/);
    const bad = await runCli(['api', 'images', '--repository', REPOSITORY, '--limit', '500'], { env: as(READER) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/BAD_REQUEST \(HTTP 400\) \[field limit\]/);
    const outside = await runCli(['api', 'verdict', `other/app@${digestOf(11)}`], { env: as(READER) });
    expect(outside.stderr).toMatch(/FORBIDDEN \(HTTP 403\)/);
    const wrong = await runCli(['api', 'tag', `${REPOSITORY}:good`, '--fail-on', 'HIGH'], { env: as({ accessKeyId: READER.accessKeyId, secretAccessKey: 'wrong' }) });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toBe('customs: api tag: FORBIDDEN (HTTP 403): Forbidden\n');
    expect(api.server.log.at(-1)).toMatchObject({ verified: false, reason: 'signature does not match' });
  });

  it('refuses usage errors with exit 2 before asking anything, and prints per-command help', async () => {
    const asked = api.server.log.length;
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['api', 'tag', 'team/app'], as(READER), /is not REPOSITORY:TAG/],
      [['api', 'tag', 'team/app:v1', '--fail-on', 'SEVERE'], as(READER), /--fail-on must be one of CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN/],
      [['api', 'images'], as(READER), /api images needs --repository/],
      [['api', 'coverage'], { AWS_REGION: REGION }, /needs --api URL \(or CUSTOMS_API_URL\)/],
      [['api', 'frobnicate'], as(READER), /unknown api command "frobnicate"/],
      [['api', 'release', `${REPOSITORY}@${digestOf(11)}`], as(ACTOR), /api release needs --reason/],
    ];
    for (const [args, env, message] of cases) {
      const run = await runCli(args, { env });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }
    expect(api.server.log.length).toBe(asked);
    const help = await runCli(['api', 'tag', '--help'], { env: {} });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: customs api tag REPOSITORY:TAG [--fail-on SEVERITY]');
    expect(help.stdout).toContain('--api URL');
    expect((await runCli(['api', '--help'], { env: {} })).stdout).toMatch(/\n {2}exceptions add\|list\|remove/);
    expect((await runCli(['--help'], { env: {} })).stdout).toContain('api COMMAND');
  });

  it('writes the SBOM: inline, or downloaded from the short-lived URL past the cap (sent without credentials)', async () => {
    const inline = await runCli(['api', 'sbom', `${REPOSITORY}@${digestOf(11)}`], { env: as(READER), tty: true });
    expect(inline.code, inline.stderr).toBe(0);
    expect(JSON.parse(inline.stdout)).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { version: digestOf(11) } } });
    const dir = await mkdtemp(join(tmpdir(), 'customs-api-sbom-'));
    const large = await runCli(['api', 'sbom', `${REPOSITORY}@${digestOf(12)}`, '--output', join(dir, 'sbom.json')], { env: as(READER) });
    expect(large.code, large.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'sbom.json'), 'utf8'))).toMatchObject({ bomFormat: 'CycloneDX', metadata: { component: { version: digestOf(12) } } });
    expect(JSON.parse(large.stdout)).toMatchObject({ written: join(dir, 'sbom.json') });
  });

  it('sends a bearer token from --token-file instead of signing (refused here: this door wants SigV4)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'customs-api-token-'));
    await writeFile(join(dir, 'token'), 'local-token-123\n');
    const run = await runCli(['api', 'coverage', '--api', api.server.url, '--token-file', join(dir, 'token')], { env: {} });
    expect(run.code).toBe(2);
    expect(api.server.log.at(-1)).toMatchObject({ verified: false, reason: 'no SigV4 Authorization header' });
  });
});
