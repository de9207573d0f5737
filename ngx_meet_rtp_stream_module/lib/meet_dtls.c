
/*
 * Copyright (C) ngx_meet authors
 *
 * DTLS 1.2 server sessions for DTLS-SRTP.  See meet_dtls.h.
 */


#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "meet_dtls.h"


#define MEET_DTLS_CIPHERS                                                     \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"           \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:"                  \
    "ECDHE-ECDSA-AES256-SHA"

#define MEET_DTLS_GROUPS        "X25519:P-256"

/* GCM first: as DTLS server OpenSSL picks its first profile the client
 * offers */
#define MEET_DTLS_SRTP_PROFILES                                               \
    "SRTP_AEAD_AES_128_GCM:SRTP_AEAD_AES_256_GCM:SRTP_AES128_CM_SHA1_80"

#define MEET_DTLS_SRTP_LABEL    "EXTRACTOR-dtls_srtp"

/*
 * The longest certificate list a peer may send, which also bounds the
 * handshake messages OpenSSL reassembles (its default is 100 KB): a
 * browser sends one self-signed certificate of under 1 KB.
 */
#define MEET_DTLS_MAX_CERT_LIST 8192

/* application data is read into this: a whole record (RFC 6347 4.1:
   at most 2^14 bytes of plaintext) */
#define MEET_DTLS_READ_BUF      16384


struct meet_dtls_ctx_s {
    SSL_CTX                  *ssl_ctx;
    unsigned                  initial_ms;
    unsigned                  max_ms;
};


struct meet_dtls_session_s {
    SSL                      *ssl;
    meet_dtls_state_e         state;
    const char               *reason;

    /* the datagram being fed, during meet_dtls_feed() only */
    const u_char             *in;
    size_t                    in_len;

    unsigned                  initial_ms;
    unsigned                  max_ms;

    meet_srtp_keys_t          keys;
    u_char                    fingerprint[MEET_DTLS_FINGERPRINT_LEN];

    /* application data after the handshake (RFC 8261: SCTP packets) */
    meet_dtls_app_pt          app_handler;
    void                     *app_data;

    /* datagrams to send: 2-byte big-endian length, then the bytes */
    size_t                    q_head;
    size_t                    q_tail;
    size_t                    q_count;
    size_t                    q_dropped;
    u_char                    queue[MEET_DTLS_QUEUE_SIZE];

    char                      reason_buf[128];
};


static BIO_METHOD *meet_dtls_bio_method(void);
static int meet_dtls_bio_create(BIO *b);
static int meet_dtls_bio_destroy(BIO *b);
static int meet_dtls_bio_read(BIO *b, char *out, int outl);
static int meet_dtls_bio_write(BIO *b, const char *in, int inl);
static long meet_dtls_bio_ctrl(BIO *b, int cmd, long num, void *ptr);
static void meet_dtls_queue_push(meet_dtls_session_t *s, const u_char *p,
    size_t n);
static int meet_dtls_verify_cert(X509_STORE_CTX *store, void *arg);
static int meet_dtls_fingerprint_ok(meet_dtls_session_t *s, X509 *cert);
static unsigned int meet_dtls_timer(SSL *ssl, unsigned int prev_us);
static meet_dtls_state_e meet_dtls_handshake(meet_dtls_session_t *s);
static meet_dtls_state_e meet_dtls_connected(meet_dtls_session_t *s);
static meet_dtls_state_e meet_dtls_read(meet_dtls_session_t *s);
static meet_dtls_state_e meet_dtls_fail(meet_dtls_session_t *s,
    const char *what);


/*
 * One BIO method for all sessions, made on first use and never freed (not
 * thread-safe: an nginx worker has one thread).
 */
static BIO_METHOD  *meet_dtls_bio;
static size_t       meet_dtls_nsessions;    /* alive, using meet_dtls_bio */


