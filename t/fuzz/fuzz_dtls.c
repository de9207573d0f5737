/* sources: ngx_meet_rtp_stream_module/lib/meet_dtls.c ngx_meet_rtp_stream_module/lib/meet_srtp.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the DTLS-SRTP server.  The context, with its P-256
 * certificate, is made once; every input gets a fresh server session.
 * After each datagram fed, every queued datagram is taken out, as the
 * stream module does; at the end the session is closed and freed.  The
 * library's promises are checked on the way (a broken one aborts); leaks
 * are LeakSanitizer's.  OpenSSL itself is not instrumented, so coverage
 * only sees this wrapper: the second mode reaches the deep states.
 *
 * Raw mode, the input is what a peer sends: 32 bytes, the SHA-256
 * fingerprint the session expects (short inputs: zeros), then datagrams,
 * each a 2-byte big-endian length and that many bytes (a last, shorter
 * one is taken as it is).
 *
 * Network mode, the input starts with "NET:": a real OpenSSL DTLS client
 * (Chromium's SRTP profiles, MTU 1200 or 256) handshakes with the server
 * and each following input byte decides the fate of the next datagram,
 * either way: bits 0-1 deliver, drop, duplicate, corrupt (bits 2-7 pick
 * the bit); bit 5 set instead holds it back behind the next one
 * (reorder).  The first byte after "NET:" picks the client's MTU (bit 0)
 * and whether its certificate is the expected one (bit 1 set: a wrong
 * fingerprint).  When the script ends, datagrams are delivered.  When
 * nothing moves, time jumps (gettimeofday() is replaced: OpenSSL's DTLS
 * timers read it) past both ends' timers, which then retransmit.  With an
 * empty script the handshake must complete; whenever both ends complete,
 * their SRTP keys must be the same and packets must pass both ways.
 *
 * The corpus in t/fuzz/corpus/dtls/ holds real client datagrams in the
 * raw layout, written by t/unit/test_dtls.c (MEET_DTLS_CORPUS=<dir>): a
 * 1413-byte ClientHello in 2 datagrams, a ClientHello in 6 fragments, a
 * client's whole handshake with the fingerprint of its certificate; and
 * a few network scripts.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "meet_dtls.h"
#include "meet_srtp.h"


#define check(cond)  do { if (!(cond)) { abort(); } } while (0)

#define MAX_DATAGRAMS  64
#define MAX_ROUNDS     40
#define CLIENT_QUEUE   64

#define CHROMIUM_PROFILES                                                     \
    "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:"                           \
    "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"


typedef struct {
    SSL                      *ssl;
    BIO                      *rbio;
    BIO                      *wbio;
    size_t                    lens[CLIENT_QUEUE];
    size_t                    head;
    size_t                    count;
    int                       done;
    int                       failed;
} client_t;


/* the network script, shared by both directions */
typedef struct {
    const uint8_t            *p;
    size_t                    left;
} script_t;

/* a datagram held back in one direction */
typedef struct {
    u_char                    data[MEET_DTLS_MAX_DATAGRAM];
    size_t                    len;
} held_t;


static meet_dtls_ctx_t  *ctx;
static long long         time_offset_us;
static SSL_CTX          *client_ctx;
static u_char            client_fp[MEET_DTLS_FINGERPRINT_LEN];


/* OpenSSL's DTLS timers read the time here; network mode moves it on */

int
gettimeofday(struct timeval *tv, void *tz)
{
    long long        us;
    struct timespec  ts;

    clock_gettime(CLOCK_REALTIME, &ts);

    us = (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000
         + time_offset_us;

    tv->tv_sec = us / 1000000;
    tv->tv_usec = us % 1000000;

    return 0;
}


static void
make_ident(const char *cn, EVP_PKEY **key, X509 **cert)
{
    X509_NAME  *name;

    *key = EVP_EC_gen("P-256");
    *cert = X509_new();
    check(*key != NULL && *cert != NULL);

    name = X509_get_subject_name(*cert);

    check(X509_set_version(*cert, 2) == 1
          && ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1) == 1
          && X509_gmtime_adj(X509_getm_notBefore(*cert), -86400) != NULL
          && X509_gmtime_adj(X509_getm_notAfter(*cert), 86400) != NULL
          && X509_set_pubkey(*cert, *key) == 1
          && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const u_char *) cn, -1, -1, 0)
             == 1
          && X509_set_issuer_name(*cert, name) == 1
          && X509_sign(*cert, *key, EVP_sha256()) != 0);
}


static int
client_verify(int ok, X509_STORE_CTX *store)
{
    return 1;
}


