import { ArnFormat, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { DestinationConfig, IDestination } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RepositorySelection } from '../config/customs-config.ts';
import type { S3ObjectRef } from '../../lambdas/core/policy/policy-document.ts';
import { customsQueue, messagesWaitingAlarm } from './customs-queues.ts';
import { repositoryArns } from './ecr-read-resources.ts';
import { HandlerFunction } from './handler-function.ts';
import { grantQuarantine } from './quarantine-permissions.ts';
import { eventBusArn } from './scanner-function.ts';

/** The environment the daily pass handler reads (lambdas/handlers/daily-review/daily-environment.ts). */
export const DAILY_ENVIRONMENT = {
  findingsTable: 'FINDINGS_TABLE_NAME',
  sbomBucket: 'SBOM_BUCKET_NAME',
  scanQueue: 'SCAN_QUEUE_URL',
  /** `all`; otherwise absent, with the names and prefixes comma-separated below. */
  watchedAll: 'WATCHED_REPOSITORIES',
  watchedNames: 'WATCHED_REPOSITORY_NAMES',
  watchedPrefixes: 'WATCHED_REPOSITORY_PREFIXES',
  backfillMaxAgeDays: 'BACKFILL_MAX_AGE_DAYS',
  reviewBatchSize: 'REVIEW_BATCH_SIZE',
  reviewConcurrency: 'REVIEW_CONCURRENCY',
  reindexPerRun: 'REINDEX_PER_RUN',
  deletedRetentionDays: 'DELETED_RETENTION_DAYS',
  historyDays: 'HISTORY_RETENTION_DAYS',
  alertsTopic: 'ALERTS_TOPIC_ARN',
  /** The bus name or ARN as configured; absent when events are off. */
  eventBus: 'EVENT_BUS_NAME',
  policyParameter: 'POLICY_PARAMETER_NAME',
  emailImageCap: 'EMAIL_IMAGE_CAP',
} as const;

export const DAILY_METRICS = { namespace: 'Customs', service: 'customs-daily-review' } as const;
/** What the schedule sends (lambdas/handlers/daily-review/daily-event.ts refuses anything else). */
export const DAILY_REVIEW_INPUT = { source: 'customs.schedule', action: 'daily-review' } as const;
/** Where SBOM documents live in the bucket (lambdas/adapters/s3/s3-sbom-store.ts). */
const SBOM_PREFIX = 'sboms/';

/** The settings the stack passes (the lead's `dailyReview` configuration keys). */
export interface DailyReviewConfig {
  /** An EventBridge Scheduler cron or rate expression, in UTC. */
  readonly schedule: string;
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
  /** The enumeration queues only images pushed within this many days; absent: no bound. */
  readonly backfillMaxAgeDays?: number;
  readonly reviewBatchSize: number;
  readonly reviewConcurrency: number;
  /** Images re-indexed a day at most. */
  readonly reindexPerRun: number;
  /** How long deleted images are kept (counted past it in the report); absent: as long as the table keeps them. */
  readonly deletedRetentionDays?: number;
}

export interface DailyReviewProps {
  readonly entry: string;
  readonly projectRoot: string;
  readonly config: DailyReviewConfig;
  readonly findingsTable: ITable;
  readonly sbomBucket: IBucket;
  /** The scanner's queue: lost and outdated images are sent there as the push events would have been. */
  readonly scanQueue: IQueue;
  /** The repositories enumerated (ECR reads are granted on these only). */
  readonly watchedRepositories: RepositorySelection;
  /** A customer-managed key for the queues made here; SSE-SQS without one. */
  readonly encryptionKey?: IKey;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  readonly historyDays: number;
  /** Where alerts are published (AlertTopics.grantPublish grants it and its key). */
  readonly alertsTopicArn: string;
  readonly eventBus?: string;
  /** PolicyParameter.grantRead grants it. */
  readonly policyParameterName: string;
  readonly emailImageCap: number;
  /** S3 VEX documents the policies name. */
  readonly vexObjects: readonly S3ObjectRef[];
  /** Where enforce mode may quarantine (quarantineScope); no ECR write permission without it. */
  readonly quarantineRepositories?: RepositorySelection;
}

/**
 * The daily pass: an EventBridge Scheduler schedule invokes the daily Lambda asynchronously once a
 * day. Scheduler retries a refused invoke and dead-letters one it could not deliver; Lambda retries
 * a failed run twice (every step is idempotent) and then hands it to the failure queue. Alarms
 * watch both queues.
 */
