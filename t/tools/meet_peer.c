/* sources: ngx_meet_rtp_stream_module/lib/meet_stun.c ngx_meet_rtp_stream_module/lib/meet_rtp.c */
/* sources: ngx_meet_rtp_stream_module/lib/meet_rtcp.c ngx_meet_rtp_stream_module/lib/meet_srtp.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * meet_peer: a synthetic WebRTC peer for tests and benchmarks of the media
 * plane, without a browser.  One process is one participant's transport:
 * ICE as the controlling agent against an ICE-lite server, a DTLS 1.2
 * client handshake (use_srtp), SRTP sessions from the exported keys, then
 * it publishes or subscribes.  Signaling (the WebSocket join with an SDP
 * offer) is the caller's job: the flags carry what the offer said and what
 * the answer said.  Only the project's plain-C protocol libraries are
 * used (STUN, RTP, RTCP, SRTP: see the sources lines above), with OpenSSL
 * and libsrtp2.
 *
 *     meet_peer cert FILE          new self-signed ECDSA P-256 certificate
 *                                  and key in FILE; prints its fingerprint
 *     meet_peer fingerprint FILE   prints the fingerprint of FILE
 *     meet_peer publish|subscribe [options]      see usage()
 *
 * Output (stdout, one line each, "key=value" fields):
 *     ice ok ms=...                 the nominating check was answered
 *     dtls ok ms=... profile=...    SRTP keyed, the server's consent
 *                                   request answered (RFC 7675)
 *     progress rx_rtp=... ...       every --progress seconds of media
 *     result mode=... ...           counters, at exit
 * Errors go to stderr.  Exit status: 0 done, 1 usage, 2 ICE failed,
 * 3 DTLS failed, 4 other failure.
 *
 * Every wait is bounded: --connect-timeout for ICE and DTLS, --duration
 * for the whole media phase.  Datagrams go to --server only, which must be
 * a loopback address.
 */


#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "meet_stun.h"
#include "meet_rtp.h"
#include "meet_rtcp.h"
#include "meet_srtp.h"


#define PEER_EXIT_USAGE         1
#define PEER_EXIT_ICE           2
#define PEER_EXIT_DTLS          3
#define PEER_EXIT_FAILED        4

#define PEER_MTU                1200
#define PEER_BUF                (1500 + MEET_SRTP_TAILROOM)
#define PEER_MAX_PHASES         32
#define PEER_HISTORY            512       /* sent packets kept for NACKs */
#define PEER_MAX_SSRCS          8         /* streams a subscriber tracks */
#define PEER_SEEN_BITS          (1 << 20) /* per stream, for duplicates */
#define PEER_MAX_LATENCIES      (1 << 21)
#define PEER_CONSENT_INTERVAL   2.0       /* s between consent checks */
#define PEER_SR_INTERVAL        1.0       /* s between sender reports */
#define PEER_OUR_PRIORITY       0x6e7f1eff

/* the payload's last 16 bytes: magic, packet number, send time */
#define PEER_STAMP_LEN          16
#define PEER_STAMP_MAGIC        0x4d504552  /* "MPER" */


typedef enum {
    PHASE_VALID = 0,    /* RTP as announced */
    PHASE_AUTH,         /* SRTP with a modified ciphertext byte */
    PHASE_REPLAY,       /* the last valid packet again, byte for byte */
    PHASE_SHORT,        /* valid SRTP cut after 8 payload bytes */
    PHASE_GARBAGE,      /* RTP version and payload type, random rest */
    PHASE_JUNK,         /* a first byte of no RFC 7983 range */
    PHASE_RTCP_AUTH,    /* SRTCP sender report with a modified byte */
    PHASE_RTCP_REPLAY,  /* the last SRTCP packet again */
    PHASE_DATA_JUNK,    /* DTLS application data: random bytes */
    PHASE_DATA_SCTP,    /* DTLS application data: SCTP packets of random
                           chunks with a valid CRC32c */
    PHASE_LAST
} peer_phase_e;


static const char  *peer_phase_names[PHASE_LAST] = {
    "valid", "auth", "replay", "short", "garbage", "junk", "rtcp_auth",
    "rtcp_replay", "data_junk", "data_sctp"
};


typedef struct {
    peer_phase_e              kind;
    unsigned long             count;        /* 0 with valid: --duration */
} peer_phase_t;


typedef struct {
    /* what the caller says */
    int                       publish;
    const char               *server;
    const char               *server_ufrag;
    const char               *server_pwd;
    const char               *local_ufrag;
    const char               *local_pwd;
    const char               *fingerprint;  /* the server's, sha-256 */
    const char               *cert;
    const char               *srtp;         /* "gcm,cm" */
    uint32_t                  ssrc;
    unsigned                  pt;
    unsigned                  rate;         /* packets per second */
    unsigned                  size;         /* payload bytes */
    unsigned                  frame_packets;
    unsigned                  keyframe_interval;    /* frames, 0: never */
    int                       vp8;          /* payload: VP8 or opaque */
    double                    duration;
    double                    linger;
    double                    idle;
    double                    progress;     /* s between progress lines */
    double                    connect_timeout;
    peer_phase_t              phases[PEER_MAX_PHASES];
    unsigned                  nphases;
    unsigned                  sr_copies;    /* SRs in each compound */

    /* subscriber: a NACK flood (an attacker's) */
    unsigned                  nack_flood;   /* compounds to send */
    unsigned                  nack_size;    /* bytes of each, before SRTCP */
    unsigned                  nack_after;   /* packets received first */
    double                    nack_interval;
    unsigned                  rtx_pt;       /* RFC 4588 packets: counted by
                                               original number, 0: none */
} peer_opts_t;


/* a received stream (subscriber) */
typedef struct {
    uint32_t                  ssrc;
    unsigned                  pt;
    uint64_t                  packets;
    uint64_t                  bytes;
    uint64_t                  duplicates;
    uint64_t                  keyframes;
    int64_t                   first;        /* unwrapped sequence numbers */
    int64_t                   max;
    meet_rtp_unwrapper_t      unwrap;
    uint8_t                  *seen;         /* PEER_SEEN_BITS from first */
} peer_stream_t;


typedef struct {
    uint16_t                  seq;
    uint16_t                  len;          /* 0: empty */
    u_char                    data[1500];
} peer_hist_t;


typedef struct {
    peer_opts_t              *o;
    int                       fd;
    struct sockaddr_in        server;
    SSL_CTX                  *ctx;
    SSL                      *ssl;
    meet_srtp_t              *srtp;
    unsigned                  profile;
    u_char                    server_fp[32];
    int                       fp_mismatch;

    /* publisher */
    uint16_t                  seq;
    uint32_t                  ts;
    uint64_t                  frame;        /* frames begun */
    unsigned                  in_frame;     /* packets of it sent */
    int                       want_keyframe;
    uint32_t                  rtp_packets;  /* for sender reports */
    uint32_t                  rtp_octets;
    u_char                    last_rtp[PEER_BUF];
    size_t                    last_rtp_len;
    u_char                    last_rtcp[PEER_BUF];
    size_t                    last_rtcp_len;
    peer_hist_t              *history;

    /* counters */
    uint64_t                  sent_valid;
    uint64_t                  sent_bad[PHASE_LAST];
    uint64_t                  sent_rtcp;
    uint64_t                  retransmitted;
    uint64_t                  rx_rtcp;
    uint64_t                  rx_sr;
    uint64_t                  rx_pli;
    uint64_t                  rx_fir;
    uint64_t                  rx_nack;
    uint64_t                  rx_twcc;
    uint64_t                  rx_stun;
    uint64_t                  rx_dtls;
    uint64_t                  rx_other;
    uint64_t                  srtp_fail;
    uint64_t                  srtcp_fail;
    uint64_t                  send_errors;
    uint64_t                  consent_sent;
    uint64_t                  consent_answered;  /* the server's requests */

    peer_stream_t             streams[PEER_MAX_SSRCS];
    unsigned                  nstreams;
    uint64_t                  rx_rtp;
    double                    last_rtp_at;

    int64_t                   stamp_max;    /* highest packet number */

    /* subscriber: the NACK flood and the retransmissions it got */
    uint64_t                  nack_compounds;
    uint64_t                  nack_seqs;    /* numbers asked for */
    double                    next_nack;
    uint64_t                  rx_rtx;
    uint8_t                  *rtx_copies;   /* by original number */
    double                   *rtx_at;
    unsigned                  rtx_max_copies;
    double                    rtx_min_gap;  /* s between two of one number */
    uint32_t                 *lat;          /* microseconds */
    size_t                    nlat;

    double                    ice_ms;
    double                    dtls_ms;
} peer_t;


static void usage(void);
static int peer_parse_args(peer_opts_t *o, int argc, char **argv);
static int peer_parse_phases(peer_opts_t *o, const char *spec);
static int peer_cert_command(const char *file, int create);
static int peer_fingerprint_of(X509 *cert, u_char md[32]);
static void peer_fingerprint_text(const u_char md[32], char *out);
static int peer_fingerprint_parse(const char *text, u_char md[32]);
static int peer_open(peer_t *p);
static int peer_ice(peer_t *p);
static void peer_send_check(peer_t *p, u_char tid[MEET_STUN_TID_LEN],
    int nominate);