static void
init(void)
{
    X509          *cert;
    EVP_PKEY      *key;
    unsigned int   len;

    make_ident("fuzz server", &key, &cert);

    ctx = meet_dtls_ctx_create(key, cert, NULL);
    check(ctx != NULL);

    /* the context keeps its own references */
    X509_free(cert);
    EVP_PKEY_free(key);

    make_ident("fuzz client", &key, &cert);

    check(X509_digest(cert, EVP_sha256(), client_fp, &len) == 1);

    client_ctx = SSL_CTX_new(DTLS_client_method());
    check(client_ctx != NULL);

    check(SSL_CTX_set_min_proto_version(client_ctx, DTLS1_2_VERSION) == 1
          && SSL_CTX_set_max_proto_version(client_ctx, DTLS1_2_VERSION) == 1
          && SSL_CTX_use_certificate(client_ctx, cert) == 1
          && SSL_CTX_use_PrivateKey(client_ctx, key) == 1
          && SSL_CTX_set_tlsext_use_srtp(client_ctx, CHROMIUM_PROFILES)
             == 0);

    SSL_CTX_set_options(client_ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
    SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, client_verify);

    X509_free(cert);
    EVP_PKEY_free(key);

    check(meet_srtp_init() == 0);
}


static void
drain(meet_dtls_session_t *s)
{
    size_t   pending;
    ssize_t  n;
    u_char   buf[MEET_DTLS_MAX_DATAGRAM];

    while ((pending = meet_dtls_pending(s)) > 0) {
        n = meet_dtls_next_datagram(s, buf, sizeof(buf));

        check(n > 0 && n <= MEET_DTLS_MAX_DATAGRAM);
        check(meet_dtls_pending(s) == pending - 1);
    }

    check(meet_dtls_next_datagram(s, buf, sizeof(buf)) == 0);
}


/* feeds one datagram (a copy of exactly it) and checks the result */

static meet_dtls_state_e
feed(meet_dtls_session_t *s, const u_char *data, size_t n)
{
    u_char             *dg;
    meet_dtls_state_e   st, prev;

    dg = malloc(n ? n : 1);
    check(dg != NULL);
    memcpy(dg, data, n);

    prev = meet_dtls_state(s);
    st = meet_dtls_feed(s, dg, n);
    free(dg);

    check(st >= MEET_DTLS_HANDSHAKING && st <= MEET_DTLS_FAILED);

    if (prev == MEET_DTLS_FAILED || prev == MEET_DTLS_CLOSED) {
        check(st == prev);
    }

    if (prev == MEET_DTLS_CONNECTED) {
        check(st != MEET_DTLS_HANDSHAKING);
    }

    if (st == MEET_DTLS_APP_DATA) {
        check(meet_dtls_state(s) == MEET_DTLS_CONNECTED);

    } else {
        check(meet_dtls_state(s) == st);
    }

    if (st == MEET_DTLS_FAILED) {
        check(meet_dtls_reason(s)[0] != '\0');
    }

    if (meet_dtls_state(s) != MEET_DTLS_CONNECTED) {
        check(meet_dtls_srtp_keys(s, NULL) == -1);
    }

    return st;
}


static void
timer(meet_dtls_session_t *s)
{
    long  t;

    t = meet_dtls_timeout(s);
    check(t >= -1 && t <= 600000);

    if (t == 0) {
        (void) meet_dtls_on_timer(s);
    }
}


static void
raw(meet_dtls_session_t *s, const uint8_t *data, size_t size)
{
    int     count;
    size_t  n;

    for (count = 0; size > 0 && count < MAX_DATAGRAMS; count++) {
        if (size >= 2) {
            n = ((size_t) data[0] << 8) | data[1];
            data += 2;
            size -= 2;

            if (n > size) {
                n = size;
            }

        } else {
            n = size;
        }

        feed(s, data, n);

        data += n;
        size -= n;

        drain(s);
        timer(s);
        drain(s);
    }
}


/* network mode */

static long
client_wbio_cb(BIO *b, int oper, const char *argp, size_t len, int argi,
    long argl, int ret, size_t *processed)
{
    client_t  *c;

    c = (client_t *) BIO_get_callback_arg(b);

    if (oper == (BIO_CB_WRITE | BIO_CB_RETURN) && ret > 0
        && processed != NULL && *processed > 0)
    {
        check(c->count < CLIENT_QUEUE);
        c->lens[(c->head + c->count) % CLIENT_QUEUE] = *processed;
        c->count++;
    }

    return ret;
}


static void
client_step(client_t *c)
{
    int     rc, err;
    u_char  buf[2048];

    if (c->failed) {
        return;
    }

    if (!c->done) {
        rc = SSL_do_handshake(c->ssl);

        if (rc == 1) {
            c->done = 1;

        } else {
            err = SSL_get_error(c->ssl, rc);
            c->failed = (err != SSL_ERROR_WANT_READ
                         && err != SSL_ERROR_WANT_WRITE);
        }
    }

    if (c->done) {
        while (SSL_read(c->ssl, buf, sizeof(buf)) > 0) {
            /* void */
        }
    }

    ERR_clear_error();
}


