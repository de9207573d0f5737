
/*
 * Copyright (C) ngx_meet authors
 *
 * LiveKit data messages in a room (the DataPacket part of issue 11): what
 * a participant sends on its data channels reaches this file whole,
 * through the handler chained on ngx_meet_media_top_data (rule 8 of
 * ngx_meet_media.h); it is checked (canPublishData, meet_lk_data.h),
 * its sender set from the participant, packed once and sent on the same
 * kind of channel to everyone in the room but the sender, or to the named
 * destinations, with ngx_meet_media_data_send().  The server's own
 * messages (RoomService SendData) take the same road without a sender.
 *
 * A receiver whose channel has no room (NGX_AGAIN: the media module's
 * bounded buffer is full) loses that message, counted and logged; the
 * sender and the others go on.  livekit-server does the same by default
 * (pkg/rtc/transport.go sendDataMessage with datachannel_slow_threshold:
 * a slow channel drops; reconnect_on_data_channel_error is off by
 * default, pkg/service/roommanager.go), so nobody is closed for it.
 *
 * Order: a sender's reliable messages are handled as they come, each sent
 * at once on every receiver's reliable channel, which keeps order.
 *
 * Calls go down only: to rooms (ngx_meet_signal_room.c), the media
 * contract and the library; ngx_meet_signal_module.c calls this file.
 */


#include "ngx_meet_http.h"
#include "ngx_meet_signal.h"


/* the library's channel kinds are the contract's (ngx_meet_media.h) */
#if (MEET_LK_DATA_RELIABLE != 0 || MEET_LK_DATA_LOSSY != 1)
#error "meet_lk_data.h and ngx_meet_media.h disagree on the data kinds"
#endif


/* drop reasons of this file, after the library's */
enum {
    NGX_MEET_SIGNAL_DATA_NOT_ALLOWED = MEET_LK_DATA_NREASONS,
    NGX_MEET_SIGNAL_DATA_NOT_JOINED,
    NGX_MEET_SIGNAL_DATA_NO_CHANNEL,
    NGX_MEET_SIGNAL_DATA_RECEIVER_FULL,
    NGX_MEET_SIGNAL_DATA_SEND_ERROR,
    NGX_MEET_SIGNAL_DATA_NO_MEMORY,
    NGX_MEET_SIGNAL_DATA_NREASONS
};


static const char  *ngx_meet_signal_data_reasons[] = {
    "not_allowed",
    "not_joined",
    "no_channel",
    "receiver_full",
    "send_error",
    "no_memory"
};


/* the worker's counters (/healthz "signal" -> "data") */
static ngx_uint_t  ngx_meet_signal_data_received_n;
static ngx_uint_t  ngx_meet_signal_data_received_bytes;
static ngx_uint_t  ngx_meet_signal_data_routed_n;
static ngx_uint_t  ngx_meet_signal_data_routed_bytes;
static ngx_uint_t  ngx_meet_signal_data_dropped[NGX_MEET_SIGNAL_DATA_NREASONS];

/* one pool for the message at hand, reset after each */
static ngx_pool_t  *ngx_meet_signal_data_pool;

static ngx_meet_media_data_pt  ngx_meet_signal_next_data;
static ngx_meet_media_state_pt  ngx_meet_signal_data_next_state;


/*
 * Reliable messages to a participant whose reliable channel is not open
 * yet (it joined, its data channels are still being set up) are held and
 * sent when it opens, up to this many bytes: livekit-server holds such
 * messages for a joining participant (pkg/rtc/participant.go
 * SendDataMessage, cMaxJoiningUnsequencedReliableBytes = 100_000)
 */
#define NGX_MEET_SIGNAL_DATA_HELD_MAX  100000


typedef struct {
    ngx_queue_t               queue;
    size_t                    len;
    u_char                    data[1];
} ngx_meet_signal_data_held_t;

static ngx_uint_t  ngx_meet_signal_data_held_n;


