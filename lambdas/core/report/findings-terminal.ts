import type { Severity } from '../findings/model.ts';

/** ANSI styling for the findings table; PLAIN when the caller asked for no colour. */
export interface FindingsStyle {
  bold(text: string): string;
  dim(text: string): string;
  warn(text: string): string;
  severity(severity: Severity, text: string): string;
  passed(text: string): string;
  failed(text: string): string;
}

const identity = (text: string): string => text;

export const PLAIN: FindingsStyle = {
  bold: identity,
  dim: identity,
  warn: identity,
  severity: (_severity, text) => text,
  passed: identity,
  failed: identity,
};

// Reset only the attribute that was set (22 ends bold and dim, 39 the colour), so nesting survives.
const bold = (text: string): string => `\x1b[1m${text}\x1b[22m`;
const colour = (code: number) => (text: string): string => `\x1b[${code}m${text}\x1b[39m`;
const red = colour(31);
const SEVERITY_COLOURS: Readonly<Record<Severity, (text: string) => string>> = {
  CRITICAL: (text) => bold(red(text)),
  HIGH: red,
  MEDIUM: colour(33),
  LOW: colour(34),
  UNKNOWN: identity,
};

export const ANSI: FindingsStyle = {
  bold,
  dim: (text) => `\x1b[2m${text}\x1b[22m`,
  warn: colour(33),
  severity: (severity, text) => SEVERITY_COLOURS[severity](text),
  passed: colour(32),
  failed: (text) => bold(red(text)),
};

/**
 * Titles, paths and versions come from the image and the advisories, both untrusted: control
 * characters (an ESC starting a terminal sequence, a newline breaking the layout) and bidi overrides
 * (text that reads differently from what it is) are shown escaped instead of reaching the TTY.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, escapeChar);
}

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * At most `width` code points, ending in an ellipsis when cut. Cuts at a space when one is in the
 * second half, so a word is not chopped; never splits a surrogate pair.
 */
export function truncate(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  const kept = chars.slice(0, width - 1).join('');
  const space = kept.lastIndexOf(' ');
  return `${(space >= kept.length / 2 ? kept.slice(0, space) : kept).trimEnd()}…`;
}