static size_t
client_pull(client_t *c, u_char *buf, size_t size)
{
    size_t  n;

    if (c->count == 0) {
        return 0;
    }

    n = c->lens[c->head];
    c->head = (c->head + 1) % CLIENT_QUEUE;
    c->count--;

    check(n <= size);
    check(BIO_read(c->wbio, buf, (int) n) == (int) n);

    return n;
}


/*
 * Applies the next script byte to a datagram: calls deliver() 0, 1 or 2
 * times.  A held-back datagram goes out after the next one.
 */

typedef void (*deliver_pt)(void *to, const u_char *p, size_t n);


static void
net_flush(held_t *held, deliver_pt deliver, void *to)
{
    size_t  n;

    if (held->len) {
        n = held->len;
        held->len = 0;
        deliver(to, held->data, n);
    }
}


static void
net_send(script_t *sc, held_t *held, deliver_pt deliver, void *to, u_char *p,
    size_t n)
{
    u_char  op;

    op = 0;

    if (sc->left > 0) {
        op = *sc->p++;
        sc->left--;
    }

    if ((op & 0x20) && held->len == 0 && n <= sizeof(held->data)) {
        memcpy(held->data, p, n);
        held->len = n;
        return;
    }

    switch (op & 3) {

    case 0:
        deliver(to, p, n);
        break;

    case 1:
        break;

    case 2:
        deliver(to, p, n);
        deliver(to, p, n);
        break;

    default:
        p[(op >> 2) % n] ^= (u_char) (1 << ((op >> 2) % 8));
        deliver(to, p, n);
        break;
    }

    net_flush(held, deliver, to);
}


static void
to_server(void *to, const u_char *p, size_t n)
{
    meet_dtls_session_t  *s = to;

    feed(s, p, n);
}


static void
to_client(void *to, const u_char *p, size_t n)
{
    client_t  *c = to;

    BIO_write(c->rbio, p, (int) n);
    client_step(c);
}


