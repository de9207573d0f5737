
/*
 * Copyright (C) ngx_meet authors
 *
 * Shared declarations of ngx_meet_signal_module's files: the participant
 * (ngx_meet_signal_peer_t: the module, auth and dispatch in
 * ngx_meet_signal_module.c, its WebSocket in ngx_meet_signal_ws.c), its
 * tracks, rooms (ngx_meet_signal_room.c) and their data messages
 * (ngx_meet_signal_data.c).
 */


#ifndef _NGX_MEET_SIGNAL_H_INCLUDED_
#define _NGX_MEET_SIGNAL_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_core.h"
#include "ngx_meet_media.h"
#include "meet_ws.h"
#include "meet_jwt.h"
#include "meet_lk_codec.h"
#include "meet_lk_data.h"


#define NGX_MEET_SID_LEN           15        /* "PA_" + 12 */
#define NGX_MEET_MAX_TRACKS        32
#define NGX_MEET_MAX_CODECS        4


typedef struct ngx_meet_signal_room_s   ngx_meet_signal_room_t;
typedef struct ngx_meet_signal_peer_s   ngx_meet_signal_peer_t;
typedef struct ngx_meet_signal_track_s  ngx_meet_signal_track_t;
typedef struct ngx_meet_signal_frame_s  ngx_meet_signal_frame_t;


typedef struct {
    ngx_flag_t                    enable;
    size_t                        max_frame;
    size_t                        max_message;
    size_t                        max_queue;
    ngx_msec_t                    ping_timeout;
    ngx_msec_t                    ping_interval;
    ngx_uint_t                    max_participants;
    ngx_uint_t                    max_tracks;
    ngx_msec_t                    departure_timeout;
    /* LiveKit's limit.* (livekit-server pkg/config/config.go) */
    size_t                        max_name_length;
    size_t                        max_metadata_size;
    size_t                        max_attributes_size;
    /* frames a client may send: a token bucket */
    ngx_uint_t                    message_rate;     /* a second, 0: off */
    ngx_uint_t                    message_burst;
    /* a data message (DataPacket) a participant sends */
    size_t                        max_data_size;
} ngx_meet_signal_loc_conf_t;


struct ngx_meet_signal_track_s {
    ngx_queue_t                   queue;
    char                          sid[NGX_MEET_SID_LEN + 1];
    char                         *cid;
    char                         *name;
    char                         *mid;          /* NULL until in the SDP */
    char                         *mime;
    char                         *stream;
    char                         *codec_mime[NGX_MEET_MAX_CODECS];
    char                         *codec_cid[NGX_MEET_MAX_CODECS];
    ngx_uint_t                    ncodecs;
    int                           type;         /* Livekit__TrackType */
    int                           source;       /* Livekit__TrackSource */
    uint32_t                      width;
    uint32_t                      height;
    unsigned                      muted:1;
    unsigned                      published:1;  /* media section seen */

    /* forwarding (ngx_meet_media.h): the main uptrack, with its simulcast
       layers, while the track is published; NULL: not in the table */
    ngx_meet_uptrack_t           *up;
    ngx_meet_media_audio_t        audio_seen;   /* levels read so far */
    uint16_t                      layer_width[NGX_MEET_MAX_LAYERS];
                                                /* AddTrackRequest layers */
    int                           pub_pt;
    int                           pub_profile;  /* H.264 profile_idc, -1 */
    ngx_int_t                     dynacast;     /* highest layer the
                                                   publisher was told to
                                                   send, -1: not told */
};


/*
 * The hooks of a participant's WebSocket (ngx_meet_signal_ws.h), set at
 * join.  on_message: one complete binary message, data valid during the
 * call; NGX_OK to go on reading, NGX_DONE once the peer is closing or
 * finalized.  on_close: the session is over for the room, called from a
 * posted event after ngx_meet_signal_peer_close().
 */
typedef ngx_int_t (*ngx_meet_signal_message_pt)(ngx_meet_signal_peer_t *peer,
    u_char *data, size_t len);
typedef void (*ngx_meet_signal_close_pt)(ngx_meet_signal_peer_t *peer);


/* one queued WebSocket frame */
struct ngx_meet_signal_frame_s {
    ngx_meet_signal_frame_t      *next;
    u_char                       *pos;
    u_char                       *last;
    /* the sid of a ParticipantUpdate's participant, or "" (a sid, not a
       pointer: a peer that left may have a successor at its address) */
    char                          about[NGX_MEET_SID_LEN + 1];
    /* the frame bytes follow */
};


struct ngx_meet_signal_peer_s {
    ngx_queue_t                   queue;        /* in room->peers */
    ngx_meet_signal_room_t       *room;
    ngx_http_request_t           *request;
    ngx_connection_t             *connection;
    ngx_meet_signal_loc_conf_t   *conf;

    /* participant */
    char                          sid[NGX_MEET_SID_LEN + 1];
    char                         *identity;
    /* the login session its token was minted for ("meet_session") */
    char                          session_key[65];
    char                         *name;
    char                         *metadata;
    json_t                       *attributes;   /* object or NULL */
    uint32_t                      version;
    int                           state;        /* ParticipantInfo.State */
    int64_t                       joined_at_ms;
    int32_t                       client_protocol;
    int32_t                       protocol;     /* ClientInfo.protocol */

    /* our ICE credentials for this participant (RFC 8445 ice-chars) */
    char                          ice_ufrag[17];
    char                          ice_pwd[33];
    uint64_t                      sdp_session_id;
    uint64_t                      sdp_version;

