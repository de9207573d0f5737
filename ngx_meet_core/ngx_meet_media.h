
/*
 * Copyright (C) ngx_meet authors
 *
 * The signal/media contract: the forwarding table of a worker (media
 * transports, uptracks, downtracks), its registry, and the events between
 * the signal module (LiveKit signaling: ngx_meet_signal_module) and the
 * media module (the SFU: ngx_meet_rtp_stream_module).  Janus's plugin.h
 * plays this part between its core and its plugins.
 *
 * The rules:
 *
 * 1. One worker.  The table lives in the heap of the worker that holds the
 *    participant's signaling; the media module reads it for every packet
 *    in the same worker, between events: no locks, no shared memory.
 *
 * 2. One owner.  Only ngx_meet_media.c allocates and frees entries:
 *    ngx_meet_media_transport_create/free, ngx_meet_media_uptrack_add/free,
 *    ngx_meet_media_downtrack_add/free.  Freeing an entry frees what
 *    hangs on it (an uptrack its layers and its downtracks, a transport its
 *    uptracks and downtracks) and takes it out of every list it is in.
 *
 * 3. Private state is released by hooks.  Each side may hang its own state
 *    on an entry: "owner" (the signal module's participant, track or
 *    slot) and "media" (the media module's per-entry state, which it
 *    allocates itself).  Before an entry is freed the free hooks run
 *    (ngx_meet_media_top_*_free, chained as nginx chains its filters: a
 *    module saves the top in its own "next" at postconfiguration, puts its
 *    handler on top, and calls next from it).  Nobody frees another
 *    side's private state.
 *
 * 4. Who writes which field.  Each struct below is in three parts:
 *      negotiated - written by the signal module from the offers and the
 *                   subscriber's wishes; the media module only reads;
 *      learnt     - written by the media module from the packets; the
 *                   signal module reads them, through the accessors below
 *                   where a value is consumed (audio levels);
 *      structure  - the links: written by ngx_meet_media.c only.
 *    An uptrack's SSRCs are the one shared case: the signal module sets
 *    them when the offer names them, else the media module learns them
 *    from the first packet that names the mid (and rid).
 *
 * 5. Events, not polled fields.  The media module reports a transport's ICE
 *    and DTLS state with ngx_meet_media_state() (handlers chained on
 *    ngx_meet_media_top_state); audio levels accumulate in counters that
 *    only grow, read with ngx_meet_media_audio_read() against the reader's
 *    own snapshot; a subscriber's downlink cap is the media module's own
 *    (it judges the receiver reports), the signal module never sees it.
 *
 * 6. One codec list: NGX_MEET_CODEC_*.  The RTP library (nginx-free) has
 *    its own numbering, MEET_RTP_CODEC_*; the media module checks at
 *    compile time that both agree.
 *
 * 7. One memory budget per worker for media: meet_media_memory (core
 *    configuration).  The media module charges the large state it hangs
 *    on entries (packet histories, ICE-TCP buffers) with
 *    ngx_meet_media_mem_charge() before it allocates, and gives it back
 *    with ngx_meet_media_mem_release() when it frees; a refused charge
 *    means "do without" (no history, no connection), never a crash.  The
 *    signal module refuses a new participant while
 *    ngx_meet_media_mem_full(): less than a sixteenth of the budget left
 *    (kept for the tracks of those in), or a charge refused since the
 *    last release (JoinResponse time: the WebSocket upgrade is answered
 *    with an error and a log line).
 *
 * 8. Data channels (SCTP over DTLS, RFC 8261/8831/8832) carry whole
 *    messages both ways.  The media module owns SCTP and DCEP: it accepts
 *    the channels the client opens and reports each complete message with
 *    ngx_meet_media_data() (handlers chained on ngx_meet_media_top_data,
 *    as the state events), with the channel's kind: reliable (ordered,
 *    reliable: livekit-client's "_reliable") or lossy (unordered,
 *    maxRetransmits 0: "_lossy").  The signal module decodes, checks and
 *    routes them (LiveKit DataPackets) and sends with
 *    ngx_meet_media_data_send(), which queues on the transport's channel
 *    of that kind within the media module's bounded buffer: NGX_OK
 *    (queued), NGX_AGAIN (no room: dropped, the caller counts it),
 *    NGX_DECLINED (no such channel open yet, or no data plane), NGX_ERROR.
 *    The media module registers its sender at postconfiguration
 *    (ngx_meet_media_data_sender); without one every send is declined.
 *
 * The multi-worker design will cut here: everything one side needs of the
 * other goes through this header.
 */


#ifndef _NGX_MEET_MEDIA_H_INCLUDED_
#define _NGX_MEET_MEDIA_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


