
/*
 * Copyright (C) ngx_meet authors
 *
 * SDP offer parser and answer builder (RFC 8866, JSEP RFC 8829, BUNDLE
 * RFC 8843) for the single peer connection of livekit-client: the client
 * always offers, we answer as an ICE-lite, DTLS-passive SFU.
 *
 * Pure C: no nginx types, no allocation.  The parser fills a caller
 * provided meet_sdp_offer_t (fixed maximums below; exceeding one is an
 * error, never a crash) and every string in it is a slice of the input
 * text, which the caller keeps alive while it uses the offer.  The offer
 * holds no pointers into itself, so it may be copied.
 *
 * meet_sdp_parse.c: the parser and the queries; meet_sdp_answer.c: the
 * answer builder.
 */


#ifndef _MEET_SDP_H_INCLUDED_
#define _MEET_SDP_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>


#define MEET_SDP_OK                 0
#define MEET_SDP_ERROR             -1
#define MEET_SDP_TOO_SMALL         -2

/* limits */
#define MEET_SDP_MAX_SIZE           65536   /* bytes of SDP text */
#define MEET_SDP_MAX_MEDIA          64      /* m= sections */
#define MEET_SDP_MAX_CODECS         48      /* payload types per section */
#define MEET_SDP_MAX_EXTMAPS        24      /* a=extmap per section */
#define MEET_SDP_MAX_SSRCS          32      /* distinct a=ssrc per section */
#define MEET_SDP_MAX_SSRC_GROUPS    16      /* a=ssrc-group per section */
#define MEET_SDP_MAX_GROUP_SSRCS    8       /* SSRCs in one a=ssrc-group */
#define MEET_SDP_MAX_RIDS           16      /* a=rid per section */
#define MEET_SDP_MAX_CANDIDATES     16      /* a=candidate kept (all counted) */
#define MEET_SDP_FP_MAX             64      /* fingerprint bytes (sha-512) */

/* media types */
#define MEET_SDP_OTHER              0
#define MEET_SDP_AUDIO              1
#define MEET_SDP_VIDEO              2
#define MEET_SDP_APPLICATION        3

/* directions: bit 1 = we (the side that wrote the SDP) send, bit 2 = recv */
#define MEET_SDP_INACTIVE           0
#define MEET_SDP_SENDONLY           1
#define MEET_SDP_RECVONLY           2
#define MEET_SDP_SENDRECV           3

/* a=setup roles */
#define MEET_SDP_SETUP_NONE         0
#define MEET_SDP_SETUP_ACTPASS      1
#define MEET_SDP_SETUP_ACTIVE       2
#define MEET_SDP_SETUP_PASSIVE      3
#define MEET_SDP_SETUP_HOLDCONN     4

/* a=rtcp-fb types, as a bit mask per codec */
#define MEET_SDP_FB_NACK            0x01    /* nack */
#define MEET_SDP_FB_NACK_PLI        0x02    /* nack pli */
#define MEET_SDP_FB_CCM_FIR         0x04    /* ccm fir */
#define MEET_SDP_FB_GOOG_REMB       0x08    /* goog-remb */
#define MEET_SDP_FB_TRANSPORT_CC    0x10    /* transport-cc */
#define MEET_SDP_FB_OTHER           0x80    /* anything else (not kept) */

/* header extension URIs the answer keeps */
#define MEET_SDP_EXT_MID         "urn:ietf:params:rtp-hdrext:sdes:mid"
#define MEET_SDP_EXT_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define MEET_SDP_EXT_ABS_SEND_TIME                                            \
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
#define MEET_SDP_EXT_TWCC                                                     \
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define MEET_SDP_EXT_RID     "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
#define MEET_SDP_EXT_RRID                                                     \
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
#define MEET_SDP_EXT_VIDEO_ORIENTATION  "urn:3gpp:video-orientation"
#define MEET_SDP_EXT_PLAYOUT_DELAY                                            \
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"


/* same layout as ngx_str_t: a pointer to it can be passed as one */
typedef struct {
    size_t               len;
    const u_char        *data;
} meet_sdp_str_t;


