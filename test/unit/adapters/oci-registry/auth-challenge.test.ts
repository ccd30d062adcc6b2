import { describe, it, expect } from 'vitest';
import { parseAuthChallenges } from '../../../../lambdas/adapters/oci-registry/auth-challenge.ts';

describe('parseAuthChallenges', () => {
  it.each([
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/ubuntu:pull' } }],
    ],
    // Unquoted token values, odd spacing and case.
    ['BEARER  Realm = https://auth.example/token , SERVICE=registry', [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry' } }]],
    // Escapes inside quoted strings; commas inside quotes are not separators.
    ['Basic realm="a \\"quoted\\" realm, with comma", charset="UTF-8"', [{ scheme: 'basic', params: { realm: 'a "quoted" realm, with comma', charset: 'UTF-8' } }]],
    ['Basic realm="back\\\\slash"', [{ scheme: 'basic', params: { realm: 'back\\slash' } }]],
    // Several challenges, as several header lines arrive joined by ", ".
    [
      'Bearer realm="https://a/token",service="s", Basic realm="r"',
      [
        { scheme: 'bearer', params: { realm: 'https://a/token', service: 's' } },
        { scheme: 'basic', params: { realm: 'r' } },
      ],
    ],
    ['Negotiate, Basic realm="x"', [{ scheme: 'negotiate', params: {} }, { scheme: 'basic', params: { realm: 'x' } }]],
    // token68 credentials are stepped over.
    ['Negotiate abc123==, Basic realm="x"', [{ scheme: 'negotiate', params: {} }, { scheme: 'basic', params: { realm: 'x' } }]],
    ['Bearer', [{ scheme: 'bearer', params: {} }]],
    ['Basic realm=""', [{ scheme: 'basic', params: { realm: '' } }]],
    ['', []],
    ['  ,  , ', []],
    // An unterminated quoted string drops that parameter and anything after it.
    ['Bearer service="s", realm="https://a/to', [{ scheme: 'bearer', params: { service: 's' } }]],
  ])('parses %j', (header, expected) => {
    expect(parseAuthChallenges(header)).toEqual(expected);
  });

  it('does not let a parameter named __proto__ touch the prototype', () => {
    const [challenge] = parseAuthChallenges('Bearer __proto__="x", realm="r"');
    expect(challenge?.params.realm).toBe('r');
    expect(Object.getPrototypeOf(challenge?.params)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
