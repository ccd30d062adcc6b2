import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

// Gem::Specification.load returns nil (and complains on stderr) for a gemspec it cannot evaluate.
const LOAD_SPECS = 'ARGV.each { |file| spec = Gem::Specification.load(file); puts "#{spec.name}\\t#{spec.version}" if spec }';

/** What RubyGems itself reads from each gemspec it can load: `name\tversion`, sorted. */
export function rubygemsSpecifications(files: readonly string[]): string[] {
  const output = execFileSync('/usr/bin/ruby', ['-e', LOAD_SPECS, ...files], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return output.split('\n').filter(Boolean).sort();
}

/** Writes `file name → Ruby source` into a fresh specifications directory and returns the files' paths. */
export function writeGemspecs(specs: Readonly<Record<string, string>>): string[] {
  const directory = mkdtempSync(join(tmpdir(), 'customs-specifications-'));
  return Object.entries(specs).map(([name, source]) => {
    writeFileSync(join(directory, name), source);
    return join(directory, name);
  });
}
