#include "nrf24_model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avr_ioport.h"
#include "avr_spi.h"
#include "sim_cycle_timers.h"
#include "sim_time.h"

/* Register addresses and bits: written out here rather than shared with the firmware's
 * nrf24_regs.h, so a wrong constant there is not silently agreed with. */
enum {
  CONFIG = 0x00, EN_AA = 0x01, EN_RXADDR = 0x02, SETUP_AW = 0x03, SETUP_RETR = 0x04,
  RF_CH = 0x05, RF_SETUP = 0x06, STATUS = 0x07, RX_ADDR_P0 = 0x0A, RX_ADDR_P1 = 0x0B,
  TX_ADDR = 0x10, RX_PW_P1 = 0x12, FIFO_STATUS = 0x17, DYNPD = 0x1C, FEATURE = 0x1D,
};
#define ST_RX_DR 0x40
#define ST_TX_DS 0x20
#define ST_MAX_RT 0x10

static uint8_t *address_register(nrf_model_t *m, uint8_t reg) {
  switch (reg) {
    case RX_ADDR_P0: return m->rx_addr_p0;
    case RX_ADDR_P1: return m->rx_addr_p1;
    case TX_ADDR: return m->tx_addr;
    default: return NULL;
  }
}

static uint8_t address_width(const nrf_model_t *m) { return (uint8_t)((m->reg[SETUP_AW] & 3) + 2); }

uint32_t nrf_model_rate_kbps(const nrf_model_t *m) {
  uint8_t s = m->reg[RF_SETUP];
  if (s & 0x20) return 250;
  return (s & 0x08) ? 2000 : 1000;
}

static uint8_t crc_bytes(const nrf_model_t *m) {
  if (!(m->reg[CONFIG] & 0x08)) return 0;
  return (m->reg[CONFIG] & 0x04) ? 2 : 1;
}

static uint8_t dynamic_payloads_p1(const nrf_model_t *m) {
  /* The datasheet: DPL on a pipe needs FEATURE.EN_DPL, DYNPD.DPL_Px and EN_AA.ENAA_Px. */
  return (m->reg[FEATURE] & 0x04) && (m->reg[DYNPD] & 0x02) && (m->reg[EN_AA] & 0x02);
}

static uint8_t status(const nrf_model_t *m) {
  uint8_t s = m->reg[STATUS] & (ST_RX_DR | ST_TX_DS | ST_MAX_RT);
  s |= m->rx.count ? (1 << 1) /* RX_P_NO = pipe 1 */ : 0x0E /* RX FIFO empty */;
  if (m->tx.count == NRF_MODEL_FIFO) s |= 0x01;
  return s;
}

static void update_irq(nrf_model_t *m) {
  uint8_t flags = m->reg[STATUS] & ~m->reg[CONFIG] & (ST_RX_DR | ST_TX_DS | ST_MAX_RT);
  avr_raise_irq(m->irq_pin, flags ? 0 : 1);
}

static uint8_t listening(const nrf_model_t *m) {
  return (m->reg[CONFIG] & 0x02) && (m->reg[CONFIG] & 0x01) && m->ce && !m->transmitting;
}

static void push(nrf_fifo_t *f, const nrf_packet_t *p) { f->slot[f->count++] = *p; }

static void pop(nrf_fifo_t *f) {
  memmove(&f->slot[0], &f->slot[1], sizeof f->slot[0] * (NRF_MODEL_FIFO - 1));
  f->count--;
}

static int hears(const nrf_model_t *rx, const nrf_model_t *tx) {
  uint8_t aw = address_width(tx);
  return rx != tx && listening(rx) && rx->reg[RF_CH] == tx->reg[RF_CH] &&
         nrf_model_rate_kbps(rx) == nrf_model_rate_kbps(tx) && address_width(rx) == aw &&
         crc_bytes(rx) == crc_bytes(tx) && crc_bytes(tx) > 0 && (rx->reg[EN_RXADDR] & 0x02) &&
         memcmp(rx->rx_addr_p1, tx->tx_addr, aw) == 0 && dynamic_payloads_p1(rx) &&
         (tx->reg[FEATURE] & 0x04);
}