meet_dtls_ctx_t *
meet_dtls_ctx_create(EVP_PKEY *key, X509 *cert, const char **err)
{
    SSL_CTX          *sc;
    const char       *dummy;
    meet_dtls_ctx_t  *ctx;

    if (err == NULL) {
        err = &dummy;
    }

    if (key == NULL || cert == NULL) {
        *err = "no key or certificate";
        return NULL;
    }

    if (meet_dtls_bio_method() == NULL) {
        *err = "BIO_meth_new() failed";
        goto failed;
    }

    ctx = calloc(1, sizeof(meet_dtls_ctx_t));
    if (ctx == NULL) {
        *err = "out of memory";
        goto failed;
    }

    ctx->initial_ms = MEET_DTLS_TIMEOUT_INITIAL;
    ctx->max_ms = MEET_DTLS_TIMEOUT_MAX;

    sc = SSL_CTX_new(DTLS_server_method());
    if (sc == NULL) {
        *err = "SSL_CTX_new() failed";
        free(ctx);
        goto failed;
    }

    ctx->ssl_ctx = sc;

    /* DTLS 1.2 only: OpenSSL 3.0 has no DTLS 1.3, 1.0 is obsolete */

    if (SSL_CTX_set_min_proto_version(sc, DTLS1_2_VERSION) != 1
        || SSL_CTX_set_max_proto_version(sc, DTLS1_2_VERSION) != 1)
    {
        *err = "cannot limit the context to DTLS 1.2";
        goto ctx_failed;
    }

    if (SSL_CTX_use_certificate(sc, cert) != 1
        || SSL_CTX_use_PrivateKey(sc, key) != 1
        || SSL_CTX_check_private_key(sc) != 1)
    {
        *err = "the certificate and key cannot be used";
        goto ctx_failed;
    }

    if (SSL_CTX_set_cipher_list(sc, MEET_DTLS_CIPHERS) != 1) {
        *err = "SSL_CTX_set_cipher_list() failed";
        goto ctx_failed;
    }

    if (SSL_CTX_set1_groups_list(sc, MEET_DTLS_GROUPS) != 1) {
        *err = "SSL_CTX_set1_groups_list() failed";
        goto ctx_failed;
    }

    /* 0 is success here */
    if (SSL_CTX_set_tlsext_use_srtp(sc, MEET_DTLS_SRTP_PROFILES) != 0) {
        *err = "SSL_CTX_set_tlsext_use_srtp() failed";
        goto ctx_failed;
    }

    /*
     * No tickets and no session cache: every handshake is a full one, so
     * every peer shows its certificate.  Records are sized for our MTU,
     * never for what the "socket" reports.  Cookie exchange stays off
     * (SSL_OP_COOKIE_EXCHANGE is not set): ICE proved the address.
     */

    SSL_CTX_set_options(sc, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU
                            | SSL_OP_NO_RENEGOTIATION
                            | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_OFF);

    /* no effect on DTLS, which always reads whole datagrams; as Janus */
    SSL_CTX_set_read_ahead(sc, 1);

    SSL_CTX_set_max_cert_list(sc, MEET_DTLS_MAX_CERT_LIST);

    /*
     * Records we write carry at most an MTU of data: handshake messages
     * are fragmented for the MTU anyway, and this sizes OpenSSL's write
     * buffer (about 15 KB less per session).  A data channel (SCTP over
     * DTLS, one packet per record) must then keep its packets as small.
     */

    if (SSL_CTX_set_max_send_fragment(sc, MEET_DTLS_MTU) != 1) {
        *err = "SSL_CTX_set_max_send_fragment() failed";
        goto ctx_failed;
    }

    /*
     * The peer must present a certificate.  WebRTC certificates are
     * self-signed and known by their SDP fingerprint: instead of chain
     * verification, meet_dtls_verify_cert() accepts exactly the
     * certificate with the expected digest (self-signed or not).
     */

    SSL_CTX_set_verify(sc, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       NULL);
    SSL_CTX_set_cert_verify_callback(sc, meet_dtls_verify_cert, NULL);

    ERR_clear_error();

    return ctx;

ctx_failed:

    SSL_CTX_free(sc);
    free(ctx);

failed:

    ERR_clear_error();

    return NULL;
}


