import { describe, expect, it } from 'vitest';
import type { TagMutability, TagMutabilityExclusion } from '../../../../lambdas/core/pipeline/repository-settings.ts';
import { tagIsImmutable } from '../../../../lambdas/core/pipeline/tag-mutability.ts';
import { wildcardMatches } from '../../../../lambdas/core/pipeline/wildcard.ts';

const wildcard = (filter: string): TagMutabilityExclusion => ({ filterType: 'WILDCARD', filter });
const settings = (tagMutability: TagMutability, ...filters: string[]) => ({ tagMutability, exclusions: filters.map(wildcard) });

describe('tagIsImmutable', () => {
  it('MUTABLE: every tag may move', () => {
    for (const tag of ['latest', 'v1.2.3', 'customs-quarantine-0123456789ab']) expect(tagIsImmutable(settings('MUTABLE'), tag)).toBe(false);
  });

  it('IMMUTABLE: no tag may move', () => {
    for (const tag of ['latest', 'v1.2.3', 'customs-quarantine-0123456789ab']) expect(tagIsImmutable(settings('IMMUTABLE'), tag)).toBe(true);
  });

  it('IMMUTABLE_WITH_EXCLUSION: immutable unless an exclusion filter matches the tag', () => {
    const repository = settings('IMMUTABLE_WITH_EXCLUSION', 'latest', 'dev-*');
    expect(tagIsImmutable(repository, 'latest')).toBe(false);
    expect(tagIsImmutable(repository, 'dev-42')).toBe(false);
    expect(tagIsImmutable(repository, 'dev-')).toBe(false);
    expect(tagIsImmutable(repository, 'v1.2.3')).toBe(true);
    expect(tagIsImmutable(repository, 'latest-1')).toBe(true);
    expect(tagIsImmutable(repository, 'my-dev-42')).toBe(true);
  });

  it('MUTABLE_WITH_EXCLUSION: mutable unless an exclusion filter matches the tag', () => {
    const repository = settings('MUTABLE_WITH_EXCLUSION', 'v*.*.*', 'release');
    expect(tagIsImmutable(repository, 'v1.2.3')).toBe(true);
    expect(tagIsImmutable(repository, 'release')).toBe(true);
    expect(tagIsImmutable(repository, 'latest')).toBe(false);
    expect(tagIsImmutable(repository, 'v1.2')).toBe(false);
    expect(tagIsImmutable(repository, 'release-candidate')).toBe(false);
  });

  it('an _WITH_EXCLUSION mode without a matching filter is its base mode', () => {
    expect(tagIsImmutable(settings('IMMUTABLE_WITH_EXCLUSION'), 'latest')).toBe(true);
    expect(tagIsImmutable(settings('MUTABLE_WITH_EXCLUSION'), 'latest')).toBe(false);
  });
});

describe('wildcardMatches (ECR WILDCARD filters)', () => {
  it.each([
    ['latest', 'latest', true],
    ['latest', 'latest2', false],
    ['latest', 'xlatest', false],
    ['dev-*', 'dev-', true],
    ['dev-*', 'dev-feature.x', true],
    ['dev-*', 'dev', false],
    ['*-rc*', '1.0-rc1', true],
    ['*-rc*', '1.0-rc', true],
    ['*-rc*', '1.0rc1', false],
    ['release-*-final', 'release-2024-01-final', true],
    ['release-*-final', 'release--final', true],
    ['release-*-final', 'release-2024-01-final-2', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['*', 'anything.at_all-1', true],
    ['**', 'x', true],
    ['v1.2', 'v1x2', false],
  ])('%j matched against %j: %s', (pattern, tag, expected) => {
    expect(wildcardMatches(pattern, tag)).toBe(expected);
  });
});
