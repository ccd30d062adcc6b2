import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

const RETENTION = Duration.days(14);

/** Every queue here: TLS only, 14 days, SSE-SQS or the customer-managed key given. */
export function customsQueue(scope: Construct, id: string, encryptionKey: IKey | undefined, props: Omit<QueueProps, 'encryption' | 'encryptionMasterKey'> = {}): Queue {
  const encryption = encryptionKey ? { encryption: QueueEncryption.KMS, encryptionMasterKey: encryptionKey } : { encryption: QueueEncryption.SQS_MANAGED };
  return new Queue(scope, id, { ...encryption, enforceSSL: true, retentionPeriod: RETENTION, ...props });
}

/** An alarm as soon as one message waits in a dead-letter (or failure) queue. */
export function messagesWaitingAlarm(scope: Construct, id: string, queue: Queue, what: string): Alarm {
  return new Alarm(scope, id, {
    alarmDescription: `Customs: ${what}`,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
