/**
 * The ImageBuilder recipe of a node: the packages a BPI-R3 needs on top of the default image
 * (batman-adv, batctl, mwan3, a full wpad for 802.11r and SAE, the modem stack where the node
 * has a modem, and the agent: our `intelli-mesh` package with what it depends on) and the shell
 * script that builds the image with the node's `files/` overlay. The script puts our `.ipk`
 * (from `npm run package:openwrt`, found beside the node folders or named by INTELLI_MESH_IPK)
 * into the ImageBuilder's local package folder, so the image starts the agent at first boot.
 *
 * @example
 * const { packages, script } = renderImage(nodeContext(site, 'gw1'));
 */
import type { NodeContext } from './node-context.ts';

export interface ImageRecipe {
  packages: string[];
  /** `make image ...`, run inside the unpacked ImageBuilder. */
  command: string;
  script: string;
}

const base = [
  'kmod-batman-adv',
  'batctl-full',
  // The default image ships wpad-basic, which lacks 802.11r and mesh SAE.
  '-wpad-basic-mbedtls',
  'wpad-mbedtls',
  'mwan3',
  'ip-full',
  'conntrack',
  'node',
  'ca-bundle',
  'intelli-mesh',
];

const modemStack = [
  'modemmanager',
  'kmod-usb-net-qmi-wwan',
  'kmod-usb-net-cdc-mbim',
  'kmod-usb-net-cdc-ether',
  'kmod-usb-serial-option',
  'kmod-usb3',
];

export function renderImage(ctx: NodeContext): ImageRecipe {
  const { site, node, board } = ctx;
  const hasModem = node.wans.some((w) => w.type === 'modem');
  const packages = [...base, ...(hasModem ? modemStack : [])];
  const release = site.openwrt.release;
  const [target = '', subtarget = ''] = board.imageTarget.split('/');
  const builder = `openwrt-imagebuilder-${release}-${target}-${subtarget}.Linux-x86_64`;
  const command =
    `make image PROFILE="${board.imageProfile}" PACKAGES="${packages.join(' ')}" ` +
    `FILES="$HERE/files" EXTRA_IMAGE_NAME="${node.id}" BIN_DIR="$HERE/bin"`;
  const script = [
    '#!/bin/sh',
    `# Builds the OpenWrt ${release} image of node ${node.id} (${board.imageProfile}) with its files/ overlay.`,
    'set -eu',
    'HERE=$(cd "$(dirname "$0")" && pwd)',
    `IB=${builder}`,
    `URL=https://downloads.openwrt.org/releases/${release}/targets/${board.imageTarget}/$IB.tar.xz`,
    '# The agent package: INTELLI_MESH_IPK, else the newest one beside the node folders.',
    'IPK=${INTELLI_MESH_IPK:-$(ls "$HERE"/../intelli-mesh_*_all.ipk 2>/dev/null | sort -V | tail -n 1)}',
    '[ -f "$IPK" ] || { echo "no intelli-mesh .ipk: run npm run package:openwrt, then render with --ipk or set INTELLI_MESH_IPK" >&2; exit 1; }',
    'cd "${IB_CACHE:-$HERE/..}"',
    '[ -d "$IB" ] || { curl -fLO "$URL" && tar -xJf "$IB.tar.xz"; }',
    'cd "$IB"',
    'mkdir -p packages && cp "$IPK" packages/',
    command,
    '',
  ].join('\n');
  return { packages, command, script };
}
