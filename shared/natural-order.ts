/**
 * Natural order of names: digit runs compare as numbers, so worker-2 comes before worker-10. Used wherever
 * nodes are listed or ordered (the migration order, status, the demo's views).
 */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'variant' });

export function compareNatural(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

export const sortNatural = (names: Iterable<string>): string[] => [...names].sort(compareNatural);
