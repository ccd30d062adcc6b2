import { Duration, Size } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { rateSeconds, type AdvisorySyncConfig } from '../config/customs-config.ts';
import { rescanMarkPk } from '../../lambdas/adapters/dynamodb/dynamodb-rescan-marks.ts';
import { waitingIndexPk } from '../../lambdas/adapters/dynamodb/findings-keys.ts';
import { consumedQueue, grantSend, messagesWaitingAlarm, queueDestination } from './customs-queues.ts';
import { HandlerFunction } from './handler-function.ts';
import { scheduledInvoke, scheduleQueues } from './scheduled-invoke.ts';

/** The environment the sync handler reads (lambdas/handlers/sync-advisories/sync-environment.ts). */
export const SYNC_ENVIRONMENT = {
  advisoryTable: 'ADVISORY_TABLE_NAME',
  findingsTable: 'FINDINGS_TABLE_NAME',
  sbomBucket: 'SBOM_BUCKET_NAME',
  rescanQueue: 'RESCAN_QUEUE_URL',
  continuationQueue: 'CONTINUATION_QUEUE_URL',
  sourceUrl: 'OSV_SOURCE_URL',
  /** `derived`, or the ecosystems comma-separated. */
  ecosystems: 'ADVISORY_ECOSYSTEMS',
  overlapHours: 'OVERLAP_HOURS',
  fullCompareEveryDays: 'FULL_COMPARE_EVERY_DAYS',
  digestsPerMessage: 'RESCAN_DIGESTS_PER_MESSAGE',
} as const;

/** The sync's custom metrics: Powertools' namespace and its `service` default dimension. */
export const SYNC_METRICS = { namespace: 'Customs', service: 'customs-advisory-sync' } as const;
/** Per ecosystem (dimension `Ecosystem`): seconds since its cursor last finished a sync (or since its first load began). */
export const CURSOR_AGE_METRIC = 'AdvisoryCursorAgeSeconds';
/** The oldest of them, without the ecosystem dimension: what the alarm watches, whatever ecosystems the sync derives. */
export const OLDEST_CURSOR_AGE_METRIC = 'OldestAdvisoryCursorAgeSeconds';
/** What the schedule sends: the sync handler tells it from a continuation by its shape. */
export const SCHEDULED_SYNC_INPUT = { source: 'customs.schedule', action: 'advisory-sync' } as const;
/** Change sets' objects in the SBOM bucket (the S3 adapter writes `<prefix><syncId>...`). */
export const ADVISORY_CHANGES_PREFIX = 'advisory-changes/';
/** What the sync does on the advisory table (the writer, cursors, lease and load requests' adapters). */
export const SYNC_ADVISORY_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'] as const;
/** The package index's partitions on the findings table (findings-keys.ts packageIndexPk: `PKG#<ecosystem>#<name>`). */
export const PACKAGE_INDEX_PARTITIONS = 'PKG#*';

