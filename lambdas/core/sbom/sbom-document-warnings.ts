/** Individual skip notices kept per image before they are summarised, so a hostile document cannot flood the report. */
const MAX_DETAILED = 20;

/**
 * What was left out of one image while reading an SBOM document. Unsupported purl types and
 * components without a purl are counted and reported once each; individual problems (a bad purl)
 * are listed up to a cap.
 */
export class SbomDocumentWarnings {
  private readonly detailed: string[] = [];
  private overflow = 0;
  private readonly skippedTypes = new Map<string, number>();
  private withoutPurl = 0;

  add(message: string): void {
    if (this.detailed.length < MAX_DETAILED) this.detailed.push(message);
    else this.overflow++;
  }

  skippedType(type: string): void {
    this.skippedTypes.set(type, (this.skippedTypes.get(type) ?? 0) + 1);
  }

  skippedWithoutPurl(): void {
    this.withoutPurl++;
  }

  list(): string[] {
    const out = [...this.detailed];
    if (this.overflow > 0) out.push(`${this.overflow} more ${this.overflow === 1 ? 'problem' : 'problems'} like the above`);
    for (const [type, count] of [...this.skippedTypes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out.push(`${count} ${count === 1 ? 'package' : 'packages'} of purl type ${JSON.stringify(type)} skipped: Customs does not match that ecosystem`);
    }
    if (this.withoutPurl > 0) out.push(`${this.withoutPurl} ${this.withoutPurl === 1 ? 'package' : 'packages'} without a purl skipped`);
    return out;
  }
}