void
meet_dtls_ctx_set_timeout(meet_dtls_ctx_t *ctx, unsigned initial_ms,
    unsigned max_ms)
{
    /*
     * OpenSSL counts in unsigned int microseconds, and takes a timer with
     * less than 15 ms left for expired: shorter timers would retransmit
     * at once, in a loop
     */

    if (initial_ms < MEET_DTLS_TIMEOUT_MIN) {
        initial_ms = MEET_DTLS_TIMEOUT_MIN;
    }

    if (initial_ms > 600000) {
        initial_ms = 600000;
    }

    if (max_ms < initial_ms) {
        max_ms = initial_ms;
    }

    if (max_ms > 600000) {
        max_ms = 600000;
    }

    ctx->initial_ms = initial_ms;
    ctx->max_ms = max_ms;
}


void
meet_dtls_ctx_free(meet_dtls_ctx_t *ctx)
{
    if (ctx == NULL) {
        return;
    }

    /* sessions hold their own references to the SSL_CTX */

    SSL_CTX_free(ctx->ssl_ctx);
    free(ctx);
}


meet_dtls_session_t *
meet_dtls_session_create(meet_dtls_ctx_t *ctx, const u_char *fingerprint,
    const char **err)
{
    BIO                  *bio;
    SSL                  *ssl;
    const char           *dummy;
    meet_dtls_session_t  *s;

    if (err == NULL) {
        err = &dummy;
    }

    if (ctx == NULL || fingerprint == NULL) {
        *err = "no context or fingerprint";
        return NULL;
    }

    s = calloc(1, sizeof(meet_dtls_session_t));
    if (s == NULL) {
        *err = "out of memory";
        return NULL;
    }

    s->state = MEET_DTLS_HANDSHAKING;
    s->reason = "";
    s->initial_ms = ctx->initial_ms;
    s->max_ms = ctx->max_ms;
    memcpy(s->fingerprint, fingerprint, MEET_DTLS_FINGERPRINT_LEN);

    ssl = SSL_new(ctx->ssl_ctx);
    if (ssl == NULL) {
        *err = "SSL_new() failed";
        goto failed;
    }

    s->ssl = ssl;

    SSL_set_app_data(ssl, s);

    bio = BIO_new(meet_dtls_bio);
    if (bio == NULL) {
        *err = "BIO_new() failed";
        goto failed;
    }

    BIO_set_data(bio, s);

    /* one BIO both ways: the SSL takes our single reference */
    SSL_set_bio(ssl, bio, bio);

    if (SSL_set_mtu(ssl, MEET_DTLS_MTU) == 0) {
        *err = "SSL_set_mtu() failed";
        goto failed;
    }

    DTLS_set_timer_cb(ssl, meet_dtls_timer);

    SSL_set_accept_state(ssl);

    ERR_clear_error();

    meet_dtls_nsessions++;

    return s;

failed:

    SSL_free(s->ssl);
    free(s);

    ERR_clear_error();

    return NULL;
}


void
meet_dtls_session_free(meet_dtls_session_t *s)
{
    if (s == NULL) {
        return;
    }

    SSL_free(s->ssl);

    OPENSSL_cleanse(&s->keys, sizeof(meet_srtp_keys_t));
    free(s);

    meet_dtls_nsessions--;

    ERR_clear_error();
}


void
meet_dtls_library_free(void)
{
    /* the BIO method outlives contexts; it may go once no session uses it */

    if (meet_dtls_bio != NULL && meet_dtls_nsessions == 0) {
        BIO_meth_free(meet_dtls_bio);
        meet_dtls_bio = NULL;
    }
}


