/** One element of a document read by `readXml`: its local name, child elements and direct text. */
export interface XmlElement {
  /** The name without its namespace prefix: `<pom:version>` is `version`. */
  readonly name: string;
  readonly children: readonly XmlElement[];
  /** Character data directly inside this element (entities decoded, CDATA kept), untrimmed. */
  readonly text: string;
}

export interface XmlLimits {
  readonly maxChars: number;
  readonly maxDepth: number;
  readonly maxElements: number;
}

export type XmlResult = { readonly root: XmlElement } | { readonly problem: string };

interface OpenElement {
  readonly name: string;
  readonly qualified: string;
  readonly children: XmlElement[];
  text: string;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * A small XML reader for untrusted metadata (an embedded pom.xml). It refuses what a hostile document
 * uses to attack parsers: any DOCTYPE (so no entity declarations and nothing fetched), entities other
 * than the five predefined ones and character references, and documents past the size, depth or
 * element caps. Attributes are skipped: nothing read from poms lives in them. Never throws.
 */
export function readXml(text: string, limits: XmlLimits): XmlResult {
  if (text.length > limits.maxChars) return { problem: `larger than ${limits.maxChars} characters` };
  try {
    return { root: new Reader(text.replace(/^\uFEFF/, ''), limits).document() };
  } catch (error) {
    if (error instanceof XmlProblem) return { problem: error.message };
    throw error;
  }
}

class XmlProblem extends Error {}

class Reader {
  private at = 0;
  private elements = 0;
  private readonly stack: OpenElement[] = [];
  private root: XmlElement | undefined;

  constructor(
    private readonly text: string,
    private readonly limits: XmlLimits,
  ) {}

  document(): XmlElement {
    while (this.at < this.text.length) {
      const next = this.text.indexOf('<', this.at);
      const end = next < 0 ? this.text.length : next;
      this.characters(this.text.slice(this.at, end));
      this.at = end;
      if (next < 0) break;
      this.markup();
      if (this.root) return this.root;
    }
    throw new XmlProblem(this.stack.length > 0 ? `ends inside <${this.stack.at(-1)!.qualified}>` : 'has no root element');
  }

  private markup(): void {
    const text = this.text;
    if (text.startsWith('<?', this.at)) this.skipPast('?>', 'processing instruction');
    else if (text.startsWith('<!--', this.at)) this.skipPast('-->', 'comment');
    else if (text.startsWith('<![CDATA[', this.at)) {
      const start = this.at + 9;
      this.skipPast(']]>', 'CDATA section');
      this.append(text.slice(start, this.at - 3));
    } else if (text.startsWith('<!', this.at)) {
      // A DOCTYPE is where entity expansion and external fetches come from; a pom never needs one.
      throw new XmlProblem(text.startsWith('<!DOCTYPE', this.at) ? 'declares a DOCTYPE, which is not read' : `has unexpected markup at character ${this.at}`);
    } else if (text.startsWith('</', this.at)) this.close();
    else this.open();
  }

  private open(): void {
    const match = /^<([A-Za-z_][\w.:-]*)/.exec(this.text.slice(this.at, this.at + 256));
    if (!match) throw new XmlProblem(`has a malformed tag at character ${this.at}`);
    this.at += match[0].length;
    // Skip attributes, minding quoted values that may hold `>`.
    let selfClosing = false;
    for (;;) {
      const char = this.text[this.at];
      if (char === undefined) throw new XmlProblem(`ends inside <${match[1]}>`);
      if (char === '"' || char === "'") {
        const close = this.text.indexOf(char, this.at + 1);
        if (close < 0) throw new XmlProblem(`ends inside an attribute of <${match[1]}>`);
        this.at = close + 1;
        continue;
      }
      this.at++;
      if (char === '>') break;
      if (char === '/' && this.text[this.at] === '>') {
        this.at++;
        selfClosing = true;
        break;
      }
    }
    if (++this.elements > this.limits.maxElements) throw new XmlProblem(`has more than ${this.limits.maxElements} elements`);
    if (this.stack.length >= this.limits.maxDepth) throw new XmlProblem(`nests elements more than ${this.limits.maxDepth} deep`);
    const qualified = match[1]!;
    this.stack.push({ name: qualified.slice(qualified.indexOf(':') + 1), qualified, children: [], text: '' });
    if (selfClosing) this.finish();
  }

  private close(): void {
    const match = /^<\/([A-Za-z_][\w.:-]*)\s*>/.exec(this.text.slice(this.at, this.at + 256));
    const open = this.stack.at(-1);
    if (!match || !open || match[1] !== open.qualified) throw new XmlProblem(`has a mismatched closing tag at character ${this.at}`);
    this.at += match[0].length;
    this.finish();
  }

  private finish(): void {
    const done = this.stack.pop()!;
    const element: XmlElement = { name: done.name, children: done.children, text: done.text };
    const parent = this.stack.at(-1);
    if (parent) parent.children.push(element);
    else this.root = element;
  }

  private characters(raw: string): void {
    if (raw === '') return;
    if (this.stack.length === 0) {
      if (raw.trim() !== '') throw new XmlProblem('has text outside the root element');
      return;
    }
    this.append(decodeReferences(raw));
  }

  private append(text: string): void {
    const open = this.stack.at(-1);
    if (open) open.text += text;
    else if (text.trim() !== '') throw new XmlProblem('has text outside the root element');
  }

  private skipPast(terminator: string, what: string): void {
    const end = this.text.indexOf(terminator, this.at);
    if (end < 0) throw new XmlProblem(`ends inside a ${what}`);
    this.at = end + terminator.length;
  }
}

/** The predefined entities and character references; any other entity is refused, never expanded. */
function decodeReferences(raw: string): string {
  return raw.replace(/&([^;&\s]{0,32});?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw new XmlProblem(`has a bare "&" in ${JSON.stringify(raw.trim().slice(0, 40))}`);
    const predefined = PREDEFINED[body];
    if (predefined !== undefined) return predefined;
    const code = /^#x([0-9a-fA-F]{1,6})$/.exec(body) ? parseInt(body.slice(2), 16) : /^#([0-9]{1,7})$/.exec(body) ? parseInt(body.slice(1), 10) : undefined;
    if (code === undefined) throw new XmlProblem(`uses the undeclared entity &${body.slice(0, 32)};`);
    if (code > 0x10ffff || code === 0) throw new XmlProblem(`has an invalid character reference &${body};`);
    return String.fromCodePoint(code);
  });
}

/** A child element's trimmed text, or undefined when there is no such child. */
export function childText(element: XmlElement, name: string): string | undefined {
  const child = element.children.find((candidate) => candidate.name === name);
  return child?.text.trim();
}
