/**
 * Everything one node needs, rendered from the site: the UCI packages, the agent's
 * configuration and its service files (with the node's MQTT password and the broker's CA when
 * given), the ImageBuilder recipe, and the `files/` overlay both as a file list and as a .tar.gz
 * archive. Pure: nothing is written here (see `write-rendered.ts`).
 *
 * @example
 * const r = renderNode(site, 'gw1');
 * r.files.map((f) => f.path); // ['etc/config/network', ..., 'etc/intelli-mesh/agent.json', 'etc/init.d/intelli-mesh', ...]
 * renderNode(site, 'gw1', { mqttPassword: 'from-the-secrets-file', caPem }); // with credentials
 */
import { InvalidSiteError } from '../errors.ts';
import type { Site } from '../site-schema.ts';
import { tarGz, type TarEntry } from '../tar-gz.ts';
import { serializeUci } from '../uci/serialize-uci.ts';
import type { UciPackage } from '../uci/uci-model.ts';
import { validateSite } from '../validate-site.ts';
import { renderAgentConfig, type AgentConfig } from './agent-config.ts';
import {
  AGENT_CA_FILE,
  AGENT_CONFIG_PATH,
  AGENT_PASSWORD_FILE,
  agentServiceFiles,
} from './agent-service.ts';
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

export const agentConfigPath = AGENT_CONFIG_PATH;

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
  /** The folders of `files`, parents first, with their modes (the node's secrets: root only). */
  directories: { path: string; mode: number }[];
  /** The `files` as a gzipped ustar archive, directories included. */
  archive: Buffer;
}

export interface RenderOptions {
  /** Skip `validateSite` when the caller has just run it. @default false */
  validated?: boolean;
  /** The node's MQTT password, installed beside the agent's config (root only). */
  mqttPassword?: string | undefined;
  /** PEM of the CA that signed the broker's certificate, for `mqtts://` and `wss://`. */
  caPem?: string | undefined;
}

/**
 * The service files the overlay carries (the `.ipk` carries the same, plus the program): the
 * command wrapper is left to the package, whose bundle it runs.
 */
const overlayServiceFiles = () =>
  agentServiceFiles().filter((f) => f.path !== 'usr/bin/intelli-mesh');

/** Directory entries for every parent of the given paths, parents first. */
function parentDirs(paths: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) {
    const parts = p.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(`${parts.slice(0, i).join('/')}/`);
  }
  return [...dirs].sort();
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
  const agent = renderAgentConfig(ctx, { withCa: options.caPem !== undefined });
  const secretDir = agentConfigPath.slice(0, agentConfigPath.lastIndexOf('/') + 1);
  const files: RenderedFile[] = [
    ...configNames.map((name) => ({
      path: `etc/config/${name}`,
      mode: privateConfigs.has(name) ? 0o600 : 0o644,
      content: serializeUci(configs[name]),
    })),
    { path: agentConfigPath, mode: 0o600, content: JSON.stringify(agent, null, 2) + '\n' },
    ...(options.mqttPassword !== undefined
      ? [
          {
            path: secretDir + AGENT_PASSWORD_FILE,
            mode: 0o600,
            content: `${options.mqttPassword}\n`,
          },
        ]
      : []),
    ...(options.caPem !== undefined
      ? [{ path: secretDir + AGENT_CA_FILE, mode: 0o644, content: options.caPem }]
      : []),
    ...overlayServiceFiles(),
  ];
  const directories = parentDirs(files.map((f) => f.path)).map((path) => ({
    path,
    // The node's identity and secrets are root's alone.
    mode: path === secretDir ? 0o700 : 0o755,
  }));
  const entries: TarEntry[] = [
    ...directories,
    ...files.map((f) => ({ path: f.path, mode: f.mode, content: Buffer.from(f.content, 'utf8') })),
  ];
  return {
    nodeId,
    configs,
    agent,
    image: renderImage(ctx),
    files,
    directories,
    archive: tarGz(entries),
  };
}

/** Every node of the site, in file order. */
export function renderSite(
  site: Site,
  secrets: (nodeId: string) => Pick<RenderOptions, 'mqttPassword' | 'caPem'> = () => ({}),
): RenderedNode[] {
  const issues = validateSite(site);
  if (issues.length > 0) throw new InvalidSiteError(issues.length);
  return site.nodes.map((n) => renderNode(site, n.id, { validated: true, ...secrets(n.id) }));
}
