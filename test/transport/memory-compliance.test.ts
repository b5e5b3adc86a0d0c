import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { MemoryHub } from '../../src/transport/memory-hub.ts';
import { UniformLinkModel } from '../../src/transport/uniform-link-model.ts';
import { mediumCompliance, type ComplianceHarness } from './medium-compliance.ts';

function memoryHarness(mtu: number, jitterMs: number): ComplianceHarness {
  const scheduler = new VirtualScheduler();
  return {
    async create(count) {
      const names = Array.from({ length: count }, (_, i) => `node-${i}`);
      // Jitter on a FIFO link still has to keep bursts in order.
      const model = UniformLinkModel.fullMesh(names, { latencyMs: 2, jitterMs, seed: 1 });
      const hub = new MemoryHub(scheduler, model, { mtu });
      return names.map((name) => ({ medium: hub.attach(name), address: name }));
    },
    async until(condition) {
      while (!condition()) {
        if (!scheduler.step()) throw new Error('the condition never held: no events left');
      }
    },
    async settle() {
      scheduler.runAll();
    },
  };
}

mediumCompliance({
  name: 'memory (nRF24 MTU)',
  mtu: 32,
  maxNodes: 3,
  setup: () => memoryHarness(32, 0),
});
mediumCompliance({
  name: 'memory (MTU 255, jittery FIFO links)',
  mtu: 255,
  maxNodes: 3,
  setup: () => memoryHarness(255, 5),
});
