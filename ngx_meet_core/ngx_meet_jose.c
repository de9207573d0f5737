
/*
 * Copyright (C) ngx_meet authors
 *
 * OpenID Connect relying-party protocol code; see ngx_meet_jose.h.
 */


#include <string.h>
#include <strings.h>
#include <stdlib.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "ngx_meet_jose.h"


#define MEET_JOSE_DATE_MAX      9007199254740992LL          /* 2^53 */
#define MEET_JOSE_LEEWAY_MAX    4294967296LL                /* 2^32 */
#define MEET_JOSE_P256_LEN      32


static meet_jose_err_e meet_jose_load(const u_char *body, size_t len,
    meet_jose_err_e malformed, json_t **out);
static const char *meet_jose_jwk_parse(json_t *jwk, meet_jose_key_t *key);
static const char *meet_jose_rsa_key(json_t *jwk, EVP_PKEY **pkey);
static const char *meet_jose_ec_key(json_t *jwk, EVP_PKEY **pkey);
static EVP_PKEY *meet_jose_fromdata(const char *type, OSSL_PARAM *params);
static int meet_jose_b64_field(json_t *jwk, const char *name, u_char **out,
    size_t *out_len);
static int meet_jose_str_is(json_t *v, const char *s);
static meet_jose_err_e meet_jose_from_jwt(meet_jwt_err_e rc);
static const meet_jose_key_t *meet_jose_find_key(
    const meet_jose_jwks_t *jwks, json_t *kid, meet_jose_alg_e alg,
    meet_jose_err_e *rc);
static meet_jose_err_e meet_jose_check_sig(const meet_jose_key_t *key,
    meet_jose_alg_e alg, const u_char *data, size_t len, const u_char *sig,
    size_t sig_len);
static meet_jose_err_e meet_oidc_verify_token(const u_char *token,
    size_t len, const meet_jose_jwks_t *jwks,
    const meet_oidc_params_t *params, meet_oidc_claims_t *claims,
    int logout);
static void meet_oidc_claims_init(meet_oidc_claims_t *claims);
static meet_jose_err_e meet_oidc_get_claims(json_t *payload,
    meet_oidc_claims_t *c, int64_t *nbf, int *has_nbf, int *has_iat);
static meet_jose_err_e meet_oidc_check_common(json_t *payload,
    const meet_oidc_params_t *p, meet_oidc_claims_t *c, int logout);
static void meet_jose_doc_free(json_t **doc, meet_jwt_str_t *s,
    meet_jwt_str_t *last);
static int meet_oidc_host_loopback(const char *host, size_t len);
static int meet_oidc_hex(u_char c);
static int64_t meet_jose_clamp(int64_t v, int64_t min, int64_t max);


static const u_char  meet_jose_empty[] = "";

