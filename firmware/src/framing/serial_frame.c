#include "serial_frame.h"

#include "crc16.h"

uint16_t serial_frame_encode(const uint8_t *payload, uint16_t length, uint8_t *wire) {
  uint16_t crc = crc16(payload, length);
  cobs_encoder_t e;
  wire[0] = SERIAL_DELIMITER;
  cobs_encoder_init(&e, wire + 1);
  for (uint16_t i = 0; i < length; i++) cobs_encoder_put(&e, payload[i]);
  cobs_encoder_put(&e, (uint8_t)(crc >> 8));
  cobs_encoder_put(&e, (uint8_t)(crc & 0xFF));
  uint16_t size = 1 + cobs_encoder_finish(&e);
  wire[size++] = SERIAL_DELIMITER;
  return size;
}

void serial_deframer_init(serial_deframer_t *d, uint8_t *block, uint16_t capacity, uint16_t mtu) {
  d->block = block;
  d->capacity = capacity;
  d->mtu = mtu;
  serial_deframer_reset(d);
}

void serial_deframer_reset(serial_deframer_t *d) {
  d->length = 0;
  d->discarding = 0;
}

serial_status_t serial_deframer_push(serial_deframer_t *d, uint8_t byte, const uint8_t **frame,
                                     uint16_t *length) {
  if (byte != SERIAL_DELIMITER) {
    if (d->discarding) return SERIAL_PENDING;
    if (d->length >= d->capacity) {
      d->discarding = 1;
      return SERIAL_PENDING;
    }
    d->block[d->length++] = byte;
    return SERIAL_PENDING;
  }
  if (d->discarding) {
    serial_deframer_reset(d);
    return SERIAL_OVERSIZE;
  }
  if (d->length == 0) return SERIAL_PENDING; /* idle delimiters between frames */
  int16_t decoded = cobs_decode_in_place(d->block, d->length);
  d->length = 0;
  if (decoded < (int16_t)SERIAL_CRC_SIZE) return SERIAL_CORRUPT;
  uint16_t size = (uint16_t)decoded - SERIAL_CRC_SIZE;
  if (size > d->mtu) return SERIAL_OVERSIZE;
  uint16_t expected = (uint16_t)((d->block[size] << 8) | d->block[size + 1]);
  if (crc16(d->block, size) != expected) return SERIAL_CORRUPT;
  *frame = d->block;
  *length = size;
  return SERIAL_FRAME;
}
