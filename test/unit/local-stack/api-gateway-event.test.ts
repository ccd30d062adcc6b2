import { describe, expect, it } from 'vitest';
import { apiRequestOf } from '../../../lambdas/handlers/findings-api/api-event.ts';
import { apiGatewayEventOf, type LocalApiRequest, type LocalCaller } from '../../../lambdas/local/stack/api-gateway-event.ts';

const CALLER: LocalCaller = { principal: 'local', account: '000000000000' };
const NOW = new Date('2026-03-04T05:06:07.089Z');

function request(overrides: Partial<LocalApiRequest> = {}): LocalApiRequest {
  return { method: 'GET', target: '/images', headers: {}, body: Buffer.alloc(0), requestId: 'req-1', now: NOW, ...overrides };
}

describe('apiGatewayEventOf', () => {
  it('splits the target at the first ? and keeps both halves as sent, percent-encoding and all', () => {
    const event = apiGatewayEventOf(request({ target: '/images/team%2Fapp/findings?repository=team%2Fa&q=a+b&next=x?y=z' }), CALLER);
    expect(event.rawPath).toBe('/images/team%2Fapp/findings');
    expect(event.rawQueryString).toBe('repository=team%2Fa&q=a+b&next=x?y=z');
    expect(event.requestContext.http.path).toBe('/images/team%2Fapp/findings');
  });

  it('has an empty query string when the target has no ?, and when it ends with one', () => {
    expect(apiGatewayEventOf(request({ target: '/images' }), CALLER)).toMatchObject({ rawPath: '/images', rawQueryString: '' });
    expect(apiGatewayEventOf(request({ target: '/images?' }), CALLER)).toMatchObject({ rawPath: '/images', rawQueryString: '' });
  });

  it('lower-cases header names and keeps their values', () => {
    const event = apiGatewayEventOf(request({ headers: { 'Content-Type': 'application/json', 'X-Trace-ID': 'Abc-123', Host: '127.0.0.1:7070', 'User-Agent': 'customs-cli/1' } }), CALLER);
    expect(event.headers).toEqual({ 'content-type': 'application/json', 'x-trace-id': 'Abc-123', host: '127.0.0.1:7070', 'user-agent': 'customs-cli/1' });
    expect(event.requestContext.domainName).toBe('127.0.0.1:7070');
    expect(event.requestContext.http.userAgent).toBe('customs-cli/1');
  });

  it('sends a body base64-encoded, bytes intact', () => {
    const bytes = Buffer.from([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x7d, 0x00, 0xff]);
    const event = apiGatewayEventOf(request({ method: 'POST', body: bytes }), CALLER);
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('has no body and isBase64Encoded false for an empty body', () => {
    const event = apiGatewayEventOf(request(), CALLER);
    expect(event).not.toHaveProperty('body');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('carries the method, the request id, the time and the caller where the IAM authorizer puts it', () => {
    const event = apiGatewayEventOf(request({ method: 'DELETE', requestId: 'req-42' }), { principal: 'arn:aws:iam::123456789012:role/ci', account: '123456789012' });
    expect(event.version).toBe('2.0');
    expect(event.requestContext.http.method).toBe('DELETE');
    expect(event.requestContext.requestId).toBe('req-42');
    expect(event.requestContext.time).toBe('2026-03-04T05:06:07.089Z');
    expect(event.requestContext.timeEpoch).toBe(NOW.getTime());
    expect(event.requestContext.accountId).toBe('123456789012');
    expect(event.requestContext.authorizer.iam).toMatchObject({ userArn: 'arn:aws:iam::123456789012:role/ci', accountId: '123456789012', callerId: 'arn:aws:iam::123456789012:role/ci' });
  });

  it('is read by the findings API handler\'s own parser: method, raw path, decoded query, body and the local principal', () => {
    const event = apiGatewayEventOf(
      request({ method: 'POST', target: '/images/team%2Fapp/release?repository=team%2Fa&reason=ticket+42%21&flag', headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"reason":"é"}'), requestId: 'req-7' }),
      CALLER,
    );
    const parsed = apiRequestOf(event);
    expect(parsed).toEqual({
      method: 'POST',
      rawPath: '/images/team%2Fapp/release',
      query: { repository: 'team/a', reason: 'ticket 42!', flag: '' },
      body: '{"reason":"é"}',
      principal: { arn: 'local', display: 'local', account: '000000000000' },
      requestId: 'req-7',
    });
  });

  it('gives the handler no body for a bodiless request', () => {
    expect(apiRequestOf(apiGatewayEventOf(request(), CALLER))).not.toHaveProperty('body');
  });
});