static const char  meet_oidc_unreserved[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";


static const char  *meet_jose_errors[] = {
    "ok",
    "token is too long",
    "token is malformed",
    "unsupported signing algorithm",
    "unsupported critical header",
    "unknown key id",
    "key does not fit the algorithm",
    "signature is invalid",
    "malformed claims",
    "wrong issuer",
    "client is not an audience",
    "wrong authorized party",
    "token has no expiration",
    "token is expired",
    "token is not valid yet",
    "token has no issue time",
    "token is issued in the future",
    "token is issued too long ago",
    "nonce does not match",
    "token has no subject",
    "authentication is too old",
    "token has no jti",
    "no back-channel logout event",
    "logout token has neither sub nor sid",
    "logout token has a nonce",
    "malformed JWKS",
    "JWKS has no usable key",
    "malformed document",
    "required member missing",
    "issuer does not match",
    "URL is not https",
    "PKCE S256 is not supported",
    "token endpoint returned an error",
    "token type is not Bearer",
    "out of memory",
    "internal error"
};

/* one message per error code */
typedef char meet_jose_errors_complete[
    sizeof(meet_jose_errors) / sizeof(meet_jose_errors[0])
    == MEET_JOSE_ERR_LAST ? 1 : -1];


/* JWKS */

meet_jose_err_e
meet_jose_jwks_parse(const u_char *doc, size_t len, meet_jose_jwks_t *jwks)
{
    size_t            i;
    json_t           *json, *keys, *jwk;
    const char       *reason;
    meet_jose_key_t  *key;
    meet_jose_skip_t *skip;
    meet_jose_err_e   rc;

    if (jwks == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    memset(jwks, 0, sizeof(meet_jose_jwks_t));

    rc = meet_jose_load(doc, len, MEET_JOSE_ERR_JWKS, &json);
    if (rc != MEET_JOSE_OK) {
        return rc;
    }

    keys = json_object_get(json, "keys");

    if (!json_is_array(keys) || json_array_size(keys) > MEET_JOSE_MAX_KEYS) {
        json_decref(json);
        return MEET_JOSE_ERR_JWKS;
    }

    json_array_foreach(keys, i, jwk) {
        key = &jwks->keys[jwks->nkeys];

        reason = meet_jose_jwk_parse(jwk, key);

        if (reason == NULL) {
            jwks->nkeys++;
            continue;
        }

        skip = &jwks->skips[jwks->nskips++];
        skip->index = i;
        skip->reason = reason;

        jwk = json_object_get(jwk, "kid");

        if (json_is_string(jwk)) {
            strncpy(skip->kid, json_string_value(jwk), sizeof(skip->kid) - 1);
        }
    }

    json_decref(json);

    return jwks->nkeys ? MEET_JOSE_OK : MEET_JOSE_ERR_NO_KEYS;
}


void
meet_jose_jwks_free(meet_jose_jwks_t *jwks)
{
    size_t  i;

    if (jwks == NULL) {
        return;
    }

    for (i = 0; i < jwks->nkeys && i < MEET_JOSE_MAX_KEYS; i++) {
        free(jwks->keys[i].kid);
        EVP_PKEY_free(jwks->keys[i].pkey);
    }

    memset(jwks, 0, sizeof(meet_jose_jwks_t));
}


/* NULL when the key was taken, else why it was skipped */

static const char *
meet_jose_jwk_parse(json_t *jwk, meet_jose_key_t *key)
{
    size_t       i;
    json_t      *v, *e;
    const char  *reason;
    int          verify;

    memset(key, 0, sizeof(meet_jose_key_t));

    if (!json_is_object(jwk)) {
        return "not an object";
    }

    v = json_object_get(jwk, "kid");

    if (v != NULL && !json_is_null(v)) {
        if (!json_is_string(v)) {
            return "kid is not a string";
        }

        if (json_string_length(v) > MEET_JOSE_MAX_KID_LEN) {
            return "kid is too long";
        }
    }

    v = json_object_get(jwk, "use");

    if (v != NULL && !meet_jose_str_is(v, "sig")) {
        return "use is not sig";
    }

    v = json_object_get(jwk, "key_ops");

    if (v != NULL) {
        verify = 0;

        if (json_is_array(v)) {
            json_array_foreach(v, i, e) {
                if (meet_jose_str_is(e, "verify")) {
                    verify = 1;
                }
            }
        }

        if (!verify) {
            return "key_ops without verify";
        }
    }

    v = json_object_get(jwk, "alg");

    if (v == NULL) {
        key->alg = MEET_JOSE_ALG_NONE;

    } else if (meet_jose_str_is(v, "RS256")) {
        key->alg = MEET_JOSE_ALG_RS256;

    } else if (meet_jose_str_is(v, "ES256")) {
        key->alg = MEET_JOSE_ALG_ES256;

    } else {
        return "unsupported alg";
    }

    v = json_object_get(jwk, "kty");

    if (meet_jose_str_is(v, "RSA")) {
        if (key->alg == MEET_JOSE_ALG_ES256) {
            return "alg does not fit kty";
        }

        key->kty = MEET_JOSE_KTY_RSA;
        reason = meet_jose_rsa_key(jwk, &key->pkey);

    } else if (meet_jose_str_is(v, "EC")) {
        if (key->alg == MEET_JOSE_ALG_RS256) {
            return "alg does not fit kty";
        }

        key->kty = MEET_JOSE_KTY_EC;
        reason = meet_jose_ec_key(jwk, &key->pkey);

    } else {
        return "unsupported kty";
    }

    if (reason != NULL) {
        return reason;
    }

    v = json_object_get(jwk, "kid");

    key->kid = strdup(json_is_string(v) ? json_string_value(v) : "");

    if (key->kid == NULL) {
        EVP_PKEY_free(key->pkey);
        key->pkey = NULL;
        return "out of memory";
    }

    return NULL;
}


static const char *
meet_jose_rsa_key(json_t *jwk, EVP_PKEY **pkey)
{
    u_char          *n, *e, *nn, c;
    size_t           n_len, e_len, bits;
    BIGNUM          *bn_n, *bn_e;
    OSSL_PARAM      *params;
    const char      *reason;
    OSSL_PARAM_BLD  *bld;

    if (meet_jose_b64_field(jwk, "n", &n, &n_len) != 0) {
        return "bad n";
    }

    if (meet_jose_b64_field(jwk, "e", &e, &e_len) != 0) {
        free(n);
        return "bad e";
    }

    /* leading zero octets are tolerated */

    nn = n;

    while (n_len > 0 && *nn == 0) {
        nn++;
        n_len--;
    }

    bits = n_len * 8;

    if (n_len > 0) {
        for (c = nn[0]; !(c & 0x80); c <<= 1) {
            bits--;
        }
    }

    if (bits < MEET_JOSE_RSA_MIN_BITS) {
        reason = "RSA modulus too short";
        goto done;
    }

    if (bits > MEET_JOSE_RSA_MAX_BITS) {
        reason = "RSA modulus too long";
        goto done;
    }

    if (e_len == 0 || e_len > 8 || !(e[e_len - 1] & 1)
        || (e_len == 1 && e[0] < 3))
    {
        reason = "bad RSA exponent";
        goto done;
    }

    reason = "invalid RSA key";

    bld = OSSL_PARAM_BLD_new();
    bn_n = BN_bin2bn(nn, (int) n_len, NULL);
    bn_e = BN_bin2bn(e, (int) e_len, NULL);
    params = NULL;

    if (bld != NULL && bn_n != NULL && bn_e != NULL
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n)
        && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
    {
        params = OSSL_PARAM_BLD_to_param(bld);
    }

    if (params != NULL) {
        *pkey = meet_jose_fromdata("RSA", params);

        if (*pkey != NULL) {
            reason = NULL;
        }
    }

    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);

done:

    free(n);
    free(e);

    return reason;
}


static const char *
meet_jose_ec_key(json_t *jwk, EVP_PKEY **pkey)
{
    u_char      *x, *y;
    size_t       x_len, y_len;
    OSSL_PARAM   params[3];
    const char  *reason;
    u_char       point[1 + 2 * MEET_JOSE_P256_LEN];
    char         group[] = "prime256v1";

    if (!meet_jose_str_is(json_object_get(jwk, "crv"), "P-256")) {
        return "unsupported curve";
    }

    if (meet_jose_b64_field(jwk, "x", &x, &x_len) != 0) {
        return "bad x";
    }

    if (meet_jose_b64_field(jwk, "y", &y, &y_len) != 0) {
        free(x);
        return "bad y";
    }

    reason = "bad EC coordinate length";

    if (x_len == MEET_JOSE_P256_LEN && y_len == MEET_JOSE_P256_LEN) {
        point[0] = 0x04;
        memcpy(point + 1, x, MEET_JOSE_P256_LEN);
        memcpy(point + 1 + MEET_JOSE_P256_LEN, y, MEET_JOSE_P256_LEN);

        params[0] = OSSL_PARAM_construct_utf8_string(
                                OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
        params[1] = OSSL_PARAM_construct_octet_string(
                                OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point));
        params[2] = OSSL_PARAM_construct_end();

        *pkey = meet_jose_fromdata("EC", params);

        reason = (*pkey != NULL) ? NULL : "EC point not on P-256";
    }

    free(x);
    free(y);

    return reason;
}


/* a public key from parameters, checked; NULL when refused */

static EVP_PKEY *
meet_jose_fromdata(const char *type, OSSL_PARAM *params)
{
    EVP_PKEY      *pkey;
    EVP_PKEY_CTX  *ctx, *check;

    pkey = NULL;

    ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);

    if (ctx == NULL
        || EVP_PKEY_fromdata_init(ctx) != 1
        || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
    {
        EVP_PKEY_CTX_free(ctx);
        EVP_PKEY_free(pkey);
        ERR_clear_error();
        return NULL;
    }

    EVP_PKEY_CTX_free(ctx);

    check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);

    if (check == NULL || EVP_PKEY_public_check(check) != 1) {
        EVP_PKEY_CTX_free(check);
        EVP_PKEY_free(pkey);
        ERR_clear_error();
        return NULL;
    }

    EVP_PKEY_CTX_free(check);

    return pkey;
}


