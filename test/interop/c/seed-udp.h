/* The RF24 calls of the seed replaced by a UDP socket: SendPacket = sendto, ReadPacket = a
 * non-blocking recvfrom. Addresses are 127.0.0.1 ports. */
#ifndef SEED_UDP_H
#define SEED_UDP_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "seed-packet.h"

static int sock = -1;
static struct sockaddr_in peer;
static int have_peer = 0;

static inline void radio_begin(int bind_port) {
  struct sockaddr_in a;
  sock = socket(AF_INET, SOCK_DGRAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(bind_port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(sock, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("bind");
    exit(2);
  }
  fcntl(sock, F_SETFL, O_NONBLOCK);
}

static inline void radio_peer(int port) {
  memset(&peer, 0, sizeof peer);
  peer.sin_family = AF_INET;
  peer.sin_port = htons(port);
  peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  have_peer = 1;
}

static inline Packet *ReadPacket(void) {
  byte hdr[PACKET_MAX_SIZE];
  struct sockaddr_in from;
  socklen_t len = sizeof from;
  memset(hdr, 0, sizeof hdr);
  ssize_t n = recvfrom(sock, hdr, sizeof hdr, 0, (struct sockaddr *)&from, &len);
  if (n < (ssize_t)sizeof(Packet)) return NULL;
  /* Like a radio, answer whoever we last heard. */
  peer = from;
  have_peer = 1;
  byte size = ((Packet *)hdr)->size;
  if (size < sizeof(Packet)) return NULL;
  Packet *packet = (Packet *)malloc(size);
  memcpy(packet, hdr, size);
  return packet;
}

static inline void SendPacket(Packet *p) {
  if (have_peer) sendto(sock, p, p->size, 0, (struct sockaddr *)&peer, sizeof peer);
}

static inline unsigned long millis(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (unsigned long)t.tv_sec * 1000UL + (unsigned long)(t.tv_nsec / 1000000L);
}

static inline void delay(int ms) { usleep(ms * 1000); }

#endif