static void ngx_meet_signal_media_data(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len);
static void ngx_meet_signal_data_state(ngx_meet_media_transport_t *ms,
    ngx_meet_media_state_e state);
static ngx_int_t ngx_meet_signal_data_hold(ngx_meet_signal_peer_t *peer,
    u_char *data, size_t len);
static void ngx_meet_signal_data_release(void *data);
static void ngx_meet_signal_data_flush(ngx_meet_signal_peer_t *peer);
static void ngx_meet_signal_data_route(ngx_meet_signal_room_t *room,
    ngx_meet_signal_peer_t *from, ngx_uint_t kind, Livekit__DataPacket *dp,
    ngx_pool_t *pool);
static ngx_int_t ngx_meet_signal_data_out(ngx_meet_signal_peer_t *peer,
    ngx_uint_t kind, u_char *data, size_t len);
static void ngx_meet_signal_data_drop(ngx_meet_signal_peer_t *peer,
    ngx_uint_t reason);
static const char *ngx_meet_signal_data_reason(ngx_uint_t reason);
static void *ngx_meet_signal_data_alloc(void *data, size_t size);
static void ngx_meet_signal_data_free(void *data, void *p);

#if (NGX_MEET_TEST_HOOKS)
static ngx_int_t ngx_meet_signal_test_data_capture(
    ngx_meet_signal_peer_t *peer, ngx_uint_t kind, u_char *data, size_t len);
#endif


void
ngx_meet_signal_data_init(void)
{
    ngx_meet_signal_next_data = ngx_meet_media_top_data;
    ngx_meet_media_top_data = ngx_meet_signal_media_data;

    ngx_meet_signal_data_next_state = ngx_meet_media_top_state;
    ngx_meet_media_top_state = ngx_meet_signal_data_state;
}


void
ngx_meet_signal_data_exit(void)
{
    if (ngx_meet_signal_data_pool) {
        ngx_destroy_pool(ngx_meet_signal_data_pool);
        ngx_meet_signal_data_pool = NULL;
    }

#if (NGX_MEET_TEST_HOOKS)
    ngx_meet_signal_test_data_exit();
#endif
}


/* the media module: a whole message on one of ms's data channels */

static void
ngx_meet_signal_media_data(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len)
{
    if (ms->owner) {
        ngx_meet_signal_data_received(ms->owner, kind, data, len);
    }

    ngx_meet_signal_next_data(ms, kind, data, len);
}


static ngx_pool_t *
ngx_meet_signal_data_pool_get(void)
{
    if (ngx_meet_signal_data_pool == NULL) {
        ngx_meet_signal_data_pool = ngx_create_pool(16384, ngx_cycle->log);
    }

    return ngx_meet_signal_data_pool;
}


void
ngx_meet_signal_data_received(ngx_meet_signal_peer_t *peer, ngx_uint_t kind,
    u_char *data, size_t len)
{
    ngx_pool_t             *pool;
    ProtobufCAllocator      allocator;
    Livekit__DataPacket    *dp;
    meet_lk_data_limits_t   limits;
    meet_lk_data_sender_t   sender;
    meet_lk_data_reason_e   r;

    ngx_meet_signal_data_received_n++;
    ngx_meet_signal_data_received_bytes += len;

    /* participant.go onReceivedDataMessage: nothing from a participant
       that left or may not publish data */
    if (peer->room == NULL || !peer->in_room || peer->closing) {
        ngx_meet_signal_data_drop(peer, NGX_MEET_SIGNAL_DATA_NOT_JOINED);
        return;
    }

    if (!peer->can_publish_data) {
        ngx_meet_signal_data_drop(peer, NGX_MEET_SIGNAL_DATA_NOT_ALLOWED);
        return;
    }

    pool = ngx_meet_signal_data_pool_get();
    if (pool == NULL) {
        ngx_meet_signal_data_drop(peer, NGX_MEET_SIGNAL_DATA_NO_MEMORY);
        return;
    }

    allocator.alloc = ngx_meet_signal_data_alloc;
    allocator.free = ngx_meet_signal_data_free;
    allocator.allocator_data = pool;

    /* no list of destinations longer than a room can be (without a cap
       on rooms: than this one is, and at least 100) */
    limits.max_size = peer->conf->max_data_size;
    limits.max_destinations = peer->conf->max_participants
                              ? peer->conf->max_participants
                              : ngx_max(peer->room->npeers, 100);

    r = meet_lk_data_decode(data, len, &limits, &allocator, &dp);

    if (r == MEET_LK_DATA_OK) {
        sender.sid = peer->sid;
        sender.identity = peer->identity;
        sender.hidden = peer->hidden;

        r = meet_lk_data_rewrite(dp, kind, &sender, &peer->data_seq,
                                 &allocator);
    }

    /* room.go BroadcastDataPacketForRoom: a user packet's nonce once */
    if (r == MEET_LK_DATA_OK
        && meet_lk_data_duplicate(&peer->room->data_nonces, dp))
    {
        r = MEET_LK_DATA_DUPLICATE;
    }

    if (r != MEET_LK_DATA_OK) {
        ngx_meet_signal_data_drop(peer, r);

    } else {
        ngx_meet_signal_data_route(peer->room, peer, kind, dp, pool);
    }

    ngx_reset_pool(pool);
}


