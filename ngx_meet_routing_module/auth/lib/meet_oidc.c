
/*
 * Copyright (C) ngx_meet authors
 *
 * OpenID Connect relying-party protocol code (ID and logout token claims,
 * discovery, token responses, PKCE, state/nonce, return URLs); see
 * meet_oidc.h.
 */


#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "meet_oidc.h"


#define MEET_OIDC_DATE_MAX      9007199254740992LL          /* 2^53 */
#define MEET_OIDC_LEEWAY_MAX    4294967296LL                /* 2^32 */


static meet_jose_err_e meet_oidc_verify_token(const u_char *token,
    size_t len, const meet_jose_jwks_t *jwks,
    const meet_oidc_params_t *params, meet_oidc_claims_t *claims,
    int logout);
static void meet_oidc_claims_init(meet_oidc_claims_t *claims);
static meet_jose_err_e meet_oidc_get_claims(json_t *payload,
    meet_oidc_claims_t *c, int64_t *nbf, int *has_nbf, int *has_iat);
static meet_jose_err_e meet_oidc_check_common(json_t *payload,
    const meet_oidc_params_t *p, meet_oidc_claims_t *c, int logout);
static int meet_oidc_host_loopback(const char *host, size_t len);
static int meet_oidc_hex(u_char c);


