
/*
 * Copyright (C) ngx_meet authors
 *
 * UDP sessions of the media port.  nginx's stream module keeps one UDP
 * "connection" per client address; each is an ngx_meet_rtp_conn_t.  The
 * first datagram from an address must be a valid ICE check (STUN, see
 * ngx_meet_rtp_ice.c); once one is, the address may carry DTLS and SRTP
 * for the participant whose credentials it proved (RFC 7983 demux).
 */


#include "ngx_meet_rtp_stream.h"


static void ngx_meet_rtp_read_handler(ngx_event_t *rev);
static void ngx_meet_rtp_datagram(ngx_meet_rtp_conn_t *rc, u_char *p,
    size_t n);
static void ngx_meet_rtp_fin_event(ngx_event_t *ev);
static void ngx_meet_rtp_conn_cleanup(void *data);


ngx_uint_t   ngx_meet_rtp_drops[NGX_MEET_DROP_LAST];

/* one datagram at a time, with room for SRTP to work in place */
static u_char  ngx_meet_rtp_rbuf[65536];

const char  *ngx_meet_rtp_drop_names[NGX_MEET_DROP_LAST] = {
    "unknown_packet",
    "unbound_address",
    "stun_malformed",
    "stun_unknown_ufrag",
    "stun_integrity",
    "stun_other",
    "dtls",
    "srtp_auth",
    "srtp_replay",
    "srtp_other",
    "media_before_dtls"
};


void
ngx_meet_rtp_session_handler(ngx_stream_session_t *s)
{
    ngx_buf_t                *b;
    ngx_connection_t         *c;
    ngx_pool_cleanup_t       *cln;
    ngx_meet_rtp_conn_t      *rc;
    ngx_meet_rtp_srv_conf_t  *rscf;

    c = s->connection;

    if (c->type != SOCK_DGRAM) {
        ngx_stream_finalize_session(s, NGX_STREAM_INTERNAL_SERVER_ERROR);
        return;
    }

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

    c->read->handler = ngx_meet_rtp_read_handler;

    /*
     * A worker that exits (reload, stop) does not wait for media
     * addresses to time out: clients ICE-restart or rejoin through
     * signaling, which the new workers serve.
     */
    c->read->cancelable = 1;

    /* an address that proves nothing goes away after the timeout */
    ngx_add_timer(c->read, rscf->session_timeout);

    b = c->buffer;

    if (b && b->last > b->pos) {
        ngx_meet_rtp_datagram(rc, b->pos, b->last - b->pos);
        b->pos = b->last;
    }
}