/*
 * A message of the server's to a room (RoomService SendData, Meet's lobby
 * and recording notices): a user packet without sender, to everyone or to
 * the identities listed (roommanager.go SendData, room.go SendDataPacket).
 */

ngx_int_t
ngx_meet_signal_room_send_data(ngx_meet_signal_room_t *room, ngx_uint_t kind,
    const char *topic, u_char *payload, size_t len, char **destinations,
    size_t ndestinations, const u_char *nonce)
{
    ngx_pool_t           *pool;
    Livekit__DataPacket   dp;
    Livekit__UserPacket   up;

    pool = ngx_meet_signal_data_pool_get();
    if (pool == NULL) {
        return NGX_ERROR;
    }

    meet_lk_data_user(&dp, &up, kind, topic, payload, len, destinations,
                      ndestinations, nonce);

    if (meet_lk_data_duplicate(&room->data_nonces, &dp)) {
        ngx_meet_signal_data_dropped[MEET_LK_DATA_DUPLICATE]++;
        return NGX_DECLINED;
    }

    ngx_meet_signal_data_route(room, NULL, kind, &dp, pool);

    ngx_reset_pool(pool);

    return NGX_OK;
}


/* packed once, sent to each receiver on its channel of that kind */

static void
ngx_meet_signal_data_route(ngx_meet_signal_room_t *room,
    ngx_meet_signal_peer_t *from, ngx_uint_t kind, Livekit__DataPacket *dp,
    ngx_pool_t *pool)
{
    size_t                   len;
    u_char                  *buf;
    ngx_int_t                rc;
    ngx_queue_t             *q;
    ngx_meet_signal_peer_t  *p;

    len = livekit__data_packet__get_packed_size(dp);

    buf = ngx_palloc(pool, len ? len : 1);
    if (buf == NULL) {
        ngx_meet_signal_data_drop(from, NGX_MEET_SIGNAL_DATA_NO_MEMORY);
        return;
    }

    len = livekit__data_packet__pack(dp, buf);

    /* sending queues on the media side: no peer leaves the room here */
    for (q = ngx_queue_head(&room->peers);
         q != ngx_queue_sentinel(&room->peers);
         q = ngx_queue_next(q))
    {
        p = ngx_queue_data(q, ngx_meet_signal_peer_t, queue);

        if (p == from || p->closing
            || !meet_lk_data_wants(dp, p->sid, p->identity))
        {
            continue;
        }

        rc = ngx_meet_signal_data_out(p, kind, buf, len);

        switch (rc) {

        case NGX_OK:
            ngx_meet_signal_data_routed_n++;
            ngx_meet_signal_data_routed_bytes += len;
            break;

        case NGX_AGAIN:
            ngx_meet_signal_data_drop(p, NGX_MEET_SIGNAL_DATA_RECEIVER_FULL);
            break;

        case NGX_DECLINED:
            if (kind == NGX_MEET_MEDIA_DATA_RELIABLE
                && ngx_meet_signal_data_hold(p, buf, len) == NGX_OK)
            {
                ngx_meet_signal_data_held_n++;
                break;
            }

            ngx_meet_signal_data_drop(p, NGX_MEET_SIGNAL_DATA_NO_CHANNEL);
            break;

        default:
            ngx_meet_signal_data_drop(p, NGX_MEET_SIGNAL_DATA_SEND_ERROR);
            break;
        }
    }
}


