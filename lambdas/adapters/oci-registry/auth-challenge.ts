/**
 * Parses `WWW-Authenticate` (RFC 9110 §11.6.1): one or more challenges, each a scheme followed by
 * comma-separated `name=value` parameters whose values are tokens or quoted strings with `\` escapes.
 * Several header lines arrive joined by ", ", so challenges are told from parameters by the absence
 * of `=` after a token. Malformed remainders are dropped rather than guessed at.
 */
export interface AuthChallenge {
  /** Lowercased: `basic`, `bearer`. */
  readonly scheme: string;
  /** Parameter names lowercased; values unescaped. */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseAuthChallenges(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  const scanner = new Scanner(header);
  while (!scanner.done()) {
    scanner.skip(/[\s,]/);
    const scheme = scanner.token();
    if (!scheme) {
      // Not a challenge start: skip one character and try again.
      scanner.advance();
      continue;
    }
    const params: Array<[string, string]> = [];
    scanner.skip(/[ \t]/);
    skipToken68(scanner);
    for (;;) {
      scanner.skip(/[\s,]/);
      const mark = scanner.position;
      const name = scanner.token();
      scanner.skip(/[ \t]/);
      if (!name || !scanner.take('=')) {
        scanner.position = mark;
        break;
      }
      scanner.skip(/[ \t]/);
      const value = scanner.peek() === '"' ? scanner.quoted() : scanner.bare();
      if (value === undefined) break;
      params.push([name.toLowerCase(), value]);
    }
    challenges.push({ scheme: scheme.toLowerCase(), params: Object.fromEntries(params) });
  }
  return challenges;
}

/** `Basic dXNlcjpwYXNz` style credentials (token68) carry no parameters we use; step over them. */
function skipToken68(scanner: Scanner): void {
  const match = /^[A-Za-z0-9\-._~+/]+=*(?=\s*(,|$))/.exec(scanner.rest());
  if (match && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*=[^=]/.test(scanner.rest())) scanner.position += match[0].length;
}

class Scanner {
  position = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.position >= this.text.length;
  }
  peek(): string | undefined {
    return this.text[this.position];
  }
  rest(): string {
    return this.text.slice(this.position);
  }
  advance(): void {
    this.position++;
  }
  take(char: string): boolean {
    if (this.text[this.position] !== char) return false;
    this.position++;
    return true;
  }
  skip(pattern: RegExp): void {
    while (!this.done() && pattern.test(this.text[this.position]!)) this.position++;
  }
  token(): string | undefined {
    const start = this.position;
    while (!this.done() && TOKEN_CHAR.test(this.text[this.position]!)) this.position++;
    return this.position > start ? this.text.slice(start, this.position) : undefined;
  }
  /** An unquoted value. Stricter servers would send a token; being lenient admits unquoted URLs. */
  bare(): string | undefined {
    const start = this.position;
    while (!this.done() && !/[\s,"]/.test(this.text[this.position]!)) this.position++;
    return this.position > start ? this.text.slice(start, this.position) : undefined;
  }
  /** A quoted string; undefined when the closing quote is missing. */
  quoted(): string | undefined {
    let value = '';
    this.position++;
    while (!this.done()) {
      const char = this.text[this.position++]!;
      if (char === '"') return value;
      if (char === '\\' && !this.done()) value += this.text[this.position++]!;
      else value += char;
    }
    return undefined;
  }
}
