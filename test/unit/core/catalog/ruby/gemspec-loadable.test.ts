import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGemspec } from '../../../../../lambdas/core/catalog/ruby/gemspec-analyzer.ts';
import { rubygemsSpecifications, writeGemspecs } from '../../../../support/ruby-gemspecs.ts';

// Each gemspec is loaded by RubyGems itself (`Gem::Specification.load` in Debian's ruby): what it
// returns a specification for is the expectation, and every one it rejects must be skipped with a warning.
const SPECS: Record<string, string> = {
  'good-1.0.gemspec': 'Gem::Specification.new do |s|\n  s.name = "good".freeze\n  s.version = "1.0"\nend\n',
  'wrong-variable-1.0.gemspec': 'Gem::Specification.new do |s|\n  spec.name = "wrong-variable"\n  spec.version = "1.0"\nend\n',
  'one-wrong-line-1.0.gemspec': 'Gem::Specification.new do |s|\n  s.name = "one-wrong-line"\n  s.version = "1.0"\n  spec.summary = "oops"\nend\n',
  'wrong-call-1.0.gemspec': 'Gem::Specification.new do |s|\n  s.name = "wrong-call"\n  s.version = "1.0"\n  spec.add_dependency "rack"\nend\n',
  'spec-variable-2.2.gemspec': 'Gem::Specification.new do |spec|\n  spec.name = %q{spec-variable}\n  spec.version = %q{2.2}\nend\n',
  'spaced-1.0.gemspec': 'Gem::Specification.new do | s |\n  s.name = "spaced"\n  s.version = Gem::Version.new("1.0")\nend\n',
  'local-1.0.gemspec': 's = Gem::Specification.new\ns.name = "local"\ns.version = "1.0"\ns\n',
  'inner-block-1.0.gemspec': 'Gem::Specification.new do |s|\n  s.name = "inner-block"\n  s.version = "1.0"\n  s.files = ["a "].map do |f|\n    f.strip\n  end\nend\n',
};

describe('gemspecs RubyGems can and cannot load', () => {
  const files = writeGemspecs(SPECS);

  it('lists exactly what Gem::Specification.load reads and warns about every other file', () => {
    const expected = rubygemsSpecifications(files);
    expect(expected).toHaveLength(5);
    const warnings: string[] = [];
    const actual = files.flatMap((file) => {
      const found = parseGemspec({ path: `usr/local/bundle/specifications/${basename(file)}`, bytes: readFileSync(file) }, { warn: (message) => warnings.push(`${basename(file)}: ${message}`) });
      return (found?.packages ?? []).map((pkg) => `${pkg.name}\t${pkg.version}`);
    });
    expect(actual.sort()).toEqual(expected);
    expect(warnings).toHaveLength(files.length - expected.length);
    expect(warnings).toContain('wrong-variable-1.0.gemspec: uses `spec`, which it never defines (the block variable is `s`): RubyGems cannot load it; the gem was skipped');
  });
});