meet_dtls_state_e
meet_dtls_feed(meet_dtls_session_t *s, const u_char *data, size_t len)
{
    meet_dtls_state_e  rc;

    if (s->state == MEET_DTLS_FAILED || s->state == MEET_DTLS_CLOSED) {
        return s->state;
    }

    /* a BIO read of 0 bytes would mean end of file */

    if (data == NULL || len == 0) {
        return s->state;
    }

    s->in = data;
    s->in_len = len;

    if (s->state == MEET_DTLS_HANDSHAKING) {
        rc = meet_dtls_handshake(s);

    } else {
        rc = meet_dtls_read(s);
    }

    /* whatever OpenSSL did not read is gone: datagrams stand alone */

    s->in = NULL;
    s->in_len = 0;

    ERR_clear_error();

    return rc;
}


static meet_dtls_state_e
meet_dtls_handshake(meet_dtls_session_t *s)
{
    int  rc, err;

    rc = SSL_do_handshake(s->ssl);

    if (rc == 1) {
        return meet_dtls_connected(s);
    }

    err = SSL_get_error(s->ssl, rc);

    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        return MEET_DTLS_HANDSHAKING;
    }

    return meet_dtls_fail(s, "handshake failed");
}


static meet_dtls_state_e
meet_dtls_connected(meet_dtls_session_t *s)
{
    u_char                   *p;
    X509                     *peer;
    size_t                    key_len, salt_len;
    meet_srtp_keys_t         *k;
    SRTP_PROTECTION_PROFILE  *profile;
    u_char                    material[2 * (MEET_SRTP_MAX_KEY_LEN
                                            + MEET_SRTP_MAX_SALT_LEN)];

    /*
     * meet_dtls_verify_cert() checked the certificate when it came; with
     * no resumption it cannot be skipped, but a handshake without that
     * check must never key SRTP.  On a failure here our last flight still
     * goes out, followed by a close_notify.
     */

    peer = SSL_get0_peer_certificate(s->ssl);

    if (peer == NULL) {
        s->reason = "the peer sent no certificate";
        goto failed;
    }

    if (!meet_dtls_fingerprint_ok(s, peer)) {
        s->reason = "the peer certificate does not match the SDP fingerprint";
        goto failed;
    }

    profile = SSL_get_selected_srtp_profile(s->ssl);

    if (profile == NULL) {
        s->reason = "no SRTP profile was negotiated (use_srtp)";
        goto failed;
    }

    key_len = meet_srtp_key_len((unsigned) profile->id);
    salt_len = meet_srtp_salt_len((unsigned) profile->id);

    if (key_len == 0) {
        s->reason = "unsupported SRTP profile";
        goto failed;
    }

    /* RFC 5764 §4.2: client key, server key, client salt, server salt */

    if (SSL_export_keying_material(s->ssl, material,
                                   2 * (key_len + salt_len),
                                   MEET_DTLS_SRTP_LABEL,
                                   sizeof(MEET_DTLS_SRTP_LABEL) - 1,
                                   NULL, 0, 0)
        != 1)
    {
        s->reason = "SSL_export_keying_material() failed";
        goto failed;
    }

    k = &s->keys;
    k->profile = (unsigned) profile->id;
    k->key_len = key_len;
    k->salt_len = salt_len;

    p = material;
    memcpy(k->client_key, p, key_len);
    p += key_len;
    memcpy(k->server_key, p, key_len);
    p += key_len;
    memcpy(k->client_salt, p, salt_len);
    p += salt_len;
    memcpy(k->server_salt, p, salt_len);

    OPENSSL_cleanse(material, sizeof(material));

    s->state = MEET_DTLS_CONNECTED;

    return MEET_DTLS_CONNECTED;

failed:

    s->state = MEET_DTLS_FAILED;

    (void) SSL_shutdown(s->ssl);

    return MEET_DTLS_FAILED;
}


