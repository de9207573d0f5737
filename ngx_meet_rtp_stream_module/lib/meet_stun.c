
/*
 * Copyright (C) ngx_meet authors
 *
 * STUN for an ICE-lite server: parser, integrity and fingerprint checks,
 * the ICE-lite Binding request procedure, writers.  See meet_stun.h.
 */


#include <string.h>
#include <netinet/in.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <zlib.h>

#include "meet_stun.h"


#define meet_stun_get16(p)  ((uint16_t) (((p)[0] << 8) | (p)[1]))
#define meet_stun_get32(p)                                                    \
    ((uint32_t) (p)[0] << 24 | (uint32_t) (p)[1] << 16                        \
     | (uint32_t) (p)[2] << 8 | (uint32_t) (p)[3])

#define meet_stun_pad4(n)   (((n) + 3) & ~((size_t) 3))

/* the largest length field that is a multiple of 4 */
#define MEET_STUN_MAX_BODY  65532


static int meet_stun_fail(meet_stun_msg_t *msg, int rc, const char *error);
static int meet_stun_known(unsigned type);
static int meet_stun_result(meet_stun_check_t *res, int rc, unsigned code,
    const char *reason);
static int meet_stun_attr(meet_stun_msg_t *msg, unsigned type,
    const u_char *v, size_t len, size_t pos);
static int meet_stun_hmac(const char *digest, const u_char *key,
    size_t key_len, const u_char *msg, size_t n, size_t body_len,
    u_char *out, size_t out_size);
static uint32_t meet_stun_crc(const u_char *p, size_t n);
static void meet_stun_put16(u_char *p, unsigned v);
static void meet_stun_put32(u_char *p, uint32_t v);
static u_char *meet_stun_reserve(meet_stun_writer_t *w, unsigned type,
    size_t len);
static void meet_stun_put_text(meet_stun_writer_t *w, unsigned type,
    const char *s);
static int meet_stun_answer_sha256(const meet_stun_msg_t *req);


int
meet_stun_is_stun(const u_char *p, size_t n)
{
    return p != NULL && n >= MEET_STUN_HEADER_LEN && p[0] <= 3
           && meet_stun_get32(p + 4) == MEET_STUN_MAGIC_COOKIE;
}


static int
meet_stun_fail(meet_stun_msg_t *msg, int rc, const char *error)
{
    msg->status = rc;
    msg->error = error;

    return rc;
}


int
meet_stun_parse(meet_stun_msg_t *msg, const u_char *p, size_t n)
{
    int        rc, sealed;
    size_t     pos, alen, body;
    unsigned   type;

    memset(msg, 0, sizeof(meet_stun_msg_t));

    msg->start = p;
    msg->len = n;

    if (!meet_stun_is_stun(p, n)) {
        return meet_stun_fail(msg, MEET_STUN_NOT_STUN, "not STUN");
    }

    type = meet_stun_get16(p);
    body = meet_stun_get16(p + 2);

    msg->type = type;
    msg->method = (type & 0x000f) | ((type >> 1) & 0x0070)
                  | ((type >> 2) & 0x0f80);
    msg->class = ((type >> 4) & 1) | ((type >> 7) & 2);
    msg->tid = p + 8;

    if (body != n - MEET_STUN_HEADER_LEN) {
        return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                              "length field does not match the size");
    }

    if (body % 4) {
        return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                              "length not a multiple of 4 (no padding)");
    }

    msg->header_ok = 1;

    /*
     * sealed: 1 after MESSAGE-INTEGRITY (MESSAGE-INTEGRITY-SHA256 and
     * FINGERPRINT still count), 2 after MESSAGE-INTEGRITY-SHA256 (only
     * FINGERPRINT counts)
     */

    sealed = 0;

    for (pos = MEET_STUN_HEADER_LEN; pos < n; pos += 4 + meet_stun_pad4(alen))
    {
        /* pos and n - pos are multiples of 4: the header is there */

        type = meet_stun_get16(p + pos);
        alen = meet_stun_get16(p + pos + 2);

        if (alen > n - pos - 4) {
            return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                  "attribute overruns the message");
        }

        /*
         * n - pos - 4 is a multiple of 4, so the padding of an attribute
         * that fits fits as well
         */

        if (type == MEET_STUN_ATTR_FINGERPRINT) {
            if (alen != 4) {
                return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                      "FINGERPRINT length is not 4");
            }

            if (pos + 8 != n) {
                return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                      "FINGERPRINT is not the last "
                                      "attribute");
            }

            msg->fingerprint = pos;

            if (!meet_stun_check_fingerprint(msg)) {
                return meet_stun_fail(msg, MEET_STUN_BAD_FINGERPRINT,
                                      "wrong FINGERPRINT");
            }

            break;
        }

        if (sealed == 2) {
            continue;
        }

        if (type == MEET_STUN_ATTR_MESSAGE_INTEGRITY_SHA256) {
            if (alen < 16 || alen > 32 || alen % 4) {
                return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                      "MESSAGE-INTEGRITY-SHA256 length");
            }

            msg->integrity_sha256 = pos;
            msg->integrity_sha256_len = alen;
            sealed = 2;
            continue;
        }

        if (sealed) {
            continue;
        }

        if (type == MEET_STUN_ATTR_MESSAGE_INTEGRITY) {
            if (alen != MEET_STUN_SHA1_LEN) {
                return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                      "MESSAGE-INTEGRITY length is not 20");
            }

            msg->integrity = pos;
            sealed = 1;
            continue;
        }

        rc = meet_stun_attr(msg, type, p + pos + 4, alen, pos);
        if (rc != MEET_STUN_OK) {
            return rc;
        }
    }

    msg->status = MEET_STUN_OK;

    return MEET_STUN_OK;
}


