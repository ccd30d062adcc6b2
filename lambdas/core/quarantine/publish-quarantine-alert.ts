import type { CustomsEvent, ImageAlert } from '../alerts/alert-model.ts';
import { planDelivery } from '../alerts/plan-delivery.ts';
import { quarantineEvents } from '../alerts/quarantine-events.ts';
import type { ImageKey } from '../pipeline/model.ts';
import type { AlertPublisher, Clock, EventPublisher, PendingQuarantineAlert, QuarantineStore } from '../ports.ts';
import { mapLimit } from '../util/map-limit.ts';

/** A quarantine alert with its event, ready to be written with the record (the outbox). */
export function pendingQuarantineAlert(alert: ImageAlert, repositoryId: string, now: Date): PendingQuarantineAlert {
  return { alert, events: quarantineEvents(alert, repositoryId), createdAt: now };
}

export interface QuarantinePublishDeps {
  readonly quarantines: Pick<QuarantineStore, 'confirm'>;
  readonly alerts: AlertPublisher;
  readonly events?: EventPublisher;
  readonly clock: Clock;
}

export interface PendingEntry {
  readonly key: ImageKey;
  readonly pending: PendingQuarantineAlert;
}

/**
 * Publishes quarantine alerts (grouped and capped for people as verdict alerts are), then their
 * events, then confirms each. A failure leaves them pending: the next attempt republishes them
 * under the same alertId (subscribers de-duplicate on it).
 */
export async function publishQuarantineAlerts(entries: readonly PendingEntry[], deps: QuarantinePublishDeps, emailImageCap: number): Promise<void> {
  if (entries.length === 0) return;
  const ordered = [...entries].sort((a, b) => (a.pending.alert.alertId < b.pending.alert.alertId ? -1 : a.pending.alert.alertId > b.pending.alert.alertId ? 1 : 0));
  await deps.alerts.publish(planDelivery(ordered.map((entry) => entry.pending.alert), { emailImageCap, time: deps.clock.now() }));
  const events: CustomsEvent[] = ordered.flatMap((entry) => entry.pending.events);
  if (deps.events && events.length > 0) await deps.events.publish(events);
  await mapLimit(ordered, 8, (entry) => deps.quarantines.confirm(entry.key, entry.pending.alert.alertId));
}
