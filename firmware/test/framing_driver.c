/*
 * Host test driver for the firmware's framing module (src/framing), driven by
 * test/firmware/framing-golden.test.ts:
 *
 *   framing_driver check GOLDEN   checks every vector of the golden file; prints "ok N vectors"
 *   framing_driver encode         each stdin line is a payload in hex ("-" = empty); prints its
 *                                 wire form in hex, one line each
 *   framing_driver decode MTU     stdin lines are hex chunks of ONE byte stream; prints a line
 *                                 per outcome: "frame HEX" ("frame -" if empty), "oversize",
 *                                 "corrupt"
 *
 * Golden file lines (blank lines and # comments ignored):
 *   mtu N                          the deframer MTU for the lines that follow
 *   frame NAME PAYLOAD_HEX WIRE    encode(PAYLOAD) == WIRE and decode(WIRE) == PAYLOAD
 *   reject NAME REASON WIRE        decode(WIRE) yields nothing but one REASON (oversize|corrupt)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/framing/serial_frame.h"

#define MAX_BYTES 4096
#define MAX_MTU 1024

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses hex ("-" = no bytes) into out; returns the byte count or -1. */
static int parse_hex(const char *text, uint8_t *out, int capacity) {
  if (strcmp(text, "-") == 0) return 0;
  int n = 0;
  for (const char *p = text; *p; p += 2) {
    int hi = hex_value(p[0]);
    int lo = p[1] ? hex_value(p[1]) : -1;
    if (hi < 0 || lo < 0 || n >= capacity) return -1;
    out[n++] = (uint8_t)(hi << 4 | lo);
  }
  return n;
}

static void print_hex(const uint8_t *bytes, int n) {
  if (n == 0) fputs("-", stdout);
  for (int i = 0; i < n; i++) printf("%02x", bytes[i]);
}

static const char *status_name(serial_status_t s) {
  switch (s) {
    case SERIAL_FRAME: return "frame";
    case SERIAL_OVERSIZE: return "oversize";
    case SERIAL_CORRUPT: return "corrupt";
    default: return "pending";
  }
}

static uint8_t block[SERIAL_BLOCK_SIZE(MAX_MTU)];

/* Decodes a whole wire buffer with a fresh deframer: how many frames and which outcomes. */
typedef struct {
  int frames, oversize, corrupt;
  uint8_t last[MAX_MTU];
  int last_length;
} outcome_t;

static outcome_t decode_all(const uint8_t *wire, int n, uint16_t mtu) {
  outcome_t r = {0};
  serial_deframer_t d;
  serial_deframer_init(&d, block, SERIAL_BLOCK_SIZE(mtu), mtu);
  for (int i = 0; i < n; i++) {
    const uint8_t *frame;
    uint16_t length;
    switch (serial_deframer_push(&d, wire[i], &frame, &length)) {
      case SERIAL_FRAME:
        r.frames++;
        memcpy(r.last, frame, length);
        r.last_length = length;
        break;
      case SERIAL_OVERSIZE: r.oversize++; break;
      case SERIAL_CORRUPT: r.corrupt++; break;
      default: break;
    }
  }
  return r;
}

