
/*
 * Copyright (C) ngx_meet authors
 *
 * LiveKit access tokens: JWS compact serialization, HS256 only.
 *
 * Plain C (OpenSSL 3 and jansson), no nginx types: the same file is linked
 * into the nginx modules, the unit tests and the fuzzers.
 *
 * Verification follows LiveKit's verifier (livekit/protocol auth/verifier.go
 * with golang-jwt v5, auth/grants.go):
 *   - three base64url segments (padding tolerated), at most
 *     MEET_JWT_MAX_TOKEN_LEN bytes, header and payload JSON objects;
 *   - header "alg" must be "HS256"; "typ" and other header fields ignored;
 *   - "iss" is the API key and selects the secret through a callback;
 *   - "exp" required; the token is valid while now < exp + leeway and
 *     nbf <= now + leeway; "iat" is type-checked and otherwise ignored;
 *   - identity = "sub", else "jti";
 *   - a known claim of the wrong JSON type fails (golang's json decoding
 *     into typed structs does); JSON null counts as absent.
 *
 * Known differences, all on inputs no LiveKit SDK produces: '=' padding is
 * accepted (golang-jwt refuses it); claim names match exactly (golang's
 * json also matches them case-insensitively); strings holding \u0000 or
 * invalid UTF-8 make the token malformed (golang accepts or replaces them);
 * dates beyond +-2^53 s are clamped; "roomConfig" is only checked to be an
 * object (LiveKit decodes it as protojson).
 */


#ifndef _MEET_JWT_H_INCLUDED_
#define _MEET_JWT_H_INCLUDED_


#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>


#define MEET_JWT_MAX_TOKEN_LEN   16384
#define MEET_JWT_LEEWAY          60          /* LiveKit's tokenLeeway, s */


typedef enum {
    MEET_JWT_OK = 0,
    MEET_JWT_ERR_TOO_LONG,              /* 401 */
    MEET_JWT_ERR_MALFORMED,             /* 401: segments, base64, JSON */
    MEET_JWT_ERR_ALGORITHM,             /* 401 */
    MEET_JWT_ERR_CLAIMS,                /* 401: wrong JSON type of a claim */
    MEET_JWT_ERR_UNKNOWN_KEY,           /* 401 */
    MEET_JWT_ERR_SIGNATURE,             /* 401 */
    MEET_JWT_ERR_NO_EXPIRY,             /* 401 */
    MEET_JWT_ERR_EXPIRED,               /* 401 */
    MEET_JWT_ERR_NOT_YET_VALID,         /* 401 */
    MEET_JWT_ERR_PERMISSION_DENIED,     /* 401: no video grant / !roomJoin */
    MEET_JWT_ERR_NO_IDENTITY,           /* 400 */
    MEET_JWT_ERR_NO_ROOM,               /* 400 */
    MEET_JWT_ERR_NO_MEMORY,             /* 500 */
    MEET_JWT_ERR_INTERNAL,              /* 500: bad arguments, OpenSSL */
    MEET_JWT_ERR_LAST
} meet_jwt_err_e;


/* LiveKit TrackSource values; the sources mask has bit (1 << value) */
typedef enum {
    MEET_JWT_SOURCE_UNKNOWN = 0,
    MEET_JWT_SOURCE_CAMERA = 1,
    MEET_JWT_SOURCE_MICROPHONE = 2,
    MEET_JWT_SOURCE_SCREEN_SHARE = 3,
    MEET_JWT_SOURCE_SCREEN_SHARE_AUDIO = 4
} meet_jwt_source_e;

#define MEET_JWT_SOURCE_BIT(s)   (1u << (s))


/* tri-state for the token builder; zero (unset) omits the claim */
typedef enum {
    MEET_JWT_UNSET = 0,
    MEET_JWT_TRUE,
    MEET_JWT_FALSE
} meet_jwt_tri_e;


/* a string inside the claims; never NULL, NUL-terminated, len excludes it */
typedef struct {
    const u_char               *data;
    size_t                      len;
} meet_jwt_str_t;


typedef struct {
    meet_jwt_str_t              room;

    /* canPublishSources: when restricted, only the sources in the mask */
    unsigned                    sources;
    unsigned                    sources_restricted:1;

    unsigned                    room_create:1;
    unsigned                    room_list:1;
    unsigned                    room_record:1;
    unsigned                    room_admin:1;
    unsigned                    room_join:1;

    /* effective values, LiveKit's defaults applied (GetCanPublish etc.) */
    unsigned                    can_publish:1;          /* default 1 */
    unsigned                    can_subscribe:1;        /* default 1 */
    unsigned                    can_publish_data:1;   /* default can_publish */
    unsigned                    can_update_own_metadata:1;  /* default 0 */

    /* whether the claim was present in the token */
    unsigned                    can_publish_set:1;
    unsigned                    can_subscribe_set:1;
    unsigned                    can_publish_data_set:1;
    unsigned                    can_update_own_metadata_set:1;

    unsigned                    ingress_admin:1;
    unsigned                    hidden:1;
    unsigned                    recorder:1;
    unsigned                    agent:1;
} meet_jwt_video_grant_t;


