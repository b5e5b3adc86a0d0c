/**
 * A new connection as the policy sees it, and the first rule that matches it (mwan3 rules are
 * evaluated in order; a rule without a field matches any value of it).
 *
 * @example
 * matchRule(cfg.rules, { srcZone: 'guest', srcIp: '10.0.3.7', destIp: '198.51.100.1', proto: 'tcp', destPort: 443 });
 */
import { parseIpv4, prefixContains } from './ipv4-prefix.ts';
import type { Rule } from './policy-config.ts';

export interface Flow {
  srcZone?: string | undefined;
  srcVlan?: number | undefined;
  srcIp: string;
  destIp: string;
  proto: 'tcp' | 'udp' | 'icmp' | 'other';
  destPort?: number | undefined;
}

export function matchRule(rules: readonly Rule[], flow: Flow): Rule | undefined {
  const src = parseIpv4(flow.srcIp, 'flow.srcIp');
  const dest = parseIpv4(flow.destIp, 'flow.destIp');
  return rules.find(
    (r) =>
      (r.srcZone === undefined || r.srcZone === flow.srcZone) &&
      (r.srcVlan === undefined || r.srcVlan === flow.srcVlan) &&
      (r.srcIp === undefined || prefixContains(r.srcIp, src)) &&
      (r.destIp === undefined || prefixContains(r.destIp, dest)) &&
      (r.proto === 'all' || r.proto === flow.proto) &&
      (r.destPort === undefined || r.destPort === flow.destPort),
  );
}

/** FNV-1a of a string: spreads flows over WANs deterministically, so runs replay exactly. */
export function flowHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
