import { describe, expect, it } from 'vitest';
import { parseGemspec } from '../../../../../lambdas/core/catalog/ruby/gemspec-analyzer.ts';

function parse(text: string) {
  const warnings: string[] = [];
  const result = parseGemspec({ path: 'usr/lib/ruby/gems/3.1.0/specifications/x.gemspec', bytes: Buffer.from(text) }, { warn: (message) => warnings.push(message) });
  return { packages: result?.packages ?? [], warnings };
}

const spec = (body: string) => `# -*- encoding: utf-8 -*-\n# stub: x 1 ruby lib\n\nGem::Specification.new do |s|\n${body}\nend\n`;

describe('gemspec', () => {
  it.each([
    ['frozen strings', '  s.name = "rack".freeze\n  s.version = "2.2.22"\n  s.rubygems_version = "3.3.15".freeze'],
    ['Gem::Version.new', "  s.name = 'rack'\n  s.required_rubygems_version = Gem::Requirement.new(\">= 0\".freeze)\n  s.version = Gem::Version.new(\"2.2.22\")"],
  ])('reads name and version from %s', (_, body) => {
    expect(parse(spec(body))).toEqual({ packages: [{ name: 'rack', version: '2.2.22' }], warnings: [] });
  });

  it('reads %q{} strings under another block variable', () => {
    const text = 'Gem::Specification.new do |spec|\n  spec.name = %q{rack}\n  spec.version = %q{2.2.22}\nend\n';
    expect(parse(text)).toEqual({ packages: [{ name: 'rack', version: '2.2.22' }], warnings: [] });
  });

  it('skips a gemspec whose assignments use a variable other than the block’s, with a warning', () => {
    expect(parse(spec('  spec.name = %q{rack}\n  spec.version = %q{2.2.22}'))).toEqual({
      packages: [],
      warnings: ['uses `spec`, which it never defines (the block variable is `s`): RubyGems cannot load it; the gem was skipped'],
    });
  });

  it('knows locals, inner block variables and methods the gemspec defines', () => {
    const body = '  s.name = "x"\n  s.version = "1"\n  files = ["a"]\n  files.each do |f|\n    f.strip\n  end\n  def helper; end\n  helper.to_s\n  self.class';
    expect(parse(spec(body)).packages).toEqual([{ name: 'x', version: '1' }]);
  });

  it('ignores other *_version assignments', () => {
    expect(parse(spec('  s.name = "x"\n  s.required_ruby_version = Gem::Requirement.new(">= 2.3.0".freeze)\n  s.rubygems_version = "3.3.15"')).warnings).toEqual(['assigns no version; the gem was skipped']);
  });

  it('never evaluates the file', () => {
    expect(parse(spec('  s.name = "x"\n  s.version = File.read("VERSION").strip\n  `rm -rf /`')).packages).toEqual([]);
  });

  it('warns about a gemspec without a version or name and does not throw', () => {
    expect(parse(spec('  s.name = "noversion".freeze')).warnings).toEqual(['assigns no version; the gem was skipped']);
    expect(parse('\u0000\u00ff binary junk').warnings).toEqual(['assigns no name and version; the gem was skipped']);
  });
});
