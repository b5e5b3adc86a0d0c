/**
 * The agent's version as its package names it. The OpenWrt bundle replaces the placeholder at
 * build time with the package version (`npm run package:openwrt`); a checkout reports the
 * version in package.json with `-dev`.
 */
declare const __INTELLI_MESH_VERSION__: string | undefined;

export const AGENT_VERSION: string =
  typeof __INTELLI_MESH_VERSION__ === 'string' ? __INTELLI_MESH_VERSION__ : 'dev';