static int
meet_stun_known(unsigned type)
{
    switch (type) {
    case MEET_STUN_ATTR_MAPPED_ADDRESS:
    case MEET_STUN_ATTR_USERNAME:
    case MEET_STUN_ATTR_MESSAGE_INTEGRITY:
    case MEET_STUN_ATTR_ERROR_CODE:
    case MEET_STUN_ATTR_UNKNOWN_ATTRIBUTES:
    case MEET_STUN_ATTR_MESSAGE_INTEGRITY_SHA256:
    case MEET_STUN_ATTR_XOR_MAPPED_ADDRESS:
    case MEET_STUN_ATTR_PRIORITY:
    case MEET_STUN_ATTR_USE_CANDIDATE:
        return 1;

    default:
        return 0;
    }
}


/* one attribute before MESSAGE-INTEGRITY; v[0..len) is inside the message */

static int
meet_stun_attr(meet_stun_msg_t *msg, unsigned type, const u_char *v,
    size_t len, size_t pos)
{
    unsigned  i, cls, num;

    switch (type) {

    case MEET_STUN_ATTR_USERNAME:
        if (len > MEET_STUN_MAX_USERNAME) {
            return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                  "USERNAME too long");
        }

        if (!msg->has_username) {
            msg->has_username = 1;
            msg->username = v;
            msg->username_len = len;
        }

        return MEET_STUN_OK;

    case MEET_STUN_ATTR_PRIORITY:
        if (len != 4) {
            return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                  "PRIORITY length is not 4");
        }

        if (!msg->has_priority) {
            msg->has_priority = 1;
            msg->priority = meet_stun_get32(v);
        }

        return MEET_STUN_OK;

    case MEET_STUN_ATTR_USE_CANDIDATE:
        if (len != 0) {
            return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                  "USE-CANDIDATE is not empty");
        }

        msg->use_candidate = 1;

        return MEET_STUN_OK;

    case MEET_STUN_ATTR_ICE_CONTROLLING:
    case MEET_STUN_ATTR_ICE_CONTROLLED:
        if (len != 8) {
            return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                  "ICE-CONTROLLING/-CONTROLLED length is "
                                  "not 8");
        }

        if (!msg->ice_controlling && !msg->ice_controlled) {
            msg->tiebreaker = (uint64_t) meet_stun_get32(v) << 32
                              | meet_stun_get32(v + 4);
        }

        if (type == MEET_STUN_ATTR_ICE_CONTROLLING) {
            msg->ice_controlling = 1;

        } else {
            msg->ice_controlled = 1;
        }

        return MEET_STUN_OK;

    case MEET_STUN_ATTR_XOR_MAPPED_ADDRESS:
        if (!((len == 8 && v[1] == 1) || (len == 20 && v[1] == 2))) {
            return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                  "XOR-MAPPED-ADDRESS family or length");
        }

        if (msg->xor_mapped == 0) {
            msg->xor_mapped = pos;
        }

        return MEET_STUN_OK;

    case MEET_STUN_ATTR_ERROR_CODE:
        if (len < 4 || len > 4 + MEET_STUN_MAX_TEXT) {
            return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                  "ERROR-CODE length");
        }

        cls = v[2] & 7;
        num = v[3];

        if (cls < 3 || cls > 6 || num > 99) {
            return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                  "ERROR-CODE value");
        }

        if (msg->error_code == 0) {
            msg->error_code = cls * 100 + num;
            msg->error_reason = v + 4;
            msg->error_reason_len = len - 4;
        }

        return MEET_STUN_OK;

    case MEET_STUN_ATTR_UNKNOWN_ATTRIBUTES:
        if (len % 2) {
            return meet_stun_fail(msg, MEET_STUN_MALFORMED,
                                  "UNKNOWN-ATTRIBUTES length is odd");
        }

        if (msg->unknown_attributes == NULL) {
            msg->unknown_attributes = v;
            msg->unknown_attributes_len = len;
        }

        return MEET_STUN_OK;

    case MEET_STUN_ATTR_SOFTWARE:
        if (msg->software == NULL) {
            msg->software = v;
            msg->software_len = len;
        }

        return MEET_STUN_OK;

    default:
        break;
    }

    if (MEET_STUN_ATTR_COMPREHENSION_OPTIONAL(type) || meet_stun_known(type))
    {
        return MEET_STUN_OK;
    }

    for (i = 0; i < msg->nunknown; i++) {
        if (msg->unknown[i] == type) {
            return MEET_STUN_OK;
        }
    }

    if (msg->nunknown < MEET_STUN_MAX_UNKNOWN) {
        msg->unknown[msg->nunknown++] = (uint16_t) type;
    }

    return MEET_STUN_OK;
}


