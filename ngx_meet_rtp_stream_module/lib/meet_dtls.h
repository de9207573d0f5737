
/*
 * Copyright (C) ngx_meet authors
 *
 * The server side of DTLS-SRTP (RFC 5763, RFC 5764) for WebRTC peers, in
 * plain C on OpenSSL 3: no nginx types, no sockets, no clocks.  The caller
 * gives received datagrams in, takes datagrams to send out, and runs the
 * retransmission timer.  We always answer a=setup:passive, so we are the
 * DTLS server; the version is DTLS 1.2 (OpenSSL 3.0 has no DTLS 1.3).
 *
 *     ctx = meet_dtls_ctx_create(key, cert, &err);     once per cycle
 *
 *     per peer, when its first DTLS datagram comes:
 *     s = meet_dtls_session_create(ctx, fingerprint, &err);
 *
 *     for each DTLS datagram received (RFC 7983: first byte 20..63):
 *         state = meet_dtls_feed(s, p, n);
 *         while ((n = meet_dtls_next_datagram(s, buf, sizeof(buf))) > 0) {
 *             send buf[0..n) as one UDP datagram
 *         }
 *         ms = meet_dtls_timeout(s);    -1: no timer, else (re)arm it
 *         if (state == MEET_DTLS_CONNECTED and it was not before) {
 *             meet_dtls_srtp_keys(s, &keys);  -> meet_srtp_create()
 *         }
 *         MEET_DTLS_FAILED: log meet_dtls_reason(s), send what is queued
 *         (an alert), drop the peer.
 *
 *     when the timer fires:
 *         state = meet_dtls_on_timer(s);  then send and re-arm as above
 *
 *     leaving: meet_dtls_close(s), send the close_notify, then
 *     meet_dtls_session_free(s).
 *
 * The peer's certificate must have the SHA-256 digest given at session
 * creation (the a=fingerprint of its SDP): it is checked when the
 * certificate arrives, so a wrong peer gets a bad_certificate alert and
 * never our Finished, and again when the handshake completes.  No session
 * resumption, no tickets, no renegotiation, no cookie exchange (ICE
 * already proved the peer's address).
 *
 * Datagrams: OpenSSL writes each datagram (one or more records) with one
 * BIO_write; the session keeps them apart in a fixed-size queue
 * (MEET_DTLS_QUEUE_SIZE bytes, inside the session: no allocation), so a
 * flight of several datagrams is sent as several datagrams.  Records are
 * sized for MEET_DTLS_MTU.  A first flight goes out packed (our flight 2
 * with a P-256 certificate is one datagram of about 630 bytes); OpenSSL
 * retransmits one handshake message per datagram.  A full queue loses
 * datagrams like a full socket buffer (meet_dtls_dropped()).
 *
 * A datagram received is handed to OpenSSL whole and only during
 * meet_dtls_feed(): it is not kept.  Invalid records (bad header, bad
 * length, other version or epoch, failed authentication) are dropped as
 * RFC 6347 wants and the session carries on; fragmented handshake
 * messages (a ClientHello over two datagrams, in any order) are
 * reassembled by OpenSSL.  A well-formed record OpenSSL cannot accept
 * (application data before the ClientHello, a malformed ClientHello)
 * fails the session, with an alert to send.
 *
 * Application data (RFC 8261: SCTP over DTLS for data channels): once
 * connected, each record the peer sends is given whole to the handler set
 * with meet_dtls_set_app_handler() during meet_dtls_feed() (dropped
 * without one), and meet_dtls_write() makes one record of what it is
 * given, queued as one datagram like the handshake's.
 *
 * Errors and OpenSSL's error queue: every call leaves the thread's OpenSSL
 * error queue empty.
 */


#ifndef _MEET_DTLS_H_INCLUDED_
#define _MEET_DTLS_H_INCLUDED_


#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/types.h>

#include "meet_srtp.h"


/* largest UDP payload we send (handshake), the largest plaintext of a
   record we write */
#define MEET_DTLS_MTU                   1200

/* a buffer this big always holds a datagram of meet_dtls_next_datagram() */
#define MEET_DTLS_MAX_DATAGRAM          1500

/* bytes of datagrams (with 2 bytes each of framing) queued per session */
#define MEET_DTLS_QUEUE_SIZE            4096

#define MEET_DTLS_FINGERPRINT_LEN       32          /* SHA-256 */

/* retransmission timer: first wait and the most it doubles to, ms */
#define MEET_DTLS_TIMEOUT_INITIAL       1000
#define MEET_DTLS_TIMEOUT_MAX           8000
/* the shortest accepted (OpenSSL's timers have a 15 ms granularity) */
#define MEET_DTLS_TIMEOUT_MIN           30


typedef enum {
    MEET_DTLS_HANDSHAKING = 0,  /* in progress */
    MEET_DTLS_CONNECTED,        /* done, peer verified, SRTP keys ready */
    MEET_DTLS_APP_DATA,         /* connected; the datagram carried
                                   application data, given to the
                                   app handler (returned by meet_dtls_feed() only) */
    MEET_DTLS_CLOSED,           /* close_notify sent or received */
    MEET_DTLS_FAILED            /* see meet_dtls_reason() */
} meet_dtls_state_e;


typedef struct meet_dtls_ctx_s      meet_dtls_ctx_t;
typedef struct meet_dtls_session_s  meet_dtls_session_t;

