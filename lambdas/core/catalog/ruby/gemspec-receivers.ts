/**
 * The names a gemspec calls methods on at the start of a line (`spec.name = …`) that nothing in the
 * file defines: not a block's variable (`do |s|`), a local it assigns, or a method it defines.
 * RubyGems evaluates the file, so such a name raises NameError and `Gem::Specification.load`
 * rejects the whole gemspec. The file is matched with patterns, never evaluated.
 */
export function undefinedReceivers(text: string): string[] {
  const known = new Set(['self', '__dir__', '__method__']);
  for (const match of text.matchAll(/\|([^|\n]*)\|/g)) {
    for (const parameter of match[1]!.split(',')) known.add(parameter.trim().replace(/^[*&]+/, '').split(/[\s=:]/)[0]!);
  }
  for (const match of text.matchAll(/^\s*([a-z_]\w*)\s*(?:\|\||&&)?=(?![=~>])/gm)) known.add(match[1]!);
  for (const match of text.matchAll(/\bdef\s+(?:self\.)?([a-z_]\w*)/g)) known.add(match[1]!);
  const unknown = new Set<string>();
  for (const match of text.matchAll(/^\s*([a-z_]\w*)\.[a-z_]/gm)) if (!known.has(match[1]!)) unknown.add(match[1]!);
  return [...unknown];
}

/** The variable of the `Gem::Specification.new do |s|` (or `{ |s|`) block, when there is one. */
export function specificationBlockVariable(text: string): string | undefined {
  return /Gem::Specification\.new\b[^\n]*?(?:\bdo|\{)\s*\|\s*([a-z_]\w*)\s*\|/.exec(text)?.[1];
}
