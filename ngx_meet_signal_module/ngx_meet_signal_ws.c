
/*
 * Copyright (C) ngx_meet authors
 *
 * The WebSocket connection of a participant; see ngx_meet_signal_ws.h.
 */


#include "ngx_meet_signal_ws.h"


#define NGX_MEET_READ_CHUNK       4096
#define NGX_MEET_LINGER_TIMEOUT   2000      /* for the client's close */
#define NGX_MEET_CLOSE_TIMEOUT    10000     /* for our close frame to leave */


static ngx_int_t ngx_meet_signal_queue_full(ngx_meet_signal_peer_t *peer);
static ngx_meet_signal_frame_t *ngx_meet_signal_frame_alloc(
    ngx_meet_signal_peer_t *peer, size_t size);
static void ngx_meet_signal_enqueue(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_frame_t *f, size_t len);
static void ngx_meet_signal_replace(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_frame_t **old, ngx_meet_signal_frame_t *f, size_t len);
static ngx_int_t ngx_meet_signal_sent(ngx_meet_signal_peer_t *peer, int message,
    size_t len);
static ngx_int_t ngx_meet_signal_queue(ngx_meet_signal_peer_t *peer,
    unsigned opcode, u_char *data, size_t len);
static ngx_int_t ngx_meet_signal_flush(ngx_meet_signal_peer_t *peer);
static void ngx_meet_signal_close_event(ngx_event_t *ev);
static void ngx_meet_signal_idle(ngx_event_t *ev);
static void ngx_meet_signal_linger(ngx_event_t *ev);
static void ngx_meet_signal_finalize(ngx_meet_signal_peer_t *peer);
static void ngx_meet_signal_fin_event(ngx_event_t *ev);
static ngx_int_t ngx_meet_signal_process(ngx_meet_signal_peer_t *peer);
static ngx_int_t ngx_meet_signal_frame(ngx_meet_signal_peer_t *peer,
    meet_ws_frame_t *f, u_char *payload);
static ngx_int_t ngx_meet_signal_rate(ngx_meet_signal_peer_t *peer);


void
ngx_meet_signal_ws_init(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_message_pt on_message, ngx_meet_signal_close_pt on_close)
{
    ngx_log_t  *log;

    log = peer->connection->log;

    peer->on_message = on_message;
    peer->on_close = on_close;
    peer->out_last = &peer->out;

    meet_ws_state_init(&peer->ws, peer->conf->max_frame,
                       peer->conf->max_message);

    peer->idle.handler = ngx_meet_signal_idle;
    peer->idle.data = peer;
    peer->idle.log = log;

    peer->linger.handler = ngx_meet_signal_linger;
    peer->linger.data = peer;
    peer->linger.log = log;

    peer->leave.handler = ngx_meet_signal_close_event;
    peer->leave.data = peer;
    peer->leave.log = log;

    peer->fin.handler = ngx_meet_signal_fin_event;
    peer->fin.data = peer;
    peer->fin.log = log;
}


void
ngx_meet_signal_ws_start(ngx_meet_signal_peer_t *peer)
{
    /* the request lives until ngx_meet_signal_fin_event() finalizes it */
    peer->request->main->count++;

    peer->rate_tokens = peer->conf->message_burst * 1000;
    peer->rate_last = ngx_current_msec;

    ngx_add_timer(&peer->idle, peer->conf->ping_timeout);
}


void
ngx_meet_signal_ws_free(ngx_meet_signal_peer_t *peer)
{
    ngx_meet_signal_frame_t  *f;

    if (peer->idle.timer_set) {
        ngx_del_timer(&peer->idle);
    }

    if (peer->linger.timer_set) {
        ngx_del_timer(&peer->linger);
    }

    if (peer->leave.posted) {
        ngx_delete_posted_event(&peer->leave);
    }

    if (peer->fin.posted) {
        ngx_delete_posted_event(&peer->fin);
    }

    while (peer->out) {
        f = peer->out;
        peer->out = f->next;
        ngx_free(f);
    }

    ngx_free(peer->rbuf);
    ngx_free(peer->msg);
}


/* sending */


