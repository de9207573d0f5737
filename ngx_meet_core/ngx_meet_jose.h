
/*
 * Copyright (C) ngx_meet authors
 *
 * OpenID Connect relying-party protocol code: JWKS, JWS (RS256, ES256),
 * ID token and logout token checks, discovery and token responses, PKCE,
 * state/nonce, return URLs.
 *
 * Plain C (OpenSSL 3 EVP and jansson), no nginx types, like meet_jwt.c
 * whose base64url and claim helpers it uses (link both files).  Nothing
 * here does I/O: the caller fetches documents and hands their bodies in.
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


#ifndef _NGX_MEET_JOSE_H_INCLUDED_
#define _NGX_MEET_JOSE_H_INCLUDED_


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

#define MEET_OIDC_VERIFIER_MIN       43
#define MEET_OIDC_VERIFIER_MAX       128
#define MEET_OIDC_CHALLENGE_LEN      43     /* base64url of SHA-256 */
#define MEET_OIDC_RANDOM_LEN         43     /* base64url of 32 bytes */
#define MEET_OIDC_MAX_RETURN_LEN     2048

#define MEET_OIDC_BACKCHANNEL_EVENT \
    "http://schemas.openid.net/event/backchannel-logout"


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


/* what the caller expects of an ID token or a logout token */
typedef struct {
    const char                 *issuer;       /* exact match */
    const char                 *client_id;    /* in aud */
    const char                 *nonce;        /* ID token; NULL: unchecked */
    unsigned                    algs;         /* 0: RS256 and ES256 */
    int64_t                     now;          /* seconds since the epoch */
    int64_t                     leeway;       /* clock skew, s (>= 0) */
    int64_t                     max_iat_age;  /* 0: iat may be any age */
    int64_t                     max_age;      /* < 0: auth_time unchecked */
} meet_oidc_params_t;


/* claims of a verified token; strings never NULL, NUL-terminated */
typedef struct {
    meet_jwt_str_t              iss;
    meet_jwt_str_t              sub;
    meet_jwt_str_t              azp;
    meet_jwt_str_t              nonce;
    meet_jwt_str_t              sid;
    meet_jwt_str_t              jti;
    meet_jwt_str_t              email;
    meet_jwt_str_t              name;
    meet_jwt_str_t              preferred_username;
    meet_jwt_str_t              given_name;
    meet_jwt_str_t              family_name;
    meet_jwt_str_t              picture;

    int                         email_verified;   /* -1 absent, 0, 1 */

    int64_t                     exp;              /* 0 when absent */
    int64_t                     iat;
    int64_t                     auth_time;
    unsigned                    has_exp:1;
    unsigned                    has_auth_time:1;

    json_t                     *payload;          /* owns the strings */
} meet_oidc_claims_t;


/*
 * ID token (OIDC Core 3.1.3.7): signature (meet_jose_verify), then
 *   iss == params->issuer; aud (string or array) contains client_id, an
 *   array of several audiences requires azp; azp when present equals
 *   client_id; exp required, now < exp + leeway; nbf when present
 *   <= now + leeway; iat required, iat <= now + leeway and, with
 *   max_iat_age > 0, now - iat <= max_iat_age + leeway; nonce equal when
 *   params->nonce is set; sub required (non-empty); auth_time required and
 *   now <= auth_time + max_age + leeway when max_age >= 0.
 * Known claims of the wrong JSON type fail as MEET_JOSE_ERR_CLAIMS; JSON
 * null counts as absent.  "claims" is always initialized;
 * meet_oidc_claims_free() after MEET_JOSE_OK, harmless otherwise.
 */
meet_jose_err_e meet_oidc_verify_id_token(const u_char *token, size_t len,
    const meet_jose_jwks_t *jwks, const meet_oidc_params_t *params,
    meet_oidc_claims_t *claims);

/*
 * Logout token (Back-Channel Logout 1.0, 2.6): signature; iss, aud, iat
 * as for an ID token (exp checked when present: earlier drafts had none);
 * jti required; "events" an object with the member
 * MEET_OIDC_BACKCHANNEL_EVENT whose value is an object; sub and/or sid;
 * no nonce.  params->nonce and max_age are ignored.  Replay (jti) and
 * session matching (sub/sid) are the caller's.
 */
meet_jose_err_e meet_oidc_verify_logout_token(const u_char *token,
    size_t len, const meet_jose_jwks_t *jwks,
    const meet_oidc_params_t *params, meet_oidc_claims_t *claims);

/* the claim checks alone, on a payload verified otherwise (borrowed) */
meet_jose_err_e meet_oidc_check_id_claims(json_t *payload,
    const meet_oidc_params_t *params, meet_oidc_claims_t *claims);
meet_jose_err_e meet_oidc_check_logout_claims(json_t *payload,
    const meet_oidc_params_t *params, meet_oidc_claims_t *claims);

