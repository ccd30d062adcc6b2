import { z } from 'zod';
import { SEVERITIES } from '../findings/model.ts';

/**
 * Schemas of the findings API's inputs, shared by the routes (the handler validates with them) and
 * the OpenAPI document (generated from them). Query values arrive as strings.
 */

/** ECR's repository name rule (lower case, `/`-separated path, 2–256 characters). */
export const repositoryName = z
  .string()
  .min(2)
  .max(256)
  .regex(/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'a repository name: lower-case path components separated by /')
  .describe('Repository name (may contain /); always a query parameter');

export const digestParam = z
  .string()
  .regex(/^sha256:[a-f0-9]{64}$/, 'a sha256 digest: sha256: and 64 lower-case hex digits')
  .describe('Manifest digest');

/** An image tag as OCI distribution allows it. */
export const tagName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'a tag: up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -');

/** ECR account ID. Absent: the account the API serves. */
export const accountParam = z.string().regex(/^\d{12}$/, 'a 12-digit AWS account ID').describe("Registry account; default the API's own");
export const regionParam = z
  .string()
  .regex(/^[a-z]{2}(?:-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1')
  .describe("Registry region; default the API's own");

export const severityParam = z.enum(SEVERITIES);
export const verdictParam = z.enum(['PASS', 'FAIL', 'ADVISORIES_UNAVAILABLE', 'FAILED', 'NOT_AN_IMAGE', 'UNSUPPORTED']);

export const booleanParam = z.enum(['true', 'false']).transform((value) => value === 'true');

export const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 50;

export const limitParam = z
  .string()
  .regex(/^\d{1,3}$/, 'a whole number from 1 to 100')
  .transform(Number)
  .pipe(z.number().int().min(1).max(MAX_PAGE_LIMIT))
  .describe(`Page size, 1–${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT})`);

export const nextTokenParam = z.string().min(1).max(2048).describe('The nextToken of the previous page, as returned');

/** A vulnerability ID or alias: CVE, GHSA, DSA, OSV IDs. */
export const vulnerabilityId = z.string().regex(/^[A-Za-z][A-Za-z0-9._:-]{1,127}$/, 'a vulnerability ID such as CVE-2024-3094 or GHSA-xxxx-xxxx-xxxx');

/** Pagination parameters every listing route takes. */
export const pageParams = { limit: limitParam.optional(), nextToken: nextTokenParam.optional() };

/** The image key parameters of every image-scoped route. */
export const imageScope = { repository: repositoryName, account: accountParam.optional(), region: regionParam.optional() };

/** A person's reason for an action: recorded with the action. */
export const reasonField = z.string().trim().min(3).max(1000).describe('Why: recorded with the action');