static void peer_stun_request(peer_t *p, const u_char *buf, size_t n);
static void peer_consent_wait(peer_t *p);
static int peer_dtls(peer_t *p);
static int peer_verify(X509_STORE_CTX *store, void *arg);
static int peer_srtp_keys(peer_t *p);
static int peer_run(peer_t *p);
static void peer_receive(peer_t *p);
static void peer_datagram(peer_t *p, u_char *buf, size_t n);
static void peer_rtp(peer_t *p, u_char *buf, size_t len);
static void peer_rtcp(peer_t *p, u_char *buf, size_t len);
static void peer_send_one(peer_t *p, peer_phase_e kind);
static size_t peer_build_rtp(peer_t *p, u_char *buf, uint16_t seq,
    int advance);
static void peer_send_sr(peer_t *p, peer_phase_e kind);
static size_t peer_build_sctp(peer_t *p, u_char *buf, size_t size);
static void peer_retransmit(peer_t *p, uint16_t seq);
static void peer_send_nacks(peer_t *p);
static int peer_rtx(peer_t *p, meet_rtp_header_t *h, const u_char *buf);
static void peer_send(peer_t *p, const u_char *buf, size_t len);
static void peer_report(peer_t *p);
static double peer_now(void);
static void peer_ssl_error(const char *what);
static void peer_on_signal(int signo);


static volatile sig_atomic_t  peer_stop;


int
main(int argc, char **argv)
{
    int           rc;
    unsigned      i;
    peer_t        peer;
    peer_opts_t   opts;

    if (argc < 2) {
        usage();
        return PEER_EXIT_USAGE;
    }

    if (strcmp(argv[1], "cert") == 0 || strcmp(argv[1], "fingerprint") == 0)
    {
        if (argc != 3) {
            usage();
            return PEER_EXIT_USAGE;
        }

        return peer_cert_command(argv[2], argv[1][0] == 'c');
    }

    if (strcmp(argv[1], "publish") != 0 && strcmp(argv[1], "subscribe") != 0)
    {
        usage();
        return PEER_EXIT_USAGE;
    }

    memset(&opts, 0, sizeof(peer_opts_t));
    opts.publish = (argv[1][0] == 'p');

    if (peer_parse_args(&opts, argc - 1, argv + 1) != 0) {
        return PEER_EXIT_USAGE;
    }

    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, peer_on_signal);
    signal(SIGINT, peer_on_signal);

    memset(&peer, 0, sizeof(peer_t));
    peer.o = &opts;
    peer.fd = -1;

    if (meet_srtp_init() != 0) {
        fprintf(stderr, "meet_peer: libsrtp2 initialization failed\n");
        return PEER_EXIT_FAILED;
    }

    rc = peer_open(&peer);

    if (rc == 0) {
        rc = peer_ice(&peer);
    }

    if (rc == 0) {
        rc = peer_dtls(&peer);
    }

    if (rc == 0) {
        rc = peer_run(&peer);
        peer_report(&peer);
    }

    if (peer.srtp) {
        meet_srtp_free(peer.srtp);
    }

    if (peer.ssl) {
        SSL_free(peer.ssl);
    }

    if (peer.ctx) {
        SSL_CTX_free(peer.ctx);
    }

    if (peer.fd != -1) {
        close(peer.fd);
    }

    free(peer.history);
    free(peer.lat);
    free(peer.rtx_copies);
    free(peer.rtx_at);

    for (i = 0; i < peer.nstreams; i++) {
        free(peer.streams[i].seen);
    }

    meet_srtp_shutdown();

    return rc;
}


static void
usage(void)
{
    fprintf(stderr,
"usage: meet_peer cert FILE | fingerprint FILE\n"
"       meet_peer publish|subscribe --server 127.0.0.1:PORT\n"
"           --server-ufrag U --server-pwd P --local-ufrag U --local-pwd P\n"
"           --fingerprint SHA256 (the server's, from the answer)\n"
"           --cert FILE (ours: its fingerprint is in our offer)\n"
"           [--srtp gcm,cm] offered SRTP profiles, in this order\n"
"           [--connect-timeout 5] seconds for ICE and for DTLS\n"
"           [--duration 10] seconds of media at most\n"
"           [--progress 0] seconds between progress lines (0: none)\n"
"  publish: --ssrc N [--pt 96] [--rate 100] [--size 1000]\n"
"           [--payload vp8|opaque] [--frame-packets 5]\n"
"           [--keyframe-interval 0] frames between key frames (0: the\n"
"           first and on PLI/FIR only)\n"
"           [--send KIND:N,...] what to send, in order, one packet per\n"
"           slot at --rate; KIND: valid auth replay short garbage junk\n"
"           rtcp_auth rtcp_replay data_junk data_sctp (default: valid\n"
"           for --duration)\n"
"           [--linger 0.5] seconds of receiving after the last packet\n"
"           [--sr-copies 1] sender reports in each SRTCP compound\n"
"  subscribe: [--idle 0] end that many seconds after the last RTP\n"
"           packet, once one came (0: at --duration only)\n"
"           [--rtx-pt 0] RTX payload type: those packets are counted\n"
"           by the number they carry (rx_rtx, rtx_max_copies,\n"
"           rtx_min_gap_ms), not as a stream\n"
"           [--nack-flood 0] send that many compounds of NACKs, each\n"
"           [--nack-size 1400] bytes (before SRTCP) of one-entry NACKs\n"
"           (PID and 16 bits of BLP) cycling over the 512 numbers below\n"
"           the highest received, one every [--nack-interval 0.02] s,\n"
"           once [--nack-after 100] packets came\n");
}


static int
peer_parse_args(peer_opts_t *o, int argc, char **argv)
{
    int            c;
    char          *end;
    double         d;
    unsigned long  v;

    static struct option  longopts[] = {
        { "server", required_argument, NULL, 's' },
        { "server-ufrag", required_argument, NULL, 'U' },
        { "server-pwd", required_argument, NULL, 'P' },
        { "local-ufrag", required_argument, NULL, 'u' },
        { "local-pwd", required_argument, NULL, 'p' },
        { "fingerprint", required_argument, NULL, 'f' },
        { "cert", required_argument, NULL, 'c' },
        { "srtp", required_argument, NULL, 'S' },
        { "ssrc", required_argument, NULL, 'x' },
        { "pt", required_argument, NULL, 't' },
        { "rate", required_argument, NULL, 'r' },
        { "size", required_argument, NULL, 'z' },
        { "payload", required_argument, NULL, 'y' },
        { "frame-packets", required_argument, NULL, 'F' },
        { "keyframe-interval", required_argument, NULL, 'K' },
        { "duration", required_argument, NULL, 'd' },
        { "linger", required_argument, NULL, 'l' },
        { "idle", required_argument, NULL, 'i' },
        { "progress", required_argument, NULL, 'g' },
        { "connect-timeout", required_argument, NULL, 'T' },
        { "send", required_argument, NULL, 'e' },
        { "sr-copies", required_argument, NULL, 'C' },
        { "nack-flood", required_argument, NULL, 'N' },
        { "nack-size", required_argument, NULL, 'B' },
        { "nack-after", required_argument, NULL, 'A' },
        { "nack-interval", required_argument, NULL, 'I' },
        { "rtx-pt", required_argument, NULL, 'X' },
        { NULL, 0, NULL, 0 }
    };

    o->srtp = "gcm,cm";
    o->pt = 96;
    o->rate = 100;
    o->size = 1000;
    o->frame_packets = 5;
    o->vp8 = 1;
    o->duration = 10;
    o->linger = 0.5;
    o->connect_timeout = 5;
    o->sr_copies = 1;
    o->nack_size = 1400;
    o->nack_after = 100;
    o->nack_interval = 0.02;

    optind = 1;

    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {

        switch (c) {

        case 's': o->server = optarg; break;
        case 'U': o->server_ufrag = optarg; break;
        case 'P': o->server_pwd = optarg; break;
        case 'u': o->local_ufrag = optarg; break;
        case 'p': o->local_pwd = optarg; break;
        case 'f': o->fingerprint = optarg; break;
        case 'c': o->cert = optarg; break;
        case 'S': o->srtp = optarg; break;

        case 'y':
            if (strcmp(optarg, "vp8") != 0 && strcmp(optarg, "opaque") != 0) {
                fprintf(stderr, "meet_peer: --payload: vp8 or opaque\n");
                return -1;
            }
            o->vp8 = (optarg[0] == 'v');
            break;

        case 'd':
        case 'l':
        case 'i':
        case 'g':
        case 'T':
        case 'I':
            d = strtod(optarg, &end);

            if (*end != '\0' || d < 0 || d > 3600) {
                fprintf(stderr, "meet_peer: bad number of seconds \"%s\"\n",
                        optarg);
                return -1;
            }

            if (c == 'd') {
                o->duration = d;
            } else if (c == 'l') {
                o->linger = d;
            } else if (c == 'i') {
                o->idle = d;
            } else if (c == 'I') {
                o->nack_interval = d;
            } else if (c == 'g') {
                o->progress = d;
            } else {
                o->connect_timeout = d;
            }
            break;

        case 'e':
            if (peer_parse_phases(o, optarg) != 0) {
                return -1;
            }
            break;

        case 'x':
        case 't':
        case 'r':
        case 'z':
        case 'F':
        case 'K':
        case 'C':
        case 'N':
        case 'B':
        case 'A':
        case 'X':
            errno = 0;
            v = strtoul(optarg, &end, 0);

            if (errno || *end != '\0' || optarg[0] == '-' || v > 0xffffffff)
            {
                fprintf(stderr, "meet_peer: bad number \"%s\"\n", optarg);
                return -1;
            }

            if (c == 'x') {
                o->ssrc = (uint32_t) v;
            } else if (c == 't') {
                o->pt = (unsigned) v;
            } else if (c == 'r') {
                o->rate = (unsigned) v;
            } else if (c == 'z') {
                o->size = (unsigned) v;
            } else if (c == 'F') {
                o->frame_packets = (unsigned) v;
            } else if (c == 'C') {
                o->sr_copies = (unsigned) v;
            } else if (c == 'N') {
                o->nack_flood = (unsigned) v;
            } else if (c == 'B') {
                o->nack_size = (unsigned) v;
            } else if (c == 'A') {
                o->nack_after = (unsigned) v;
            } else if (c == 'X') {
                o->rtx_pt = (unsigned) v;
            } else {
                o->keyframe_interval = (unsigned) v;
            }
            break;

        default:
            usage();
            return -1;
        }
    }

    if (optind != argc) {
        fprintf(stderr, "meet_peer: unexpected argument \"%s\"\n",
                argv[optind]);
        return -1;
    }

    if (o->server == NULL || o->server_ufrag == NULL || o->server_pwd == NULL
        || o->local_ufrag == NULL || o->local_pwd == NULL
        || o->fingerprint == NULL || o->cert == NULL)
    {
        fprintf(stderr, "meet_peer: --server, --server-ufrag, --server-pwd, "
                "--local-ufrag, --local-pwd, --fingerprint and --cert are "
                "required\n");
        return -1;
    }

    if (o->nack_size < 16 || o->nack_size > 65000) {
        fprintf(stderr, "meet_peer: --nack-size: 16..65000 bytes\n");
        return -1;
    }

    if (o->sr_copies == 0 || o->sr_copies > 40) {
        fprintf(stderr, "meet_peer: --sr-copies: 1..40\n");
        return -1;
    }

    if (o->publish) {
        if (o->ssrc == 0) {
            fprintf(stderr, "meet_peer: publish needs --ssrc\n");
            return -1;
        }

        if (o->pt > 127 || (o->pt >= 64 && o->pt <= 95)) {
            fprintf(stderr, "meet_peer: --pt %u: 0..63 or 96..127 (64..95 "
                    "look like RTCP, RFC 5761)\n", o->pt);
            return -1;
        }

        if (o->rate == 0 || o->rate > 100000) {
            fprintf(stderr, "meet_peer: --rate: 1..100000 packets/s\n");
            return -1;
        }

        if (o->size < 32 || o->size > 1400) {
            fprintf(stderr, "meet_peer: --size: 32..1400 bytes\n");
            return -1;
        }

        if (o->frame_packets == 0 || o->frame_packets > 100) {
            fprintf(stderr, "meet_peer: --frame-packets: 1..100\n");
            return -1;
        }

        if (o->nphases == 0) {
            o->phases[0].kind = PHASE_VALID;
            o->phases[0].count = 0;
            o->nphases = 1;
        }
    }

    return 0;
}