/* a base64url string member, decoded (malloc()ed); -1 when bad */

static int
meet_jose_b64_field(json_t *jwk, const char *name, u_char **out,
    size_t *out_len)
{
    json_t  *v;

    *out = NULL;
    *out_len = 0;

    v = json_object_get(jwk, name);

    if (!json_is_string(v) || json_string_length(v) == 0) {
        return -1;
    }

    if (meet_jwt_b64_decode((const u_char *) json_string_value(v),
                            json_string_length(v), out, out_len)
        != MEET_JWT_OK)
    {
        return -1;
    }

    return 0;
}


static int
meet_jose_str_is(json_t *v, const char *s)
{
    size_t  len;

    len = strlen(s);

    return json_is_string(v) && json_string_length(v) == len
           && memcmp(json_string_value(v), s, len) == 0;
}


/* a JSON object document (JWKS, discovery, token response) */

static meet_jose_err_e
meet_jose_load(const u_char *body, size_t len, meet_jose_err_e malformed,
    json_t **out)
{
    json_t        *json;
    json_error_t   error;

    *out = NULL;

    if (body == NULL || len == 0) {
        return malformed;
    }

    if (len > MEET_JOSE_MAX_DOC_LEN) {
        return MEET_JOSE_ERR_TOO_LONG;
    }

    memset(&error, 0, sizeof(json_error_t));

    json = json_loadb((const char *) body, len, JSON_REJECT_DUPLICATES,
                      &error);

    if (json == NULL) {
        return json_error_code(&error) == json_error_out_of_memory
               ? MEET_JOSE_ERR_NO_MEMORY : malformed;
    }

    if (!json_is_object(json)) {
        json_decref(json);
        return malformed;
    }

    *out = json;

    return MEET_JOSE_OK;
}


