import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CONFIG_CONTEXT_KEY, configFromContext, parseConfig, type CustomsConfig, type CustomsConfigInput } from './config/customs-config.ts';
import { vexObjectsOf } from '../lambdas/core/policy/policy-document.ts';
import { alertFilterPolicy, ALARMS_ONLY_FILTER_POLICY } from './config/subscription-config.ts';
import { ADVISORY_CHANGES_PREFIX, AdvisorySync } from './constructs/advisory-sync.ts';
import { AdvisoryTable } from './constructs/advisory-table.ts';
import { DailyReview } from './constructs/daily-review.ts';
import { AlertSubscriptions } from './constructs/alert-subscriptions.ts';
import { AlertTopics } from './constructs/alert-topics.ts';
import { EcrEventsToQueue } from './constructs/ecr-events-to-queue.ts';
import { FindingsApi } from './constructs/findings-api.ts';
import { FindingsTable } from './constructs/findings-table.ts';
import type { JudgingProps } from './constructs/judging-access.ts';
import { PipelineAlarms } from './constructs/pipeline-alarms.ts';
import { PolicyParameter } from './constructs/policy-parameter.ts';
import { quarantineScope } from './constructs/quarantine-scope.ts';
import { RescanPipeline } from './constructs/rescan-pipeline.ts';
import { SbomBucket } from './constructs/sbom-bucket.ts';
import { SCANNER_METRICS, ScannerFunction } from './constructs/scanner-function.ts';
import { acknowledgeNagFindings } from './nag-suppressions.ts';

export interface CustomsStackProps extends StackProps {
  /** Settings; without them the CDK context key `customs` is read. Either way they are validated. */
  readonly config?: CustomsConfigInput;
}

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCANNER_ENTRY = fileURLToPath(new URL('../lambdas/handlers/scan-image-handler.ts', import.meta.url));
const SYNC_ENTRY = fileURLToPath(new URL('../lambdas/handlers/sync-advisories-handler.ts', import.meta.url));
const RESCAN_ENTRY = fileURLToPath(new URL('../lambdas/handlers/rescan-images-handler.ts', import.meta.url));
const DAILY_ENTRY = fileURLToPath(new URL('../lambdas/handlers/daily-review-handler.ts', import.meta.url));
const FINDINGS_API_ENTRY = fileURLToPath(new URL('../lambdas/handlers/findings-api-handler.ts', import.meta.url));
// A change set is read by the rescans of its sync, which the rescan queue keeps at most 14 days.
const CHANGE_SET_RETENTION = Duration.days(15);

/**
 * The Customs pipeline: ECR events → queue → scanner Lambda → findings table (+ SBOM bucket), judged
 * by the policy parameter, alerts to the alerts topic and events to EventBridge; alarms to operations.
 */
export class CustomsStack extends Stack {
  readonly config: CustomsConfig;
  readonly events: EcrEventsToQueue;
  readonly scanner: ScannerFunction;
  readonly findings: FindingsTable;
  readonly advisories: AdvisoryTable;
  readonly sboms: SbomBucket;
  readonly queueKey?: Key;
  readonly topics: AlertTopics;
  readonly policy: PolicyParameter;
  readonly alarms: PipelineAlarms;
  readonly advisorySync: AdvisorySync;
  readonly rescan: RescanPipeline;
  readonly dailyReview: DailyReview;
  readonly findingsApi: FindingsApi;