/*
 * A reliable message kept for a participant whose reliable channel is
 * not open yet, in order, within NGX_MEET_SIGNAL_DATA_HELD_MAX bytes; what
 * is left when its request ends goes with the request's pool cleanup.
 */

static ngx_int_t
ngx_meet_signal_data_hold(ngx_meet_signal_peer_t *peer, u_char *data,
    size_t len)
{
    ngx_pool_cleanup_t           *cln;
    ngx_meet_signal_data_held_t  *h;

    if (peer->data_held_size + len > NGX_MEET_SIGNAL_DATA_HELD_MAX
        || peer->request == NULL)
    {
        return NGX_DECLINED;
    }

    if (peer->data_held.next == NULL) {
        cln = ngx_pool_cleanup_add(peer->request->pool, 0);
        if (cln == NULL) {
            return NGX_ERROR;
        }

        cln->handler = ngx_meet_signal_data_release;
        cln->data = peer;

        ngx_queue_init(&peer->data_held);
    }

    h = ngx_alloc(offsetof(ngx_meet_signal_data_held_t, data) + len,
                  peer->connection->log);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->len = len;
    ngx_memcpy(h->data, data, len);

    ngx_queue_insert_tail(&peer->data_held, &h->queue);
    peer->data_held_size += len;

    return NGX_OK;
}


static void
ngx_meet_signal_data_release(void *data)
{
    ngx_meet_signal_peer_t  *peer = data;

    ngx_queue_t                  *q;
    ngx_meet_signal_data_held_t  *h;

    while (!ngx_queue_empty(&peer->data_held)) {
        q = ngx_queue_head(&peer->data_held);
        ngx_queue_remove(q);
        h = ngx_queue_data(q, ngx_meet_signal_data_held_t, queue);
        ngx_free(h);
    }

    peer->data_held_size = 0;
}


/* the participant's reliable channel opened: what was held goes, in order */

static void
ngx_meet_signal_data_state(ngx_meet_media_transport_t *ms,
    ngx_meet_media_state_e state)
{
    if (state == NGX_MEET_MEDIA_DATA_OPEN && ms->owner) {
        ngx_meet_signal_data_flush(ms->owner);
    }

    ngx_meet_signal_data_next_state(ms, state);
}


static void
ngx_meet_signal_data_flush(ngx_meet_signal_peer_t *peer)
{
    ngx_int_t                     rc;
    ngx_queue_t                  *q;
    ngx_meet_signal_data_held_t  *h;

    if (peer->data_held.next == NULL) {
        return;
    }

    while (!ngx_queue_empty(&peer->data_held)) {
        q = ngx_queue_head(&peer->data_held);
        ngx_queue_remove(q);
        h = ngx_queue_data(q, ngx_meet_signal_data_held_t, queue);
        peer->data_held_size -= h->len;

        rc = peer->closing ? NGX_DECLINED
                           : ngx_meet_signal_data_out(peer,
                                              NGX_MEET_MEDIA_DATA_RELIABLE,
                                              h->data, h->len);
        if (rc == NGX_OK) {
            ngx_meet_signal_data_routed_n++;
            ngx_meet_signal_data_routed_bytes += h->len;

        } else {
            ngx_meet_signal_data_drop(peer, rc == NGX_AGAIN
                                      ? NGX_MEET_SIGNAL_DATA_RECEIVER_FULL
                                      : NGX_MEET_SIGNAL_DATA_NO_CHANNEL);
        }

        ngx_free(h);
    }
}


