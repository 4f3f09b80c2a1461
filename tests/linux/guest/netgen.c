/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A deterministic TCP stream, the same tool in the guest and on the host (tests/devices/net,
 * bench/net): "stream" writes it to stdout, "send" sends it, "recv" counts what arrives,
 * "pipe" copies it to stdout (for sha256sum). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: the stream is a function of the seed alone. */
static void fill(uint64_t *state, unsigned char *buf, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        uint64_t x = *state;

        x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
        *state = x;
        x *= 0x2545f4914f6cdd1dULL;
        memcpy(buf + i, &x, 8);
    }
}

static int write_all(int fd, const unsigned char *b, size_t n)
{
    while (n) {
        ssize_t w = write(fd, b, n);

        if (w <= 0)
            return -1;
        b += w, n -= w;
    }
    return 0;
}

/* Writes @bytes of the stream of @seed to @fd. */
static int stream(int fd, uint64_t bytes, uint64_t seed)
{
    static unsigned char buf[CHUNK];
    uint64_t st = seed * 0x9e3779b97f4a7c15ULL | 1;

    while (bytes) {
        size_t n = bytes < CHUNK ? bytes : CHUNK;

        fill(&st, buf, CHUNK);
        if (write_all(fd, buf, n))
            return -1;
        bytes -= n;
    }
    return 0;
}

static int do_send(const char *host, int port, uint64_t bytes, uint64_t seed)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    int s = socket(AF_INET, SOCK_STREAM, 0);
    double t0;
    char c;

    if (s < 0 || inet_pton(AF_INET, host, &a.sin_addr) != 1) {
        fprintf(stderr, "netgen: bad address %s\n", host);
        return 2;
    }
    for (int i = 0; connect(s, (struct sockaddr *)&a, sizeof(a)); i++) {
        if (i == 300) {
            perror("netgen: connect");
            return 2;
        }
        close(s);
        s = socket(AF_INET, SOCK_STREAM, 0);
        usleep(100000);
    }
    t0 = now();
    if (stream(s, bytes, seed)) {
        perror("netgen: send");
        return 2;
    }
    shutdown(s, SHUT_WR);
    while (read(s, &c, 1) > 0)
        ; /* the receiver closes once it has everything */
    printf("netgen: sent %llu bytes in %.3f s\n", (unsigned long long)bytes, now() - t0);
    return 0;
}

/* Receives one connection on @port; with @out, copies the data to stdout. */
static int do_recv(int port, bool out)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    static unsigned char buf[CHUNK];
    int one = 1, l = socket(AF_INET, SOCK_STREAM, 0), s;
    uint64_t total = 0;
    double t0;
    ssize_t r;

    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1)) {
        perror("netgen: listen");
        return 2;
    }
    fprintf(stderr, "netgen: listening on %d\n", port);
    s = accept(l, NULL, NULL);
    if (s < 0) {
        perror("netgen: accept");
        return 2;
    }
    t0 = now();
    while ((r = read(s, buf, sizeof(buf))) > 0) {
        total += r;
        if (out && write_all(1, buf, r)) {
            perror("netgen: stdout");
            return 2;
        }
    }
    fprintf(stderr, "netgen: received %llu bytes in %.3f s\n", (unsigned long long)total, now() - t0);
    return r < 0 ? 2 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "stream"))
        return stream(1, strtoull(argv[2], NULL, 0), strtoull(argv[3], NULL, 0)) ? 2 : 0;
    if (argc == 6 && !strcmp(argv[1], "send"))
        return do_send(argv[2], atoi(argv[3]), strtoull(argv[4], NULL, 0),
                       strtoull(argv[5], NULL, 0));
    if (argc == 3 && !strcmp(argv[1], "recv"))
        return do_recv(atoi(argv[2]), false);
    if (argc == 3 && !strcmp(argv[1], "pipe"))
        return do_recv(atoi(argv[2]), true);
    fprintf(stderr, "usage: netgen stream BYTES SEED | send IPV4 PORT BYTES SEED | recv PORT | "
                    "pipe PORT\n");
    return 2;
}
