
/*
 * Copyright (C) ngx_meet authors
 *
 * Forwarding: an authenticated RTP packet of a published track goes to
 * each subscriber of that track with the subscriber's SSRC and payload
 * type, protected with the subscriber's SRTP session, in one copy into
 * this worker's send buffer.  A subscriber starts on a key frame: until
 * one passes, the publisher is asked for one with a PLI (at most one per
 * NGX_MEET_PLI_INTERVAL per track).  PLI and FIR from subscribers are
 * relayed to the publisher the same way.
 *
 * NACKs from subscribers are answered from a ring of the last
 * NGX_MEET_HISTORY video packets of each track (plain retransmission on
 * the original SSRC).
 *
 * Sender reports of publishers reach subscribers with our SSRC and counts.
 *
 * Not yet: RTX, receiver reports and NACKs upstream, sequence continuity
 * across publisher restarts (the publisher's numbers pass through),
 * header extensions (stripped: the subscriber demultiplexes by the SSRC
 * our answer announces).
 */


#include "ngx_meet_rtp_stream.h"
#include "ngx_meet_rtp.h"
#include "ngx_meet_rtcp.h"
#include "ngx_meet_srtp.h"

#include <time.h>


#define NGX_MEET_PLI_INTERVAL   500
#define NGX_MEET_OUR_SSRC       0x6e67786d       /* "ngxm": RTCP sender */


#define NGX_MEET_HISTORY        512       /* video packets kept for NACKs */


/* a packet as the publisher sent it, for retransmission */
typedef struct {
    uint16_t                  seq;
    uint16_t                  len;
    u_char                    data[1500];
} ngx_meet_rtp_hist_t;


ngx_uint_t  ngx_meet_rtp_retransmits;
ngx_uint_t  ngx_meet_rtp_nacks_sent;

/* an RTX packet turned back into the original (RFC 4588) */
static u_char  ngx_meet_rtp_rtx_buf[1500];


static ngx_uint_t ngx_meet_rtp_upstream(ngx_meet_rtp_peer_t *peer,
    ngx_meet_uptrack_t *up, meet_rtp_header_t *h);
static void ngx_meet_rtp_unrtx(ngx_meet_rtp_peer_t *peer,
    ngx_meet_uptrack_t *up, u_char *p, size_t n, meet_rtp_header_t *h);
static void ngx_meet_rtp_fanout(ngx_meet_uptrack_t *up, u_char *p, size_t n,
    meet_rtp_header_t *hp);


/* one packet at a time, with SRTP's tailroom */
static u_char  ngx_meet_rtp_obuf[1500 + MEET_SRTP_TAILROOM];


static void
ngx_meet_rtp_request_keyframe(ngx_meet_uptrack_t *up)
{
    size_t                len;
    u_char                buf[64];
    ngx_msec_t            now;
    ngx_meet_rtp_peer_t  *pub;

    now = ngx_current_msec;

    if (up->last_pli && now - up->last_pli < NGX_MEET_PLI_INTERVAL) {
        return;
    }

    if (up->pub == NULL) {
        return;
    }

    pub = up->pub->media;

    if (pub == NULL || !pub->connected || pub->selected == NULL) {
        return;
    }

    len = meet_rtcp_build_pli(buf, sizeof(buf), NGX_MEET_OUR_SSRC, up->ssrc);
    if (len == 0) {
        return;
    }

    ngx_memcpy(ngx_meet_rtp_obuf, buf, len);

    if (meet_srtp_protect_rtcp(pub->srtp, ngx_meet_rtp_obuf, &len,
                               sizeof(ngx_meet_rtp_obuf))
        != MEET_SRTP_OK)
    {
        return;
    }

    up->last_pli = now ? now : 1;

    ngx_log_debug1(NGX_LOG_DEBUG_STREAM, pub->log, 0,
                   "meet rtp: PLI to SSRC %uD", up->ssrc);

    (void) ngx_meet_rtp_send(pub->selected, ngx_meet_rtp_obuf, len);
}