static const char  meet_oidc_unreserved[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";


/* ID tokens and logout tokens */

meet_jose_err_e
meet_oidc_verify_id_token(const u_char *token, size_t len,
    const meet_jose_jwks_t *jwks, const meet_oidc_params_t *params,
    meet_oidc_claims_t *claims)
{
    return meet_oidc_verify_token(token, len, jwks, params, claims, 0);
}


meet_jose_err_e
meet_oidc_verify_logout_token(const u_char *token, size_t len,
    const meet_jose_jwks_t *jwks, const meet_oidc_params_t *params,
    meet_oidc_claims_t *claims)
{
    return meet_oidc_verify_token(token, len, jwks, params, claims, 1);
}


static meet_jose_err_e
meet_oidc_verify_token(const u_char *token, size_t len,
    const meet_jose_jwks_t *jwks, const meet_oidc_params_t *params,
    meet_oidc_claims_t *claims, int logout)
{
    json_t           *payload;
    meet_jose_err_e   rc;

    if (claims == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    meet_oidc_claims_init(claims);

    if (params == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    rc = meet_jose_verify(token, len, jwks, params->algs, &payload, NULL);
    if (rc != MEET_JOSE_OK) {
        return rc;
    }

    rc = logout ? meet_oidc_check_logout_claims(payload, params, claims)
                : meet_oidc_check_id_claims(payload, params, claims);

    /* the claims hold their own reference on success */
    json_decref(payload);

    return rc;
}


meet_jose_err_e
meet_oidc_check_id_claims(json_t *payload, const meet_oidc_params_t *p,
    meet_oidc_claims_t *c)
{
    int64_t          now, leeway, max_age;
    meet_jose_err_e  rc;

    rc = meet_oidc_check_common(payload, p, c, 0);
    if (rc != MEET_JOSE_OK) {
        return rc;
    }

    now = meet_jose_clamp(p->now, -MEET_OIDC_DATE_MAX, MEET_OIDC_DATE_MAX);
    leeway = meet_jose_clamp(p->leeway, 0, MEET_OIDC_LEEWAY_MAX);

    if (p->nonce != NULL
        && (c->nonce.len == 0
            || !meet_oidc_str_equal(c->nonce.data, c->nonce.len,
                                    (const u_char *) p->nonce,
                                    strlen(p->nonce))))
    {
        rc = MEET_JOSE_ERR_NONCE;
        goto failed;
    }

    if (c->sub.len == 0) {
        rc = MEET_JOSE_ERR_NO_SUBJECT;
        goto failed;
    }

    if (p->max_age >= 0) {
        max_age = meet_jose_clamp(p->max_age, 0, MEET_OIDC_DATE_MAX);

        if (!c->has_auth_time
            || now > c->auth_time + max_age + leeway)
        {
            rc = MEET_JOSE_ERR_AUTH_TIME;
            goto failed;
        }
    }

    return MEET_JOSE_OK;

failed:

    meet_oidc_claims_free(c);

    return rc;
}


meet_jose_err_e
meet_oidc_check_logout_claims(json_t *payload, const meet_oidc_params_t *p,
    meet_oidc_claims_t *c)
{
    json_t           *events, *ev;
    meet_jose_err_e   rc;

    rc = meet_oidc_check_common(payload, p, c, 1);
    if (rc != MEET_JOSE_OK) {
        return rc;
    }

    events = json_object_get(payload, "events");
    ev = json_object_get(events, MEET_OIDC_BACKCHANNEL_EVENT);

    if (!json_is_object(events) || !json_is_object(ev)) {
        rc = MEET_JOSE_ERR_EVENTS;
        goto failed;
    }

    if (c->sub.len == 0 && c->sid.len == 0) {
        rc = MEET_JOSE_ERR_NO_SUB_OR_SID;
        goto failed;
    }

    if (json_object_get(payload, "nonce") != NULL) {
        rc = MEET_JOSE_ERR_NONCE_PRESENT;
        goto failed;
    }

    if (c->jti.len == 0) {
        rc = MEET_JOSE_ERR_NO_JTI;
        goto failed;
    }

    return MEET_JOSE_OK;

failed:

    meet_oidc_claims_free(c);

    return rc;
}


void
meet_oidc_claims_free(meet_oidc_claims_t *claims)
{
    if (claims == NULL) {
        return;
    }

    if (claims->payload != NULL) {
        json_decref(claims->payload);
    }

    meet_oidc_claims_init(claims);
}


static void
meet_oidc_claims_init(meet_oidc_claims_t *c)
{
    memset(c, 0, sizeof(meet_oidc_claims_t));

    meet_jose_doc_free(&c->payload, &c->iss, &c->picture);

    c->email_verified = -1;
}


/* types of the claims; fills c (strings point into payload) */

static meet_jose_err_e
meet_oidc_get_claims(json_t *payload, meet_oidc_claims_t *c, int64_t *nbf,
    int *has_nbf, int *has_iat)
{
    int          set;
    size_t       i;
    json_t      *v, *e;

    if (meet_jwt_get_string(payload, "iss", &c->iss) != 0
        || meet_jwt_get_string(payload, "sub", &c->sub) != 0
        || meet_jwt_get_string(payload, "azp", &c->azp) != 0
        || meet_jwt_get_string(payload, "nonce", &c->nonce) != 0
        || meet_jwt_get_string(payload, "sid", &c->sid) != 0
        || meet_jwt_get_string(payload, "jti", &c->jti) != 0
        || meet_jwt_get_string(payload, "email", &c->email) != 0
        || meet_jwt_get_string(payload, "name", &c->name) != 0
        || meet_jwt_get_string(payload, "preferred_username",
                               &c->preferred_username)
           != 0
        || meet_jwt_get_string(payload, "given_name", &c->given_name) != 0
        || meet_jwt_get_string(payload, "family_name", &c->family_name) != 0
        || meet_jwt_get_string(payload, "picture", &c->picture) != 0)
    {
        return MEET_JOSE_ERR_CLAIMS;
    }

    if (meet_jwt_get_date(payload, "exp", &c->exp, &set) != 0) {
        return MEET_JOSE_ERR_CLAIMS;
    }

    c->has_exp = set;

    if (meet_jwt_get_date(payload, "auth_time", &c->auth_time, &set) != 0) {
        return MEET_JOSE_ERR_CLAIMS;
    }

    c->has_auth_time = set;

    if (meet_jwt_get_date(payload, "iat", &c->iat, has_iat) != 0
        || meet_jwt_get_date(payload, "nbf", nbf, has_nbf) != 0)
    {
        return MEET_JOSE_ERR_CLAIMS;
    }

    /* email_verified: a boolean; some providers send "true"/"false" */

    v = json_object_get(payload, "email_verified");

    if (json_is_boolean(v)) {
        c->email_verified = json_is_true(v) ? 1 : 0;

    } else if (meet_jose_str_is(v, "true")) {
        c->email_verified = 1;

    } else if (meet_jose_str_is(v, "false")) {
        c->email_verified = 0;

    } else if (v != NULL && !json_is_null(v)) {
        return MEET_JOSE_ERR_CLAIMS;
    }

    /* aud: a string or an array of strings */

    v = json_object_get(payload, "aud");

    if (json_is_array(v)) {
        json_array_foreach(v, i, e) {
            if (!json_is_string(e)) {
                return MEET_JOSE_ERR_CLAIMS;
            }
        }

    } else if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
        return MEET_JOSE_ERR_CLAIMS;
    }

    return MEET_JOSE_OK;
}


/* what ID tokens and logout tokens share: iss, aud, azp, exp, nbf, iat */

static meet_jose_err_e
meet_oidc_check_common(json_t *payload, const meet_oidc_params_t *p,
    meet_oidc_claims_t *c, int logout)
{
    int              has_nbf, has_iat, found;
    size_t           i, naud, cid_len;
    json_t          *aud, *e;
    int64_t          nbf, now, leeway;
    meet_jose_err_e  rc;

    if (c == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    meet_oidc_claims_init(c);

    if (p == NULL || p->issuer == NULL || p->client_id == NULL
        || !json_is_object(payload))
    {
        return MEET_JOSE_ERR_INTERNAL;
    }

    c->payload = json_incref(payload);

    rc = meet_oidc_get_claims(payload, c, &nbf, &has_nbf, &has_iat);
    if (rc != MEET_JOSE_OK) {
        goto failed;
    }

    now = meet_jose_clamp(p->now, -MEET_OIDC_DATE_MAX, MEET_OIDC_DATE_MAX);
    leeway = meet_jose_clamp(p->leeway, 0, MEET_OIDC_LEEWAY_MAX);

    /* iss: exact */

    if (c->iss.len != strlen(p->issuer)
        || memcmp(c->iss.data, p->issuer, c->iss.len) != 0)
    {
        rc = MEET_JOSE_ERR_ISSUER;
        goto failed;
    }

    /* aud contains client_id */

    cid_len = strlen(p->client_id);
    aud = json_object_get(payload, "aud");
    found = 0;
    naud = 0;

    if (json_is_string(aud)) {
        naud = 1;
        found = (meet_jose_str_is(aud, p->client_id) && cid_len > 0);

    } else if (json_is_array(aud)) {
        naud = json_array_size(aud);

        json_array_foreach(aud, i, e) {
            if (meet_jose_str_is(e, p->client_id) && cid_len > 0) {
                found = 1;
            }
        }
    }

    if (!found) {
        rc = MEET_JOSE_ERR_AUDIENCE;
        goto failed;
    }

    /* azp: required with several audiences, then equal to client_id */

    if (!logout) {
        if ((naud > 1 && c->azp.len == 0)
            || (c->azp.len > 0
                && (c->azp.len != cid_len
                    || memcmp(c->azp.data, p->client_id, cid_len) != 0)))
        {
            rc = MEET_JOSE_ERR_AZP;
            goto failed;
        }
    }

    /* exp: required in ID tokens */

    if (!c->has_exp && !logout) {
        rc = MEET_JOSE_ERR_NO_EXPIRY;
        goto failed;
    }

    if (c->has_exp && now >= c->exp + leeway) {
        rc = MEET_JOSE_ERR_EXPIRED;
        goto failed;
    }

    if (has_nbf && now + leeway < nbf) {
        rc = MEET_JOSE_ERR_NOT_YET_VALID;
        goto failed;
    }

    if (!has_iat) {
        rc = MEET_JOSE_ERR_NO_IAT;
        goto failed;
    }

    if (c->iat > now + leeway) {
        rc = MEET_JOSE_ERR_IAT_FUTURE;
        goto failed;
    }

    if (p->max_iat_age > 0
        && now - c->iat > meet_jose_clamp(p->max_iat_age, 0,
                                          MEET_OIDC_DATE_MAX)
                          + leeway)
    {
        rc = MEET_JOSE_ERR_IAT_TOO_OLD;
        goto failed;
    }

    return MEET_JOSE_OK;

failed:

    meet_oidc_claims_free(c);

    return rc;
}


/* discovery */

meet_jose_err_e
meet_oidc_discovery_parse(const u_char *body, size_t len, const char *issuer,
    unsigned flags, meet_oidc_discovery_t *d)
{
    int               s256;
    size_t            i;
    json_t           *v, *e;
    meet_jwt_str_t   *s;
    meet_jose_err_e   rc;

    if (d == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    memset(d, 0, sizeof(meet_oidc_discovery_t));
    meet_oidc_discovery_free(d);

    if (issuer == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    rc = meet_jose_load(body, len, MEET_JOSE_ERR_DOCUMENT, &d->doc);
    if (rc != MEET_JOSE_OK) {
        return rc;
    }

    if (meet_jwt_get_string(d->doc, "issuer", &d->issuer) != 0
        || meet_jwt_get_string(d->doc, "authorization_endpoint",
                               &d->authorization_endpoint)
           != 0
        || meet_jwt_get_string(d->doc, "token_endpoint", &d->token_endpoint)
           != 0
        || meet_jwt_get_string(d->doc, "jwks_uri", &d->jwks_uri) != 0
        || meet_jwt_get_string(d->doc, "end_session_endpoint",
                               &d->end_session_endpoint)
           != 0
        || meet_jwt_get_string(d->doc, "userinfo_endpoint",
                               &d->userinfo_endpoint)
           != 0)
    {
        rc = MEET_JOSE_ERR_DOCUMENT;
        goto failed;
    }

    if (d->issuer.len == 0 || d->authorization_endpoint.len == 0
        || d->token_endpoint.len == 0 || d->jwks_uri.len == 0)
    {
        rc = MEET_JOSE_ERR_MISSING;
        goto failed;
    }

    if (d->issuer.len != strlen(issuer)
        || memcmp(d->issuer.data, issuer, d->issuer.len) != 0)
    {
        rc = MEET_JOSE_ERR_ISSUER_MISMATCH;
        goto failed;
    }

    /* the issuer has no query (and, as every URL here, no fragment) */

    if (memchr(d->issuer.data, '?', d->issuer.len) != NULL) {
        rc = MEET_JOSE_ERR_INSECURE_URL;
        goto failed;
    }

    for (s = &d->issuer; s <= &d->userinfo_endpoint; s++) {
        if (s->len > 0
            && !meet_oidc_url_ok((const char *) s->data, s->len, flags))
        {
            rc = MEET_JOSE_ERR_INSECURE_URL;
            goto failed;
        }
    }

    v = json_object_get(d->doc, "code_challenge_methods_supported");

    if (v != NULL && !json_is_null(v)) {
        if (!json_is_array(v)) {
            rc = MEET_JOSE_ERR_DOCUMENT;
            goto failed;
        }

        s256 = 0;

        json_array_foreach(v, i, e) {
            if (meet_jose_str_is(e, "S256")) {
                s256 = 1;
            }
        }

        if (!s256) {
            rc = MEET_JOSE_ERR_NO_S256;
            goto failed;
        }
    }

    d->backchannel_logout_supported =
        json_is_true(json_object_get(d->doc, "backchannel_logout_supported"));
    d->backchannel_logout_session_supported =
        json_is_true(json_object_get(d->doc,
                                     "backchannel_logout_session_supported"));

    return MEET_JOSE_OK;

failed:

    meet_oidc_discovery_free(d);

    return rc;
}


void
meet_oidc_discovery_free(meet_oidc_discovery_t *d)
{
    if (d == NULL) {
        return;
    }

    meet_jose_doc_free(&d->doc, &d->issuer, &d->userinfo_endpoint);

    d->backchannel_logout_supported = 0;
    d->backchannel_logout_session_supported = 0;
}


int
meet_oidc_url_ok(const char *url, size_t len, unsigned flags)
{
    int          https;
    size_t       i, alen, hlen;
    const char  *p, *end, *host, *colon;

    if (url == NULL || len == 0 || len > MEET_JOSE_MAX_URL_LEN) {
        return 0;
    }

    for (i = 0; i < len; i++) {
        if ((u_char) url[i] <= 0x20 || (u_char) url[i] >= 0x7f
            || url[i] == '\\' || url[i] == '#')
        {
            return 0;
        }
    }

    if (len > 8 && strncasecmp(url, "https://", 8) == 0) {
        https = 1;
        p = url + 8;

    } else if (len > 7 && strncasecmp(url, "http://", 7) == 0
               && (flags & MEET_OIDC_ALLOW_HTTP_LOOPBACK))
    {
        https = 0;
        p = url + 7;

    } else {
        return 0;
    }

    end = url + len;

    for (alen = 0; p + alen < end; alen++) {
        if (p[alen] == '/' || p[alen] == '?') {
            break;
        }
    }

    if (alen == 0 || memchr(p, '@', alen) != NULL) {
        return 0;
    }

    /* host[:port], host possibly an [IPv6] literal */

    host = p;

    if (p[0] == '[') {
        colon = memchr(p, ']', alen);
        if (colon == NULL) {
            return 0;
        }

        hlen = colon - p + 1;

    } else {
        colon = memchr(p, ':', alen);
        hlen = colon ? (size_t) (colon - p) : alen;

        for (i = 0; i < hlen; i++) {
            if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z')
                  || (p[i] >= '0' && p[i] <= '9')
                  || p[i] == '-' || p[i] == '.' || p[i] == '_'))
            {
                return 0;
            }
        }
    }

    if (hlen == 0) {
        return 0;
    }

    if (hlen < alen) {
        if (p[hlen] != ':' || alen - hlen < 2 || alen - hlen > 6) {
            return 0;
        }

        for (i = hlen + 1; i < alen; i++) {
            if (p[i] < '0' || p[i] > '9') {
                return 0;
            }
        }
    }

    if (!https && !meet_oidc_host_loopback(host, hlen)) {
        return 0;
    }

    return 1;
}


static int
meet_oidc_host_loopback(const char *host, size_t len)
{
    return (len == 9 && strncasecmp(host, "localhost", 9) == 0)
           || (len == 9 && memcmp(host, "127.0.0.1", 9) == 0)
           || (len == 5 && memcmp(host, "[::1]", 5) == 0);
}


/* token endpoint response */

meet_jose_err_e
meet_oidc_token_response_parse(const u_char *body, size_t len,
    meet_oidc_token_response_t *r)
{
    double            d;
    size_t            i, n;
    json_t           *v;
    const char       *s;
    meet_jose_err_e   rc;

    if (r == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    memset(r, 0, sizeof(meet_oidc_token_response_t));
    meet_oidc_token_response_free(r);

    rc = meet_jose_load(body, len, MEET_JOSE_ERR_DOCUMENT, &r->doc);
    if (rc != MEET_JOSE_OK) {
        return rc;
    }

    if (meet_jwt_get_string(r->doc, "error", &r->error) != 0) {
        rc = MEET_JOSE_ERR_DOCUMENT;
        goto failed;
    }

    if (r->error.len > 0) {
        /* a description of another type is left out */
        (void) meet_jwt_get_string(r->doc, "error_description",
                                   &r->error_description);
        return MEET_JOSE_ERR_TOKEN_ERROR;
    }

    if (meet_jwt_get_string(r->doc, "id_token", &r->id_token) != 0
        || meet_jwt_get_string(r->doc, "access_token", &r->access_token)
           != 0
        || meet_jwt_get_string(r->doc, "token_type", &r->token_type) != 0
        || meet_jwt_get_string(r->doc, "refresh_token", &r->refresh_token)
           != 0
        || meet_jwt_get_string(r->doc, "scope", &r->scope) != 0)
    {
        rc = MEET_JOSE_ERR_DOCUMENT;
        goto failed;
    }

    if (r->id_token.len == 0 || r->access_token.len == 0
        || r->token_type.len == 0)
    {
        rc = MEET_JOSE_ERR_MISSING;
        goto failed;
    }

    if (r->token_type.len != 6
        || strncasecmp((const char *) r->token_type.data, "Bearer", 6) != 0)
    {
        rc = MEET_JOSE_ERR_TOKEN_TYPE;
        goto failed;
    }

    /* expires_in: a number, or a string of digits (some providers) */

    v = json_object_get(r->doc, "expires_in");

    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0) {
            rc = MEET_JOSE_ERR_DOCUMENT;
            goto failed;
        }

        r->expires_in = meet_jose_clamp(json_integer_value(v), 0,
                                        MEET_OIDC_DATE_MAX);

    } else if (json_is_real(v)) {
        d = json_real_value(v);

        if (!(d >= 0)) {
            rc = MEET_JOSE_ERR_DOCUMENT;
            goto failed;
        }

        r->expires_in = d >= (double) MEET_OIDC_DATE_MAX
                        ? MEET_OIDC_DATE_MAX : (int64_t) d;

    } else if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);

        if (n == 0 || n > 15) {
            rc = MEET_JOSE_ERR_DOCUMENT;
            goto failed;
        }

        r->expires_in = 0;

        for (i = 0; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') {
                rc = MEET_JOSE_ERR_DOCUMENT;
                goto failed;
            }

            r->expires_in = r->expires_in * 10 + (s[i] - '0');
        }

    } else if (v != NULL && !json_is_null(v)) {
        rc = MEET_JOSE_ERR_DOCUMENT;
        goto failed;
    }

    return MEET_JOSE_OK;