static ngx_int_t
ngx_meet_signal_data_out(ngx_meet_signal_peer_t *peer, ngx_uint_t kind,
    u_char *data, size_t len)
{
#if (NGX_MEET_TEST_HOOKS)
    if (ngx_meet_signal_test_data_used) {
        return ngx_meet_signal_test_data_capture(peer, kind, data, len);
    }
#endif

    if (peer->media == NULL) {
        return NGX_DECLINED;
    }

    return ngx_meet_media_data_send(peer->media, kind, data, len);
}


/*
 * A dropped message is counted by reason; the reasons a participant
 * causes are logged at most once a second per worker, with how many were
 * not logged since (each at debug level): a client sending garbage, or a
 * receiver that does not read, must not flood the log.  "peer" is the
 * sender, or the receiver for the receiver's reasons; NULL: the server.
 */

static void
ngx_meet_signal_data_drop(ngx_meet_signal_peer_t *peer, ngx_uint_t reason)
{
    ngx_log_t          *log;
    ngx_msec_t          now;
    const char         *who;

    static ngx_msec_t   last;
    static ngx_uint_t   quiet;

    ngx_meet_signal_data_dropped[reason]++;

    if (reason == NGX_MEET_SIGNAL_DATA_NO_CHANNEL) {
        return;                      /* not open yet, or no data plane */
    }

    log = peer ? peer->connection->log : ngx_cycle->log;
    now = ngx_current_msec;

    if (last && now - last < 1000) {
        quiet++;
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, log, 0,
                       "meet signal: data message dropped: %s",
                       ngx_meet_signal_data_reason(reason));
        return;
    }

    last = now ? now : 1;

    who = (reason == NGX_MEET_SIGNAL_DATA_RECEIVER_FULL
           || reason == NGX_MEET_SIGNAL_DATA_SEND_ERROR)
          ? "to" : "from";

    ngx_log_error(NGX_LOG_INFO, log, 0,
                  "meet signal: data message %s \"%V\" dropped: %s "
                  "(%ui more dropped since the last such line)",
                  who, ngx_meet_log_cesc(peer ? peer->identity : "(server)"),
                  ngx_meet_signal_data_reason(reason), quiet);

    quiet = 0;
}


static const char *
ngx_meet_signal_data_reason(ngx_uint_t reason)
{
    if (reason < MEET_LK_DATA_NREASONS) {
        return meet_lk_data_reason_name(reason);
    }

    return ngx_meet_signal_data_reasons[reason - MEET_LK_DATA_NREASONS];
}


/* /healthz: "data": {received, received_bytes, routed, routed_bytes,
   dropped: {reason: n}} */

void
ngx_meet_signal_data_health(json_t *out)
{
    json_t      *data, *dropped;
    ngx_uint_t   i;

    data = json_object();
    dropped = json_object();

    if (data == NULL || dropped == NULL) {
        json_decref(data);
        json_decref(dropped);
        return;
    }

    json_object_set_new(data, "received",
        json_integer((json_int_t) ngx_meet_signal_data_received_n));
    json_object_set_new(data, "received_bytes",
        json_integer((json_int_t) ngx_meet_signal_data_received_bytes));
    json_object_set_new(data, "routed",
        json_integer((json_int_t) ngx_meet_signal_data_routed_n));
    json_object_set_new(data, "routed_bytes",
        json_integer((json_int_t) ngx_meet_signal_data_routed_bytes));
    json_object_set_new(data, "held",
        json_integer((json_int_t) ngx_meet_signal_data_held_n));

    for (i = MEET_LK_DATA_OK + 1; i < NGX_MEET_SIGNAL_DATA_NREASONS; i++) {
        json_object_set_new(dropped, ngx_meet_signal_data_reason(i),
            json_integer((json_int_t) ngx_meet_signal_data_dropped[i]));
    }

    json_object_set_new(data, "dropped", dropped);
    json_object_set_new(out, "data", data);
}


