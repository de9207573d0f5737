/* sources: ngx_meet_core/lib/meet_jwt.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the LiveKit access token library (meet_jwt.c).
 */


#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "tap.h"
#include "meet_jwt.h"


#define NOW            1700000000LL
#define EXP            (NOW + 600)
#define VEC_KEY        "APIvectorKey"
#define VEC_SECRET     "vector-secret-0123456789abcdefghijklmnop"


typedef struct {
    const char                 *key;
    const char                 *secret;
} test_key_t;


static const test_key_t  test_keys[] = {
    { VEC_KEY, VEC_SECRET },
    { "devkey", "secret" },
    { "emptysecret", "" },
    { NULL, NULL }
};

static int  lookups;


/*
 * Generated with livekit-server-sdk 2.19.2 (AccessToken; vec_jti, vec_hs384,
 * vec_none and vec_noexp with jose 6.2.17, which the SDK uses) under node
 * 20, Date pinned to NOW, key VEC_KEY, secret VEC_SECRET, ttl 600 s; the
 * valid ones also pass the SDK's TokenVerifier at NOW.
 */

static const char  vec_full[] =
    "eyJhbGciOiJIUzI1NiJ9.eyJtZXRhZGF0YSI6IntcIm1cIjoxfSIsImF0dHJpYnV0ZXM"
    "iOnsiY29sb3IiOiIjZmYwMDAwIiwicm9vbV9yb2xlIjoib3duZXIifSwibmFtZSI6IkF"
    "saWNlIiwia2luZCI6ImFnZW50Iiwic2hhMjU2IjoibjRiUWdZaE1mV1dhTCtxZ3hWclF"
    "GYU8vVHhzckM0SXMwVjFzRmJEd0NnZz0iLCJ2aWRlbyI6eyJyb29tQ3JlYXRlIjp0cnV"
    "lLCJyb29tTGlzdCI6dHJ1ZSwicm9vbVJlY29yZCI6dHJ1ZSwicm9vbUFkbWluIjp0cnV"
    "lLCJyb29tSm9pbiI6dHJ1ZSwicm9vbSI6InJvb20tMSIsImNhblB1Ymxpc2giOnRydWU"
    "sImNhblN1YnNjcmliZSI6dHJ1ZSwiY2FuUHVibGlzaERhdGEiOmZhbHNlLCJjYW5VcGR"
    "hdGVPd25NZXRhZGF0YSI6dHJ1ZSwiaGlkZGVuIjp0cnVlLCJyZWNvcmRlciI6dHJ1ZSw"
    "iYWdlbnQiOnRydWUsImluZ3Jlc3NBZG1pbiI6dHJ1ZSwiY2FuUHVibGlzaFNvdXJjZXM"
    "iOlsiY2FtZXJhIiwibWljcm9waG9uZSIsInNjcmVlbl9zaGFyZSIsInNjcmVlbl9zaGF"
    "yZV9hdWRpbyJdfSwiaXNzIjoiQVBJdmVjdG9yS2V5IiwiZXhwIjoxNzAwMDAwNjAwLCJ"
    "uYmYiOjE3MDAwMDAwMDAsInN1YiI6ImFsaWNlIn0.9hLv5QgbmtsuXDGSEv9h4u6_vDm"
    "7pVXrfmpeggbOLcM";

static const char  vec_defaults[] =
    "eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6eyJyb29tSm9pbiI6dHJ1ZSwicm9vbSI6InI"
    "yIn0sImlzcyI6IkFQSXZlY3RvcktleSIsImV4cCI6MTcwMDAwMDYwMCwibmJmIjoxNzA"
    "wMDAwMDAwLCJzdWIiOiJib2IifQ.xZZpC3w4D2xFpI6r37Fz5jGnoo9MRFAAekiZNW9Q"
    "rFg";

static const char  vec_sources[] =
    "eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6eyJyb29tSm9pbiI6dHJ1ZSwicm9vbSI6InI"
    "zIiwiY2FuUHVibGlzaFNvdXJjZXMiOlsiY2FtZXJhIiwic2NyZWVuX3NoYXJlIl19LCJ"
    "pc3MiOiJBUEl2ZWN0b3JLZXkiLCJleHAiOjE3MDAwMDA2MDAsIm5iZiI6MTcwMDAwMDA"
    "wMCwic3ViIjoiY2FtIn0.Zge81GgT1cCa49s3B_nDifRRiHv4kBVqWXBTeat-Ggk";

static const char  vec_nojoin[] =
    "eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6eyJyb29tTGlzdCI6dHJ1ZX0sImlzcyI6IkF"
    "QSXZlY3RvcktleSIsImV4cCI6MTcwMDAwMDYwMCwibmJmIjoxNzAwMDAwMDAwLCJzdWI"
    "iOiJub2pvaW4ifQ.pk-QT4CoGg6rn7NzTmKhXhe7wazHoUo280QiIsnXWxM";

static const char  vec_noroom[] =
    "eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6eyJyb29tSm9pbiI6dHJ1ZX0sImlzcyI6IkF"
    "QSXZlY3RvcktleSIsImV4cCI6MTcwMDAwMDYwMCwibmJmIjoxNzAwMDAwMDAwLCJzdWI"
    "iOiJkYXZlIn0.4mAdTG8t4VQpADV_-mj1oKJR2iRAT_yKI2k6W5kat1E";

