#include "uart.h"

#include <avr/interrupt.h>
#include <avr/io.h>
#include <util/atomic.h>

#ifndef UART_BAUD
#define UART_BAUD 115200UL
#endif

/* Double speed (U2X) halves the rounding error: 115200 comes out at 117647 (+2.1%), which is
 * what every Arduino bootloader and USB-serial chip live with; 250000, 500000 and 1000000 are
 * exact at 16 MHz. */
#define UART_UBRR ((F_CPU + 4UL * UART_BAUD) / (8UL * UART_BAUD) - 1UL)

static volatile uint8_t rx_ring[UART_RX_SIZE];
static volatile uint8_t rx_head, rx_tail;
static volatile uint8_t tx_ring[UART_TX_SIZE];
static volatile uint8_t tx_head, tx_tail; /* 8-bit indices wrap at 256 == UART_TX_SIZE */
static volatile uint16_t rx_dropped;

void uart_init(void) {
  /* U2X before UBRR: the hardware does not care, but simavr derives the byte time once, when
   * UBRR is written, and would otherwise simulate half the baud rate. */
  UCSR0A = _BV(U2X0);
  UBRR0 = (uint16_t)UART_UBRR;
  UCSR0C = _BV(UCSZ01) | _BV(UCSZ00); /* 8N1 */
  UCSR0B = _BV(RXEN0) | _BV(TXEN0) | _BV(RXCIE0);
}

ISR(USART_RX_vect) {
  uint8_t status = UCSR0A; /* read before UDR0: the error flags belong to this byte */
  uint8_t byte = UDR0;
  if (status & (_BV(FE0) | _BV(DOR0))) rx_dropped++;
  uint8_t next = (uint8_t)((rx_head + 1u) & (UART_RX_SIZE - 1u));
  if (next == rx_tail) {
    rx_dropped++; /* the CRC of the frame it belonged to will reject that frame */
    return;
  }
  rx_ring[rx_head] = byte;
  rx_head = next;
}

ISR(USART_UDRE_vect) {
  if (tx_head == tx_tail) {
    UCSR0B &= (uint8_t)~_BV(UDRIE0);
    return;
  }
  UDR0 = tx_ring[tx_tail];
  tx_tail = (uint8_t)(tx_tail + 1u);
}

uint8_t uart_read(uint8_t *byte) {
  if (rx_head == rx_tail) return 0;
  *byte = rx_ring[rx_tail];
  rx_tail = (uint8_t)((rx_tail + 1u) & (UART_RX_SIZE - 1u));
  return 1;
}

uint8_t uart_rx_pending(void) { return rx_head != rx_tail; }

uint16_t uart_tx_free(void) {
  /* One slot stays empty so that head == tail means empty. */
  return (uint16_t)(UART_TX_SIZE - 1u - (uint8_t)(tx_head - tx_tail));
}

void uart_write(const uint8_t *bytes, uint16_t length) {
  for (uint16_t i = 0; i < length; i++) {
    tx_ring[tx_head] = bytes[i];
    tx_head = (uint8_t)(tx_head + 1u);
  }
  UCSR0B |= _BV(UDRIE0);
}

uint16_t uart_rx_dropped(void) {
  uint16_t n;
  ATOMIC_BLOCK(ATOMIC_RESTORESTATE) { n = rx_dropped; }
  return n;
}
