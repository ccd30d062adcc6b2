import { ArnFormat, Stack, type Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { RepositorySelection } from '../config/customs-config.ts';
import type { S3ObjectRef } from '../../lambdas/core/policy/policy-document.ts';
import { LOAD_REQUEST_PK } from '../../lambdas/adapters/dynamodb/advisory-load-request-keys.ts';
import { repositoryArns } from './ecr-read-resources.ts';
import { HandlerFunction } from './handler-function.ts';
import { grantQuarantine } from './quarantine-permissions.ts';

/** The environment the scanner handler reads (lambdas/handlers/scan-image-handler.ts). */
export const SCANNER_ENVIRONMENT = {
  findingsTable: 'FINDINGS_TABLE_NAME',
  advisoryTable: 'ADVISORY_TABLE_NAME',
  sbomBucket: 'SBOM_BUCKET_NAME',
  advisoryMaxAgeHours: 'ADVISORY_MAX_AGE_HOURS',
  historyDays: 'HISTORY_RETENTION_DAYS',
  alertsTopic: 'ALERTS_TOPIC_ARN',
  /** The bus name or ARN as configured; absent when events are off. */
  eventBus: 'EVENT_BUS_NAME',
  policyParameter: 'POLICY_PARAMETER_NAME',
  emailImageCap: 'EMAIL_IMAGE_CAP',
} as const;

/** The scanner's custom metrics: Powertools' namespace and its `service` default dimension. */
export const SCANNER_METRICS = { namespace: 'Customs', service: 'customs-scanner' } as const;

export interface ScannerFunctionProps {
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
  /** Where `enforce` mode may quarantine (quarantineScope); no ECR write permission without it. */
  readonly quarantineRepositories?: RepositorySelection;
  readonly memoryMiB: number;
  readonly timeout: Duration;
  /** The event source's maximum concurrency: how many scans run at once. */
  readonly maxConcurrency: number;
  /** @default 1: one image per invocation, so one scan never eats another's time */
  readonly batchSize?: number;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  readonly advisoryMaxAgeHours: number;
  readonly historyDays: number;
  /** Where alerts are published (the topic grants sns:Publish and its key: AlertTopics.grantPublish). */
  readonly alertsTopicArn: string;
  /** `default`, a bus name or a bus ARN; no events without one. */
  readonly eventBus?: string;
  /** The SSM parameter holding the policy document (PolicyParameter.grantRead grants it). */
  readonly policyParameterName: string;
  /** Per-image messages to email per repository and advisory in one evaluation run. */
  readonly emailImageCap: number;
  /** S3 VEX documents the policies name: the scanner reads exactly these. */
  readonly vexObjects: readonly S3ObjectRef[];
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
        [SCANNER_ENVIRONMENT.historyDays]: String(props.historyDays),
        [SCANNER_ENVIRONMENT.alertsTopic]: props.alertsTopicArn,
        ...(props.eventBus !== undefined ? { [SCANNER_ENVIRONMENT.eventBus]: props.eventBus } : {}),
        [SCANNER_ENVIRONMENT.policyParameter]: props.policyParameterName,
        [SCANNER_ENVIRONMENT.emailImageCap]: String(props.emailImageCap),
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
    this.grantVerdicts(props);
    if (props.quarantineRepositories !== undefined) {
      this.quarantineRepositories = props.quarantineRepositories;
      grantQuarantine(this, this.role, props.quarantineRepositories);
    }
  }

  // Publishing alerts is granted by the topic (its key policy names this role); events and VEX reads here.
  private grantVerdicts(props: ScannerFunctionProps): void {
    if (props.eventBus !== undefined) {
      this.role.addToPolicy(new PolicyStatement({ sid: 'PutVerdictEvents', actions: ['events:PutEvents'], resources: [eventBusArn(this, props.eventBus)] }));
    }
    if (props.vexObjects.length > 0) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'ReadVexDocuments',
          actions: ['s3:GetObject'],
          resources: props.vexObjects.map(({ bucket, key }) => Stack.of(this).formatArn({ service: 's3', region: '', account: '', resource: bucket, resourceName: key, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })),
        }),
      );
    }
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


/** A bus ARN as given, or this account's and region's bus of that name (`default` included). */
export function eventBusArn(scope: Construct, bus: string): string {
  if (bus.startsWith('arn:')) return bus;
  return Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: bus, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
