/**
 * Parses os-release(5): shell-style `KEY=value` lines, values optionally quoted. Only assignments are
 * understood; nothing is executed or expanded, as the format requires.
 */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    fields.set(match[1]!, unquote(match[2]!));
  }
  return fields;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
    const inner = value.slice(1, -1);
    // Within double quotes the shell honours backslash before $ ` " \ only.
    return quote === '"' ? inner.replace(/\\([$`"\\])/g, '$1') : inner;
  }
  return value;
}
