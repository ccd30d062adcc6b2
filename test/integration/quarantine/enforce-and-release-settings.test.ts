import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../../lambdas/core/digest.ts';
import type { KeptTag } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import { ACCOUNT } from '../../support/ecr-events.ts';
import type { StubRepositorySettings } from '../../support/ecr-quarantine-stub.ts';
import { startQuarantineWorld, type QuarantineWorld, type SeededImage } from './quarantine-world.ts';

/**
 * Enforce mode decided from the repository's settings as ECR reports them (DescribeRepositories,
 * GetLifecyclePolicy, DescribePullThroughCacheRules, DescribeRegistry answered by the stub), through
 * the real adapters on DynamoDB Local: each tag mutability mode with exclusion filters covering some
 * tags and not others, the immutableTags choices, and the warnings. Every ECR write exact.
 */
describe('enforce mode under each repository setting', () => {
  let w: QuarantineWorld;

  beforeAll(async () => {
    w = await startQuarantineWorld('customs-enforce-settings');
  });

  afterAll(() => {
    w?.stop();
  });

  const untagWrites = (image: SeededImage, tags: readonly string[]) => [
    { command: 'PutImage', input: w.putImage(image, image.marker) },
    ...tags.map((tag) => ({ command: 'BatchDeleteImage', input: { registryId: ACCOUNT, repositoryName: image.key.repository, imageIds: [{ imageDigest: image.digest, imageTag: tag }] } })),
  ];
  const archiveWrite = (repository: string, digest: Digest) => ({
    command: 'UpdateImageStorageClass',
    input: { registryId: ACCOUNT, repositoryName: repository, imageId: { imageDigest: digest }, targetStorageClass: 'ARCHIVE' },
  });

  /** Seeds a failing image under the settings, enforces it, and answers what happened. */
  async function enforced(repository: string, tags: readonly string[], settings: StubRepositorySettings = {}) {
    w.ecr.repository(repository, settings);
    const image = await w.seed(repository, tags);
    const writes = w.ecr.writes.length;
    const alerts = w.alerts.length;
    const outcome = await w.enforce(image.key);
    const stored = await w.quarantines.get(image.key);
    return { image, outcome, writes: w.ecr.writes.slice(writes), alerts: w.alertsSince(alerts), record: stored?.record, pending: stored?.pending };
  }

  const codes = (warnings: readonly { code: string }[] | undefined) => (warnings ?? []).map((warning) => warning.code).sort();

  it('MUTABLE: untags (marker, then each tag by digest and tag), with only the digest-pullable warning', async () => {
    const { image, outcome, writes, alerts, record } = await enforced('mutable/app', ['1', 'latest'], { mutability: 'MUTABLE' });
    expect(outcome).toMatchObject({ action: 'quarantined', method: 'untag', removedTags: ['1', 'latest'], keptTags: [] });
    expect(writes).toEqual(untagWrites(image, ['1', 'latest']));
    expect(w.ecr.tags(image.key.repository, image.digest)).toEqual([image.marker]);
    expect(codes(record?.warnings)).toEqual(['DIGEST_PULLABLE']);
    expect(alerts.map((alert) => [alert.eventType, codes(alert.quarantine?.warnings)])).toEqual([['QUARANTINED', ['DIGEST_PULLABLE']]]);
  });

  it('IMMUTABLE: archives by default, the immutable tags kept on the image and named in the IMMUTABLE_TAGS warning', async () => {
    const { image, outcome, writes, alerts, record } = await enforced('immutable/app', ['1', 'latest'], { mutability: 'IMMUTABLE' });
    const kept: KeptTag[] = [{ tag: '1', why: 'immutable' }, { tag: 'latest', why: 'immutable' }];
    expect(outcome).toMatchObject({ action: 'quarantined', method: 'archive', removedTags: [], keptTags: kept, storage: 'ARCHIVED' });
    expect(writes).toEqual([archiveWrite(image.key.repository, image.digest)]);
    expect(w.ecr.tags(image.key.repository, image.digest)).toEqual(['1', 'latest']);
    expect(record).toMatchObject({ state: 'QUARANTINED', method: 'archive', keptTags: kept, storage: 'ARCHIVED' });
    expect(codes(record?.warnings)).toEqual(['IMMUTABLE_TAGS']);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ eventType: 'QUARANTINED', quarantine: { method: 'archive', keptTags: kept } });
    expect(alerts[0]!.quarantine!.warnings.find((warning) => warning.code === 'IMMUTABLE_TAGS')?.message).toContain('1, latest');
  });

  it('IMMUTABLE with immutableTags alert-only: SKIPPED with a QUARANTINE_SKIPPED alert and no ECR write; asked again, nothing new', async () => {
    const { image, outcome, writes, alerts, record, pending } = await enforced('alert-only/app', ['1'], { mutability: 'IMMUTABLE' });
    expect(outcome).toEqual({ key: image.key, action: 'skipped', reason: expect.stringContaining('alert-only'), alertId: expect.any(String) });
    expect(writes).toEqual([]);
    expect(w.ecr.tags(image.key.repository, image.digest)).toEqual(['1']);
    expect(w.ecr.status(image.key.repository, image.digest)).toBe('ACTIVE');
    expect(record).toMatchObject({ state: 'SKIPPED', skippedReason: outcome.action === 'skipped' ? outcome.reason : '', removedTags: [] });
    expect(pending).toBeUndefined();
    expect(codes(record?.warnings)).toEqual(['IMMUTABLE_TAGS']);
    expect(alerts.map((alert) => [alert.eventType, alert.alertId, alert.quarantine?.state, codes(alert.quarantine?.warnings)])).toEqual([
      ['QUARANTINE_SKIPPED', outcome.action === 'skipped' ? outcome.alertId : '', 'SKIPPED', ['IMMUTABLE_TAGS']],
    ]);

    const before = { writes: w.ecr.writes.length, alerts: w.alerts.length };
    expect(await w.enforce(image.key)).toMatchObject({ action: 'none' });
    expect(w.ecr.writes.length).toBe(before.writes);
    expect(w.alerts.length).toBe(before.alerts);
  });

  it('IMMUTABLE with immutableTags untag: untags as opted in, with the IMMUTABLE_TAGS warning', async () => {
    const { image, outcome, writes, record, alerts } = await enforced('untag-anyway/app', ['1', 'latest'], { mutability: 'IMMUTABLE' });
    expect(outcome).toMatchObject({ action: 'quarantined', method: 'untag', removedTags: ['1', 'latest'], keptTags: [] });
    expect(writes).toEqual(untagWrites(image, ['1', 'latest']));
    expect(w.ecr.tags(image.key.repository, image.digest)).toEqual([image.marker]);
    expect(codes(record?.warnings)).toEqual(['DIGEST_PULLABLE', 'IMMUTABLE_TAGS']);
    expect(codes(alerts[0]?.quarantine?.warnings)).toEqual(['DIGEST_PULLABLE', 'IMMUTABLE_TAGS']);
    expect(alerts[0]!.quarantine!.warnings.find((warning) => warning.code === 'IMMUTABLE_TAGS')?.message).toContain('immutableTags: untag');
  });

  // The decision follows whether the tags to remove are immutable under the mode and its filters.
  const exclusionCases = [
    { mode: 'MUTABLE_WITH_EXCLUSION', filter: 'release-*', repository: 'mutable-excl/plain', tags: ['dev', 'nightly'], immutable: [] },
    { mode: 'MUTABLE_WITH_EXCLUSION', filter: 'release-*', repository: 'mutable-excl/release', tags: ['dev', 'release-1'], immutable: ['release-1'] },
    { mode: 'IMMUTABLE_WITH_EXCLUSION', filter: 'dev-*', repository: 'immutable-excl/dev', tags: ['dev-1', 'dev-2'], immutable: [] },
    { mode: 'IMMUTABLE_WITH_EXCLUSION', filter: 'dev-*', repository: 'immutable-excl/mixed', tags: ['dev-1', 'v1'], immutable: ['v1'] },
  ] as const;
  for (const { mode, filter, repository, tags, immutable } of exclusionCases) {
    const decision = immutable.length === 0 ? 'untags' : `archives (${immutable.join(', ')} immutable)`;
    it(`${mode} with filter ${filter}: tags ${tags.join(', ')} → ${decision}`, async () => {
      const { image, outcome, writes, record } = await enforced(repository, tags, { mutability: mode, exclusions: [filter] });
      if (immutable.length === 0) {
        expect(outcome).toMatchObject({ action: 'quarantined', method: 'untag', removedTags: tags, keptTags: [] });
        expect(writes).toEqual(untagWrites(image, tags));
        expect(w.ecr.tags(repository, image.digest)).toEqual([image.marker]);
        expect(codes(record?.warnings)).toEqual(['DIGEST_PULLABLE']);
      } else {
        const kept = immutable.map((tag) => ({ tag, why: 'immutable' }));
        expect(outcome).toMatchObject({ action: 'quarantined', method: 'archive', removedTags: [], keptTags: kept, storage: 'ARCHIVED' });
        expect(writes).toEqual([archiveWrite(repository, image.digest)]);
        expect(w.ecr.tags(repository, image.digest)).toEqual(tags);
        expect(codes(record?.warnings)).toEqual(['IMMUTABLE_TAGS']);
      }
    });
  }

  it('warns LIFECYCLE_EXPIRY, naming the rules that could expire the quarantined image and not the one that cannot', async () => {
    const lifecyclePolicy = JSON.stringify({
      rules: [
        { rulePriority: 1, description: 'old releases', selection: { tagStatus: 'tagged', tagPrefixList: ['release-'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
        { rulePriority: 2, description: 'untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } },
        { rulePriority: 3, description: 'markers', selection: { tagStatus: 'tagged', tagPrefixList: ['customs-quarantine-'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 }, action: { type: 'expire' } },
      ],
    });
    const { image, outcome, writes, record, alerts } = await enforced('lifecycle/app', ['1'], { lifecyclePolicy });
    expect(outcome).toMatchObject({ action: 'quarantined', method: 'untag', removedTags: ['1'] });
    expect(writes).toEqual(untagWrites(image, ['1']));
    expect(codes(record?.warnings)).toEqual(['DIGEST_PULLABLE', 'LIFECYCLE_EXPIRY']);
    const warning = alerts[0]?.quarantine?.warnings.find((entry) => entry.code === 'LIFECYCLE_EXPIRY');
    expect(warning?.message).toMatch(/rule 2 \(untagged\).*rule 3 \(markers\)/);
    expect(warning?.message).not.toContain('rule 1');
    expect(record?.warnings.find((entry) => entry.code === 'LIFECYCLE_EXPIRY')).toEqual(warning);
  });

  it('warns REPLICATED where a replication rule covers the repository (still untagging here), and not elsewhere', async () => {
    w.ecr.replication([{ destinations: [{ region: 'us-west-2', registryId: ACCOUNT }], repositoryFilters: [{ filter: 'replicated/', filterType: 'PREFIX_MATCH' }] }]);
    try {
      const covered = await enforced('replicated/app', ['1']);
      expect(covered.outcome).toMatchObject({ action: 'quarantined', method: 'untag', removedTags: ['1'] });
      expect(covered.writes).toEqual(untagWrites(covered.image, ['1']));
      expect(codes(covered.record?.warnings)).toEqual(['DIGEST_PULLABLE', 'REPLICATED']);
      const warning = covered.alerts[0]?.quarantine?.warnings.find((entry) => entry.code === 'REPLICATED');
      expect(warning?.message).toContain(`${ACCOUNT} in us-west-2`);

      const elsewhere = await enforced('local-only/app', ['1']);
      expect(codes(elsewhere.record?.warnings)).toEqual(['DIGEST_PULLABLE']);
    } finally {
      w.ecr.replication([]);
    }
  });

  it('does not enforce on a pull-through-cache repository: SKIPPED with PULL_THROUGH_CACHE, no ECR write', async () => {
    w.ecr.pullThroughCache([{ prefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws' }]);
    try {
      const { image, outcome, writes, record, alerts } = await enforced('ecr-public/library/app', ['1']);
      expect(outcome).toEqual({ key: image.key, action: 'skipped', reason: expect.stringContaining('public.ecr.aws'), alertId: expect.any(String) });
      expect(writes).toEqual([]);
      expect(w.ecr.tags(image.key.repository, image.digest)).toEqual(['1']);
      expect(record).toMatchObject({ state: 'SKIPPED', removedTags: [] });
      expect(codes(record?.warnings)).toEqual(['PULL_THROUGH_CACHE']);
      expect(alerts.map((alert) => [alert.eventType, codes(alert.quarantine?.warnings)])).toEqual([['QUARANTINE_SKIPPED', ['PULL_THROUGH_CACHE']]]);

      // A repository outside the rule's namespace is enforced as usual.
      const outside = await enforced('ecr-publicity/app', ['1']);
      expect(outside.outcome).toMatchObject({ action: 'quarantined', method: 'untag' });
    } finally {
      w.ecr.pullThroughCache([]);
    }
  });
});
