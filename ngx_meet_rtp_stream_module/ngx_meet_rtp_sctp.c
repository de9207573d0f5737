
/*
 * Copyright (C) ngx_meet authors
 *
 * Data channels of a participant: SCTP over its DTLS session (RFC 8261,
 * RFC 8831) with usrsctp, DCEP (RFC 8832) for the channels the client
 * opens, whole messages up to the signal module (ngx_meet_media_data())
 * and down from it (the sender of ngx_meet_media.h, rule 8).
 *
 * usrsctp runs on nginx's event loop, with no thread of its own
 * (usrsctp_init_nothreads(), at the first association of the worker):
 * an SCTP packet the client sends (a DTLS record) goes in with
 * usrsctp_conninput(), the packets usrsctp sends come out through its
 * output callback, synchronously, to the DTLS session, and its timers run
 * from one nginx timer of the worker (usrsctp_handle_timers(), every
 * NGX_MEET_RTP_SCTP_TICK ms while an association exists).  Each
 * association is an AF_CONN socket whose "address" is a number of ours
 * (looked up in a tree: a late callback never meets freed memory).
 * Janus (src/sctp.c) drives usrsctp the same way with threads; the socket
 * options below follow RFC 8831 6.
 *
 * The association is made when the client's first SCTP packet comes
 * (clients that open no data channel cost nothing); we connect to it as
 * it connects to us (RFC 8841: both use port 5000, an INIT collision is
 * SCTP's ordinary business).  livekit-client opens "_reliable" (ordered,
 * reliable), "_lossy" (unordered, maxRetransmits 0) and, in newer
 * versions, "_data_track" (client-sdk-js src/room/data-channel/
 * DataChannelManager.ts); in its single peer connection mode the server
 * answers on those same channels (the client reads its publisher
 * channels too).  Other labels are refused: their stream is reset.  A
 * new channel of a label replaces the older one.
 *
 * Receiving: usrsctp hands over a message whole (MSG_EOR) or in parts;
 * parts are put together up to meet_rtp_data_max_message (larger ones are
 * dropped and counted).  Messages are queued during usrsctp's callback
 * and given to the signal module by ngx_meet_rtp_sctp_deliver(), which
 * ngx_meet_rtp_dtls.c calls once the datagram is done with, so that
 * whatever the signal module does (send to others, close this
 * participant) never runs inside usrsctp or OpenSSL.  Sending: usrsctp's send
 * buffer of the association, meet_rtp_data_buffer bytes, is the bounded
 * queue; a message that does not fit is refused (NGX_AGAIN) and counted.
 */


#include "ngx_meet_rtp_stream.h"
#include "meet_dcep.h"
#include "meet_dtls.h"

#include <usrsctp.h>


#define NGX_MEET_RTP_SCTP_PORT     5000    /* RFC 8841 default, Chromium's */
#define NGX_MEET_RTP_SCTP_TICK     10      /* ms between usrsctp timers */
#define NGX_MEET_RTP_SCTP_STREAMS  1024    /* in and out, as Chromium */

/* an SCTP packet and its DTLS record overhead (AES-GCM: 37 bytes) stay
   within 1200 bytes, as libwebrtc's dcsctp does */
#define NGX_MEET_RTP_SCTP_MTU      1160


typedef struct {
    uint16_t                  sid;
    uint32_t                  pr_value;
    unsigned                  open:1;
    unsigned                  unordered:1;
    unsigned                  policy:2;       /* meet_dcep_pr_e */
} ngx_meet_rtp_channel_t;


typedef struct {
    ngx_queue_t               queue;
    ngx_meet_media_data_kind_e  kind;
    size_t                    len;
    u_char                    data[1];
} ngx_meet_rtp_data_msg_t;


typedef struct {
    ngx_rbtree_node_t         node;           /* key: our AF_CONN address */
    ngx_meet_rtp_peer_t      *peer;           /* NULL once freed */
    ngx_meet_rtp_srv_conf_t  *conf;
    ngx_log_t                *log;
    struct socket            *sock;
    size_t                    charged;        /* meet_media_memory */
    meet_dcep_reasm_t         reasm;
    ngx_queue_t               received;       /* whole messages */
    ngx_meet_rtp_channel_t    chan[MEET_DCEP_LABEL_LAST];   /* by label */
    unsigned                  up:1;           /* the association is */
    unsigned                  delivering:1;   /* in _flush() */
} ngx_meet_rtp_sctp_t;


static ngx_meet_rtp_sctp_t *ngx_meet_rtp_sctp_create(
    ngx_meet_rtp_peer_t *peer);
static void ngx_meet_rtp_sctp_close(ngx_meet_rtp_sctp_t *s);
static ngx_int_t ngx_meet_rtp_sctp_init_usrsctp(ngx_log_t *log);
static ngx_int_t ngx_meet_rtp_sctp_socket(ngx_meet_rtp_sctp_t *s);
static void ngx_meet_rtp_sctp_flush(ngx_meet_rtp_sctp_t *s);
static int ngx_meet_rtp_sctp_out(void *addr, void *buf, size_t len,
    uint8_t tos, uint8_t set_df);
