
/*
 * Copyright (C) ngx_meet authors
 *
 * Shared declarations of ngx_meet_rtp_stream_module's files.  The files
 * are layered, each calling only those below it (never up: a lower file
 * reaches a higher one only through the events and callbacks it is
 * given):
 *
 *     ngx_meet_rtp_stream_module.c  module, configuration, /healthz
 *     ngx_meet_rtp_conn.c        stream handler, UDP/TCP read, demux
 *     ngx_meet_rtp_ice.c            ICE-lite checks, the selected pair
 *     ngx_meet_rtp_peer.c           a participant's media: its life, SRTP
 *                                   unprotect, RTP/RTCP dispatch
 *     ngx_meet_rtp_dtls.c           the DTLS handshake, SRTP keying,
 *                                   application data to and from SCTP
 *     ngx_meet_rtp_sctp.c           data channels: SCTP (usrsctp on the
 *                                   event loop), DCEP, whole messages
 *     ngx_meet_rtp_forward.c        forwarding, fan-out, NACK, RR, TWCC
 *     ngx_meet_rtp_send.c           output: sends, ICE-TCP frames out,
 *                                   sendmmsg() batches, RTCP
 *     ngx_meet_rtp_stats.c          per-worker counters
 *
 * and lib/ holds the protocol libraries (plain C, no nginx header) they
 * all use.  Everything runs in one worker; nothing here is thread-safe.
 */


#ifndef _NGX_MEET_RTP_STREAM_H_INCLUDED_
#define _NGX_MEET_RTP_STREAM_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_stream.h>
#include "ngx_meet_core.h"
#include "ngx_meet_media.h"


/* the largest RTP or RTCP packet handled, before SRTP */
#define NGX_MEET_RTP_MTU          1500

/* what SRTP may add to one: MEET_SRTP_TAILROOM (checked in send.c) */
#define NGX_MEET_RTP_SRTP_ROOM    148

/* an outgoing datagram: a packet and its SRTP trailer */
#define NGX_MEET_RTP_DGRAM_MAX    (NGX_MEET_RTP_MTU + NGX_MEET_RTP_SRTP_ROOM)

#define NGX_MEET_RTP_TCP_OUT      65536     /* an ICE-TCP write buffer */

#define NGX_MEET_TWCC_WINDOW      1024
#define NGX_MEET_TWCC_INTERVAL    100       /* ms between feedbacks */

#define NGX_MEET_RTP_TID_LEN      12        /* a STUN transaction id */


typedef struct ngx_meet_rtp_conn_s  ngx_meet_rtp_conn_t;
typedef struct ngx_meet_rtp_peer_s  ngx_meet_rtp_peer_t;


typedef struct {
    ngx_flag_t                enable;
    ngx_array_t              *external;     /* of ngx_str_t */
    ngx_msec_t                session_timeout;
    ngx_uint_t                tcp_pending;  /* ICE-TCP connections without
                                               a valid check, per worker */
    ngx_msec_t                tcp_pending_timeout;
    size_t                    rtcp_max_size;     /* an SRTCP datagram */
    ngx_uint_t                rtcp_max_packets;  /* handled of a compound */
    ngx_msec_t                nack_window;  /* between resends of one
                                               packet to a subscriber */
    ngx_uint_t                nack_resends; /* of one packet, in all */
    ngx_uint_t                nack_rate;    /* % of the media rate */
    ngx_msec_t                consent_interval;  /* RFC 7675: our requests */
    ngx_msec_t                consent_timeout;   /* no answer: no media */
    ngx_uint_t                history_min;  /* packets of a video track's */
    ngx_uint_t                history_max;  /*   NACK history */
    size_t                    data_max_message;  /* a data channel message
                                               received (reassembled) */
    size_t                    data_buffer;  /* SCTP send buffer of a
                                               participant */
#if (NGX_MEET_TEST_HOOKS)
    ngx_uint_t                test_drop;    /* drop every n-th forwarded
                                               video packet (tests) */
    ngx_uint_t                test_drop_upstream;  /* every n-th received */
    ngx_flag_t                test_data_echo;    /* data messages back to
                                               their sender (tests) */
#endif
} ngx_meet_rtp_srv_conf_t;


