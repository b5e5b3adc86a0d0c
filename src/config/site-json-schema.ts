/**
 * The JSON Schema of the site file, generated from the same zod definition that parses it, for
 * editors (`# yaml-language-server: $schema=...`). The committed copy lives in
 * `schema/site.schema.json`; a test keeps it in step.
 *
 * @example
 * writeFileSync('schema/site.schema.json', siteJsonSchemaText());
 */
import { z } from 'zod';
import { siteSchema } from './site-schema.ts';

export function siteJsonSchema(): Record<string, unknown> {
  // 'input' so fields with defaults are optional, as an operator writes them.
  const schema = z.toJSONSchema(siteSchema, { io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://intelli-mesh.dev/schema/site.schema.json',
    title: 'Intelli-Mesh site',
    description: 'Site intent: mesh, VLANs, SSIDs, WANs, multi-WAN and nodes',
  };
}

export function siteJsonSchemaText(): string {
  return JSON.stringify(siteJsonSchema(), null, 2) + '\n';
}
