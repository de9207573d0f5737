
/*
 * Copyright (C) ngx_meet authors
 *
 * LiveKit access tokens (JWS compact, HS256); see meet_jwt.h.
 */


#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "meet_jwt.h"


#define MEET_JWT_HS256_LEN     32

/* dates are float64 seconds in LiveKit (golang-jwt NumericDate) */
#define MEET_JWT_DATE_MAX      9007199254740992LL          /* 2^53 */
#define MEET_JWT_LEEWAY_MAX    4294967296LL                /* 2^32 */


typedef struct {
    const char                 *name;
    size_t                      len;
    meet_jwt_source_e           source;
} meet_jwt_source_name_t;


static void meet_jwt_claims_init(meet_jwt_claims_t *claims);
static int meet_jwt_absent(json_t *v);
static int meet_jwt_get_bool(json_t *obj, const char *key, int *val);
static int meet_jwt_check_strings(json_t *obj, const char *key,
    int allow_null);
static int meet_jwt_check_grant(json_t *obj, const char *key,
    const char **bools);
static meet_jwt_err_e meet_jwt_parse_claims(json_t *payload,
    meet_jwt_claims_t *claims, int *has_exp);
static meet_jwt_err_e meet_jwt_parse_video(json_t *video,
    meet_jwt_video_grant_t *g);
static meet_jwt_err_e meet_jwt_parse_attributes(json_t *attrs);
static int64_t meet_jwt_clamp(int64_t v, int64_t min, int64_t max);
static int meet_jwt_set_tri(json_t *obj, const char *key,
    meet_jwt_tri_e val);


static const u_char  meet_jwt_empty[] = "";

static const char  meet_jwt_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";


static const char  *meet_jwt_errors[] = {
    "ok",
    "token is too long",
    "token is malformed",
    "unsupported signing algorithm",
    "malformed claims",
    "unknown API key",
    "signature is invalid",
    "token has no expiration",
    "token is expired",
    "token is not valid yet",
    "no permissions to access the room",
    "identity cannot be empty",
    "no room name",
    "out of memory",
    "internal error"
};


static const int  meet_jwt_statuses[] = {
    200,    /* MEET_JWT_OK */
    401,    /* MEET_JWT_ERR_TOO_LONG */
    401,    /* MEET_JWT_ERR_MALFORMED */
    401,    /* MEET_JWT_ERR_ALGORITHM */
    401,    /* MEET_JWT_ERR_CLAIMS */
    401,    /* MEET_JWT_ERR_UNKNOWN_KEY */
    401,    /* MEET_JWT_ERR_SIGNATURE */
    401,    /* MEET_JWT_ERR_NO_EXPIRY */
    401,    /* MEET_JWT_ERR_EXPIRED */
    401,    /* MEET_JWT_ERR_NOT_YET_VALID */
    401,    /* MEET_JWT_ERR_PERMISSION_DENIED */
    400,    /* MEET_JWT_ERR_NO_IDENTITY */
    400,    /* MEET_JWT_ERR_NO_ROOM */
    500,    /* MEET_JWT_ERR_NO_MEMORY */
    500     /* MEET_JWT_ERR_INTERNAL */
};


/* LiveKit upper-cases the string and looks it up in TrackSource_value */
static const meet_jwt_source_name_t  meet_jwt_source_names[] = {
    { "unknown", 7, MEET_JWT_SOURCE_UNKNOWN },
    { "camera", 6, MEET_JWT_SOURCE_CAMERA },
    { "microphone", 10, MEET_JWT_SOURCE_MICROPHONE },
    { "screen_share", 12, MEET_JWT_SOURCE_SCREEN_SHARE },
    { "screen_share_audio", 18, MEET_JWT_SOURCE_SCREEN_SHARE_AUDIO },
    { NULL, 0, 0 }
};


/* video grant booleans, in the order of the indexes below */
static const char  *meet_jwt_video_bools[] = {
    "roomCreate",
    "roomList",
    "roomRecord",
    "roomAdmin",
    "roomJoin",
    "ingressAdmin",
    "hidden",
    "recorder",
    "agent",
    "canPublish",
    "canSubscribe",
    "canPublishData",
    "canUpdateOwnMetadata",
    "canSubscribeMetrics",
    "canManageAgentSession",
    NULL
};

