import { duplexPair } from 'node:stream';
import { describe, it } from 'vitest';
import {
  createSerialMedium,
  openSerialMedium,
  type SerialMedium,
} from '../../src/transport/serial-medium.ts';
import { drainEventLoop, until } from './event-loop.ts';
import { mediumCompliance, type ComplianceHarness } from './medium-compliance.ts';
import { openPtyPair, socatAvailable, type PtyPair } from './socat-pty.ts';

function memoryPairHarness(): ComplianceHarness {
  return {
    async create(count) {
      if (count !== 2) throw new Error('a serial link joins exactly two nodes');
      const [left, right] = duplexPair();
      const a = createSerialMedium(left, { peer: 'right' });
      const b = createSerialMedium(right, { peer: 'left' });
      // Each node is named by what the other end calls its peer.
      return [
        { medium: a, address: 'left' },
        { medium: b, address: 'right' },
      ];
    },
    until,
    settle: () => drainEventLoop(),
  };
}

function ptyHarness(): ComplianceHarness {
  let pair: PtyPair | undefined;
  return {
    async create(count) {
      if (count !== 2) throw new Error('a serial link joins exactly two nodes');
      pair = await openPtyPair();
      const [pathA, pathB] = pair.paths;
      const media: SerialMedium[] = [
        await openSerialMedium({ path: pathA, baudRate: 115_200 }),
        await openSerialMedium({ path: pathB, baudRate: 115_200 }),
      ];
      // Node A's peer is named after its own device path, so B is "pathA" to A, and so on.
      return [
        { medium: media[0]!, address: pathB },
        { medium: media[1]!, address: pathA },
      ];
    },
    until,
    settle: () => drainEventLoop(50),
    async teardown() {
      await pair?.close();
    },
  };
}

mediumCompliance({
  name: 'serial over an in-memory duplex pair',
  mtu: 255,
  maxNodes: 2,
  setup: memoryPairHarness,
});

if (socatAvailable()) {
  mediumCompliance({
    name: 'serial over a socat pty pair',
    mtu: 255,
    maxNodes: 2,
    setup: ptyHarness,
  });
} else {
  describe('Medium compliance: serial over a socat pty pair', () => {
    it.skip('needs socat (apt-get install -y socat) to make a real pty pair', () => {});
  });
}
