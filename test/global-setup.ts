import type {} from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type RunningDynamoDbLocal } from '../lambdas/local/dynamodb-local.ts';
import { startMoto, type RunningMoto } from './support/moto-server.ts';
import { startRegistry, type RunningRegistry } from './support/registry.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:PORT` of the registry shared by the suite (anonymous, deletes enabled). */
    registryHost: string;
    /** `http://127.0.0.1:PORT` of DynamoDB Local (in memory); tests create their own uniquely named tables. */
    dynamodbEndpoint: string;
    /** `http://127.0.0.1:PORT` of moto_server; tests that reset it must not run beside others using it. */
    motoEndpoint: string;
  }
}

let registry: RunningRegistry | undefined;
let dynamodb: RunningDynamoDbLocal | undefined;
let moto: RunningMoto | undefined;
let scratch: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Every temporary file of this run (tests, skopeo, umoci, the registry) lands here and goes at the end.
  scratch = mkdtempSync(join(tmpdir(), 'customs-test-run-'));
  process.env.TMPDIR = scratch;
  [registry, dynamodb, moto] = await Promise.all([startRegistry({ deleteEnabled: true }), startDynamoDbLocal(), startMoto()]);
  project.provide('registryHost', registry.host);
  project.provide('dynamodbEndpoint', dynamodb.endpoint);
  project.provide('motoEndpoint', moto.endpoint);
}

export async function teardown(): Promise<void> {
  await Promise.all([registry?.stop(), dynamodb?.stop(), moto?.stop()]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
