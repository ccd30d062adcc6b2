import { describe, expect, it } from 'vitest';
import type { GroupAlert } from '../../../../lambdas/core/alerts/alert-model.ts';
import { planDelivery } from '../../../../lambdas/core/alerts/plan-delivery.ts';
import { messageAttributesOf, severityRank, worstSeverity } from '../../../../lambdas/core/alerts/severity-rank.ts';
import { alertOf, announcedOf, digestOf, finding, T0, verdictOf } from './alert-fixtures.ts';

describe('severityRank', () => {
  it('ranks NONE 0 up to CRITICAL 5, UNKNOWN below LOW, so ">= 4" is HIGH and above', () => {
    expect((['NONE', 'UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const).map(severityRank)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(worstSeverity(['LOW', 'UNKNOWN', 'HIGH', 'MEDIUM'])).toBe('HIGH');
    expect(worstSeverity([])).toBe('NONE');
  });
});

describe('messageAttributesOf', () => {
  it('gives an image alert its filterable facts, the repository by name only', () => {
    const alert = alertOf({ key: { repository: 'team-a/x' }, verdict: verdictOf({ findings: [finding('CVE-1', 'HIGH')] }) });
    expect(messageAttributesOf({ alert, audience: 'machines' })).toEqual({
      eventType: 'FAILED_POLICY',
      verdict: 'FAIL',
      severity: 'HIGH',
      severityRank: 4,
      repository: 'team-a/x',
      mode: 'audit',
      alertId: alert.alertId,
      audience: 'machines',
      kind: 'image',
    });
  });

  it('gives a group summary kind group and audience people', () => {
    const alerts = [0, 1].map((index) =>
      alertOf({ eventType: 'VERDICT_CHANGED', key: { digest: digestOf(`g${index}`) }, verdict: verdictOf({ findings: [finding('CVE-1', 'MEDIUM')], failOn: 'MEDIUM' }), announced: announcedOf('PASS') }),
    );
    const people = planDelivery(alerts, { emailImageCap: 1, time: T0 }).find((o) => o.audience === 'people')!;
    expect(messageAttributesOf(people)).toEqual({
      eventType: 'VERDICT_CHANGED',
      verdict: 'FAIL',
      severity: 'MEDIUM',
      severityRank: 3,
      repository: 'team-a/app',
      mode: 'audit',
      alertId: (people.alert as GroupAlert).alertId,
      audience: 'people',
      kind: 'group',
    });
  });
});
