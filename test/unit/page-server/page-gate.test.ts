import { describe, expect, it } from 'vitest';
import { checkPageRequest, newPageToken } from '../../../lambdas/adapters/page-server/page-gate.ts';

const token = newPageToken();
const server = { port: 7070, token };
const good = { host: '127.0.0.1:7070', origin: undefined, fetchSite: 'same-origin', token };

describe('checkPageRequest', () => {
  it('lets the page through from either loopback name, with or without an Origin of its own', () => {
    expect(checkPageRequest(good, server)).toEqual({ allowed: true });
    expect(checkPageRequest({ ...good, host: 'localhost:7070', origin: 'http://localhost:7070' }, server)).toEqual({ allowed: true });
    expect(checkPageRequest({ ...good, fetchSite: undefined }, server)).toEqual({ allowed: true });
  });

  it('refuses another Host (DNS rebinding), even with the token', () => {
    for (const host of ['evil.example:7070', '127.0.0.1:7071', '127.0.0.1', undefined]) expect(checkPageRequest({ ...good, host }, server)).toMatchObject({ allowed: false, status: 403 });
  });

  it('refuses other origins and cross-site fetch metadata', () => {
    for (const origin of ['http://evil.example', 'https://127.0.0.1:7070', 'null', 'http://127.0.0.1:7070/x']) expect(checkPageRequest({ ...good, origin }, server)).toMatchObject({ allowed: false, status: 403 });
    for (const fetchSite of ['cross-site', 'same-site']) expect(checkPageRequest({ ...good, fetchSite }, server)).toMatchObject({ allowed: false, status: 403 });
  });

  it('refuses a missing, wrong or truncated token', () => {
    for (const given of [undefined, '', newPageToken(), token.slice(1)]) expect(checkPageRequest({ ...good, token: given }, server)).toMatchObject({ allowed: false, status: 401 });
  });

  it('makes a fresh 256-bit token each time', () => {
    expect(newPageToken()).toMatch(/^[0-9a-f]{64}$/);
    expect(newPageToken()).not.toBe(newPageToken());
  });
});