typedef struct {
    uint8_t              pt;            /* 0-127 */
    uint8_t              channels;      /* 0: not given */
    uint8_t              has_rtpmap;    /* or a static PT's implied name */
    uint8_t              fb;            /* MEET_SDP_FB_* of a=rtcp-fb:<pt> */
    uint32_t             clock;         /* 0: no rtpmap */
    meet_sdp_str_t       name;          /* "opus", "VP8", "rtx" ... */
    meet_sdp_str_t       fmtp;          /* raw a=fmtp parameters */

    /* read from fmtp after parsing; -1 when absent or not a number */
    int32_t              apt;
    int32_t              profile_level_id;      /* 24 bits, from hex */
    int8_t               packetization_mode;
    int8_t               level_asymmetry_allowed;
    int8_t               useinbandfec;
    int16_t              minptime;
} meet_sdp_codec_t;


typedef struct {
    uint16_t             id;            /* 1-255 */
    uint8_t              direction;     /* MEET_SDP_*; SENDRECV if absent */
    uint8_t              has_direction;
    meet_sdp_str_t       uri;
    meet_sdp_str_t       attrs;         /* the rest of the line, if any */
} meet_sdp_extmap_t;


typedef struct {
    uint32_t             ssrc;
    meet_sdp_str_t       cname;
    meet_sdp_str_t       msid_stream;
    meet_sdp_str_t       msid_track;
} meet_sdp_ssrc_t;


typedef struct {
    meet_sdp_str_t       semantics;     /* "FID", "SIM", "FEC-FR" ... */
    uint32_t             nssrcs;
    uint32_t             ssrcs[MEET_SDP_MAX_GROUP_SSRCS];
} meet_sdp_ssrc_group_t;


typedef struct {
    meet_sdp_str_t       id;
    uint8_t              send;          /* 1: send, 0: recv */
    meet_sdp_str_t       params;        /* the rest, e.g. "pt=96;max-width=" */
} meet_sdp_rid_t;


typedef struct {
    unsigned             type;          /* MEET_SDP_AUDIO ... */
    meet_sdp_str_t       media;         /* "audio", "video", ... as written */
    uint16_t             port;
    meet_sdp_str_t       proto;         /* "UDP/TLS/RTP/SAVPF" */
    meet_sdp_str_t       fmts;          /* raw format list of the m= line */
    meet_sdp_str_t       connection;    /* c= value (section, else session) */
    meet_sdp_str_t       mid;
    unsigned             line;          /* line number of the m= line */

    unsigned             rtp:1;         /* proto has "RTP/" */
    unsigned             sctp:1;        /* proto ends with "SCTP" */
    unsigned             rtcp_mux:1;
    unsigned             rtcp_rsize:1;
    unsigned             bundle_only:1;
    unsigned             in_bundle:1;   /* mid listed in a=group:BUNDLE */
    unsigned             end_of_candidates:1;
    unsigned             has_direction:1;       /* set in this section */
    unsigned             own_ice:1;     /* ice-ufrag/pwd set in the section */
    unsigned             own_fingerprint:1;
    unsigned             own_setup:1;

    unsigned             direction;     /* effective: section, session, or
                                           SENDRECV */
    /* effective transport parameters: the section's, else the session's */
    meet_sdp_str_t       ice_ufrag;
    meet_sdp_str_t       ice_pwd;
    meet_sdp_str_t       fp_hash;       /* "sha-256" */
    meet_sdp_str_t       fingerprint;   /* "AB:CD:..." */
    unsigned             setup;         /* MEET_SDP_SETUP_* */
    size_t               fp_len;
    u_char               fp[MEET_SDP_FP_MAX];   /* fingerprint, binary */

    size_t               ncodecs;       /* in m= line order */
    meet_sdp_codec_t     codecs[MEET_SDP_MAX_CODECS];
    uint8_t              fb_any;        /* MEET_SDP_FB_* of a=rtcp-fb:* */

    size_t               nextmaps;
    meet_sdp_extmap_t    extmaps[MEET_SDP_MAX_EXTMAPS];

    size_t               nmsids;        /* a=msid lines; the first is kept */
    meet_sdp_str_t       msid_stream;
    meet_sdp_str_t       msid_track;

    size_t               nssrcs;
    meet_sdp_ssrc_t      ssrcs[MEET_SDP_MAX_SSRCS];
    size_t               nssrc_groups;
    meet_sdp_ssrc_group_t  ssrc_groups[MEET_SDP_MAX_SSRC_GROUPS];
    size_t               nrids;
    meet_sdp_rid_t       rids[MEET_SDP_MAX_RIDS];
    meet_sdp_str_t       simulcast;     /* raw a=simulcast value */

    uint32_t             sctp_port;     /* 0: absent */
    uint32_t             max_message_size;      /* 0: no limit */
    unsigned             has_max_message_size:1;

    size_t               ncandidates;   /* every a=candidate line */
    meet_sdp_str_t       candidates[MEET_SDP_MAX_CANDIDATES];  /* first ones,
                                                                 raw */
} meet_sdp_media_t;


