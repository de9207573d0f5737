/* sources: ngx_meet_rtp_stream_module/ngx_meet_dtls.c ngx_meet_rtp_stream_module/ngx_meet_srtp.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the DTLS-SRTP server: the input is what a peer
 * sends, as a sequence of datagrams, fed to a fresh server session (the
 * context, with its P-256 certificate, is made once).  After each
 * datagram every queued datagram is taken out, as the stream module
 * does; at the end the session is closed and freed.  The library's
 * promises are checked on the way (a broken one aborts); leaks are
 * LeakSanitizer's.
 *
 * Input: 32 bytes, the SHA-256 fingerprint the session expects (short
 * inputs: zeros), then datagrams, each a 2-byte big-endian length and
 * that many bytes (a last, shorter one is taken as it is).  The corpus in
 * t/fuzz/corpus/dtls/ holds real client datagrams in this layout, written
 * by t/unit/test_dtls.c (MEET_DTLS_CORPUS=<dir>): a 1413-byte ClientHello
 * in 2 datagrams, a ClientHello in 6 fragments, and a client's whole
 * handshake with the fingerprint of its certificate.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ngx_meet_dtls.h"
#include "ngx_meet_srtp.h"


#define check(cond)  do { if (!(cond)) { abort(); } } while (0)

#define MAX_DATAGRAMS  64


static meet_dtls_ctx_t  *ctx;


static void
init(void)
{
    X509       *cert;
    EVP_PKEY   *key;
    X509_NAME  *name;

    key = EVP_EC_gen("P-256");
    cert = X509_new();
    check(key != NULL && cert != NULL);

    name = X509_get_subject_name(cert);

    check(X509_set_version(cert, 2) == 1
          && ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) == 1
          && X509_gmtime_adj(X509_getm_notBefore(cert), -86400) != NULL
          && X509_gmtime_adj(X509_getm_notAfter(cert), 86400) != NULL
          && X509_set_pubkey(cert, key) == 1
          && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                        (const u_char *) "fuzz", -1, -1, 0)
             == 1
          && X509_set_issuer_name(cert, name) == 1
          && X509_sign(cert, key, EVP_sha256()) != 0);

    ctx = meet_dtls_ctx_create(key, cert, NULL);
    check(ctx != NULL);

    /* the context keeps its own references */
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


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                   count;
    long                  t;
    size_t                n;
    u_char               *dg;
    u_char                fp[MEET_DTLS_FINGERPRINT_LEN];
    meet_srtp_t          *srtp;
    meet_srtp_keys_t      keys;
    meet_dtls_state_e     st, prev;
    meet_dtls_session_t  *s;

    if (ctx == NULL) {
        init();
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

        /* a copy of exactly the datagram: reads past it are caught */

        dg = malloc(n ? n : 1);
        check(dg != NULL);
        memcpy(dg, data, n);

        data += n;
        size -= n;

        prev = meet_dtls_state(s);
        st = meet_dtls_feed(s, dg, n);
        free(dg);

        check(st >= MEET_DTLS_HANDSHAKING && st <= MEET_DTLS_FAILED);

        if (prev == MEET_DTLS_FAILED || prev == MEET_DTLS_CLOSED) {
            check(st == prev);
        }

        if (st == MEET_DTLS_APP_DATA) {
            check(meet_dtls_state(s) == MEET_DTLS_CONNECTED);

        } else {
            check(meet_dtls_state(s) == st);
        }

        if (st == MEET_DTLS_FAILED) {
            check(meet_dtls_reason(s)[0] != '\0');
            check(meet_dtls_srtp_keys(s, &keys) == -1);
        }

        drain(s);

        t = meet_dtls_timeout(s);
        check(t >= -1 && t <= 600000);

        if (t == 0) {
            (void) meet_dtls_on_timer(s);
            drain(s);
        }
    }

    /* a peer that got this far keys SRTP (not seen without its keys) */

    if (meet_dtls_srtp_keys(s, &keys) == 0) {
        check(meet_dtls_state(s) == MEET_DTLS_CONNECTED);

        srtp = meet_srtp_create(&keys, MEET_SRTP_SERVER, NULL);
        check(srtp != NULL);
        meet_srtp_free(srtp);
    }

    st = meet_dtls_close(s);
    check(st == MEET_DTLS_CLOSED || st == MEET_DTLS_FAILED);
    drain(s);

    meet_dtls_session_free(s);

    check(ERR_peek_error() == 0);

    return 0;
}