enum {
    MEET_JWT_V_ROOM_CREATE = 0,
    MEET_JWT_V_ROOM_LIST,
    MEET_JWT_V_ROOM_RECORD,
    MEET_JWT_V_ROOM_ADMIN,
    MEET_JWT_V_ROOM_JOIN,
    MEET_JWT_V_INGRESS_ADMIN,
    MEET_JWT_V_HIDDEN,
    MEET_JWT_V_RECORDER,
    MEET_JWT_V_AGENT,
    MEET_JWT_V_CAN_PUBLISH,
    MEET_JWT_V_CAN_SUBSCRIBE,
    MEET_JWT_V_CAN_PUBLISH_DATA,
    MEET_JWT_V_CAN_UPDATE_OWN_METADATA,
    MEET_JWT_V_LAST = 16
};


/* the other grants of ClaimGrants, type-checked only */
static const char  *meet_jwt_sip_bools[] = { "admin", "call", NULL };
static const char  *meet_jwt_agent_bools[] = {
    "admin", "simulationAdmin", NULL
};
static const char  *meet_jwt_inference_bools[] = { "perform", NULL };
static const char  *meet_jwt_observability_bools[] = { "write", NULL };
static const char  *meet_jwt_no_bools[] = { NULL };


meet_jwt_err_e
meet_jwt_verify(const u_char *token, size_t len, meet_jwt_lookup_pt lookup,
    void *data, int64_t now, int64_t leeway, meet_jwt_claims_t *claims)
{
    int              has_exp;
    u_char          *sig;
    size_t           sig_len, secret_len;
    json_t          *header, *alg;
    unsigned int     mac_len;
    const u_char    *dot1, *dot2, *end, *secret;
    meet_jwt_err_e   rc;
    u_char           mac[EVP_MAX_MD_SIZE];

    if (claims == NULL) {
        return MEET_JWT_ERR_INTERNAL;
    }

    meet_jwt_claims_init(claims);

    if (lookup == NULL) {
        return MEET_JWT_ERR_INTERNAL;
    }

    if (token == NULL || len == 0) {
        return MEET_JWT_ERR_MALFORMED;
    }

    if (len > MEET_JWT_MAX_TOKEN_LEN) {
        return MEET_JWT_ERR_TOO_LONG;
    }

    if (meet_jwt_split(token, len, &dot1, &dot2) != 0) {
        return MEET_JWT_ERR_MALFORMED;
    }

    end = token + len;

    /*
     * every segment is decoded before anything else, as golang-jwt's
     * ParseUnverified() does: a malformed token never reaches the lookup
     */

    rc = meet_jwt_b64_decode(dot2 + 1, end - dot2 - 1, &sig, &sig_len);
    if (rc != MEET_JWT_OK) {
        return rc;
    }

    rc = meet_jwt_decode_json(token, dot1 - token, &header);
    if (rc != MEET_JWT_OK) {
        free(sig);
        return rc;
    }

    rc = meet_jwt_decode_json(dot1 + 1, dot2 - dot1 - 1, &claims->payload);
    if (rc != MEET_JWT_OK) {
        json_decref(header);
        goto failed;
    }

    /* header: {"alg":"HS256"} */

    alg = json_object_get(header, "alg");

    if (!json_is_string(alg)
        || json_string_length(alg) != 5
        || memcmp(json_string_value(alg), "HS256", 5) != 0)
    {
        json_decref(header);
        rc = MEET_JWT_ERR_ALGORITHM;
        goto failed;
    }

    json_decref(header);

    rc = meet_jwt_parse_claims(claims->payload, claims, &has_exp);
    if (rc != MEET_JWT_OK) {
        goto failed;
    }

    /* the API key selects the secret */

    if (claims->api_key.len == 0) {
        rc = MEET_JWT_ERR_UNKNOWN_KEY;
        goto failed;
    }

    secret_len = 0;
    secret = lookup(data, claims->api_key.data, claims->api_key.len,
                    &secret_len);

    if (secret == NULL || secret_len == 0) {
        rc = MEET_JWT_ERR_UNKNOWN_KEY;
        goto failed;
    }

    if (secret_len > INT_MAX) {
        rc = MEET_JWT_ERR_INTERNAL;
        goto failed;
    }

    /* signature */

    if (HMAC(EVP_sha256(), secret, (int) secret_len, token, dot2 - token,
             mac, &mac_len)
        == NULL
        || mac_len != MEET_JWT_HS256_LEN)
    {
        rc = MEET_JWT_ERR_INTERNAL;
        goto failed;
    }

    if (sig_len != MEET_JWT_HS256_LEN
        || CRYPTO_memcmp(mac, sig, MEET_JWT_HS256_LEN) != 0)
    {
        rc = MEET_JWT_ERR_SIGNATURE;
        goto failed;
    }

    free(sig);
    sig = NULL;

    /* time, as golang-jwt's validator: exp required, then exp, then nbf */

    if (!has_exp) {
        rc = MEET_JWT_ERR_NO_EXPIRY;
        goto failed;
    }

    now = meet_jwt_clamp(now, -MEET_JWT_DATE_MAX, MEET_JWT_DATE_MAX);
    leeway = meet_jwt_clamp(leeway, 0, MEET_JWT_LEEWAY_MAX);

    if (now >= claims->exp + leeway) {
        rc = MEET_JWT_ERR_EXPIRED;
        goto failed;
    }

    if (claims->has_nbf && now + leeway < claims->nbf) {
        rc = MEET_JWT_ERR_NOT_YET_VALID;
        goto failed;
    }

    return MEET_JWT_OK;

failed:

    free(sig);
    meet_jwt_claims_free(claims);

    return rc;
}


