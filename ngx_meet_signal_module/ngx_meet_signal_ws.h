
/*
 * Copyright (C) ngx_meet authors
 *
 * The WebSocket connection of a participant (ngx_meet_signal_ws.c), after
 * the upgrade: the send queue (capped by meet_signal_max_queue), reading
 * and checking frames, pings, the closing handshake and the end of the
 * request.  It knows no room and no SignalRequest: it hands complete
 * binary messages to peer->on_message and the end of the session to
 * peer->on_close, the hooks its owner (ngx_meet_signal_module.c) sets with
 * ngx_meet_signal_ws_init() at join.
 *
 * Nothing here frees the peer under its caller: a failed send or a close
 * only marks it (closing, finalized) and posts events, so a caller walking
 * a room may go on; on_close and the end of the request come from posted
 * events.
 */


#ifndef _NGX_MEET_SIGNAL_WS_H_INCLUDED_
#define _NGX_MEET_SIGNAL_WS_H_INCLUDED_


#include "ngx_meet_signal.h"


/*
 * A SignalResponse sent to several peers (a broadcast): packed and framed
 * once, at the first recipient, then copied into each recipient's queue.
 */
typedef struct {
    Livekit__SignalResponse      *resp;
    size_t                        size;         /* packed */
    u_char                       *frame;        /* header + packed */
    size_t                        len;
    /*
     * a state that replaces the previous one about the same thing (a
     * ParticipantUpdate about one participant): a copy still waiting in a
     * queue, not started, is replaced where it is instead of adding one
     */
    const char                   *about;        /* a sid, or NULL */
} ngx_meet_signal_msg_t;


/*
 * Before anything can fail at join (the request cleanup calls
 * ngx_meet_signal_ws_free()): the queue, the WebSocket state and the
 * events; peer->connection and peer->conf are set.  ngx_meet_signal_ws_start()
 * once the request's read and write handlers call ngx_meet_signal_ws_read()
 * and _write(): the request is held until the session ends, the ping
 * timeout runs.
 */
void ngx_meet_signal_ws_init(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_message_pt on_message, ngx_meet_signal_close_pt on_close);
void ngx_meet_signal_ws_start(ngx_meet_signal_peer_t *peer);
void ngx_meet_signal_ws_read(ngx_meet_signal_peer_t *peer);
void ngx_meet_signal_ws_write(ngx_meet_signal_peer_t *peer);

/* from the request's pool cleanup: timers, posted events, buffers */
void ngx_meet_signal_ws_free(ngx_meet_signal_peer_t *peer);

/*
 * Queues a binary message and sends what the socket takes.  NGX_DECLINED
 * if the peer is closing; NGX_ERROR if the peer was closed (queue full,
 * out of memory) or failed.
 */
ngx_int_t ngx_meet_signal_peer_send(ngx_meet_signal_peer_t *peer,
    Livekit__SignalResponse *resp);

/* the same for a message several peers get: init, send to each, free */
void ngx_meet_signal_msg_init(ngx_meet_signal_msg_t *msg,
    Livekit__SignalResponse *resp);
ngx_int_t ngx_meet_signal_peer_send_msg(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_msg_t *msg);
void ngx_meet_signal_msg_free(ngx_meet_signal_msg_t *msg);

/*
 * A message that makes the worker send more than its own size: it takes
 * that many more tokens of meet_signal_message_rate (none left: the next
 * frame closes the peer).
 */
void ngx_meet_signal_ws_charge(ngx_meet_signal_peer_t *peer, ngx_uint_t frames);

/*
 * Starts the closing handshake with an RFC 6455 close code: queued frames
 * not yet started are dropped, the close frame goes out, on_close is
 * posted.  Once closing, sends are declined and only the client's close
 * frame is read.
 */
void ngx_meet_signal_peer_close(ngx_meet_signal_peer_t *peer, ngx_uint_t code,
    const char *reason);


#endif /* _NGX_MEET_SIGNAL_WS_H_INCLUDED_ */
