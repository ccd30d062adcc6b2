import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoDbAdvisoryIdIndex } from '../../../lambdas/adapters/dynamodb/advisory-id-index.ts';
import { loadAdvisoryTable } from '../../../lambdas/adapters/dynamodb/advisory-loader.ts';
import { ADVISORY_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { openImageSource } from '../../../lambdas/adapters/open-image-source.ts';
import { StoreLookup } from '../../../lambdas/core/advisories/store-lookup.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import { CustomsError } from '../../../lambdas/core/errors.ts';
import { parseReference } from '../../../lambdas/core/image/reference.ts';
import { withLimits } from '../../../lambdas/core/limits.ts';
import type { StoredFinding } from '../../../lambdas/core/pipeline/model.ts';
import { toRawFinding } from '../../../lambdas/core/pipeline/raw-findings.ts';
import type { ImageSourceFactory } from '../../../lambdas/core/ports.ts';
import { assessVulnerabilities } from '../../../lambdas/core/use-cases/assess-vulnerabilities.ts';
import { findAffectedImages } from '../../../lambdas/core/use-cases/find-affected-images.ts';
import { scanImage, type ManifestOutcome } from '../../../lambdas/core/use-cases/scan-image.ts';
import { createLocalTable } from '../../support/dynamodb-tables.ts';
import { pushTestImage } from '../../support/pushed-image.ts';
import { scan } from '../../support/scan.ts';
import { collect } from './advisory-support.ts';
import { ACCOUNT, appLayout, createHarness, NPM_ADVISORIES, pushLayout, REGION, registrySources, request, type Harness } from './pipeline-harness.ts';
import { putOfSortKey, throttledDynamoDbClient } from '../../support/dynamodb-faults.ts';

const VULNERABLE = { lodash: '4.17.15', minimist: '1.2.0' };
const repo = (repository: string) => ({ account: ACCOUNT, region: REGION, repository });
const withoutTimes = ({ firstSeen: _first, lastSeen: _last, ...finding }: StoredFinding) => finding;
const byKey = <T extends { key: string }>(a: T, b: T): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function only(outcomes: readonly ManifestOutcome[]): ManifestOutcome {
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

/** The pipeline's scan of a pushed image, end to end on DynamoDB Local, moto's S3 and a real registry. */
describe('scan-image on DynamoDB and S3', () => {
  let h: Harness;
  let digest: Digest;
  let layout: string;

  beforeAll(async () => {
    h = await createHarness('scan-image');
    layout = appLayout(VULNERABLE);
    digest = await pushLayout(layout, 'pipeline/app', '1');
  });

  it('stores the SBOM, the result and exactly the findings customs scan reports', async () => {
    const result = await scanImage(request('pipeline/app', digest, '1', h.clock.now()), h.deps());
    const outcome = only(result.manifests);
    expect(result.kind).toBe('image');
    if (outcome.outcome !== 'scanned') throw new Error(`not scanned: ${outcome.outcome}`);
    expect(outcome.status).toBe('SCANNED');

    // The CLI's path: the same adapters and use cases, the same advisories in memory.
    const cli = await scan(`${inject('registryHost')}/pipeline/app@${digest}`);
    const report = await assessVulnerabilities(cli, new StoreLookup(h.advisories), { policy: { now: h.clock.now() }, advisories: { sources: [], loaded: 0, withdrawn: 0, malformed: 0 } });
    const expected = report.images[0]!.findings.map(toRawFinding).sort(byKey);
    expect(expected.length).toBeGreaterThan(2);
    const stored = (await h.results.findings(digest)).map(withoutTimes).sort(byKey);
    expect(stored).toEqual(expected);
    expect(outcome.changes).toEqual({ added: expected.map((finding) => finding.key).sort(), removed: [] });

    const record = await h.results.get(digest);
    expect(record).toMatchObject({ status: 'SCANNED', scannerVersion: 'test-1', findingCount: expected.length, packageCount: 2, distro: { id: 'debian', versionId: '12' } });
    expect(record?.advisories).toEqual([{ ecosystem: 'npm', loadedAt: h.clock.now() }]);
    const sbom = await h.sboms.get(record!.sbom!);
    expect(sbom.packages).toEqual(cli.images[0]!.packages);

    expect(await h.results.digestsWithPackage('npm', 'lodash')).toContain(digest);
    // Affected images by ID and alias: the same advisories in the table, resolved through its ALIAS# items.
    const advisoryTable = await createLocalTable(h.base, ADVISORY_TABLE, 'scan-image-advisories');
    await loadAdvisoryTable(h.base, advisoryTable, (await collect(NPM_ADVISORIES)).records, { source: 'fixtures' });
    const affected = (id: string) => findAffectedImages(id, { advisories: new DynamoDbAdvisoryIdIndex(h.base, advisoryTable), results: h.results });
    const cve = expected[0]!;
    for (const id of [cve.id, ...cve.aliases]) {
      const answer = await affected(id);
      expect(answer.images.map((image) => image.digest), id).toEqual([digest]);
      expect(answer.images[0]!.findings.map((finding) => finding.key), id).toContain(cve.key);
    }
  });

  it('records only the tag for a duplicate event, keeping first seen', async () => {
    const before = await h.results.findings(digest);
    h.clock.advance(60_000);
    const result = await scanImage(request('pipeline/app', digest, 'stable', h.clock.now()), h.deps());
    expect(only(result.manifests)).toEqual({ digest, outcome: 'duplicate' });
    expect((await h.images.get({ ...repo('pipeline/app'), digest }))?.tags).toEqual(['1', 'stable']);
    expect(await h.results.findings(digest)).toEqual(before);
  });

  it('moves a tag to a newer push and keeps its history', async () => {
    const newer = await pushLayout(appLayout({ lodash: '4.17.21' }), 'pipeline/app', '1');
    h.clock.advance(60_000);
    await scanImage(request('pipeline/app', newer, '1', h.clock.now()), h.deps());
    expect((await h.images.get({ ...repo('pipeline/app'), digest }))?.tags).toEqual(['stable']);
    expect((await h.images.get({ ...repo('pipeline/app'), digest: newer }))?.tags).toEqual(['1']);
    const history = await h.images.tagHistory(repo('pipeline/app'), '1');
    expect(history.map((event) => [event.action, event.digest])).toEqual(
      expect.arrayContaining([
        ['tagged', digest],
        ['tagged', newer],
        ['untagged', digest],
      ]),
    );
    // A late event for the old push must not pull the tag back.
    await scanImage(request('pipeline/app', digest, '1', new Date(h.clock.now().getTime() - 120_000)), h.deps());
    expect((await h.images.get({ ...repo('pipeline/app'), digest: newer }))?.tags).toEqual(['1']);
    const newest = await h.images.imagesOfRepository(repo('pipeline/app'));
    expect(newest[0]?.digest).toBe(newer);
  });

  it('scans a digest once for two repositories and keeps an image state in each', async () => {
    const same = await pushLayout(layout, 'pipeline/promoted', 'prod');
    expect(same).toBe(digest);
    const result = await scanImage(request('pipeline/promoted', digest, 'prod', h.clock.now()), h.deps());
    expect(only(result.manifests).outcome).toBe('duplicate');
    const states = await h.images.imagesWithDigest(digest);
    expect(states.map((state) => state.repository).sort()).toEqual(['pipeline/app', 'pipeline/promoted']);
    const catalogue = await h.catalogue.list();
    expect(catalogue.find((entry) => entry.repository === 'pipeline/promoted')).toMatchObject({ account: ACCOUNT, region: REGION, images: 1, deleted: 0 });
    expect(catalogue.find((entry) => entry.repository === 'pipeline/app')?.images).toBe(2);
  });

  it('scans once when concurrent events arrive for one digest', async () => {
    const fresh = await pushLayout(appLayout(VULNERABLE), 'pipeline/burst', 'a');
    let opened = 0;
    const sources: ImageSourceFactory = { open: (scanRequest) => ((opened += 1), registrySources().open(scanRequest)) };
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => scanImage(request('pipeline/burst', fresh, `t${index}`, h.clock.now()), h.deps({ sources }))));
    const outcomes = results.map((result) => only(result.manifests).outcome);
    expect(outcomes.filter((outcome) => outcome === 'scanned')).toHaveLength(1);
    expect(opened).toBe(1);
    expect((await h.images.get({ ...repo('pipeline/burst'), digest: fresh }))?.tags).toHaveLength(8);
  });

  it('retakes a claim whose holder died once its lease expires', async () => {
    const fresh = await pushLayout(appLayout(VULNERABLE), 'pipeline/crash', 'a');
    const dead = await h.claims.claim({ digest: fresh, scannerVersion: 'test-1' }, { now: h.clock.now(), leaseMs: 5 * 60_000 });
    expect(dead.outcome).toBe('claimed');
    expect(only((await scanImage(request('pipeline/crash', fresh, 'a', h.clock.now()), h.deps())).manifests).outcome).toBe('busy');
    h.clock.advance(5 * 60_000 + 1);
    const retry = only((await scanImage(request('pipeline/crash', fresh, 'a', h.clock.now()), h.deps())).manifests);
    expect(retry).toMatchObject({ outcome: 'scanned', status: 'SCANNED' });
  });

  it('throws a throttled write for the queue to retry, with nothing visible as done, then converges', async () => {
    const fresh = await pushLayout(appLayout(VULNERABLE), 'pipeline/throttle', 'a');
    const throttled = throttledDynamoDbClient(putOfSortKey('RESULT'), 1).client;
    const error: unknown = await scanImage(request('pipeline/throttle', fresh, 'a', h.clock.now()), h.deps({ base: throttled })).catch((caught: unknown) => caught);
    expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(await h.results.get(fresh)).toBeUndefined();
    expect(await h.results.findings(fresh)).toEqual([]);
    // The claim was given back, so the retry need not wait for the lease.
    const retry = only((await scanImage(request('pipeline/throttle', fresh, 'a', h.clock.now()), h.deps({ base: throttled }))).manifests);
    expect(retry).toMatchObject({ outcome: 'scanned', status: 'SCANNED' });
    if (retry.outcome !== 'scanned') throw new Error('unreachable');
    expect(retry.changes.added.length).toBe((await h.results.findings(fresh)).length);
  });

  it('records FAILED with the one-line reason for a tampered layer, and acknowledges', async () => {
    const tampered = appLayout(VULNERABLE);
    const index = JSON.parse(readFileSync(join(tampered, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifestDigest = parseDigest(index.manifests[0]!.digest);
    const blobs = join(tampered, 'blobs', 'sha256');
    const manifest = JSON.parse(readFileSync(join(blobs, manifestDigest.slice(7)), 'utf8')) as { layers: { digest: string }[] };
    const layerFile = join(blobs, manifest.layers[0]!.digest.slice(7));
    const bytes = readFileSync(layerFile);
    const middle = bytes.length >> 1;
    bytes[middle] = bytes[middle]! ^ 0xff;
    writeFileSync(layerFile, bytes);
    const sources: ImageSourceFactory = { open: () => openImageSource(parseReference(`oci:${tampered}:latest`), { limits: withLimits() }) };
    const outcome = only((await scanImage(request('pipeline/tampered', manifestDigest, 'a', h.clock.now()), h.deps({ sources }))).manifests);
    expect(outcome).toMatchObject({ outcome: 'scanned', status: 'FAILED' });
    if (outcome.outcome !== 'scanned') throw new Error('unreachable');
    expect(outcome.reason).toContain(manifest.layers[0]!.digest);
    expect(outcome.reason).not.toContain('\n');
    expect((await h.results.get(manifestDigest))?.status).toBe('FAILED');
    expect(only((await scanImage(request('pipeline/tampered', manifestDigest, 'b', h.clock.now()), h.deps({ sources }))).manifests).outcome).toBe('duplicate');
  });

  it('records FAILED when the registry no longer has the digest, and retries a network failure', async () => {
    const gone = parseDigest(`sha256:${'9'.repeat(64)}`);
    const missing: ImageSourceFactory = { open: async () => Promise.reject(new CustomsError('not-found', `manifest ${gone} is not in pipeline/gone`)) };
    const outcome = only((await scanImage(request('pipeline/gone', gone, 'a', h.clock.now()), h.deps({ sources: missing }))).manifests);
    expect(outcome).toMatchObject({ outcome: 'scanned', status: 'FAILED', reason: `manifest ${gone} is not in pipeline/gone` });

    const flaky = parseDigest(`sha256:${'8'.repeat(64)}`);
    const offline: ImageSourceFactory = { open: async () => Promise.reject(new CustomsError('network', 'connection reset')) };
    await expect(scanImage(request('pipeline/gone', flaky, 'a', h.clock.now()), h.deps({ sources: offline }))).rejects.toThrow('connection reset');
    expect(await h.results.get(flaky)).toBeUndefined();
    expect((await h.claims.claim({ digest: flaky, scannerVersion: 'test-1' }, { now: h.clock.now(), leaseMs: 1 })).outcome).toBe('claimed');
  });

  it('never calls an image clean when its ecosystem has no advisories, or only stale ones; queues the ecosystem and indexes the image as waiting', async () => {
    const fresh = await pushLayout(appLayout(VULNERABLE), 'pipeline/unavailable', 'a');
    h.loadedAt.delete('npm');
    try {
      const askedAt = h.clock.now();
      const outcome = only((await scanImage(request('pipeline/unavailable', fresh, 'a', askedAt), h.deps())).manifests);
      expect(outcome).toMatchObject({ outcome: 'scanned', status: 'ADVISORIES_UNAVAILABLE', unavailableEcosystems: ['npm'] });
      if (outcome.outcome !== 'scanned') throw new Error('unreachable');
      expect(outcome.reason).toContain('npm (never loaded)');
      const record = await h.results.get(fresh);
      expect(record).toMatchObject({ status: 'ADVISORIES_UNAVAILABLE', unavailableEcosystems: ['npm'], advisories: [{ ecosystem: 'npm' }] });
      expect(record?.sbom).toBeDefined(); // kept for the re-evaluation once advisories are loaded
      expect(await h.loadRequests.list()).toEqual([{ ecosystem: 'npm', firstRequestedAt: askedAt, lastRequestedAt: askedAt, count: 1 }]);
      expect(await h.results.digestsWaitingFor('npm')).toEqual([fresh]);

      h.loadedAt.set('npm', new Date(h.clock.now().getTime() - 3 * 86_400_000));
      h.clock.advance(60_000);
      const stale = await pushLayout(appLayout(VULNERABLE), 'pipeline/unavailable', 'b');
      const staleOutcome = only((await scanImage(request('pipeline/unavailable', stale, 'b', h.clock.now()), h.deps())).manifests);
      expect(staleOutcome).toMatchObject({ status: 'ADVISORIES_UNAVAILABLE', unavailableEcosystems: ['npm'] });
      expect(await h.loadRequests.list()).toEqual([{ ecosystem: 'npm', firstRequestedAt: askedAt, lastRequestedAt: h.clock.now(), count: 2 }]);
      expect([...(await h.results.digestsWaitingFor('npm'))].sort()).toEqual([fresh, stale].sort());

      // The advisories are loaded; a scan of the first digest (a new scanner version) no longer waits.
      h.loadedAt.set('npm', h.clock.now());
      const rescan = only((await scanImage(request('pipeline/unavailable', fresh, 'a', h.clock.now()), h.deps({ scannerVersion: 'test-2' }))).manifests);
      expect(rescan).toMatchObject({ outcome: 'scanned', status: 'SCANNED' });
      expect(rescan).not.toHaveProperty('unavailableEcosystems');
      expect(await h.results.digestsWaitingFor('npm')).toEqual([stale]);
      expect((await h.loadRequests.list()).map((entry) => entry.count)).toEqual([2]);
    } finally {
      h.loadedAt.set('npm', h.clock.now());
    }
  });

  it('throws when the ecosystem cannot be queued for loading, committing nothing and giving the claim back', async () => {
    const fresh = await pushLayout(appLayout(VULNERABLE), 'pipeline/unqueued', 'a');
    h.loadedAt.delete('npm');
    try {
      const throttled = throttledDynamoDbClient((name, input) => name === 'UpdateItemCommand' && (input as { Key?: { pk?: { S?: string } } }).Key?.pk?.S === 'LOAD_REQUEST', 1).client;
      const error: unknown = await scanImage(request('pipeline/unqueued', fresh, 'a', h.clock.now()), h.deps({ base: throttled })).catch((caught: unknown) => caught);
      expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
      expect(await h.results.get(fresh)).toBeUndefined();
      expect(await h.results.digestsWaitingFor('npm')).not.toContain(fresh);
      const retry = only((await scanImage(request('pipeline/unqueued', fresh, 'a', h.clock.now()), h.deps({ base: throttled }))).manifests);
      expect(retry).toMatchObject({ outcome: 'scanned', status: 'ADVISORIES_UNAVAILABLE' });
      expect(await h.results.digestsWaitingFor('npm')).toContain(fresh);
    } finally {
      h.loadedAt.set('npm', h.clock.now());
    }
  });

  it('scans an index child by child under each child’s own digest, whichever arrives first', async () => {
    const pushed = await pushTestImage(`${inject('registryHost')}/pipeline/multi:1`, { platforms: ['linux/amd64', 'linux/arm64'] });
    try {
      const [amd64, arm64] = pushed.manifests.map((manifest) => manifest.digest as Digest);
      const index = pushed.root.digest as Digest;
      const child = only((await scanImage(request('pipeline/multi', amd64!, undefined, h.clock.now()), h.deps())).manifests);
      expect(child).toMatchObject({ outcome: 'scanned', status: 'SCANNED' });
      const result = await scanImage(request('pipeline/multi', index, '1', h.clock.now()), h.deps());
      expect(result.kind).toBe('index');
      expect(result.manifests.map((outcome) => [outcome.digest, outcome.outcome])).toEqual([
        [index, 'indexed'],
        [amd64, 'duplicate'],
        [arm64, 'scanned'],
      ]);
      expect((await h.results.get(arm64!))).toMatchObject({ status: 'SCANNED', indexDigest: index, platform: { os: 'linux', architecture: 'arm64' } });
      expect((await h.images.get({ ...repo('pipeline/multi'), digest: index }))?.children).toEqual([amd64, arm64].sort());
      expect((await h.images.get({ ...repo('pipeline/multi'), digest: arm64! }))?.parents).toEqual([index]);
      expect(only((await scanImage(request('pipeline/multi', arm64!, undefined, h.clock.now()), h.deps())).manifests).outcome).toBe('duplicate');
    } finally {
      pushed.cleanup();
    }
  });
});
