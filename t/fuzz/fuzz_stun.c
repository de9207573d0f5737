/* sources: ngx_meet_rtp_stream_module/lib/meet_stun.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the STUN library: the input is one datagram as the
 * media port receives it.  It is parsed, checked as an ICE-lite Binding
 * request with a fixed ufrag and password, answered into a fixed buffer,
 * and the answer is parsed again: it must parse, carry the request's
 * transaction id, a valid FINGERPRINT and, when the request authenticated,
 * a valid MESSAGE-INTEGRITY(-SHA256).  A parsed request is also written
 * again with the request writer and must then pass the check.  Every
 * input is also checked as the answer to a Binding request of ours
 * (meet_stun_binding_response_check()).  Aborts when
 * a promise of the library is broken.
 *
 * Mutations nearly always break FINGERPRINT and MESSAGE-INTEGRITY, which
 * would hide what lies behind them; so each input is run a second time
 * with those two recomputed (by OpenSSL's HMAC() and zlib's crc32(), not
 * by the code under test) wherever the parser found them.
 *
 * The corpus in t/fuzz/corpus/stun/ holds the RFC 5769 vectors and checks
 * signed with the credentials below (so the fuzzer reaches every answer).
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <zlib.h>

#include "meet_stun.h"


#define UFRAG  "Lfrg"
#define PWD    "OurPasswordIsLongEnough1"

#define S(s)   (const u_char *) (s), sizeof(s) - 1

#define check(cond)  do { if (!(cond)) { abort(); } } while (0)


static int
inside(const u_char *p, size_t n, const u_char *start, size_t len)
{
    return n == 0
           || (p >= start && p <= start + len && n <= len - (p - start));
}


static void
check_msg(const meet_stun_msg_t *m, const u_char *p, size_t n, int rc)
{
    check(m->status == rc);
    check(m->start == p && m->len == n);
    check(rc == MEET_STUN_OK || rc == MEET_STUN_NOT_STUN
          || rc == MEET_STUN_MALFORMED || rc == MEET_STUN_BAD_FINGERPRINT);
    check((rc == MEET_STUN_NOT_STUN) == !meet_stun_is_stun(p, n));
    check(rc == MEET_STUN_OK || m->error != NULL);

    if (rc == MEET_STUN_OK || rc == MEET_STUN_BAD_FINGERPRINT) {
        check(m->header_ok);
    }

    if (!m->header_ok) {
        return;
    }

    check(m->tid == p + 8);
    check(m->method <= 0xfff && m->class <= 3);
    check(inside(m->username, m->username_len, p, n));
    check(m->username_len <= MEET_STUN_MAX_USERNAME);
    check(inside(m->software, m->software_len, p, n));
    check(inside(m->error_reason, m->error_reason_len, p, n));
    check(inside(m->unknown_attributes, m->unknown_attributes_len, p, n));
    check(m->nunknown <= MEET_STUN_MAX_UNKNOWN);
    check(m->integrity == 0 || m->integrity + 24 <= n);
    check(m->integrity_sha256 == 0
          || m->integrity_sha256 + 4 + m->integrity_sha256_len <= n);
    check(m->xor_mapped == 0 || m->xor_mapped + 12 <= n);

    if (rc == MEET_STUN_OK && m->fingerprint) {
        check(m->fingerprint + 8 == n);
        check(meet_stun_check_fingerprint(m));
    }

    if (rc == MEET_STUN_BAD_FINGERPRINT) {
        check(!meet_stun_check_fingerprint(m));
    }

    if (m->error_code) {
        check(m->error_code >= 300 && m->error_code <= 699);
    }
}


/* the answer to req must parse and be what res said */

