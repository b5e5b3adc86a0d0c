/*
 * nRF24L01+ driver for a mesh: every node transmits to and listens on one shared address, so a
 * packet is a broadcast to whoever is in reach, as a meshlink medium expects. Packets go out
 * with W_TX_PAYLOAD_NOACK: with several listeners, hardware auto-acknowledgement would have all
 * of them answer at once, and meshlink acknowledges and retries end to end itself.
 * Dynamic payload length (1..32 bytes) keeps one radio packet = one meshlink frame.
 *
 * The radio idles in RX (CE high); nrf24_send switches to TX for one packet and back.
 */
#ifndef RADIO_NRF24_H
#define RADIO_NRF24_H

#include <stdint.h>

#include "nrf24_regs.h"

typedef struct {
  uint8_t channel;    /* RF_CH: 2400 + channel MHz, 0..125 */
  uint8_t address[5]; /* the network's shared address, least significant byte first */
} nrf24_config_t;

/* Configures the radio (2 Mbps, 0 dBm, 2-byte CRC, dynamic payloads) and starts listening.
 * Returns 0 when the radio does not read back what was written (absent, miswired, no power). */
uint8_t nrf24_init(const nrf24_config_t *config);

/* Sends one packet of 1..32 bytes; returns 0 if the radio never reported it sent. */
uint8_t nrf24_send(const uint8_t *payload, uint8_t length);

/* Clears the receive interrupt flag: call before draining with nrf24_receive, so a packet that
 * lands while draining raises the IRQ line again. */
void nrf24_ack_rx_interrupt(void);

/* Takes the next received packet into buf (32 bytes of room); returns its length, 0 if none. */
uint8_t nrf24_receive(uint8_t *buf);

uint8_t nrf24_read_register(uint8_t reg);

#endif
