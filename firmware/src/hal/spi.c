#include "spi.h"

#include <avr/io.h>

void spi_init(void) {
  /* SS (PB2) must already be an output (board_pins_init), or a low level on it would throw
   * the SPI into slave mode. */
  SPCR = _BV(SPE) | _BV(MSTR);
  SPSR = _BV(SPI2X);
}

uint8_t spi_transfer(uint8_t out) {
  SPDR = out;
  while (!(SPSR & _BV(SPIF))) {
  }
  return SPDR;
}