static const char  vec_jti[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ2aWRlbyI6eyJyb29tSm9pbiI6dHJ"
    "1ZSwicm9vbSI6InI1In0sImlzcyI6IkFQSXZlY3RvcktleSIsImp0aSI6ImNhcm9sIiw"
    "iaWF0IjoxNzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDYwMH0"
    ".O2nDL_vI2CH-QIXR5e8b5jgIb4SVMuBQoUhIotbG8tI";

static const char  vec_hs384[] =
    "eyJhbGciOiJIUzM4NCJ9.eyJ2aWRlbyI6eyJyb29tSm9pbiI6dHJ1ZSwicm9vbSI6InI"
    "ifSwiaXNzIjoiQVBJdmVjdG9yS2V5Iiwic3ViIjoiZXZlIiwiZXhwIjoxNzAwMDAwNjA"
    "wfQ.3e20ntTfFAPBOHWaj_0tJRE_qv5I7ky2kSkxSiGdxpLVRkeGZke0VXuEJStGztGF";

static const char  vec_none[] =
    "eyJhbGciOiJub25lIn0.eyJ2aWRlbyI6eyJyb29tSm9pbiI6dHJ1ZSwicm9vbSI6InIi"
    "fSwiaXNzIjoiQVBJdmVjdG9yS2V5Iiwic3ViIjoiZXZlIiwiZXhwIjoxNzAwMDAwNjAw"
    "fQ.";

static const char  vec_noexp[] =
    "eyJhbGciOiJIUzI1NiJ9.eyJ2aWRlbyI6eyJyb29tSm9pbiI6dHJ1ZSwicm9vbSI6InI"
    "ifSwiaXNzIjoiQVBJdmVjdG9yS2V5Iiwic3ViIjoiZXZlIn0.rTrTG4ucTsVXNK0-K_H"
    "ZZzMM6cy9oA6Yrxnx6MbGQMA";

/*
 * Minted by meet_jwt_mint() (see test_mint) and accepted by
 * livekit-server-sdk 2.19.2 TokenVerifier(VEC_KEY, VEC_SECRET) at NOW.
 */

static const char  vec_minted[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ6b2UiLCJuYW1lIjoiWm_"
    "DqSIsImF0dHJpYnV0ZXMiOnsiY29sb3IiOiIjMTIzNDU2Iiwicm9vbV9yb2xlIjoib3d"
    "uZXIiLCJpc19hdXRoZW50aWNhdGVkIjoidHJ1ZSJ9LCJuYmYiOjE3MDAwMDAwMDAsImV"
    "4cCI6MTcwMDAwMzYwMCwidmlkZW8iOnsicm9vbUFkbWluIjp0cnVlLCJyb29tSm9pbiI"
    "6dHJ1ZSwicm9vbSI6Im1lZXQtcm9vbSIsImNhblB1Ymxpc2giOnRydWUsImNhblN1YnN"
    "jcmliZSI6dHJ1ZSwiY2FuVXBkYXRlT3duTWV0YWRhdGEiOmZhbHNlLCJjYW5QdWJsaXN"
    "oU291cmNlcyI6WyJjYW1lcmEiLCJtaWNyb3Bob25lIiwic2NyZWVuX3NoYXJlIiwic2N"
    "yZWVuX3NoYXJlX2F1ZGlvIl19LCJpc3MiOiJBUEl2ZWN0b3JLZXkifQ.BqedvPvgk-_i"
    "PZAF1eMCgr0MxJqBr7QT59aChkEbdKk";

static const u_char *
test_lookup(void *data, const u_char *key, size_t key_len,
    size_t *secret_len)
{
    const test_key_t  *k;

    (void) data;

    lookups++;

    for (k = test_keys; k->key; k++) {
        if (strlen(k->key) == key_len && memcmp(k->key, key, key_len) == 0) {
            *secret_len = strlen(k->secret);
            return (const u_char *) k->secret;
        }
    }

    return NULL;
}


static meet_jwt_err_e
verify_at(const char *token, int64_t now, meet_jwt_claims_t *claims)
{
    return meet_jwt_verify((const u_char *) token, strlen(token),
                           test_lookup, NULL, now, MEET_JWT_LEEWAY, claims);
}


/* verify at NOW, check the result, free the claims */

static void
expect(const char *token, meet_jwt_err_e expected, const char *name)
{
    meet_jwt_claims_t  c;
    meet_jwt_err_e     rc;

    rc = verify_at(token, NOW, &c);

    if (!is_int(rc, expected, "%s: %s", name, meet_jwt_strerror(expected))) {
        diag("got: %s", meet_jwt_strerror(rc));
    }

    if (rc != MEET_JWT_OK) {
        ok(c.payload == NULL && c.identity.len == 0
           && c.identity.data != NULL && c.attributes == NULL,
           "%s: claims reset on error", name);
    }

    meet_jwt_claims_free(&c);
}


static char *
b64url(const void *src, size_t len, int pad)
{
    int    n, i;
    char  *out;

    out = malloc((len + 2) / 3 * 4 + 1);
    if (out == NULL) {
        abort();
    }

    n = EVP_EncodeBlock((u_char *) out, src, (int) len);

    for (i = 0; i < n; i++) {
        if (out[i] == '+') {
            out[i] = '-';

        } else if (out[i] == '/') {
            out[i] = '_';
        }
    }

    while (!pad && n > 0 && out[n - 1] == '=') {
        n--;
    }

    out[n] = '\0';

    return out;
}


/*
 * A token from raw header and payload text, signed with "secret" (none
 * when NULL: empty signature), segments padded with '=' when "pad".
 */

static char *
raw_token(const char *header, const char *payload, const char *secret,
    int pad)
{
    char          *h, *p, *s, *token;
    size_t         n;
    unsigned int   mac_len;
    u_char         mac[EVP_MAX_MD_SIZE];

    h = b64url(header, strlen(header), pad);
    p = b64url(payload, strlen(payload), pad);

    n = strlen(h) + 1 + strlen(p);
    token = malloc(n + 1 + 100);
    if (token == NULL) {
        abort();
    }

    sprintf(token, "%s.%s", h, p);

    s = NULL;

    if (secret != NULL) {
        HMAC(EVP_sha256(), secret, (int) strlen(secret), (u_char *) token, n,
             mac, &mac_len);
        s = b64url(mac, mac_len, pad);
    }

    sprintf(token + n, ".%s", s ? s : "");

    free(h);
    free(p);
    free(s);

    return token;
}


/* a HS256 token for VEC_KEY with the given payload, checked at NOW */

static void
expect_payload(const char *payload, meet_jwt_err_e expected,
    const char *name)
{
    char  *token;

    token = raw_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload,
                      VEC_SECRET, 0);
    expect(token, expected, name);
    free(token);
}


static char *
xstrdup(const char *s)
{
    char  *p;

    p = strdup(s);
    if (p == NULL) {
        abort();
    }

    return p;
}


/* toggle the lowest bit of the base64url digit at "pos" */

static void
flip(char *token, size_t pos)
{
    static const char  alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    const char  *p;

    p = strchr(alphabet, token[pos]);
    token[pos] = alphabet[((p - alphabet) ^ 1) & 63];
}


static int
str_is(meet_jwt_str_t s, const char *expected)
{
    return s.data != NULL && s.len == strlen(expected)
           && memcmp(s.data, expected, s.len) == 0
           && s.data[s.len] == '\0';
}


static const char *
attr(const meet_jwt_claims_t *c, const char *key)
{
    return json_string_value(json_object_get(c->attributes, key));
}


static void
test_full(void)
{
    meet_jwt_claims_t        c;
    meet_jwt_video_grant_t  *v;

    lookups = 0;

    if (!is_int(verify_at(vec_full, NOW, &c), MEET_JWT_OK, "full: valid")) {
        return;
    }

    is_int(lookups, 1, "full: one key lookup");

    ok(str_is(c.api_key, VEC_KEY), "full: iss");
    ok(str_is(c.sub, "alice"), "full: sub");
    ok(str_is(c.jti, ""), "full: no jti");
    ok(str_is(c.identity, "alice"), "full: identity");
    ok(str_is(c.name, "Alice"), "full: name");
    ok(str_is(c.metadata, "{\"m\":1}"), "full: metadata");
    ok(str_is(c.kind, "agent"), "full: kind");
    ok(str_is(c.sha256, "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="),
       "full: sha256");
    is_int(json_object_size(c.attributes), 2, "full: 2 attributes");
    is_str(attr(&c, "color"), "#ff0000", "full: attribute color");
    is_str(attr(&c, "room_role"), "owner", "full: attribute room_role");
    is_int(c.exp, EXP, "full: exp");
    ok(c.has_nbf && c.nbf == NOW, "full: nbf");
    ok(!c.has_iat && c.iat == 0, "full: no iat");
    ok(c.has_video, "full: video grant");

    v = &c.video;
    ok(str_is(v->room, "room-1"), "full: room");
    ok(v->room_create && v->room_list && v->room_record && v->room_admin
       && v->room_join, "full: room grants");
    ok(v->ingress_admin && v->hidden && v->recorder && v->agent,
       "full: ingressAdmin hidden recorder agent");
    ok(v->can_publish && v->can_publish_set, "full: canPublish");
    ok(v->can_subscribe && v->can_subscribe_set, "full: canSubscribe");
    ok(!v->can_publish_data && v->can_publish_data_set,
       "full: canPublishData false");
    ok(v->can_update_own_metadata && v->can_update_own_metadata_set,
       "full: canUpdateOwnMetadata");
    ok(v->sources_restricted, "full: sources restricted");
    is_int(v->sources, 0x1e, "full: sources mask, all four");
    ok(meet_jwt_can_publish_source(v, MEET_JWT_SOURCE_SCREEN_SHARE_AUDIO),
       "full: may publish screen_share_audio");
    ok(!meet_jwt_can_publish_source(v, MEET_JWT_SOURCE_UNKNOWN),
       "full: may not publish an unknown source");

    is_int(meet_jwt_check_join(&c), MEET_JWT_OK, "full: may join");

    meet_jwt_claims_free(&c);
    ok(c.payload == NULL && c.attributes == NULL && c.name.len == 0,
       "full: claims reset by free");
    meet_jwt_claims_free(&c);
}


static void
test_defaults(void)
{
    meet_jwt_claims_t        c;
    meet_jwt_video_grant_t  *v;

    if (!is_int(verify_at(vec_defaults, NOW, &c), MEET_JWT_OK,
                "defaults: valid"))
    {
        return;
    }

    v = &c.video;
    ok(str_is(c.identity, "bob") && str_is(v->room, "r2"),
       "defaults: identity and room");
    ok(str_is(c.name, "") && str_is(c.metadata, "") && str_is(c.kind, ""),
       "defaults: absent strings are empty");
    ok(c.attributes == NULL, "defaults: no attributes");
    ok(v->can_publish && !v->can_publish_set, "defaults: canPublish true");
    ok(v->can_subscribe && !v->can_subscribe_set,
       "defaults: canSubscribe true");
    ok(v->can_publish_data && !v->can_publish_data_set,
       "defaults: canPublishData true");
    ok(!v->can_update_own_metadata && !v->can_update_own_metadata_set,
       "defaults: canUpdateOwnMetadata false");
    ok(!v->sources_restricted && v->sources == 0,
       "defaults: sources unrestricted");
    ok(meet_jwt_can_publish_source(v, MEET_JWT_SOURCE_CAMERA)
       && meet_jwt_can_publish_source(v, MEET_JWT_SOURCE_SCREEN_SHARE),
       "defaults: may publish any source");
    ok(!v->room_admin && !v->room_create && !v->hidden,
       "defaults: other grants false");
    is_int(meet_jwt_check_join(&c), MEET_JWT_OK, "defaults: may join");

    meet_jwt_claims_free(&c);
}


static void
test_sources(void)
{
    meet_jwt_claims_t        c;
    meet_jwt_video_grant_t  *v;

    if (!is_int(verify_at(vec_sources, NOW, &c), MEET_JWT_OK,
                "sources: valid"))
    {
        return;
    }

    v = &c.video;
    ok(v->sources_restricted, "sources: restricted");
    is_int(v->sources, MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_CAMERA)
                       | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_SCREEN_SHARE),
           "sources: camera and screen_share");
    ok(meet_jwt_can_publish_source(v, MEET_JWT_SOURCE_CAMERA),
       "sources: camera allowed");
    ok(!meet_jwt_can_publish_source(v, MEET_JWT_SOURCE_MICROPHONE),
       "sources: microphone refused");
    ok(meet_jwt_can_publish_source(v, MEET_JWT_SOURCE_SCREEN_SHARE),
       "sources: screen_share allowed");
    ok(!meet_jwt_can_publish_source(v, MEET_JWT_SOURCE_SCREEN_SHARE_AUDIO),
       "sources: screen_share_audio refused");

    meet_jwt_claims_free(&c);

    /* names: case-insensitive, unknown ones ignored, [] unrestricted */

    {
        static const struct {
            const char  *json;
            unsigned     restricted;
            unsigned     mask;
        } cases[] = {
            { "[\"CAMERA\",\"Microphone\"]", 1, 0x06 },
            { "[\"camera\",\"foo\",null]", 1, 0x02 },
            { "[\"foo\"]", 1, 0x00 },
            { "[\"unknown\"]", 1, 0x01 },
            { "[]", 0, 0x00 },
            { "null", 0, 0x00 },
            { "[\"screen_share_audio\",\"screen_share_audio\"]", 1, 0x10 },
            { NULL, 0, 0 }
        };

        char    payload[512], *token;
        size_t  i;

        for (i = 0; cases[i].json; i++) {
            snprintf(payload, sizeof(payload),
                     "{\"iss\":\"" VEC_KEY "\",\"sub\":\"s\","
                     "\"exp\":%lld,\"video\":{\"roomJoin\":true,"
                     "\"room\":\"r\",\"canPublishSources\":%s}}",
                     (long long) EXP, cases[i].json);

            token = raw_token("{\"alg\":\"HS256\"}", payload, VEC_SECRET, 0);

            if (is_int(verify_at(token, NOW, &c), MEET_JWT_OK,
                       "sources %s: valid", cases[i].json))
            {
                ok(c.video.sources_restricted == cases[i].restricted
                   && c.video.sources == cases[i].mask,
                   "sources %s: restricted %u mask 0x%02x", cases[i].json,
                   cases[i].restricted, cases[i].mask);
            }

            meet_jwt_claims_free(&c);
            free(token);
        }
    }

    /* canPublish false: nothing may be published, data follows */

    {
        char  *token;

        token = raw_token("{\"alg\":\"HS256\"}",
                          "{\"iss\":\"" VEC_KEY "\",\"sub\":\"s\","
                          "\"exp\":1700000600,\"video\":{\"canPublish\":"
                          "false,\"canPublishSources\":[\"camera\"]}}",
                          VEC_SECRET, 0);

        if (is_int(verify_at(token, NOW, &c), MEET_JWT_OK,
                   "canPublish false: valid"))
        {
            ok(!c.video.can_publish && !c.video.can_publish_data
               && c.video.can_subscribe,
               "canPublish false: canPublishData follows, subscribe true");
            ok(!meet_jwt_can_publish_source(&c.video,
                                            MEET_JWT_SOURCE_CAMERA),
               "canPublish false: listed camera refused");
        }

        meet_jwt_claims_free(&c);
        free(token);
    }
}


