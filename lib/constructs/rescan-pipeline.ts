import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RepositorySelection, RescanConfig } from '../config/customs-config.ts';
import { ADVISORY_CHANGES_PREFIX, listChangeSets } from './advisory-sync.ts';
import { consumedQueue, messagesWaitingAlarm } from './customs-queues.ts';
import { HandlerFunction } from './handler-function.ts';
import { grantJudging, grantQuarantining, JUDGING_ENVIRONMENT, judgingEnvironment, type JudgingProps } from './judging-access.ts';
import { SBOM_PREFIX } from './sbom-bucket.ts';

/** The environment the rescan handler reads (lambdas/handlers/rescan-images/rescan-environment.ts). */
export const RESCAN_ENVIRONMENT = {
  findingsTable: 'FINDINGS_TABLE_NAME',
  advisoryTable: 'ADVISORY_TABLE_NAME',
  sbomBucket: 'SBOM_BUCKET_NAME',
  ...JUDGING_ENVIRONMENT,
  /** The scanner's advisory age limit: an image waiting for advisories turns SCANNED only within it. */
  advisoryMaxAgeHours: 'ADVISORY_MAX_AGE_HOURS',
} as const;

export const RESCAN_METRICS = { namespace: 'Customs', service: 'customs-rescan' } as const;

export interface RescanPipelineProps extends JudgingProps {
  readonly entry: string;
  readonly projectRoot: string;
  readonly config: RescanConfig;
  readonly findingsTable: ITable;
  readonly advisoryTable: ITable;
  readonly sbomBucket: IBucket;
  readonly encryptionKey?: IKey;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  readonly advisoryMaxAgeHours: number;
}

/**
 * The rescan: a queue of `customs.rescan/v1` messages (many digests each, from the sync) consumed
 * by the rescan Lambda with partial batch failures; a message failing five times lands in the DLQ,
 * which an alarm watches. The Lambda re-evaluates stored SBOMs (no layer read), so it needs no ECR
 * read permission unless enforce mode may quarantine or release.
 */
export class RescanPipeline extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly handler: HandlerFunction;
  readonly eventSourceMapping: EventSourceMapping;
  readonly quarantineRepositories?: RepositorySelection;
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: RescanPipelineProps) {
    super(scope, id);
    const { config } = props;
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = consumedQueue(this, '', props.encryptionKey, { visibilityTimeout: Duration.seconds(config.timeoutSeconds * 6) }));
    this.handler = new HandlerFunction(this, 'Rescan', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Customs rescan of stored images',
      memoryMiB: config.memoryMiB,
      timeout: Duration.seconds(config.timeoutSeconds),
      logRetention: props.logRetention,
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
      environment: {
        [RESCAN_ENVIRONMENT.findingsTable]: props.findingsTable.tableName,
        [RESCAN_ENVIRONMENT.advisoryTable]: props.advisoryTable.tableName,
        [RESCAN_ENVIRONMENT.sbomBucket]: props.sbomBucket.bucketName,
        ...judgingEnvironment(props),
        [RESCAN_ENVIRONMENT.advisoryMaxAgeHours]: String(props.advisoryMaxAgeHours),
        POWERTOOLS_SERVICE_NAME: RESCAN_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: RESCAN_METRICS.namespace,
      },
    });
    this.handler.function.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 1,
        reportBatchItemFailures: true,
        // Not reserved concurrency (that throttles while the poller keeps receiving); this bounds
        // the writes a rescan burst puts on the findings table. How the defaults (5 at once, 50
        // digests a message) were sized: lib/config/customs-config.ts, above the rescan settings.
        maxConcurrency: config.maxConcurrency,
      }),
    );
    this.eventSourceMapping = this.handler.function.node.children.find((child): child is EventSourceMapping => child instanceof EventSourceMapping)!;
    this.grantRescan(props);
    grantJudging(this, this.handler.role, props);
    // Quarantine reads the image's manifest (to put the marker and restore tags) and its status.
    const quarantineRepositories = grantQuarantining(this, this.handler.role, props, ['ecr:BatchGetImage', 'ecr:DescribeImages']);
    if (quarantineRepositories !== undefined) this.quarantineRepositories = quarantineRepositories;
    this.alarms = [messagesWaitingAlarm(this, 'DeadLetterQueueAlarm', this.deadLetterQueue, 'rescan messages gave up after retries; their images were not re-evaluated for that sync')];
  }

  private grantRescan(props: RescanPipelineProps): void {
    const role = this.handler.role;
    props.findingsTable.grantReadWriteData(role);
    props.advisoryTable.grantReadData(role);
    // Stored SBOMs and the sync's change sets; nothing else of the bucket.
    role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadSbomsAndChangeSets',
        actions: ['s3:GetObject'],
        resources: [props.sbomBucket.arnForObjects(`${SBOM_PREFIX}*`), props.sbomBucket.arnForObjects(`${ADVISORY_CHANGES_PREFIX}*`)],
      }),
    );
    role.addToPolicy(listChangeSets(props.sbomBucket));
  }
}
