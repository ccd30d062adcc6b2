import { describe, expect, it } from 'vitest';
import { parseDigest } from '../../../../lambdas/core/digest.ts';
import { quarantineMarkerOf } from '../../../../lambdas/core/pipeline/quarantine-model.ts';
import { scanRequestFor, tagDifference } from '../../../../lambdas/core/use-cases/backfill-images.ts';

const DIGEST = parseDigest(`sha256:${'ab'.repeat(32)}`);
const MARKER = quarantineMarkerOf(DIGEST);
const REPOSITORY = { account: '111122223333', region: 'eu-west-1', repository: 'team/app' };

describe('tagDifference', () => {
  it('adds what the registry shows and the state lacks, removes what the state has and the registry does not', () => {
    expect(tagDifference(['v2', 'latest', 'v1'], ['v1', 'old'])).toEqual({ add: ['latest', 'v2'], remove: ['old'] });
    expect(tagDifference(['a'], ['a'])).toEqual({ add: [], remove: [] });
    expect(tagDifference([], ['a', 'b'])).toEqual({ add: [], remove: ['a', 'b'] });
  });

  it('leaves quarantine markers out on both sides: they are never image state', () => {
    expect(tagDifference([MARKER, 'prod'], [])).toEqual({ add: ['prod'], remove: [] });
    expect(tagDifference([], [MARKER])).toEqual({ add: [], remove: [] });
  });
});

describe('scanRequestFor', () => {
  const now = new Date('2025-07-01T00:00:00Z');

  it('asks what a push of the image would: its first tag by name (never a marker) and its push time', () => {
    const pushedAt = new Date('2025-03-04T00:00:00Z');
    expect(scanRequestFor(REPOSITORY, { digest: DIGEST, tags: [MARKER, 'v2', 'v1'], pushedAt }, now)).toEqual({ ...REPOSITORY, digest: DIGEST, tag: 'v1', pushedAt, kind: 'push' });
  });

  it('an untagged image (or one with only a marker) is an untagged push; no push time stands in as now', () => {
    expect(scanRequestFor(REPOSITORY, { digest: DIGEST, tags: [MARKER] }, now)).toEqual({ ...REPOSITORY, digest: DIGEST, pushedAt: now, kind: 'push' });
  });
});
