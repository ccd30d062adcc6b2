/**
 * Hands out CycloneDX bom-refs, which must be unique across the whole document. Ids come from the
 * model and from image digests; should two ever coincide (a duplicate package id), the later one
 * gets a numbered suffix instead of producing an invalid BOM.
 */
export class BomRefs {
  private readonly taken = new Set<string>();

  claim(wanted: string): string {
    let ref = wanted;
    for (let n = 2; this.taken.has(ref); n++) ref = `${wanted}~${n}`;
    this.taken.add(ref);
    return ref;
  }
}