static int ngx_meet_rtp_sctp_recv(struct socket *sock,
    union sctp_sockstore addr, void *data, size_t len,
    struct sctp_rcvinfo rcv, int flags, void *ulp_info);
static void ngx_meet_rtp_sctp_notification(ngx_meet_rtp_sctp_t *s,
    union sctp_notification *n, size_t len);
static void ngx_meet_rtp_sctp_part(ngx_meet_rtp_sctp_t *s,
    struct sctp_rcvinfo *rcv, u_char *p, size_t len, int eor);
static void ngx_meet_rtp_sctp_dcep(ngx_meet_rtp_sctp_t *s, uint16_t sid,
    const u_char *p, size_t len);
static ngx_int_t ngx_meet_rtp_sctp_sendv(ngx_meet_rtp_sctp_t *s,
    ngx_meet_rtp_channel_t *ch, uint32_t ppid, const u_char *p, size_t len);
static void ngx_meet_rtp_sctp_reset(ngx_meet_rtp_sctp_t *s, uint16_t sid);
static ngx_int_t ngx_meet_rtp_sctp_send(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len);
static ngx_meet_rtp_sctp_t *ngx_meet_rtp_sctp_find(uintptr_t id);
static void ngx_meet_rtp_sctp_tick(ngx_event_t *ev);
static void ngx_meet_rtp_sctp_drop(ngx_meet_rtp_sctp_t *s,
    ngx_meet_rtp_data_drop_e why, const char *fmt, uint16_t sid, size_t n);


ngx_meet_rtp_sctp_output_pt  ngx_meet_rtp_sctp_output;

static ngx_uint_t          ngx_meet_rtp_sctp_inited;
static uintptr_t           ngx_meet_rtp_sctp_next_id;
static ngx_rbtree_t        ngx_meet_rtp_sctp_tree;
static ngx_rbtree_node_t   ngx_meet_rtp_sctp_sentinel;
static ngx_event_t         ngx_meet_rtp_sctp_timer;
static ngx_connection_t    ngx_meet_rtp_sctp_dummy;   /* the timer's data:
                                                 nginx's debug log reads
                                                 an fd there */
static ngx_msec_t          ngx_meet_rtp_sctp_last;
static ngx_str_t           ngx_meet_rtp_sctp_gone = ngx_string("-");


/* postconfiguration: we are the data channels' sender */

void
ngx_meet_rtp_sctp_hooks_init(void)
{
    ngx_meet_media_data_sender = ngx_meet_rtp_sctp_send;
}


void
ngx_meet_rtp_sctp_input(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n)
{
    ngx_meet_rtp_sctp_t  *s;

    s = peer->sctp;

    if (s == NULL) {
        s = ngx_meet_rtp_sctp_create(peer);
        if (s == NULL) {
            return;
        }
    }

    usrsctp_conninput((void *) s->node.key, p, n, 0);
}


void
ngx_meet_rtp_sctp_deliver(ngx_meet_rtp_peer_t *peer)
{
    if (peer->sctp) {
        ngx_meet_rtp_sctp_flush(peer->sctp);
    }
}


static ngx_meet_rtp_sctp_t *
ngx_meet_rtp_sctp_create(ngx_meet_rtp_peer_t *peer)
{
    size_t                    charge;
    ngx_uint_t                quiet;
    ngx_meet_rtp_sctp_t      *s;
    ngx_meet_rtp_srv_conf_t  *conf;

    static ngx_meet_rtp_log_limit_t  ll;

    if (peer->selected == NULL || peer->media == NULL) {
        return NULL;
    }

    conf = peer->selected->conf;

    if (!ngx_meet_rtp_sctp_inited
        && ngx_meet_rtp_sctp_init_usrsctp(peer->log) != NGX_OK)
    {
        return NULL;
    }

    /* what the association may hold: its send buffer, a message put
       together, and the state (usrsctp's own bookkeeping aside) */

    charge = sizeof(ngx_meet_rtp_sctp_t) + conf->data_buffer
             + conf->data_max_message;

    if (ngx_meet_media_mem_charge(charge) != NGX_OK) {
        ngx_meet_rtp_data_drops[NGX_MEET_DATA_DROP_NO_MEMORY]++;

        if (ngx_meet_rtp_log_limit(&ll, &quiet)) {
            ngx_log_error(NGX_LOG_WARN, peer->log, 0,
                          "meet rtp: no data channels for %V: "
                          "meet_media_memory is spent (%ui more since the "
                          "last such line)", &peer->media->local_ufrag,
                          quiet);
        }

        return NULL;
    }

    s = ngx_calloc(sizeof(ngx_meet_rtp_sctp_t), peer->log);
    if (s == NULL) {
        ngx_meet_media_mem_release(charge);
        return NULL;
    }

    s->peer = peer;
    s->conf = conf;
    s->log = peer->log;
    s->charged = charge;
    ngx_queue_init(&s->received);
    meet_dcep_reasm_init(&s->reasm, conf->data_max_message);

    /* our AF_CONN address: a number, never reused in the worker */
    s->node.key = ++ngx_meet_rtp_sctp_next_id;
    ngx_rbtree_insert(&ngx_meet_rtp_sctp_tree, &s->node);
    usrsctp_register_address((void *) s->node.key);

    peer->sctp = s;
    ngx_meet_rtp_data_assocs++;

    if (ngx_meet_rtp_sctp_socket(s) != NGX_OK) {
        peer->sctp = NULL;
        s->peer = NULL;
        ngx_meet_rtp_sctp_close(s);
        return NULL;
    }

    if (!ngx_meet_rtp_sctp_timer.timer_set) {
        ngx_meet_rtp_sctp_last = ngx_current_msec;
        ngx_add_timer(&ngx_meet_rtp_sctp_timer, NGX_MEET_RTP_SCTP_TICK);
    }

    ngx_log_debug1(NGX_LOG_DEBUG_STREAM, s->log, 0,
                   "meet rtp: SCTP association %ui", s->node.key);

    return s;
}


