/*
 * nRF24L01+ commands and registers, from the Nordic datasheet (nRF24L01+ Preliminary Product
 * Specification v1.0, 2008, sections 8.3.1 "SPI commands" and 9 "Register map").
 */
#ifndef RADIO_NRF24_REGS_H
#define RADIO_NRF24_REGS_H

/* SPI commands */
#define NRF_R_REGISTER 0x00u /* | 5-bit register address */
#define NRF_W_REGISTER 0x20u /* | 5-bit register address; only in power down or standby */
#define NRF_R_RX_PAYLOAD 0x61u
#define NRF_W_TX_PAYLOAD 0xA0u
#define NRF_W_TX_PAYLOAD_NOACK 0xB0u /* needs FEATURE.EN_DYN_ACK */
#define NRF_R_RX_PL_WID 0x60u        /* needs FEATURE.EN_DPL */
#define NRF_FLUSH_TX 0xE1u
#define NRF_FLUSH_RX 0xE2u
#define NRF_NOP 0xFFu /* clocks out STATUS */

/* Registers */
#define NRF_CONFIG 0x00u
#define NRF_EN_AA 0x01u
#define NRF_EN_RXADDR 0x02u
#define NRF_SETUP_AW 0x03u
#define NRF_SETUP_RETR 0x04u
#define NRF_RF_CH 0x05u
#define NRF_RF_SETUP 0x06u
#define NRF_STATUS 0x07u
#define NRF_RX_ADDR_P0 0x0Au
#define NRF_RX_ADDR_P1 0x0Bu
#define NRF_TX_ADDR 0x10u
#define NRF_FIFO_STATUS 0x17u
#define NRF_DYNPD 0x1Cu
#define NRF_FEATURE 0x1Du

/* CONFIG */
#define NRF_MASK_RX_DR 0x40u
#define NRF_MASK_TX_DS 0x20u
#define NRF_MASK_MAX_RT 0x10u
#define NRF_EN_CRC 0x08u
#define NRF_CRCO 0x04u /* 2-byte CRC */
#define NRF_PWR_UP 0x02u
#define NRF_PRIM_RX 0x01u

/* EN_AA, EN_RXADDR, DYNPD: one bit per pipe */
#define NRF_PIPE1 0x02u

/* SETUP_AW */
#define NRF_AW_5_BYTES 0x03u

/* RF_SETUP */
#define NRF_RF_DR_LOW 0x20u
#define NRF_RF_DR_HIGH 0x08u /* with RF_DR_LOW clear: 2 Mbps */
#define NRF_RF_PWR_0DBM 0x06u

/* STATUS */
#define NRF_RX_DR 0x40u
#define NRF_TX_DS 0x20u
#define NRF_MAX_RT 0x10u

/* FIFO_STATUS */
#define NRF_RX_EMPTY 0x01u

/* FEATURE */
#define NRF_EN_DPL 0x04u
#define NRF_EN_DYN_ACK 0x01u

#define NRF_MAX_PAYLOAD 32u

#endif
