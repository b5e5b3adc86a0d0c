/**
 * The configuration layer's public API: site intent (YAML) -> validation -> per-node OpenWrt
 * UCI files, agent config, image recipe and overlay archive; plus a UCI parser, serializer and
 * diff to compare with what a node runs now.
 *
 * @example
 * import { loadSite, renderNode, diffUci, parseUci } from './config/index.ts';
 * const r = await loadSite('examples/site.yaml');
 * if (r.ok) console.log(renderNode(r.site, 'gw-north').files.map((f) => f.path));
 */
export { loadSite, parseSite, type SiteResult, type ParseSiteOptions } from './load-site.ts';
export { validateSite } from './validate-site.ts';
export { formatIssue, formatPath, type SiteIssue } from './site-issue.ts';
export { siteSchema, type Site, type SiteInput, type SiteNode } from './site-schema.ts';
export { siteJsonSchema, siteJsonSchemaText } from './site-json-schema.ts';
export {
  renderNode,
  renderSite,
  configNames,
  type RenderedNode,
  type RenderedFile,
} from './render/render-node.ts';
export type { AgentConfig } from './render/agent-config.ts';
export { writeRendered } from './write-rendered.ts';
export { diffNodeDir, diffRendered, formatJsonChange, type NodeDiff } from './diff-node.ts';
export { parseUci } from './uci/parse-uci.ts';
export { serializeUci, quoteUci } from './uci/serialize-uci.ts';
export { diffUci, formatUciChange, type UciChange } from './uci/diff-uci.ts';
export { uciSection, uciPackage, type UciPackage, type UciSection } from './uci/uci-model.ts';
export * from './errors.ts';
