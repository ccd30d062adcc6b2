import { describe, expect, it } from 'vitest';
import { formatPurl } from '../../../../lambdas/core/sbom/purl.ts';

describe('formatPurl', () => {
  it('percent-encodes the version and sorts qualifiers', () => {
    expect(formatPurl({ type: 'deb', namespace: 'debian', name: 'libc6', version: '2.36-9+deb12u14', qualifiers: { distro: 'debian-12', arch: 'amd64' } })).toBe(
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12',
    );
    expect(formatPurl({ type: 'deb', namespace: 'debian', name: 'bsdutils', version: '2.38.1-5+deb12u3', qualifiers: { epoch: '1', distro: 'debian-12', arch: 'amd64' } })).toBe(
      'pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&epoch=1',
    );
  });

  it('encodes names, drops empty qualifiers and keeps ~ unreserved', () => {
    expect(formatPurl({ type: 'DEB', namespace: 'debian', name: 'libstdc++6', version: '12.2.0~rc1', qualifiers: { arch: undefined, distro: '' } })).toBe('pkg:deb/debian/libstdc%2B%2B6@12.2.0~rc1');
  });

  it('keeps / and : readable in qualifier values but encodes them in the version', () => {
    expect(formatPurl({ type: 'oci', name: 'app', version: 'sha256:abc', qualifiers: { repository_url: '127.0.0.1:5000/team/app' } })).toBe(
      'pkg:oci/app@sha256%3Aabc?repository_url=127.0.0.1:5000/team/app',
    );
  });
});
