/**
 * How the demo's fault panel names a radio node: `radio-<address>`, among the mesh's node
 * targets, so killing and restoring one uses the panel's existing `kill-node` and `restore-node`
 * requests. Pure and import-free, so the dashboard uses the same names.
 *
 * @example
 * radioFaultTarget(5); // 'radio-5'
 * radioTargetAddress('radio-5'); // 5
 * radioTargetAddress('n5'); // undefined
 */
const PREFIX = 'radio-';

export function radioFaultTarget(address: number): string {
  return `${PREFIX}${address}`;
}

/** The radio address a fault target names, or undefined for a mesh node's target. */
export function radioTargetAddress(target: string): number | undefined {
  if (!target.startsWith(PREFIX)) return undefined;
  const rest = target.slice(PREFIX.length);
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}
