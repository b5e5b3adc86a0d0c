/**
 * Renders the agent's multi-WAN policy and WAN trackers as an mwan3 configuration, as input for
 * `uci batch` (then `uci commit mwan3` and `mwan3 restart`). Option names and units are mwan3's
 * (seconds); mwan3track cannot probe faster than once a second, so a sub-second (fast mode)
 * tracker is refused rather than silently slowed down: on such nodes the agent tracks itself.
 *
 * @example
 * const batch = renderMwan3Batch({ policy: cfg, interfaces: [{ name: 'wan', tracker: parseTrackerOptions({ targets: ['1.1.1.1'] }) }] });
 * await run(['uci', 'batch'], { input: batch });
 * staleMwan3Sections(uciShowText, mwan3Sections(o)); // ['delete mwan3.old_member', ...]
 */
import type { TrackerOptions } from '../../agent/health/tracker-options.ts';
import type { PolicyConfig } from '../../agent/policy/policy-config.ts';
import { PlatformConfigError } from '../errors.ts';

/** A setting that mwan3 cannot express. */
export class Mwan3RenderError extends PlatformConfigError {}

export interface Mwan3Interface {
  /** The netifd interface name, which is also the WAN name in the policy config. */
  name: string;
  tracker: TrackerOptions;
}

const methods: Record<TrackerOptions['method'], string> = {
  icmp: 'ping',
  tcp: 'nping-tcp',
  http: 'httping',
  https: 'httping',
  dns: 'nping-udp',
};

const quote = (v: string | number) => `'${String(v).replace(/'/g, `'\\''`)}'`;
const dotted = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

function seconds(where: string, ms: number): number {
  if (ms < 1000 || ms % 1000 !== 0) {
    throw new Mwan3RenderError(
      `${where} = ${ms} ms: mwan3 takes whole seconds >= 1; use the agent's own tracker for fast mode`,
    );
  }
  return ms / 1000;
}

/** Section types the batch owns; `globals` and anything else is left as the operator set it. */
const OWNED_TYPES = new Set(['interface', 'member', 'policy', 'rule']);

/**
 * `delete` lines for the sections of `uci show mwan3` that the batch owns but no longer writes
 * (a pushed policy renamed a member, a WAN was removed). Anonymous sections go last to first, so
 * the indices of the ones still to delete do not shift.
 */
export function staleMwan3Sections(uciShow: string, written: ReadonlySet<string>): string[] {
  const named: string[] = [];
  const anonymous: string[] = [];
  for (const line of uciShow.split('\n')) {
    const m = /^mwan3\.([^.=]+)=(\w+)$/.exec(line.trim());
    if (!m || !OWNED_TYPES.has(m[2]!)) continue;
    const section = m[1]!;
    if (section.startsWith('@')) anonymous.push(section);
    else if (!written.has(section)) named.push(section);
  }
  return [...named, ...anonymous.reverse()].map((s) => `delete mwan3.${s}`);
}

/** The named sections a batch for this policy writes. */
export function mwan3Sections(o: {
  policy: PolicyConfig;
  interfaces: Mwan3Interface[];
}): Set<string> {
  return new Set([
    ...o.interfaces.map((i) => i.name),
    ...[...o.policy.members.values()].map((m) => m.name),
    ...[...o.policy.policies.values()].map((p) => p.name),
    ...o.policy.rules.map((r) => r.name),
  ]);
}

export function renderMwan3Batch(o: {
  policy: PolicyConfig;
  interfaces: Mwan3Interface[];
}): string {
  const lines: string[] = [];
  const set = (path: string, v: string | number) => lines.push(`set mwan3.${path}=${quote(v)}`);
  for (const i of o.interfaces) {
    const t = i.tracker;
    const w = `interfaces '${i.name}'`;
    lines.push(`set mwan3.${i.name}=interface`);
    set(`${i.name}.enabled`, 1);
    // The agent's policy is IPv4 only; mwan3 would assume it too, but says so in its own output.
    set(`${i.name}.family`, 'ipv4');
    lines.push(`delete mwan3.${i.name}.track_ip`);
    for (const target of t.targets)
      lines.push(`add_list mwan3.${i.name}.track_ip=${quote(target)}`);
    set(`${i.name}.track_method`, methods[t.method]);
    if (t.method === 'https') set(`${i.name}.httping_ssl`, 1);
    set(`${i.name}.reliability`, t.reliability);
    set(`${i.name}.count`, t.count);
    set(`${i.name}.timeout`, seconds(`${w}.timeoutMs`, t.timeoutMs));
    set(`${i.name}.interval`, seconds(`${w}.intervalMs`, t.intervalMs));
    set(`${i.name}.failure_interval`, seconds(`${w}.failureIntervalMs`, t.failureIntervalMs));
    set(`${i.name}.recovery_interval`, seconds(`${w}.recoveryIntervalMs`, t.recoveryIntervalMs));
    set(`${i.name}.keep_failure_interval`, t.keepFailureInterval ? 1 : 0);
    set(`${i.name}.down`, t.down);
    set(`${i.name}.up`, t.up);
    set(`${i.name}.initial_state`, t.initialState);
    set(`${i.name}.check_quality`, t.checkQuality ? 1 : 0);
    if (t.checkQuality) {
      set(`${i.name}.failure_latency`, t.failureLatencyMs);
      set(`${i.name}.recovery_latency`, t.recoveryLatencyMs);
      set(`${i.name}.failure_loss`, t.failureLossPct);
      set(`${i.name}.recovery_loss`, t.recoveryLossPct);
    }
  }
  const known = new Set(o.interfaces.map((i) => i.name));
  for (const m of o.policy.members.values()) {
    if (!known.has(m.wan))
      throw new Mwan3RenderError(`member '${m.name}' uses WAN '${m.wan}', which has no interface`);
    lines.push(`set mwan3.${m.name}=member`);
    set(`${m.name}.interface`, m.wan);
    set(`${m.name}.metric`, m.metric);
    set(`${m.name}.weight`, m.weight);
  }
  for (const p of o.policy.policies.values()) {
    lines.push(`set mwan3.${p.name}=policy`);
    lines.push(`delete mwan3.${p.name}.use_member`);
    for (const m of p.members) lines.push(`add_list mwan3.${p.name}.use_member=${quote(m)}`);
    // mwan3 has no mesh last resort; the agent sends such traffic to the mesh gateway itself.
    set(`${p.name}.last_resort`, p.lastResort === 'mesh' ? 'default' : p.lastResort);
  }
  for (const r of o.policy.rules) {
    if (r.srcZone !== undefined || r.srcVlan !== undefined) {
      throw new Mwan3RenderError(
        `rule '${r.name}' matches a zone or VLAN; mwan3 rules match addresses, so give srcIp`,
      );
    }
    lines.push(`set mwan3.${r.name}=rule`);
    if (r.srcIp) set(`${r.name}.src_ip`, `${dotted(r.srcIp.network)}/${r.srcIp.length}`);
    if (r.destIp) set(`${r.name}.dest_ip`, `${dotted(r.destIp.network)}/${r.destIp.length}`);
    set(`${r.name}.proto`, r.proto);
    if (r.destPort !== undefined) set(`${r.name}.dest_port`, r.destPort);
    set(`${r.name}.sticky`, r.sticky ? 1 : 0);
    if (r.sticky) set(`${r.name}.timeout`, Math.max(1, Math.round(r.timeoutMs / 1000)));
    set(`${r.name}.use_policy`, r.policy);
  }
  return `${lines.join('\n')}\n`;
}