typedef struct {
    meet_jwt_str_t              api_key;      /* iss */
    meet_jwt_str_t              sub;
    meet_jwt_str_t              jti;
    meet_jwt_str_t              identity;     /* sub, else jti */
    meet_jwt_str_t              name;
    meet_jwt_str_t              metadata;
    meet_jwt_str_t              kind;
    meet_jwt_str_t              sha256;

    /* object of string values, or NULL; owned by the claims */
    json_t                     *attributes;

    int64_t                     exp;
    int64_t                     nbf;          /* 0 when absent */
    int64_t                     iat;          /* 0 when absent */
    unsigned                    has_nbf:1;
    unsigned                    has_iat:1;
    unsigned                    has_video:1;

    meet_jwt_video_grant_t      video;

    json_t                     *payload;     /* owns every string above */
} meet_jwt_claims_t;


/*
 * Returns the secret of an API key and its length, or NULL for an unknown
 * key.  The secret must stay valid until meet_jwt_verify() returns.
 */
typedef const u_char *(*meet_jwt_lookup_pt)(void *data, const u_char *key,
    size_t key_len, size_t *secret_len);


/*
 * Verifies a token and fills "claims" (always initialized, also on error;
 * meet_jwt_claims_free() must be called after MEET_JWT_OK and is harmless
 * otherwise).  "now" in seconds since the epoch, "leeway" in seconds
 * (MEET_JWT_LEEWAY for LiveKit's behaviour).
 */
meet_jwt_err_e meet_jwt_verify(const u_char *token, size_t len,
    meet_jwt_lookup_pt lookup, void *data, int64_t now, int64_t leeway,
    meet_jwt_claims_t *claims);
void meet_jwt_claims_free(meet_jwt_claims_t *claims);

/*
 * Join checks of LiveKit's ValidateConnectRequest, in its order: a video
 * grant with roomJoin (MEET_JWT_ERR_PERMISSION_DENIED), a non-empty
 * identity (MEET_JWT_ERR_NO_IDENTITY), a non-empty room (MEET_JWT_ERR_NO_ROOM).
 */
meet_jwt_err_e meet_jwt_check_join(const meet_jwt_claims_t *claims);

/* LiveKit's GetCanPublishSource(): can_publish and, if restricted, listed */
int meet_jwt_can_publish_source(const meet_jwt_video_grant_t *video,
    meet_jwt_source_e source);

/* stable message of an error; HTTP status LiveKit answers with */
const char *meet_jwt_strerror(meet_jwt_err_e err);
int meet_jwt_http_status(meet_jwt_err_e err);


/*
 * Signs "claims" (a JSON object, not modified) with HS256, header
 * {"alg":"HS256","typ":"JWT"}.  When "key" is not NULL it is set as "iss".
 * Returns a malloc()ed NUL-terminated token, or NULL.
 */
char *meet_jwt_sign_hs256(json_t *claims, const u_char *key, size_t key_len,
    const u_char *secret, size_t secret_len);


/* a LiveKit access token as livekit-server-sdk's AccessToken mints it */
typedef struct {
    const char                 *identity;    /* NUL-terminated or NULL */
    const char                 *name;
    const char                 *metadata;
    const char                 *room;
    json_t                     *attributes;  /* borrowed, copied */

    int64_t                     now;         /* nbf */
    int64_t                     ttl;         /* exp = now + ttl, ttl > 0 */

    unsigned                    room_create:1;
    unsigned                    room_list:1;
    unsigned                    room_record:1;
    unsigned                    room_admin:1;
    unsigned                    room_join:1;
    unsigned                    ingress_admin:1;
    unsigned                    hidden:1;
    unsigned                    recorder:1;
    unsigned                    agent:1;
    unsigned                    no_video:1;  /* no "video" claim at all */

    meet_jwt_tri_e              can_publish;
    meet_jwt_tri_e              can_subscribe;
    meet_jwt_tri_e              can_publish_data;
    meet_jwt_tri_e              can_update_own_metadata;

    /* canPublishSources written when non-zero, from the mask */
    unsigned                    sources;
} meet_jwt_token_spec_t;


/* the claims object of a token spec (no "iss"), or NULL */
json_t *meet_jwt_build_claims(const meet_jwt_token_spec_t *spec);

/* build + sign; malloc()ed token or NULL */
char *meet_jwt_mint(const meet_jwt_token_spec_t *spec, const u_char *key,
    size_t key_len, const u_char *secret, size_t secret_len);


/*
 * Helpers shared with the JOSE and OIDC libraries
 * (ngx_meet_routing_module/auth/lib/meet_jose.c, meet_oidc.c).
 *
 * base64url decoding, padding optional, at most MEET_JWT_MAX_TOKEN_LEN
 * input bytes; the result is malloc()ed and NUL-terminated.  Encoding
 * returns a malloc()ed NUL-terminated string without padding, or NULL.
 */
meet_jwt_err_e meet_jwt_b64_decode(const u_char *src, size_t len,
    u_char **out, size_t *out_len);
char *meet_jwt_b64_encode(const u_char *src, size_t len, size_t *out_len);

/* the two dots of a three-segment token (JWS compact), or -1 */
int meet_jwt_split(const u_char *token, size_t len, const u_char **dot1,
    const u_char **dot2);

/* a base64url segment holding a JSON object (numbers decoded as reals) */
meet_jwt_err_e meet_jwt_decode_json(const u_char *src, size_t len,
    json_t **out);

/*
 * obj[key] as a string pointing into obj (empty when absent or null);
 * -1 when of another JSON type
 */
int meet_jwt_get_string(json_t *obj, const char *key, meet_jwt_str_t *out);

/*
 * obj[key] as a NumericDate truncated to seconds and clamped to +-2^53;
 * *set 0 when absent or null; -1 when not a number
 */
int meet_jwt_get_date(json_t *obj, const char *key, int64_t *val, int *set);


#endif /* _MEET_JWT_H_INCLUDED_ */
