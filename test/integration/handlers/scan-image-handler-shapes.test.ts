import { ChangeMessageVisibilityCommand, SQSClient, type ChangeMessageVisibilityCommandInput } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { parseDigest } from '../../../lambdas/core/digest.ts';
import type { ManifestOutcome, ScanImageResult } from '../../../lambdas/core/use-cases/scan-image.ts';
import { attestedImageLayout, COSIGN_SIGNATURE_LAYER, cosignSignatureLayout, HELM_CONFIG, helmChartLayout, IN_TOTO_LAYER, standaloneAttestationLayout } from '../../support/artifact-layouts.ts';
import { runCli } from '../../support/cli.ts';
import { putOfSortKey, throttledDynamoDbClient } from '../../support/dynamodb-faults.ts';
import { ACCOUNT, REGION, imageActionEvent } from '../../support/ecr-events.ts';
import { layoutOf } from '../../support/layout.ts';
import { sharedFixtures } from '../../support/paths.ts';
import type { PushedImage } from '../../support/pushed-image.ts';
import { scanJson } from '../../support/scan-report.ts';
import { handlerContext, startScannerHandlerHarness, type ScannerHandlerHarness } from '../../support/scanner-handler-harness.ts';
import { appLayout } from '../dynamodb/pipeline-harness.ts';

/**
 * The scanner handler on every shape a registry event can name, end to end as in Lambda (see
 * scanner-handler-harness.ts): multi-platform indexes in either arrival order, an index missing a
 * child, attestations and Helm charts, concurrent events for one digest, a throttled write, missing
 * advisories, findings against `customs scan`, and one digest in two repositories.
 */
const NPM_ADVISORIES = sharedFixtures('osv', 'npm');
const VULNERABLE_NPM = { lodash: '4.17.15', minimist: '1.2.0' };

const push = (repository: string, digest: string, tag?: string): string => JSON.stringify(imageActionEvent({ repository, digest, ...(tag !== undefined ? { tag } : {}) }));
const keyOf = (repository: string, digest: string) => ({ account: ACCOUNT, region: REGION, repository, digest: parseDigest(digest) });

