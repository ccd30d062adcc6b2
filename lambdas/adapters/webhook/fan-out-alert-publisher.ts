import type { OutgoingAlert } from '../../core/alerts/alert-model.ts';
import type { AlertPublisher } from '../../core/ports.ts';

/**
 * Every alert to every publisher (console, webhooks, SNS), each tried even when another fails, so
 * one dead endpoint does not silence the rest; then any failure is thrown and the caller publishes
 * again (at least once: the ones that took it see it twice and de-duplicate on alertId).
 */
export function fanOutAlerts(publishers: readonly AlertPublisher[]): AlertPublisher {
  return {
    async publish(alerts: readonly OutgoingAlert[]): Promise<void> {
      const results = await Promise.allSettled(publishers.map((publisher) => publisher.publish(alerts)));
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      if (failures.length === 0) return;
      const messages = failures.map((failure) => (failure instanceof Error ? failure.message : String(failure)));
      throw new AggregateError(failures, `${failures.length} of ${publishers.length} alert publishers failed: ${messages.join('; ')}`);
    },
  };
}
