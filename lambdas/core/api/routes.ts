import { z } from 'zod';
import {
  accountParam,
  booleanParam,
  digestParam,
  imageScope,
  pageParams,
  reasonField,
  regionParam,
  repositoryName,
  severityParam,
  tagName,
  verdictParam,
  vulnerabilityId,
} from './api-params.ts';
import {
  actionRecord,
  advisoryStatusAnswer,
  backfillAnswer,
  coverageAnswer,
  exceptionAnswer,
  exceptionRecord,
  findingItem,
  historyAnswer,
  imageDetail,
  imageSummary,
  pageOf,
  quarantineItem,
  releaseAnswer,
  repositorySummary,
  rescanAnswer,
  sbomAnswer,
  tagAnswer,
  verdictAnswer,
  vulnerabilityAnswer,
} from './api-responses.ts';
import { route } from './route-definition.ts';

const none = z.strictObject({});
const digestPath = z.strictObject({ digest: digestParam });

/** An exception: an ignore entry (reason required, expiry optional) or one OpenVEX statement. */
export const exceptionBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('ignore'),
    vulnerability: vulnerabilityId,
    reason: reasonField,
    expires: z.string().optional().describe('YYYY-MM-DD (end of that day, UTC) or an RFC 3339 time; absent: no expiry'),
    repositoryPrefix: z.string().max(256).optional().describe('Scope: repositories starting with it; absent: every repository'),
    package: z.string().min(1).max(512).optional().describe('A package name (binary or source) or a purl'),
    path: z.string().min(1).max(1024).optional().describe('Glob on the package location'),
  }),
  z.strictObject({
    kind: z.literal('vex'),
    reason: reasonField,
    expires: z.string().optional(),
    repositoryPrefix: z.string().max(256).optional(),
    statement: z.record(z.string(), z.unknown()).describe('One OpenVEX statement (vulnerability, products, status, justification…)'),
  }),
]);