void meet_oidc_claims_free(meet_oidc_claims_t *claims);


/* flags */
#define MEET_OIDC_ALLOW_HTTP_LOOPBACK   0x01   /* tests: http://127.0.0.1 */


/*
 * Discovery (OpenID Connect Discovery 1.0): "issuer" must equal the
 * configured one exactly (MEET_JOSE_ERR_ISSUER_MISMATCH);
 * authorization_endpoint, token_endpoint, jwks_uri required
 * (MEET_JOSE_ERR_MISSING); every URL https with a host of letters, digits,
 * "-", "." and "_" (or an [IPv6] literal), an optional numeric port, and
 * without userinfo, fragment, spaces, backslashes or control characters,
 * at most MEET_JOSE_MAX_URL_LEN bytes (MEET_JOSE_ERR_INSECURE_URL;
 * http allowed for localhost, 127.0.0.1 and [::1] with the flag);
 * code_challenge_methods_supported, when present, lists "S256"
 * (MEET_JOSE_ERR_NO_S256).  Strings point into "doc", owned by the struct.
 */
typedef struct {
    meet_jwt_str_t              issuer;
    meet_jwt_str_t              authorization_endpoint;
    meet_jwt_str_t              token_endpoint;
    meet_jwt_str_t              jwks_uri;
    meet_jwt_str_t              end_session_endpoint;    /* "" if absent */
    meet_jwt_str_t              userinfo_endpoint;       /* "" if absent */
    unsigned                    backchannel_logout_supported:1;
    unsigned                    backchannel_logout_session_supported:1;
    json_t                     *doc;
} meet_oidc_discovery_t;

meet_jose_err_e meet_oidc_discovery_parse(const u_char *body, size_t len,
    const char *issuer, unsigned flags, meet_oidc_discovery_t *d);
void meet_oidc_discovery_free(meet_oidc_discovery_t *d);

/* 1 when "url" is an acceptable endpoint URL (rules above), else 0 */
int meet_oidc_url_ok(const char *url, size_t len, unsigned flags);


/*
 * Token endpoint response (OIDC Core 3.1.3.3, RFC 6749 5.1/5.2): with an
 * "error" member MEET_JOSE_ERR_TOKEN_ERROR and error/error_description
 * set; otherwise id_token, access_token and token_type required, the
 * latter "Bearer" (case-insensitive); expires_in a number or a string of
 * digits, -1 when absent.
 */
typedef struct {
    meet_jwt_str_t              id_token;
    meet_jwt_str_t              access_token;
    meet_jwt_str_t              token_type;
    meet_jwt_str_t              refresh_token;
    meet_jwt_str_t              scope;
    meet_jwt_str_t              error;
    meet_jwt_str_t              error_description;
    int64_t                     expires_in;
    json_t                     *doc;
} meet_oidc_token_response_t;

meet_jose_err_e meet_oidc_token_response_parse(const u_char *body,
    size_t len, meet_oidc_token_response_t *r);
void meet_oidc_token_response_free(meet_oidc_token_response_t *r);


/*
 * PKCE (RFC 7636): a code_verifier of "len" (43..128) characters of the
 * unreserved set from RAND_bytes() into buf (len + 1 bytes, NUL-terminated);
 * its S256 challenge into out (MEET_OIDC_CHALLENGE_LEN + 1 bytes).  The
 * challenge refuses verifiers of another length or alphabet.
 */
meet_jose_err_e meet_oidc_pkce_verifier(char *buf, size_t len);
meet_jose_err_e meet_oidc_pkce_challenge(const char *verifier, size_t len,
    char *out);

/* state / nonce: base64url of 32 random bytes into out (44 bytes) */
meet_jose_err_e meet_oidc_random(char *out);

/* constant-time equality of two strings (state, nonce) */
int meet_oidc_str_equal(const u_char *a, size_t alen, const u_char *b,
    size_t blen);

/*
 * A return URL to redirect to after the login: 1 when it is a same-origin
 * absolute path: 1..MEET_OIDC_MAX_RETURN_LEN bytes, starts with "/";
 * printable ASCII only (no controls, spaces, backslashes, bytes >= 0x80);
 * %-escapes well-formed and of no control character; in the path (before
 * "?" or "#") no empty segment ("//", so no "//host" either), no "." or
 * ".." segment, no escaped "/", "\" or "." (%2F, %5C, %2E: a decoding
 * proxy could turn them into the former); else 0.  No scheme can pass, as
 * the first character is "/".
 */
int meet_oidc_return_url_ok(const u_char *url, size_t len);


/* stable message of an error */
const char *meet_jose_strerror(meet_jose_err_e err);


#endif /* _NGX_MEET_JOSE_H_INCLUDED_ */
