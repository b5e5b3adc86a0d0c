/**
 * Packet types, numbered exactly as the seed's `PacketTypes` enum (SYN = 0 … RSCAN = 8); the
 * types this implementation adds come after RSCAN so a seed node never misreads them.
 *
 * @example
 * PacketType.Ping; // 5
 * packetTypeName(6); // 'PONG'
 */
export const PacketType = {
  Syn: 0,
  Ack: 1,
  Cmd: 2,
  Rsp: 3,
  Fin: 4,
  Ping: 5,
  Pong: 6,
  Scan: 7,
  Rscan: 8,
  /** A fragment of a datagram message (`send`). */
  Data: 9,
  /** End-to-end receipt of a whole reassembled message, sent by its destination. */
  Receipt: 10,
  /** A relay's report that it could not reach its next hop toward a destination. */
  Unreachable: 11,
} as const;

export type PacketTypeValue = (typeof PacketType)[keyof typeof PacketType];

/** One past the largest known type: the decoder rejects anything at or above it. */
export const PACKET_TYPE_LAST = 12;

const NAMES = [
  'SYN',
  'ACK',
  'CMD',
  'RSP',
  'FIN',
  'PING',
  'PONG',
  'SCAN',
  'RSCAN',
  'DATA',
  'RECEIPT',
  'UNREACHABLE',
] as const;

export function packetTypeName(type: number): string {
  return NAMES[type] ?? `TYPE_${type}`;
}
