/*
 * The C -O2 reference for bench/meshlink-codec.ts: the same 16-byte little-endian header and
 * the same table-driven CRC-16/CCITT-FALSE (crc, hop, attempt, hops read as zero), encode +
 * CRC + decode with CRC check, in a loop. usage: frame-codec FRAME_BYTES ITERATIONS
 * prints: frames_per_second checksum
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  uint16_t src, dst, hop;
  uint8_t size, type, sequence, response;
  uint16_t crc;
  uint8_t fragment, fragments, attempt, hops;
  const uint8_t *data;
  int data_len;
} Frame;

static uint16_t table[256];

static void make_table(void) {
  for (int i = 0; i < 256; i++) {
    uint16_t c = (uint16_t)(i << 8);
    for (int b = 0; b < 8; b++) c = (c & 0x8000) ? (uint16_t)((c << 1) ^ 0x1021) : (uint16_t)(c << 1);
    table[i] = c;
  }
}

static inline uint16_t crc_bytes(uint16_t c, const uint8_t *p, int n) {
  for (int i = 0; i < n; i++) c = (uint16_t)((c << 8) ^ table[((c >> 8) ^ p[i]) & 0xff]);
  return c;
}

static inline uint16_t crc_zeros(uint16_t c, int n) {
  for (int i = 0; i < n; i++) c = (uint16_t)((c << 8) ^ table[(c >> 8) & 0xff]);
  return c;
}

static inline uint16_t frame_crc(const uint8_t *b, int size) {
  uint16_t c = crc_bytes(0xffff, b, 4);
  c = crc_zeros(c, 2);
  c = crc_bytes(c, b + 6, 4);
  c = crc_zeros(c, 2);
  c = crc_bytes(c, b + 12, 2);
  c = crc_zeros(c, 2);
  return crc_bytes(c, b + 16, size - 16);
}

static int encode(const Frame *f, uint8_t *b) {
  int size = 16 + f->data_len;
  b[0] = f->src & 0xff; b[1] = f->src >> 8;
  b[2] = f->dst & 0xff; b[3] = f->dst >> 8;
  b[4] = f->hop & 0xff; b[5] = f->hop >> 8;
  b[6] = (uint8_t)size; b[7] = f->type; b[8] = f->sequence; b[9] = f->response;
  b[12] = f->fragment; b[13] = f->fragments; b[14] = f->attempt; b[15] = f->hops;
  memcpy(b + 16, f->data, (size_t)f->data_len);
  uint16_t crc = frame_crc(b, size);
  b[10] = crc & 0xff; b[11] = crc >> 8;
  return size;
}

static int decode(const uint8_t *b, int len, Frame *f) {
  if (len < 16) return -1;
  int size = b[6];
  if (size < 16 || size > len) return -2;
  if (b[7] >= 12) return -3;
  if (b[12] == 0 || b[13] == 0 || b[12] > b[13]) return -4;
  uint16_t crc = (uint16_t)(b[10] | (b[11] << 8));
  if (frame_crc(b, size) != crc) return -5;
  f->src = (uint16_t)(b[0] | (b[1] << 8));
  f->dst = (uint16_t)(b[2] | (b[3] << 8));
  f->hop = (uint16_t)(b[4] | (b[5] << 8));
  f->size = (uint8_t)size; f->type = b[7]; f->sequence = b[8]; f->response = b[9];
  f->crc = crc; f->fragment = b[12]; f->fragments = b[13]; f->attempt = b[14]; f->hops = b[15];
  f->data = b + 16; f->data_len = size - 16;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: frame-codec FRAME_BYTES ITERATIONS\n");
    return 2;
  }
  int frame_bytes = atoi(argv[1]);
  long iterations = atol(argv[2]);
  make_table();
  uint8_t payload[255], buf[255];
  for (int i = 0; i < 255; i++) payload[i] = (uint8_t)(i * 7);
  Frame f = {1, 2, 0, 0, 9, 0, 0, 0, 1, 1, 1, 0, payload, frame_bytes - 16};
  Frame out;
  unsigned long checksum = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < iterations; i++) {
    f.sequence = (uint8_t)i;
    int n = encode(&f, buf);
    if (decode(buf, n, &out) != 0) return 1;
    checksum += out.crc + out.sequence;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%.0f %lu\n", (double)iterations / s, checksum);
  return 0;
}
