/**
 * Everything one node needs, rendered from the site: the UCI packages, the agent's
 * configuration, the ImageBuilder recipe, and the `files/` overlay both as a file list and as
 * a .tar.gz archive. Pure: nothing is written here (see `write-rendered.ts`).
 *
 * @example
 * const r = renderNode(site, 'gw1');
 * r.files.map((f) => f.path); // ['etc/config/network', ..., 'etc/intelli-mesh/agent.json']
 */
import { InvalidSiteError } from '../errors.ts';
import type { Site } from '../site-schema.ts';
import { tarGz, type TarEntry } from '../tar-gz.ts';
import { serializeUci } from '../uci/serialize-uci.ts';
import type { UciPackage } from '../uci/uci-model.ts';
import { validateSite } from '../validate-site.ts';
import { renderAgentConfig, type AgentConfig } from './agent-config.ts';
import { renderDhcp } from './dhcp.ts';
import { renderFirewall } from './firewall.ts';
import { renderImage, type ImageRecipe } from './image.ts';
import { renderMwan3 } from './mwan3.ts';
import { renderNetwork } from './network.ts';
import { nodeContext } from './node-context.ts';
import { renderSystem } from './system.ts';
import { renderWireless } from './wireless.ts';

export const configNames = ['network', 'wireless', 'firewall', 'dhcp', 'mwan3', 'system'] as const;
export type ConfigName = (typeof configNames)[number];

/** Packages holding secrets (keys, PIN, modem password, broker URL) are readable by root only. */
const privateConfigs = new Set<string>(['network', 'wireless']);

export const agentConfigPath = 'etc/intelli-mesh/agent.json';

export interface RenderedFile {
  /** Relative to the overlay root, e.g. 'etc/config/network'. */
  path: string;
  mode: number;
  content: string;
}

export interface RenderedNode {
  nodeId: string;
  configs: Record<ConfigName, UciPackage>;
  agent: AgentConfig;
  image: ImageRecipe;
  files: RenderedFile[];
  /** The `files` as a gzipped ustar archive, directories included. */
  archive: Buffer;
}

export interface RenderOptions {
  /** Skip `validateSite` when the caller has just run it. @default false */
  validated?: boolean;
}

export function renderNode(site: Site, nodeId: string, options: RenderOptions = {}): RenderedNode {
  if (!options.validated) {
    const issues = validateSite(site);
    if (issues.length > 0) throw new InvalidSiteError(issues.length);
  }
  const ctx = nodeContext(site, nodeId);
  const configs: Record<ConfigName, UciPackage> = {
    network: renderNetwork(ctx),
    wireless: renderWireless(ctx),
    firewall: renderFirewall(ctx),
    dhcp: renderDhcp(ctx),
    mwan3: renderMwan3(ctx),
    system: renderSystem(ctx),
  };
  const agent = renderAgentConfig(ctx);
  const files: RenderedFile[] = [
    ...configNames.map((name) => ({
      path: `etc/config/${name}`,
      mode: privateConfigs.has(name) ? 0o600 : 0o644,
      content: serializeUci(configs[name]),
    })),
    { path: agentConfigPath, mode: 0o600, content: JSON.stringify(agent, null, 2) + '\n' },
  ];
  const dirs = ['etc/', 'etc/config/', 'etc/intelli-mesh/'];
  const entries: TarEntry[] = [
    ...dirs.map((path) => ({ path, mode: 0o755 })),
    ...files.map((f) => ({ path: f.path, mode: f.mode, content: Buffer.from(f.content, 'utf8') })),
  ];
  return {
    nodeId,
    configs,
    agent,
    image: renderImage(ctx),
    files,
    archive: tarGz(entries),
  };
}

/** Every node of the site, in file order. */
export function renderSite(site: Site): RenderedNode[] {
  const issues = validateSite(site);
  if (issues.length > 0) throw new InvalidSiteError(issues.length);
  return site.nodes.map((n) => renderNode(site, n.id, { validated: true }));
}