/* "valid:100,auth:5,...": count 0 only for valid (then: until the end) */

static int
peer_parse_phases(peer_opts_t *o, const char *spec)
{
    int            k;
    char          *end;
    size_t         len;
    const char    *p, *colon;
    unsigned long  n;

    p = spec;

    while (*p) {
        colon = strchr(p, ':');

        if (colon == NULL || o->nphases == PEER_MAX_PHASES) {
            fprintf(stderr, "meet_peer: --send \"%s\": KIND:N,... (at most "
                    "%d)\n", spec, PEER_MAX_PHASES);
            return -1;
        }

        len = (size_t) (colon - p);

        for (k = 0; k < PHASE_LAST; k++) {
            if (strlen(peer_phase_names[k]) == len
                && strncmp(p, peer_phase_names[k], len) == 0)
            {
                break;
            }
        }

        errno = 0;
        n = strtoul(colon + 1, &end, 10);

        if (k == PHASE_LAST || errno || end == colon + 1
            || (*end != ',' && *end != '\0') || colon[1] == '-'
            || (n == 0 && k != PHASE_VALID) || n > 10000000)
        {
            fprintf(stderr, "meet_peer: --send: bad phase \"%.*s\"\n",
                    (int) strcspn(p, ","), p);
            return -1;
        }

        o->phases[o->nphases].kind = (peer_phase_e) k;
        o->phases[o->nphases].count = n;
        o->nphases++;

        p = (*end == ',') ? end + 1 : end;
    }

    return 0;
}


/* certificates */

static int
peer_cert_command(const char *file, int create)
{
    int        rc, fd;
    FILE      *f;
    X509      *cert;
    u_char     md[32];
    char       text[96];
    EVP_PKEY  *key;
    X509_NAME *name;

    rc = PEER_EXIT_FAILED;
    cert = NULL;
    key = NULL;

    if (!create) {
        f = fopen(file, "r");
        if (f == NULL) {
            fprintf(stderr, "meet_peer: %s: %s\n", file, strerror(errno));
            return PEER_EXIT_FAILED;
        }

        cert = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);

        if (cert == NULL) {
            fprintf(stderr, "meet_peer: %s: no PEM certificate\n", file);
            return PEER_EXIT_FAILED;
        }

        goto print;
    }

    key = EVP_EC_gen("P-256");
    cert = X509_new();

    if (key == NULL || cert == NULL) {
        peer_ssl_error("key generation");
        goto done;
    }

    name = X509_get_subject_name(cert);

    if (X509_set_version(cert, 2) != 1
        || ASN1_INTEGER_set(X509_get_serialNumber(cert),
                            (long) (time(NULL) & 0x7fffffff)) != 1
        || X509_gmtime_adj(X509_getm_notBefore(cert), -86400) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 86400) == NULL
        || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                      (const u_char *) "meet_peer", -1, -1,
                                      0) != 1
        || X509_set_issuer_name(cert, name) != 1
        || X509_set_pubkey(cert, key) != 1
        || X509_sign(cert, key, EVP_sha256()) == 0)
    {
        peer_ssl_error("certificate");
        goto done;
    }

    fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    f = (fd == -1) ? NULL : fdopen(fd, "w");

    if (f == NULL) {
        fprintf(stderr, "meet_peer: %s: %s\n", file, strerror(errno));
        if (fd != -1) {
            close(fd);
        }
        goto done;
    }

    if (PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) != 1
        || PEM_write_X509(f, cert) != 1)
    {
        peer_ssl_error("writing the certificate");
        fclose(f);
        goto done;
    }

    if (fclose(f) != 0) {
        fprintf(stderr, "meet_peer: %s: %s\n", file, strerror(errno));
        goto done;
    }

print:

    if (peer_fingerprint_of(cert, md) != 0) {
        peer_ssl_error("digest");
        goto done;
    }

    peer_fingerprint_text(md, text);
    printf("sha-256 %s\n", text);
    rc = 0;

done:

    X509_free(cert);
    EVP_PKEY_free(key);

    return rc;
}


static int
peer_fingerprint_of(X509 *cert, u_char md[32])
{
    unsigned  n;

    n = 32;

    if (X509_digest(cert, EVP_sha256(), md, &n) != 1 || n != 32) {
        return -1;
    }

    return 0;
}


/* "AB:CD:...", 95 characters and NUL */

static void
peer_fingerprint_text(const u_char md[32], char *out)
{
    int  i;

    for (i = 0; i < 32; i++) {
        sprintf(out + 3 * i, "%02X%s", md[i], i < 31 ? ":" : "");
    }
}


static int
peer_fingerprint_parse(const char *text, u_char md[32])
{
    int           i;
    unsigned int  b;

    if (strlen(text) != 95) {
        return -1;
    }

    for (i = 0; i < 32; i++) {
        if (sscanf(text + 3 * i, "%2x", &b) != 1
            || (i < 31 && text[3 * i + 2] != ':'))
        {
            return -1;
        }

        md[i] = (u_char) b;
    }

    return 0;
}


/* the socket: loopback only */

static int
peer_open(peer_t *p)
{
    int          sz;
    char         host[64];
    char        *end;
    long         port;
    const char  *colon;

    colon = strrchr(p->o->server, ':');

    if (colon == NULL || (size_t) (colon - p->o->server) >= sizeof(host)) {
        fprintf(stderr, "meet_peer: --server: ADDRESS:PORT\n");
        return PEER_EXIT_USAGE;
    }

    memcpy(host, p->o->server, colon - p->o->server);
    host[colon - p->o->server] = '\0';
    port = strtol(colon + 1, &end, 10);

    memset(&p->server, 0, sizeof(struct sockaddr_in));
    p->server.sin_family = AF_INET;
    p->server.sin_port = htons((uint16_t) port);

    if (*end != '\0' || port <= 0 || port > 65535
        || inet_pton(AF_INET, host, &p->server.sin_addr) != 1)
    {
        fprintf(stderr, "meet_peer: --server \"%s\": an IPv4 address and a "
                "port\n", p->o->server);
        return PEER_EXIT_USAGE;
    }

    if ((ntohl(p->server.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "meet_peer: --server %s is not a loopback address\n",
                host);
        return PEER_EXIT_USAGE;
    }

    if (peer_fingerprint_parse(p->o->fingerprint, p->server_fp) != 0) {
        fprintf(stderr, "meet_peer: --fingerprint: 32 hex bytes with "
                "colons\n");
        return PEER_EXIT_USAGE;
    }

    p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

    if (p->fd == -1) {
        fprintf(stderr, "meet_peer: socket(): %s\n", strerror(errno));
        return PEER_EXIT_FAILED;
    }

    /*
     * a burst of fan-out must not overflow the receive buffer: past
     * net.core.rmem_max when allowed (root), else up to it
     */
    sz = 4 * 1024 * 1024;

    if (setsockopt(p->fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(int)) != 0)
    {
        (void) setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(int));
    }

    if (connect(p->fd, (struct sockaddr *) &p->server,
                sizeof(struct sockaddr_in)) != 0)
    {
        fprintf(stderr, "meet_peer: connect(%s): %s\n", p->o->server,
                strerror(errno));
        return PEER_EXIT_FAILED;
    }

    return 0;
}


