/**
 * One node of a site, booted with its rendered files/ and wired as its plan says: its switch
 * ports to a "switch" namespace, each WAN to an ISP namespace (a DHCP server, and the internet
 * address 198.51.100.1 on its loopback), and one client namespace per VLAN (veth `cl-<vlan>`
 * in the node, `eth0` in the client, the last address of the VLAN's subnet).
 *
 * @example
 * const lab = await SiteNodeLab.start(site, renderNode(site, 'gw-north'), planNode(...));
 * try { await lab.clients.get('guest')!.exec(['ping', '-c1', '198.51.100.1']); } finally { await lab.stop(); }
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRendered, type RenderedNode } from '../../src/config/index.ts';
import { startDhcpServer, type DhcpServer } from './dhcp-server.ts';
import { OpenWrtNode, type NodeLink, type StopOptions } from './harness.ts';
import { Netns } from './netns.ts';
import { internetAddress, type NodePlan } from './site-node-plan.ts';

export class SiteNodeLab {
  private constructor(
    readonly node: OpenWrtNode,
    /** Client namespace per VLAN name. */
    readonly clients: Map<string, Netns>,
    readonly isps: Netns[],
    private readonly others: Netns[],
    private readonly servers: DhcpServer[],
    private readonly dir: string,
  ) {}

  static async start(rendered: RenderedNode, plan: NodePlan, stage: string): Promise<SiteNodeLab> {
    const dir = await mkdtemp(join(tmpdir(), `im-site-${plan.id}-`));
    const made: Netns[] = [];
    const servers: DhcpServer[] = [];
    const make = async (label: string) => {
      const ns = await Netns.create(label);
      made.push(ns);
      return ns;
    };
    try {
      await writeRendered(dir, [rendered]);
      const links: NodeLink[] = [];
      if (plan.lanPorts.length > 0) {
        const sw = await make('sw');
        for (const p of plan.lanPorts) links.push({ device: p, peer: sw, peerDevice: `p-${p}` });
      }
      const isps: Netns[] = [];
      for (const w of plan.wans) {
        const isp = await make(`isp${isps.length + 1}`);
        isps.push(isp);
        const prefix = w.ispSubnet.split('/')[1];
        await isp.exec(['ip', 'addr', 'add', `${internetAddress}/32`, 'dev', 'lo']);
        links.push({
          device: w.port,
          peer: isp,
          peerDevice: 'up0',
          peerAddresses: [`${w.ispAddress}/${prefix}`],
        });
      }
      const clients = new Map<string, Netns>();
      for (const v of plan.vlans) {
        const c = await make(`c-${v.id}`);
        clients.set(v.name, c);
        links.push({
          device: v.clientDevice,
          peer: c,
          peerDevice: 'eth0',
          peerAddresses: [`${v.clientAddress}/${v.prefix}`],
        });
      }
      const node = await OpenWrtNode.boot({
        name: plan.id,
        files: join(dir, plan.id, 'files'),
        links,
        stage,
        beforeBoot: async () => {
          for (const [i, w] of plan.wans.entries()) {
            if (w.proto === 'dhcp')
              servers.push(await startDhcpServer(isps[i]!, 'up0', w.ispSubnet));
          }
          for (const v of plan.vlans) {
            await clients
              .get(v.name)!
              .exec(['ip', 'route', 'add', 'default', 'via', v.nodeAddress]);
          }
        },
      });
      return new SiteNodeLab(node, clients, isps, made, servers, dir);
    } catch (e) {
      for (const s of servers) await s.stop();
      for (const ns of made.reverse()) await ns.destroy();
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Stops the node and removes every namespace and file; a failing step does not stop the rest. */
  async stop(options?: StopOptions): Promise<void> {
    const steps = [
      () => this.node.stop(options),
      ...this.servers.map((s) => () => s.stop()),
      ...[...this.others].reverse().map((ns) => () => ns.destroy()),
      () => rm(this.dir, { recursive: true, force: true }),
    ];
    const errors: unknown[] = [];
    for (const step of steps) await step().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  }
}
