import { describe, expect, it } from 'vitest';
import { severitiesAtLeast, tagGate, type TagAnswer } from '../../../../lambdas/cli/api/tag-gate.ts';

const DIGEST = `sha256:${'1'.repeat(64)}`;
const counts = (overrides: Partial<Record<'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'UNKNOWN', number>> = {}) => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, ...overrides });
const judged = (verdict: NonNullable<TagAnswer['verdict']>['verdict'], findings = counts(), extra: Partial<NonNullable<TagAnswer['verdict']>> = {}): TagAnswer => ({
  repository: 'team/app',
  tag: 'v1',
  digest: DIGEST,
  quarantined: false,
  history: [],
  verdict: { verdict, policyVersion: 'p', failOn: 'CRITICAL', counts: findings, failingCount: 0, failingIds: [], suppressedCount: 0, evaluatedAt: '2026-01-01T00:00:00Z', ...extra },
});

describe('the tag deploy gate', () => {
  it('orders thresholds worst first', () => {
    expect(severitiesAtLeast('CRITICAL')).toEqual(['CRITICAL']);
    expect(severitiesAtLeast('HIGH')).toEqual(['CRITICAL', 'HIGH']);
    expect(severitiesAtLeast('UNKNOWN')).toEqual(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN']);
  });

  it('passes a PASS verdict with nothing unsuppressed at the threshold or worse', () => {
    expect(tagGate(judged('PASS', counts({ MEDIUM: 4, LOW: 9 })), 'HIGH')).toMatchObject({ pass: true });
    expect(tagGate(judged('PASS'), 'UNKNOWN')).toMatchObject({ pass: true });
  });

  it('fails on unsuppressed findings at the threshold even when the stored verdict passed (an audit or laxer policy)', () => {
    expect(tagGate(judged('PASS', counts({ HIGH: 2 })), 'HIGH')).toEqual({ pass: false, reason: 'team/app:v1 has unsuppressed findings at HIGH or worse: 2 HIGH' });
    expect(tagGate(judged('PASS', counts({ CRITICAL: 1, HIGH: 1 })), 'HIGH').reason).toContain('1 CRITICAL, 1 HIGH');
    expect(tagGate(judged('PASS', counts({ MEDIUM: 1 })), 'MEDIUM').pass).toBe(false);
    expect(tagGate(judged('PASS', counts({ MEDIUM: 1 })), 'HIGH').pass).toBe(true);
  });

  it('fails a FAIL verdict under the repository policy whatever the threshold', () => {
    const decision = tagGate(judged('FAIL', counts({ LOW: 1 }), { failingCount: 1, failingIds: ['CVE-2024-1'], failOn: 'LOW' }), 'CRITICAL');
    expect(decision).toEqual({ pass: false, reason: 'team/app:v1 fails its repository policy (fail on LOW): 1 failing (CVE-2024-1)' });
  });

  it('fails closed: no advisories, not judged, a failed scan, quarantined, a tag naming nothing', () => {
    expect(tagGate(judged('ADVISORIES_UNAVAILABLE'), 'HIGH')).toMatchObject({ pass: false, reason: expect.stringContaining('ADVISORIES_UNAVAILABLE') as unknown });
    const { verdict: _none, ...unjudged } = judged('PASS');
    expect(tagGate(unjudged, 'HIGH').reason).toContain('not judged yet');
    expect(tagGate(judged('FAILED'), 'HIGH').reason).toContain('verdict FAILED');
    expect(tagGate(judged('UNSUPPORTED'), 'HIGH').pass).toBe(false);
    expect(tagGate({ ...judged('PASS'), quarantined: true }, 'HIGH').reason).toContain('quarantined');
    const { digest: _gone, ...untagged } = judged('PASS');
    expect(tagGate(untagged, 'HIGH').reason).toContain('names no image now');
  });
});
