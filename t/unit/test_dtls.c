/* sources: ngx_meet_rtp_stream_module/lib/meet_dtls.c ngx_meet_rtp_stream_module/lib/meet_srtp.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the DTLS-SRTP server (meet_dtls.c) and the SRTP
 * sessions (meet_srtp.c), against a real OpenSSL DTLS client that
 * behaves like Chromium as a DTLS 1.2 client: use_srtp offering
 * AEAD_AES_256_GCM, AEAD_AES_128_GCM, AES128_CM_SHA1_80, AES128_CM_SHA1_32
 * in that order, and a ClientHello of about 1413 bytes that an MTU of
 * 1200 splits over two datagrams.  The client talks through memory BIOs;
 * the test carries datagrams between it and the server one by one, and
 * can drop, reorder or corrupt them.
 *
 * MEET_DTLS_CORPUS=<dir>: also writes the client's datagrams as seeds for
 * t/fuzz/fuzz_dtls.c (its input format) into <dir>.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "tap.h"
#include "meet_dtls.h"
#include "meet_srtp.h"
#include "packets.h"


#define CHROMIUM_PROFILES                                                     \
    "SRTP_AEAD_AES_256_GCM:SRTP_AEAD_AES_128_GCM:"                           \
    "SRTP_AES128_CM_SHA1_80:SRTP_AES128_CM_SHA1_32"

/* an extension OpenSSL does not know (a GREASE value): ClientHello bulk */
#define BULK_EXT_TYPE    0x1a1a

#define MAX_DGRAMS       64
#define LOG_DGRAMS       32


typedef struct {
    EVP_PKEY                 *key;
    X509                     *cert;
    u_char                    fp[32];
} ident_t;


typedef struct {
    const char               *profiles;     /* NULL: no use_srtp */
    int                       mtu;
    size_t                    bulk;         /* extension bytes, 0: none */
    int                       no_cert;
    unsigned                  timer_ms;     /* 0: OpenSSL's 1 s */
} client_opts_t;


typedef struct {
    SSL_CTX                  *ctx;
    SSL                      *ssl;
    BIO                      *rbio;
    BIO                      *wbio;
    size_t                    lens[MAX_DGRAMS];   /* wbio's datagrams */
    size_t                    head;
    size_t                    count;
    int                       done;
    int                       failed;
    int                       closed;
    int                       app_data;
    u_char                    rx[2048];     /* the last record read */
    size_t                    rx_len;
    unsigned                  timer_ms;
    unsigned long             err;

    /* what it sent, for the fuzzing corpus */
    u_char                   *log[LOG_DGRAMS];
    size_t                    log_len[LOG_DGRAMS];
    size_t                    nlog;
} client_t;


static ident_t           server_id;
static ident_t           client_id;
static meet_dtls_ctx_t  *ctx;
static u_char            bulk_ext[2048];
static size_t            bulk_len;


/* identities */

static int
ident_make(ident_t *id, const char *cn)
{
    X509_NAME     *name;
    unsigned int   len;

    id->key = EVP_EC_gen("P-256");
    id->cert = X509_new();

    if (id->key == NULL || id->cert == NULL) {
        return -1;
    }

    name = X509_get_subject_name(id->cert);

    if (X509_set_version(id->cert, 2) != 1
        || ASN1_INTEGER_set(X509_get_serialNumber(id->cert), 1) != 1
        || X509_gmtime_adj(X509_getm_notBefore(id->cert), -86400) == NULL
        || X509_gmtime_adj(X509_getm_notAfter(id->cert), 86400) == NULL
        || X509_set_pubkey(id->cert, id->key) != 1
        || X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                      (const u_char *) cn, -1, -1, 0) != 1
        || X509_set_issuer_name(id->cert, name) != 1
        || X509_sign(id->cert, id->key, EVP_sha256()) == 0
        || X509_digest(id->cert, EVP_sha256(), id->fp, &len) != 1
        || len != 32)
    {
        return -1;
    }

    return 0;
}


static void
ident_free(ident_t *id)
{
    X509_free(id->cert);
    EVP_PKEY_free(id->key);
}


/* the client */

static long
client_wbio_cb(BIO *b, int oper, const char *argp, size_t len, int argi,
    long argl, int ret, size_t *processed)
{
    client_t  *c;

    c = (client_t *) BIO_get_callback_arg(b);

    if (oper == (BIO_CB_WRITE | BIO_CB_RETURN) && ret > 0
        && processed != NULL && *processed > 0)
    {
        if (c->count < MAX_DGRAMS) {
            c->lens[(c->head + c->count) % MAX_DGRAMS] = *processed;
            c->count++;
        }
    }

    return ret;
}


static int
client_verify(int ok, X509_STORE_CTX *store)
{
    /* the fingerprint is compared by the test after the handshake */
    return 1;
}


static unsigned int
client_timer(SSL *ssl, unsigned int prev_us)
{
    client_t  *c;

    c = SSL_get_app_data(ssl);

    return prev_us ? prev_us * 2 : c->timer_ms * 1000;
}


static int
bulk_add(SSL *ssl, unsigned int type, unsigned int context,
    const unsigned char **out, size_t *outlen, X509 *x, size_t chainidx,
    int *al, void *arg)
{
    *out = bulk_ext;
    *outlen = bulk_len;
    return 1;
}


static int
client_init(client_t *c, const client_opts_t *o)
{
    memset(c, 0, sizeof(client_t));

    c->ctx = SSL_CTX_new(DTLS_client_method());
    if (c->ctx == NULL) {
        return -1;
    }

    SSL_CTX_set_min_proto_version(c->ctx, DTLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(c->ctx, DTLS1_2_VERSION);
    SSL_CTX_set_options(c->ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);

    if (!o->no_cert
        && (SSL_CTX_use_certificate(c->ctx, client_id.cert) != 1
            || SSL_CTX_use_PrivateKey(c->ctx, client_id.key) != 1))
    {
        return -1;
    }

    if (o->profiles != NULL
        && SSL_CTX_set_tlsext_use_srtp(c->ctx, o->profiles) != 0)
    {
        return -1;
    }

    if (o->bulk) {
        bulk_len = o->bulk;

        if (SSL_CTX_add_custom_ext(c->ctx, BULK_EXT_TYPE,
                                   SSL_EXT_CLIENT_HELLO, bulk_add, NULL,
                                   NULL, NULL, NULL)
            != 1)
        {
            return -1;
        }
    }

    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, client_verify);

    c->ssl = SSL_new(c->ctx);
    c->rbio = BIO_new(BIO_s_mem());
    c->wbio = BIO_new(BIO_s_mem());

    if (c->ssl == NULL || c->rbio == NULL || c->wbio == NULL) {
        return -1;
    }

    BIO_set_mem_eof_return(c->rbio, -1);
    BIO_set_mem_eof_return(c->wbio, -1);
    BIO_set_callback_ex(c->wbio, client_wbio_cb);
    BIO_set_callback_arg(c->wbio, (char *) c);

    SSL_set_bio(c->ssl, c->rbio, c->wbio);
    SSL_set_app_data(c->ssl, c);

    if (SSL_set_mtu(c->ssl, o->mtu ? o->mtu : 1200) == 0) {
        return -1;
    }

    if (o->timer_ms) {
        c->timer_ms = o->timer_ms;
        DTLS_set_timer_cb(c->ssl, client_timer);
    }

    SSL_set_connect_state(c->ssl);

    return 0;
}


static void
client_free(client_t *c)
{
    size_t  i;

    SSL_free(c->ssl);
    SSL_CTX_free(c->ctx);

    for (i = 0; i < c->nlog; i++) {
        free(c->log[i]);
    }

    memset(c, 0, sizeof(client_t));
}


