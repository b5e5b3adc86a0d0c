/**
 * Aedes' in-memory persistence with the outgoing QoS 1 queue indexed. The stock one keeps each
 * client's unacknowledged messages in an array and scans it at every delivery and every PUBACK;
 * the controller subscribes to every node, so its queue holds everything in flight (3,200
 * messages with 50 nodes keeping 64 each) and the scans cost more than the rest of Aedes'
 * per-message work. Same behaviour, same order (a property test compares the two on random
 * operation sequences); lookups by (broker, counter) and by packet id are maps, and the stock
 * linear search remains for queues mixing packets of several broker ids (clusters).
 *
 * @example
 * const aedes = await Aedes.createBroker({ persistence: indexedMemoryPersistence() });
 */
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { AedesOptions } from 'aedes';

/** What the persistence keeps of an outgoing PUBLISH (aedes-packet's Packet). */
interface OutPacket {
  brokerId?: string | null;
  brokerCounter?: number;
  messageId?: number;
  topic?: string;
  payload?: Buffer | string;
}

/**
 * The bound on a persistent session's queue while it is away (`outbound-limits.ts` answers it:
 * none for the controller's ingest session or a connected client, whose window bounds it).
 */
export interface OfflineQueueCap {
  capFor(clientId: string): { maxMessages: number; maxBytes: number } | undefined;
  /** A message was not queued for `clientId`: its queue holds `queued` already. */
  dropped(clientId: string, queued: number): void;
}

function sizeOf(p: OutPacket): number {
  return (
    (p.payload === undefined ? 0 : Buffer.byteLength(p.payload)) +
    (p.topic === undefined ? 0 : Buffer.byteLength(p.topic))
  );
}
interface ClientRef {
  id: string;
}
interface Sub {
  clientId: string;
}
type MemoryPersistenceClass = new (opts?: object) => object;
type CallBackPersistenceClass = new (
  factory: (opts: object) => object,
  opts?: object,
) => NonNullable<AedesOptions['persistence']>;

// aedes-persistence is CommonJS without types for these two modules.
const require = createRequire(import.meta.url);
const MemoryPersistence =
  require('aedes-persistence/asyncPersistence.js') as MemoryPersistenceClass & {
    Packet: new (p: object) => OutPacket;
  };
const { CallBackPersistence } = require('aedes-persistence/callBackPersistence.js') as {
  CallBackPersistence: CallBackPersistenceClass;
};

/** One client's queue: a Map keeps insertion order and deletes in O(1). */
class OutgoingQueue {
  private readonly slots = new Map<number, OutPacket>();
  /** Slots by (broker, counter), in queue order. */
  private readonly byCounter = new Map<string, number[]>();
  private readonly byMessageId = new Map<number, Set<number>>();
  /** How many queued packets each broker id has: the index is exact only with one. */
  private readonly brokers = new Map<string | null | undefined, number>();
  private next = 0;
  /** Topic and payload bytes queued. */
  bytes = 0;

  get size(): number {
    return this.slots.size;
  }

  push(packet: OutPacket): void {
    const slot = this.next++;
    this.slots.set(slot, packet);
    this.index(slot, packet);
    this.bytes += sizeOf(packet);
  }

  /** Removes the queued packet of this broker and counter, if any (a message dropped online). */
  discard(brokerId: string | null | undefined, brokerCounter: number | undefined): void {
    const key = counterKey({ brokerId, brokerCounter });
    const slot = this.byCounter.get(key)?.[0];
    const packet = slot === undefined ? undefined : this.slots.get(slot);
    if (slot === undefined || !packet) return;
    this.slots.delete(slot);
    this.unindex(slot, packet);
    this.bytes -= sizeOf(packet);
  }

  /** The stock semantics: same broker and counter takes the id; else same id is replaced. */
  update(packet: OutPacket): void {
    // With one broker id in the queue, the stock scan's second rule (another broker's packet
    // with the same id) cannot match, so the first slot with this counter is its answer.
    if (this.brokers.size === 1 && this.brokers.has(packet.brokerId)) {
      const slot = this.byCounter.get(counterKey(packet))?.[0];
      const hit = slot === undefined ? undefined : this.slots.get(slot);
      if (slot !== undefined && hit) {
        this.unindex(slot, hit);
        hit.messageId = packet.messageId;
        this.index(slot, hit);
        return;
      }
      throw new Error('no such packet');
    }
    for (const [slot, temp] of this.slots) {
      if (temp.brokerId === packet.brokerId) {
        if (temp.brokerCounter === packet.brokerCounter) {
          this.unindex(slot, temp);
          temp.messageId = packet.messageId;
          this.index(slot, temp);
          return;
        }
      } else if (temp.messageId === packet.messageId) {
        this.unindex(slot, temp);
        this.bytes += sizeOf(packet) - sizeOf(temp);
        this.slots.set(slot, packet);
        this.index(slot, packet);
        return;
      }
    }
    throw new Error('no such packet');
  }

