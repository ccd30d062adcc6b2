import { describe, expect, it } from 'vitest';
import type { EcrImageEvent } from '../../../lambdas/adapters/ecr/ecr-image-event.ts';
import type { Digest } from '../../../lambdas/core/digest.ts';
import { planEvent } from '../../../lambdas/handlers/scan-image/plan-event.ts';
import { readScannerEnvironment } from '../../../lambdas/handlers/scan-image/scanner-environment.ts';

const digest = `sha256:${'e5'.repeat(32)}` as Digest;
const event = (kind: EcrImageEvent['kind'], tag?: string): EcrImageEvent => ({
  kind,
  eventId: 'evt',
  account: '111122223333',
  region: 'eu-west-1',
  repository: 'app',
  digest,
  ...(tag !== undefined ? { tag } : {}),
  time: '2026-11-16T01:54:34Z',
});
const key = { account: '111122223333', region: 'eu-west-1', repository: 'app', digest };
const at = new Date('2026-11-16T01:54:34Z');

describe('planEvent', () => {
  it.each([
    ['a push of a digest ECR no longer has', event('push', 'v1'), { exists: false } as const, 'skip'],
    ['an untagged DELETE of a digest ECR still has', event('delete'), { exists: true, digest, tags: [] } as const, 'skip'],
    ['a DELETE of a tag pushed back onto the digest', event('delete', 'v1'), { exists: true, digest, tags: ['v1'] } as const, 'skip'],
  ])('skips %s', (_name, input, now, action) => {
    expect(planEvent(input, now).action).toBe(action);
  });

  it('marks the image deleted only when ECR no longer has the digest', () => {
    expect(planEvent(event('delete', 'v1'), { exists: false })).toEqual({ action: 'mark-deleted', key, at });
    expect(planEvent(event('delete', 'v1'), { exists: true, digest, tags: ['v2'] })).toEqual({ action: 'remove-tag', key, tag: 'v1', at });
  });

  it('scans a pull-through-cache image with the push time ECR reports, falling back to the event time', () => {
    const pushedAt = new Date('2026-11-16T01:50:00Z');
    expect(planEvent(event('pull-through-cache', '3.17'), { exists: true, digest, tags: ['3.17'], pushedAt })).toEqual({
      action: 'scan',
      request: { ...key, tag: '3.17', pushedAt, kind: 'pull-through-cache' },
    });
    expect(planEvent(event('push'), { exists: true, digest, tags: [] })).toEqual({ action: 'scan', request: { ...key, pushedAt: at, kind: 'push' } });
  });
});

describe('readScannerEnvironment', () => {
  it('reads the names the CDK construct sets', () => {
    expect(
      readScannerEnvironment({ AWS_REGION: 'eu-west-1', FINDINGS_TABLE_NAME: 'findings', ADVISORY_TABLE_NAME: 'advisories', SBOM_BUCKET_NAME: 'sboms', ADVISORY_MAX_AGE_HOURS: '24' }),
    ).toEqual({ region: 'eu-west-1', findingsTable: 'findings', advisoryTable: 'advisories', sbomBucket: 'sboms', advisoryMaxAgeMs: 24 * 3_600_000 });
  });

  it('fails naming what is missing', () => {
    expect(() => readScannerEnvironment({ AWS_REGION: 'eu-west-1', FINDINGS_TABLE_NAME: 'findings' })).toThrow(/ADVISORY_TABLE_NAME.*SBOM_BUCKET_NAME/);
  });
});
