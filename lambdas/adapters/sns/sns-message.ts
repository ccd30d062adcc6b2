import type { MessageAttributeValue, PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import type { OutgoingAlert } from '../../core/alerts/alert-model.ts';
import { renderEmail } from '../../core/alerts/render-email.ts';
import { messageAttributesOf } from '../../core/alerts/severity-rank.ts';

/** A PublishBatch entry for one alert, before it gets its Id within a batch, and its size as SNS counts it. */
export interface SnsMessage {
  readonly alertId: string;
  readonly entry: Omit<PublishBatchRequestEntry, 'Id'>;
  readonly bytes: number;
}

/**
 * One alert as SNS publishes it: per-protocol bodies (`MessageStructure: json`), so email
 * subscribers read plain text under the rendered subject and every other protocol (SQS, HTTPS,
 * Lambda) gets `default`, the alert's JSON; the attributes subscription filter policies match on.
 */
export function snsMessageOf(outgoing: OutgoingAlert): SnsMessage {
  const email = renderEmail(outgoing.alert);
  const message = JSON.stringify({ default: JSON.stringify(outgoing.alert), email: email.text });
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(messageAttributesOf(outgoing))) {
    attributes[name] = typeof value === 'number' ? { DataType: 'Number', StringValue: String(value) } : { DataType: 'String', StringValue: value };
  }
  const entry = { Message: message, MessageStructure: 'json', Subject: email.subject, MessageAttributes: attributes };
  return { alertId: outgoing.alert.alertId, entry, bytes: sizeOf(entry) };
}

/** What counts against the 256 KiB message and batch limits: the message, subject and attributes. */
function sizeOf(entry: { Message: string; Subject: string; MessageAttributes: Record<string, MessageAttributeValue> }): number {
  let bytes = Buffer.byteLength(entry.Message) + Buffer.byteLength(entry.Subject);
  for (const [name, value] of Object.entries(entry.MessageAttributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '') + Buffer.byteLength(value.StringValue ?? '');
  }
  return bytes;
}
