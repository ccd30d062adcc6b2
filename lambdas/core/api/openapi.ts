import { z } from 'zod';
import type { ApiErrorCode } from './api-error.ts';
import type { RouteDefinition } from './route-definition.ts';
import { routes } from './routes.ts';

/**
 * The findings API's OpenAPI 3.1 document, built from the route table: the same zod schemas the
 * handler validates with (their input side for path, query and body; their output side for
 * answers), so the document cannot say something the handler does not do. Pure: no I/O.
 */
export type JsonSchema = { [key: string]: unknown };

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query';
  readonly required: boolean;
  readonly description?: string;
  readonly schema: JsonSchema;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly 'x-customs-access': RouteDefinition['access'];
  readonly parameters?: readonly OpenApiParameter[];
  readonly requestBody?: { readonly required: boolean; readonly content: { readonly 'application/json': { readonly schema: JsonSchema } } };
  readonly responses: Readonly<Record<string, { readonly description: string; readonly content?: { readonly 'application/json': { readonly schema: JsonSchema } } }>>;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly jsonSchemaDialect: string;
  readonly servers: readonly unknown[];
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, JsonSchema>>; readonly securitySchemes: Readonly<Record<string, JsonSchema>> };
}

export const OPENAPI_VERSION = '1.0.0';
const DIALECT = 'https://json-schema.org/draft/2020-12/schema';

// Every code an error body may carry; the check below fails to compile when ApiErrorCode gains one.
const ERROR_CODES = ['BAD_REQUEST', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'METHOD_NOT_ALLOWED', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'INTERNAL'] as const satisfies readonly ApiErrorCode[];
type MissingErrorCode = Exclude<ApiErrorCode, (typeof ERROR_CODES)[number]>;
const everyErrorCode: [MissingErrorCode] extends [never] ? true : MissingErrorCode = true;
void everyErrorCode;

/** ApiErrorBody as a schema: what every error answer holds. */
export const apiErrorBodySchema = z
  .strictObject({
    code: z.enum(ERROR_CODES).describe('Stable: callers branch on it'),
    message: z.string().describe('For people'),
    field: z.string().optional().describe('For BAD_REQUEST: the query parameter, path parameter or body field (dotted path) at fault'),
  })
  .describe('Every error answer of the findings API');

const ERROR_REF = { $ref: '#/components/schemas/ApiErrorBody' };
const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Bad input (BAD_REQUEST): `field` names the parameter or body field',
  403: 'Refused: IAM denied the route, or the caller may not read or act on the repository (FORBIDDEN)',
  404: 'Unknown image, tag, vulnerability or exception (NOT_FOUND)',
  409: 'The action conflicts with the current state, e.g. a tag re-pushed since the quarantine (CONFLICT)',
  413: 'The request body is too large (PAYLOAD_TOO_LARGE)',
  500: 'Internal error (INTERNAL); the request ID is in the logs',
};

// Which error answers a route may give besides 400, 403 and 500.
function errorStatuses(route: RouteDefinition): number[] {
  const shape = route.query.shape as Record<string, unknown>;
  const namesSomething = Object.keys(route.pathParameters.shape).length > 0 || 'repository' in shape || 'id' in shape;
  return [400, 403, ...(namesSomething ? [404] : []), ...(route.access === 'act' ? [409] : []), ...(route.body !== undefined ? [413] : []), 500];
}

const TAGS: readonly { name: string; description: string }[] = [
  { name: 'read', description: 'Reads: need read access to the repositories they touch' },
  { name: 'act', description: 'Actions: need act access to the repositories they touch; each is recorded (principal, time, reason)' },
];