/* ICE: we control and nominate; the lite server only answers */

static int
peer_ice(peer_t *p)
{
    int                    rc;
    u_char                 tid[MEET_STUN_TID_LEN];
    u_char                 buf[1500];
    double                 start, deadline, next;
    ssize_t                n;
    socklen_t              alen;
    struct pollfd          pfd;
    meet_stun_msg_t        msg;
    struct sockaddr_in    *sin;
    struct sockaddr_storage  mapped;

    start = peer_now();
    deadline = start + p->o->connect_timeout;
    next = start;

    if (RAND_bytes(tid, sizeof(tid)) != 1) {
        peer_ssl_error("RAND_bytes");
        return PEER_EXIT_FAILED;
    }

    pfd.fd = p->fd;
    pfd.events = POLLIN;

    while (!peer_stop) {

        if (peer_now() >= next) {
            /* RFC 8445 retransmission, simplified: every 100 ms */
            peer_send_check(p, tid, 1);
            next = peer_now() + 0.1;
        }

        if (peer_now() >= deadline) {
            break;
        }

        rc = poll(&pfd, 1, 20);

        if (rc <= 0) {
            continue;
        }

        n = recv(p->fd, buf, sizeof(buf), 0);

        if (n <= 0) {
            /* ECONNREFUSED: nothing listens (yet), an ICMP error */
            continue;
        }

        if (!meet_stun_is_stun(buf, (size_t) n)
            || meet_stun_parse(&msg, buf, (size_t) n) != MEET_STUN_OK
            || msg.method != MEET_STUN_BINDING)
        {
            continue;
        }

        if (msg.class == MEET_STUN_REQUEST) {
            peer_stun_request(p, buf, (size_t) n);
            continue;
        }

        if (memcmp(msg.tid, tid, MEET_STUN_TID_LEN) != 0) {
            continue;
        }

        if (msg.class == MEET_STUN_ERROR_RESPONSE) {
            fprintf(stderr, "meet_peer: ICE: the server answered %u %.*s\n",
                    msg.error_code, (int) msg.error_reason_len,
                    msg.error_reason ? (const char *) msg.error_reason : "");
            return PEER_EXIT_ICE;
        }

        if (msg.class != MEET_STUN_SUCCESS) {
            continue;
        }

        if (meet_stun_check_integrity(&msg, (const u_char *) p->o->server_pwd,
                                      strlen(p->o->server_pwd)) != 1)
        {
            fprintf(stderr, "meet_peer: ICE: an answer without the server "
                    "password's MESSAGE-INTEGRITY\n");
            return PEER_EXIT_ICE;
        }

        alen = 0;
        if (meet_stun_xor_mapped_address(&msg, &mapped, &alen) != 0
            || mapped.ss_family != AF_INET)
        {
            fprintf(stderr, "meet_peer: ICE: no IPv4 XOR-MAPPED-ADDRESS\n");
            return PEER_EXIT_ICE;
        }

        sin = (struct sockaddr_in *) &mapped;
        p->ice_ms = (peer_now() - start) * 1000;

        printf("ice ok ms=%.1f mapped=%s:%u\n", p->ice_ms,
               inet_ntoa(sin->sin_addr), ntohs(sin->sin_port));
        fflush(stdout);

        return 0;
    }

    fprintf(stderr, "meet_peer: ICE: no answer from %s within %.1f s\n",
            p->o->server, p->o->connect_timeout);

    return PEER_EXIT_ICE;
}


static void
peer_send_check(peer_t *p, u_char tid[MEET_STUN_TID_LEN], int nominate)
{
    char                  user[600];
    size_t                len;
    u_char                buf[600];
    meet_stun_request_t   r;

    snprintf(user, sizeof(user), "%s:%s", p->o->server_ufrag,
             p->o->local_ufrag);

    memset(&r, 0, sizeof(meet_stun_request_t));
    r.username = (const u_char *) user;
    r.username_len = strlen(user);
    r.key = (const u_char *) p->o->server_pwd;
    r.key_len = strlen(p->o->server_pwd);
    r.tiebreaker = 0x6d6565745f706565ULL;    /* "meet_pee" */
    r.priority = PEER_OUR_PRIORITY;
    r.role = MEET_STUN_ROLE_CONTROLLING;
    r.use_candidate = nominate ? 1 : 0;

    len = meet_stun_write_request(buf, sizeof(buf), tid, &r);

    if (len == 0) {
        fprintf(stderr, "meet_peer: STUN request does not fit\n");
        return;
    }

    peer_send(p, buf, len);
}


/*
 * A Binding request of the server: its consent checks (RFC 7675), which a
 * browser answers too: USERNAME "ours:theirs", MESSAGE-INTEGRITY with our
 * password; answered with success, signed with it.  (The DTLS handshake
 * reads the socket itself and drops those that come meanwhile; the server
 * retransmits.)
 */

static void
peer_stun_request(peer_t *p, const u_char *buf, size_t n)
{
    u_char           ans[MEET_STUN_ANSWER_MAX];
    size_t           len, first_len;
    const u_char    *first;
    meet_stun_msg_t  msg;

    if (meet_stun_parse(&msg, buf, n) != MEET_STUN_OK
        || msg.method != MEET_STUN_BINDING
        || msg.class != MEET_STUN_REQUEST || !msg.has_username
        || meet_stun_username_split(msg.username, msg.username_len, &first,
                                    &first_len, NULL, NULL) != 0
        || first_len != strlen(p->o->local_ufrag)
        || memcmp(first, p->o->local_ufrag, first_len) != 0
        || meet_stun_check_integrity(&msg, (const u_char *) p->o->local_pwd,
                                     strlen(p->o->local_pwd)) != 1)
    {
        return;
    }

    len = meet_stun_write_success(ans, sizeof(ans), &msg,
                                  (const struct sockaddr *) &p->server,
                                  (const u_char *) p->o->local_pwd,
                                  strlen(p->o->local_pwd), NULL);
    if (len) {
        peer_send(p, ans, len);
        p->consent_answered++;
    }
}


/*
 * After the handshake, before "dtls ok": the server sends no media until
 * we answered one of its consent requests (RFC 7675), and those that came
 * during the handshake were lost; a nominating check every 50 ms (the
 * server answers one with a request of its own) until we answered one,
 * for --connect-timeout at most (a server that never asks is not waited
 * for longer).
 */

static void
peer_consent_wait(peer_t *p)
{
    u_char         tid[MEET_STUN_TID_LEN], buf[1500];
    double         deadline, next;
    ssize_t        n;
    struct pollfd  pfd;

    deadline = peer_now() + p->o->connect_timeout;
    next = 0;

    pfd.fd = p->fd;
    pfd.events = POLLIN;

    while (!peer_stop && p->consent_answered == 0 && peer_now() < deadline)
    {
        if (peer_now() >= next) {
            if (RAND_bytes(tid, sizeof(tid)) != 1) {
                return;
            }

            peer_send_check(p, tid, 1);
            next = peer_now() + 0.05;
        }

        if (poll(&pfd, 1, 10) <= 0) {
            continue;
        }

        n = recv(p->fd, buf, sizeof(buf), 0);

        if (n > 0 && buf[0] <= 3) {
            p->rx_stun++;
            peer_stun_request(p, buf, (size_t) n);
        }
    }
}


/* DTLS 1.2 client on the socket; our certificate, theirs by fingerprint */