/* drives the client after something happened: handshake, then reads */

static void
client_step(client_t *c)
{
    int     rc, err;
    u_char  buf[2048];

    if (c->failed || c->closed) {
        return;
    }

    if (!c->done) {
        rc = SSL_do_handshake(c->ssl);

        if (rc == 1) {
            c->done = 1;

        } else {
            err = SSL_get_error(c->ssl, rc);

            if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
                c->failed = 1;
                c->err = ERR_peek_error();
            }

            ERR_clear_error();
            return;
        }
    }

    for ( ;; ) {
        rc = SSL_read(c->ssl, buf, sizeof(buf));

        if (rc > 0) {
            c->app_data = 1;
            memcpy(c->rx, buf, rc);
            c->rx_len = rc;
            continue;
        }

        err = SSL_get_error(c->ssl, rc);

        if (err == SSL_ERROR_ZERO_RETURN) {
            c->closed = 1;

        } else if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) {
            c->failed = 1;
            c->err = ERR_peek_error();
        }

        break;
    }

    ERR_clear_error();
}


/* the next datagram the client wrote: its length, 0 if none */

static size_t
client_pull(client_t *c, u_char *buf, size_t size)
{
    size_t  n;

    if (c->count == 0) {
        return 0;
    }

    n = c->lens[c->head];
    c->head = (c->head + 1) % MAX_DGRAMS;
    c->count--;

    if (n > size || BIO_read(c->wbio, buf, (int) n) != (int) n) {
        return 0;
    }

    if (c->nlog < LOG_DGRAMS) {
        c->log[c->nlog] = malloc(n);
        if (c->log[c->nlog] != NULL) {
            memcpy(c->log[c->nlog], buf, n);
            c->log_len[c->nlog++] = n;
        }
    }

    return n;
}


/* one datagram for the client, processed at once (keeps boundaries) */

static void
client_push(client_t *c, const u_char *p, size_t n)
{
    BIO_write(c->rbio, p, (int) n);
    client_step(c);
}


/* carries datagrams both ways until none moves; the server's last state */

static meet_dtls_state_e
pump(client_t *c, meet_dtls_session_t *s, size_t *max_dgram)
{
    int                moved, round;
    size_t             n;
    ssize_t            m;
    meet_dtls_state_e  st;
    u_char             buf[MEET_DTLS_MAX_DATAGRAM];

    st = meet_dtls_state(s);

    for (round = 0; round < 50; round++) {
        moved = 0;

        while ((n = client_pull(c, buf, sizeof(buf))) > 0) {
            moved = 1;

            if (max_dgram && n > *max_dgram) {
                *max_dgram = n;
            }

            st = meet_dtls_feed(s, buf, n);
        }

        while ((m = meet_dtls_next_datagram(s, buf, sizeof(buf))) > 0) {
            moved = 1;

            if (max_dgram && (size_t) m > *max_dgram) {
                *max_dgram = (size_t) m;
            }

            client_push(c, buf, (size_t) m);
        }

        if (!moved) {
            break;
        }
    }

    return st;
}


static meet_dtls_session_t *
session_new(const u_char *fp)
{
    const char           *err;
    meet_dtls_session_t  *s;

    s = meet_dtls_session_create(ctx, fp, &err);
    if (s == NULL) {
        diag("meet_dtls_session_create: %s", err);
    }

    return s;
}


static size_t
drain(meet_dtls_session_t *s)
{
    size_t  n;
    u_char  buf[MEET_DTLS_MAX_DATAGRAM];

    n = 0;

    while (meet_dtls_next_datagram(s, buf, sizeof(buf)) > 0) {
        n++;
    }

    return n;
}


/* the fuzzing corpus: fingerprint, then 2-byte length + datagram each */

static void
corpus_write(const char *name, const u_char *fp, client_t *c, size_t from,
    size_t to)
{
    FILE        *f;
    size_t       i;
    const char  *dir;
    char         path[1024];
    u_char       len[2];

    dir = getenv("MEET_DTLS_CORPUS");
    if (dir == NULL || *dir == '\0') {
        return;
    }

    snprintf(path, sizeof(path), "%s/%s", dir, name);

    f = fopen(path, "wb");
    if (f == NULL) {
        diag("cannot write %s", path);
        return;
    }

    fwrite(fp, 1, 32, f);

    for (i = from; i < to && i < c->nlog; i++) {
        len[0] = (u_char) (c->log_len[i] >> 8);
        len[1] = (u_char) c->log_len[i];
        fwrite(len, 1, 2, f);
        fwrite(c->log[i], 1, c->log_len[i], f);
    }

    fclose(f);

    note("wrote %s", path);
}


/* the client's own view of the SRTP keys, RFC 5764 §4.2 */