static void
test_identity_and_join(void)
{
    meet_jwt_claims_t  c;
    char              *token;

    if (is_int(verify_at(vec_jti, NOW, &c), MEET_JWT_OK, "jti: valid")) {
        ok(str_is(c.identity, "carol") && str_is(c.jti, "carol")
           && str_is(c.sub, ""), "jti: identity from jti");
        ok(c.has_iat && c.iat == NOW, "jti: iat read");
        ok(str_is(c.video.room, "r5"), "jti: room");
        is_int(meet_jwt_check_join(&c), MEET_JWT_OK, "jti: may join");
    }

    meet_jwt_claims_free(&c);

    token = raw_token("{\"alg\":\"HS256\"}",
                      "{\"iss\":\"" VEC_KEY "\",\"sub\":\"sub-id\","
                      "\"jti\":\"jti-id\",\"exp\":1700000600}",
                      VEC_SECRET, 0);

    if (is_int(verify_at(token, NOW, &c), MEET_JWT_OK, "sub+jti: valid")) {
        ok(str_is(c.identity, "sub-id"), "sub+jti: sub wins");
        ok(!c.has_video, "sub+jti: no video grant");
        ok(c.video.can_publish && c.video.can_subscribe
           && c.video.can_publish_data,
           "sub+jti: nil grant getters answer true");
        is_int(meet_jwt_check_join(&c), MEET_JWT_ERR_PERMISSION_DENIED,
               "sub+jti: no video grant, join denied");
    }

    meet_jwt_claims_free(&c);
    free(token);

    /* join checks */

    if (is_int(verify_at(vec_nojoin, NOW, &c), MEET_JWT_OK,
               "nojoin: valid token"))
    {
        ok(c.video.room_list && !c.video.room_join, "nojoin: roomList only");
        is_int(meet_jwt_check_join(&c), MEET_JWT_ERR_PERMISSION_DENIED,
               "nojoin: join denied");
    }

    meet_jwt_claims_free(&c);

    if (is_int(verify_at(vec_noroom, NOW, &c), MEET_JWT_OK,
               "noroom: valid token"))
    {
        is_int(meet_jwt_check_join(&c), MEET_JWT_ERR_NO_ROOM,
               "noroom: join needs a room");
    }

    meet_jwt_claims_free(&c);

    {
        static const struct {
            const char      *payload;
            meet_jwt_err_e   join;
            const char      *name;
        } cases[] = {
            { "{\"video\":{\"roomJoin\":false,\"room\":\"r\"},\"sub\":\"a\"",
              MEET_JWT_ERR_PERMISSION_DENIED, "roomJoin false" },
            { "{\"video\":{\"room\":\"r\"},\"sub\":\"a\"",
              MEET_JWT_ERR_PERMISSION_DENIED, "roomJoin absent" },
            { "{\"video\":null,\"sub\":\"a\"",
              MEET_JWT_ERR_PERMISSION_DENIED, "video null" },
            { "{\"video\":{\"roomJoin\":true,\"room\":\"r\"}",
              MEET_JWT_ERR_NO_IDENTITY, "no sub, no jti" },
            { "{\"video\":{\"roomJoin\":true,\"room\":\"r\"},\"sub\":\"\"",
              MEET_JWT_ERR_NO_IDENTITY, "empty sub" },
            { "{\"video\":{\"roomJoin\":true},\"sub\":\"\"",
              MEET_JWT_ERR_NO_IDENTITY, "no identity before no room" },
            { "{\"video\":{\"roomJoin\":true,\"room\":\"\"},\"sub\":\"a\"",
              MEET_JWT_ERR_NO_ROOM, "empty room" },
            { "{\"video\":{\"roomJoin\":true,\"room\":null},\"jti\":\"a\"",
              MEET_JWT_ERR_NO_ROOM, "null room" },
            { "{\"video\":{\"roomJoin\":true,\"room\":\"r\"},\"jti\":\"a\"",
              MEET_JWT_OK, "jti identity" },
            { NULL, 0, NULL }
        };

        char    payload[512];
        size_t  i;

        for (i = 0; cases[i].payload; i++) {
            snprintf(payload, sizeof(payload),
                     "%s,\"iss\":\"" VEC_KEY "\",\"exp\":%lld}",
                     cases[i].payload, (long long) EXP);

            token = raw_token("{\"alg\":\"HS256\"}", payload, VEC_SECRET, 0);

            if (is_int(verify_at(token, NOW, &c), MEET_JWT_OK,
                       "join %s: valid token", cases[i].name))
            {
                is_int(meet_jwt_check_join(&c), cases[i].join,
                       "join %s: %s", cases[i].name,
                       meet_jwt_strerror(cases[i].join));
            }

            meet_jwt_claims_free(&c);
            free(token);
        }
    }

    is_int(meet_jwt_check_join(NULL), MEET_JWT_ERR_PERMISSION_DENIED,
           "join: NULL claims denied");
}


