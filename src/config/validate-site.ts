/**
 * The rules a site must meet beyond its shape: uniqueness, subnets, key and SSID lengths,
 * references between sections, gateways and port use, and 802.11r settings that agree on every
 * AP of an SSID. Every rule runs; every broken one is reported with its path, so one run lists
 * all problems.
 *
 * @example
 * for (const i of validateSite(site)) console.log(i.path, i.rule, i.message);
 */
import type { SiteIssue } from './site-issue.ts';
import type { Site } from './site-schema.ts';
import { checkFastTransition } from './rules/ft-rules.ts';
import { checkMeshAndAgent } from './rules/mesh-agent-rules.ts';
import { checkMultiwan } from './rules/multiwan-rules.ts';
import { checkNodes } from './rules/node-rules.ts';
import { checkSsids } from './rules/ssid-rules.ts';
import { checkText } from './rules/text-rules.ts';
import { checkVlans } from './rules/vlan-rules.ts';

const checks = [
  checkVlans,
  checkSsids,
  checkNodes,
  checkMultiwan,
  checkMeshAndAgent,
  checkText,
  checkFastTransition,
];

export function validateSite(site: Site): SiteIssue[] {
  const out: SiteIssue[] = [];
  for (const check of checks) check(site, out);
  return out;
}

/**
 * The same rules over a site that failed its schema (some parts raw, some parsed), so one run
 * still reports the cross-field problems. A group of rules that trips over malformed data is
 * skipped: its inputs already have schema errors of their own.
 */
export function validatePartialSite(site: unknown): SiteIssue[] {
  const out: SiteIssue[] = [];
  for (const check of checks) {
    const found: SiteIssue[] = [];
    try {
      check(site as Site, found);
      out.push(...found);
    } catch {
      // Malformed input for this group: the schema issues already describe it.
    }
  }
  return out;
}