/* protobuf-c on the message's pool: freed all at once by the reset */

static void *
ngx_meet_signal_data_alloc(void *data, size_t size)
{
    return ngx_palloc(data, size);
}


static void
ngx_meet_signal_data_free(void *data, void *p)
{
    (void) ngx_pfree(data, p);
}


#if (NGX_MEET_TEST_HOOKS)

/*
 * meet_signal_test_data, in the tests' build only: a location that feeds
 * messages in as if they came on a participant's data channel, sends the
 * server's, and captures what would go out instead of sending it (every
 * send of the worker, once a location has the directive):
 *
 *   POST ?room=R&from=I&kind=reliable|lossy   body: a DataPacket, as if I
 *        sent it (through ngx_meet_media_data() when I has a transport)
 *   POST ?room=R&kind=..&topic=T[&to=a,b]     body: the server's payload
 *   GET  ?room=R&sent=I      what went to I since the last GET: JSON lines
 *                            {"kind": 0|1, "data": "<base64>"}
 *   GET  ?room=R&full=I&on=1|0    I's channels answer NGX_AGAIN (full)
 *   GET  ?room=R&closed=I&on=1|0  I has no channel open (NGX_DECLINED); on=0
 *                            opens them as the media module's
 *                            NGX_MEET_MEDIA_DATA_OPEN does
 * 404 without such a room or participant.
 */

typedef struct {
    ngx_queue_t              queue;
    char                     sid[NGX_MEET_SID_LEN + 1];
    ngx_uint_t               kind;
    size_t                   len;
    u_char                   data[1];
} ngx_meet_signal_test_sent_t;


#define NGX_MEET_SIGNAL_TEST_SENT_MAX  10000

ngx_uint_t                   ngx_meet_signal_test_data_used;
static ngx_queue_t           ngx_meet_signal_test_sent;
static ngx_uint_t            ngx_meet_signal_test_nsent;