static int
peer_dtls(peer_t *p)
{
    int             rc, err, ms, t;
    BIO            *bio;
    char            profiles[128], names[256], *tok, *save;
    const char     *name;
    double          start, deadline, left;
    struct pollfd   pfd;
    struct timeval  tv;

    start = peer_now();
    deadline = start + p->o->connect_timeout;

    p->ctx = SSL_CTX_new(DTLS_client_method());

    if (p->ctx == NULL) {
        peer_ssl_error("SSL_CTX_new");
        return PEER_EXIT_FAILED;
    }

    if (SSL_CTX_set_min_proto_version(p->ctx, DTLS1_2_VERSION) != 1
        || SSL_CTX_set_max_proto_version(p->ctx, DTLS1_2_VERSION) != 1
        || SSL_CTX_use_certificate_file(p->ctx, p->o->cert,
                                        SSL_FILETYPE_PEM) != 1
        || SSL_CTX_use_PrivateKey_file(p->ctx, p->o->cert,
                                       SSL_FILETYPE_PEM) != 1
        || SSL_CTX_check_private_key(p->ctx) != 1)
    {
        peer_ssl_error(p->o->cert);
        return PEER_EXIT_FAILED;
    }

    /* --srtp gcm,cm -> OpenSSL's profile names, in our order */

    snprintf(profiles, sizeof(profiles), "%s", p->o->srtp);
    names[0] = '\0';

    for (tok = strtok_r(profiles, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save))
    {
        if (strcmp(tok, "gcm") == 0) {
            name = "SRTP_AEAD_AES_128_GCM";

        } else if (strcmp(tok, "cm") == 0) {
            name = "SRTP_AES128_CM_SHA1_80";

        } else {
            fprintf(stderr, "meet_peer: --srtp: gcm and/or cm\n");
            return PEER_EXIT_USAGE;
        }

        if (strlen(names) + strlen(name) + 2 > sizeof(names)) {
            fprintf(stderr, "meet_peer: --srtp: too long\n");
            return PEER_EXIT_USAGE;
        }

        if (names[0]) {
            strcat(names, ":");
        }

        strcat(names, name);
    }

    /* note: 0 is success for this one */
    if (names[0] == '\0' || SSL_CTX_set_tlsext_use_srtp(p->ctx, names) != 0)
    {
        peer_ssl_error("use_srtp");
        return PEER_EXIT_USAGE;
    }

    /* self-signed: the fingerprint from the answer decides */
    SSL_CTX_set_verify(p->ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_cert_verify_callback(p->ctx, peer_verify, p);

    p->ssl = SSL_new(p->ctx);
    bio = BIO_new_dgram(p->fd, BIO_NOCLOSE);

    if (p->ssl == NULL || bio == NULL) {
        BIO_free(bio);
        peer_ssl_error("SSL_new");
        return PEER_EXIT_FAILED;
    }

    (void) BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, &p->server);
    SSL_set_bio(p->ssl, bio, bio);
    SSL_set_options(p->ssl, SSL_OP_NO_QUERY_MTU);
    (void) SSL_set_mtu(p->ssl, PEER_MTU - 28);
    SSL_set_connect_state(p->ssl);

    pfd.fd = p->fd;
    pfd.events = POLLIN;

    for ( ;; ) {
        ERR_clear_error();
        rc = SSL_do_handshake(p->ssl);

        if (rc == 1) {
            break;
        }

        err = SSL_get_error(p->ssl, rc);

        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            if (p->fp_mismatch) {
                fprintf(stderr, "meet_peer: DTLS: the server certificate "
                        "does not match --fingerprint\n");
            }

            peer_ssl_error("DTLS handshake failed");
            return PEER_EXIT_DTLS;
        }

        left = deadline - peer_now();

        if (left <= 0 || peer_stop) {
            fprintf(stderr, "meet_peer: DTLS: no handshake within %.1f s\n",
                    p->o->connect_timeout);
            return PEER_EXIT_DTLS;
        }

        ms = (int) (left * 1000) + 1;

        if (DTLSv1_get_timeout(p->ssl, &tv) == 1) {
            t = (int) (tv.tv_sec * 1000 + tv.tv_usec / 1000);

            if (t < ms) {
                ms = t;
            }
        }

        if (poll(&pfd, 1, ms) == 0) {
            if (DTLSv1_handle_timeout(p->ssl) < 0) {
                peer_ssl_error("DTLS retransmission");
                return PEER_EXIT_DTLS;
            }
        }
    }

    if (p->fp_mismatch) {
        fprintf(stderr, "meet_peer: DTLS: the server certificate does not "
                "match --fingerprint\n");
        return PEER_EXIT_DTLS;
    }

    if (peer_srtp_keys(p) != 0) {
        return PEER_EXIT_DTLS;
    }

    p->dtls_ms = (peer_now() - start) * 1000;

    peer_consent_wait(p);

    printf("dtls ok ms=%.1f profile=%u cipher=%s\n", p->dtls_ms, p->profile,
           SSL_get_cipher_name(p->ssl));
    fflush(stdout);

    return 0;
}


static int
peer_verify(X509_STORE_CTX *store, void *arg)
{
    peer_t  *p = arg;

    X509    *cert;
    u_char   md[32];

    cert = X509_STORE_CTX_get0_cert(store);

    if (cert == NULL || peer_fingerprint_of(cert, md) != 0
        || CRYPTO_memcmp(md, p->server_fp, 32) != 0)
    {
        p->fp_mismatch = 1;
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
        return 0;
    }

    return 1;
}


/* RFC 5764 4.2: client key, server key, client salt, server salt */

