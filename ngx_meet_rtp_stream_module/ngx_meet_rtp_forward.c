
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
 * NACKs from subscribers are answered from a history of the last video
 * packets of each track, about a second of them (meet_rtp_history_t:
 * meet_rtp_history_min slots at first, doubled up to meet_rtp_history_max
 * as the packet rate needs, halved when it stays low; each size charged to
 * meet_media_memory, a track refused memory has no history or keeps its
 * size, its NACKs unanswered): on the subscriber's RTX
 * stream (RFC 4588) where its slot negotiated rtx, else as the original
 * packet again; each packet at most once per meet_rtp_nack_window and
 * meet_rtp_nack_resends times to a subscriber, the bytes within
 * meet_rtp_nack_rate of its media (meet_rtp_resend_t).  Of a compound,
 * meet_rtp_rtcp_max_packets packets are handled.
 *
 * Losses on the way from a publisher are NACKed to it (again every
 * NGX_MEET_NACK_RETRY ms while they stay missing, NGX_MEET_NACK_TRIES
 * times at most); its RTX retransmissions are turned back into the
 * original packets and forwarded when they fill a gap (RTX copies of
 * packets that arrived, e.g. Chrome's bandwidth probes, are not).  Every
 * NGX_MEET_RR_INTERVAL ms each publisher gets receiver reports of its
 * streams (loss, jitter, LSR/DLSR for its round-trip time).
 *
 * Sender reports of publishers reach subscribers with our SSRC and counts
 * (once per compound and stream).
 *
 * Each subscriber gets one continuous stream per downtrack (sequence
 * numbers and timestamps rewritten across layer switches and publisher
 * restarts: meet_rtp_rewriter_t).  Not yet: header extensions (stripped:
 * the subscriber demultiplexes by the SSRC our answer announces).
 */


#include "ngx_meet_rtp_stream.h"
#include "meet_rtp.h"
#include "meet_rtcp.h"
#include "meet_srtp.h"

#include <time.h>
#include <sys/mman.h>


/* the forwarding table's codec list and the RTP library's must agree */
#if (NGX_MEET_CODEC_VP8 != MEET_RTP_CODEC_VP8                                \
     || NGX_MEET_CODEC_VP9 != MEET_RTP_CODEC_VP9                             \
     || NGX_MEET_CODEC_H264 != MEET_RTP_CODEC_H264                           \
     || NGX_MEET_CODEC_AV1 != MEET_RTP_CODEC_AV1)
#error NGX_MEET_CODEC_* (ngx_meet_media.h) and MEET_RTP_CODEC_* differ
#endif


#define NGX_MEET_PLI_INTERVAL   500
#define NGX_MEET_OUR_SSRC       0x6e67786d       /* "ngxm": RTCP sender */


#if (NGX_MEET_RTP_MTU > MEET_RTP_HISTORY_MTU)
#error a packet of NGX_MEET_RTP_MTU bytes does not fit the NACK history
#endif

#define NGX_MEET_NACK_RETRY     40        /* ms between NACKs of a packet */
#define NGX_MEET_NACK_TRIES     10
#define NGX_MEET_NACK_AGE       1000      /* ms, then a loss is given up */
#define NGX_MEET_RR_INTERVAL    1000      /* ms between receiver reports */


/*
 * what we keep of a downtrack (d->media): its sequence rewriting, and for
 * video the bounds on answering its NACKs (a slot per packet of the
 * largest history, meet_rtp_history_max, by the subscriber's sequence
 * number: 8 bytes a packet, charged to meet_media_memory; refused, its
 * NACKs go unanswered)
 */
typedef struct {
    meet_rtp_rewriter_t       rw;
    meet_rtp_resend_t         resend;
    size_t                    charged;      /* bytes of meet_media_memory */
    meet_rtp_resend_slot_t    slots[1];     /* for video, none for audio */
} ngx_meet_rtp_downstate_t;


#define NGX_MEET_LAYER_IDLE     1000      /* ms without packets: a layer
                                             the publisher stopped */


/*
 * what we keep of an uptrack (up->media), made at its first packet; a
 * video uptrack's history slots are mapped apart (hist.nslots of them,
 * "charged" bytes): see ngx_meet_rtp_history_resize()
 */
typedef struct {
    meet_rtcp_rx_t            rx;
    meet_rtp_nack_t           nack;
    meet_rtp_history_t        hist;         /* video: its own slots */
    size_t                    charged;      /* bytes of meet_media_memory */
    unsigned                  refused:1;    /* the history could not grow */
} ngx_meet_rtp_upstate_t;


/* an RTX packet turned back into the original (RFC 4588) */
static u_char  ngx_meet_rtp_rtx_buf[NGX_MEET_RTP_MTU];


static ngx_meet_rtp_upstate_t *ngx_meet_rtp_upstate(ngx_meet_rtp_peer_t *peer,
    ngx_meet_uptrack_t *up, ngx_meet_rtp_srv_conf_t *conf);
static void ngx_meet_rtp_history_unmap(meet_rtp_history_slot_t *slots,
    size_t size);
static void ngx_meet_rtp_history_resize(ngx_meet_rtp_peer_t *peer,
    ngx_meet_uptrack_t *up, ngx_meet_rtp_upstate_t *st, ngx_uint_t n);
static void ngx_meet_rtp_audio_level(ngx_meet_uptrack_t *up, u_char *p,
    meet_rtp_header_t *h, unsigned id);
static void ngx_meet_rtp_receiver_report(ngx_meet_rtp_peer_t *peer,
    meet_rtcp_report_t *r);
static ngx_uint_t ngx_meet_rtp_layer_want(ngx_meet_uptrack_t *main,
    ngx_meet_downtrack_t *d);
