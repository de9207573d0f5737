/*
 * Forwarding hot path, measured without browsers: what one worker does per
 * forwarded packet, with the project's own code (meet_srtp.c: libsrtp2
 * as linked; meet_rtp.c: the header rewrite ngx_meet_rtp_forward.c calls,
 * meet_rtp_rewriter_copy()) and real UDP sends to a sink on 127.0.0.1:
 *
 *   publisher packet: SRTP unprotect, RTP parse (once)
 *   per subscriber:   copy with the subscriber's SSRC/PT/sequence
 *                     numbers/timestamps, SRTP protect, sendto()
 *
 * A synthetic publisher stream (1200-byte video packets, protected with
 * the client keys) is made first; the loop then forwards it to S
 * subscribers for a fixed time.  Usage: fwd_bench [seconds] [profile]
 * where profile is gcm (default) or cm.  Prints one line per S.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include "meet_rtp.h"
#include "meet_srtp.h"

#define NPKT   512
#define PLEN   1200


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static double
cpu(void)
{
    struct rusage  ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
           + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}


int
main(int argc, char **argv)
{
    int                  fd, s, i, nsubs[] = { 1, 10, 50, 200 };
    size_t               len, k;
    double               secs, t0, c0, t, c;
    uint64_t             ms;
    unsigned long        fwd;
    const char          *err;
    unsigned             profile;
    meet_srtp_keys_t     keys;
    meet_srtp_t         *pub_client, *pub_server, *subs[200];
    meet_rtp_header_t    h;
    static meet_rtp_rewriter_t  rw[200];
    struct sockaddr_in   sink;
    static u_char        in[NPKT][PLEN + 64], work[PLEN + 64],
                         out[PLEN + MEET_SRTP_TAILROOM];
    static size_t        in_len[NPKT];

    secs = argc > 1 ? atof(argv[1]) : 3;
    profile = (argc > 2 && strcmp(argv[2], "cm") == 0)
              ? MEET_SRTP_AES128_CM_SHA1_80 : MEET_SRTP_AEAD_AES_128_GCM;

    if (meet_srtp_init() != 0) {
        return 1;
    }

    memset(&keys, 0, sizeof(keys));
    keys.profile = profile;
    keys.key_len = meet_srtp_key_len(profile);
    keys.salt_len = meet_srtp_salt_len(profile);
    for (k = 0; k < sizeof(keys.client_key); k++) {
        keys.client_key[k] = (u_char) k;
        keys.server_key[k] = (u_char) (k + 100);
    }
    for (k = 0; k < sizeof(keys.client_salt); k++) {
        keys.client_salt[k] = (u_char) (k + 50);
        keys.server_salt[k] = (u_char) (k + 150);
    }

    pub_client = meet_srtp_create(&keys, MEET_SRTP_CLIENT, &err);
    pub_server = meet_srtp_create(&keys, MEET_SRTP_SERVER, &err);
    for (i = 0; i < 200; i++) {
        subs[i] = meet_srtp_create(&keys, MEET_SRTP_SERVER, &err);
        meet_rtp_rewriter_init(&rw[i], 0x01020300 + i, 90000);
    }

    /* the publisher's stream, protected as it arrives */
    for (i = 0; i < NPKT; i++) {
        u_char  *p = in[i];

        memset(p, 0xab, PLEN);
        p[0] = 0x80; p[1] = 96;
        p[2] = (u_char) (i >> 8); p[3] = (u_char) i;
        p[4] = 0; p[5] = 0; p[6] = (u_char) (i / 5 >> 8); p[7] = (u_char) (i / 5);
        p[8] = 0x11; p[9] = 0x22; p[10] = 0x33; p[11] = 0x44;
        len = PLEN - 16;
        if (meet_srtp_protect_rtp(pub_client, p, &len, PLEN + 64) != 0) {
            fprintf(stderr, "protect failed\n");
            return 1;
        }
        in_len[i] = len;
    }

    /*
     * The sink: a bound socket nobody reads.  Every send goes the whole
     * way through the kernel; once its buffer is full the packets are
     * dropped at the receiving end (a closed port would answer ICMP and
     * make later sends fail early, which measures nothing).
     */
    {
        int        sk;
        socklen_t  sl = sizeof(sink);

        sk = socket(AF_INET, SOCK_DGRAM, 0);
        memset(&sink, 0, sizeof(sink));
        sink.sin_family = AF_INET;
        sink.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(sk, (struct sockaddr *) &sink, sizeof(sink));
        getsockname(sk, (struct sockaddr *) &sink, &sl);
    }

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    connect(fd, (struct sockaddr *) &sink, sizeof(sink));

    printf("profile %s, %d-byte packets, %.0f s per step\n",
           profile == MEET_SRTP_AEAD_AES_128_GCM ? "AEAD_AES_128_GCM"
                                                 : "AES128_CM_HMAC_SHA1_80",
           PLEN, secs);
    printf("%-12s %-14s %-16s %-12s\n", "subscribers", "fwd pkt/s/core",
           "us per fwd pkt", "1.5M streams");

    for (s = 0; s < 4; s++) {
        fwd = 0;
        t0 = now();
        c0 = cpu();
        i = 0;

        /* fresh inbound session per step: the replay window restarts */
        meet_srtp_free(pub_server);
        pub_server = meet_srtp_create(&keys, MEET_SRTP_SERVER, &err);

        for (i = 0; ; i++) {
            t = now();
            if (t - t0 >= secs) {
                break;
            }

            ms = (uint64_t) (t * 1000);

            if (i == NPKT) {
                /* new sequence numbers would be needed to go on: reuse
                   the stream with a fresh session; for the subscribers
                   the publisher restarted */
                meet_srtp_free(pub_server);
                pub_server = meet_srtp_create(&keys, MEET_SRTP_SERVER, &err);
                for (k = 0; k < (size_t) nsubs[s]; k++) {
                    meet_rtp_rewriter_switch(&rw[k]);
                }
                i = 0;
            }

            memcpy(work, in[i], in_len[i]);
            len = in_len[i];

            if (meet_srtp_unprotect_rtp(pub_server, work, &len) != 0
                || meet_rtp_parse(&h, work, len) != MEET_RTP_OK)
            {
                fprintf(stderr, "unprotect failed\n");
                return 1;
            }

            for (k = 0; k < (size_t) nsubs[s]; k++) {
                size_t  olen;

                /* the module's rewrite (ngx_meet_rtp_send_down()) */
                olen = meet_rtp_rewriter_copy(&rw[k], out, PLEN, work, len,
                                              &h, 97, -1, ms);
                if (olen == 0) {
                    continue;
                }

                if (meet_srtp_protect_rtp(subs[k], out, &olen, sizeof(out))
                    != 0)
                {
                    continue;
                }

                if (send(fd, out, olen, 0) == (ssize_t) olen) {
                    fwd++;
                }
            }
        }

        t = now() - t0;
        c = cpu() - c0;

        printf("%-12d %-14.0f %-16.2f %-12.0f\n", nsubs[s], fwd / c,
               c * 1e6 / fwd, fwd / c / 156.0);
        (void) t;
    }

    return 0;
}