/** The document for `routes` (or another route table of the same shape). */
export function buildOpenApiDocument(table: Readonly<Record<string, RouteDefinition>> = routes): OpenApiDocument {
  const components: Record<string, JsonSchema> = { ApiErrorBody: toSchema(apiErrorBodySchema, 'output', 'ApiErrorBody', {}) };
  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  const seen = new Set<string>();
  for (const route of Object.values(table)) {
    if (seen.has(route.operationId)) throw new Error(`operationId ${route.operationId} appears twice`);
    seen.add(route.operationId);
    const method = route.method.toLowerCase();
    const item = (paths[route.path] ??= {});
    if (item[method] !== undefined) throw new Error(`${route.method} ${route.path} appears twice`);
    item[method] = operationOf(route, components);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Customs findings API',
      version: OPENAPI_VERSION,
      description:
        'What is in the registry, what is vulnerable, what was quarantined, and the actions to manage it. Every route is IAM-authorized (SigV4, service execute-api); inside, the caller\'s IAM principal is mapped to the repository prefixes it may read and act on. Repository names are always query parameters. Listings take `limit` (1-100) and the opaque `nextToken` of the previous page.',
    },
    jsonSchemaDialect: DIALECT,
    servers: [{ url: '{apiUrl}', description: 'The stack output FindingsApiUrl, or the local stack', variables: { apiUrl: { default: 'https://api-id.execute-api.eu-west-1.amazonaws.com' } } }],
    security: [{ sigv4: [] }, { bearer: [] }],
    tags: TAGS,
    paths: sortedKeys(paths),
    components: {
      schemas: sortedKeys(components),
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', description: 'AWS Signature Version 4 for service execute-api (the AWS credential chain)', 'x-amazon-apigateway-authtype': 'awsSigv4' },
        bearer: { type: 'http', scheme: 'bearer', description: "The local stack's token" },
      },
    },
  };
}

function operationOf(route: RouteDefinition, components: Record<string, JsonSchema>): OpenApiOperation {
  const parameters = [...parametersOf(route, 'path', components), ...parametersOf(route, 'query', components)];
  const responses: Record<string, { description: string; content?: { 'application/json': { schema: JsonSchema } } }> = {
    [String(route.status)]: { description: route.paginated ? 'A page: `nextToken` is present while more follow' : 'The answer', content: json(toSchema(route.response, 'output', `${route.operationId}.response`, components)) },
  };
  for (const status of errorStatuses(route)) responses[String(status)] = { description: ERROR_DESCRIPTIONS[status]!, content: json(ERROR_REF) };
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.access],
    'x-customs-access': route.access,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body !== undefined
      ? { requestBody: { required: !route.body.safeParse(undefined).success, content: json(toSchema(route.body, 'input', `${route.operationId}.body`, components)) } }
      : {}),
    responses,
  };
}

// One parameter per key of the route's path or query object, required as the schema says.
function parametersOf(route: RouteDefinition, where: 'path' | 'query', components: Record<string, JsonSchema>): OpenApiParameter[] {
  const object = toSchema(where === 'path' ? route.pathParameters : route.query, 'input', `${route.operationId}.${where}`, components);
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  if (where === 'path') {
    const named = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
    if (JSON.stringify([...named].sort()) !== JSON.stringify(Object.keys(properties).sort())) {
      throw new Error(`${route.operationId}: path ${route.path} names ${named.join(', ') || 'nothing'}, its schema ${Object.keys(properties).join(', ') || 'nothing'}`);
    }
  }
  return Object.entries(properties).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: where,
      // A path parameter is always required in OpenAPI.
      required: where === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * A zod schema as JSON Schema 2020-12 for embedding: no `$schema`, and any `$defs` (shared or
 * recursive parts) moved to the document's components with their references rewritten.
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output', name: string, components: Record<string, JsonSchema>): JsonSchema {
  const generated = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  const { $schema: _dialect, $defs, ...root } = generated;
  void _dialect;
  const prefix = name.replace(/[^A-Za-z0-9._-]/g, '_');
  const rootRef = `#/components/schemas/${prefix}`;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => {
        if (key !== '$ref' || typeof inner !== 'string') return [key, rewrite(inner)];
        if (inner === '#') return [key, rootRef];
        return [key, inner.replace(/^#\/\$defs\//, `#/components/schemas/${prefix}.`)];
      }),
    );
  };
  for (const [defName, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) components[`${prefix}.${defName.replace(/[^A-Za-z0-9._-]/g, '_')}`] = rewrite(def) as JsonSchema;
  const embedded = rewrite(root) as JsonSchema;
  // A schema referring to itself lives in the components, referred to from where it is used.
  if (JSON.stringify(embedded).includes(`"${rootRef}"`)) {
    components[prefix] = embedded;
    return { $ref: rootRef };
  }
  return embedded;
}

function json(schema: JsonSchema): { 'application/json': { schema: JsonSchema } } {
  return { 'application/json': { schema } };
}

function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The document as checked in: two-space JSON and a final newline. */
export function openApiText(document: OpenApiDocument = buildOpenApiDocument()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