static meet_dtls_state_e
meet_dtls_read(meet_dtls_session_t *s)
{
    int     n, err, data;
    u_char  buf[MEET_DTLS_READ_BUF];

    /*
     * After the handshake come retransmissions of the peer's last flight
     * (OpenSSL then resends ours), alerts, and application data: the SCTP
     * packets of data channels (RFC 8261), one record each, given to the
     * application handler whole, or dropped without one.
     */

    data = 0;

    for ( ;; ) {
        n = SSL_read(s->ssl, buf, sizeof(buf));

        if (n > 0) {
            data = 1;

            if (s->app_handler) {
                s->app_handler(s->app_data, buf, (size_t) n);

                if (s->state != MEET_DTLS_CONNECTED) {
                    /* the handler closed the session */
                    break;
                }
            }

            continue;
        }

        err = SSL_get_error(s->ssl, n);

        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            break;
        }

        if (err == SSL_ERROR_ZERO_RETURN) {
            s->state = MEET_DTLS_CLOSED;
            s->reason = "the peer sent close_notify";
            return MEET_DTLS_CLOSED;
        }

        return meet_dtls_fail(s, "read failed");
    }

    OPENSSL_cleanse(buf, sizeof(buf));

    if (s->state != MEET_DTLS_CONNECTED) {
        return s->state;
    }

    return data ? MEET_DTLS_APP_DATA : MEET_DTLS_CONNECTED;
}


void
meet_dtls_set_app_handler(meet_dtls_session_t *s, meet_dtls_app_pt handler,
    void *data)
{
    s->app_handler = handler;
    s->app_data = data;
}


int
meet_dtls_write(meet_dtls_session_t *s, const u_char *data, size_t len)
{
    int  n;

    if (s->state != MEET_DTLS_CONNECTED || len == 0
        || len > MEET_DTLS_MAX_APP_DATA)
    {
        return -1;
    }

    n = SSL_write(s->ssl, data, (int) len);

    ERR_clear_error();

    return (n == (int) len) ? 0 : -1;
}


static meet_dtls_state_e
meet_dtls_fail(meet_dtls_session_t *s, const char *what)
{
    const char     *r;
    unsigned long   e;

    s->state = MEET_DTLS_FAILED;

    /* the fingerprint callback's reason explains better */

    if (s->reason[0] != '\0') {
        return MEET_DTLS_FAILED;
    }

    e = ERR_peek_error();
    r = (e != 0) ? ERR_reason_error_string(e) : NULL;

    if (r != NULL) {
        snprintf(s->reason_buf, sizeof(s->reason_buf), "%s: %s", what, r);

    } else if (e != 0) {
        snprintf(s->reason_buf, sizeof(s->reason_buf), "%s: error %lx",
                 what, e);

    } else {
        snprintf(s->reason_buf, sizeof(s->reason_buf), "%s", what);
    }

    s->reason = s->reason_buf;

    return MEET_DTLS_FAILED;
}


ssize_t
meet_dtls_next_datagram(meet_dtls_session_t *s, u_char *buf, size_t size)
{
    size_t   n;
    u_char  *p;

    if (s->q_count == 0) {
        return 0;
    }

    p = s->queue + s->q_head;
    n = ((size_t) p[0] << 8) | p[1];

    s->q_head += 2 + n;
    s->q_count--;

    if (s->q_count == 0) {
        s->q_head = 0;
        s->q_tail = 0;
    }

    if (n > size) {
        return -1;
    }

    memcpy(buf, p + 2, n);

    return (ssize_t) n;
}


size_t
meet_dtls_pending(meet_dtls_session_t *s)
{
    return s->q_count;
}


size_t
meet_dtls_dropped(meet_dtls_session_t *s)
{
    return s->q_dropped;
}


long
meet_dtls_timeout(meet_dtls_session_t *s)
{
    struct timeval  tv;

    if (s->state != MEET_DTLS_HANDSHAKING && s->state != MEET_DTLS_CONNECTED)
    {
        return -1;
    }

    if (DTLSv1_get_timeout(s->ssl, &tv) != 1) {
        ERR_clear_error();
        return -1;
    }

    /* rounded up: a timer that fires early would find nothing to do */

    return (long) tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
}


