#include "nrf24.h"

#include <util/delay.h>

#include "../hal/board.h"
#include "../hal/spi.h"

/* The IRQ line signals received packets only: TX_DS is polled in nrf24_send, and MAX_RT
 * cannot happen without auto-acknowledgement. */
#define CONFIG_BASE (NRF_MASK_TX_DS | NRF_MASK_MAX_RT | NRF_EN_CRC | NRF_CRCO | NRF_PWR_UP)
#define CONFIG_RX (CONFIG_BASE | NRF_PRIM_RX)
#define CONFIG_TX CONFIG_BASE
#define RF_SETUP_2MBPS_0DBM (NRF_RF_DR_HIGH | NRF_RF_PWR_0DBM)

/* A 32-byte packet at 2 Mbps takes 130 us of PLL settling plus ~170 us on air; 2 ms is ample
 * and still short next to a meshlink retry. */
#define TX_TIMEOUT_STEPS 200u
#define TX_POLL_US 10u

static uint8_t command(uint8_t cmd) {
  radio_csn(0);
  uint8_t status = spi_transfer(cmd);
  radio_csn(1);
  return status;
}

uint8_t nrf24_read_register(uint8_t reg) {
  radio_csn(0);
  spi_transfer(NRF_R_REGISTER | reg);
  uint8_t value = spi_transfer(NRF_NOP);
  radio_csn(1);
  return value;
}

static void write_register(uint8_t reg, uint8_t value) {
  radio_csn(0);
  spi_transfer(NRF_W_REGISTER | reg);
  spi_transfer(value);
  radio_csn(1);
}

static void write_bytes(uint8_t cmd, const uint8_t *bytes, uint8_t length) {
  radio_csn(0);
  spi_transfer(cmd);
  for (uint8_t i = 0; i < length; i++) spi_transfer(bytes[i]);
  radio_csn(1);
}

uint8_t nrf24_init(const nrf24_config_t *config) {
  radio_ce(0); /* registers may only be written in power down or standby */
  write_register(NRF_CONFIG, CONFIG_BASE & (uint8_t)~NRF_PWR_UP);
  write_register(NRF_SETUP_AW, NRF_AW_5_BYTES);
  write_register(NRF_SETUP_RETR, 0x00); /* no hardware retransmission: meshlink retries */
  write_register(NRF_RF_CH, config->channel);
  write_register(NRF_RF_SETUP, RF_SETUP_2MBPS_0DBM);
  write_bytes(NRF_W_REGISTER | NRF_TX_ADDR, config->address, 5);
  write_bytes(NRF_W_REGISTER | NRF_RX_ADDR_P1, config->address, 5);
  write_register(NRF_EN_RXADDR, NRF_PIPE1);
  /* The datasheet makes dynamic payloads on a pipe depend on ENAA for it; no ACK is ever sent
   * all the same, since every packet goes out flagged NO_ACK. */
  write_register(NRF_EN_AA, NRF_PIPE1);
  write_register(NRF_FEATURE, NRF_EN_DPL | NRF_EN_DYN_ACK);
  write_register(NRF_DYNPD, NRF_PIPE1);
  command(NRF_FLUSH_TX);
  command(NRF_FLUSH_RX);
  write_register(NRF_STATUS, NRF_RX_DR | NRF_TX_DS | NRF_MAX_RT);
  if (nrf24_read_register(NRF_RF_SETUP) != RF_SETUP_2MBPS_0DBM ||
      nrf24_read_register(NRF_RF_CH) != config->channel ||
      nrf24_read_register(NRF_FEATURE) != (NRF_EN_DPL | NRF_EN_DYN_ACK)) {
    return 0;
  }
  write_register(NRF_CONFIG, CONFIG_RX);
  _delay_us(1500); /* Tpd2stby: power down to standby, crystal oscillator start-up */
  radio_ce(1);     /* RX mode after 130 us of settling */
  return 1;
}

uint8_t nrf24_send(const uint8_t *payload, uint8_t length) {
  radio_ce(0);
  write_register(NRF_CONFIG, CONFIG_TX);
  write_register(NRF_STATUS, NRF_TX_DS | NRF_MAX_RT);
  command(NRF_FLUSH_TX);
  write_bytes(NRF_W_TX_PAYLOAD_NOACK, payload, length);
  radio_ce(1);
  _delay_us(15); /* a CE pulse of at least 10 us sends one packet */
  radio_ce(0);
  uint8_t sent = 0;
  for (uint8_t step = 0; step < TX_TIMEOUT_STEPS; step++) {
    if (command(NRF_NOP) & NRF_TX_DS) {
      sent = 1;
      break;
    }
    _delay_us(TX_POLL_US);
  }
  if (!sent) command(NRF_FLUSH_TX);
  write_register(NRF_STATUS, NRF_TX_DS | NRF_MAX_RT);
  write_register(NRF_CONFIG, CONFIG_RX);
  radio_ce(1);
  return sent;
}

void nrf24_ack_rx_interrupt(void) { write_register(NRF_STATUS, NRF_RX_DR); }

uint8_t nrf24_receive(uint8_t *buf) {
  if (nrf24_read_register(NRF_FIFO_STATUS) & NRF_RX_EMPTY) return 0;
  radio_csn(0);
  spi_transfer(NRF_R_RX_PL_WID);
  uint8_t length = spi_transfer(NRF_NOP);
  radio_csn(1);
  if (length == 0 || length > NRF_MAX_PAYLOAD) {
    /* The datasheet: a width over 32 means a corrupt packet; flush the RX FIFO. */
    command(NRF_FLUSH_RX);
    return 0;
  }
  radio_csn(0);
  spi_transfer(NRF_R_RX_PAYLOAD);
  for (uint8_t i = 0; i < length; i++) buf[i] = spi_transfer(NRF_NOP);
  radio_csn(1);
  return length;
}
