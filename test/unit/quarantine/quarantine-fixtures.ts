import type { ImageAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { buildQuarantineAlert, type QuarantineAlertInput } from '../../../lambdas/core/alerts/build-quarantine-alert.ts';
import { quarantineMarkerOf, type QuarantineRecord } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import { digestPullableWarning, lifecycleWarning } from '../../../lambdas/core/quarantine/quarantine-warnings.ts';
import { enforcedVerdictOf } from '../../../lambdas/core/quarantine/quarantine-records.ts';
import { finding, imageKey, T0, verdictOf } from '../core/alerts/alert-fixtures.ts';

/** A failing verdict in enforce mode, and quarantine records at each state, for the alert tests. */
export const failing = { ...verdictOf({ findings: [finding('CVE-2026-0001', 'CRITICAL'), finding('CVE-2026-0002', 'HIGH')] }), mode: 'enforce' as const };

export const T1 = new Date('2026-03-02T10:00:05.000Z');

export function quarantinedRecord(overrides: Partial<QuarantineRecord> = {}): QuarantineRecord {
  const key = imageKey();
  return {
    key,
    id: 'q-0001',
    state: 'QUARANTINED',
    method: 'untag',
    trigger: 'push',
    verdict: enforcedVerdictOf(failing),
    startedAt: T0,
    marker: quarantineMarkerOf(key.digest),
    removing: [],
    removedTags: [
      { tag: '1.2', removedAt: T1 },
      { tag: 'latest', removedAt: T1 },
    ],
    keptTags: [],
    quarantinedAt: T1,
    warnings: [lifecycleWarning([{ priority: 1, reason: 'expires untagged images after 1 day' }]), digestPullableWarning()],
    updatedAt: T1,
    ...overrides,
  };
}

export function quarantinedAlert(overrides: Partial<QuarantineAlertInput> = {}): ImageAlert {
  const record = overrides.record ?? quarantinedRecord();
  return buildQuarantineAlert({
    eventType: 'QUARANTINED',
    record,
    verdict: failing,
    imageTags: ['latest', '1.2'],
    tags: ['latest', '1.2'],
    keptTags: [],
    warnings: record.warnings,
    step: ['untag', T0.toISOString(), '1.2', 'latest'],
    time: T1,
    ...overrides,
  });
}