  /** Removes and returns the first queued packet with this id. */
  clear(messageId: number | undefined): OutPacket | undefined {
    const candidates = messageId === undefined ? undefined : this.byMessageId.get(messageId);
    if (candidates && candidates.size > 0) {
      const slot = Math.min(...candidates);
      const packet = this.slots.get(slot)!;
      this.slots.delete(slot);
      this.unindex(slot, packet);
      this.bytes -= sizeOf(packet);
      return packet;
    }
    return undefined;
  }

  snapshot(): OutPacket[] {
    return [...this.slots.values()];
  }

  private index(slot: number, packet: OutPacket): void {
    const key = counterKey(packet);
    const list = this.byCounter.get(key);
    if (!list) this.byCounter.set(key, [slot]);
    else {
      list.push(slot);
      list.sort((a, b) => a - b);
    }
    if (packet.messageId !== undefined) {
      let set = this.byMessageId.get(packet.messageId);
      if (!set) this.byMessageId.set(packet.messageId, (set = new Set()));
      set.add(slot);
    }
    this.brokers.set(packet.brokerId, (this.brokers.get(packet.brokerId) ?? 0) + 1);
  }

  private unindex(slot: number, packet: OutPacket): void {
    const key = counterKey(packet);
    const list = this.byCounter.get(key);
    if (list) {
      const at = list.indexOf(slot);
      if (at >= 0) list.splice(at, 1);
      if (list.length === 0) this.byCounter.delete(key);
    }
    if (packet.messageId !== undefined) {
      const set = this.byMessageId.get(packet.messageId);
      set?.delete(slot);
      if (set?.size === 0) this.byMessageId.delete(packet.messageId);
    }
    const n = (this.brokers.get(packet.brokerId) ?? 1) - 1;
    if (n === 0) this.brokers.delete(packet.brokerId);
    else this.brokers.set(packet.brokerId, n);
  }
}

function counterKey(p: OutPacket): string {
  return `${p.brokerId ?? ''}\u0000${p.brokerCounter ?? ''}`;
}

export class IndexedMemoryPersistence extends MemoryPersistence {
  private readonly queues = new Map<string, OutgoingQueue>();
  /** Set by the broker once its outbound limits exist. */
  offlineCap: OfflineQueueCap | undefined;

  private queue(clientId: string): OutgoingQueue {
    let q = this.queues.get(clientId);
    if (!q) this.queues.set(clientId, (q = new OutgoingQueue()));
    return q;
  }

  async outgoingEnqueue(sub: Sub, packet: object): Promise<void> {
    this.enqueue(sub.clientId, packet);
  }

  async outgoingEnqueueCombi(subs: Sub[], packet: object): Promise<void> {
    for (const sub of subs) this.enqueue(sub.clientId, packet);
  }

  /** Forgets a message the client's outbound window dropped (see outbound-limits.ts). */
  outgoingDiscard(clientId: string, packet: OutPacket): void {
    this.queues.get(clientId)?.discard(packet.brokerId, packet.brokerCounter);
  }

  private enqueue(clientId: string, packet: object): void {
    const q = this.queue(clientId);
    const cap = this.offlineCap?.capFor(clientId);
    const stored = new MemoryPersistence.Packet(packet);
    if (cap && (q.size >= cap.maxMessages || q.bytes + sizeOf(stored) > cap.maxBytes)) {
      this.offlineCap!.dropped(clientId, q.size);
      return;
    }
    q.push(stored);
  }

  async outgoingUpdate(client: ClientRef, packet: OutPacket): Promise<void> {
    this.queue(client.id).update(packet);
  }

  async outgoingClearMessageId(
    client: ClientRef,
    packet: OutPacket,
  ): Promise<OutPacket | undefined> {
    return this.queues.get(client.id)?.clear(packet.messageId);
  }

  outgoingStream(client: ClientRef): Readable {
    return Readable.from(this.queues.get(client.id)?.snapshot() ?? []);
  }
}

export function indexedMemoryPersistence(): NonNullable<AedesOptions['persistence']> {
  return new CallBackPersistence((opts) => new IndexedMemoryPersistence(opts), {});
}

/** The IndexedMemoryPersistence inside what `indexedMemoryPersistence` made, if that is one. */
export function indexedMemoryOf(persistence: unknown): IndexedMemoryPersistence | undefined {
  const inner = (persistence as { asyncPersistence?: unknown } | undefined)?.asyncPersistence;
  return inner instanceof IndexedMemoryPersistence ? inner : undefined;
}
