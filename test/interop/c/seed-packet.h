/*
 * The seed's packet struct, types and sequence function (seeds/003_...txt), unchanged in layout:
 * 16 bytes, little-endian on the machines we run on. crc is never filled in, as in the seed.
 * Only the radio is different: one UDP datagram carries one frame.
 */
#ifndef SEED_PACKET_H
#define SEED_PACKET_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint8_t byte;
typedef uint16_t twobytes;

typedef enum PacketTypes {
  PACKET_TYPE_SYN,
  PACKET_TYPE_ACK,
  PACKET_TYPE_CMD,
  PACKET_TYPE_RSP,
  PACKET_TYPE_FIN,
  PACKET_TYPE_PING,
  PACKET_TYPE_PONG,
  PACKET_TYPE_SCAN,
  PACKET_TYPE_RSCAN,
  PACKET_TYPE_LAST
} PacketType;

typedef struct Packet_ {
  twobytes src;
  twobytes dst;
  twobytes hop;
  byte size;
  byte type;
  byte sequence;
  byte response;
  twobytes crc;
  byte fragment;
  byte fragments;
  byte attempt;
  byte hops;
  byte data[];
} Packet;

_Static_assert(sizeof(Packet) == 16, "the seed's header is 16 bytes");

#define NETWORK_KEY 0xAE
#define PACKET_MAX_SIZE 255

static inline byte nextSequence(byte value, int packet_number) {
  if (packet_number == 0) return random() % 255;
  return (value + packet_number) ^ NETWORK_KEY;
}

static inline Packet *NewPacket(byte datasize) {
  Packet *p = (Packet *)calloc(1, sizeof(Packet) + datasize);
  p->size = sizeof(Packet) + datasize;
  return p;
}

static inline void ReleasePacket(Packet *packet) { free(packet); }

#endif