/*
 * A packet whose SSRC no track has: if its sdes:mid names a track whose
 * SSRC the SDP did not give (simulcast) and its rtp-stream-id is the layer
 * we forward, the track gets that SSRC.
 */

static ngx_meet_uptrack_t *
ngx_meet_rtp_learn(ngx_meet_media_session_t *ms, u_char *p,
    meet_rtp_header_t *h)
{
    size_t               mid_len, rid_len;
    ngx_uint_t           i;
    const u_char        *mid, *rid;
    ngx_meet_uptrack_t  *up;

    if (ms->ext_mid == 0 || !h->extension
        || meet_rtp_ext_mid(p, h, ms->ext_mid, &mid, &mid_len) != 0)
    {
        return NULL;
    }

    for (i = 0; i < ms->nup; i++) {
        up = ms->up[i];

        if (up->ssrc || up->mid_len != mid_len
            || ngx_strncmp(up->mid, mid, mid_len) != 0)
        {
            continue;
        }

        if (up->rid_len) {
            rid = ms->ext_rid ? meet_rtp_ext_find(p, h, ms->ext_rid,
                                                  &rid_len)
                              : NULL;

            if (rid == NULL || rid_len != up->rid_len
                || ngx_strncmp(rid, up->rid, rid_len) != 0)
            {
                return NULL;
            }
        }

        up->ssrc = h->ssrc;

        ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                      "meet rtp: SSRC %uD is mid %*s%s%*s", h->ssrc,
                      mid_len, mid, up->rid_len ? " layer " : "",
                      up->rid_len, up->rid);

        return up;
    }

    return NULL;
}


/*
 * Transport-wide congestion control, receive side: the arrival time of
 * every packet the publisher numbered, reported every
 * NGX_MEET_TWCC_INTERVAL ms, so that its sender-side bandwidth estimation
 * (Chrome's GoogCC) ramps the bitrate up.
 */

static void
ngx_meet_rtp_twcc_arrival(ngx_meet_rtp_peer_t *peer, u_char *p,
    meet_rtp_header_t *h)
{
    int64_t          now;
    uint16_t         seq;
    ngx_uint_t       i;
    struct timespec  ts;

    if (meet_rtp_ext_twcc_seq(p, h, peer->media->ext_twcc, &seq) != 0) {
        return;
    }

    clock_gettime(CLOCK_MONOTONIC, &ts);
    now = (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;

    if (!peer->twcc_have) {
        peer->twcc_have = 1;
        peer->twcc_base = seq;
        peer->twcc_max = seq;
        peer->twcc_media_ssrc = h->ssrc;

        for (i = 0; i < NGX_MEET_TWCC_WINDOW; i++) {
            peer->twcc_arrival[i] = -1;
        }

    } else if ((int16_t) (seq - peer->twcc_base) < 0) {
        /* older than what was reported already */
        return;

    } else if ((int16_t) (seq - peer->twcc_max) > 0) {
        peer->twcc_max = seq;
    }

    i = seq % NGX_MEET_TWCC_WINDOW;
    peer->twcc_arrival[i] = now;
    peer->twcc_seq[i] = seq;

    if ((uint16_t) (peer->twcc_max - peer->twcc_base)
        >= NGX_MEET_TWCC_WINDOW - 64)
    {
        ngx_meet_rtp_twcc_timer(&peer->twcc_timer);

    } else if (!peer->twcc_timer.timer_set) {
        ngx_add_timer(&peer->twcc_timer, NGX_MEET_TWCC_INTERVAL);
    }
}


void
ngx_meet_rtp_twcc_timer(ngx_event_t *ev)
{
    ngx_meet_rtp_peer_t *peer = ev->data;

    size_t     len, n, i, k;
    int64_t    arr[NGX_MEET_TWCC_WINDOW];
    uint16_t   seq;

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }

    if (!peer->twcc_have || !peer->connected || peer->selected == NULL) {
        return;
    }

    n = (uint16_t) (peer->twcc_max - peer->twcc_base) + 1;
    if (n > NGX_MEET_TWCC_WINDOW) {
        n = NGX_MEET_TWCC_WINDOW;
    }

    for (i = 0; i < n; i++) {
        seq = (uint16_t) (peer->twcc_base + i);
        k = seq % NGX_MEET_TWCC_WINDOW;
        arr[i] = (peer->twcc_seq[k] == seq) ? peer->twcc_arrival[k] : -1;
        peer->twcc_arrival[k] = -1;
    }

    len = meet_rtcp_build_twcc(ngx_meet_rtp_obuf, 1500, NGX_MEET_OUR_SSRC,
                               peer->twcc_media_ssrc, peer->twcc_count,
                               peer->twcc_base, arr, n);

    peer->twcc_base = (uint16_t) (peer->twcc_max + 1);
    peer->twcc_max = peer->twcc_base - 1;

    if (len == 0) {
        return;
    }

    peer->twcc_count++;

    if (meet_srtp_protect_rtcp(peer->srtp, ngx_meet_rtp_obuf, &len,
                               sizeof(ngx_meet_rtp_obuf))
        == MEET_SRTP_OK)
    {
        (void) ngx_meet_rtp_send(peer->selected, ngx_meet_rtp_obuf, len);
    }
}


