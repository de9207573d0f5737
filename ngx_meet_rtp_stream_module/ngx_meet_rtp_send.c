
/*
 * Copyright (C) ngx_meet authors
 *
 * Output of the media port: a datagram to a client address, or an
 * RFC 4571 frame on an ICE-TCP connection (what cannot be written at once
 * waits in the connection's buffer; when that is full, packets are
 * dropped as a congested network would); the copies one incoming packet
 * produces, batched into one sendmmsg() per socket; RTCP to a peer,
 * protected with its SRTP session.  Nothing here allocates but an ICE-TCP
 * connection's write buffer, once, charged to meet_media_memory.
 */


#include "ngx_meet_rtp_stream.h"
#include "meet_srtp.h"


#if (MEET_SRTP_TAILROOM > NGX_MEET_RTP_SRTP_ROOM)
#error NGX_MEET_RTP_DGRAM_MAX leaves no room for SRTP
#endif


static ngx_int_t ngx_meet_rtp_tcp_send(ngx_meet_rtp_conn_t *rc, u_char *data,
    size_t len);
static ngx_int_t ngx_meet_rtp_tcp_send_now(ngx_meet_rtp_conn_t *rc,
    u_char *data, size_t len);


/* the largest frame a connection without a valid check is sent: a STUN
   answer */
#define NGX_MEET_RTP_TCP_EARLY  1024


/* one RTCP packet at a time, with SRTP's tailroom */
static u_char  ngx_meet_rtp_rtcp_out[NGX_MEET_RTP_DGRAM_MAX];


ngx_int_t
ngx_meet_rtp_send(ngx_meet_rtp_conn_t *rc, u_char *data, size_t len)
{
    ssize_t  n;

    if (rc->tcp) {
        return ngx_meet_rtp_tcp_send(rc, data, len);
    }

    /*
     * A UDP "connection" sends through its listening socket, which an
     * exiting worker has closed (its last packets, a DTLS close_notify as
     * participants go, would fail with EBADF): nothing leaves any more.
     */
    if (ngx_exiting || ngx_terminate) {
        return NGX_ERROR;
    }

    n = rc->connection->send(rc->connection, data, len);

    if (n == (ssize_t) len) {
        return NGX_OK;
    }

    /* a full socket buffer drops the datagram, as the network would */
    ngx_log_debug2(NGX_LOG_DEBUG_STREAM, rc->connection->log, 0,
                   "meet rtp: send of %uz bytes: %z", len, n);

    return NGX_ERROR;
}


/* ICE-TCP: frames out, through a buffer when the socket is full */