static void ngx_meet_rtp_send_nacks(ngx_meet_rtp_peer_t *peer,
    ngx_meet_uptrack_t *up, ngx_meet_rtp_upstate_t *st);
static void ngx_meet_rtp_unrtx(ngx_meet_rtp_peer_t *peer,
    ngx_meet_uptrack_t *up, u_char *p, size_t n, meet_rtp_header_t *h,
    uint64_t now);
static ngx_meet_rtp_downstate_t *ngx_meet_rtp_downstate(
    ngx_meet_downtrack_t *d, ngx_meet_rtp_srv_conf_t *conf);
static void ngx_meet_rtp_fanout(ngx_meet_uptrack_t *up,
    ngx_meet_rtp_upstate_t *st, u_char *p, size_t n, meet_rtp_header_t *hp);
static void ngx_meet_rtp_twcc_timer(ngx_event_t *ev);
static void ngx_meet_rtp_rr_timer(ngx_event_t *ev);
static void ngx_meet_rtp_uptrack_free(ngx_meet_uptrack_t *up);
static void ngx_meet_rtp_downtrack_free(ngx_meet_downtrack_t *d);


static ngx_meet_media_uptrack_free_pt    ngx_meet_rtp_next_uptrack_free;
static ngx_meet_media_downtrack_free_pt  ngx_meet_rtp_next_downtrack_free;


/* postconfiguration: our state on the table's entries goes with them */

void
ngx_meet_rtp_forward_hooks_init(void)
{
    ngx_meet_rtp_next_uptrack_free = ngx_meet_media_top_uptrack_free;
    ngx_meet_media_top_uptrack_free = ngx_meet_rtp_uptrack_free;

    ngx_meet_rtp_next_downtrack_free = ngx_meet_media_top_downtrack_free;
    ngx_meet_media_top_downtrack_free = ngx_meet_rtp_downtrack_free;
}


static void
ngx_meet_rtp_uptrack_free(ngx_meet_uptrack_t *up)
{
    ngx_meet_rtp_upstate_t  *st;

    st = up->media;

    if (st) {
        ngx_meet_rtp_history_slots -= st->hist.nslots;
        ngx_meet_media_mem_release(st->charged);
        ngx_meet_rtp_history_unmap(st->hist.slots, st->charged);
        ngx_free(st);
        up->media = NULL;
    }

    ngx_meet_rtp_next_uptrack_free(up);
}


static void
ngx_meet_rtp_downtrack_free(ngx_meet_downtrack_t *d)
{
    ngx_meet_rtp_downstate_t  *ds;

    ds = d->media;

    if (ds) {
        ngx_meet_media_mem_release(ds->charged);
        ngx_free(ds);
        d->media = NULL;
    }

    ngx_meet_rtp_next_downtrack_free(d);
}


