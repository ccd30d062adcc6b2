import { describe, expect, it } from 'vitest';
import { continuationBody, parseContinuationBody, parseSyncEvent, SyncEventError } from '../../../lambdas/handlers/sync-advisories/sync-event.ts';

/** What invokes the sync Lambda: the schedule's input (SCHEDULED_SYNC_INPUT) or SQS continuations. */
const sqsRecord = (messageId: string, body: string) => ({ messageId, receiptHandle: 'r', body, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:c', awsRegion: 'eu-west-1' });

describe('parseSyncEvent', () => {
  it('takes the scheduled input', () => {
    expect(parseSyncEvent({ source: 'customs.schedule', action: 'advisory-sync' })).toEqual({ kind: 'scheduled' });
  });

  it('takes an SQS event of continuations, a bad body answered for its record alone', () => {
    const parsed = parseSyncEvent({
      Records: [sqsRecord('m1', continuationBody('20261202T130000Z-abcd1234')), sqsRecord('m2', '{"syncId":"../x"}'), sqsRecord('m3', 'nope'), sqsRecord('m4', '{"syncId":"a","more":1}')],
    });
    expect(parsed.kind).toBe('continuation');
    if (parsed.kind !== 'continuation') return;
    expect(parsed.records[0]).toEqual({ messageId: 'm1', ok: true, syncId: '20261202T130000Z-abcd1234' });
    expect(parsed.records.slice(1).map((record) => [record.messageId, record.ok])).toEqual([
      ['m2', false],
      ['m3', false],
      ['m4', false],
    ]);
    expect(parsed.records[1]).toMatchObject({ reason: expect.stringMatching(/syncId: is not a sync id/) });
    expect(parsed.records[2]).toMatchObject({ reason: expect.stringMatching(/not JSON/) });
    expect(parsed.records[3]).toMatchObject({ reason: expect.stringMatching(/more/) });
  });

  it('refuses anything else, naming what was wrong', () => {
    expect(() => parseSyncEvent({ source: 'customs.schedule', action: 'daily-review' })).toThrow(SyncEventError);
    expect(() => parseSyncEvent({ source: 'customs.schedule', action: 'daily-review' })).toThrow(/action: .*advisory-sync/);
    expect(() => parseSyncEvent({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toThrow(/neither the scheduled input .* nor an SQS event/);
    expect(() => parseSyncEvent(undefined)).toThrow(SyncEventError);
    expect(() => parseSyncEvent({ Records: [] })).toThrow(/SQS-like event .*Records: has no records/);
    expect(() => parseSyncEvent({ Records: [{ ...sqsRecord('m', '{}'), eventSource: 'aws:sns' }] })).toThrow(/Records\.0\.eventSource/);
  });

  it('writes only bodies it would read back', () => {
    expect(parseContinuationBody(continuationBody('sync-1'))).toEqual({ ok: true, syncId: 'sync-1' });
    expect(() => continuationBody('a/b')).toThrow();
  });
});
