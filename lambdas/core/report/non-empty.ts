/** The array, or undefined when it is empty: report formats leave empty optional arrays out. */
export function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
