#include "cobs.h"

void cobs_encoder_init(cobs_encoder_t *e, uint8_t *out) {
  e->out = out;
  e->code_at = 0;
  e->length = 1;
  e->code = 1;
}

static void close_block(cobs_encoder_t *e) {
  e->out[e->code_at] = e->code;
  e->code_at = e->length++;
  e->code = 1;
}

void cobs_encoder_put(cobs_encoder_t *e, uint8_t byte) {
  /* A full run of 254 non-zero bytes ends its block with no implied zero, and a new block is
   * opened only once more data comes: deciding here, on the next byte, gives the same bytes as
   * cobs.ts, which looks ahead instead. */
  if (e->code == 0xFF) close_block(e);
  if (byte == 0) {
    close_block(e);
    return;
  }
  e->out[e->length++] = byte;
  e->code++;
}

uint16_t cobs_encoder_finish(cobs_encoder_t *e) {
  e->out[e->code_at] = e->code;
  return e->length;
}

uint16_t cobs_encode(const uint8_t *data, uint16_t length, uint8_t *out) {
  cobs_encoder_t e;
  cobs_encoder_init(&e, out);
  for (uint16_t i = 0; i < length; i++) cobs_encoder_put(&e, data[i]);
  return cobs_encoder_finish(&e);
}

int16_t cobs_decode_in_place(uint8_t *block, uint16_t length) {
  uint16_t i = 0;
  uint16_t o = 0;
  while (i < length) {
    uint8_t code = block[i];
    if (code == 0 || (uint32_t)i + code > length) return -1;
    for (uint8_t k = 1; k < code; k++) {
      uint8_t byte = block[i + k];
      if (byte == 0) return -1;
      block[o++] = byte; /* o < i + k here, so this never overwrites unread input */
    }
    i += code;
    if (code != 0xFF && i < length) block[o++] = 0;
  }
  return (int16_t)o;
}
