/**
 * ECR's tag wildcards, used by tag mutability exclusion filters and lifecycle `tagPatternList`:
 * `*` matches any run of characters (also none), every other character only itself, and the
 * pattern must match the whole tag. Kept as a small automaton rather than a RegExp so a pattern
 * can also be asked about a whole family of tags (every quarantine marker) without listing them.
 */

const STAR = Symbol('star');
type Token = string | typeof STAR;

/** A compiled pattern: the states are how many tokens have been matched so far. */
export interface Wildcard {
  readonly start: ReadonlySet<number>;
  step(states: ReadonlySet<number>, character: string): ReadonlySet<number>;
  accepts(states: ReadonlySet<number>): boolean;
}

/** `*` is a wildcard, everything else literal. */
export function compileWildcard(pattern: string): Wildcard {
  return fromTokens([...pattern].map((character) => (character === '*' ? STAR : character)));
}

/** A tag prefix (lifecycle `tagPrefixList`): the prefix literally, then anything. */
export function compilePrefix(prefix: string): Wildcard {
  return fromTokens([...prefix, STAR]);
}

export function wildcardMatches(pattern: string, tag: string): boolean {
  const wildcard = compileWildcard(pattern);
  let states = wildcard.start;
  for (const character of tag) {
    states = wildcard.step(states, character);
    if (states.size === 0) return false;
  }
  return wildcard.accepts(states);
}

function fromTokens(tokens: readonly Token[]): Wildcard {
  // A star may match nothing, so being before it is also being after it.
  const close = (states: Iterable<number>): ReadonlySet<number> => {
    const closed = new Set<number>();
    for (let state of states) {
      closed.add(state);
      while (tokens[state] === STAR) closed.add(++state);
    }
    return closed;
  };
  return {
    start: close([0]),
    step(states, character) {
      const next: number[] = [];
      for (const state of states) {
        const token = tokens[state];
        if (token === STAR) next.push(state);
        else if (token === character) next.push(state + 1);
      }
      return close(next);
    },
    accepts: (states) => states.has(tokens.length),
  };
}
