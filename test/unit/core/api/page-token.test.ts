import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken, MAX_TOKEN_LENGTH, PageTokenError } from '../../../../lambdas/core/api/page-token.ts';

const key = randomBytes(32);
const signing = { keys: [key] };
const scope = { route: 'GET /images', query: { repository: 'team-a/api', verdict: 'FAIL', limit: 50 } };
const now = new Date('2026-12-02T12:00:00Z');
const position = { pk: 'IMAGE#111122223333#eu-west-1#team-a/api', sk: 'VERDICT#sha256:' + 'a'.repeat(64), gsi1sk: '2026-12-01T00:00:00.000Z' };

const refused = (run: () => unknown, message: RegExp): void => {
  expect(run).toThrow(PageTokenError);
  expect(run).toThrow(message);
};

describe('page tokens', () => {
  it('carry the position back for the same route and query, whatever the order of its filters, and reveal no table key', () => {
    const token = encodePageToken(position, scope, signing, now);
    expect(token).not.toMatch(/IMAGE|VERDICT|team-a/);
    expect(decodePageToken(token, { route: 'GET /images', query: { limit: 50, verdict: 'FAIL', repository: 'team-a/api', severity: undefined } }, signing, now)).toEqual(position);
  });

  it('refuse a token altered anywhere, signed with another key, or not one at all', () => {
    const token = encodePageToken(position, scope, signing, now);
    const [payload, signature] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), p: { pk: 'IMAGE#other' } })).toString('base64url');
    refused(() => decodePageToken(`${forged}.${signature}`, scope, signing, now), /altered/);
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1)!;
    refused(() => decodePageToken(`${payload}.${flipped}`, scope, signing, now), /altered/);
    refused(() => decodePageToken(encodePageToken(position, scope, { keys: [randomBytes(32)] }, now), scope, signing, now), /not issued by this API/);
    for (const garbage of ['', 'abc', `${payload}`, `${payload}.${signature}.x`, 'a.b']) refused(() => decodePageToken(garbage, scope, signing, now), /not a token this API issued/);
  });

  it('refuse a token of another route or other filters, and an expired one', () => {
    const token = encodePageToken(position, scope, signing, now);
    refused(() => decodePageToken(token, { ...scope, route: 'GET /quarantine' }, signing, now), /another route or other filters/);
    refused(() => decodePageToken(token, { ...scope, query: { ...scope.query, verdict: 'PASS' } }, signing, now), /another route or other filters/);
    refused(() => decodePageToken(token, { ...scope, query: { ...scope.query, limit: 100 } }, signing, now), /another route or other filters/);
    expect(decodePageToken(token, scope, signing, new Date(now.getTime() + 23 * 3_600_000))).toEqual(position);
    refused(() => decodePageToken(token, scope, signing, new Date(now.getTime() + 24 * 3_600_000)), /expired/);
    const short = encodePageToken(position, scope, signing, now, 60_000);
    refused(() => decodePageToken(short, scope, signing, new Date(now.getTime() + 61_000)), /expired/);
  });

  it('verify with every key and sign with the first, so a key rotates without breaking a walk in progress', () => {
    const next = randomBytes(32);
    const old = encodePageToken(position, scope, signing, now);
    const rotated = { keys: [next, key] };
    expect(decodePageToken(old, scope, rotated, now)).toEqual(position);
    const fresh = encodePageToken(position, scope, rotated, now);
    refused(() => decodePageToken(fresh, scope, signing, now), /not issued by this API/);
    expect(decodePageToken(fresh, scope, { keys: [next] }, now)).toEqual(position);
  });

  it('cap the token length both ways and refuse weak keys', () => {
    refused(() => decodePageToken('a'.repeat(MAX_TOKEN_LENGTH + 1), scope, signing, now), /longer than 2048/);
    expect(() => encodePageToken({ pk: 'x'.repeat(MAX_TOKEN_LENGTH) }, scope, signing, now)).toThrow(RangeError);
    expect(() => encodePageToken(position, scope, { keys: [randomBytes(16)] }, now)).toThrow(/at least 32 bytes/);
    expect(() => decodePageToken('a.b', scope, { keys: [] }, now)).toThrow(/at least one key/);
  });
});
