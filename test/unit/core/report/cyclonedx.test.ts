import { describe, expect, it } from 'vitest';
import { renderCycloneDx, renderCycloneDxWithVulnerabilities } from '../../../../lambdas/core/report/cyclonedx.ts';
import type { ScanResult } from '../../../../lambdas/core/sbom/model.ts';
import { cycloneDx16Validator, describeErrors } from '../../../support/cyclonedx-schema.ts';
import { sampleFinding, sampleImageFindings, sampleImageSbom, sampleOwnedPackages, sampleReport } from '../../../support/sample-findings.ts';
import { archiveResult, debianImage, GENERATED_AT, INDEX_DIGEST, multiPlatformResult, singleImageResult, TOOL } from './scan-results.ts';

interface Property {
  name: string;
  value: string;
}
interface Component {
  type: string;
  'bom-ref'?: string;
  name?: string;
  version?: string;
  description?: string;
  purl?: string;
  properties?: Property[];
  components?: Component[];
}
interface Bom {
  serialNumber: string;
  metadata: { timestamp: string; tools: { components: Component[] }; component: Component };
  components?: Component[];
  dependencies: { ref: string; dependsOn: string[] }[];
}

const SERIAL = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';
const validate = cycloneDx16Validator();

/** `null` asks for a random serial number. */
function render(result: ScanResult, serialNumber: string | null = SERIAL): Bom {
  const meta = { tool: TOOL, generatedAt: GENERATED_AT, ...(serialNumber === null ? {} : { serialNumber }) };
  return JSON.parse(renderCycloneDx(result, meta)) as Bom;
}

function errorsOf(document: unknown): string[] {
  return validate(document) ? [] : describeErrors(validate.errors);
}

/** Every component in the document, depth first, with the metadata subject first. */
function allComponents(bom: Bom): Component[] {
  const walk = (components: Component[] = []): Component[] => components.flatMap((c) => [c, ...walk(c.components)]);
  return [bom.metadata.component, ...walk(bom.components)];
}

function property(component: Component, name: string): string | undefined {
  return component.properties?.find((p) => p.name === name)?.value;
}

/** bom-refs unique, every graph ref resolvable, every component reachable from the subject. */
function expectSoundGraph(bom: Bom): void {
  const refs = allComponents(bom).map((c) => c['bom-ref']);
  expect(refs.every((ref) => typeof ref === 'string' && ref.length > 0)).toBe(true);
  expect(new Set(refs).size).toBe(refs.length);
  const known = new Set(refs);
  const edges = new Map(bom.dependencies.map((d) => [d.ref, d.dependsOn]));
  for (const { ref, dependsOn } of bom.dependencies) for (const r of [ref, ...dependsOn]) expect(known).toContain(r);
  const reached = new Set<string>();
  const visit = (ref: string): void => {
    if (reached.has(ref)) return;
    reached.add(ref);
    for (const next of edges.get(ref) ?? []) visit(next);
  };
  visit(bom.metadata.component['bom-ref']!);
  expect([...reached].sort()).toEqual([...known].sort());
}

