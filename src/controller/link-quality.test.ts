import { describe, expect, it } from 'vitest';
import { linkQualities } from './link-quality.ts';

describe('linkQualities', () => {
  it('lets the worse direction rule TQ and loss, keeping both directions', () => {
    const [link] = linkQualities([
      { node: 'n3', neighbours: [{ node: 'n4', tq: 202, loss: 0.125 }] },
      { node: 'n4', neighbours: [{ node: 'n3', tq: 181, loss: 0.5 }] },
    ]);
    expect(link).toEqual({
      source: 'n3',
      target: 'n4',
      // What n4 measures for frames from n3, and the other way round.
      tq_source_target: 181,
      tq_target_source: 202,
      tq: 181,
      loss_source_target: 0.5,
      loss_target_source: 0.125,
      loss: 0.5,
    });
  });

  it('keeps a link heard by one side only, and leaves out neighbours it does not know', () => {
    const links = linkQualities([
      {
        node: 'a',
        neighbours: [
          { node: 'b', tq: 90 },
          { node: 'stranger', tq: 255 },
        ],
      },
      { node: 'b', neighbours: [] },
    ]);
    expect(links).toEqual([
      {
        source: 'a',
        target: 'b',
        tq_source_target: null,
        tq_target_source: 90,
        tq: 90,
        loss_source_target: null,
        loss_target_source: null,
        loss: null,
      },
    ]);
  });
});