ngx_int_t
ngx_meet_signal_peer_send(ngx_meet_signal_peer_t *peer,
    Livekit__SignalResponse *resp)
{
    u_char                   *p;
    size_t                    len, hlen;
    ngx_meet_signal_frame_t  *f;

    if (peer->closing || peer->finalized) {
        return NGX_DECLINED;
    }

    len = livekit__signal_response__get_packed_size(resp);

    if (ngx_meet_signal_queue_full(peer)) {
        return NGX_ERROR;
    }

    f = ngx_meet_signal_frame_alloc(peer, MEET_WS_MAX_SERVER_HEADER + len);
    if (f == NULL) {
        return NGX_ERROR;
    }

    p = (u_char *) (f + 1);
    hlen = meet_ws_encode_header(p, MEET_WS_MAX_SERVER_HEADER, 1,
                                 MEET_WS_OP_BINARY, len);

    (void) livekit__signal_response__pack(resp, p + hlen);

    ngx_meet_signal_enqueue(peer, f, hlen + len);

    return ngx_meet_signal_sent(peer, resp->message_case, len);
}


void
ngx_meet_signal_msg_init(ngx_meet_signal_msg_t *msg,
    Livekit__SignalResponse *resp)
{
    msg->resp = resp;
    msg->size = livekit__signal_response__get_packed_size(resp);
    msg->frame = NULL;
    msg->len = 0;
    msg->about = NULL;
}


ngx_int_t
ngx_meet_signal_peer_send_msg(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_msg_t *msg)
{
    u_char                    *p;
    size_t                     hlen;
    ngx_meet_signal_frame_t   *f, **old;

    if (peer->closing || peer->finalized) {
        return NGX_DECLINED;
    }

    /*
     * a copy of an older state about the same thing not started yet is
     * replaced in place: what a slow reader has to read of one sender's
     * updates is one update, however many the sender makes
     */
    old = NULL;

    if (msg->about) {
        for (old = &peer->out; *old; old = &(*old)->next) {
            if ((*old)->pos == (u_char *) (*old + 1)
                && ngx_strcmp((*old)->about, msg->about) == 0)
            {
                break;
            }
        }

        if (*old == NULL) {
            old = NULL;
        }
    }

    if (old == NULL && msg->about == NULL
        && ngx_meet_signal_queue_full(peer))
    {
        return NGX_ERROR;
    }

    if (msg->frame == NULL) {
        /* the first recipient: the message is packed and framed once */

        p = ngx_alloc(MEET_WS_MAX_SERVER_HEADER + msg->size,
                      peer->connection->log);
        if (p == NULL) {
            ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_INTERNAL,
                                "out of memory");
            return NGX_ERROR;
        }

        hlen = meet_ws_encode_header(p, MEET_WS_MAX_SERVER_HEADER, 1,
                                     MEET_WS_OP_BINARY, msg->size);

        (void) livekit__signal_response__pack(msg->resp, p + hlen);

        msg->frame = p;
        msg->len = hlen + msg->size;
    }

    f = ngx_meet_signal_frame_alloc(peer, msg->len);
    if (f == NULL) {
        return NGX_ERROR;
    }

    ngx_memcpy(f + 1, msg->frame, msg->len);

    if (old) {
        ngx_meet_signal_replace(peer, old, f, msg->len);
        return NGX_OK;
    }

    ngx_meet_signal_enqueue(peer, f, msg->len);

    if (msg->about) {
        (void) ngx_cpystrn((u_char *) f->about, (u_char *) msg->about,
                           sizeof(f->about));
        peer->queued_updates += msg->len;
    }

    return ngx_meet_signal_sent(peer, msg->resp->message_case, msg->size);
}


void
ngx_meet_signal_msg_free(ngx_meet_signal_msg_t *msg)
{
    ngx_free(msg->frame);
    msg->frame = NULL;
}


/*
 * The send queue is full when what the client has not read yet (the
 * backlog) reaches meet_signal_max_queue: the peer closes with 1008.  The
 * message about to be queued does not count: one bigger than the cap goes
 * to a client that reads (the size is not the client's fault), so the
 * queue holds at most the cap plus one message.  ParticipantUpdates do
 * not count either: a newer one replaces the one waiting about the same
 * participant, so there are at most as many as participants, as big as
 * what the room's limits allow them (a JoinResponse carries as much).
 */

