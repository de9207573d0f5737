/* sources: ngx_meet_core/lib/meet_jwt.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the access token library (meet_jwt.c).
 *
 * Input: one settings byte, then
 *   - bit 0 clear: the token, verified as it is;
 *   - bit 0 set: "<header JSON>\n<payload JSON>" (no newline: the payload
 *     alone, header {"alg":"HS256"}), encoded and signed here with the
 *     secret of "devkey", so that the claims checks are reached.
 * The other bits are the leeway in seconds.  Checks the library's promises
 * and aborts when one is broken; a token that verifies is signed again
 * with meet_jwt_sign_hs256() and must verify the same.  The corpus in
 * t/fuzz/corpus/jwt/ uses this layout.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "meet_jwt.h"


#define NOW   1700000000LL

#define check(cond)  do { if (!(cond)) { abort(); } } while (0)


static const u_char *
lookup(void *data, const u_char *key, size_t key_len, size_t *secret_len)
{
    (void) data;

    if (key_len == 6 && memcmp(key, "devkey", 6) == 0) {
        *secret_len = 6;
        return (const u_char *) "secret";
    }

    if (key_len == 12 && memcmp(key, "APIvectorKey", 12) == 0) {
        *secret_len = 40;
        return (const u_char *) "vector-secret-0123456789abcdefghijklmnop";
    }

    return NULL;
}


static size_t
b64url(const u_char *src, size_t len, char *dst)
{
    int  n, i;

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

    return n;
}


static int
str_ok(meet_jwt_str_t s)
{
    return s.data != NULL && s.data[s.len] == '\0'
           && strlen((const char *) s.data) == s.len;
}


static void
check_claims(const meet_jwt_claims_t *c, int64_t leeway)
{
    const meet_jwt_video_grant_t  *v;

    check(c->payload != NULL);
    check(str_ok(c->api_key) && c->api_key.len > 0);
    check(str_ok(c->sub) && str_ok(c->jti) && str_ok(c->identity));
    check(str_ok(c->name) && str_ok(c->metadata) && str_ok(c->kind));
    check(str_ok(c->sha256) && str_ok(c->video.room));

    if (c->sub.len) {
        check(c->identity.data == c->sub.data);

    } else {
        check(c->identity.data == c->jti.data);
    }

    check(NOW < c->exp + leeway);
    check(!c->has_nbf || c->nbf <= NOW + leeway);
    check(c->attributes == NULL || json_is_object(c->attributes));

    v = &c->video;

    if (!v->can_publish_set) {
        check(v->can_publish);
    }

    if (!v->can_publish_data_set) {
        check(v->can_publish_data == v->can_publish);
    }

    if (!v->sources_restricted) {
        check(v->sources == 0);
        check(meet_jwt_can_publish_source(v, MEET_JWT_SOURCE_CAMERA)
              == v->can_publish);
    }

    check(v->sources < 32);

    switch (meet_jwt_check_join(c)) {

    case MEET_JWT_OK:
        check(c->has_video && v->room_join && c->identity.len
              && v->room.len);
        break;

    case MEET_JWT_ERR_PERMISSION_DENIED:
    case MEET_JWT_ERR_NO_IDENTITY:
    case MEET_JWT_ERR_NO_ROOM:
        break;

    default:
        check(0);
    }
}


static void
resign(const meet_jwt_claims_t *c, int64_t leeway)
{
    char               *token;
    meet_jwt_err_e      rc;
    meet_jwt_claims_t   c2;

    token = meet_jwt_sign_hs256(c->payload, NULL, 0, (const u_char *) "x",
                                1);
    if (token == NULL) {
        return;         /* out of memory only */
    }

    /* another secret: the signature must fail */
    rc = meet_jwt_verify((u_char *) token, strlen(token), lookup, NULL, NOW,
                         leeway, &c2);
    check(rc == MEET_JWT_ERR_SIGNATURE || rc == MEET_JWT_ERR_TOO_LONG
          || rc == MEET_JWT_ERR_UNKNOWN_KEY);
    meet_jwt_claims_free(&c2);
    free(token);

    token = meet_jwt_sign_hs256(c->payload, c->api_key.data, c->api_key.len,
                                (const u_char *) "secret", 6);
    if (token == NULL) {
        return;
    }

    rc = meet_jwt_verify((u_char *) token, strlen(token), lookup, NULL, NOW,
                         leeway, &c2);

    if (c->api_key.len == 6 && memcmp(c->api_key.data, "devkey", 6) == 0) {
        check(rc == MEET_JWT_OK || rc == MEET_JWT_ERR_TOO_LONG);

        if (rc == MEET_JWT_OK) {
            check(c2.exp == c->exp && c2.nbf == c->nbf
                  && c2.has_video == c->has_video
                  && c2.identity.len == c->identity.len
                  && memcmp(c2.identity.data, c->identity.data,
                            c->identity.len) == 0
                  && c2.video.sources == c->video.sources
                  && c2.video.room_join == c->video.room_join
                  && c2.video.can_publish == c->video.can_publish
                  && meet_jwt_check_join(&c2) == meet_jwt_check_join(c));
        }
    }

    meet_jwt_claims_free(&c2);
    free(token);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char               *token, *p;
    size_t              len, hlen, plen;
    int64_t             leeway;
    const u_char       *header, *payload, *nl;
    unsigned int        mac_len;
    meet_jwt_err_e      rc;
    meet_jwt_claims_t   c;
    u_char              mac[EVP_MAX_MD_SIZE];

    if (size < 1 || size > 2 * MEET_JWT_MAX_TOKEN_LEN) {
        return 0;
    }

    leeway = data[0] >> 1;

    if ((data[0] & 1) == 0) {
        /* the input is the token; a copy, so reads past it are caught */

        len = size - 1;
        token = malloc(len ? len : 1);
        check(token != NULL);
        memcpy(token, data + 1, len);

    } else {
        nl = memchr(data + 1, '\n', size - 1);

        if (nl != NULL) {
            header = data + 1;
            hlen = nl - header;
            payload = nl + 1;
            plen = data + size - payload;

        } else {
            header = (const u_char *) "{\"alg\":\"HS256\"}";
            hlen = 15;
            payload = data + 1;
            plen = size - 1;
        }

        /* two segments, two dots, 44 digits of signature, a NUL */
        token = malloc(((hlen + 2) / 3 + (plen + 2) / 3 + 11) * 4 + 3);
        check(token != NULL);

        p = token;
        p += b64url(header, hlen, p);
        *p++ = '.';
        p += b64url(payload, plen, p);

        check(HMAC(EVP_sha256(), "secret", 6, (u_char *) token, p - token,
                   mac, &mac_len)
              != NULL);

        *p++ = '.';
        p += b64url(mac, mac_len, p);
        len = p - token;
    }

    rc = meet_jwt_verify((u_char *) token, len, lookup, NULL, NOW, leeway,
                         &c);

    check((unsigned) rc < MEET_JWT_ERR_LAST);
    check(meet_jwt_strerror(rc) != NULL);
    check(rc != MEET_JWT_ERR_INTERNAL);
    check(rc != MEET_JWT_ERR_PERMISSION_DENIED
          && rc != MEET_JWT_ERR_NO_IDENTITY && rc != MEET_JWT_ERR_NO_ROOM);

    if (rc == MEET_JWT_OK) {
        check_claims(&c, leeway);
        resign(&c, leeway);

    } else {
        check(c.payload == NULL && c.attributes == NULL
              && c.identity.data != NULL && c.identity.len == 0);
    }

    meet_jwt_claims_free(&c);
    free(token);

    return 0;
}
