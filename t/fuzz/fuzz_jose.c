/* sources: ngx_meet_routing_module/auth/lib/meet_jose.c */
/* sources: ngx_meet_routing_module/auth/lib/meet_oidc.c */
/* sources: ngx_meet_core/lib/meet_jwt.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for JWS verification and the ID token / logout token
 * claim checks (meet_jose.c, meet_oidc.c), against a fixed key set: jwks1 of
 * t/unit/jose_vectors.h (rsa1, ec1 and two skipped keys) and ec2, whose
 * private key signs here (jose-generated, see t/unit/test_jose.c).
 *
 * Input: one settings byte, then
 *   - bit 0 clear: the token, verified as it is;
 *   - bit 0 set: "<header JSON>\n<payload JSON>" (no newline: the payload
 *     alone, header {"alg":"ES256","kid":"ec2"}), encoded and signed here
 *     with ec2 (ES256), so that the claim checks are reached.
 * Bits 1-2 choose the allowed algorithms, bit 3 whether a nonce is
 * expected, bits 4-7 the leeway (x 16 s).  Every token is checked as an
 * ID token and as a logout token; the library's promises are checked and
 * the target aborts when one is broken.  The corpus in t/fuzz/corpus/jose/
 * uses this layout.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ec.h>
#include <openssl/bn.h>

#include "meet_oidc.h"
#include "jose_vectors.h"


#define NOW     1700000000LL
#define ISS     "https://idp.example.com"
#define CID     "meet-client"
#define NONCE   "n-0S6_WzA2Mj"

#define check(cond)  do { if (!(cond)) { abort(); } } while (0)


static meet_jose_jwks_t   jwks;
static EVP_PKEY          *ec2;


static void
init(void)
{
    BIO     *bio;
    char    *doc;
    json_t  *set, *ec2_jwk;

    set = json_loads(vec_jwks1, 0, NULL);
    ec2_jwk = json_loads(vec_ec2_jwk, 0, NULL);
    check(set != NULL && ec2_jwk != NULL);
    check(json_array_append_new(json_object_get(set, "keys"), ec2_jwk) == 0);

    doc = json_dumps(set, JSON_COMPACT);
    check(doc != NULL);
    json_decref(set);

    check(meet_jose_jwks_parse((const u_char *) doc, strlen(doc), &jwks)
          == MEET_JOSE_OK);
    check(jwks.nkeys == 3);
    free(doc);

    bio = BIO_new_mem_buf(vec_ec2_pem, -1);
    ec2 = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    check(ec2 != NULL);
}


static int
str_ok(meet_jwt_str_t s)
{
    return s.data != NULL && s.data[s.len] == '\0'
           && strlen((const char *) s.data) == s.len;
}


static void
check_claims(const meet_oidc_claims_t *c, const meet_oidc_params_t *p,
    int logout)
{
    check(c->payload != NULL);
    check(str_ok(c->iss) && str_ok(c->sub) && str_ok(c->azp)
          && str_ok(c->nonce) && str_ok(c->sid) && str_ok(c->jti)
          && str_ok(c->email) && str_ok(c->name)
          && str_ok(c->preferred_username) && str_ok(c->given_name)
          && str_ok(c->family_name) && str_ok(c->picture));
    check(strcmp((const char *) c->iss.data, ISS) == 0);
    check(c->iat <= p->now + p->leeway);
    check(!c->has_exp || p->now < c->exp + p->leeway);
    check(c->email_verified >= -1 && c->email_verified <= 1);

    if (logout) {
        check(c->jti.len > 0 && (c->sub.len > 0 || c->sid.len > 0));
        check(json_object_get(c->payload, "nonce") == NULL);

    } else {
        check(c->has_exp && c->sub.len > 0);
        check(c->azp.len == 0 || strcmp((const char *) c->azp.data, CID) == 0);

        if (p->nonce != NULL) {
            check(strcmp((const char *) c->nonce.data, p->nonce) == 0);
        }
    }
}


static void
verify(const u_char *token, size_t len, const meet_oidc_params_t *p,
    json_t *plain)
{
    json_t              *payload;
    meet_jose_alg_e      alg;
    meet_jose_err_e      rc, rc2;
    meet_oidc_claims_t   c, c2;

    rc = meet_jose_verify(token, len, &jwks, p->algs, &payload, &alg);

    check((unsigned) rc < MEET_JOSE_ERR_LAST);
    check(rc != MEET_JOSE_ERR_INTERNAL);

    if (rc == MEET_JOSE_OK) {
        check(json_is_object(payload));
        check(alg == MEET_JOSE_ALG_RS256 || alg == MEET_JOSE_ALG_ES256);
        check(p->algs == 0 || (p->algs & MEET_JOSE_ALG_BIT(alg)));
        json_decref(payload);

    } else {
        check(payload == NULL);
    }

    rc2 = meet_oidc_verify_id_token(token, len, &jwks, p, &c);
    check((unsigned) rc2 < MEET_JOSE_ERR_LAST);
    check(meet_jose_strerror(rc2) != NULL);
    check(rc != MEET_JOSE_OK ? rc2 == rc : 1);

    if (rc2 == MEET_JOSE_OK) {
        check_claims(&c, p, 0);

    } else {
        check(c.payload == NULL && c.sub.data != NULL && c.sub.len == 0);
    }

    /* the claim rules on the same JSON give the same answer */
    if (plain != NULL && rc == MEET_JOSE_OK) {
        rc = meet_oidc_check_id_claims(plain, p, &c2);
        check(rc == rc2);
        meet_oidc_claims_free(&c2);
    }

    meet_oidc_claims_free(&c);

    rc2 = meet_oidc_verify_logout_token(token, len, &jwks, p, &c);
    check((unsigned) rc2 < MEET_JOSE_ERR_LAST);

    if (rc2 == MEET_JOSE_OK) {
        check_claims(&c, p, 1);

    } else {
        check(c.payload == NULL);
    }

    meet_oidc_claims_free(&c);
}