/* a record of application data: valid during the call only */
typedef void (*meet_dtls_app_pt)(void *data, const u_char *p, size_t len);

/* the most application data meet_dtls_write() takes: one record (our
   max_send_fragment), whose datagram stays within MEET_DTLS_MAX_DATAGRAM
   with any cipher suite */
#define MEET_DTLS_MAX_APP_DATA          MEET_DTLS_MTU


/*
 * A DTLS 1.2 server context with our certificate (any key type OpenSSL
 * signs with; ngx_meet uses ECDSA P-256) and key: ECDHE over X25519 or
 * P-256, ECDSA AES-GCM (then ChaCha20, then AES-CBC) cipher suites,
 * use_srtp with AEAD_AES_128_GCM, AEAD_AES_256_GCM, AES128_CM_SHA1_80 in
 * this order of preference (as DTLS server OpenSSL picks its first that
 * the client offers).  Takes its own references to key and cert.  NULL on
 * failure, with a static description in *err if err is not NULL.
 */
meet_dtls_ctx_t *meet_dtls_ctx_create(EVP_PKEY *key, X509 *cert,
    const char **err);

/*
 * Retransmission timer of the sessions created afterwards: the first
 * wait, doubled after each retransmission up to max_ms.  Defaults:
 * MEET_DTLS_TIMEOUT_INITIAL and _MAX; at least MEET_DTLS_TIMEOUT_MIN, at
 * most 600 s.  OpenSSL gives up after 12 retransmissions of a flight
 * (the session fails: "read timeout expired").
 */
void meet_dtls_ctx_set_timeout(meet_dtls_ctx_t *ctx, unsigned initial_ms,
    unsigned max_ms);

/* sessions keep what they need: the context may go first */
void meet_dtls_ctx_free(meet_dtls_ctx_t *ctx);

/* frees the process-wide BIO method once no session is alive */
void meet_dtls_library_free(void);

/*
 * A server session for one peer.  fingerprint: the SHA-256 digest (32
 * raw bytes) of the certificate the peer must present.  NULL on failure
 * (*err as above).
 */
meet_dtls_session_t *meet_dtls_session_create(meet_dtls_ctx_t *ctx,
    const u_char *fingerprint, const char **err);
void meet_dtls_session_free(meet_dtls_session_t *s);

/*
 * One received datagram.  Returns the state after it; MEET_DTLS_APP_DATA
 * when connected and the datagram carried application data.  Once
 * MEET_DTLS_FAILED or MEET_DTLS_CLOSED, further datagrams are ignored.
 */
meet_dtls_state_e meet_dtls_feed(meet_dtls_session_t *s, const u_char *data,
    size_t len);

/*
 * The next datagram to send, copied to buf: its length; 0 when there is
 * none; -1 when it does not fit in size bytes (it is dropped).
 */
ssize_t meet_dtls_next_datagram(meet_dtls_session_t *s, u_char *buf,
    size_t size);

/* datagrams waiting in the queue */
size_t meet_dtls_pending(meet_dtls_session_t *s);

/*
 * Datagrams OpenSSL wrote that were lost because the queue was full (it
 * was not drained) or they were over MEET_DTLS_MAX_DATAGRAM: like a full
 * socket buffer, this is packet loss, covered by retransmission.
 */
size_t meet_dtls_dropped(meet_dtls_session_t *s);

/*
 * Milliseconds until meet_dtls_on_timer() should run (0: now), or -1
 * when no timer is needed.  Ask after every feed and timer run.
 */
long meet_dtls_timeout(meet_dtls_session_t *s);

/*
 * Retransmits the last flight if the timer expired (nothing if it has
 * not: re-arm with meet_dtls_timeout()).  MEET_DTLS_FAILED after too many
 * retransmissions.
 */
meet_dtls_state_e meet_dtls_on_timer(meet_dtls_session_t *s);

/*
 * Queues a close_notify alert if connected; the state becomes
 * MEET_DTLS_CLOSED (FAILED stays FAILED).
 */
meet_dtls_state_e meet_dtls_close(meet_dtls_session_t *s);

meet_dtls_state_e meet_dtls_state(meet_dtls_session_t *s);

/*
 * Application data: the handler of the records received once connected
 * (MEET_DTLS_APP_DATA); it may call meet_dtls_write().
 * meet_dtls_write(): one record of len bytes (1 to
 * MEET_DTLS_MAX_APP_DATA), queued: 0; -1 when not connected, len is out of
 * range or OpenSSL refused it.
 */
void meet_dtls_set_app_handler(meet_dtls_session_t *s,
    meet_dtls_app_pt handler, void *data);
int meet_dtls_write(meet_dtls_session_t *s, const u_char *data, size_t len);

/* why the session failed or closed (static or in the session); "" if not */
const char *meet_dtls_reason(meet_dtls_session_t *s);

/*
 * The SRTP keying material (RFC 5764 §4.2) and the profile, once
 * connected: 0; -1 in any other state.
 */
int meet_dtls_srtp_keys(meet_dtls_session_t *s, meet_srtp_keys_t *keys);

/* the negotiated cipher suite and version, e.g. for logs; "" if none */
const char *meet_dtls_cipher(meet_dtls_session_t *s);

/* "connected", "failed", ... */
const char *meet_dtls_state_name(meet_dtls_state_e state);


#endif /* _MEET_DTLS_H_INCLUDED_ */