static ngx_int_t
ngx_meet_signal_queue_full(ngx_meet_signal_peer_t *peer)
{
    if (peer->queued - peer->queued_updates < peer->conf->max_queue) {
        return 0;
    }

    ngx_log_error(NGX_LOG_WARN, peer->connection->log, 0,
                  "meet signal: \"%V\" does not read its messages: "
                  "%uz bytes queued, meet_signal_max_queue is %uz, "
                  "closing", ngx_meet_log_cesc(peer->identity), peer->queued,
                  peer->conf->max_queue);
    ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_POLICY,
                        "send queue full: client too slow");

    return 1;
}


/* a frame of size bytes; out of memory closes the peer */

static ngx_meet_signal_frame_t *
ngx_meet_signal_frame_alloc(ngx_meet_signal_peer_t *peer, size_t size)
{
    ngx_meet_signal_frame_t  *f;

    f = ngx_alloc(sizeof(ngx_meet_signal_frame_t) + size,
                  peer->connection->log);
    if (f == NULL) {
        ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_INTERNAL,
                                   "out of memory");
        return NULL;
    }

    return f;
}


/* the frame's len bytes follow it: at the end of the send queue */

static void
ngx_meet_signal_enqueue(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_frame_t *f, size_t len)
{
    f->next = NULL;
    f->pos = (u_char *) (f + 1);
    f->last = f->pos + len;
    f->about[0] = '\0';

    *peer->out_last = f;
    peer->out_last = &f->next;
    peer->queued += len;
}


/* f, of len bytes, takes the place of the queued frame *old (not started) */

static void
ngx_meet_signal_replace(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_frame_t **old, ngx_meet_signal_frame_t *f, size_t len)
{
    ngx_meet_signal_frame_t  *o;

    o = *old;

    f->next = o->next;
    f->pos = (u_char *) (f + 1);
    f->last = f->pos + len;
    ngx_memcpy(f->about, o->about, sizeof(f->about));

    *old = f;

    if (peer->out_last == &o->next) {
        peer->out_last = &f->next;
    }

    peer->queued = peer->queued - (o->last - o->pos) + len;
    peer->queued_updates = peer->queued_updates - (o->last - o->pos) + len;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, peer->connection->log, 0,
                   "meet signal: a queued update replaced, %uz queued",
                   peer->queued);

    ngx_free(o);
}


/* a message of len bytes was queued: out with it, as far as it goes */

static ngx_int_t
ngx_meet_signal_sent(ngx_meet_signal_peer_t *peer, int message, size_t len)
{
    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, peer->connection->log, 0,
                   "meet signal: send message %d, %uz bytes, %uz queued",
                   message, len, peer->queued);

    if (ngx_meet_signal_flush(peer) == NGX_ERROR) {
        ngx_meet_signal_finalize(peer);
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* queues a control frame (close, pong), ahead of nothing: in order */

static ngx_int_t
ngx_meet_signal_queue(ngx_meet_signal_peer_t *peer, unsigned opcode,
    u_char *data, size_t len)
{
    u_char                   *p;
    size_t                    hlen;
    ngx_meet_signal_frame_t  *f;

    f = ngx_alloc(sizeof(ngx_meet_signal_frame_t) + MEET_WS_MAX_SERVER_HEADER
                  + len, peer->connection->log);
    if (f == NULL) {
        return NGX_ERROR;
    }

    p = (u_char *) (f + 1);
    hlen = meet_ws_encode_header(p, MEET_WS_MAX_SERVER_HEADER, 1, opcode, len);
    if (hlen == 0) {
        ngx_free(f);
        return NGX_ERROR;
    }

    if (len) {
        ngx_memcpy(p + hlen, data, len);
    }

    ngx_meet_signal_enqueue(peer, f, hlen + len);

    return NGX_OK;
}


static ngx_int_t
ngx_meet_signal_flush(ngx_meet_signal_peer_t *peer)
{
    ssize_t                   n;
    ngx_connection_t         *c;
    ngx_meet_signal_frame_t  *f;

    c = peer->connection;

    while (peer->out) {
        f = peer->out;

        n = c->send(c, f->pos, f->last - f->pos);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR) {
            c->error = 1;
            return NGX_ERROR;
        }

        f->pos += n;
        peer->queued -= n;

        if (f->about[0]) {
            peer->queued_updates -= n;
        }

        if (f->pos < f->last) {
            continue;
        }

        peer->out = f->next;
        if (peer->out == NULL) {
            peer->out_last = &peer->out;
        }

        ngx_free(f);
    }

    if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    if (peer->out == NULL && peer->closing) {

        if (peer->close_received || peer->no_linger || c->read->eof) {
            /* our close frame is out and the client's came: done */
            return NGX_DONE;
        }

        if (!peer->close_sent) {
            /* out: now wait a little for the client's close frame */
            peer->close_sent = 1;
            ngx_add_timer(&peer->linger, NGX_MEET_LINGER_TIMEOUT);
        }
    }

    return NGX_OK;
}


