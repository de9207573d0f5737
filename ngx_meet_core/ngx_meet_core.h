
/*
 * Copyright (C) ngx_meet authors
 *
 * The shared core of the ngx_meet modules.  Everything declared here is
 * defined once, in ngx_meet_core_module (linked into
 * ngx_meet_routing_module.so in a dynamic build), and used by the other
 * modules through nginx's RTLD_GLOBAL module loading.
 */


#ifndef _NGX_MEET_CORE_H_INCLUDED_
#define _NGX_MEET_CORE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <jansson.h>


#define NGX_MEET_VERSION        "0.1.0"
#define NGX_MEET_VER            "ngx_meet/" NGX_MEET_VERSION


/* health status of a component, worst last */
typedef enum {
    NGX_MEET_HEALTH_OK = 0,
    NGX_MEET_HEALTH_DEGRADED,
    NGX_MEET_HEALTH_DOWN
} ngx_meet_health_status_e;


typedef struct ngx_meet_health_s  ngx_meet_health_t;

/*
 * A component reports its state into "out" (a JSON object it may add
 * details to) and returns its status.  Called in a worker, must not block.
 */
typedef ngx_meet_health_status_e (*ngx_meet_health_pt)(ngx_meet_health_t *h,
    json_t *out, ngx_log_t *log);

struct ngx_meet_health_s {
    ngx_str_t                 name;
    ngx_meet_health_pt        handler;
    void                     *data;
};


/* a LiveKit API key and its secret */
typedef struct {
    ngx_str_t                 key;
    ngx_str_t                 secret;
} ngx_meet_api_key_t;


/* a media address advertised as an ICE host candidate */
typedef struct {
    ngx_str_t                 addr;        /* IP address text */
    in_port_t                 port;
    ngx_uint_t                tcp;         /* 1: ICE-TCP passive */
} ngx_meet_candidate_t;


typedef struct {
    ngx_array_t               health;      /* of ngx_meet_health_t */
    ngx_array_t              *api_keys;    /* of ngx_meet_api_key_t */
    ngx_str_t                 api_keys_file;
    ngx_str_t                 dtls_certificate;      /* PEM, optional */
    ngx_str_t                 dtls_certificate_key;
    ngx_array_t               candidates;  /* of ngx_meet_candidate_t */

    /* DTLS identity: one certificate per cycle, made in the master */
    void                     *dtls_key;     /* EVP_PKEY * */
    void                     *dtls_cert;    /* X509 * */
    u_char                    dtls_fingerprint[3 * 32];
    size_t                    dtls_fingerprint_len;
} ngx_meet_core_conf_t;


/*
 * A participant's media session, shared by the signal module (which
 * creates it when it answers the first offer and owns its lifetime) and
 * the media module (which finds it by our ICE ufrag when the client's
 * first STUN check arrives).  Both run in the same worker.
 */

typedef struct ngx_meet_media_session_s  ngx_meet_media_session_t;
typedef struct ngx_meet_uptrack_s        ngx_meet_uptrack_t;
typedef struct ngx_meet_downtrack_s      ngx_meet_downtrack_t;

#define NGX_MEET_MAX_UPTRACKS           48
#define NGX_MEET_MAX_LAYERS             3      /* simulcast layers */

/* video payload formats, the values of MEET_RTP_CODEC_* (ngx_meet_rtp.h) */
#define NGX_MEET_CODEC_AUDIO            0
#define NGX_MEET_CODEC_VP8              1
#define NGX_MEET_CODEC_VP9              2
#define NGX_MEET_CODEC_H264             3
#define NGX_MEET_CODEC_AV1              4
#define NGX_MEET_MAX_DOWNTRACKS         64


/*
 * Forwarding table.  The signal module builds it from the negotiated SDP
 * (it owns every entry and changes it only between packets: one worker);
 * the media module reads it for every packet.
 *
 * An uptrack is a track a participant publishes (its SSRC); each
 * downtrack sends it to one subscriber in one of the subscriber's media
 * sections (our SSRC for it, the subscriber's payload types).
 */