/*
 * HMAC over msg[0..n) with the length field replaced by body_len; out
 * gets the whole MAC.  0, or -1 when OpenSSL fails.
 */

static int
meet_stun_hmac(const char *digest, const u_char *key, size_t key_len,
    const u_char *msg, size_t n, size_t body_len, u_char *out,
    size_t out_size)
{
    int            rc;
    u_char         len[2];
    size_t         out_len;
    EVP_MAC       *mac;
    OSSL_PARAM     params[2];
    EVP_MAC_CTX   *ctx;

    if (n < 4 || body_len > 0xffff) {
        return -1;
    }

    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) {
        return -1;
    }

    ctx = EVP_MAC_CTX_new(mac);
    if (ctx == NULL) {
        EVP_MAC_free(mac);
        return -1;
    }

    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *) digest, 0);
    params[1] = OSSL_PARAM_construct_end();

    len[0] = (u_char) (body_len >> 8);
    len[1] = (u_char) body_len;

    /* a non-NULL key, even an empty one: NULL means "keep the old key" */

    rc = EVP_MAC_init(ctx, key ? key : (const u_char *) "", key_len, params)
         && EVP_MAC_update(ctx, msg, 2)
         && EVP_MAC_update(ctx, len, 2)
         && EVP_MAC_update(ctx, msg + 4, n - 4)
         && EVP_MAC_final(ctx, out, &out_len, out_size)
         && out_len == out_size;

    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);

    return rc ? 0 : -1;
}


int
meet_stun_check_integrity(const meet_stun_msg_t *msg, const u_char *key,
    size_t key_len)
{
    size_t  off;
    u_char  mac[MEET_STUN_SHA1_LEN];

    off = msg->integrity;

    if (off == 0 || off + 4 + MEET_STUN_SHA1_LEN > msg->len) {
        return 0;
    }

    if (meet_stun_hmac("SHA1", key, key_len, msg->start, off,
                       off + 4 + MEET_STUN_SHA1_LEN - MEET_STUN_HEADER_LEN,
                       mac, sizeof(mac))
        != 0)
    {
        return 0;
    }

    return CRYPTO_memcmp(mac, msg->start + off + 4, sizeof(mac)) == 0;
}


int
meet_stun_check_integrity_sha256(const meet_stun_msg_t *msg,
    const u_char *key, size_t key_len)
{
    size_t  off, len;
    u_char  mac[MEET_STUN_SHA256_LEN];

    off = msg->integrity_sha256;
    len = msg->integrity_sha256_len;

    if (off == 0 || len < 16 || len > MEET_STUN_SHA256_LEN
        || off + 4 + len > msg->len)
    {
        return 0;
    }

    if (meet_stun_hmac("SHA256", key, key_len, msg->start, off,
                       off + 4 + len - MEET_STUN_HEADER_LEN,
                       mac, sizeof(mac))
        != 0)
    {
        return 0;
    }

    return CRYPTO_memcmp(mac, msg->start + off + 4, len) == 0;
}


static uint32_t
meet_stun_crc(const u_char *p, size_t n)
{
    return (uint32_t) crc32(crc32(0L, Z_NULL, 0), p, (uInt) n)
           ^ MEET_STUN_FINGERPRINT_XOR;
}


int
meet_stun_check_fingerprint(const meet_stun_msg_t *msg)
{
    size_t  off;

    off = msg->fingerprint;

    if (off == 0 || off + 8 != msg->len) {
        return 0;
    }

    return meet_stun_crc(msg->start, off)
           == meet_stun_get32(msg->start + off + 4);
}


