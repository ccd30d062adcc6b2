import { describe, expect, it } from 'vitest';
import { parseEcrEvent } from '../../../../lambdas/adapters/ecr/parse-ecr-event.ts';
import { ACCOUNT, REGION, imageActionEvent, pullThroughCacheEvent, replicationEvent } from '../../../support/ecr-events.ts';

// Shapes from https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html
// ("Sample events from Amazon ECR"), built by test/support/ecr-events.ts with valid digests.
const DIGEST = `sha256:${'a1'.repeat(32)}`;
const body = (event: unknown): string => JSON.stringify(event);

describe('parseEcrEvent', () => {
  it('reads a tagged PUSH into an image event with account, Region, repository, digest, tag and time', () => {
    const event = imageActionEvent({ repository: 'team/app', digest: DIGEST, tag: 'v1.4' });
    expect(parseEcrEvent(body(event))).toEqual({
      ok: true,
      event: { kind: 'push', eventId: event.id, account: ACCOUNT, region: REGION, repository: 'team/app', digest: DIGEST, tag: 'v1.4', time: '2026-11-16T01:54:34Z' },
    });
  });

  it('reads an untagged PUSH (a platform manifest of an index) with its media types and no tag', () => {
    const parsed = parseEcrEvent(
      body(imageActionEvent({ repository: 'app', digest: DIGEST, manifestMediaType: 'application/vnd.oci.image.manifest.v1+json', artifactMediaType: 'application/vnd.oci.image.config.v1+json' })),
    );
    if (!parsed.ok) throw new Error(parsed.rejection.message);
    expect(parsed.event).not.toHaveProperty('tag');
    expect(parsed.event).toMatchObject({ kind: 'push', manifestMediaType: 'application/vnd.oci.image.manifest.v1+json', artifactMediaType: 'application/vnd.oci.image.config.v1+json' });
  });

  it('reads a DELETE as a hint to re-read the image, keeping the tag it names', () => {
    const parsed = parseEcrEvent(body(imageActionEvent({ repository: 'app', digest: DIGEST, tag: 'latest', action: 'DELETE' })));
    expect(parsed).toMatchObject({ ok: true, event: { kind: 'delete', tag: 'latest', digest: DIGEST } });
  });

  it('reads a replication and a pull-through-cache event, which never come as a PUSH', () => {
    expect(parseEcrEvent(body(replicationEvent({ repository: 'docker-hub/alpine', digest: DIGEST, tag: '3.17.2' })))).toMatchObject({
      ok: true,
      event: { kind: 'replication', repository: 'docker-hub/alpine', tag: '3.17.2', account: ACCOUNT, region: REGION },
    });
    expect(parseEcrEvent(body(pullThroughCacheEvent({ repository: 'docker-hub/alpine', digest: DIGEST, tag: '3.17.2' })))).toMatchObject({
      ok: true,
      event: { kind: 'pull-through-cache', repository: 'docker-hub/alpine', digest: DIGEST },
    });
  });

  it('accepts the documented sample time of 2023-02-29, checking only its format', () => {
    const event = { ...pullThroughCacheEvent({ repository: 'docker-hub/alpine', digest: DIGEST }), time: '2023-02-29T02:36:48Z' };
    expect(parseEcrEvent(body(event)).ok).toBe(true);
  });

  it.each([
    ['a failed push', imageActionEvent({ repository: 'app', digest: DIGEST, tag: 'v1', result: 'FAILURE' }), 'ECR Image Action PUSH has result FAILURE'],
    ['a failed replication', replicationEvent({ repository: 'app', digest: DIGEST, result: 'FAILED' }), 'ECR Replication Action has result FAILED'],
    ['a failed sync', pullThroughCacheEvent({ repository: 'docker-hub/alpine', syncStatus: 'FAILED' }), 'ECR Pull Through Cache Action has sync-status FAILED'],
  ])('rejects %s as failed-action', (_name, event, message) => {
    expect(parseEcrEvent(body(event))).toEqual({ ok: false, rejection: expect.objectContaining({ reason: 'failed-action', message }) });
  });

  it.each([
    ['a storage class change', imageActionEvent({ repository: 'app', digest: DIGEST, action: 'UPDATE_STORAGE_CLASS' }), 'UPDATE_STORAGE_CLASS is neither a PUSH nor a DELETE'],
    ['an ECR Image Scan', { ...imageActionEvent({ repository: 'app', digest: DIGEST }), 'detail-type': 'ECR Image Scan' }, '"ECR Image Scan" brings no image'],
  ])('rejects %s as not-a-push', (_name, event, message) => {
    const parsed = parseEcrEvent(body(event));
    if (parsed.ok) throw new Error('expected a rejection');
    expect(parsed.rejection.reason).toBe('not-a-push');
    expect(parsed.rejection.message).toContain(message);
  });

  it.each([
    ['a body that is not JSON', '{"version":', 'record body is not JSON'],
    ['an event from another source', body({ ...imageActionEvent({ repository: 'app', digest: DIGEST }), source: 'aws.s3' }), 'source:'],
    ['a bad account', body({ ...imageActionEvent({ repository: 'app', digest: DIGEST }), account: '12' }), 'account: not an AWS account ID'],
    ['the documented sample digest, 60 hex digits', body(imageActionEvent({ repository: 'app', digest: `sha256:${'7f5b'.repeat(15)}` })), 'is not a valid sha256'],
    ['an upper-case repository name', body(imageActionEvent({ repository: 'Team/App', digest: DIGEST })), 'detail: repository-name'],
    ['a tag with a slash', body(imageActionEvent({ repository: 'app', digest: DIGEST, tag: 'a/b' })), 'image-tag: not an image tag'],
    ['a missing digest', body({ ...imageActionEvent({ repository: 'app', digest: DIGEST }), detail: { result: 'SUCCESS', 'action-type': 'PUSH', 'repository-name': 'app' } }), 'image-digest'],
    ['a successful sync without a digest', body(pullThroughCacheEvent({ repository: 'docker-hub/alpine' })), 'image-digest is missing'],
  ])('rejects %s as malformed, saying what was wrong', (_name, text, message) => {
    const parsed = parseEcrEvent(text);
    if (parsed.ok) throw new Error('expected a rejection');
    expect(parsed.rejection.reason).toBe('malformed');
    expect(parsed.rejection.message).toContain(message);
  });
});
