/**
 * A Java `.properties` file (as Maven writes `pom.properties`): ISO-8859-1 text, `#`/`!` comments,
 * `key=value`, `key: value` or `key value`, backslash line continuations and `\uXXXX` escapes.
 */
export function parseJavaProperties(bytes: Uint8Array): Map<string, string> {
  const properties = new Map<string, string>();
  const text = new TextDecoder('latin1').decode(bytes);
  for (const line of logicalLines(text)) {
    const trimmed = line.replace(/^[ \t\f]+/, '');
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!')) continue;
    let at = 0;
    while (at < trimmed.length && !/[=: \t\f]/.test(trimmed[at]!)) at += trimmed[at] === '\\' ? 2 : 1;
    const key = unescape(trimmed.slice(0, at));
    const rest = trimmed.slice(at).replace(/^[ \t\f]*[=:]?[ \t\f]*/, '');
    if (!properties.has(key)) properties.set(key, unescape(rest));
  }
  return properties;
}

/** Physical lines joined where one ends in an odd number of backslashes. */
function* logicalLines(text: string): Generator<string> {
  let pending = '';
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = pending ? raw.replace(/^[ \t\f]+/, '') : raw;
    const trailing = /\\+$/.exec(line)?.[0].length ?? 0;
    if (trailing % 2 === 1) {
      pending += line.slice(0, -1);
      continue;
    }
    yield pending + line;
    pending = '';
  }
  if (pending) yield pending;
}

const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function unescape(value: string): string {
  return value.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_match, escape: string) =>
    escape.length === 5 ? String.fromCharCode(parseInt(escape.slice(1), 16)) : (ESCAPES[escape] ?? escape),
  );
}
