import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../src/core/random.ts';
import { VirtualScheduler } from '../../src/core/virtual-scheduler.ts';
import { SimChannel } from '../../src/sim/channel.ts';
import { DEFAULT_LINK } from '../../src/sim/link-params.ts';
import { MemoryHub } from '../../src/transport/memory-hub.ts';

describe("the simulator's channel behind the transport's MemoryHub", () => {
  it('decides reach, loss and delay through the LinkModel contract', () => {
    const scheduler = new VirtualScheduler();
    const channel = new SimChannel(seededRandom(1));
    channel.addLink('a', 'b', { ...DEFAULT_LINK, latencyMs: 7 });
    channel.addLink('b', 'c', { ...DEFAULT_LINK, latencyMs: 3 });
    const hub = new MemoryHub(scheduler, channel, { mtu: 64 });
    const [a, b, c] = ['a', 'b', 'c'].map((n) => hub.attach(n));
    const heard: string[] = [];
    b!.onFrame((f, from) => heard.push(`b<${from}@${scheduler.now()}:${f[0]}`));
    c!.onFrame((f, from) => heard.push(`c<${from}@${scheduler.now()}:${f[0]}`));
    a!.send(Uint8Array.of(1));
    b!.send(Uint8Array.of(2), 'c');
    scheduler.runAll();
    expect(heard).toEqual(['c<b@3:2', 'b<a@7:1']); // c is out of a's reach
    channel.update('a', 'b', { up: false });
    a!.send(Uint8Array.of(3));
    scheduler.runAll();
    expect(heard).toHaveLength(2);
  });
});
