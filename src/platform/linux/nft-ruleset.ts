/**
 * Renders a RoutingPlan as one nftables table, loaded atomically with `nft -f -`:
 * - prerouting (mangle): each plan rule, in order, sends matching new connections from the LAN
 *   devices to its own chain, which restores the connection's mark if it still names a WAN the
 *   rule uses or one of the plan's `keepWans` (still usable), else picks a WAN with
 *   `numgen random mod <total weight>` and saves it in the conntrack mark. Sticky rules keep a source per WAN in a timed set, as mwan3 does with ipset.
 * - postrouting (srcnat): masquerade on each WAN device that wants it.
 * A mark picks the WAN's routing table through `ip rule fwmark`.
 *
 * @example
 * const text = renderNftRuleset(layout, plan, { lanDevices: ['lan0'] });
 * await run(['nft', '-f', '-'], { input: text });
 */
import { PlatformConfigError } from '../errors.ts';
import type { PlanRule, RoutingPlan } from '../platform.ts';
import {
  hex,
  ifname,
  MARK_MASK,
  MESH_MARK,
  UNREACHABLE_MARK,
  type WanLayout,
} from './wan-layout.ts';

export const NFT_TABLE = 'intelli_mesh';

const safeName = /^[A-Za-z0-9_.-]{1,32}$/;
const cidr = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/** The rule's match, or null when it can match nothing (a zone without devices). */
function matchExpr(rule: PlanRule, lanDevices: readonly string[], i: number): string | null {
  const m = rule.match;
  if (m.iif !== undefined && m.iif.length === 0) return null;
  const iif = m.iif ?? lanDevices;
  for (const d of iif) {
    if (!ifname.test(d))
      throw new PlatformConfigError(`plan.rules[${i}] device '${d}' is not an interface name`);
  }
  if (
    m.destPort !== undefined &&
    (!Number.isInteger(m.destPort) || m.destPort < 1 || m.destPort > 65_535)
  ) {
    throw new PlatformConfigError(`plan.rules[${i}] port ${m.destPort} is outside 1..65535`);
  }
  const parts: string[] = [];
  if (iif.length > 0) parts.push(`iifname { ${iif.map((d) => `"${d}"`).join(', ')} }`);
  for (const [k, v] of [
    ['saddr', m.srcIp],
    ['daddr', m.destIp],
  ] as const) {
    if (v === undefined) continue;
    if (!cidr.test(v))
      throw new PlatformConfigError(`plan.rules[${i}] ${k} '${v}' is not an IPv4 CIDR`);
    parts.push(`ip ${k} ${v}`);
  }
  if (m.proto)
    parts.push(
      m.destPort !== undefined ? `${m.proto} dport ${m.destPort}` : `meta l4proto ${m.proto}`,
    );
  return parts.join(' ');
}

/** The chains and sets one rendering declares, so the next one can drop those it no longer has. */
export interface NftNames {
  chains: string[];
  sets: string[];
}

export interface NftRenderOptions {
  lanDevices: readonly string[];
  /**
   * The names the loaded ruleset declared. With it, the update flushes the table's rules but
   * keeps its sets, so sticky sources survive a routing change; without it, the table is
   * replaced whole (first load, or after a crash left an unknown state).
   */
  previous?: NftNames | undefined;
}

/** The timeout is part of the name: a set kept across updates cannot change its timeout. */
function stickySet(rule: number, mark: number, timeoutMs: number): string {
  return `sticky_${rule}_${mark >> 8}_${Math.max(1, Math.ceil(timeoutMs / 1000))}`;
}

export function renderNftRuleset(
  layout: WanLayout,
  plan: RoutingPlan,
  options: NftRenderOptions,
): string {
  return renderNft(layout, plan, options).text;
}

