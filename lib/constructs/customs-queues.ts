import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { DestinationConfig, IDestination } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption, type IQueue, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

const RETENTION = Duration.days(14);

/** Every queue here: TLS only, 14 days, SSE-SQS or the customer-managed key given. */
export function customsQueue(scope: Construct, id: string, encryptionKey: IKey | undefined, props: Omit<QueueProps, 'encryption' | 'encryptionMasterKey'> = {}): Queue {
  const encryption = encryptionKey ? { encryption: QueueEncryption.KMS, encryptionMasterKey: encryptionKey } : { encryption: QueueEncryption.SQS_MANAGED };
  return new Queue(scope, id, { ...encryption, enforceSSL: true, retentionPeriod: RETENTION, ...props });
}

export interface ConsumedQueue {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

/**
 * A queue a Lambda consumes, with its DLQ (`<prefix>DeadLetterQueue`, then `<prefix>Queue`): a
 * visibility timeout of at least six times the consumer's timeout, as Lambda advises for SQS event
 * sources, and at least five receives before a message is dead-lettered, so a throttled retry is not
 * mistaken for a poison message.
 */
export function consumedQueue(scope: Construct, prefix: string, encryptionKey: IKey | undefined, options: { readonly visibilityTimeout: Duration; readonly maxReceiveCount?: number }): ConsumedQueue {
  const maxReceiveCount = options.maxReceiveCount ?? 5;
  if (maxReceiveCount < 5) throw new Error(`maxReceiveCount must be at least 5 (got ${maxReceiveCount})`);
  const deadLetterQueue = customsQueue(scope, `${prefix}DeadLetterQueue`, encryptionKey);
  const queue = customsQueue(scope, `${prefix}Queue`, encryptionKey, { visibilityTimeout: options.visibilityTimeout, deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount } });
  return { queue, deadLetterQueue };
}

/** An alarm as soon as one message waits in a dead-letter (or failure) queue. */
export function messagesWaitingAlarm(scope: Construct, id: string, queue: IQueue, what: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: `Customs: ${what}`,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

/**
 * An SQS on-failure destination for asynchronous invocations, granted by the role's own grantSend
 * statement (SqsDestination would add kms:ReEncrypt* and GenerateDataKey*).
 */
export function queueDestination(queue: IQueue): IDestination {
  return { bind: (): DestinationConfig => ({ destination: queue.queueArn }) };
}

/**
 * sqs:SendMessage on the queues (SendMessageBatch is authorized as SendMessage), and what SQS asks
 * of their keys (if any) to encrypt a message: nothing wider. `what` names the statements
 * (`Send<what>Messages`, `Encrypt<what>Messages`).
 */
export function grantSend(role: IRole, queues: readonly IQueue[], what: string): void {
  role.addToPrincipalPolicy(new PolicyStatement({ sid: `Send${what}Messages`, actions: ['sqs:SendMessage'], resources: queues.map((queue) => queue.queueArn) }));
  const keys = [...new Set(queues.flatMap((queue) => (queue.encryptionMasterKey ? [queue.encryptionMasterKey] : [])))];
  if (keys.length > 0) role.addToPrincipalPolicy(new PolicyStatement({ sid: `Encrypt${what}Messages`, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: keys.map((key) => key.keyArn) }));
}
