import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeEventPublisher, MAX_PUT_BYTES } from '../../../../lambdas/adapters/eventbridge/eventbridge-event-publisher.ts';
import type { CustomsEvent } from '../../../../lambdas/core/alerts/alert-model.ts';
import { verdictEvents } from '../../../../lambdas/core/alerts/verdict-events.ts';
import { alertOf, announcedOf, finding, T0, verdictOf } from '../../core/alerts/alert-fixtures.ts';

const ARN = 'arn:aws:ecr:eu-west-1:111122223333:repository/team-a/app';
const BUS = 'arn:aws:events:eu-west-1:111122223333:event-bus/customs';
const events = mockClient(EventBridgeClient);
const client = new EventBridgeClient({ region: 'eu-west-1' });
const publisher = new EventBridgeEventPublisher({ client, eventBusName: BUS, retry: { maxAttempts: 3, baseDelayMs: 1 } });

afterEach(() => {
  events.reset();
});

function eventsFor(newIds: number): CustomsEvent[] {
  const ids = Array.from({ length: newIds }, (_, index) => `CVE-2026-${1000 + index}`);
  const verdict = verdictOf({ findings: ids.map((id) => finding(id, 'HIGH')) });
  return verdictEvents(alertOf({ eventType: 'VERDICT_CHANGED', verdict, announced: announcedOf('PASS') }), verdict, ARN);
}

/** Events with a detail of about `bytes` (a padding field no real event has: only sizes matter here). */
function padded(events: readonly CustomsEvent[], bytes: number): CustomsEvent[] {
  return events.map((event) => ({ ...event, detail: { ...event.detail, padding: 'p'.repeat(bytes) } }));
}

function acceptAll(): void {
  events.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => ({ FailedEntryCount: 0, Entries: (input.Entries ?? []).map((_, index) => ({ EventId: `e${index}` })) }));
}

function sent(): PutEventsRequestEntry[][] {
  return events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
}

describe('EventBridgeEventPublisher', () => {
  it('puts each event with source, detail type, JSON detail, the repository as resource, time and bus', async () => {
    acceptAll();
    const batch = eventsFor(1);
    await publisher.publish(batch);
    expect(events.commandCalls(PutEventsCommand)[0]!.args[0].input).toEqual({
      Entries: batch.map((event) => ({
        Source: 'customs',
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
        Resources: [ARN],
        Time: T0,
        EventBusName: BUS,
      })),
    });
    expect(sent()[0]!.map((entry) => entry.DetailType)).toEqual(['Customs Verdict', 'Customs Finding']);
  });

  it('uses a configured source', async () => {
    acceptAll();
    await new EventBridgeEventPublisher({ client, eventBusName: 'default', source: 'acme.customs' }).publish(eventsFor(0));
    expect(sent()[0]![0]).toMatchObject({ Source: 'acme.customs', EventBusName: 'default' });
  });

  it('puts at most 10 entries per request, in order', async () => {
    acceptAll();
    // Two alerts: one alert has at most 21 events.
    const batch = [...eventsFor(12), ...eventsFor(11)];
    await publisher.publish(batch);
    expect(sent().map((chunk) => chunk.length)).toEqual([10, 10, 5]);
    expect(sent().flat().map((entry) => JSON.parse(entry.Detail!).eventId)).toEqual(batch.map((event) => event.detail.eventId));
  });

  it('splits requests that would pass 256 KiB', async () => {
    acceptAll();
    // Seven events of about 60 KiB: four per request.
    const batch = padded(eventsFor(6), 60_000);
    await publisher.publish(batch);
    const chunks = sent();
    expect(chunks.map((chunk) => chunk.length)).toEqual([4, 3]);
    for (const chunk of chunks) expect(chunk.reduce((sum, entry) => sum + Buffer.byteLength(entry.Detail!), 0)).toBeLessThanOrEqual(MAX_PUT_BYTES);
  });

  it('refuses an event larger than an entry may be, before putting anything', async () => {
    acceptAll();
    const huge = [...eventsFor(1), ...padded(eventsFor(0), 300_000)];
    await expect(publisher.publish(huge)).rejects.toThrow(/event [0-9a-f]{32} of alert [0-9a-f]{32} is \d+ bytes/);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('resends only the failed entries until they are put', async () => {
    const batch = eventsFor(2);
    events
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 2, Entries: [{ EventId: 'a' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { ErrorCode: 'InternalFailure' }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }, { EventId: 'c' }] })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: 'b' }] });
    await publisher.publish(batch);
    const ids = sent().map((chunk) => chunk.map((entry) => JSON.parse(entry.Detail!).eventId as string));
    const [verdictId, first, second] = batch.map((event) => event.detail.eventId as string);
    expect(ids).toEqual([[verdictId, first, second], [first, second], [first]]);
  });

  it('throws naming the events still failing after the last attempt', async () => {
    const batch = eventsFor(1);
    const failing = batch[1]!.detail;
    // The finding event fails every time it is sent.
    events.on(PutEventsCommand).callsFake((input: PutEventsCommandInput) => {
      const results = (input.Entries ?? []).map((entry) =>
        JSON.parse(entry.Detail!).eventId === failing.eventId ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' } : { EventId: 'ok' },
      );
      return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
    });
    await expect(publisher.publish(batch)).rejects.toThrow(`EventBridge did not put events after 3 attempts: ${failing.eventId} of alert ${failing.alertId} (InternalFailure: try again)`);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(3);
  });
});
