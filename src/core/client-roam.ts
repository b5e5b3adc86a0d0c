/**
 * The words a client's (re)association is told in, shared by the agents that report it and the
 * controller that stores it: how a station (re)associated, and the one-line roam message of the
 * timeline ("client aa:bb:cc:dd:ee:01 roamed n3 → n7, FT over the air, 38 ms").
 *
 * @example
 * roamMessage({ mac: 'aa:bb:cc:dd:ee:01', from: 'n3', to: 'n7', method: 'ft-over-air', gapMs: 38 });
 */

/** How a station (re)associated: the authentication it ran, or 802.11r fast transition. */
export const ASSOC_METHODS = ['open', 'psk', 'sae', '8021x', 'ft-over-air', 'ft-over-ds'] as const;
export type AssocMethod = (typeof ASSOC_METHODS)[number];

export type StationAuth = 'open' | 'psk' | 'sae' | '8021x';
export type StationFt = false | 'over-air' | 'over-ds';

const LABELS: Record<AssocMethod, string> = {
  open: 'open',
  psk: 'WPA-PSK 4-way handshake',
  sae: 'WPA3-SAE',
  '8021x': '802.1X/EAP',
  'ft-over-air': 'FT over the air',
  'ft-over-ds': 'FT over the DS',
};

export function methodLabel(method: string): string {
  return (LABELS as Record<string, string>)[method] ?? method;
}

/** The method a station's last association used, from its auth and 802.11r mode when known. */
export function assocMethod(
  auth: StationAuth | undefined,
  ft: StationFt | undefined,
): AssocMethod | undefined {
  if (ft === 'over-air') return 'ft-over-air';
  if (ft === 'over-ds') return 'ft-over-ds';
  return auth;
}

/** Whole milliseconds under 10 s, one decimal of seconds above. */
function duration(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function roamMessage(r: {
  mac: string;
  from: string;
  to: string;
  method?: string | null | undefined;
  gapMs?: number | null | undefined;
}): string {
  const parts = [`client ${r.mac} roamed ${r.from} → ${r.to}`];
  if (r.method) parts.push(methodLabel(r.method));
  if (r.gapMs != null) parts.push(duration(r.gapMs));
  return parts.join(', ');
}

export function associatedMessage(r: {
  mac: string;
  node: string;
  ssid: string;
  method?: string | null | undefined;
  durationMs?: number | null | undefined;
}): string {
  const how = r.method ? ` with ${methodLabel(r.method)}` : '';
  const took = r.durationMs != null ? ` in ${duration(r.durationMs)}` : '';
  return `client ${r.mac} associated to ${r.node} on '${r.ssid}'${how}${took}`;
}

export function leftMessage(r: { mac: string; node: string }): string {
  return `client ${r.mac} left ${r.node}`;
}
