/* sources: ngx_meet_rtp_stream_module/lib/meet_srtp.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the SRTP wrapper (meet_srtp.c), through its API as
 * meet_srtp.h declares it: session pairs made from the keying material a
 * DTLS-SRTP handshake exports (RFC 5764 4.2: client key, server key,
 * client salt, server salt), for AEAD_AES_128_GCM and
 * AES128_CM_HMAC_SHA1_80; RTP and RTCP round trips between the DTLS
 * client's session and the server's; the two halves of the keys (a
 * session of the same role cannot read); tampered packets (authentication
 * error), replays, packets older than the replay window, re-protection
 * for NACKs; tailroom and length limits; bad arguments.
 */


#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "meet_srtp.h"
#include "packets.h"


#define PAYLOAD  100


/* aligned packet buffers (libsrtp reads headers as 32-bit words) */
typedef union {
    uint32_t                  align;
    u_char                    b[1500];
} buf_t;


/*
 * The keys as meet_dtls_srtp_keys() hands them over: the exported block
 * of 2 * (key + salt) bytes cut as RFC 5764 4.2 lays it out.
 */
static void
keys_from_export(meet_srtp_keys_t *k, unsigned profile, u_char seed)
{
    size_t  i, kl, sl;
    u_char  material[2 * (MEET_SRTP_MAX_KEY_LEN + MEET_SRTP_MAX_SALT_LEN)];

    for (i = 0; i < sizeof(material); i++) {
        material[i] = (u_char) (seed + 7 * i);
    }

    memset(k, 0, sizeof(meet_srtp_keys_t));

    kl = meet_srtp_key_len(profile);
    sl = meet_srtp_salt_len(profile);

    k->profile = profile;
    k->key_len = kl;
    k->salt_len = sl;
    memcpy(k->client_key, material, kl);
    memcpy(k->server_key, material + kl, kl);
    memcpy(k->client_salt, material + 2 * kl, sl);
    memcpy(k->server_salt, material + 2 * kl + sl, sl);
}