/* closing */


void
ngx_meet_signal_peer_close(ngx_meet_signal_peer_t *peer, ngx_uint_t code,
    const char *reason)
{
    u_char                    buf[MEET_WS_MAX_CONTROL];
    size_t                    len;
    ngx_meet_signal_frame_t  *f, *next;


    if (peer->closing || peer->finalized) {
        return;
    }

    peer->closing = 1;

    /*
     * On an error the connection is failed (RFC 6455 7.1.7): it ends once
     * the close frame is out.  A normal close waits a little for the
     * client's close frame, so that the client sees a clean close.
     */
    if (code != MEET_WS_CLOSE_NORMAL && code != MEET_WS_CLOSE_GOING_AWAY) {
        peer->no_linger = 1;
    }

    ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                  "meet signal: closing \"%V\" (%s) with %ui: %s",
                  ngx_meet_log_cesc(peer->identity), peer->sid, code, reason);

    /* frames not started yet are dropped: the close goes out next */

    f = peer->out;
    peer->out = NULL;
    peer->out_last = &peer->out;

    if (f && f->pos > (u_char *) (f + 1)) {
        /* the head frame is partly sent: it must be finished */
        peer->out = f;
        peer->out_last = &f->next;
        next = f->next;
        f->next = NULL;
        f = next;
    }

    while (f) {
        next = f->next;
        peer->queued -= f->last - f->pos;

        if (f->about[0]) {
            peer->queued_updates -= f->last - f->pos;
        }

        ngx_free(f);
        f = next;
    }

    len = meet_ws_close_payload(buf, sizeof(buf), (unsigned) code,
                                (const u_char *) reason, ngx_strlen(reason));

    if (ngx_meet_signal_queue(peer, MEET_WS_OP_CLOSE, buf, len) != NGX_OK) {
        ngx_meet_signal_finalize(peer);
        return;
    }

    /* the owner's on_close runs after the current event, never under a
       caller */
    if (!peer->leave.posted) {
        ngx_post_event(&peer->leave, &ngx_posted_events);
    }

    /* first the close frame must get out, then the client may answer */
    ngx_add_timer(&peer->linger, NGX_MEET_CLOSE_TIMEOUT);

    if (ngx_meet_signal_flush(peer) != NGX_OK) {
        ngx_meet_signal_finalize(peer);
    }
}


static void
ngx_meet_signal_close_event(ngx_event_t *ev)
{
    ngx_meet_signal_peer_t  *peer = ev->data;

    peer->on_close(peer);
}


static void
ngx_meet_signal_linger(ngx_event_t *ev)
{
    ngx_meet_signal_peer_t  *peer = ev->data;

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "meet signal: closing handshake timed out");

    ngx_meet_signal_finalize(peer);
}


static void
ngx_meet_signal_idle(ngx_event_t *ev)
{
    ngx_meet_signal_peer_t  *peer = ev->data;

    ngx_log_error(NGX_LOG_INFO, ev->log, 0,
                  "meet signal: \"%V\" sent nothing for %M ms "
                  "(meet_signal_ping_timeout), closing",
                  ngx_meet_log_cesc(peer->identity), peer->conf->ping_timeout);

    ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_GOING_AWAY, "ping timeout");
}


