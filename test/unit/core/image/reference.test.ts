import { describe, it, expect } from 'vitest';
import { parseDigest } from '../../../../lambdas/core/digest.ts';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { formatReference, isLoopbackRegistry, parseReference, type ImageReference } from '../../../../lambdas/core/image/reference.ts';

const D = parseDigest(`sha256:${'a'.repeat(64)}`);
const D512 = parseDigest(`sha512:${'b'.repeat(128)}`);

const valid: Array<[string, ImageReference]> = [
  ['ubuntu', { transport: 'registry', registry: 'docker.io', repository: 'library/ubuntu', tag: 'latest' }],
  ['ubuntu:22.04', { transport: 'registry', registry: 'docker.io', repository: 'library/ubuntu', tag: '22.04' }],
  ['docker://ubuntu', { transport: 'registry', registry: 'docker.io', repository: 'library/ubuntu', tag: 'latest' }],
  ['grafana/grafana:10.1.0', { transport: 'registry', registry: 'docker.io', repository: 'grafana/grafana', tag: '10.1.0' }],
  ['docker.io/ubuntu', { transport: 'registry', registry: 'docker.io', repository: 'library/ubuntu', tag: 'latest' }],
  ['index.docker.io/library/ubuntu', { transport: 'registry', registry: 'docker.io', repository: 'library/ubuntu', tag: 'latest' }],
  [`ubuntu@${D}`, { transport: 'registry', registry: 'docker.io', repository: 'library/ubuntu', digest: D }],
  [`ubuntu:22.04@${D}`, { transport: 'registry', registry: 'docker.io', repository: 'library/ubuntu', tag: '22.04', digest: D }],
  [`ghcr.io/org/app@${D512}`, { transport: 'registry', registry: 'ghcr.io', repository: 'org/app', digest: D512 }],
  ['localhost/app', { transport: 'registry', registry: 'localhost', repository: 'app', tag: 'latest' }],
  ['localhost:5000/app:v1', { transport: 'registry', registry: 'localhost:5000', repository: 'app', tag: 'v1' }],
  ['127.0.0.1:5000/team/app', { transport: 'registry', registry: '127.0.0.1:5000', repository: 'team/app', tag: 'latest' }],
  ['[::1]:5000/app:1', { transport: 'registry', registry: '[::1]:5000', repository: 'app', tag: '1' }],
  ['docker://registry.example.com:443/a/b/c:tag_1', { transport: 'registry', registry: 'registry.example.com:443', repository: 'a/b/c', tag: 'tag_1' }],
  ['Registry.Example/app', { transport: 'registry', registry: 'Registry.Example', repository: 'app', tag: 'latest' }],
  ['quay.io/a.b/c__d/e-f/g--h', { transport: 'registry', registry: 'quay.io', repository: 'a.b/c__d/e-f/g--h', tag: 'latest' }],
  ['myhost/app', { transport: 'registry', registry: 'docker.io', repository: 'myhost/app', tag: 'latest' }],
  [`app:${'t'.repeat(128)}`, { transport: 'registry', registry: 'docker.io', repository: 'library/app', tag: 't'.repeat(128) }],
  ['app:_x', { transport: 'registry', registry: 'docker.io', repository: 'library/app', tag: '_x' }],
  // A bare host:port reads as name:tag, as it does in Docker.
  ['localhost:5000', { transport: 'registry', registry: 'docker.io', repository: 'library/localhost', tag: '5000' }],
  ['oci:/tmp/layout', { transport: 'oci', path: '/tmp/layout' }],
  ['oci:/tmp/layout:v1', { transport: 'oci', path: '/tmp/layout', tag: 'v1' }],
  ['oci:layout:example.com/app:1', { transport: 'oci', path: 'layout', tag: 'example.com/app:1' }],
  ['oci:/tmp/my layout', { transport: 'oci', path: '/tmp/my layout' }],
  ['oci-archive:image.tar', { transport: 'oci-archive', path: 'image.tar' }],
  ['oci-archive:image.tar:latest', { transport: 'oci-archive', path: 'image.tar', tag: 'latest' }],
  ['docker-archive:image.tar', { transport: 'docker-archive', path: 'image.tar' }],
  ['docker-archive:image.tar:ubuntu:22.04', { transport: 'docker-archive', path: 'image.tar', selector: 'ubuntu:22.04' }],
  ['docker-archive:image.tar:localhost:5000/app:v1', { transport: 'docker-archive', path: 'image.tar', selector: 'localhost:5000/app:v1' }],
  ['docker-archive:image.tar:@0', { transport: 'docker-archive', path: 'image.tar', selector: '@0' }],
  ['docker-archive:/a/b.tar:@12', { transport: 'docker-archive', path: '/a/b.tar', selector: '@12' }],
];