/* exactly three segments: the two dots, or -1 */

int
meet_jwt_split(const u_char *token, size_t len, const u_char **dot1,
    const u_char **dot2)
{
    const u_char  *end;

    end = token + len;

    *dot1 = memchr(token, '.', len);
    if (*dot1 == NULL) {
        return -1;
    }

    *dot2 = memchr(*dot1 + 1, '.', end - *dot1 - 1);
    if (*dot2 == NULL || memchr(*dot2 + 1, '.', end - *dot2 - 1) != NULL) {
        return -1;
    }

    return 0;
}


void
meet_jwt_claims_free(meet_jwt_claims_t *claims)
{
    if (claims == NULL) {
        return;
    }

    if (claims->payload != NULL) {
        json_decref(claims->payload);
    }

    meet_jwt_claims_init(claims);
}


meet_jwt_err_e
meet_jwt_check_join(const meet_jwt_claims_t *claims)
{
    if (claims == NULL || !claims->has_video || !claims->video.room_join) {
        return MEET_JWT_ERR_PERMISSION_DENIED;
    }

    if (claims->identity.len == 0) {
        return MEET_JWT_ERR_NO_IDENTITY;
    }

    if (claims->video.room.len == 0) {
        return MEET_JWT_ERR_NO_ROOM;
    }

    return MEET_JWT_OK;
}


int
meet_jwt_can_publish_source(const meet_jwt_video_grant_t *video,
    meet_jwt_source_e source)
{
    if (video == NULL || !video->can_publish) {
        return 0;
    }

    if (!video->sources_restricted) {
        return 1;
    }

    if ((unsigned) source >= sizeof(unsigned) * CHAR_BIT) {
        return 0;
    }

    return (video->sources & MEET_JWT_SOURCE_BIT(source)) != 0;
}


const char *
meet_jwt_strerror(meet_jwt_err_e err)
{
    if ((unsigned) err >= MEET_JWT_ERR_LAST) {
        return "unknown error";
    }

    return meet_jwt_errors[err];
}


int
meet_jwt_http_status(meet_jwt_err_e err)
{
    if ((unsigned) err >= MEET_JWT_ERR_LAST) {
        return 500;
    }

    return meet_jwt_statuses[err];
}