static void
check_answer(const u_char *a, size_t len, const meet_stun_msg_t *req,
    const meet_stun_check_t *res, const struct sockaddr *peer)
{
    unsigned                   i;
    socklen_t                  sl;
    meet_stun_msg_t            m;
    struct sockaddr_in        *p4;
    struct sockaddr_in6       *p6;
    struct sockaddr_storage    ss;
    const struct sockaddr_in6 *s6;

    check(len > 0 && len <= MEET_STUN_ANSWER_MAX);
    check(meet_stun_parse(&m, a, len) == MEET_STUN_OK);
    check(m.method == MEET_STUN_BINDING);
    check(memcmp(m.tid, req->tid, MEET_STUN_TID_LEN) == 0);
    check(m.fingerprint != 0 && meet_stun_check_fingerprint(&m));
    check(m.nunknown == 0 && !m.has_username);

    if (res->rc == MEET_STUN_CHECK_OK || res->authenticated) {
        if (res->sha256) {
            check(m.integrity == 0);
            check(meet_stun_check_integrity_sha256(&m, S(PWD)));

        } else {
            check(m.integrity_sha256 == 0);
            check(meet_stun_check_integrity(&m, S(PWD)));
        }

    } else {
        check(m.integrity == 0 && m.integrity_sha256 == 0);
    }

    if (res->rc == MEET_STUN_CHECK_OK) {
        check(m.class == MEET_STUN_SUCCESS);
        check(meet_stun_xor_mapped_address(&m, &ss, &sl) == 0);

        if (peer->sa_family == AF_INET) {
            p4 = (struct sockaddr_in *) &ss;
            check(ss.ss_family == AF_INET && sl == sizeof(*p4));
            check(p4->sin_port == ((struct sockaddr_in *) peer)->sin_port);
            check(p4->sin_addr.s_addr
                  == ((struct sockaddr_in *) peer)->sin_addr.s_addr);

        } else {
            s6 = (const struct sockaddr_in6 *) peer;

            if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
                p4 = (struct sockaddr_in *) &ss;
                check(ss.ss_family == AF_INET);
                check(p4->sin_port == s6->sin6_port);
                check(memcmp(&p4->sin_addr, &s6->sin6_addr.s6_addr[12], 4)
                      == 0);

            } else {
                p6 = (struct sockaddr_in6 *) &ss;
                check(ss.ss_family == AF_INET6 && sl == sizeof(*p6));
                check(p6->sin6_port == s6->sin6_port);
                check(memcmp(&p6->sin6_addr, &s6->sin6_addr, 16) == 0);
            }
        }

        return;
    }

    check(m.class == MEET_STUN_ERROR_RESPONSE);
    check(m.error_code == res->error_code);

    if (res->error_code == MEET_STUN_ERR_UNKNOWN_ATTRIBUTE) {
        check(m.unknown_attributes_len == 2 * req->nunknown);

        for (i = 0; i < req->nunknown; i++) {
            check(((m.unknown_attributes[2 * i] << 8)
                   | m.unknown_attributes[2 * i + 1]) == req->unknown[i]);
        }

    } else {
        check(m.unknown_attributes == NULL);
    }
}


/*
 * The message as the answer to a request of ours (RFC 7675 consent),
 * with its own transaction id (else nothing is reached) and another one
 */

static void
check_response(const meet_stun_msg_t *msg)
{
    int           rc;
    u_char        other[MEET_STUN_TID_LEN];
    const char   *reason;

    memset(other, 0x5a, sizeof(other));
    rc = meet_stun_binding_response_check(msg, other, S(PWD), &reason);
    check(reason != NULL);
    check(rc == MEET_STUN_RESPONSE_DROP
          || (msg->header_ok
              && memcmp(msg->tid, other, MEET_STUN_TID_LEN) == 0));

    if (!msg->header_ok) {
        check(rc == MEET_STUN_RESPONSE_DROP);
        return;
    }

    rc = meet_stun_binding_response_check(msg, msg->tid, S(PWD), &reason);
    check(reason != NULL);

    if (rc == MEET_STUN_RESPONSE_DROP) {
        return;
    }

    check(rc == MEET_STUN_RESPONSE_OK || rc == MEET_STUN_RESPONSE_ERROR);
    check(msg->status == MEET_STUN_OK && msg->method == MEET_STUN_BINDING);
    check(msg->class == (unsigned) (rc == MEET_STUN_RESPONSE_OK
                                    ? MEET_STUN_SUCCESS
                                    : MEET_STUN_ERROR_RESPONSE));
    check(msg->fingerprint && meet_stun_check_fingerprint(msg));
    check(msg->integrity_sha256
          ? meet_stun_check_integrity_sha256(msg, S(PWD))
          : meet_stun_check_integrity(msg, S(PWD)));
    check(msg->nunknown == 0);
}


