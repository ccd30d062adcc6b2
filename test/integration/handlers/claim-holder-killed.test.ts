import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { claimSk, scanPk } from '../../../lambdas/adapters/dynamodb/findings-keys.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { loadAdvisories } from '../../../lambdas/adapters/osv/load-advisories.ts';
import { AdvisoryStore } from '../../../lambdas/core/advisories/advisory-store.ts';
import { StoreLookup } from '../../../lambdas/core/advisories/store-lookup.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import type { StoredFinding } from '../../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import type { ImageSourceFactory } from '../../../lambdas/core/ports.ts';
import { assessVulnerabilities } from '../../../lambdas/core/use-cases/assess-vulnerabilities.ts';
import { scanImage, type ManifestOutcome } from '../../../lambdas/core/use-cases/scan-image.ts';
import type { ClaimHolderConfig } from '../../support/claim-holder-child.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { localScanDeps, localStores, type LocalStores } from '../../support/local-scan-deps.ts';
import { repoRoot } from '../../support/paths.ts';
import { scan } from '../../support/scan.ts';
import { startStallingBlobProxy, type StallingBlobProxy } from '../../support/stalling-blob-proxy.ts';
import { ACCOUNT, appLayout, NPM_ADVISORIES, pushLayout, REGION, registrySources } from '../dynamodb/pipeline-harness.ts';

/**
 * Issue 12: a scanner killed (SIGKILL, no cleanup) while it holds the claim. A child process runs
 * the scan-image use case on DynamoDB Local and moto's S3 and hangs reading a layer; once its claim
 * is in the table it is killed. A retry inside the lease is busy and scans nothing; one after the
 * lease scans and stores the complete result; nothing partial shows in between.
 *
 * At use-case level with the real DynamoDB and S3 adapters: the handler's wiring (createScannerDeps)
 * takes no lease option and always uses the 15-minute default.
 */
const VULNERABLE = { lodash: '4.17.15', minimist: '1.2.0' };
const SCANNER_VERSION = 'claim-killed-1';
const LEASE_MS = 6_000;
const REPOSITORY = 'pipeline/killed';
const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const withoutTimes = ({ firstSeen: _first, lastSeen: _last, ...finding }: StoredFinding) => finding;