struct ngx_meet_uptrack_s {
    uint32_t                  ssrc;          /* the publisher's, 0: learnt
                                                from the first packet that
                                                names mid (and rid) */
    u_char                    mid[32];
    size_t                    mid_len;
    u_char                    rid[16];       /* simulcast layer forwarded */
    size_t                    rid_len;
    uint32_t                  rtx_ssrc;      /* RFC 4588 stream, 0: none */
    uint8_t                   pt;            /* the publisher's payload type */
    uint8_t                   rtx_pt;
    uint16_t                  max_seq;       /* highest seq seen */
    unsigned                  have_seq:1;
    unsigned                  video:1;
    unsigned                  codec:4;       /* MEET_RTP_CODEC_*, 0 audio */
    ngx_msec_t                last_pli;
    void                     *media;         /* the media module's state:
                                                receive statistics, losses,
                                                packet ring (ngx_alloc) */
    ngx_meet_media_session_t *pub;
    ngx_meet_downtrack_t     *down;          /* list by next (on main) */

    /*
     * Simulcast: one uptrack per layer, lowest first; the track's layer 0
     * is "main" and holds the downtracks and the layers.  Without
     * simulcast an uptrack is its own main, one layer.
     */
    ngx_meet_uptrack_t       *main;
    ngx_meet_uptrack_t       *layers[NGX_MEET_MAX_LAYERS];
    ngx_uint_t                nlayers;
    uint16_t                  layer_width[NGX_MEET_MAX_LAYERS];
    ngx_uint_t                layer;         /* this uptrack's index */
    ngx_msec_t                last_rx;       /* its last packet, 0: none */

    /*
     * audio: RFC 6464 levels since the signal module last looked (active
     * speakers): packets with a level, how many of them loud enough, and
     * their summed amplitude (0..65535 each)
     */
    uint32_t                  audio_packets;
    uint32_t                  audio_loud;
    uint64_t                  audio_amplitude;
};

struct ngx_meet_downtrack_s {
    ngx_meet_downtrack_t     *next;          /* of the same uptrack */
    ngx_meet_uptrack_t       *up;
    ngx_meet_media_session_t *sub;
    uint32_t                  ssrc;          /* what the subscriber sees */
    uint8_t                   pt_map[128];   /* publisher PT -> subscriber
                                                PT + 1; 0: not forwarded */
    u_char                    mid[32];
    size_t                    mid_len;
    void                     *owner;         /* the signal module's slot */
    uint32_t                  packets;       /* sent, for sender reports */
    uint32_t                  octets;
    uint32_t                  rtx_ssrc;      /* RFC 4588 towards the
                                                subscriber, 0: none */
    uint8_t                   rtx_pt;        /* the subscriber's */
    uint16_t                  rtx_seq;
    ngx_uint_t                cur_layer;     /* simulcast: forwarded now */
    ngx_uint_t                max_layer;     /* the highest it asked for */
    ngx_uint_t                cap_layer;     /* the highest its downlink
                                                takes (receiver reports) */
    ngx_msec_t                cap_changed;
    ngx_uint_t                loss_reports;  /* lossy reports in a row */
    void                     *media;         /* the media module's state:
                                                sequence rewriting */
    unsigned                  paused:1;      /* subscriber disabled it */
    unsigned                  need_keyframe:1;
};

#define NGX_MEET_MEDIA_ICE_CONNECTED    1
#define NGX_MEET_MEDIA_DTLS_CONNECTED   2
#define NGX_MEET_MEDIA_FAILED           3
#define NGX_MEET_MEDIA_CLOSED           4

struct ngx_meet_media_session_s {
    ngx_rbtree_node_t         node;          /* key: crc32 of local_ufrag */
    ngx_str_t                 local_ufrag;
    ngx_str_t                 local_pwd;

    /* from the client's offer */
    u_char                    remote_ufrag[64];
    size_t                    remote_ufrag_len;
    u_char                    remote_fp[32];  /* SHA-256 of its cert */
    unsigned                  has_remote_fp:1;
    unsigned                  in_tree:1;

    ngx_log_t                *log;

    /* the signal side: participant, state changes */
    void                     *owner;
    void                    (*on_state)(ngx_meet_media_session_t *s,
                                        ngx_uint_t state);

    /* the publisher's RFC 8285 ids (BUNDLE: one map), 0: not negotiated */
    uint8_t                   ext_mid;
    uint8_t                   ext_rid;
    uint8_t                   ext_twcc;
    uint8_t                   ext_rrid;      /* repaired-rtp-stream-id */
    uint8_t                   ext_audio_level;   /* RFC 6464 */

