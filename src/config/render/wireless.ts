/**
 * `/etc/config/wireless`: both BPI-R3 radios, an 802.11s mesh interface (SAE, no 802.11s
 * forwarding: batman-adv routes) on each mesh band, and one AP per SSID and band with the
 * 802.11r fast-roaming options.
 *
 * @example
 * serializeUci(renderWireless(nodeContext(site, 'gw1')));
 */
import type { Band, Ssid } from '../site-schema.ts';
import { uciPackage, uciSection, type UciPackage, type UciSection } from '../uci/uci-model.ts';
import { meshInterface, type NodeContext } from './node-context.ts';

const encryption: Record<Ssid['encryption'], string> = {
  'wpa2-psk': 'psk2+ccmp',
  'wpa3-sae': 'sae',
  'wpa2-wpa3': 'sae-mixed',
};

export function renderWireless(ctx: NodeContext): UciPackage {
  const { site, node, board } = ctx;
  const bands: Band[] = ['2g', '5g'];
  const used = (band: Band) =>
    node.meshRadios.includes(band) || ctx.ssids.some((s) => s.bands.includes(band));
  const sections: UciSection[] = bands.map((band) => {
    const radio = site.radios[band];
    return uciSection('wifi-device', board.radios[band].section, {
      type: 'mac80211',
      path: board.radios[band].path,
      band,
      channel: radio.channel,
      htmode: radio.htmode,
      country: site.country,
      cell_density: 0,
      disabled: !used(band),
    });
  });
  for (const band of node.meshRadios) {
    sections.push(
      uciSection('wifi-iface', meshInterface(band), {
        device: board.radios[band].section,
        mode: 'mesh',
        network: meshInterface(band),
        mesh_id: site.mesh.id,
        encryption: 'sae',
        key: site.mesh.key,
        mesh_fwding: false,
        mesh_rssi_threshold: 0,
      }),
    );
  }
  for (const s of ctx.ssids) {
    for (const band of s.bands) {
      const r = s.roaming;
      sections.push(
        uciSection('wifi-iface', `${s.name}_${band}`, {
          device: board.radios[band].section,
          mode: 'ap',
          network: s.vlan,
          ssid: s.ssid,
          encryption: encryption[s.encryption],
          key: s.key,
          hidden: s.hidden ? true : undefined,
          isolate: site.vlans.find((v) => v.name === s.vlan)?.isolation ? true : undefined,
          ieee80211r: r ? true : undefined,
          mobility_domain: r?.mobilityDomain.toLowerCase(),
          ft_over_ds: r ? r.ftOverDs : undefined,
          // Local FT key generation exists only for PSK; with SAE OpenWrt must derive the
          // R0KH/R1KH keys from the passphrase and mobility domain instead.
          ft_psk_generate_local: r
            ? s.encryption === 'wpa2-psk' && r.ftPskGenerateLocal
            : undefined,
          reassociation_deadline: r?.reassociationDeadline,
        }),
      );
    }
  }
  return uciPackage(sections);
}
