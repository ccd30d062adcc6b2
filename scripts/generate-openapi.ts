import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openApiText } from '../lambdas/core/api/openapi.ts';

/**
 * `npx tsx scripts/generate-openapi.ts`: writes docs/openapi.json from the route table. The
 * document is checked in; test/unit/core/api/openapi.test.ts fails when it is out of date.
 */
export const OPENAPI_PATH = join(import.meta.dirname, '..', 'docs', 'openapi.json');

mkdirSync(dirname(OPENAPI_PATH), { recursive: true });
writeFileSync(OPENAPI_PATH, openApiText());
console.log(`wrote ${OPENAPI_PATH}`);