/* appends the base64url form of src at dst; the end */

static char *
b64url(char *dst, const u_char *src, size_t len)
{
    char    *s;
    size_t   n;

    s = meet_jwt_b64_encode(src, len, &n);
    check(s != NULL);
    memcpy(dst, s, n);
    free(s);

    return dst + n;
}


/*
 * "<header>\n<payload>", or the payload alone under the ec2 header (then
 * *plain is the payload parsed as the verifier does, or NULL): a token
 * signed by ec2 (ES256), malloc()ed
 */

static char *
sign_input(const u_char *in, size_t n, size_t *len, json_t **plain)
{
    char            *token, *end;
    size_t           hlen, siglen;
    EVP_MD_CTX      *md;
    ECDSA_SIG       *es;
    const BIGNUM    *r, *s;
    const u_char    *header, *nl, *q;
    json_error_t     error;
    u_char           der[128], raw[64];
    static u_char    ec2_header[] = "{\"alg\":\"ES256\",\"kid\":\"ec2\"}";

    header = ec2_header;
    hlen = sizeof(ec2_header) - 1;

    nl = memchr(in, '\n', n);

    if (nl == NULL) {
        memset(&error, 0, sizeof(json_error_t));
        *plain = json_loadb((const char *) in, n, JSON_DECODE_INT_AS_REAL,
                            &error);

    } else {
        header = in;
        hlen = nl - in;
        n -= hlen + 1;
        in = nl + 1;
    }

    /* two segments, a dot, the 86-character signature, a NUL */
    token = malloc(((hlen + 2) / 3 + (n + 2) / 3) * 4 + 1 + 1 + 88 + 1);
    check(token != NULL);

    end = b64url(token, header, hlen);
    *end++ = '.';
    end = b64url(end, in, n);

    md = EVP_MD_CTX_new();
    siglen = sizeof(der);
    check(md != NULL
          && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, ec2) == 1
          && EVP_DigestSign(md, der, &siglen, (u_char *) token, end - token)
             == 1);
    EVP_MD_CTX_free(md);

    /* DER to the JOSE form r || s */
    q = der;
    es = d2i_ECDSA_SIG(NULL, &q, (long) siglen);
    check(es != NULL);
    ECDSA_SIG_get0(es, &r, &s);
    check(BN_bn2binpad(r, raw, 32) == 32
          && BN_bn2binpad(s, raw + 32, 32) == 32);
    ECDSA_SIG_free(es);

    *end++ = '.';
    end = b64url(end, raw, sizeof(raw));
    *len = end - token;

    return token;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                *token;
    size_t               len;
    json_t              *plain;
    meet_oidc_params_t   params;

    if (ec2 == NULL) {
        init();
    }

    if (size < 1 || size > MEET_JOSE_MAX_TOKEN_LEN + 1) {
        return 0;
    }

    memset(&params, 0, sizeof(meet_oidc_params_t));
    params.issuer = ISS;
    params.client_id = CID;
    params.nonce = (data[0] & 8) ? NONCE : NULL;
    params.algs = (data[0] >> 1) & 3;
    params.algs = params.algs == 3 ? 0 : MEET_JOSE_ALG_BIT(params.algs);
    params.now = NOW;
    params.leeway = (data[0] >> 4) * 16;
    params.max_iat_age = 3600;
    params.max_age = -1;

    plain = NULL;

    if (data[0] & 1) {
        token = sign_input(data + 1, size - 1, &len, &plain);

    } else {
        /* the token as it is, in a copy so reads past it are caught */
        len = size - 1;
        token = malloc(len ? len : 1);
        check(token != NULL);
        memcpy(token, data + 1, len);
    }

    verify((const u_char *) token, len, &params, plain);

    if (plain != NULL) {
        json_decref(plain);
    }

    free(token);

    return 0;
}
