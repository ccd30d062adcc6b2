import type {} from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startRegistry, type RunningRegistry } from './support/registry.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:PORT` of the registry shared by the suite (anonymous, deletes enabled). */
    registryHost: string;
  }
}

let registry: RunningRegistry | undefined;
let scratch: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Every temporary file of this run (tests, skopeo, umoci, the registry) lands here and goes at the end.
  scratch = mkdtempSync(join(tmpdir(), 'customs-test-run-'));
  process.env.TMPDIR = scratch;
  registry = await startRegistry({ deleteEnabled: true });
  project.provide('registryHost', registry.host);
}

export async function teardown(): Promise<void> {
  await registry?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