typedef struct {
    /* on MEET_SDP_ERROR: a static reason and the 1-based line (0: none) */
    const char          *err;
    unsigned             err_line;

    meet_sdp_str_t       origin_user;
    meet_sdp_str_t       origin_sess_id;
    meet_sdp_str_t       origin_sess_version;
    meet_sdp_str_t       origin_address;
    meet_sdp_str_t       session_name;
    meet_sdp_str_t       connection;    /* session-level c= */

    /* session-level values; sections hold the effective ones */
    meet_sdp_str_t       ice_ufrag;
    meet_sdp_str_t       ice_pwd;
    meet_sdp_str_t       ice_options;
    meet_sdp_str_t       fp_hash;
    meet_sdp_str_t       fingerprint;
    unsigned             setup;
    unsigned             direction;     /* session a=sendrecv...; */
    meet_sdp_str_t       msid_semantic;

    unsigned             has_direction:1;
    unsigned             has_bundle:1;
    unsigned             ice_lite:1;
    unsigned             extmap_allow_mixed:1;

    /* the first a=group:BUNDLE (later ones are ignored) */
    size_t               nbundle;
    meet_sdp_str_t       bundle[MEET_SDP_MAX_MEDIA];

    size_t               nmedia;
    meet_sdp_media_t     media[MEET_SDP_MAX_MEDIA];
} meet_sdp_offer_t;


/* host candidates we announce */
typedef struct {
    meet_sdp_str_t       address;       /* "192.0.2.1" or "2001:db8::1" */
    uint16_t             port;
    unsigned             tcp:1;         /* TCP, tcptype passive; else UDP */
} meet_sdp_candidate_t;


/* our side of the answer */
typedef struct {
    meet_sdp_str_t       ice_ufrag;     /* 4-256 ice-chars */
    meet_sdp_str_t       ice_pwd;       /* 22-256 ice-chars */
    meet_sdp_str_t       fingerprint;   /* sha-256 "AB:CD:..." (95 chars) */

    const meet_sdp_candidate_t  *candidates;   /* in preference order */
    size_t               ncandidates;

    uint64_t             session_id;
    uint64_t             session_version;

    /* m= port and c= address from the first UDP candidate, not 9/0.0.0.0 */
    unsigned             real_port:1;

    uint16_t             sctp_port;     /* accepted m=application; 0: 5000 */
    uint32_t             max_message_size;      /* 0: 262144 */
} meet_sdp_local_t;


/* what to do with one m-section of the offer, in offer order */
typedef struct {
    unsigned             accept:1;      /* 0: reject (port 0) */
    unsigned             allow_red:1;   /* keep audio "red" (RFC 2198) */

    unsigned             direction;     /* MEET_SDP_* of the answer; must be
                                           compatible with the offer's */

    /* keep only these codec names ("VP8" or "video/VP8"); NULL: all we
       forward.  Their rtx payload types follow them. */
    const meet_sdp_str_t  *codecs;
    size_t               ncodecs;

    /* when the answer sends (sendonly/sendrecv): a=msid and a=ssrc lines */
    meet_sdp_str_t       msid_stream;   /* "PA_xxx|TR_yyy"; empty: "-" */
    meet_sdp_str_t       msid_track;    /* "TR_yyy"; empty: no a=msid */
    meet_sdp_str_t       cname;         /* empty: "ngx_meet" */
    uint32_t             ssrc;          /* 0: no a=ssrc lines */
    uint32_t             rtx_ssrc;      /* 0: none; else a=ssrc-group:FID */
} meet_sdp_decision_t;


size_t meet_sdp_offer_size(void);

/* MEET_SDP_OK, or MEET_SDP_ERROR with offer->err and offer->err_line */
int meet_sdp_parse(meet_sdp_offer_t *offer, const u_char *text, size_t len);

/* queries on a parsed section */
const meet_sdp_codec_t *meet_sdp_find_codec(const meet_sdp_media_t *m,
    const char *name);
