
/*
 * Copyright (C) ngx_meet authors
 *
 * SRTP session pairs on libsrtp2.  See meet_srtp.h.
 */


#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <srtp2/srtp.h>

#include "meet_srtp.h"


/* the largest packet handled: libsrtp counts lengths in int */
#define MEET_SRTP_MAX_PACKET  65536


struct meet_srtp_s {
    srtp_t                    in;           /* what the peer sends us */
    srtp_t                    out;          /* what we send */
    unsigned                  profile;
    size_t                    rtp_overhead;
    size_t                    rtcp_overhead;
};


#if (SRTP_MAX_TRAILER_LEN + 4 > MEET_SRTP_TAILROOM)
#error "MEET_SRTP_TAILROOM is smaller than libsrtp's SRTCP trailer"
#endif


static int meet_srtp_status(srtp_err_status_t st);
static size_t meet_srtp_rtp_header_len(const u_char *p, size_t len);
static srtp_t meet_srtp_session(srtp_profile_t profile, const u_char *key,
    size_t key_len, const u_char *salt, size_t salt_len, int outbound,
    const char **err);


int
meet_srtp_init(void)
{
    return (srtp_init() == srtp_err_status_ok) ? 0 : -1;
}


void
meet_srtp_shutdown(void)
{
    (void) srtp_shutdown();
}


size_t
meet_srtp_key_len(unsigned profile)
{
    switch (profile) {

    case MEET_SRTP_AES128_CM_SHA1_80:
    case MEET_SRTP_AES128_CM_SHA1_32:
    case MEET_SRTP_AEAD_AES_128_GCM:
        return 16;

    case MEET_SRTP_AEAD_AES_256_GCM:
        return 32;

    default:
        return 0;
    }
}


size_t
meet_srtp_salt_len(unsigned profile)
{
    switch (profile) {

    case MEET_SRTP_AES128_CM_SHA1_80:
    case MEET_SRTP_AES128_CM_SHA1_32:
        return 14;

    case MEET_SRTP_AEAD_AES_128_GCM:
    case MEET_SRTP_AEAD_AES_256_GCM:
        return 12;

    default:
        return 0;
    }
}


meet_srtp_t *
meet_srtp_create(const meet_srtp_keys_t *keys, int role, const char **err)
{
    int                    server;
    meet_srtp_t           *s;
    const char            *dummy;
    const u_char          *in_key, *in_salt, *out_key, *out_salt;
    srtp_crypto_policy_t   rtp, rtcp;

    if (err == NULL) {
        err = &dummy;
    }

    if (keys == NULL
        || (role != MEET_SRTP_SERVER && role != MEET_SRTP_CLIENT))
    {
        *err = "bad arguments";
        return NULL;
    }

    if (meet_srtp_key_len(keys->profile) == 0) {
        *err = "unsupported SRTP profile";
        return NULL;
    }

    if (keys->key_len != meet_srtp_key_len(keys->profile)
        || keys->salt_len != meet_srtp_salt_len(keys->profile))
    {
        *err = "key or salt length does not match the SRTP profile";
        return NULL;
    }

    memset(&rtp, 0, sizeof(srtp_crypto_policy_t));
    memset(&rtcp, 0, sizeof(srtp_crypto_policy_t));

    if (srtp_crypto_policy_set_from_profile_for_rtp(&rtp,
                                    (srtp_profile_t) keys->profile)
        != srtp_err_status_ok
        || srtp_crypto_policy_set_from_profile_for_rtcp(&rtcp,
                                    (srtp_profile_t) keys->profile)
        != srtp_err_status_ok)
    {
        *err = "libsrtp does not support the SRTP profile";
        return NULL;
    }

    s = calloc(1, sizeof(meet_srtp_t));
    if (s == NULL) {
        *err = "out of memory";
        return NULL;
    }

    s->profile = keys->profile;
    s->rtp_overhead = rtp.auth_tag_len;
    s->rtcp_overhead = rtcp.auth_tag_len + 4;      /* E flag and index */

    server = (role == MEET_SRTP_SERVER);

    in_key = server ? keys->client_key : keys->server_key;
    in_salt = server ? keys->client_salt : keys->server_salt;
    out_key = server ? keys->server_key : keys->client_key;
    out_salt = server ? keys->server_salt : keys->client_salt;

    s->in = meet_srtp_session((srtp_profile_t) keys->profile, in_key,
                              keys->key_len, in_salt, keys->salt_len, 0,
                              err);
    if (s->in == NULL) {
        free(s);
        return NULL;
    }

    s->out = meet_srtp_session((srtp_profile_t) keys->profile, out_key,
                               keys->key_len, out_salt, keys->salt_len, 1,
                               err);
    if (s->out == NULL) {
        (void) srtp_dealloc(s->in);
        free(s);
        return NULL;
    }

    return s;
}


static srtp_t
meet_srtp_session(srtp_profile_t profile, const u_char *key, size_t key_len,
    const u_char *salt, size_t salt_len, int outbound, const char **err)
{
    srtp_t             session;
    srtp_policy_t      policy;
    srtp_err_status_t  st;
    u_char             master[MEET_SRTP_MAX_KEY_LEN + MEET_SRTP_MAX_SALT_LEN];

    memset(&policy, 0, sizeof(srtp_policy_t));

    if (srtp_crypto_policy_set_from_profile_for_rtp(&policy.rtp, profile)
        != srtp_err_status_ok
        || srtp_crypto_policy_set_from_profile_for_rtcp(&policy.rtcp,
                                                        profile)
        != srtp_err_status_ok)
    {
        *err = "libsrtp does not support the SRTP profile";
        return NULL;
    }

    /* libsrtp takes the master key and the master salt as one string */

    memcpy(master, key, key_len);
    memcpy(master + key_len, salt, salt_len);

    policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    policy.key = master;
    policy.window_size = MEET_SRTP_WINDOW;
    policy.allow_repeat_tx = 1;      /* re-protecting for a NACK */
    policy.next = NULL;

    session = NULL;
    st = srtp_create(&session, &policy);

    explicit_bzero(master, sizeof(master));

    if (st != srtp_err_status_ok) {
        *err = (st == srtp_err_status_alloc_fail)
               ? "out of memory" : "libsrtp could not create a session";
        return NULL;
    }

    return session;
}