/* the parsed request written again with our password must pass */

static void
rewrite(const meet_stun_msg_t *msg)
{
    int                   rc;
    u_char                buf[1024];
    size_t                n, local_len;
    const u_char         *local;
    meet_stun_msg_t       m;
    meet_stun_check_t     res;
    meet_stun_request_t   r;

    if (msg->status != MEET_STUN_OK || msg->class != MEET_STUN_REQUEST
        || !msg->has_username
        || meet_stun_username_split(msg->username, msg->username_len,
                                    &local, &local_len, NULL, NULL) != 0
        || local_len == 0)
    {
        return;
    }

    memset(&r, 0, sizeof(meet_stun_request_t));
    r.username = msg->username;
    r.username_len = msg->username_len;
    r.key = (const u_char *) PWD;
    r.key_len = sizeof(PWD) - 1;
    r.priority = msg->priority ? msg->priority : 1;
    r.tiebreaker = msg->tiebreaker;
    r.use_candidate = msg->use_candidate;
    r.sha256 = msg->integrity_sha256 != 0;
    r.role = msg->ice_controlled ? MEET_STUN_ROLE_CONTROLLED
             : msg->ice_controlling ? MEET_STUN_ROLE_CONTROLLING
             : MEET_STUN_ROLE_NONE;
    r.software = (msg->len & 4) ? "fuzz" : NULL;

    n = meet_stun_write_request(buf, sizeof(buf), msg->tid, &r);
    check(n > 0);

    check(meet_stun_parse(&m, buf, n) == MEET_STUN_OK);
    check(m.username_len == msg->username_len);
    check(memcmp(m.username, msg->username, m.username_len) == 0);
    check(m.priority == r.priority);

    rc = meet_stun_binding_request_check(&m, local, local_len, S(PWD), &res);

    if (r.role == MEET_STUN_ROLE_CONTROLLED) {
        check(rc == MEET_STUN_CHECK_ERROR && res.error_code == 487);
        check(res.authenticated);

    } else {
        check(rc == MEET_STUN_CHECK_OK);
        check(res.priority == r.priority);
        check(res.use_candidate == r.use_candidate);
        check(res.controlling == (r.role == MEET_STUN_ROLE_CONTROLLING));
        check(res.sha256 == r.sha256);
    }
}


/* makes the MAC of the integrity attribute at off right for PWD */

static void
sign(u_char *p, size_t off, size_t mac_len, const EVP_MD *md)
{
    u_char        len[2], mac[EVP_MAX_MD_SIZE];
    size_t        body;
    unsigned int  n;

    len[0] = p[2];
    len[1] = p[3];
    body = off + 4 + mac_len - MEET_STUN_HEADER_LEN;
    p[2] = (u_char) (body >> 8);
    p[3] = (u_char) body;

    check(HMAC(md, PWD, sizeof(PWD) - 1, p, off, mac, &n) != NULL);
    check(n >= mac_len);
    memcpy(p + off + 4, mac, mac_len);

    p[2] = len[0];
    p[3] = len[1];
}


static void run(const u_char *data, size_t size);


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char           *p;
    uint32_t          crc;
    meet_stun_msg_t   msg;

    run(data, size);

    meet_stun_parse(&msg, data, size);

    if (!msg.header_ok
        || (msg.integrity == 0 && msg.integrity_sha256 == 0
            && msg.fingerprint == 0))
    {
        return 0;
    }

    p = malloc(size);
    check(p != NULL);
    memcpy(p, data, size);

    if (msg.integrity) {
        sign(p, msg.integrity, MEET_STUN_SHA1_LEN, EVP_sha1());
    }

    if (msg.integrity_sha256) {
        sign(p, msg.integrity_sha256, msg.integrity_sha256_len,
             EVP_sha256());
    }

    if (msg.fingerprint) {
        crc = (uint32_t) crc32(0L, p, (uInt) msg.fingerprint)
              ^ MEET_STUN_FINGERPRINT_XOR;
        p[msg.fingerprint + 4] = (u_char) (crc >> 24);
        p[msg.fingerprint + 5] = (u_char) (crc >> 16);
        p[msg.fingerprint + 6] = (u_char) (crc >> 8);
        p[msg.fingerprint + 7] = (u_char) crc;
    }

    run(p, size);

    free(p);

    return 0;
}