static void start_transmit(nrf_model_t *m);

/* The packet has been on air for its whole duration: the listeners take it. */
static avr_cycle_count_t transmit_done(avr_t *avr, avr_cycle_count_t when, void *param) {
  (void)avr;
  (void)when;
  nrf_model_t *m = param;
  nrf_packet_t packet = m->tx.slot[0];
  pop(&m->tx);
  uint32_t receivers = 0;
  for (int i = 0; i < m->air->count; i++) {
    nrf_model_t *r = m->air->radios[i];
    if (!hears(r, m)) continue;
    if (r->rx.count == NRF_MODEL_FIFO) {
      r->rx_overflow++; /* a full RX FIFO drops the new packet, as the real chip does */
      continue;
    }
    push(&r->rx, &packet);
    r->received++;
    r->reg[STATUS] |= ST_RX_DR;
    update_irq(r);
    receivers |= 1u << i;
  }
  m->transmitting = 0;
  m->sent++;
  /* A NO_ACK packet is done once sent; an acknowledged one succeeds only if someone took it
   * (retransmissions are not modelled one by one). */
  m->reg[STATUS] |= (packet.no_ack || receivers || !(m->reg[EN_AA] & 1)) ? ST_TX_DS : ST_MAX_RT;
  update_irq(m);
  if (m->air->on_packet) m->air->on_packet(m, &packet, receivers);
  if (m->ce && m->tx.count && !(m->reg[CONFIG] & 0x01)) start_transmit(m);
  return 0;
}

static void start_transmit(nrf_model_t *m) {
  if (m->transmitting || !m->tx.count || !(m->reg[CONFIG] & 0x02)) return;
  m->transmitting = 1;
  /* 130 us PLL settling, then preamble 1 + address + 9-bit control field + payload + CRC. */
  uint32_t bits = 8u * (1u + address_width(m) + m->tx.slot[0].length + crc_bytes(m)) + 9u;
  uint32_t usec = 130u + (bits * 1000u + nrf_model_rate_kbps(m) - 1u) / nrf_model_rate_kbps(m);
  avr_cycle_timer_register_usec(m->avr, usec, transmit_done, m);
}

static void announce_if_listening(nrf_model_t *m) {
  if (!m->announced && listening(m)) {
    m->announced = 1;
    if (m->air->on_listening) m->air->on_listening(m);
  }
}

static void on_ce(avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  nrf_model_t *m = param;
  uint8_t rising = value && !m->ce;
  m->ce = value ? 1 : 0;
  if (rising && !(m->reg[CONFIG] & 0x01)) start_transmit(m);
  announce_if_listening(m);
}

static void end_transaction(nrf_model_t *m) {
  uint8_t c = m->command;
  if (m->position == 0) return;
  static int trace = -1;
  if (trace < 0) trace = getenv("DONGLE_SIM_TRACE") != NULL;
  if (trace) {
    fprintf(stderr, "radio %d cycle %llu: command %02x, %u bytes; tx fifo %u, rx fifo %u, CE %u\n",
            m->index, (unsigned long long)m->avr->cycle, c, m->position, m->tx.count, m->rx.count,
            m->ce);
  }
  if ((c == 0xA0 || c == 0xB0) && m->incoming.length > 0 && m->tx.count < NRF_MODEL_FIFO) {
    push(&m->tx, &m->incoming);
    if (m->ce && !(m->reg[CONFIG] & 0x01)) start_transmit(m);
  } else if (c == 0x61 && m->rx.count) {
    pop(&m->rx); /* a payload read is a payload gone */
  }
}

static void on_csn(avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  nrf_model_t *m = param;
  uint8_t high = value ? 1 : 0;
  if (high == m->csn) return;
  m->csn = high;
  if (high) {
    end_transaction(m);
  } else {
    m->position = 0;
    m->incoming.length = 0;
  }
}