export interface AdvisorySyncProps {
  readonly entry: string;
  readonly projectRoot: string;
  readonly config: AdvisorySyncConfig;
  readonly advisoryTable: ITable;
  readonly findingsTable: ITable;
  readonly sbomBucket: IBucket;
  /** Where the sync sends the digests its changes affect. */
  readonly rescanQueue: Queue;
  readonly digestsPerMessage: number;
  /** A customer-managed key for the queues made here; SSE-SQS without one. */
  readonly encryptionKey?: IKey;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The advisory sync: an EventBridge Scheduler schedule invokes the sync Lambda asynchronously; a
 * run that runs out of time sends itself a continuation message (same syncId) on a queue the same
 * Lambda consumes, so a long first load goes on at once rather than at the next tick. A schedule
 * delivery that fails lands in the schedule's DLQ; an invocation that still fails after Lambda's
 * retries lands in the failure queue; a continuation that keeps failing in its DLQ. Alarms watch
 * the three, the function's errors and the oldest ecosystem cursor.
 */
export class AdvisorySync extends Construct {
  readonly handler: HandlerFunction;
  readonly schedule: CfnSchedule;
  /** The role EventBridge Scheduler assumes: lambda:InvokeFunction on the sync function only. */
  readonly schedulerRole: Role;
  readonly scheduleDeadLetterQueue: Queue;
  /** Lambda's on-failure destination for asynchronous invocations. */
  readonly failureQueue: Queue;
  readonly continuationQueue: Queue;
  readonly continuationDeadLetterQueue: Queue;
  readonly continuationSource: EventSourceMapping;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: AdvisorySyncProps) {
    super(scope, id);
    const { config, encryptionKey } = props;
    const interval = Duration.seconds(rateSeconds(config.rate)!);
    const timeout = Duration.seconds(config.timeoutSeconds);

    ({ scheduleDeadLetterQueue: this.scheduleDeadLetterQueue, failureQueue: this.failureQueue } = scheduleQueues(this, encryptionKey));
    ({ queue: this.continuationQueue, deadLetterQueue: this.continuationDeadLetterQueue } = consumedQueue(this, 'Continuation', encryptionKey, {
      visibilityTimeout: Duration.seconds(config.timeoutSeconds * 6),
    }));

    this.handler = new HandlerFunction(this, 'Sync', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Customs advisory sync',
      memoryMiB: config.memoryMiB,
      timeout,
      ephemeralStorage: Size.mebibytes(config.ephemeralStorageMiB),
      logRetention: props.logRetention,
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
      environment: {
        [SYNC_ENVIRONMENT.advisoryTable]: props.advisoryTable.tableName,
        [SYNC_ENVIRONMENT.findingsTable]: props.findingsTable.tableName,
        [SYNC_ENVIRONMENT.sbomBucket]: props.sbomBucket.bucketName,
        [SYNC_ENVIRONMENT.rescanQueue]: props.rescanQueue.queueUrl,
        [SYNC_ENVIRONMENT.continuationQueue]: this.continuationQueue.queueUrl,
        [SYNC_ENVIRONMENT.sourceUrl]: config.sourceUrl,
        [SYNC_ENVIRONMENT.ecosystems]: config.ecosystems === 'derived' ? 'derived' : config.ecosystems.join(','),
        [SYNC_ENVIRONMENT.overlapHours]: String(config.overlapHours),
        [SYNC_ENVIRONMENT.fullCompareEveryDays]: String(config.fullCompareEveryDays),
        [SYNC_ENVIRONMENT.digestsPerMessage]: String(props.digestsPerMessage),
        POWERTOOLS_SERVICE_NAME: SYNC_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: SYNC_METRICS.namespace,
      },
      // Lambda retries a failed run twice (1 and 2 minutes later): the sync resumes from its
      // cursors, so a retry is cheap and closes a transient gap long before the next tick. An
      // invocation still queued when the next tick fires is redundant: it expires at one interval.
      asyncInvoke: { retryAttempts: 2, maxEventAge: Duration.seconds(Math.min(interval.toSeconds(), 21_600)), onFailure: queueDestination(this.failureQueue) },
    });

