/**
 * The radio node list's order and wording, pure so it is unit tested without a browser:
 * unreachable nodes first (they need attention), then by address; RTT and link quality as short
 * text; and which live changes concern a node's page.
 *
 * @example
 * sortRadioNodes(nodes)[0].status; // 'unreachable' when any is
 * radioChangeConcerns({ type: 'radio-node', node }, 7); // node.address === 7
 */
import type { RadioNode } from '../api/radio-types.ts';
import type { LiveChange } from '../api/types.ts';

export function sortRadioNodes(nodes: readonly RadioNode[]): RadioNode[] {
  const rank = (n: RadioNode) => (n.status === 'unreachable' ? 0 : 1);
  return [...nodes].sort((a, b) => rank(a) - rank(b) || a.address - b.address);
}

export function radioNodeName(n: Pick<RadioNode, 'address' | 'label'>): string {
  return n.label ? `${n.label} (${n.address})` : String(n.address);
}

export function formatLinkQuality(q: number | null): string {
  return q == null ? '–' : `${Math.round(q * 100)}%`;
}

/** Whether a live change can alter what the page of radio node `address` shows. */
export function radioChangeConcerns(c: LiveChange, address: number): boolean {
  if (c.type === 'radio-node') return c.node.address === address;
  if (c.type === 'radio-message') return c.message.address === address;
  return false;
}

/** A radio address from the URL: a non-negative integer, else undefined (a 'no such node' page). */
export function parseRadioAddress(text: string): number | undefined {
  if (!/^(\d+|0x[0-9a-f]+)$/i.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}
