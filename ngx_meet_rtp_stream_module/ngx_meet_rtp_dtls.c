
/*
 * Copyright (C) ngx_meet authors
 *
 * DTLS-SRTP on the selected pair of a participant: a DTLS 1.2 server
 * (setup:passive) with the cycle's certificate, the client certificate
 * checked against the fingerprint of its offer, then SRTP sessions keyed
 * from the handshake (RFC 5764); what SRTP then carries is the peer's
 * (ngx_meet_rtp_peer.c).  Retransmissions run on nginx timers.  After
 * the handshake, DTLS application data is SCTP (RFC 8261): records go to
 * ngx_meet_rtp_sctp.c and its packets come back through our output hook.
 */


#include "ngx_meet_rtp_stream.h"
#include "meet_dtls.h"
#include "meet_srtp.h"


static void ngx_meet_rtp_dtls_flush(ngx_meet_rtp_peer_t *peer);
static void ngx_meet_rtp_dtls_arm(ngx_meet_rtp_peer_t *peer);
static void ngx_meet_rtp_dtls_timer(ngx_event_t *ev);
static void ngx_meet_rtp_dtls_state(ngx_meet_rtp_peer_t *peer,
    meet_dtls_state_e st);
static void ngx_meet_rtp_dtls_app_read(void *data, const u_char *p,
    size_t n);
static ngx_int_t ngx_meet_rtp_dtls_app_write(ngx_meet_rtp_peer_t *peer,
    u_char *p, size_t n);


static meet_dtls_ctx_t  *ngx_meet_rtp_dtls_ctx;


ngx_int_t
ngx_meet_rtp_dtls_init_process(ngx_cycle_t *cycle)
{
    void        *cert, *key;
    const char  *err;

    cert = ngx_meet_dtls_certificate(cycle, &key);
    if (cert == NULL || key == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet rtp: no DTLS certificate");
        return NGX_ERROR;
    }

    if (meet_srtp_init() != 0) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet rtp: libsrtp2 initialization failed");
        return NGX_ERROR;
    }

    ngx_meet_rtp_dtls_ctx = meet_dtls_ctx_create(key, cert, &err);
    if (ngx_meet_rtp_dtls_ctx == NULL) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet rtp: DTLS context: %s", err);
        return NGX_ERROR;
    }

    /* SCTP packets of data channels leave through us */
    ngx_meet_rtp_sctp_output = ngx_meet_rtp_dtls_app_write;

    return NGX_OK;
}


void
ngx_meet_rtp_dtls_exit_process(ngx_cycle_t *cycle)
{
    ngx_meet_rtp_sctp_exit_process(cycle);

    if (ngx_meet_rtp_dtls_ctx) {
        meet_dtls_ctx_free(ngx_meet_rtp_dtls_ctx);
        ngx_meet_rtp_dtls_ctx = NULL;
    }

    meet_dtls_library_free();

    meet_srtp_shutdown();
}


void
ngx_meet_rtp_dtls_peer_init(ngx_meet_rtp_peer_t *peer)
{
    peer->dtls_timer.handler = ngx_meet_rtp_dtls_timer;
    peer->dtls_timer.data = peer;
    peer->dtls_timer.log = peer->log;
    peer->dtls_timer.cancelable = 1;
}


void
ngx_meet_rtp_dtls(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n)
{
    const char         *err;
    meet_dtls_state_e   st;

    if (peer->failed || ngx_meet_rtp_dtls_ctx == NULL) {
        ngx_meet_rtp_drops[NGX_MEET_DROP_DTLS]++;
        return;
    }

    if (peer->dtls == NULL) {

        if (!peer->media->has_remote_fp) {
            ngx_log_error(NGX_LOG_INFO, peer->log, 0,
                          "meet rtp: DTLS from %V, whose offer had no "
                          "sha-256 fingerprint", &peer->media->local_ufrag);
            ngx_meet_rtp_drops[NGX_MEET_DROP_DTLS]++;
            return;
        }

        peer->dtls = meet_dtls_session_create(ngx_meet_rtp_dtls_ctx,
                                              peer->media->remote_fp, &err);
        if (peer->dtls == NULL) {
            ngx_log_error(NGX_LOG_ERR, peer->log, 0,
                          "meet rtp: DTLS session: %s", err);
            ngx_meet_rtp_drops[NGX_MEET_DROP_DTLS]++;
            return;
        }

        meet_dtls_set_app_handler(peer->dtls, ngx_meet_rtp_dtls_app_read,
                                  peer);
    }

    st = meet_dtls_feed(peer->dtls, p, n);

    ngx_meet_rtp_dtls_flush(peer);
    ngx_meet_rtp_dtls_state(peer, st);
    ngx_meet_rtp_dtls_arm(peer);

    /* last: the signal module may free the peer on a data message */
    ngx_meet_rtp_sctp_deliver(peer);
}


