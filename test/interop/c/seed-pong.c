/* The seed's Raspberry Pi responder (device 69) over UDP: answers every PING to 0 or 69.
 * usage: seed-pong BIND_PORT */
#include "seed-udp.h"

#define THIS_DEVICE 69

static Packet *CreatePong(Packet *ping) {
  if (ping->type != PACKET_TYPE_PING) return NULL;
  if ((ping->dst != 0) && (ping->dst != THIS_DEVICE)) return NULL;
  Packet *pong = NewPacket(0);
  pong->src = THIS_DEVICE;
  pong->dst = ping->src;
  pong->type = PACKET_TYPE_PONG;
  pong->response = nextSequence(ping->sequence, 1);
  pong->sequence = nextSequence(pong->response, 2);
  pong->attempt = 1;
  pong->fragment = 1;
  pong->fragments = 1;
  return pong;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: seed-pong BIND_PORT\n");
    return 2;
  }
  radio_begin(atoi(argv[1]));
  int rcount = 0;
  printf("Starting main loop\n");
  fflush(stdout);
  for (;;) {
    Packet *p = ReadPacket();
    if (p == NULL) {
      delay(1);
      continue;
    }
    rcount++;
    printf("Received Ping %d\n", rcount);
    Packet *pong = CreatePong(p);
    if (pong != NULL) {
      printf("Sending Pong\n");
      SendPacket(pong);
      ReleasePacket(pong);
    }
    fflush(stdout);
    ReleasePacket(p);
  }
  return 0;
}