typedef struct ngx_meet_media_transport_s  ngx_meet_media_transport_t;
typedef struct ngx_meet_uptrack_s        ngx_meet_uptrack_t;
typedef struct ngx_meet_downtrack_s      ngx_meet_downtrack_t;


#define NGX_MEET_MAX_UPTRACKS           48
#define NGX_MEET_MAX_DOWNTRACKS         64
#define NGX_MEET_MAX_LAYERS             3      /* simulcast layers */

/* meet_media_memory: default, and the least that holds one participant */
#define NGX_MEET_MEDIA_MEMORY_DEFAULT   (512 * 1024 * 1024)
#define NGX_MEET_MEDIA_MEMORY_MIN       (4 * 1024 * 1024)

#define NGX_MEET_ICE_UFRAG_MAX          32     /* ours: 16 ice-chars */
#define NGX_MEET_ICE_PWD_MAX            64     /* ours: 32 ice-chars */
#define NGX_MEET_ICE_REMOTE_PWD_MAX     256    /* RFC 8839 5.4: 22 to 256 */


/* payload formats of the forwarded media (checked against MEET_RTP_CODEC_*) */
#define NGX_MEET_CODEC_AUDIO            0
#define NGX_MEET_CODEC_VP8              1
#define NGX_MEET_CODEC_VP9              2
#define NGX_MEET_CODEC_H264             3
#define NGX_MEET_CODEC_AV1              4


/*
 * A transport's ICE and DTLS state, as the media module reports it.
 * ICE_DISCONNECTED: the selected address stopped answering our consent
 * requests (RFC 7675) and media to it stopped; ICE_CONNECTED follows when
 * the client comes back (from any address, ICE restart included).
 */
typedef enum {
    NGX_MEET_MEDIA_ICE_CONNECTED = 1,
    NGX_MEET_MEDIA_DTLS_CONNECTED,
    NGX_MEET_MEDIA_FAILED,
    NGX_MEET_MEDIA_CLOSED,
    NGX_MEET_MEDIA_ICE_DISCONNECTED,
    NGX_MEET_MEDIA_DATA_OPEN            /* its reliable data channel opened
                                           (rule 8): sends of that kind go
                                           through from now on */
} ngx_meet_media_state_e;


/*
 * RFC 6464 audio levels of an uptrack, counters that only grow: packets
 * with a level, how many of them loud enough, their summed amplitude
 * (0..65535 each).  Unsigned arithmetic makes deltas right across wraps.
 */
typedef struct {
    uint32_t                  packets;
    uint32_t                  loud;
    uint64_t                  amplitude;
} ngx_meet_media_audio_t;


/*
 * An uptrack is a stream a participant publishes (one SSRC); each of its
 * downtracks sends it to one subscriber in one of the subscriber's media
 * sections.  Simulcast: one uptrack per layer, lowest first; layer 0 is
 * the "main" uptrack and holds the layers and the downtracks.  Without
 * simulcast an uptrack is its own main, one layer.
 */

struct ngx_meet_uptrack_s {
    /* negotiated */
    u_char                    mid[32];
    size_t                    mid_len;
    u_char                    rid[16];       /* simulcast layer */
    size_t                    rid_len;
    uint8_t                   pt;            /* the publisher's payload type */
    uint8_t                   rtx_pt;
    unsigned                  video:1;
    unsigned                  codec:4;       /* NGX_MEET_CODEC_* */

    /* negotiated or learnt (rule 4): 0 until known */
    uint32_t                  ssrc;
    uint32_t                  rtx_ssrc;      /* RFC 4588 stream, 0: none */

    /* learnt */
    ngx_msec_t                last_rx;       /* its last packet, 0: none */
    ngx_msec_t                last_pli;      /* our last PLI for it */
    ngx_meet_media_audio_t    audio;         /* ngx_meet_media_audio_level() */

    /* structure */
    ngx_meet_media_transport_t *pub;
    ngx_meet_downtrack_t     *down;          /* list by next (on main) */
    ngx_meet_uptrack_t       *main;
    ngx_meet_uptrack_t       *layers[NGX_MEET_MAX_LAYERS];
    ngx_uint_t                nlayers;
    ngx_uint_t                layer;         /* this uptrack's index */

    void                     *owner;         /* the signal module's track */
    void                     *media;         /* the media module's state */
};


struct ngx_meet_downtrack_s {
    /* negotiated */
    uint32_t                  ssrc;          /* what the subscriber sees */
    uint32_t                  rtx_ssrc;      /* RFC 4588 towards the
                                                subscriber, 0: none */
    uint8_t                   rtx_pt;        /* the subscriber's */
    uint8_t                   pt_map[128];   /* publisher PT -> subscriber
                                                PT + 1; 0: not forwarded */
    u_char                    mid[32];
    size_t                    mid_len;
    ngx_uint_t                max_layer;     /* the highest it asked for */
    unsigned                  paused:1;      /* the subscriber disabled it */