static ngx_int_t
ngx_meet_signal_test_data_capture(ngx_meet_signal_peer_t *peer,
    ngx_uint_t kind, u_char *data, size_t len)
{
    ngx_meet_signal_test_sent_t  *s;

    if (peer->test_data_full) {
        return NGX_AGAIN;
    }

    if (peer->test_data_closed) {
        return NGX_DECLINED;
    }

    if (ngx_meet_signal_test_nsent >= NGX_MEET_SIGNAL_TEST_SENT_MAX) {
        return NGX_AGAIN;
    }

    if (ngx_meet_signal_test_sent.next == NULL) {
        ngx_queue_init(&ngx_meet_signal_test_sent);
    }

    s = ngx_alloc(sizeof(ngx_meet_signal_test_sent_t) + len, ngx_cycle->log);
    if (s == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(s->sid, peer->sid, sizeof(s->sid));
    s->kind = kind;
    s->len = len;
    ngx_memcpy(s->data, data, len);

    ngx_queue_insert_tail(&ngx_meet_signal_test_sent, &s->queue);
    ngx_meet_signal_test_nsent++;

    return NGX_OK;
}


void
ngx_meet_signal_test_data_exit(void)
{
    ngx_queue_t  *q;

    if (ngx_meet_signal_test_sent.next == NULL) {
        return;
    }

    while (!ngx_queue_empty(&ngx_meet_signal_test_sent)) {
        q = ngx_queue_head(&ngx_meet_signal_test_sent);
        ngx_queue_remove(q);
        ngx_free(q);
    }

    ngx_meet_signal_test_nsent = 0;
}


/* the captured messages to peer, taken out: JSON lines in pool */

static ngx_int_t
ngx_meet_signal_test_data_sent(ngx_meet_signal_peer_t *peer,
    ngx_pool_t *pool, ngx_str_t *out)
{
    u_char                       *p;
    size_t                        size;
    ngx_str_t                     src, dst;
    ngx_queue_t                  *q, *next;
    ngx_meet_signal_test_sent_t  *s;

    out->len = 0;
    out->data = NULL;

    if (ngx_meet_signal_test_sent.next == NULL) {
        return NGX_OK;
    }

    size = 0;

    for (q = ngx_queue_head(&ngx_meet_signal_test_sent);
         q != ngx_queue_sentinel(&ngx_meet_signal_test_sent);
         q = ngx_queue_next(q))
    {
        s = ngx_queue_data(q, ngx_meet_signal_test_sent_t, queue);

        if (ngx_strcmp(s->sid, peer->sid) == 0) {
            size += sizeof("{\"kind\": 0, \"data\": \"\"}\n")
                    + ngx_base64_encoded_length(s->len);
        }
    }

    p = ngx_pnalloc(pool, size + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    out->data = p;

    for (q = ngx_queue_head(&ngx_meet_signal_test_sent);
         q != ngx_queue_sentinel(&ngx_meet_signal_test_sent);
         q = next)
    {
        next = ngx_queue_next(q);
        s = ngx_queue_data(q, ngx_meet_signal_test_sent_t, queue);

        if (ngx_strcmp(s->sid, peer->sid) != 0) {
            continue;
        }

        p = ngx_sprintf(p, "{\"kind\": %ui, \"data\": \"", s->kind);
        src.data = s->data;
        src.len = s->len;
        dst.data = p;
        ngx_encode_base64(&dst, &src);
        p += dst.len;
        p = ngx_cpymem(p, "\"}\n", 3);

        ngx_queue_remove(q);
        ngx_free(s);
        ngx_meet_signal_test_nsent--;
    }

    out->len = p - out->data;

    return NGX_OK;
}


/* the peer named by the argument "name" in the room of "room" */

static ngx_meet_signal_peer_t *
ngx_meet_signal_test_data_peer(ngx_http_request_t *r, const char *name,
    ngx_meet_signal_room_t **roomp)
{
    char                    *identity;
    ngx_str_t                arg;
    ngx_meet_signal_room_t  *room;

    *roomp = NULL;

    if (ngx_http_arg(r, (u_char *) "room", 4, &arg) != NGX_OK) {
        return NULL;
    }

    room = ngx_meet_signal_room_find(&arg);
    if (room == NULL) {
        return NULL;
    }

    *roomp = room;

    if (ngx_http_arg(r, (u_char *) name, ngx_strlen(name), &arg) != NGX_OK) {
        return NULL;
    }

    identity = ngx_pnalloc(r->pool, arg.len + 1);
    if (identity == NULL) {
        return NULL;
    }

    ngx_memcpy(identity, arg.data, arg.len);
    identity[arg.len] = '\0';

    return ngx_meet_signal_room_find_identity(room, identity);
}


static void
ngx_meet_signal_test_data_body(ngx_http_request_t *r)
{
    u_char                  *p, *body;
    size_t                   len;
    char                    *topic, **to;
    size_t                   nto;
    ngx_str_t                arg;
    ngx_uint_t               kind, i;
    ngx_chain_t             *cl;
    ngx_meet_signal_peer_t  *from;
    ngx_meet_signal_room_t  *room;

    len = 0;

    for (cl = r->request_body ? r->request_body->bufs : NULL; cl;
         cl = cl->next)
    {
        if (cl->buf->in_file) {
            ngx_http_finalize_request(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE);
            return;
        }

        len += cl->buf->last - cl->buf->pos;
    }

    body = ngx_pnalloc(r->pool, len + 1);
    if (body == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    p = body;

    for (cl = r->request_body ? r->request_body->bufs : NULL; cl;
         cl = cl->next)
    {
        p = ngx_cpymem(p, cl->buf->pos, cl->buf->last - cl->buf->pos);
    }

    kind = (ngx_http_arg(r, (u_char *) "kind", 4, &arg) == NGX_OK
            && arg.len == 5 && ngx_strncmp(arg.data, "lossy", 5) == 0)
           ? NGX_MEET_MEDIA_DATA_LOSSY : NGX_MEET_MEDIA_DATA_RELIABLE;

    from = ngx_meet_signal_test_data_peer(r, "from", &room);

    if (room == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_NOT_FOUND);
        return;
    }

    if (from) {
        if (from->media) {
            ngx_meet_media_data(from->media, kind, body, len);

        } else {
            ngx_meet_signal_data_received(from, kind, body, len);
        }

        ngx_http_finalize_request(r,
            ngx_meet_http_send(r, NGX_HTTP_NO_CONTENT, "text/plain", NULL,
                               NULL, NULL, 0));
        return;
    }

    if (ngx_http_arg(r, (u_char *) "from", 4, &arg) == NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_NOT_FOUND);
        return;
    }

    /* the server's message: topic and destinations from the arguments */

    topic = NULL;

    if (ngx_http_arg(r, (u_char *) "topic", 5, &arg) == NGX_OK) {
        topic = ngx_pnalloc(r->pool, arg.len + 1);
        if (topic == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ngx_memcpy(topic, arg.data, arg.len);
        topic[arg.len] = '\0';
    }

    to = NULL;
    nto = 0;

    if (ngx_http_arg(r, (u_char *) "to", 2, &arg) == NGX_OK && arg.len) {
        to = ngx_pcalloc(r->pool, (arg.len + 1) * sizeof(char *));
        p = ngx_pnalloc(r->pool, arg.len + 1);
        if (to == NULL || p == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ngx_memcpy(p, arg.data, arg.len);
        p[arg.len] = '\0';
        to[nto++] = (char *) p;

        for (i = 0; i < arg.len; i++) {
            if (p[i] == ',') {
                p[i] = '\0';
                to[nto++] = (char *) &p[i + 1];
            }
        }
    }

    (void) ngx_meet_signal_room_send_data(room, kind, topic, body, len, to,
                                          nto, NULL);

    ngx_http_finalize_request(r,
        ngx_meet_http_send(r, NGX_HTTP_NO_CONTENT, "text/plain", NULL, NULL,
                           NULL, 0));
}


ngx_int_t
ngx_meet_signal_test_data_handler(ngx_http_request_t *r)
{
    ngx_int_t                rc;
    ngx_str_t                arg, out;
    ngx_meet_signal_peer_t  *peer;
    ngx_meet_signal_room_t  *room;

    if (r->method == NGX_HTTP_POST) {
        rc = ngx_http_read_client_request_body(r,
                                             ngx_meet_signal_test_data_body);
        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    if (r->method != NGX_HTTP_GET) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    peer = ngx_meet_signal_test_data_peer(r, "full", &room);

    if (peer) {
        peer->test_data_full =
            (ngx_http_arg(r, (u_char *) "on", 2, &arg) == NGX_OK
             && arg.len == 1 && arg.data[0] == '1');

        return ngx_meet_http_send(r, NGX_HTTP_NO_CONTENT, "text/plain", NULL,
                                  NULL, NULL, 0);
    }

    peer = ngx_meet_signal_test_data_peer(r, "closed", &room);

    if (peer) {
        peer->test_data_closed =
            (ngx_http_arg(r, (u_char *) "on", 2, &arg) == NGX_OK
             && arg.len == 1 && arg.data[0] == '1');

        if (!peer->test_data_closed) {
            ngx_meet_signal_data_flush(peer);
        }

        return ngx_meet_http_send(r, NGX_HTTP_NO_CONTENT, "text/plain", NULL,
                                  NULL, NULL, 0);
    }

    peer = ngx_meet_signal_test_data_peer(r, "sent", &room);
    if (peer == NULL) {
        return NGX_HTTP_NOT_FOUND;
    }

    if (ngx_meet_signal_test_data_sent(peer, r->pool, &out) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_http_send(r, NGX_HTTP_OK, "text/plain", NULL, NULL,
                              out.data, out.len);
}

#endif
