import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.ts';
import { cycloneDx16Validator, describeErrors, schemaValidator } from '../../support/cyclonedx-schema.ts';
import { buildGoRelease, goVersionM } from '../../support/go-build.ts';
import { legacyGoElf } from '../../support/go-legacy-elf.ts';
import { readVersionM } from '../../support/go-version-m.ts';
import { layoutOf } from '../../support/layout.ts';
import { testCacheDir } from '../../support/paths.ts';

const BUILD_TIMEOUT = 300_000;

interface GoImage {
  dir: string;
  /** `path name@version` rows, the main modules at the version their binaries print. */
  expected: string[];
  inferredPurl: string;
}

/** A release build with -X, one with GOEXPERIMENT, and a pre-1.18 binary, each as `go version -m` sees it. */
function goImage(): GoImage {
  const release = buildGoRelease({ flags: ['-trimpath', '-ldflags=-X main.version=v1.8.0-rc.2'] });
  const experiment = buildGoRelease({ flags: ['-trimpath', '-ldflags=-X main.version=v3.1.4'], env: { GOEXPERIMENT: 'boringcrypto' } });
  const legacyPath = testCacheDir('go-legacy', 'cli-legacy');
  mkdirSync(testCacheDir('go-legacy'), { recursive: true });
  writeFileSync(legacyPath, legacyGoElf({ pointerSize: 8, bigEndian: false, goVersion: 'go1.17.13', modinfo: 'path\texample.com/old\nmod\texample.com/old\t(devel)\t\n', filler: 70_000 }));
  chmodSync(legacyPath, 0o755);
  const binaries = { 'usr/bin/release': release, 'usr/bin/experiment': experiment, 'usr/bin/legacy': legacyPath };
  const expected: string[] = [];
  for (const [path, binary] of Object.entries(binaries)) {
    const printed = binary === legacyPath ? undefined : `v${execFileSync(binary, { encoding: 'utf8' }).trim().replace(/^v/, '')}`;
    for (const row of readVersionM(goVersionM(binary)).rows) expected.push(`${path} ${printed ? row.replace('@(devel)', `@${printed}`) : row}`);
  }
  const dir = layoutOf([{ entries: Object.entries(binaries).map(([path, binary]) => ({ type: 'file' as const, path, content: readFileSync(binary), mode: 0o755 })) }]);
  return { dir, expected: expected.sort(), inferredPurl: 'pkg:golang/example.com/customs-release@v1.8.0-rc.2' };
}

describe('Go binaries in the reports', () => {
  let image: GoImage | undefined;
  const built = () => (image ??= goImage());

  it('lists pre-1.18, experiment and -X builds in schema-valid JSON, the -X versions marked inferred', async () => {
    const { dir, expected, inferredPurl } = built();
    const run = await runCli(['sbom', `oci:${dir}`, '--format', 'json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { images: Array<{ packages: Array<{ type: string; name: string; version: string; purl: string; versionInferred?: boolean; location: { path: string } }> }> };
    expect(schemaValidator('lambdas', 'core', 'report', 'customs-sbom.schema.json')(report)).toBe(true);
    const golang = report.images[0]!.packages.filter((pkg) => pkg.type === 'golang');
    expect(golang.map((pkg) => `${pkg.location.path} ${pkg.name}@${pkg.version}`).sort()).toEqual(expected);
    expect(golang.filter((pkg) => pkg.versionInferred).map((pkg) => pkg.purl).sort()).toEqual([inferredPurl, 'pkg:golang/example.com/customs-release@v3.1.4']);
  }, BUILD_TIMEOUT);

  it('carries the inferred mark into schema-valid CycloneDX', async () => {
    const { dir, inferredPurl } = built();
    const run = await runCli(['sbom', `oci:${dir}`, '--format', 'cyclonedx-json']);
    const bom = JSON.parse(run.stdout) as { components: Array<{ purl?: string; properties?: Array<{ name: string; value: string }> }> };
    const validate = cycloneDx16Validator();
    expect(validate(bom), describeErrors(validate.errors).join('\n')).toBe(true);
    const component = bom.components.find((candidate) => candidate.purl === inferredPurl);
    expect(component?.properties).toContainEqual({ name: 'customs:package:version-inferred', value: 'true' });
  }, BUILD_TIMEOUT);
});