static void write_register(nrf_model_t *m, uint8_t reg, uint16_t index, uint8_t value) {
  uint8_t *address = address_register(m, reg);
  if (address) {
    if (index < 5) address[index] = value;
    return;
  }
  if (index > 0) return;
  if (reg == STATUS) {
    m->reg[STATUS] &= (uint8_t)~(value & (ST_RX_DR | ST_TX_DS | ST_MAX_RT)); /* write 1 to clear */
  } else if (reg != FIFO_STATUS) {
    m->reg[reg] = value;
  }
  update_irq(m);
  announce_if_listening(m);
}

static uint8_t read_register(nrf_model_t *m, uint8_t reg, uint16_t index) {
  uint8_t *address = address_register(m, reg);
  if (address) return index < 5 ? address[index] : 0;
  if (reg == STATUS) return status(m);
  if (reg == FIFO_STATUS) {
    return (uint8_t)((m->rx.count == 0 ? 0x01 : 0) | (m->rx.count == NRF_MODEL_FIFO ? 0x02 : 0) |
                     (m->tx.count == 0 ? 0x10 : 0) | (m->tx.count == NRF_MODEL_FIFO ? 0x20 : 0));
  }
  return m->reg[reg];
}

/* One SPI byte: what goes out on MISO depends on the bytes before it; the byte in goes to
 * the command in progress. */
static void on_spi(avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  nrf_model_t *m = param;
  uint8_t in = (uint8_t)value;
  uint8_t out = 0xFF;
  if (m->csn) goto reply; /* not selected: MISO floats */
  if (m->position == 0) {
    out = status(m);
    m->command = in;
    uint8_t c = in;
    if (c == 0xE1) m->tx.count = 0;
    if (c == 0xE2) m->rx.count = 0;
  } else {
    uint16_t i = (uint16_t)(m->position - 1);
    uint8_t c = m->command;
    if (c < 0x20) out = read_register(m, c & 0x1F, i);
    else if (c < 0x40) write_register(m, c & 0x1F, i, in);
    else if (c == 0x60) out = (uint8_t)(i == 0 && m->rx.count ? m->rx.slot[0].length : 0);
    else if (c == 0x61) out = m->rx.count && i < m->rx.slot[0].length ? m->rx.slot[0].bytes[i] : 0;
    else if (c == 0xA0 || (c == 0xB0 && (m->reg[FEATURE] & 0x01))) {
      /* W_TX_PAYLOAD_NOACK is only a command with FEATURE.EN_DYN_ACK set, as on the chip. */
      if (i < 32) {
        m->incoming.bytes[i] = in;
        m->incoming.length = (uint8_t)(i + 1);
        m->incoming.no_ack = c == 0xB0;
      }
    }
  }
  m->position++;
reply:
  avr_raise_irq(avr_io_getirq(m->avr, AVR_IOCTL_SPI_GETIRQ(0), SPI_IRQ_INPUT), out);
}

void nrf_model_attach(nrf_model_t *m, avr_t *avr, nrf_air_t *air) {
  memset(m, 0, sizeof *m);
  m->avr = avr;
  m->air = air;
  m->index = air->count;
  air->radios[air->count++] = m;
  /* Reset values from the datasheet's register map. */
  m->reg[CONFIG] = 0x08;
  m->reg[EN_AA] = 0x3F;
  m->reg[EN_RXADDR] = 0x03;
  m->reg[SETUP_AW] = 0x03;
  m->reg[SETUP_RETR] = 0x03;
  m->reg[RF_CH] = 0x02;
  m->reg[RF_SETUP] = 0x0E;
  memset(m->rx_addr_p0, 0xE7, 5);
  memset(m->rx_addr_p1, 0xC2, 5);
  memset(m->tx_addr, 0xE7, 5);
  m->csn = 1;
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_SPI_GETIRQ(0), SPI_IRQ_OUTPUT), on_spi, m);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('B'), 1), on_ce, m);
  avr_irq_register_notify(avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('B'), 2), on_csn, m);
  m->irq_pin = avr_io_getirq(avr, AVR_IOCTL_IOPORT_GETIRQ('D'), 2);
  avr_raise_irq(m->irq_pin, 1);
}