/*
 * One packet of an uptrack to one downtrack: the fixed header and CSRCs
 * without the extension, the subscriber's SSRC and payload type, then the
 * payload; SRTP with the subscriber's session, out through its address.
 */

static void
ngx_meet_rtp_send_down(ngx_meet_downtrack_t *d, ngx_meet_rtp_peer_t *sp,
    const u_char *p, size_t n, meet_rtp_header_t *h)
{
    size_t   hl, rest, len;
    uint8_t  spt;

    spt = d->pt_map[h->pt];
    if (spt == 0) {
        return;
    }

    hl = 12 + 4 * (size_t) h->cc;
    rest = n - h->header_len;               /* payload and padding */

    if (hl + rest > 1500) {
        return;
    }

    ngx_memcpy(ngx_meet_rtp_obuf, p, hl);
    ngx_memcpy(ngx_meet_rtp_obuf + hl, p + h->header_len, rest);

    ngx_meet_rtp_obuf[0] &= ~0x10;
    ngx_meet_rtp_obuf[1] = (u_char) ((p[1] & 0x80) | (spt - 1));
    ngx_meet_rtp_obuf[8] = (u_char) (d->ssrc >> 24);
    ngx_meet_rtp_obuf[9] = (u_char) (d->ssrc >> 16);
    ngx_meet_rtp_obuf[10] = (u_char) (d->ssrc >> 8);
    ngx_meet_rtp_obuf[11] = (u_char) d->ssrc;

    len = hl + rest;

    d->packets++;
    d->octets += (uint32_t) (len - hl);

    if (meet_srtp_protect_rtp(sp->srtp, ngx_meet_rtp_obuf, &len,
                              sizeof(ngx_meet_rtp_obuf))
        != MEET_SRTP_OK)
    {
        return;
    }

    (void) ngx_meet_rtp_send(sp->selected, ngx_meet_rtp_obuf, len);
}


/*
 * A publisher's sender report goes on to each subscriber of that stream
 * as a report of our own SSRC there, with the publisher's NTP and RTP
 * times (what the receiver needs for audio/video sync) and our counts.
 */

