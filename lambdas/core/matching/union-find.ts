/** Disjoint sets of strings, for joining records that name each other as aliases. */
export class UnionFind {
  private readonly parent = new Map<string, string>();

  add(item: string): void {
    if (!this.parent.has(item)) this.parent.set(item, item);
  }

  find(item: string): string {
    this.add(item);
    let root = item;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    // Path compression: later finds of anything on the path are one step.
    for (let node = item; node !== root; ) {
      const next = this.parent.get(node)!;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }

  union(a: string, b: string): void {
    const x = this.find(a);
    const y = this.find(b);
    if (x !== y) this.parent.set(y, x);
  }

  /** Every set, keyed by its root. */
  sets(): Map<string, string[]> {
    const sets = new Map<string, string[]>();
    for (const item of this.parent.keys()) {
      const root = this.find(item);
      const members = sets.get(root);
      if (members) members.push(item);
      else sets.set(root, [item]);
    }
    return sets;
  }
}
