/**
 * Messages for the ingest comparison tests (ingest-sync-rows, ingest-pg-batch), as the broker
 * hands them over: a node's topic on site `lab` and its JSON body.
 *
 * @example
 * await ingest.acceptBatch([nodeEvent('n1', at, 'wan-down'), nodeMessage('n1', 'status', status)]);
 */
import { nodeTopic } from '../../src/mqtt/topics.ts';

export type IngestMessage = { topic: string; payload: Buffer };

export const nodeMessage = (node: string, channel: string, body: object): IngestMessage => ({
  topic: nodeTopic('lab', node, channel as 'state'),
  payload: Buffer.from(JSON.stringify(body)),
});

/** A node event of `kind`, its reason the kind itself; `rest` adds or overrides fields. */
export const nodeEvent = (node: string, at: number, kind: string, rest: object = {}) =>
  nodeMessage(node, 'events', {
    at,
    node,
    kind,
    subject: 's',
    from: null,
    to: null,
    reason: kind,
    ...rest,
  });
