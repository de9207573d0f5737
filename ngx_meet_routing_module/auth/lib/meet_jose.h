
/*
 * Copyright (C) ngx_meet authors
 *
 * JOSE for the OpenID Connect relying party (meet_oidc.h): JWKS and JWS
 * (RS256, ES256), and the error codes both files answer with.
 *
 * Plain C (OpenSSL 3 EVP and jansson), no nginx header, like meet_jwt.c
 * whose base64url and claim helpers it uses (link both files).  Nothing
 * here does I/O: the caller fetches documents and hands their bodies in.
 * The caller owns what it passes in; parsed sets and documents are owned
 * by their structs until their _free() call.
 *
 * JWS (RFC 7515 compact serialization):
 *   - at most MEET_JOSE_MAX_TOKEN_LEN bytes, three base64url segments
 *     (padding tolerated), header and payload JSON objects;
 *   - header "alg" RS256 or ES256 only (among those the caller allows);
 *     "none", HS*, PS*, ES384... refused as MEET_JOSE_ERR_ALGORITHM; any
 *     "crit" header refused (no extension is understood); "jku", "jwk",
 *     "x5u", "x5c" header keys are never used;
 *   - the key: the JWKS key with the header's "kid" (first one whose type
 *     fits the alg); no such kid is MEET_JOSE_ERR_UNKNOWN_KID, on which the
 *     caller refetches the JWKS once (key rotation).  Without "kid", the
 *     set's single key fitting the alg, else MEET_JOSE_ERR_UNKNOWN_KID
 *     (OIDC Core 10.1: several keys require a kid);
 *   - RS256: RSASSA-PKCS1-v1_5 with SHA-256, signature as long as the
 *     modulus; ES256: ECDSA P-256 SHA-256, the JOSE form r || s (64 bytes)
 *     converted to DER for EVP.
 *
 * JWKS (RFC 7517/7518): "keys" array of at most MEET_JOSE_MAX_KEYS keys;
 * RSA (n, e; 2048 to 8192 bits) and EC P-256 (x, y, crv, point on the
 * curve); "use" other than "sig", "key_ops" without "verify", an "alg"
 * other than RS256/ES256 or not fitting the kty, other kty/crv: the key is
 * skipped with a reason (recorded in the set), the others kept.
 */


#ifndef _MEET_JOSE_H_INCLUDED_
#define _MEET_JOSE_H_INCLUDED_


#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "meet_jwt.h"


#define MEET_JOSE_MAX_TOKEN_LEN      16384
#define MEET_JOSE_MAX_DOC_LEN        (256 * 1024)   /* JWKS, discovery... */
#define MEET_JOSE_MAX_KEYS           32
#define MEET_JOSE_MAX_KID_LEN        256
#define MEET_JOSE_MAX_URL_LEN        2048
#define MEET_JOSE_RSA_MIN_BITS       2048
#define MEET_JOSE_RSA_MAX_BITS       8192



typedef enum {
    MEET_JOSE_OK = 0,
    MEET_JOSE_ERR_TOO_LONG,
    MEET_JOSE_ERR_MALFORMED,          /* segments, base64url, JSON */
    MEET_JOSE_ERR_ALGORITHM,          /* alg not RS256/ES256 or not allowed */
    MEET_JOSE_ERR_CRIT,               /* "crit" header */
    MEET_JOSE_ERR_UNKNOWN_KID,        /* refetch the JWKS once, then fail */
    MEET_JOSE_ERR_KEY_TYPE,           /* the kid's key does not fit the alg */
    MEET_JOSE_ERR_SIGNATURE,
    MEET_JOSE_ERR_CLAIMS,             /* a claim of the wrong JSON type */
    MEET_JOSE_ERR_ISSUER,
    MEET_JOSE_ERR_AUDIENCE,
    MEET_JOSE_ERR_AZP,
    MEET_JOSE_ERR_NO_EXPIRY,
    MEET_JOSE_ERR_EXPIRED,
    MEET_JOSE_ERR_NOT_YET_VALID,      /* nbf */
    MEET_JOSE_ERR_NO_IAT,
    MEET_JOSE_ERR_IAT_FUTURE,
    MEET_JOSE_ERR_IAT_TOO_OLD,
    MEET_JOSE_ERR_NONCE,              /* ID token: missing or different */
    MEET_JOSE_ERR_NO_SUBJECT,
    MEET_JOSE_ERR_AUTH_TIME,          /* missing or older than max_age */
    MEET_JOSE_ERR_NO_JTI,
    MEET_JOSE_ERR_EVENTS,             /* no back-channel logout event */
    MEET_JOSE_ERR_NO_SUB_OR_SID,
    MEET_JOSE_ERR_NONCE_PRESENT,      /* logout token with a nonce */
    MEET_JOSE_ERR_JWKS,               /* JWKS document malformed */
    MEET_JOSE_ERR_NO_KEYS,            /* JWKS without a usable key */
    MEET_JOSE_ERR_DOCUMENT,           /* discovery/token JSON malformed */
    MEET_JOSE_ERR_MISSING,            /* a required member is missing */
    MEET_JOSE_ERR_ISSUER_MISMATCH,    /* discovery issuer != configured */
    MEET_JOSE_ERR_INSECURE_URL,       /* not https (nor loopback http) */
    MEET_JOSE_ERR_NO_S256,            /* PKCE S256 not supported */
    MEET_JOSE_ERR_TOKEN_ERROR,        /* token endpoint answered "error" */
    MEET_JOSE_ERR_TOKEN_TYPE,         /* token_type is not Bearer */
    MEET_JOSE_ERR_NO_MEMORY,
    MEET_JOSE_ERR_INTERNAL,           /* bad arguments, OpenSSL, RNG */
    MEET_JOSE_ERR_LAST
} meet_jose_err_e;


