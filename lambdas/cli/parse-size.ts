import { CustomsError } from '../core/errors.ts';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `64MiB`, `512k`, `1048576` → bytes. */
export function parseSize(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new CustomsError('usage', `${flag} takes a size such as 64MiB or 1048576, not ${JSON.stringify(text)}`);
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes <= 0 || !Number.isSafeInteger(bytes)) throw new CustomsError('usage', `${flag} must be a positive size`);
  return bytes;
}
