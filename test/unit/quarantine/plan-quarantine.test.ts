import { describe, expect, it } from 'vitest';
import { DEFAULT_QUARANTINE_POLICY, type QuarantinePolicy } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import type { RepositorySettings } from '../../../lambdas/core/pipeline/repository-settings.ts';
import { planQuarantine, type QuarantinePlan } from '../../../lambdas/core/quarantine/plan-quarantine.ts';

function settingsOf(overrides: Partial<RepositorySettings> = {}): RepositorySettings {
  return {
    repository: { account: '111122223333', region: 'eu-west-1', repository: 'team-a/app' },
    tagMutability: 'MUTABLE',
    exclusions: [],
    expiringLifecycleRules: [],
    replicatedTo: [],
    ...overrides,
  };
}

function plan(tags: readonly string[], settings: Partial<RepositorySettings> = {}, policy: Partial<QuarantinePolicy> = {}, supportsArchive = true): QuarantinePlan {
  return planQuarantine({ settings: settingsOf(settings), tags, policy: { ...DEFAULT_QUARANTINE_POLICY, ...policy }, supportsArchive });
}

function codes(result: QuarantinePlan): string[] {
  return result.action === 'nothing' ? [] : result.warnings.map((warning) => warning.code);
}

const MARKER = 'customs-quarantine-0123456789ab';

describe('planQuarantine by tag mutability', () => {
  it('MUTABLE: untags every tag but the marker, sorted, and warns that the digest stays pullable', () => {
    const result = plan(['latest', MARKER, '1.2', 'latest']);
    expect(result).toMatchObject({ action: 'quarantine', method: 'untag', remove: ['1.2', 'latest'], keptTags: [] });
    expect(codes(result)).toEqual(['DIGEST_PULLABLE']);
  });

  it('IMMUTABLE: archives by default, keeping the immutable tags with why', () => {
    const result = plan(['1.2', 'latest'], { tagMutability: 'IMMUTABLE' });
    expect(result).toMatchObject({
      action: 'quarantine',
      method: 'archive',
      remove: [],
      keptTags: [
        { tag: '1.2', why: 'immutable' },
        { tag: 'latest', why: 'immutable' },
      ],
    });
    expect(codes(result)).toEqual(['IMMUTABLE_TAGS']);
  });

  it('IMMUTABLE with immutableTags alert-only: skipped with the tags in the reason', () => {
    const result = plan(['1.2'], { tagMutability: 'IMMUTABLE' }, { immutableTags: 'alert-only' });
    expect(result).toMatchObject({ action: 'skip', code: 'IMMUTABLE_TAGS' });
    expect(result.action === 'skip' && result.reason).toContain('1.2');
    expect(codes(result)).toEqual(['IMMUTABLE_TAGS']);
  });

  it('IMMUTABLE with the explicit untag opt-in: untags anyway, warning that the names are freed', () => {
    const result = plan(['1.2'], { tagMutability: 'IMMUTABLE' }, { immutableTags: 'untag' });
    expect(result).toMatchObject({ action: 'quarantine', method: 'untag', remove: ['1.2'] });
    expect(codes(result)).toEqual(['IMMUTABLE_TAGS', 'DIGEST_PULLABLE']);
  });

  it('IMMUTABLE_WITH_EXCLUSION: tags the filters match are mutable and untagged; any other one makes it archive', () => {
    const settings: Partial<RepositorySettings> = { tagMutability: 'IMMUTABLE_WITH_EXCLUSION', exclusions: [{ filterType: 'WILDCARD', filter: 'dev-*' }] };
    expect(plan(['dev-1', 'dev-2'], settings)).toMatchObject({ action: 'quarantine', method: 'untag', remove: ['dev-1', 'dev-2'] });
    expect(plan(['dev-1', '1.2'], settings)).toMatchObject({ action: 'quarantine', method: 'archive', keptTags: [{ tag: '1.2', why: 'immutable' }] });
  });

  it('MUTABLE_WITH_EXCLUSION: only the tags the filters match are immutable', () => {
    const settings: Partial<RepositorySettings> = { tagMutability: 'MUTABLE_WITH_EXCLUSION', exclusions: [{ filterType: 'WILDCARD', filter: 'release-*' }] };
    expect(plan(['latest', 'main'], settings)).toMatchObject({ action: 'quarantine', method: 'untag', remove: ['latest', 'main'] });
    expect(plan(['latest', 'release-1'], settings)).toMatchObject({ action: 'quarantine', method: 'archive', keptTags: [{ tag: 'release-1', why: 'immutable' }] });
    expect(plan(['latest', 'release-1'], settings, { immutableTags: 'alert-only' })).toMatchObject({ action: 'skip', code: 'IMMUTABLE_TAGS' });
  });

  it('does not ask about immutability when the policy archives anyway', () => {
    const result = plan(['1.2'], { tagMutability: 'IMMUTABLE' }, { method: 'archive', immutableTags: 'alert-only' });
    expect(result).toMatchObject({ action: 'quarantine', method: 'archive', keptTags: [] });
    expect(codes(result)).toEqual([]);
  });
});

