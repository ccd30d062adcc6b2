import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RepositorySelection } from '../config/customs-config.ts';
import { grantSend, messagesWaitingAlarm, queueDestination } from './customs-queues.ts';
import { repositoryArns } from './ecr-read-resources.ts';
import { HandlerFunction } from './handler-function.ts';
import { grantJudging, grantQuarantining, JUDGING_ENVIRONMENT, judgingEnvironment, type JudgingProps } from './judging-access.ts';
import { SBOM_PREFIX } from './sbom-bucket.ts';
import { scheduledInvoke, scheduleQueues } from './scheduled-invoke.ts';

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
  ...JUDGING_ENVIRONMENT,
} as const;

export const DAILY_METRICS = { namespace: 'Customs', service: 'customs-daily-review' } as const;
/** What the schedule sends (lambdas/handlers/daily-review/daily-event.ts refuses anything else). */
export const DAILY_REVIEW_INPUT = { source: 'customs.schedule', action: 'daily-review' } as const;

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

export interface DailyReviewProps extends JudgingProps {
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
    ({ scheduleDeadLetterQueue: this.scheduleDeadLetterQueue, failureQueue: this.failureQueue } = scheduleQueues(this, encryptionKey));

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

    ({ role: this.schedulerRole, schedule: this.schedule } = scheduledInvoke(this, {
      target: this.handler.function,
      deadLetterQueue: this.scheduleDeadLetterQueue,
      description: 'Customs: the daily pass (enumerate watched images, review verdicts, re-index, retention)',
      roleDescription: 'Customs: EventBridge Scheduler invokes the daily pass',
      invokeSid: 'InvokeDailyReview',
      expression: config.schedule,
      timezone: 'UTC',
      input: DAILY_REVIEW_INPUT,
      // A daily tick is worth delivering late for hours, not a day.
      retryPolicy: { maximumRetryAttempts: 5, maximumEventAgeInSeconds: 6 * 3600 },
    }));
    this.grantDaily(props);
    // Quarantine reads the image's manifest (to put the marker and restore tags); DescribeWatchedImages its status.
    const quarantineRepositories = grantQuarantining(this, this.handler.role, props, ['ecr:BatchGetImage']);
    if (quarantineRepositories !== undefined) this.quarantineRepositories = quarantineRepositories;
    this.alarms = [
      messagesWaitingAlarm(this, 'ScheduleDeadLetterQueueAlarm', this.scheduleDeadLetterQueue, 'EventBridge Scheduler could not invoke the daily pass'),
      messagesWaitingAlarm(this, 'FailureQueueAlarm', this.failureQueue, 'the daily pass failed after retries; its report (logs) names the failed step'),
    ];
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
    grantJudging(this, role, props);
    // The scanner's queue, and the failure destination.
    grantSend(role, [props.scanQueue, this.failureQueue], 'Daily');
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
    ...judgingEnvironment(props),
    POWERTOOLS_SERVICE_NAME: DAILY_METRICS.service,
    POWERTOOLS_METRICS_NAMESPACE: DAILY_METRICS.namespace,
  };
}
