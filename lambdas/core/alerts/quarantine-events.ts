import { eventIdOf } from './alert-id.ts';
import type { CustomsEvent, ImageAlert } from './alert-model.ts';
import { severityRank } from './severity-rank.ts';

export const QUARANTINE_EVENT_SCHEMA = 'customs.quarantine-event/v1';

/**
 * The `Customs Quarantine` event of one quarantine alert (event-schema.json): the alert's ID, the
 * image and verdict in brief, and the quarantine detail. Plain JSON, exactly what is sent.
 */
export function quarantineEvents(alert: ImageAlert, repositoryArn: string): CustomsEvent[] {
  if (!alert.quarantine) throw new TypeError(`alert ${alert.alertId} (${alert.eventType}) has no quarantine detail`);
  return [
    {
      detailType: 'Customs Quarantine',
      resources: [repositoryArn],
      time: new Date(alert.time),
      detail: {
        schema: QUARANTINE_EVENT_SCHEMA,
        eventId: eventIdOf(alert.alertId, 'quarantine'),
        alertId: alert.alertId,
        eventType: alert.eventType,
        time: alert.time,
        repository: alert.repository,
        image: { digest: alert.image.digest, tags: [...alert.image.tags] },
        verdict: { value: alert.verdict.value, policyVersion: alert.verdict.policyVersion, mode: alert.verdict.mode },
        severity: alert.severity,
        severityRank: severityRank(alert.severity),
        quarantine: JSON.parse(JSON.stringify(alert.quarantine)) as Record<string, unknown>,
      },
    },
  ];
}
