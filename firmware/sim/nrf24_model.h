/*
 * A behavioural model of the nRF24L01+ for simavr: the SPI command set and register map the
 * firmware uses (per the Nordic datasheet), CE/CSN on GPIO pins, the active-low IRQ line, 3-deep
 * TX and RX FIFOs, and an "air" shared by every modelled radio. A packet reaches another radio
 * only if the two agree on what a real pair must agree on: channel, data rate, address width
 * and address, CRC length, dynamic payloads; and the receiver is powered up, in RX (PRIM_RX
 * with CE high), not itself transmitting, with room in its RX FIFO.
 *
 * Not modelled: RF noise, loss, collisions and carrier timing between radios (the air is
 * perfect), the ACK/retransmit engine beyond "acknowledged if anyone received it", static
 * payload widths, pipes other than 0 and 1, power levels and the ACK-payload feature.
 */
#ifndef SIM_NRF24_MODEL_H
#define SIM_NRF24_MODEL_H

#include <stdint.h>

#include "sim_avr.h"
#include "sim_irq.h"

#define NRF_MODEL_FIFO 3

typedef struct nrf_packet {
  uint8_t length;
  uint8_t no_ack;
  uint8_t bytes[32];
} nrf_packet_t;

typedef struct nrf_fifo {
  nrf_packet_t slot[NRF_MODEL_FIFO];
  uint8_t count;
} nrf_fifo_t;

struct nrf_air;

typedef struct nrf_model {
  avr_t *avr;
  struct nrf_air *air;
  int index;
  uint8_t reg[0x20];
  uint8_t rx_addr_p0[5], rx_addr_p1[5], tx_addr[5];
  nrf_fifo_t tx, rx;
  uint8_t ce, csn, transmitting;
  /* the SPI transaction in progress */
  uint8_t command;
  uint16_t position;
  nrf_packet_t incoming;
  avr_irq_t *irq_pin;
  uint8_t announced; /* printed its configuration on first entering RX */
  uint32_t received, sent, rx_overflow;
} nrf_model_t;

typedef struct nrf_air {
  nrf_model_t *radios[8];
  int count;
  /* Called for every packet that went on air, with the radios that took it (bit mask). */
  void (*on_packet)(const nrf_model_t *from, const nrf_packet_t *packet, uint32_t receivers);
  void (*on_listening)(const nrf_model_t *radio);
} nrf_air_t;

/* Wires a model to avr: SPI, CE = PB1, CSN = PB2, IRQ = PD2 (the firmware's hal/board.h). */
void nrf_model_attach(nrf_model_t *m, avr_t *avr, nrf_air_t *air);

/* 2 Mbps, 1 Mbps or 250 kbps from RF_SETUP, in kbit/s. */
uint32_t nrf_model_rate_kbps(const nrf_model_t *m);

#endif
