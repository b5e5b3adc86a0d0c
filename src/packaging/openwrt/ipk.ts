/**
 * An `.ipk` as OpenWrt's opkg (opkg-lede, 23.05 and 24.10) installs it: a gzip'd tar of
 * `./debian-binary`, `./data.tar.gz` and `./control.tar.gz`, the layout OpenWrt's own
 * `ipkg-build` writes (opkg-lede refuses the Debian-style `ar` archive). The control archive holds
 * the `control` fields, the `conffiles` opkg keeps across upgrades, and the maintainer scripts.
 * Deterministic: every entry is owned by root and stamped with one time, so a rebuild of the same
 * sources gives the same bytes.
 *
 * @example
 * const ipk = buildIpk({ control: { package: 'hello', version: '1.0-1', ... }, files: [...], conffiles: [] });
 * writeFileSync(ipkFileName(control), ipk);
 */
import { tarGz, type TarEntry } from '../../config/tar-gz.ts';
import { PackageError } from './errors.ts';

export interface IpkControl {
  package: string;
  /** `<upstream>-<release>`, as OpenWrt numbers packages. */
  version: string;
  /** Package names, OpenWrt's (e.g. `node`, `ip-full`). */
  depends: string[];
  /** `all` for a package without compiled code. */
  architecture: string;
  maintainer: string;
  license: string;
  section: string;
  url: string;
  /** First line is the summary; more lines are indented as control files require. */
  description: string;
}

export interface IpkFile {
  /** Relative to the router's root, without a leading slash. */
  path: string;
  mode: number;
  content: string | Buffer;
}

export interface IpkOptions {
  control: IpkControl;
  files: IpkFile[];
  /** Absolute paths of configuration files opkg must not overwrite once changed. */
  conffiles: string[];
  /** Maintainer scripts by name: preinst, postinst, prerm, postrm (and OpenWrt's *-pkg). */
  scripts?: Record<string, string>;
  /** Seconds since the epoch on every entry. @default 0 */
  mtime?: number;
}

const NAME = /^[a-z0-9][a-z0-9+.-]*$/;
const VERSION = /^[0-9][A-Za-z0-9.+~-]*$/;

export function ipkFileName(c: Pick<IpkControl, 'package' | 'version' | 'architecture'>): string {
  return `${c.package}_${c.version}_${c.architecture}.ipk`;
}

function controlText(c: IpkControl, installedSize: number): string {
  if (!NAME.test(c.package)) throw new PackageError(`package name '${c.package}' is not valid`);
  if (!VERSION.test(c.version)) throw new PackageError(`version '${c.version}' is not valid`);
  for (const d of c.depends)
    if (!NAME.test(d)) throw new PackageError(`dependency '${d}' is not a package name`);
  const [summary = '', ...more] = c.description.trim().split('\n');
  const fields: [string, string][] = [
    ['Package', c.package],
    ['Version', c.version],
    ['Depends', c.depends.join(', ')],
    ['License', c.license],
    ['Section', c.section],
    ['URL', c.url],
    ['Maintainer', c.maintainer],
    ['Architecture', c.architecture],
    ['Installed-Size', String(installedSize)],
    ['Description', summary],
  ];
  const body = fields
    .filter(([, v]) => v !== '')
    .map(([k, v]) => {
      if (/\n/.test(v)) throw new PackageError(`control field ${k} must be one line`);
      return `${k}: ${v}`;
    });
  // Continuation lines start with a space; an empty one is written as " .".
  for (const line of more) body.push(line.trim() === '' ? ' .' : ` ${line.trim()}`);
  return `${body.join('\n')}\n`;
}

/** Directory entries for every parent of the given paths, parents first (`./`, `./etc/`, …). */
function directories(paths: readonly string[]): TarEntry[] {
  const dirs = new Set<string>(['./']);
  for (const p of paths) {
    const parts = p.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(`./${parts.slice(0, i).join('/')}/`);
  }
  return [...dirs].sort().map((path) => ({ path, mode: 0o755 }));
}

export function buildIpk(o: IpkOptions): Buffer {
  const mtime = o.mtime ?? 0;
  const seen = new Set<string>();
  for (const f of o.files) {
    if (f.path.startsWith('/') || f.path.split('/').includes('..'))
      throw new PackageError(`file path '${f.path}' must be relative and stay inside the root`);
    if (seen.has(f.path)) throw new PackageError(`file '${f.path}' is listed twice`);
    seen.add(f.path);
  }
  for (const c of o.conffiles) {
    if (!seen.has(c.replace(/^\//, '')))
      throw new PackageError(`conffile '${c}' is not one of the package's files`);
  }
  const data = tarGz(
    [
      ...directories(o.files.map((f) => f.path)),
      ...[...o.files]
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((f) => ({
          path: `./${f.path}`,
          mode: f.mode,
          content: Buffer.isBuffer(f.content) ? f.content : Buffer.from(f.content, 'utf8'),
        })),
    ],
    { mtime },
  );
  const installedSize = o.files.reduce(
    (sum, f) =>
      sum + (Buffer.isBuffer(f.content) ? f.content.length : Buffer.byteLength(f.content)),
    0,
  );
  const controlFiles: TarEntry[] = [
    { path: './', mode: 0o755 },
    { path: './control', mode: 0o644, content: Buffer.from(controlText(o.control, installedSize)) },
  ];
  if (o.conffiles.length > 0)
    controlFiles.push({
      path: './conffiles',
      mode: 0o644,
      content: Buffer.from(`${o.conffiles.join('\n')}\n`),
    });
  for (const [name, text] of Object.entries(o.scripts ?? {}).sort(([a], [b]) => a.localeCompare(b)))
    controlFiles.push({ path: `./${name}`, mode: 0o755, content: Buffer.from(text) });
  return tarGz(
    [
      { path: './debian-binary', mode: 0o644, content: Buffer.from('2.0\n') },
      { path: './data.tar.gz', mode: 0o644, content: data },
      { path: './control.tar.gz', mode: 0o644, content: tarGz(controlFiles, { mtime }) },
    ],
    { mtime },
  );
}