static ngx_int_t
ngx_meet_rtp_sctp_init_usrsctp(ngx_log_t *log)
{
    usrsctp_init_nothreads(0, ngx_meet_rtp_sctp_out, NULL);

    /* no ECN (DTLS hides the IP header); PR-SCTP (RFC 3758) for lossy
       channels; SACKs sooner than SCTP's 200 ms (as libwebrtc) */
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    usrsctp_sysctl_set_sctp_pr_enable(1);
    usrsctp_sysctl_set_sctp_delayed_sack_time_default(20);

    ngx_rbtree_init(&ngx_meet_rtp_sctp_tree, &ngx_meet_rtp_sctp_sentinel,
                    ngx_rbtree_insert_value);

    ngx_meet_rtp_sctp_dummy.fd = (ngx_socket_t) -1;
    ngx_meet_rtp_sctp_timer.data = &ngx_meet_rtp_sctp_dummy;
    ngx_meet_rtp_sctp_timer.handler = ngx_meet_rtp_sctp_tick;
    ngx_meet_rtp_sctp_timer.log = ngx_cycle->log;
    ngx_meet_rtp_sctp_timer.cancelable = 1;

    ngx_meet_rtp_sctp_inited = 1;

    ngx_log_error(NGX_LOG_INFO, log, 0,
                  "meet rtp: usrsctp started (data channels)");

    return NGX_OK;
}


static ngx_int_t
ngx_meet_rtp_sctp_socket(ngx_meet_rtp_sctp_t *s)
{
    int                          on, size;
    size_t                       i;
    struct linger                lg;
    struct sctp_event            ev;
    struct socket               *so;
    struct sockaddr_conn         sconn;
    struct sctp_initmsg          init;
    struct sctp_assoc_value      av;
    struct sctp_paddrparams      pp;

    static const uint16_t  events[] = {
        SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT
    };

    so = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP,
                        ngx_meet_rtp_sctp_recv, NULL, 0, s);
    if (so == NULL) {
        ngx_log_error(NGX_LOG_ERR, s->log, ngx_errno,
                      "meet rtp: usrsctp_socket() failed");
        return NGX_ERROR;
    }

    s->sock = so;

    if (usrsctp_set_non_blocking(so, 1) != 0) {
        goto failed;
    }

    /* closing aborts at once: nothing lingers after the participant */
    lg.l_onoff = 1;
    lg.l_linger = 0;
    if (usrsctp_setsockopt(so, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) != 0) {
        goto failed;
    }

    /* meet_rtp_data_buffer: the queue of messages to send */
    size = (int) s->conf->data_buffer;
    if (usrsctp_setsockopt(so, SOL_SOCKET, SO_SNDBUF, &size, sizeof(int))
        != 0)
    {
        goto failed;
    }

    /* RFC 8831 6.7: channels close by resetting their streams */
    ngx_memzero(&av, sizeof(av));
    av.assoc_id = SCTP_ALL_ASSOC;
    av.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
    if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av,
                           sizeof(av))
        != 0)
    {
        goto failed;
    }

    /* RFC 8831 6.6: no Nagle */
    on = 1;
    if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on))
        != 0)
    {
        goto failed;
    }

    ngx_memzero(&ev, sizeof(ev));
    ev.se_assoc_id = SCTP_ALL_ASSOC;
    ev.se_on = 1;

    for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        ev.se_type = events[i];
        if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev))
            != 0)
        {
            goto failed;
        }
    }

    ngx_memzero(&init, sizeof(init));
    init.sinit_num_ostreams = NGX_MEET_RTP_SCTP_STREAMS;
    init.sinit_max_instreams = NGX_MEET_RTP_SCTP_STREAMS;
    if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_INITMSG, &init,
                           sizeof(init))
        != 0)
    {
        goto failed;
    }

    ngx_memzero(&sconn, sizeof(sconn));
    sconn.sconn_family = AF_CONN;
    sconn.sconn_port = htons(NGX_MEET_RTP_SCTP_PORT);
    sconn.sconn_addr = (void *) s->node.key;

    if (usrsctp_bind(so, (struct sockaddr *) &sconn, sizeof(sconn)) != 0) {
        goto failed;
    }

    if (usrsctp_connect(so, (struct sockaddr *) &sconn, sizeof(sconn)) != 0
        && errno != EINPROGRESS)
    {
        goto failed;
    }

    /* packets within a datagram of 1200 bytes once in DTLS: no PMTUD */
    ngx_memzero(&pp, sizeof(pp));
    ngx_memcpy(&pp.spp_address, &sconn, sizeof(sconn));
    pp.spp_flags = SPP_PMTUD_DISABLE;
    pp.spp_pathmtu = NGX_MEET_RTP_SCTP_MTU;
    if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp,
                           sizeof(pp))
        != 0)
    {
        goto failed;
    }

    return NGX_OK;

