/**
 * Splits a Debian control file (deb822: dpkg's status database, status.d entries) into stanzas.
 * Field names are case-insensitive and returned lowercased; continuation lines are joined with
 * newlines, as dpkg keeps them.
 */
export type Stanza = ReadonlyMap<string, string>;

export function parseControlStanzas(text: string): Stanza[] {
  const stanzas: Stanza[] = [];
  let fields = new Map<string, string>();
  let lastField: string | undefined;
  for (const line of text.split('\n')) {
    const trimmedEnd = line.replace(/\r$/, '');
    if (trimmedEnd.trim() === '') {
      if (fields.size > 0) stanzas.push(fields);
      fields = new Map();
      lastField = undefined;
      continue;
    }
    if (trimmedEnd.startsWith(' ') || trimmedEnd.startsWith('\t')) {
      if (lastField !== undefined) fields.set(lastField, `${fields.get(lastField)}\n${trimmedEnd.trim()}`);
      continue;
    }
    if (trimmedEnd.startsWith('#')) continue;
    const colon = trimmedEnd.indexOf(':');
    if (colon <= 0) continue;
    lastField = trimmedEnd.slice(0, colon).trim().toLowerCase();
    fields.set(lastField, trimmedEnd.slice(colon + 1).trim());
  }
  if (fields.size > 0) stanzas.push(fields);
  return stanzas;
}