static void
ngx_meet_rtp_sender_report(ngx_meet_media_session_t *ms,
    meet_rtcp_packet_t *pkt)
{
    size_t                    len;
    ngx_uint_t                i;
    meet_rtcp_report_t        r;
    ngx_meet_uptrack_t       *up;
    ngx_meet_rtp_peer_t      *sp;
    ngx_meet_downtrack_t     *d;
    meet_rtcp_sender_info_t   si;

    if (meet_rtcp_parse_report(pkt, &r) != 0) {
        return;
    }

    up = NULL;

    for (i = 0; i < ms->nup; i++) {
        if (ms->up[i]->ssrc == r.ssrc) {
            up = ms->up[i];
            break;
        }
    }

    if (up == NULL) {
        return;
    }

    for (d = up->down; d; d = d->next) {
        sp = d->sub ? d->sub->media : NULL;

        if (sp == NULL || !sp->connected || sp->selected == NULL
            || d->packets == 0)
        {
            continue;
        }

        si.ssrc = d->ssrc;
        si.ntp = r.ntp;
        si.rtp_ts = r.rtp_ts;
        si.packets = d->packets;
        si.octets = d->octets;

        len = meet_rtcp_build_sr(ngx_meet_rtp_obuf, 1500, &si, NULL, 0);

        if (len == 0
            || meet_srtp_protect_rtcp(sp->srtp, ngx_meet_rtp_obuf, &len,
                                      sizeof(ngx_meet_rtp_obuf))
               != MEET_SRTP_OK)
        {
            continue;
        }

        (void) ngx_meet_rtp_send(sp->selected, ngx_meet_rtp_obuf, len);
    }
}


void
ngx_meet_rtp_forward(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n)
{
    ngx_uint_t                 i;
    meet_rtp_header_t          h;
    ngx_meet_uptrack_t        *up;
    ngx_meet_media_session_t  *ms;

    ms = peer->media;

    if (ms == NULL || meet_rtp_parse(&h, p, n) != MEET_RTP_OK) {
        return;
    }

    if (ms->ext_twcc && h.extension) {
        ngx_meet_rtp_twcc_arrival(peer, p, &h);
    }

    up = NULL;

    for (i = 0; i < ms->nup; i++) {
        if (ms->up[i]->ssrc == h.ssrc) {
            up = ms->up[i];
            break;
        }
    }

    if (up == NULL) {
        /* a retransmission the publisher sent on its RTX stream */
        for (i = 0; i < ms->nup; i++) {
            if (ms->up[i]->rtx_ssrc && ms->up[i]->rtx_ssrc == h.ssrc) {
                ngx_meet_rtp_unrtx(peer, ms->up[i], p, n, &h);
                return;
            }
        }

        up = ngx_meet_rtp_learn(ms, p, &h);
    }

    if (up == NULL) {
        /* RTX, another simulcast layer, or a stream of no track (yet) */
        return;
    }

    if (n > 1500) {
        return;
    }

    if (up->video && !ngx_meet_rtp_upstream(peer, up, &h)) {
        return;
    }

    ngx_meet_rtp_fanout(up, p, n, &h);
}


/*
 * The publisher's side of a video stream: fault injection for tests
 * (meet_rtp_test_drop_upstream) and NACKs for gaps in its sequence
 * numbers (at most 32 back).  Returns 0 to drop the packet.
 */

static ngx_uint_t
ngx_meet_rtp_upstream(ngx_meet_rtp_peer_t *peer, ngx_meet_uptrack_t *up,
    meet_rtp_header_t *h)
{
    size_t      len;
    int16_t     diff;
    uint16_t    lost[32], s;
    ngx_uint_t  drop, nlost;

    drop = peer->selected ? peer->selected->conf->test_drop_upstream : 0;

    if (drop && ++peer->rx_dropped % drop == 0) {
        return 0;
    }

    if (!up->have_seq) {
        up->have_seq = 1;
        up->max_seq = h->seq;
        return 1;
    }

    diff = (int16_t) (h->seq - up->max_seq);

    if (diff <= 0) {
        return 1;
    }

    if (diff > 1 && diff <= 33 && peer->connected && peer->selected) {
        nlost = 0;

        for (s = (uint16_t) (up->max_seq + 1); s != h->seq; s++) {
            lost[nlost++] = s;
        }

        len = meet_rtcp_build_nack(ngx_meet_rtp_obuf, 1500, NGX_MEET_OUR_SSRC,
                                   up->ssrc, lost, nlost);

        ngx_log_debug3(NGX_LOG_DEBUG_STREAM, peer->log, 0,
                       "meet rtp: NACK %ui packets from %ud to SSRC %uD",
                       nlost, lost[0], up->ssrc);

        if (len
            && meet_srtp_protect_rtcp(peer->srtp, ngx_meet_rtp_obuf, &len,
                                      sizeof(ngx_meet_rtp_obuf))
               == MEET_SRTP_OK)
        {
            ngx_meet_rtp_nacks_sent++;
            (void) ngx_meet_rtp_send(peer->selected, ngx_meet_rtp_obuf, len);
        }
    }

    up->max_seq = h->seq;

    return 1;
}


