/* SPI master, mode 0, MSB first, at F_CPU/2 = 8 MHz (the nRF24L01+ takes up to 10 MHz). */
#ifndef HAL_SPI_H
#define HAL_SPI_H

#include <stdint.h>

void spi_init(void);
uint8_t spi_transfer(uint8_t out);

#endif