int
meet_stun_username_split(const u_char *username, size_t len,
    const u_char **first, size_t *first_len, const u_char **second,
    size_t *second_len)
{
    const u_char  *colon;

    if (username == NULL || len == 0) {
        return -1;
    }

    colon = memchr(username, ':', len);
    if (colon == NULL) {
        return -1;
    }

    if (first) {
        *first = username;
    }

    if (first_len) {
        *first_len = colon - username;
    }

    if (second) {
        *second = colon + 1;
    }

    if (second_len) {
        *second_len = len - (colon + 1 - username);
    }

    return 0;
}


static int
meet_stun_result(meet_stun_check_t *res, int rc, unsigned code,
    const char *reason)
{
    res->rc = rc;
    res->error_code = code;
    res->reason = reason;

    return rc;
}


int
meet_stun_binding_request_check(const meet_stun_msg_t *msg,
    const u_char *ufrag, size_t ufrag_len, const u_char *pwd, size_t pwd_len,
    meet_stun_check_t *res)
{
    int            ok;
    size_t         local_len, remote_len;
    const u_char  *local, *remote;

    memset(res, 0, sizeof(meet_stun_check_t));

    /* RFC 8489 6.3: messages failing the basic checks are discarded */

    if (msg->status == MEET_STUN_NOT_STUN || !msg->header_ok) {
        return meet_stun_result(res, MEET_STUN_CHECK_DROP, 0,
                                msg->error ? msg->error : "not parsed");
    }

    if (msg->status == MEET_STUN_BAD_FINGERPRINT) {
        return meet_stun_result(res, MEET_STUN_CHECK_DROP, 0,
                                "wrong FINGERPRINT");
    }

    if (msg->method != MEET_STUN_BINDING) {
        return meet_stun_result(res, MEET_STUN_CHECK_DROP, 0,
                                "unsupported method");
    }

    if (msg->class == MEET_STUN_INDICATION) {
        if (msg->status != MEET_STUN_OK) {
            return meet_stun_result(res, MEET_STUN_CHECK_DROP, 0,
                                    msg->error);
        }

        return meet_stun_result(res, MEET_STUN_CHECK_INDICATION, 0,
                                "Binding indication");
    }

    if (msg->class != MEET_STUN_REQUEST) {
        return meet_stun_result(res, MEET_STUN_CHECK_DROP, 0,
                                "a response to no request of ours");
    }

    if (msg->status != MEET_STUN_OK) {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_BAD_REQUEST,
                                msg->error ? msg->error : "malformed");
    }

    /* RFC 8489 9.1.3, RFC 8445 7.3 */

    if (!msg->has_username) {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_BAD_REQUEST, "no USERNAME");
    }

    if (msg->integrity == 0 && msg->integrity_sha256 == 0) {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_BAD_REQUEST,
                                "no MESSAGE-INTEGRITY");
    }

    if (msg->fingerprint == 0) {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_BAD_REQUEST, "no FINGERPRINT");
    }

    if (meet_stun_username_split(msg->username, msg->username_len,
                                 &local, &local_len, &remote, &remote_len)
        != 0)
    {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_UNAUTHENTICATED,
                                "USERNAME is not ufrag:ufrag");
    }

    if (ufrag == NULL || ufrag_len == 0 || pwd == NULL
        || local_len != ufrag_len || memcmp(local, ufrag, ufrag_len) != 0)
    {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_UNAUTHENTICATED,
                                "unknown ufrag");
    }

    if (msg->integrity_sha256) {
        ok = meet_stun_check_integrity_sha256(msg, pwd, pwd_len);

    } else {
        ok = meet_stun_check_integrity(msg, pwd, pwd_len);
    }

    if (!ok) {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_UNAUTHENTICATED,
                                "wrong MESSAGE-INTEGRITY");
    }

    /* from here on the answer is authenticated too */

    res->authenticated = 1;
    res->sha256 = msg->integrity_sha256 != 0;
    res->remote_ufrag = remote;
    res->remote_ufrag_len = remote_len;

    if (msg->nunknown) {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_UNKNOWN_ATTRIBUTE,
                                "unknown comprehension-required attribute");
    }

    if (msg->ice_controlling && msg->ice_controlled) {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_BAD_REQUEST,
                                "both ICE-CONTROLLING and ICE-CONTROLLED");
    }

    if (msg->ice_controlled) {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_ROLE_CONFLICT,
                                "ICE-CONTROLLED sent to a lite agent");
    }

    if (!msg->has_priority) {
        return meet_stun_result(res, MEET_STUN_CHECK_ERROR,
                                MEET_STUN_ERR_BAD_REQUEST, "no PRIORITY");
    }

    res->priority = msg->priority;
    res->use_candidate = msg->use_candidate;
    res->controlling = msg->ice_controlling;
    res->tiebreaker = msg->ice_controlling ? msg->tiebreaker : 0;

    return meet_stun_result(res, MEET_STUN_CHECK_OK, 0,
                            msg->use_candidate ? "nomination"
                                               : "connectivity check");
}