/* why datagrams were dropped: counted per worker, shown in /healthz */
typedef enum {
    NGX_MEET_DROP_UNKNOWN = 0,        /* not STUN, DTLS, RTP or RTCP */
    NGX_MEET_DROP_UNBOUND,            /* no valid ICE check from there yet */
    NGX_MEET_DROP_STUN_MALFORMED,
    NGX_MEET_DROP_STUN_UNKNOWN_UFRAG,
    NGX_MEET_DROP_STUN_INTEGRITY,
    NGX_MEET_DROP_STUN_OTHER,
    NGX_MEET_DROP_STUN_RESPONSE,      /* not an answer to our request */
    NGX_MEET_DROP_DTLS,
    NGX_MEET_DROP_SRTP_AUTH,
    NGX_MEET_DROP_SRTP_REPLAY,
    NGX_MEET_DROP_SRTP_OTHER,
    NGX_MEET_DROP_NO_SRTP,            /* media before DTLS finished */
    NGX_MEET_DROP_RTCP_SIZE,          /* SRTCP over meet_rtp_rtcp_max_size */
    NGX_MEET_DROP_LAST
} ngx_meet_rtp_drop_e;


/* a client transport address (nginx keeps one UDP "connection" each) */
struct ngx_meet_rtp_conn_s {
    ngx_stream_session_t     *session;
    ngx_connection_t         *connection;
    ngx_meet_rtp_srv_conf_t  *conf;
    ngx_meet_rtp_peer_t      *peer;         /* when this is the selected
                                               pair of a participant */
    ngx_event_t               fin;          /* posted: finalize */

    /* ICE-TCP (RFC 6544, RFC 4571 framing): what came in and what waits
       to go out */
    ngx_buf_t                *in;
    ngx_buf_t                *out;
    size_t                    charged;      /* bytes of meet_media_memory:
                                               the ICE-TCP write buffer */
    unsigned                  tcp:1;

    /*
     * RFC 7675 consent (ngx_meet_rtp_ice.c): our Binding requests to this
     * address while it is a participant's selected address, or the one a
     * nomination wants media to move to ("want"); media goes to it only
     * while "consent" is set: an answer came within meet_rtp_consent_timeout
     */
    ngx_event_t               consent_ev;
    ngx_meet_rtp_peer_t      *want;
    ngx_msec_t                consent_start; /* the first request of the
                                               round */
    ngx_msec_t                consent_at;   /* the last valid answer */
    ngx_msec_t                consent_sent; /* our last request */
    ngx_uint_t                consent_tries; /* unanswered requests */
    u_char                    tid[2][NGX_MEET_RTP_TID_LEN];  /* the last
                                               two requests, tid[0] last */
    unsigned                  tid_live:2;   /* which may still be answered */
    unsigned                  consent:1;

    unsigned                  validated:1;  /* a valid ICE check came */
    unsigned                  pending:1;    /* ICE-TCP, not validated yet:
                                               counted in tcp_pending */
    unsigned                  nominated:1;  /* USE-CANDIDATE came */
    unsigned                  finalizing:1;
};


/* the media side of a participant, alive while its signaling is */
struct ngx_meet_rtp_peer_s {
    ngx_meet_media_transport_t *media;
    ngx_meet_rtp_conn_t      *selected;
    ngx_meet_rtp_conn_t      *candidate;    /* nominated, not answering
                                               our consent request yet */
    void                     *dtls;         /* meet_dtls_session_t */
    void                     *srtp;         /* meet_srtp_t */
    void                     *sctp;         /* ngx_meet_rtp_sctp_t: its
                                               data channels, once the
                                               client spoke SCTP */
    ngx_event_t               dtls_timer;
    ngx_log_t                *log;
    uint64_t                  rx_rtp;
    uint64_t                  tx_rtp;
    uint64_t                  tx_nack;      /* retransmissions sent */
#if (NGX_MEET_TEST_HOOKS)
    uint64_t                  tx_dropped;   /* meet_rtp_test_drop */
    uint64_t                  rx_dropped;   /* meet_rtp_test_drop_upstream */
#endif