    // Batch size 1: a continuation is a whole run's worth of work; the lease keeps two from overlapping anyway.
    this.handler.function.addEventSource(new SqsEventSource(this.continuationQueue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency: 2 }));
    this.continuationSource = this.handler.function.node.children.find((child): child is EventSourceMapping => child instanceof EventSourceMapping)!;

    ({ role: this.schedulerRole, schedule: this.schedule } = scheduledInvoke(this, {
      target: this.handler.function,
      deadLetterQueue: this.scheduleDeadLetterQueue,
      description: 'Customs: sync OSV advisories, then queue rescans of the images their changes affect',
      roleDescription: 'Customs: EventBridge Scheduler invokes the advisory sync',
      invokeSid: 'InvokeAdvisorySync',
      expression: config.rate,
      input: SCHEDULED_SYNC_INPUT,
      // Two retries cover a transient refusal; a tick still undelivered after one interval is
      // superseded by the next, so it goes to the DLQ.
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: Math.max(60, Math.min(interval.toSeconds(), 86_400)) },
    }));
    this.grantSync(props);
    this.alarms = this.syncAlarms(interval, config.maxCursorAgeHours);
  }

  private grantSync(props: AdvisorySyncProps): void {
    const role = this.handler.role;
    // Records, their heads and ecosystem lists, freshness, cursors, the lease and load requests: all
    // by key or one partition's Query on the table itself (no index, no Scan).
    role.addToPolicy(new PolicyStatement({ sid: 'SyncAdvisoryTable', actions: [...SYNC_ADVISORY_TABLE_ACTIONS], resources: [props.advisoryTable.tableArn] }));
    role.addToPolicy(
      new PolicyStatement({ sid: 'AdvisoryChangeSets', actions: ['s3:GetObject', 's3:PutObject'], resources: [props.sbomBucket.arnForObjects(`${ADVISORY_CHANGES_PREFIX}*`)] }),
    );
    role.addToPolicy(listChangeSets(props.sbomBucket));
    // The package index (images holding a changed package) and the images waiting for an ecosystem.
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadPackageIndex',
        actions: ['dynamodb:Query'],
        resources: [props.findingsTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PACKAGE_INDEX_PARTITIONS, `${waitingIndexPk('')}*`] } },
      }),
    );
    // (syncId, digest) marks: a conditional put before a digest is queued (so each is queued once
    // per sync), confirmed by a batch write after the send; only in the marks' partitions.
    role.addToPolicy(
      new PolicyStatement({
        sid: 'MarkRescans',
        actions: ['dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
        resources: [props.findingsTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${rescanMarkPk('')}*`] } },
      }),
    );
    grantSend(role, [props.rescanQueue, this.continuationQueue, this.failureQueue], 'Sync');
  }

  private syncAlarms(interval: Duration, maxCursorAgeHours: number): Alarm[] {
    const { namespace, service } = SYNC_METRICS;
    // The handler emits the oldest cursor's age once per run: a period of two intervals always holds
    // one, so missing data means the sync did not run or did not get that far, which is as bad.
    const period = Duration.seconds(Math.min(86_400, Math.max(300, 2 * interval.toSeconds())));
    const cursorAge = new Alarm(this, 'CursorAgeAlarm', {
      alarmDescription: `Customs: an ecosystem's advisories were last synced more than ${String(maxCursorAgeHours)} h ago (or the sync stopped reporting); ${CURSOR_AGE_METRIC} by Ecosystem says which, the sync's logs say why`,
      metric: new Metric({ namespace, metricName: OLDEST_CURSOR_AGE_METRIC, dimensionsMap: { service }, statistic: 'Maximum', period }),
      threshold: maxCursorAgeHours * 3600,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
    });
    const errors = new Alarm(this, 'ErrorsAlarm', {
      alarmDescription: 'Customs: advisory sync invocations failed (timeout, out of memory, a crash); the cursors keep what was stored, Lambda retries twice, then the failure queue',
      metric: this.handler.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    return [
      cursorAge,
      errors,
      messagesWaitingAlarm(this, 'ScheduleDeadLetterQueueAlarm', this.scheduleDeadLetterQueue, 'EventBridge Scheduler could not invoke the advisory sync'),
      messagesWaitingAlarm(this, 'FailureQueueAlarm', this.failureQueue, 'advisory sync invocations failed after retries'),
      messagesWaitingAlarm(this, 'ContinuationDeadLetterQueueAlarm', this.continuationDeadLetterQueue, 'advisory sync continuations gave up after retries'),
    ];
  }
}

/**
 * s3:ListBucket under the change sets' prefix only: a change set is numbered parts under
 * `advisory-changes/<syncId>/`, listed (ListObjectsV2) to be read back in order.
 */
export function listChangeSets(bucket: IBucket): PolicyStatement {
  return new PolicyStatement({ sid: 'ListChangeSets', actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': `${ADVISORY_CHANGES_PREFIX}*` } } });
}

