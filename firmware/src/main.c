/*
 * The radio dongle: moves frames between the UART (COBS + CRC framing, as
 * src/transport/serial-framing.ts speaks it) and the nRF24L01+, one serial frame = one radio
 * packet, nothing more. Frames of 0 or more than 32 bytes cannot be one radio packet and are
 * dropped (the host opens the serial medium with an MTU of 32; see docs/firmware.md).
 */
#include <avr/interrupt.h>
#include <avr/io.h>
#include <avr/sleep.h>
#include <util/delay.h>

#include "framing/serial_frame.h"
#include "hal/board.h"
#include "hal/spi.h"
#include "hal/uart.h"
#include "radio/nrf24.h"

#ifndef RADIO_CHANNEL
#define RADIO_CHANNEL 76 /* 0x4C, the seed's channel */
#endif
#ifndef RADIO_ADDRESS
/* The seed's first pipe address 0xF0F0F0F0E1, least significant byte first. */
#define RADIO_ADDRESS {0xE1, 0xF0, 0xF0, 0xF0, 0xF0}
#endif

static const nrf24_config_t radio_config = {.channel = RADIO_CHANNEL, .address = RADIO_ADDRESS};

/* What was dropped where, for a debugger (or simavr's gdb stub) to read. */
struct bridge_counters {
  uint16_t to_radio, to_uart;
  uint16_t serial_corrupt, serial_oversize, empty_frames;
  uint16_t radio_tx_failed, radio_absent;
};
volatile struct bridge_counters bridge_counters;

static volatile uint8_t radio_irq_seen;

ISR(INT0_vect) { radio_irq_seen = 1; }

static uint8_t radio_ok;
/* Set by the IRQ, cleared only once the radio's RX FIFO was found empty. */
static uint8_t radio_may_have_data;

static void uart_frame_to_radio(const uint8_t *frame, uint16_t length) {
  if (length == 0) {
    bridge_counters.empty_frames++; /* an nRF24 payload is 1..32 bytes */
    return;
  }
  if (!radio_ok) radio_ok = nrf24_init(&radio_config); /* plugged in late, browned out */
  if (!radio_ok) {
    bridge_counters.radio_absent++;
    return;
  }
  if (nrf24_send(frame, (uint8_t)length)) bridge_counters.to_radio++;
  else bridge_counters.radio_tx_failed++;
}

static void pump_uart(void) {
  static uint8_t block[SERIAL_BLOCK_SIZE(NRF_MAX_PAYLOAD)];
  static serial_deframer_t deframer;
  static uint8_t ready;
  if (!ready) {
    serial_deframer_init(&deframer, block, sizeof block, NRF_MAX_PAYLOAD);
    ready = 1;
  }
  uint8_t byte;
  while (uart_read(&byte)) {
    const uint8_t *frame;
    uint16_t length;
    switch (serial_deframer_push(&deframer, byte, &frame, &length)) {
      case SERIAL_FRAME: uart_frame_to_radio(frame, length); break;
      case SERIAL_OVERSIZE: bridge_counters.serial_oversize++; break;
      case SERIAL_CORRUPT: bridge_counters.serial_corrupt++; break;
      default: break;
    }
  }
}

/* Moves received packets to the UART while the transmit ring has room for a whole frame;
 * otherwise they wait in the radio's 3-packet FIFO (and the radio drops what does not fit). */
static void pump_radio(void) {
  static uint8_t packet[NRF_MAX_PAYLOAD];
  static uint8_t wire[SERIAL_WIRE_MAX(NRF_MAX_PAYLOAD)];
  if (radio_irq_seen || radio_irq_asserted()) {
    radio_irq_seen = 0;
    radio_may_have_data = 1;
    nrf24_ack_rx_interrupt();
  }
  while (radio_may_have_data && uart_tx_free() >= sizeof wire) {
    uint8_t length = nrf24_receive(packet);
    if (length == 0) {
      radio_may_have_data = 0;
      break;
    }
    uart_write(wire, serial_frame_encode(packet, length, wire));
    bridge_counters.to_uart++;
  }
}

/* Nothing for the radio side to do until an interrupt: no IRQ, and no packet that could be
 * moved now (one waiting for room in the transmit ring waits for the UART's interrupt). */
static uint8_t radio_idle(void) {
  return !radio_irq_seen && !radio_irq_asserted() &&
         !(radio_may_have_data && uart_tx_free() >= SERIAL_WIRE_MAX(NRF_MAX_PAYLOAD));
}

int main(void) {
  board_pins_init();
  spi_init();
  uart_init();
  EICRA = _BV(ISC01); /* INT0 on the falling edge of the radio's active-low IRQ */
  EIMSK = _BV(INT0);
  _delay_ms(100); /* the nRF24L01+'s power-on reset */
  radio_ok = nrf24_init(&radio_config);
  set_sleep_mode(SLEEP_MODE_IDLE);
  sei();
  for (;;) {
    pump_uart();
    if (radio_ok) pump_radio();
    /* Sleep until the next interrupt (a UART byte, the UART ready for more, the radio's
     * IRQ). Checked with interrupts off so one arriving in between is not slept through:
     * sei's effect is delayed by one instruction, so sleep runs before any ISR. */
    cli();
    if (!uart_rx_pending() && (!radio_ok || radio_idle())) {
      sleep_enable();
      sei();
      sleep_cpu();
      sleep_disable();
    }
    sei();
  }
}