/* JWS */

meet_jose_err_e
meet_jose_verify(const u_char *token, size_t len,
    const meet_jose_jwks_t *jwks, unsigned algs, json_t **payload,
    meet_jose_alg_e *alg_out)
{
    u_char                 *sig;
    size_t                  sig_len;
    json_t                 *header, *v;
    const u_char           *dot1, *dot2, *end;
    meet_jose_alg_e         alg;
    meet_jose_err_e         rc;
    const meet_jose_key_t  *key;

    if (payload == NULL || jwks == NULL) {
        return MEET_JOSE_ERR_INTERNAL;
    }

    *payload = NULL;

    if (algs == 0) {
        algs = MEET_JOSE_ALGS_ALL;
    }

    if (token == NULL || len == 0) {
        return MEET_JOSE_ERR_MALFORMED;
    }

    if (len > MEET_JOSE_MAX_TOKEN_LEN) {
        return MEET_JOSE_ERR_TOO_LONG;
    }

    if (meet_jwt_split(token, len, &dot1, &dot2) != 0) {
        return MEET_JOSE_ERR_MALFORMED;
    }

    end = token + len;

    rc = meet_jose_from_jwt(meet_jwt_b64_decode(dot2 + 1, end - dot2 - 1,
                                                &sig, &sig_len));
    if (rc != MEET_JOSE_OK) {
        return rc;
    }

    header = NULL;

    rc = meet_jose_from_jwt(meet_jwt_decode_json(token, dot1 - token,
                                                 &header));
    if (rc != MEET_JOSE_OK) {
        goto failed;
    }

    rc = meet_jose_from_jwt(meet_jwt_decode_json(dot1 + 1, dot2 - dot1 - 1,
                                                 payload));
    if (rc != MEET_JOSE_OK) {
        goto failed;
    }

    /* header: alg, crit, kid */

    v = json_object_get(header, "alg");

    if (meet_jose_str_is(v, "RS256")) {
        alg = MEET_JOSE_ALG_RS256;

    } else if (meet_jose_str_is(v, "ES256")) {
        alg = MEET_JOSE_ALG_ES256;

    } else {
        rc = MEET_JOSE_ERR_ALGORITHM;
        goto failed;
    }

    if (!(algs & MEET_JOSE_ALG_BIT(alg))) {
        rc = MEET_JOSE_ERR_ALGORITHM;
        goto failed;
    }

    if (json_object_get(header, "crit") != NULL) {
        rc = MEET_JOSE_ERR_CRIT;
        goto failed;
    }

    v = json_object_get(header, "kid");

    if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
        rc = MEET_JOSE_ERR_MALFORMED;
        goto failed;
    }

    key = meet_jose_find_key(jwks, json_is_string(v) ? v : NULL, alg, &rc);
    if (key == NULL) {
        goto failed;
    }

    rc = meet_jose_check_sig(key, alg, token, dot2 - token, sig, sig_len);
    if (rc != MEET_JOSE_OK) {
        goto failed;
    }

    json_decref(header);
    free(sig);

    if (alg_out != NULL) {
        *alg_out = alg;
    }

    return MEET_JOSE_OK;

