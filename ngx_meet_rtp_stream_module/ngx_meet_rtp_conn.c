
/*
 * Copyright (C) ngx_meet authors
 *
 * UDP sessions of the media port.  nginx's stream module keeps one UDP
 * "connection" per client address; each is an ngx_meet_rtp_conn_t.  The
 * first datagram from an address must be a valid ICE check (STUN, see
 * ngx_meet_rtp_ice.c); once one is, the address may carry DTLS and SRTP
 * for the participant whose credentials it proved (RFC 7983 demux).
 *
 * An address whose first datagram is not a valid ICE check costs no
 * connection: its state goes at once.
 *
 * ICE-TCP (RFC 6544): a TCP connection to a media listener is a passive
 * candidate; its bytes are RFC 4571 frames (a 16-bit length, then one
 * packet), each handled as a datagram from that address.  Until its first
 * valid check it is pending (meet_rtp_tcp_pending per worker, for
 * meet_rtp_tcp_pending_timeout, a read buffer of one frame); then what
 * goes out (ngx_meet_rtp_send.c) waits, when it cannot be written at
 * once, in a buffer of NGX_MEET_RTP_TCP_OUT bytes (charged to
 * meet_media_memory; refused, the connection closes).
 */


#include "ngx_meet_rtp_stream.h"


static void ngx_meet_rtp_read_handler(ngx_event_t *rev);
static void ngx_meet_rtp_datagram(ngx_meet_rtp_conn_t *rc, u_char *p,
    size_t n);
static void ngx_meet_rtp_fin_event(ngx_event_t *ev);
static void ngx_meet_rtp_tcp_read(ngx_event_t *rev);
static void ngx_meet_rtp_tcp_write(ngx_event_t *wev);
static void ngx_meet_rtp_tcp_unpend(ngx_meet_rtp_conn_t *rc);
static void ngx_meet_rtp_conn_cleanup(void *data);


#define NGX_MEET_RTP_TCP_IN    4096      /* a frame: STUN, DTLS, (S)RTP */


/* one datagram at a time, with room for SRTP to work in place */
static u_char  ngx_meet_rtp_rbuf[65536];

/* ICE-TCP connections of this worker still without a valid check */
static ngx_uint_t  ngx_meet_rtp_tcp_npending;


void
ngx_meet_rtp_conn_handler(ngx_stream_session_t *s)
{
    size_t                    n;
    ngx_buf_t                *b;
    ngx_connection_t         *c;
    ngx_pool_cleanup_t       *cln;
    ngx_meet_rtp_conn_t      *rc;
    ngx_meet_rtp_srv_conf_t  *rscf;

    c = s->connection;

    rscf = ngx_stream_get_module_srv_conf(s, ngx_meet_rtp_stream_module);

    rc = ngx_pcalloc(c->pool, sizeof(ngx_meet_rtp_conn_t));
    if (rc == NULL) {
        ngx_stream_finalize_session(s, NGX_STREAM_INTERNAL_SERVER_ERROR);
        return;
    }

    cln = ngx_pool_cleanup_add(c->pool, 0);
    if (cln == NULL) {
        ngx_stream_finalize_session(s, NGX_STREAM_INTERNAL_SERVER_ERROR);
        return;
    }

    cln->handler = ngx_meet_rtp_conn_cleanup;
    cln->data = rc;

    rc->session = s;
    rc->connection = c;
    rc->conf = rscf;

    rc->fin.handler = ngx_meet_rtp_fin_event;
    rc->fin.data = rc;
    rc->fin.log = c->log;

    ngx_stream_set_ctx(s, rc, ngx_meet_rtp_stream_module);

    if (c->type == SOCK_STREAM) {
        rc->tcp = 1;

        /*
         * Until its first valid ICE check a connection is "pending": at
         * most meet_rtp_tcp_pending of them, for
         * meet_rtp_tcp_pending_timeout, with a read buffer for a frame
         * and no write buffer (ngx_meet_rtp_send.c makes that one when
         * the connection is validated).
         */
        if (ngx_meet_rtp_tcp_npending >= rscf->tcp_pending) {
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "meet rtp: %ui ICE-TCP connections wait for "
                          "their first valid check (meet_rtp_tcp_pending), "
                          "closing", ngx_meet_rtp_tcp_npending);
            ngx_stream_finalize_session(s, NGX_STREAM_OK);
            return;
        }

        rc->in = ngx_create_temp_buf(c->pool, NGX_MEET_RTP_TCP_IN);

        if (rc->in == NULL) {
            ngx_stream_finalize_session(s, NGX_STREAM_INTERNAL_SERVER_ERROR);
            return;
        }

        rc->pending = 1;
        ngx_meet_rtp_tcp_npending++;

        c->read->handler = ngx_meet_rtp_tcp_read;
        c->write->handler = ngx_meet_rtp_tcp_write;
        c->read->cancelable = 1;

        ngx_add_timer(c->read, ngx_min(rscf->tcp_pending_timeout,
                                       rscf->session_timeout));

        /* what a preread phase took already */
        b = c->buffer;

        if (b && b->last > b->pos) {
            n = ngx_min((size_t) (b->last - b->pos), NGX_MEET_RTP_TCP_IN);
            rc->in->last = ngx_cpymem(rc->in->last, b->pos, n);
            b->pos += n;
        }

        ngx_meet_rtp_tcp_read(c->read);
        return;
    }

    c->read->handler = ngx_meet_rtp_read_handler;

    /*
     * A worker that exits (reload, stop) does not wait for media
     * addresses to time out: clients ICE-restart or rejoin through
     * signaling, which the new workers serve.
     */
    c->read->cancelable = 1;

    ngx_add_timer(c->read, rscf->session_timeout);

    b = c->buffer;

    if (b && b->last > b->pos) {
        ngx_meet_rtp_datagram(rc, b->pos, b->last - b->pos);
        b->pos = b->last;
    }

    /*
     * An address whose first datagram is not a valid ICE check costs no
     * connection: garbage from many source ports must not exhaust
     * worker_connections, which HTTP and signaling share.  Its state goes
     * now (in this event loop turn); its next datagram starts afresh.
     */
    if (!rc->validated && !rc->finalizing) {
        rc->finalizing = 1;
        ngx_post_event(&rc->fin, &ngx_posted_events);
    }
}