void
meet_srtp_free(meet_srtp_t *s)
{
    if (s == NULL) {
        return;
    }

    (void) srtp_dealloc(s->in);
    (void) srtp_dealloc(s->out);

    free(s);
}


unsigned
meet_srtp_profile(meet_srtp_t *s)
{
    return s->profile;
}


size_t
meet_srtp_overhead(meet_srtp_t *s, int rtcp)
{
    return rtcp ? s->rtcp_overhead : s->rtp_overhead;
}


int
meet_srtp_protect_rtp(meet_srtp_t *s, u_char *buf, size_t *len, size_t size)
{
    int  n, rc;

    if (*len >= MEET_SRTP_MAX_PACKET || size < *len) {
        return MEET_SRTP_ERR_LENGTH;
    }

    if (size - *len < s->rtp_overhead) {
        return MEET_SRTP_ERR_TAILROOM;
    }

    n = (int) *len;

    rc = meet_srtp_status(srtp_protect(s->out, buf, &n));
    if (rc == MEET_SRTP_OK) {
        *len = (size_t) n;
    }

    return rc;
}


int
meet_srtp_unprotect_rtp(meet_srtp_t *s, u_char *buf, size_t *len)
{
    int     n, rc;
    size_t  hlen;

    /*
     * libsrtp reports a packet too short for its tag as a cipher failure
     * (AEAD) or not at all (the NSS backend then fails): checked here
     */

    if (*len >= MEET_SRTP_MAX_PACKET) {
        return MEET_SRTP_ERR_LENGTH;
    }

    hlen = meet_srtp_rtp_header_len(buf, *len);

    if (hlen == 0 || *len - hlen < s->rtp_overhead) {
        return MEET_SRTP_ERR_LENGTH;
    }

    n = (int) *len;

    rc = meet_srtp_status(srtp_unprotect(s->in, buf, &n));
    if (rc == MEET_SRTP_OK) {
        *len = (size_t) n;
    }

    return rc;
}


int
meet_srtp_protect_rtcp(meet_srtp_t *s, u_char *buf, size_t *len, size_t size)
{
    int  n, rc;

    if (*len >= MEET_SRTP_MAX_PACKET || size < *len) {
        return MEET_SRTP_ERR_LENGTH;
    }

    if (size - *len < s->rtcp_overhead) {
        return MEET_SRTP_ERR_TAILROOM;
    }

    n = (int) *len;

    rc = meet_srtp_status(srtp_protect_rtcp(s->out, buf, &n));
    if (rc == MEET_SRTP_OK) {
        *len = (size_t) n;
    }

    return rc;
}


int
meet_srtp_unprotect_rtcp(meet_srtp_t *s, u_char *buf, size_t *len)
{
    int  n, rc;

    /* the 8-byte header, E flag and index, tag */

    if (*len >= MEET_SRTP_MAX_PACKET || *len < 8 + s->rtcp_overhead) {
        return MEET_SRTP_ERR_LENGTH;
    }

    n = (int) *len;

    rc = meet_srtp_status(srtp_unprotect_rtcp(s->in, buf, &n));
    if (rc == MEET_SRTP_OK) {
        *len = (size_t) n;
    }

    return rc;
}


int
meet_srtp_remove_ssrc(meet_srtp_t *s, uint32_t ssrc, int outbound)
{
    srtp_err_status_t  st;

    /* libsrtp keeps the SSRC as it is in the header: network order */

    st = srtp_remove_stream(outbound ? s->out : s->in, htonl(ssrc));

    return (st == srtp_err_status_ok) ? 0 : -1;
}


/* the RTP header with CSRCs and extension; 0 if longer than the packet */

static size_t
meet_srtp_rtp_header_len(const u_char *p, size_t len)
{
    size_t  n;

    if (len < 12) {
        return 0;
    }

    n = 12 + 4 * (size_t) (p[0] & 0x0f);

    if (p[0] & 0x10) {
        if (len < n + 4) {
            return 0;
        }

        n += 4 + 4 * (((size_t) p[n + 2] << 8) | p[n + 3]);
    }

    return (n <= len) ? n : 0;
}


static int
meet_srtp_status(srtp_err_status_t st)
{
    switch (st) {

    case srtp_err_status_ok:
        return MEET_SRTP_OK;

    case srtp_err_status_auth_fail:
        return MEET_SRTP_ERR_AUTH;

    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
        return MEET_SRTP_ERR_REPLAY;

    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
        return MEET_SRTP_ERR_LENGTH;

    default:
        return MEET_SRTP_ERR_FAILED;
    }
}


const char *
meet_srtp_strerror(int rc)
{
    switch (rc) {

    case MEET_SRTP_OK:
        return "ok";

    case MEET_SRTP_ERR_AUTH:
        return "authentication failed";

    case MEET_SRTP_ERR_REPLAY:
        return "replayed or too old packet";

    case MEET_SRTP_ERR_LENGTH:
        return "malformed packet or bad length";

    case MEET_SRTP_ERR_TAILROOM:
        return "no room for the authentication tag";

    default:
        return "SRTP failure";
    }
}
