/**
 * `intelli-mesh config validate|render|diff|schema`: the operator's path from one site file to
 * checked configuration for every node.
 *
 * @example
 * intelli-mesh config validate examples/site.yaml
 * intelli-mesh config render examples/site.yaml --out out/site
 * intelli-mesh config diff examples/site.yaml gw-north ./gw-north-etc-config
 */
import type { Command } from 'commander';
import {
  diffNodeDir,
  formatIssue,
  formatJsonChange,
  formatUciChange,
  loadSite,
  renderNode,
  siteJsonSchemaText,
  UnknownNodeError,
  writeRendered,
  type Site,
} from '../../config/index.ts';

/** Loads and validates, printing every issue; undefined when the site is not valid. */
async function checkedSite(file: string): Promise<Site | undefined> {
  let result;
  try {
    result = await loadSite(file);
  } catch (err) {
    console.error(`${file}: cannot read: ${(err as Error).message}`);
    process.exitCode = 1;
    return undefined;
  }
  if (!result.ok) {
    for (const i of result.issues) console.error(formatIssue(file, i));
    console.error(`${file}: ${result.issues.length} error(s)`);
    process.exitCode = 1;
    return undefined;
  }
  return result.site;
}

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description('validate a site file and render OpenWrt configuration for every node');

  config
    .command('validate')
    .description('check a site file; print every error with its path and line')
    .argument('<site>', 'site file (YAML)')
    .action(async (file: string) => {
      const site = await checkedSite(file);
      if (!site) return;
      const gateways = site.nodes.filter((n) => n.role === 'gateway').length;
      console.log(
        `${file}: ok: ${site.nodes.length} nodes (${gateways} gateways), ${site.vlans.length} VLANs, ${site.ssids.length} SSIDs`,
      );
    });

  config
    .command('render')
    .description(
      'write a folder per node: files/ overlay, files.tar.gz, packages.txt, build-image.sh',
    )
    .argument('<site>', 'site file (YAML)')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('-n, --node <id...>', 'only these nodes')
    .action(async (file: string, opts: { out: string; node?: string[] }) => {
      const site = await checkedSite(file);
      if (!site) return;
      const ids = opts.node ?? site.nodes.map((n) => n.id);
      const rendered = ids.map((id) => renderNode(site, id, { validated: true }));
      await writeRendered(opts.out, rendered);
      for (const r of rendered) {
        console.log(
          `${opts.out}/${r.nodeId}: ${r.files.length} files, ${r.image.packages.length} packages`,
        );
      }
    });

  config
    .command('diff')
    .description('show what applying the site would change on a node, given its current files')
    .argument('<site>', 'site file (YAML)')
    .argument('<node>', 'node id')
    .argument('<current>', "folder with the node's current config files (a copy of /etc/config)")
    .option('--exit-code', 'exit with 1 when there are changes')
    .action(async (file: string, node: string, dir: string, opts: { exitCode?: boolean }) => {
      const site = await checkedSite(file);
      if (!site) return;
      if (!site.nodes.some((n) => n.id === node)) throw new UnknownNodeError(node);
      const diff = await diffNodeDir(site, node, dir);
      for (const c of diff.changes) console.log(formatUciChange(c));
      for (const c of diff.agent) console.log(formatJsonChange(c));
      const total = diff.changes.length + diff.agent.length;
      console.log(total === 0 ? `${node}: no changes` : `${node}: ${total} change(s)`);
      if (opts.exitCode && total > 0) process.exitCode = 1;
    });

  config
    .command('schema')
    .description('print the JSON Schema of the site file')
    .action(() => {
      process.stdout.write(siteJsonSchemaText());
    });
}
