import { describe, expect, it } from 'vitest';
import { decideAnnouncement } from '../../../../lambdas/core/alerts/alert-decision.ts';
import type { VerdictValue } from '../../../../lambdas/core/pipeline/verdict-model.ts';
import { announcedOf, finding, verdictOf } from './alert-fixtures.ts';

const failing = verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL'), finding('CVE-2026-0002', 'HIGH')] });
const passing = verdictOf({ findings: [finding('CVE-2026-0003', 'LOW')] });
const judged = (verdict: VerdictValue) => verdictOf({ verdict, reason: 'why' });

describe('decideAnnouncement', () => {
  it('records nothing when the verdict, failing IDs and policy version are what was announced', () => {
    const announced = announcedOf('FAIL', ['CVE-2026-0002', 'CVE-2026-0001']);
    expect(decideAnnouncement({ verdict: failing, announced, announceable: true })).toBe('none');
    expect(decideAnnouncement({ verdict: failing, announced, announceable: false })).toBe('none');
    expect(decideAnnouncement({ verdict: passing, announced: announcedOf('PASS'), announceable: true })).toBe('none');
  });

  describe('an image nobody hears about directly (an index child, an untagged digest-only push)', () => {
    it('is recorded silently when anything differs, even a first FAIL', () => {
      expect(decideAnnouncement({ verdict: failing, announceable: false })).toBe('silent');
      expect(decideAnnouncement({ verdict: failing, announced: announcedOf('PASS'), announceable: false })).toBe('silent');
      expect(decideAnnouncement({ verdict: judged('FAILED'), announced: announcedOf('PASS'), announceable: false })).toBe('silent');
    });
  });

  describe('the first evaluation of an image', () => {
    it.each([
      ['FAIL', 'FAILED_POLICY'],
      ['FAILED', 'SCAN_FAILED'],
      ['ADVISORIES_UNAVAILABLE', 'ADVISORIES_UNAVAILABLE'],
      ['PASS', 'silent'],
      ['NOT_AN_IMAGE', 'silent'],
      ['UNSUPPORTED', 'silent'],
    ] as const)('%s → %s', (value, expected) => {
      const verdict = value === 'FAIL' ? failing : judged(value);
      expect(decideAnnouncement({ verdict, announceable: true })).toBe(expected);
    });
  });

  describe('a verdict value that changed', () => {
    it.each([
      // Could not be judged now.
      ['PASS', 'FAILED', 'SCAN_FAILED'],
      ['FAIL', 'FAILED', 'SCAN_FAILED'],
      ['ADVISORIES_UNAVAILABLE', 'FAILED', 'SCAN_FAILED'],
      ['PASS', 'ADVISORIES_UNAVAILABLE', 'ADVISORIES_UNAVAILABLE'],
      ['FAILED', 'ADVISORIES_UNAVAILABLE', 'ADVISORIES_UNAVAILABLE'],
      // A first FAIL after the verdict was unknown.
      ['FAILED', 'FAIL', 'FAILED_POLICY'],
      ['ADVISORIES_UNAVAILABLE', 'FAIL', 'FAILED_POLICY'],
      ['NOT_AN_IMAGE', 'FAIL', 'FAILED_POLICY'],
      ['UNSUPPORTED', 'FAIL', 'FAILED_POLICY'],
      // Judged before and now.
      ['PASS', 'FAIL', 'VERDICT_CHANGED'],
      ['FAIL', 'PASS', 'VERDICT_CHANGED'],
      ['FAILED', 'PASS', 'VERDICT_CHANGED'],
      ['ADVISORIES_UNAVAILABLE', 'PASS', 'VERDICT_CHANGED'],
      ['FAIL', 'NOT_AN_IMAGE', 'VERDICT_CHANGED'],
      ['PASS', 'UNSUPPORTED', 'VERDICT_CHANGED'],
    ] as const)('%s → %s is %s', (previous, value, expected) => {
      const verdict = value === 'FAIL' ? failing : value === 'PASS' ? passing : judged(value);
      expect(decideAnnouncement({ verdict, announced: announcedOf(previous, previous === 'FAIL' ? ['CVE-2026-0009'] : []), announceable: true })).toBe(expected);
    });

    it('announces PASS → FAIL after an ignore entry expired (same policy version, a new failing ID)', () => {
      const announced = announcedOf('PASS', [], { alertId: 'a'.repeat(32) });
      expect(decideAnnouncement({ verdict: failing, announced, announceable: true })).toBe('VERDICT_CHANGED');
    });
  });

  describe('the same verdict value with other failing IDs or another policy version', () => {
    it('is recorded silently (the rescan work adds NEW_FINDINGS and RESOLVED here)', () => {
      expect(decideAnnouncement({ verdict: failing, announced: announcedOf('FAIL', ['CVE-2026-0001']), announceable: true })).toBe('silent');
      expect(decideAnnouncement({ verdict: failing, announced: announcedOf('FAIL', ['CVE-2026-0001', 'CVE-2026-0002', 'CVE-2026-0003']), announceable: true })).toBe('silent');
      const newPolicy = announcedOf('FAIL', ['CVE-2026-0001', 'CVE-2026-0002'], { policyVersion: 'pv1-0000000000000002' });
      expect(decideAnnouncement({ verdict: failing, announced: newPolicy, announceable: true })).toBe('silent');
      expect(decideAnnouncement({ verdict: passing, announced: announcedOf('PASS', [], { policyVersion: 'pv1-0000000000000002' }), announceable: true })).toBe('silent');
    });
  });
});
