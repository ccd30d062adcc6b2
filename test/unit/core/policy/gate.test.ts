import { describe, expect, it } from 'vitest';
import type { Severity } from '../../../../lambdas/core/findings/model.ts';
import { evaluateGate } from '../../../../lambdas/core/policy/gate.ts';
import { sampleFinding, sampleImageFindings } from '../../../support/sample-findings.ts';

function findingOf(severity: Severity, id: string) {
  return sampleFinding({ id, severity: { severity, kind: 'none' } });
}

describe('evaluateGate', () => {
  const amd64 = sampleImageFindings([findingOf('CRITICAL', 'CVE-1'), findingOf('HIGH', 'CVE-2'), findingOf('MEDIUM', 'CVE-3')]);
  const arm64 = sampleImageFindings([findingOf('LOW', 'CVE-4'), findingOf('UNKNOWN', 'CVE-5'), findingOf('HIGH', 'CVE-2')]);

  it.each([
    ['CRITICAL', 1],
    ['HIGH', 3],
    ['MEDIUM', 4],
    ['LOW', 5],
    ['UNKNOWN', 6],
  ] as const)('counts findings at or above %s in every image', (threshold, failing) => {
    expect(evaluateGate([amd64, arm64], threshold)).toEqual({ threshold, failing, passed: false });
  });

  it('passes when nothing reaches the threshold, and with no findings', () => {
    expect(evaluateGate([sampleImageFindings([findingOf('LOW', 'CVE-4'), findingOf('UNKNOWN', 'CVE-5')])], 'MEDIUM')).toEqual({ threshold: 'MEDIUM', failing: 0, passed: true });
    expect(evaluateGate([], 'UNKNOWN')).toEqual({ threshold: 'UNKNOWN', failing: 0, passed: true });
  });

  it('does not count suppressed findings', () => {
    const finding = findingOf('CRITICAL', 'CVE-9');
    const image = sampleImageFindings([], { suppressed: [{ finding, by: 'ignore', reason: 'accepted' }] });
    expect(evaluateGate([image], 'LOW').passed).toBe(true);
  });
});