typedef enum {
    MEET_JOSE_ALG_NONE = 0,           /* a JWK without "alg" */
    MEET_JOSE_ALG_RS256 = 1,
    MEET_JOSE_ALG_ES256 = 2
} meet_jose_alg_e;

#define MEET_JOSE_ALG_BIT(a)     (1u << (a))
#define MEET_JOSE_ALGS_ALL       (MEET_JOSE_ALG_BIT(MEET_JOSE_ALG_RS256)   \
                                  | MEET_JOSE_ALG_BIT(MEET_JOSE_ALG_ES256))

typedef enum {
    MEET_JOSE_KTY_RSA = 1,
    MEET_JOSE_KTY_EC = 2              /* P-256 only */
} meet_jose_kty_e;


typedef struct {
    char                       *kid;       /* malloc()ed, "" when absent */
    meet_jose_kty_e             kty;
    meet_jose_alg_e             alg;       /* NONE: any fitting the kty */
    EVP_PKEY                   *pkey;
} meet_jose_key_t;


typedef struct {
    size_t                      index;     /* in the "keys" array */
    const char                 *reason;    /* static string */
    char                        kid[64];   /* truncated, "" when absent */
} meet_jose_skip_t;


typedef struct {
    meet_jose_key_t             keys[MEET_JOSE_MAX_KEYS];
    size_t                      nkeys;
    meet_jose_skip_t            skips[MEET_JOSE_MAX_KEYS];
    size_t                      nskips;
} meet_jose_jwks_t;


/*
 * Parses a JWKS document into "jwks" (always initialized; free it with
 * meet_jose_jwks_free() also on error).  MEET_JOSE_ERR_TOO_LONG above
 * MEET_JOSE_MAX_DOC_LEN; MEET_JOSE_ERR_JWKS for a malformed document (not
 * a JSON object, duplicate members, no "keys" array, more than
 * MEET_JOSE_MAX_KEYS entries); MEET_JOSE_ERR_NO_KEYS when every key was
 * skipped (a kid that is not a string or longer than MEET_JOSE_MAX_KID_LEN
 * skips its key too).
 */
meet_jose_err_e meet_jose_jwks_parse(const u_char *doc, size_t len,
    meet_jose_jwks_t *jwks);
void meet_jose_jwks_free(meet_jose_jwks_t *jwks);


/*
 * Verifies a JWS compact token against the set; "algs" a mask of
 * MEET_JOSE_ALG_BIT() (0: RS256 and ES256).  On MEET_JOSE_OK *payload is
 * the claims object (json_decref() it) and *alg the algorithm; otherwise
 * *payload is NULL.
 */
meet_jose_err_e meet_jose_verify(const u_char *token, size_t len,
    const meet_jose_jwks_t *jwks, unsigned algs, json_t **payload,
    meet_jose_alg_e *alg);


/* stable message of an error */
const char *meet_jose_strerror(meet_jose_err_e err);


/*
 * Helpers meet_oidc.c shares (not for other callers): a JSON object
 * document of at most MEET_JOSE_MAX_DOC_LEN bytes ("malformed" is the
 * error otherwise); 1 when v is the JSON string s; drop a parsed document
 * and empty the strings s..last that pointed into it; v clamped to
 * [min, max].
 */
meet_jose_err_e meet_jose_load(const u_char *body, size_t len,
    meet_jose_err_e malformed, json_t **out);
int meet_jose_str_is(json_t *v, const char *s);
void meet_jose_doc_free(json_t **doc, meet_jwt_str_t *s,
    meet_jwt_str_t *last);
int64_t meet_jose_clamp(int64_t v, int64_t min, int64_t max);


#endif /* _MEET_JOSE_H_INCLUDED_ */