  constructor(scope: Construct, id: string, props: CustomsStackProps = {}) {
    super(scope, id, props);
    this.config = props.config ? parseConfig(props.config) : configFromContext(this.node.tryGetContext(CONFIG_CONTEXT_KEY));
    const { config } = this;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const timeout = Duration.seconds(config.scanner.timeoutSeconds);

    if (config.queueEncryption === 'kms') {
      this.queueKey = new Key(this, 'QueueKey', { description: 'Customs: its queues (ECR events, advisory sync, rescans)', enableKeyRotation: true, removalPolicy });
    }
    this.findings = new FindingsTable(this, 'Findings', { removalPolicy });
    this.advisories = new AdvisoryTable(this, 'Advisories', { removalPolicy });
    this.sboms = new SbomBucket(this, 'Sboms', {
      removalPolicy,
      noncurrentVersionExpiration: Duration.days(config.retention.sbomNoncurrentVersionDays),
      layerAnalysisExpiration: Duration.days(config.retention.layerAnalysisDays),
    });
    this.policy = new PolicyParameter(this, 'Policy', { document: config.policies });
    this.topics = new AlertTopics(this, 'Alerts', { operationsTopic: config.operations.topic, removalPolicy });
    // What every function judging images (the scanner, the rescan, the daily pass) is given.
    const quarantineRepositories = quarantineScope(config.policies, config.watchedRepositories);
    const judging: JudgingProps = {
      historyDays: config.retention.historyDays,
      alertsTopicArn: this.topics.alertsTopic.topicArn,
      ...(config.alerts.events ? { eventBus: config.alerts.eventBus } : {}),
      policyParameterName: this.policy.parameter.parameterName,
      emailImageCap: config.alerts.emailImageCap,
      vexObjects: vexObjectsOf(config.policies),
      ...(quarantineRepositories !== undefined ? { quarantineRepositories } : {}),
    };
    this.events = new EcrEventsToQueue(this, 'EcrEvents', {
      repositories: config.watchedRepositories,
      visibilityTimeout: Duration.seconds(config.scanner.timeoutSeconds * 6),
      ...(this.queueKey ? { encryptionKey: this.queueKey } : {}),
    });
    this.scanner = new ScannerFunction(this, 'Scanner', {
      entry: SCANNER_ENTRY,
      projectRoot: PROJECT_ROOT,
      queue: this.events.queue,
      findingsTable: this.findings.table,
      advisoryTable: this.advisories.table,
      sbomBucket: this.sboms.bucket,
      repositories: config.watchedRepositories,
      ...judging,
      memoryMiB: config.scanner.memoryMiB,
      timeout,
      maxConcurrency: config.scanner.maxConcurrency,
      batchSize: config.scanner.batchSize,
      logRetention: config.retention.logDays as RetentionDays,
      logRemovalPolicy: removalPolicy,
      advisoryMaxAgeHours: config.advisoryMaxAgeHours,
    });
    this.grantJudgingResources(this.scanner.role);

    ({ rescan: this.rescan, advisorySync: this.advisorySync, dailyReview: this.dailyReview } = this.continuousAssessment(config, removalPolicy, judging));
    this.findingsApi = new FindingsApi(this, 'FindingsApi', {
      entry: FINDINGS_API_ENTRY,
      projectRoot: PROJECT_ROOT,
      findingsTable: this.findings.table,
      advisoryTable: this.advisories.table,
      sbomBucket: this.sboms.bucket,
      scanQueue: this.events.queue,
      rescanQueue: this.rescan.queue,
      watchedRepositories: config.watchedRepositories,
      accessRules: config.api.access,
      throttle: config.api.throttle,
      // Stale as the cursor-age alarm counts it.
      advisoryStaleAfterHours: config.advisorySync.maxCursorAgeHours,
      memoryMiB: config.api.memoryMiB,
      accessLogRetention: config.api.logRetentionDays as RetentionDays,
      logRetention: config.retention.logDays as RetentionDays,
      logRemovalPolicy: removalPolicy,
      ...judging,
    });
    this.grantJudgingResources(this.findingsApi.handler.role);

    const deadLetterQueue = this.topics.deliveryDeadLetterQueue;
    new AlertSubscriptions(this, 'AlertSubscriptions', { topic: this.topics.alertsTopic, subscriptions: config.alerts.subscriptions, filterPolicyOf: alertFilterPolicy, deadLetterQueue });
    new AlertSubscriptions(this, 'OperationsSubscriptions', {
      topic: this.topics.operationsTopic,
      deadLetterQueue,
      subscriptions: config.operations.subscriptions,
      // On a shared topic, operators take the alarms only; on their own topic, everything there is.
      filterPolicyOf: () => (config.operations.topic === 'alerts' ? ALARMS_ONLY_FILTER_POLICY : undefined),
    });
    this.alarms = new PipelineAlarms(this, 'Alarms', {
      topic: this.topics.operationsTopic,
      existing: [...this.events.alarms, ...this.advisorySync.alarms, ...this.rescan.alarms, ...this.dailyReview.alarms],
      scanner: this.scanner.function,
      scannerMetrics: SCANNER_METRICS,
      scanQueue: this.events.queue,
      deliveryDeadLetterQueue: deadLetterQueue,
      oldestMessageAge: Duration.seconds(config.operations.oldestMessageAgeSeconds),
      scanFailuresPerHour: config.operations.scanFailuresPerHour,
    });
    // What the CLI (`customs advisories load --table T`) and operators need after a deploy.
    new CfnOutput(this, 'FindingsTableName', { value: this.findings.table.tableName });
    new CfnOutput(this, 'AdvisoryTableName', { value: this.advisories.table.tableName });
    new CfnOutput(this, 'SbomBucketName', { value: this.sboms.bucket.bucketName });
    new CfnOutput(this, 'ScanQueueUrl', { value: this.events.queue.queueUrl });
    new CfnOutput(this, 'ScanDeadLetterQueueUrl', { value: this.events.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'ScannerFunctionName', { value: this.scanner.function.functionName });
    new CfnOutput(this, 'AlertsTopicArn', { value: this.topics.alertsTopic.topicArn });
    if (config.operations.topic === 'separate') new CfnOutput(this, 'OperationsTopicArn', { value: this.topics.operationsTopic.topicArn });
    new CfnOutput(this, 'PolicyParameterName', { value: this.policy.parameter.parameterName });
    new CfnOutput(this, 'AdvisorySyncFunctionName', { value: this.advisorySync.handler.function.functionName });
    new CfnOutput(this, 'RescanQueueUrl', { value: this.rescan.queue.queueUrl });
    new CfnOutput(this, 'DailyReviewFunctionName', { value: this.dailyReview.handler.function.functionName });
    // What `customs api --api URL` (or CUSTOMS_API_URL) is given.
    new CfnOutput(this, 'FindingsApiUrl', { value: this.findingsApi.url });
    acknowledgeNagFindings(this);
  }

  /** The scheduled advisory sync, the rescans of the images its changes affect, and the daily pass. */
  private continuousAssessment(config: CustomsConfig, removalPolicy: RemovalPolicy, judging: JudgingProps): { rescan: RescanPipeline; advisorySync: AdvisorySync; dailyReview: DailyReview } {
    const logs = { logRetention: config.retention.logDays as RetentionDays, logRemovalPolicy: removalPolicy };
    const queueKey = this.queueKey ? { encryptionKey: this.queueKey } : {};
    const rescan = new RescanPipeline(this, 'Rescan', {
      entry: RESCAN_ENTRY,
      projectRoot: PROJECT_ROOT,
      config: config.rescan,
      findingsTable: this.findings.table,
      advisoryTable: this.advisories.table,
      sbomBucket: this.sboms.bucket,
      ...queueKey,
      ...logs,
      ...judging,
      advisoryMaxAgeHours: config.advisoryMaxAgeHours,
    });
    this.grantJudgingResources(rescan.handler.role);
    const advisorySync = new AdvisorySync(this, 'AdvisorySync', {
      entry: SYNC_ENTRY,
      projectRoot: PROJECT_ROOT,
      config: config.advisorySync,
      advisoryTable: this.advisories.table,
      findingsTable: this.findings.table,
      sbomBucket: this.sboms.bucket,
      rescanQueue: rescan.queue,
      digestsPerMessage: config.rescan.digestsPerMessage,
      ...queueKey,
      ...logs,
    });
    this.sboms.bucket.addLifecycleRule({ id: 'ExpireAdvisoryChangeSets', prefix: ADVISORY_CHANGES_PREFIX, expiration: CHANGE_SET_RETENTION, noncurrentVersionExpiration: Duration.days(1) });
    const daily = config.dailyReview;
    const dailyReview = new DailyReview(this, 'DailyReview', {
      entry: DAILY_ENTRY,
      projectRoot: PROJECT_ROOT,
      config: {
        schedule: daily.schedule,
        memoryMiB: daily.memoryMiB,
        timeoutSeconds: daily.timeoutSeconds,
        backfillMaxAgeDays: daily.backfillMaxAgeDays,
        reviewBatchSize: daily.reviewBatchSize,
        reviewConcurrency: daily.reviewConcurrency,
        reindexPerRun: daily.reindexPerRun,
        ...(daily.deletedRetentionDays !== undefined ? { deletedRetentionDays: daily.deletedRetentionDays } : {}),
      },
      findingsTable: this.findings.table,
      sbomBucket: this.sboms.bucket,
      scanQueue: this.events.queue,
      watchedRepositories: config.watchedRepositories,
      ...queueKey,
      ...logs,
      ...judging,
    });
    this.grantJudgingResources(dailyReview.handler.role);
    return { rescan, advisorySync, dailyReview };
  }

  /** The alert topic (and its key) and the policy parameter, which a judging function's role is named in. */
  private grantJudgingResources(role: IRole): void {
    this.topics.grantPublish(role);
    this.policy.grantRead(role);
  }
}