static void
test_time(void)
{
    meet_jwt_claims_t  c;

    /* exp = NOW + 600, nbf = NOW, LiveKit's leeway of 60 s */

    is_int(verify_at(vec_full, EXP - 1, &c), MEET_JWT_OK,
           "exp: before exp");
    meet_jwt_claims_free(&c);
    is_int(verify_at(vec_full, EXP + 59, &c), MEET_JWT_OK,
           "exp: within leeway");
    meet_jwt_claims_free(&c);
    is_int(verify_at(vec_full, EXP + 60, &c), MEET_JWT_ERR_EXPIRED,
           "exp: at exp + leeway");
    meet_jwt_claims_free(&c);
    is_int(verify_at(vec_full, EXP + 3600, &c), MEET_JWT_ERR_EXPIRED,
           "exp: an hour late");
    meet_jwt_claims_free(&c);

    is_int(verify_at(vec_full, NOW - 60, &c), MEET_JWT_OK,
           "nbf: leeway early");
    meet_jwt_claims_free(&c);
    is_int(verify_at(vec_full, NOW - 61, &c), MEET_JWT_ERR_NOT_YET_VALID,
           "nbf: beyond leeway");
    meet_jwt_claims_free(&c);

    is_int(meet_jwt_verify((const u_char *) vec_full, strlen(vec_full),
                           test_lookup, NULL, EXP, 0, &c),
           MEET_JWT_ERR_EXPIRED, "exp: leeway 0, at exp");
    meet_jwt_claims_free(&c);
    is_int(meet_jwt_verify((const u_char *) vec_full, strlen(vec_full),
                           test_lookup, NULL, EXP - 1, 0, &c),
           MEET_JWT_OK, "exp: leeway 0, a second before");
    meet_jwt_claims_free(&c);
    is_int(meet_jwt_verify((const u_char *) vec_full, strlen(vec_full),
                           test_lookup, NULL, NOW - 1, 0, &c),
           MEET_JWT_ERR_NOT_YET_VALID, "nbf: leeway 0, a second early");
    meet_jwt_claims_free(&c);
    is_int(meet_jwt_verify((const u_char *) vec_full, strlen(vec_full),
                           test_lookup, NULL, NOW, -5, &c),
           MEET_JWT_OK, "negative leeway read as 0");
    meet_jwt_claims_free(&c);
    is_int(meet_jwt_verify((const u_char *) vec_full, strlen(vec_full),
                           test_lookup, NULL, INT64_MAX, INT64_MAX, &c),
           MEET_JWT_ERR_EXPIRED, "extreme now and leeway");
    meet_jwt_claims_free(&c);
    is_int(meet_jwt_verify((const u_char *) vec_full, strlen(vec_full),
                           test_lookup, NULL, INT64_MIN, INT64_MAX, &c),
           MEET_JWT_ERR_NOT_YET_VALID, "extreme negative now, huge leeway");
    meet_jwt_claims_free(&c);

    expect(vec_noexp, MEET_JWT_ERR_NO_EXPIRY, "missing exp (jose)");
    expect_payload("{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\",\"exp\":null}",
                   MEET_JWT_ERR_NO_EXPIRY, "exp null");
    expect_payload("{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                   "\"exp\":1700000600.9,\"nbf\":1699999000.5,"
                   "\"iat\":1699999000.25}",
                   MEET_JWT_OK, "fractional dates");
    expect_payload("{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\",\"exp\":1e300}",
                   MEET_JWT_OK, "exp 1e300");
    expect_payload("{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                   "\"exp\":99999999999999999999999}",
                   MEET_JWT_OK, "exp beyond int64");
    expect_payload("{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\",\"exp\":-1e300}",
                   MEET_JWT_ERR_EXPIRED, "exp -1e300");
    expect_payload("{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\",\"exp\":0}",
                   MEET_JWT_ERR_EXPIRED, "exp 0");
    expect_payload("{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                   "\"exp\":1700000600,\"nbf\":1e300}",
                   MEET_JWT_ERR_NOT_YET_VALID, "nbf 1e300");

    {
        char  *token;

        token = raw_token("{\"alg\":\"HS256\"}",
                          "{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                          "\"exp\":1700000600.9,\"nbf\":-0.5}",
                          VEC_SECRET, 0);

        if (is_int(verify_at(token, NOW, &c), MEET_JWT_OK,
                   "fractional: valid"))
        {
            ok(c.exp == EXP && c.nbf == -1,
               "fractional: dates rounded down to the second");
        }

        meet_jwt_claims_free(&c);
        free(token);
    }
}


