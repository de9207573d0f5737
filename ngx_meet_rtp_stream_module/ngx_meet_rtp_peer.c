
/*
 * Copyright (C) ngx_meet authors
 *
 * The media side of a participant (ngx_meet_rtp_peer_t): made at the
 * first valid ICE check for its media transport, freed when its
 * signaling frees that transport (the transport free hook of
 * ngx_meet_media.h).  Between the two, what its selected address sends
 * after DTLS is SRTP: decrypted here, then RTP goes to forwarding and RTCP
 * to feedback (ngx_meet_rtp_forward.c).
 */


#include "ngx_meet_rtp_stream.h"
#include "meet_srtp.h"


static void ngx_meet_rtp_peer_transport_free(ngx_meet_media_transport_t *ms);
static void ngx_meet_rtp_peer_free(ngx_meet_rtp_peer_t *peer);


static ngx_meet_media_transport_free_pt  ngx_meet_rtp_next_transport_free;


/* postconfiguration: our hook on the forwarding table's transports */

void
ngx_meet_rtp_peer_hooks_init(void)
{
    ngx_meet_rtp_next_transport_free = ngx_meet_media_top_transport_free;
    ngx_meet_media_top_transport_free = ngx_meet_rtp_peer_transport_free;
}


ngx_meet_rtp_peer_t *
ngx_meet_rtp_peer_create(ngx_meet_media_transport_t *ms)
{
    ngx_meet_rtp_peer_t  *peer;

    peer = ngx_calloc(sizeof(ngx_meet_rtp_peer_t), ngx_cycle->log);
    if (peer == NULL) {
        return NULL;
    }

    peer->media = ms;
    peer->log = ngx_cycle->log;

    ngx_meet_rtp_dtls_peer_init(peer);
    ngx_meet_rtp_forward_peer_init(peer);

    ngx_meet_rtp_npeers++;

    ms->media = peer;

    return peer;
}


void
ngx_meet_rtp_srtp(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n)
{
    int         rc, rtcp;
    size_t      len, max;
    ngx_uint_t  quiet;

    static ngx_meet_rtp_log_limit_t  ll;

    if (!peer->connected) {
        ngx_meet_rtp_drops[NGX_MEET_DROP_NO_SRTP]++;
        return;
    }

    /* RFC 5761: RTCP packet types 192-223 sit where RTP has M + PT */
    rtcp = (n >= 2 && p[1] >= 192 && p[1] <= 223);

    /*
     * A compound larger than any a WebRTC stack sends (one datagram within
     * the path MTU) is dropped before it costs a decryption: a 64 KB one
     * could carry thousands of NACKs
     */
    max = peer->selected ? peer->selected->conf->rtcp_max_size
                         : NGX_MEET_RTP_MTU;

    if (rtcp && n > max) {
        ngx_meet_rtp_drops[NGX_MEET_DROP_RTCP_SIZE]++;

        if (ngx_meet_rtp_log_limit(&ll, &quiet)) {
            ngx_log_error(NGX_LOG_INFO, peer->log, 0,
                          "meet rtp: SRTCP of %uz bytes from %V dropped: "
                          "over meet_rtp_rtcp_max_size %uz (%ui more since "
                          "the last such line)", n,
                          &peer->media->local_ufrag, max, quiet);
        }

        return;
    }

    len = n;
    rc = rtcp ? meet_srtp_unprotect_rtcp(peer->srtp, p, &len)
              : meet_srtp_unprotect_rtp(peer->srtp, p, &len);

    if (rc != MEET_SRTP_OK) {
        ngx_meet_rtp_drops[rc == MEET_SRTP_ERR_AUTH ? NGX_MEET_DROP_SRTP_AUTH
                           : rc == MEET_SRTP_ERR_REPLAY
                             ? NGX_MEET_DROP_SRTP_REPLAY
                             : NGX_MEET_DROP_SRTP_OTHER]++;
        ngx_log_debug2(NGX_LOG_DEBUG_STREAM, peer->log, 0,
                       "meet rtp: %s dropped: %s", rtcp ? "SRTCP" : "SRTP",
                       meet_srtp_strerror(rc));
        return;
    }

    if (rtcp) {
        peer->rx_rtcp++;
        ngx_meet_rtp_feedback(peer, p, len);

    } else {
        peer->rx_rtp++;
        peer->rx_bytes += len;
        ngx_meet_rtp_forward(peer, p, len);
    }
}


/* the participant's signaling ended: its media goes with it */

static void
ngx_meet_rtp_peer_transport_free(ngx_meet_media_transport_t *ms)
{
    ngx_meet_rtp_peer_t  *peer = ms->media;

    ms->media = NULL;

    if (peer) {
        peer->media = NULL;
        ngx_meet_rtp_peer_free(peer);
    }

    ngx_meet_rtp_next_transport_free(ms);
}


static void
ngx_meet_rtp_peer_free(ngx_meet_rtp_peer_t *peer)
{
    ngx_meet_rtp_conn_t  *rc;

    ngx_meet_rtp_forward_peer_free(peer);
    ngx_meet_rtp_dtls_peer_free(peer);

    if (peer->srtp) {
        meet_srtp_free(peer->srtp);
    }

    /* an address nominated and not answering yet: requests stop */
    if (peer->candidate) {
        peer->candidate->want = NULL;
        peer->candidate = NULL;
    }

    rc = peer->selected;

    if (rc) {
        rc->peer = NULL;

        if (!rc->finalizing) {
            rc->finalizing = 1;
            ngx_post_event(&rc->fin, &ngx_posted_events);
        }
    }

    ngx_meet_rtp_npeers--;
    ngx_free(peer);
}
