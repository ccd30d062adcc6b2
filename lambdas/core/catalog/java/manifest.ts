/**
 * The main section of a `META-INF/MANIFEST.MF`: `Name: value` lines up to the first blank line. Lines
 * are at most 72 bytes; a longer value continues on lines starting with one space. Lines are joined
 * as bytes before decoding, because the 72-byte cut may fall inside a UTF-8 character.
 */
export function parseManifest(bytes: Uint8Array): Map<string, string> {
  const attributes = new Map<string, string>();
  const decoder = new TextDecoder('utf-8');
  let current: number[] | undefined;
  const finish = (): void => {
    if (!current) return;
    const line = decoder.decode(Uint8Array.from(current));
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim();
      // Attribute names are case-insensitive; keep the first spelling's value.
      const key = name.toLowerCase();
      if (!attributes.has(key)) attributes.set(key, line.slice(colon + 1).replace(/^ /, '').trim());
    }
    current = undefined;
  };
  for (const line of byteLines(bytes)) {
    if (line.length === 0) break;
    if (line[0] === 0x20 && current) {
      for (let index = 1; index < line.length; index++) current.push(line[index]!);
      continue;
    }
    finish();
    current = Array.from(line);
  }
  finish();
  return attributes;
}

/** Lines split on CRLF, LF or CR, as the manifest spec allows. */
function* byteLines(bytes: Uint8Array): Generator<Uint8Array> {
  let start = 0;
  for (let at = 0; at < bytes.length; at++) {
    const byte = bytes[at];
    if (byte !== 0x0a && byte !== 0x0d) continue;
    yield bytes.subarray(start, at);
    if (byte === 0x0d && bytes[at + 1] === 0x0a) at++;
    start = at + 1;
  }
  if (start < bytes.length) yield bytes.subarray(start);
}
