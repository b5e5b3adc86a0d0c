/**
 * Bandwidths as people read them: the agent and batman-adv count kbit/s, an operator thinks in
 * Mbit/s. A down/up pair shares one unit, picked by the larger of the two, so the numbers compare
 * at a glance. Used by the agent's decision texts and the dashboard.
 *
 * @example
 * formatBandwidth(130_000, 25_000); // '130 / 25 Mbit/s'
 * formatRate(1_500); // '1.5 Mbit/s'
 */

const UNITS = [
  { name: 'Gbit/s', kbit: 1_000_000 },
  { name: 'Mbit/s', kbit: 1_000 },
  { name: 'kbit/s', kbit: 1 },
] as const;

function unitFor(kbit: number) {
  return UNITS.find((u) => kbit >= u.kbit) ?? UNITS[UNITS.length - 1]!;
}

/** At most one decimal, none when it is zero: 130, 1.5, 0.3. */
function number(kbit: number, unitKbit: number): string {
  const v = Math.round((kbit / unitKbit) * 10) / 10;
  return String(v);
}

/** One rate in kbit/s, e.g. 1500 → '1.5 Mbit/s'. */
export function formatRate(kbit: number): string {
  const u = unitFor(kbit);
  return `${number(kbit, u.kbit)} ${u.name}`;
}

/** A down/up pair in kbit/s, in the unit of the larger: 130000, 25000 → '130 / 25 Mbit/s'. */
export function formatBandwidth(downKbit: number, upKbit: number): string {
  const u = unitFor(Math.max(downKbit, upKbit));
  return `${number(downKbit, u.kbit)} / ${number(upKbit, u.kbit)} ${u.name}`;
}
