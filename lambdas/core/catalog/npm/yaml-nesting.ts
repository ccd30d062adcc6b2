import { Lexer } from 'yaml';

/**
 * How deeply a YAML text nests, from yaml's own lexer (which is iterative and knows quoting, so a
 * `[` inside a string does not count): flow depth is open `[`/`{` not yet closed; block depth is
 * bounded by the column where a line's content starts after its indentation and `-`, `?`, `:`
 * indicators. yaml's composer recurses per level, and past a few hundred levels it can exhaust
 * the stack in ways that abort the process instead of throwing, so depth is checked first.
 */
export function yamlNesting(text: string): { readonly flow: number; readonly column: number } {
  let flow = 0;
  let maxFlow = 0;
  let column = 0;
  let maxColumn = 0;
  let atLineStart = true;
  for (const token of new Lexer().lex(text)) {
    if (token === '\n' || token === '\r\n') {
      atLineStart = true;
      column = 0;
      continue;
    }
    // yaml marks token kinds with one control character (document start, scalar follows…).
    if (token.length === 1 && token < ' ') continue;
    if (atLineStart) {
      if (/^[ \t]+$/.test(token) || token === '-' || token === '?' || token === ':') {
        column += token.length;
        maxColumn = Math.max(maxColumn, column);
        continue;
      }
      atLineStart = false;
    }
    if (token === '[' || token === '{') maxFlow = Math.max(maxFlow, ++flow);
    else if ((token === ']' || token === '}') && flow > 0) flow--;
  }
  return { flow: maxFlow, column: maxColumn };
}