meet_dtls_state_e
meet_dtls_on_timer(meet_dtls_session_t *s)
{
    meet_dtls_state_e  rc;

    if (s->state != MEET_DTLS_HANDSHAKING && s->state != MEET_DTLS_CONNECTED)
    {
        return s->state;
    }

    rc = s->state;

    if (DTLSv1_handle_timeout(s->ssl) < 0) {
        rc = meet_dtls_fail(s, "retransmission failed");
    }

    ERR_clear_error();

    return rc;
}


meet_dtls_state_e
meet_dtls_close(meet_dtls_session_t *s)
{
    switch (s->state) {

    case MEET_DTLS_CONNECTED:
        (void) SSL_shutdown(s->ssl);
        s->state = MEET_DTLS_CLOSED;
        s->reason = "closed";
        break;

    case MEET_DTLS_HANDSHAKING:
        /* OpenSSL sends no close_notify in the middle of a handshake */
        s->state = MEET_DTLS_CLOSED;
        s->reason = "closed during the handshake";
        break;

    default:
        break;
    }

    ERR_clear_error();

    return s->state;
}


meet_dtls_state_e
meet_dtls_state(meet_dtls_session_t *s)
{
    return s->state;
}


const char *
meet_dtls_reason(meet_dtls_session_t *s)
{
    return s->reason;
}


int
meet_dtls_srtp_keys(meet_dtls_session_t *s, meet_srtp_keys_t *keys)
{
    if (s->state != MEET_DTLS_CONNECTED) {
        return -1;
    }

    *keys = s->keys;

    return 0;
}


const char *
meet_dtls_cipher(meet_dtls_session_t *s)
{
    const char  *name;

    name = SSL_get_cipher_name(s->ssl);

    return (name != NULL && strcmp(name, "(NONE)") != 0) ? name : "";
}


const char *
meet_dtls_state_name(meet_dtls_state_e state)
{
    switch (state) {

    case MEET_DTLS_HANDSHAKING:
        return "handshaking";

    case MEET_DTLS_CONNECTED:
        return "connected";

    case MEET_DTLS_APP_DATA:
        return "application data";

    case MEET_DTLS_CLOSED:
        return "closed";

    case MEET_DTLS_FAILED:
        return "failed";

    default:
        return "unknown";
    }
}


/* certificate and timer callbacks */

static int
meet_dtls_verify_cert(X509_STORE_CTX *store, void *arg)
{
    SSL                  *ssl;
    X509                 *cert;
    meet_dtls_session_t  *s;

    ssl = X509_STORE_CTX_get_ex_data(store,
                                     SSL_get_ex_data_X509_STORE_CTX_idx());
    s = (ssl != NULL) ? SSL_get_app_data(ssl) : NULL;
    cert = X509_STORE_CTX_get0_cert(store);

    if (s == NULL || cert == NULL) {
        X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
        return 0;
    }

    if (!meet_dtls_fingerprint_ok(s, cert)) {
        /* OpenSSL answers with a bad_certificate alert */
        s->reason = "the peer certificate does not match the SDP fingerprint";
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
        return 0;
    }

    X509_STORE_CTX_set_error(store, X509_V_OK);

    return 1;
}


static int
meet_dtls_fingerprint_ok(meet_dtls_session_t *s, X509 *cert)
{
    unsigned int  len;
    u_char        md[EVP_MAX_MD_SIZE];

    if (X509_digest(cert, EVP_sha256(), md, &len) != 1
        || len != MEET_DTLS_FINGERPRINT_LEN)
    {
        return 0;
    }

    return CRYPTO_memcmp(md, s->fingerprint, MEET_DTLS_FINGERPRINT_LEN) == 0;
}


static unsigned int
meet_dtls_timer(SSL *ssl, unsigned int prev_us)
{
    meet_dtls_session_t  *s;

    s = SSL_get_app_data(ssl);

    /* 0: the timer starts for a new flight */

    if (prev_us == 0) {
        return s->initial_ms * 1000;
    }

    if (prev_us >= s->max_ms * 500) {
        return s->max_ms * 1000;
    }

    return prev_us * 2;
}