/*
 * Ends a session.  The request is finalized from a posted event, never
 * right away: this may be called while another participant's event walks
 * the room (a failed send during a broadcast), and finalizing runs the
 * cleanup, which changes the room.
 */

static void
ngx_meet_signal_finalize(ngx_meet_signal_peer_t *peer)
{
    if (peer->finalized) {
        return;
    }

    peer->finalized = 1;
    peer->closing = 1;

    ngx_post_event(&peer->fin, &ngx_posted_events);
}


static void
ngx_meet_signal_fin_event(ngx_event_t *ev)
{
    ngx_meet_signal_peer_t  *peer = ev->data;

    /*
     * Unread client data at close() would make the kernel send a reset,
     * which can destroy our close frame before the client reads it: close
     * the way nginx does after an unread request body (shutdown, then
     * read and discard for at most lingering_time).
     */
    if (!peer->connection->error && !peer->connection->read->eof) {
        peer->request->lingering_close = 1;
    }

    /* the owner's request pool cleanup frees the rest */

    ngx_http_finalize_request(peer->request, NGX_DONE);
}


/* reading */


void
ngx_meet_signal_ws_write(ngx_meet_signal_peer_t *peer)
{
    if (ngx_meet_signal_flush(peer) != NGX_OK) {
        ngx_meet_signal_finalize(peer);
    }
}


void
ngx_meet_signal_ws_read(ngx_meet_signal_peer_t *peer)
{
    size_t             size;
    ssize_t            n;
    ngx_connection_t  *c;

    c = peer->connection;

    for ( ;; ) {

        if (peer->rbuf == NULL) {
            peer->rsize = NGX_MEET_READ_CHUNK;
            peer->rbuf = ngx_alloc(peer->rsize, c->log);
            if (peer->rbuf == NULL) {
                ngx_meet_signal_finalize(peer);
                return;
            }

            peer->rlen = 0;
        }

        size = peer->rsize - peer->rlen;

        if (size == 0) {
            /* ngx_meet_signal_process() grows the buffer for big frames */
            ngx_meet_signal_finalize(peer);
            return;
        }

        n = c->recv(c, peer->rbuf + peer->rlen, size);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == 0 || n == NGX_ERROR) {
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "meet signal: \"%V\" (%s) connection %s",
                          ngx_meet_log_cesc(peer->identity), peer->sid,
                          peer->closing ? "closed" : "lost without close");
            ngx_meet_signal_finalize(peer);
            return;
        }

        peer->rlen += n;

        if (ngx_meet_signal_process(peer) != NGX_OK) {
            return;
        }

        if (peer->finalized) {
            return;
        }
    }

    /* nothing buffered: an idle connection keeps no read buffer */

    if (peer->rbuf && peer->rlen == 0) {
        ngx_free(peer->rbuf);
        peer->rbuf = NULL;
        peer->rsize = 0;
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_meet_signal_finalize(peer);
    }
}


/* parses the frames in the read buffer; NGX_OK to go on reading */