    /* learnt: the media module's forwarding state */
    ngx_uint_t                cur_layer;     /* simulcast: forwarded now */
    ngx_uint_t                cap_layer;     /* the highest its downlink
                                                takes (receiver reports) */
    ngx_msec_t                cap_changed;
    ngx_uint_t                loss_reports;  /* lossy reports in a row */
    uint32_t                  packets;       /* sent, for sender reports */
    uint32_t                  octets;
    uint16_t                  rtx_seq;
    unsigned                  need_keyframe:1;   /* set by
                                                ngx_meet_media_downtrack_add()
                                                and _resume() */

    /* structure */
    ngx_meet_downtrack_t     *next;          /* of the same uptrack */
    ngx_meet_uptrack_t       *up;            /* the main uptrack */
    ngx_meet_media_transport_t *sub;

    void                     *owner;         /* the signal module's slot */
    void                     *media;         /* the media module's state */
};


struct ngx_meet_media_transport_s {
    ngx_rbtree_node_t         node;          /* key: crc32 of local_ufrag */

    /* ours, copied at creation: the media module checks STUN with them */
    ngx_str_t                 local_ufrag;
    ngx_str_t                 local_pwd;

    /* negotiated: from the client's offer (its latest: an ICE restart
       changes them); the media module signs its consent requests with
       remote_pwd (RFC 7675) */
    u_char                    remote_ufrag[64];
    size_t                    remote_ufrag_len;
    u_char                    remote_pwd[NGX_MEET_ICE_REMOTE_PWD_MAX];
    size_t                    remote_pwd_len;
    u_char                    remote_fp[32];  /* SHA-256 of its cert */
    unsigned                  has_remote_fp:1;

    /* negotiated: the publisher's RFC 8285 ids (one map: BUNDLE), 0: none */
    uint8_t                   ext_mid;
    uint8_t                   ext_rid;
    uint8_t                   ext_twcc;
    uint8_t                   ext_rrid;      /* repaired-rtp-stream-id */
    uint8_t                   ext_audio_level;   /* RFC 6464 */

    /* structure: what it publishes and what it receives */
    ngx_meet_uptrack_t       *up[NGX_MEET_MAX_UPTRACKS];
    ngx_uint_t                nup;
    ngx_meet_downtrack_t     *down[NGX_MEET_MAX_DOWNTRACKS];
    ngx_uint_t                ndown;

    ngx_log_t                *log;
    void                     *owner;         /* the signal module's
                                                participant */
    void                     *media;         /* the media module's state */

    u_char                    ufrag_buf[NGX_MEET_ICE_UFRAG_MAX];
    u_char                    pwd_buf[NGX_MEET_ICE_PWD_MAX];
};


/* ---- the table (signal module) ---------------------------------------- */

/*
 * A participant's transport, registered under our ICE ufrag at once (the
 * media module finds it when the client's first STUN check comes);
 * NULL on no memory or credentials too long.
 */
ngx_meet_media_transport_t *ngx_meet_media_transport_create(ngx_str_t *ufrag,
    ngx_str_t *pwd, void *owner, ngx_log_t *log);

/* out of the registry; frees its uptracks and downtracks, then itself */
void ngx_meet_media_transport_free(ngx_meet_media_transport_t *ms);

/* a main uptrack of pub (layer 0); NULL: the table is full, or no memory */
ngx_meet_uptrack_t *ngx_meet_media_uptrack_add(ngx_meet_media_transport_t *pub,
    void *owner);

/* layer k (1 .. NGX_MEET_MAX_LAYERS - 1) of a main uptrack: made with the
 * main's negotiated fields and mid at the first call; NULL: table full */
ngx_meet_uptrack_t *ngx_meet_media_uptrack_layer(ngx_meet_uptrack_t *main,
    ngx_uint_t k);

/* a main uptrack with its layers and every downtrack of it */
void ngx_meet_media_uptrack_free(ngx_meet_uptrack_t *main);

/* a downtrack of main towards sub, not yet forwarding (no pt_map): the
 * caller fills the negotiated part; NULL: the table is full, or no memory */
ngx_meet_downtrack_t *ngx_meet_media_downtrack_add(
    ngx_meet_media_transport_t *sub, ngx_meet_uptrack_t *main);

/* sub's downtrack of main, or NULL */
ngx_meet_downtrack_t *ngx_meet_media_downtrack_find(
    ngx_meet_media_transport_t *sub, ngx_meet_uptrack_t *main);

