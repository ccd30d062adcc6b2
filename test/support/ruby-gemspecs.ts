import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where Debian keeps installed gemspecs: the ruby-* packages' (ruby-rack, ruby-rack-test) and the
 * gems bundled with the interpreter, whose default gems sit in a `default/` subdirectory.
 */
export function debianSpecificationDirectories(): string[] {
  const roots = ['/usr/share/rubygems-integration', '/usr/lib/ruby/gems'].filter(existsSync);
  return roots.flatMap((root) => readdirSync(root).map((version) => join(root, version, 'specifications'))).filter(existsSync);
}

/** The gemspecs of a specifications directory and of its `default/` subdirectory. */
export function gemspecFiles(directory: string): string[] {
  return [directory, join(directory, 'default')]
    .filter(existsSync)
    .flatMap((dir) => readdirSync(dir).filter((name) => name.endsWith('.gemspec')).map((name) => join(dir, name)));
}

const LOAD_SPECS = 'ARGV.each { |file| spec = Gem::Specification.load(file); puts "#{spec.name}\\t#{spec.version}" }';

/** What RubyGems itself reads from each gemspec: `name\tversion`, sorted. */
export function rubygemsSpecifications(files: readonly string[]): string[] {
  const output = execFileSync('/usr/bin/ruby', ['-e', LOAD_SPECS, ...files], { encoding: 'utf8' });
  return output.split('\n').filter(Boolean).sort();
}