describe('scan-image handler on indexes, artifacts, races and faults', () => {
  let h: ScannerHandlerHarness;

  beforeAll(async () => {
    h = await startScannerHandlerHarness('customs-shapes');
    // npm advisories in the table as the pipeline loads them; PyPI deliberately never loaded.
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
    const load = await runCli(['advisories', 'load', '--table', h.advisoryTable, '--source', NPM_ADVISORIES, '--endpoint', inject('dynamodbEndpoint'), '--region', 'us-east-1', '--quiet']);
    expect(load.code, load.stderr).toBe(0);
  });

  afterAll(async () => {
    await h?.stop();
  });

  /** One handler invocation over the bodies, delivered through moto; the use case's results it produced. */
  async function invoke(bodies: { id: string; body: string }[]): Promise<{ failures: string[]; scans: ScanImageResult[] }> {
    const before = h.scans.length;
    const { records } = await h.deliver(bodies);
    const response = await h.handler()({ Records: records } as SQSEvent, handlerContext);
    return { failures: response.batchItemFailures.map((failure) => failure.itemIdentifier), scans: h.scans.slice(before) };
  }

  const outcomesOf = (scans: readonly ScanImageResult[]): [string, ManifestOutcome['outcome']][] => scans.flatMap((scan) => scan.manifests.map((m): [string, ManifestOutcome['outcome']] => [m.digest, m.outcome]));

  /** Config and layers of a platform manifest: the blobs a scan of it downloads. */
  const blobsOf = (image: PushedImage, manifest: PushedImage['root']): string[] => {
    const { config, layers } = image.parts(manifest);
    return [config.digest, ...layers.map((layer) => layer.digest)];
  };

  /**
   * The config read once; each layer at most once: a layer another test's image shares (the same
   * os-release layer) comes from the persistent layer-analysis cache instead.
   */
  function expectReadOnce(repository: string, image: PushedImage, manifest: PushedImage['root']): void {
    const { config, layers } = image.parts(manifest);
    expect(h.blobReads(repository, config.digest), `config ${config.digest}`).toBe(1);
    for (const layer of layers) expect(h.blobReads(repository, layer.digest), `layer ${layer.digest}`).toBeLessThanOrEqual(1);
  }

  async function pushMultiArch(repository: string): Promise<{ image: PushedImage; index: string; children: string[] }> {
    const image = await h.pushImage(`${repository}:1`, { platforms: ['linux/amd64', 'linux/arm64'] });
    const index = image.pushedDigest;
    expect(index).toBe(image.root.digest);
    const children = image.manifests.map((manifest) => manifest.digest);
    h.ecrHas(repository, index, ['1']);
    for (const child of children) h.ecrHas(repository, child);
    return { image, index, children };
  }

  async function expectEachChildReadOnce(repository: string, image: PushedImage): Promise<void> {
    for (const manifest of image.manifests) {
      expect(h.manifestReads(repository, manifest.digest), `manifest ${manifest.digest}`).toBe(1);
      expectReadOnce(repository, image, manifest);
      const result = await h.results.get(parseDigest(manifest.digest));
      expect(result).toMatchObject({ status: 'SCANNED', platform: { os: 'linux', architecture: manifest.platform!.architecture } });
    }
  }

  async function expectLinked(repository: string, index: string, children: readonly string[]): Promise<void> {
    expect((await h.images.get(keyOf(repository, index)))?.children).toEqual([...children].sort());
    expect((await h.images.get(keyOf(repository, index)))?.tags).toEqual(['1']);
    for (const child of children) expect((await h.images.get(keyOf(repository, child)))?.parents).toEqual([index]);
  }

  it('scans a multi-platform index arriving child first: each child once, the index linked, its children duplicates', async () => {
    const repository = 'shapes/child-first';
    const { image, index, children } = await pushMultiArch(repository);

    // ECR emits the untagged children's pushes before the tagged index's.
    const first = await invoke(children.map((child, i) => ({ id: `child${i}`, body: push(repository, child) })));
    expect(first.failures).toEqual([]);
    expect(outcomesOf(first.scans).sort()).toEqual(children.map((child) => [child, 'scanned']).sort());

    const second = await invoke([{ id: 'index', body: push(repository, index, '1') }]);
    expect(second.failures).toEqual([]);
    expect(second.scans.map((scan) => scan.kind)).toEqual(['index']);
    expect(outcomesOf(second.scans)).toEqual([[index, 'indexed'], ...children.map((child) => [child, 'duplicate'])]);

    expect(h.manifestReads(repository, index)).toBe(1);
    await expectEachChildReadOnce(repository, image);
    await expectLinked(repository, index, children);
  });

  it('scans a multi-platform index arriving index first: each child under its own digest, the later child events duplicates', async () => {
    const repository = 'shapes/index-first';
    const { image, index, children } = await pushMultiArch(repository);

    const first = await invoke([{ id: 'index', body: push(repository, index, '1') }]);
    expect(first.failures).toEqual([]);
    expect(outcomesOf(first.scans)).toEqual([[index, 'indexed'], ...children.map((child) => [child, 'scanned'])]);
    for (const child of children) expect(await h.results.get(parseDigest(child))).toMatchObject({ digest: child, indexDigest: index });

    const second = await invoke(children.map((child, i) => ({ id: `child${i}`, body: push(repository, child) })));
    expect(second.failures).toEqual([]);
    expect(outcomesOf(second.scans).sort()).toEqual(children.map((child) => [child, 'duplicate']).sort());

    await expectEachChildReadOnce(repository, image);
    await expectLinked(repository, index, children);
  });

  it('scans the present child of an index whose other child is gone, records that one FAILED naming it, and acknowledges', async () => {
    const repository = 'shapes/partial';
    const { image, index, children } = await pushMultiArch(repository);
    const [present, missing] = children as [string, string];
    h.missingManifests.add(`${repository}@${missing}`);

    const { failures, scans } = await invoke([{ id: 'index', body: push(repository, index, '1') }]);
    expect(failures).toEqual([]);
    expect(outcomesOf(scans)).toEqual([
      [index, 'indexed'],
      [present, 'scanned'],
      [missing, 'scanned'],
    ]);
    expect(await h.results.get(parseDigest(present))).toMatchObject({ status: 'SCANNED', indexDigest: index });
    const failed = await h.results.get(parseDigest(missing));
    expect(failed).toMatchObject({ status: 'FAILED', indexDigest: index });
    expect(failed!.reason).toContain(missing);
    expect(failed!.reason).not.toContain('\n');
    for (const blob of blobsOf(image, image.manifests[1]!)) expect(h.blobReads(repository, blob)).toBe(0);
    await expectLinked(repository, index, children);
  });

  it('records attestation manifests NOT_AN_IMAGE, by annotation and by content alone, never FAILED', async () => {
    const annotated = attestedImageLayout({ annotated: true });
    const bare = attestedImageLayout({ annotated: false });
    const standalone = standaloneAttestationLayout();
    expect(bare.index.digest).not.toBe(annotated.index.digest);
    const pushes = [
      { repository: 'shapes/attested', layout: annotated },
      { repository: 'shapes/attested-bare', layout: bare },
    ];
    const pushed = await Promise.all([...pushes.map(({ repository, layout }) => h.pushLayout(layout.dir, `${repository}:1`)), h.pushLayout(standalone.dir, 'shapes/attestation:att')]);
    expect(pushed).toEqual([...pushes.map(({ layout }) => layout.index.digest), standalone.attestation.digest]);
    for (const { repository, layout } of pushes) h.ecrHas(repository, layout.index.digest, ['1']);
    h.ecrHas('shapes/attestation', standalone.attestation.digest, ['att']);

    const { failures, scans } = await invoke([
      ...pushes.map(({ repository, layout }) => ({ id: repository.replace('/', '-'), body: push(repository, layout.index.digest, '1') })),
      { id: 'standalone', body: push('shapes/attestation', standalone.attestation.digest, 'att') },
    ]);
    expect(failures).toEqual([]);
    expect(outcomesOf(scans).every(([, outcome]) => outcome === 'scanned' || outcome === 'indexed')).toBe(true);
    for (const { layout } of pushes) {
      expect(await h.results.get(parseDigest(layout.image.digest))).toMatchObject({ status: 'SCANNED', indexDigest: layout.index.digest });
      const attestation = await h.results.get(parseDigest(layout.attestation.digest));
      expect(attestation).toMatchObject({ status: 'NOT_AN_IMAGE', indexDigest: layout.index.digest, packageCount: 0 });
      expect(attestation!.reason).toContain('attestation');
      expect(attestation!.reason).toContain(IN_TOTO_LAYER);
    }
    const alone = await h.results.get(parseDigest(standalone.attestation.digest));
    expect(alone).toMatchObject({ status: 'NOT_AN_IMAGE' });
    expect(alone!.reason).toContain(IN_TOTO_LAYER);
  });

  it('records a Helm chart NOT_AN_IMAGE with the reason, without downloading it, and acknowledges', async () => {
    const repository = 'shapes/charts/demo';
    const chart = helmChartLayout();
    const digest = await h.pushLayout(chart.dir, `${repository}:0.1.0`);
    expect(digest).toBe(chart.manifest.digest);
    h.ecrHas(repository, digest, ['0.1.0']);
    const body = JSON.stringify(imageActionEvent({ repository, digest, tag: '0.1.0', manifestMediaType: chart.manifest.mediaType, artifactMediaType: HELM_CONFIG }));

    const { failures, scans } = await invoke([{ id: 'chart', body }]);
    expect(failures).toEqual([]);
    const [outcome] = scans.flatMap((scan) => scan.manifests);
    expect(outcome).toMatchObject({ digest, outcome: 'scanned', status: 'NOT_AN_IMAGE' });
    const record = await h.results.get(digest);
    expect(record).toMatchObject({ status: 'NOT_AN_IMAGE', findingCount: 0 });
    expect(record!.reason).toContain(HELM_CONFIG);
    expect(h.blobReads(repository, chart.chart.digest)).toBe(0);
    expect(h.blobReads(repository, chart.config.digest)).toBe(0);
    expect((await h.images.get(keyOf(repository, digest)))?.tags).toEqual(['0.1.0']);
  });

  it('records a cosign tag-based signature NOT_AN_IMAGE without downloading it, never FAILED', async () => {
    const repository = 'shapes/signed';
    const image = await h.pushImage(`${repository}:1`);
    const signature = cosignSignatureLayout(image.pushedDigest);
    const tag = `sha256-${image.pushedDigest.slice('sha256:'.length)}.sig`;
    const digest = await h.pushLayout(signature.dir, `${repository}:${tag}`);
    h.ecrHas(repository, digest, [tag]);

    const { failures } = await invoke([{ id: 'sig', body: push(repository, digest, tag) }]);
    expect(failures).toEqual([]);
    const record = await h.results.get(digest);
    expect(record).toMatchObject({ status: 'NOT_AN_IMAGE' });
    expect(record!.reason).toContain(COSIGN_SIGNATURE_LAYER);
    expect(h.manifestReads(repository, digest)).toBe(1);
    expect(h.registry.storageRequests.filter((request) => request.url.startsWith(`/bucket/${repository}/`))).toEqual([]);
  });

  it('scans once when parallel invocations each bring a push of the same digest with another tag', async () => {
    const repository = 'shapes/burst';
    const image = await h.pushImage(`${repository}:t0`);
    const digest = image.pushedDigest;
    const tags = Array.from({ length: 6 }, (_, i) => `t${i}`);
    h.ecrHas(repository, digest, tags);
    const before = h.scans.length;

    // Separate handlers, as separate Lambda execution environments run them; two records per batch.
    const batches = await Promise.all([0, 1, 2].map((batch) => h.deliver(tags.slice(batch * 2, batch * 2 + 2).map((tag) => ({ id: tag, body: push(repository, digest, tag) })))));
    const responses = await Promise.all(batches.map(({ records }) => h.handler()({ Records: records } as SQSEvent, handlerContext)));

    const outcomes = outcomesOf(h.scans.slice(before)).map(([, outcome]) => outcome);
    expect(outcomes).toHaveLength(tags.length);
    expect(outcomes.filter((outcome) => outcome === 'scanned')).toHaveLength(1);
    // A record that found the digest claimed by another invocation cannot be judged yet: it is
    // retried (never acknowledged unjudged), and its redelivery judges it without scanning again.
    const busy = outcomes.filter((outcome) => outcome === 'busy').length;
    const failed = responses.flatMap((response) => response.batchItemFailures.map((failure) => failure.itemIdentifier));
    expect(failed).toHaveLength(busy);
    const redelivered = batches.flatMap(({ records }) => records.filter((record) => failed.includes(record.messageId)));
    if (redelivered.length > 0) expect(await h.handler()({ Records: redelivered } as SQSEvent, handlerContext)).toEqual({ batchItemFailures: [] });
    expect(outcomesOf(h.scans.slice(before)).filter(([, outcome]) => outcome === 'scanned')).toHaveLength(1);
    expect(h.manifestReads(repository, digest)).toBe(1);
    expectReadOnce(repository, image, image.root);
    expect((await h.images.get(keyOf(repository, digest)))?.tags).toEqual(tags);
    expect(await h.results.get(parseDigest(digest))).toMatchObject({ status: 'SCANNED' });
  });

  it('reports a throttled result write as a batch item failure with a delayed retry, then the redelivery converges', async () => {
    const repository = 'shapes/throttled';
    const image = await h.pushImage(`${repository}:a`);
    const digest = parseDigest(image.pushedDigest);
    h.ecrHas(repository, digest, ['a']);
    const throttled = throttledDynamoDbClient(putOfSortKey('RESULT'), 1);
    const visibilityChanges: ChangeMessageVisibilityCommandInput[] = [];
    const sqs = new SQSClient({ endpoint: inject('motoEndpoint'), region: REGION, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ChangeMessageVisibilityCommand') visibilityChanges.push(args.input as ChangeMessageVisibilityCommandInput);
        return next(args);
      },
      { step: 'initialize', name: 'customsTestVisibilityLog' },
    );
    const handler = h.handler({ dynamodb: throttled.client, sqs });

    // Received with a 1 s visibility timeout, so a record still hidden 1.5 s later was deferred by the handler.
    const receivedAt = Date.now();
    const { records, ids, queue } = await h.deliver([{ id: 'push', body: push(repository, digest, 'a') }], { visibilityTimeout: 1 });
    const first = await handler({ Records: records } as SQSEvent, handlerContext);
    expect(throttled.thrown()).toBe(1);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: ids.get('push') }]);
    expect(visibilityChanges).toEqual([{ QueueUrl: queue.url, ReceiptHandle: records[0]!.receiptHandle, VisibilityTimeout: 30 }]);
    expect(await h.results.get(digest)).toBeUndefined();
    expect(await h.results.findings(digest)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, receivedAt + 1_500 - Date.now())));
    expect(await queue.receive(1)).toEqual([]);

    // The 30 s delay is SQS's to wait; make the message visible now and take its redelivery.
    await h.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue.url, ReceiptHandle: records[0]!.receiptHandle, VisibilityTimeout: 0 }));
    const redelivered = await queue.receive(1);
    expect(redelivered.map((record) => [record.messageId, record.attributes.ApproximateReceiveCount])).toEqual([[ids.get('push'), '2']]);
    const before = h.scans.length;
    expect(await handler({ Records: redelivered } as SQSEvent, handlerContext)).toEqual({ batchItemFailures: [] });
    expect(outcomesOf(h.scans.slice(before))).toEqual([[digest, 'scanned']]);
    expect(await h.results.get(digest)).toMatchObject({ status: 'SCANNED' });
    expect((await h.images.get(keyOf(repository, digest)))?.tags).toEqual(['a']);
    expect(visibilityChanges).toHaveLength(1);
  });

  it('stores ADVISORIES_UNAVAILABLE, never clean, for an ecosystem with no advisories loaded, and acknowledges', async () => {
    const repository = 'shapes/unavailable';
    const layout = layoutOf([
      {
        entries: [
          { type: 'file', path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: VULNERABLE_NPM.lodash }) },
          { type: 'file', path: 'usr/lib/python3/dist-packages/requests-2.19.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\n' },
          { type: 'file', path: 'app/marker', content: repository },
        ],
      },
    ]);
    const digest = await h.pushLayout(layout, `${repository}:1`);
    h.ecrHas(repository, digest, ['1']);

    const { failures, scans } = await invoke([{ id: 'push', body: push(repository, digest, '1') }]);
    expect(failures).toEqual([]);
    expect(scans.flatMap((scan) => scan.manifests)).toEqual([expect.objectContaining({ digest, outcome: 'scanned', status: 'ADVISORIES_UNAVAILABLE', unavailableEcosystems: ['PyPI'] })]);
    const record = await h.results.get(digest);
    expect(record).toMatchObject({ status: 'ADVISORIES_UNAVAILABLE', unavailableEcosystems: ['PyPI'], packageCount: 2 });
    expect(record!.reason).toContain('PyPI');
    // What is known is kept: npm's advisories are loaded and lodash's findings stored.
    expect(record!.findingCount).toBeGreaterThan(0);
    expect((await h.results.findings(digest)).every((finding) => finding.package.name === 'lodash')).toBe(true);
  });

  it('stores exactly the raw findings customs scan reports for the same image and advisories', async () => {
    const repository = 'shapes/vulnerable';
    const layout = appLayout(VULNERABLE_NPM);
    const digest = await h.pushLayout(layout, `${repository}:1`);
    h.ecrHas(repository, digest, ['1']);

    const { failures } = await invoke([{ id: 'push', body: push(repository, digest, '1') }]);
    expect(failures).toEqual([]);

    const cli = await scanJson([`oci:${layout}:latest`, '--advisories', NPM_ADVISORIES]);
    expect(cli.code, cli.stderr).toBe(0);
    const expected = cli.report.images[0]!.findings.map((finding) => comparable({ ...finding, key: `${finding.id}|${finding.package.id}` })).sort(byKey);
    expect(expected.length).toBeGreaterThan(2);
    const stored = (await h.results.findings(digest)).map(comparable).sort(byKey);
    expect(stored).toEqual(expected);
    const record = await h.results.get(digest);
    expect(record).toMatchObject({ status: 'SCANNED', findingCount: expected.length, packageCount: cli.report.images[0]!.packages.length });
    expect(record!.severityCounts).toEqual(countBy(expected.map((finding) => finding.severity)));
  });

  it('records FAILED, and acknowledges, a scan that would outrun the invocation, leaving the margin to store that', async () => {
    const repository = 'shapes/late';
    const digest = await h.pushLayout(appLayout({}), `${repository}:v1`);
    h.ecrHas(repository, digest, ['v1']);
    const { records } = await h.deliver([{ id: 'late', body: push(repository, digest, 'v1') }]);
    // 4 s left: less than the smallest margin kept for storing the result, so no blob may be read.
    const nearlyOut = { ...handlerContext, getRemainingTimeInMillis: () => 4_000 } as Context;
    expect(await h.handler()({ Records: records } as SQSEvent, nearlyOut)).toEqual({ batchItemFailures: [] });
    const result = await h.results.get(parseDigest(digest));
    expect(result).toMatchObject({ status: 'FAILED' });
    expect(result!.reason).toMatch(/^the scan would outrun the time it has: stopped reading application\/vnd\.oci\.image\.config\.v1\+json sha256:[0-9a-f]{64}; raise/);
    expect(h.registry.storageRequests.filter((request) => request.url.startsWith(`/bucket/${repository}/`))).toEqual([]);
  });

  it('scans one digest pushed to two repositories once, keeping an image state and a catalogue entry in each', async () => {
    const layout = appLayout({});
    const [first, second] = ['shapes/promote-dev', 'shapes/promote-prod'] as const;
    const digest = await h.pushLayout(layout, `${first}:v1`);
    expect(await h.pushLayout(layout, `${second}:prod`)).toBe(digest);
    h.ecrHas(first, digest, ['v1']);
    h.ecrHas(second, digest, ['prod']);

    const events = [
      { id: 'dev', body: push(first, digest, 'v1') },
      { id: 'prod', body: push(second, digest, 'prod') },
    ];
    const { failures, scans } = await invoke(events);
    // The record that found the digest claimed by the other is retried, to be judged once it is scanned.
    expect(failures).toHaveLength(outcomesOf(scans).filter(([, outcome]) => outcome === 'busy').length);
    expect(outcomesOf(scans).filter(([, outcome]) => outcome === 'scanned')).toEqual([[digest, 'scanned']]);
    const redelivery = await invoke(events);
    expect(redelivery.failures).toEqual([]);
    expect(outcomesOf(redelivery.scans).map(([, outcome]) => outcome)).toEqual(['duplicate', 'duplicate']);
    expect(h.manifestReads(first, digest) + h.manifestReads(second, digest)).toBe(1);

    const states = await h.images.imagesWithDigest(digest);
    expect(states.map((state) => [state.repository, state.tags]).sort()).toEqual([
      [first, ['v1']],
      [second, ['prod']],
    ]);
    const catalogue = await h.catalogue.list();
    for (const repository of [first, second]) {
      expect(catalogue.find((entry) => entry.repository === repository)).toMatchObject({ account: ACCOUNT, region: REGION, images: 1, deleted: 0 });
    }
  });
});

