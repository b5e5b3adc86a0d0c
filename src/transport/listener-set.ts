/**
 * The frame listeners of one medium: add returns its own unsubscribe, emit calls them in
 * subscription order. A listener removed while a frame is being delivered (by itself, by
 * another listener, or by closing the medium) is not called for that frame.
 *
 * @example
 * const set = new ListenerSet();
 * const off = set.add((frame, from) => console.log(from, frame.length));
 * set.emit(Uint8Array.of(1), 'peer'); // "peer 1"
 * off();
 */
import type { FrameListener, LinkPeer } from '../core/medium.ts';

interface Entry {
  readonly listener: FrameListener;
  active: boolean;
}

export class ListenerSet {
  private entries: readonly Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  add(listener: FrameListener): () => void {
    // One entry per subscription, so subscribing the same function twice yields two
    // independent unsubscribes.
    const entry: Entry = { listener, active: true };
    this.entries = [...this.entries, entry];
    return () => {
      entry.active = false;
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  emit(frame: Uint8Array, from: LinkPeer): void {
    // Copy-on-write arrays make this loop a snapshot; `active` catches removals mid-delivery.
    for (const entry of this.entries) if (entry.active) entry.listener(frame, from);
  }

  clear(): void {
    for (const entry of this.entries) entry.active = false;
    this.entries = [];
  }
}