static ngx_int_t
ngx_meet_signal_process(ngx_meet_signal_peer_t *peer)
{
    int               rc;
    u_char           *p, *nbuf;
    size_t            need;
    ngx_int_t         rv;
    meet_ws_frame_t   f;

    for ( ;; ) {

        if (peer->rlen == 0) {
            return NGX_OK;
        }

        rc = meet_ws_parse_header(&f, peer->rbuf, peer->rlen,
                                  peer->ws.max_frame);

        if (rc == MEET_WS_AGAIN) {
            return NGX_OK;
        }

        if (rc < 0) {
            ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                          "meet signal: \"%V\" sent a bad frame, "
                          "closing with %d", ngx_meet_log_cesc(peer->identity),
                          -rc);
            ngx_meet_signal_peer_close(peer, (ngx_uint_t) -rc,
                                rc == -MEET_WS_CLOSE_TOO_BIG
                                ? "frame too big" : "protocol error");
            peer->rlen = 0;
            return NGX_DONE;
        }

        need = f.header_len + (size_t) f.payload_len;

        if (peer->rlen < need) {
            if (need > peer->rsize) {
                /* a frame bigger than the buffer: grow to fit it */
                nbuf = ngx_alloc(need, peer->connection->log);
                if (nbuf == NULL) {
                    ngx_meet_signal_finalize(peer);
                    return NGX_ERROR;
                }

                ngx_memcpy(nbuf, peer->rbuf, peer->rlen);
                ngx_free(peer->rbuf);
                peer->rbuf = nbuf;
                peer->rsize = need;
            }

            return NGX_OK;
        }

        rc = meet_ws_frame_begin(&peer->ws, &f);

        if (rc == 0) {
            p = peer->rbuf + f.header_len;
            rc = meet_ws_frame_data(&peer->ws, &f, p, (size_t) f.payload_len,
                                    0);
        }

        if (rc == 0) {
            rc = meet_ws_frame_end(&peer->ws, &f);
        }

        if (rc < 0) {
            ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                          "meet signal: \"%V\" sent an invalid message, "
                          "closing with %d", ngx_meet_log_cesc(peer->identity),
                          -rc);
            ngx_meet_signal_peer_close(peer, (ngx_uint_t) -rc,
                                       "invalid message");
            peer->rlen = 0;
            return NGX_DONE;
        }

        rv = ngx_meet_signal_frame(peer, &f, peer->rbuf + f.header_len);

        if (peer->finalized) {
            return NGX_DONE;
        }

        /* drop the frame from the buffer */

        peer->rlen -= need;
        if (peer->rlen) {
            ngx_memmove(peer->rbuf, peer->rbuf + need, peer->rlen);
        }

        /* after a big frame give the memory back */
        if (peer->rsize > NGX_MEET_READ_CHUNK
            && peer->rlen <= NGX_MEET_READ_CHUNK)
        {
            nbuf = ngx_alloc(NGX_MEET_READ_CHUNK, peer->connection->log);
            if (nbuf) {
                ngx_memcpy(nbuf, peer->rbuf, peer->rlen);
                ngx_free(peer->rbuf);
                peer->rbuf = nbuf;
                peer->rsize = NGX_MEET_READ_CHUNK;
            }
        }

        if (rv != NGX_OK) {
            return rv;
        }
    }
}


