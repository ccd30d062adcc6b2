import { describe, expect, it } from 'vitest';
import type { AnySchemaObject } from 'ajv';
import { renderSbomJson } from '../../../../lambdas/core/report/sbom-json.ts';
import type { ScanResult } from '../../../../lambdas/core/sbom/model.ts';
import { createAjv, describeErrors, schemaValidator } from '../../../support/cyclonedx-schema.ts';
import { sampleImageSbom, sampleOwnedPackages } from '../../../support/sample-findings.ts';
import schema from '../../../../lambdas/core/report/customs-sbom.schema.json' with { type: 'json' };
import { archiveResult, GENERATED_AT, multiPlatformResult, singleImageResult, TOOL } from './scan-results.ts';

const META = { tool: TOOL, generatedAt: GENERATED_AT };
const validate = schemaValidator('lambdas', 'core', 'report', 'customs-sbom.schema.json');

/**
 * The published schema lets consumers meet unknown fields; this copy forbids them, so a field the
 * renderer emits without documenting it in the schema fails the test.
 */
function closed(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closed);
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = key === 'properties' ? closeProperties(value) : closed(value);
  if ('properties' in node) copy.additionalProperties = false;
  return copy;
}

function closeProperties(properties: unknown): unknown {
  return Object.fromEntries(Object.entries(properties as Record<string, unknown>).map(([key, value]) => [key, closed(value)]));
}

const validateClosed = createAjv().compile(closed(schema) as AnySchemaObject);

function render(result: ScanResult): unknown {
  return JSON.parse(renderSbomJson(result, META));
}

describe('renderSbomJson', () => {
  it.each([
    ['single platform', singleImageResult()],
    ['multi platform', multiPlatformResult()],
    ['archive without manifest or OS', archiveResult()],
  ])('matches the documented schema: %s', (_name, result) => {
    const document = render(result);
    expect(describeErrors(validate(document) ? null : validate.errors)).toEqual([]);
    expect(describeErrors(validateClosed(document) ? null : validateClosed.errors)).toEqual([]);
  });

  it('is rejected by the schema when broken, so the validator is not vacuous', () => {
    const good = render(singleImageResult()) as { schemaVersion: number; images: { configDigest: string; packages: { name?: string }[] }[] };
    const wrongVersion = { ...good, schemaVersion: 2 };
    const badDigest = structuredClone(good);
    badDigest.images[0]!.configDigest = 'sha256:abc';
    const nameless = structuredClone(good);
    delete nameless.images[0]!.packages[0]!.name;
    for (const broken of [wrongVersion, badDigest, nameless]) expect(validate(broken)).toBe(false);
  });

  it('writes the envelope in a fixed order, pretty-printed with a trailing newline', () => {
    const text = renderSbomJson(singleImageResult(), META);
    expect(text.startsWith('{\n  "schema": "customs.sbom",\n  "schemaVersion": 1,\n')).toBe(true);
    expect(text.endsWith('\n}\n')).toBe(true);
    const document = JSON.parse(text) as Record<string, unknown> & { images: Record<string, unknown>[] };
    expect(Object.keys(document)).toEqual(['schema', 'schemaVersion', 'generator', 'generatedAt', 'reference', 'images']);
    expect(document.generator).toEqual(TOOL);
    expect(document.generatedAt).toBe('2025-01-02T03:04:05.678Z');
    expect(Object.keys(document.images[0]!)).toEqual([
      'reference', 'repository', 'tag', 'platform', 'indexDigest', 'manifestDigest', 'configDigest',
      'created', 'distro', 'layers', 'packages', 'warnings',
    ]);
  });

  it('sorts packages by name, architecture, version, whatever order the scanner found them in', () => {
    const result = singleImageResult();
    const reversed: ScanResult = { ...result, images: [{ ...result.images[0]!, packages: [...result.images[0]!.packages].reverse() }] };
    const text = renderSbomJson(result, META);
    expect(renderSbomJson(reversed, META)).toBe(text);
    const packages = (JSON.parse(text) as { images: { packages: { name: string; architecture: string; version: string }[] }[] }).images[0]!.packages;
    expect(packages.map((pkg) => `${pkg.name}:${pkg.architecture}`)).toEqual([
      'bash:amd64', 'curl:amd64', 'libc6:amd64', 'passwd:amd64', 'tzdata:all', 'zlib1g:amd64', 'zlib1g:i386',
    ]);
    expect(packages.find((pkg) => pkg.name === 'passwd')).toMatchObject({
      version: '1:4.13+dfsg1-1+b1',
      source: { name: 'shadow', version: '1:4.13+dfsg1-1' },
      purl: 'pkg:deb/debian/passwd@1%3A4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12',
    });
  });

  it('leaves optional fields out instead of writing null or empty values', () => {
    const text = renderSbomJson(archiveResult(), META);
    expect(text).not.toContain('null');
    expect(text).not.toContain('""');
    const image = (JSON.parse(text) as { images: Record<string, unknown>[] }).images[0]!;
    for (const key of ['tag', 'indexDigest', 'manifestDigest', 'created', 'distro']) expect(image).not.toHaveProperty(key);
    expect(image.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  it('names the OS package that installed a language package, documented in the schema', () => {
    const [owned, owner] = sampleOwnedPackages();
    const document = render({ reference: 'app', images: [sampleImageSbom([owned, owner])] }) as { images: { packages: Record<string, unknown>[] }[] };
    expect(describeErrors(validateClosed(document) ? null : validateClosed.errors)).toEqual([]);
    const [jinja2, deb] = ['Jinja2', 'python3-jinja2'].map((name) => document.images[0]!.packages.find((pkg) => pkg.name === name)!);
    expect(jinja2!.owner).toEqual({ id: owner.id, name: 'python3-jinja2', type: 'deb' });
    expect(deb!.id).toBe(owner.id);
    expect(deb).not.toHaveProperty('owner');
    expect(Object.keys(jinja2!).at(-1)).toBe('owner');

    const wrongType = structuredClone(document);
    (wrongType.images[0]!.packages.find((pkg) => pkg.name === 'Jinja2')!.owner as { type: string }).type = 'pypi';
    expect(validate(wrongType)).toBe(false);
  });
});
