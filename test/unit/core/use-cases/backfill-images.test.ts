import { describe, expect, it } from 'vitest';
import { parseDigest } from '../../../../lambdas/core/digest.ts';
import type { ImageState, ScanRecord } from '../../../../lambdas/core/pipeline/model.ts';
import { quarantineMarkerOf } from '../../../../lambdas/core/pipeline/quarantine-model.ts';
import { backfillImages, scanRequestFor, tagDifference, type BackfillReport, type BackfillSkip } from '../../../../lambdas/core/use-cases/backfill-images.ts';

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

describe('backfillImages: what counts as scanned', () => {
  const digestOf = (n: number) => parseDigest(`sha256:${n.toString(16).padStart(64, '0')}`);
  const pushedAt = new Date('2025-03-01T00:00:00Z');
  const current = digestOf(1); // scanned by this version
  const older = digestOf(2); // scanned by an older version only
  const indexed = digestOf(3); // an index an older version linked to its children
  const stateless = digestOf(4); // scanned by an older version, but no state here: its event was lost
  const unscanned = digestOf(5); // state, but no committed scan (the scan never finished)
  const state = (digest: ReturnType<typeof digestOf>, children: readonly ReturnType<typeof digestOf>[] = []): ImageState => ({ ...REPOSITORY, digest, tags: [], pushedAt, firstSeenAt: pushedAt, kind: 'push', children: [...children], parents: [] });
  const scan = (digest: ReturnType<typeof digestOf>, scannerVersion: string): ScanRecord => ({ digest, scannerVersion, status: 'SCANNED', layers: [], packageCount: 0, findingCount: 0, severityCounts: {}, advisories: [], startedAt: pushedAt, finishedAt: pushedAt });
  const results = new Map([current, older, stateless].map((digest) => [digest, scan(digest, digest === current ? 'new' : 'old')]));

  async function backfill(skip?: BackfillSkip): Promise<{ report: BackfillReport; sent: string[] }> {
    const sent: string[] = [];
    const report = await backfillImages(
      { runId: 'r', reconcile: false, ...(skip ? { skip } : {}) },
      {
        catalog: {
          repositories: async function* () { yield REPOSITORY; },
          images: async function* () { for (const digest of [current, older, indexed, stateless, unscanned]) yield { digest, tags: [], pushedAt }; },
        },
        states: { imagesOf: async () => [state(current), state(older), state(indexed, [digestOf(9)]), state(unscanned)] },
        images: { recordPush: () => Promise.reject(new Error('not reconciling')), removeTag: () => Promise.reject(new Error('not reconciling')), markDeleted: () => Promise.reject(new Error('not reconciling')) },
        results: { get: async (digest) => results.get(digest) },
        completions: { done: async () => false },
        registry: { describe: () => Promise.reject(new Error('not reconciling')) },
        marks: { claim: async (_run, _repository, digests) => digests, sent: async () => undefined },
        queue: { send: async (_run, requests) => void sent.push(...requests.map((request) => request.digest)) },
        clock: { now: () => new Date('2025-07-01T00:00:00Z') },
        scannerVersion: 'new',
      },
    );
    return { report, sent: sent.sort() };
  }

  it('by default (the CLI) queues every image this version has not scanned', async () => {
    const { report, sent } = await backfill();
    expect(sent).toEqual([older, indexed, stateless, unscanned].sort());
    expect(report).toMatchObject({ skip: 'scanned-by-this-version', alreadyScanned: 1, leftToReindex: 0, withoutState: 1, queued: 4 });
  });

  it('with scanned-by-any-version (the daily pass) queues only images with no committed scan, leaving older scans to the re-index', async () => {
    const { report, sent } = await backfill('scanned-by-any-version');
    expect(sent).toEqual([stateless, unscanned].sort());
    expect(report).toMatchObject({ skip: 'scanned-by-any-version', alreadyScanned: 1, leftToReindex: 2, withoutState: 1, queued: 2 });
    expect(report.byRepository[0]).toMatchObject({ leftToReindex: 2, queued: 2 });
  });
});
