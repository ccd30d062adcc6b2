import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The OSV snapshot the project ships for the demo: real advisories about the demo image's packages. */
export function demoAdvisoriesDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'advisories');
}