    /* forwarding: what it publishes and what it receives */
    ngx_meet_uptrack_t       *up[NGX_MEET_MAX_UPTRACKS];
    ngx_uint_t                nup;
    ngx_meet_downtrack_t     *down[NGX_MEET_MAX_DOWNTRACKS];
    ngx_uint_t                ndown;

    /* the media side: its per-session state, torn down on removal */
    void                     *media;
    void                    (*on_remove)(ngx_meet_media_session_t *s);
};


/* LiveKit-compatible server version reported to clients (feature gates) */
#define NGX_MEET_LIVEKIT_COMPAT  "1.9.0"
#define NGX_MEET_LIVEKIT_PROTOCOL  16


/* NGX_OK when the core module is part of this configuration */
ngx_int_t ngx_meet_core_check(ngx_conf_t *cf);

ngx_int_t ngx_meet_health_register(ngx_conf_t *cf, const char *name,
    ngx_meet_health_pt handler, void *data);
ngx_array_t *ngx_meet_health_components(ngx_cycle_t *cycle);
const char *ngx_meet_health_status_name(ngx_meet_health_status_e status);

/* the secret of an API key, or NULL */
const u_char *ngx_meet_api_secret(ngx_cycle_t *cycle, const u_char *key,
    size_t key_len, size_t *secret_len);

/* the key tokens are minted with: the first configured (or devkey) */
ngx_meet_api_key_t *ngx_meet_api_key_default(ngx_cycle_t *cycle);

/* "sha-256 AB:CD:..." value of the DTLS certificate (fingerprint only) */
ngx_str_t *ngx_meet_dtls_fingerprint(ngx_cycle_t *cycle);

/* media modules register the addresses clients reach them at */
ngx_int_t ngx_meet_candidate_add(ngx_conf_t *cf, ngx_str_t *addr,
    in_port_t port, ngx_uint_t tcp);
ngx_array_t *ngx_meet_candidates(ngx_cycle_t *cycle);

/* media sessions of this worker, by our ICE ufrag */
void ngx_meet_media_session_add(ngx_meet_media_session_t *s);
ngx_meet_media_session_t *ngx_meet_media_session_find(const u_char *ufrag,
    size_t len);
void ngx_meet_media_session_remove(ngx_meet_media_session_t *s);

/* the DTLS certificate and key of this cycle (X509 *, EVP_PKEY *) */
void *ngx_meet_dtls_certificate(ngx_cycle_t *cycle, void **key);

/* the first header of a list (e.g. r->headers_in.headers) named so */
ngx_table_elt_t *ngx_meet_header(ngx_list_t *headers, const char *name,
    size_t len);

/* writes prefix + n random base62 characters (CSPRNG) */
u_char *ngx_meet_random_id(u_char *dst, const char *prefix, size_t n);

/* serialize a JSON value into pool memory; NGX_ERROR on failure */
ngx_int_t ngx_meet_json_dump(ngx_pool_t *pool, json_t *value, ngx_str_t *out);

/* a NUL-terminated pool copy of the string member "name" of object o;
 * NGX_ERROR when it is missing, not a string, or on no memory */
ngx_int_t ngx_meet_json_string(ngx_pool_t *pool, json_t *o, const char *name,
    ngx_str_t *out);

/*
 * Logout reaches meetings: the signal module registers (per worker) the
 * function that closes the connections joined with a session's tokens
 * (claim "meet_session"); logins end through ngx_meet_logout_disconnect,
 * which returns how many connections it closed.
 */
typedef ngx_uint_t (*ngx_meet_logout_pt)(ngx_str_t *session_key);
void ngx_meet_logout_handler_set(ngx_meet_logout_pt handler);
ngx_uint_t ngx_meet_logout_disconnect(ngx_str_t *session_key);

/*
 * Parses generated configuration text in the current context as if it
 * stood in "file" at "line" (so nginx's own error messages point at the
 * directive that generated it).
 */
char *ngx_meet_conf_parse_text(ngx_conf_t *cf, ngx_str_t *text,
    ngx_str_t *file, ngx_uint_t line);


extern ngx_module_t  ngx_meet_core_module;


#endif /* _NGX_MEET_CORE_H_INCLUDED_ */
