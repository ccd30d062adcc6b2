import { Ajv2020 } from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { badRequest, notFound } from '../../../../lambdas/core/api/api-error.ts';
import { buildOpenApiDocument, openApiText, type JsonSchema, type OpenApiOperation } from '../../../../lambdas/core/api/openapi.ts';
import { routes } from '../../../../lambdas/core/api/routes.ts';

const CHECKED_IN = join(import.meta.dirname, '..', '..', '..', '..', 'docs', 'openapi.json');
const document = buildOpenApiDocument();
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const operations = Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));

// Formats are annotations here (ajv-formats would only check them); the test is that each schema compiles.
const ajv = new Ajv2020({ strict: true, validateFormats: false, strictTypes: false });
ajv.addKeyword('x-amazon-apigateway-authtype');
ajv.addSchema({ $id: 'openapi:components', $defs: document.components.schemas });

/** A schema with its component references pointed at the registered components. */
const compile = (schema: JsonSchema) => ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"openapi:components#/$defs/')) as JsonSchema);

describe('the OpenAPI document', () => {
  it('is checked in as generated', () => {
    const stored = readFileSync(CHECKED_IN, 'utf8');
    expect(stored, 'docs/openapi.json is out of date: run `npx tsx scripts/generate-openapi.ts`').toBe(openApiText(document));
  });

  it('has every route of the route table, once, under its method and path', () => {
    expect(operations).toHaveLength(Object.keys(routes).length);
    for (const route of Object.values(routes)) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.operationId, `${route.method} ${route.path}`).toBe(route.operationId);
      expect(operation?.['x-customs-access']).toBe(route.access);
      expect(Object.keys(operation!.responses)).toContain(String(route.status));
    }
    expect(new Set(operations.map(({ operation }) => operation.operationId)).size).toBe(operations.length);
  });

  it('is OpenAPI 3.1 in structure: info, path templates matching path parameters, responses, security schemes', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title.length).toBeGreaterThan(0);
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const { path, method, operation } of operations) {
      expect(path).toMatch(/^\//);
      expect(METHODS).toContain(method);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
      const parameters = operation.parameters ?? [];
      expect(parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name).sort()).toEqual(templated.sort());
      expect(parameters.filter((parameter) => parameter.in === 'path').every((parameter) => parameter.required)).toBe(true);
      // Unique by name and location, as OpenAPI requires.
      expect(new Set(parameters.map((parameter) => `${parameter.in}:${parameter.name}`)).size).toBe(parameters.length);
      expect(Object.keys(operation.responses).length).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(operation.responses)) {
        expect(status).toMatch(/^[1-5]\d\d$/);
        expect(response.description.length).toBeGreaterThan(0);
      }
    }
    expect(document.components.securitySchemes.sigv4).toEqual(expect.objectContaining({ type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' }));
    expect(document.components.securitySchemes.bearer).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    for (const requirement of document.security) for (const scheme of Object.keys(requirement)) expect(document.components.securitySchemes).toHaveProperty(scheme);
    // Every reference resolves inside the document.
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(Object.keys(document.components.schemas), ref).toContain(ref.replace('#/components/schemas/', ''));
  });

  it('takes query parameters one per key, required as the route schema says', () => {
    const parameter = (operation: OpenApiOperation | undefined, name: string) => operation?.parameters?.find((entry) => entry.name === name);
    const findings = document.paths['/images/{digest}/findings']?.get;
    expect(parameter(findings, 'repository')).toMatchObject({ in: 'query', required: true });
    for (const name of ['severity', 'fixable', 'suppressed', 'limit', 'nextToken', 'account', 'region']) expect(parameter(findings, name), name).toMatchObject({ in: 'query', required: false });
    expect(parameter(findings, 'fixable')?.schema).toEqual({ type: 'string', enum: ['true', 'false'] });
    expect(findings?.parameters?.map((entry) => entry.name).sort()).toEqual(Object.keys(routes.listFindings.query.shape).concat('digest').sort());
    const removal = document.paths['/exceptions']?.delete;
    expect(parameter(removal, 'id')).toMatchObject({ required: true });
    expect(parameter(removal, 'reason')).toMatchObject({ required: true });
    expect(document.paths['/advisories/status']?.get?.parameters).toBeUndefined();
  });

  it('marks a body required unless the route accepts none, and answers errors with ApiErrorBody', () => {
    expect(document.paths['/images/{digest}/release']?.post?.requestBody?.required).toBe(true);
    expect(document.paths['/images/{digest}/rescan']?.post?.requestBody?.required).toBe(false);
    expect(document.paths['/verdict']?.get?.requestBody).toBeUndefined();
    for (const { operation } of operations) {
      for (const status of ['400', '403', '500']) expect(operation.responses[status]?.content?.['application/json'].schema, `${operation.operationId} ${status}`).toEqual({ $ref: '#/components/schemas/ApiErrorBody' });
    }
    expect(document.paths['/images/{digest}']?.get?.responses['404']).toBeDefined();
  });

  it('has schemas that compile with ajv (JSON Schema 2020-12) and mean what the handler does', () => {
    const schemas = operations.flatMap(({ operation }) => [
      ...(operation.parameters ?? []).map((parameter) => parameter.schema),
      ...(operation.requestBody ? [operation.requestBody.content['application/json'].schema] : []),
      ...Object.values(operation.responses).flatMap((response) => (response.content ? [response.content['application/json'].schema] : [])),
    ]);
    for (const schema of schemas) expect(typeof compile(schema)).toBe('function');
    const compiled = schemas.length;
    expect(compiled).toBeGreaterThan(operations.length * 4);
    // The error schema takes the bodies ApiError writes, and refuses an unknown code.
    const errorBody = compile({ $ref: '#/components/schemas/ApiErrorBody' });
    expect(errorBody(badRequest('repository', 'a repository name').body())).toBe(true);
    expect(errorBody(notFound('no such image').body())).toBe(true);
    expect(errorBody({ code: 'TEAPOT', message: 'x' })).toBe(false);
    // A digest path parameter and a repository with `/` validate as the route schemas do.
    const digest = compile(document.paths['/images/{digest}']!.get!.parameters!.find((entry) => entry.name === 'digest')!.schema);
    expect(digest(`sha256:${'a'.repeat(64)}`)).toBe(true);
    expect(digest('latest')).toBe(false);
    const repository = compile(document.paths['/images']!.get!.parameters!.find((entry) => entry.name === 'repository')!.schema);
    expect(repository('team-a/web')).toBe(true);
    expect(repository('Team-A/web')).toBe(false);
    // The exception body: an ignore entry needs a reason, a VEX one a statement.
    const exception = compile(document.paths['/exceptions']!.post!.requestBody!.content['application/json'].schema);
    expect(exception({ kind: 'ignore', vulnerability: 'CVE-2024-3094', reason: 'not reachable' })).toBe(true);
    expect(exception({ kind: 'ignore', vulnerability: 'CVE-2024-3094' })).toBe(false);
    expect(exception({ kind: 'vex', reason: 'vendor statement' })).toBe(false);
  });
});
