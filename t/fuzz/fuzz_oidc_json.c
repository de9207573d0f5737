/* sources: ngx_meet_routing_module/auth/lib/meet_jose.c */
/* sources: ngx_meet_routing_module/auth/lib/meet_oidc.c */
/* sources: ngx_meet_core/lib/meet_jwt.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the OIDC JSON documents (meet_oidc.c): the
 * input, after one settings byte, is parsed as a discovery document, a
 * token endpoint response and a JWKS, and checked as an endpoint URL and
 * as a return URL.  Bit 0 of the settings byte allows http on loopback
 * hosts; bit 1 makes the expected issuer "http://127.0.0.1:9000" instead
 * of "https://idp.example.com".  A JWKS that parses verifies RFC 7515's
 * A.2 and A.3 tokens, so that the keys found are used.  The library's
 * promises are checked and the target aborts when one is broken.  The
 * corpus in t/fuzz/corpus/oidc_json/ uses this layout.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meet_oidc.h"
#include "jose_vectors.h"


#define check(cond)  do { if (!(cond)) { abort(); } } while (0)


static int
str_ok(meet_jwt_str_t s)
{
    return s.data != NULL && s.data[s.len] == '\0'
           && strlen((const char *) s.data) == s.len;
}


static void
discovery(const u_char *data, size_t size, unsigned flags)
{
    const char             *issuer;
    meet_jwt_str_t         *s;
    meet_jose_err_e         rc;
    meet_oidc_discovery_t   d;

    issuer = (flags & 2) ? "http://127.0.0.1:9000"
                         : "https://idp.example.com";
    flags &= MEET_OIDC_ALLOW_HTTP_LOOPBACK;

    rc = meet_oidc_discovery_parse(data, size, issuer, flags, &d);

    check((unsigned) rc < MEET_JOSE_ERR_LAST && rc != MEET_JOSE_ERR_INTERNAL);

    for (s = &d.issuer; s <= &d.userinfo_endpoint; s++) {
        check(str_ok(*s));

        if (rc != MEET_JOSE_OK) {
            check(s->len == 0);

        } else if (s->len > 0) {
            check(meet_oidc_url_ok((const char *) s->data, s->len, flags));
        }
    }

    if (rc == MEET_JOSE_OK) {
        check(strcmp((const char *) d.issuer.data, issuer) == 0);
        check(d.authorization_endpoint.len && d.token_endpoint.len
              && d.jwks_uri.len);

    } else {
        check(d.doc == NULL);
    }

    meet_oidc_discovery_free(&d);
}


static void
token_response(const u_char *data, size_t size)
{
    meet_jose_err_e              rc;
    meet_oidc_token_response_t   r;

    rc = meet_oidc_token_response_parse(data, size, &r);

    check((unsigned) rc < MEET_JOSE_ERR_LAST && rc != MEET_JOSE_ERR_INTERNAL);
    check(str_ok(r.id_token) && str_ok(r.access_token)
          && str_ok(r.token_type) && str_ok(r.refresh_token)
          && str_ok(r.scope) && str_ok(r.error)
          && str_ok(r.error_description));

    if (rc == MEET_JOSE_OK) {
        check(r.id_token.len && r.access_token.len && r.token_type.len == 6);
        check(r.error.len == 0 && r.expires_in >= -1);

    } else if (rc == MEET_JOSE_ERR_TOKEN_ERROR) {
        check(r.error.len > 0 && r.doc != NULL);

    } else {
        check(r.doc == NULL && r.id_token.len == 0);
    }

    meet_oidc_token_response_free(&r);
}


static void
jwks(const u_char *data, size_t size)
{
    size_t             i;
    json_t            *payload;
    meet_jose_err_e    rc;
    meet_jose_jwks_t   set;

    rc = meet_jose_jwks_parse(data, size, &set);

    check((unsigned) rc < MEET_JOSE_ERR_LAST && rc != MEET_JOSE_ERR_INTERNAL);
    check(set.nkeys + set.nskips <= MEET_JOSE_MAX_KEYS);
    check((rc == MEET_JOSE_OK) == (set.nkeys > 0));

    for (i = 0; i < set.nkeys; i++) {
        check(set.keys[i].pkey != NULL && set.keys[i].kid != NULL);
        check(strlen(set.keys[i].kid) <= MEET_JOSE_MAX_KID_LEN);
        check(set.keys[i].kty == MEET_JOSE_KTY_RSA
              || set.keys[i].kty == MEET_JOSE_KTY_EC);
    }

    for (i = 0; i < set.nskips; i++) {
        check(set.skips[i].reason != NULL);
        check(set.skips[i].kid[sizeof(set.skips[i].kid) - 1] == '\0');
    }

    rc = meet_jose_verify((const u_char *) rfc7515_a2,
                          sizeof(rfc7515_a2) - 1, &set, 0, &payload, NULL);
    check(rc == MEET_JOSE_OK || rc == MEET_JOSE_ERR_SIGNATURE
          || rc == MEET_JOSE_ERR_UNKNOWN_KID || rc == MEET_JOSE_ERR_KEY_TYPE);
    json_decref(payload);

    rc = meet_jose_verify((const u_char *) rfc7515_a3,
                          sizeof(rfc7515_a3) - 1, &set, 0, &payload, NULL);
    check(rc == MEET_JOSE_OK || rc == MEET_JOSE_ERR_SIGNATURE
          || rc == MEET_JOSE_ERR_UNKNOWN_KID || rc == MEET_JOSE_ERR_KEY_TYPE);
    json_decref(payload);

    meet_jose_jwks_free(&set);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char  *copy;
    size_t   len;

    if (size < 1 || size > MEET_JOSE_MAX_DOC_LEN + 2) {
        return 0;
    }

    /* a copy, so reads past the input are caught */

    len = size - 1;
    copy = malloc(len ? len : 1);
    check(copy != NULL);
    memcpy(copy, data + 1, len);

    discovery(copy, len, data[0]);
    token_response(copy, len);
    jwks(copy, len);

    (void) meet_oidc_url_ok((const char *) copy, len, data[0] & 1);

    if (meet_oidc_return_url_ok(copy, len)) {
        check(len > 0 && copy[0] == '/' && (len == 1 || copy[1] != '/'));
        check(memchr(copy, '\\', len) == NULL && memchr(copy, '\r', len)
              == NULL && memchr(copy, '\n', len) == NULL);
    }

    free(copy);

    return 0;
}