static ngx_int_t
ngx_meet_signal_frame(ngx_meet_signal_peer_t *peer, meet_ws_frame_t *f,
    u_char *payload)
{
    int        rc;
    u_char    *m;
    size_t     len, size;
    unsigned   code;
    ngx_int_t  rv;

    len = (size_t) f->payload_len;

    /* any frame shows the client is alive */
    if (!peer->closing) {
        ngx_add_timer(&peer->idle, peer->conf->ping_timeout);
    }

    if (f->opcode != MEET_WS_OP_CLOSE && !peer->closing
        && ngx_meet_signal_rate(peer) != NGX_OK)
    {
        return NGX_DONE;
    }

    switch (f->opcode) {

    case MEET_WS_OP_PING:
        /* a pong is queued like any frame: it counts toward the cap */
        if (!peer->closing && ngx_meet_signal_queue_full(peer)) {
            return NGX_DONE;
        }

        if (!peer->closing
            && ngx_meet_signal_queue(peer, MEET_WS_OP_PONG, payload, len)
               != NGX_OK)
        {
            ngx_meet_signal_finalize(peer);
            return NGX_ERROR;
        }

        rv = ngx_meet_signal_flush(peer);
        if (rv == NGX_ERROR) {
            ngx_meet_signal_finalize(peer);
            return NGX_ERROR;
        }

        return NGX_OK;

    case MEET_WS_OP_PONG:
        return NGX_OK;

    case MEET_WS_OP_CLOSE:
        rc = meet_ws_parse_close(payload, len, &code, NULL, NULL);

        peer->close_received = 1;

        if (rc < 0) {
            ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                          "meet signal: \"%V\" sent a bad close frame",
                          ngx_meet_log_cesc(peer->identity));
            ngx_meet_signal_peer_close(peer, (ngx_uint_t) -rc,
                                       "bad close frame");

        } else {
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, peer->connection->log, 0,
                           "meet signal: client close %ud", code);

            /* echo the code (RFC 6455 5.5.1); 1005 means none */
            ngx_meet_signal_peer_close(peer, code == MEET_WS_CLOSE_NO_STATUS
                                      ? MEET_WS_CLOSE_NORMAL : code,
                                "bye");
        }

        if (peer->finalized) {
            return NGX_DONE;
        }

        rv = ngx_meet_signal_flush(peer);
        if (rv != NGX_OK) {
            ngx_meet_signal_finalize(peer);
            return NGX_DONE;
        }

        return NGX_DONE;
    }

    if (peer->closing) {
        /* after our close frame only the client's close matters */
        return NGX_OK;
    }

    if (f->opcode != MEET_WS_OP_CONT && peer->msg_len == 0 && f->fin) {

        if (f->opcode == MEET_WS_OP_TEXT) {
            ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                          "meet signal: \"%V\" sent a text (JSON) message; "
                          "only binary protobuf is served",
                          ngx_meet_log_cesc(peer->identity));
            ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_UNSUPPORTED,
                                "text messages are not supported");
            return NGX_DONE;
        }

        return peer->on_message(peer, payload, len);
    }

    /* a fragment: collect the message */

    if (f->opcode == MEET_WS_OP_TEXT) {
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" sent a text (JSON) message; "
                      "only binary protobuf is served",
                      ngx_meet_log_cesc(peer->identity));
        ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_UNSUPPORTED,
                            "text messages are not supported");
        return NGX_DONE;
    }

    if (peer->msg_len + len > peer->msg_size) {
        size = ngx_max(peer->msg_size * 2, peer->msg_len + len);
        size = ngx_min(size, peer->conf->max_message);

        m = ngx_alloc(size, peer->connection->log);
        if (m == NULL) {
            ngx_meet_signal_finalize(peer);
            return NGX_ERROR;
        }

        if (peer->msg_len) {
            ngx_memcpy(m, peer->msg, peer->msg_len);
        }

        ngx_free(peer->msg);
        peer->msg = m;
        peer->msg_size = size;
    }

    ngx_memcpy(peer->msg + peer->msg_len, payload, len);
    peer->msg_len += len;

    if (!f->fin) {
        return NGX_OK;
    }

    rv = peer->on_message(peer, peer->msg, peer->msg_len);

    if (!peer->finalized) {
        ngx_free(peer->msg);
        peer->msg = NULL;
        peer->msg_len = 0;
        peer->msg_size = 0;
    }

    return rv;
}


/*
 * Every frame but a close takes a token from the peer's bucket:
 * meet_signal_message_burst tokens, refilled at meet_signal_message_rate
 * a second (kept in thousandths, refilled by the millisecond).  An empty
 * bucket closes the peer with 1008: each message is work for the worker
 * (an offer is parsed, settings walk the tracks, an update goes to
 * everyone), whoever sends them.
 */

static ngx_int_t
ngx_meet_signal_rate(ngx_meet_signal_peer_t *peer)
{
    ngx_uint_t                   full;
    ngx_msec_t                   elapsed;
    ngx_meet_signal_loc_conf_t  *conf;

    conf = peer->conf;

    if (conf->message_rate == 0) {
        return NGX_OK;
    }

    full = conf->message_burst * 1000;
    elapsed = ngx_current_msec - peer->rate_last;
    peer->rate_last = ngx_current_msec;

    if (elapsed >= full / conf->message_rate + 1) {
        peer->rate_tokens = full;

    } else {
        peer->rate_tokens = ngx_min(full, peer->rate_tokens
                                          + elapsed * conf->message_rate);
    }

    if (peer->rate_tokens >= 1000) {
        peer->rate_tokens -= 1000;
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_WARN, peer->connection->log, 0,
                  "meet signal: a participant sends more than %ui frames "
                  "a second (meet_signal_message_rate, burst %ui), "
                  "closing", conf->message_rate, conf->message_burst);

    ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_POLICY,
                               "too many messages");

    return NGX_ERROR;
}


void
ngx_meet_signal_ws_charge(ngx_meet_signal_peer_t *peer, ngx_uint_t frames)
{
    if (peer->conf->message_rate == 0) {
        return;
    }

    if (peer->rate_tokens > frames * 1000) {
        peer->rate_tokens -= frames * 1000;

    } else {
        peer->rate_tokens = 0;
    }
}