export const routes = {
  listRepositories: route({
    operationId: 'listRepositories', method: 'GET', path: '/repositories', summary: 'The catalogue: each repository the caller may read, with counts by verdict and severity', access: 'read',
    pathParameters: none, query: z.strictObject({ prefix: z.string().max(256).optional(), ...pageParams }), body: undefined, response: pageOf(repositorySummary), status: 200, paginated: true,
  }),
  listImages: route({
    operationId: 'listImages', method: 'GET', path: '/images', summary: 'Images of a repository, newest push first, filtered by verdict, severity and quarantine', access: 'read',
    pathParameters: none,
    query: z.strictObject({ ...imageScope, verdict: verdictParam.optional(), severity: severityParam.optional().describe('At least one unsuppressed finding this severe or worse'), quarantined: booleanParam.optional(), ...pageParams }),
    body: undefined, response: pageOf(imageSummary), status: 200, paginated: true,
  }),
  getImage: route({
    operationId: 'getImage', method: 'GET', path: '/images/{digest}', summary: 'One image: tags, platforms, scan, verdict, quarantine', access: 'read',
    pathParameters: digestPath, query: z.strictObject(imageScope), body: undefined, response: imageDetail, status: 200, paginated: false,
  }),
  listFindings: route({
    operationId: 'listFindings', method: 'GET', path: '/images/{digest}/findings', summary: "An image's findings (every platform of an index), worst first", access: 'read',
    pathParameters: digestPath,
    query: z.strictObject({ ...imageScope, severity: severityParam.optional(), fixable: booleanParam.optional(), suppressed: booleanParam.optional(), ...pageParams }),
    body: undefined, response: pageOf(findingItem), status: 200, paginated: true,
  }),
  getSbom: route({
    operationId: 'getSbom', method: 'GET', path: '/images/{digest}/sbom', summary: 'The CycloneDX 1.6 SBOM `customs sbom` writes; a presigned URL past the response cap', access: 'read',
    pathParameters: digestPath, query: z.strictObject(imageScope), body: undefined, response: sbomAnswer, status: 200, paginated: false,
  }),
  getTag: route({
    operationId: 'getTag', method: 'GET', path: '/tags', summary: 'What a tag names now, its verdict and its history', access: 'read',
    pathParameters: none, query: z.strictObject({ repository: repositoryName, tag: tagName, account: accountParam.optional(), region: regionParam.optional() }),
    body: undefined, response: tagAnswer, status: 200, paginated: false,
  }),
  getVerdict: route({
    operationId: 'getVerdict', method: 'GET', path: '/verdict', summary: 'The stored verdict of a digest in a repository: small and fast, for admission controllers', access: 'read',
    pathParameters: none, query: z.strictObject({ repository: repositoryName, digest: digestParam, account: accountParam.optional(), region: regionParam.optional() }),
    body: undefined, response: verdictAnswer, status: 200, paginated: false,
  }),
  listVulnerabilityImages: route({
    operationId: 'listVulnerabilityImages', method: 'GET', path: '/vulnerabilities/{id}/images', summary: 'Images affected by a vulnerability, by ID or any alias', access: 'read',
    pathParameters: z.strictObject({ id: vulnerabilityId }), query: z.strictObject({ repositoryPrefix: z.string().max(256).optional(), ...pageParams }),
    body: undefined, response: vulnerabilityAnswer, status: 200, paginated: true,
  }),
  getAdvisoryStatus: route({
    operationId: 'getAdvisoryStatus', method: 'GET', path: '/advisories/status', summary: 'Per ecosystem: sync cursor, last run, stale or not', access: 'read',
    pathParameters: none, query: none, body: undefined, response: advisoryStatusAnswer, status: 200, paginated: false,
  }),
  listQuarantine: route({
    operationId: 'listQuarantine', method: 'GET', path: '/quarantine', summary: "A repository's quarantine records (current and released)", access: 'read',
    pathParameters: none, query: z.strictObject({ ...imageScope, state: z.enum(['QUARANTINING', 'QUARANTINED', 'RELEASING', 'RELEASED', 'SKIPPED']).optional(), ...pageParams }),
    body: undefined, response: pageOf(quarantineItem), status: 200, paginated: true,
  }),
  getCoverage: route({
    operationId: 'getCoverage', method: 'GET', path: '/coverage', summary: 'Images scanned, failed, unsupported, not images, waiting for advisories, stale', access: 'read',
    pathParameters: none, query: z.strictObject({ prefix: z.string().max(256).optional() }), body: undefined, response: coverageAnswer, status: 200, paginated: false,
  }),
  getHistory: route({
    operationId: 'getHistory', method: 'GET', path: '/history', summary: 'Daily counts by severity, kept by the daily pass', access: 'read',
    pathParameters: none, query: z.strictObject({ repository: repositoryName.optional(), account: accountParam.optional(), region: regionParam.optional(), days: z.string().regex(/^\d{1,3}$/).transform(Number).pipe(z.number().int().min(1).max(400)).optional() }),
    body: undefined, response: historyAnswer, status: 200, paginated: false,
  }),
  listActions: route({
    operationId: 'listActions', method: 'GET', path: '/actions', summary: 'Actions taken through the API (who, when, why), newest first', access: 'read',
    pathParameters: none, query: z.strictObject({ repository: repositoryName.optional(), account: accountParam.optional(), region: regionParam.optional(), ...pageParams }),
    body: undefined, response: pageOf(actionRecord), status: 200, paginated: true,
  }),
  rescanImage: route({
    operationId: 'rescanImage', method: 'POST', path: '/images/{digest}/rescan', summary: "Re-match the image's stored SBOM against current advisories and judge it again", access: 'act',
    pathParameters: digestPath, query: z.strictObject(imageScope), body: z.strictObject({ reason: reasonField.optional() }).optional(), response: rescanAnswer, status: 202, paginated: false,
  }),
  startBackfill: route({
    operationId: 'startBackfill', method: 'POST', path: '/backfill', summary: 'Queue the images of the registry (or of some repositories) not yet scanned by this scanner version', access: 'act',
    pathParameters: none, query: none,
    body: z.strictObject({
      repositories: z.array(repositoryName).max(100).optional().describe('Absent: every repository the caller may act on'),
      maxAgeDays: z.number().int().min(1).max(3650).optional(),
      reason: reasonField.optional(),
      runId: z
        .string()
        .regex(/^api-[A-Za-z0-9_-]{8,64}(?:\.\d{1,6})?$/, 'a runId an earlier answer named')
        .optional()
        .describe('Continue the run an answer with `complete: false` named, as it named it (nothing is queued twice)'),
    }),
    response: backfillAnswer, status: 202, paginated: false,
  }),
  releaseImage: route({
    operationId: 'releaseImage', method: 'POST', path: '/images/{digest}/release', summary: 'Release a quarantined image: restore its tags (never over a tag pushed meanwhile)', access: 'act',
    pathParameters: digestPath, query: z.strictObject(imageScope), body: z.strictObject({ reason: reasonField }), response: releaseAnswer, status: 200, paginated: false,
  }),
  addException: route({
    operationId: 'addException', method: 'POST', path: '/exceptions', summary: 'Add an exception (ignore entry or OpenVEX statement); the affected images are judged again', access: 'act',
    pathParameters: none, query: none, body: exceptionBody, response: exceptionAnswer, status: 201, paginated: false,
  }),
  listExceptions: route({
    operationId: 'listExceptions', method: 'GET', path: '/exceptions', summary: 'Exceptions in force and lapsed', access: 'read',
    pathParameters: none, query: z.strictObject({ repositoryPrefix: z.string().max(256).optional(), vulnerability: vulnerabilityId.optional(), ...pageParams }),
    body: undefined, response: pageOf(exceptionRecord), status: 200, paginated: true,
  }),
  removeException: route({
    operationId: 'removeException', method: 'DELETE', path: '/exceptions', summary: 'Remove an exception; the affected images are judged again', access: 'act',
    pathParameters: none, query: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'an exception ID'), reason: reasonField }),
    body: undefined, response: exceptionAnswer, status: 200, paginated: false,
  }),
} as const;

export type Routes = typeof routes;
export type OperationId = keyof Routes;
