import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { routes } from '../../lambdas/core/api/routes.ts';
import type { ApiAccessRule, RepositorySelection } from '../config/customs-config.ts';
import { grantSend } from './customs-queues.ts';
import { repositoryArns } from './ecr-read-resources.ts';
import { HandlerFunction } from './handler-function.ts';
import { grantJudging, grantQuarantining, JUDGING_ENVIRONMENT, judgingEnvironment, type JudgingProps } from './judging-access.ts';
import { API_ANSWERS_PREFIX, SBOM_PREFIX } from './sbom-bucket.ts';

/** The environment the findings API handler reads (lambdas/handlers/findings-api*). */
export const FINDINGS_API_ENVIRONMENT = {
  findingsTable: 'FINDINGS_TABLE_NAME',
  advisoryTable: 'ADVISORY_TABLE_NAME',
  sbomBucket: 'SBOM_BUCKET_NAME',
  scanQueue: 'SCAN_QUEUE_URL',
  rescanQueue: 'RESCAN_QUEUE_URL',
  /** JSON: `[{ principal, read: [prefix…], act: [prefix…] }]`, the `api.access` configuration as validated. */
  accessRules: 'API_ACCESS_RULES',
  /** An ecosystem whose sync cursor is older than this is reported stale by `GET /advisories/status`. */
  advisoryStaleAfterHours: 'ADVISORY_STALE_AFTER_HOURS',
  /** `all`; otherwise absent, with the names and prefixes comma-separated below (what a backfill may queue). */
  watchedAll: 'WATCHED_REPOSITORIES',
  watchedNames: 'WATCHED_REPOSITORY_NAMES',
  watchedPrefixes: 'WATCHED_REPOSITORY_PREFIXES',
  ...JUDGING_ENVIRONMENT,
} as const;

export const FINDINGS_API_METRICS = { namespace: 'Customs', service: 'customs-findings-api' } as const;

