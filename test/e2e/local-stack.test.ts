import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCleanDemoImage, buildDemoImage, demoAdvisoriesDir } from '../../lambdas/local/demo/demo-image.ts';
import { answers, startLocalProcess, waitUntilReady } from '../../lambdas/local/local-process.ts';
import { freePort } from '../support/free-port.ts';
import { closeServer, listenOnLoopback } from '../support/http-server.ts';
import { LocalStackProcess, processesMentioning } from '../support/local-stack-process.ts';
import { sharedFixtures } from '../support/paths.ts';
import { skopeoCopy } from '../support/skopeo.ts';

/**
 * The README's main command, driven as a user drives it: `npm start -- --no-demo` on temporary
 * ports and data directory, images pushed with skopeo, answers read through the API (with the
 * token the stack wrote) and the registry, alerts caught by a webhook receiver, Ctrl-C sent to the
 * process group.
 */
const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
/**
 * The real minimist advisory (CVE-2021-44906, CRITICAL, fixed in 1.2.6): held back from the stack's
 * advisories at first and added later. Of the two images only the vulnerable one (minimist 1.2.5)
 * is affected, and the new finding is at the policy's fail-on severity, so it is a new failing ID.
 */
const ADDED_ID = 'GHSA-xvch-5gv4-984h';
const ADDED_ADVISORY = sharedFixtures('osv', 'npm', `${ADDED_ID}.json`);

interface Alert {
  readonly eventType: string;
  readonly image: { readonly digest: string };
  readonly repository: { readonly name?: string } & Record<string, unknown>;
}
interface ImageSummary {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly verdict?: { readonly verdict: string; readonly failingIds: readonly string[] };
  readonly quarantined: boolean;
}

let work: string;
let dataDir: string;
let advisoriesDir: string;
let registryPort: number;
let apiPort: number;
let receiver: Server;
let receiverUrl: string;
const alerts: Alert[] = [];
let stack: LocalStackProcess | undefined;
const images: Record<'clean' | 'vulnerable', { layoutDir: string; tag: string }> = {} as never;
const digests: Partial<Record<'clean' | 'vulnerable', string>> = {};

function stackArgs(): string[] {
  return ['--no-demo', '--data-dir', dataDir, '--registry-port', String(registryPort), '--api-port', String(apiPort), '--advisories', advisoriesDir, '--alert-webhook', receiverUrl, '--sync-every', '2s', '--reconcile-every', '2s'];
}

async function startStack(): Promise<LocalStackProcess> {
  const started = new LocalStackProcess(stackArgs());
  stack = started;
  expect(await started.line('registry: ')).toBe(`registry: 127.0.0.1:${registryPort}`);
  expect(await started.line('api: ')).toBe(`api: http://127.0.0.1:${apiPort}`);
  return started;
}

async function stopStack(): Promise<void> {
  const running = stack!;
  stack = undefined;
  expect(await running.stop()).toBe(0);
  expect(running.groupAlive()).toBe(false);
  expect(processesMentioning(dataDir)).toEqual([]);
}