int
meet_stun_binding_response_check(const meet_stun_msg_t *msg,
    const u_char tid[MEET_STUN_TID_LEN], const u_char *pwd, size_t pwd_len,
    const char **reason)
{
    int  ok;

    if (msg->status != MEET_STUN_OK) {
        *reason = msg->error ? msg->error : "not parsed";
        return MEET_STUN_RESPONSE_DROP;
    }

    if (msg->method != MEET_STUN_BINDING
        || (msg->class != MEET_STUN_SUCCESS
            && msg->class != MEET_STUN_ERROR_RESPONSE))
    {
        *reason = "not a Binding response";
        return MEET_STUN_RESPONSE_DROP;
    }

    if (tid == NULL || memcmp(msg->tid, tid, MEET_STUN_TID_LEN) != 0) {
        *reason = "a response to no request of ours";
        return MEET_STUN_RESPONSE_DROP;
    }

    if (msg->fingerprint == 0) {
        *reason = "no FINGERPRINT";
        return MEET_STUN_RESPONSE_DROP;
    }

    /* RFC 8489 9.1.4: the response is checked with the request's key */

    if (pwd == NULL || pwd_len == 0) {
        *reason = "no password to check it with";
        return MEET_STUN_RESPONSE_DROP;
    }

    if (msg->integrity_sha256) {
        ok = meet_stun_check_integrity_sha256(msg, pwd, pwd_len);

    } else if (msg->integrity) {
        ok = meet_stun_check_integrity(msg, pwd, pwd_len);

    } else {
        *reason = "no MESSAGE-INTEGRITY";
        return MEET_STUN_RESPONSE_DROP;
    }

    if (!ok) {
        *reason = "wrong MESSAGE-INTEGRITY";
        return MEET_STUN_RESPONSE_DROP;
    }

    /* RFC 8489 6.3.3: unknown comprehension-required attributes fail it */

    if (msg->nunknown) {
        *reason = "unknown comprehension-required attribute";
        return MEET_STUN_RESPONSE_DROP;
    }

    if (msg->class == MEET_STUN_ERROR_RESPONSE) {
        *reason = "error response";
        return MEET_STUN_RESPONSE_ERROR;
    }

    *reason = "success response";
    return MEET_STUN_RESPONSE_OK;
}


const char *
meet_stun_error_reason(unsigned code)
{
    switch (code) {
    case MEET_STUN_ERR_TRY_ALTERNATE:
        return "Try Alternate";
    case MEET_STUN_ERR_BAD_REQUEST:
        return "Bad Request";
    case MEET_STUN_ERR_UNAUTHENTICATED:
        return "Unauthenticated";
    case MEET_STUN_ERR_FORBIDDEN:
        return "Forbidden";
    case MEET_STUN_ERR_UNKNOWN_ATTRIBUTE:
        return "Unknown Attribute";
    case MEET_STUN_ERR_STALE_NONCE:
        return "Stale Nonce";
    case MEET_STUN_ERR_ROLE_CONFLICT:
        return "Role Conflict";
    case MEET_STUN_ERR_SERVER_ERROR:
        return "Server Error";
    default:
        return "Error";
    }
}


int
meet_stun_xor_mapped_address(const meet_stun_msg_t *msg,
    struct sockaddr_storage *ss, socklen_t *len)
{
    size_t                i;
    const u_char         *v;
    struct sockaddr_in    sin;
    struct sockaddr_in6   sin6;

    if (msg->xor_mapped == 0 || msg->xor_mapped + 12 > msg->len) {
        return -1;
    }

    v = msg->start + msg->xor_mapped + 4;

    memset(ss, 0, sizeof(struct sockaddr_storage));

    if (v[1] == 1) {
        memset(&sin, 0, sizeof(struct sockaddr_in));
        sin.sin_family = AF_INET;
        sin.sin_port = htons(meet_stun_get16(v + 2)
                             ^ (MEET_STUN_MAGIC_COOKIE >> 16));
        sin.sin_addr.s_addr = htonl(meet_stun_get32(v + 4)
                                    ^ MEET_STUN_MAGIC_COOKIE);

        memcpy(ss, &sin, sizeof(struct sockaddr_in));

        if (len) {
            *len = sizeof(struct sockaddr_in);
        }

        return 0;
    }

    if (msg->xor_mapped + 24 > msg->len) {
        return -1;
    }