describe('planQuarantine skips', () => {
  it('a pull-through cache repository, whatever the mutability, naming the upstream', () => {
    const result = plan(['latest'], { pullThroughCache: { prefix: 'docker-hub', upstreamRegistryUrl: 'registry-1.docker.io' } });
    expect(result).toMatchObject({ action: 'skip', code: 'PULL_THROUGH_CACHE' });
    expect(result.action === 'skip' && result.warnings[0]?.message).toContain('registry-1.docker.io');
  });

  it('archive where the registry has no storage classes, asked for or forced by immutable tags', () => {
    expect(plan(['latest'], {}, { method: 'archive' }, false)).toMatchObject({ action: 'skip', code: 'ARCHIVE_UNSUPPORTED' });
    const forced = plan(['1.2'], { tagMutability: 'IMMUTABLE' }, {}, false);
    expect(forced).toMatchObject({ action: 'skip', code: 'ARCHIVE_UNSUPPORTED' });
    expect(codes(forced)).toEqual(['IMMUTABLE_TAGS', 'ARCHIVE_UNSUPPORTED']);
    // untag needs no storage classes.
    expect(plan(['latest'], {}, {}, false)).toMatchObject({ action: 'quarantine', method: 'untag' });
  });

  it('has nothing to untag on an untagged digest (only its marker), but archives one', () => {
    expect(plan([MARKER])).toMatchObject({ action: 'nothing' });
    expect(plan([], {}, { method: 'archive' })).toMatchObject({ action: 'quarantine', method: 'archive' });
  });
});

describe('planQuarantine warnings', () => {
  const lifecycle: Partial<RepositorySettings> = {
    expiringLifecycleRules: [{ priority: 1, description: 'expire untagged', reason: 'expires untagged images after 1 day' }],
  };

  it('warns of a lifecycle rule that could expire an untagged or marked image, naming it', () => {
    const result = plan(['latest'], lifecycle);
    expect(codes(result)).toEqual(['LIFECYCLE_EXPIRY', 'DIGEST_PULLABLE']);
    const message = result.action === 'quarantine' ? result.warnings[0]!.message : '';
    expect(message).toContain('rule 1 (expire untagged): expires untagged images after 1 day');
  });

  it('does not warn of those rules when archive leaves the image its tags, but does for an untagged one', () => {
    expect(codes(plan(['latest'], lifecycle, { method: 'archive' }))).toEqual([]);
    expect(codes(plan([], lifecycle, { method: 'archive' }))).toEqual(['LIFECYCLE_EXPIRY']);
  });

  it('warns that replicas are not quarantined, naming where they are', () => {
    const result = plan(['latest'], { replicatedTo: [{ region: 'us-east-1', registryId: '111122223333' }] }, { method: 'archive' });
    expect(codes(result)).toEqual(['REPLICATED']);
    expect(result.action === 'quarantine' && result.warnings[0]!.message).toContain('111122223333 in us-east-1');
  });
});