char *
meet_jwt_sign_hs256(json_t *claims, const u_char *key, size_t key_len,
    const u_char *secret, size_t secret_len)
{
    char          *payload, *h64, *p64, *s64, *token;
    size_t         h64_len, p64_len, s64_len, n;
    json_t        *copy, *obj, *iss;
    unsigned int   mac_len;
    u_char         mac[EVP_MAX_MD_SIZE];

    if (!json_is_object(claims)
        || secret == NULL || secret_len == 0 || secret_len > INT_MAX
        || (key == NULL && key_len != 0))
    {
        return NULL;
    }

    copy = NULL;
    obj = claims;

    if (key != NULL) {
        copy = json_copy(claims);
        if (copy == NULL) {
            return NULL;
        }

        iss = json_stringn((const char *) key, key_len);

        if (json_object_set_new(copy, "iss", iss) != 0) {
            json_decref(copy);
            return NULL;
        }

        obj = copy;
    }

    payload = json_dumps(obj, JSON_COMPACT);

    if (copy != NULL) {
        json_decref(copy);
    }

    if (payload == NULL) {
        return NULL;
    }

    token = NULL;
    p64 = NULL;
    s64 = NULL;

    h64 = meet_jwt_b64_encode((const u_char *) meet_jwt_header,
                              sizeof(meet_jwt_header) - 1, &h64_len);
    if (h64 == NULL) {
        goto done;
    }

    p64 = meet_jwt_b64_encode((const u_char *) payload, strlen(payload),
                              &p64_len);
    if (p64 == NULL) {
        goto done;
    }

    /* 43 characters of signature */
    token = malloc(h64_len + 1 + p64_len + 1 + 44);
    if (token == NULL) {
        goto done;
    }

    memcpy(token, h64, h64_len);
    token[h64_len] = '.';
    memcpy(token + h64_len + 1, p64, p64_len);
    n = h64_len + 1 + p64_len;

    if (HMAC(EVP_sha256(), secret, (int) secret_len, (u_char *) token, n,
             mac, &mac_len)
        == NULL
        || mac_len != MEET_JWT_HS256_LEN)
    {
        free(token);
        token = NULL;
        goto done;
    }

    s64 = meet_jwt_b64_encode(mac, mac_len, &s64_len);
    if (s64 == NULL || s64_len != 43) {
        free(token);
        token = NULL;
        goto done;
    }

    token[n] = '.';
    memcpy(token + n + 1, s64, s64_len);
    token[n + 1 + s64_len] = '\0';

done:

    free(payload);
    free(h64);
    free(p64);
    free(s64);

    return token;
}


json_t *
meet_jwt_build_claims(const meet_jwt_token_spec_t *spec)
{
    json_t                        *claims, *video, *sources, *attrs;
    const meet_jwt_source_name_t  *s;

    if (spec == NULL
        || spec->ttl <= 0
        || spec->now < -MEET_JWT_DATE_MAX
        || spec->now > MEET_JWT_DATE_MAX
        || spec->ttl > MEET_JWT_DATE_MAX)
    {
        return NULL;
    }

    claims = json_object();
    if (claims == NULL) {
        return NULL;
    }

    /* livekit-server-sdk: empty strings are left out */

    if (spec->identity != NULL && spec->identity[0] != '\0'
        && json_object_set_new(claims, "sub", json_string(spec->identity))
           != 0)
    {
        goto failed;
    }

    if (spec->name != NULL && spec->name[0] != '\0'
        && json_object_set_new(claims, "name", json_string(spec->name)) != 0)
    {
        goto failed;
    }

    if (spec->metadata != NULL && spec->metadata[0] != '\0'
        && json_object_set_new(claims, "metadata",
                               json_string(spec->metadata))
           != 0)
    {
        goto failed;
    }

    if (spec->attributes != NULL) {
        if (!json_is_object(spec->attributes)) {
            goto failed;
        }

        attrs = json_deep_copy(spec->attributes);

        if (json_object_set_new(claims, "attributes", attrs) != 0) {
            goto failed;
        }
    }

    if (json_object_set_new(claims, "nbf", json_integer(spec->now)) != 0
        || json_object_set_new(claims, "exp",
                               json_integer(spec->now + spec->ttl))
           != 0)
    {
        goto failed;
    }

    if (spec->no_video) {
        return claims;
    }

    video = json_object();

    if (json_object_set_new(claims, "video", video) != 0) {
        goto failed;
    }

    if ((spec->room_create
         && json_object_set_new(video, "roomCreate", json_true()) != 0)
        || (spec->room_list
            && json_object_set_new(video, "roomList", json_true()) != 0)
        || (spec->room_record
            && json_object_set_new(video, "roomRecord", json_true()) != 0)
        || (spec->room_admin
            && json_object_set_new(video, "roomAdmin", json_true()) != 0)
        || (spec->room_join
            && json_object_set_new(video, "roomJoin", json_true()) != 0)
        || (spec->room != NULL && spec->room[0] != '\0'
            && json_object_set_new(video, "room", json_string(spec->room))
               != 0)
        || (spec->ingress_admin
            && json_object_set_new(video, "ingressAdmin", json_true()) != 0)
        || (spec->hidden
            && json_object_set_new(video, "hidden", json_true()) != 0)
        || (spec->recorder
            && json_object_set_new(video, "recorder", json_true()) != 0)
        || (spec->agent
            && json_object_set_new(video, "agent", json_true()) != 0))
    {
        goto failed;
    }

    if (meet_jwt_set_tri(video, "canPublish", spec->can_publish) != 0
        || meet_jwt_set_tri(video, "canSubscribe", spec->can_subscribe) != 0
        || meet_jwt_set_tri(video, "canPublishData", spec->can_publish_data)
           != 0
        || meet_jwt_set_tri(video, "canUpdateOwnMetadata",
                            spec->can_update_own_metadata)
           != 0)
    {
        goto failed;
    }

    if (spec->sources != 0) {
        sources = json_array();

        if (json_object_set_new(video, "canPublishSources", sources) != 0) {
            goto failed;
        }

        for (s = meet_jwt_source_names; s->name; s++) {
            if (s->source == MEET_JWT_SOURCE_UNKNOWN
                || !(spec->sources & MEET_JWT_SOURCE_BIT(s->source)))
            {
                continue;
            }

            if (json_array_append_new(sources, json_string(s->name)) != 0) {
                goto failed;
            }
        }
    }

    return claims;

failed:

    json_decref(claims);

    return NULL;
}


