import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RepositorySelection } from '../config/customs-config.ts';
import { consumedQueue, customsQueue, messagesWaitingAlarm } from './customs-queues.ts';
import { ECR_EVENT_KINDS, ecrEventPattern, type EcrEventKind } from './ecr-event-patterns.ts';

export interface EcrEventsToQueueProps {
  readonly repositories: RepositorySelection;
  /** At least 6× the consumer's timeout, as Lambda advises for SQS event sources. */
  readonly visibilityTimeout: Duration;
  /** A customer-managed key for every queue here; SQS-managed encryption (SSE-SQS) without one. */
  readonly encryptionKey?: IKey;
  /** Receives before a message moves to the DLQ (at least 5, so throttled retries are not lost). @default 5 */
  readonly maxReceiveCount?: number;
}

/**
 * ECR events → one EventBridge rule per event kind → an SQS queue (with its DLQ). The rules'
 * target has a DLQ of its own for events EventBridge could not deliver, and alarms watch both
 * DLQs and each rule's FailedInvocations.
 */
export class EcrEventsToQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** Events EventBridge failed to put on the queue (a key or queue policy gone wrong). */
  readonly targetDeadLetterQueue: Queue;
  readonly rules: Readonly<Record<EcrEventKind, Rule>>;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: EcrEventsToQueueProps) {
    super(scope, id);
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = consumedQueue(this, '', props.encryptionKey, {
      visibilityTimeout: props.visibilityTimeout,
      ...(props.maxReceiveCount !== undefined ? { maxReceiveCount: props.maxReceiveCount } : {}),
    }));
    this.targetDeadLetterQueue = customsQueue(this, 'TargetDeadLetterQueue', props.encryptionKey);

    const target = new SqsQueue(this.queue, { deadLetterQueue: this.targetDeadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) });
    const rules = {} as Record<EcrEventKind, Rule>;
    for (const kind of ECR_EVENT_KINDS) {
      rules[kind] = new Rule(this, ruleId(kind), {
        description: `Customs: ECR ${kind} events of watched repositories to the scan queue`,
        eventPattern: ecrEventPattern(kind, props.repositories),
        targets: [target],
      });
    }
    this.rules = rules;
    if (props.encryptionKey) grantEventBridgeUse(props.encryptionKey);

    this.alarms = [
      ...ECR_EVENT_KINDS.map((kind) => failedInvocationsAlarm(this, kind, rules[kind])),
      messagesWaitingAlarm(this, 'DeadLetterQueueAlarm', this.deadLetterQueue, 'scan messages gave up after retries'),
      messagesWaitingAlarm(this, 'TargetDeadLetterQueueAlarm', this.targetDeadLetterQueue, 'ECR events EventBridge could not deliver'),
    ];
  }
}

function ruleId(kind: EcrEventKind): string {
  return `${kind.split('-').map((word) => word[0]!.toUpperCase() + word.slice(1)).join('')}Rule`;
}

// EventBridge encrypts what it sends to the queue and to the target DLQ with their key.
function grantEventBridgeUse(key: IKey): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'EventBridgeSendsEcrEvents',
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      // The rules' ARNs would make the key depend on the rules that depend on the key.
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(key).account } },
    }),
  );
}

function failedInvocationsAlarm(scope: Construct, kind: EcrEventKind, rule: Rule): Alarm {
  const metric = new Metric({
    namespace: 'AWS/Events',
    metricName: 'FailedInvocations',
    dimensionsMap: { RuleName: rule.ruleName },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
  return new Alarm(scope, `${ruleId(kind)}FailedInvocations`, {
    alarmDescription: `Customs: EventBridge failed to deliver ECR ${kind} events to the scan queue`,
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}
