/*
 * Runs the dongle firmware in simavr: one ATmega328P board at 16 MHz per ELF given, each with its
 * UART on a pseudo-terminal and a modelled nRF24L01+ (nrf24_model.c) on SPI; the radios share
 * one simulated air. So a frame written to dongle 0's pty goes UART -> firmware -> SPI -> radio
 * model -> air -> radio model -> SPI -> firmware -> UART and comes out of dongle 1's pty.
 *
 *   dongle-sim FIRMWARE.elf [FIRMWARE.elf ...]     one dongle per ELF (1..4), e.g. two
 *                                                  builds with different radio settings
 *
 * stdout, one line each, for the test to follow:
 *   pty I PATH                      dongle I's serial port
 *   listening I ch=.. rate=..kbps addr=.. crc=.. dpl=.. no_ack=.. retr=..   its radio is in RX
 *   air I>MASK LEN HEX              dongle I's radio sent a packet; MASK = the radios that got it
 * Stops on SIGTERM or SIGINT, or when a core crashes (exit 1). DONGLE_SIM_TRACE=1 in the
 * environment prints every SPI transaction with the radio to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "avr_spi.h"
#include "avr_uart.h"
#include "nrf24_model.h"
#include "sim_avr.h"
#include "sim_core.h"
#include "sim_elf.h"
#include "sim_time.h"

#define MAX_DONGLES 4
#define UART_BYTE_USEC 100 /* one byte per 100 us in: a little under 115200 8N1's line rate */

typedef struct {
  avr_t *avr;
  nrf_model_t radio;
  int master;    /* our end of the pty */
  int keep_open; /* a slave fd we hold, so the master never sees a hang-up between users */
  uint8_t in[4096];
  size_t in_head, in_tail;
} dongle_t;

static dongle_t dongles[MAX_DONGLES];
static int dongle_count;
static nrf_air_t air;
static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static void hex_print(const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) printf("%02x", b[i]);
}

static void on_packet(const nrf_model_t *from, const nrf_packet_t *p, uint32_t receivers) {
  printf("air %d>%x %u ", from->index, receivers, p->length);
  hex_print(p->bytes, p->length);
  printf("\n");
}

static void on_listening(const nrf_model_t *r) {
  printf("listening %d ch=%u rate=%ukbps addr=", r->index, r->reg[0x05], nrf_model_rate_kbps(r));
  for (int i = 4; i >= 0; i--) printf("%02x", r->rx_addr_p1[i]);
  printf(" crc=%u dpl=%s no_ack=%s retr=%02x\n", (r->reg[0x00] & 0x04) ? 2 : 1,
         (r->reg[0x1D] & 0x04) && (r->reg[0x1C] & 0x02) ? "on" : "off",
         (r->reg[0x1D] & 0x01) ? "on" : "off", r->reg[0x04]);
}

/* Reads whatever the host wrote to each pty, without blocking longer than timeout. */
static void service_ptys(int timeout_us) {
  struct pollfd fds[MAX_DONGLES];
  for (int i = 0; i < dongle_count; i++) fds[i] = (struct pollfd){.fd = dongles[i].master, .events = POLLIN};
  struct timespec t = {.tv_sec = 0, .tv_nsec = (long)timeout_us * 1000L};
  if (ppoll(fds, (nfds_t)dongle_count, &t, NULL) <= 0) return;
  for (int i = 0; i < dongle_count; i++) {
    dongle_t *d = &dongles[i];
    if (!(fds[i].revents & POLLIN)) continue;
    if (d->in_head == d->in_tail) d->in_head = d->in_tail = 0;
    size_t room = sizeof d->in - d->in_tail;
    if (room == 0) continue; /* the firmware is behind: leave it in the kernel's buffer */
    ssize_t n = read(d->master, d->in + d->in_tail, room);
    if (n > 0) d->in_tail += (size_t)n;
  }
}

/* Every byte time, hand the UART the next byte the host wrote: a real line never delivers
 * faster than that, and simavr's 64-byte UART FIFO is never overrun. */
static avr_cycle_count_t feed_uart(avr_t *avr, avr_cycle_count_t when, void *param) {
  dongle_t *d = param;
  service_ptys(0);
  if (d->in_head < d->in_tail) {
    avr_raise_irq(avr_io_getirq(avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_INPUT), d->in[d->in_head++]);
  }
  return when + avr_usec_to_cycles(avr, UART_BYTE_USEC);
}

static void on_uart_out(avr_irq_t *irq, uint32_t value, void *param) {
  (void)irq;
  dongle_t *d = param;
  uint8_t b = (uint8_t)value;
  while (write(d->master, &b, 1) < 0 && errno == EINTR) {
  }
}

static struct timespec started;

static uint64_t real_usec(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)(now.tv_sec - started.tv_sec) * 1000000u +
         (uint64_t)((now.tv_nsec - started.tv_nsec) / 1000);
}

/* When every core sleeps, let the wall clock catch up with simulated time, waiting for the
 * host's bytes meanwhile: idle boards cost no CPU, and a board never runs ahead of the host
 * by more than a millisecond. A busy board runs flat out (behind real time on a slow CI). */
static void sleep_hook(avr_t *avr, avr_cycle_count_t how_long) {
  avr_cycle_count_t slowest = avr->cycle + how_long;
  for (int i = 0; i < dongle_count; i++) {
    if (dongles[i].avr == avr) continue;
    if (dongles[i].avr->state != cpu_Sleeping) return;
    if (dongles[i].avr->cycle < slowest) slowest = dongles[i].avr->cycle;
  }
  uint64_t sim = avr_cycles_to_usec(avr, slowest);
  uint64_t real = real_usec();
  uint64_t ahead = sim > real ? sim - real : 0;
  service_ptys(ahead > 1000 ? 1000 : (int)ahead);
}

