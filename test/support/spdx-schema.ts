import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { repoRoot } from './paths.ts';

/** The official SPDX 2.3 JSON schema, copied into the fixtures; see test/fixtures/schemas/SOURCES.md. */
const SCHEMA = join(repoRoot, 'test', 'fixtures', 'schemas', 'spdx-schema-2.3.json');

let spdx: ValidateFunction | undefined;

/** Validator for SPDX 2.3 JSON documents. The schema declares draft 2019-09, hence Ajv2019; fully strict. */
export function spdx23Validator(): ValidateFunction {
  if (spdx) return spdx;
  const ajv = new Ajv2019({ strict: true, allErrors: true });
  spdx = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as AnySchemaObject);
  return spdx;
}
