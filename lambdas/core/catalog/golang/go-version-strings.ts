const PREFIXES = [Buffer.from('go1.', 'latin1'), Buffer.from('devel ', 'latin1')];
/** Longest toolchain version kept: `go1.22.1 X:boringcrypto,loopvar` or `devel go1.23-abc… +0000`. */
export const MAX_VERSION_TEXT = 96;
const MAX_REMEMBERED = 512;
// A release toolchain, perhaps built with experiments: `go1.22.1`, `go1.22rc1 X:loopvar,boringcrypto`.
const RELEASE = /^go1\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?(?: X:[\w,-]+)?$/;

interface Seen {
  readonly text: string;
  /** NUL on both sides: how runtime.buildVersion looks when nothing says where it is. */
  readonly delimited: boolean;
}

/**
 * Toolchain version strings by file offset, so that a pointer met later (Go before 1.18 keeps the
 * version in rodata, before the build info header) can be followed back. Bounded: the oldest are
 * dropped first.
 */
export class GoVersionStrings {
  private readonly seen = new Map<number, Seen>();

  /** `window` holds the file from `base`; windows overlap, and a later sighting replaces a cut one. */
  scan(window: Buffer, base: number): void {
    for (const prefix of PREFIXES) {
      for (let at = window.indexOf(prefix); at >= 0; at = window.indexOf(prefix, at + 1)) {
        let end = at;
        while (end < window.length && end - at < MAX_VERSION_TEXT && window[end]! >= 0x20 && window[end]! < 0x7f) end++;
        const delimited = at > 0 && window[at - 1] === 0 && end < window.length && window[end] === 0;
        this.remember(base + at, { text: window.toString('latin1', at, end), delimited });
      }
    }
  }

  /** The `length` bytes at `offset`, if a version string was seen there. */
  at(offset: number, length: number): string | undefined {
    const seen = this.seen.get(offset);
    return seen && length > 0 && length <= seen.text.length ? seen.text.slice(0, length) : undefined;
  }

  /** The NUL-delimited release versions seen (a Go binary normally has exactly one). */
  delimitedReleases(): Set<string> {
    return new Set([...this.seen.values()].filter((seen) => seen.delimited && RELEASE.test(seen.text)).map((seen) => seen.text));
  }

  private remember(offset: number, seen: Seen): void {
    const before = this.seen.get(offset);
    if (before && before.text.length >= seen.text.length && before.delimited) return;
    this.seen.set(offset, seen);
    if (this.seen.size > MAX_REMEMBERED) this.seen.delete(this.seen.keys().next().value!);
  }
}
