import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RouteImplementations } from '../../../lambdas/core/api/api-context.ts';
import { createFindingsApiHandler } from '../../../lambdas/handlers/findings-api-handler.ts';
import { readApiEnvironment } from '../../../lambdas/handlers/findings-api/api-environment.ts';
import { apiEvent } from '../../support/api-events.ts';

/**
 * The Lambda door of the findings API: what API Gateway hands over (raw query string, base64
 * bodies, the IAM authorizer's caller, the function ARN) reaching the router as sent, with small
 * implementations recording what they were given.
 */
const ACCOUNT = '111122223333';
const DIGEST = `sha256:${'cd'.repeat(32)}`;
const role = (name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/s`;

function door(overrides: Partial<RouteImplementations>) {
  const implementations = new Proxy(overrides, {
    get: (target, name: string) => (target as Record<string, unknown>)[name] ?? (async () => Promise.reject(new Error(`${name} is not implemented here`))),
  }) as RouteImplementations;
  const keys = { keys: [randomBytes(32)] };
  return createFindingsApiHandler({
    implementations,
    pageTokenKeys: { keys: async () => keys },
    clock: { now: () => new Date('2027-02-01T00:00:00Z') },
    rules: [{ principal: `arn:aws:iam::${ACCOUNT}:role/actor`, read: ['team/'], act: ['team/'] }],
    region: 'eu-west-1',
  });
}

const context = { invokedFunctionArn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:customs-findings-api` };
const body = (result: unknown) => JSON.parse((result as { body: string }).body) as Record<string, unknown>;

describe('the findings API Lambda door', () => {
  it('passes query values as sent (slashes and colons encoded) and defaults the account to the function’s own', async () => {
    const seen: unknown[] = [];
    const handler = door({
      getVerdict: async (input, call) => {
        seen.push({ query: input.query, home: call.home, principal: call.principal });
        return { repository: input.query.repository, digest: input.query.digest, verdict: 'UNKNOWN', allowed: false, released: false, failingCount: 0, failingIds: [], quarantined: false };
      },
    });
    const result = await handler(apiEvent({ method: 'GET', path: '/verdict', query: { repository: 'team/deep/app', digest: DIGEST }, principalArn: role('actor') }), context);
    expect(result.statusCode).toBe(200);
    expect(seen).toEqual([{ query: { repository: 'team/deep/app', digest: DIGEST }, home: { account: ACCOUNT, region: 'eu-west-1' }, principal: { arn: role('actor'), display: role('actor'), account: ACCOUNT } }]);
  });

  it('refuses a repeated query parameter naming it', async () => {
    const handler = door({});
    const result = await handler(apiEvent({ method: 'GET', path: '/verdict', query: { repository: ['team/a', 'team/b'], digest: DIGEST }, principalArn: role('actor') }), context);
    expect(result.statusCode).toBe(400);
    expect(body(result)).toMatchObject({ code: 'BAD_REQUEST', field: 'repository' });
  });

  it('decodes a base64 body before validating it', async () => {
    const bodies: unknown[] = [];
    const handler = door({
      addException: async (input) => {
        bodies.push(input.body);
        return Promise.reject(new Error('stop here'));
      },
    });
    const exception = { kind: 'ignore', vulnerability: 'CVE-2024-3094', reason: 'not shipped', repositoryPrefix: 'team/' };
    const result = await handler(apiEvent({ method: 'POST', path: '/exceptions', body: exception, base64: true, principalArn: role('actor') }), context);
    expect(result.statusCode).toBe(500);
    expect(bodies).toEqual([exception]);
    const notJson = await handler(apiEvent({ method: 'POST', path: '/exceptions', body: '{"kind":', base64: true, principalArn: role('actor') }), context);
    expect(body(notJson)).toMatchObject({ code: 'BAD_REQUEST', field: 'body' });
  });

  it('answers 401 when the event carries no IAM caller', async () => {
    const event = apiEvent({ method: 'GET', path: '/advisories/status' });
    const { authorizer: _dropped, ...requestContext } = event.requestContext;
    const result = await door({})({ ...event, requestContext: requestContext as typeof event.requestContext }, context);
    expect(result.statusCode).toBe(401);
    expect(body(result)['code']).toBe('UNAUTHENTICATED');
  });

  it('reads its environment, refusing bad access rules at the cold start', () => {
    const base = {
      AWS_REGION: 'eu-west-1',
      FINDINGS_TABLE_NAME: 'findings',
      ADVISORY_TABLE_NAME: 'advisories',
      SBOM_BUCKET_NAME: 'sboms',
      POLICY_PARAMETER_NAME: '/customs/policy',
      ALERTS_TOPIC_ARN: `arn:aws:sns:eu-west-1:${ACCOUNT}:alerts`,
      SCAN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/scan',
      RESCAN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/rescan',
      API_ACCESS_RULES: JSON.stringify([{ principal: `arn:aws:iam::${ACCOUNT}:role/ci`, read: ['team/'] }]),
    };
    const env = readApiEnvironment(base);
    expect(env).toMatchObject({ advisoryTable: 'advisories', advisoryStaleAfterHours: 48, watched: 'all', accessRules: [{ principal: `arn:aws:iam::${ACCOUNT}:role/ci`, read: ['team/'] }] });
    expect(readApiEnvironment({ ...base, WATCHED_REPOSITORY_PREFIXES: 'team/, infra/' }).watched).toEqual({ names: [], prefixes: ['team/', 'infra/'] });
    expect(() => readApiEnvironment({ ...base, API_ACCESS_RULES: '[{"principal":"x"}]' })).toThrow(/API_ACCESS_RULES: access rules are malformed at 0\.read/);
    expect(() => readApiEnvironment({ ...base, API_ACCESS_RULES: 'nope', RESCAN_QUEUE_URL: undefined })).toThrow(/API_ACCESS_RULES.*RESCAN_QUEUE_URL|RESCAN_QUEUE_URL.*API_ACCESS_RULES/);
  });
});
