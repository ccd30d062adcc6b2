import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { repoRoot } from './paths.ts';

/** The official SARIF 2.1.0 schema (OASIS), copied into the fixtures; see test/fixtures/schemas/SOURCES.md. */
const SCHEMA = join(repoRoot, 'test', 'fixtures', 'schemas', 'sarif-schema-2.1.0.json');

let sarif: ValidateFunction | undefined;

/** Validator for SARIF 2.1.0 logs: draft-07, strict except where the official schema needs leeway. */
export function sarif210Validator(): ValidateFunction {
  if (sarif) return sarif;
  // strictRequired off: the schema's anyOf branches (`{ "required": ["index"] }`) name properties
  // declared by the enclosing object, which Ajv's strict mode would reject as undefined.
  const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
  addFormats.default(ajv);
  sarif = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as AnySchemaObject);
  return sarif;
}
