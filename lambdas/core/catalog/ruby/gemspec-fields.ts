/** A Ruby string literal as RubyGems writes one: "x", 'x' or %q{x}, optionally `.freeze`d. */
const LITERAL = String.raw`(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|%q\{([^}]*)\})(?:\.freeze)?`;

const NAME = new RegExp(String.raw`^\s*\w+\.name\s*=\s*${LITERAL}`, 'm');
const VERSION = new RegExp(String.raw`^\s*\w+\.version\s*=\s*(?:Gem::Version\.new\(\s*${LITERAL}\s*\)|${LITERAL})`, 'm');

/**
 * The name and version assigned in a gemspec RubyGems wrote (`s.name = "rack".freeze`,
 * `s.version = "2.2.22"` or `Gem::Version.new("2.2.22")`). The file is Ruby source: it is matched
 * with patterns, never evaluated.
 */
export function readGemspecFields(text: string): { name?: string; version?: string } {
  const name = literalOf(NAME.exec(text));
  const version = literalOf(VERSION.exec(text));
  return { ...(name ? { name } : {}), ...(version ? { version } : {}) };
}

function literalOf(match: RegExpExecArray | null): string | undefined {
  const raw = match?.slice(1).find((group) => group !== undefined);
  return raw?.replace(/\\(.)/g, '$1').trim();
}