    memset(&sin6, 0, sizeof(struct sockaddr_in6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(meet_stun_get16(v + 2)
                           ^ (MEET_STUN_MAGIC_COOKIE >> 16));

    /* the cookie, then the transaction id, as in the header */

    for (i = 0; i < 16; i++) {
        sin6.sin6_addr.s6_addr[i] = v[4 + i] ^ msg->start[4 + i];
    }

    memcpy(ss, &sin6, sizeof(struct sockaddr_in6));

    if (len) {
        *len = sizeof(struct sockaddr_in6);
    }

    return 0;
}


/* writers */


static void
meet_stun_put16(u_char *p, unsigned v)
{
    p[0] = (u_char) (v >> 8);
    p[1] = (u_char) v;
}


static void
meet_stun_put32(u_char *p, uint32_t v)
{
    p[0] = (u_char) (v >> 24);
    p[1] = (u_char) (v >> 16);
    p[2] = (u_char) (v >> 8);
    p[3] = (u_char) v;
}


void
meet_stun_writer_init(meet_stun_writer_t *w, u_char *buf, size_t size,
    unsigned method, unsigned cls, const u_char *tid)
{
    u_char    id[MEET_STUN_TID_LEN];
    unsigned  type;

    w->buf = buf;
    w->size = size;
    w->len = 0;
    w->pad = 0;
    w->failed = 0;

    if (buf == NULL || size < MEET_STUN_HEADER_LEN || tid == NULL
        || method > 0xfff || cls > 3)
    {
        w->failed = 1;
        return;
    }

    memcpy(id, tid, MEET_STUN_TID_LEN);

    type = (method & 0x000f) | ((method & 0x0070) << 1)
           | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);

    meet_stun_put16(buf, type);
    meet_stun_put16(buf + 2, 0);
    meet_stun_put32(buf + 4, MEET_STUN_MAGIC_COOKIE);
    memcpy(buf + 8, id, MEET_STUN_TID_LEN);

    w->len = MEET_STUN_HEADER_LEN;
}


/*
 * Appends an attribute header and room for len bytes of value (padding
 * written), updates the length field; returns the value, or NULL.
 */

static u_char *
meet_stun_reserve(meet_stun_writer_t *w, unsigned type, size_t len)
{
    size_t   total;
    u_char  *p;

    if (w->failed) {
        return NULL;
    }

    if (len > MEET_STUN_MAX_BODY || type > 0xffff) {
        w->failed = 1;
        return NULL;
    }

    total = 4 + meet_stun_pad4(len);

    if (total > w->size - w->len
        || w->len - MEET_STUN_HEADER_LEN + total > MEET_STUN_MAX_BODY)
    {
        w->failed = 1;
        return NULL;
    }

    p = w->buf + w->len;

    meet_stun_put16(p, type);
    meet_stun_put16(p + 2, (unsigned) len);
    memset(p + 4 + len, w->pad, total - 4 - len);

    w->len += total;
    meet_stun_put16(w->buf + 2, (unsigned) (w->len - MEET_STUN_HEADER_LEN));

    return p + 4;
}


void
meet_stun_put_attr(meet_stun_writer_t *w, unsigned type, const void *value,
    size_t len)
{
    u_char  *v;

    if (value == NULL && len != 0) {
        w->failed = 1;
        return;
    }

    v = meet_stun_reserve(w, type, len);

    if (v != NULL && len != 0) {
        memcpy(v, value, len);
    }
}


void
meet_stun_put_u32(meet_stun_writer_t *w, unsigned type, uint32_t v)
{
    u_char  *p;

    p = meet_stun_reserve(w, type, 4);

    if (p != NULL) {
        meet_stun_put32(p, v);
    }
}


void
meet_stun_put_u64(meet_stun_writer_t *w, unsigned type, uint64_t v)
{
    u_char  *p;

    p = meet_stun_reserve(w, type, 8);

    if (p != NULL) {
        meet_stun_put32(p, (uint32_t) (v >> 32));
        meet_stun_put32(p + 4, (uint32_t) v);
    }
}


static void
meet_stun_put_text(meet_stun_writer_t *w, unsigned type, const char *s)
{
    size_t  len;

    len = strlen(s);

    if (len > MEET_STUN_MAX_TEXT) {
        w->failed = 1;
        return;
    }

    meet_stun_put_attr(w, type, s, len);
}


void
meet_stun_put_xor_address(meet_stun_writer_t *w, const struct sockaddr *sa)
{
    size_t                i;
    u_char               *v, addr[16];
    uint16_t              port;
    unsigned              family;
    struct sockaddr_in    sin;
    struct sockaddr_in6   sin6;

    if (w->failed) {
        return;
    }

    if (sa == NULL) {
        w->failed = 1;
        return;
    }

    if (sa->sa_family == AF_INET) {
        memcpy(&sin, sa, sizeof(struct sockaddr_in));
        family = 1;
        port = ntohs(sin.sin_port);
        memcpy(addr, &sin.sin_addr.s_addr, 4);

    } else if (sa->sa_family == AF_INET6) {
        memcpy(&sin6, sa, sizeof(struct sockaddr_in6));
        port = ntohs(sin6.sin6_port);

        if (IN6_IS_ADDR_V4MAPPED(&sin6.sin6_addr)) {
            family = 1;
            memcpy(addr, &sin6.sin6_addr.s6_addr[12], 4);

        } else {
            family = 2;
            memcpy(addr, sin6.sin6_addr.s6_addr, 16);
        }

    } else {
        w->failed = 1;
        return;
    }

    v = meet_stun_reserve(w, MEET_STUN_ATTR_XOR_MAPPED_ADDRESS,
                          family == 1 ? 8 : 20);
    if (v == NULL) {
        return;
    }

    v[0] = 0;
    v[1] = (u_char) family;
    meet_stun_put16(v + 2, port ^ (MEET_STUN_MAGIC_COOKIE >> 16));

    /* the cookie, then the transaction id, as the header has them */

    for (i = 0; i < (family == 1 ? 4u : 16u); i++) {
        v[4 + i] = addr[i] ^ w->buf[4 + i];
    }
}


void
meet_stun_put_error_code(meet_stun_writer_t *w, unsigned code,
    const char *reason)
{
    size_t   len;
    u_char  *v;

    if (code < 300 || code > 699) {
        w->failed = 1;
        return;
    }

    if (reason == NULL) {
        reason = meet_stun_error_reason(code);
    }

    len = strlen(reason);

    if (len > MEET_STUN_MAX_TEXT) {
        w->failed = 1;
        return;
    }

    v = meet_stun_reserve(w, MEET_STUN_ATTR_ERROR_CODE, 4 + len);
    if (v == NULL) {
        return;
    }

    v[0] = 0;
    v[1] = 0;
    v[2] = (u_char) (code / 100);
    v[3] = (u_char) (code % 100);
    memcpy(v + 4, reason, len);
}


void
meet_stun_put_unknown(meet_stun_writer_t *w, const uint16_t *types,
    size_t n)
{
    size_t   i;
    u_char  *v;

    if (types == NULL && n != 0) {
        w->failed = 1;
        return;
    }

    v = meet_stun_reserve(w, MEET_STUN_ATTR_UNKNOWN_ATTRIBUTES, 2 * n);
    if (v == NULL) {
        return;
    }

    for (i = 0; i < n; i++) {
        meet_stun_put16(v + 2 * i, types[i]);
    }
}


void
meet_stun_put_integrity(meet_stun_writer_t *w, const u_char *key,
    size_t key_len)
{
    size_t   off;
    u_char  *v;

    v = meet_stun_reserve(w, MEET_STUN_ATTR_MESSAGE_INTEGRITY,
                          MEET_STUN_SHA1_LEN);
    if (v == NULL) {
        return;
    }

    off = v - 4 - w->buf;

    if (meet_stun_hmac("SHA1", key, key_len, w->buf, off,
                       w->len - MEET_STUN_HEADER_LEN, v, MEET_STUN_SHA1_LEN)
        != 0)
    {
        w->failed = 1;
    }
}


void
meet_stun_put_integrity_sha256(meet_stun_writer_t *w, const u_char *key,
    size_t key_len)
{
    size_t   off;
    u_char  *v;

    v = meet_stun_reserve(w, MEET_STUN_ATTR_MESSAGE_INTEGRITY_SHA256,
                          MEET_STUN_SHA256_LEN);
    if (v == NULL) {
        return;
    }

    off = v - 4 - w->buf;

    if (meet_stun_hmac("SHA256", key, key_len, w->buf, off,
                       w->len - MEET_STUN_HEADER_LEN, v,
                       MEET_STUN_SHA256_LEN)
        != 0)
    {
        w->failed = 1;
    }
}


void
meet_stun_put_fingerprint(meet_stun_writer_t *w)
{
    size_t   off;
    u_char  *v;

    v = meet_stun_reserve(w, MEET_STUN_ATTR_FINGERPRINT, 4);
    if (v == NULL) {
        return;
    }

    off = v - 4 - w->buf;

    meet_stun_put32(v, meet_stun_crc(w->buf, off));
}


size_t
meet_stun_writer_finish(meet_stun_writer_t *w)
{
    return w->failed ? 0 : w->len;
}


static int
meet_stun_answer_sha256(const meet_stun_msg_t *req)
{
    return req->integrity_sha256 != 0;
}


/*
 * The end of every answer: MESSAGE-INTEGRITY (SHA-256 when the request
 * used it) with key when there is one, FINGERPRINT; the length, or 0.
 */

static size_t
meet_stun_writer_seal(meet_stun_writer_t *w, const meet_stun_msg_t *req,
    const u_char *key, size_t key_len)
{
    if (key) {
        if (meet_stun_answer_sha256(req)) {
            meet_stun_put_integrity_sha256(w, key, key_len);

        } else {
            meet_stun_put_integrity(w, key, key_len);
        }
    }

    meet_stun_put_fingerprint(w);

    return meet_stun_writer_finish(w);
}


size_t
meet_stun_write_success(u_char *buf, size_t size, const meet_stun_msg_t *req,
    const struct sockaddr *peer, const u_char *key, size_t key_len,
    const char *software)
{
    meet_stun_writer_t  w;

    if (req == NULL || !req->header_ok) {
        return 0;
    }

    meet_stun_writer_init(&w, buf, size, req->method, MEET_STUN_SUCCESS,
                          req->tid);

    if (software) {
        meet_stun_put_text(&w, MEET_STUN_ATTR_SOFTWARE, software);
    }

    meet_stun_put_xor_address(&w, peer);

    return meet_stun_writer_seal(&w, req, key, key_len);
}


size_t
meet_stun_write_error(u_char *buf, size_t size, const meet_stun_msg_t *req,
    unsigned code, const char *reason, const uint16_t *unknown,
    size_t nunknown, const u_char *key, size_t key_len, const char *software)
{
    meet_stun_writer_t  w;

    if (req == NULL || !req->header_ok) {
        return 0;
    }

    meet_stun_writer_init(&w, buf, size, req->method,
                          MEET_STUN_ERROR_RESPONSE, req->tid);

    if (software) {
        meet_stun_put_text(&w, MEET_STUN_ATTR_SOFTWARE, software);
    }

    meet_stun_put_error_code(&w, code, reason);

    if (nunknown) {
        meet_stun_put_unknown(&w, unknown, nunknown);
    }

    return meet_stun_writer_seal(&w, req, key, key_len);
}


size_t
meet_stun_write_answer(u_char *buf, size_t size, const meet_stun_msg_t *req,
    const meet_stun_check_t *res, const struct sockaddr *peer,
    const u_char *pwd, size_t pwd_len, const char *software)
{
    switch (res->rc) {

    case MEET_STUN_CHECK_OK:
        return meet_stun_write_success(buf, size, req, peer, pwd, pwd_len,
                                       software);

    case MEET_STUN_CHECK_ERROR:
        return meet_stun_write_error(buf, size, req, res->error_code, NULL,
                                     req->unknown,
                                     res->error_code
                                     == MEET_STUN_ERR_UNKNOWN_ATTRIBUTE
                                     ? req->nunknown : 0,
                                     res->authenticated ? pwd : NULL,
                                     pwd_len, software);

    default:
        return 0;
    }
}


size_t
meet_stun_write_request(u_char *buf, size_t size,
    const u_char tid[MEET_STUN_TID_LEN], const meet_stun_request_t *r)
{
    meet_stun_writer_t  w;

    meet_stun_writer_init(&w, buf, size, MEET_STUN_BINDING,
                          MEET_STUN_REQUEST, tid);

    if (r->software) {
        meet_stun_put_text(&w, MEET_STUN_ATTR_SOFTWARE, r->software);
    }

    if (r->priority) {
        meet_stun_put_u32(&w, MEET_STUN_ATTR_PRIORITY, r->priority);
    }

    if (r->role == MEET_STUN_ROLE_CONTROLLING) {
        meet_stun_put_u64(&w, MEET_STUN_ATTR_ICE_CONTROLLING, r->tiebreaker);

    } else if (r->role == MEET_STUN_ROLE_CONTROLLED) {
        meet_stun_put_u64(&w, MEET_STUN_ATTR_ICE_CONTROLLED, r->tiebreaker);

    } else if (r->role != MEET_STUN_ROLE_NONE) {
        w.failed = 1;
    }

    if (r->use_candidate) {
        meet_stun_put_attr(&w, MEET_STUN_ATTR_USE_CANDIDATE, NULL, 0);
    }

    if (r->username) {
        if (r->username_len > MEET_STUN_MAX_USERNAME) {
            w.failed = 1;
        }

        meet_stun_put_attr(&w, MEET_STUN_ATTR_USERNAME, r->username,
                           r->username_len);
    }

    if (r->key) {
        if (r->sha256) {
            meet_stun_put_integrity_sha256(&w, r->key, r->key_len);

        } else {
            meet_stun_put_integrity(&w, r->key, r->key_len);
        }
    }

    if (!r->no_fingerprint) {
        meet_stun_put_fingerprint(&w);
    }

    return meet_stun_writer_finish(&w);
}