failed:

    ngx_log_error(NGX_LOG_ERR, s->log, ngx_errno,
                  "meet rtp: SCTP socket setup failed");

    return NGX_ERROR;
}


/* the participant's media goes */

void
ngx_meet_rtp_sctp_peer_free(ngx_meet_rtp_peer_t *peer)
{
    ngx_meet_rtp_sctp_t  *s = peer->sctp;

    if (s == NULL) {
        return;
    }

    peer->sctp = NULL;

    /* while ngx_meet_rtp_sctp_flush() runs, it closes s when it returns */
    if (s->delivering) {
        s->peer = NULL;
        return;
    }

    /* the ABORT goes out through the peer's DTLS session, still alive */
    ngx_meet_rtp_sctp_close(s);
}


static void
ngx_meet_rtp_sctp_close(ngx_meet_rtp_sctp_t *s)
{
    ngx_queue_t              *q;
    ngx_meet_rtp_data_msg_t  *m;

    if (s->sock) {
        /* SO_LINGER 0: an ABORT goes out now, through s->peer if alive */
        usrsctp_close(s->sock);
        s->sock = NULL;
    }

    usrsctp_deregister_address((void *) s->node.key);
    ngx_rbtree_delete(&ngx_meet_rtp_sctp_tree, &s->node);

    while (!ngx_queue_empty(&s->received)) {
        q = ngx_queue_head(&s->received);
        ngx_queue_remove(q);
        m = ngx_queue_data(q, ngx_meet_rtp_data_msg_t, queue);
        ngx_free(m);
    }

    meet_dcep_reasm_free(&s->reasm);
    ngx_meet_media_mem_release(s->charged);

    ngx_meet_rtp_data_assocs--;

    if (ngx_meet_rtp_data_assocs == 0 && ngx_meet_rtp_sctp_timer.timer_set) {
        ngx_del_timer(&ngx_meet_rtp_sctp_timer);
    }

    ngx_free(s);
}


/*
 * The messages usrsctp gave since the last time, to the signal module
 * (and, in the tests' build, back to the sender).  The signal module may
 * free this participant meanwhile: then s is closed here.
 */

static void
ngx_meet_rtp_sctp_flush(ngx_meet_rtp_sctp_t *s)
{
    ngx_queue_t              *q;
    ngx_meet_rtp_data_msg_t  *m;

    if (ngx_queue_empty(&s->received)) {
        return;
    }

    s->delivering = 1;    /* a free waits for us */

    while (!ngx_queue_empty(&s->received) && s->peer) {
        q = ngx_queue_head(&s->received);
        ngx_queue_remove(q);
        m = ngx_queue_data(q, ngx_meet_rtp_data_msg_t, queue);

        ngx_meet_media_data(s->peer->media, m->kind, m->data, m->len);

#if (NGX_MEET_TEST_HOOKS)
        if (s->peer && s->conf->test_data_echo) {
            (void) ngx_meet_rtp_sctp_send(s->peer->media, m->kind, m->data,
                                          m->len);
        }
#endif

        ngx_free(m);
    }

    s->delivering = 0;

    if (s->peer == NULL) {
        ngx_meet_rtp_sctp_close(s);
    }
}


/* usrsctp's output: an SCTP packet to the client, in a DTLS record */