failed:

    free(sig);

    if (header != NULL) {
        json_decref(header);
    }

    if (*payload != NULL) {
        json_decref(*payload);
        *payload = NULL;
    }

    return rc;
}


static meet_jose_err_e
meet_jose_from_jwt(meet_jwt_err_e rc)
{
    switch (rc) {

    case MEET_JWT_OK:
        return MEET_JOSE_OK;

    case MEET_JWT_ERR_NO_MEMORY:
        return MEET_JOSE_ERR_NO_MEMORY;

    default:
        return MEET_JOSE_ERR_MALFORMED;
    }
}


static int
meet_jose_key_fits(const meet_jose_key_t *key, meet_jose_alg_e alg)
{
    if (key->alg != MEET_JOSE_ALG_NONE && key->alg != alg) {
        return 0;
    }

    return (alg == MEET_JOSE_ALG_RS256) ? key->kty == MEET_JOSE_KTY_RSA
                                        : key->kty == MEET_JOSE_KTY_EC;
}


static const meet_jose_key_t *
meet_jose_find_key(const meet_jose_jwks_t *jwks, json_t *kid,
    meet_jose_alg_e alg, meet_jose_err_e *rc)
{
    size_t                  i, n, len;
    const char             *s;
    const meet_jose_key_t  *key, *found;

    found = NULL;
    n = 0;

    if (kid != NULL) {
        s = json_string_value(kid);
        len = json_string_length(kid);

        *rc = MEET_JOSE_ERR_UNKNOWN_KID;

        for (i = 0; i < jwks->nkeys && i < MEET_JOSE_MAX_KEYS; i++) {
            key = &jwks->keys[i];

            if (strlen(key->kid) != len || memcmp(key->kid, s, len) != 0) {
                continue;
            }

            if (meet_jose_key_fits(key, alg)) {
                return key;
            }

            *rc = MEET_JOSE_ERR_KEY_TYPE;
        }

        return NULL;
    }

    /* no kid: the single key that fits */

    for (i = 0; i < jwks->nkeys && i < MEET_JOSE_MAX_KEYS; i++) {
        key = &jwks->keys[i];

        if (meet_jose_key_fits(key, alg)) {
            found = key;
            n++;
        }
    }

    if (n != 1) {
        *rc = MEET_JOSE_ERR_UNKNOWN_KID;
        return NULL;
    }

    return found;
}


