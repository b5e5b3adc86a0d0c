/**
 * Splits what the MQTT session delivers between this process's partitions (written now) and
 * the others' (held in the replay window, in case their owner dies before committing them).
 * When partitions are claimed, their held messages come back out to be written first.
 *
 * @example
 * const gate = new PartitionGate({ partitions: 64, owns: (p) => member.owns(p), window });
 * ingest.acceptBatch(gate.route(batch));
 * member.on('claimed', (ps) => ingest.acceptBatch(gate.replay(ps)));
 */
import { partitionOfTopic } from './partition-key.ts';
import type { ReplayWindow, WindowMessage } from './replay-window.ts';

export interface PartitionGateOptions {
  partitions: number;
  owns(partition: number): boolean;
  window: ReplayWindow;
}

export class PartitionGate {
  constructor(private readonly options: PartitionGateOptions) {}

  /** The messages of owned partitions, in order; the rest are held. */
  route<T extends WindowMessage>(batch: readonly T[]): T[] {
    const { partitions, owns, window } = this.options;
    const mine: T[] = [];
    for (const message of batch) {
      const p = partitionOfTopic(message.topic, partitions);
      if (owns(p)) mine.push(message);
      else window.hold(p, { topic: message.topic, payload: message.payload });
    }
    return mine;
  }

  /** The held messages of newly claimed partitions, oldest first, to write before new ones. */
  replay(claimed: readonly number[]): WindowMessage[] {
    return this.options.window.take(claimed);
  }
}