static int
ngx_meet_rtp_sctp_out(void *addr, void *buf, size_t len, uint8_t tos,
    uint8_t set_df)
{
    ngx_meet_rtp_sctp_t  *s;

    s = ngx_meet_rtp_sctp_find((uintptr_t) addr);

    if (s == NULL || s->peer == NULL || ngx_meet_rtp_sctp_output == NULL) {
        return 0;
    }

    if (len > MEET_DTLS_MAX_APP_DATA) {
        /* the path MTU above keeps packets smaller: lost, as on a wire */
        return 0;
    }

    (void) ngx_meet_rtp_sctp_output(s->peer, buf, len);

    return 0;
}


/* usrsctp's receive callback: a message, part of one, or a notification */

static int
ngx_meet_rtp_sctp_recv(struct socket *sock, union sctp_sockstore addr,
    void *data, size_t len, struct sctp_rcvinfo rcv, int flags,
    void *ulp_info)
{
    ngx_meet_rtp_sctp_t  *s = ulp_info;

    if (data == NULL) {
        /* the association ended */
        s->up = 0;
        return 1;
    }

    if (flags & MSG_NOTIFICATION) {
        ngx_meet_rtp_sctp_notification(s, data, len);

    } else {
        ngx_meet_rtp_sctp_part(s, &rcv, data, len, (flags & MSG_EOR) != 0);
    }

    free(data);

    return 1;
}


static void
ngx_meet_rtp_sctp_notification(ngx_meet_rtp_sctp_t *s,
    union sctp_notification *n, size_t len)
{
    size_t                           i, k, nsid;
    uint16_t                         sid;
    struct sctp_assoc_change        *ac;
    struct sctp_stream_reset_event  *sr;

    if (len < sizeof(n->sn_header)) {
        return;
    }

    switch (n->sn_header.sn_type) {

    case SCTP_ASSOC_CHANGE:
        if (len < sizeof(struct sctp_assoc_change)) {
            return;
        }

        ac = &n->sn_assoc_change;

        if (ac->sac_state == SCTP_COMM_UP || ac->sac_state == SCTP_RESTART) {
            s->up = 1;

            ngx_log_error(NGX_LOG_INFO, s->log, 0,
                          "meet rtp: data channels of %V: SCTP up",
                          s->peer ? &s->peer->media->local_ufrag
                                  : &ngx_meet_rtp_sctp_gone);
            return;
        }

        if (ac->sac_state == SCTP_COMM_LOST
            || ac->sac_state == SCTP_SHUTDOWN_COMP
            || ac->sac_state == SCTP_CANT_STR_ASSOC)
        {
            s->up = 0;

            for (k = 0; k < MEET_DCEP_LABEL_LAST; k++) {
                s->chan[k].open = 0;
            }

            ngx_log_error(NGX_LOG_INFO, s->log, 0,
                          "meet rtp: data channels of %V: SCTP ended (%ud)",
                          s->peer ? &s->peer->media->local_ufrag
                                  : &ngx_meet_rtp_sctp_gone,
                          (unsigned) ac->sac_state);
        }

        return;

    case SCTP_STREAM_RESET_EVENT:
        if (len < sizeof(struct sctp_stream_reset_event)) {
            return;
        }

        sr = &n->sn_strreset_event;

        if (!(sr->strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN)
            || (sr->strreset_flags
                & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)))
        {
            return;
        }

        /* the client closed channels: we close our side (RFC 8831 6.7) */

        nsid = (len - sizeof(struct sctp_stream_reset_event))
               / sizeof(uint16_t);

        for (i = 0; i < nsid; i++) {
            sid = sr->strreset_stream_list[i];

            for (k = 1; k < MEET_DCEP_LABEL_LAST; k++) {
                if (s->chan[k].open && s->chan[k].sid == sid) {
                    s->chan[k].open = 0;
                    ngx_meet_rtp_sctp_reset(s, sid);

                    ngx_log_debug2(NGX_LOG_DEBUG_STREAM, s->log, 0,
                                   "meet rtp: data channel \"%s\" "
                                   "(stream %ud) closed",
                                   meet_dcep_label_name(
                                       (meet_dcep_label_e) k), sid);
                }
            }
        }

        return;

    default:
        return;
    }
}


