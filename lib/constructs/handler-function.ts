import { RemovalPolicy, type Duration, type Size } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, ApplicationLogLevel, LoggingFormat, Runtime, SystemLogLevel, type IDestination } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface HandlerFunctionProps {
  /** The handler's source file (exporting `handler`). */
  readonly entry: string;
  /** Project root holding package-lock.json, for esbuild. */
  readonly projectRoot: string;
  /** The role's description; the function's too, unless `functionDescription` says otherwise. */
  readonly description: string;
  /** `false`: the function carries no description (the scanner's never had one). */
  readonly functionDescription?: false;
  readonly memoryMiB: number;
  readonly timeout: Duration;
  readonly ephemeralStorage?: Size;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Asynchronous invocations: Lambda's own retries and where an invocation that still fails goes. */
  readonly asyncInvoke?: { readonly retryAttempts: number; readonly maxEventAge: Duration; readonly onFailure: IDestination };
}

/**
 * A Customs Lambda (the scanner, the sync, the rescan): an ES module bundle for arm64 on the newest
 * Node.js runtime, JSON logs into a log group of its own, and a role of its own with no managed
 * policy (AWSLambdaBasicExecutionRole writes to any log group), to which the owner adds exactly what
 * the function needs. Its children are `LogGroup`, `Role` and `Function`, so a construct extending
 * it keeps the logical IDs it had when it made them itself.
 */
export class HandlerFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'LogGroup', { retention: props.logRetention, removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN });
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), description: props.description });
    this.function = new NodejsFunction(this, 'Function', {
      ...(props.functionDescription === false ? {} : { description: props.description }),
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMiB,
      timeout: props.timeout,
      ...(props.ephemeralStorage ? { ephemeralStorageSize: props.ephemeralStorage } : {}),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      // Platform START/END/REPORT lines are log bytes paid per invocation; Lambda's metrics say the same.
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: { ...props.environment },
      ...(props.asyncInvoke ? { retryAttempts: props.asyncInvoke.retryAttempts, maxEventAge: props.asyncInvoke.maxEventAge, onFailure: props.asyncInvoke.onFailure } : {}),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        // No source map: parsing one at every cold start costs init time; kept names keep stacks readable.
        minify: true,
        keepNames: true,
        sourceMap: false,
        // The pinned SDK versions are bundled, not whatever the runtime ships that month.
        externalModules: [],
        // CommonJS dependencies inside an ES module bundle still call require().
        banner: "import { createRequire as customsCreateRequire } from 'node:module'; const require = customsCreateRequire(import.meta.url);",
      },
    });
    this.logGroup.grantWrite(this.role);
  }
}