    /* the forwarding table's session (ngx_meet_media.h): made at the first
       offer, freed when the participant leaves */
    ngx_meet_media_transport_t   *media;
    ngx_queue_t                   tracks;
    ngx_uint_t                    ntracks;
    unsigned                      sources;      /* canPublishSources mask */
    unsigned                      sources_restricted:1;
    unsigned                      can_publish:1;
    unsigned                      can_subscribe:1;
    unsigned                      can_publish_data:1;
    unsigned                      can_update_metadata:1;
    unsigned                      hidden:1;
    unsigned                      in_room:1;

    /* data messages (ngx_meet_signal_data.c): the last reliable sequence
       relayed */
    uint32_t                      data_seq;
    /* reliable messages to it before its reliable channel opened, sent
       when it opens (ngx_meet_signal_data.c) */
    ngx_queue_t                   data_held;
    size_t                        data_held_size;
#if (NGX_MEET_TEST_HOOKS)
    unsigned                      test_data_full:1;
    unsigned                      test_data_closed:1;
#endif

    /* WebSocket (ngx_meet_signal_ws.c) */
    ngx_meet_signal_message_pt    on_message;
    ngx_meet_signal_close_pt      on_close;
    meet_ws_state_t               ws;
    u_char                       *rbuf;         /* unparsed bytes */
    size_t                        rlen;
    size_t                        rsize;
    u_char                       *msg;          /* fragmented message */
    size_t                        msg_len;
    size_t                        msg_size;
    ngx_meet_signal_frame_t      *out;
    ngx_meet_signal_frame_t     **out_last;
    size_t                        queued;
    size_t                        queued_updates;  /* of it: frames with
                                                      "about" */
    ngx_uint_t                    rate_tokens;  /* thousandths of a frame */
    ngx_msec_t                    rate_last;
    ngx_event_t                   idle;         /* no frame: ping timeout */
    ngx_event_t                   linger;       /* closing handshake */
    ngx_event_t                   leave;        /* posted: on_close */
    ngx_event_t                   fin;          /* posted: finalize */
    unsigned                      closing:1;    /* close frame queued */
    unsigned                      speaking:1;   /* as last reported */
    unsigned                      close_received:1;
    unsigned                      no_linger:1;
    unsigned                      close_sent:1;
    unsigned                      finalized:1;
};


struct ngx_meet_signal_room_s {
    ngx_str_node_t                sn;           /* name */
    char                          sid[NGX_MEET_SID_LEN + 1];
    char                         *name;
    int64_t                       created_ms;
    ngx_queue_t                   peers;
    ngx_uint_t                    npeers;
    ngx_event_t                   departure;    /* empty: delete later */
    ngx_event_t                   speakers;     /* active speaker updates */
    meet_lk_data_nonces_t         data_nonces;  /* user packets seen */
};


/* rooms (ngx_meet_signal_room.c) */
void ngx_meet_signal_rooms_init(void);
ngx_meet_signal_room_t *ngx_meet_signal_room_find(ngx_str_t *name);
ngx_meet_signal_room_t *ngx_meet_signal_room_get(ngx_str_t *name,
    ngx_log_t *log);
void ngx_meet_signal_room_add_peer(ngx_meet_signal_room_t *room,
    ngx_meet_signal_peer_t *peer);
void ngx_meet_signal_room_remove_peer(ngx_meet_signal_peer_t *peer,
    ngx_msec_t departure);
ngx_meet_signal_peer_t *ngx_meet_signal_room_find_identity(
    ngx_meet_signal_room_t *room, const char *identity);
ngx_uint_t ngx_meet_signal_rooms_count(ngx_uint_t *participants);
void ngx_meet_signal_rooms_foreach_peer(
    void (*handler)(ngx_meet_signal_peer_t *peer, void *data), void *data);

ngx_int_t ngx_meet_signal_peer_info(ngx_meet_signal_peer_t *peer,
    ngx_pool_t *pool, Livekit__ParticipantInfo *pi);
ngx_int_t ngx_meet_signal_track_info(ngx_meet_signal_track_t *t,
    ngx_pool_t *pool, Livekit__TrackInfo *ti);
void ngx_meet_signal_room_broadcast(ngx_meet_signal_peer_t *about,
    ngx_uint_t self);
size_t ngx_meet_signal_attributes_size(json_t *attributes);
ngx_int_t ngx_meet_signal_attribute_set(json_t *attributes, const char *key,
    const char *value);
ngx_int_t ngx_meet_signal_room_info(ngx_meet_signal_room_t *room,
    ngx_pool_t *pool, Livekit__Room *ri);
ngx_meet_signal_track_t *ngx_meet_signal_peer_track(
    ngx_meet_signal_peer_t *peer, const char *sid, const char *cid);
void ngx_meet_signal_track_free(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_track_t *t);
char *ngx_meet_signal_strdup(const char *s, size_t len);

/* data messages (ngx_meet_signal_data.c) */
void ngx_meet_signal_data_init(void);
void ngx_meet_signal_data_exit(void);
void ngx_meet_signal_data_received(ngx_meet_signal_peer_t *peer,
    ngx_uint_t kind, u_char *data, size_t len);
ngx_int_t ngx_meet_signal_room_send_data(ngx_meet_signal_room_t *room,
    ngx_uint_t kind, const char *topic, u_char *payload, size_t len,
    char **destinations, size_t ndestinations, const u_char *nonce);
void ngx_meet_signal_data_health(json_t *out);
#if (NGX_MEET_TEST_HOOKS)
extern ngx_uint_t  ngx_meet_signal_test_data_used;
ngx_int_t ngx_meet_signal_test_data_handler(ngx_http_request_t *r);
void ngx_meet_signal_test_data_exit(void);
#endif


#endif /* _NGX_MEET_SIGNAL_H_INCLUDED_ */
