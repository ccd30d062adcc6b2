/** One line of osv.dev's `modified_id.csv`. */
export interface ModifiedId {
  readonly modified: Date;
  readonly id: string;
}

export interface ModifiedIds {
  readonly entries: readonly ModifiedId[];
  /** Lines that were not `ISO-time,ID` with a safe ID, by line number (1-based). */
  readonly rejected: readonly { readonly line: number; readonly text: string }[];
}

// IDs become URL paths; anything beyond these characters could reach outside the ecosystem folder.
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Parses `modified_id.csv` (`2024-05-01T12:00:00Z,GHSA-xxxx`, newest first in osv.dev, any order here). */
export function parseModifiedIds(text: string): ModifiedIds {
  const entries: ModifiedId[] = [];
  const rejected: { line: number; text: string }[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const comma = line.indexOf(',');
    const modified = new Date(comma < 0 ? NaN : line.slice(0, comma));
    const id = line.slice(comma + 1);
    if (comma < 0 || Number.isNaN(modified.getTime()) || !SAFE_ID.test(id) || id.includes('..')) rejected.push({ line: index + 1, text: line.slice(0, 200) });
    else entries.push({ modified, id });
  }
  return { entries, rejected };
}