describe('renderCycloneDx', () => {
  it.each([
    ['single platform', singleImageResult()],
    ['multi platform', multiPlatformResult()],
    ['archive without manifest or OS', archiveResult()],
    ['no images', { reference: 'debian:12', images: [] }],
  ])('produces a valid CycloneDX 1.6 document with a sound graph: %s', (_name, result) => {
    const bom = render(result);
    expect(errorsOf(bom)).toEqual([]);
    expectSoundGraph(bom);
  });

  it('fails validation for broken documents, so the validator is not vacuous', () => {
    const nameless = render(singleImageResult());
    delete nameless.components![1]!.name;
    expect(errorsOf(nameless).join('\n')).toContain("must have required property 'name'");

    const nestedNameless = render(multiPlatformResult());
    delete nestedNameless.components![1]!.components![2]!.name;
    expect(errorsOf(nestedNameless).join('\n')).toContain("must have required property 'name'");

    const badSerial = { ...render(singleImageResult()), serialNumber: 'not-a-uuid' };
    expect(errorsOf(badSerial)).not.toEqual([]);

    const badType = render(singleImageResult());
    badType.metadata.component.type = 'docker-image';
    expect(errorsOf(badType)).not.toEqual([]);
  });

  it('writes the envelope and tool', () => {
    const text = renderCycloneDx(singleImageResult(), { tool: TOOL, generatedAt: GENERATED_AT, serialNumber: SERIAL });
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toMatchObject({
      $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
      bomFormat: 'CycloneDX',
      specVersion: '1.6',
      serialNumber: SERIAL,
      version: 1,
      metadata: { timestamp: '2025-01-02T03:04:05.678Z', tools: { components: [{ type: 'application', ...TOOL }] } },
    });
  });

  it('makes up a fresh serial number unless given one', () => {
    const a = render(singleImageResult(), null).serialNumber;
    const b = render(singleImageResult(), null).serialNumber;
    expect(a).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(render(singleImageResult(), '3E671687-395B-41F5-A30F-A58921A69B79').serialNumber).toBe(SERIAL);
    expect(() => render(singleImageResult(), 'nope')).toThrow(/not a UUID/);
  });

  it('describes a single platform image as the subject, with its OS and packages', () => {
    const image = debianImage('amd64');
    const bom = render(singleImageResult());
    const subject = bom.metadata.component;
    expect(subject).toMatchObject({
      type: 'container',
      name: 'docker.io/library/debian',
      version: '12',
      purl: `pkg:oci/debian@${image.manifestDigest!.replace(':', '%3A')}?arch=amd64&repository_url=docker.io/library/debian&tag=12`,
    });
    expect(subject.properties).toEqual([
      { name: 'customs:image:platform', value: 'linux/amd64' },
      { name: 'customs:image:manifest-digest', value: image.manifestDigest },
      { name: 'customs:image:config-digest', value: image.configDigest },
      { name: 'customs:image:index-digest', value: INDEX_DIGEST },
      { name: 'customs:image:created', value: '2024-06-10T00:00:00Z' },
    ]);

    expect(bom.components![0]).toMatchObject({
      type: 'operating-system',
      name: 'debian',
      version: '12',
      description: 'Debian GNU/Linux 12 (bookworm)',
    });
    const libraries = bom.components!.slice(1);
    expect(libraries.every((c) => c.type === 'library')).toBe(true);
    expect(libraries.map((c) => c['bom-ref'])).toEqual(expect.arrayContaining(image.packages.map((pkg) => pkg.id)));
    const purls = libraries.map((c) => c.purl);
    for (const pkg of image.packages) expect(purls).toContain(pkg.purl);

    const passwd = libraries.find((c) => c.name === 'passwd')!;
    expect(passwd.version).toBe('1:4.13+dfsg1-1+b1');
    expect(passwd.properties).toEqual([
      { name: 'customs:package:type', value: 'deb' },
      { name: 'customs:package:architecture', value: 'amd64' },
      { name: 'customs:package:source-name', value: 'shadow' },
      { name: 'customs:package:source-version', value: '1:4.13+dfsg1-1' },
      { name: 'customs:location:path', value: 'var/lib/dpkg/status' },
      { name: 'customs:layer:index', value: '0' },
      { name: 'customs:layer:digest', value: image.layers[0]!.digest },
      { name: 'customs:layer:diff-id', value: image.layers[0]!.diffId },
      { name: 'customs:cataloger', value: 'dpkg' },
    ]);

    const root = bom.dependencies.find((d) => d.ref === subject['bom-ref'])!;
    expect(root.dependsOn).toHaveLength(bom.components!.length);
    expect(bom.dependencies.filter((d) => d !== root).every((d) => d.dependsOn.length === 0)).toBe(true);
  });

  it('describes a multi-platform index with one nested container per platform', () => {
    const result = multiPlatformResult();
    const bom = render(result);
    expect(bom.metadata.component).toMatchObject({ type: 'container', name: 'docker.io/library/debian', version: INDEX_DIGEST });
    expect(bom.metadata.component.purl).toBe(`pkg:oci/debian@${INDEX_DIGEST.replace(':', '%3A')}?repository_url=docker.io/library/debian&tag=12`);

    const platforms = bom.components!;
    expect(platforms.map((c) => c.type)).toEqual(['container', 'container']);
    result.images.forEach((image, i) => {
      const container = platforms[i]!;
      const prefix = `linux/${image.platform.architecture}:`;
      expect(container['bom-ref']!.startsWith(prefix)).toBe(true);
      expect(property(container, 'customs:image:platform')).toBe(`linux/${image.platform.architecture}`);
      const nested = container.components!;
      expect(nested[0]!.type).toBe('operating-system');
      expect(nested.every((c) => c['bom-ref']!.startsWith(`${container['bom-ref']}/`))).toBe(true);
      for (const pkg of image.packages) expect(nested.map((c) => c.purl)).toContain(pkg.purl);
    });

    const root = bom.dependencies.find((d) => d.ref === bom.metadata.component['bom-ref'])!;
    expect(root.dependsOn).toEqual(platforms.map((c) => c['bom-ref']));
  });

  it('leaves out what is unknown: no purl without a manifest, no OS component, no empty properties', () => {
    const bom = render(archiveResult());
    expect(bom.metadata.component.purl).toBeUndefined();
    expect(bom.metadata.component.version).toBe(archiveResult().images[0]!.configDigest);
    expect(bom.components!.map((c) => c.type)).toEqual(['library']);
    const names = bom.components![0]!.properties!.map((p) => p.name);
    expect(names).not.toContain('customs:package:architecture');
    expect(names).not.toContain('customs:package:source-name');
    expect(allComponents(bom).flatMap((c) => c.properties ?? []).every((p) => p.value !== '')).toBe(true);
  });

  it('keeps bom-refs unique even when the scanner repeats a package id', () => {
    const image = debianImage('amd64');
    const twice = { reference: 'x', images: [{ ...image, packages: [...image.packages, image.packages[0]!] }] };
    const bom = render(twice);
    expect(errorsOf(bom)).toEqual([]);
    expectSoundGraph(bom);
  });
});