static void
ngx_meet_rtp_sctp_part(ngx_meet_rtp_sctp_t *s, struct sctp_rcvinfo *rcv,
    u_char *p, size_t len, int eor)
{
    int                       rc, empty;
    size_t                    mlen;
    uint16_t                  sid;
    uint32_t                  ppid;
    ngx_uint_t                k;
    const u_char             *msg;
    ngx_meet_rtp_data_msg_t  *m;

    sid = rcv->rcv_sid;
    ppid = ntohl(rcv->rcv_ppid);

    rc = meet_dcep_reasm_add(&s->reasm, sid, ppid, p, len, eor, &msg, &mlen);

    if (rc == MEET_DCEP_MORE) {
        return;
    }

    if (rc == MEET_DCEP_TOO_BIG) {
        ngx_meet_rtp_sctp_drop(s, NGX_MEET_DATA_DROP_TOO_BIG,
                               "a message over meet_rtp_data_max_message",
                               sid, s->conf->data_max_message);
        return;
    }

    if (rc != MEET_DCEP_MSG) {
        ngx_meet_rtp_sctp_drop(s, NGX_MEET_DATA_DROP_NO_MEMORY,
                               "no memory for a message", sid, len);
        return;
    }

    if (ppid == MEET_DCEP_PPID_CONTROL) {
        ngx_meet_rtp_sctp_dcep(s, sid, msg, mlen);
        return;
    }

    if (!meet_dcep_ppid_message(ppid, &empty)) {
        ngx_meet_rtp_sctp_drop(s, NGX_MEET_DATA_DROP_BAD_PPID,
                               "a message of PPID %uz", sid, ppid);
        return;
    }

    if (empty) {
        mlen = 0;
    }

    for (k = 1; k < MEET_DCEP_LABEL_LAST; k++) {
        if (s->chan[k].open && s->chan[k].sid == sid) {
            break;
        }
    }

    if (k == MEET_DCEP_LABEL_LAST) {
        ngx_meet_rtp_sctp_drop(s, NGX_MEET_DATA_DROP_UNKNOWN_STREAM,
                               "a message of %uz bytes on no open channel",
                               sid, mlen);
        return;
    }

    if (k == MEET_DCEP_LABEL_DATA_TRACK) {
        /* LiveKit data tracks: no kind in ngx_meet_media.h yet */
        ngx_meet_rtp_data_drops[NGX_MEET_DATA_DROP_DATA_TRACK]++;
        return;
    }

    m = ngx_alloc(offsetof(ngx_meet_rtp_data_msg_t, data) + mlen + 1,
                  s->log);
    if (m == NULL) {
        ngx_meet_rtp_data_drops[NGX_MEET_DATA_DROP_NO_MEMORY]++;
        return;
    }

    m->kind = (k == MEET_DCEP_LABEL_RELIABLE) ? NGX_MEET_MEDIA_DATA_RELIABLE
                                              : NGX_MEET_MEDIA_DATA_LOSSY;
    m->len = mlen;
    ngx_memcpy(m->data, msg, mlen);

    ngx_queue_insert_tail(&s->received, &m->queue);

    ngx_meet_rtp_data_in++;
    ngx_meet_rtp_data_in_bytes += mlen;
}


static void
ngx_meet_rtp_sctp_dcep(ngx_meet_rtp_sctp_t *s, uint16_t sid, const u_char *p,
    size_t len)
{
    int                      rc, unordered;
    u_char                   ack[1];
    uint32_t                 value;
    ngx_uint_t               k, label;
    const char              *err;
    meet_dcep_pr_e           policy;
    meet_dcep_msg_t          m;
    ngx_meet_rtp_channel_t  *ch, dcep;

    static ngx_meet_rtp_log_limit_t  ll;

    rc = meet_dcep_parse(p, len, &m, &err);

    if (rc == MEET_DCEP_ACK) {
        /* we open no channel */
        return;
    }

    if (rc != MEET_DCEP_OPEN) {
        ngx_meet_rtp_sctp_drop(s, NGX_MEET_DATA_DROP_DCEP_MALFORMED, err,
                               sid, len);
        ngx_meet_rtp_sctp_reset(s, sid);
        return;
    }

    label = meet_dcep_label(&m);

    if (label == MEET_DCEP_LABEL_OTHER) {
        ngx_meet_rtp_data_drops[NGX_MEET_DATA_DROP_CHANNEL_REFUSED]++;

        if (ngx_meet_rtp_log_limit(&ll, &k)) {
            ngx_log_error(NGX_LOG_INFO, s->log, 0,
                          "meet rtp: data channel \"%V\" (stream %ud) of %V "
                          "refused: not a LiveKit channel (%ui more since "
                          "the last such line)",
                          ngx_meet_log_nesc((u_char *) m.label, m.label_len),
                          sid, s->peer ? &s->peer->media->local_ufrag
                                       : &ngx_meet_rtp_sctp_gone, k);
        }

        ngx_meet_rtp_sctp_reset(s, sid);
        return;
    }

    /* a stream reused for another label, an older channel of this label */

    for (k = 1; k < MEET_DCEP_LABEL_LAST; k++) {
        ch = &s->chan[k];

        if (ch->open && ch->sid == sid) {
            ch->open = 0;
        }
    }

    ch = &s->chan[label];

    if (ch->open) {
        ch->open = 0;
        ngx_meet_rtp_sctp_reset(s, ch->sid);
    }

    /* RFC 8832 5.2: the ACK goes ordered and reliable, on that stream */

    ngx_memzero(&dcep, sizeof(dcep));
    dcep.sid = sid;

    (void) meet_dcep_write_ack(ack, sizeof(ack));

    if (ngx_meet_rtp_sctp_sendv(s, &dcep, MEET_DCEP_PPID_CONTROL, ack, 1)
        != NGX_OK)
    {
        ngx_meet_rtp_data_drops[NGX_MEET_DATA_DROP_SEND_ERROR]++;
        ngx_meet_rtp_sctp_reset(s, sid);
        return;
    }

    meet_dcep_send_params(&m, &unordered, &policy, &value);

    ch->sid = sid;
    ch->open = 1;
    ch->unordered = unordered;
    ch->policy = policy;
    ch->pr_value = value;

    ngx_meet_rtp_data_channels++;

    ngx_log_error(NGX_LOG_INFO, s->log, 0,
                  "meet rtp: data channel \"%s\" (stream %ud) of %V open",
                  meet_dcep_label_name((meet_dcep_label_e) label), sid,
                  s->peer ? &s->peer->media->local_ufrag
                          : &ngx_meet_rtp_sctp_gone);

    /* what the signal module held for this participant may go now */
    if (label == MEET_DCEP_LABEL_RELIABLE && s->peer && s->peer->media) {
        ngx_meet_media_state(s->peer->media, NGX_MEET_MEDIA_DATA_OPEN);
    }
}


