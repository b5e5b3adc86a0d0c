#include "crc16.h"

uint16_t crc16_update(uint16_t crc, uint8_t byte) {
  crc ^= (uint16_t)byte << 8;
  for (uint8_t bit = 0; bit < 8; bit++) {
    crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
  }
  return crc;
}

uint16_t crc16(const uint8_t *bytes, uint16_t length) {
  uint16_t crc = CRC16_INIT;
  for (uint16_t i = 0; i < length; i++) crc = crc16_update(crc, bytes[i]);
  return crc;
}
