/**
 * Makes the embedded broker's QoS 1 acknowledgement to a node mean "durable": Aedes writes the
 * PUBACK before it routes the message, so the only hook that runs before it is
 * `authorizePublish`. After the ACL said yes, a message a node publishes at QoS 1 is written to
 * the broker journal (every message that arrived in one event-loop turn in one transaction), and
 * only then is Aedes let go on (PUBACK, then delivery). The entry is removed when the
 * controller's ingest session acknowledges the message, which it does only after its own commit.
 * Whatever is in the journal when the ingest session first subscribes (left by the run before,
 * or published by nodes before the controller was there to receive it) is then published to it.
 *
 * So a message is lost by neither a crash of the broker nor of the controller; it may be stored
 * twice when the process dies between the controller's commit and the removal of the entry
 * (bounded by what is in flight: at most the messages of the last turns before the crash).
 *
 * @example
 * const inbox = attachDurableInbox(aedes, {
 *   journal: BrokerJournal.open('lab.db.broker-journal'),
 *   isJournaled: (client) => principals.get(client)?.role === 'node',
 *   isIngest: (client) => client.id === 'controller:ingest',
 * });
 * await inbox.close();
 */
import type { Aedes, Client } from 'aedes';
import { silentLogger, type Logger } from '../core/logger.ts';
import type { BrokerJournal } from './broker-journal.ts';

export interface DurableInboxOptions {
  journal: BrokerJournal;
  /** Whether a message of this (authenticated, authorised) client must survive a crash. */
  isJournaled: (client: Client) => boolean;
  /** Whether this client's acknowledgement means the message is stored (the ingest session). */
  isIngest: (client: Client) => boolean;
  logger?: Logger | undefined;
}

export interface DurableInboxStats {
  /** Messages written to the journal before their PUBACK. */
  journaled: number;
  /** Entries removed because the ingest session acknowledged them. */
  acknowledged: number;
  /** Entries of an earlier run published again to the ingest session. */
  replayed: number;
  /** Journal writes that failed; their messages were not acknowledged. */
  failedWrites: number;
  /** Entries of an earlier run on topics the ingest session does not subscribe to, removed. */
  discarded: number;
}

export interface DurableInbox {
  readonly stats: DurableInboxStats;
  /** Writes what is pending (entries to remove) and closes the journal. */
  close(): void;
}

interface Waiting {
  topic: string;
  payload: Buffer;
  done: (err?: Error | null) => void;
}

export function attachDurableInbox(aedes: Aedes, options: DurableInboxOptions): DurableInbox {
  const { journal } = options;
  const log = options.logger ?? silentLogger;
  const stats: DurableInboxStats = {
    journaled: 0,
    acknowledged: 0,
    replayed: 0,
    failedWrites: 0,
    discarded: 0,
  };
  // What the ingest session subscribes to, once it has: a message it will never receive is never
  // acknowledged by it, so journaling it would only grow the file. Until then, everything.
  let ingestFilters: string[] | undefined;
  const forIngest = (topic: string) =>
    ingestFilters === undefined || ingestFilters.some((f) => topicMatches(f, topic));
  // Aedes copies a message for each subscriber but keeps its payload Buffer, and hands the
  // acknowledged copy to the 'ack' event: the Buffer is what ties an acknowledgement to its entry.
  const entryOf = new WeakMap<Buffer, number>();
  let waiting: Waiting[] = [];
  let acked: number[] = [];
  let flushing: NodeJS.Immediate | undefined;
  let replayed = false;
  let closed = false;

  const flush = () => {
    flushing = undefined;
    const batch = waiting;
    waiting = [];
    if (acked.length > 0) {
      const ids = acked;
      acked = [];
      try {
        journal.remove(ids);
      } catch (err) {
        // Left in the journal, they are delivered again after a restart: a duplicate, not a loss.
        log.error({ err: (err as Error).message }, 'broker journal: cannot remove entries');
      }
    }
    if (batch.length === 0) return;
    let ids: number[];
    try {
      ids = journal.append(batch);
    } catch (err) {
      stats.failedWrites += batch.length;
      log.error(
        { err: (err as Error).message, messages: batch.length },
        'broker journal: cannot write; messages refused (not acknowledged)',
      );
      // An error from authorizePublish drops the client without a PUBACK: it publishes again.
      for (const w of batch) w.done(new Error('broker journal unavailable'));
      return;
    }
    stats.journaled += batch.length;
    batch.forEach((w, i) => {
      entryOf.set(w.payload, ids[i]!);
      w.done(null);
    });
  };
  const schedule = () => {
    flushing ??= setImmediate(flush);
  };

  const authorize = aedes.authorizePublish.bind(aedes);
  aedes.authorizePublish = (client, packet, done) => {
    authorize(client, packet, (err) => {
      if (
        err ||
        !client ||
        packet.qos !== 1 ||
        !options.isJournaled(client) ||
        !forIngest(packet.topic)
      ) {
        done(err);
        return;
      }
      // Shutting down: no acknowledgement that the journal does not back.
      if (closed) return done(new Error('broker closing'));
      const payload = Buffer.isBuffer(packet.payload)
        ? packet.payload
        : Buffer.from(packet.payload);
      packet.payload = payload;
      waiting.push({ topic: packet.topic, payload, done });
      schedule();
    });
  };

  aedes.on('ack', (packet, client) => {
    if (!packet || packet.cmd !== 'publish' || !client || !options.isIngest(client)) return;
    const id = entryOf.get(packet.payload as Buffer);
    if (id === undefined) return;
    entryOf.delete(packet.payload as Buffer);
    stats.acknowledged++;
    acked.push(id);
    schedule();
  });

  aedes.on('subscribe', (subs, client) => {
    if (closed || !client || !options.isIngest(client)) return;
    ingestFilters = [...(ingestFilters ?? []), ...subs.map((s) => s.topic)];
    if (replayed) return;
    replayed = true;
    const all = journal.pending();
    const stale = all.filter((e) => !forIngest(e.topic));
    if (stale.length > 0) {
      journal.remove(stale.map((e) => e.id));
      stats.discarded += stale.length;
      log.warn(
        { messages: stale.length, topics: [...new Set(stale.map((e) => e.topic))].slice(0, 5) },
        'broker journal: discarding messages on topics the controller does not subscribe to',
      );
    }
    const entries = all.filter((e) => forIngest(e.topic));
    if (entries.length === 0) return;
    log.warn(
      { messages: entries.length },
      'broker journal: delivering messages not yet acknowledged by the controller (left by the last run, or sent before it subscribed)',
    );
    for (const e of entries) {
      entryOf.set(e.payload, e.id);
      stats.replayed++;
      aedes.publish(
        { cmd: 'publish', topic: e.topic, payload: e.payload, qos: 1, retain: false, dup: false },
        () => {},
      );
    }
  });

  return {
    stats,
    close: () => {
      if (closed) return;
      if (flushing) clearImmediate(flushing);
      flush();
      closed = true;
      journal.close();
    },
  };
}

/** MQTT filter matching: `+` is one level, a final `#` any number (including none). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
