/**
 * A campaign's nodes as the campaign page shows them: grouped by wave (the canaries first), each
 * with a short status line (the step it is at, the version it came back with, or why it failed)
 * and a colour class.
 *
 * @example
 * waveGroups(detail.nodes); // [{ wave: 0, title: 'Canary', nodes: [...] }, { wave: 1, title: 'Wave 1', ... }]
 * nodeStatus(node);         // { text: 'downloading', tone: 'warn' } for an upgrading node
 */
import type { CampaignStatus, UpgradeCampaignNode } from '../api/types.ts';

export interface WaveGroup {
  wave: number;
  title: string;
  nodes: UpgradeCampaignNode[];
}

export function waveGroups(nodes: readonly UpgradeCampaignNode[]): WaveGroup[] {
  const byWave = new Map<number, UpgradeCampaignNode[]>();
  for (const n of [...nodes].sort((a, b) => a.position - b.position)) {
    const list = byWave.get(n.wave) ?? [];
    list.push(n);
    byWave.set(n.wave, list);
  }
  return [...byWave.entries()]
    .sort(([a], [b]) => a - b)
    .map(([wave, list]) => ({ wave, title: wave === 0 ? 'Canary' : `Wave ${wave}`, nodes: list }));
}

export type Tone = 'good' | 'warn' | 'bad' | 'unknown';

/** The detail beside a node's state: its step, its new version, or why it failed or waits. */
export function nodeStatus(n: UpgradeCampaignNode): { text: string; tone: Tone } {
  switch (n.state) {
    case 'pending':
      return { text: 'waiting for its wave', tone: 'unknown' };
    case 'upgrading':
      return { text: n.step ?? 'sent', tone: 'warn' };
    case 'done':
      return { text: n.version ?? '', tone: 'good' };
    case 'failed':
      return { text: n.code ? `${n.code}: ${n.reason}` : n.reason, tone: 'bad' };
    case 'skipped':
      return { text: n.reason, tone: 'unknown' };
  }
}

export function campaignTone(status: CampaignStatus): Tone {
  return status === 'done'
    ? 'good'
    : status === 'running'
      ? 'warn'
      : status === 'stopped'
        ? 'bad'
        : 'unknown';
}
