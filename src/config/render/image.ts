/**
 * The ImageBuilder recipe of a node: the packages a BPI-R3 needs on top of the default image
 * (batman-adv, batctl, mwan3, a full wpad for 802.11r and SAE, the modem stack where the node
 * has a modem, node for the agent) and the shell script that builds the image with the
 * node's `files/` overlay.
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
  'node',
  'ca-bundle',
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
    'cd "${IB_CACHE:-$HERE/..}"',
    '[ -d "$IB" ] || { curl -fLO "$URL" && tar -xJf "$IB.tar.xz"; }',
    'cd "$IB"',
    command,
    '',
  ].join('\n');
  return { packages, command, script };
}