char *
meet_jwt_mint(const meet_jwt_token_spec_t *spec, const u_char *key,
    size_t key_len, const u_char *secret, size_t secret_len)
{
    char    *token;
    json_t  *claims;

    if (key == NULL) {
        return NULL;
    }

    claims = meet_jwt_build_claims(spec);
    if (claims == NULL) {
        return NULL;
    }

    token = meet_jwt_sign_hs256(claims, key, key_len, secret, secret_len);

    json_decref(claims);

    return token;
}


static void
meet_jwt_claims_init(meet_jwt_claims_t *claims)
{
    meet_jwt_str_t  empty;

    memset(claims, 0, sizeof(meet_jwt_claims_t));

    empty.data = meet_jwt_empty;
    empty.len = 0;

    claims->api_key = empty;
    claims->sub = empty;
    claims->jti = empty;
    claims->identity = empty;
    claims->name = empty;
    claims->metadata = empty;
    claims->kind = empty;
    claims->sha256 = empty;
    claims->video.room = empty;
}


/*
 * base64url, padding optional (LiveKit's tokens have none); anything
 * outside the alphabet is an error.  The result is malloc()ed and
 * NUL-terminated.
 */

meet_jwt_err_e
meet_jwt_b64_decode(const u_char *src, size_t len, u_char **out,
    size_t *out_len)
{
    int      rc;
    size_t   n, pad, blen, i;
    u_char   c, *buf, *dst;

    *out = NULL;
    *out_len = 0;

    if (len > MEET_JWT_MAX_TOKEN_LEN) {
        return MEET_JWT_ERR_MALFORMED;
    }

    n = len;
    pad = 0;

    while (pad < 2 && n > 0 && src[n - 1] == '=') {
        n--;
        pad++;
    }

    if ((pad && (n + pad) % 4 != 0) || n % 4 == 1) {
        return MEET_JWT_ERR_MALFORMED;
    }

    blen = (n + 3) / 4 * 4;

    buf = malloc(blen + 1);
    if (buf == NULL) {
        return MEET_JWT_ERR_NO_MEMORY;
    }

    for (i = 0; i < n; i++) {
        c = src[i];

        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9'))
        {
            buf[i] = c;

        } else if (c == '-') {
            buf[i] = '+';

        } else if (c == '_') {
            buf[i] = '/';

        } else {
            free(buf);
            return MEET_JWT_ERR_MALFORMED;
        }
    }

    for ( /* void */ ; i < blen; i++) {
        buf[i] = '=';
    }

    buf[blen] = '\0';

    dst = malloc(blen / 4 * 3 + 1);
    if (dst == NULL) {
        free(buf);
        return MEET_JWT_ERR_NO_MEMORY;
    }

    rc = EVP_DecodeBlock(dst, buf, (int) blen);

    free(buf);

    if (rc < 0) {
        free(dst);
        return MEET_JWT_ERR_MALFORMED;
    }

    /* EVP_DecodeBlock() counts the padding as zero bytes */
    *out_len = n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0);
    dst[*out_len] = '\0';
    *out = dst;

    return MEET_JWT_OK;
}


char *
meet_jwt_b64_encode(const u_char *src, size_t len, size_t *out_len)
{
    int    n, i;
    char  *dst;

    if (len > INT_MAX / 4 * 3 - 3) {
        return NULL;
    }

    dst = malloc((len + 2) / 3 * 4 + 1);
    if (dst == NULL) {
        return NULL;
    }

    n = EVP_EncodeBlock((u_char *) dst, src, (int) len);

    while (n > 0 && dst[n - 1] == '=') {
        n--;
    }

    for (i = 0; i < n; i++) {
        if (dst[i] == '+') {
            dst[i] = '-';

        } else if (dst[i] == '/') {
            dst[i] = '_';
        }
    }

    dst[n] = '\0';
    *out_len = n;

    return dst;
}


