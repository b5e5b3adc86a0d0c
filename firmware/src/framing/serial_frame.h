/*
 * The serial link's frames, exactly as src/transport/serial-framing.ts speaks them:
 *   00 | COBS(payload || CRC-16/CCITT-FALSE of payload, big-endian) | 00
 * Portable C99 (no MCU headers): the firmware and the host test driver compile the same file.
 */
#ifndef FRAMING_SERIAL_FRAME_H
#define FRAMING_SERIAL_FRAME_H

#include <stdint.h>

#include "cobs.h"

#define SERIAL_DELIMITER 0x00u
#define SERIAL_CRC_SIZE 2u

/* Block buffer a deframer needs for frames of up to mtu bytes (as SerialDeframer sizes it). */
#define SERIAL_BLOCK_SIZE(mtu) COBS_MAX_ENCODED((mtu) + SERIAL_CRC_SIZE)
/* Largest wire size of a frame of n bytes, both delimiters included. */
#define SERIAL_WIRE_MAX(n) (SERIAL_BLOCK_SIZE(n) + 2u)

/*
 * Writes the wire form of payload[0, length) to wire (room for SERIAL_WIRE_MAX(length) bytes)
 * and returns its size. payload and wire must not overlap.
 */
uint16_t serial_frame_encode(const uint8_t *payload, uint16_t length, uint8_t *wire);

typedef enum {
  SERIAL_PENDING = 0, /* no frame ended with this byte */
  SERIAL_FRAME,       /* a valid frame: *frame, *length are set */
  SERIAL_OVERSIZE,    /* a frame over the MTU was dropped */
  SERIAL_CORRUPT,     /* a block that was not valid COBS or failed the CRC was dropped */
} serial_status_t;

typedef struct {
  uint8_t *block;      /* caller's buffer of SERIAL_BLOCK_SIZE(mtu) bytes */
  uint16_t capacity;   /* its size */
  uint16_t mtu;        /* largest payload accepted */
  uint16_t length;     /* bytes of the current block so far */
  uint8_t discarding;  /* skipping the rest of an oversize frame, up to the next 00 */
} serial_deframer_t;

void serial_deframer_init(serial_deframer_t *d, uint8_t *block, uint16_t capacity, uint16_t mtu);

/* Forgets a partial frame. */
void serial_deframer_reset(serial_deframer_t *d);

/*
 * Feeds one received byte. On SERIAL_FRAME, *frame points into the block buffer and stays
 * valid until the next push.
 */
serial_status_t serial_deframer_push(serial_deframer_t *d, uint8_t byte, const uint8_t **frame,
                                     uint16_t *length);

#endif
