
/*
 * Copyright (C) ngx_meet authors
 *
 * JWKS and JWS (RS256, ES256) on OpenSSL and jansson; see meet_jose.h.
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

#include "meet_jose.h"


#define MEET_JOSE_P256_LEN      32


static const char *meet_jose_jwk_parse(json_t *jwk, meet_jose_key_t *key);
static const char *meet_jose_rsa_key(json_t *jwk, EVP_PKEY **pkey);
static const char *meet_jose_ec_key(json_t *jwk, EVP_PKEY **pkey);
static EVP_PKEY *meet_jose_fromdata(const char *type, OSSL_PARAM *params);
static int meet_jose_b64_field(json_t *jwk, const char *name, u_char **out,
    size_t *out_len);
static meet_jose_err_e meet_jose_from_jwt(meet_jwt_err_e rc);
static const meet_jose_key_t *meet_jose_find_key(
    const meet_jose_jwks_t *jwks, json_t *kid, meet_jose_alg_e alg,
    meet_jose_err_e *rc);
static meet_jose_err_e meet_jose_check_sig(const meet_jose_key_t *key,
    meet_jose_alg_e alg, const u_char *data, size_t len, const u_char *sig,
    size_t sig_len);


static const u_char  meet_jose_empty[] = "";


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


int
meet_jose_str_is(json_t *v, const char *s)
{
    size_t  len;

    len = strlen(s);

    return json_is_string(v) && json_string_length(v) == len
           && memcmp(json_string_value(v), s, len) == 0;
}


/* a JSON object document (JWKS, discovery, token response) */

meet_jose_err_e
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


/* drops a parsed document and empties the strings that pointed into it */

void
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




const char *
meet_jose_strerror(meet_jose_err_e err)
{
    if ((unsigned) err >= MEET_JOSE_ERR_LAST) {
        return "unknown error";
    }

    return meet_jose_errors[err];
}


int64_t
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