static void
test_keys_and_signatures(void)
{
    char  *token;

    token = raw_token("{\"alg\":\"HS256\"}",
                      "{\"iss\":\"otherkey\",\"sub\":\"a\","
                      "\"exp\":1700000600}", VEC_SECRET, 0);
    lookups = 0;
    expect(token, MEET_JWT_ERR_UNKNOWN_KEY, "unknown key");
    is_int(lookups, 1, "unknown key: looked up once");
    free(token);

    expect_payload("{\"sub\":\"a\",\"exp\":1700000600}",
                   MEET_JWT_ERR_UNKNOWN_KEY, "no iss");
    expect_payload("{\"iss\":\"\",\"sub\":\"a\",\"exp\":1700000600}",
                   MEET_JWT_ERR_UNKNOWN_KEY, "empty iss");

    token = raw_token("{\"alg\":\"HS256\"}",
                      "{\"iss\":\"emptysecret\",\"sub\":\"a\","
                      "\"exp\":1700000600}", "", 0);
    expect(token, MEET_JWT_ERR_UNKNOWN_KEY, "key with an empty secret");
    free(token);

    token = raw_token("{\"alg\":\"HS256\"}",
                      "{\"iss\":\"devkey\",\"sub\":\"a\","
                      "\"exp\":1700000600}", "secret", 0);
    expect(token, MEET_JWT_OK, "second key");
    free(token);

    token = raw_token("{\"alg\":\"HS256\"}",
                      "{\"iss\":\"devkey\",\"sub\":\"a\","
                      "\"exp\":1700000600}", VEC_SECRET, 0);
    expect(token, MEET_JWT_ERR_SIGNATURE, "signed with another secret");
    free(token);

    /* one bit of the signature, of the payload, of the header */

    token = xstrdup(vec_full);
    flip(token, strrchr(token, '.') - token + 1);
    expect(token, MEET_JWT_ERR_SIGNATURE, "signature bit flipped");
    free(token);

    token = xstrdup(vec_full);
    flip(token, strrchr(token, '.') - token - 10);
    expect(token, MEET_JWT_ERR_SIGNATURE, "payload bit flipped");
    free(token);

    token = xstrdup(vec_defaults);
    flip(token, 3);
    expect(token, MEET_JWT_ERR_ALGORITHM, "header bit flipped: {\"`lg\":..");
    free(token);

    /*
     * the last of 43 digits carries 2 unused bits; like golang's
     * non-strict base64 (golang-jwt without WithStrictDecoding) they are
     * ignored
     */
    token = xstrdup(vec_defaults);
    flip(token, strlen(token) - 1);
    expect(token, MEET_JWT_OK, "unused trailing bits of the signature");
    free(token);

    token = xstrdup(vec_defaults);
    token[strlen(token) - 1] = '\0';
    expect(token, MEET_JWT_ERR_SIGNATURE, "signature one digit short");
    free(token);

    token = xstrdup(vec_defaults);
    *(strrchr(token, '.') + 1) = '\0';
    expect(token, MEET_JWT_ERR_SIGNATURE, "empty signature");
    free(token);

    token = raw_token("{\"alg\":\"HS256\"}",
                      "{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                      "\"exp\":1700000600}", NULL, 0);
    expect(token, MEET_JWT_ERR_SIGNATURE, "HS256 without signature");
    free(token);
}


static void
test_algorithms(void)
{
    char    *token;
    size_t   i;

    static const char  *bad[] = {
        "{\"alg\":\"none\"}",
        "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
        "{\"alg\":\"HS384\"}",
        "{\"alg\":\"hs256\"}",
        "{\"alg\":\"HS256 \"}",
        "{\"alg\":256}",
        "{\"alg\":null}",
        "{\"alg\":[\"HS256\"]}",
        "{\"typ\":\"JWT\"}",
        "{}",
        NULL
    };

    expect(vec_none, MEET_JWT_ERR_ALGORITHM, "alg none (jose)");
    expect(vec_hs384, MEET_JWT_ERR_ALGORITHM, "alg HS384 (jose)");

    for (i = 0; bad[i]; i++) {
        lookups = 0;
        token = raw_token(bad[i], "{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                                  "\"exp\":1700000600}", VEC_SECRET, 0);
        expect(token, MEET_JWT_ERR_ALGORITHM, bad[i]);
        is_int(lookups, 0, "%s: no key lookup", bad[i]);
        free(token);
    }

    token = raw_token("{\"alg\":\"none\"}",
                      "{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                      "\"exp\":1700000600}", NULL, 0);
    expect(token, MEET_JWT_ERR_ALGORITHM, "alg none, empty signature");
    free(token);

    token = raw_token("{\"typ\":\"whatever\",\"alg\":\"HS256\",\"kid\":1}",
                      "{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                      "\"exp\":1700000600}", VEC_SECRET, 0);
    expect(token, MEET_JWT_OK, "typ and other header fields ignored");
    free(token);

    token = raw_token("{\"alg\":\"none\",\"alg\":\"HS256\"}",
                      "{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                      "\"exp\":1700000600}", VEC_SECRET, 0);
    expect(token, MEET_JWT_OK, "duplicate alg: the last wins (as golang)");
    free(token);
}


