/*
 * USART0 at UART_BAUD 8N1 with interrupt-driven ring buffers both ways: the receive ISR never
 * waits for the main loop (which may be busy sending a radio packet for ~300 us, three bytes'
 * time at 115200), and transmission drains in the background.
 */
#ifndef HAL_UART_H
#define HAL_UART_H

#include <stdint.h>

#define UART_RX_SIZE 128u /* powers of two: the index wrap is a mask */
#define UART_TX_SIZE 256u

void uart_init(void);
/* Takes one received byte; returns 0 when none is waiting. */
uint8_t uart_read(uint8_t *byte);
/* Whether a received byte is waiting (for the check before sleeping). */
uint8_t uart_rx_pending(void);
/* Free room in the transmit ring. */
uint16_t uart_tx_free(void);
/* Queues bytes for transmission; the caller checked uart_tx_free() first. */
void uart_write(const uint8_t *bytes, uint16_t length);
/* Bytes lost because the receive ring was full, and bytes the hardware overran or mis-framed. */
uint16_t uart_rx_dropped(void);

#endif