static int
client_keys(client_t *c, meet_srtp_keys_t *k)
{
    u_char                   *p;
    u_char                    m[2 * (32 + 14)];
    SRTP_PROTECTION_PROFILE  *prof;

    prof = SSL_get_selected_srtp_profile(c->ssl);
    if (prof == NULL) {
        return -1;
    }

    memset(k, 0, sizeof(meet_srtp_keys_t));

    k->profile = prof->id;
    k->key_len = meet_srtp_key_len(prof->id);
    k->salt_len = meet_srtp_salt_len(prof->id);

    if (k->key_len == 0
        || SSL_export_keying_material(c->ssl, m,
                                      2 * (k->key_len + k->salt_len),
                                      "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0)
           != 1)
    {
        return -1;
    }

    p = m;
    memcpy(k->client_key, p, k->key_len);
    p += k->key_len;
    memcpy(k->server_key, p, k->key_len);
    p += k->key_len;
    memcpy(k->client_salt, p, k->salt_len);
    p += k->salt_len;
    memcpy(k->server_salt, p, k->salt_len);

    return 0;
}


static int
keys_equal(const meet_srtp_keys_t *a, const meet_srtp_keys_t *b)
{
    return a->profile == b->profile
           && a->key_len == b->key_len
           && a->salt_len == b->salt_len
           && memcmp(a->client_key, b->client_key, a->key_len) == 0
           && memcmp(a->server_key, b->server_key, a->key_len) == 0
           && memcmp(a->client_salt, b->client_salt, a->salt_len) == 0
           && memcmp(a->server_salt, b->server_salt, a->salt_len) == 0;
}


/* a complete handshake; keys of both sides when asked */

static int
handshake(const client_opts_t *o, meet_srtp_keys_t *skeys,
    meet_srtp_keys_t *ckeys)
{
    int                   ok;
    client_t              c;
    meet_dtls_session_t  *s;

    ok = 0;

    s = session_new(client_id.fp);

    if (s != NULL && client_init(&c, o) == 0) {
        client_step(&c);

        ok = pump(&c, s, NULL) == MEET_DTLS_CONNECTED && c.done
             && (skeys == NULL || meet_dtls_srtp_keys(s, skeys) == 0)
             && (ckeys == NULL || client_keys(&c, ckeys) == 0);

        if (!ok) {
            diag("server: %s (%s), client: %s",
                 meet_dtls_state_name(meet_dtls_state(s)),
                 meet_dtls_reason(s),
                 c.err ? ERR_reason_error_string(c.err) : "-");
        }

        client_free(&c);
    }

    meet_dtls_session_free(s);

    return ok;
}


/* DTLS */

typedef struct {
    meet_dtls_session_t      *s;
    int                       calls;
    size_t                    len[4];
    int                       last_ok;
} app_t;


/* the application handler: records, then answers with up to the largest
   record meet_dtls_write() takes */

static void
app_echo(void *data, const u_char *p, size_t len)
{
    app_t  *app = data;

    if (app->calls < 4) {
        app->len[app->calls] = len;
    }

    app->calls++;
    app->last_ok = (len == 4 && memcmp(p, "ping", 4) == 0)
                   || (len > 2 && p[0] == 'A' && p[len - 1] == 'Z');

    (void) meet_dtls_write(app->s, p, len < MEET_DTLS_MAX_APP_DATA
                                      ? len : MEET_DTLS_MAX_APP_DATA);
}


static void
test_chromium_like(void)
{
    size_t                i, n, maxd, first[4], nfirst;
    ssize_t               m;
    client_t              c;
    X509                 *peer;
    u_char                buf[MEET_DTLS_MAX_DATAGRAM], md[32];
    unsigned int          mdlen;
    client_opts_t         o;
    meet_srtp_keys_t      sk, ck;
    meet_dtls_state_e     st;
    meet_dtls_session_t  *s;
    app_t                 app;
    u_char                big[1800], bigbuf[4096];

    note("a Chromium-like client: 1413-byte ClientHello in 2 datagrams");

    memset(&o, 0, sizeof(client_opts_t));
    o.profiles = CHROMIUM_PROFILES;
    o.mtu = 1200;
    o.bulk = 1;

    /* size the bulk extension so that the ClientHello is 1413 bytes */

    if (!ok(client_init(&c, &o) == 0, "client made")) {
        return;
    }

    client_step(&c);
    n = 0;

    while ((m = (ssize_t) client_pull(&c, buf, sizeof(buf))) > 0) {
        n += (size_t) m;
    }

    client_free(&c);

    /* each datagram: 13-byte record header + 12-byte fragment header */

    o.bulk = 1 + 1413 - (n - 25);

    s = session_new(client_id.fp);
    if (!ok(s != NULL, "session made") || !ok(client_init(&c, &o) == 0,
                                              "client made"))
    {
        meet_dtls_session_free(s);
        return;
    }

    is_int(meet_dtls_state(s), MEET_DTLS_HANDSHAKING, "starts handshaking");
    is_int(meet_dtls_timeout(s), -1, "no timer before anything came");

    client_step(&c);

    nfirst = 0;
    while (nfirst < 4
           && (first[nfirst] = client_pull(&c, buf, sizeof(buf))) > 0)
    {
        st = meet_dtls_feed(s, buf, first[nfirst]);

        if (nfirst == 0) {
            is_int(st, MEET_DTLS_HANDSHAKING, "first fragment: handshaking");
            is_int(meet_dtls_pending(s), 0,
                   "nothing to send for half a ClientHello");
        }

        nfirst++;
    }

    is_int(nfirst, 2, "the ClientHello took 2 datagrams");
    is_int(first[0] + first[1] - 2 * 25, 1413,
           "of 1413 ClientHello bytes (%zu + %zu byte datagrams)",
           first[0], first[1]);
    ok(meet_dtls_pending(s) >= 1, "the server answers the whole ClientHello "
       "(%zu datagrams)", meet_dtls_pending(s));

    m = meet_dtls_timeout(s);
    ok(m > 500 && m <= 1000, "retransmission timer armed: %ld ms", (long) m);

    maxd = 0;
    st = pump(&c, s, &maxd);

    is_int(st, MEET_DTLS_CONNECTED, "server connected");
    is_str(meet_dtls_reason(s), "", "no failure reason");
    ok(c.done, "client connected");
    ok(maxd <= MEET_DTLS_MTU, "datagrams fit the MTU (largest %zu)", maxd);
    is_str(SSL_get_version(c.ssl), "DTLSv1.2", "DTLS 1.2");
    is_str(meet_dtls_cipher(s), "ECDHE-ECDSA-AES128-GCM-SHA256",
           "cipher suite");

    peer = SSL_get0_peer_certificate(c.ssl);
    ok(peer != NULL && X509_digest(peer, EVP_sha256(), md, &mdlen) == 1
       && mdlen == 32 && memcmp(md, server_id.fp, 32) == 0,
       "the client got our certificate");

    ok(meet_dtls_srtp_keys(s, &sk) == 0, "server keys");
    ok(client_keys(&c, &ck) == 0, "client keys");
    is_int(sk.profile, MEET_SRTP_AEAD_AES_128_GCM,
           "OpenSSL as server picks its first choice AEAD_AES_128_GCM");
    is_int(SSL_get_selected_srtp_profile(c.ssl)->id,
           MEET_SRTP_AEAD_AES_128_GCM, "the client agrees");
    is_int(sk.key_len, 16, "key 16 bytes");
    is_int(sk.salt_len, 12, "salt 12 bytes");
    ok(keys_equal(&sk, &ck), "both ends exported the same keys");
    ok(memcmp(sk.client_key, sk.server_key, 16) != 0
       && memcmp(sk.client_salt, sk.server_salt, 12) != 0,
       "client and server keys differ");

    is_int(meet_dtls_timeout(s), -1, "no timer once connected");
    is_int(meet_dtls_on_timer(s), MEET_DTLS_CONNECTED,
           "a stray timer changes nothing");
    is_int(meet_dtls_pending(s), 0, "and sends nothing");

    /* the fuzzing corpus: ClientHello, then the whole client side */

    corpus_write("clienthello-1413", client_id.fp, &c, 0, 2);
    corpus_write("handshake-1413", client_id.fp, &c, 0, c.nlog);

    /* application data without a handler is dropped */

    ok(SSL_write(c.ssl, "hello", 5) == 5, "client sends application data");
    n = client_pull(&c, buf, sizeof(buf));
    is_int(meet_dtls_feed(s, buf, n), MEET_DTLS_APP_DATA,
           "reported as application data");
    is_int(meet_dtls_state(s), MEET_DTLS_CONNECTED, "still connected");

    /* with a handler each record comes whole, and it may answer */

    memset(&app, 0, sizeof(app_t));
    app.s = s;
    meet_dtls_set_app_handler(s, app_echo, &app);

    ok(SSL_write(c.ssl, "ping", 4) == 4, "a record of 4 bytes");
    memset(big, 'x', sizeof(big));
    big[0] = 'A';
    big[sizeof(big) - 1] = 'Z';
    ok(SSL_write(c.ssl, big, sizeof(big)) == (int) sizeof(big),
       "and one of %d bytes", (int) sizeof(big));
    n = client_pull(&c, bigbuf, sizeof(bigbuf));
    is_int(meet_dtls_feed(s, bigbuf, n), MEET_DTLS_APP_DATA, "first record");
    n = client_pull(&c, bigbuf, sizeof(bigbuf));
    ok(n > sizeof(big), "the second is one datagram of %d bytes", (int) n);
    is_int(meet_dtls_feed(s, bigbuf, n), MEET_DTLS_APP_DATA,
           "second record");
    is_int(app.calls, 2, "the handler ran once a record");
    is_int(app.len[0], 4, "the first whole");
    is_int(app.len[1], sizeof(big), "the second whole");
    ok(app.last_ok, "with its bytes");
    is_int(meet_dtls_pending(s), 2, "two answers queued, a datagram each");

    n = meet_dtls_next_datagram(s, buf, sizeof(buf));
    ok(n > 0 && n <= MEET_DTLS_MAX_DATAGRAM, "first answer %d bytes", (int) n);
    client_push(&c, buf, n);
    is_mem(c.rx, c.rx_len, "ping", 4, "the client reads the first answer");
    n = meet_dtls_next_datagram(s, buf, sizeof(buf));
    ok(n > MEET_DTLS_MAX_APP_DATA && n <= MEET_DTLS_MAX_DATAGRAM,
       "second answer %d bytes: within a datagram", (int) n);
    client_push(&c, buf, n);
    is_int(c.rx_len, MEET_DTLS_MAX_APP_DATA,
           "the client reads the largest record we write");

    is_int(meet_dtls_write(s, big, 0), -1, "no empty record");
    is_int(meet_dtls_write(s, big, MEET_DTLS_MAX_APP_DATA + 1), -1,
           "none over MEET_DTLS_MAX_APP_DATA");
    is_int(meet_dtls_pending(s), 0, "nothing queued for those");

    meet_dtls_set_app_handler(s, NULL, NULL);

    /* a corrupted record after the handshake is dropped */

    ok(SSL_write(c.ssl, "hello", 5) == 5, "more application data");
    n = client_pull(&c, buf, sizeof(buf));
    buf[n - 1] ^= 1;
    is_int(meet_dtls_feed(s, buf, n), MEET_DTLS_CONNECTED,
           "a record failing authentication is dropped");

    /* the client closes */

    SSL_shutdown(c.ssl);
    n = client_pull(&c, buf, sizeof(buf));
    ok(n > 0, "client close_notify");
    is_int(meet_dtls_feed(s, buf, n), MEET_DTLS_CLOSED, "server closed");
    is_str(meet_dtls_reason(s), "the peer sent close_notify", "reason");
    is_int(meet_dtls_srtp_keys(s, &sk), -1, "no keys once closed");
    is_int(meet_dtls_feed(s, buf, n), MEET_DTLS_CLOSED, "stays closed");
    is_int(meet_dtls_close(s), MEET_DTLS_CLOSED, "close: still closed");

    for (i = 0; i < c.nlog; i++) {
        free(c.log[i]);
    }

    c.nlog = 0;

    client_free(&c);
    meet_dtls_session_free(s);
}


static void
test_fragments(void)
{
    int                   i, n;
    size_t                len[16];
    client_t              c;
    u_char                dg[16][1300];
    client_opts_t         o;
    meet_srtp_keys_t      sk, ck;
    meet_dtls_session_t  *s;

    note("ClientHello in many fragments, given in reverse order");

    memset(&o, 0, sizeof(client_opts_t));
    o.profiles = CHROMIUM_PROFILES;
    o.mtu = 256;
    o.bulk = 1000;

    s = session_new(client_id.fp);
    if (s == NULL || client_init(&c, &o) != 0) {
        ok(0, "setup");
        meet_dtls_session_free(s);
        return;
    }

    client_step(&c);

    for (n = 0; n < 16; n++) {
        len[n] = client_pull(&c, dg[n], sizeof(dg[n]));
        if (len[n] == 0) {
            break;
        }
    }

    if (!ok(n >= 5, "ClientHello in %d datagrams", n)) {
        client_free(&c);
        meet_dtls_session_free(s);
        return;
    }

    for (i = n - 1; i >= 0; i--) {
        meet_dtls_feed(s, dg[i], len[i]);

        if (i == n - 1) {
            /* a duplicate fragment changes nothing */
            meet_dtls_feed(s, dg[i], len[i]);
        }

        if (i > 0 && meet_dtls_pending(s) != 0) {
            break;
        }
    }

    is_int(i, -1, "the server waited for the last missing fragment");
    ok(meet_dtls_pending(s) > 0, "then answered");

    is_int(pump(&c, s, NULL), MEET_DTLS_CONNECTED, "connected");
    ok(c.done, "client connected");
    ok(meet_dtls_srtp_keys(s, &sk) == 0 && client_keys(&c, &ck) == 0
       && keys_equal(&sk, &ck), "same keys");

    corpus_write("clienthello-mtu256", client_id.fp, &c, 0, (size_t) n);

    /* the server closes */

    is_int(meet_dtls_close(s), MEET_DTLS_CLOSED, "server closes");
    is_int(meet_dtls_pending(s), 1, "one close_notify datagram");
    pump(&c, s, NULL);
    ok(c.closed, "the client got close_notify");
    is_int(meet_dtls_timeout(s), -1, "no timer once closed");

    client_free(&c);
    meet_dtls_session_free(s);
}


static void
test_profiles(void)
{
    client_opts_t     o;
    meet_srtp_keys_t  sk, ck;

    note("SRTP profile selection");

    memset(&o, 0, sizeof(client_opts_t));
    o.mtu = 1200;

    o.profiles = "SRTP_AES128_CM_SHA1_80";
    ok(handshake(&o, &sk, &ck), "client offering AES128_CM_SHA1_80 only");
    is_int(sk.profile, MEET_SRTP_AES128_CM_SHA1_80, "AES128_CM_SHA1_80");
    ok(sk.key_len == 16 && sk.salt_len == 14, "16 + 14 bytes");
    ok(keys_equal(&sk, &ck), "same keys");

    o.profiles = "SRTP_AEAD_AES_256_GCM";
    ok(handshake(&o, &sk, &ck), "client offering AEAD_AES_256_GCM only");
    is_int(sk.profile, MEET_SRTP_AEAD_AES_256_GCM, "AEAD_AES_256_GCM");
    ok(sk.key_len == 32 && sk.salt_len == 12, "32 + 12 bytes");
    ok(keys_equal(&sk, &ck), "same keys");

    o.profiles = "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_256_GCM";
    ok(handshake(&o, &sk, NULL), "client preferring AES128_CM_SHA1_80");
    is_int(sk.profile, MEET_SRTP_AEAD_AES_256_GCM,
           "the server's preference wins: AEAD_AES_256_GCM");

    o.profiles = "SRTP_AES128_CM_SHA1_32";
    ok(!handshake(&o, &sk, NULL),
       "no common profile (AES128_CM_SHA1_32): no session");
}


static void
test_refusals(void)
{
    client_t              c;
    u_char                wrong[32];
    client_opts_t         o;
    meet_srtp_keys_t      sk;
    meet_dtls_session_t  *s;

    note("peers that must be refused");

    memset(&o, 0, sizeof(client_opts_t));
    o.profiles = CHROMIUM_PROFILES;
    o.mtu = 1200;

    /* the wrong fingerprint */

    memcpy(wrong, client_id.fp, 32);
    wrong[31] ^= 0x80;

    s = session_new(wrong);
    if (s != NULL && client_init(&c, &o) == 0) {
        client_step(&c);

        is_int(pump(&c, s, NULL), MEET_DTLS_FAILED,
               "wrong fingerprint: failed");
        is_str(meet_dtls_reason(s),
               "the peer certificate does not match the SDP fingerprint",
               "reason");
        ok(!c.done && c.failed, "the client got an alert, no Finished");
        is_str(c.err ? ERR_reason_error_string(c.err) : "",
               "sslv3 alert bad certificate", "alert: bad_certificate");
        is_int(meet_dtls_srtp_keys(s, &sk), -1, "no keys");
        is_int(meet_dtls_timeout(s), -1, "no timer");
        is_int(meet_dtls_feed(s, (u_char *) "\x16\xfe\xfd", 3),
               MEET_DTLS_FAILED, "stays failed");

        corpus_write("wrong-fingerprint", wrong, &c, 0, c.nlog);

        client_free(&c);
    }

    meet_dtls_session_free(s);

    /* no client certificate */

    o.no_cert = 1;
    s = session_new(client_id.fp);
    if (s != NULL && client_init(&c, &o) == 0) {
        client_step(&c);

        is_int(pump(&c, s, NULL), MEET_DTLS_FAILED,
               "no client certificate: failed");
        ok(strstr(meet_dtls_reason(s), "certificate") != NULL,
           "reason: %s", meet_dtls_reason(s));
        ok(!c.done, "the client did not connect");

        client_free(&c);
    }

    meet_dtls_session_free(s);
    o.no_cert = 0;

    /* no use_srtp: the handshake completes, the session does not */

    o.profiles = NULL;
    s = session_new(client_id.fp);
    if (s != NULL && client_init(&c, &o) == 0) {
        client_step(&c);

        is_int(pump(&c, s, NULL), MEET_DTLS_FAILED, "no use_srtp: failed");
        is_str(meet_dtls_reason(s),
               "no SRTP profile was negotiated (use_srtp)", "reason");
        ok(c.closed, "the client got our Finished, then close_notify");
        is_int(meet_dtls_srtp_keys(s, &sk), -1, "no keys");

        client_free(&c);
    }

    meet_dtls_session_free(s);

    /* DTLS 1.0 only */

    o.profiles = CHROMIUM_PROFILES;
    s = session_new(client_id.fp);
    if (s != NULL && client_init(&c, &o) == 0) {
        SSL_set_max_proto_version(c.ssl, DTLS1_VERSION);
        SSL_set_min_proto_version(c.ssl, DTLS1_VERSION);
        client_step(&c);

        is_int(pump(&c, s, NULL), MEET_DTLS_FAILED, "DTLS 1.0: failed");
        note("reason: %s", meet_dtls_reason(s));

        client_free(&c);
    }

    meet_dtls_session_free(s);
}


static void
test_loss(void)
{
    int                   i;
    long                  t;
    size_t                n, dropped;
    client_t              c;
    u_char                buf[MEET_DTLS_MAX_DATAGRAM];
    client_opts_t         o;
    meet_srtp_keys_t      sk, ck;
    meet_dtls_ctx_t      *saved;
    meet_dtls_session_t  *s;
    struct timespec       ts;
    const char           *err;

    note("lost flights and retransmission");

    memset(&o, 0, sizeof(client_opts_t));
    o.profiles = CHROMIUM_PROFILES;
    o.mtu = 1200;
    o.bulk = 1000;
    o.timer_ms = 40;

    saved = ctx;
    ctx = meet_dtls_ctx_create(server_id.key, server_id.cert, &err);
    if (!ok(ctx != NULL, "a context with a 40 ms timer")) {
        ctx = saved;
        return;
    }

    meet_dtls_ctx_set_timeout(ctx, 40, 160);

    s = session_new(client_id.fp);
    if (s == NULL || client_init(&c, &o) != 0) {
        ok(0, "setup");
        meet_dtls_session_free(s);
        meet_dtls_ctx_free(ctx);
        ctx = saved;
        return;
    }

    /* the server's first flight is lost */

    client_step(&c);

    while ((n = client_pull(&c, buf, sizeof(buf))) > 0) {
        meet_dtls_feed(s, buf, n);
    }

    dropped = drain(s);
    ok(dropped >= 1, "server flight 2 (%zu datagrams) lost", dropped);

    t = meet_dtls_timeout(s);
    ok(t > 0 && t <= 40, "timer: %ld ms", t);

    is_int(meet_dtls_on_timer(s), MEET_DTLS_HANDSHAKING,
           "an early timer ...");
    is_int(meet_dtls_pending(s), 0, "... retransmits nothing");

    ts.tv_sec = 0;
    ts.tv_nsec = 45 * 1000000;
    nanosleep(&ts, NULL);

    is_int(meet_dtls_timeout(s), 0, "the timer expired");
    is_int(meet_dtls_on_timer(s), MEET_DTLS_HANDSHAKING, "timer runs");
    ok(meet_dtls_pending(s) >= dropped, "flight 2 retransmitted "
       "(%zu datagrams: one per message)", meet_dtls_pending(s));

    t = meet_dtls_timeout(s);
    ok(t > 40 && t <= 80, "timer doubled: %ld ms", t);

    /* now the server's last flight (CCS, Finished) is lost */

    while ((n = meet_dtls_next_datagram(s, buf, sizeof(buf))) > 0) {
        client_push(&c, buf, n);
    }

    while ((n = client_pull(&c, buf, sizeof(buf))) > 0) {
        meet_dtls_feed(s, buf, n);
    }

    is_int(meet_dtls_state(s), MEET_DTLS_CONNECTED, "server connected");
    ok(!c.done, "client still waiting");
    dropped = drain(s);
    ok(dropped >= 1, "server flight 4 (%zu datagrams) lost", dropped);

    /* the client retransmits its flight; the server answers it again */

    ts.tv_nsec = 45 * 1000000;
    nanosleep(&ts, NULL);

    ok(DTLSv1_handle_timeout(c.ssl) > 0, "client retransmits flight 3");

    pump(&c, s, NULL);

    ok(c.done, "client connected after the retransmission");
    is_int(meet_dtls_state(s), MEET_DTLS_CONNECTED, "server connected");
    ok(meet_dtls_srtp_keys(s, &sk) == 0 && client_keys(&c, &ck) == 0
       && keys_equal(&sk, &ck), "same keys");

    client_free(&c);
    meet_dtls_session_free(s);

    /* nobody answers: the session gives up (1 ms becomes the minimum) */

    meet_dtls_ctx_set_timeout(ctx, 1, 1);

    s = session_new(client_id.fp);
    if (s != NULL && client_init(&c, &o) == 0) {
        client_step(&c);

        while ((n = client_pull(&c, buf, sizeof(buf))) > 0) {
            meet_dtls_feed(s, buf, n);
        }

        for (i = 0; i < 30 && meet_dtls_state(s) == MEET_DTLS_HANDSHAKING;
             i++)
        {
            drain(s);
            ts.tv_nsec = (MEET_DTLS_TIMEOUT_MIN + 2) * 1000000;
            nanosleep(&ts, NULL);
            meet_dtls_on_timer(s);
        }

        is_int(meet_dtls_state(s), MEET_DTLS_FAILED,
               "nobody answers: failed after %d timeouts", i);
        is_str(meet_dtls_reason(s), "retransmission failed: read timeout "
               "expired", "reason");
        is_int(meet_dtls_dropped(s), 0, "no datagram was lost in the queue");
        drain(s);

        client_free(&c);
    }

    meet_dtls_session_free(s);
    meet_dtls_ctx_free(ctx);
    ctx = saved;
}


static void
test_garbage(void)
{
    int                   i, j, alive;
    size_t                n;
    client_t              c;
    u_char                buf[2000], hello[MEET_DTLS_MAX_DATAGRAM];
    client_opts_t         o;
    meet_dtls_state_e     st;
    meet_dtls_session_t  *s;

    note("garbage");

    /* random datagrams, with and without a DTLS record header */

    alive = 0;

    for (i = 0; i < 200; i++) {
        s = session_new(client_id.fp);
        if (s == NULL) {
            break;
        }

        for (j = 0; j < 5; j++) {
            n = 1 + (size_t) (rand() % (int) sizeof(buf));
            RAND_bytes(buf, (int) n);

            if (i % 2) {
                buf[0] = 22;                    /* handshake */
                buf[1] = 0xfe;
                buf[2] = (i % 4 == 1) ? 0xfd : 0xff;
                memset(buf + 3, 0, 8);          /* epoch 0, seq */
                if (n > 13) {
                    buf[11] = (u_char) ((n - 13) >> 8);
                    buf[12] = (u_char) (n - 13);
                    buf[13] = 1;                /* ClientHello */
                }
            }

            st = meet_dtls_feed(s, buf, n);
            drain(s);

            if (st != MEET_DTLS_HANDSHAKING) {
                break;
            }
        }

        if (meet_dtls_state(s) == MEET_DTLS_HANDSHAKING) {
            alive++;
        }

        meet_dtls_session_free(s);
    }

    ok(i == 200, "200 sessions fed garbage, %d still handshaking", alive);

    /* a ClientHello with a broken body fails the session */

    memset(&o, 0, sizeof(client_opts_t));
    o.profiles = CHROMIUM_PROFILES;
    o.mtu = 1200;

    s = session_new(client_id.fp);
    if (s != NULL && client_init(&c, &o) == 0) {
        client_step(&c);
        n = client_pull(&c, hello, sizeof(hello));

        memcpy(buf, hello, n);

        /* record 13 + handshake header 12 + version 2 + random 32 */
        buf[59] = 0xff;

        st = meet_dtls_feed(s, buf, n);
        is_int(st, MEET_DTLS_FAILED,
               "a ClientHello with a session id longer than itself");
        note("reason: %s", meet_dtls_reason(s));
        drain(s);

        client_free(&c);
    }

    meet_dtls_session_free(s);

    /* garbage first, then the real client: the session survives */

    /* an unexpected record type before the ClientHello is fatal */

    s = session_new(client_id.fp);
    if (s != NULL) {
        buf[0] = 23;                            /* application data */
        buf[1] = 0xfe;
        buf[2] = 0xfd;
        memset(buf + 3, 0, 8);                  /* epoch 0 */
        buf[11] = 0;
        buf[12] = 87;
        memset(buf + 13, 0x5a, 87);
        is_int(meet_dtls_feed(s, buf, 100), MEET_DTLS_FAILED,
               "epoch 0 application data before the ClientHello: failed");
        is_str(meet_dtls_reason(s), "handshake failed: unexpected record",
               "reason");
        is_int(drain(s), 1, "an alert to send");
    }

    meet_dtls_session_free(s);

    /* garbage that is dropped, then the real client: the session lives */

    s = session_new(client_id.fp);
    if (s != NULL && client_init(&c, &o) == 0) {
        memset(buf, 0xff, 100);
        is_int(meet_dtls_feed(s, buf, 100), MEET_DTLS_HANDSHAKING,
               "a datagram that is no DTLS record is dropped");
        buf[0] = 22;
        buf[1] = 0xfe;
        buf[2] = 0xfd;
        buf[3] = 0;
        buf[4] = 1;                             /* epoch 1 */
        memset(buf + 5, 0, 6);
        buf[11] = 0;
        buf[12] = 87;
        is_int(meet_dtls_feed(s, buf, 100), MEET_DTLS_HANDSHAKING,
               "a record of the next epoch is kept aside");
        buf[4] = 7;
        is_int(meet_dtls_feed(s, buf, 100), MEET_DTLS_HANDSHAKING,
               "a record of a later epoch is dropped");
        buf[4] = 0;
        buf[12] = 200;
        is_int(meet_dtls_feed(s, buf, 100), MEET_DTLS_HANDSHAKING,
               "a record longer than the datagram is dropped");
        buf[1] = 0x03;
        buf[2] = 0x03;
        buf[12] = 87;
        is_int(meet_dtls_feed(s, buf, 100), MEET_DTLS_HANDSHAKING,
               "a TLS (not DTLS) record is dropped");
        is_int(meet_dtls_feed(s, buf, 0), MEET_DTLS_HANDSHAKING,
               "an empty datagram is ignored");
        is_int(meet_dtls_pending(s), 0, "nothing to send");

        client_step(&c);

        is_int(pump(&c, s, NULL), MEET_DTLS_CONNECTED,
               "the real client then connects");

        for (i = 0; i < 50; i++) {
            n = 1 + (size_t) (rand() % 1500);
            RAND_bytes(buf, (int) n);
            buf[0] = (u_char) (20 + rand() % 44);
            meet_dtls_feed(s, buf, n);
        }

        is_int(meet_dtls_state(s), MEET_DTLS_CONNECTED,
               "50 garbage datagrams later: still connected");

        client_free(&c);
    }

    meet_dtls_session_free(s);
}


static void
test_api(void)
{
    ssize_t               n;
    client_t              c;
    u_char                small[10];
    const char           *err;
    client_opts_t         o;
    meet_dtls_ctx_t      *bad;
    meet_dtls_session_t  *s;

    note("API edges");

    err = NULL;
    bad = meet_dtls_ctx_create(NULL, NULL, &err);
    ok(bad == NULL, "no key: no context (%s)", err);

    err = NULL;
    bad = meet_dtls_ctx_create(server_id.key, client_id.cert, &err);
    ok(bad == NULL, "key and certificate do not match: no context (%s)",
       err);
    meet_dtls_ctx_free(bad);

    err = NULL;
    s = meet_dtls_session_create(ctx, NULL, &err);
    ok(s == NULL, "no fingerprint: no session (%s)", err);
    meet_dtls_ctx_free(NULL);
    meet_dtls_session_free(NULL);

    memset(&o, 0, sizeof(client_opts_t));
    o.profiles = CHROMIUM_PROFILES;
    o.mtu = 1200;

    s = session_new(client_id.fp);
    if (s != NULL && client_init(&c, &o) == 0) {
        u_char  buf[MEET_DTLS_MAX_DATAGRAM];
        size_t  len;

        client_step(&c);
        len = client_pull(&c, buf, sizeof(buf));
        meet_dtls_feed(s, buf, len);

        len = meet_dtls_pending(s);
        n = meet_dtls_next_datagram(s, small, sizeof(small));
        is_int(n, -1, "a datagram larger than the buffer: -1");
        is_int(meet_dtls_pending(s), len - 1, "and it is dropped");
        drain(s);
        is_int(meet_dtls_next_datagram(s, small, sizeof(small)), 0,
               "empty queue: 0");

        is_int(meet_dtls_close(s), MEET_DTLS_CLOSED,
               "closing while handshaking");
        is_int(meet_dtls_pending(s), 0, "sends nothing");
        is_str(meet_dtls_reason(s), "closed during the handshake", "reason");

        client_free(&c);
    }

    meet_dtls_session_free(s);

    is_str(meet_dtls_state_name(MEET_DTLS_FAILED), "failed", "state name");
    ok(ERR_peek_error() == 0, "the OpenSSL error queue is left empty");
}


/* SRTP */

#if defined(__SANITIZE_ADDRESS__)

size_t __sanitizer_get_current_allocated_bytes(void);
int __sanitizer_install_malloc_and_free_hooks(
    void (*malloc_hook)(const volatile void *, size_t),
    void (*free_hook)(const volatile void *));

static volatile size_t  mallocs;

static void
count_malloc(const volatile void *p, size_t n)
{
    mallocs++;
}


static void
count_free(const volatile void *p)
{
}

#endif


static void
test_srtp_pair(const char *name, const meet_srtp_keys_t *sk,
    const meet_srtp_keys_t *ck)
{
    int           rc;
    size_t        len, len2, plain, tag, i;
    uint16_t      seq;
    uint32_t      a[512], b[512], c[512];
    u_char       *pa, *pb, *pc;
    const char   *err;
    meet_srtp_t  *server, *client;

    pa = (u_char *) a;
    pb = (u_char *) b;
    pc = (u_char *) c;

    note("SRTP with %s", name);

    err = "";
    server = meet_srtp_create(sk, MEET_SRTP_SERVER, &err);
    client = meet_srtp_create(ck, MEET_SRTP_CLIENT, &err);

    if (!ok(server != NULL && client != NULL, "session pairs made")) {
        diag("%s", err);
        meet_srtp_free(server);
        meet_srtp_free(client);
        return;
    }

    tag = (sk->profile == MEET_SRTP_AES128_CM_SHA1_80) ? 10 : 16;

    is_int(meet_srtp_profile(server), sk->profile, "profile");
    is_int(meet_srtp_overhead(server, 0), tag, "RTP overhead %zu", tag);
    is_int(meet_srtp_overhead(server, 1), tag + 4, "RTCP overhead");

    /* client -> server */

    plain = rtp(pa, 1000, 0x11223344, 160);
    memcpy(pc, pa, plain);
    len = plain;
    rc = meet_srtp_protect_rtp(client, pb, &len, 0);
    is_int(rc, MEET_SRTP_ERR_LENGTH, "size below the length: refused");

    memcpy(pb, pa, plain);
    len = plain;
    rc = meet_srtp_protect_rtp(client, pb, &len, plain + tag - 1);
    is_int(rc, MEET_SRTP_ERR_TAILROOM, "no room for the tag: refused");

    rc = meet_srtp_protect_rtp(client, pb, &len, sizeof(b));
    is_int(rc, MEET_SRTP_OK, "client protects RTP");
    is_int(len, plain + tag, "tag appended");
    ok(memcmp(pb, pa, 12) == 0 && memcmp(pb + 12, pa + 12, 160) != 0,
       "header in clear, payload encrypted");

    memcpy(pc, pb, len);
    len2 = len;

    rc = meet_srtp_unprotect_rtp(server, pb, &len);
    is_int(rc, MEET_SRTP_OK, "server unprotects it");
    is_mem(pb, len, pa, plain, "the same packet");

    len = len2;
    rc = meet_srtp_unprotect_rtp(server, pc, &len);
    is_int(rc, MEET_SRTP_ERR_REPLAY, "replayed: refused");
    is_int(len, len2, "length unchanged on failure");

    /* tampering */

    for (i = 0; i < 3; i++) {
        size_t  at;

        at = (i == 0) ? 1 : (i == 1) ? 40 : len2 - 1;

        plain = rtp(pa, (uint16_t) (1001 + i), 0x11223344, 160);
        len = plain;
        meet_srtp_protect_rtp(client, pa, &len, sizeof(a));
        pa[at] ^= 0x01;

        rc = meet_srtp_unprotect_rtp(server, pa, &len);
        is_int(rc, MEET_SRTP_ERR_AUTH, "a flipped bit at %zu: "
               "authentication fails", at);
    }

    /* the lost 1001..1003 still come through, in any order */

    plain = rtp(pa, 1005, 0x11223344, 100);
    len = plain;
    meet_srtp_protect_rtp(client, pa, &len, sizeof(a));
    rc = meet_srtp_unprotect_rtp(server, pa, &len);
    is_int(rc, MEET_SRTP_OK, "a later packet");

    plain = rtp(pa, 1004, 0x11223344, 100);
    len = plain;
    meet_srtp_protect_rtp(client, pa, &len, sizeof(a));
    rc = meet_srtp_unprotect_rtp(server, pa, &len);
    is_int(rc, MEET_SRTP_OK, "then an earlier one (reordering)");

    /* server -> client, retransmission with the same sequence number */

    plain = rtp(pa, 7, 0xaabbccdd, 1000);
    len = plain;
    rc = meet_srtp_protect_rtp(server, pa, &len, sizeof(a));
    is_int(rc, MEET_SRTP_OK, "server protects RTP");
    memcpy(pc, pa, len);
    len2 = len;

    for (seq = 8; seq < 20; seq++) {
        plain = rtp(pb, seq, 0xaabbccdd, 1000);
        len = plain;
        meet_srtp_protect_rtp(server, pb, &len, sizeof(b));
    }

    plain = rtp(pb, 7, 0xaabbccdd, 1000);
    len = plain;
    rc = meet_srtp_protect_rtp(server, pb, &len, sizeof(b));
    is_int(rc, MEET_SRTP_OK, "a NACK: sequence 7 protected again");
    is_mem(pb, len, pc, len2, "the same bytes as the first time");

    rc = meet_srtp_unprotect_rtp(client, pb, &len);
    is_int(rc, MEET_SRTP_OK, "the client (which lost it) takes it");
    plain = rtp(pa, 7, 0xaabbccdd, 1000);
    is_mem(pb, len, pa, plain, "intact");

    len = len2;
    rc = meet_srtp_unprotect_rtp(client, pc, &len);
    is_int(rc, MEET_SRTP_ERR_REPLAY, "the original arriving late: replay");

    /* a NACK for a packet older than the window */

    for (seq = 20; seq < 20 + MEET_SRTP_WINDOW + 10; seq++) {
        plain = rtp(pb, seq, 0xaabbccdd, 20);
        len = plain;
        rc = meet_srtp_protect_rtp(server, pb, &len, sizeof(b));
        if (rc != MEET_SRTP_OK) {
            break;
        }
    }

    plain = rtp(pb, 8, 0xaabbccdd, 1000);
    len = plain;
    rc = meet_srtp_protect_rtp(server, pb, &len, sizeof(b));
    is_int(rc, MEET_SRTP_ERR_REPLAY,
           "re-protecting before the window (%d packets): refused",
           MEET_SRTP_WINDOW);

    plain = rtp(pb, (uint16_t) (20 + 10 + 5), 0xaabbccdd, 1000);
    len = plain;
    rc = meet_srtp_protect_rtp(server, pb, &len, sizeof(b));
    is_int(rc, MEET_SRTP_OK, "inside the window: fine");

    /* RTCP both ways */

    plain = rtcp(pa, 0x11223344);
    memcpy(pc, pa, plain);
    len = plain;
    rc = meet_srtp_protect_rtcp(client, pa, &len, plain + tag + 3);
    is_int(rc, MEET_SRTP_ERR_TAILROOM, "RTCP: no room for E+index+tag");
    rc = meet_srtp_protect_rtcp(client, pa, &len, sizeof(a));
    is_int(rc, MEET_SRTP_OK, "client protects RTCP");
    is_int(len, plain + 4 + tag, "index and tag appended");
    memcpy(pb, pa, len);
    len2 = len;
    rc = meet_srtp_unprotect_rtcp(server, pa, &len);
    is_int(rc, MEET_SRTP_OK, "server unprotects RTCP");
    is_mem(pa, len, pc, plain, "the same RTCP");

    len = len2;
    rc = meet_srtp_unprotect_rtcp(server, pb, &len);
    is_int(rc, MEET_SRTP_ERR_REPLAY, "replayed RTCP: refused");

    plain = rtcp(pa, 0x55667788);
    len = plain;
    rc = meet_srtp_protect_rtcp(server, pa, &len, sizeof(a));
    is_int(rc, MEET_SRTP_OK, "server protects RTCP");
    pa[20] ^= 0x10;
    rc = meet_srtp_unprotect_rtcp(client, pa, &len);
    is_int(rc, MEET_SRTP_ERR_AUTH, "tampered RTCP: authentication fails");

    plain = rtcp(pa, 0x55667788);
    len = plain;
    meet_srtp_protect_rtcp(server, pa, &len, sizeof(a));
    rc = meet_srtp_unprotect_rtcp(client, pa, &len);
    is_int(rc, MEET_SRTP_OK, "the next RTCP is fine");

    /* wrong direction: our own outbound keys do not open our packets */

    plain = rtp(pa, 50, 0x01020304, 50);
    len = plain;
    meet_srtp_protect_rtp(server, pa, &len, sizeof(a));
    rc = meet_srtp_unprotect_rtp(server, pa, &len);
    is_int(rc, MEET_SRTP_ERR_AUTH, "a packet we protected does not "
           "authenticate inbound (keys are per direction)");

    /* malformed */

    len = 5;
    rc = meet_srtp_unprotect_rtp(server, pa, &len);
    is_int(rc, MEET_SRTP_ERR_LENGTH, "5-byte RTP: bad length");

    rtp(pa, 51, 0x01020304, 0);
    pa[0] = 0x8f;                              /* 15 CSRCs */
    len = 40;
    rc = meet_srtp_unprotect_rtp(server, pa, &len);
    is_int(rc, MEET_SRTP_ERR_LENGTH, "CSRCs beyond the packet: bad length");

    len = 4;
    rc = meet_srtp_unprotect_rtcp(server, pa, &len);
    ok(rc == MEET_SRTP_ERR_LENGTH, "4-byte RTCP: bad length (%s)",
       meet_srtp_strerror(rc));

    len = 70000;
    rc = meet_srtp_unprotect_rtp(server, pa, &len);
    is_int(rc, MEET_SRTP_ERR_LENGTH, "70000 bytes: bad length");

    for (i = 0; i < 200; i++) {
        len = 12 + (size_t) (rand() % 1000);
        RAND_bytes(pa, (int) len);
        pa[0] = 0x80;
        rc = meet_srtp_unprotect_rtp(server, pa, &len);
        if (rc != MEET_SRTP_ERR_AUTH && rc != MEET_SRTP_ERR_LENGTH) {
            break;
        }
    }

    is_int(i, 200, "200 random packets: refused");

    /* streams */

    is_int(meet_srtp_remove_ssrc(server, 0x11223344, 0), 0,
           "inbound stream removed");
    is_int(meet_srtp_remove_ssrc(server, 0x11223344, 0), -1,
           "only once");
    is_int(meet_srtp_remove_ssrc(server, 0xaabbccdd, 1), 0,
           "outbound stream removed");

#if defined(__SANITIZE_ADDRESS__)
    {
        size_t  before, n1, n2, n3;

        /* allocations per packet, stream already there */

        plain = rtp(pa, 3000, 0x99999999, 1000);
        len = plain;
        meet_srtp_protect_rtp(server, pa, &len, sizeof(a));
        meet_srtp_unprotect_rtp(client, pa, &len);

        plain = rtp(pa, 3000, 0x99999999, 1000);
        len = plain;
        meet_srtp_protect_rtp(client, pa, &len, sizeof(a));
        meet_srtp_unprotect_rtp(server, pa, &len);

        before = __sanitizer_get_current_allocated_bytes();
        __sanitizer_install_malloc_and_free_hooks(count_malloc, count_free);

        mallocs = 0;

        for (seq = 3001; seq < 4001; seq++) {
            plain = rtp(pa, seq, 0x99999999, 1000);
            len = plain;
            meet_srtp_protect_rtp(server, pa, &len, sizeof(a));
        }

        n1 = mallocs;
        mallocs = 0;

        for (seq = 3001; seq < 4001; seq++) {
            plain = rtp(pa, seq, 0x99999999, 1000);
            len = plain;
            meet_srtp_protect_rtp(client, pa, &len, sizeof(a));
            meet_srtp_unprotect_rtp(server, pa, &len);
        }

        n2 = mallocs;
        mallocs = 0;

        plain = rtp(pa, 1, 0x77777777, 1000);
        len = plain;
        meet_srtp_protect_rtp(server, pa, &len, sizeof(a));
        n3 = mallocs;

        __sanitizer_install_malloc_and_free_hooks(NULL, NULL);

        note("malloc calls: %zu per 1000 protects, %zu per 1000 "
             "protect+unprotect, %zu for a new outbound SSRC",
             n1, n2, n3);

        /*
         * libsrtp2 built with OpenSSL (scripts/build-libsrtp.sh): AES-GCM
         * and AES-CM run on pre-keyed EVP contexts.  Debian's NSS-backed
         * libsrtp2 made 5 (GCM) and 42 (CM-HMAC) per protect.  HMAC-SHA1
         * is OpenSSL 3.0's EVP_MAC, whose re-init duplicates the digest
         * contexts: 6 per protect, from OpenSSL, not from libsrtp.
         */
        if (meet_srtp_profile(server) == MEET_SRTP_AES128_CM_SHA1_80
            || meet_srtp_profile(server) == MEET_SRTP_AES128_CM_SHA1_32)
        {
            ok(n1 <= 6 * 1000 && n2 <= 12 * 1000,
               "AES-CM + HMAC-SHA1: at most OpenSSL 3.0's 6 allocations "
               "per protect or unprotect (%zu, %zu per 1000)", n1, n2);
        } else {
            ok(n1 == 0 && n2 == 0,
               "AEAD: no allocation per protect or unprotect "
               "(%zu, %zu per 1000)", n1, n2);
        }
        ok(__sanitizer_get_current_allocated_bytes() <= before + 4096,
           "no memory kept per packet (%zu -> %zu bytes live)", before,
           __sanitizer_get_current_allocated_bytes());
    }
#endif

    meet_srtp_free(server);
    meet_srtp_free(client);
}


static void
test_srtp(void)
{
    meet_srtp_t      *s;
    const char       *err;
    client_opts_t     o;
    meet_srtp_keys_t  sk, ck, bad;

    memset(&o, 0, sizeof(client_opts_t));
    o.mtu = 1200;

    o.profiles = CHROMIUM_PROFILES;
    if (handshake(&o, &sk, &ck)) {
        test_srtp_pair("AEAD_AES_128_GCM", &sk, &ck);
    }

    o.profiles = "SRTP_AEAD_AES_256_GCM";
    if (handshake(&o, &sk, &ck)) {
        test_srtp_pair("AEAD_AES_256_GCM", &sk, &ck);
    }

    o.profiles = "SRTP_AES128_CM_SHA1_80";
    if (handshake(&o, &sk, &ck)) {
        test_srtp_pair("AES128_CM_SHA1_80", &sk, &ck);
    }

    note("SRTP sessions refused");

    bad = sk;
    bad.salt_len = 12;
    err = NULL;
    s = meet_srtp_create(&bad, MEET_SRTP_SERVER, &err);
    ok(s == NULL, "salt length not the profile's: %s", err);

    bad = sk;
    bad.profile = 0x0003;
    err = NULL;
    s = meet_srtp_create(&bad, MEET_SRTP_SERVER, &err);
    ok(s == NULL, "unknown profile: %s", err);

    err = NULL;
    s = meet_srtp_create(&sk, 7, &err);
    ok(s == NULL, "bad role: %s", err);
    meet_srtp_free(NULL);

    is_str(meet_srtp_strerror(MEET_SRTP_ERR_AUTH), "authentication failed",
           "strerror");
}


int
main(void)
{
    const char  *err;

    srand(1);

    if (!ok(ident_make(&server_id, "server") == 0
            && ident_make(&client_id, "client") == 0,
            "EC P-256 self-signed certificates"))
    {
        return done_testing();
    }

    ctx = meet_dtls_ctx_create(server_id.key, server_id.cert, &err);
    if (!ok(ctx != NULL, "DTLS context")) {
        diag("%s", err);
        return done_testing();
    }

    if (!ok(meet_srtp_init() == 0, "srtp_init")) {
        return done_testing();
    }

    test_chromium_like();
    test_fragments();
    test_profiles();
    test_refusals();
    test_loss();
    test_garbage();
    test_api();
    test_srtp();

    meet_dtls_ctx_free(ctx);
    meet_srtp_shutdown();
    ident_free(&server_id);
    ident_free(&client_id);

    return done_testing();
}