async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  const response = await fetch(`http://127.0.0.1:${apiPort}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers } });
  return { status: response.status, body: (await response.json()) as T };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${stack?.output() ?? ''}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 250));
  }
}

async function judgedImages(repository: string, count: number): Promise<ImageSummary[] | undefined> {
  const { status, body } = await api<{ items: ImageSummary[] }>(`/images?repository=${encodeURIComponent(repository)}`);
  if (status !== 200) return undefined;
  const judged = body.items.filter((item) => item.verdict !== undefined);
  return judged.length >= count ? judged : undefined;
}

async function manifestStatus(repository: string, reference: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${registryPort}/v2/${repository}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT } });
  await response.arrayBuffer();
  return response.status;
}

describe('npm start: the pipeline on one machine', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'customs-e2e-'));
    dataDir = join(work, 'data');
    advisoriesDir = join(work, 'advisories');
    cpSync(demoAdvisoriesDir(), advisoriesDir, { recursive: true });
    rmSync(join(advisoriesDir, `${ADDED_ID}.json`));
    [registryPort, apiPort] = [await freePort(), await freePort()];
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        alerts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Alert);
        response.writeHead(204).end();
      });
    });
    receiverUrl = `http://${await listenOnLoopback(receiver)}/alerts`;
    images.clean = await buildCleanDemoImage(join(work, 'clean'));
    images.vulnerable = await buildDemoImage(join(work, 'vulnerable'));
  });

  afterAll(async () => {
    stack?.kill();
    await closeServer(receiver);
    rmSync(work, { recursive: true, force: true });
  });

  it('starts on the ports it was given, printing where the registry and the API are', async () => {
    await startStack();
    // The token customs api reads: created on first start, for the owner only.
    expect(readFileSync(join(dataDir, 'api-token'), 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    const { statSync } = await import('node:fs');
    expect(statSync(join(dataDir, 'api-token')).mode & 0o777).toBe(0o600);
    expect((await fetch(`http://127.0.0.1:${apiPort}/images?repository=e2e/app`)).status).toBe(401);
  }, 180_000);

  it('scans pushed images: the clean one is recorded clean, the noncompliant one is quarantined and alerted', async () => {
    await skopeoCopy(`oci:${images.clean.layoutDir}:${images.clean.tag}`, `docker://127.0.0.1:${registryPort}/e2e/app:clean`);
    await skopeoCopy(`oci:${images.vulnerable.layoutDir}:${images.vulnerable.tag}`, `docker://127.0.0.1:${registryPort}/e2e/app:vulnerable`);
    // Judged first, then quarantined: wait for both.
    const judged = await until('both images judged and the failing one quarantined', async () => {
      const found = await judgedImages('e2e/app', 2);
      return found?.some((image) => image.verdict?.verdict === 'FAIL' && image.quarantined) ? found : undefined;
    });
    const clean = judged.find((image) => image.verdict?.verdict === 'PASS');
    const vulnerable = judged.find((image) => image.verdict?.verdict === 'FAIL');
    expect(clean).toMatchObject({ tags: ['clean'], quarantined: false });
    expect(vulnerable).toMatchObject({ quarantined: true });
    expect(vulnerable!.verdict!.failingIds).not.toContain('CVE-2021-44906');
    digests.clean = clean!.digest;
    digests.vulnerable = vulnerable!.digest;

    const { body: findings } = await api<{ items: unknown[] }>(`/images/${digests.clean}/findings?repository=e2e/app`);
    expect(findings.items).toEqual([]);

    // Untagged in the registry; the image itself stays, by digest, for the release.
    expect(await manifestStatus('e2e/app', 'vulnerable')).toBe(404);
    expect(await manifestStatus('e2e/app', digests.vulnerable)).toBe(200);
    expect(await manifestStatus('e2e/app', `customs-quarantine-${digests.vulnerable.slice('sha256:'.length, 'sha256:'.length + 12)}`)).toBe(200);
    expect(await manifestStatus('e2e/app', 'clean')).toBe(200);

    await until('the quarantine alert', async () => (alerts.some((alert) => alert.eventType === 'QUARANTINED' && alert.image.digest === digests.vulnerable) ? true : undefined), 30_000);
    expect(alerts.filter((alert) => alert.image.digest === digests.clean).map((alert) => alert.eventType)).not.toContain('QUARANTINED');
  }, 180_000);

  it('a release through the API restores the tag', async () => {
    const { status, body } = await api<{ outcome: string; restoredTags: string[] }>(`/images/${digests.vulnerable}/release?repository=e2e/app`, { method: 'POST', body: JSON.stringify({ reason: 'end-to-end test release' }) });
    expect(status).toBe(200);
    expect(body).toMatchObject({ outcome: 'released', restoredTags: ['vulnerable'] });
    expect(await manifestStatus('e2e/app', 'vulnerable')).toBe(200);
    expect(await manifestStatus('e2e/app', `customs-quarantine-${digests.vulnerable!.slice('sha256:'.length, 'sha256:'.length + 12)}`)).toBe(404);
    const { body: quarantine } = await api<{ items: Array<{ state: string }> }>('/quarantine?repository=e2e/app');
    expect(quarantine.items.map((item) => item.state)).toEqual(['RELEASED']);
  }, 60_000);

  it('an advisory added to the source is synced and gives NEW_FINDINGS for exactly the image it affects (tagged again: untagged digests are judged silently)', async () => {
    const before = alerts.length;
    const record = JSON.parse(readFileSync(ADDED_ADVISORY, 'utf8')) as Record<string, unknown>;
    // Published now, as far as the sync's cursor can tell.
    writeFileSync(join(advisoriesDir, `${ADDED_ID}.json`), JSON.stringify({ ...record, modified: new Date().toISOString() }));
    await until('NEW_FINDINGS', async () => (alerts.slice(before).some((alert) => alert.eventType === 'NEW_FINDINGS') ? true : undefined));
    const judged = await judgedImages('e2e/app', 2);
    const vulnerable = judged?.find((image) => image.digest === digests.vulnerable);
    expect(vulnerable?.verdict?.failingIds).toContain('CVE-2021-44906');
    // A second sync and rescan would have brought any other image's alert by now.
    await new Promise((resolveWait) => setTimeout(resolveWait, 5000));
    const newFindings = alerts.slice(before).filter((alert) => alert.eventType === 'NEW_FINDINGS');
    expect(new Set(newFindings.map((alert) => alert.image.digest))).toEqual(new Set([digests.vulnerable]));
  }, 180_000);

  it('Ctrl-C stops every child; a push while stopped is found by reconciliation after restart', async () => {
    await stopStack();

    // The stack's own registry, alone, as a push would find it while Customs is down: its notification
    // goes nowhere and Distribution forgets it when it stops.
    const registry = startLocalProcess('docker-registry', ['serve', join(dataDir, 'registry', 'config.yml')]);
    try {
      await waitUntilReady(registry, 'docker-registry', () => answers(`http://127.0.0.1:${registryPort}/v2/`));
      await skopeoCopy(`oci:${images.clean.layoutDir}:${images.clean.tag}`, `docker://127.0.0.1:${registryPort}/e2e/late:1`);
    } finally {
      await registry.stop();
    }

    await startStack();
    const [late] = await until('the late push scanned', () => judgedImages('e2e/late', 1));
    expect(late).toMatchObject({ tags: ['1'], verdict: { verdict: 'PASS' }, quarantined: false });
    expect(stack!.output()).toMatch(/reconcile: 1 image\(s\) in the registry not scanned yet, queued/);
    // What the first run stored is still there.
    expect(await judgedImages('e2e/app', 2)).toHaveLength(2);
    await stopStack();
  }, 240_000);
});