static int check(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return 2;
  }
  char line[4 * MAX_BYTES];
  int line_no = 0, vectors = 0, failures = 0;
  uint16_t mtu = 255;
  static uint8_t payload[MAX_BYTES], expected[MAX_BYTES], wire[MAX_BYTES];
  while (fgets(line, sizeof line, f)) {
    line_no++;
    char kind[16], name[64], a[2 * MAX_BYTES + 1], b[2 * MAX_BYTES + 1];
    if (line[0] == '#' || sscanf(line, "%15s", kind) != 1) continue;
    if (strcmp(kind, "mtu") == 0) {
      unsigned value;
      if (sscanf(line, "%*s %u", &value) != 1 || value < 1 || value > MAX_MTU) {
        fprintf(stderr, "%s:%d: bad mtu line\n", path, line_no);
        return 2;
      }
      mtu = (uint16_t)value;
      continue;
    }
    if (sscanf(line, "%*s %63s %8192s %8192s", name, a, b) != 3) {
      fprintf(stderr, "%s:%d: expected KIND NAME A B\n", path, line_no);
      return 2;
    }
    int wire_length = parse_hex(b, expected, MAX_BYTES);
    if (wire_length < 0) {
      fprintf(stderr, "%s:%d: bad wire hex\n", path, line_no);
      return 2;
    }
    vectors++;
    if (strcmp(kind, "frame") == 0) {
      int n = parse_hex(a, payload, MAX_BYTES);
      if (n < 0) {
        fprintf(stderr, "%s:%d: bad payload hex\n", path, line_no);
        return 2;
      }
      int m = serial_frame_encode(payload, (uint16_t)n, wire);
      if (m != wire_length || memcmp(wire, expected, (size_t)m) != 0) {
        printf("FAIL %s: encode gave ", name);
        print_hex(wire, m);
        printf("\n");
        failures++;
      }
      outcome_t r = decode_all(expected, wire_length, mtu);
      if (r.frames != 1 || r.oversize || r.corrupt || r.last_length != n ||
          memcmp(r.last, payload, (size_t)n) != 0) {
        printf("FAIL %s: decode gave %d frames, %d oversize, %d corrupt\n", name, r.frames,
               r.oversize, r.corrupt);
        failures++;
      }
    } else if (strcmp(kind, "reject") == 0) {
      outcome_t r = decode_all(expected, wire_length, mtu);
      int want_oversize = strcmp(a, "oversize") == 0;
      int want_corrupt = strcmp(a, "corrupt") == 0;
      if (!want_oversize && !want_corrupt) {
        fprintf(stderr, "%s:%d: reason must be oversize or corrupt\n", path, line_no);
        return 2;
      }
      if (r.frames != 0 || r.oversize != want_oversize || r.corrupt != want_corrupt) {
        printf("FAIL %s: want %s, got %d frames, %d oversize, %d corrupt\n", name, a, r.frames,
               r.oversize, r.corrupt);
        failures++;
      }
    } else {
      fprintf(stderr, "%s:%d: unknown line kind '%s'\n", path, line_no, kind);
      return 2;
    }
  }
  fclose(f);
  if (failures) return 1;
  printf("ok %d vectors\n", vectors);
  return 0;
}

static int encode_lines(void) {
  static char line[4 * MAX_BYTES];
  static uint8_t payload[MAX_BYTES], wire[SERIAL_WIRE_MAX(MAX_BYTES)];
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = 0;
    int n = parse_hex(line, payload, MAX_BYTES);
    if (n < 0) {
      fprintf(stderr, "bad hex: %s\n", line);
      return 2;
    }
    print_hex(wire, serial_frame_encode(payload, (uint16_t)n, wire));
    printf("\n");
  }
  return 0;
}

static int decode_lines(uint16_t mtu) {
  static char line[4 * MAX_BYTES];
  static uint8_t chunk[MAX_BYTES];
  serial_deframer_t d;
  serial_deframer_init(&d, block, SERIAL_BLOCK_SIZE(mtu), mtu);
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = 0;
    int n = parse_hex(line, chunk, MAX_BYTES);
    if (n < 0) {
      fprintf(stderr, "bad hex: %s\n", line);
      return 2;
    }
    for (int i = 0; i < n; i++) {
      const uint8_t *frame;
      uint16_t length;
      serial_status_t s = serial_deframer_push(&d, chunk[i], &frame, &length);
      if (s == SERIAL_PENDING) continue;
      printf("%s", status_name(s));
      if (s == SERIAL_FRAME) {
        printf(" ");
        print_hex(frame, length);
      }
      printf("\n");
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "check") == 0) return check(argv[2]);
  if (argc == 2 && strcmp(argv[1], "encode") == 0) return encode_lines();
  if (argc == 3 && strcmp(argv[1], "decode") == 0) {
    int mtu = atoi(argv[2]);
    if (mtu < 1 || mtu > MAX_MTU) {
      fprintf(stderr, "mtu must be 1..%d\n", MAX_MTU);
      return 2;
    }
    return decode_lines((uint16_t)mtu);
  }
  fprintf(stderr, "usage: framing_driver check GOLDEN | encode | decode MTU\n");
  return 2;
}
