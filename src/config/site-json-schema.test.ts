import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { siteJsonSchema, siteJsonSchemaText } from './site-json-schema.ts';

describe('site JSON Schema', () => {
  it('matches the committed schema/site.schema.json (regenerate: see docs/config.md)', () => {
    const committed = readFileSync(
      new URL('../../schema/site.schema.json', import.meta.url),
      'utf8',
    );
    // Compared as data: the committed copy is formatted by prettier.
    expect(JSON.parse(committed)).toEqual(JSON.parse(siteJsonSchemaText()));
  });

  it('describes the VLAN id range and the required top-level keys', () => {
    const schema = siteJsonSchema() as {
      required: string[];
      properties: { vlans: { items: { properties: { id: Record<string, number> } } } };
    };
    expect(schema.required).toEqual(
      expect.arrayContaining(['name', 'country', 'mesh', 'vlans', 'nodes']),
    );
    expect(schema.properties.vlans.items.properties.id).toMatchObject({
      minimum: 1,
      maximum: 4094,
    });
  });
});