    /* transport-wide CC: arrivals since the last feedback (by seq % N) */
    ngx_event_t               twcc_timer;
    ngx_event_t               rr_timer;     /* receiver reports */
    int64_t                   twcc_arrival[NGX_MEET_TWCC_WINDOW];
    uint16_t                  twcc_seq[NGX_MEET_TWCC_WINDOW];
    uint16_t                  twcc_base;
    uint16_t                  twcc_max;
    uint32_t                  twcc_media_ssrc;
    uint8_t                   twcc_count;
    unsigned                  twcc_have:1;
    uint64_t                  rx_rtcp;
    uint64_t                  rx_bytes;
    unsigned                  connected:1;  /* DTLS done, SRTP keyed */
    unsigned                  failed:1;
};


/*
 * Media (RTP, RTCP) may go to peer: SRTP is keyed and its selected address
 * answers our consent requests (RFC 7675).  DTLS and STUN answers need
 * only a selected address.
 */
#define ngx_meet_rtp_sending(peer)                                            \
    ((peer)->connected && (peer)->selected != NULL                           \
     && (peer)->selected->consent)


/* a counter and its name in /healthz */
typedef struct {
    const char               *name;
    ngx_uint_t               *value;
} ngx_meet_rtp_counter_t;


extern ngx_module_t  ngx_meet_rtp_stream_module;


/* the stream handler of "meet_rtp" (ngx_meet_rtp_conn.c) */
void ngx_meet_rtp_conn_handler(ngx_stream_session_t *s);
void ngx_meet_rtp_conns_close(ngx_cycle_t *cycle);

/*
 * ICE-lite (ngx_meet_rtp_ice.c): a STUN message from rc's address;
 * ngx_meet_rtp_consent_stop(): rc goes, or is no longer the selected or
 * the wanted address of a participant: no more consent requests to it.
 */
void ngx_meet_rtp_stun(ngx_meet_rtp_conn_t *rc, u_char *p, size_t n);
void ngx_meet_rtp_consent_stop(ngx_meet_rtp_conn_t *rc);

/*
 * A participant's media (ngx_meet_rtp_peer.c): made at its first valid
 * ICE check (NULL without memory), freed when its signaling removes its
 * media transport.  ngx_meet_rtp_srtp(): an SRTP or SRTCP packet from its
 * selected address, decrypted in place and dispatched.
 */
ngx_meet_rtp_peer_t *ngx_meet_rtp_peer_create(ngx_meet_media_transport_t *ms);
void ngx_meet_rtp_peer_hooks_init(void);
void ngx_meet_rtp_srtp(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n);

/*
 * DTLS-SRTP (ngx_meet_rtp_dtls.c).  _peer_init() and _peer_free() set up
 * and end the peer's DTLS side (its retransmission timer, its session,
 * a close_notify when connected); ngx_meet_rtp_dtls(): a DTLS record.
 */
ngx_int_t ngx_meet_rtp_dtls_init_process(ngx_cycle_t *cycle);
void ngx_meet_rtp_dtls_exit_process(ngx_cycle_t *cycle);
void ngx_meet_rtp_dtls_peer_init(ngx_meet_rtp_peer_t *peer);
void ngx_meet_rtp_dtls_peer_free(ngx_meet_rtp_peer_t *peer);
void ngx_meet_rtp_dtls(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n);

