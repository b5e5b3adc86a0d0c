/**
 * `intelli-mesh config validate|render|diff|schema`: the operator's path from one site file to
 * checked configuration for every node.
 *
 * @example
 * intelli-mesh config validate examples/site.yaml
 * intelli-mesh config render examples/site.yaml --out out/site
 * intelli-mesh config render site.yaml --out out/site --ca ca.pem --ipk dist/openwrt/intelli-mesh_0.1.0-1_all.ipk
 * intelli-mesh config diff examples/site.yaml gw-north ./gw-north-etc-config
 */
import { copyFile, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { IntelliMeshError } from '../../core/errors.ts';
import { nodeCredentials, writeBrokerUsers } from '../node-credentials.ts';
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

/** A flag's file that is missing or not what the flag takes. */
export class RenderArgumentError extends IntelliMeshError {}

async function readPem(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new RenderArgumentError(`--ca ${file}: cannot read: ${(e as Error).message}`);
  }
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(text))
    throw new RenderArgumentError(`--ca ${file}: not a PEM certificate`);
  return text;
}

async function checkedIpk(file: string): Promise<string> {
  if (!/^intelli-mesh_[^_/]+_all\.ipk$/.test(basename(file)))
    throw new RenderArgumentError(`--ipk ${file}: expected intelli-mesh_<version>_all.ipk`);
  try {
    await readFile(file);
  } catch (e) {
    throw new RenderArgumentError(`--ipk ${file}: cannot read: ${(e as Error).message}`);
  }
  return file;
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
      "write a folder per node: files/ overlay (with the agent, its service and the node's MQTT password), files.tar.gz, packages.txt, build-image.sh; and the broker's credentials file",
    )
    .argument('<site>', 'site file (YAML)')
    .requiredOption('-o, --out <dir>', 'output folder')
    .option('-n, --node <id...>', 'only these nodes')
    .option(
      '--ca <file>',
      "CA certificate (PEM) of the broker's TLS certificate, for mqtts:// and wss://",
    )
    .option(
      '--ipk <file>',
      'the intelli-mesh .ipk (npm run package:openwrt), copied beside the node folders for build-image.sh',
    )
    .option(
      '--credentials <file>',
      'broker users file to add the nodes to (default: <out>/mqtt-users.yaml)',
    )
    .action(
      async (
        file: string,
        opts: { out: string; node?: string[]; ca?: string; ipk?: string; credentials?: string },
      ) => {
        const site = await checkedSite(file);
        if (!site) return;
        const ids = opts.node ?? site.nodes.map((n) => n.id);
        for (const id of ids)
          if (!site.nodes.some((n) => n.id === id)) throw new UnknownNodeError(id);
        const caPem = opts.ca === undefined ? undefined : await readPem(opts.ca);
        const ipk = opts.ipk === undefined ? undefined : await checkedIpk(opts.ipk);
        const creds = await nodeCredentials(opts.out, ids);
        const rendered = creds.map((c) =>
          renderNode(site, c.node, { validated: true, mqttPassword: c.password, caPem }),
        );
        await writeRendered(opts.out, rendered);
        if (ipk) await copyFile(ipk, join(opts.out, basename(ipk)));
        const usersFile = opts.credentials ?? join(opts.out, 'mqtt-users.yaml');
        await writeBrokerUsers(usersFile, creds, site.name);
        for (const r of rendered) {
          const fresh = creds.find((c) => c.node === r.nodeId)?.fresh ? ', new MQTT password' : '';
          console.log(
            `${opts.out}/${r.nodeId}: ${r.files.length} files, ${r.image.packages.length} packages${fresh}`,
          );
        }
        console.log(
          `${usersFile}: broker users (intelli-mesh controller --credentials ${usersFile})`,
        );
        if (!ipk)
          console.log(
            'build-image.sh needs the agent package: render with --ipk FILE, or set INTELLI_MESH_IPK',
          );
      },
    );

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
