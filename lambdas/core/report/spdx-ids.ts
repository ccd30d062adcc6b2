/**
 * Hands out SPDX identifiers: `SPDXRef-` then only letters, digits, `.` and `-` (what SPDX 2.3
 * allows), unique within the document. Two ids that sanitise alike get a numbered suffix.
 */
export class SpdxIds {
  private readonly taken = new Set<string>();

  claim(wanted: string): string {
    const base = `SPDXRef-${wanted.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'element'}`;
    let id = base;
    for (let n = 2; this.taken.has(id); n++) id = `${base}-${n}`;
    this.taken.add(id);
    return id;
  }
}
