import { describe, expect, it } from 'vitest';
import { ApiClientError } from '../../../../lambdas/adapters/api-client/api-client-error.ts';
import { encodeRfc3986, queryString, requestUrl, routePath } from '../../../../lambdas/adapters/api-client/request-url.ts';
import { regionOfHost } from '../../../../lambdas/adapters/api-client/sigv4-authenticator.ts';
import { routes } from '../../../../lambdas/core/api/routes.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('request URLs', () => {
  it('percent-encodes a digest into its path segment', () => {
    expect(routePath(routes.listFindings.path, { digest: DIGEST })).toBe(`/images/sha256%3A${'ab'.repeat(32)}/findings`);
    expect(() => routePath(routes.listFindings.path, {})).toThrow(/digest is missing/);
  });

  it('encodes query values as SigV4 canonical form does: / and the characters encodeURIComponent leaves', () => {
    expect(encodeRfc3986("a/b c!'()*~-_.")).toBe('a%2Fb%20c%21%27%28%29%2A~-_.');
    expect(queryString({ repository: 'team/app', verdict: undefined, tag: 'v1.2' })).toBe('repository=team%2Fapp&tag=v1.2');
  });

  it('joins the base URL (with a stage path, trailing slash or not) to the route', () => {
    expect(requestUrl('https://abc.execute-api.eu-west-1.amazonaws.com', routes.getVerdict, {}, { repository: 'a/b', digest: DIGEST }).href).toBe(
      `https://abc.execute-api.eu-west-1.amazonaws.com/verdict?repository=a%2Fb&digest=sha256%3A${'ab'.repeat(32)}`,
    );
    expect(requestUrl('http://127.0.0.1:8080/prod/', routes.getSbom, { digest: DIGEST }, { repository: 'app' }).pathname).toBe(`/prod/images/sha256%3A${'ab'.repeat(32)}/sbom`);
    expect(requestUrl('http://127.0.0.1:8080', routes.getCoverage, {}, {}).href).toBe('http://127.0.0.1:8080/coverage');
    expect(() => requestUrl('ftp://host', routes.getCoverage, {}, {})).toThrow(/http or https/);
    expect(() => requestUrl('https://host/?x=1', routes.getCoverage, {}, {})).toThrow(/query/);
  });

  it('reads the region from an execute-api host only', () => {
    expect(regionOfHost('abc123.execute-api.eu-west-1.amazonaws.com')).toBe('eu-west-1');
    expect(regionOfHost('ABC.EXECUTE-API.us-gov-west-1.amazonaws.com')).toBe('us-gov-west-1');
    expect(regionOfHost('api.example.com')).toBeUndefined();
    expect(regionOfHost('127.0.0.1')).toBeUndefined();
  });
});

describe('API errors', () => {
  it("keeps the API's body (code, message, field), else API Gateway's message and a code from the status", () => {
    expect(ApiClientError.fromAnswer(400, JSON.stringify({ code: 'BAD_REQUEST', message: 'digest: bad', field: 'digest' }), 'rid')).toMatchObject({ status: 400, code: 'BAD_REQUEST', message: 'digest: bad', field: 'digest', requestId: 'rid' });
    expect(ApiClientError.fromAnswer(403, JSON.stringify({ message: 'Forbidden' }))).toMatchObject({ code: 'FORBIDDEN', message: 'Forbidden', field: undefined });
    expect(ApiClientError.fromAnswer(429, '{"message":"Too Many Requests"}')).toMatchObject({ code: 'THROTTLED' });
    expect(ApiClientError.fromAnswer(502, '<html>bad gateway</html>')).toMatchObject({ code: 'HTTP_502', message: '<html>bad gateway</html>' });
    expect(ApiClientError.fromAnswer(500, '')).toMatchObject({ code: 'INTERNAL', message: 'HTTP 500' });
  });
});