const invalid: Array<[string, RegExp]> = [
  ['', /is empty/],
  ['Ubuntu', /path component "Ubuntu"/],
  ['ubuntu:', /tag ""/],
  ['ubuntu:.x', /tag ".x"/],
  ['ubuntu:-x', /tag "-x"/],
  [`ubuntu:${'t'.repeat(129)}`, /tag/],
  ['ubuntu:a+b', /tag "a\+b"/],
  ['ubuntu@sha256:abc', /not a valid sha256 or sha512 digest/],
  [`ubuntu@sha256:${'A'.repeat(64)}`, /digest/],
  [`ubuntu@md5:${'a'.repeat(32)}`, /digest/],
  ['ubuntu@', /digest/],
  [`@${D}`, /no repository name/],
  [':tag', /no repository name/],
  ['docker://', /no repository name/],
  ['a//b', /path component ""/],
  ['a/b/', /path component ""/],
  ['/a', /path component ""/],
  ['a/-b', /path component "-b"/],
  ['a/b_', /path component "b_"/],
  ['a/b___c', /path component "b___c"/],
  ['a/b..c', /path component "b\.\.c"/],
  ['ex ample.com/app', /path component|host/],
  ['bad_host.com/app', /registry host "bad_host\.com"/],
  ['-host.com/app', /registry host/],
  ['host.com:/app', /registry host "host\.com:"/],
  ['host.com:99999999/app', /registry host/],
  ['localhost:5000/', /path component ""/],
  [`example.com/${'a'.repeat(250)}`, /longer than 255/],
  ['ubuntu\nlatest', /control characters/],
  ['oci:', /no path/],
  ['oci::tag', /no path/],
  ['oci:/tmp/x:', /empty tag/],
  ['oci-archive:', /no path/],
  ['docker-archive:', /no path/],
  ['docker-archive:x.tar:', /selector ""/],
  ['docker-archive:x.tar:@', /selector "@"/],
  ['docker-archive:x.tar:@a', /selector "@a"/],
  ['docker-archive:x.tar:ubuntu', /selector "ubuntu"/],
  [`docker-archive:x.tar:ubuntu:1@${D}`, /selector/],
  ['docker-archive:x.tar:Bad:1', /selector/],
  ['dir:/tmp/image', /dir: transport/],
  ['containers-storage:ubuntu', /containers-storage: transport/],
  ['docker-daemon:ubuntu:latest', /docker-daemon: transport/],
];

describe('parseReference', () => {
  it.each(valid)('parses %j', (text, expected) => {
    expect(parseReference(text)).toEqual(expected);
  });

  it.each(invalid)('rejects %j', (text, message) => {
    let caught: unknown;
    try {
      parseReference(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CustomsError);
    const error = caught as CustomsError;
    expect(error.code).toBe('usage');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });
});

describe('formatReference', () => {
  it.each([
    ['ubuntu', 'docker.io/library/ubuntu:latest'],
    [`ubuntu:22.04@${D}`, `docker.io/library/ubuntu:22.04@${D}`],
    [`localhost:5000/app@${D}`, `localhost:5000/app@${D}`],
    ['docker://[::1]:5000/app', '[::1]:5000/app:latest'],
    ['oci:/tmp/layout:v1', 'oci:/tmp/layout:v1'],
    ['oci-archive:image.tar', 'oci-archive:image.tar'],
    ['docker-archive:image.tar:@1', 'docker-archive:image.tar:@1'],
    ['docker-archive:image.tar:ubuntu:22.04', 'docker-archive:image.tar:ubuntu:22.04'],
  ])('formats %j as %j', (text, formatted) => {
    expect(formatReference(parseReference(text))).toBe(formatted);
  });

  it.each(valid)('round-trips %j', (text) => {
    const parsed = parseReference(text);
    expect(parseReference(formatReference(parsed))).toEqual(parsed);
  });
});

describe('isLoopbackRegistry', () => {
  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['LOCALHOST:5000', true],
    ['127.0.0.1', true],
    ['127.0.0.1:35123', true],
    ['127.255.3.4:80', true],
    ['[::1]', true],
    ['[::1]:5000', true],
    ['127.0.0.256', false],
    ['127.0.0.1.example.com', false],
    ['localhost.example.com', false],
    ['10.0.0.1:5000', false],
    ['docker.io', false],
    ['[::2]:5000', false],
    ['[::1]x:5000', false],
  ])('%s → %s', (registry, expected) => {
    expect(isLoopbackRegistry(registry)).toBe(expected);
  });
});