/* a base64url segment holding a JSON object */

meet_jwt_err_e
meet_jwt_decode_json(const u_char *src, size_t len, json_t **out)
{
    u_char          *buf;
    size_t           n;
    json_t          *json;
    json_error_t     error;
    meet_jwt_err_e   rc;

    *out = NULL;

    rc = meet_jwt_b64_decode(src, len, &buf, &n);
    if (rc != MEET_JWT_OK) {
        return rc;
    }

    /*
     * numbers as reals: golang decodes NumericDate through float64, and a
     * large integer must not fail as "too big integer"; no NUL in strings
     */
    /* jansson leaves it untouched when its first allocation fails */
    memset(&error, 0, sizeof(json_error_t));

    json = json_loadb((const char *) buf, n, JSON_DECODE_INT_AS_REAL, &error);

    free(buf);

    if (json == NULL) {
        return json_error_code(&error) == json_error_out_of_memory
               ? MEET_JWT_ERR_NO_MEMORY : MEET_JWT_ERR_MALFORMED;
    }

    if (!json_is_object(json)) {
        json_decref(json);
        return MEET_JWT_ERR_MALFORMED;
    }

    *out = json;

    return MEET_JWT_OK;
}


/* golang's json leaves a field untouched for null */

static int
meet_jwt_absent(json_t *v)
{
    return v == NULL || json_is_null(v);
}


int
meet_jwt_get_string(json_t *obj, const char *key, meet_jwt_str_t *out)
{
    json_t  *v;

    out->data = meet_jwt_empty;
    out->len = 0;

    v = json_object_get(obj, key);

    if (meet_jwt_absent(v)) {
        return 0;
    }

    if (!json_is_string(v)) {
        return -1;
    }

    out->data = (const u_char *) json_string_value(v);
    out->len = json_string_length(v);

    return 0;
}


/* *val: -1 absent, 0 false, 1 true */

static int
meet_jwt_get_bool(json_t *obj, const char *key, int *val)
{
    json_t  *v;

    *val = -1;

    v = json_object_get(obj, key);

    if (meet_jwt_absent(v)) {
        return 0;
    }

    if (!json_is_boolean(v)) {
        return -1;
    }

    *val = json_is_true(v) ? 1 : 0;

    return 0;
}


/* golang-jwt NumericDate: a JSON number, truncated to whole seconds */

int
meet_jwt_get_date(json_t *obj, const char *key, int64_t *val, int *set)
{
    double    d;
    json_t   *v;
    int64_t   t;

    *val = 0;
    *set = 0;

    v = json_object_get(obj, key);

    if (meet_jwt_absent(v)) {
        return 0;
    }

    if (json_is_integer(v)) {
        t = meet_jwt_clamp(json_integer_value(v), -MEET_JWT_DATE_MAX,
                           MEET_JWT_DATE_MAX);

    } else if (json_is_real(v)) {
        d = json_real_value(v);

        if (d != d) {
            return -1;
        }

        if (d >= (double) MEET_JWT_DATE_MAX) {
            t = MEET_JWT_DATE_MAX;

        } else if (d <= (double) -MEET_JWT_DATE_MAX) {
            t = -MEET_JWT_DATE_MAX;

        } else {
            t = (int64_t) d;

            if ((double) t > d) {
                t--;
            }
        }

    } else {
        return -1;
    }

    *val = t;
    *set = 1;

    return 0;
}


/*
 * obj[key], when present, is a string or an array of strings (aud,
 * golang-jwt ClaimStrings, allow_null 0), or an array of strings and nulls
 * ([]string, allow_null 1)
 */

static int
meet_jwt_check_strings(json_t *obj, const char *key, int allow_null)
{
    size_t   i;
    json_t  *v, *e;

    v = json_object_get(obj, key);

    if (meet_jwt_absent(v)) {
        return 0;
    }

    if (json_is_string(v) && !allow_null) {
        return 0;
    }

    if (!json_is_array(v)) {
        return -1;
    }

    json_array_foreach(v, i, e) {
        if (json_is_string(e) || (allow_null && json_is_null(e))) {
            continue;
        }

        return -1;
    }

    return 0;
}