static meet_jose_err_e
meet_jose_check_sig(const meet_jose_key_t *key, meet_jose_alg_e alg,
    const u_char *data, size_t len, const u_char *sig, size_t sig_len)
{
    int              n;
    u_char          *der;
    BIGNUM          *r, *s;
    ECDSA_SIG       *es;
    EVP_MD_CTX      *md;
    meet_jose_err_e  rc;

    der = NULL;

    if (alg == MEET_JOSE_ALG_ES256) {
        if (sig_len != 2 * MEET_JOSE_P256_LEN) {
            return MEET_JOSE_ERR_SIGNATURE;
        }

        es = ECDSA_SIG_new();
        r = BN_bin2bn(sig, MEET_JOSE_P256_LEN, NULL);
        s = BN_bin2bn(sig + MEET_JOSE_P256_LEN, MEET_JOSE_P256_LEN, NULL);

        if (es == NULL || r == NULL || s == NULL
            || ECDSA_SIG_set0(es, r, s) != 1)
        {
            ECDSA_SIG_free(es);
            BN_free(r);
            BN_free(s);
            return MEET_JOSE_ERR_NO_MEMORY;
        }

        n = i2d_ECDSA_SIG(es, &der);

        ECDSA_SIG_free(es);

        if (n <= 0) {
            return MEET_JOSE_ERR_NO_MEMORY;
        }

        sig = der;
        sig_len = n;

    } else {
        n = EVP_PKEY_get_size(key->pkey);

        if (n <= 0 || sig_len != (size_t) n) {
            return MEET_JOSE_ERR_SIGNATURE;
        }
    }

    rc = MEET_JOSE_ERR_SIGNATURE;

    md = EVP_MD_CTX_new();

    if (md == NULL) {
        rc = MEET_JOSE_ERR_NO_MEMORY;

    } else if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key->pkey)
               != 1)
    {
        rc = MEET_JOSE_ERR_INTERNAL;

    } else if (EVP_DigestVerify(md, sig, sig_len, data, len) == 1) {
        rc = MEET_JOSE_OK;
    }

    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    ERR_clear_error();

    return rc;
}


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

    now = meet_jose_clamp(p->now, -MEET_JOSE_DATE_MAX, MEET_JOSE_DATE_MAX);
    leeway = meet_jose_clamp(p->leeway, 0, MEET_JOSE_LEEWAY_MAX);

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
        max_age = meet_jose_clamp(p->max_age, 0, MEET_JOSE_DATE_MAX);

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

    now = meet_jose_clamp(p->now, -MEET_JOSE_DATE_MAX, MEET_JOSE_DATE_MAX);
    leeway = meet_jose_clamp(p->leeway, 0, MEET_JOSE_LEEWAY_MAX);

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
                                          MEET_JOSE_DATE_MAX)
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
                                        MEET_JOSE_DATE_MAX);

    } else if (json_is_real(v)) {
        d = json_real_value(v);

        if (!(d >= 0)) {
            rc = MEET_JOSE_ERR_DOCUMENT;
            goto failed;
        }

        r->expires_in = d >= (double) MEET_JOSE_DATE_MAX
                        ? MEET_JOSE_DATE_MAX : (int64_t) d;

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


/* drops a parsed document and empties the strings that pointed into it */

static void
meet_jose_doc_free(json_t **doc, meet_jwt_str_t *s, meet_jwt_str_t *last)
{
    if (*doc != NULL) {
        json_decref(*doc);
        *doc = NULL;
    }

    for ( /* void */ ; s <= last; s++) {
        s->data = meet_jose_empty;
        s->len = 0;
    }
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


const char *
meet_jose_strerror(meet_jose_err_e err)
{
    if ((unsigned) err >= MEET_JOSE_ERR_LAST) {
        return "unknown error";
    }

    return meet_jose_errors[err];
}


static int64_t
meet_jose_clamp(int64_t v, int64_t min, int64_t max)
{
    if (v < min) {
        return min;
    }

    if (v > max) {
        return max;
    }

    return v;
}
