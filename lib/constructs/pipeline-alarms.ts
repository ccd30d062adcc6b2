import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The custom metrics' namespace and `service` dimension (Powertools' default dimension). */
export interface ServiceMetrics {
  readonly namespace: string;
  readonly service: string;
}

export interface PipelineAlarmsProps {
  /** The operations topic, or the alerts topic when alarms share it. */
  readonly topic: ITopic;
  /** Alarms made elsewhere (the ECR events' DLQs and rules) that notify the same topic. */
  readonly existing: readonly Alarm[];
  readonly scanner: IFunction;
  readonly scannerMetrics: ServiceMetrics;
  readonly scanQueue: IQueue;
  /** Alerts SNS could not deliver to a subscriber. */
  readonly deliveryDeadLetterQueue: IQueue;
  readonly oldestMessageAge: Duration;
  readonly scanFailuresPerHour: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The pipeline's alarms, each notifying the topic when it fires and when it clears: scans that
 * FAILED, the scanner's errors and throttles, a scan queue falling behind and alerts that could not
 * be published; plus the alarms passed in. Missing data is "nothing happened" for every count.
 */
export class PipelineAlarms extends Construct {
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    const { namespace, service } = props.scannerMetrics;
    const own = [
      this.countAlarm('ScanFailures', {
        description: `Customs: at least ${String(props.scanFailuresPerHour)} manifests in an hour were stored FAILED (unreadable images or registry errors); see the scanner's logs`,
        metric: new Metric({ namespace, metricName: 'ManifestsScanned', dimensionsMap: { service, Status: 'FAILED' }, statistic: 'Sum', period: Duration.hours(1) }),
        threshold: props.scanFailuresPerHour,
      }),
      // The handler reports failed records instead of failing; an error is a crash, a timeout or memory.
      this.countAlarm('ScannerErrors', {
        description: 'Customs: scanner invocations failed whole (timeout, out of memory or a crash at start); their messages return to the scan queue',
        metric: props.scanner.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
      }),
      // The event source's maximum concurrency keeps the scanner under its limit; throttles for 15
      // minutes mean the account's concurrency is spent elsewhere.
      this.countAlarm('ScannerThrottles', {
        description: "Customs: the scanner was throttled for 15 minutes; the account's Lambda concurrency is spent elsewhere and scans wait",
        metric: props.scanner.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 3,
      }),
      this.countAlarm('ScanQueueOldestMessage', {
        description: `Customs: a scan request has waited more than ${String(props.oldestMessageAge.toSeconds())} s in the scan queue; scans are falling behind pushes`,
        metric: props.scanQueue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        threshold: props.oldestMessageAge.toSeconds(),
      }),
      this.countAlarm('AlertDeliveryFailures', {
        description: "Customs: SNS could not deliver alerts to a subscriber (a queue whose key or policy does not let SNS send, a function gone); they wait in the delivery DLQ for 14 days",
        metric: props.deliveryDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        threshold: 1,
      }),
      this.countAlarm('AlertPublishFailures', {
        description: 'Customs: alerts or events could not be published; pending alerts are published again, with the same alertId, at the next attempt',
        metric: new Metric({ namespace, metricName: 'AlertPublishFailures', dimensionsMap: { service }, statistic: 'Sum', period: FIVE_MINUTES }),
        threshold: 1,
      }),
    ];
    this.alarms = [...props.existing, ...own];
    const action = new SnsAction(props.topic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  private countAlarm(id: string, spec: { description: string; metric: Metric; threshold: number; evaluationPeriods?: number }): Alarm {
    return new Alarm(this, id, {
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
