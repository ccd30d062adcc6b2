import { isMap, isScalar, isSeq, type Document } from 'yaml';

/**
 * The first problem with a document's mapping keys: a key given twice, or a key that is not plain
 * text (`? [a, b]`). yaml's own `uniqueKeys` check compares every key with every other, which takes
 * tens of seconds on a lockfile with 20,000 packages; a Set per mapping is linear. Walks with an
 * explicit stack, as nesting depth is only bounded, not small.
 */
export function keyProblem(document: Document): string | undefined {
  const pending: unknown[] = [document.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    // A loop, not push(...items): a sequence of 200,000 items would overflow the argument list.
    if (isSeq(node)) for (const item of node.items) pending.push(item);
    if (!isMap(node)) continue;
    const keys = new Set<string>();
    for (const { key, value } of node.items) {
      if (!isScalar(key)) return 'a mapping key is not plain text';
      const text = String(key.value);
      if (keys.has(text)) return `the key ${JSON.stringify(text)} appears twice in one mapping`;
      keys.add(text);
      pending.push(value);
    }
  }
  return undefined;
}