failed:

    meet_oidc_token_response_free(r);

    return rc;
}


void
meet_oidc_token_response_free(meet_oidc_token_response_t *r)
{
    if (r == NULL) {
        return;
    }

    meet_jose_doc_free(&r->doc, &r->id_token, &r->error_description);

    r->expires_in = -1;
}


/* PKCE, state, nonce */

meet_jose_err_e
meet_oidc_pkce_verifier(char *buf, size_t len)
{
    size_t  i, j;
    u_char  rnd[64];

    if (buf == NULL || len < MEET_OIDC_VERIFIER_MIN
        || len > MEET_OIDC_VERIFIER_MAX)
    {
        return MEET_JOSE_ERR_INTERNAL;
    }

    /* 66 characters: bytes below 198 (3 * 66) are taken, without bias */

    i = 0;

    while (i < len) {
        if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
            OPENSSL_cleanse(rnd, sizeof(rnd));
            return MEET_JOSE_ERR_INTERNAL;
        }

        for (j = 0; j < sizeof(rnd) && i < len; j++) {
            if (rnd[j] < 3 * (sizeof(meet_oidc_unreserved) - 1)) {
                buf[i++] = meet_oidc_unreserved[
                               rnd[j] % (sizeof(meet_oidc_unreserved) - 1)];
            }
        }
    }

    buf[len] = '\0';

    OPENSSL_cleanse(rnd, sizeof(rnd));

    return MEET_JOSE_OK;
}