export class DailyReview extends Construct {
  readonly handler: HandlerFunction;
  readonly schedule: CfnSchedule;
  /** The role EventBridge Scheduler assumes: lambda:InvokeFunction on the daily function only. */
  readonly schedulerRole: Role;
  readonly scheduleDeadLetterQueue: Queue;
  /** Lambda's on-failure destination for asynchronous invocations. */
  readonly failureQueue: Queue;
  readonly quarantineRepositories?: RepositorySelection;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: DailyReviewProps) {
    super(scope, id);
    const { config, encryptionKey } = props;
    this.scheduleDeadLetterQueue = customsQueue(this, 'ScheduleDeadLetterQueue', encryptionKey);
    this.failureQueue = customsQueue(this, 'FailureQueue', encryptionKey);

    this.handler = new HandlerFunction(this, 'Daily', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Customs daily pass: enumeration, verdict review, re-index, retention',
      memoryMiB: config.memoryMiB,
      timeout: Duration.seconds(config.timeoutSeconds),
      logRetention: props.logRetention,
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
      environment: dailyEnvironment(props),
      // Two retries (about 1 and 2 minutes later) redo only what is still due; a run still queued
      // six hours on (Lambda's most) is as good as the next day's, so it goes to the failure queue.
      asyncInvoke: { retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: queueDestination(this.failureQueue) },
    });

    this.schedulerRole = this.schedulerExecutionRole();
    this.schedule = new CfnSchedule(this, 'Schedule', {
      description: 'Customs: the daily pass (enumerate watched images, review verdicts, re-index, retention)',
      scheduleExpression: config.schedule,
      scheduleExpressionTimezone: 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.handler.function.functionArn,
        roleArn: this.schedulerRole.roleArn,
        input: JSON.stringify(DAILY_REVIEW_INPUT),
        // Scheduler retries only a refused invoke (throttled, a service error); an asynchronous
        // invoke succeeds once queued. A daily tick is worth delivering late for hours, not a day.
        retryPolicy: { maximumRetryAttempts: 5, maximumEventAgeInSeconds: 6 * 3600 },
        deadLetterConfig: { arn: this.scheduleDeadLetterQueue.queueArn },
      },
    });
    this.grantDaily(props);
    if (props.quarantineRepositories !== undefined) {
      this.quarantineRepositories = props.quarantineRepositories;
      grantQuarantine(this, this.handler.role, props.quarantineRepositories);
      // Quarantine reads the image's manifest (to put the marker and restore tags).
      this.handler.role.addToPolicy(new PolicyStatement({ sid: 'ReadQuarantineImages', actions: ['ecr:BatchGetImage'], resources: repositoryArns(this, props.quarantineRepositories) }));
    }
    this.alarms = [
      messagesWaitingAlarm(this, 'ScheduleDeadLetterQueueAlarm', this.scheduleDeadLetterQueue, 'EventBridge Scheduler could not invoke the daily pass'),
      messagesWaitingAlarm(this, 'FailureQueueAlarm', this.failureQueue, 'the daily pass failed after retries; its report (logs) names the failed step'),
    ];
  }

  private schedulerExecutionRole(): Role {
    const stack = Stack.of(this);
    const role = new Role(this, 'SchedulerRole', {
      description: 'Customs: EventBridge Scheduler invokes the daily pass',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            // The schedule's own ARN would make the role depend on the schedule that depends on it.
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });
    role.addToPolicy(new PolicyStatement({ sid: 'InvokeDailyReview', actions: ['lambda:InvokeFunction'], resources: [this.handler.function.functionArn] }));
    role.addToPolicy(new PolicyStatement({ sid: 'ScheduleDeadLetters', actions: ['sqs:SendMessage'], resources: [this.scheduleDeadLetterQueue.queueArn] }));
    // With a customer-managed key, Scheduler encrypts what it dead-letters with the role's own rights.
    this.scheduleDeadLetterQueue.encryptionMasterKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    return role;
  }

  private grantDaily(props: DailyReviewProps): void {
    const role = this.handler.role;
    const stack = Stack.of(this);
    // Image states, scans, verdicts, backfill marks, the catalogue and the scanner-version index.
    props.findingsTable.grantReadWriteData(role);
    // EcrRegistryCatalog lists repositories without naming them (a prefix names none), which IAM
    // authorizes against every repository of the registry; it reads names only. Images are listed
    // and described in the watched repositories alone.
    role.addToPolicy(new PolicyStatement({ sid: 'ListRepositories', actions: ['ecr:DescribeRepositories'], resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' })] }));
    role.addToPolicy(new PolicyStatement({ sid: 'DescribeWatchedImages', actions: ['ecr:DescribeImages'], resources: repositoryArns(this, props.watchedRepositories) }));
    // Stored SBOMs, for VEX statements and package-scoped ignore entries the review applies.
    role.addToPolicy(new PolicyStatement({ sid: 'ReadSboms', actions: ['s3:GetObject'], resources: [props.sbomBucket.arnForObjects(`${SBOM_PREFIX}*`)] }));
    if (props.eventBus !== undefined) {
      role.addToPolicy(new PolicyStatement({ sid: 'PutVerdictEvents', actions: ['events:PutEvents'], resources: [eventBusArn(this, props.eventBus)] }));
    }
    if (props.vexObjects.length > 0) {
      role.addToPolicy(
        new PolicyStatement({
          sid: 'ReadVexDocuments',
          actions: ['s3:GetObject'],
          resources: props.vexObjects.map(({ bucket, key }) => stack.formatArn({ service: 's3', region: '', account: '', resource: bucket, resourceName: key, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })),
        }),
      );
    }
    // SendMessageBatch is authorized as sqs:SendMessage: the scanner's queue, and the failure destination.
    const queues: IQueue[] = [props.scanQueue, this.failureQueue];
    role.addToPolicy(new PolicyStatement({ sid: 'SendDailyMessages', actions: ['sqs:SendMessage'], resources: queues.map((queue) => queue.queueArn) }));
    const keys = [...new Set(queues.flatMap((queue) => (queue.encryptionMasterKey ? [queue.encryptionMasterKey] : [])))];
    if (keys.length > 0) role.addToPolicy(new PolicyStatement({ sid: 'EncryptDailyMessages', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: keys.map((key) => key.keyArn) }));
  }
}

function dailyEnvironment(props: DailyReviewProps): Record<string, string> {
  const { config } = props;
  const watched = props.watchedRepositories;
  return {
    [DAILY_ENVIRONMENT.findingsTable]: props.findingsTable.tableName,
    [DAILY_ENVIRONMENT.sbomBucket]: props.sbomBucket.bucketName,
    [DAILY_ENVIRONMENT.scanQueue]: props.scanQueue.queueUrl,
    ...(watched === 'all'
      ? { [DAILY_ENVIRONMENT.watchedAll]: 'all' }
      : {
          ...(watched.names.length > 0 ? { [DAILY_ENVIRONMENT.watchedNames]: watched.names.join(',') } : {}),
          ...(watched.prefixes.length > 0 ? { [DAILY_ENVIRONMENT.watchedPrefixes]: watched.prefixes.join(',') } : {}),
        }),
    ...(config.backfillMaxAgeDays !== undefined ? { [DAILY_ENVIRONMENT.backfillMaxAgeDays]: String(config.backfillMaxAgeDays) } : {}),
    [DAILY_ENVIRONMENT.reviewBatchSize]: String(config.reviewBatchSize),
    [DAILY_ENVIRONMENT.reviewConcurrency]: String(config.reviewConcurrency),
    [DAILY_ENVIRONMENT.reindexPerRun]: String(config.reindexPerRun),
    ...(config.deletedRetentionDays !== undefined ? { [DAILY_ENVIRONMENT.deletedRetentionDays]: String(config.deletedRetentionDays) } : {}),
    [DAILY_ENVIRONMENT.historyDays]: String(props.historyDays),
    [DAILY_ENVIRONMENT.alertsTopic]: props.alertsTopicArn,
    ...(props.eventBus !== undefined ? { [DAILY_ENVIRONMENT.eventBus]: props.eventBus } : {}),
    [DAILY_ENVIRONMENT.policyParameter]: props.policyParameterName,
    [DAILY_ENVIRONMENT.emailImageCap]: String(props.emailImageCap),
    POWERTOOLS_SERVICE_NAME: DAILY_METRICS.service,
    POWERTOOLS_METRICS_NAMESPACE: DAILY_METRICS.namespace,
  };
}

/** An SQS on-failure destination granted by the role's own SendMessage statement (SqsDestination would add kms:ReEncrypt*). */
function queueDestination(queue: Queue): IDestination {
  return { bind: (): DestinationConfig => ({ destination: queue.queueArn }) };
}