static void
srtp_check(meet_dtls_session_t *s, client_t *c)
{
    int                       i;
    size_t                    len;
    uint32_t                  pkt[64];
    u_char                   *p, m[2 * (32 + 14)];
    meet_srtp_t              *server, *client;
    meet_srtp_keys_t          sk, ck;
    SRTP_PROTECTION_PROFILE  *prof;

    check(meet_dtls_srtp_keys(s, &sk) == 0);

    prof = SSL_get_selected_srtp_profile(c->ssl);
    check(prof != NULL && prof->id == sk.profile);

    memset(&ck, 0, sizeof(meet_srtp_keys_t));
    ck.profile = prof->id;
    ck.key_len = meet_srtp_key_len(prof->id);
    ck.salt_len = meet_srtp_salt_len(prof->id);

    check(SSL_export_keying_material(c->ssl, m,
                                     2 * (ck.key_len + ck.salt_len),
                                     "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0)
          == 1);

    p = m;
    memcpy(ck.client_key, p, ck.key_len);
    p += ck.key_len;
    memcpy(ck.server_key, p, ck.key_len);
    p += ck.key_len;
    memcpy(ck.client_salt, p, ck.salt_len);
    p += ck.salt_len;
    memcpy(ck.server_salt, p, ck.salt_len);

    check(sk.key_len == ck.key_len && sk.salt_len == ck.salt_len
          && memcmp(sk.client_key, ck.client_key, sk.key_len) == 0
          && memcmp(sk.server_key, ck.server_key, sk.key_len) == 0
          && memcmp(sk.client_salt, ck.client_salt, sk.salt_len) == 0
          && memcmp(sk.server_salt, ck.server_salt, sk.salt_len) == 0);

    server = meet_srtp_create(&sk, MEET_SRTP_SERVER, NULL);
    client = meet_srtp_create(&ck, MEET_SRTP_CLIENT, NULL);
    check(server != NULL && client != NULL);

    p = (u_char *) pkt;

    for (i = 0; i < 2; i++) {
        memset(p, 0, sizeof(pkt));
        p[0] = 0x80;
        p[1] = 111;
        p[3] = 1;
        p[11] = 1;
        len = 12 + 100;

        check(meet_srtp_protect_rtp(i ? server : client, p, &len,
                                    sizeof(pkt))
              == MEET_SRTP_OK);
        check(meet_srtp_unprotect_rtp(i ? client : server, p, &len)
              == MEET_SRTP_OK);
        check(len == 112);
    }

    meet_srtp_free(server);
    meet_srtp_free(client);
}


static void
network(const uint8_t *data, size_t size)
{
    int                   round, moved, wrong, scripted;
    long                  t;
    size_t                n;
    u_char                buf[MEET_DTLS_MAX_DATAGRAM];
    u_char                fp[MEET_DTLS_FINGERPRINT_LEN];
    held_t                up, down;
    ssize_t               m;
    client_t              c;
    script_t              sc;
    struct timeval        tv;
    meet_dtls_session_t  *s;

    wrong = 0;
    time_offset_us = 0;
    memset(&c, 0, sizeof(client_t));

    c.ssl = SSL_new(client_ctx);
    c.rbio = BIO_new(BIO_s_mem());
    c.wbio = BIO_new(BIO_s_mem());
    check(c.ssl != NULL && c.rbio != NULL && c.wbio != NULL);

    BIO_set_mem_eof_return(c.rbio, -1);
    BIO_set_mem_eof_return(c.wbio, -1);
    BIO_set_callback_ex(c.wbio, client_wbio_cb);
    BIO_set_callback_arg(c.wbio, (char *) &c);
    SSL_set_bio(c.ssl, c.rbio, c.wbio);

    if (size > 0) {
        check(SSL_set_mtu(c.ssl, (data[0] & 1) ? 256 : 1200) != 0);
        wrong = (data[0] & 2) != 0;
        data++;
        size--;

    } else {
        check(SSL_set_mtu(c.ssl, 1200) != 0);
    }

    SSL_set_connect_state(c.ssl);

    memcpy(fp, client_fp, sizeof(fp));
    fp[0] ^= (u_char) wrong;

    s = meet_dtls_session_create(ctx, fp, NULL);
    check(s != NULL);

    sc.p = data;
    sc.left = size;
    scripted = (size > 0);

    up.len = 0;
    down.len = 0;

    client_step(&c);

    for (round = 0; round < MAX_ROUNDS; round++) {
        moved = 0;

        while ((n = client_pull(&c, buf, sizeof(buf))) > 0) {
            moved = 1;
            net_send(&sc, &up, to_server, s, buf, n);
        }

        while ((m = meet_dtls_next_datagram(s, buf, sizeof(buf))) > 0) {
            moved = 1;
            net_send(&sc, &down, to_client, &c, buf, (size_t) m);
        }

        if (moved) {
            continue;
        }

        if (up.len || down.len) {
            net_flush(&up, to_server, s);
            net_flush(&down, to_client, &c);
            continue;
        }

        /* a stall: time passes until a timer of either end runs */

        t = meet_dtls_timeout(s);

        if (!c.failed && DTLSv1_get_timeout(c.ssl, &tv) == 1) {
            if (t < 0 || tv.tv_sec * 1000 + tv.tv_usec / 1000 < t) {
                t = tv.tv_sec * 1000 + tv.tv_usec / 1000;
            }
        }

        ERR_clear_error();

        if (t < 0) {
            break;
        }

        time_offset_us += (t + 1) * 1000;

        timer(s);

        if (!c.failed && DTLSv1_handle_timeout(c.ssl) < 0) {
            c.failed = 1;
        }

        ERR_clear_error();

        client_step(&c);
    }

    if (wrong) {
        check(meet_dtls_state(s) != MEET_DTLS_CONNECTED);
        check(!c.done);
    }

    if (!scripted && !wrong) {
        check(meet_dtls_state(s) == MEET_DTLS_CONNECTED && c.done);
    }

    if (meet_dtls_state(s) == MEET_DTLS_CONNECTED && c.done) {
        srtp_check(s, &c);
    }

    (void) meet_dtls_close(s);
    drain(s);
    meet_dtls_session_free(s);

    SSL_free(c.ssl);

    time_offset_us = 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char                fp[MEET_DTLS_FINGERPRINT_LEN];
    meet_dtls_state_e     st;
    meet_dtls_session_t  *s;

    if (ctx == NULL) {
        init();
    }

    if (size >= 4 && memcmp(data, "NET:", 4) == 0) {
        network(data + 4, size - 4);
        check(ERR_peek_error() == 0);
        return 0;
    }

    memset(fp, 0, sizeof(fp));

    if (size >= sizeof(fp)) {
        memcpy(fp, data, sizeof(fp));
        data += sizeof(fp);
        size -= sizeof(fp);

    } else {
        size = 0;
    }

    s = meet_dtls_session_create(ctx, fp, NULL);
    check(s != NULL);

    raw(s, data, size);

    st = meet_dtls_close(s);
    check(st == MEET_DTLS_CLOSED || st == MEET_DTLS_FAILED);
    drain(s);

    meet_dtls_session_free(s);

    check(ERR_peek_error() == 0);

    return 0;
}