const meet_sdp_codec_t *meet_sdp_find_pt(const meet_sdp_media_t *m, int pt);
int meet_sdp_rtx_pt(const meet_sdp_media_t *m, int pt);        /* -1: none */
/* pt -1: any codec of the section */
int meet_sdp_has_rtcp_fb(const meet_sdp_media_t *m, int pt, unsigned fb);
int meet_sdp_extmap_id(const meet_sdp_media_t *m, const char *uri); /* -1 */
const meet_sdp_media_t *meet_sdp_find_mid(const meet_sdp_offer_t *offer,
    const u_char *mid, size_t len);

/* fmtp "a=1;b=2": 1 and the value if the parameter is there, else 0 */
int meet_sdp_fmtp_param(const meet_sdp_str_t *fmtp, const char *name,
    meet_sdp_str_t *value);
/* the parameter as a decimal number, or -1 */
int64_t meet_sdp_fmtp_uint(const meet_sdp_str_t *fmtp, const char *name);

const char *meet_sdp_direction_name(unsigned direction);

/*
 * Answer building.
 *
 * meet_sdp_default_decisions() fills offer->nmedia decisions: audio and
 * video sections we can answer are accepted, receiving what the client
 * sends and sending nothing (offer sendrecv/sendonly -> recvonly,
 * recvonly/inactive -> inactive); application and other sections, port 0
 * sections, sections outside the BUNDLE group and sections without a codec
 * we forward are rejected; without BUNDLE only the first usable section is
 * accepted (one transport).  meet_sdp_build_answer() accepts the result
 * with any valid local parameters.
 *
 * meet_sdp_accept_data() then accepts the data channels' section (RFC
 * 8841): the first "application" section over DTLS/SCTP with the format
 * webrtc-datachannel that the offer does not reject, in the BUNDLE group
 * (without BUNDLE: only when no other section was accepted).  Its index,
 * or -1 when there is none.  The answer gives it a=sctp-port and
 * a=max-message-size from meet_sdp_local_t.
 *
 * meet_sdp_kept_codecs() counts the payload types (primary and rtx) the
 * answer would keep for a section under a decision.
 *
 * meet_sdp_build_answer() writes the answer into buf and returns its
 * length; MEET_SDP_TOO_SMALL with *needed set when size is not enough
 * (call again with a buffer that large); MEET_SDP_ERROR with *err set for
 * bad parameters or decisions.  ndecisions must be offer->nmedia.
 */
void meet_sdp_default_decisions(const meet_sdp_offer_t *offer,
    meet_sdp_decision_t *decisions);
int meet_sdp_accept_data(const meet_sdp_offer_t *offer,
    meet_sdp_decision_t *decisions);
size_t meet_sdp_kept_codecs(const meet_sdp_media_t *m,
    const meet_sdp_decision_t *d);
ssize_t meet_sdp_build_answer(const meet_sdp_offer_t *offer,
    const meet_sdp_local_t *local, const meet_sdp_decision_t *decisions,
    size_t ndecisions, u_char *buf, size_t size, size_t *needed,
    const char **err);

/* RFC 8445 priority of local candidate index i (host, component 1) */
uint32_t meet_sdp_candidate_priority(const meet_sdp_candidate_t *c,
    size_t i);

/*
 * String checks of the parser (meet_sdp_parse.c) that the answer builder
 * uses on the caller's values.  eq/ieq: equal to a C string (ieq: ASCII
 * case-insensitive); uint: MEET_SDP_OK and *out if s is a decimal number
 * <= max; is_token: RFC 8866 token-chars, 1..max of them; is_ice: RFC 8839
 * ice-chars, min..max; hex_fp: "AB:CD:..." to bytes, the byte count, 0 if
 * malformed or longer than max.
 */
int meet_sdp_eq(const meet_sdp_str_t *s, const char *c);
int meet_sdp_ieq(const meet_sdp_str_t *s, const char *c);
int meet_sdp_ieq2(const meet_sdp_str_t *a, const meet_sdp_str_t *b);
int meet_sdp_uint(const meet_sdp_str_t *s, uint64_t max, uint64_t *out);
int meet_sdp_is_token(const meet_sdp_str_t *s, size_t max);
int meet_sdp_is_ice(const meet_sdp_str_t *s, size_t min, size_t max);
size_t meet_sdp_hex_fp(const meet_sdp_str_t *s, u_char *bin, size_t max);


#endif /* _MEET_SDP_H_INCLUDED_ */
