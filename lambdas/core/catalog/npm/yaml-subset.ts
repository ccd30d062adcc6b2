/**
 * A small YAML reader for what pnpm-lock.yaml and yarn berry's yarn.lock contain: block mappings and
 * sequences by indentation, plain and quoted scalars, one-line flow collections (`{a: b}`, `[x]`),
 * and `|`/`>` block scalars. Scalars stay strings (no booleans or numbers): callers compare text.
 * Anchors, tags, multi-document streams and multi-line flow collections are not supported; they
 * raise a YamlError, which the caller reports as a warning.
 */
export type YamlValue = string | null | readonly YamlValue[] | YamlMap;
export interface YamlMap {
  readonly [key: string]: YamlValue;
}

export class YamlError extends Error {}

interface Line {
  readonly indent: number;
  readonly text: string;
  readonly number: number;
}

/** Deepest nesting accepted, so a hostile file cannot exhaust the stack. */
const MAX_DEPTH = 64;

export function parseYaml(text: string): YamlValue {
  const lines = toLines(text);
  if (lines.length === 0) return null;
  const reader = new BlockReader(lines);
  const value = reader.block(lines[0]!.indent, 0);
  reader.expectEnd();
  return value;
}

export function isYamlMap(value: YamlValue | undefined): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toLines(text: string): Line[] {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed === '---' || trimmed === '...') return;
    const indent = raw.length - raw.trimStart().length;
    if (raw.slice(0, indent).includes('\t')) throw new YamlError(`line ${index + 1}: tab in indentation`);
    lines.push({ indent, text: raw.slice(indent).trimEnd(), number: index + 1 });
  });
  return lines;
}

class BlockReader {
  private position = 0;

  constructor(private readonly lines: Line[]) {}

  block(indent: number, depth: number): YamlValue {
    if (depth > MAX_DEPTH) throw new YamlError(`line ${this.current()?.number}: nested deeper than ${MAX_DEPTH} levels`);
    const line = this.current()!;
    return isSequenceItem(line.text) ? this.sequence(indent, depth) : this.mapping(indent, depth);
  }

  expectEnd(): void {
    const line = this.current();
    if (line) throw new YamlError(`line ${line.number}: unexpected indentation`);
  }

  private current(): Line | undefined {
    return this.lines[this.position];
  }

  private mapping(indent: number, depth: number): YamlMap {
    const map: Record<string, YamlValue> = Object.create(null) as Record<string, YamlValue>;
    for (let line = this.current(); line && line.indent === indent && !isSequenceItem(line.text); line = this.current()) {
      const entry = splitKey(line.text);
      if (!entry) throw new YamlError(`line ${line.number}: expected "key: value"`);
      this.position++;
      map[entry.key] = this.valueAfter(entry.rest, indent, depth, line.number);
    }
    const next = this.current();
    if (next && next.indent > indent) throw new YamlError(`line ${next.number}: unexpected indentation`);
    return map;
  }