static int
peer_srtp_keys(peer_t *p)
{
    u_char                         km[2 * (MEET_SRTP_MAX_KEY_LEN
                                           + MEET_SRTP_MAX_SALT_LEN)];
    size_t                         kl, sl;
    const char                    *err;
    meet_srtp_keys_t               keys;
    SRTP_PROTECTION_PROFILE       *prof;

    prof = SSL_get_selected_srtp_profile(p->ssl);

    if (prof == NULL) {
        fprintf(stderr, "meet_peer: DTLS: the server chose no SRTP "
                "profile\n");
        return -1;
    }

    kl = meet_srtp_key_len((unsigned) prof->id);
    sl = meet_srtp_salt_len((unsigned) prof->id);

    if (kl == 0 || sl == 0) {
        fprintf(stderr, "meet_peer: DTLS: unknown SRTP profile %lu\n",
                prof->id);
        return -1;
    }

    if (SSL_export_keying_material(p->ssl, km, 2 * (kl + sl),
                                   "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0)
        != 1)
    {
        peer_ssl_error("SRTP key export");
        return -1;
    }

    memset(&keys, 0, sizeof(meet_srtp_keys_t));
    keys.profile = (unsigned) prof->id;
    keys.key_len = kl;
    keys.salt_len = sl;
    memcpy(keys.client_key, km, kl);
    memcpy(keys.server_key, km + kl, kl);
    memcpy(keys.client_salt, km + 2 * kl, sl);
    memcpy(keys.server_salt, km + 2 * kl + sl, sl);

    p->srtp = meet_srtp_create(&keys, MEET_SRTP_CLIENT, &err);

    OPENSSL_cleanse(km, sizeof(km));
    OPENSSL_cleanse(&keys, sizeof(keys));

    if (p->srtp == NULL) {
        fprintf(stderr, "meet_peer: SRTP session: %s\n", err);
        return -1;
    }

    p->profile = meet_srtp_profile(p->srtp);

    return 0;
}


/* the media phase */

static int
peer_run(peer_t *p)
{
    int               rc;
    double            start, end, now, next_send, next_consent, next_sr;
    double            next_progress;
    double            interval, wait;
    unsigned          phase, burst;
    unsigned long     done;
    struct pollfd     pfd;
    struct timespec   ts;
    u_char            tid[MEET_STUN_TID_LEN];

    start = peer_now();
    end = start + p->o->duration;
    interval = p->o->publish ? 1.0 / p->o->rate : 0;
    next_send = start;
    next_consent = start;    /* one at once: the server answers it with
                                its own request, which we answer */
    next_sr = start + PEER_SR_INTERVAL;
    next_progress = start;
    phase = 0;
    done = 0;

    if (p->o->publish) {
        p->history = calloc(PEER_HISTORY, sizeof(peer_hist_t));
        if (p->history == NULL) {
            fprintf(stderr, "meet_peer: out of memory\n");
            return PEER_EXIT_FAILED;
        }

        p->want_keyframe = 1;
        p->seq = (uint16_t) (p->o->ssrc * 7);
        p->ts = p->o->ssrc * 13;

    } else {
        p->stamp_max = -1;
        p->lat = malloc(PEER_MAX_LATENCIES * sizeof(uint32_t));
        p->rtx_copies = calloc(65536, sizeof(uint8_t));
        p->rtx_at = calloc(65536, sizeof(double));
        p->rtx_min_gap = -1;
        if (p->lat == NULL || p->rtx_copies == NULL || p->rtx_at == NULL) {
            fprintf(stderr, "meet_peer: out of memory\n");
            return PEER_EXIT_FAILED;
        }
    }

    pfd.fd = p->fd;
    pfd.events = POLLIN;

    while (!peer_stop) {
        now = peer_now();

        if (now >= end) {
            break;
        }

        /* publisher: the packets whose time has come, a bounded burst */

        if (p->o->publish && phase < p->o->nphases) {
            burst = 0;

            while (now >= next_send && phase < p->o->nphases && burst < 64) {
                peer_send_one(p, p->o->phases[phase].kind);
                next_send += interval;
                burst++;

                if (p->o->phases[phase].count
                    && ++done == p->o->phases[phase].count)
                {
                    phase++;
                    done = 0;
                }
            }

            if (phase == p->o->nphases) {
                end = now + p->o->linger;
            }
        }

        if (p->o->publish && now >= next_sr && p->sent_valid) {
            peer_send_sr(p, PHASE_VALID);
            next_sr = now + PEER_SR_INTERVAL;
        }

        if (p->o->progress > 0 && now >= next_progress) {
            printf("progress rx_rtp=%llu consent_answered=%llu\n",
                   (unsigned long long) p->rx_rtp,
                   (unsigned long long) p->consent_answered);
            fflush(stdout);
            next_progress = now + p->o->progress;
        }

        /* ICE consent (RFC 7675): keeps the address alive on the server */

        if (now >= next_consent) {
            if (RAND_bytes(tid, sizeof(tid)) == 1) {
                peer_send_check(p, tid, 0);
                p->consent_sent++;
            }
            next_consent = now + PEER_CONSENT_INTERVAL;
        }

        /* subscriber: the NACK flood, once enough came to ask for */

        if (!p->o->publish && p->nack_compounds < p->o->nack_flood
            && p->nstreams && p->streams[0].packets >= p->o->nack_after
            && now >= p->next_nack)
        {
            peer_send_nacks(p);
            p->next_nack = now + p->o->nack_interval;
        }

        if (!p->o->publish && p->o->idle > 0 && p->rx_rtp
            && now - p->last_rtp_at >= p->o->idle)
        {
            break;
        }

        /* sleep until the next event, at most 50 ms */

        wait = end - now;

        if (p->o->publish && phase < p->o->nphases && next_send - now < wait)
        {
            wait = next_send - now;
        }

        if (wait > 0.05) {
            wait = 0.05;
        }

        if (wait < 0) {
            wait = 0;
        }

        ts.tv_sec = (time_t) wait;
        ts.tv_nsec = (long) ((wait - (double) ts.tv_sec) * 1e9);

        rc = ppoll(&pfd, 1, &ts, NULL);

        if (rc > 0) {
            peer_receive(p);
        }
    }

    return 0;
}


static void
peer_receive(peer_t *p)
{
    int      i;
    ssize_t  n;

    static u_char  buf[PEER_BUF] __attribute__((aligned(8)));

    /* drain, in bounded rounds */

    for (i = 0; i < 256; i++) {
        n = recv(p->fd, buf, 1500, 0);

        if (n < 0) {
            return;
        }

        peer_datagram(p, buf, (size_t) n);
    }
}


static void
peer_datagram(peer_t *p, u_char *buf, size_t n)
{
    if (n == 0) {
        p->rx_other++;
        return;
    }

    /* RFC 7983 */

    if (buf[0] <= 3) {
        p->rx_stun++;
        peer_stun_request(p, buf, n);
        return;
    }

    if (buf[0] >= 20 && buf[0] <= 63) {
        p->rx_dtls++;
        return;
    }

    if (buf[0] < 128 || buf[0] > 191) {
        p->rx_other++;
        return;
    }

    if (n >= 2 && buf[1] >= 192 && buf[1] <= 223) {
        peer_rtcp(p, buf, n);

    } else {
        peer_rtp(p, buf, n);
    }
}


static void
peer_rtp(peer_t *p, u_char *buf, size_t len)
{
    double              now;
    int64_t             ext, off;
    uint32_t            no;
    uint64_t            sent_ns, now_ns;
    unsigned            i;
    const u_char       *pl, *st;
    peer_stream_t      *s;
    struct timespec     ts;
    meet_rtp_header_t   h;

    if (meet_srtp_unprotect_rtp(p->srtp, buf, &len) != MEET_SRTP_OK) {
        p->srtp_fail++;
        return;
    }

    if (meet_rtp_parse(&h, buf, len) != MEET_RTP_OK) {
        p->rx_other++;
        return;
    }

    now = peer_now();
    p->rx_rtp++;
    p->last_rtp_at = now;

    if (p->o->publish) {
        return;
    }

    if (p->o->rtx_pt && h.pt == p->o->rtx_pt && peer_rtx(p, &h, buf) == 0) {
        return;
    }

    s = NULL;

    for (i = 0; i < p->nstreams; i++) {
        if (p->streams[i].ssrc == h.ssrc) {
            s = &p->streams[i];
            break;
        }
    }

    if (s == NULL) {
        if (p->nstreams == PEER_MAX_SSRCS) {
            return;
        }

        s = &p->streams[p->nstreams++];
        s->ssrc = h.ssrc;
        s->seen = calloc(PEER_SEEN_BITS / 8, 1);
        meet_rtp_unwrapper_init(&s->unwrap);
        s->first = meet_rtp_unwrap_seq(&s->unwrap, h.seq);
        s->max = s->first;
        ext = s->first;

    } else {
        ext = meet_rtp_unwrap_seq(&s->unwrap, h.seq);
    }

    s->pt = h.pt;
    s->packets++;
    s->bytes += h.payload_len;

    if (ext > s->max) {
        s->max = ext;
    }

    off = ext - s->first;

    if (s->seen && off >= 0 && off < PEER_SEEN_BITS) {
        if (s->seen[off / 8] & (1 << (off % 8))) {
            s->duplicates++;
        }

        s->seen[off / 8] |= (uint8_t) (1 << (off % 8));
    }

    pl = buf + h.header_len;

    if (meet_rtp_vp8_keyframe(pl, h.payload_len) == MEET_RTP_KEYFRAME_YES) {
        s->keyframes++;
    }

    /* the sender's clock at the end of the payload (same host) */

    if (h.payload_len >= PEER_STAMP_LEN) {
        st = pl + h.payload_len - PEER_STAMP_LEN;

        if (((uint32_t) st[0] << 24 | (uint32_t) st[1] << 16
             | (uint32_t) st[2] << 8 | st[3]) == PEER_STAMP_MAGIC)
        {
            no = (uint32_t) st[4] << 24 | (uint32_t) st[5] << 16
                 | (uint32_t) st[6] << 8 | st[7];

            if ((int64_t) no > p->stamp_max) {
                p->stamp_max = no;
            }

            sent_ns = 0;
            for (i = 0; i < 8; i++) {
                sent_ns = sent_ns << 8 | st[8 + i];
            }

            clock_gettime(CLOCK_MONOTONIC, &ts);
            now_ns = (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;

            if (now_ns >= sent_ns && now_ns - sent_ns < 60000000000ULL
                && p->nlat < PEER_MAX_LATENCIES)
            {
                p->lat[p->nlat++] = (uint32_t) ((now_ns - sent_ns) / 1000);
            }
        }
    }
}


static void
peer_rtcp(peer_t *p, u_char *buf, size_t len)
{
    int                  n, i;
    uint16_t             lost[64];
    meet_rtcp_fb_t       fb;
    meet_rtcp_iter_t     it;
    meet_rtcp_packet_t   pkt;

    if (meet_srtp_unprotect_rtcp(p->srtp, buf, &len) != MEET_SRTP_OK) {
        p->srtcp_fail++;
        return;
    }

    p->rx_rtcp++;

    meet_rtcp_iter_init(&it, buf, len);

    while (meet_rtcp_next(&it, &pkt) == 1) {

        if (pkt.pt == 200) {
            p->rx_sr++;
            continue;
        }

        if ((pkt.pt != 205 && pkt.pt != 206)
            || meet_rtcp_parse_fb(&pkt, &fb) != 0)
        {
            continue;
        }

        if (pkt.pt == 205 && pkt.count == MEET_RTCP_FMT_NACK) {
            p->rx_nack++;
            n = meet_rtcp_nack_lost(&fb, lost, 64);

            for (i = 0; i < n && i < 64; i++) {
                peer_retransmit(p, lost[i]);
            }

        } else if (pkt.pt == 205 && pkt.count == MEET_RTCP_FMT_TWCC) {
            p->rx_twcc++;

        } else if (pkt.pt == 206 && pkt.count == MEET_RTCP_FMT_PLI) {
            p->rx_pli++;
            p->want_keyframe = 1;

        } else if (pkt.pt == 206 && pkt.count == MEET_RTCP_FMT_FIR) {
            p->rx_fir++;
            p->want_keyframe = 1;
        }
    }
}


/* publisher: one slot of the --send plan */

static void
peer_send_one(peer_t *p, peer_phase_e kind)
{
    size_t    len, i;
    uint32_t  r;

    static u_char  buf[PEER_BUF] __attribute__((aligned(8)));

    switch (kind) {

    case PHASE_VALID:
        len = peer_build_rtp(p, buf, p->seq, 1);

        if (meet_srtp_protect_rtp(p->srtp, buf, &len, sizeof(buf))
            != MEET_SRTP_OK)
        {
            fprintf(stderr, "meet_peer: SRTP protect failed\n");
            return;
        }

        memcpy(p->last_rtp, buf, len);
        p->last_rtp_len = len;
        p->sent_valid++;
        peer_send(p, buf, len);
        return;

    case PHASE_AUTH:
    case PHASE_SHORT:
        /* the next sequence number, which the next valid packet reuses */
        len = peer_build_rtp(p, buf, p->seq, 0);

        if (meet_srtp_protect_rtp(p->srtp, buf, &len, sizeof(buf))
            != MEET_SRTP_OK)
        {
            return;
        }

        if (kind == PHASE_AUTH) {
            /* a ciphertext byte: no profile authenticates it */
            buf[len - meet_srtp_overhead(p->srtp, 0) - 1
                - (p->sent_bad[kind] % 8)] ^= 0x5a;

        } else {
            len = MEET_RTP_HEADER_LEN + 8;
        }

        break;

    case PHASE_REPLAY:
        if (p->last_rtp_len == 0) {
            fprintf(stderr, "meet_peer: replay: no valid packet sent yet\n");
            return;
        }

        memcpy(buf, p->last_rtp, p->last_rtp_len);
        len = p->last_rtp_len;
        break;

    case PHASE_GARBAGE:
        len = 40 + (p->sent_bad[kind] * 37) % 160;

        if (RAND_bytes(buf, (int) len) != 1) {
            return;
        }

        buf[0] = 0x80;
        buf[1] = (u_char) p->o->pt;
        break;

    case PHASE_JUNK:
        len = 20 + p->sent_bad[kind] % 20;
        r = (uint32_t) p->sent_bad[kind];

        for (i = 0; i < len; i++) {
            buf[i] = (u_char) (r * 31 + i);
        }

        buf[0] = 0xff;  /* above RFC 7983's ranges */
        break;

    case PHASE_RTCP_AUTH:
        peer_send_sr(p, PHASE_RTCP_AUTH);
        p->sent_bad[kind]++;
        return;

    case PHASE_DATA_JUNK:
    case PHASE_DATA_SCTP:
        /* in a DTLS record: what an authenticated client may send */
        if (kind == PHASE_DATA_JUNK) {
            len = 1 + (p->sent_bad[kind] * 131) % 1100;

            if (RAND_bytes(buf, (int) len) != 1) {
                return;
            }

        } else {
            len = peer_build_sctp(p, buf, PEER_MTU - 100);
        }

        if (SSL_write(p->ssl, buf, (int) len) != (int) len) {
            ERR_clear_error();
            fprintf(stderr, "meet_peer: SSL_write of %zu bytes failed\n",
                    len);
            return;
        }

        p->sent_bad[kind]++;
        return;

    case PHASE_RTCP_REPLAY:
        if (p->last_rtcp_len == 0) {
            peer_send_sr(p, PHASE_VALID);
        }

        memcpy(buf, p->last_rtcp, p->last_rtcp_len);
        len = p->last_rtcp_len;
        break;

    default:
        return;
    }

    p->sent_bad[kind]++;
    peer_send(p, buf, len);
}


/*
 * An SCTP packet (RFC 9260) to port 5000 of random chunks: types of every
 * kind the data channel stack handles (DATA, INIT, INIT ACK, SACK,
 * HEARTBEAT, ABORT, SHUTDOWN, COOKIE ECHO, RE-CONFIG, FORWARD TSN,
 * I-DATA) or any, lengths true or lying, random values; the verification
 * tag 0 or random; a valid CRC32c, so that the stack parses the chunks.
 */

static size_t
peer_build_sctp(peer_t *p, u_char *buf, size_t size)
{
    size_t    len, n, i, k;
    uint32_t  crc;
    u_char    rnd[4];

    static const u_char  types[] = { 0, 1, 2, 3, 4, 6, 7, 10, 130, 192, 64 };

    if (size < 64 || RAND_bytes(buf, (int) size) != 1) {
        return 0;
    }

    buf[0] = 0x13;                      /* ports 5000 -> 5000 */
    buf[1] = 0x88;
    buf[2] = 0x13;
    buf[3] = 0x88;

    if (buf[4] & 1) {
        memset(buf + 4, 0, 4);          /* vtag 0, as an INIT has */
    }

    len = 12;

    for (k = 0; k < 6 && len + 4 <= size; k++) {
        if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
            return 0;
        }

        n = 4 + rnd[1] % 200;

        if (len + n > size) {
            n = size - len;
        }

        buf[len] = (rnd[0] & 0x80) ? rnd[2] : types[rnd[0] % sizeof(types)];

        /* the length field: the truth, or a lie */
        i = (rnd[3] & 0x3) ? n : rnd[2] * 7u;
        buf[len + 2] = (u_char) (i >> 8);
        buf[len + 3] = (u_char) i;

        len += (n + 3) & ~(size_t) 3;

        if (len > size) {
            len = size;
        }
    }

    /* CRC32c (Castagnoli) over the packet, checksum field zero */
    memset(buf + 8, 0, 4);
    crc = 0xffffffff;

    for (i = 0; i < len; i++) {
        crc ^= buf[i];

        for (k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0x82f63b78 & (0 - (crc & 1)));
        }
    }

    crc = ~crc;
    buf[8] = (u_char) crc;
    buf[9] = (u_char) (crc >> 8);
    buf[10] = (u_char) (crc >> 16);
    buf[11] = (u_char) (crc >> 24);

    (void) p;

    return len;
}