/*
 * The sender of ngx_meet_media.h (rule 8).  A message that does not fit
 * in the association's send buffer (meet_rtp_data_buffer: what the
 * client has not acknowledged yet) is refused at once, NGX_AGAIN, and
 * never waits: livekit-server drops a message for a subscriber whose
 * buffered amount is over its limit (pkg/rtc/transport.go,
 * sendDataMessage: ErrDataChannelBufferFull), and lossy ones earlier, to
 * hold a target latency (pkg/sfu/datachannel/datachannel_writer.go); the
 * signal module decides what a refusal means for the sender.
 */

static ngx_int_t
ngx_meet_rtp_sctp_send(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len)
{
    u_char                   zero;
    ngx_int_t                rc;
    ngx_meet_rtp_peer_t     *peer;
    ngx_meet_rtp_sctp_t     *s;
    ngx_meet_rtp_channel_t  *ch;

    peer = ms->media;

    if (peer == NULL || peer->sctp == NULL) {
        return NGX_DECLINED;
    }

    s = peer->sctp;

    ch = &s->chan[kind == NGX_MEET_MEDIA_DATA_RELIABLE
                  ? MEET_DCEP_LABEL_RELIABLE : MEET_DCEP_LABEL_LOSSY];

    if (!ch->open || s->sock == NULL) {
        return NGX_DECLINED;
    }

    if (len > s->conf->data_buffer) {
        ngx_meet_rtp_data_drops[NGX_MEET_DATA_DROP_BUFFER_FULL]++;
        return NGX_AGAIN;
    }

    if (len == 0) {
        /* RFC 8831 6.6: an empty message is one byte with PPID 57 */
        zero = 0;
        rc = ngx_meet_rtp_sctp_sendv(s, ch, meet_dcep_ppid_binary(0), &zero,
                                     1);

    } else {
        rc = ngx_meet_rtp_sctp_sendv(s, ch, meet_dcep_ppid_binary(len), data,
                                     len);
    }

    if (rc == NGX_OK) {
        ngx_meet_rtp_data_out++;
        ngx_meet_rtp_data_out_bytes += len;
        return NGX_OK;
    }

    ngx_meet_rtp_data_drops[rc == NGX_AGAIN ? NGX_MEET_DATA_DROP_BUFFER_FULL
                                            : NGX_MEET_DATA_DROP_SEND_ERROR]++;

    return rc;
}


static ngx_int_t
ngx_meet_rtp_sctp_sendv(ngx_meet_rtp_sctp_t *s, ngx_meet_rtp_channel_t *ch,
    uint32_t ppid, const u_char *p, size_t len)
{
    ssize_t                n;
    ngx_err_t              err;
    struct sctp_sendv_spa  spa;

    ngx_memzero(&spa, sizeof(spa));

    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = ch->sid;
    spa.sendv_sndinfo.snd_ppid = htonl(ppid);
    spa.sendv_sndinfo.snd_flags = SCTP_EOR
                                  | (ch->unordered ? SCTP_UNORDERED : 0);

    if (ch->policy != MEET_DCEP_PR_NONE) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo.pr_policy = (ch->policy == MEET_DCEP_PR_RTX)
                                     ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
        spa.sendv_prinfo.pr_value = ch->pr_value;
    }

    n = usrsctp_sendv(s->sock, p, len, NULL, 0, &spa, sizeof(spa),
                      SCTP_SENDV_SPA, 0);

    if (n == (ssize_t) len) {
        return NGX_OK;
    }

    err = ngx_errno;

    if (n < 0 && (err == NGX_EAGAIN || err == EWOULDBLOCK)) {
        return NGX_AGAIN;
    }

    ngx_log_debug3(NGX_LOG_DEBUG_STREAM, s->log, err,
                   "meet rtp: usrsctp_sendv() of %uz bytes on stream %ud: "
                   "%z", len, ch->sid, n);

    return NGX_ERROR;
}


