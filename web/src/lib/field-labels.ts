/**
 * What the configuration form calls a setting: a human label with its unit instead of the
 * internal key (`holdDownMs` → "Hold-down (ms)", `gwSelClass` → "Gateway selection class").
 * Keys without an entry are spelled out from their camelCase, the unit taken from the suffix.
 *
 * @example
 * fieldLabel('holdDownMs'); // 'Hold-down (ms)'
 * fieldLabel('failureLatencyMs'); // 'Failure latency (ms)'
 */
const LABELS: Record<string, string> = {
  holdDownMs: 'Hold-down (ms)',
  gwSelClass: 'Gateway selection class',
  intervalMs: 'Probe interval (ms)',
  timeoutMs: 'Probe timeout (ms)',
  failureIntervalMs: 'Probe interval when failing (ms)',
  recoveryIntervalMs: 'Probe interval when recovering (ms)',
  down: 'Failed probes before down',
  up: 'Good probes before up',
  targets: 'Track targets (IPs)',
  reliability: 'Targets that must answer',
  count: 'Probes per target',
  weight: 'Weight (share within a metric)',
  metric: 'Metric (lower is preferred)',
  wan: 'WAN',
  lastResort: 'When no WAN is usable',
  members: 'Members',
  policy: 'Policy',
  srcZone: 'Source zone',
  srcVlan: 'Source VLAN',
  srcIp: 'Source IP/prefix',
  destIp: 'Destination IP/prefix',
  destPort: 'Destination port',
  proto: 'Protocol',
  sticky: 'Sticky',
  bandwidthDownKbit: 'Download (kbit/s)',
  bandwidthUpKbit: 'Upload (kbit/s)',
  lanDevices: 'LAN devices',
  restartAfterFailedCycles: 'Restart WAN after failed cycles',
  restartBackoffMs: 'Restart back-off (ms)',
  gatewayPollMs: 'Gateway table poll (ms)',
  icmpStreamIntervalMs: 'ICMP stream interval (ms)',
  syncMwan3: 'Keep mwan3 in step',
  meshIf: 'Mesh interface',
  logLevel: 'Log level',
  checkQuality: 'Check latency and loss',
  failureLossPct: 'Failure loss (%)',
  recoveryLossPct: 'Recovery loss (%)',
  initialState: 'Initial state',
  keepFailureInterval: 'Keep failure interval',
};

const UNITS: [suffix: RegExp, unit: string][] = [
  [/Ms$/, 'ms'],
  [/Kbit$/, 'kbit/s'],
  [/Pct$/, '%'],
  [/S$/, 's'],
];

export function fieldLabel(key: string): string {
  const known = LABELS[key];
  if (known) return known;
  let base = key;
  let unit: string | undefined;
  for (const [suffix, u] of UNITS) {
    if (suffix.test(base) && base.length > 2) {
      base = base.replace(suffix, '');
      unit = u;
      break;
    }
  }
  const words = base
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  const text = words.charAt(0).toUpperCase() + words.slice(1);
  return unit ? `${text} (${unit})` : text;
}
