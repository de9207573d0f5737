
/*
 * Copyright (C) ngx_meet authors
 *
 * OpenID Connect relying-party protocol code: ID token and logout token
 * checks, discovery and token responses, PKCE, state/nonce, return URLs.
 * Signatures and keys are meet_jose.h's; errors are meet_jose_err_e.
 *
 * Plain C (OpenSSL 3 and jansson), no nginx header; link meet_jose.c and
 * meet_jwt.c with it.  Nothing here does I/O: the caller fetches the
 * documents and hands their bodies in.  Parsed documents and claims own
 * their strings until their _free() call.
 */


#ifndef _MEET_OIDC_H_INCLUDED_
#define _MEET_OIDC_H_INCLUDED_


#include "meet_jose.h"


#define MEET_OIDC_VERIFIER_MIN       43
#define MEET_OIDC_VERIFIER_MAX       128
#define MEET_OIDC_CHALLENGE_LEN      43     /* base64url of SHA-256 */
#define MEET_OIDC_RANDOM_LEN         43     /* base64url of 32 bytes */
#define MEET_OIDC_MAX_RETURN_LEN     2048

#define MEET_OIDC_BACKCHANNEL_EVENT \
    "http://schemas.openid.net/event/backchannel-logout"


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


#endif /* _MEET_OIDC_H_INCLUDED_ */