static void
run(const u_char *data, size_t size)
{
    int                   rc;
    u_char                buf[MEET_STUN_ANSWER_MAX], *exact;
    size_t                len, local_len;
    const u_char         *local;
    const char           *software;
    meet_stun_msg_t       msg;
    meet_stun_check_t     res;
    struct sockaddr      *peer;
    struct sockaddr_in    a4;
    struct sockaddr_in6   a6, m6;

    memset(&a4, 0, sizeof(a4));
    a4.sin_family = AF_INET;
    a4.sin_port = htons(50000);
    inet_pton(AF_INET, "198.51.100.7", &a4.sin_addr);

    memset(&a6, 0, sizeof(a6));
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(40000);
    inet_pton(AF_INET6, "2001:db8::1", &a6.sin6_addr);

    m6 = a6;
    inet_pton(AF_INET6, "::ffff:198.51.100.7", &m6.sin6_addr);

    peer = (size % 3 == 0) ? (struct sockaddr *) &a4
         : (size % 3 == 1) ? (struct sockaddr *) &a6
         : (struct sockaddr *) &m6;

    software = (size & 4) ? "ngx_meet" : NULL;

    rc = meet_stun_parse(&msg, data, size);
    check_msg(&msg, data, size, rc);

    check_response(&msg);

    rc = meet_stun_binding_request_check(&msg, S(UFRAG), S(PWD), &res);
    check(rc == res.rc && res.reason != NULL);

    switch (rc) {

    case MEET_STUN_CHECK_OK:
        check(msg.status == MEET_STUN_OK && msg.class == MEET_STUN_REQUEST);
        check(msg.method == MEET_STUN_BINDING && msg.fingerprint);
        check(msg.integrity_sha256
              ? meet_stun_check_integrity_sha256(&msg, S(PWD))
              : meet_stun_check_integrity(&msg, S(PWD)));
        check(!msg.ice_controlled && msg.has_priority && msg.nunknown == 0);
        check(res.authenticated && res.priority == msg.priority);
        break;

    case MEET_STUN_CHECK_ERROR:
        check(msg.header_ok && msg.class == MEET_STUN_REQUEST);
        check(res.error_code == 400 || res.error_code == 401
              || res.error_code == 420 || res.error_code == 487);
        check(res.error_code != 420 || msg.nunknown > 0);
        check(!res.authenticated
              || res.error_code == 400 || res.error_code == 420
              || res.error_code == 487);
        break;

    case MEET_STUN_CHECK_INDICATION:
        check(msg.status == MEET_STUN_OK
              && msg.class == MEET_STUN_INDICATION);
        break;

    default:
        check(rc == MEET_STUN_CHECK_DROP);
        break;
    }

    len = meet_stun_write_answer(buf, sizeof(buf), &msg, &res, peer,
                                 S(PWD), software);

    if (rc == MEET_STUN_CHECK_OK || rc == MEET_STUN_CHECK_ERROR) {
        check_answer(buf, len, &msg, &res, peer);

        /* an exact buffer gets the same bytes, one byte less nothing */

        exact = malloc(len);
        check(exact != NULL);
        check(meet_stun_write_answer(exact, len, &msg, &res, peer, S(PWD),
                                     software) == len);
        check(memcmp(exact, buf, len) == 0);
        check(meet_stun_write_answer(exact, len - 1, &msg, &res, peer,
                                     S(PWD), software) == 0);
        free(exact);

    } else {
        check(len == 0);
    }

    /* with our ufrag taken from the message: integrity decides */

    if (msg.has_username
        && meet_stun_username_split(msg.username, msg.username_len, &local,
                                    &local_len, NULL, NULL) == 0)
    {
        rc = meet_stun_binding_request_check(&msg, local, local_len,
                                             S(PWD), &res);
        len = meet_stun_write_answer(buf, sizeof(buf), &msg, &res, peer,
                                     S(PWD), software);

        if (rc == MEET_STUN_CHECK_OK || rc == MEET_STUN_CHECK_ERROR) {
            check_answer(buf, len, &msg, &res, peer);
        }
    }

    rewrite(&msg);
}
