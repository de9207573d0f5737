/* sources: ngx_meet_core/ngx_meet_jose.c ngx_meet_core/ngx_meet_jwt.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for JWS verification and the ID token / logout token
 * claim checks (ngx_meet_jose.c), against a fixed key set: rsa1 and ec1 of
 * t/unit/test_jose.c's jwks1 and ec2 (jose-generated, see there).
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

#include "ngx_meet_jose.h"


#define NOW     1700000000LL
#define ISS     "https://idp.example.com"
#define CID     "meet-client"
#define NONCE   "n-0S6_WzA2Mj"

#define check(cond)  do { if (!(cond)) { abort(); } } while (0)


static const char  fuzz_jwks[] =
    "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"udXb0F7SXudlvHG8WOP0i2In2gXjn4"
    "71wtsdZKiDjA1zaiN2nj0JfS7MUue6cvXeEcIFOb7HfVOBtyF9Bi9HwlTAq7RajiHg"
    "kmWJ0zn_9Uny5ldTWA6cS3YN049h_QVz8exTlys5UhYn-yKJgFHGDV1tCKEFwTRVlE"
    "cCVE8GmNDvyEDK-d8wxuqzFzVJScqRK5gp6YjCjZCKvI3xl0Milw8hHd6xu8vsvUYp"
    "-lbYRN3m7jVC8yB5khjS_c-DrTS2bKU8-75Nva7rD_cmPvXYEIXBV_ZIIo-EaeFfcQ"
    "5bCR9DRIgN8I2JaH3nPsf5CVEFhE5VsD6IlOV27bcyvYxoKw\",\"e\":\"AQAB\","
    "\"kid\":\"rsa1\",\"use\":\"sig\",\"alg\":\"RS256\"},{\"kty\":\"EC"
    "\",\"x\":\"dAAOaGp-eeeQCFtFHz9SfQJpH6FBPEHSXrni1DNRRRA\",\"y\":\"u"
    "R3y7lRYoVA_VwhILa2KXAfr38QAf6qe5ni1tB4oKCQ\",\"crv\":\"P-256\",\"k"
    "id\":\"ec1\",\"use\":\"sig\",\"alg\":\"ES256\"},{\"kty\":\"EC\",\""
    "x\":\"_r9JpbdkE-CuXQDqwDpCi0onk7wm2kTmBqGONmG5HTY\",\"y\":\"K0eYnU"
    "RAPAf_4Fx88y0XdHhiF_DpoVxfn0FSQjn8AIo\",\"crv\":\"P-256\",\"kid\":"
    "\"ec2\",\"use\":\"sig\",\"alg\":\"ES256\"}]}";

static const char  fuzz_ec2_pem[] =
    "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHB"
    "G0wawIBAQQgJriJ7Keh/yWLqbph\njHfOCvkOwyZlvL3RDB9YyEAHEaKhRANCAAT+v"
    "0mlt2QT4K5dAOrAOkKLSieTvCba\nROYGoY42YbkdNitHmJ1EQDwH/+BcfPMtF3R4Y"
    "hfw6aFcX59BUkI5/ACK\n-----END PRIVATE KEY-----\n";


static meet_jose_jwks_t   jwks;
static EVP_PKEY          *ec2;


static void
init(void)
{
    BIO  *bio;

    check(meet_jose_jwks_parse((const u_char *) fuzz_jwks,
                               sizeof(fuzz_jwks) - 1, &jwks)
          == MEET_JOSE_OK);
    check(jwks.nkeys == 3);

    bio = BIO_new_mem_buf(fuzz_ec2_pem, -1);
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


static size_t
b64url(const u_char *src, size_t len, char *dst)
{
    char    *s;
    size_t   n;

    s = meet_jwt_b64_encode(src, len, &n);
    check(s != NULL);
    memcpy(dst, s, n);
    free(s);

    return n;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char                *token, *p;
    size_t               len, hlen, plen, siglen;
    json_t              *plain;
    EVP_MD_CTX          *md;
    ECDSA_SIG           *es;
    const BIGNUM        *r, *s;
    const u_char        *header, *payload, *nl, *q;
    json_error_t         error;
    meet_oidc_params_t   params;
    u_char               der[128], raw[64];

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
            header = (const u_char *) "{\"alg\":\"ES256\",\"kid\":\"ec2\"}";
            hlen = strlen((const char *) header);
            payload = data + 1;
            plen = size - 1;

            memset(&error, 0, sizeof(json_error_t));
            plain = json_loadb((const char *) payload, plen,
                               JSON_DECODE_INT_AS_REAL, &error);
        }

        token = malloc(((hlen + 2) / 3 + (plen + 2) / 3 + 24) * 4 + 3);
        check(token != NULL);

        p = token;
        p += b64url(header, hlen, p);
        *p++ = '.';
        p += b64url(payload, plen, p);

        md = EVP_MD_CTX_new();
        siglen = sizeof(der);
        check(md != NULL
              && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, ec2) == 1
              && EVP_DigestSign(md, der, &siglen, (u_char *) token,
                                p - token) == 1);
        EVP_MD_CTX_free(md);

        q = der;
        es = d2i_ECDSA_SIG(NULL, &q, (long) siglen);
        check(es != NULL);
        ECDSA_SIG_get0(es, &r, &s);
        check(BN_bn2binpad(r, raw, 32) == 32 && BN_bn2binpad(s, raw + 32, 32)
                                                == 32);
        ECDSA_SIG_free(es);

        *p++ = '.';
        p += b64url(raw, 64, p);
        len = p - token;
    }

    verify((const u_char *) token, len, &params, plain);

    if (plain != NULL) {
        json_decref(plain);
    }

    free(token);

    return 0;
}
