import { sign, type Ordering } from './version-scheme.ts';

/** Orders two ASCII digit strings numerically without a size limit (versions carry dates, timestamps). */
export function compareDigits(a: string, b: string): Ordering {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return sign(x.length - y.length);
  return x < y ? -1 : x > y ? 1 : 0;
}
