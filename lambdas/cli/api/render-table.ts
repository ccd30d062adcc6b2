/** One column of a terminal table: its header and how a row shows in it. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string | number | boolean | undefined;
  /** Numbers read best right-aligned. */
  readonly align?: 'left' | 'right';
}

/** Control characters in stored text (a tag, a reason) would move the cursor: shown escaped instead. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function cell(value: string | number | boolean | undefined): string {
  if (value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return printable(String(value));
}

/** Rows under a header, columns padded to their widest cell, two spaces apart; "(none)" when empty. */
export function renderTable<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row))));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => [...line[index]!].length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => {
        const pad = ' '.repeat(widths[index]! - [...value].length);
        return columns[index]!.align === 'right' ? `${pad}${value}` : `${value}${pad}`;
      })
      .join('  ')
      .trimEnd();
  const header = line(columns.map((column) => column.header));
  if (rows.length === 0) return `${header}\n(none)\n`;
  return `${[header, ...cells.map(line)].join('\n')}\n`;
}

/** `name  value` lines for one record; absent values are left out. */
export function renderFields(fields: readonly (readonly [string, string | number | boolean | undefined])[]): string {
  const shown = fields.filter(([, value]) => value !== undefined);
  const width = Math.max(0, ...shown.map(([name]) => name.length));
  return shown.map(([name, value]) => `${name.padEnd(width)}  ${cell(value)}`).join('\n') + '\n';
}

/** `sha256:0123456789ab`: enough of a digest to tell images apart in a table. */
export function shortDigest(digest: string | undefined): string | undefined {
  return digest === undefined ? undefined : digest.slice(0, 19);
}