/* RFC 4588: original sequence number first, then the original payload */

static void
ngx_meet_rtp_unrtx(ngx_meet_rtp_peer_t *peer, ngx_meet_uptrack_t *up,
    u_char *p, size_t n, meet_rtp_header_t *h)
{
    size_t             hl;
    meet_rtp_header_t  oh;

    if (h->payload_len < 2 || n > sizeof(ngx_meet_rtp_rtx_buf)) {
        /* RTX padding (bandwidth probing) carries no packet */
        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_STREAM, peer->log, 0,
                   "meet rtp: RTX of seq %ud on SSRC %uD",
                   (unsigned) (p[h->header_len] << 8 | p[h->header_len + 1]),
                   up->ssrc);

    hl = h->header_len;

    ngx_memcpy(ngx_meet_rtp_rtx_buf, p, hl);
    ngx_memcpy(ngx_meet_rtp_rtx_buf + hl, p + hl + 2, n - hl - 2);

    ngx_meet_rtp_rtx_buf[1] = (u_char) ((p[1] & 0x80) | up->pt);
    ngx_meet_rtp_rtx_buf[2] = p[hl];
    ngx_meet_rtp_rtx_buf[3] = p[hl + 1];
    ngx_meet_rtp_rtx_buf[8] = (u_char) (up->ssrc >> 24);
    ngx_meet_rtp_rtx_buf[9] = (u_char) (up->ssrc >> 16);
    ngx_meet_rtp_rtx_buf[10] = (u_char) (up->ssrc >> 8);
    ngx_meet_rtp_rtx_buf[11] = (u_char) up->ssrc;

    if (meet_rtp_parse(&oh, ngx_meet_rtp_rtx_buf, n - 2) != MEET_RTP_OK) {
        return;
    }

    ngx_meet_rtp_fanout(up, ngx_meet_rtp_rtx_buf, n - 2, &oh);
}


static void
ngx_meet_rtp_fanout(ngx_meet_uptrack_t *up, u_char *p, size_t n,
    meet_rtp_header_t *hp)
{
    int                    kf;
    ngx_uint_t             drop;
    meet_rtp_header_t      h;
    ngx_meet_rtp_peer_t   *sp;
    ngx_meet_rtp_hist_t   *hist, *slot;
    ngx_meet_downtrack_t  *d;

    h = *hp;

    /* video history for NACKs: one copy per packet, no allocation */

    if (up->video) {
        hist = up->history;

        if (hist == NULL) {
            hist = ngx_calloc(NGX_MEET_HISTORY * sizeof(ngx_meet_rtp_hist_t),
                              ngx_cycle->log);
            up->history = hist;
        }

        if (hist) {
            slot = &hist[h.seq % NGX_MEET_HISTORY];
            slot->seq = h.seq;
            slot->len = (uint16_t) n;
            ngx_memcpy(slot->data, p, n);
        }
    }

    kf = -1;

    for (d = up->down; d; d = d->next) {

        sp = d->sub ? d->sub->media : NULL;

        if (sp == NULL || !sp->connected || sp->selected == NULL
            || d->pt_map[h.pt] == 0)
        {
            continue;
        }

        if (d->need_keyframe) {
            if (kf < 0) {
                kf = (meet_rtp_keyframe(up->codec, p + h.header_len,
                                        h.payload_len)
                      == MEET_RTP_KEYFRAME_YES);
            }

            if (!kf) {
                ngx_meet_rtp_request_keyframe(up);
                continue;
            }

            d->need_keyframe = 0;
        }

        /* fault injection for loss-recovery tests: meet_rtp_test_drop */
        drop = sp->selected->conf->test_drop;

        if (drop && up->video && ++sp->tx_dropped % drop == 0) {
            continue;
        }

        sp->tx_rtp++;
        ngx_meet_rtp_send_down(d, sp, p, n, &h);
    }
}


