/*
 * The dongle's wiring (Arduino Nano/Uno pin names in brackets), as in the seed's sketch
 * (RF24 radio(9, 10): CE on D9, CSN on D10) plus the radio's IRQ on INT0:
 *   CE   PB1 (D9)    CSN  PB2 (D10, the SPI SS pin: an output, so SPI stays master)
 *   MOSI PB3 (D11)   MISO PB4 (D12)   SCK PB5 (D13)   IRQ  PD2 (D2, INT0, active low)
 * Everything that names a port or pin is in this header, so moving a wire changes one line.
 */
#ifndef HAL_BOARD_H
#define HAL_BOARD_H

#include <avr/io.h>

#define RADIO_CE_BIT PB1
#define RADIO_CSN_BIT PB2
#define RADIO_IRQ_BIT PD2

static inline void board_pins_init(void) {
  DDRB |= _BV(RADIO_CE_BIT) | _BV(RADIO_CSN_BIT) | _BV(PB3) | _BV(PB5);
  DDRB &= (uint8_t)~_BV(PB4);
  PORTB |= _BV(RADIO_CSN_BIT); /* deselected */
  PORTB &= (uint8_t)~_BV(RADIO_CE_BIT);
  DDRD &= (uint8_t)~_BV(RADIO_IRQ_BIT);
  PORTD |= _BV(RADIO_IRQ_BIT); /* pull-up: an unwired IRQ reads idle, not pending */
}

static inline void radio_ce(uint8_t high) {
  if (high) PORTB |= _BV(RADIO_CE_BIT);
  else PORTB &= (uint8_t)~_BV(RADIO_CE_BIT);
}

static inline void radio_csn(uint8_t high) {
  if (high) PORTB |= _BV(RADIO_CSN_BIT);
  else PORTB &= (uint8_t)~_BV(RADIO_CSN_BIT);
}

static inline uint8_t radio_irq_asserted(void) { return !(PIND & _BV(RADIO_IRQ_BIT)); }

#endif
