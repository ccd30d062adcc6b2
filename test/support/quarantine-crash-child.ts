import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { SNSClient } from '@aws-sdk/client-sns';
import { z } from 'zod';
import { findingsDocumentClient } from '../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbVerdictStore } from '../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { RegionalEcrClients } from '../../lambdas/adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../lambdas/adapters/ecr/ecr-quarantine-registry.ts';
import { ecrRepositoryArn } from '../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { SnsAlertPublisher } from '../../lambdas/adapters/sns/sns-alert-publisher.ts';
import { parseDigest } from '../../lambdas/core/digest.ts';
import type { ImageKey } from '../../lambdas/core/pipeline/model.ts';
import { StaticPolicySource } from '../../lambdas/core/policy/static-policy-source.ts';
import { enforceVerdicts, type EnforcementOutcome } from '../../lambdas/core/use-cases/enforce-verdicts.ts';
import { releaseImage, type ReleaseOutcome } from '../../lambdas/core/use-cases/release-image.ts';
import { bridgedMotoEcrClient } from './moto-ecr-bridge.ts';

/**
 * One quarantine or release of one image with the real use case and adapters: EcrQuarantineRegistry
 * on moto's ECR (through the bridge for moto's gaps), the quarantine, verdict and image state stores
 * on DynamoDB Local, alerts to an SNS topic on moto. Every AWS call (ECR, DynamoDB, SNS) is counted
 * as the adapters make it; with `killAt`, the process kills itself with SIGKILL right after the
 * response (or error) of that call, as a Lambda dies mid-run: no cleanup, no finally.
 *
 * Run as `node --import tsx quarantine-crash-child.ts` (or bundled by esbuild, which starts faster)
 * with its configuration as JSON in CUSTOMS_QUARANTINE_CRASH; a run that completes prints `{"calls":…,"outcome":…}`. A test reruns in
 * its own process with `runQuarantineStep` and the same configuration.
 */
export const quarantineCrashConfigSchema = z.object({
  motoEndpoint: z.url(),
  dynamodbEndpoint: z.url(),
  tableName: z.string().min(3),
  topicArn: z.string().startsWith('arn:'),
  /** The bridge's storage state file, one per test case. */
  stateFile: z.string().min(1),
  key: z.object({ account: z.string(), region: z.string(), repository: z.string(), digest: z.string() }),
  /** The policy document (enforce mode, the quarantine method). */
  policy: z.unknown(),
  step: z.enum(['quarantine', 'release']),
  killAt: z.number().int().positive().optional(),
  /** 0 on a rerun: a pending alert left by the dead run is republished at once. */
  pendingGraceMs: z.number().int().nonnegative().optional(),
});
export type QuarantineCrashConfig = z.infer<typeof quarantineCrashConfigSchema>;

export const RELEASE_REQUEST = { by: 'arn:aws:iam::123456789012:role/security', reason: 'SEC-14: not reachable here', trigger: 'request' } as const;

export interface StepResult {
  readonly calls: number;
  readonly outcome: readonly EnforcementOutcome[] | ReleaseOutcome;
}

/** Counts every call on the client, outermost in its stack, and dies after call `killAt`. */
function countCalls(client: ECRClient | DynamoDBClient | SNSClient, counter: { calls: number }, killAt: number | undefined): void {
  (client as SNSClient).middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } finally {
        counter.calls += 1;
        if (counter.calls === killAt) process.kill(process.pid, 'SIGKILL');
      }
    },
    { step: 'initialize', priority: 'high', name: 'customsTestCountCalls' },
  );
}

/** The use case the configuration names, run once to its end (or to the kill). */
export async function runQuarantineStep(config: QuarantineCrashConfig): Promise<StepResult> {
  const counter = { calls: 0 };
  const region = config.key.region;
  const ecr = bridgedMotoEcrClient({ endpoint: config.motoEndpoint, region, stateFile: config.stateFile });
  const dynamodb = new DynamoDBClient({ endpoint: config.dynamodbEndpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const sns = new SNSClient({ endpoint: config.motoEndpoint, region, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  for (const client of [ecr, dynamodb, sns]) countCalls(client, counter, config.killAt);

  const table = { client: findingsDocumentClient(dynamodb), tableName: config.tableName };
  const key: ImageKey = { ...config.key, digest: parseDigest(config.key.digest) };
  const common = {
    verdicts: new DynamoDbVerdictStore(table),
    quarantines: new DynamoDbQuarantineStore(table),
    registry: new EcrQuarantineRegistry({ clients: new RegionalEcrClients({ create: () => ecr }) }),
    alerts: new SnsAlertPublisher({ client: sns, topicArn: config.topicArn }),
    clock: { now: () => new Date() },
  };
  const outcome =
    config.step === 'quarantine'
      ? await enforceVerdicts([{ key, trigger: 'push' }], {
          ...common,
          policies: StaticPolicySource.fromDocument(config.policy),
          options: { repositoryId: ecrRepositoryArn, emailImageCap: 20, ...(config.pendingGraceMs !== undefined ? { pendingGraceMs: config.pendingGraceMs } : {}) },
        })
      : await releaseImage({ key, ...RELEASE_REQUEST }, { ...common, tags: new DynamoDbImageStateStore(table), options: { repositoryId: ecrRepositoryArn } });
  return { calls: counter.calls, outcome };
}

const raw = process.env.CUSTOMS_QUARANTINE_CRASH;
if (raw !== undefined) {
  const result = await runQuarantineStep(quarantineCrashConfigSchema.parse(JSON.parse(raw)));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
