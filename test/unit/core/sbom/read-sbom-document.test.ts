import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Of } from '../../../../lambdas/core/digest.ts';
import { CustomsError } from '../../../../lambdas/core/errors.ts';
import { renderCycloneDx } from '../../../../lambdas/core/report/cyclonedx.ts';
import { renderSbomJson } from '../../../../lambdas/core/report/sbom-json.ts';
import { renderSpdx } from '../../../../lambdas/core/report/spdx.ts';
import type { ImageSbom, Package, ScanResult } from '../../../../lambdas/core/sbom/model.ts';
import { MAX_COMPONENT_DEPTH } from '../../../../lambdas/core/sbom/read-cyclonedx.ts';
import { readSbomDocument } from '../../../../lambdas/core/sbom/read-sbom-document.ts';
import { UNKNOWN_LAYER_DIGEST } from '../../../../lambdas/core/sbom/sbom-document-package.ts';
import { OciLayoutWriter } from '../../../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes, type TarInput } from '../../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../../support/layout.ts';
import { sampleImageSbom, sampleOwnedPackages } from '../../../support/sample-findings.ts';
import { repoRoot } from '../../../support/paths.ts';
import { scan } from '../../../support/scan.ts';

const META = { tool: { name: 'customs', version: '0.0.0-test' }, generatedAt: new Date('2025-01-02T03:04:05Z'), serialNumber: '6f1c1c7e-3b8a-4a55-9d0e-2b1f6a0c9e11' };

function fixture(name: string): Uint8Array {
  return readFileSync(join(repoRoot, 'test', 'fixtures', 'sbom-input', name));
}

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

function failure(action: () => unknown): CustomsError {
  try {
    action();
  } catch (error) {
    if (error instanceof CustomsError) return error;
    throw error;
  }
  throw new Error('no error thrown');
}

/** The package fields a round trip must keep, sorted so the comparison ignores document order. */
function comparable(packages: readonly Package[]) {
  return packages
    .map((pkg) => ({
      type: pkg.type,
      name: pkg.name,
      version: pkg.version,
      architecture: pkg.architecture,
      purl: pkg.purl,
      source: pkg.source,
      path: pkg.location.path,
      layerIndex: pkg.location.layerIndex,
      layerDigest: pkg.location.layerDigest,
      dev: pkg.dev,
      alias: pkg.alias,
      versionInferred: pkg.versionInferred,
      owner: pkg.owner,
    }))
    .sort((a, b) => (a.purl + a.path < b.purl + b.path ? -1 : 1));
}

const stanza = (name: string, version: string, extra = ''): string => `Package: ${name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: ${version}\n${extra}`;

/** A Debian 12 base layer with dpkg packages, then an application layer with npm and Python packages. */
function applicationLayers(arch: string): Array<{ entries: TarInput[] }> {
  return [
    {
      entries: [
        { type: 'file', path: 'etc/os-release', content: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n' },
        {
          type: 'file',
          path: 'var/lib/dpkg/status',
          content: [
            stanza('bsdutils', '1:2.38.1-5+deb12u3', 'Source: util-linux (2.38.1-5+deb12u3)\n').replace('amd64', arch),
            stanza('libssl3', '3.0.15-1~deb12u1', 'Source: openssl\n').replace('amd64', arch),
            stanza('tzdata', '2024a-0+deb12u1').replace('amd64', 'all'),
          ].join('\n'),
        },
      ],
    },
    {
      entries: [
        { type: 'file', path: 'app/node_modules/@babel/code-frame/package.json', content: JSON.stringify({ name: '@babel/code-frame', version: '7.24.7' }) },
        { type: 'file', path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.21' }) },
        // An npm alias: string-width installed as string-width-cjs, so `alias` makes the round trip too.
        { type: 'file', path: 'app/node_modules/string-width-cjs/package.json', content: JSON.stringify({ name: 'string-width', version: '4.2.3' }) },
        { type: 'file', path: 'usr/local/lib/python3.11/site-packages/PyYAML-6.0.1.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0.1\n' },
      ],
    },
  ];
}

function multiPlatformLayout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'customs-image-'));
  const writer = new OciLayoutWriter(dir);
  const manifests = (['amd64', 'arm64'] as const).map((architecture) =>
    writer.image({ platform: { os: 'linux', architecture }, layers: applicationLayers(architecture).map(({ entries }) => ({ tar: tarBytes(entries) })) }),
  );
  writer.finish([{ descriptor: writer.index(manifests), tag: 'latest' }]);
  return dir;
}

