import { describe, expect, it } from 'vitest';
import { expiringRules } from '../../../../lambdas/core/pipeline/lifecycle-risk.ts';

const MARKER = 'customs-quarantine-';

interface RuleInput {
  readonly rulePriority: number;
  readonly description?: string;
  readonly selection: Record<string, unknown>;
  readonly action?: Record<string, unknown>;
  readonly [extra: string]: unknown;
}

const policy = (...rules: RuleInput[]) => JSON.stringify({ rules: rules.map((rule) => ({ action: { type: 'expire' }, ...rule })) });
const untaggedAfter = (days: number) => ({ tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: days });
const taggedCount = (lists: Record<string, string[]>, count = 10) => ({ tagStatus: 'tagged', ...lists, countType: 'imageCountMoreThan', countNumber: count });
const priorities = (text: string) => expiringRules(text, MARKER).map((rule) => rule.priority);

describe('expiringRules: which images each rule selects', () => {
  it('reports an untagged rule, with its description and a one-line reason', () => {
    expect(expiringRules(policy({ rulePriority: 1, description: 'old untagged', selection: untaggedAfter(14) }), MARKER)).toEqual([
      { priority: 1, description: 'old untagged', reason: 'expires untagged images 14 days after push' },
    ]);
  });

  it('reports an any rule, which reaches both untagged and marker-only images', () => {
    const [rule] = expiringRules(policy({ rulePriority: 5, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 100 } }), MARKER);
    expect(rule).toEqual({ priority: 5, reason: 'expires any image beyond the newest 100 (untagged ones, and ones whose only tag is a quarantine marker)' });
  });

  it('ignores rules for other tags', () => {
    expect(expiringRules(policy({ rulePriority: 1, selection: taggedCount({ tagPrefixList: ['prod'] }) }, { rulePriority: 2, selection: taggedCount({ tagPatternList: ['v*.*.*'] }) }), MARKER)).toEqual([]);
  });

  it.each([
    [['customs-'], true],
    [['customs-quarantine-'], true],
    [['c'], true],
    [['customs-quarantine-0a'], true],
    [['customs-quarantine-0123456789ab'], true],
    [['customs-quarantine-0123456789abc'], false],
    [['customs-quarantine-0A'], false],
    [['customs-quarantine-z'], false],
    [['customs-quarantined'], false],
    [['customs-', 'customs-quarantine-f'], true],
    [['customs-quarantine-a', 'customs-quarantine-b'], false],
    [['customs-', 'prod'], false],
  ])('tagPrefixList %j selects a marker-only image: %s', (prefixes, selected) => {
    expect(priorities(policy({ rulePriority: 3, selection: taggedCount({ tagPrefixList: prefixes }) }))).toEqual(selected ? [3] : []);
  });

  it.each([
    [['customs-quarantine-*'], true],
    [['*'], true],
    [['*-quarantine-*'], true],
    [['customs*'], true],
    [['*a*'], true],
    [['customs-quarantine-????????????'], false],
    [['*z'], false],
    [['customs-quarantine-*-*'], false],
    [['customs-quarantine-*', '*f'], true],
    [['*', 'prod*'], false],
    [['customs-quarantine-0*', 'customs-quarantine-1*'], false],
    [['customs-quarantine'], false],
  ])('tagPatternList %j selects a marker-only image: %s', (patterns, selected) => {
    expect(priorities(policy({ rulePriority: 4, selection: taggedCount({ tagPatternList: patterns }) }))).toEqual(selected ? [4] : []);
  });

  it('names the list that selects the marker in the reason', () => {
    const [rule] = expiringRules(policy({ rulePriority: 2, selection: taggedCount({ tagPatternList: ['customs-*'] }, 5) }), MARKER);
    expect(rule?.reason).toBe('expires images whose only tag is a quarantine marker (tagPatternList ["customs-*"]) beyond the newest 5');
  });

  it('reports no transition rule: archiving does not expire', () => {
    const archive = { rulePriority: 1, selection: untaggedAfter(30), action: { type: 'transition', targetStorageClass: 'archive' } };
    expect(expiringRules(policy(archive), MARKER)).toEqual([]);
  });

  it('reports an expire rule on archived images, saying so', () => {
    const selection = { tagStatus: 'untagged', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 };
    expect(expiringRules(policy({ rulePriority: 1, selection }), MARKER)).toEqual([{ priority: 1, reason: 'expires archived untagged images 90 days after archiving' }]);
  });

  it('describes pull-based and unknown count types', () => {
    const pulled = { tagStatus: 'untagged', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 60 };
    const future = { tagStatus: 'untagged', countType: 'sinceSomethingNew', countNumber: 3 };
    expect(expiringRules(policy({ rulePriority: 1, selection: pulled }), MARKER)[0]?.reason).toBe('expires untagged images 60 days after their last pull');
    expect(expiringRules(policy({ rulePriority: 1, selection: future }), MARKER)[0]?.reason).toBe('expires untagged images by sinceSomethingNew 3');
  });

  it('lists the rules lowest priority first, whatever order the policy gives them in', () => {
    const text = policy(
      { rulePriority: 30, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 500 } },
      { rulePriority: 7, selection: taggedCount({ tagPrefixList: ['customs-quarantine-0'] }) },
      { rulePriority: 2, selection: untaggedAfter(1) },
    );
    expect(priorities(text)).toEqual([2, 7, 30]);
  });
});

