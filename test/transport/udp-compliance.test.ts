import { openUdpMedium, type UdpMedium } from '../../src/transport/udp-medium.ts';
import { drainEventLoop, until } from './event-loop.ts';
import { mediumCompliance, type ComplianceHarness } from './medium-compliance.ts';

function udpHarness(host: string): ComplianceHarness {
  return {
    async create(count) {
      const bind = host.includes(':') ? `[${host}]:0` : `${host}:0`;
      const media: UdpMedium[] = [];
      for (let i = 0; i < count; i++) media.push(await openUdpMedium({ bind }));
      for (const m of media) for (const p of media) if (p !== m) m.addPeer(p.address);
      return media.map((medium) => ({ medium, address: medium.address }));
    },
    until,
    settle: () => drainEventLoop(),
  };
}

mediumCompliance({
  name: 'UDP over IPv4',
  mtu: 255,
  maxNodes: 3,
  setup: () => udpHarness('127.0.0.1'),
});
mediumCompliance({ name: 'UDP over IPv6', mtu: 255, maxNodes: 3, setup: () => udpHarness('::1') });