static ngx_int_t
ngx_meet_rtp_tcp_send(ngx_meet_rtp_conn_t *rc, u_char *data, size_t len)
{
    ssize_t            n;
    ngx_buf_t         *b;
    ngx_connection_t  *c;

    c = rc->connection;
    b = rc->out;

    if (rc->finalizing || len > 65535) {
        return NGX_ERROR;
    }

    if (b == NULL) {
        if (!rc->validated) {
            return ngx_meet_rtp_tcp_send_now(rc, data, len);
        }

        /* validated: its write buffer from now on, out of meet_media_memory
           (refused: the connection goes; the client has UDP, or another
           server) */
        if (ngx_meet_media_mem_charge(NGX_MEET_RTP_TCP_OUT) != NGX_OK) {
            ngx_meet_rtp_mem_refused++;
            ngx_log_error(NGX_LOG_WARN, c->log, 0,
                          "meet rtp: no write buffer for an ICE-TCP "
                          "connection, meet_media_memory is spent; closing");
            rc->finalizing = 1;
            ngx_post_event(&rc->fin, &ngx_posted_events);
            return NGX_ERROR;
        }

        b = ngx_create_temp_buf(c->pool, NGX_MEET_RTP_TCP_OUT);
        if (b == NULL) {
            ngx_meet_media_mem_release(NGX_MEET_RTP_TCP_OUT);
            return NGX_ERROR;
        }

        rc->charged = NGX_MEET_RTP_TCP_OUT;
        rc->out = b;
    }

    if ((size_t) (b->end - b->last) < len + 2) {
        if (b->pos != b->start) {
            ngx_memmove(b->start, b->pos, b->last - b->pos);
            b->last = b->start + (b->last - b->pos);
            b->pos = b->start;
        }

        if ((size_t) (b->end - b->last) < len + 2) {
            /* the client does not read: drop, as the network would */
            ngx_log_debug1(NGX_LOG_DEBUG_STREAM, c->log, 0,
                           "meet rtp: ICE-TCP buffer full, %uz bytes "
                           "dropped", len);
            return NGX_ERROR;
        }
    }

    *b->last++ = (u_char) (len >> 8);
    *b->last++ = (u_char) len;
    b->last = ngx_cpymem(b->last, data, len);

    if (c->write->ready) {
        n = c->send(c, b->pos, b->last - b->pos);

        if (n == NGX_ERROR) {
            rc->finalizing = 1;
            ngx_post_event(&rc->fin, &ngx_posted_events);
            return NGX_ERROR;
        }

        if (n > 0) {
            b->pos += n;
        }

        if (b->pos == b->last) {
            b->pos = b->start;
            b->last = b->start;
            return NGX_OK;
        }
    }

    if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * ICE-TCP before the first valid check (no write buffer yet): a STUN
 * answer goes straight out in one frame; what the socket does not take at
 * once is not kept, and a frame cut short ends the connection (the
 * framing would be lost).
 */

static ngx_int_t
ngx_meet_rtp_tcp_send_now(ngx_meet_rtp_conn_t *rc, u_char *data, size_t len)
{
    u_char             frame[2 + NGX_MEET_RTP_TCP_EARLY];
    ssize_t            n;
    ngx_connection_t  *c;

    c = rc->connection;

    if (len > NGX_MEET_RTP_TCP_EARLY || !c->write->ready) {
        return NGX_ERROR;
    }

    frame[0] = (u_char) (len >> 8);
    frame[1] = (u_char) len;
    ngx_memcpy(frame + 2, data, len);

    n = c->send(c, frame, len + 2);

    if (n == (ssize_t) (len + 2)) {
        return NGX_OK;
    }

    if (n > 0 || n == NGX_ERROR) {
        rc->finalizing = 1;
        ngx_post_event(&rc->fin, &ngx_posted_events);
    }

    return NGX_ERROR;
}


/* ICE-TCP: the socket can take more of what waits */

void
ngx_meet_rtp_tcp_flush(ngx_meet_rtp_conn_t *rc)
{
    ssize_t            n;
    ngx_buf_t         *b;
    ngx_connection_t  *c;

    c = rc->connection;
    b = rc->out;

    if (b && b->pos < b->last) {
        n = c->send(c, b->pos, b->last - b->pos);

        if (n == NGX_ERROR) {
            rc->finalizing = 1;
            ngx_post_event(&rc->fin, &ngx_posted_events);
            return;
        }

        if (n > 0) {
            b->pos += n;
        }

        if (b->pos == b->last) {
            b->pos = b->start;
            b->last = b->start;
        }
    }

    if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
        rc->finalizing = 1;
        ngx_post_event(&rc->fin, &ngx_posted_events);
    }
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

        if (ngx_meet_rtp_bconn[i]->tcp) {
            j = i + 1;
            (void) ngx_meet_rtp_tcp_send(ngx_meet_rtp_bconn[i],
                                         ngx_meet_rtp_bbuf[i],
                                         ngx_meet_rtp_blen[i]);
            continue;
        }

#if (NGX_LINUX)

        /* a run of datagrams on the same socket: one sendmmsg() */

        for (j = i;
             j < n && !ngx_meet_rtp_bconn[j]->tcp
             && ngx_meet_rtp_bconn[j]->connection->fd == c->fd;
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


u_char *
ngx_meet_rtp_rtcp_buf(void)
{
    return ngx_meet_rtp_rtcp_out;
}


ngx_int_t
ngx_meet_rtp_send_rtcp(ngx_meet_rtp_peer_t *peer, size_t len)
{
    /* no media without consent (RFC 7675) */
    if (peer->srtp == NULL || peer->selected == NULL
        || !peer->selected->consent || len > NGX_MEET_RTP_MTU)
    {
        return NGX_ERROR;
    }

    if (meet_srtp_protect_rtcp(peer->srtp, ngx_meet_rtp_rtcp_out, &len,
                               sizeof(ngx_meet_rtp_rtcp_out))
        != MEET_SRTP_OK)
    {
        return NGX_ERROR;
    }

    (void) ngx_meet_rtp_send(peer->selected, ngx_meet_rtp_rtcp_out, len);

    return NGX_OK;
}