static void
test_profile(unsigned profile, const char *name, size_t rtp_tag,
    size_t rtcp_tag)
{
    int               rc;
    buf_t             pkt, orig, copy, old;
    size_t            len, n, plain, olen;
    const char       *err;
    meet_srtp_t      *client, *server, *other;
    meet_srtp_keys_t  keys;

    keys_from_export(&keys, profile, 11);

    err = NULL;
    client = meet_srtp_create(&keys, MEET_SRTP_CLIENT, &err);
    server = meet_srtp_create(&keys, MEET_SRTP_SERVER, &err);
    other = meet_srtp_create(&keys, MEET_SRTP_CLIENT, NULL);

    ok(client != NULL && server != NULL && other != NULL && err == NULL,
       "%s: sessions of both roles from the exported keys", name);

    if (client == NULL || server == NULL || other == NULL) {
        meet_srtp_free(client);
        meet_srtp_free(server);
        meet_srtp_free(other);
        return;
    }

    is_int(meet_srtp_profile(server), profile, "%s: profile", name);
    is_int(meet_srtp_overhead(server, 0), rtp_tag, "%s: RTP overhead", name);
    is_int(meet_srtp_overhead(server, 1), rtcp_tag,
           "%s: RTCP overhead (tag, E flag and index)", name);

    /* RTP, client (the browser) to server (us) */

    plain = rtp(orig.b, 1000, 0x11223344, PAYLOAD);
    memcpy(pkt.b, orig.b, plain);
    len = plain;

    is_int(meet_srtp_protect_rtp(client, pkt.b, &len, sizeof(pkt.b)),
           MEET_SRTP_OK, "%s: client protects RTP", name);
    is_int(len, plain + rtp_tag, "%s: RTP grows by the tag", name);
    ok(memcmp(pkt.b, orig.b, 12) == 0,
       "%s: RTP header stays in the clear", name);
    ok(memcmp(pkt.b + 12, orig.b + 12, PAYLOAD) != 0,
       "%s: RTP payload is encrypted", name);

    memcpy(copy.b, pkt.b, len);
    n = len;

    /* a session of the same role holds the other half of the keys */
    memcpy(old.b, pkt.b, len);
    olen = len;
    is_int(meet_srtp_unprotect_rtp(other, old.b, &olen), MEET_SRTP_ERR_AUTH,
           "%s: another client session cannot read the client's RTP", name);
    is_int(olen, len, "%s: length unchanged on failure", name);

    is_int(meet_srtp_unprotect_rtp(server, pkt.b, &len), MEET_SRTP_OK,
           "%s: server unprotects it", name);
    is_mem(pkt.b, len, orig.b, plain, "%s: RTP round trip", name);

    /* the same packet again */
    is_int(meet_srtp_unprotect_rtp(server, copy.b, &n), MEET_SRTP_ERR_REPLAY,
           "%s: replayed RTP refused", name);

    /* tampered: payload, then tag */
    plain = rtp(orig.b, 1001, 0x11223344, PAYLOAD);
    memcpy(pkt.b, orig.b, plain);
    len = plain;
    (void) meet_srtp_protect_rtp(client, pkt.b, &len, sizeof(pkt.b));
    memcpy(copy.b, pkt.b, len);
    n = len;

    pkt.b[20] ^= 0x01;
    is_int(meet_srtp_unprotect_rtp(server, pkt.b, &len), MEET_SRTP_ERR_AUTH,
           "%s: RTP with a flipped payload bit refused", name);

    memcpy(old.b, copy.b, n);
    olen = n;

    copy.b[n - 1] ^= 0x80;
    is_int(meet_srtp_unprotect_rtp(server, copy.b, &n), MEET_SRTP_ERR_AUTH,
           "%s: RTP with a flipped tag bit refused", name);

    /* (a failed unprotect may have decrypted the buffer: a pristine copy) */
    is_int(meet_srtp_unprotect_rtp(server, old.b, &olen), MEET_SRTP_OK,
           "%s: the untouched packet still passes after them", name);

    /* older than the replay window */
    plain = rtp(old.b, 1002, 0x11223344, PAYLOAD);
    olen = plain;
    (void) meet_srtp_protect_rtp(client, old.b, &olen, sizeof(old.b));

    plain = rtp(pkt.b, 1002 + MEET_SRTP_WINDOW + 10, 0x11223344, PAYLOAD);
    len = plain;
    (void) meet_srtp_protect_rtp(client, pkt.b, &len, sizeof(pkt.b));
    is_int(meet_srtp_unprotect_rtp(server, pkt.b, &len), MEET_SRTP_OK,
           "%s: a jump ahead passes", name);
    is_int(meet_srtp_unprotect_rtp(server, old.b, &olen),
           MEET_SRTP_ERR_REPLAY,
           "%s: a packet older than the window is refused", name);

    /* the other way: server to client, and a NACK re-protection */

    plain = rtp(orig.b, 7, 0xa0b0c0d0, PAYLOAD);
    memcpy(pkt.b, orig.b, plain);
    len = plain;
    is_int(meet_srtp_protect_rtp(server, pkt.b, &len, sizeof(pkt.b)),
           MEET_SRTP_OK, "%s: server protects RTP", name);
    memcpy(copy.b, orig.b, plain);
    n = plain;
    is_int(meet_srtp_protect_rtp(server, copy.b, &n, sizeof(copy.b)),
           MEET_SRTP_OK, "%s: the same number protected again (NACK)",
           name);
    is_mem(copy.b, n, pkt.b, len, "%s: re-protection is identical", name);
    is_int(meet_srtp_unprotect_rtp(client, pkt.b, &len), MEET_SRTP_OK,
           "%s: client unprotects it", name);
    is_mem(pkt.b, len, orig.b, plain, "%s: server to client round trip",
           name);

    /* tailroom */

    plain = rtp(pkt.b, 8, 0xa0b0c0d0, PAYLOAD);
    len = plain;
    is_int(meet_srtp_protect_rtp(server, pkt.b, &len, plain + rtp_tag - 1),
           MEET_SRTP_ERR_TAILROOM, "%s: RTP one byte short of the tag", name);
    is_int(len, plain, "%s: length unchanged without room", name);
    is_int(meet_srtp_protect_rtp(server, pkt.b, &len, plain - 1),
           MEET_SRTP_ERR_LENGTH, "%s: buffer smaller than the packet", name);
    is_int(meet_srtp_protect_rtp(server, pkt.b, &len, plain + rtp_tag),
           MEET_SRTP_OK, "%s: RTP with exactly the room for the tag", name);
    ok(rtp_tag <= MEET_SRTP_TAILROOM && rtcp_tag <= MEET_SRTP_TAILROOM,
       "%s: MEET_SRTP_TAILROOM suffices", name);

    plain = rtcp(pkt.b, 0xa0b0c0d0);
    len = plain;
    is_int(meet_srtp_protect_rtcp(server, pkt.b, &len, plain + rtcp_tag - 1),
           MEET_SRTP_ERR_TAILROOM, "%s: RTCP one byte short", name);
    is_int(meet_srtp_protect_rtcp(server, pkt.b, &len, plain + rtcp_tag),
           MEET_SRTP_OK, "%s: RTCP with exactly the room", name);

    /* RTCP, both ways */

    plain = rtcp(orig.b, 0x55667788);
    memcpy(pkt.b, orig.b, plain);
    len = plain;
    is_int(meet_srtp_protect_rtcp(client, pkt.b, &len, sizeof(pkt.b)),
           MEET_SRTP_OK, "%s: client protects RTCP", name);
    is_int(len, plain + rtcp_tag, "%s: RTCP grows by tag, E and index",
           name);
    ok(memcmp(pkt.b + 8, orig.b + 8, plain - 8) != 0,
       "%s: SRTCP is encrypted", name);
    memcpy(copy.b, pkt.b, len);
    n = len;

    memcpy(old.b, pkt.b, len);
    olen = len;
    is_int(meet_srtp_unprotect_rtcp(other, old.b, &olen), MEET_SRTP_ERR_AUTH,
           "%s: another client session cannot read the client's RTCP", name);

    is_int(meet_srtp_unprotect_rtcp(server, pkt.b, &len), MEET_SRTP_OK,
           "%s: server unprotects RTCP", name);
    is_mem(pkt.b, len, orig.b, plain, "%s: RTCP round trip", name);
    is_int(meet_srtp_unprotect_rtcp(server, copy.b, &n),
           MEET_SRTP_ERR_REPLAY, "%s: replayed RTCP refused", name);

    plain = rtcp(orig.b, 0x55667788);
    memcpy(pkt.b, orig.b, plain);
    len = plain;
    (void) meet_srtp_protect_rtcp(client, pkt.b, &len, sizeof(pkt.b));
    pkt.b[10] ^= 0x04;
    is_int(meet_srtp_unprotect_rtcp(server, pkt.b, &len), MEET_SRTP_ERR_AUTH,
           "%s: tampered RTCP refused", name);

    plain = rtcp(orig.b, 0x99aabbcc);
    memcpy(pkt.b, orig.b, plain);
    len = plain;
    (void) meet_srtp_protect_rtcp(server, pkt.b, &len, sizeof(pkt.b));
    is_int(meet_srtp_unprotect_rtcp(client, pkt.b, &len), MEET_SRTP_OK,
           "%s: client unprotects the server's RTCP", name);
    is_mem(pkt.b, len, orig.b, plain, "%s: server to client RTCP", name);

    /* lengths */

    n = 11;
    is_int(meet_srtp_unprotect_rtp(server, copy.b, &n), MEET_SRTP_ERR_LENGTH,
           "%s: RTP shorter than a header", name);
    rtp(copy.b, 2000, 0x11223344, PAYLOAD);
    n = 12 + rtp_tag - 1;
    is_int(meet_srtp_unprotect_rtp(server, copy.b, &n), MEET_SRTP_ERR_LENGTH,
           "%s: RTP too short for its tag", name);
    copy.b[0] = 0x90;                       /* extension past the end */
    copy.b[14] = 0xff;
    copy.b[15] = 0xff;
    n = 12 + PAYLOAD;
    is_int(meet_srtp_unprotect_rtp(server, copy.b, &n), MEET_SRTP_ERR_LENGTH,
           "%s: RTP header longer than the packet", name);
    rtcp(copy.b, 1);
    n = 8 + rtcp_tag - 1;
    is_int(meet_srtp_unprotect_rtcp(server, copy.b, &n),
           MEET_SRTP_ERR_LENGTH, "%s: RTCP too short", name);
    n = 65536;
    is_int(meet_srtp_unprotect_rtcp(server, copy.b, &n),
           MEET_SRTP_ERR_LENGTH, "%s: RTCP of 64 KiB", name);

    /* streams: an inbound SSRC the server saw, then forgot */
    is_int(meet_srtp_remove_ssrc(server, 0x11223344, 0), 0,
           "%s: an inbound stream removed", name);
    is_int(meet_srtp_remove_ssrc(server, 0x11223344, 0), -1,
           "%s: it is gone", name);
    is_int(meet_srtp_remove_ssrc(server, 0xa0b0c0d0, 1), 0,
           "%s: an outbound stream removed", name);

    /* a fresh stream after removal starts a new replay window */
    plain = rtp(orig.b, 1000, 0x11223344, PAYLOAD);
    memcpy(pkt.b, orig.b, plain);
    len = plain;
    rc = meet_srtp_protect_rtp(other, pkt.b, &len, sizeof(pkt.b));
    is_int(rc, MEET_SRTP_OK, "%s: another client protects seq 1000", name);
    is_int(meet_srtp_unprotect_rtp(server, pkt.b, &len), MEET_SRTP_OK,
           "%s: accepted again after the stream was removed", name);

    meet_srtp_free(client);
    meet_srtp_free(server);
    meet_srtp_free(other);
}