describe('readSbomDocument: Customs documents read back', () => {
  let single: ScanResult;
  let multi: ScanResult;
  beforeAll(async () => {
    single = await scan(`oci:${layoutOf(applicationLayers('amd64'))}`);
    multi = await scan(`oci:${multiPlatformLayout()}`);
  });

  it('scans the images this test relies on', () => {
    expect(single.images).toHaveLength(1);
    expect(single.images[0]!.packages.map((pkg) => pkg.type).sort()).toEqual(['deb', 'deb', 'deb', 'npm', 'npm', 'npm', 'pypi']);
    expect(single.images[0]!.packages.find((pkg) => pkg.alias)).toMatchObject({ name: 'string-width', alias: 'string-width-cjs' });
    expect(single.images[0]!.packages.find((pkg) => pkg.type === 'npm')!.location.layerIndex).toBe(1);
    expect(multi.images).toHaveLength(2);
  });

  it.each([
    ['CycloneDX', (result: ScanResult) => renderCycloneDx(result, META)],
    ['native JSON', (result: ScanResult) => renderSbomJson(result, META)],
  ])('keeps every package, the distro and the image identity through %s', (_format, render) => {
    const original = single.images[0]!;
    const read = readSbomDocument(Buffer.from(render(single)), 'out/app.sbom.json');
    expect(read.reference).toBe('out/app.sbom.json');
    expect(read.images).toHaveLength(1);
    const image = read.images[0]!;
    expect(comparable(image.packages)).toEqual(comparable(original.packages));
    expect(image.packages.map((pkg) => pkg.id).sort()).toEqual(original.packages.map((pkg) => pkg.id).sort());
    expect(image.distro).toEqual(original.distro);
    expect(image.platform).toEqual(original.platform);
    expect([image.repository, image.tag, image.manifestDigest, image.configDigest]).toEqual([original.repository, original.tag, original.manifestDigest, original.configDigest]);
  });

  it('reads a multi-platform CycloneDX index as one image per platform', () => {
    const read = readSbomDocument(Buffer.from(renderCycloneDx(multi, META)), 'index.cdx.json');
    expect(read.images.map((image) => image.platform)).toEqual(multi.images.map((image) => image.platform));
    read.images.forEach((image, index) => {
      const original = multi.images[index]!;
      expect(comparable(image.packages)).toEqual(comparable(original.packages));
      // Ids lose the platform prefix the renderer added to keep bom-refs unique.
      expect(image.packages.map((pkg) => pkg.id).sort()).toEqual(original.packages.map((pkg) => pkg.id).sort());
      expect(image.distro).toEqual(original.distro);
      expect([image.manifestDigest, image.indexDigest]).toEqual([original.manifestDigest, original.indexDigest]);
      expect(image.warnings).toEqual([]);
    });
    expect(read.images[1]!.packages.find((pkg) => pkg.name === 'libssl3')!.architecture).toBe('arm64');
  });
});

