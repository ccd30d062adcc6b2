import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { runCli } from '../../support/cli.ts';
import { cycloneDx16Validator, describeErrors, schemaValidator } from '../../support/cyclonedx-schema.ts';
import { debianJar } from '../../support/java-archive-oracle.ts';
import { layoutOf } from '../../support/layout.ts';
import { sharedFixtures } from '../../support/paths.ts';

/** One image holding a package of every language ecosystem, as an application image might. */
function mixedImage(): string {
  const entries: TarInput[] = [
    { type: 'file', path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
    { type: 'file', path: 'app/node_modules/@babel/code-frame/package.json', content: JSON.stringify({ name: '@babel/code-frame', version: '7.0.0' }) },
    { type: 'file', path: 'app/node_modules/lodash/package.json', content: JSON.stringify({ name: 'lodash', version: '4.17.15' }) },
    { type: 'file', path: 'usr/local/lib/python3.11/site-packages/urllib3-1.26.5.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.5\n' },
    { type: 'file', path: 'usr/share/java/commons-lang3.jar', content: debianJar('commons-lang3.jar') },
    { type: 'file', path: 'usr/local/bin/hello', content: readFileSync(sharedFixtures('os', 'go', 'hello-replace-go1.19')), mode: 0o755 },
    { type: 'file', path: 'var/lib/gems/3.1.0/specifications/rack-2.2.6.gemspec', content: 'Gem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "2.2.6"\nend\n' },
    { type: 'file', path: 'srv/php/vendor/composer/installed.json', content: JSON.stringify({ packages: [{ name: 'monolog/monolog', version: '2.9.1' }], 'dev-package-names': [] }) },
    {
      type: 'file',
      path: 'srv/dotnet/app.deps.json',
      content: JSON.stringify({ runtimeTarget: { name: '.NETCoreApp,Version=v8.0' }, targets: {}, libraries: { 'app/1.0.0': { type: 'project' }, 'Newtonsoft.Json/13.0.1': { type: 'package' } } }),
    },
  ];
  return layoutOf([{ entries }]);
}

describe('language packages in the reports', () => {
  const dir = mixedImage();

  it('lists every ecosystem, with purls, in JSON that matches the Customs schema', async () => {
    const run = await runCli(['sbom', `oci:${dir}`, '--format', 'json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { images: Array<{ packages: Array<{ type: string; purl: string }> }> };
    expect(schemaValidator('lambdas', 'core', 'report', 'customs-sbom.schema.json')(report)).toBe(true);
    const purls = report.images[0]!.packages.map((pkg) => pkg.purl).sort();
    expect(purls).toEqual(
      expect.arrayContaining([
        'pkg:npm/%40babel/code-frame@7.0.0',
        'pkg:npm/lodash@4.17.15',
        'pkg:pypi/urllib3@1.26.5',
        'pkg:maven/org.apache.commons/commons-lang3@3.12.0',
        'pkg:golang/example.com/greet@v1.2.3',
        'pkg:golang/stdlib@v1.19.8',
        'pkg:gem/rack@2.2.6',
        'pkg:composer/monolog/monolog@2.9.1',
        'pkg:nuget/Newtonsoft.Json@13.0.1',
      ]),
    );
  });

  it('renders schema-valid CycloneDX with every language package as a component', async () => {
    const run = await runCli(['sbom', `oci:${dir}`, '--format', 'cyclonedx-json']);
    const bom = JSON.parse(run.stdout) as { components: Array<{ purl?: string }> };
    const validate = cycloneDx16Validator();
    expect(validate(bom), describeErrors(validate.errors).join('\n')).toBe(true);
    expect(bom.components.map((component) => component.purl)).toContain('pkg:maven/org.apache.commons/commons-lang3@3.12.0');
  });

  it('shows them in the table', async () => {
    const run = await runCli(['sbom', `oci:${dir}`, '--format', 'table']);
    expect(run.stdout).toMatch(/^@babel\/code-frame\s+7\.0\.0/m);
    expect(run.stdout).toMatch(/^org\.apache\.commons:commons-lang3\s+3\.12\.0/m);
  });
});