static void
test_format(void)
{
    char               *token, *big;
    size_t              n;
    meet_jwt_claims_t   c;

    static const struct {
        const char  *token;
        const char  *name;
    } cases[] = {
        { "", "empty" },
        { "abc", "1 part" },
        { "eyJhbGciOiJIUzI1NiJ9.e30", "2 parts" },
        { "eyJhbGciOiJIUzI1NiJ9.e30.abc.def", "4 parts" },
        { "eyJhbGciOiJIUzI1NiJ9.e30.abc.", "4 parts, last empty" },
        { "..", "3 empty parts" },
        { "...", "4 empty parts" },
        { ".e30.abc", "empty header" },
        { "eyJhbGciOiJIUzI1NiJ9..abc", "empty payload" },
        { "eyJhbGc*OiJIUzI1NiJ9.e30.abc", "bad base64 digit" },
        { "eyJhbGciOiJIUzI1NiJ9.e30+.abc", "standard alphabet '+'" },
        { "eyJhbGciOiJIUzI1NiJ9.e3/0.abc", "standard alphabet '/'" },
        { "eyJhbGciOiJIUzI1NiJ9A.e30.abc", "segment length 4n+1" },
        { "eyJhbGciOiJIUzI1NiJ9===.e30.abc", "three '='" },
        { "eyJhbGciOiJIUzI1NiJ9=.e30.abc", "'=' on a 4n+2 segment" },
        { "eyJhbGciOiJIUz=1NiJ9.e30.abc", "'=' inside" },
        { " eyJhbGciOiJIUzI1NiJ9.e30.abc", "leading space" },
        { "eyJhbGciOiJIUzI1NiJ9.e30.abc\n", "trailing newline" },
        { "eyJhbGciOiJIUzI1NiJ9.e30.ab c", "space inside" },
        { "bnVsbA.e30.abc", "header null" },
        { "W10.e30.abc", "header []" },
        { "eyJhbGciOiJIUzI1NiJ9.W10.abc", "payload []" },
        { "eyJhbGciOiJIUzI1NiJ9.MQ.abc", "payload 1" },
        { "eyJhbGciOiJIUzI1NiJ9.bnVsbA.abc", "payload null" },
        { "eyJhbGciOiJIUzI1NiJ9.Im9rIg.abc", "payload a string" },
        { "eyJhbGciOiJIUzI1NiJ9.aGVsbG8.abc", "payload not JSON" },
        { "eyJhbGciOiJIUzI1NiJ9.e30geA.abc", "payload {} x" },
        { "eyJhbGciOiJIUzI1NiJ9.e30ge30.abc", "payload {} {}" },
        { "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJh.abc", "payload truncated" },
        { "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhAGIifQ.abc", "NUL in a string" },
        { "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJcdTAwMDAifQ.abc", "\\u0000" },
        { "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiL_In0.abc", "invalid UTF-8" },
        { NULL, NULL }
    };

    for (n = 0; cases[n].token; n++) {
        expect(cases[n].token, MEET_JWT_ERR_MALFORMED, cases[n].name);
    }

    /* bytes after the token, a NUL inside */

    n = strlen(vec_defaults);
    big = malloc(n + 2);
    memcpy(big, vec_defaults, n + 1);
    big[n] = '\0';
    big[n + 1] = 'x';
    is_int(meet_jwt_verify((u_char *) big, n + 2, test_lookup, NULL, NOW,
                           60, &c),
           MEET_JWT_ERR_MALFORMED, "NUL and a byte after the token");
    meet_jwt_claims_free(&c);
    is_int(meet_jwt_verify((u_char *) big, n, test_lookup, NULL, NOW, 60,
                           &c),
           MEET_JWT_OK, "length excludes what follows");
    meet_jwt_claims_free(&c);
    free(big);

    token = malloc(n + 2);
    sprintf(token, "%s.", vec_defaults);
    expect(token, MEET_JWT_ERR_MALFORMED, "trailing dot");
    sprintf(token, "%s=", vec_defaults);
    expect(token, MEET_JWT_OK, "signature padded with '='");
    free(token);

    token = raw_token("{\"alg\":\"HS256\"}",
                      "{\"iss\":\"" VEC_KEY "\",\"sub\":\"ab\","
                      "\"exp\":1700000600}", VEC_SECRET, 1);
    ok(strchr(token, '=') != NULL, "padded token has '='");
    expect(token, MEET_JWT_OK, "every segment padded");
    free(token);

    /* arguments */

    is_int(meet_jwt_verify(NULL, 0, test_lookup, NULL, NOW, 60, &c),
           MEET_JWT_ERR_MALFORMED, "NULL token");
    meet_jwt_claims_free(&c);
    is_int(meet_jwt_verify((const u_char *) vec_full, strlen(vec_full),
                           NULL, NULL, NOW, 60, &c),
           MEET_JWT_ERR_INTERNAL, "NULL lookup");
    meet_jwt_claims_free(&c);
    is_int(meet_jwt_verify((const u_char *) vec_full, strlen(vec_full),
                           test_lookup, NULL, NOW, 60, NULL),
           MEET_JWT_ERR_INTERNAL, "NULL claims");
    meet_jwt_claims_free(NULL);

    /* size limit */

    big = malloc(MEET_JWT_MAX_TOKEN_LEN + 2);
    memset(big, 'A', MEET_JWT_MAX_TOKEN_LEN + 1);
    big[MEET_JWT_MAX_TOKEN_LEN + 1] = '\0';
    expect(big, MEET_JWT_ERR_TOO_LONG, "16 KB + 1 of 'A'");
    free(big);

    {
        char    *payload;
        size_t   pad;

        for (pad = 12000; pad < 12300; pad += 10) {
            payload = malloc(pad + 200);
            n = sprintf(payload, "{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                                 "\"exp\":1700000600,\"metadata\":\"");
            memset(payload + n, 'm', pad);
            strcpy(payload + n + pad, "\"}");

            token = raw_token("{\"alg\":\"HS256\"}", payload, VEC_SECRET, 0);
            free(payload);

            if (strlen(token) == MEET_JWT_MAX_TOKEN_LEN
                || strlen(token) == MEET_JWT_MAX_TOKEN_LEN + 1
                || strlen(token) == MEET_JWT_MAX_TOKEN_LEN + 2
                || strlen(token) == MEET_JWT_MAX_TOKEN_LEN + 3)
            {
                expect(token, strlen(token) == MEET_JWT_MAX_TOKEN_LEN
                              ? MEET_JWT_OK : MEET_JWT_ERR_TOO_LONG,
                       strlen(token) == MEET_JWT_MAX_TOKEN_LEN
                       ? "valid token of exactly 16 KB"
                       : "valid token just over 16 KB");
            }

            free(token);
        }
    }
}


static void
test_claim_types(void)
{
    size_t  i;

    static const struct {
        const char      *claims;
        meet_jwt_err_e   rc;
    } cases[] = {
        { "\"exp\":\"1700000600\"", MEET_JWT_ERR_CLAIMS },
        { "\"exp\":true", MEET_JWT_ERR_CLAIMS },
        { "\"exp\":[1700000600]", MEET_JWT_ERR_CLAIMS },
        { "\"nbf\":\"0\"", MEET_JWT_ERR_CLAIMS },
        { "\"iat\":{}", MEET_JWT_ERR_CLAIMS },
        { "\"iat\":null", MEET_JWT_OK },
        { "\"sub\":1", MEET_JWT_ERR_CLAIMS },
        { "\"jti\":false", MEET_JWT_ERR_CLAIMS },
        { "\"aud\":1", MEET_JWT_ERR_CLAIMS },
        { "\"aud\":[\"a\",1]", MEET_JWT_ERR_CLAIMS },
        { "\"aud\":[\"a\",null]", MEET_JWT_ERR_CLAIMS },
        { "\"aud\":\"a\"", MEET_JWT_OK },
        { "\"aud\":[\"a\",\"b\"]", MEET_JWT_OK },
        { "\"name\":{}", MEET_JWT_ERR_CLAIMS },
        { "\"metadata\":1", MEET_JWT_ERR_CLAIMS },
        { "\"kind\":[]", MEET_JWT_ERR_CLAIMS },
        { "\"sha256\":0", MEET_JWT_ERR_CLAIMS },
        { "\"identity\":0", MEET_JWT_ERR_CLAIMS },
        { "\"roomPreset\":0", MEET_JWT_ERR_CLAIMS },
        { "\"kindDetails\":\"x\"", MEET_JWT_ERR_CLAIMS },
        { "\"kindDetails\":[\"x\",null]", MEET_JWT_OK },
        { "\"attributes\":[]", MEET_JWT_ERR_CLAIMS },
        { "\"attributes\":{\"a\":1}", MEET_JWT_ERR_CLAIMS },
        { "\"attributes\":{\"a\":{}}", MEET_JWT_ERR_CLAIMS },
        { "\"attributes\":{\"a\":\"b\",\"c\":null}", MEET_JWT_OK },
        { "\"attributes\":null", MEET_JWT_OK },
        { "\"video\":[]", MEET_JWT_ERR_CLAIMS },
        { "\"video\":\"x\"", MEET_JWT_ERR_CLAIMS },
        { "\"video\":true", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"roomJoin\":\"true\"}", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"roomJoin\":1}", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"canPublish\":0}", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"hidden\":\"\"}", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"room\":1}", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"destinationRoom\":1}", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"canSubscribeMetrics\":1}", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"canPublishSources\":\"camera\"}",
          MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"canPublishSources\":[1]}", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"canPublishSources\":{}}", MEET_JWT_ERR_CLAIMS },
        { "\"video\":{\"roomJoin\":null,\"canPublish\":null}", MEET_JWT_OK },
        { "\"video\":{\"unknownGrant\":[1,{}]}", MEET_JWT_OK },
        { "\"sip\":[]", MEET_JWT_ERR_CLAIMS },
        { "\"sip\":{\"admin\":1}", MEET_JWT_ERR_CLAIMS },
        { "\"agent\":{\"admin\":true}", MEET_JWT_OK },
        { "\"inference\":{\"perform\":\"yes\"}", MEET_JWT_ERR_CLAIMS },
        { "\"observability\":1", MEET_JWT_ERR_CLAIMS },
        { "\"roomConfig\":\"x\"", MEET_JWT_ERR_CLAIMS },
        { "\"roomConfig\":{\"name\":\"x\"}", MEET_JWT_OK },
        { "\"unknown\":{\"deep\":[1,2,{\"x\":null}]}", MEET_JWT_OK },
        { NULL, 0 }
    };

    char  payload[512];

    for (i = 0; cases[i].claims; i++) {
        snprintf(payload, sizeof(payload),
                 "{\"iss\":\"" VEC_KEY "\",\"sub\":\"a\","
                 "\"exp\":1700000600,%s}", cases[i].claims);
        expect_payload(payload, cases[i].rc, cases[i].claims);
    }

    /* the last of duplicate keys wins, as in golang */

    {
        char               *token;
        meet_jwt_claims_t   c;

        token = raw_token("{\"alg\":\"HS256\"}",
                          "{\"iss\":\"" VEC_KEY "\",\"sub\":\"first\","
                          "\"exp\":1,\"sub\":\"second\","
                          "\"exp\":1700000600,"
                          "\"attributes\":{\"k\":null}}",
                          VEC_SECRET, 0);

        if (is_int(verify_at(token, NOW, &c), MEET_JWT_OK,
                   "duplicates: valid"))
        {
            ok(str_is(c.identity, "second") && c.exp == EXP,
               "duplicates: last value");
            is_str(attr(&c, "k"), "", "attributes: null read as \"\"");
        }

        meet_jwt_claims_free(&c);
        free(token);
    }
}


