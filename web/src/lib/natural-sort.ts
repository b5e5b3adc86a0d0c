/**
 * Names as people sort them: n2 before n10, gw-9 before gw-10, case ignored. Intl.Collator with
 * numeric collation does this for any mix of letters and numbers.
 *
 * @example
 * ['n10', 'n1', 'n2'].sort(naturalCompare); // ['n1', 'n2', 'n10']
 */

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function naturalCompare(a: string, b: string): number {
  return collator.compare(a, b);
}
