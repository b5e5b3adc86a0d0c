/*
 * Consistent Overhead Byte Stuffing, byte for byte what src/transport/cobs.ts does: a block
 * with no 0x00 in it, at a cost of one byte per 254 plus one, so 0x00 can delimit frames.
 */
#ifndef FRAMING_COBS_H
#define FRAMING_COBS_H

#include <stdint.h>

/* Largest encoded size of an n-byte block. */
#define COBS_MAX_ENCODED(n) ((n) + (n) / 254u + 1u)

/*
 * Incremental encoder: put bytes one at a time, then finish. Lets the serial framing encode
 * payload || CRC without first copying the payload to append the CRC.
 */
typedef struct {
  uint8_t *out;     /* room for COBS_MAX_ENCODED(bytes put) */
  uint16_t code_at; /* where the current block's code byte goes */
  uint16_t length;  /* bytes written so far, the pending code byte included */
  uint8_t code;     /* 1 + data bytes in the current block */
} cobs_encoder_t;

void cobs_encoder_init(cobs_encoder_t *e, uint8_t *out);
void cobs_encoder_put(cobs_encoder_t *e, uint8_t byte);
/* Closes the last block and returns the encoded size. */
uint16_t cobs_encoder_finish(cobs_encoder_t *e);

/* Encodes data[0, length) into out (room for COBS_MAX_ENCODED(length)); returns the size. */
uint16_t cobs_encode(const uint8_t *data, uint16_t length, uint8_t *out);

/*
 * Decodes a block (without delimiters) in place: the decoded bytes never overtake the encoded
 * ones, so no second buffer is needed on a 2 KiB MCU. Returns the decoded length, or -1 when
 * the block is not valid COBS (a zero byte, or a code that runs past the end).
 */
int16_t cobs_decode_in_place(uint8_t *block, uint16_t length);

#endif