/* our outgoing stream sid is reset: the channel closes (RFC 8831 6.7) */

static void
ngx_meet_rtp_sctp_reset(ngx_meet_rtp_sctp_t *s, uint16_t sid)
{
    u_char                     buf[sizeof(struct sctp_reset_streams)
                                   + sizeof(uint16_t)];
    struct sctp_reset_streams  *rs;

    if (s->sock == NULL) {
        return;
    }

    ngx_memzero(buf, sizeof(buf));
    rs = (struct sctp_reset_streams *) buf;
    rs->srs_assoc_id = SCTP_ALL_ASSOC;
    rs->srs_flags = SCTP_STREAM_RESET_OUTGOING;
    rs->srs_number_streams = 1;
    rs->srs_stream_list[0] = sid;

    if (usrsctp_setsockopt(s->sock, IPPROTO_SCTP, SCTP_RESET_STREAMS, rs,
                           sizeof(buf))
        != 0)
    {
        ngx_log_debug1(NGX_LOG_DEBUG_STREAM, s->log, ngx_errno,
                       "meet rtp: SCTP reset of stream %ud failed", sid);
    }
}


static ngx_meet_rtp_sctp_t *
ngx_meet_rtp_sctp_find(uintptr_t id)
{
    ngx_rbtree_node_t  *node, *sentinel;

    if (!ngx_meet_rtp_sctp_inited) {
        return NULL;
    }

    node = ngx_meet_rtp_sctp_tree.root;
    sentinel = ngx_meet_rtp_sctp_tree.sentinel;

    while (node != sentinel) {
        if (id < node->key) {
            node = node->left;
            continue;
        }

        if (id > node->key) {
            node = node->right;
            continue;
        }

        return (ngx_meet_rtp_sctp_t *) node;
    }

    return NULL;
}


/* usrsctp's timers (retransmissions, SACKs, heartbeats) */

static void
ngx_meet_rtp_sctp_tick(ngx_event_t *ev)
{
    ngx_msec_t  elapsed;

    elapsed = ngx_current_msec - ngx_meet_rtp_sctp_last;
    ngx_meet_rtp_sctp_last = ngx_current_msec;

    usrsctp_handle_timers((uint32_t) elapsed);

    if (ngx_meet_rtp_data_assocs && !ngx_exiting) {
        ngx_add_timer(ev, NGX_MEET_RTP_SCTP_TICK);
    }
}


static void
ngx_meet_rtp_sctp_drop(ngx_meet_rtp_sctp_t *s, ngx_meet_rtp_data_drop_e why,
    const char *fmt, uint16_t sid, size_t n)
{
    u_char       text[128], *last;
    ngx_uint_t   quiet;

    static ngx_meet_rtp_log_limit_t  ll;

    ngx_meet_rtp_data_drops[why]++;

    if (!ngx_meet_rtp_log_limit(&ll, &quiet)) {
        return;
    }

    last = ngx_snprintf(text, sizeof(text), fmt, n);

    ngx_log_error(NGX_LOG_INFO, s->log, 0,
                  "meet rtp: data of %V dropped (%s), stream %ud: %*s "
                  "(%ui more since the last such line)",
                  s->peer ? &s->peer->media->local_ufrag
                          : &ngx_meet_rtp_sctp_gone,
                  ngx_meet_rtp_data_drop_names[why], sid,
                  (size_t) (last - text), text,
                  quiet);
}


void
ngx_meet_rtp_sctp_exit_process(ngx_cycle_t *cycle)
{
    ngx_uint_t            i;
    ngx_rbtree_node_t    *node;
    ngx_meet_rtp_sctp_t  *s;

    if (!ngx_meet_rtp_sctp_inited) {
        return;
    }

    /* associations still here: their participants go later, without them */

    while (ngx_meet_rtp_sctp_tree.root != ngx_meet_rtp_sctp_tree.sentinel) {
        node = ngx_rbtree_min(ngx_meet_rtp_sctp_tree.root,
                              ngx_meet_rtp_sctp_tree.sentinel);
        s = (ngx_meet_rtp_sctp_t *) node;

        if (s->peer) {
            s->peer->sctp = NULL;
            s->peer = NULL;
        }

        ngx_meet_rtp_sctp_close(s);
    }

    if (ngx_meet_rtp_sctp_timer.timer_set) {
        ngx_del_timer(&ngx_meet_rtp_sctp_timer);
    }

    /* closed sockets may need a timer run before usrsctp lets them go */

    for (i = 0; i < 10; i++) {
        if (usrsctp_finish() == 0) {
            ngx_meet_rtp_sctp_inited = 0;
            return;
        }

        usrsctp_handle_timers(1000);
    }

    ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                  "meet rtp: usrsctp did not finish");
}
