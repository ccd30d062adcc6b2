import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startRegistry, type RunningRegistry } from './support/registry.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `127.0.0.1:PORT` of the registry shared by the suite (anonymous, deletes enabled). */
    registryHost: string;
  }
}

let registry: RunningRegistry | undefined;

export async function setup(project: TestProject): Promise<void> {
  registry = await startRegistry({ deleteEnabled: true });
  project.provide('registryHost', registry.host);
}

export async function teardown(): Promise<void> {
  await registry?.stop();
}