static void
test_keys_and_arguments(void)
{
    const char        *err;
    meet_srtp_t       *s;
    meet_srtp_keys_t   keys;

    is_int(meet_srtp_key_len(MEET_SRTP_AES128_CM_SHA1_80), 16, "CM key");
    is_int(meet_srtp_salt_len(MEET_SRTP_AES128_CM_SHA1_80), 14, "CM salt");
    is_int(meet_srtp_key_len(MEET_SRTP_AES128_CM_SHA1_32), 16, "CM32 key");
    is_int(meet_srtp_salt_len(MEET_SRTP_AES128_CM_SHA1_32), 14, "CM32 salt");
    is_int(meet_srtp_key_len(MEET_SRTP_AEAD_AES_128_GCM), 16, "GCM key");
    is_int(meet_srtp_salt_len(MEET_SRTP_AEAD_AES_128_GCM), 12, "GCM salt");
    is_int(meet_srtp_key_len(MEET_SRTP_AEAD_AES_256_GCM), 32, "GCM256 key");
    is_int(meet_srtp_salt_len(MEET_SRTP_AEAD_AES_256_GCM), 12,
           "GCM256 salt");
    is_int(meet_srtp_key_len(0x0099), 0, "unknown profile: no key length");
    is_int(meet_srtp_salt_len(0), 0, "profile 0: no salt length");

    err = NULL;
    ok(meet_srtp_create(NULL, MEET_SRTP_SERVER, &err) == NULL && err != NULL
       && strcmp(err, "bad arguments") == 0, "no keys");

    keys_from_export(&keys, MEET_SRTP_AEAD_AES_128_GCM, 1);
    err = NULL;
    ok(meet_srtp_create(&keys, 2, &err) == NULL && err != NULL,
       "unknown role");

    keys.profile = 0x0099;
    err = NULL;
    ok(meet_srtp_create(&keys, MEET_SRTP_SERVER, &err) == NULL && err != NULL
       && strstr(err, "unsupported") != NULL, "unknown profile: %s",
       err ? err : "(none)");

    keys_from_export(&keys, MEET_SRTP_AEAD_AES_128_GCM, 1);
    keys.salt_len = 14;
    err = NULL;
    ok(meet_srtp_create(&keys, MEET_SRTP_SERVER, &err) == NULL && err != NULL
       && strstr(err, "length") != NULL, "GCM with a CM salt length");

    keys_from_export(&keys, MEET_SRTP_AES128_CM_SHA1_80, 1);
    keys.key_len = 32;
    ok(meet_srtp_create(&keys, MEET_SRTP_SERVER, NULL) == NULL,
       "CM with a 32-byte key, no error pointer");

    keys_from_export(&keys, MEET_SRTP_AEAD_AES_256_GCM, 1);
    s = meet_srtp_create(&keys, MEET_SRTP_SERVER, NULL);
    ok(s != NULL && meet_srtp_profile(s) == MEET_SRTP_AEAD_AES_256_GCM,
       "AEAD_AES_256_GCM session");
    meet_srtp_free(s);

    meet_srtp_free(NULL);
    ok(1, "meet_srtp_free(NULL)");

    ok(strcmp(meet_srtp_strerror(MEET_SRTP_OK), "ok") == 0
       && strcmp(meet_srtp_strerror(MEET_SRTP_ERR_AUTH),
                 "authentication failed") == 0
       && strstr(meet_srtp_strerror(MEET_SRTP_ERR_REPLAY), "replay") != NULL
       && strstr(meet_srtp_strerror(MEET_SRTP_ERR_TAILROOM), "room") != NULL
       && meet_srtp_strerror(12345) != NULL, "error strings");
}


int
main(void)
{
    if (!ok(meet_srtp_init() == 0, "meet_srtp_init()")) {
        return done_testing();
    }

    test_keys_and_arguments();
    test_profile(MEET_SRTP_AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16, 20);
    test_profile(MEET_SRTP_AES128_CM_SHA1_80, "AES128_CM_HMAC_SHA1_80", 10,
                 14);

    meet_srtp_shutdown();

    return done_testing();
}
