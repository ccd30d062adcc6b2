import { beforeAll, describe, expect, it } from 'vitest';
import { defaultCatalogers } from '../../../lambdas/core/catalog/catalogers.ts';
import type { ImageSbom } from '../../../lambdas/core/sbom/model.ts';
import { directoryEntries } from '../../../tools/image-builder/directory-entries.ts';
import type { TarInput } from '../../../tools/image-builder/tar-writer.ts';
import { layoutOf } from '../../support/layout.ts';
import { debianSpecificationDirectories, gemspecFiles, rubygemsSpecifications } from '../../support/ruby-gemspecs.ts';
import { scan } from '../../support/scan.ts';

const catalogers = defaultCatalogers;

// Needs Debian's ruby and the ruby-rack, ruby-rack-test packages (scripts/setup.sh installs them).
describe('gemspecs of Debian ruby packages packed into an image', () => {
  let directories: string[];
  let image: ImageSbom;

  beforeAll(async () => {
    directories = debianSpecificationDirectories();
    const entries: TarInput[] = directories.flatMap((directory) => directoryEntries(directory, directory.slice(1)));
    [image] = (await scan(`oci:${layoutOf([{ entries }])}`, { catalogers })).images as [ImageSbom];
  });

  it('lists exactly what Gem::Specification.load reads from each gemspec', () => {
    const files = directories.flatMap(gemspecFiles);
    for (const gem of ['rack', 'rack-test']) expect(files.some((file) => new RegExp(`/rubygems-integration/all/specifications/${gem}-[\\d.]+\\.gemspec$`).test(file)), gem).toBe(true);
    expect(files.some((file) => file.includes('/specifications/default/'))).toBe(true);
    const actual = image.packages.map((pkg) => `${pkg.name}\t${pkg.version}`).sort();
    expect(actual).toEqual(rubygemsSpecifications(files));
    expect(image.warnings).toEqual(['no operating system release file found in linux/amd64 image']);
  });

  it('writes gem purls and keeps each gemspec as the location', () => {
    const rack = image.packages.find((pkg) => pkg.name === 'rack' && pkg.location.path.startsWith('usr/share/rubygems-integration/'))!;
    expect(rack.purl).toBe(`pkg:gem/rack@${rack.version}`);
    expect(rack.location.path).toBe(`usr/share/rubygems-integration/all/specifications/rack-${rack.version}.gemspec`);
    expect(rack.type).toBe('gem');
  });

  it('warns about a gemspec without a version, or one RubyGems cannot load, and keeps its neighbours', async () => {
    const dir = layoutOf([
      {
        entries: [
          { type: 'file', path: 'usr/local/bundle/specifications/ok-1.0.gemspec', content: 'Gem::Specification.new do |s|\n  s.name = "ok".freeze\n  s.version = "1.0"\nend\n' },
          { type: 'file', path: 'usr/local/bundle/specifications/broken-1.0.gemspec', content: 'Gem::Specification.new do |s|\n  s.name = "broken".freeze\nend\n' },
          { type: 'file', path: 'usr/local/bundle/specifications/unloadable-1.0.gemspec', content: 'Gem::Specification.new do |s|\n  spec.name = "unloadable"\n  spec.version = "1.0"\nend\n' },
        ],
      },
    ]);
    const [broken] = (await scan(`oci:${dir}`, { catalogers })).images;
    expect(broken!.packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual(['ok@1.0']);
    expect(broken!.warnings).toContain('layer 1: ruby: usr/local/bundle/specifications/broken-1.0.gemspec: assigns no version; the gem was skipped');
    expect(broken!.warnings).toContain(
      'layer 1: ruby: usr/local/bundle/specifications/unloadable-1.0.gemspec: uses `spec`, which it never defines (the block variable is `s`): RubyGems cannot load it; the gem was skipped',
    );
  });
});