static void
test_errors(void)
{
    static const struct {
        meet_jwt_err_e   err;
        const char      *msg;
        int              status;
    } cases[] = {
        { MEET_JWT_OK, "ok", 200 },
        { MEET_JWT_ERR_TOO_LONG, "token is too long", 401 },
        { MEET_JWT_ERR_MALFORMED, "token is malformed", 401 },
        { MEET_JWT_ERR_ALGORITHM, "unsupported signing algorithm", 401 },
        { MEET_JWT_ERR_CLAIMS, "malformed claims", 401 },
        { MEET_JWT_ERR_UNKNOWN_KEY, "unknown API key", 401 },
        { MEET_JWT_ERR_SIGNATURE, "signature is invalid", 401 },
        { MEET_JWT_ERR_NO_EXPIRY, "token has no expiration", 401 },
        { MEET_JWT_ERR_EXPIRED, "token is expired", 401 },
        { MEET_JWT_ERR_NOT_YET_VALID, "token is not valid yet", 401 },
        { MEET_JWT_ERR_PERMISSION_DENIED,
          "no permissions to access the room", 401 },
        { MEET_JWT_ERR_NO_IDENTITY, "identity cannot be empty", 400 },
        { MEET_JWT_ERR_NO_ROOM, "no room name", 400 },
        { MEET_JWT_ERR_NO_MEMORY, "out of memory", 500 },
        { MEET_JWT_ERR_INTERNAL, "internal error", 500 },
        { MEET_JWT_ERR_LAST, "unknown error", 500 },
        { (meet_jwt_err_e) -1, "unknown error", 500 }
    };

    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_str(meet_jwt_strerror(cases[i].err), cases[i].msg,
               "error %d: message", (int) cases[i].err);
        is_int(meet_jwt_http_status(cases[i].err), cases[i].status,
               "error %d: status", (int) cases[i].err);
    }
}


