import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import { ACCOUNT, REGION, imageActionEvent } from '../../support/ecr-events.ts';
import type { PushedImage } from '../../support/pushed-image.ts';
import { handlerContext, startScannerHandlerHarness, type ScannerHandlerHarness } from '../../support/scanner-handler-harness.ts';

/**
 * The scanner handler wired as in Lambda (createScannerDeps), on DynamoDB Local, moto's S3 and SQS,
 * and images from a real docker-registry behind the two-origin ECR stand-in. ECR's API
 * (GetAuthorizationToken, DescribeImages) is stubbed with aws-sdk-client-mock. Records are real SQS
 * messages received from moto, their bodies ECR events as documented.
 */
describe('scan-image handler on DynamoDB Local, moto and a loopback registry', () => {
  let h: ScannerHandlerHarness;
  let clean: PushedImage;
  let tampered: PushedImage;

  beforeAll(async () => {
    h = await startScannerHandlerHarness('customs-scanner');
    [clean, tampered] = await Promise.all([h.pushImage('team/app:v1'), h.pushImage('team/other:v1')]);
    // Layer 1 is the image's own random data; layer 0 (os-release) is the same in every test image.
    h.registry.tampered.add(tampered.parts(tampered.root).layers[1]!.digest);
    h.ecrHas('team/app', clean.pushedDigest, ['v1']);
    h.ecrHas('team/other', tampered.pushedDigest, ['v1']);
  });

  afterAll(async () => {
    await h?.stop();
  });

  const push = (repository: string, image: PushedImage): string => JSON.stringify(imageActionEvent({ repository, digest: image.pushedDigest, tag: 'v1' }));

  it('scans good pushes, records a tampered image FAILED, acknowledges bad records and reports only the transient failure', async () => {
    const stranger = `sha256:${'d4'.repeat(32)}`;
    h.throttledDescribes.add(stranger);
    const { records, ids } = await h.deliver([
      { id: 'clean', body: push('team/app', clean) },
      { id: 'tampered', body: push('team/other', tampered) },
      { id: 'malformed', body: '{"source": "aws.ecr", "detail-type": ' },
      { id: 'storage', body: JSON.stringify(imageActionEvent({ repository: 'team/app', digest: clean.pushedDigest, action: 'UPDATE_STORAGE_CLASS' })) },
      { id: 'failed', body: JSON.stringify(imageActionEvent({ repository: 'team/app', digest: clean.pushedDigest, tag: 'v9', result: 'FAILURE' })) },
      { id: 'throttled', body: JSON.stringify(imageActionEvent({ repository: 'team/app', digest: stranger, tag: 'v2' })) },
    ]);

    const response = await h.handler()({ Records: records } as SQSEvent, handlerContext);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: ids.get('throttled') }]);

    const scanned = await h.results.get(parseDigest(clean.pushedDigest));
    expect(scanned?.reason).toBeUndefined();
    expect(scanned).toMatchObject({ status: 'SCANNED', digest: clean.pushedDigest });
    expect(scanned!.layers.map((layer) => layer.digest)).toEqual(clean.parts(clean.root).layers.map((layer) => layer.digest));
    const failed = await h.results.get(parseDigest(tampered.pushedDigest));
    expect(failed).toMatchObject({ status: 'FAILED' });
    expect(failed!.reason).toContain(tampered.parts(tampered.root).layers[1]!.digest);
    expect(await h.results.get(stranger as Digest)).toBeUndefined();

    const state = await h.images.get({ account: ACCOUNT, region: REGION, repository: 'team/app', digest: parseDigest(clean.pushedDigest) });
    expect(state?.tags).toEqual(['v1']);
    // The failed push's tag was never recorded.
    expect(state?.tags).not.toContain('v9');
  });

  it('acknowledges a duplicate event without scanning again', async () => {
    const before = await h.results.get(parseDigest(clean.pushedDigest));
    const requestsBefore = h.registry.storageRequests.length;
    const { records } = await h.deliver([{ id: 'again', body: push('team/app', clean) }]);
    expect(await h.handler()({ Records: records } as SQSEvent, handlerContext)).toEqual({ batchItemFailures: [] });
    expect(h.registry.storageRequests.length).toBe(requestsBefore);
    const after = await h.results.get(parseDigest(clean.pushedDigest));
    expect(after?.finishedAt).toEqual(before?.finishedAt);
  });
});
