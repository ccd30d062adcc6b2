import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { repoRoot } from './paths.ts';

/**
 * JSON Schema validation for report tests, against the official CycloneDX schemas shipped in
 * @cyclonedx/cyclonedx-library (so no network) and against Customs' own schema.
 */
const CYCLONEDX_SCHEMAS = join(repoRoot, 'node_modules', '@cyclonedx', 'cyclonedx-library', 'res', 'schema');

/** Draft-07 Ajv with the formats the CycloneDX schema uses. */
export function createAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // ajv-formats has no IRI or IDN formats; accept what they add over uri-reference/email (non-ASCII).
  ajv.addFormat('iri-reference', /^[^\s\p{Cc}]*$/u);
  ajv.addFormat('idn-email', /^[^\s@]+@[^\s@]+$/u);
  return ajv;
}

let cycloneDx: ValidateFunction | undefined;

/** Validator for CycloneDX 1.6 JSON documents. */
export function cycloneDx16Validator(): ValidateFunction {
  if (cycloneDx) return cycloneDx;
  const ajv = createAjv();
  const bom = readSchema(CYCLONEDX_SCHEMAS, 'bom-1.6.SNAPSHOT.schema.json');
  const base = bom.$id as string;
  // The bom schema refers to its companions by file name relative to its own $id, while their own
  // $ids name them without ".SNAPSHOT"; register them where the references point.
  for (const file of ['spdx.SNAPSHOT.schema.json', 'jsf-0.82.SNAPSHOT.schema.json']) {
    const schema = readSchema(CYCLONEDX_SCHEMAS, file);
    ajv.addSchema({ ...schema, $id: new URL(file, base).href });
  }
  cycloneDx = ajv.compile(bom);
  return cycloneDx;
}

/** Validator for a JSON Schema file in the repository. */
export function schemaValidator(...pathFromRoot: string[]): ValidateFunction {
  return createAjv().compile(readSchema(repoRoot, ...pathFromRoot));
}

/** Ajv's errors as `path: message` lines, for readable assertion failures. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message ?? error.keyword}`);
}

function readSchema(...path: string[]): AnySchemaObject {
  return JSON.parse(readFileSync(join(...path), 'utf8')) as AnySchemaObject;
}
