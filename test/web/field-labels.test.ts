import { describe, expect, it } from 'vitest';
import { fieldLabel } from '../../web/src/lib/field-labels.ts';

describe('config form labels', () => {
  it('names known settings for people, with their units', () => {
    expect(fieldLabel('holdDownMs')).toBe('Hold-down (ms)');
    expect(fieldLabel('gwSelClass')).toBe('Gateway selection class');
    expect(fieldLabel('bandwidthDownKbit')).toBe('Download (kbit/s)');
  });

  it('spells out other keys from their camelCase, the unit from the suffix', () => {
    expect(fieldLabel('failureLatencyMs')).toBe('Failure latency (ms)');
    expect(fieldLabel('confirmTimeoutS')).toBe('Confirm timeout (s)');
    expect(fieldLabel('max_loss')).toBe('Max loss');
    expect(fieldLabel('lossPct')).toBe('Loss (%)');
    expect(fieldLabel('id')).toBe('Id');
  });
});