describe('readSbomDocument: the OS package that installed a language package', () => {
  const [owned, owner] = sampleOwnedPackages();
  const image = (architecture: string): ImageSbom => sampleImageSbom([owned, owner], { platform: { os: 'linux', architecture } });
  const ownedResult: ScanResult = { reference: 'app', images: [image('amd64')] };
  const spdxOf = (result: ScanResult): string =>
    renderSpdx({ reference: result.reference, images: result.images.map((sbom) => ({ sbom, findings: [], suppressed: [], warnings: [] })), advisories: { sources: [], loaded: 0, withdrawn: 0, malformed: 0 }, warnings: [] }, { ...META, documentNamespace: 'https://example.com/spdx/app' });

  it.each([
    ['CycloneDX', (result: ScanResult) => renderCycloneDx(result, META)],
    ['native JSON', (result: ScanResult) => renderSbomJson(result, META)],
    ['SPDX', spdxOf],
  ])('restores the owner from %s, pointing at the owner package read back', (_format, render) => {
    const read = readSbomDocument(Buffer.from(render(ownedResult)), 'app.sbom.json').images[0]!;
    const jinja2 = read.packages.find((pkg) => pkg.name === 'Jinja2')!;
    const deb = read.packages.find((pkg) => pkg.name === 'python3-jinja2')!;
    expect(jinja2.owner).toEqual({ id: deb.id, name: 'python3-jinja2', type: 'deb' });
    expect(deb.owner).toBeUndefined();
    expect(read.warnings).toEqual([]);
  });

  it('restores owners per platform of a CycloneDX index, without the platform prefix', () => {
    const read = readSbomDocument(Buffer.from(renderCycloneDx({ reference: 'app', images: [image('amd64'), image('arm64')] }, META)), 'index.cdx.json');
    expect(read.images).toHaveLength(2);
    for (const platform of read.images) {
      expect(platform.packages.find((pkg) => pkg.name === 'Jinja2')!.owner).toEqual(owned.owner);
      expect(platform.warnings).toEqual([]);
    }
  });

  it('drops, with a warning, an owner that names no OS package of the image', () => {
    const document = JSON.parse(renderSbomJson(ownedResult, META)) as { images: { packages: { name: string; owner?: { id: string } }[] }[] };
    document.images[0]!.packages.find((pkg) => pkg.name === 'Jinja2')!.owner = { id: 'pkg:deb/debian/nowhere@1' };
    const read = readSbomDocument(json(document), 'app.sbom.json').images[0]!;
    expect(read.packages.every((pkg) => pkg.owner === undefined)).toBe(true);
    expect(read.warnings).toEqual(['1 package owner ignored: not an OS package of the image']);
  });
});