/*
 * The RTP packet of sequence number seq: VP8-like (payload descriptor,
 * then at a frame start the payload header, a key frame's with the start
 * code) or opaque bytes; the payload ends with a timestamp.  advance: this
 * packet is sent for real (frame, timestamp and history move on).
 */

static size_t
peer_build_rtp(peer_t *p, u_char *buf, uint16_t seq, int advance)
{
    int              first, last, key;
    size_t           len, off, i;
    uint64_t         ns;
    uint32_t         ts, fps;
    peer_hist_t     *h;
    struct timespec  now;
    peer_opts_t     *o;

    o = p->o;
    first = (p->in_frame == 0);
    last = (p->in_frame + 1 == o->frame_packets);

    key = first && (p->want_keyframe
                    || (o->keyframe_interval
                        && p->frame % o->keyframe_interval == 0));

    fps = o->rate / o->frame_packets;
    if (fps == 0) {
        fps = 1;
    }

    ts = first ? p->ts + 90000 / fps : p->ts;

    buf[0] = 0x80;
    buf[1] = (u_char) ((last ? 0x80 : 0) | o->pt);
    buf[2] = (u_char) (seq >> 8);
    buf[3] = (u_char) seq;
    buf[4] = (u_char) (ts >> 24);
    buf[5] = (u_char) (ts >> 16);
    buf[6] = (u_char) (ts >> 8);
    buf[7] = (u_char) ts;
    buf[8] = (u_char) (o->ssrc >> 24);
    buf[9] = (u_char) (o->ssrc >> 16);
    buf[10] = (u_char) (o->ssrc >> 8);
    buf[11] = (u_char) o->ssrc;

    off = MEET_RTP_HEADER_LEN;
    len = off + o->size;

    for (i = off; i < len; i++) {
        buf[i] = (u_char) (i * 7 + seq);
    }

    if (o->vp8) {
        /* RFC 7741: X=0 N=0 S PID=0 */
        buf[off] = first ? 0x10 : 0x00;

        if (first) {
            /* RFC 6386 9.1: size0 H=1 VER=0 P; size1, size2 */
            buf[off + 1] = key ? 0x10 : 0x11;
            buf[off + 2] = 0x00;
            buf[off + 3] = 0x01;

            if (key) {
                buf[off + 4] = 0x9d;
                buf[off + 5] = 0x01;
                buf[off + 6] = 0x2a;
                buf[off + 7] = 0x80;        /* 640 x 480 */
                buf[off + 8] = 0x02;
                buf[off + 9] = 0xe0;
                buf[off + 10] = 0x01;
            }
        }
    }

    /* the stamp: magic, packet number, CLOCK_MONOTONIC in ns */

    clock_gettime(CLOCK_MONOTONIC, &now);
    ns = (uint64_t) now.tv_sec * 1000000000 + now.tv_nsec;
    i = len - PEER_STAMP_LEN;

    buf[i] = (u_char) (PEER_STAMP_MAGIC >> 24);
    buf[i + 1] = (u_char) (PEER_STAMP_MAGIC >> 16);
    buf[i + 2] = (u_char) (PEER_STAMP_MAGIC >> 8);
    buf[i + 3] = (u_char) PEER_STAMP_MAGIC;
    buf[i + 4] = (u_char) (p->sent_valid >> 24);
    buf[i + 5] = (u_char) (p->sent_valid >> 16);
    buf[i + 6] = (u_char) (p->sent_valid >> 8);
    buf[i + 7] = (u_char) p->sent_valid;

    for (off = 0; off < 8; off++) {
        buf[i + 8 + off] = (u_char) (ns >> (56 - 8 * off));
    }

    if (!advance) {
        return len;
    }

    if (first) {
        p->ts = ts;
        p->frame++;

        if (key) {
            p->want_keyframe = 0;
        }
    }

    p->in_frame = last ? 0 : p->in_frame + 1;
    p->seq++;
    p->rtp_packets++;
    p->rtp_octets += (uint32_t) o->size;

    h = &p->history[seq % PEER_HISTORY];
    h->seq = seq;
    h->len = (uint16_t) len;
    memcpy(h->data, buf, len);

    return len;
}


/* a compound SR + SDES; kind PHASE_RTCP_AUTH spoils it after SRTCP */

static void
peer_send_sr(peer_t *p, peer_phase_e kind)
{
    size_t                    len;
    unsigned                  i;
    uint64_t                  ntp;
    struct timespec           now;
    meet_rtcp_sender_info_t   si;

    static u_char  buf[PEER_BUF] __attribute__((aligned(8)));

    clock_gettime(CLOCK_REALTIME, &now);
    ntp = ((uint64_t) now.tv_sec + 2208988800ULL) << 32
          | (uint64_t) (((double) now.tv_nsec / 1e9) * 4294967296.0);

    si.ssrc = p->o->ssrc;
    si.ntp = ntp;
    si.rtp_ts = p->ts;
    si.packets = p->rtp_packets;
    si.octets = p->rtp_octets;

    len = meet_rtcp_build_compound(buf, 1500, &si, p->o->ssrc, NULL, 0,
                                   (const u_char *) "meet_peer", 9);

    /* --sr-copies: the same SR again in the compound (before the SDES) */
    if (len && p->o->sr_copies > 1) {
        memmove(buf + MEET_RTCP_SR_LEN * p->o->sr_copies,
                buf + MEET_RTCP_SR_LEN, len - MEET_RTCP_SR_LEN);

        for (i = 1; i < p->o->sr_copies; i++) {
            memcpy(buf + MEET_RTCP_SR_LEN * i, buf, MEET_RTCP_SR_LEN);
        }

        len += MEET_RTCP_SR_LEN * (p->o->sr_copies - 1);
    }

    if (len == 0
        || meet_srtp_protect_rtcp(p->srtp, buf, &len, sizeof(buf))
           != MEET_SRTP_OK)
    {
        fprintf(stderr, "meet_peer: cannot build a sender report\n");
        return;
    }

    if (kind == PHASE_RTCP_AUTH) {
        /* the first encrypted byte: authenticated by every profile */
        buf[8] ^= 0x5a;
        peer_send(p, buf, len);
        return;
    }

    memcpy(p->last_rtcp, buf, len);
    p->last_rtcp_len = len;
    p->sent_rtcp++;
    peer_send(p, buf, len);
}