describe('expiringRules: an image taken by an earlier rule cannot be expired by a later one', () => {
  const anyOld = { rulePriority: 9, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 30 } };

  it('a rule taking every marker leaves the later any rule only the untagged images', () => {
    const keepMarkers = { rulePriority: 1, selection: taggedCount({ tagPatternList: ['customs-quarantine-*'] }, 9999) };
    expect(expiringRules(policy(keepMarkers, anyOld), MARKER)).toEqual([
      { priority: 1, reason: 'expires images whose only tag is a quarantine marker (tagPatternList ["customs-quarantine-*"]) beyond the newest 9999' },
      { priority: 9, reason: 'expires any image 30 days after push (untagged ones)' },
    ]);
  });

  it('with the untagged images taken as well, the any rule cannot reach a quarantined image', () => {
    const keepMarkers = { rulePriority: 1, selection: taggedCount({ tagPrefixList: ['customs-quarantine-'] }, 9999) };
    const untagged = { rulePriority: 2, selection: untaggedAfter(400) };
    expect(priorities(policy(keepMarkers, untagged, anyOld))).toEqual([1, 2]);
  });

  it('a rule taking only some markers does not protect the others', () => {
    const someMarkers = { rulePriority: 1, selection: taggedCount({ tagPrefixList: ['customs-quarantine-a'] }) };
    const allMarkers = { rulePriority: 2, selection: taggedCount({ tagPrefixList: ['customs-'] }) };
    expect(priorities(policy(someMarkers, allMarkers))).toEqual([1, 2]);
  });

  it('a transition rule protects nothing', () => {
    const archiveUntagged = { rulePriority: 1, selection: untaggedAfter(10), action: { type: 'transition', targetStorageClass: 'archive' } };
    const expireUntagged = { rulePriority: 2, selection: untaggedAfter(20) };
    expect(priorities(policy(archiveUntagged, expireUntagged))).toEqual([2]);
  });

  it('a rule on standard images does not protect archived ones', () => {
    const untagged = { rulePriority: 1, selection: untaggedAfter(400) };
    const archivedAny = { rulePriority: 2, selection: { tagStatus: 'any', storageClass: 'archive', countType: 'sinceImageTransitioned', countUnit: 'days', countNumber: 90 } };
    expect(expiringRules(policy(untagged, archivedAny), MARKER)).toEqual([
      { priority: 1, reason: 'expires untagged images 400 days after push' },
      { priority: 2, reason: 'expires any archived image 90 days after archiving (untagged ones, and ones whose only tag is a quarantine marker)' },
    ]);
  });
});

describe('expiringRules: validation', () => {
  it('lets through fields it does not know', () => {
    const text = JSON.stringify({
      version: 2,
      rules: [{ rulePriority: 1, future: true, selection: { ...untaggedAfter(3), newFilter: ['x'] }, action: { type: 'expire', extra: 1 } }],
    });
    expect(priorities(text)).toEqual([1]);
  });

  it('accepts a policy without rules', () => {
    expect(expiringRules('{"rules":[]}', MARKER)).toEqual([]);
  });

  it.each([
    ['not JSON', '{"rules": [', /^lifecycle policy is not JSON: /],
    ['no rules', '{}', /rules is required/],
    ['rules not a list', '{"rules": {}}', /rules must be a list, not a mapping/],
    ['a missing priority', policy({ selection: untaggedAfter(1) } as unknown as RuleInput), /rules\.0\.rulePriority is required/],
    ['a fractional priority', policy({ rulePriority: 1.5, selection: untaggedAfter(1) }), /rules\.0\.rulePriority/],
    ['a missing selection', JSON.stringify({ rules: [{ rulePriority: 1, action: { type: 'expire' } }] }), /rules\.0\.selection is required/],
    ['an unknown tag status', policy({ rulePriority: 1, selection: { ...untaggedAfter(1), tagStatus: 'some' } }), /rules\.0\.selection\.tagStatus must be one of tagged, untagged, any/],
    ['a missing count type', policy({ rulePriority: 1, selection: { tagStatus: 'untagged', countNumber: 1 } }), /rules\.0\.selection\.countType is required/],
    ['a missing count number', policy({ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan' } }), /rules\.0\.selection\.countNumber is required/],
    ['a zero count number', policy({ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 0 } }), /rules\.0\.selection\.countNumber/],
    ['a missing action', JSON.stringify({ rules: [{ rulePriority: 1, selection: untaggedAfter(1) }] }), /rules\.0\.action is required/],
    ['an unknown action', policy({ rulePriority: 1, selection: untaggedAfter(1), action: { type: 'delete' } }), /rules\.0\.action\.type must be one of expire, transition/],
    ['tagged without a list', policy({ rulePriority: 1, selection: { tagStatus: 'tagged', countType: 'imageCountMoreThan', countNumber: 1 } }), /rules\.0\.selection is tagged but names neither tagPrefixList nor tagPatternList/],
    ['untagged with a list', policy({ rulePriority: 1, selection: { ...untaggedAfter(1), tagPrefixList: ['x'] } }), /rules\.0\.selection is untagged but names tagPrefixList or tagPatternList/],
    ['an empty prefix list', policy({ rulePriority: 1, selection: taggedCount({ tagPrefixList: [] }) }), /rules\.0\.selection\.tagPrefixList must list at least 1/],
    ['a repeated priority', policy({ rulePriority: 1, selection: untaggedAfter(1) }, { rulePriority: 1, selection: taggedCount({ tagPrefixList: ['x'] }) }), /rules\.1\.rulePriority 1 is used by an earlier rule/],
  ])('refuses %s, naming what is wrong', (_what, text, message) => {
    expect(() => expiringRules(text, MARKER)).toThrow(expect.objectContaining({ code: 'malformed', message: expect.stringMatching(message) }));
  });
});