  private sequence(indent: number, depth: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (let line = this.current(); line && line.indent === indent && isSequenceItem(line.text); line = this.current()) {
      const content = line.text.slice(1).trimStart();
      if (content !== '' && splitKey(content) && !/^["'[{]/.test(content)) {
        // `- key: value` opens a mapping whose further keys line up with `key`.
        const inner = indent + line.text.length - content.length;
        this.lines[this.position] = { indent: inner, text: content, number: line.number };
        items.push(this.block(inner, depth + 1));
      } else {
        this.position++;
        items.push(this.valueAfter(content, indent, depth, line.number));
      }
    }
    return items;
  }

  /** The value of a key or item: inline text, a block scalar, or the more indented block below. */
  private valueAfter(rest: string, indent: number, depth: number, number: number): YamlValue {
    if (rest === '') {
      const next = this.current();
      if (next && (next.indent > indent || (next.indent === indent && isSequenceItem(next.text) && !this.inSequence(indent)))) return this.block(next.indent, depth + 1);
      return null;
    }
    if (/^[|>][-+0-9]*$/.test(rest)) return this.blockScalar(indent, rest.startsWith('>'));
    return inlineValue(rest, number);
  }

  private inSequence(indent: number): boolean {
    const line = this.lines[this.position - 1];
    return line !== undefined && line.indent === indent && isSequenceItem(line.text);
  }

  private blockScalar(indent: number, folded: boolean): string {
    const parts: string[] = [];
    for (let line = this.current(); line && line.indent > indent; line = this.current()) {
      parts.push(line.text);
      this.position++;
    }
    return parts.join(folded ? ' ' : '\n') + (parts.length > 0 ? '\n' : '');
  }
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

/** Splits `key: rest` (key plain or quoted); undefined when the text is not a mapping entry. */
function splitKey(text: string): { key: string; rest: string } | undefined {
  if (text.startsWith('"') || text.startsWith("'")) {
    const quoted = readQuoted(text, 0);
    if (!quoted) return undefined;
    const after = text.slice(quoted.end).trimStart();
    if (!after.startsWith(':') || (after.length > 1 && after[1] !== ' ')) return undefined;
    return { key: quoted.value, rest: stripComment(after.slice(1).trim()) };
  }
  const colon = text.endsWith(':') && !text.includes(': ') ? text.length - 1 : text.indexOf(': ');
  if (colon <= 0) return undefined;
  return { key: text.slice(0, colon).trim(), rest: stripComment(text.slice(colon + 1).trim()) };
}

function stripComment(text: string): string {
  if (text.startsWith('"') || text.startsWith("'")) return text;
  const hash = text.search(/(^|\s)#/);
  return hash < 0 ? text : text.slice(0, hash).trimEnd();
}

function inlineValue(text: string, number: number): YamlValue {
  if (text.startsWith('{') || text.startsWith('[')) {
    const flow = new FlowReader(text, number);
    const value = flow.value(0);
    flow.expectEnd();
    return value;
  }
  if (text.startsWith('"') || text.startsWith("'")) {
    const quoted = readQuoted(text, 0);
    if (!quoted) throw new YamlError(`line ${number}: unterminated quoted string`);
    return quoted.value;
  }
  if (/^[&*!]/.test(text)) throw new YamlError(`line ${number}: anchors, aliases and tags are not supported`);
  return text === '~' || text === 'null' ? null : text;
}

/** A quoted scalar starting at `start`: its value and the index just past the closing quote. */
function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start];
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i]!;
    if (quote === "'") {
      if (char !== "'") {
        value += char;
      } else if (text[i + 1] === "'") {
        value += "'";
        i++;
      } else {
        return { value, end: i + 1 };
      }
    } else if (char === '"') {
      return { value, end: i + 1 };
    } else if (char === '\\') {
      const next = text[++i] ?? '';
      if (next === 'u' || next === 'x') {
        const length = next === 'u' ? 4 : 2;
        const code = Number.parseInt(text.slice(i + 1, i + 1 + length), 16);
        value += Number.isNaN(code) ? next : String.fromCharCode(code);
        if (!Number.isNaN(code)) i += length;
      } else {
        value += ESCAPES[next] ?? next;
      }
    } else {
      value += char;
    }
  }
  return undefined;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\0', '"': '"', '\\': '\\', '/': '/' };

/** One-line flow collections: `{integrity: sha512-…}`, `[x64, arm64]`, nested. */
class FlowReader {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly number: number,
  ) {}

  value(depth: number): YamlValue {
    if (depth > MAX_DEPTH) throw this.error('flow collection nested too deeply');
    this.skipSpaces();
    const char = this.text[this.i];
    if (char === '{') return this.map(depth);
    if (char === '[') return this.list(depth);
    if (char === '"' || char === "'") {
      const quoted = readQuoted(this.text, this.i);
      if (!quoted) throw this.error('unterminated quoted string');
      this.i = quoted.end;
      return quoted.value;
    }
    const start = this.i;
    while (this.i < this.text.length && !',]}'.includes(this.text[this.i]!)) this.i++;
    const plain = this.text.slice(start, this.i).trim();
    return plain === '' || plain === '~' || plain === 'null' ? null : plain;
  }

  expectEnd(): void {
    this.skipSpaces();
    if (this.i < this.text.length && this.text[this.i] !== '#') throw this.error('text after a flow collection');
  }

  private map(depth: number): YamlMap {
    const map: Record<string, YamlValue> = Object.create(null) as Record<string, YamlValue>;
    this.i++;
    for (;;) {
      this.skipSpaces();
      if (this.text[this.i] === '}') break;
      const key = this.key();
      map[key] = this.value(depth + 1);
      this.skipSpaces();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== '}') throw this.error('expected , or } in a flow mapping');
    }
    this.i++;
    return map;
  }

  private list(depth: number): YamlValue[] {
    const items: YamlValue[] = [];
    this.i++;
    for (;;) {
      this.skipSpaces();
      if (this.text[this.i] === ']') break;
      items.push(this.value(depth + 1));
      this.skipSpaces();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== ']') throw this.error('expected , or ] in a flow sequence');
    }
    this.i++;
    return items;
  }

  private key(): string {
    let key: string;
    if (this.text[this.i] === '"' || this.text[this.i] === "'") {
      const quoted = readQuoted(this.text, this.i);
      if (!quoted) throw this.error('unterminated quoted key');
      key = quoted.value;
      this.i = quoted.end;
      this.skipSpaces();
    } else {
      const start = this.i;
      while (this.i < this.text.length && !(this.text[this.i] === ':' && /[\s,}]|^$/.test(this.text[this.i + 1] ?? '')) && !',}'.includes(this.text[this.i]!)) this.i++;
      key = this.text.slice(start, this.i).trim();
    }
    if (this.text[this.i] !== ':') throw this.error('expected : in a flow mapping');
    this.i++;
    return key;
  }

  private skipSpaces(): void {
    while (this.text[this.i] === ' ') this.i++;
  }

  private error(message: string): YamlError {
    return new YamlError(`line ${this.number}: ${message}`);
  }
}
