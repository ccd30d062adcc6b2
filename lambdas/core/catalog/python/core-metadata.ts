/**
 * Reads the header block of a Python core-metadata file (METADATA, PKG-INFO): RFC 822 style
 * `Key: value` lines, folded lines continued by leading whitespace. The first blank line ends the
 * headers; what follows is the long description, which may itself look like headers. Keys are
 * lowercased; a repeated key keeps its first value, as `email.message.Message.get` does.
 */
export function readMetadataHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  // The header that folded lines extend; undefined after a repeated (ignored) header.
  let folding: string | undefined;
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.trim() === '') break;
    if (/^[ \t]/.test(line)) {
      if (folding !== undefined) headers.set(folding, `${headers.get(folding)!} ${line.trim()}`.trim());
      continue;
    }
    const colon = line.indexOf(':');
    // Like Python's email parser, a line that is not a header starts the body.
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) break;
    const key = line.slice(0, colon).toLowerCase();
    folding = headers.has(key) ? undefined : key;
    if (folding !== undefined) headers.set(key, line.slice(colon + 1).trim());
  }
  return headers;
}
