// Ingress syscalls on loopback: one recvfrom(2) per datagram, as the media loop reads, against one
// recvmmsg(2) per burst. A sender puts a burst of 1,116-byte datagrams (an SRTP video packet) in the
// socket's queue, then the receiver drains it; only the receiver's thread CPU time is counted
// (CLOCK_THREAD_CPUTIME_ID), so the sender's loopback delivery is not. Rounds alternate the two
// ways; the median of each is printed in ns per datagram.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

enum { DatagramBytes = 1116, SlotBytes = 2048, MaxBatch = 32, Bursts = 50000, Rounds = 7 };

static char slots[MaxBatch][SlotBytes];
static struct sockaddr_in6 senders[MaxBatch];
static struct iovec vectors[MaxBatch];
static struct mmsghdr messages[MaxBatch];

static double thread_cpu_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

// ns of receiver CPU per datagram, draining `burst` datagrams at a time, `batch` per call (0: recvfrom).
static double drain(int receiver, int sender, const struct sockaddr_in *to, int burst, int batch) {
  static char datagram[DatagramBytes];
  double cpu = 0;
  for (int b = 0; b < Bursts; b++) {
    for (int i = 0; i < burst; i++) sendto(sender, datagram, sizeof datagram, 0, (const struct sockaddr *)to, sizeof *to);
    double start = thread_cpu_seconds();
    for (int got = 0; got < burst;) {
      if (batch == 0) {
        socklen_t length = sizeof senders[0];
        if (recvfrom(receiver, slots[0], SlotBytes, MSG_DONTWAIT, (struct sockaddr *)&senders[0], &length) >= 0) got++;
      } else {
        for (int i = 0; i < batch; i++) messages[i].msg_hdr.msg_namelen = sizeof senders[0];
        int n = recvmmsg(receiver, messages, batch, MSG_DONTWAIT, NULL);
        if (n > 0) got += n;
      }
    }
    cpu += thread_cpu_seconds() - start;
  }
  return cpu / ((double)Bursts * burst) * 1e9;
}

int main(void) {
  int receiver = socket(AF_INET, SOCK_DGRAM, 0), sender = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof address;
  int buffer = 4 << 20;
  if (receiver < 0 || sender < 0 || bind(receiver, (struct sockaddr *)&address, sizeof address) != 0 ||
      getsockname(receiver, (struct sockaddr *)&address, &length) != 0) {
    perror("socket");
    return 1;
  }
  setsockopt(receiver, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  for (int i = 0; i < MaxBatch; i++) {
    vectors[i] = (struct iovec){.iov_base = slots[i], .iov_len = SlotBytes};
    messages[i].msg_hdr = (struct msghdr){.msg_name = &senders[i], .msg_iov = &vectors[i], .msg_iovlen = 1};
  }
  printf("%-6s %-22s %10s\n", "burst", "receive", "ns/datagram (median of rounds)");
  int bursts[] = {1, 8, 32};
  for (int k = 0; k < 3; k++) {
    double one[Rounds], many[Rounds];
    for (int r = 0; r < Rounds; r++) {
      one[r] = drain(receiver, sender, &address, bursts[k], 0);
      many[r] = drain(receiver, sender, &address, bursts[k], MaxBatch);
    }
    qsort(one, Rounds, sizeof one[0], compare);
    qsort(many, Rounds, sizeof many[0], compare);
    printf("%-6d %-22s %10.0f\n%-6d %-22s %10.0f\n", bursts[k], "recvfrom each", one[Rounds / 2], bursts[k], "recvmmsg, up to 32", many[Rounds / 2]);
  }
  return 0;
}