describe('a scanner killed while holding the claim', () => {
  const advisories = new AdvisoryStore({ ecosystems: ['npm'] });
  const loadedAt = new Date();
  let stores: LocalStores;
  let local: ReturnType<typeof localStores>;
  let digest: Digest;
  let layout: string;
  let proxy: StallingBlobProxy;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    const tableName = await createLocalTable(localDynamoDbClient(), FINDINGS_TABLE, 'customs-claim-killed');
    stores = { dynamodbEndpoint: inject('dynamodbEndpoint'), motoEndpoint: inject('motoEndpoint'), tableName, bucket: `customs-claim-killed-${randomUUID()}` };
    local = localStores(stores);
    await local.s3.send(new CreateBucketCommand({ Bucket: stores.bucket }));
    await loadAdvisories(NPM_ADVISORIES, advisories, { ecosystems: ['npm'] });
    layout = appLayout(VULNERABLE);
    digest = await pushLayout(layout, REPOSITORY, '1');
    proxy = await startStallingBlobProxy(inject('registryHost'), layerOf(layout));
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await proxy?.stop();
  });

  /** The parent's scanner: the suite's registry direct, each open counted. */
  function retryDeps(opens: string[]) {
    const direct = registrySources();
    const sources: ImageSourceFactory = { open: (request) => (opens.push(request.digest), direct.open(request)) };
    const freshness = { freshness: async (ecosystems: readonly string[]) => ecosystems.map((ecosystem) => ({ ecosystem, loadedAt })) };
    return localScanDeps(stores, { sources, advisories: new StoreLookup(advisories), freshness, scannerVersion: SCANNER_VERSION, leaseMs: LEASE_MS });
  }

  const request = () => ({ account: ACCOUNT, region: REGION, repository: REPOSITORY, digest, tag: '1', pushedAt: new Date(), kind: 'push' as const });

  async function claimItem(): Promise<Record<string, unknown> | undefined> {
    const { Item } = await local.table.client.send(new GetCommand({ TableName: stores.tableName, Key: { pk: scanPk(digest), sk: claimSk(SCANNER_VERSION) }, ConsistentRead: true }));
    return Item;
  }

  async function nothingStored(): Promise<void> {
    expect(await local.results.get(digest)).toBeUndefined();
    expect(await local.results.findings(digest)).toEqual([]);
    expect((await local.s3.send(new ListObjectsV2Command({ Bucket: stores.bucket }))).KeyCount ?? 0).toBe(0);
  }

  it('is busy inside the lease, rescans completely after it, and shows nothing partial between', { timeout: 60_000 }, async () => {
    const config: ClaimHolderConfig = {
      stores,
      registryHost: proxy.host,
      request: { account: ACCOUNT, region: REGION, repository: REPOSITORY, digest, tag: '1' },
      scannerVersion: SCANNER_VERSION,
      leaseMs: LEASE_MS,
    };
    const holder = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test', 'support', 'claim-holder-child.ts')], {
      cwd: repoRoot,
      env: { ...process.env, CUSTOMS_CLAIM_HOLDER: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = holder;
    let output = '';
    holder.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    holder.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<string>((resolveExit) => holder.once('exit', (code, signal) => resolveExit(`${signal ?? code}`)));

    // Held inside the layer read, so the claim was taken; the table must show it leased.
    const early = await Promise.race([proxy.stalled.then(() => undefined), exited.then((how) => `exited (${how}) before stalling: ${output}`)]);
    expect(early).toBeUndefined();
    const held = await claimItem();
    expect(held).toMatchObject({ state: 'LEASED', token: expect.any(String) });
    const leaseExpiresAt = Number(held!.leaseExpiresAt);

    holder.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // A retry inside the lease: busy, acknowledged, and it opens nothing (no second scan beside the dead one).
    const busyOpens: string[] = [];
    const busy = await scanImage(request(), retryDeps(busyOpens));
    expect(Date.now(), 'the busy retry must run inside the lease; the machine was too slow').toBeLessThan(leaseExpiresAt);
    expect(busy.manifests).toEqual([{ digest, outcome: 'busy' }]);
    expect(busyOpens).toEqual([]);
    expect(await claimItem()).toEqual(held);
    await nothingStored();
    // The dead scanner did record the push: recording comes before the claim.
    expect((await local.images.get({ account: ACCOUNT, region: REGION, repository: REPOSITORY, digest }))?.tags).toEqual(['1']);

    await new Promise((resolveWait) => setTimeout(resolveWait, Math.max(0, leaseExpiresAt - Date.now() + 50)));
    await nothingStored();

    const opens: string[] = [];
    const retried = await scanImage(request(), retryDeps(opens));
    expect(opens).toEqual([digest]);
    const outcome: ManifestOutcome = retried.manifests[0]!;
    expect(retried.manifests).toHaveLength(1);
    expect(outcome).toMatchObject({ digest, outcome: 'scanned', status: 'SCANNED' });
    const done = await claimItem();
    expect(done).toMatchObject({ state: 'DONE' });
    expect(done!.token).not.toBe(held!.token);

    // Complete: the stored findings and SBOM are what the CLI's scan of the same image reports.
    const cli = await scan(`${inject('registryHost')}/${REPOSITORY}@${digest}`);
    const report = await assessVulnerabilities(cli, new StoreLookup(advisories), { policy: { now: loadedAt }, advisories: { sources: [], loaded: 0, withdrawn: 0, malformed: 0 } });
    const expected = report.images[0]!.findings.map(toRawFinding).sort(byKey);
    expect(expected.length).toBeGreaterThan(2);
    expect((await local.results.findings(digest)).map(withoutTimes).sort(byKey)).toEqual(expected);
    const record = await local.results.get(digest);
    expect(record).toMatchObject({ status: 'SCANNED', scannerVersion: SCANNER_VERSION, findingCount: expected.length, packageCount: cli.images[0]!.packages.length });
    expect((await local.sboms.get(record!.sbom!)).packages).toEqual(cli.images[0]!.packages);
  });
});

/** The layout's only layer: the one the proxy holds the child inside. */
function layerOf(layout: string): string {
  const blob = (digest: string) => JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)), 'utf8')) as { manifests?: { digest: string }[]; layers?: { digest: string }[] };
  const manifest = blob(JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests[0].digest as string);
  return manifest.layers![0]!.digest;
}