/*
 * Data channels (ngx_meet_rtp_sctp.c): SCTP over DTLS (RFC 8261), DCEP
 * (RFC 8832).  ngx_meet_rtp_sctp_input(): a DTLS record of application
 * data (an SCTP packet) from the peer; the peer's association is made at
 * the first.  ngx_meet_rtp_sctp_deliver(): the whole messages they
 * completed go to the signal module (ngx_meet_media_data()), which may
 * free the peer: call it last, when the datagram is done with.  SCTP packets leave through ngx_meet_rtp_sctp_output, the
 * hook ngx_meet_rtp_dtls.c sets (one record each; NGX_ERROR: not sent).
 * _peer_free(): the association is aborted and freed (before the DTLS
 * session goes).  _hooks_init(): at postconfiguration, the sender of
 * ngx_meet_media.h (rule 8).  _exit_process(): usrsctp ends.
 */
typedef ngx_int_t (*ngx_meet_rtp_sctp_output_pt)(ngx_meet_rtp_peer_t *peer,
    u_char *p, size_t n);

extern ngx_meet_rtp_sctp_output_pt  ngx_meet_rtp_sctp_output;

void ngx_meet_rtp_sctp_hooks_init(void);
void ngx_meet_rtp_sctp_input(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n);
void ngx_meet_rtp_sctp_deliver(ngx_meet_rtp_peer_t *peer);
void ngx_meet_rtp_sctp_peer_free(ngx_meet_rtp_peer_t *peer);
void ngx_meet_rtp_sctp_exit_process(ngx_cycle_t *cycle);

/*
 * Forwarding (ngx_meet_rtp_forward.c): decrypted RTP and RTCP of a peer.
 * _peer_init() and _peer_free() set up and stop its feedback timers
 * (transport-wide CC, receiver reports).
 */
void ngx_meet_rtp_forward_hooks_init(void);
void ngx_meet_rtp_forward_peer_init(ngx_meet_rtp_peer_t *peer);
void ngx_meet_rtp_forward_peer_free(ngx_meet_rtp_peer_t *peer);
void ngx_meet_rtp_forward(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n);
void ngx_meet_rtp_feedback(ngx_meet_rtp_peer_t *peer, u_char *p, size_t n);

/*
 * Output (ngx_meet_rtp_send.c).  ngx_meet_rtp_send(): one datagram (a
 * frame on ICE-TCP) to rc; NGX_ERROR when it was dropped (a full socket
 * or ICE-TCP buffer drops, as the network would).
 * ngx_meet_rtp_tcp_flush(): an ICE-TCP connection became writable: what
 * waits in its buffer goes out.
 */
ngx_int_t ngx_meet_rtp_send(ngx_meet_rtp_conn_t *rc, u_char *data,
    size_t len);
void ngx_meet_rtp_tcp_flush(ngx_meet_rtp_conn_t *rc);

/*
 * Batched sends: write a datagram into ngx_meet_rtp_batch_buf() (at most
 * NGX_MEET_RTP_DGRAM_MAX bytes), queue it with ngx_meet_rtp_batch_add(),
 * send what is queued with ngx_meet_rtp_batch_flush() before returning to
 * the event loop.
 */
u_char *ngx_meet_rtp_batch_buf(void);
void ngx_meet_rtp_batch_add(ngx_meet_rtp_conn_t *rc, size_t len);
void ngx_meet_rtp_batch_flush(void);

/*
 * RTCP to a peer: build at most NGX_MEET_RTP_MTU bytes into
 * ngx_meet_rtp_rtcp_buf() (room for SRTP follows them), then
 * ngx_meet_rtp_send_rtcp() protects them in place with the peer's SRTP
 * session and sends them to its selected address.  NGX_OK when protected
 * and sent (the network may still drop it), NGX_ERROR when the packet
 * could not be protected or the peer has no SRTP session, no address or
 * no consent from it (RFC 7675).
 */
u_char *ngx_meet_rtp_rtcp_buf(void);
ngx_int_t ngx_meet_rtp_send_rtcp(ngx_meet_rtp_peer_t *peer, size_t len);

