import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { RepositorySelection } from '../config/customs-config.ts';
import { LOAD_REQUEST_PK } from '../../lambdas/adapters/dynamodb/advisory-load-request-keys.ts';
import { repositoryArns } from './ecr-read-resources.ts';
import { HandlerFunction } from './handler-function.ts';
import { grantJudging, grantQuarantining, JUDGING_ENVIRONMENT, judgingEnvironment, type JudgingProps } from './judging-access.ts';

/** The environment the scanner handler reads (lambdas/handlers/scan-image-handler.ts). */
export const SCANNER_ENVIRONMENT = {
  findingsTable: 'FINDINGS_TABLE_NAME',
  advisoryTable: 'ADVISORY_TABLE_NAME',
  sbomBucket: 'SBOM_BUCKET_NAME',
  advisoryMaxAgeHours: 'ADVISORY_MAX_AGE_HOURS',
  ...JUDGING_ENVIRONMENT,
} as const;

/** The scanner's custom metrics: Powertools' namespace and its `service` default dimension. */
export const SCANNER_METRICS = { namespace: 'Customs', service: 'customs-scanner' } as const;

export interface ScannerFunctionProps extends JudgingProps {
  /** The handler's source file (exporting `handler`). */
  readonly entry: string;
  /** Project root holding package-lock.json, for esbuild. */
  readonly projectRoot: string;
  readonly queue: IQueue;
  readonly findingsTable: ITable;
  readonly advisoryTable: ITable;
  readonly sbomBucket: IBucket;
  /** ECR reads are granted on these repositories only. */
  readonly repositories: RepositorySelection;
  readonly memoryMiB: number;
  readonly timeout: Duration;
  /** The event source's maximum concurrency: how many scans run at once. */
  readonly maxConcurrency: number;
  /** @default 1: one image per invocation, so one scan never eats another's time */
  readonly batchSize?: number;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  readonly advisoryMaxAgeHours: number;
}

/**
 * The scanner Lambda (a HandlerFunction: arm64, newest Node.js, its own log group and role), fed by
 * the scan queue with partial batch failures, and allowed only what a scan needs.
 */
export class ScannerFunction extends HandlerFunction {
  /** The SQS trigger. */
  readonly eventSourceMapping: EventSourceMapping;
  /** The repositories the role may quarantine in; undefined when it may write to none. */
  readonly quarantineRepositories?: RepositorySelection;

  constructor(scope: Construct, id: string, props: ScannerFunctionProps) {
    super(scope, id, {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Customs scanner',
      functionDescription: false,
      memoryMiB: props.memoryMiB,
      timeout: props.timeout,
      logRetention: props.logRetention,
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
      environment: {
        [SCANNER_ENVIRONMENT.findingsTable]: props.findingsTable.tableName,
        [SCANNER_ENVIRONMENT.advisoryTable]: props.advisoryTable.tableName,
        [SCANNER_ENVIRONMENT.sbomBucket]: props.sbomBucket.bucketName,
        [SCANNER_ENVIRONMENT.advisoryMaxAgeHours]: String(props.advisoryMaxAgeHours),
        ...judgingEnvironment(props),
        POWERTOOLS_SERVICE_NAME: SCANNER_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: SCANNER_METRICS.namespace,
      },
    });

    this.function.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: props.batchSize ?? 1,
        reportBatchItemFailures: true,
        // Not reserved concurrency: that throttles the function while the poller keeps receiving.
        maxConcurrency: props.maxConcurrency,
      }),
    );
    this.eventSourceMapping = this.function.node.children.find((child): child is EventSourceMapping => child instanceof EventSourceMapping)!;
    this.grantScanning(props);
    // Publishing alerts is granted by the topic (its key policy names this role); events and VEX reads here.
    grantJudging(this, this.role, props);
    // The scanner reads the images of every watched repository already (ReadWatchedRepositories).
    const quarantineRepositories = grantQuarantining(this, this.role, props);
    if (quarantineRepositories !== undefined) this.quarantineRepositories = quarantineRepositories;
  }

  private grantScanning(props: ScannerFunctionProps): void {
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadWatchedRepositories',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:DescribeImages', 'ecr:BatchCheckLayerAvailability'],
        resources: repositoryArns(this, props.repositories),
      }),
    );
    // The one action without a resource: the registry token is account-wide.
    this.role.addToPolicy(new PolicyStatement({ sid: 'RegistryToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    props.findingsTable.grantReadWriteData(this.role);
    props.advisoryTable.grantReadData(this.role);
    // Its one write there: queueing an ecosystem for loading (an UpdateItem in the load-request partition).
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'RequestAdvisoryLoads',
        actions: ['dynamodb:UpdateItem'],
        resources: [props.advisoryTable.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [LOAD_REQUEST_PK] } },
      }),
    );
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'SbomDocuments',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [props.sbomBucket.arnForObjects('*')],
      }),
    );
    // Without ListBucket, S3 answers a missing key with 403 instead of 404, and every layer seen for
    // the first time would count as a layer-cache read error. It reveals only key names the role can read.
    this.role.addToPolicy(new PolicyStatement({ sid: 'LayerAnalysisMisses', actions: ['s3:ListBucket'], resources: [props.sbomBucket.bucketArn] }));
  }
}
