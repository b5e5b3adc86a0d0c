/**
 * VLANs and SSIDs edited through the site file the controller was started with: read them, see
 * what a change would render on every node (the UCI changes and the agent config changes, per
 * node, from `config/render` and `config/diff-node.ts`), and apply it: the whole edited site is
 * validated like `intelli-mesh config validate`, written back atomically (comments and the
 * rest of the file kept), and each node whose agent config changed and that reports to this
 * controller gets it pushed (validated by the node's own validator first).
 *
 * Wi-Fi passphrases written in the file are never sent out: they read as KEPT_KEY, and KEPT_KEY
 * given back for an SSID means "keep this SSID's key as it is in the file".
 *
 * @example
 * const editor = new SiteEditor('/etc/intelli-mesh/site.yaml');
 * const p = await editor.preview({ vlans, ssids }); // p.ok ? p.nodes[0].uci : p.issues
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isMap, isSeq, parseDocument } from 'yaml';
import { diffRendered, formatJsonChange } from '../config/diff-node.ts';
import { parseSite } from '../config/load-site.ts';
import { configNames, renderNode, type RenderedNode } from '../config/render/render-node.ts';
import type { Site } from '../config/site-schema.ts';
import { formatUciChange } from '../config/uci/diff-uci.ts';
import { serializeUci } from '../config/uci/serialize-uci.ts';
import { IntelliMeshError } from '../core/errors.ts';
import type { ValidationIssue } from '../core/validation-issues.ts';
import { writeDurably } from '../platform/linux/durable-file.ts';

/** What a literal Wi-Fi key reads as; given back, it keeps the key in the file. */
export const KEPT_KEY = '(unchanged)';

/** The site file changed on disk since the version the edit was based on. */
export class SiteChangedError extends IntelliMeshError {}

export interface SiteSections {
  vlans: unknown[];
  ssids: unknown[];
}

export interface SiteView extends SiteSections {
  file: string;
  /** sha256 of the file's text: give it back to apply, so a concurrent change is not lost. */
  version: string;
  nodes: string[];
}

export interface NodePreview {
  node: string;
  /** UCI changes as `intelli-mesh config diff` prints them (`+ network.vlan_x=interface`). */
  uci: string[];
  /** Changes of the node's agent config (`~ agent.zones.guest=…`). */
  agent: string[];
}

export type SitePreview =
  | { ok: true; version: string; nodes: NodePreview[] }
  | { ok: false; version: string; issues: ValidationIssue[] };

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isEnvRef = (v: unknown) =>
  typeof v === 'string' && /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/.test(v);

export class SiteEditor {
  constructor(
    readonly file: string,
    private readonly env: Readonly<Record<string, string | undefined>> = process.env,
  ) {}

  async read(): Promise<SiteView> {
    const text = await readFile(this.file, 'utf8');
    const raw = (parseDocument(text).toJS() ?? {}) as Record<string, unknown>;
    const list = (v: unknown) => (Array.isArray(v) ? v : []);
    return {
      file: this.file,
      version: sha(text),
      vlans: list(raw.vlans),
      ssids: list(raw.ssids).map((s) =>
        isRecord(s) && typeof s.key === 'string' && !isEnvRef(s.key) ? { ...s, key: KEPT_KEY } : s,
      ),
      nodes: list(raw.nodes).flatMap((n) =>
        isRecord(n) && typeof n.id === 'string' ? [n.id] : [],
      ),
    };
  }

  /** What the edit would change on every node, or every issue of the edited site. */
  async preview(edit: SiteSections): Promise<SitePreview & { text: string; site?: Site }> {
    const current = await readFile(this.file, 'utf8');
    const version = sha(current);
    const text = this.edited(current, edit);
    const after = parseSite(text, { env: this.env });
    if (!after.ok) {
      return {
        ok: false,
        version,
        text,
        issues: after.issues.map((i) => ({ path: i.path || '(root)', message: i.message })),
      };
    }
    const before = parseSite(current, { env: this.env });
    const nodes = after.site.nodes.map((n): NodePreview => {
      const rendered = renderNode(after.site, n.id, { validated: true });
      const old =
        before.ok && before.site.nodes.some((o) => o.id === n.id)
          ? renderNode(before.site, n.id, { validated: true })
          : undefined;
      const diff = diffRendered(rendered, old ? currentFiles(old) : {});
      return {
        node: n.id,
        uci: diff.changes.map(formatUciChange),
        agent: diff.agent.map(formatJsonChange),
      };
    });
    return { ok: true, version, text, site: after.site, nodes };
  }

  /** Writes the edited site atomically when it is valid and the file is still at `version`. */
  async apply(
    edit: SiteSections,
    expectedVersion?: string,
  ): Promise<SitePreview & { site?: Site }> {
    const p = await this.preview(edit);
    if (expectedVersion !== undefined && expectedVersion !== p.version) {
      throw new SiteChangedError(
        `${this.file} changed since it was read (version ${expectedVersion.slice(0, 12)}…); read it again`,
      );
    }
    const { text, ...result } = p;
    if (!p.ok) return result;
    const mode = await stat(this.file).then((s) => s.mode & 0o777);
    await writeDurably(this.file, text, mode);
    return { ...result, version: sha(text) };
  }

  /** The file's text with its vlans and ssids replaced, the rest (and its comments) kept. */
  private edited(text: string, edit: SiteSections): string {
    const doc = parseDocument(text);
    const keys = new Map<string, unknown>();
    const old = doc.get('ssids');
    if (isSeq(old)) {
      for (const item of old.items) {
        if (!isMap(item)) continue;
        const name = item.get('name');
        if (typeof name === 'string') keys.set(name, item.get('key'));
      }
    }
    const ssids = edit.ssids.map((s) =>
      isRecord(s) && s.key === KEPT_KEY && typeof s.name === 'string' && keys.has(s.name)
        ? { ...s, key: keys.get(s.name) }
        : s,
    );
    doc.set('vlans', doc.createNode(edit.vlans));
    doc.set('ssids', doc.createNode(ssids));
    return String(doc);
  }
}

/** A node's rendered configuration as the files it would hold, to diff the next one against. */
function currentFiles(r: RenderedNode): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of configNames) files[name] = serializeUci(r.configs[name]);
  files['agent.json'] = JSON.stringify(r.agent);
  return files;
}