/* per-worker counters (ngx_meet_rtp_stats.c), zeroed by _stats_init() */
extern ngx_uint_t              ngx_meet_rtp_npeers;
extern ngx_uint_t              ngx_meet_rtp_drops[NGX_MEET_DROP_LAST];
extern ngx_uint_t              ngx_meet_rtp_retransmits;
extern ngx_uint_t              ngx_meet_rtp_nack_repeats;
extern ngx_uint_t              ngx_meet_rtp_nack_over_rate;
extern ngx_uint_t              ngx_meet_rtp_rtcp_ignored;
extern ngx_uint_t              ngx_meet_rtp_nacks_sent;
extern ngx_uint_t              ngx_meet_rtp_rtx_received;
extern ngx_uint_t              ngx_meet_rtp_plis_sent;
extern ngx_uint_t              ngx_meet_rtp_recovered;
extern ngx_uint_t              ngx_meet_rtp_unrecovered;
extern ngx_uint_t              ngx_meet_rtp_rr_sent;
extern ngx_uint_t              ngx_meet_rtp_batches;
extern ngx_uint_t              ngx_meet_rtp_batched;
extern ngx_uint_t              ngx_meet_rtp_layer_switches;
extern ngx_uint_t              ngx_meet_rtp_mem_refused;
extern ngx_uint_t              ngx_meet_rtp_history_slots;
extern const char             *ngx_meet_rtp_drop_names[NGX_MEET_DROP_LAST];

/* data channels: messages and bytes each way, why messages were dropped */
typedef enum {
    NGX_MEET_DATA_DROP_TOO_BIG = 0,   /* over meet_rtp_data_max_message */
    NGX_MEET_DATA_DROP_BUFFER_FULL,   /* a send over meet_rtp_data_buffer */
    NGX_MEET_DATA_DROP_UNKNOWN_STREAM,  /* no open channel on its stream */
    NGX_MEET_DATA_DROP_DATA_TRACK,    /* "_data_track": not routed yet */
    NGX_MEET_DATA_DROP_BAD_PPID,      /* not a message PPID (RFC 8831) */
    NGX_MEET_DATA_DROP_CHANNEL_REFUSED,  /* an OPEN of a label not ours */
    NGX_MEET_DATA_DROP_DCEP_MALFORMED,
    NGX_MEET_DATA_DROP_NO_MEMORY,     /* meet_media_memory, malloc */
    NGX_MEET_DATA_DROP_SEND_ERROR,
    NGX_MEET_DATA_DROP_LAST
} ngx_meet_rtp_data_drop_e;

extern ngx_uint_t              ngx_meet_rtp_data_drops[NGX_MEET_DATA_DROP_LAST];
extern const char             *ngx_meet_rtp_data_drop_names[
                                   NGX_MEET_DATA_DROP_LAST];
extern ngx_meet_rtp_counter_t  ngx_meet_rtp_data_counters[];   /* NULL-ended */
extern ngx_uint_t              ngx_meet_rtp_data_in;
extern ngx_uint_t              ngx_meet_rtp_data_in_bytes;
extern ngx_uint_t              ngx_meet_rtp_data_out;
extern ngx_uint_t              ngx_meet_rtp_data_out_bytes;
extern ngx_uint_t              ngx_meet_rtp_data_channels;
extern ngx_uint_t              ngx_meet_rtp_data_assocs;
extern ngx_meet_rtp_counter_t  ngx_meet_rtp_counters[];  /* NULL-ended,
                                                             for /healthz */

void ngx_meet_rtp_stats_init(void);

/*
 * Log lines about what a flood can repeat, at most one a second per limit
 * (a static ngx_meet_rtp_log_limit_t each): ngx_meet_rtp_log_limit()
 * returns 1 when a line may be logged now, with in *quiet how many were
 * not since the last one, else 0 (that one is counted as not logged).
 */
typedef struct {
    ngx_msec_t                logged;
    ngx_uint_t                quiet;
} ngx_meet_rtp_log_limit_t;

ngx_uint_t ngx_meet_rtp_log_limit(ngx_meet_rtp_log_limit_t *ll,
    ngx_uint_t *quiet);


#endif /* _NGX_MEET_RTP_STREAM_H_INCLUDED_ */