void ngx_meet_media_downtrack_free(ngx_meet_downtrack_t *d);

/* a paused downtrack forwards again, from a key frame */
void ngx_meet_media_downtrack_resume(ngx_meet_downtrack_t *d);


/* ---- the registry and the events (media module) ----------------------- */

ngx_meet_media_transport_t *ngx_meet_media_transport_find(const u_char *ufrag,
    size_t len);

/* a transport's ICE or DTLS state changed: runs ngx_meet_media_top_state */
void ngx_meet_media_state(ngx_meet_media_transport_t *ms,
    ngx_meet_media_state_e state);

/*
 * The RFC 6464 level (0..127 dB below full scale) of a packet of up, for
 * the active speakers the signal module reports: counted as loud at
 * NGX_MEET_SPEAKING_DBOV or above (LiveKit's default active level), its
 * amplitude summed when loud (10^(-level/20) in 1/65535).
 */
#define NGX_MEET_SPEAKING_DBOV          35

void ngx_meet_media_audio_level(ngx_meet_uptrack_t *up, ngx_uint_t level);

/*
 * What up's levels added since the reader's snapshot "seen" (into delta),
 * and the snapshot moves on.  A new uptrack starts from zero: a reader
 * that keeps a snapshot across uptracks zeroes it when the uptrack changes.
 */
void ngx_meet_media_audio_read(ngx_meet_uptrack_t *up,
    ngx_meet_media_audio_t *seen, ngx_meet_media_audio_t *delta);

/* NGX_MEET_CODEC_* of a MIME type such as "video/VP8" */
ngx_uint_t ngx_meet_media_codec(const char *mime);


/* ---- data channels (rule 8) -------------------------------------------- */

typedef enum {
    NGX_MEET_MEDIA_DATA_RELIABLE = 0,      /* livekit-client's "_reliable" */
    NGX_MEET_MEDIA_DATA_LOSSY              /* "_lossy" */
} ngx_meet_media_data_kind_e;

/* the media module: a whole message came on one of ms's data channels */
void ngx_meet_media_data(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len);

/* the signal module: a whole message to ms on its channel of that kind */
ngx_int_t ngx_meet_media_data_send(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len);


/* ---- the worker's memory budget for media (rule 7) -------------------- */

/* NGX_OK and counted, or NGX_DECLINED: the budget has no room for size */
ngx_int_t ngx_meet_media_mem_charge(size_t size);
void ngx_meet_media_mem_release(size_t size);
/* 1 when the budget is spent (a sixteenth left, or a charge refused since
   the last release): no new participant */
ngx_uint_t ngx_meet_media_mem_full(void);
/* bytes charged now, the budget, and the charges refused so far */
void ngx_meet_media_mem_stats(size_t *used, size_t *budget,
    ngx_uint_t *refused);


/* ---- hooks (rule 3), chained like nginx's filters ---------------------- */

typedef void (*ngx_meet_media_transport_free_pt)(
    ngx_meet_media_transport_t *ms);
typedef void (*ngx_meet_media_uptrack_free_pt)(ngx_meet_uptrack_t *up);
typedef void (*ngx_meet_media_downtrack_free_pt)(ngx_meet_downtrack_t *d);
typedef void (*ngx_meet_media_state_pt)(ngx_meet_media_transport_t *ms,
    ngx_meet_media_state_e state);

extern ngx_meet_media_transport_free_pt    ngx_meet_media_top_transport_free;
extern ngx_meet_media_uptrack_free_pt    ngx_meet_media_top_uptrack_free;
extern ngx_meet_media_downtrack_free_pt  ngx_meet_media_top_downtrack_free;
extern ngx_meet_media_state_pt           ngx_meet_media_top_state;

typedef void (*ngx_meet_media_data_pt)(ngx_meet_media_transport_t *ms,
    ngx_meet_media_data_kind_e kind, u_char *data, size_t len);
typedef ngx_int_t (*ngx_meet_media_data_send_pt)(
    ngx_meet_media_transport_t *ms, ngx_meet_media_data_kind_e kind,
    u_char *data, size_t len);

extern ngx_meet_media_data_pt            ngx_meet_media_top_data;
/* the one sender: the media module's, set at its postconfiguration */
extern ngx_meet_media_data_send_pt       ngx_meet_media_data_sender;


/* the core module's: hooks back to their ends for each new configuration
 * (before the modules' postconfiguration), the registry in each worker */
void ngx_meet_media_hooks_init(void);
void ngx_meet_media_init_process(size_t memory_budget);


#endif /* _NGX_MEET_MEDIA_H_INCLUDED_ */