/**
 * One access log line per request, JSON: who called (the IAM ARN API Gateway verified), which
 * route, the answer and how long it took. Request bodies and query strings are not logged.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  caller: '$context.identity.userArn',
  accountId: '$context.identity.accountId',
  sourceIp: '$context.identity.sourceIp',
  route: '$context.routeKey',
  status: '$context.status',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  error: '$context.error.message',
  integrationError: '$context.integrationErrorMessage',
} as const;

// HTTP APIs give an integration 30 s at most; the function stops first so its own error is the answer.
const HANDLER_TIMEOUT = Duration.seconds(29);

export interface FindingsApiProps extends JudgingProps {
  readonly entry: string;
  readonly projectRoot: string;
  readonly findingsTable: ITable;
  readonly advisoryTable: ITable;
  readonly sbomBucket: IBucket;
  /** The scanner's queue: a backfill sends images there as their push events would have been. */
  readonly scanQueue: IQueue;
  /** The rescan queue: an on-demand rescan, and re-evaluation after an exception changes. */
  readonly rescanQueue: IQueue;
  /** The repositories a backfill may enumerate and queue (ECR image reads are granted on these only). */
  readonly watchedRepositories: RepositorySelection;
  /** Which principal reads and acts on which repository prefixes. */
  readonly accessRules: readonly ApiAccessRule[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly advisoryStaleAfterHours: number;
  readonly memoryMiB: number;
  readonly accessLogRetention: RetentionDays;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The findings API: an HTTP API whose every route (one per entry of the route table, no `$default`)
 * is authorized by IAM (SigV4), one Lambda answering them all, a `$default` stage throttled and
 * access-logged. IAM authorizes routes only; the handler maps the caller's ARN to the repository
 * prefixes it may read and act on (API_ACCESS_RULES).
 */
export class FindingsApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly handler: HandlerFunction;
  readonly accessLogs: LogGroup;
  readonly routes: readonly HttpRoute[];
  readonly quarantineRepositories?: RepositorySelection;
  /** The stage's URL (no trailing slash). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: FindingsApiProps) {
    super(scope, id);
    this.handler = new HandlerFunction(this, 'Handler', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Customs findings API',
      memoryMiB: props.memoryMiB,
      timeout: HANDLER_TIMEOUT,
      logRetention: props.logRetention,
      ...(props.logRemovalPolicy ? { logRemovalPolicy: props.logRemovalPolicy } : {}),
      environment: findingsApiEnvironment(props),
    });

    const authorizer = new HttpIamAuthorizer();
    // No default integration: a request matching no route is refused by API Gateway (404) unsigned or not.
    this.api = new HttpApi(this, 'Api', { apiName: `${Stack.of(this).stackName}-findings`, description: 'Customs findings API (IAM-authorized)', createDefaultStage: false, defaultAuthorizer: authorizer });
    // One permission for the whole API rather than one per route (a route may only reach this function).
    const integration = new HttpLambdaIntegration('Handler', this.handler.function, { scopePermissionToRoute: false });
    this.routes = Object.values(routes).flatMap((route) => this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer }));

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.accessLogRetention, ...(props.logRemovalPolicy ? { removalPolicy: props.logRemovalPolicy } : {}) });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: props.throttle.rateLimit, burstLimit: props.throttle.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs), format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)) },
    });
    this.url = this.stage.url.replace(/\/$/, '');
    this.grantApi(props);
    // Release restores tags from the image's manifest and reads its status first, as quarantine does.
    const quarantineRepositories = grantQuarantining(this, this.handler.role, props, ['ecr:BatchGetImage', 'ecr:DescribeImages']);
    if (quarantineRepositories !== undefined) this.quarantineRepositories = quarantineRepositories;
  }

  private grantApi(props: FindingsApiProps): void {
    const role = this.handler.role;
    const stack = Stack.of(this);
    // Image states, verdicts, quarantine records, exceptions, the action log and page-token keys.
    props.findingsTable.grantReadWriteData(role);
    props.advisoryTable.grantReadData(role);
    // Stored SBOMs (served, or presigned past the response cap), and the API's own large answers.
    role.addToPolicy(new PolicyStatement({ sid: 'ReadSboms', actions: ['s3:GetObject'], resources: [props.sbomBucket.arnForObjects(`${SBOM_PREFIX}*`)] }));
    role.addToPolicy(new PolicyStatement({ sid: 'KeepLargeAnswers', actions: ['s3:GetObject', 's3:PutObject'], resources: [props.sbomBucket.arnForObjects(`${API_ANSWERS_PREFIX}*`)] }));
    // A backfill lists repositories without naming them (as the daily pass does; names only) and
    // describes images in the watched repositories alone.
    role.addToPolicy(new PolicyStatement({ sid: 'ListRepositories', actions: ['ecr:DescribeRepositories'], resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' })] }));
    role.addToPolicy(new PolicyStatement({ sid: 'DescribeWatchedImages', actions: ['ecr:DescribeImages'], resources: repositoryArns(this, props.watchedRepositories) }));
    grantSend(role, [props.scanQueue, props.rescanQueue], 'Api');
    grantJudging(this, role, props);
  }
}

// Lambda allows 4 KB of environment in all; the rules get most of it, the rest is names and ARNs.
const MAX_ACCESS_RULES_BYTES = 3072;

function findingsApiEnvironment(props: FindingsApiProps): Record<string, string> {
  const watched = props.watchedRepositories;
  const rules = JSON.stringify(props.accessRules.map(({ principal, read, act }) => ({ principal, read, act })));
  if (Buffer.byteLength(rules) > MAX_ACCESS_RULES_BYTES) {
    throw new Error(`api.access is ${Buffer.byteLength(rules)} bytes as JSON; a Lambda environment holds 4 KB, so at most ${MAX_ACCESS_RULES_BYTES} (use fewer, broader prefixes or roles)`);
  }
  return {
    [FINDINGS_API_ENVIRONMENT.findingsTable]: props.findingsTable.tableName,
    [FINDINGS_API_ENVIRONMENT.advisoryTable]: props.advisoryTable.tableName,
    [FINDINGS_API_ENVIRONMENT.sbomBucket]: props.sbomBucket.bucketName,
    [FINDINGS_API_ENVIRONMENT.scanQueue]: props.scanQueue.queueUrl,
    [FINDINGS_API_ENVIRONMENT.rescanQueue]: props.rescanQueue.queueUrl,
    [FINDINGS_API_ENVIRONMENT.accessRules]: rules,
    [FINDINGS_API_ENVIRONMENT.advisoryStaleAfterHours]: String(props.advisoryStaleAfterHours),
    ...(watched === 'all'
      ? { [FINDINGS_API_ENVIRONMENT.watchedAll]: 'all' }
      : {
          ...(watched.names.length > 0 ? { [FINDINGS_API_ENVIRONMENT.watchedNames]: watched.names.join(',') } : {}),
          ...(watched.prefixes.length > 0 ? { [FINDINGS_API_ENVIRONMENT.watchedPrefixes]: watched.prefixes.join(',') } : {}),
        }),
    ...judgingEnvironment(props),
    POWERTOOLS_SERVICE_NAME: FINDINGS_API_METRICS.service,
    POWERTOOLS_METRICS_NAMESPACE: FINDINGS_API_METRICS.namespace,
  };
}