static void
ngx_meet_rtp_dtls_state(ngx_meet_rtp_peer_t *peer, meet_dtls_state_e st)
{
    const char        *err;
    meet_srtp_keys_t   keys;

    switch (st) {

    case MEET_DTLS_CONNECTED:
    case MEET_DTLS_APP_DATA:
        if (peer->connected) {
            return;
        }

        if (meet_dtls_srtp_keys(peer->dtls, &keys) != 0) {
            ngx_log_error(NGX_LOG_ERR, peer->log, 0,
                          "meet rtp: no SRTP keys from DTLS");
            goto failed;
        }

        peer->srtp = meet_srtp_create(&keys, MEET_SRTP_SERVER, &err);
        ngx_explicit_memzero(&keys, sizeof(meet_srtp_keys_t));

        if (peer->srtp == NULL) {
            ngx_log_error(NGX_LOG_ERR, peer->log, 0,
                          "meet rtp: SRTP session: %s", err);
            goto failed;
        }

        peer->connected = 1;

        ngx_log_error(NGX_LOG_INFO, peer->log, 0,
                      "meet rtp: DTLS connected for %V (%s, SRTP profile "
                      "%ud)", &peer->media->local_ufrag,
                      meet_dtls_cipher(peer->dtls),
                      meet_srtp_profile(peer->srtp));

        ngx_meet_media_state(peer->media, NGX_MEET_MEDIA_DTLS_CONNECTED);

        return;

    case MEET_DTLS_FAILED:
        ngx_log_error(NGX_LOG_INFO, peer->log, 0,
                      "meet rtp: DTLS failed for %V: %s",
                      &peer->media->local_ufrag,
                      meet_dtls_reason(peer->dtls));
        goto failed;

    default:
        return;
    }

failed:

    ngx_meet_rtp_drops[NGX_MEET_DROP_DTLS]++;
    peer->failed = 1;

    if (peer->media) {
        ngx_meet_media_state(peer->media, NGX_MEET_MEDIA_FAILED);
    }
}


static void
ngx_meet_rtp_dtls_flush(ngx_meet_rtp_peer_t *peer)
{
    ssize_t  n;
    u_char   buf[MEET_DTLS_MAX_DATAGRAM];

    for ( ;; ) {
        n = meet_dtls_next_datagram(peer->dtls, buf, sizeof(buf));
        if (n <= 0) {
            return;
        }

        if (peer->selected) {
            (void) ngx_meet_rtp_send(peer->selected, buf, n);
        }
    }
}


static void
ngx_meet_rtp_dtls_arm(ngx_meet_rtp_peer_t *peer)
{
    long  ms;

    if (peer->dtls == NULL || peer->failed || peer->connected) {
        if (peer->dtls_timer.timer_set) {
            ngx_del_timer(&peer->dtls_timer);
        }
        return;
    }

    ms = meet_dtls_timeout(peer->dtls);

    if (ms < 0) {
        if (peer->dtls_timer.timer_set) {
            ngx_del_timer(&peer->dtls_timer);
        }
        return;
    }

    ngx_add_timer(&peer->dtls_timer, (ngx_msec_t) (ms ? ms : 1));
}


static void
ngx_meet_rtp_dtls_timer(ngx_event_t *ev)
{
    ngx_meet_rtp_peer_t  *peer = ev->data;

    meet_dtls_state_e  st;

    st = meet_dtls_on_timer(peer->dtls);

    ngx_meet_rtp_dtls_flush(peer);
    ngx_meet_rtp_dtls_state(peer, st);
    ngx_meet_rtp_dtls_arm(peer);
}


/* a record of application data: an SCTP packet */

static void
ngx_meet_rtp_dtls_app_read(void *data, const u_char *p, size_t n)
{
    ngx_meet_rtp_peer_t  *peer = data;

    ngx_meet_rtp_sctp_input(peer, (u_char *) p, n);
}


/* an SCTP packet to the peer: one record, to its address if it consents */

static ngx_int_t
ngx_meet_rtp_dtls_app_write(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n)
{
    if (peer->dtls == NULL || peer->selected == NULL
        || !peer->selected->consent)
    {
        return NGX_ERROR;
    }

    if (meet_dtls_write(peer->dtls, p, n) != 0) {
        return NGX_ERROR;
    }

    ngx_meet_rtp_dtls_flush(peer);

    return NGX_OK;
}


void
ngx_meet_rtp_dtls_peer_free(ngx_meet_rtp_peer_t *peer)
{
    if (peer->dtls_timer.timer_set) {
        ngx_del_timer(&peer->dtls_timer);
    }

    /* the association first: its ABORT goes in a DTLS record */
    ngx_meet_rtp_sctp_peer_free(peer);

    if (peer->dtls) {
        if (peer->connected && peer->selected) {
            (void) meet_dtls_close(peer->dtls);
            ngx_meet_rtp_dtls_flush(peer);
        }

        meet_dtls_session_free(peer->dtls);
        peer->dtls = NULL;
    }
}