/*
 * The conn of a read event, or NULL when there is nothing to do: it is
 * going, or its timer fired (no valid packet for meet_rtp_session_timeout:
 * it goes now).
 */

static ngx_meet_rtp_conn_t *
ngx_meet_rtp_read_conn(ngx_event_t *rev)
{
    ngx_connection_t      *c;
    ngx_stream_session_t  *s;
    ngx_meet_rtp_conn_t   *rc;

    c = rev->data;
    s = c->data;
    rc = ngx_stream_get_module_ctx(s, ngx_meet_rtp_stream_module);

    if (rc == NULL || rc->finalizing) {
        return NULL;
    }

    if (rev->timedout) {
        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "meet rtp: no valid packet for %M ms, closing %s "
                      "%s", rc->pending ? rc->conf->tcp_pending_timeout
                                        : rc->conf->session_timeout,
                      rc->peer ? "the selected" : "an unused",
                      rc->tcp ? "ICE-TCP connection" : "media address");
        rev->timedout = 0;
        ngx_post_event(&rc->fin, &ngx_posted_events);
        rc->finalizing = 1;
        return NULL;
    }

    return rc;
}


static void
ngx_meet_rtp_read_handler(ngx_event_t *rev)
{
    ssize_t                n;
    ngx_connection_t      *c;
    ngx_meet_rtp_conn_t   *rc;

    c = rev->data;

    rc = ngx_meet_rtp_read_conn(rev);
    if (rc == NULL) {
        return;
    }

    /*
     * nginx 1.22 keeps the datagram in its receive buffer behind a private
     * type (ngx_udp_connection_t): c->recv() copies it out, once, into
     * this worker's buffer, where SRTP works on it in place.
     */
    n = c->recv(c, ngx_meet_rtp_rbuf, sizeof(ngx_meet_rtp_rbuf));

    if (n <= 0) {
        return;
    }

    ngx_meet_rtp_datagram(rc, ngx_meet_rtp_rbuf, (size_t) n);
}


static void
ngx_meet_rtp_datagram(ngx_meet_rtp_conn_t *rc, u_char *p, size_t n)
{
    u_char  b;

    if (n == 0) {
        ngx_meet_rtp_drops[NGX_MEET_DROP_UNKNOWN]++;
        return;
    }

    b = p[0];

    /* RFC 7983: 0-3 STUN, 20-63 DTLS, 128-191 RTP/RTCP */

    if (b <= 3) {
        ngx_meet_rtp_stun(rc, p, n);
        return;
    }

    if (rc->peer == NULL) {
        ngx_meet_rtp_drops[NGX_MEET_DROP_UNBOUND]++;
        ngx_log_debug1(NGX_LOG_DEBUG_STREAM, rc->connection->log, 0,
                       "meet rtp: %uz bytes from an address without a "
                       "valid ICE check, dropped", n);
        return;
    }

    if (b >= 20 && b <= 63) {
        ngx_add_timer(rc->connection->read, rc->conf->session_timeout);
        ngx_meet_rtp_dtls(rc->peer, p, n);
        return;
    }

    if (b >= 128 && b <= 191) {
        ngx_add_timer(rc->connection->read, rc->conf->session_timeout);
        ngx_meet_rtp_srtp(rc->peer, p, n);
        return;
    }

    ngx_meet_rtp_drops[NGX_MEET_DROP_UNKNOWN]++;
}