static void
ngx_meet_rtp_read_handler(ngx_event_t *rev)
{
    ssize_t                n;
    ngx_connection_t      *c;
    ngx_stream_session_t  *s;
    ngx_meet_rtp_conn_t   *rc;

    c = rev->data;
    s = c->data;
    rc = ngx_stream_get_module_ctx(s, ngx_meet_rtp_stream_module);

    if (rc == NULL || rc->finalizing) {
        return;
    }

    if (rev->timedout) {
        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "meet rtp: no valid packet for %M ms, closing %s "
                      "media address", rc->conf->session_timeout,
                      rc->peer ? "the selected" : "an unused");
        rev->timedout = 0;
        ngx_post_event(&rc->fin, &ngx_posted_events);
        rc->finalizing = 1;
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


/* the worker exits: its media addresses close with it */

void
ngx_meet_rtp_sessions_close(ngx_cycle_t *cycle)
{
    ngx_uint_t             i;
    ngx_connection_t      *c;
    ngx_stream_session_t  *s;
    ngx_meet_rtp_conn_t   *rc;

    c = cycle->connections;

    for (i = 0; i < cycle->connection_n; i++) {

        if (c[i].fd == (ngx_socket_t) -1 || c[i].read == NULL
            || c[i].read->handler != ngx_meet_rtp_read_handler)
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


ngx_int_t
ngx_meet_rtp_send(ngx_meet_rtp_conn_t *rc, u_char *data, size_t len)
{
    ssize_t  n;

    n = rc->connection->send(rc->connection, data, len);

    if (n == (ssize_t) len) {
        return NGX_OK;
    }

    /* a full socket buffer drops the datagram, as the network would */
    ngx_log_debug2(NGX_LOG_DEBUG_STREAM, rc->connection->log, 0,
                   "meet rtp: send of %uz bytes: %z", len, n);

    return NGX_ERROR;
}


/*
 * Batched sends: the datagrams one incoming packet produces (its copies
 * for every subscriber) are written into NGX_MEET_RTP_BATCH buffers and
 * leave in one sendmmsg() per socket.  The UDP "connections" nginx keeps
 * for clients share their listening socket (c->fd, c->sockaddr), so one
 * call reaches many clients.
 */

#define NGX_MEET_RTP_BATCH  64

static u_char                ngx_meet_rtp_bbuf[NGX_MEET_RTP_BATCH]
                                 [NGX_MEET_RTP_DGRAM_MAX];
static ngx_meet_rtp_conn_t  *ngx_meet_rtp_bconn[NGX_MEET_RTP_BATCH];
static size_t                ngx_meet_rtp_blen[NGX_MEET_RTP_BATCH];
static ngx_uint_t            ngx_meet_rtp_nbatch;

ngx_uint_t  ngx_meet_rtp_batches;       /* sendmmsg() calls */
ngx_uint_t  ngx_meet_rtp_batched;       /* datagrams they carried */


u_char *
ngx_meet_rtp_batch_buf(void)
{
    if (ngx_meet_rtp_nbatch == NGX_MEET_RTP_BATCH) {
        ngx_meet_rtp_batch_flush();
    }

    return ngx_meet_rtp_bbuf[ngx_meet_rtp_nbatch];
}


void
ngx_meet_rtp_batch_add(ngx_meet_rtp_conn_t *rc, size_t len)
{
    /* the buffer ngx_meet_rtp_batch_buf() returned last */
    ngx_meet_rtp_bconn[ngx_meet_rtp_nbatch] = rc;
    ngx_meet_rtp_blen[ngx_meet_rtp_nbatch] = len;
    ngx_meet_rtp_nbatch++;
}


void
ngx_meet_rtp_batch_flush(void)
{
    ngx_uint_t         i, j, n;
    ngx_connection_t  *c;

#if (NGX_LINUX)
    int                rc;
    struct iovec       iov[NGX_MEET_RTP_BATCH];
    struct mmsghdr     msg[NGX_MEET_RTP_BATCH];
#endif

    n = ngx_meet_rtp_nbatch;
    ngx_meet_rtp_nbatch = 0;

    for (i = 0; i < n; i = j) {

        c = ngx_meet_rtp_bconn[i]->connection;

#if (NGX_LINUX)

        /* a run of datagrams on the same socket: one sendmmsg() */

        for (j = i; j < n && ngx_meet_rtp_bconn[j]->connection->fd == c->fd;
             j++)
        {
            iov[j].iov_base = ngx_meet_rtp_bbuf[j];
            iov[j].iov_len = ngx_meet_rtp_blen[j];

            ngx_memzero(&msg[j], sizeof(struct mmsghdr));
            msg[j].msg_hdr.msg_name = ngx_meet_rtp_bconn[j]->connection
                                      ->sockaddr;
            msg[j].msg_hdr.msg_namelen = ngx_meet_rtp_bconn[j]->connection
                                         ->socklen;
            msg[j].msg_hdr.msg_iov = &iov[j];
            msg[j].msg_hdr.msg_iovlen = 1;
        }

        rc = sendmmsg(c->fd, &msg[i], j - i, 0);

        ngx_meet_rtp_batches++;

        if (rc > 0) {
            ngx_meet_rtp_batched += rc;
        }

        if (rc != (int) (j - i)) {
            /* a full socket buffer drops the rest, as the network would */
            ngx_log_debug2(NGX_LOG_DEBUG_STREAM, c->log, ngx_errno,
                           "meet rtp: sendmmsg() of %ui datagrams: %d",
                           j - i, rc);
        }

#else
        j = i + 1;
        (void) ngx_meet_rtp_send(ngx_meet_rtp_bconn[i],
                                 ngx_meet_rtp_bbuf[i], ngx_meet_rtp_blen[i]);
#endif
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

    if (rc->peer && rc->peer->selected == rc) {
        /* the participant may come back from another address */
        rc->peer->selected = NULL;
    }

    rc->peer = NULL;
}