/* a subscriber's NACK: what the history still holds is sent again */

static void
ngx_meet_rtp_nack(ngx_meet_downtrack_t *d, meet_rtcp_fb_t *fb)
{
    int                   i, nlost;
    uint16_t              lost[64];
    meet_rtp_header_t     h;
    ngx_meet_rtp_peer_t  *sp;
    ngx_meet_rtp_hist_t  *hist, *slot;

    hist = d->up->history;
    sp = d->sub->media;

    if (hist == NULL || sp == NULL || !sp->connected || sp->selected == NULL) {
        return;
    }

    nlost = meet_rtcp_nack_lost(fb, lost, 64);
    if (nlost > 64) {
        nlost = 64;
    }

    for (i = 0; i < nlost; i++) {
        slot = &hist[lost[i] % NGX_MEET_HISTORY];

        if (slot->len == 0 || slot->seq != lost[i]
            || meet_rtp_parse(&h, slot->data, slot->len) != MEET_RTP_OK)
        {
            continue;
        }

        /* SRTP allows the same index again (allow_repeat_tx) */
        ngx_meet_rtp_send_down(d, sp, slot->data, slot->len, &h);

        sp->tx_nack++;
        ngx_meet_rtp_retransmits++;
    }
}


/* RTCP from a participant: keyframe requests about what it receives */

void
ngx_meet_rtp_feedback(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n)
{
    ngx_uint_t                 i;
    meet_rtcp_fb_t             fb;
    meet_rtcp_iter_t           it;
    meet_rtcp_packet_t         pkt;
    ngx_meet_media_session_t  *ms;

    ms = peer->media;

    if (ms == NULL) {
        return;
    }

    meet_rtcp_iter_init(&it, p, n);

    while (meet_rtcp_next(&it, &pkt) == 1) {

        if (pkt.pt == 200) {
            ngx_meet_rtp_sender_report(ms, &pkt);
            continue;
        }

        if (pkt.pt == 205 && pkt.count == 1
            && meet_rtcp_parse_fb(&pkt, &fb) == 0)
        {
            for (i = 0; i < ms->ndown; i++) {
                if (ms->down[i]->ssrc == fb.media_ssrc) {
                    ngx_meet_rtp_nack(ms->down[i], &fb);
                    break;
                }
            }

            continue;
        }

        if (pkt.pt != 206 || (pkt.count != 1 && pkt.count != 4)) {
            continue;
        }

        if (meet_rtcp_parse_fb(&pkt, &fb) != 0) {
            continue;
        }

        for (i = 0; i < ms->ndown; i++) {
            if (ms->down[i]->ssrc == fb.media_ssrc
                || (pkt.count == 4 && fb.fci_len >= 4
                    && ms->down[i]->ssrc == ((uint32_t) fb.fci[0] << 24
                                             | (uint32_t) fb.fci[1] << 16
                                             | (uint32_t) fb.fci[2] << 8
                                             | fb.fci[3])))
            {
                ngx_meet_rtp_request_keyframe(ms->down[i]->up);
                break;
            }
        }
    }
}