/** The fields both the CLI's JSON and the stored raw finding carry, in one shape. */
interface ComparableFinding {
  readonly key: string;
  readonly id: string;
  readonly aliases: readonly string[];
  readonly package: { readonly id: string; readonly purl: string; readonly name: string; readonly version: string; readonly type: string; readonly path: string; readonly layerIndex: number };
  readonly installedVersion: string;
  readonly fixedVersions: readonly string[];
  readonly severity: string;
  readonly advisories: readonly { readonly id: string; readonly ecosystem: string; readonly name: string; readonly fixedVersions: readonly string[] }[];
}

type FindingLike = Omit<ComparableFinding, 'severity'> & { readonly severity: { readonly severity: string } };

function comparable(finding: FindingLike): ComparableFinding {
  const { id, purl, name, version, type, path, layerIndex } = finding.package;
  return {
    key: finding.key,
    id: finding.id,
    aliases: [...finding.aliases].sort(),
    package: { id, purl, name, version, type, path, layerIndex },
    installedVersion: finding.installedVersion,
    fixedVersions: [...finding.fixedVersions],
    severity: finding.severity.severity,
    advisories: finding.advisories.map(({ id: advisory, ecosystem, name: advised, fixedVersions }) => ({ id: advisory, ecosystem, name: advised, fixedVersions: [...fixedVersions] })).sort((a, b) => a.id.localeCompare(b.id)),
  };
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