static ngx_inline uint64_t
ngx_meet_rtp_now_us(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return (uint64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}


/* a new peer's feedback timers; they stop when it goes */

void
ngx_meet_rtp_forward_peer_init(ngx_meet_rtp_peer_t *peer)
{
    peer->twcc_timer.handler = ngx_meet_rtp_twcc_timer;
    peer->twcc_timer.data = peer;
    peer->twcc_timer.log = peer->log;
    peer->twcc_timer.cancelable = 1;

    peer->rr_timer.handler = ngx_meet_rtp_rr_timer;
    peer->rr_timer.data = peer;
    peer->rr_timer.log = peer->log;
    peer->rr_timer.cancelable = 1;
}


void
ngx_meet_rtp_forward_peer_free(ngx_meet_rtp_peer_t *peer)
{
    if (peer->twcc_timer.timer_set) {
        ngx_del_timer(&peer->twcc_timer);
    }

    if (peer->rr_timer.timer_set) {
        ngx_del_timer(&peer->rr_timer);
    }
}


static void
ngx_meet_rtp_request_keyframe(ngx_meet_uptrack_t *up)
{
    size_t                len;
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

    if (pub == NULL || !ngx_meet_rtp_sending(pub)) {
        return;
    }

    len = meet_rtcp_build_pli(ngx_meet_rtp_rtcp_buf(), NGX_MEET_RTP_MTU,
                              NGX_MEET_OUR_SSRC, up->ssrc);
    if (len == 0) {
        return;
    }

    if (ngx_meet_rtp_send_rtcp(pub, len) != NGX_OK) {
        return;
    }

    up->last_pli = now ? now : 1;
    ngx_meet_rtp_plis_sent++;

    ngx_log_debug1(NGX_LOG_DEBUG_STREAM, pub->log, 0,
                   "meet rtp: PLI to SSRC %uD", up->ssrc);
}


/*
 * A packet whose SSRC no track has: if its sdes:mid names a track whose
 * SSRC the SDP did not give (simulcast) and its rtp-stream-id is the layer
 * we forward, the track gets that SSRC; with the track's RTX payload type
 * and that layer in repaired-rtp-stream-id, it is the track's RTX SSRC.
 */

static ngx_meet_uptrack_t *
ngx_meet_rtp_learn(ngx_meet_media_transport_t *ms, u_char *p,
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

        if (up->mid_len != mid_len
            || ngx_strncmp(up->mid, mid, mid_len) != 0)
        {
            continue;
        }

        if (up->rtx_pt && h->pt == up->rtx_pt) {
            /* its RTX stream: the layer in repaired-rtp-stream-id */
            if (up->rtx_ssrc) {
                continue;
            }

            if (up->rid_len) {
                rid = ms->ext_rrid ? meet_rtp_ext_find(p, h, ms->ext_rrid,
                                                       &rid_len)
                                   : NULL;

                if (rid == NULL || rid_len != up->rid_len
                    || ngx_strncmp(rid, up->rid, rid_len) != 0)
                {
                    continue;
                }
            }

            up->rtx_ssrc = h->ssrc;

            ngx_log_error(NGX_LOG_INFO, ngx_cycle->log, 0,
                          "meet rtp: SSRC %uD is the RTX of mid %V",
                          h->ssrc, ngx_meet_log_nesc(mid, mid_len));

            return up;
        }

        if (up->ssrc) {
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
                      "meet rtp: SSRC %uD is mid %V%s%V", h->ssrc,
                      ngx_meet_log_nesc(mid, mid_len),
                      up->rid_len ? " layer " : "",
                      ngx_meet_log_nesc(up->rid, up->rid_len));

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
    meet_rtp_header_t *h, int64_t now)
{
    uint16_t         seq;
    ngx_uint_t       i;

    if (meet_rtp_ext_twcc_seq(p, h, peer->media->ext_twcc, &seq) != 0) {
        return;
    }

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


static void
ngx_meet_rtp_twcc_timer(ngx_event_t *ev)
{
    ngx_meet_rtp_peer_t *peer = ev->data;

    size_t     len, n, i, k;
    int64_t    arr[NGX_MEET_TWCC_WINDOW];
    uint16_t   seq;

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }

    if (!peer->twcc_have || !ngx_meet_rtp_sending(peer)) {
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

    len = meet_rtcp_build_twcc(ngx_meet_rtp_rtcp_buf(), NGX_MEET_RTP_MTU,
                               NGX_MEET_OUR_SSRC, peer->twcc_media_ssrc,
                               peer->twcc_count, peer->twcc_base, arr, n);

    peer->twcc_base = (uint16_t) (peer->twcc_max + 1);
    peer->twcc_max = peer->twcc_base - 1;

    if (len == 0) {
        return;
    }

    peer->twcc_count++;

    (void) ngx_meet_rtp_send_rtcp(peer, len);
}


/*
 * One packet of an uptrack to one downtrack: the fixed header and CSRCs
 * without the extension, the subscriber's SSRC and payload type, then the
 * payload (meet_rtp_rewriter_copy(), straight into the send buffer); SRTP
 * with the subscriber's session, out through its address.
 */

static void
ngx_meet_rtp_send_down(ngx_meet_downtrack_t *d, ngx_meet_rtp_peer_t *sp,
    const u_char *p, size_t n, meet_rtp_header_t *h, ngx_int_t retransmit)
{
    size_t                     len;
    u_char                    *out;
    uint8_t                    spt;
    ngx_meet_rtp_downstate_t  *ds;

    spt = d->pt_map[h->pt];
    if (spt == 0) {
        return;
    }

    ds = ngx_meet_rtp_downstate(d, sp->selected->conf);
    if (ds == NULL) {
        return;
    }

    /*
     * the subscriber's numbers: one continuous stream across layer
     * switches and publisher restarts; a retransmission gets the number
     * it was asked for
     */

    out = ngx_meet_rtp_batch_buf();

    len = meet_rtp_rewriter_copy(&ds->rw, out, NGX_MEET_RTP_MTU, p, n, h,
                                 spt - 1, (int) retransmit,
                                 ngx_current_msec);
    if (len == 0) {
        return;
    }

    d->packets++;
    d->octets += (uint32_t) (n - h->header_len);

    if (retransmit < 0 && d->up->video) {
        /* what it gets of the stream: its budget for resends */
        meet_rtp_resend_sent(&ds->resend, (uint16_t) (out[2] << 8 | out[3]),
                             len, ngx_current_msec);
    }

    if (meet_srtp_protect_rtp(sp->srtp, out, &len, NGX_MEET_RTP_DGRAM_MAX)
        != MEET_SRTP_OK)
    {
        return;
    }

    ngx_meet_rtp_batch_add(sp->selected, len);
}


static ngx_meet_rtp_downstate_t *
ngx_meet_rtp_downstate(ngx_meet_downtrack_t *d, ngx_meet_rtp_srv_conf_t *conf)
{
    size_t                     size, charged;
    ngx_uint_t                 nslots;
    ngx_meet_rtp_downstate_t  *ds;

    if (d->media) {
        return d->media;
    }

    /*
     * video: a slot per packet of the largest history; the slots count
     * (with many subscribers they are many), the rest is small
     */
    nslots = d->up->video ? conf->history_max : 0;
    charged = nslots * sizeof(meet_rtp_resend_slot_t);

    if (charged && ngx_meet_media_mem_charge(charged) != NGX_OK) {
        ngx_meet_rtp_mem_refused++;
        ngx_log_error(NGX_LOG_WARN, ngx_cycle->log, 0,
                      "meet rtp: SSRC %uD: its NACKs will go unanswered, "
                      "meet_media_memory is spent", d->ssrc);
        nslots = 0;
        charged = 0;
    }

    size = offsetof(ngx_meet_rtp_downstate_t, slots)
           + nslots * sizeof(meet_rtp_resend_slot_t);

    ds = ngx_calloc(size, ngx_cycle->log);
    if (ds == NULL) {
        ngx_meet_media_mem_release(charged);
        return NULL;
    }

    ds->charged = charged;

    meet_rtp_rewriter_init(&ds->rw, d->ssrc, d->up->video ? 90000 : 48000);
    meet_rtp_resend_init(&ds->resend, nslots ? ds->slots : NULL, nslots,
                         (unsigned) conf->nack_window,
                         (unsigned) conf->nack_resends,
                         (unsigned) conf->nack_rate);
    d->media = ds;

    return ds;
}


/*
 * A publisher's sender report goes on to each subscriber of that stream
 * as a report of our own SSRC there, with the publisher's NTP and RTP
 * times (what the receiver needs for audio/video sync) and our counts;
 * once per compound and stream (relayed: a bit per uptrack of ms), however
 * many SRs of it the compound carries.
 */

#if (NGX_MEET_MAX_UPTRACKS > 64)
#error the SRs relayed of a compound are bits of a uint64_t
#endif

static void
ngx_meet_rtp_sender_report(ngx_meet_media_transport_t *ms,
    meet_rtcp_report_t *r, uint64_t *relayed)
{
    size_t                    len;
    ngx_uint_t                i;
    ngx_meet_uptrack_t       *up;
    ngx_meet_rtp_peer_t      *sp;
    ngx_meet_downtrack_t     *d;
    ngx_meet_rtp_upstate_t   *st;
    ngx_meet_rtp_downstate_t *ds;
    meet_rtcp_sender_info_t   si;

    up = NULL;

    for (i = 0; i < ms->nup; i++) {
        if (ms->up[i]->ssrc == r->ssrc) {
            up = ms->up[i];
            break;
        }
    }

    if (up == NULL || (*relayed & ((uint64_t) 1 << i))) {
        return;
    }

    *relayed |= (uint64_t) 1 << i;

    if (up->media) {
        st = up->media;
        meet_rtcp_rx_sender_report(&st->rx, r->ntp, ngx_meet_rtp_now_us());
    }

    for (d = (up->main ? up->main : up)->down; d; d = d->next) {
        sp = d->sub ? d->sub->media : NULL;
        ds = d->media;

        /* about the stream it gets now, in its timestamps */
        if (sp == NULL || !ngx_meet_rtp_sending(sp)
            || d->packets == 0 || ds == NULL || ds->rw.in_ssrc != r->ssrc)
        {
            continue;
        }

        si.ssrc = d->ssrc;
        si.ntp = r->ntp;
        si.rtp_ts = r->rtp_ts + ds->rw.ts_offset;
        si.packets = d->packets;
        si.octets = d->octets;

        len = meet_rtcp_build_sr(ngx_meet_rtp_rtcp_buf(), NGX_MEET_RTP_MTU,
                                 &si, NULL, 0);

        if (len) {
            (void) ngx_meet_rtp_send_rtcp(sp, len);
        }
    }
}


void
ngx_meet_rtp_forward(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n)
{
    ngx_int_t                  rc;
    uint64_t                   now;
    ngx_uint_t                 i, want;
#if (NGX_MEET_TEST_HOOKS)
    ngx_uint_t                 drop;
#endif
    meet_rtp_header_t          h;
    ngx_meet_uptrack_t        *up;
    ngx_meet_rtp_upstate_t    *st;
    ngx_meet_rtp_srv_conf_t   *conf;
    ngx_meet_media_transport_t  *ms;

    ms = peer->media;

    if (ms == NULL || peer->selected == NULL || n > NGX_MEET_RTP_MTU
        || meet_rtp_parse(&h, p, n) != MEET_RTP_OK)
    {
        return;
    }

    conf = peer->selected->conf;

    up = NULL;

    for (i = 0; i < ms->nup; i++) {
        if (ms->up[i]->ssrc == h.ssrc) {
            up = ms->up[i];
            break;
        }
    }

    /*
     * fault injection for loss-recovery tests (meet_rtp_test_drop_upstream)
     * acts as the network would: before the packet counts as arrived in
     * transport-wide feedback (Chrome drops what that feedback acknowledges
     * from its retransmission history)
     */
#if (NGX_MEET_TEST_HOOKS)
    drop = conf->test_drop_upstream;

    if (drop && up && up->video && ++peer->rx_dropped % drop == 0) {
        return;
    }
#endif

    /* one clock read per packet: feedback and receive statistics */
    now = ngx_meet_rtp_now_us();

    if (ms->ext_twcc && h.extension) {
        ngx_meet_rtp_twcc_arrival(peer, p, &h, (int64_t) now);
    }

    if (up == NULL) {
        /* a retransmission the publisher sent on its RTX stream */
        for (i = 0; i < ms->nup; i++) {
            if (ms->up[i]->rtx_ssrc && ms->up[i]->rtx_ssrc == h.ssrc) {
                ngx_meet_rtp_unrtx(peer, ms->up[i], p, n, &h, now);
                return;
            }
        }

        up = ngx_meet_rtp_learn(ms, p, &h);

        if (up && up->rtx_ssrc == h.ssrc) {
            ngx_meet_rtp_unrtx(peer, up, p, n, &h, now);
            return;
        }
    }

    if (up == NULL) {
        /* another simulcast layer, or a stream of no track (yet) */
        return;
    }

    st = ngx_meet_rtp_upstate(peer, up, conf);
    if (st == NULL) {
        return;
    }

    up->last_rx = ngx_current_msec ? ngx_current_msec : 1;

    if (!up->video && ms->ext_audio_level && h.extension) {
        ngx_meet_rtp_audio_level(up, p, &h, ms->ext_audio_level);
    }

    if (up->video) {
        rc = meet_rtp_nack_packet(&st->nack, h.seq, ngx_current_msec);

        if (rc == MEET_RTP_NACK_DUPLICATE) {
            return;
        }

        if (rc == MEET_RTP_NACK_RECOVERED) {
            ngx_meet_rtp_recovered++;
        }

        ngx_meet_rtp_send_nacks(peer, up, st);

        /* about a second of packets kept: a rare resize, at most once a
           second */
        want = meet_rtp_history_rate(&st->hist, ngx_current_msec,
                                     (unsigned) conf->history_min,
                                     (unsigned) conf->history_max);
        if (want) {
            ngx_meet_rtp_history_resize(peer, up, st, want);
        }
    }

    (void) meet_rtcp_rx_packet(&st->rx, h.seq, h.ts, now);

    if (!peer->rr_timer.timer_set) {
        ngx_add_timer(&peer->rr_timer, NGX_MEET_RR_INTERVAL);
    }

    ngx_meet_rtp_fanout(up, st, p, n, &h);
}


/* the RFC 6464 level of an audio packet, for the active speakers */

static void
ngx_meet_rtp_audio_level(ngx_meet_uptrack_t *up, u_char *p,
    meet_rtp_header_t *h, unsigned id)
{
    unsigned  level, voice;

    if (meet_rtp_ext_audio_level(p, h, id, &level, &voice) != 0) {
        return;
    }

    ngx_meet_media_audio_level(up, level);
}


static ngx_meet_rtp_upstate_t *
ngx_meet_rtp_upstate(ngx_meet_rtp_peer_t *peer, ngx_meet_uptrack_t *up,
    ngx_meet_rtp_srv_conf_t *conf)
{
    ngx_meet_rtp_upstate_t  *st;

    if (up->media) {
        return up->media;
    }

    st = ngx_calloc(sizeof(ngx_meet_rtp_upstate_t), ngx_cycle->log);
    if (st == NULL) {
        return NULL;
    }

    meet_rtcp_rx_init(&st->rx, up->ssrc, up->video ? 90000 : 48000);
    meet_rtp_nack_init(&st->nack, NGX_MEET_NACK_RETRY, NGX_MEET_NACK_TRIES,
                       NGX_MEET_NACK_AGE);
    meet_rtp_history_init(&st->hist, NULL, 0);

    up->media = st;

    if (up->video) {
        ngx_meet_rtp_history_resize(peer, up, st, conf->history_min);
    }

    return st;
}


static void
ngx_meet_rtp_history_unmap(meet_rtp_history_slot_t *slots, size_t size)
{
    if (slots == NULL || size == 0) {
        return;
    }

    if (munmap(slots, size) == -1) {
        ngx_log_error(NGX_LOG_ALERT, ngx_cycle->log, ngx_errno,
                      "munmap(%uz) failed", size);
    }
}


/*
 * A video uptrack's history to n slots: what grows is charged to
 * meet_media_memory first (refused: the track keeps what it has, none at
 * first, and its NACKs beyond go unanswered; one line, and no more tries,
 * for the track), the packets move over by number, the old slots go.
 */

static void
ngx_meet_rtp_history_resize(ngx_meet_rtp_peer_t *peer, ngx_meet_uptrack_t *up,
    ngx_meet_rtp_upstate_t *st, ngx_uint_t n)
{
    size_t                    size, used, budget;
    ngx_uint_t                refused;
    meet_rtp_history_slot_t  *slots, *old;

    if (st->refused) {
        return;
    }

    size = n * sizeof(meet_rtp_history_slot_t);

    if (size > st->charged
        && ngx_meet_media_mem_charge(size - st->charged) != NGX_OK)
    {
        st->refused = 1;
        ngx_meet_rtp_mem_refused++;
        ngx_meet_media_mem_stats(&used, &budget, &refused);

        ngx_log_error(NGX_LOG_WARN, peer->log, 0,
                      "meet rtp: SSRC %uD (%ui packets a second): %s "
                      "%ui packets, meet_media_memory is spent (%uzk of "
                      "%uzk); NACKs beyond its history go unanswered",
                      up->ssrc, (ngx_uint_t) st->hist.rate,
                      st->hist.nslots ? "its NACK history stays at"
                                      : "no NACK history, not even",
                      st->hist.nslots ? (ngx_uint_t) st->hist.nslots : n,
                      used / 1024, budget / 1024);
        return;
    }

    /*
     * The slots go back to the kernel when the track ends or the history
     * moves, not into malloc's heap: glibc maps a block this large only
     * until the first one is freed, then raises its mmap threshold above
     * it and cuts the next ones from the heap, where the small allocations
     * made in between keep the freed ones from being given back; after a
     * churn of participants the worker's RSS stayed megabytes above what
     * it holds (issue 16, bench/soak.sh, t/soak/10-churn.t)
     */
    slots = mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS,
                 -1, 0);
    if (slots == MAP_FAILED) {
        ngx_log_error(NGX_LOG_ALERT, peer->log, ngx_errno,
                      "mmap(%uz) failed", size);
        if (size > st->charged) {
            ngx_meet_media_mem_release(size - st->charged);
        }

        return;
    }

    ngx_log_error(NGX_LOG_INFO, peer->log, 0,
                  "meet rtp: SSRC %uD (%ui packets a second): a NACK "
                  "history of %ui packets, was %ui", up->ssrc,
                  (ngx_uint_t) st->hist.rate, n,
                  (ngx_uint_t) st->hist.nslots);

    ngx_meet_rtp_history_slots += n - st->hist.nslots;

    old = st->hist.slots;
    meet_rtp_history_move(&st->hist, slots, (unsigned) n);
    ngx_meet_rtp_history_unmap(old, st->charged);

    if (size < st->charged) {
        ngx_meet_media_mem_release(st->charged - size);
    }

    st->charged = size;
}


/* the publisher is asked again for what is still missing */

static void
ngx_meet_rtp_send_nacks(ngx_meet_rtp_peer_t *peer, ngx_meet_uptrack_t *up,
    ngx_meet_rtp_upstate_t *st)
{
    size_t      len;
    uint16_t    lost[MEET_RTP_NACK_MAX];
    uint64_t    gave_up;
    ngx_uint_t  nlost;

    if (st->nack.n == 0) {
        return;
    }

    gave_up = st->nack.gave_up;

    nlost = meet_rtp_nack_due(&st->nack, ngx_current_msec, lost,
                              MEET_RTP_NACK_MAX);

    ngx_meet_rtp_unrecovered += (ngx_uint_t) (st->nack.gave_up - gave_up);
    if (st->nack.gave_up != gave_up) {
        ngx_log_debug2(NGX_LOG_DEBUG_STREAM, peer->log, 0,
                       "meet rtp: %uL losses of SSRC %uD not recovered",
                       st->nack.gave_up - gave_up, up->ssrc);
    }

    if (nlost == 0 || !ngx_meet_rtp_sending(peer)) {
        return;
    }

    len = meet_rtcp_build_nack(ngx_meet_rtp_rtcp_buf(), NGX_MEET_RTP_MTU,
                               NGX_MEET_OUR_SSRC, up->ssrc, lost, nlost);

    ngx_log_debug3(NGX_LOG_DEBUG_STREAM, peer->log, 0,
                   "meet rtp: NACK %ui packets from %ud to SSRC %uD",
                   nlost, lost[0], up->ssrc);

    if (len && ngx_meet_rtp_send_rtcp(peer, len) == NGX_OK) {
        ngx_meet_rtp_nacks_sent++;
    }
}


/*
 * Receiver reports to a publisher: one block per stream it sends us, in
 * a compound RR with our CNAME.
 */

static void
ngx_meet_rtp_rr_timer(ngx_event_t *ev)
{
    ngx_meet_rtp_peer_t *peer = ev->data;

    size_t                     len;
    uint64_t                   now;
    ngx_uint_t                 i, n;
    ngx_meet_uptrack_t        *up;
    ngx_meet_rtp_upstate_t    *st;
    ngx_meet_media_transport_t  *ms;
    meet_rtcp_report_block_t   blocks[31];

    static u_char  cname[] = "ngx_meet";

    ms = peer->media;

    if (ms == NULL || !ngx_meet_rtp_sending(peer)) {
        return;
    }

    now = ngx_meet_rtp_now_us();
    n = 0;

    for (i = 0; i < ms->nup && n < 31; i++) {
        up = ms->up[i];
        st = up->media;

        if (st && up->ssrc == st->rx.ssrc
            && meet_rtcp_rx_block(&st->rx, now, &blocks[n]) == 0)
        {
            n++;
        }
    }

    if (n == 0) {
        /* nothing received: the next packet arms the timer again */
        return;
    }

    len = meet_rtcp_build_compound(ngx_meet_rtp_rtcp_buf(), NGX_MEET_RTP_MTU,
                                   NULL, NGX_MEET_OUR_SSRC, blocks, n, cname,
                                   sizeof(cname) - 1);

    if (len && ngx_meet_rtp_send_rtcp(peer, len) == NGX_OK) {
        ngx_meet_rtp_rr_sent++;
    }

    ngx_add_timer(ev, NGX_MEET_RR_INTERVAL);
}


/*
 * RFC 4588: original sequence number first, then the original payload.
 * Forwarded only when it fills a gap.
 */

static void
ngx_meet_rtp_unrtx(ngx_meet_rtp_peer_t *peer, ngx_meet_uptrack_t *up,
    u_char *p, size_t n, meet_rtp_header_t *h, uint64_t now)
{
    size_t                   len;
    ngx_meet_rtp_upstate_t  *st;
    meet_rtp_header_t        oh;

    st = up->media;

    if (st == NULL) {
        return;
    }

    len = meet_rtp_rtx_unwrap(ngx_meet_rtp_rtx_buf,
                              sizeof(ngx_meet_rtp_rtx_buf), p, n, h,
                              up->pt, up->ssrc);

    if (len == 0) {
        /* RTX padding (bandwidth probing) carries no packet */
        return;
    }

    ngx_meet_rtp_rtx_received++;

    if (meet_rtp_parse(&oh, ngx_meet_rtp_rtx_buf, len) != MEET_RTP_OK) {
        return;
    }

    if (meet_rtp_nack_packet(&st->nack, oh.seq, ngx_current_msec)
        != MEET_RTP_NACK_RECOVERED)
    {
        /* a copy of what arrived already (or was given up on) */
        return;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_STREAM, peer->log, 0,
                   "meet rtp: RTX recovered seq %ud on SSRC %uD",
                   oh.seq, up->ssrc);

    ngx_meet_rtp_recovered++;

    (void) meet_rtcp_rx_packet(&st->rx, oh.seq, oh.ts, now);

    ngx_meet_rtp_fanout(up, st, ngx_meet_rtp_rtx_buf, len, &oh);
}


static void
ngx_meet_rtp_fanout(ngx_meet_uptrack_t *up, ngx_meet_rtp_upstate_t *st,
    u_char *p, size_t n, meet_rtp_header_t *hp)
{
    int                    kf;
    ngx_uint_t             want;
#if (NGX_MEET_TEST_HOOKS)
    ngx_uint_t             drop;
#endif
    meet_rtp_header_t      h;
    ngx_meet_uptrack_t    *main;
    ngx_meet_rtp_peer_t   *sp;
    ngx_meet_downtrack_t  *d;

    h = *hp;

    /* video history for NACKs: one copy per packet, no allocation */

    if (up->video) {
        meet_rtp_history_put(&st->hist, h.seq, p, n);
    }

    kf = -1;
    main = up->main ? up->main : up;

    for (d = main->down; d; d = d->next) {

        sp = d->sub ? d->sub->media : NULL;

        if (sp == NULL || !ngx_meet_rtp_sending(sp)
            || d->paused || d->pt_map[h.pt] == 0)
        {
            continue;
        }

        /*
         * One layer goes to a subscriber at a time.  It moves to the layer
         * it should get (the highest the publisher sends, up to what it
         * asked for) on that layer's next key frame, asked for with a PLI,
         * and gets its current layer until then.  A first key frame the
         * same way.
         */

        want = (main->nlayers > 1) ? ngx_meet_rtp_layer_want(main, d) : 0;

        if (d->need_keyframe || want != d->cur_layer) {

            if (up->layer == want) {
                if (kf < 0) {
                    kf = (meet_rtp_keyframe(up->codec, p + h.header_len,
                                            h.payload_len)
                          == MEET_RTP_KEYFRAME_YES);
                }

                if (!kf) {
                    ngx_meet_rtp_request_keyframe(up);
                    continue;
                }

                if (want != d->cur_layer) {
                    ngx_log_debug3(NGX_LOG_DEBUG_STREAM, sp->log, 0,
                                   "meet rtp: SSRC %uD from layer %ui to "
                                   "%ui", d->ssrc, d->cur_layer, want);
                    ngx_meet_rtp_layer_switches++;
                }

                d->cur_layer = want;
                d->need_keyframe = 0;

            } else if (up->layer != d->cur_layer || d->need_keyframe) {
                continue;
            }

        } else if (up->layer != d->cur_layer) {
            continue;
        }

#if (NGX_MEET_TEST_HOOKS)
        /* fault injection for loss-recovery tests: meet_rtp_test_drop */
        drop = sp->selected->conf->test_drop;

        if (drop && up->video && ++sp->tx_dropped % drop == 0) {
            continue;
        }
#endif

        sp->tx_rtp++;
        ngx_meet_rtp_send_down(d, sp, p, n, &h, -1);
    }

    ngx_meet_rtp_batch_flush();
}


/*
 * A subscriber's downlink, judged from its receiver reports about what we
 * send it (loss-based, as early WebRTC SFUs did): NGX_MEET_LOSS_REPORTS
 * reports in a row with more than NGX_MEET_LOSS_HIGH lost take its layer
 * cap one below the layer it gets; NGX_MEET_CAP_PROBE ms without loss
 * raise the cap one again.
 */

#define NGX_MEET_LOSS_HIGH      26        /* of 256: 10 % */
#define NGX_MEET_LOSS_REPORTS   2
#define NGX_MEET_CAP_PROBE      10000

static void
ngx_meet_rtp_receiver_report(ngx_meet_rtp_peer_t *peer,
    meet_rtcp_report_t *r)
{
    ngx_uint_t                   i, k;
    ngx_msec_t                   now;
    ngx_meet_downtrack_t        *d;
    ngx_meet_media_transport_t  *ms;
    meet_rtcp_report_block_t     b;

    ms = peer->media;
    now = ngx_current_msec;

    for (k = 0; k < r->nblocks; k++) {
        if (meet_rtcp_report_block(r, k, &b) != 0) {
            break;
        }

        for (i = 0; i < ms->ndown; i++) {
            d = ms->down[i];

            if (d->ssrc != b.ssrc || d->up->nlayers < 2) {
                continue;
            }

            if (b.fraction_lost > NGX_MEET_LOSS_HIGH) {
                if (++d->loss_reports >= NGX_MEET_LOSS_REPORTS
                    && d->cur_layer > 0 && d->cap_layer >= d->cur_layer)
                {
                    d->cap_layer = d->cur_layer - 1;
                    d->cap_changed = now;
                    d->loss_reports = 0;

                    ngx_log_error(NGX_LOG_INFO, peer->log, 0,
                                  "meet rtp: SSRC %uD loses %ui/256: "
                                  "layer %ui at most", d->ssrc,
                                  (ngx_uint_t) b.fraction_lost,
                                  d->cap_layer);
                }

            } else {
                d->loss_reports = 0;

                if (d->cap_layer < NGX_MEET_MAX_LAYERS - 1
                    && now - d->cap_changed >= NGX_MEET_CAP_PROBE)
                {
                    d->cap_layer++;
                    d->cap_changed = now;

                    ngx_log_error(NGX_LOG_INFO, peer->log, 0,
                                  "meet rtp: SSRC %uD without loss: "
                                  "layer %ui at most", d->ssrc,
                                  d->cap_layer);
                }
            }

            break;
        }
    }
}


/*
 * The layer a subscriber should get: the highest the publisher sends (a
 * packet within NGX_MEET_LAYER_IDLE ms) up to the one it asked for; the
 * lowest it sends when none of those; its current one when none at all.
 */

static ngx_uint_t
ngx_meet_rtp_layer_want(ngx_meet_uptrack_t *main, ngx_meet_downtrack_t *d)
{
    ngx_uint_t           l;
    ngx_msec_t           now;
    ngx_meet_uptrack_t  *u;

    now = ngx_current_msec;
    l = ngx_min(ngx_min(d->max_layer, d->cap_layer), main->nlayers - 1);

    for ( ;; ) {
        u = main->layers[l];

        if (u && u->last_rx && now - u->last_rx < NGX_MEET_LAYER_IDLE) {
            return l;
        }

        if (l == 0) {
            break;
        }

        l--;
    }

    for (l = ngx_min(d->max_layer, d->cap_layer) + 1; l < main->nlayers; l++)
    {
        u = main->layers[l];

        if (u && u->last_rx && now - u->last_rx < NGX_MEET_LAYER_IDLE) {
            return l;
        }
    }

    return d->cur_layer;
}


/*
 * A retransmission on the subscriber's RTX stream (RFC 4588): its RTX
 * SSRC, payload type and sequence numbers, the original sequence number
 * (ours are the publisher's) before the payload; no extension, no padding.
 */

static void
ngx_meet_rtp_send_rtx(ngx_meet_downtrack_t *d, ngx_meet_rtp_peer_t *sp,
    const u_char *p, size_t n, meet_rtp_header_t *h, uint16_t seq,
    uint32_t ts)
{
    size_t   len;
    u_char  *out;

    out = ngx_meet_rtp_batch_buf();

    len = meet_rtp_rtx_wrap(out, NGX_MEET_RTP_MTU, p, n, h, d->rtx_pt,
                            d->rtx_ssrc, d->rtx_seq, seq, ts);

    if (len == 0) {
        return;
    }

    d->rtx_seq++;

    if (meet_srtp_protect_rtp(sp->srtp, out, &len, NGX_MEET_RTP_DGRAM_MAX)
        != MEET_SRTP_OK)
    {
        return;
    }

    ngx_meet_rtp_batch_add(sp->selected, len);
}


/*
 * A subscriber's NACK: what the history still holds is sent again, each
 * packet at most once per meet_rtp_nack_window and meet_rtp_nack_resends
 * times, within meet_rtp_nack_rate (ds->resend); the rest is counted and
 * ignored.
 */

static void
ngx_meet_rtp_nack(ngx_meet_downtrack_t *d, meet_rtcp_fb_t *fb)
{
    int                        i, nlost, rc;
    uint16_t                   lost[64], in;
    uint32_t                   ssrc;
    meet_rtp_header_t          h;
    ngx_meet_uptrack_t        *up;
    ngx_meet_rtp_peer_t       *sp;
    ngx_meet_rtp_upstate_t    *st;
    ngx_meet_rtp_downstate_t  *ds;
    const meet_rtp_history_slot_t  *slot;

    /* the layer it gets now: what it lost came from there */
    up = (d->up->nlayers > 1 && d->up->layers[d->cur_layer])
         ? d->up->layers[d->cur_layer] : d->up;

    st = up->media;
    ds = d->media;
    sp = d->sub->media;

    /* without resend slots (refused memory) its NACKs go unanswered */
    if (st == NULL || ds == NULL || !ds->rw.started || !up->video
        || ds->resend.nslots == 0
        || sp == NULL || !ngx_meet_rtp_sending(sp))
    {
        return;
    }

    nlost = meet_rtcp_nack_lost(fb, lost, 64);
    if (nlost > 64) {
        nlost = 64;
    }

    for (i = 0; i < nlost; i++) {
        /* the subscriber's number back to the publisher's */
        in = (uint16_t) (lost[i] - ds->rw.seq_offset);
        slot = meet_rtp_history_get(&st->hist, in);

        if (slot == NULL
            || meet_rtp_parse(&h, slot->data, slot->len) != MEET_RTP_OK)
        {
            continue;
        }

        ssrc = h.ssrc;

        if (ssrc != ds->rw.in_ssrc) {
            /* sent before a switch: its numbers are another mapping's */
            continue;
        }

        rc = meet_rtp_resend_check(&ds->resend, lost[i], slot->len,
                                   ngx_current_msec);

        if (rc != MEET_RTP_RESEND_OK) {
            if (rc == MEET_RTP_RESEND_REPEAT) {
                ngx_meet_rtp_nack_repeats++;

            } else {
                ngx_meet_rtp_nack_over_rate++;
            }

            ngx_log_debug3(NGX_LOG_DEBUG_STREAM, sp->log, 0,
                           "meet rtp: NACK of seq %ud on SSRC %uD ignored: "
                           "%s", lost[i], d->ssrc,
                           rc == MEET_RTP_RESEND_REPEAT
                           ? "resent already" : "over meet_rtp_nack_rate");
            continue;
        }

        if (d->rtx_pt) {
            ngx_meet_rtp_send_rtx(d, sp, slot->data, slot->len, &h,
                                  lost[i], h.ts + ds->rw.ts_offset);

        } else {
            /* SRTP allows the same index again (allow_repeat_tx) */
            ngx_meet_rtp_send_down(d, sp, slot->data, slot->len, &h,
                                   lost[i]);
        }

        sp->tx_nack++;
        ngx_meet_rtp_retransmits++;
    }

    ngx_meet_rtp_batch_flush();
}


/*
 * RTCP from a participant: reports, NACKs and keyframe requests about what
 * it receives, the first meet_rtp_rtcp_max_packets packets of a compound
 * (libwebrtc's compounds hold a few), the rest counted and ignored.
 */

void
ngx_meet_rtp_feedback(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n)
{
    uint64_t                     relayed;
    ngx_uint_t                   i, max, npkts, quiet;
    meet_rtcp_fb_t               fb;
    meet_rtcp_iter_t             it;
    meet_rtcp_report_t           r;
    meet_rtcp_packet_t           pkt;
    ngx_meet_downtrack_t        *d;
    ngx_meet_media_transport_t  *ms;

    static ngx_meet_rtp_log_limit_t  ll;

    ms = peer->media;

    if (ms == NULL) {
        return;
    }

    max = peer->selected ? peer->selected->conf->rtcp_max_packets : 32;
    npkts = 0;
    relayed = 0;

    meet_rtcp_iter_init(&it, p, n);

    while (meet_rtcp_next(&it, &pkt) == 1) {

        if (++npkts > max) {
            ngx_meet_rtp_rtcp_ignored++;

            if (npkts == max + 1 && ngx_meet_rtp_log_limit(&ll, &quiet)) {
                ngx_log_error(NGX_LOG_INFO, peer->log, 0,
                              "meet rtp: RTCP from %V: packets after "
                              "meet_rtp_rtcp_max_packets %ui of a compound "
                              "ignored (%ui more such compounds since the "
                              "last such line)", &ms->local_ufrag, max,
                              quiet);
            }

            continue;
        }

        if (pkt.pt == 200 || pkt.pt == 201) {
            if (meet_rtcp_parse_report(&pkt, &r) != 0) {
                continue;
            }

            if (pkt.pt == 200) {
                ngx_meet_rtp_sender_report(ms, &r, &relayed);
            }

            ngx_meet_rtp_receiver_report(peer, &r);
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
                d = ms->down[i];
                ngx_meet_rtp_request_keyframe(
                    (d->up->nlayers > 1 && d->up->layers[d->cur_layer])
                    ? d->up->layers[d->cur_layer] : d->up);
                break;
            }
        }
    }
}