meet_jose_err_e
meet_oidc_pkce_challenge(const char *verifier, size_t len, char *out)
{
    size_t         i, n;
    char          *b64;
    unsigned int   md_len;
    u_char         md[EVP_MAX_MD_SIZE];

    if (verifier == NULL || out == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    if (len < MEET_OIDC_VERIFIER_MIN || len > MEET_OIDC_VERIFIER_MAX) {
        return MEET_JOSE_ERR_MALFORMED;
    }

    for (i = 0; i < len; i++) {
        if (verifier[i] == '\0'
            || strchr(meet_oidc_unreserved, verifier[i]) == NULL)
        {
            return MEET_JOSE_ERR_MALFORMED;
        }
    }

    if (EVP_Digest(verifier, len, md, &md_len, EVP_sha256(), NULL) != 1) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    b64 = meet_jwt_b64_encode(md, md_len, &n);
    if (b64 == NULL) {
        return MEET_JOSE_ERR_NO_MEMORY;
    }

    if (n != MEET_OIDC_CHALLENGE_LEN) {
        free(b64);
        return MEET_JOSE_ERR_INTERNAL;
    }

    memcpy(out, b64, n + 1);
    free(b64);

    return MEET_JOSE_OK;
}


meet_jose_err_e
meet_oidc_random(char *out)
{
    char    *b64;
    size_t   n;
    u_char   rnd[32];

    if (out == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    b64 = meet_jwt_b64_encode(rnd, sizeof(rnd), &n);

    OPENSSL_cleanse(rnd, sizeof(rnd));

    if (b64 == NULL) {
        return MEET_JOSE_ERR_NO_MEMORY;
    }

    if (n != MEET_OIDC_RANDOM_LEN) {
        free(b64);
        return MEET_JOSE_ERR_INTERNAL;
    }

    memcpy(out, b64, n + 1);
    OPENSSL_cleanse(b64, n);
    free(b64);

    return MEET_JOSE_OK;
}


int
meet_oidc_str_equal(const u_char *a, size_t alen, const u_char *b,
    size_t blen)
{
    if (a == NULL || b == NULL || alen != blen) {
        return 0;
    }

    return alen == 0 || CRYPTO_memcmp(a, b, alen) == 0;
}


/* return URLs */

int
meet_oidc_return_url_ok(const u_char *url, size_t len)
{
    int     v, path;
    size_t  i, seg;

    if (url == NULL || len == 0 || len > MEET_OIDC_MAX_RETURN_LEN
        || url[0] != '/')
    {
        return 0;
    }

    path = 1;       /* before "?" or "#" */
    seg = 1;        /* start of the current path segment */

    for (i = 1; i <= len; i++) {
        if (i == len
            || (path && (url[i] == '/' || url[i] == '?' || url[i] == '#')))
        {
            /* the end of a path segment: no "//", no dot segment */
            if (path
                && ((i == seg && i < len)
                    || (i - seg == 1 && url[seg] == '.')
                    || (i - seg == 2 && url[seg] == '.'
                        && url[seg + 1] == '.')))
            {
                return 0;
            }

            if (i == len) {
                break;
            }

            if (url[i] != '/') {
                path = 0;
            }

            seg = i + 1;
            continue;
        }

        if (url[i] <= 0x20 || url[i] >= 0x7f || url[i] == '\\') {
            return 0;
        }

        if (url[i] == '%') {
            if (i + 2 >= len
                || (v = meet_oidc_hex(url[i + 1])) < 0
                || meet_oidc_hex(url[i + 2]) < 0)
            {
                return 0;
            }

            v = v * 16 + meet_oidc_hex(url[i + 2]);

            /* escaped controls; escaped "/", "\" or "." in the path */
            if (v < 0x20 || v == 0x7f
                || (path && (v == '/' || v == '\\' || v == '.')))
            {
                return 0;
            }

            i += 2;
        }
    }

    return 1;
}


static int
meet_oidc_hex(u_char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}
