import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CONFIG_CONTEXT_KEY, configFromContext, parseConfig, type CustomsConfig, type CustomsConfigInput } from './config/customs-config.ts';
import { AdvisoryTable } from './constructs/advisory-table.ts';
import { EcrEventsToQueue } from './constructs/ecr-events-to-queue.ts';
import { FindingsTable } from './constructs/findings-table.ts';
import { SbomBucket } from './constructs/sbom-bucket.ts';
import { ScannerFunction } from './constructs/scanner-function.ts';
import { acknowledgeNagFindings } from './nag-suppressions.ts';

export interface CustomsStackProps extends StackProps {
  /** Settings; without them the CDK context key `customs` is read. Either way they are validated. */
  readonly config?: CustomsConfigInput;
}

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCANNER_ENTRY = fileURLToPath(new URL('../lambdas/handlers/scan-image-handler.ts', import.meta.url));

/** The Customs pipeline: ECR events → queue → scanner Lambda → findings table (+ SBOM bucket). */
export class CustomsStack extends Stack {
  readonly config: CustomsConfig;
  readonly events: EcrEventsToQueue;
  readonly scanner: ScannerFunction;
  readonly findings: FindingsTable;
  readonly advisories: AdvisoryTable;
  readonly sboms: SbomBucket;
  readonly queueKey?: Key;

  constructor(scope: Construct, id: string, props: CustomsStackProps = {}) {
    super(scope, id, props);
    this.config = props.config ? parseConfig(props.config) : configFromContext(this.node.tryGetContext(CONFIG_CONTEXT_KEY));
    const { config } = this;
    const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const timeout = Duration.seconds(config.scanner.timeoutSeconds);

    if (config.queueEncryption === 'kms') {
      this.queueKey = new Key(this, 'QueueKey', { description: 'Customs: ECR event queues', enableKeyRotation: true, removalPolicy });
    }
    this.findings = new FindingsTable(this, 'Findings', { removalPolicy });
    this.advisories = new AdvisoryTable(this, 'Advisories', { removalPolicy });
    this.sboms = new SbomBucket(this, 'Sboms', {
      removalPolicy,
      noncurrentVersionExpiration: Duration.days(config.retention.sbomNoncurrentVersionDays),
      layerAnalysisExpiration: Duration.days(config.retention.layerAnalysisDays),
    });
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
      memoryMiB: config.scanner.memoryMiB,
      timeout,
      maxConcurrency: config.scanner.maxConcurrency,
      batchSize: config.scanner.batchSize,
      logRetention: config.retention.logDays as RetentionDays,
      logRemovalPolicy: removalPolicy,
      advisoryMaxAgeHours: config.advisoryMaxAgeHours,
      historyDays: config.retention.historyDays,
    });
    // What the CLI (`customs advisories load --table T`) and operators need after a deploy.
    new CfnOutput(this, 'FindingsTableName', { value: this.findings.table.tableName });
    new CfnOutput(this, 'AdvisoryTableName', { value: this.advisories.table.tableName });
    new CfnOutput(this, 'SbomBucketName', { value: this.sboms.bucket.bucketName });
    new CfnOutput(this, 'ScanQueueUrl', { value: this.events.queue.queueUrl });
    new CfnOutput(this, 'ScanDeadLetterQueueUrl', { value: this.events.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'ScannerFunctionName', { value: this.scanner.function.functionName });
    acknowledgeNagFindings(this);
  }
}
