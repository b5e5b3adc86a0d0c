/*
 * CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final XOR; check value 0x29B1
 * for "123456789"): the same CRC as src/core/crc16.ts, which the serial framing appends.
 * Bitwise rather than table-driven: a 512-byte table would cost a quarter of the ATmega328P's
 * RAM, and a radio frame is at most 34 bytes through it.
 */
#ifndef FRAMING_CRC16_H
#define FRAMING_CRC16_H

#include <stdint.h>

#define CRC16_INIT 0xFFFFu

uint16_t crc16_update(uint16_t crc, uint8_t byte);
uint16_t crc16(const uint8_t *bytes, uint16_t length);

#endif