static void
test_sign(void)
{
    char               *token;
    json_t             *claims, *attrs;
    meet_jwt_claims_t   c;

    claims = json_pack("{s:s, s:I, s:{s:b, s:s}}", "sub", "signer",
                       "exp", (json_int_t) EXP,
                       "video", "roomJoin", 1, "room", "sr");

    token = meet_jwt_sign_hs256(claims, (const u_char *) "devkey", 6,
                                (const u_char *) "secret", 6);

    ok(token != NULL, "sign: token");
    ok(token && strncmp(token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.", 37)
       == 0, "sign: header {\"alg\":\"HS256\",\"typ\":\"JWT\"}");
    ok(json_object_get(claims, "iss") == NULL, "sign: claims not modified");

    if (token && is_int(verify_at(token, NOW, &c), MEET_JWT_OK,
                        "sign: verifies"))
    {
        ok(str_is(c.api_key, "devkey") && str_is(c.identity, "signer")
           && str_is(c.video.room, "sr") && c.video.room_join,
           "sign: claims read back");
    }

    meet_jwt_claims_free(&c);
    free(token);

    /* key NULL: the claims' own iss */

    json_object_set_new(claims, "iss", json_string(VEC_KEY));
    token = meet_jwt_sign_hs256(claims, NULL, 0,
                                (const u_char *) VEC_SECRET,
                                strlen(VEC_SECRET));
    expect(token, MEET_JWT_OK, "sign: iss from the claims");
    free(token);

    token = meet_jwt_sign_hs256(claims, NULL, 0, (const u_char *) "x", 1);
    expect(token, MEET_JWT_ERR_SIGNATURE, "sign: other secret");
    free(token);

    ok(meet_jwt_sign_hs256(claims, NULL, 0, (const u_char *) "", 0) == NULL,
       "sign: empty secret refused");
    ok(meet_jwt_sign_hs256(claims, NULL, 1, (const u_char *) "x", 1) == NULL,
       "sign: NULL key with a length refused");
    ok(meet_jwt_sign_hs256(claims, (const u_char *) "\xff", 1,
                           (const u_char *) "x", 1) == NULL,
       "sign: key not UTF-8 refused");

    json_decref(claims);

    claims = json_array();
    ok(meet_jwt_sign_hs256(claims, NULL, 0, (const u_char *) "x", 1) == NULL,
       "sign: array refused");
    ok(meet_jwt_sign_hs256(NULL, NULL, 0, (const u_char *) "x", 1) == NULL,
       "sign: NULL refused");
    json_decref(claims);

    /* a large claims object */

    attrs = json_object();
    claims = json_pack("{s:s, s:I, s:o}", "sub", "big", "exp",
                       (json_int_t) EXP, "attributes", attrs);
    {
        char  key[16];
        int   i;

        for (i = 0; i < 400; i++) {
            snprintf(key, sizeof(key), "k%d", i);
            json_object_set_new(attrs, key, json_string("0123456789"));
        }
    }

    token = meet_jwt_sign_hs256(claims, (const u_char *) VEC_KEY,
                                strlen(VEC_KEY),
                                (const u_char *) VEC_SECRET,
                                strlen(VEC_SECRET));
    ok(token && strlen(token) > 8000, "sign: large token");
    if (token && is_int(verify_at(token, NOW, &c), MEET_JWT_OK,
                        "sign: large token verifies"))
    {
        is_int(json_object_size(c.attributes), 400, "sign: 400 attributes");
    }

    meet_jwt_claims_free(&c);
    free(token);
    json_decref(claims);
}


static void
test_mint(void)
{
    char                   *token;
    json_t                 *attrs, *claims;
    meet_jwt_claims_t       c;
    meet_jwt_token_spec_t   spec;

    /* what La Suite Meet's generate_token() asks for */

    attrs = json_pack("{s:s, s:s, s:s}", "color", "#123456",
                      "room_role", "owner", "is_authenticated", "true");

    memset(&spec, 0, sizeof(spec));
    spec.identity = "zoe";
    spec.name = "Zo\xc3\xa9";
    spec.room = "meet-room";
    spec.attributes = attrs;
    spec.now = NOW;
    spec.ttl = 3600;
    spec.room_join = 1;
    spec.room_admin = 1;
    spec.can_publish = MEET_JWT_TRUE;
    spec.can_subscribe = MEET_JWT_TRUE;
    spec.can_update_own_metadata = MEET_JWT_FALSE;
    spec.sources = MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_CAMERA)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_MICROPHONE)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_SCREEN_SHARE)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_SCREEN_SHARE_AUDIO);

    token = meet_jwt_mint(&spec, (const u_char *) VEC_KEY, strlen(VEC_KEY),
                          (const u_char *) VEC_SECRET, strlen(VEC_SECRET));

    ok(token != NULL, "mint: token");

    if (token == NULL) {
        json_decref(attrs);
        return;
    }

    is_str(token, vec_minted, "mint: the token livekit-server-sdk accepts");

    if (is_int(verify_at(token, NOW, &c), MEET_JWT_OK, "mint: verifies")) {
        ok(str_is(c.api_key, VEC_KEY) && str_is(c.identity, "zoe")
           && str_is(c.name, "Zo\xc3\xa9"), "mint: iss, sub, name");
        ok(c.exp == NOW + 3600 && c.nbf == NOW && !c.has_iat,
           "mint: exp, nbf");
        is_str(attr(&c, "room_role"), "owner", "mint: attributes");
        ok(c.video.room_join && c.video.room_admin && !c.video.room_create
           && str_is(c.video.room, "meet-room"), "mint: room grants");
        ok(c.video.can_publish_set && c.video.can_publish
           && c.video.can_subscribe_set && !c.video.can_publish_data_set
           && c.video.can_update_own_metadata_set
           && !c.video.can_update_own_metadata, "mint: tri-states");
        ok(c.video.sources_restricted && c.video.sources == spec.sources,
           "mint: sources");
        is_int(meet_jwt_check_join(&c), MEET_JWT_OK, "mint: may join");
    }

    meet_jwt_claims_free(&c);
    free(token);

    is_int(attrs->refcount, 1, "mint: attributes not kept");
    json_decref(attrs);

    /* defaults: empty strings and unset grants are left out */

    memset(&spec, 0, sizeof(spec));
    spec.identity = "";
    spec.name = "";
    spec.now = NOW;
    spec.ttl = 10;

    claims = meet_jwt_build_claims(&spec);
    token = claims ? json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    is_str(token, "{\"exp\":1700000010,\"nbf\":1700000000,\"video\":{}}",
           "build: minimal claims");
    free(token);
    json_decref(claims);

    spec.no_video = 1;
    spec.can_publish_data = MEET_JWT_FALSE;
    spec.metadata = "md";
    claims = meet_jwt_build_claims(&spec);
    token = claims ? json_dumps(claims, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    is_str(token, "{\"exp\":1700000010,\"metadata\":\"md\","
                  "\"nbf\":1700000000}", "build: no video grant");
    free(token);
    json_decref(claims);

    spec.ttl = 0;
    ok(meet_jwt_build_claims(&spec) == NULL, "build: ttl 0 refused");
    spec.ttl = 10;
    spec.name = "\xc3";
    ok(meet_jwt_build_claims(&spec) == NULL, "build: name not UTF-8");
    ok(meet_jwt_build_claims(NULL) == NULL, "build: NULL spec");
    spec.name = NULL;
    ok(meet_jwt_mint(&spec, NULL, 0, (const u_char *) "x", 1) == NULL,
       "mint: a key is required");
    spec.attributes = json_array();
    ok(meet_jwt_build_claims(&spec) == NULL, "build: attributes not object");
    json_decref(spec.attributes);

    /* every grant */

    memset(&spec, 0, sizeof(spec));
    spec.identity = "all";
    spec.room = "r";
    spec.now = NOW;
    spec.ttl = 60;
    spec.room_create = 1;
    spec.room_list = 1;
    spec.room_record = 1;
    spec.room_admin = 1;
    spec.room_join = 1;
    spec.ingress_admin = 1;
    spec.hidden = 1;
    spec.recorder = 1;
    spec.agent = 1;
    spec.can_publish = MEET_JWT_FALSE;
    spec.can_subscribe = MEET_JWT_FALSE;
    spec.can_publish_data = MEET_JWT_TRUE;
    spec.can_update_own_metadata = MEET_JWT_TRUE;
    spec.sources = MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_UNKNOWN)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_MICROPHONE);

    token = meet_jwt_mint(&spec, (const u_char *) "devkey", 6,
                          (const u_char *) "secret", 6);

    if (is_int(verify_at(token, NOW, &c), MEET_JWT_OK, "mint all: valid")) {
        ok(c.video.room_create && c.video.room_list && c.video.room_record
           && c.video.room_admin && c.video.room_join
           && c.video.ingress_admin && c.video.hidden && c.video.recorder
           && c.video.agent, "mint all: boolean grants");
        ok(!c.video.can_publish && !c.video.can_subscribe
           && c.video.can_publish_data && c.video.can_update_own_metadata,
           "mint all: tri-states");
        is_int(c.video.sources,
               MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_MICROPHONE),
               "mint all: sources, unknown not written");
        ok(!meet_jwt_can_publish_source(&c.video,
                                        MEET_JWT_SOURCE_MICROPHONE),
           "mint all: canPublish false wins over the sources");
        ok(!meet_jwt_can_publish_source(&c.video, (meet_jwt_source_e) 99)
           && !meet_jwt_can_publish_source(NULL, MEET_JWT_SOURCE_CAMERA),
           "can_publish_source: out of range, NULL");
    }

    meet_jwt_claims_free(&c);
    free(token);
}


/* jansson allocations failing one after the other */

static long  alloc_countdown = -1;


static void *
failing_malloc(size_t size)
{
    if (alloc_countdown == 0) {
        return NULL;
    }

    if (alloc_countdown > 0) {
        alloc_countdown--;
    }

    return malloc(size);
}


static void
test_out_of_memory(void)
{
    int                     bad, verified, minted;
    long                    n;
    char                   *token;
    meet_jwt_err_e          rc;
    meet_jwt_claims_t       c;
    meet_jwt_token_spec_t   spec;

    memset(&spec, 0, sizeof(spec));
    spec.identity = "oom";
    spec.room = "r";
    spec.now = NOW;
    spec.ttl = 60;
    spec.room_join = 1;
    spec.can_publish = MEET_JWT_TRUE;
    spec.sources = 0x1e;

    json_set_alloc_funcs(failing_malloc, free);

    bad = 0;
    verified = 0;
    minted = 0;

    for (n = 0; n < 400; n++) {
        alloc_countdown = n;
        rc = verify_at(vec_full, NOW, &c);
        alloc_countdown = -1;

        /* jansson's loader does not always report its failures as such */
        if (rc != MEET_JWT_OK && rc != MEET_JWT_ERR_NO_MEMORY
            && rc != MEET_JWT_ERR_MALFORMED)
        {
            diag("verify, allocation %ld failing: %s", n,
                 meet_jwt_strerror(rc));
            bad++;
        }

        verified = (rc == MEET_JWT_OK);
        meet_jwt_claims_free(&c);

        alloc_countdown = n;
        token = meet_jwt_mint(&spec, (const u_char *) "devkey", 6,
                              (const u_char *) "secret", 6);
        alloc_countdown = -1;

        minted = (token != NULL);

        if (token != NULL) {
            rc = verify_at(token, NOW, &c);
            if (rc != MEET_JWT_OK) {
                diag("mint, allocation %ld failing: a bad token", n);
                bad++;
            }

            meet_jwt_claims_free(&c);
            free(token);
        }
    }

    json_set_alloc_funcs(malloc, free);

    is_int(bad, 0, "failing allocations: errors only, no crash or leak");
    ok(verified && minted, "failing allocations: the last attempts succeed");
}


int
main(void)
{
    test_full();
    test_defaults();
    test_sources();
    test_identity_and_join();
    test_time();
    test_keys_and_signatures();
    test_algorithms();
    test_format();
    test_claim_types();
    test_errors();
    test_sign();
    test_mint();
    test_out_of_memory();

    return done_testing();
}