/* obj[key], when present, is an object whose listed keys are booleans */

static int
meet_jwt_check_grant(json_t *obj, const char *key, const char **bools)
{
    int      val;
    json_t  *v;

    v = json_object_get(obj, key);

    if (meet_jwt_absent(v)) {
        return 0;
    }

    if (!json_is_object(v)) {
        return -1;
    }

    for ( /* void */ ; *bools; bools++) {
        if (meet_jwt_get_bool(v, *bools, &val) != 0) {
            return -1;
        }
    }

    return 0;
}


static meet_jwt_err_e
meet_jwt_parse_claims(json_t *payload, meet_jwt_claims_t *claims,
    int *has_exp)
{
    int              set;
    json_t          *v;
    meet_jwt_str_t   unused;
    meet_jwt_err_e   rc;

    *has_exp = 0;

    /* registered claims (golang-jwt RegisteredClaims) */

    if (meet_jwt_get_string(payload, "iss", &claims->api_key) != 0
        || meet_jwt_get_string(payload, "sub", &claims->sub) != 0
        || meet_jwt_get_string(payload, "jti", &claims->jti) != 0
        || meet_jwt_check_strings(payload, "aud", 0) != 0
        || meet_jwt_get_date(payload, "exp", &claims->exp, has_exp) != 0
        || meet_jwt_get_date(payload, "nbf", &claims->nbf, &set) != 0)
    {
        return MEET_JWT_ERR_CLAIMS;
    }

    claims->has_nbf = set;

    if (meet_jwt_get_date(payload, "iat", &claims->iat, &set) != 0) {
        return MEET_JWT_ERR_CLAIMS;
    }

    claims->has_iat = set;

    /* LiveKit ClaimGrants */

    if (meet_jwt_get_string(payload, "name", &claims->name) != 0
        || meet_jwt_get_string(payload, "metadata", &claims->metadata) != 0
        || meet_jwt_get_string(payload, "kind", &claims->kind) != 0
        || meet_jwt_get_string(payload, "sha256", &claims->sha256) != 0
        || meet_jwt_get_string(payload, "identity", &unused) != 0
        || meet_jwt_get_string(payload, "roomPreset", &unused) != 0
        || meet_jwt_check_strings(payload, "kindDetails", 1) != 0
        || meet_jwt_check_grant(payload, "sip", meet_jwt_sip_bools) != 0
        || meet_jwt_check_grant(payload, "agent", meet_jwt_agent_bools) != 0
        || meet_jwt_check_grant(payload, "inference",
                                meet_jwt_inference_bools)
           != 0
        || meet_jwt_check_grant(payload, "observability",
                                meet_jwt_observability_bools)
           != 0
        || meet_jwt_check_grant(payload, "roomConfig", meet_jwt_no_bools)
           != 0)
    {
        return MEET_JWT_ERR_CLAIMS;
    }

    /* the verifier's identity: sub, else jti */
    claims->identity = claims->sub.len ? claims->sub : claims->jti;

    v = json_object_get(payload, "attributes");

    if (!meet_jwt_absent(v)) {
        rc = meet_jwt_parse_attributes(v);
        if (rc != MEET_JWT_OK) {
            return rc;
        }

        claims->attributes = v;
    }

    v = json_object_get(payload, "video");

    if (!meet_jwt_absent(v)) {
        rc = meet_jwt_parse_video(v, &claims->video);
        if (rc != MEET_JWT_OK) {
            return rc;
        }

        claims->has_video = 1;

    } else {
        /* what LiveKit's getters answer for a nil grant's fields */
        claims->video.can_publish = 1;
        claims->video.can_subscribe = 1;
        claims->video.can_publish_data = 1;
    }

    return MEET_JWT_OK;
}