/* ICE-TCP: RFC 4571 frames in */

static void
ngx_meet_rtp_tcp_read(ngx_event_t *rev)
{
    size_t                 len;
    ssize_t                n;
    ngx_buf_t             *b;
    ngx_connection_t      *c;
    ngx_meet_rtp_conn_t   *rc;

    c = rev->data;

    rc = ngx_meet_rtp_read_conn(rev);
    if (rc == NULL) {
        return;
    }

    b = rc->in;

    for ( ;; ) {

        /* every whole frame, each as a datagram */

        while (b->last - b->pos >= 2) {
            len = (size_t) b->pos[0] << 8 | b->pos[1];

            if (len + 2 > (size_t) (b->end - b->start)) {
                ngx_meet_rtp_drops[NGX_MEET_DROP_UNKNOWN]++;
                ngx_log_error(NGX_LOG_INFO, c->log, 0,
                              "meet rtp: ICE-TCP frame of %uz bytes is "
                              "larger than %d, closing", len,
                              NGX_MEET_RTP_TCP_IN - 2);
                goto close;
            }

            if ((size_t) (b->last - b->pos) < len + 2) {
                break;
            }

            ngx_meet_rtp_datagram(rc, b->pos + 2, len);

            if (rc->finalizing) {
                return;
            }

            if (rc->pending && rc->validated) {
                ngx_meet_rtp_tcp_unpend(rc);
            }

            b->pos += len + 2;
        }

        /* a partial frame moves to the start */

        if (b->pos != b->start) {
            len = b->last - b->pos;
            ngx_memmove(b->start, b->pos, len);
            b->pos = b->start;
            b->last = b->start + len;
        }

        n = c->recv(c, b->last, b->end - b->last);

        if (n == NGX_AGAIN) {
            break;
        }

        if (n == NGX_ERROR || n == 0) {
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "meet rtp: ICE-TCP connection closed by the client");
            goto close;
        }

        b->last += n;
    }

    if (ngx_handle_read_event(rev, 0) != NGX_OK) {
        goto close;
    }

    return;

close:

    rc->finalizing = 1;
    ngx_post_event(&rc->fin, &ngx_posted_events);
}



static void
ngx_meet_rtp_tcp_write(ngx_event_t *wev)
{
    ngx_connection_t      *c;
    ngx_stream_session_t  *s;
    ngx_meet_rtp_conn_t   *rc;

    c = wev->data;
    s = c->data;
    rc = ngx_stream_get_module_ctx(s, ngx_meet_rtp_stream_module);

    if (rc == NULL || rc->finalizing) {
        return;
    }

    ngx_meet_rtp_tcp_flush(rc);
}


/* the worker exits: its media addresses close with it */

void
ngx_meet_rtp_conns_close(ngx_cycle_t *cycle)
{
    ngx_uint_t             i;
    ngx_connection_t      *c;
    ngx_stream_session_t  *s;
    ngx_meet_rtp_conn_t   *rc;

    c = cycle->connections;

    for (i = 0; i < cycle->connection_n; i++) {

        if (c[i].fd == (ngx_socket_t) -1 || c[i].read == NULL
            || (c[i].read->handler != ngx_meet_rtp_read_handler
                && c[i].read->handler != ngx_meet_rtp_tcp_read))
        {
            continue;
        }

        s = c[i].data;
        rc = ngx_stream_get_module_ctx(s, ngx_meet_rtp_stream_module);

        if (rc) {
            rc->finalizing = 1;
        }

        ngx_stream_finalize_session(s, NGX_STREAM_OK);
    }
}



static void
ngx_meet_rtp_fin_event(ngx_event_t *ev)
{
    ngx_meet_rtp_conn_t  *rc = ev->data;

    ngx_stream_finalize_session(rc->session, NGX_STREAM_OK);
}


static void
ngx_meet_rtp_conn_cleanup(void *data)
{
    ngx_meet_rtp_conn_t  *rc = data;

    if (rc->fin.posted) {
        ngx_delete_posted_event(&rc->fin);
    }

    ngx_meet_rtp_consent_stop(rc);

    if (rc->peer && rc->peer->selected == rc) {
        /* the participant may come back from another address */
        rc->peer->selected = NULL;
    }

    rc->peer = NULL;

    /* the write buffer goes with the connection's pool */
    ngx_meet_media_mem_release(rc->charged);
    rc->charged = 0;

    ngx_meet_rtp_tcp_unpend(rc);
}


/* a pending ICE-TCP connection got its valid check, or goes */

static void
ngx_meet_rtp_tcp_unpend(ngx_meet_rtp_conn_t *rc)
{
    if (rc->pending) {
        rc->pending = 0;
        ngx_meet_rtp_tcp_npending--;
    }
}
