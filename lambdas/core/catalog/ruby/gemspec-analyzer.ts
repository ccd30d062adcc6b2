import type { CapturedFile, FileAnalyzer, IssueSink } from '../file-analyzer.ts';
import type { LanguageFile } from '../language-package.ts';
import { readGemspecFields } from './gemspec-fields.ts';
import { specificationBlockVariable, undefinedReceivers } from './gemspec-receivers.ts';

/**
 * Installed gems: RubyGems keeps one spec per gem in `specifications/` beside `gems/`, and the gems
 * bundled with Ruby in `specifications/default/`. Debian's ruby-* packages use the same layout under
 * /usr/share/rubygems-integration.
 */
export const GEMSPEC_PATTERNS: readonly string[] = ['**/specifications/*.gemspec', '**/specifications/default/*.gemspec'];

export function parseGemspec(file: CapturedFile, issues: IssueSink): LanguageFile | undefined {
  const text = new TextDecoder('utf-8').decode(file.bytes);
  // RubyGems would fail on the first such line (NameError), so the gem is not installed as far as it knows.
  const undefinedNames = undefinedReceivers(text);
  if (undefinedNames.length > 0) {
    const block = specificationBlockVariable(text);
    const names = undefinedNames.map((receiver) => `\`${receiver}\``).join(', ');
    issues.warn(`uses ${names}, which it never defines${block ? ` (the block variable is \`${block}\`)` : ''}: RubyGems cannot load it; the gem was skipped`);
    return undefined;
  }
  const { name, version } = readGemspecFields(text);
  if (!name || !version) {
    const missing = [name ? undefined : 'name', version ? undefined : 'version'].filter(Boolean).join(' and ');
    issues.warn(`assigns no ${missing}; the gem was skipped`);
    return undefined;
  }
  return { packages: [{ name, version }] };
}

export const gemspecAnalyzer: Pick<FileAnalyzer<LanguageFile>, 'name' | 'version' | 'patterns' | 'parse'> = {
  name: 'ruby',
  version: 2,
  patterns: GEMSPEC_PATTERNS,
  parse: parseGemspec,
};