/*
 * The BIO: reads give the datagram being fed, once, then "retry";
 * writes append one datagram each to the session's queue.
 */

static BIO_METHOD *
meet_dtls_bio_method(void)
{
    int          type;
    BIO_METHOD  *m;

    if (meet_dtls_bio != NULL) {
        return meet_dtls_bio;
    }

    type = BIO_get_new_index();
    if (type == -1) {
        return NULL;
    }

    m = BIO_meth_new(type | BIO_TYPE_SOURCE_SINK, "meet_dtls datagrams");
    if (m == NULL) {
        return NULL;
    }

    if (BIO_meth_set_write(m, meet_dtls_bio_write) != 1
        || BIO_meth_set_read(m, meet_dtls_bio_read) != 1
        || BIO_meth_set_ctrl(m, meet_dtls_bio_ctrl) != 1
        || BIO_meth_set_create(m, meet_dtls_bio_create) != 1
        || BIO_meth_set_destroy(m, meet_dtls_bio_destroy) != 1)
    {
        BIO_meth_free(m);
        return NULL;
    }

    meet_dtls_bio = m;

    return m;
}


static int
meet_dtls_bio_create(BIO *b)
{
    BIO_set_init(b, 1);
    BIO_set_data(b, NULL);

    return 1;
}


static int
meet_dtls_bio_destroy(BIO *b)
{
    BIO_set_data(b, NULL);

    return 1;
}


static int
meet_dtls_bio_read(BIO *b, char *out, int outl)
{
    size_t                n;
    meet_dtls_session_t  *s;

    s = BIO_get_data(b);

    BIO_clear_retry_flags(b);

    if (s == NULL || s->in == NULL || outl <= 0) {
        BIO_set_retry_read(b);
        return -1;
    }

    /* like recv(): what does not fit is lost */

    n = s->in_len;
    if (n > (size_t) outl) {
        n = (size_t) outl;
    }

    memcpy(out, s->in, n);

    s->in = NULL;
    s->in_len = 0;

    return (int) n;
}


static int
meet_dtls_bio_write(BIO *b, const char *in, int inl)
{
    meet_dtls_session_t  *s;

    s = BIO_get_data(b);

    BIO_clear_retry_flags(b);

    if (s == NULL || inl <= 0) {
        return 0;
    }

    meet_dtls_queue_push(s, (const u_char *) in, (size_t) inl);

    return inl;
}


static long
meet_dtls_bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    switch (cmd) {

    case BIO_CTRL_FLUSH:
        return 1;

    case BIO_CTRL_DGRAM_QUERY_MTU:
    case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
        return MEET_DTLS_MTU;

    case BIO_CTRL_WPENDING:
    case BIO_CTRL_PENDING:
    case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
        return 0;

    default:
        return 0;
    }
}


static void
meet_dtls_queue_push(meet_dtls_session_t *s, const u_char *p, size_t n)
{
    u_char  *q;

    /*
     * A datagram that does not fit is lost, as with a full socket buffer:
     * the retransmission timer covers it.  Only retransmissions that are
     * never taken out can fill the queue.
     */

    if (n > MEET_DTLS_MAX_DATAGRAM) {
        s->q_dropped++;
        return;
    }

    if (s->q_tail + 2 + n > MEET_DTLS_QUEUE_SIZE && s->q_head > 0) {
        memmove(s->queue, s->queue + s->q_head, s->q_tail - s->q_head);
        s->q_tail -= s->q_head;
        s->q_head = 0;
    }

    if (s->q_tail + 2 + n > MEET_DTLS_QUEUE_SIZE) {
        s->q_dropped++;
        return;
    }

    q = s->queue + s->q_tail;

    q[0] = (u_char) (n >> 8);
    q[1] = (u_char) n;
    memcpy(q + 2, p, n);

    s->q_tail += 2 + n;
    s->q_count++;
}