/*
 * simavr 1.6 completes every SPI byte 100 us after SPDR is written, whatever the clock ("should
 * be speed dependent" in its avr_spi.c): 100 times slower than this firmware's 8 MHz SPI, which
 * would make a radio packet take 10 ms of SPI alone. The harness takes over SPDR writes and
 * completes the byte after 8 SPI clocks at the rate SPCR/SPSR select, as the hardware does.
 */
static avr_cycle_count_t spi_byte_done(avr_t *avr, avr_cycle_count_t when, void *param) {
  (void)when;
  avr_spi_t *p = param;
  if (avr_regbit_get(avr, p->spe) && avr_regbit_get(avr, p->mstr)) {
    avr_raise_interrupt(avr, &p->spi);
    avr_raise_irq(p->io.irq + SPI_IRQ_OUTPUT, avr->data[p->r_spdr]);
  }
  return 0;
}

static void spi_write(avr_t *avr, avr_io_addr_t addr, uint8_t v, void *param) {
  avr_spi_t *p = param;
  static const uint8_t dividers[4] = {4, 16, 64, 128};
  avr_regbit_clear(avr, p->spi.raised); /* writing SPDR clears SPIF */
  avr_core_watch_write(avr, addr, v);
  unsigned divider = dividers[avr_regbit_get(avr, p->spr[0]) | (avr_regbit_get(avr, p->spr[1]) << 1)];
  if (avr_regbit_get(avr, p->spr[2])) divider /= 2; /* SPI2X */
  avr_cycle_timer_register(avr, 8u * divider, spi_byte_done, p);
}

static int fix_spi_timing(avr_t *avr) {
  for (avr_io_t *io = avr->io_port; io; io = io->next) {
    if (strcmp(io->kind, "spi") != 0) continue;
    avr_spi_t *p = (avr_spi_t *)io; /* avr_io_t is avr_spi_t's first member */
    avr->io[AVR_DATA_TO_IO(p->r_spdr)].w.c = spi_write;
    avr->io[AVR_DATA_TO_IO(p->r_spdr)].w.param = p;
    return 0;
  }
  return -1;
}

static int open_pty(dongle_t *d, int index) {
  char name[128];
  int slave;
  if (openpty(&d->master, &slave, name, NULL, NULL) < 0) return -1;
  struct termios tio;
  tcgetattr(slave, &tio);
  cfmakeraw(&tio);
  tcsetattr(slave, TCSANOW, &tio);
  d->keep_open = slave;
  fcntl(d->master, F_SETFL, fcntl(d->master, F_GETFL) | O_NONBLOCK);
  printf("pty %d %s\n", index, name);
  return 0;
}

int main(int argc, char **argv) {
  dongle_count = argc - 1;
  if (dongle_count < 1 || dongle_count > MAX_DONGLES) {
    fprintf(stderr, "usage: dongle-sim FIRMWARE.elf [FIRMWARE.elf ...] (1..%d boards)\n",
            MAX_DONGLES);
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  air.on_packet = on_packet;
  air.on_listening = on_listening;

  for (int i = 0; i < dongle_count; i++) {
    dongle_t *d = &dongles[i];
    static elf_firmware_t firmwares[MAX_DONGLES];
    elf_firmware_t *fw = &firmwares[i];
    if (elf_read_firmware(argv[i + 1], fw) != 0) {
      fprintf(stderr, "dongle-sim: cannot read %s\n", argv[i + 1]);
      return 2;
    }
    d->avr = avr_make_mcu_by_name("atmega328p");
    if (!d->avr) {
      fprintf(stderr, "dongle-sim: this simavr has no atmega328p\n");
      return 2;
    }
    avr_init(d->avr);
    d->avr->frequency = 16000000;
    avr_load_firmware(d->avr, fw);
    d->avr->frequency = 16000000; /* the ELF carries no .mmcu section; a Nano/Uno's crystal */
    d->avr->sleep = sleep_hook;
    uint32_t flags = 0; /* no console echo of UART output, no usleep in UCSRA polls */
    avr_ioctl(d->avr, AVR_IOCTL_UART_SET_FLAGS('0'), &flags);
    avr_irq_register_notify(avr_io_getirq(d->avr, AVR_IOCTL_UART_GETIRQ('0'), UART_IRQ_OUTPUT),
                            on_uart_out, d);
    if (fix_spi_timing(d->avr) != 0) {
      fprintf(stderr, "dongle-sim: no SPI module in this simavr core\n");
      return 2;
    }
    nrf_model_attach(&d->radio, d->avr, &air);
    if (open_pty(d, i) != 0) {
      perror("dongle-sim: openpty");
      return 2;
    }
    avr_cycle_timer_register_usec(d->avr, UART_BYTE_USEC, feed_uart, d);
  }

  clock_gettime(CLOCK_MONOTONIC, &started);
  /* Lockstep: always advance the core that is furthest behind, so radio packets between the
   * boards arrive in (simulated) time order. */
  while (!stopping) {
    dongle_t *next = &dongles[0];
    for (int i = 1; i < dongle_count; i++) {
      if (dongles[i].avr->cycle < next->avr->cycle) next = &dongles[i];
    }
    int state = avr_run(next->avr);
    if (state == cpu_Done || state == cpu_Crashed) {
      fprintf(stderr, "dongle-sim: dongle %d stopped (state %d)\n", (int)(next - dongles), state);
      return 1;
    }
  }
  for (int i = 0; i < dongle_count; i++) avr_terminate(dongles[i].avr);
  return 0;
}
