import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IndexedMemoryPersistence } from './indexed-memory-persistence.ts';

interface Queue {
  outgoingEnqueue(sub: { clientId: string }, packet: object): Promise<void>;
  outgoingUpdate(client: { id: string }, packet: object): Promise<void>;
  outgoingClearMessageId(client: { id: string }, packet: object): Promise<unknown>;
  outgoingStream(client: { id: string }): AsyncIterable<unknown>;
}
const StockPersistence = createRequire(import.meta.url)(
  'aedes-persistence/asyncPersistence.js',
) as new () => Queue;

type Op =
  | { op: 'enqueue'; client: string }
  | { op: 'update'; client: string; counter: number; messageId: number; foreign: boolean }
  | { op: 'clear'; client: string; messageId: number };

// Few counters and packet ids, so collisions (the hard cases) are common.
const client = fc.constantFrom('a', 'a', 'b');
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('enqueue' as const), client }), weight: 2 },
  fc.record({
    op: fc.constant('update' as const),
    client,
    counter: fc.integer({ min: 1, max: 8 }),
    messageId: fc.integer({ min: 1, max: 3 }),
    foreign: fc.boolean(),
  }),
  fc.record({
    op: fc.constant('clear' as const),
    client,
    messageId: fc.integer({ min: 1, max: 3 }),
  }),
);

/** What a test can compare of a queued packet. */
const view = (p: unknown) => {
  const { brokerId, brokerCounter, messageId } = (p ?? {}) as Record<string, unknown>;
  return p === undefined ? undefined : { brokerId, brokerCounter, messageId };
};

async function run(queue: Queue, ops: Op[]) {
  const trace: unknown[] = [];
  let counter = 0;
  for (const o of ops) {
    if (o.op === 'enqueue') {
      counter++;
      await queue.outgoingEnqueue(
        { clientId: o.client },
        {
          cmd: 'publish',
          topic: 't',
          payload: Buffer.from('x'),
          qos: 1,
          brokerId: 'b1',
          brokerCounter: counter,
        },
      );
    } else if (o.op === 'update') {
      // A fresh object per implementation: the stock one stores what it is given.
      const packet = {
        brokerId: o.foreign ? 'b2' : 'b1',
        brokerCounter: o.counter,
        messageId: o.messageId,
      };
      trace.push(
        await queue.outgoingUpdate({ id: o.client }, packet).then(
          () => 'ok',
          (err: Error) => err.message,
        ),
      );
    } else {
      trace.push(
        view(await queue.outgoingClearMessageId({ id: o.client }, { messageId: o.messageId })),
      );
    }
  }
  for (const id of ['a', 'b']) {
    const rows: unknown[] = [];
    for await (const p of queue.outgoingStream({ id })) rows.push(view(p));
    trace.push(rows);
  }
  return trace;
}

describe('IndexedMemoryPersistence', () => {
  it('behaves exactly as the stock in-memory persistence on any sequence of queue operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 80 }), async (ops) => {
        expect(await run(new IndexedMemoryPersistence() as unknown as Queue, ops)).toEqual(
          await run(new StockPersistence(), ops),
        );
      }),
      { numRuns: 500 },
    );
  });
});