describe('readSbomDocument: third-party documents', () => {
  const byName = (image: ImageSbom, name: string): Package => {
    const found = image.packages.find((pkg) => pkg.name === name);
    if (!found) throw new Error(`${name} not read; got ${image.packages.map((pkg) => pkg.name).join(', ')}`);
    return found;
  };

  it('reads a Syft CycloneDX: upstream sources, epochs, ecosystem names, file locations', () => {
    const bytes = fixture('syft-debian.cdx.json');
    const { images } = readSbomDocument(bytes, 'sboms/syft-debian.cdx.json');
    const image = images[0]!;
    expect(image.packages.map((pkg) => `${pkg.type}:${pkg.name}@${pkg.version}`)).toEqual([
      'deb:libssl3@3.0.15-1~deb12u1',
      'deb:bsdutils@1:2.38.1-5+deb12u3',
      'deb:tzdata@2024a-0+deb12u1',
      'npm:@babel/code-frame@7.24.7',
      'pypi:PyYAML@6.0.1',
      'maven:com.fasterxml.jackson.core:jackson-databind@2.17.1',
      'golang:github.com/spf13/cobra@v1.8.0',
    ]);
    expect(byName(image, 'libssl3').source).toEqual({ name: 'openssl', version: '3.0.15-1~deb12u1' });
    expect(byName(image, 'bsdutils').source).toEqual({ name: 'util-linux', version: '2.38.1-5+deb12u3' });
    expect(byName(image, 'tzdata').source).toEqual({ name: 'tzdata', version: '2024a-0+deb12u1' });
    expect(byName(image, 'tzdata').architecture).toBe('all');
    expect(byName(image, '@babel/code-frame').source).toBeUndefined();
    expect(byName(image, 'libssl3').location).toEqual({
      path: 'var/lib/dpkg/status',
      layerIndex: 0,
      layerDigest: UNKNOWN_LAYER_DIGEST,
      layerDiffId: 'sha256:8d853c8add5d1e7b0aafc4b68a3d9fb8e7a0da27970c2acf831fe63be4a0cd2c',
    });
    expect(byName(image, 'libssl3').id).toBe('pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&package-id=41d0e0c0d0a2b5f7');
    expect(image.distro).toEqual({ id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', source: 'sboms/syft-debian.cdx.json' });
    expect([image.repository, image.tag, image.reference]).toEqual(['registry.example:5000/team/app', '1.4.2', 'registry.example:5000/team/app:1.4.2']);
    // Nothing in a Syft CycloneDX names the config blob: the document's own digest stands in.
    expect(image.configDigest).toBe(sha256Of(bytes));
    expect(image.warnings).toEqual(['2 packages of purl type "generic" skipped: Customs does not match that ecosystem']);
  });

  it('reads a Trivy CycloneDX: OS component, Src* properties, layers by diffID order, oci purl identity', () => {
    const { images } = readSbomDocument(fixture('trivy-alpine.cdx.json'), 'trivy-alpine.cdx.json');
    const image = images[0]!;
    expect(image.packages.map((pkg) => `${pkg.type}:${pkg.name}@${pkg.version}`)).toEqual(['apk:libcrypto3@3.3.2-r0', 'apk:busybox@1.36.1-r29', 'npm:express@4.19.2']);
    expect(byName(image, 'libcrypto3').source).toEqual({ name: 'openssl', version: '3.3.2-r0' });
    expect(byName(image, 'libcrypto3').architecture).toBe('x86_64');
    expect(byName(image, 'express').location).toEqual({
      path: 'app/node_modules/express/package.json',
      layerIndex: 1,
      layerDigest: 'sha256:b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1',
      layerDiffId: 'sha256:a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90',
    });
    expect(byName(image, 'busybox').location.path).toBe('/');
    expect(image.distro).toEqual({ id: 'alpine', versionId: '3.20.3', source: 'trivy-alpine.cdx.json' });
    expect(image).toMatchObject({
      repository: 'index.docker.io/library/alpine',
      tag: '3.20',
      manifestDigest: 'sha256:1c4eef651f65e2f7daee7ee785882ac164b02b78fb74503052a26dc061c90474',
      configDigest: 'sha256:91ef0af61f39ece4d6710e465df5ed6ca12112358344fd51ae6a3b886634f2dc',
      platform: { os: 'unknown', architecture: 'amd64' },
    });
    expect(image.warnings).toEqual([]);
  });

  it('reads a Syft SPDX 2.3: rpm epochs and source rpms, distro from the purl qualifier, the CONTAINER package as the image', () => {
    const { images } = readSbomDocument(fixture('syft-ubi.spdx.json'), 'syft-ubi.spdx.json');
    const image = images[0]!;
    expect(image.packages.map((pkg) => `${pkg.type}:${pkg.name}@${pkg.version}`)).toEqual(['rpm:openssl-libs@1:3.0.7-27.el9', 'rpm:bash@5.1.8-9.el9', 'pypi:requests@2.31.0']);
    expect(byName(image, 'openssl-libs').source).toEqual({ name: 'openssl', version: '1:3.0.7-27.el9' });
    expect(byName(image, 'openssl-libs').id).toBe('SPDXRef-Package-rpm-openssl-libs-5a1f0c2d3e4b5a69');
    expect(byName(image, 'bash').source).toEqual({ name: 'bash', version: '5.1.8-9.el9' });
    expect(byName(image, 'requests').location.path).toBe('usr/lib/python3.9/site-packages/requests-2.31.0.dist-info/METADATA');
    expect(byName(image, 'bash').location.path).toBe('var/lib/rpm/rpmdb.sqlite');
    expect(image.distro).toEqual({ id: 'rhel', versionId: '9.4', source: 'syft-ubi.spdx.json' });
    expect([image.repository, image.tag, image.manifestDigest]).toEqual([
      'registry.access.redhat.com/ubi9/ubi-minimal',
      '9.4',
      'sha256:2b7b2a9e6d5c4f3e2d1c0b9a8f7e6d5c4b3a29180f7e6d5c4b3a29180f7e6d5c',
    ]);
    expect(image.warnings).toHaveLength(2);
    expect(image.warnings[0]).toMatch(/^packages\[4\] \("broken"\) skipped: purl "pkg:rpm\/redhat\/broken@1\.0\?arch" is malformed/);
    expect(image.warnings[1]).toBe('1 package without a purl skipped');
  });

  it('reads Trivy SPDX annotations and its OPERATING-SYSTEM package', () => {
    const document = {
      spdxVersion: 'SPDX-2.2',
      packages: [
        { SPDXID: 'SPDXRef-OperatingSystem-1', name: 'debian', versionInfo: '12.5', primaryPackagePurpose: 'OPERATING_SYSTEM' },
        {
          SPDXID: 'SPDXRef-Package-1',
          name: 'libc6',
          versionInfo: '2.36-9+deb12u4',
          externalRefs: [{ referenceCategory: 'PACKAGE_MANAGER', referenceType: 'purl', referenceLocator: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12.5' }],
          annotations: [
            { annotator: 'Tool: trivy-0.50.1', annotationType: 'OTHER', comment: 'SrcName: glibc' },
            { annotator: 'Tool: trivy-0.50.1', annotationType: 'OTHER', comment: 'SrcVersion: 2.36' },
            { annotator: 'Tool: trivy-0.50.1', annotationType: 'OTHER', comment: 'SrcRelease: 9+deb12u4' },
            { annotator: 'Person: someone', annotationType: 'REVIEW', comment: 'SrcName: not-this' },
          ],
        },
      ],
    };
    const image = readSbomDocument(json(document), 'trivy.spdx.json').images[0]!;
    expect(image.distro).toEqual({ id: 'debian', versionId: '12.5', source: 'trivy.spdx.json' });
    expect(image.packages.map((pkg) => [pkg.name, pkg.version, pkg.source])).toEqual([['libc6', '2.36-9+deb12u4', { name: 'glibc', version: '2.36-9+deb12u4' }]]);
    expect(image.repository).toBe('trivy.spdx.json');
  });
});

describe('readSbomDocument: untrusted input', () => {
  const cdx = (components: unknown[], extra: object = {}): Uint8Array => json({ bomFormat: 'CycloneDX', specVersion: '1.5', components, ...extra });
  const lib = (name: string, purl: string): object => ({ type: 'library', name, version: '1', purl });

  it('rejects a document over the size cap before parsing it', () => {
    const error = failure(() => readSbomDocument(Buffer.from('{"bomFormat":"CycloneDX"}'.padEnd(2048, ' ')), 'big.json', { maxBytes: 1024 }));
    expect(error.code).toBe('limit');
    expect(error.message).toBe('SBOM big.json is 2 KiB, more than the 1 KiB Customs reads');
  });

  it.each([
    ['not JSON', Buffer.from('{"bomFormat": "CycloneDX",'), 'malformed', /^bad\.json is not valid JSON: /],
    ['not UTF-8', Uint8Array.from([0x7b, 0xff, 0x7d]), 'malformed', /^bad\.json is not UTF-8 text$/],
    ['a JSON array', Buffer.from('[]'), 'malformed', /^bad\.json is not an SBOM: the JSON is not an object$/],
    ['some other JSON', json({ name: 'x' }), 'malformed', /^bad\.json is neither CycloneDX \(bomFormat\), SPDX \(spdxVersion\) nor a Customs SBOM/],
    ['CycloneDX XML', Buffer.from('<?xml version="1.0"?><bom/>'), 'unsupported', /XML/],
    ['SPDX tag-value', Buffer.from('SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n'), 'unsupported', /tag-value/],
    ['CycloneDX with components of the wrong type', json({ bomFormat: 'CycloneDX', specVersion: '1.6', components: 'none' }), 'malformed', /^bad\.json is not a valid CycloneDX document at components: /],
    ['CycloneDX 2.0', json({ bomFormat: 'CycloneDX', specVersion: '2.0' }), 'unsupported', /CycloneDX "2\.0"/],
    ['SPDX 3', json({ spdxVersion: 'SPDX-3.0' }), 'unsupported', /SPDX 2\.2 and 2\.3/],
    ['SPDX with packages of the wrong type', json({ spdxVersion: 'SPDX-2.3', packages: {} }), 'malformed', /not a valid SPDX document at packages/],
    ['a Customs SBOM of a future schema', json({ schema: 'customs.sbom', schemaVersion: 2, images: [] }), 'unsupported', /schema version 2/],
    ['a Customs SBOM with a bad config digest', json({ schema: 'customs.sbom', schemaVersion: 1, images: [{ configDigest: 'sha256:x' }] }), 'malformed', /not a valid Customs SBOM at images\.0/],
  ])('rejects %s with a clear error naming the file', (_what, bytes, code, message) => {
    const error = failure(() => readSbomDocument(bytes, 'bad.json'));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('skips bad purls and invalid components with a warning, keeping the rest', () => {
    const image = readSbomDocument(
      cdx([lib('ok', 'pkg:npm/ok@1'), lib('bad', 'npm/bad@1'), { type: 'library', name: 5 }, lib('noversion', 'pkg:npm/noversion'), lib('cocoa', 'pkg:cocoapods/x@1'), lib('cocoa2', 'pkg:cocoapods/y@1')]),
      'mixed.json',
    ).images[0]!;
    expect(image.packages.map((pkg) => pkg.name)).toEqual(['ok']);
    expect(image.warnings).toEqual([
      'components[1] ("bad") skipped: purl "npm/bad@1" is malformed: it does not start with pkg:',
      'components[2] skipped: not a valid component at name: Invalid input: expected string, received number',
      'components[3] ("noversion") skipped: purl "pkg:npm/noversion" has no version',
      '2 packages of purl type "cocoapods" skipped: Customs does not match that ecosystem',
    ]);
  });

  it('caps individual warnings so a hostile document cannot flood the report', () => {
    const image = readSbomDocument(cdx(Array.from({ length: 500 }, (_, index) => lib(`p${index}`, `pkg:npm/p${index}@1?bad`))), 'flood.json').images[0]!;
    expect(image.warnings).toHaveLength(21);
    expect(image.warnings[20]).toBe('480 more problems like the above');
  });

  it('stops at the nesting limit instead of recursing without bound', () => {
    // Written as text: JSON.stringify itself would overflow on 100,000 levels.
    const levels = 100_000;
    const text = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"top","version":"1","purl":"pkg:npm/top@1"},${'{"type":"library","name":"level","components":['.repeat(levels)}{"type":"library","name":"deepest","purl":"pkg:npm/deepest@1"}${']}'.repeat(levels)}]}`;
    const image = readSbomDocument(Buffer.from(text), 'deep.json').images[0]!;
    expect(image.packages.map((pkg) => pkg.name)).toEqual(['top']);
    expect(image.warnings).toContain(`components nested more than ${MAX_COMPONENT_DEPTH} levels deep skipped`);
    expect(image.warnings).toContain(`${MAX_COMPONENT_DEPTH} packages without a purl skipped`);
  });

  it('reads packages nested within the limit', () => {
    const image = readSbomDocument(cdx([{ type: 'library', name: 'app.jar', purl: 'pkg:maven/com.example/app@2', components: [lib('inner', 'pkg:maven/org.example/inner@3')] }]), 'nested.json').images[0]!;
    expect(image.packages.map((pkg) => pkg.name)).toEqual(['com.example:app', 'org.example:inner']);
  });

  it('does not let __proto__ keys reach any prototype', () => {
    const text = '{"bomFormat":"CycloneDX","specVersion":"1.6","__proto__":{"polluted":true},"components":[{"type":"library","name":"x","__proto__":{"purl":"pkg:npm/evil@1"},"purl":"pkg:npm/x@1?__proto__=y","properties":[{"name":"__proto__","value":"z"}]}]}';
    const image = readSbomDocument(Buffer.from(text), 'proto.json').images[0]!;
    expect(image.packages.map((pkg) => pkg.purl)).toEqual(['pkg:npm/x@1?__proto__=y']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(image.packages[0])).toBe(Object.prototype);
  });

  it('gives packages without ids unique ids and unlocated packages an explicit unknown layer', () => {
    const image = readSbomDocument(cdx([lib('a', 'pkg:npm/a@1'), lib('a', 'pkg:npm/a@1')]), 'dup.json').images[0]!;
    expect(image.packages.map((pkg) => pkg.id)).toEqual(['pkg:npm/a@1', 'pkg:npm/a@1~2']);
    expect(image.packages[0]!.location).toEqual({ path: '/', layerIndex: 0, layerDigest: UNKNOWN_LAYER_DIGEST, layerDiffId: UNKNOWN_LAYER_DIGEST });
  });

  it('warns about a CycloneDX version it was not written for but still reads it', () => {
    const image = readSbomDocument(json({ bomFormat: 'CycloneDX', specVersion: '1.3', components: [lib('a', 'pkg:gem/a@1')] }), 'old.json').images[0]!;
    expect(image.packages.map((pkg) => pkg.name)).toEqual(['a']);
    expect(image.warnings).toEqual(['CycloneDX 1.3 read as if it were 1.6 (Customs reads 1.4–1.6)']);
  });
});