static meet_jwt_err_e
meet_jwt_parse_video(json_t *video, meet_jwt_video_grant_t *g)
{
    int                            vals[MEET_JWT_V_LAST];
    size_t                         i, len;
    json_t                        *v, *e;
    const char                    *s;
    meet_jwt_str_t                 unused;
    const meet_jwt_source_name_t  *src;

    if (!json_is_object(video)) {
        return MEET_JWT_ERR_CLAIMS;
    }

    for (i = 0; meet_jwt_video_bools[i]; i++) {
        if (meet_jwt_get_bool(video, meet_jwt_video_bools[i], &vals[i])
            != 0)
        {
            return MEET_JWT_ERR_CLAIMS;
        }
    }

    if (meet_jwt_get_string(video, "room", &g->room) != 0
        || meet_jwt_get_string(video, "destinationRoom", &unused) != 0
        || meet_jwt_check_strings(video, "canPublishSources", 1) != 0)
    {
        return MEET_JWT_ERR_CLAIMS;
    }

    g->room_create = (vals[MEET_JWT_V_ROOM_CREATE] == 1);
    g->room_list = (vals[MEET_JWT_V_ROOM_LIST] == 1);
    g->room_record = (vals[MEET_JWT_V_ROOM_RECORD] == 1);
    g->room_admin = (vals[MEET_JWT_V_ROOM_ADMIN] == 1);
    g->room_join = (vals[MEET_JWT_V_ROOM_JOIN] == 1);
    g->ingress_admin = (vals[MEET_JWT_V_INGRESS_ADMIN] == 1);
    g->hidden = (vals[MEET_JWT_V_HIDDEN] == 1);
    g->recorder = (vals[MEET_JWT_V_RECORDER] == 1);
    g->agent = (vals[MEET_JWT_V_AGENT] == 1);

    /* GetCanPublish(), GetCanSubscribe(): true when absent */
    g->can_publish_set = (vals[MEET_JWT_V_CAN_PUBLISH] != -1);
    g->can_publish = (vals[MEET_JWT_V_CAN_PUBLISH] != 0);

    g->can_subscribe_set = (vals[MEET_JWT_V_CAN_SUBSCRIBE] != -1);
    g->can_subscribe = (vals[MEET_JWT_V_CAN_SUBSCRIBE] != 0);

    /* GetCanPublishData(): GetCanPublish() when absent */
    g->can_publish_data_set = (vals[MEET_JWT_V_CAN_PUBLISH_DATA] != -1);
    g->can_publish_data = g->can_publish_data_set
                          ? vals[MEET_JWT_V_CAN_PUBLISH_DATA]
                          : g->can_publish;

    /* GetCanUpdateOwnMetadata(): false when absent */
    g->can_update_own_metadata_set =
                          (vals[MEET_JWT_V_CAN_UPDATE_OWN_METADATA] != -1);
    g->can_update_own_metadata =
                          (vals[MEET_JWT_V_CAN_UPDATE_OWN_METADATA] == 1);

    /*
     * canPublishSources: a non-empty list restricts publishing to the
     * sources it names (an empty one does not, as in GetCanPublishSource);
     * names are matched case-insensitively, unknown names are ignored
     */

    v = json_object_get(video, "canPublishSources");

    if (json_is_array(v) && json_array_size(v) > 0) {
        g->sources_restricted = 1;

        json_array_foreach(v, i, e) {
            if (!json_is_string(e)) {
                continue;
            }

            s = json_string_value(e);
            len = json_string_length(e);

            for (src = meet_jwt_source_names; src->name; src++) {
                if (src->len == len && strncasecmp(src->name, s, len) == 0) {
                    g->sources |= MEET_JWT_SOURCE_BIT(src->source);
                    break;
                }
            }
        }
    }

    return MEET_JWT_OK;
}


/* map[string]string: string values, null read as "" */

static meet_jwt_err_e
meet_jwt_parse_attributes(json_t *attrs)
{
    json_t      *v, *empty;
    const char  *key;

    if (!json_is_object(attrs)) {
        return MEET_JWT_ERR_CLAIMS;
    }

    json_object_foreach(attrs, key, v) {
        if (json_is_string(v)) {
            continue;
        }

        if (!json_is_null(v)) {
            return MEET_JWT_ERR_CLAIMS;
        }

        empty = json_string("");
        if (empty == NULL) {
            return MEET_JWT_ERR_NO_MEMORY;
        }

        /* replacing the value of an existing key keeps the iteration */
        if (json_object_set_new(attrs, key, empty) != 0) {
            return MEET_JWT_ERR_NO_MEMORY;
        }
    }

    return MEET_JWT_OK;
}


static int64_t
meet_jwt_clamp(int64_t v, int64_t min, int64_t max)
{
    if (v < min) {
        return min;
    }

    if (v > max) {
        return max;
    }

    return v;
}


static int
meet_jwt_set_tri(json_t *obj, const char *key, meet_jwt_tri_e val)
{
    switch (val) {

    case MEET_JWT_TRUE:
        return json_object_set_new(obj, key, json_true());

    case MEET_JWT_FALSE:
        return json_object_set_new(obj, key, json_false());

    default:
        return 0;
    }
}