export function renderNft(
  layout: WanLayout,
  plan: RoutingPlan,
  options: NftRenderOptions,
): { text: string; names: NftNames } {
  const byName = new Map(layout.wans.map((w) => [w.name, w]));
  const keepMarks = (plan.keepWans ?? []).map((name) => {
    const w = byName.get(name);
    if (!w) throw new PlatformConfigError(`plan.keepWans names unknown WAN '${name}'`);
    return w.mark;
  });
  const sets: string[] = [];
  const dispatch: string[] = [];
  const chains: string[] = [];
  plan.rules.forEach((rule, i) => {
    if (!safeName.test(rule.name))
      throw new PlatformConfigError(`plan.rules[${i}].name '${rule.name}' is not a safe name`);
    const chain = `rule_${i}`;
    const expr = matchExpr(rule, options.lanDevices, i);
    if (expr !== null)
      dispatch.push(`    ${expr ? `${expr} ` : ''}goto ${chain} comment "${rule.name}"`);
    const body: string[] = [];
    const t = rule.target;
    if (t.kind === 'wans') {
      if (t.shares.length === 0)
        throw new PlatformConfigError(`plan.rules[${i}] has no WAN shares`);
      const shares = t.shares.map((s) => {
        const w = byName.get(s.wan);
        if (!w) throw new PlatformConfigError(`plan.rules[${i}] names unknown WAN '${s.wan}'`);
        if (!Number.isInteger(s.weight) || s.weight < 1)
          throw new PlatformConfigError(`plan.rules[${i}] weight ${s.weight} of '${s.wan}'`);
        return { ...s, mark: w.mark };
      });
      const restore = [...new Set([...shares.map((s) => s.mark), ...keepMarks])].sort(
        (a, b) => a - b,
      );
      body.push(
        `    ct mark and ${hex(MARK_MASK)} { ${restore.map(hex).join(', ')} } meta mark set ct mark and ${hex(MARK_MASK)} accept`,
      );
      if (rule.stickyTimeoutMs !== undefined) {
        const seconds = Math.max(1, Math.ceil(rule.stickyTimeoutMs / 1000));
        for (const s of shares) {
          const set = stickySet(i, s.mark, rule.stickyTimeoutMs);
          sets.push(
            `  set ${set} { type ipv4_addr; size 65535; flags dynamic,timeout; timeout ${seconds}s; }`,
          );
          body.push(
            `    ip saddr @${set} meta mark set ${hex(s.mark)} ct mark set meta mark update @${set} { ip saddr } accept`,
          );
        }
      }
      if (shares.length === 1) {
        body.push(`    meta mark set ${hex(shares[0]!.mark)}`);
      } else {
        const total = shares.reduce((n, s) => n + s.weight, 0);
        let from = 0;
        const ranges = shares.map((s) => {
          const r = `${from}-${from + s.weight - 1} : ${hex(s.mark)}`;
          from += s.weight;
          return r;
        });
        body.push(`    meta mark set numgen random mod ${total} map { ${ranges.join(', ')} }`);
      }
      if (rule.stickyTimeoutMs !== undefined) {
        for (const s of shares)
          body.push(
            `    meta mark ${hex(s.mark)} add @${stickySet(i, s.mark, rule.stickyTimeoutMs)} { ip saddr }`,
          );
      }
      body.push('    ct mark set meta mark');
    } else if (t.kind === 'mesh') {
      body.push(`    meta mark set ${hex(MESH_MARK)} ct mark set meta mark`);
    } else if (t.kind === 'unreachable') {
      body.push(`    meta mark set ${hex(UNREACHABLE_MARK)} ct mark set meta mark`);
    } else if (t.kind === 'blackhole') {
      body.push('    drop');
    } else {
      body.push('    meta mark set 0x0 ct mark set 0x0');
    }
    chains.push(`  chain ${chain} {\n${body.join('\n')}\n  }`);
  });
  const nat = layout.wans
    .filter((w) => w.masquerade !== false)
    .map((w) => `    oifname "${w.device}" masquerade`);
  const names: NftNames = {
    chains: plan.rules.map((_, i) => `rule_${i}`),
    sets: sets.map((line) => line.trim().split(' ')[1]!),
  };
  const prev = options.previous;
  const reset = prev
    ? [
        `table inet ${NFT_TABLE} {}`,
        `flush table inet ${NFT_TABLE}`,
        ...prev.chains
          .filter((c) => !names.chains.includes(c))
          .map((c) => `delete chain inet ${NFT_TABLE} ${c}`),
        ...prev.sets
          .filter((x) => !names.sets.includes(x))
          .map((x) => `delete set inet ${NFT_TABLE} ${x}`),
      ]
    : [`table inet ${NFT_TABLE} {}`, `delete table inet ${NFT_TABLE}`];
  const text = [
    ...reset,
    `table inet ${NFT_TABLE} {`,
    ...sets,
    '  chain prerouting {',
    '    type filter hook prerouting priority mangle; policy accept;',
    ...dispatch,
    '  }',
    ...chains,
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...nat,
    '  }',
    '}',
    '',
  ].join('\n');
  return { text, names };
}

/** Removes the table (used by close). */
export const NFT_DELETE = `table inet ${NFT_TABLE} {}\ndelete table inet ${NFT_TABLE}\n`;