static void
peer_retransmit(peer_t *p, uint16_t seq)
{
    size_t        len;
    peer_hist_t  *h;

    static u_char  buf[PEER_BUF] __attribute__((aligned(8)));

    if (p->history == NULL) {
        return;
    }

    h = &p->history[seq % PEER_HISTORY];

    if (h->len == 0 || h->seq != seq) {
        return;
    }

    memcpy(buf, h->data, h->len);
    len = h->len;

    if (meet_srtp_protect_rtp(p->srtp, buf, &len, sizeof(buf))
        == MEET_SRTP_OK)
    {
        p->retransmitted++;
        peer_send(p, buf, len);
    }
}


/*
 * Subscriber: one compound of one-entry NACKs (PID, BLP 0xffff: 17
 * numbers each) about stream 0, cycling over the 512 numbers below the
 * highest received, --nack-size bytes, protected as one SRTCP packet.
 */

static void
peer_send_nacks(peer_t *p)
{
    size_t          len, off;
    uint16_t        top, pid;
    unsigned        k;
    peer_stream_t  *s;

    static u_char  buf[65536 + MEET_SRTP_TAILROOM] __attribute__((aligned(8)));

    s = &p->streams[0];
    top = (uint16_t) s->max;
    off = 0;
    k = 0;

    while (off + 16 <= p->o->nack_size) {
        pid = (uint16_t) (top - 512 + (k * 17) % 512);

        buf[off] = 0x80 | MEET_RTCP_FMT_NACK;
        buf[off + 1] = MEET_RTCP_RTPFB;
        buf[off + 2] = 0;
        buf[off + 3] = 3;
        memset(buf + off + 4, 0x11, 4);      /* our SSRC: any */
        buf[off + 8] = (u_char) (s->ssrc >> 24);
        buf[off + 9] = (u_char) (s->ssrc >> 16);
        buf[off + 10] = (u_char) (s->ssrc >> 8);
        buf[off + 11] = (u_char) s->ssrc;
        buf[off + 12] = (u_char) (pid >> 8);
        buf[off + 13] = (u_char) pid;
        buf[off + 14] = 0xff;
        buf[off + 15] = 0xff;

        off += 16;
        k++;
    }

    len = off;

    if (meet_srtp_protect_rtcp(p->srtp, buf, &len, sizeof(buf))
        != MEET_SRTP_OK)
    {
        fprintf(stderr, "meet_peer: cannot protect a NACK compound\n");
        return;
    }

    p->nack_compounds++;
    p->nack_seqs += 17 * (uint64_t) k;
    peer_send(p, buf, len);
}


/*
 * Subscriber: an RTX packet (RFC 4588) counted by the number it carries:
 * how many copies of each, the shortest time between two of them.
 * 0, or -1 when it carries none (then it is a stream of its own).
 */

static int
peer_rtx(peer_t *p, meet_rtp_header_t *h, const u_char *buf)
{
    double     now, gap;
    uint16_t   osn;

    if (h->payload_len < 2) {
        return -1;
    }

    osn = (uint16_t) (buf[h->header_len] << 8 | buf[h->header_len + 1]);
    now = peer_now();

    p->rx_rtx++;

    if (p->rtx_copies[osn]) {
        gap = now - p->rtx_at[osn];

        if (p->rtx_min_gap < 0 || gap < p->rtx_min_gap) {
            p->rtx_min_gap = gap;
        }
    }

    if (p->rtx_copies[osn] < 255) {
        p->rtx_copies[osn]++;
    }

    if (p->rtx_copies[osn] > p->rtx_max_copies) {
        p->rtx_max_copies = p->rtx_copies[osn];
    }

    p->rtx_at[osn] = now;

    return 0;
}


static void
peer_send(peer_t *p, const u_char *buf, size_t len)
{
    ssize_t  n;

    n = send(p->fd, buf, len, 0);

    if (n != (ssize_t) len) {
        p->send_errors++;
    }
}


static int
peer_cmp_u32(const void *a, const void *b)
{
    uint32_t  x = *(const uint32_t *) a, y = *(const uint32_t *) b;

    return (x > y) - (x < y);
}


static void
peer_report(peer_t *p)
{
    unsigned        i, k;
    int64_t         expected, lost;
    uint64_t        dup;
    peer_stream_t  *s;

    printf("result mode=%s profile=%u ice_ms=%.1f dtls_ms=%.1f",
           p->o->publish ? "publish" : "subscribe", p->profile, p->ice_ms,
           p->dtls_ms);

    if (p->o->publish) {
        printf(" sent_rtp=%llu sent_rtcp=%llu retransmitted=%llu",
               (unsigned long long) p->sent_valid,
               (unsigned long long) p->sent_rtcp,
               (unsigned long long) p->retransmitted);

        for (k = PHASE_VALID + 1; k < PHASE_LAST; k++) {
            printf(" sent_%s=%llu", peer_phase_names[k],
                   (unsigned long long) p->sent_bad[k]);
        }
    }

    expected = 0;
    lost = 0;
    dup = 0;

    for (i = 0; i < p->nstreams; i++) {
        s = &p->streams[i];
        expected += s->max - s->first + 1;
        lost += (s->max - s->first + 1) - (int64_t) (s->packets
                                                     - s->duplicates);
        dup += s->duplicates;
    }

    printf(" rx_rtp=%llu rx_rtcp=%llu rx_sr=%llu rx_pli=%llu rx_fir=%llu"
           " rx_nack=%llu rx_twcc=%llu rx_stun=%llu rx_dtls=%llu"
           " rx_other=%llu srtp_fail=%llu srtcp_fail=%llu send_errors=%llu"
           " consent=%llu consent_answered=%llu streams=%u expected=%lld"
           " lost=%lld duplicates=%llu",
           (unsigned long long) p->rx_rtp, (unsigned long long) p->rx_rtcp,
           (unsigned long long) p->rx_sr, (unsigned long long) p->rx_pli,
           (unsigned long long) p->rx_fir, (unsigned long long) p->rx_nack,
           (unsigned long long) p->rx_twcc, (unsigned long long) p->rx_stun,
           (unsigned long long) p->rx_dtls, (unsigned long long) p->rx_other,
           (unsigned long long) p->srtp_fail,
           (unsigned long long) p->srtcp_fail,
           (unsigned long long) p->send_errors,
           (unsigned long long) p->consent_sent,
           (unsigned long long) p->consent_answered, p->nstreams,
           (long long) expected, (long long) lost,
           (unsigned long long) dup);

    for (i = 0; i < p->nstreams; i++) {
        s = &p->streams[i];
        printf(" ssrc%u=%u pt%u=%u packets%u=%llu keyframes%u=%llu", i,
               s->ssrc, i, s->pt, i, (unsigned long long) s->packets, i,
               (unsigned long long) s->keyframes);
    }

    if (!p->o->publish) {
        printf(" stamp_max=%lld nack_compounds=%llu nack_seqs=%llu"
               " rx_rtx=%llu rtx_max_copies=%u rtx_min_gap_ms=%.1f",
               (long long) p->stamp_max,
               (unsigned long long) p->nack_compounds,
               (unsigned long long) p->nack_seqs,
               (unsigned long long) p->rx_rtx, p->rtx_max_copies,
               p->rtx_min_gap < 0 ? -1.0 : p->rtx_min_gap * 1000);
    }

    if (p->nlat) {
        qsort(p->lat, p->nlat, sizeof(uint32_t), peer_cmp_u32);
        printf(" lat_n=%zu lat_p50_us=%u lat_p99_us=%u lat_max_us=%u",
               p->nlat, p->lat[p->nlat / 2], p->lat[p->nlat * 99 / 100],
               p->lat[p->nlat - 1]);
    }

    printf("\n");
    fflush(stdout);
}


static double
peer_now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}


static void
peer_ssl_error(const char *what)
{
    unsigned long  e;
    char           buf[256];

    e = ERR_get_error();

    if (e == 0) {
        fprintf(stderr, "meet_peer: %s\n", what);
        return;
    }

    ERR_error_string_n(e, buf, sizeof(buf));
    fprintf(stderr, "meet_peer: %s: %s\n", what, buf);

    while ((e = ERR_get_error()) != 0) {
        ERR_error_string_n(e, buf, sizeof(buf));
        fprintf(stderr, "meet_peer:     %s\n", buf);
    }
}


static void
peer_on_signal(int signo)
{
    (void) signo;
    peer_stop = 1;
}
