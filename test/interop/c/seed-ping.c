/* The seed's Arduino pinger (device 42 pinging 69) over UDP.
 * usage: seed-ping BIND_PORT PEER_PORT COUNT */
#include "seed-udp.h"

#define THIS_DEVICE 42
#define FAR_DEVICE 69

static Packet *CreatePing(int dst) {
  Packet *ping = NewPacket(0);
  ping->src = THIS_DEVICE;
  ping->dst = dst;
  ping->type = PACKET_TYPE_PING;
  ping->sequence = nextSequence(0, 0);
  ping->attempt = 1;
  ping->fragment = 1;
  ping->fragments = 1;
  return ping;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: seed-ping BIND_PORT PEER_PORT COUNT\n");
    return 2;
  }
  srandom((unsigned)millis());
  radio_begin(atoi(argv[1]));
  radio_peer(atoi(argv[2]));
  int count = atoi(argv[3]);
  int sent = 0, received = 0;
  unsigned long ave = 0, last = 0;
  for (int n = 0; n < count; n++) {
    Packet *ping = CreatePing(FAR_DEVICE);
    unsigned long time = millis();
    SendPacket(ping);
    sent++;
    ReleasePacket(ping);
    for (int i = 0; i < 50; i++) {
      Packet *p = ReadPacket();
      if (p != NULL) {
        unsigned long rcp = millis();
        time = rcp - time;
        ave = (ave + time + last) / 3;
        last = time;
        if (p->type == PACKET_TYPE_PONG && p->src == FAR_DEVICE && p->dst == THIS_DEVICE) received++;
        ReleasePacket(p);
      }
      delay(2);
    }
    printf("Packet count, sent: %d, received: %d, Round trip time(ms): %lu, average time(ms): %lu, loss (%%): %.2f\n",
           sent, received, time, ave, 100.0f - (((float)received / (float)sent) * 100.0f));
    fflush(stdout);
  }
  return received > 0 ? 0 : 1;
}