describe('renderCycloneDx: language packages installed by an OS package', () => {
  const [owned, owner] = sampleOwnedPackages();
  const image = (architecture: string) => sampleImageSbom([owned, owner], { platform: { os: 'linux', architecture } });

  /** The owned component's owner properties, and the owner component whose dependencies list it. */
  function ownership(bom: Bom, ownedComponent: Component) {
    const ownerRef = property(ownedComponent, 'customs:package:owner-ref');
    const ownerComponent = allComponents(bom).find((c) => c['bom-ref'] === ownerRef);
    const edge = bom.dependencies.find((d) => d.ref === ownerRef);
    return { label: property(ownedComponent, 'customs:package:owner'), ownerComponent, dependsOn: edge?.dependsOn };
  }

  it('names the owner and links it in the graph', () => {
    const bom = render({ reference: 'app', images: [image('amd64')] });
    expect(errorsOf(bom)).toEqual([]);
    expectSoundGraph(bom);
    const jinja2 = bom.components!.find((c) => c.name === 'Jinja2')!;
    const { label, ownerComponent, dependsOn } = ownership(bom, jinja2);
    expect(label).toBe('python3-jinja2 (dpkg)');
    expect(ownerComponent).toMatchObject({ name: 'python3-jinja2', 'bom-ref': owner.id });
    expect(dependsOn).toEqual([jinja2['bom-ref']]);
    expect(ownerComponent!.properties!.map((p) => p.name)).not.toContain('customs:package:owner-ref');
  });

  it('resolves the owner within each platform of an index', () => {
    const bom = render({ reference: 'app', images: [image('amd64'), image('arm64')] });
    expect(errorsOf(bom)).toEqual([]);
    expectSoundGraph(bom);
    for (const container of bom.components!) {
      const jinja2 = container.components!.find((c) => c.name === 'Jinja2')!;
      const { ownerComponent, dependsOn } = ownership(bom, jinja2);
      expect(container.components).toContain(ownerComponent);
      expect(ownerComponent!.name).toBe('python3-jinja2');
      expect(dependsOn).toEqual([jinja2['bom-ref']]);
    }
  });

  it('writes the same ownership with vulnerabilities', () => {
    const report = sampleReport([sampleImageFindings([sampleFinding({ package: owned }), sampleFinding({ package: owner })])]);
    const bom = JSON.parse(renderCycloneDxWithVulnerabilities(report, { tool: TOOL, generatedAt: GENERATED_AT, serialNumber: SERIAL })) as Bom;
    expect(errorsOf(bom)).toEqual([]);
    const { label, dependsOn } = ownership(bom, bom.components!.find((c) => c.name === 'Jinja2')!);
    expect(label).toBe('python3-jinja2 (dpkg)');
    expect(dependsOn).toEqual([owned.id]);
  });

  it('adds nothing for an owner missing from the image', () => {
    const bom = render({ reference: 'app', images: [sampleImageSbom([owned])] });
    expect(errorsOf(bom)).toEqual([]);
    const names = allComponents(bom).flatMap((c) => c.properties ?? []).map((p) => p.name);
    expect(names.filter((name) => name.startsWith('customs:package:owner'))).toEqual([]);
    expect(bom.dependencies.filter((d) => d.ref !== bom.metadata.component['bom-ref']).every((d) => d.dependsOn.length === 0)).toBe(true);
  });
});
