/* sources: ngx_meet_rtp_stream_module/lib/meet_stun.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the STUN library for ICE-lite (meet_stun.c): the RFC
 * 5769 test vectors, messages from an independent encoder (Python's
 * hmac, zlib and struct; the bytes are below), every error path of the
 * parser and of the Binding request check, writers at every buffer size,
 * and a request -> check -> answer round trip.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "tap.h"
#include "meet_stun.h"


/* a string literal as pointer and length: function arguments */
#define S(s)  (const u_char *) (s), sizeof(s) - 1

/* is_mem() against a string literal */
#define is_mems(got, got_len, s, ...)                                        \
    is_mem(got, got_len, s, sizeof(s) - 1, __VA_ARGS__)


/* RFC 5769 2.1: sample request, short-term credentials */

static const u_char  rfc_request[] = {
    0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42,
    0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10,
    0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
    0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74,
    0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
    0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1,
    0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
    0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76,
    0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
    0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56,
    0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
    0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04,
    0xe5, 0x7a, 0x3b, 0xcf
};

/* RFC 5769 2.2: sample IPv4 response */

static const u_char  rfc_response4[] = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
    0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08,
    0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99,
    0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
    0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96
};

/* RFC 5769 2.3: sample IPv6 response */

static const u_char  rfc_response6[] = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
    0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b,
    0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14,
    0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5,
    0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1,
    0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04,
    0xc8, 0xfb, 0x0b, 0x4c
};

#define RFC_PWD       "VOkJxbRl1RmTxUk/WvJxBt"


/*
 * From an independent encoder (Python 3 stdlib: struct, hmac, hashlib,
 * zlib), zero padding, transaction id "0123456789ab", password PY_PWD:
 * a Binding request "Lfrg:Rfrg" with PRIORITY 0x6e7f1eff, ICE-CONTROLLING
 * 0x0102030405060708 and USE-CANDIDATE; success responses for
 * 198.51.100.7:50000 and [2001:db8::1]:40000; a 401 without integrity.
 */

static const u_char  py_request[] = {
    0x00, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0x30, 0x31, 0x32, 0x33,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x00, 0x24, 0x00, 0x04,
    0x6e, 0x7f, 0x1e, 0xff, 0x80, 0x2a, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04,
    0x05, 0x06, 0x07, 0x08, 0x00, 0x25, 0x00, 0x00, 0x00, 0x06, 0x00, 0x09,
    0x4c, 0x66, 0x72, 0x67, 0x3a, 0x52, 0x66, 0x72, 0x67, 0x00, 0x00, 0x00,
    0x00, 0x08, 0x00, 0x14, 0x20, 0x9c, 0x66, 0x14, 0x7c, 0x05, 0x50, 0x5c,
    0x76, 0x45, 0x26, 0xb6, 0xb2, 0x68, 0x8f, 0x67, 0x74, 0xa7, 0x74, 0xa1,
    0x80, 0x28, 0x00, 0x04, 0x4d, 0x9a, 0x0d, 0xe0
};

static const u_char  py_success4[] = {
    0x01, 0x01, 0x00, 0x2c, 0x21, 0x12, 0xa4, 0x42, 0x30, 0x31, 0x32, 0x33,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x00, 0x20, 0x00, 0x08,
    0x00, 0x01, 0xe2, 0x42, 0xe7, 0x21, 0xc0, 0x45, 0x00, 0x08, 0x00, 0x14,
    0x27, 0xea, 0xc3, 0x5e, 0x60, 0x07, 0x8e, 0xbe, 0xd7, 0x75, 0xd7, 0x92,
    0x33, 0x32, 0xc9, 0xb8, 0xcf, 0x4d, 0x66, 0xdb, 0x80, 0x28, 0x00, 0x04,
    0xcd, 0x78, 0xb0, 0x96
};

static const u_char  py_success6[] = {
    0x01, 0x01, 0x00, 0x38, 0x21, 0x12, 0xa4, 0x42, 0x30, 0x31, 0x32, 0x33,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x00, 0x20, 0x00, 0x14,
    0x00, 0x02, 0xbd, 0x52, 0x01, 0x13, 0xa9, 0xfa, 0x30, 0x31, 0x32, 0x33,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x63, 0x00, 0x08, 0x00, 0x14,
    0xf6, 0xdb, 0x27, 0xcd, 0xea, 0x6d, 0xdf, 0xcc, 0x50, 0xc6, 0xb2, 0x4a,
    0xcd, 0x8e, 0xe1, 0xd0, 0x2e, 0x03, 0x67, 0x6c, 0x80, 0x28, 0x00, 0x04,
    0x44, 0x7d, 0xaa, 0x24
};

static const u_char  py_error401[] = {
    0x01, 0x11, 0x00, 0x20, 0x21, 0x12, 0xa4, 0x42, 0x30, 0x31, 0x32, 0x33,
    0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x00, 0x09, 0x00, 0x13,
    0x00, 0x00, 0x04, 0x01, 0x55, 0x6e, 0x61, 0x75, 0x74, 0x68, 0x65, 0x6e,
    0x74, 0x69, 0x63, 0x61, 0x74, 0x65, 0x64, 0x00, 0x80, 0x28, 0x00, 0x04,
    0x48, 0xbd, 0x29, 0x0a
};

/* the same with MESSAGE-INTEGRITY-SHA256, id "fuzzfuzzfuzz", USERNAME first */

static const u_char  py_request_sha256[] = {
    0x00, 0x01, 0x00, 0x54, 0x21, 0x12, 0xa4, 0x42, 0x66, 0x75, 0x7a, 0x7a,
    0x66, 0x75, 0x7a, 0x7a, 0x66, 0x75, 0x7a, 0x7a, 0x00, 0x06, 0x00, 0x09,
    0x4c, 0x66, 0x72, 0x67, 0x3a, 0x52, 0x66, 0x72, 0x67, 0x00, 0x00, 0x00,
    0x80, 0x2a, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0x00, 0x25, 0x00, 0x00, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x7f, 0x1e, 0xff,
    0x00, 0x1c, 0x00, 0x20, 0x25, 0x7a, 0x9d, 0xff, 0xc7, 0x5a, 0x27, 0x8a,
    0xd0, 0xdc, 0x19, 0xc2, 0xb5, 0xb9, 0xe9, 0x98, 0x5a, 0x5e, 0x6d, 0x57,
    0xc8, 0x10, 0x3b, 0xaa, 0x93, 0xb6, 0x0a, 0xfb, 0x47, 0x4a, 0x02, 0xff,
    0x80, 0x28, 0x00, 0x04, 0xa1, 0xe6, 0xfb, 0xca
};

#define PY_PWD        "OurPasswordIsLongEnough1"


/* our side in the tests below */

#define UFRAG         "Lfrg"
#define PWD           PY_PWD

static const u_char  tid0[MEET_STUN_TID_LEN] = "0123456789ab";


static struct sockaddr_in
sin4(const char *ip, unsigned port)
{
    struct sockaddr_in  sin;

    memset(&sin, 0, sizeof(struct sockaddr_in));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    inet_pton(AF_INET, ip, &sin.sin_addr);

    return sin;
}


static struct sockaddr_in6
sin6(const char *ip, unsigned port)
{
    struct sockaddr_in6  sin6;

    memset(&sin6, 0, sizeof(struct sockaddr_in6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    inet_pton(AF_INET6, ip, &sin6.sin6_addr);

    return sin6;
}


/* parses a heap copy of exactly n bytes, so ASan sees any overread */

static int
parse_copy(meet_stun_msg_t *msg, u_char **copy, const u_char *p, size_t n)
{
    free(*copy);
    *copy = malloc(n ? n : 1);
    memcpy(*copy, p, n);

    return meet_stun_parse(msg, *copy, n);
}


/* a Chrome-like check for our UFRAG/PWD */

static meet_stun_request_t
chrome_request(void)
{
    meet_stun_request_t  r;

    memset(&r, 0, sizeof(meet_stun_request_t));
    r.username = (const u_char *) UFRAG ":Rfrg";
    r.username_len = sizeof(UFRAG ":Rfrg") - 1;
    r.key = (const u_char *) PWD;
    r.key_len = sizeof(PWD) - 1;
    r.priority = 0x6e7f1eff;
    r.role = MEET_STUN_ROLE_CONTROLLING;
    r.tiebreaker = 0x0102030405060708ULL;
    r.use_candidate = 1;

    return r;
}


/*
 * Parses an answer and checks what every answer must have: it parses,
 * FINGERPRINT, the request's transaction id, the expected class and, when
 * key is not NULL, a valid MESSAGE-INTEGRITY (or -SHA256), else none.
 */

static void
answer_ok(const char *name, const u_char *p, size_t n, const u_char *tid,
    unsigned cls, const char *key, int sha256, meet_stun_msg_t *out)
{
    int              rc;
    meet_stun_msg_t  msg;

    rc = meet_stun_parse(&msg, p, n);
    is_int(rc, MEET_STUN_OK, "%s: parses (%s)", name,
           msg.error ? msg.error : "ok");
    is_int(msg.method, MEET_STUN_BINDING, "%s: Binding", name);
    is_int(msg.class, cls, "%s: class %u", name, cls);
    is_mem(msg.tid, MEET_STUN_TID_LEN, tid, MEET_STUN_TID_LEN,
           "%s: transaction id of the request", name);
    ok(msg.fingerprint && meet_stun_check_fingerprint(&msg),
       "%s: FINGERPRINT", name);

    if (key == NULL) {
        ok(msg.integrity == 0 && msg.integrity_sha256 == 0,
           "%s: no MESSAGE-INTEGRITY", name);

    } else if (sha256) {
        ok(msg.integrity == 0
           && meet_stun_check_integrity_sha256(&msg, (const u_char *) key,
                                               strlen(key)),
           "%s: MESSAGE-INTEGRITY-SHA256 only, valid", name);

    } else {
        ok(msg.integrity_sha256 == 0
           && meet_stun_check_integrity(&msg, (const u_char *) key,
                                        strlen(key)),
           "%s: MESSAGE-INTEGRITY, valid", name);
    }

    if (out) {
        *out = msg;
    }
}


static void
test_is_stun(void)
{
    u_char  b[20];

    ok(meet_stun_is_stun(rfc_request, sizeof(rfc_request)),
       "is_stun: RFC 5769 request");
    ok(meet_stun_is_stun(rfc_response6, sizeof(rfc_response6)),
       "is_stun: RFC 5769 IPv6 response");
    ok(!meet_stun_is_stun(rfc_request, 19), "is_stun: 19 bytes");
    ok(!meet_stun_is_stun(NULL, 20), "is_stun: NULL");

    memcpy(b, rfc_request, 20);
    ok(meet_stun_is_stun(b, 20), "is_stun: a bare header");

    b[0] = 3;
    ok(meet_stun_is_stun(b, 20), "is_stun: first byte 3");

    b[0] = 4;
    ok(!meet_stun_is_stun(b, 20), "is_stun: first byte 4 is not STUN");

    b[0] = 22;
    ok(!meet_stun_is_stun(b, 20), "is_stun: 22 (DTLS) is not STUN");

    b[0] = 0x80;
    ok(!meet_stun_is_stun(b, 20), "is_stun: 128 (RTP) is not STUN");

    b[0] = 0;
    b[7] ^= 1;
    ok(!meet_stun_is_stun(b, 20), "is_stun: wrong magic cookie");
}


static void
test_rfc5769_request(void)
{
    int                  rc;
    u_char               buf[256];
    size_t               n, local_len, remote_len;
    const u_char        *local, *remote;
    meet_stun_msg_t      msg, ans;
    meet_stun_check_t    res;
    meet_stun_writer_t   w;
    struct sockaddr_in   peer;

    is_int(meet_stun_parse(&msg, rfc_request, sizeof(rfc_request)),
           MEET_STUN_OK, "5769 2.1: parses");
    ok(msg.header_ok, "5769 2.1: header ok");
    is_int(msg.method, MEET_STUN_BINDING, "5769 2.1: Binding");
    is_int(msg.class, MEET_STUN_REQUEST, "5769 2.1: request");
    is_mem(msg.tid, 12, rfc_request + 8, 12, "5769 2.1: transaction id");
    is_mems(msg.software, msg.software_len, "STUN test client",
           "5769 2.1: SOFTWARE");
    is_mems(msg.username, msg.username_len, "evtj:h6vY",
           "5769 2.1: USERNAME without its padding");
    ok(msg.has_priority && msg.priority == 0x6e0001ff,
       "5769 2.1: PRIORITY");
    ok(msg.ice_controlled && !msg.ice_controlling,
       "5769 2.1: ICE-CONTROLLED");
    ok(msg.tiebreaker == 0x932ff9b151263b36ULL, "5769 2.1: tie-breaker");
    ok(!msg.use_candidate, "5769 2.1: no USE-CANDIDATE");
    is_int(msg.integrity, 76, "5769 2.1: MESSAGE-INTEGRITY offset");
    is_int(msg.fingerprint, 100, "5769 2.1: FINGERPRINT offset");
    is_int(msg.nunknown, 0, "5769 2.1: no unknown attributes");

    ok(meet_stun_check_integrity(&msg, S(RFC_PWD)),
       "5769 2.1: MESSAGE-INTEGRITY with the RFC password");
    ok(!meet_stun_check_integrity(&msg, S("VOkJxbRl1RmTxUk/WvJxBu")),
       "5769 2.1: not with another password");
    ok(!meet_stun_check_integrity_sha256(&msg, S(RFC_PWD)),
       "5769 2.1: no MESSAGE-INTEGRITY-SHA256");
    ok(meet_stun_check_fingerprint(&msg), "5769 2.1: FINGERPRINT");

    ok(meet_stun_username_split(msg.username, msg.username_len, &local,
                                &local_len, &remote, &remote_len) == 0
       && local_len == 4 && memcmp(local, "evtj", 4) == 0
       && remote_len == 4 && memcmp(remote, "h6vY", 4) == 0,
       "5769 2.1: USERNAME splits into evtj and h6vY");

    /* as an ICE check to the agent "evtj": ICE-CONTROLLED -> 487 */

    rc = meet_stun_binding_request_check(&msg, S("evtj"), S(RFC_PWD), &res);
    is_int(rc, MEET_STUN_CHECK_ERROR, "5769 2.1 at evtj: error (%s)",
           res.reason);
    is_int(res.error_code, 487, "5769 2.1 at evtj: 487 Role Conflict");
    ok(res.authenticated && !res.sha256,
       "5769 2.1 at evtj: authenticated with MESSAGE-INTEGRITY");
    is_mems(res.remote_ufrag, res.remote_ufrag_len, "h6vY",
           "5769 2.1 at evtj: remote ufrag");

    peer = sin4("192.0.2.1", 32853);
    n = meet_stun_write_answer(buf, sizeof(buf), &msg, &res,
                               (struct sockaddr *) &peer, S(RFC_PWD), NULL);
    ok(n > 0, "5769 2.1 at evtj: 487 answer written (%zu bytes)", n);
    answer_ok("5769 487 answer", buf, n, msg.tid, MEET_STUN_ERROR_RESPONSE,
              RFC_PWD, 0, &ans);
    is_int(ans.error_code, 487, "5769 487 answer: ERROR-CODE 487");
    is_mems(ans.error_reason, ans.error_reason_len, "Role Conflict",
           "5769 487 answer: reason phrase");

    /* the same request at another agent: 401 */

    is_int(meet_stun_binding_request_check(&msg, S("h6vY"), S(RFC_PWD),
                                           &res),
           MEET_STUN_CHECK_ERROR, "5769 2.1 at h6vY: error");
    is_int(res.error_code, 401, "5769 2.1 at h6vY: 401");
    ok(!res.authenticated, "5769 2.1 at h6vY: not authenticated");

    /* written again, byte for byte, with the builder */

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_REQUEST, rfc_request + 8);
    w.pad = ' ';
    meet_stun_put_attr(&w, MEET_STUN_ATTR_SOFTWARE, S("STUN test client"));
    meet_stun_put_u32(&w, MEET_STUN_ATTR_PRIORITY, 0x6e0001ff);
    meet_stun_put_u64(&w, MEET_STUN_ATTR_ICE_CONTROLLED,
                      0x932ff9b151263b36ULL);
    meet_stun_put_attr(&w, MEET_STUN_ATTR_USERNAME, S("evtj:h6vY"));
    meet_stun_put_integrity(&w, S(RFC_PWD));
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);

    is_mem(buf, n, rfc_request, sizeof(rfc_request),
           "5769 2.1 written byte for byte (padding ' ')");
}


static void
test_rfc5769_responses(void)
{
    u_char                    buf[256];
    size_t                    n;
    socklen_t                 sl;
    meet_stun_msg_t           req, msg;
    meet_stun_writer_t        w;
    struct sockaddr_in        a4, *p4;
    struct sockaddr_in6       a6, *p6;
    struct sockaddr_storage   ss;

    meet_stun_parse(&req, rfc_request, sizeof(rfc_request));

    a4 = sin4("192.0.2.1", 32853);
    a6 = sin6("2001:db8:1234:5678:11:2233:4455:6677", 32853);

    /* 2.2 */

    is_int(meet_stun_parse(&msg, rfc_response4, sizeof(rfc_response4)),
           MEET_STUN_OK, "5769 2.2: parses");
    is_int(msg.class, MEET_STUN_SUCCESS, "5769 2.2: success response");
    is_mems(msg.software, msg.software_len, "test vector",
           "5769 2.2: SOFTWARE");
    ok(meet_stun_check_integrity(&msg, S(RFC_PWD)),
       "5769 2.2: MESSAGE-INTEGRITY");
    ok(meet_stun_check_fingerprint(&msg), "5769 2.2: FINGERPRINT");

    ok(meet_stun_xor_mapped_address(&msg, &ss, &sl) == 0
       && sl == sizeof(struct sockaddr_in), "5769 2.2: XOR-MAPPED-ADDRESS");
    p4 = (struct sockaddr_in *) &ss;
    ok(p4->sin_family == AF_INET
       && p4->sin_addr.s_addr == a4.sin_addr.s_addr
       && ntohs(p4->sin_port) == 32853,
       "5769 2.2: 192.0.2.1 port 32853");

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_SUCCESS, req.tid);
    w.pad = ' ';
    meet_stun_put_attr(&w, MEET_STUN_ATTR_SOFTWARE, S("test vector"));
    meet_stun_put_xor_address(&w, (struct sockaddr *) &a4);
    meet_stun_put_integrity(&w, S(RFC_PWD));
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);

    is_mem(buf, n, rfc_response4, sizeof(rfc_response4),
           "5769 2.2 written byte for byte (padding ' ')");

    /* our success writer: the same but for the padding byte and so MI/FP */

    n = meet_stun_write_success(buf, sizeof(buf), &req,
                                (struct sockaddr *) &a4, S(RFC_PWD),
                                "test vector");
    is_int(n, sizeof(rfc_response4), "5769 2.2 by write_success: length");
    is_mem(buf, 35, rfc_response4, 35,
           "5769 2.2 by write_success: same up to the SOFTWARE padding");
    is_int(buf[35], 0, "5769 2.2 by write_success: zero padding");
    is_mem(buf + 36, 16, rfc_response4 + 36, 16,
           "5769 2.2 by write_success: same XOR-MAPPED-ADDRESS");
    answer_ok("5769 2.2 by write_success", buf, n, req.tid,
              MEET_STUN_SUCCESS, RFC_PWD, 0, NULL);

    /* 2.3 */

    is_int(meet_stun_parse(&msg, rfc_response6, sizeof(rfc_response6)),
           MEET_STUN_OK, "5769 2.3: parses");
    ok(meet_stun_check_integrity(&msg, S(RFC_PWD)),
       "5769 2.3: MESSAGE-INTEGRITY");
    ok(meet_stun_check_fingerprint(&msg), "5769 2.3: FINGERPRINT");

    ok(meet_stun_xor_mapped_address(&msg, &ss, &sl) == 0
       && sl == sizeof(struct sockaddr_in6), "5769 2.3: XOR-MAPPED-ADDRESS");
    p6 = (struct sockaddr_in6 *) &ss;
    ok(p6->sin6_family == AF_INET6
       && memcmp(&p6->sin6_addr, &a6.sin6_addr, 16) == 0
       && ntohs(p6->sin6_port) == 32853,
       "5769 2.3: 2001:db8:1234:5678:11:2233:4455:6677 port 32853");

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_SUCCESS, req.tid);
    w.pad = ' ';
    meet_stun_put_attr(&w, MEET_STUN_ATTR_SOFTWARE, S("test vector"));
    meet_stun_put_xor_address(&w, (struct sockaddr *) &a6);
    meet_stun_put_integrity(&w, S(RFC_PWD));
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);

    is_mem(buf, n, rfc_response6, sizeof(rfc_response6),
           "5769 2.3 written byte for byte (padding ' ')");
}


static void
test_independent(void)
{
    int                   rc;
    u_char                buf[256];
    size_t                n;
    meet_stun_msg_t       req, msg;
    meet_stun_check_t     res;
    meet_stun_writer_t    w;
    meet_stun_request_t   r;
    struct sockaddr_in    a4;
    struct sockaddr_in6   a6;

    r = chrome_request();
    n = meet_stun_write_request(buf, sizeof(buf), tid0, &r);
    is_mem(buf, n, py_request, sizeof(py_request),
           "request writer = independent encoder, byte for byte");

    is_int(meet_stun_parse(&req, py_request, sizeof(py_request)),
           MEET_STUN_OK, "independent request: parses");
    rc = meet_stun_binding_request_check(&req, S(UFRAG), S(PWD), &res);
    is_int(rc, MEET_STUN_CHECK_OK, "independent request: accepted (%s)",
           res.reason);
    ok(res.use_candidate && res.controlling
       && res.priority == 0x6e7f1eff
       && res.tiebreaker == 0x0102030405060708ULL,
       "independent request: USE-CANDIDATE, controlling, PRIORITY");

    a4 = sin4("198.51.100.7", 50000);
    n = meet_stun_write_answer(buf, sizeof(buf), &req, &res,
                               (struct sockaddr *) &a4, S(PWD), NULL);
    is_mem(buf, n, py_success4, sizeof(py_success4),
           "IPv4 success = independent encoder, byte for byte");

    a6 = sin6("2001:db8::1", 40000);
    n = meet_stun_write_success(buf, sizeof(buf), &req,
                                (struct sockaddr *) &a6, S(PWD), NULL);
    is_mem(buf, n, py_success6, sizeof(py_success6),
           "IPv6 success = independent encoder, byte for byte");

    n = meet_stun_write_error(buf, sizeof(buf), &req, 401, NULL, NULL, 0,
                              NULL, 0, NULL);
    is_mem(buf, n, py_error401, sizeof(py_error401),
           "401 without integrity = independent encoder, byte for byte");

    is_int(meet_stun_parse(&msg, py_error401, sizeof(py_error401)),
           MEET_STUN_OK, "independent 401: parses");
    is_int(msg.error_code, 401, "independent 401: ERROR-CODE");

    /* MESSAGE-INTEGRITY-SHA256 */

    is_int(meet_stun_parse(&req, py_request_sha256,
                           sizeof(py_request_sha256)),
           MEET_STUN_OK, "independent SHA256 request: parses");
    ok(req.integrity == 0 && req.integrity_sha256_len == 32
       && meet_stun_check_integrity_sha256(&req, S(PWD))
       && !meet_stun_check_integrity_sha256(&req, S("x")),
       "independent SHA256 request: MESSAGE-INTEGRITY-SHA256 verifies");
    rc = meet_stun_binding_request_check(&req, S(UFRAG), S(PWD), &res);
    ok(rc == MEET_STUN_CHECK_OK && res.sha256 && res.use_candidate,
       "independent SHA256 request: accepted");

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_REQUEST, (const u_char *) "fuzzfuzzfuzz");
    meet_stun_put_attr(&w, MEET_STUN_ATTR_USERNAME, S(UFRAG ":Rfrg"));
    meet_stun_put_u64(&w, MEET_STUN_ATTR_ICE_CONTROLLING,
                      0x0102030405060708ULL);
    meet_stun_put_attr(&w, MEET_STUN_ATTR_USE_CANDIDATE, NULL, 0);
    meet_stun_put_u32(&w, MEET_STUN_ATTR_PRIORITY, 0x6e7f1eff);
    meet_stun_put_integrity_sha256(&w, S(PWD));
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);
    is_mem(buf, n, py_request_sha256, sizeof(py_request_sha256),
           "SHA256 request by the builder = independent, byte for byte");
}


/* a request with the given attributes, our credentials */

#define A_USERNAME       0x0001
#define A_PRIORITY       0x0002
#define A_CONTROLLING    0x0004
#define A_CONTROLLED     0x0008
#define A_INTEGRITY      0x0010
#define A_FINGERPRINT    0x0020
#define A_USE_CANDIDATE  0x0040
#define A_ALL_ICE        (A_USERNAME | A_PRIORITY | A_CONTROLLING            \
                          | A_INTEGRITY | A_FINGERPRINT)

static size_t
build(u_char *buf, size_t size, unsigned attrs, const char *username,
    const char *key)
{
    meet_stun_writer_t  w;

    meet_stun_writer_init(&w, buf, size, MEET_STUN_BINDING,
                          MEET_STUN_REQUEST, tid0);

    if (attrs & A_PRIORITY) {
        meet_stun_put_u32(&w, MEET_STUN_ATTR_PRIORITY, 12345);
    }

    if (attrs & A_CONTROLLING) {
        meet_stun_put_u64(&w, MEET_STUN_ATTR_ICE_CONTROLLING, 77);
    }

    if (attrs & A_CONTROLLED) {
        meet_stun_put_u64(&w, MEET_STUN_ATTR_ICE_CONTROLLED, 78);
    }

    if (attrs & A_USE_CANDIDATE) {
        meet_stun_put_attr(&w, MEET_STUN_ATTR_USE_CANDIDATE, NULL, 0);
    }

    if (attrs & A_USERNAME) {
        meet_stun_put_attr(&w, MEET_STUN_ATTR_USERNAME, username,
                           strlen(username));
    }

    if (attrs & A_INTEGRITY) {
        meet_stun_put_integrity(&w, (const u_char *) key, strlen(key));
    }

    if (attrs & A_FINGERPRINT) {
        meet_stun_put_fingerprint(&w);
    }

    return meet_stun_writer_finish(&w);
}


static void
expect(const char *name, const u_char *p, size_t n, int rc, unsigned code,
    int authenticated)
{
    int                   got;
    u_char                buf[MEET_STUN_ANSWER_MAX];
    size_t                len;
    meet_stun_msg_t       req, ans;
    meet_stun_check_t     res;
    struct sockaddr_in    a4;

    meet_stun_parse(&req, p, n);

    got = meet_stun_binding_request_check(&req, S(UFRAG), S(PWD), &res);
    is_int(got, rc, "%s: result %d (%s)", name, rc, res.reason);

    if (rc != MEET_STUN_CHECK_ERROR) {
        return;
    }

    is_int(res.error_code, code, "%s: error %u", name, code);
    is_int(res.authenticated, authenticated, "%s: %sauthenticated", name,
           authenticated ? "" : "not ");

    a4 = sin4("203.0.113.9", 4242);
    len = meet_stun_write_answer(buf, sizeof(buf), &req, &res,
                                 (struct sockaddr *) &a4, S(PWD), NULL);
    ok(len > 0, "%s: answer written", name);
    answer_ok(name, buf, len, req.tid, MEET_STUN_ERROR_RESPONSE,
              authenticated ? PWD : NULL, 0, &ans);
    is_int(ans.error_code, code, "%s: answer ERROR-CODE %u", name, code);
}


static void
test_parse_errors(void)
{
    int                rc;
    u_char            *copy, b[1024];
    size_t             n, i, good;
    meet_stun_msg_t    msg;
    meet_stun_check_t  res;

    copy = NULL;

    /* truncated header, and every prefix of a good message */

    for (i = 0; i < 20; i++) {
        if (parse_copy(&msg, &copy, rfc_request, i) != MEET_STUN_NOT_STUN) {
            break;
        }
    }

    is_int(i, 20, "truncated header (0..19 bytes): not STUN");

    good = 0;

    for (i = 20; i < sizeof(rfc_request); i++) {
        if (parse_copy(&msg, &copy, rfc_request, i) != MEET_STUN_MALFORMED
            || msg.header_ok
            || meet_stun_binding_request_check(&msg, S("evtj"), S(RFC_PWD),
                                               &res)
               != MEET_STUN_CHECK_DROP)
        {
            break;
        }

        good++;
    }

    is_int(good, sizeof(rfc_request) - 20,
           "every truncation of 2.1: length mismatch, dropped");

    /* length field != datagram size, either way */

    memcpy(b, rfc_request, sizeof(rfc_request));
    b[3] += 4;
    is_int(meet_stun_parse(&msg, b, sizeof(rfc_request)),
           MEET_STUN_MALFORMED, "length field too big: malformed");
    is_int(meet_stun_binding_request_check(&msg, S("evtj"), S(RFC_PWD),
                                           &res),
           MEET_STUN_CHECK_DROP, "length field too big: dropped silently");

    memcpy(b, rfc_request, sizeof(rfc_request));
    memset(b + sizeof(rfc_request), 0, 4);
    is_int(meet_stun_parse(&msg, b, sizeof(rfc_request) + 4),
           MEET_STUN_MALFORMED, "trailing bytes: malformed");

    /* missing padding: a 5-byte USERNAME as the last thing, length 9 */

    memcpy(b, rfc_request, 20);
    b[2] = 0;
    b[3] = 9;
    memcpy(b + 20, "\x00\x06\x00\x05" "ab:cd", 9);
    rc = parse_copy(&msg, &copy, b, 29);
    is_int(rc, MEET_STUN_MALFORMED, "unpadded attribute: malformed (%s)",
           msg.error);
    ok(!msg.header_ok, "unpadded attribute: header not ok");

    /* an attribute overrunning the message */

    memcpy(b, rfc_request, 20);
    b[2] = 0;
    b[3] = 12;
    memcpy(b + 20, "\x00\x06\x00\x09" "ab:cd\0\0\0", 12);
    rc = parse_copy(&msg, &copy, b, 32);
    is_int(rc, MEET_STUN_MALFORMED, "attribute overrunning: malformed (%s)",
           msg.error);
    ok(msg.header_ok, "attribute overrunning: header ok");
    expect("attribute overrunning", copy, 32, MEET_STUN_CHECK_ERROR, 400, 0);

    memcpy(b + 20, "\x00\x06\xff\xff" "ab:cd\0\0\0", 12);
    is_int(parse_copy(&msg, &copy, b, 32), MEET_STUN_MALFORMED,
           "attribute length 65535: malformed");

    /* the overrun found by walking: the header of the 2nd attribute */

    memcpy(b + 20, "\x80\x22\x00\x00" "\x80\x22\x00\x05" "abcd", 12);
    is_int(parse_copy(&msg, &copy, b, 32), MEET_STUN_MALFORMED,
           "second attribute overrunning by 1: malformed");

    /* FINGERPRINT not last */

    n = build(b, sizeof(b), A_ALL_ICE, UFRAG ":x", PWD);
    memcpy(b + n, "\x80\x22\x00\x04" "abcd", 8);
    b[3] += 8;
    rc = parse_copy(&msg, &copy, b, n + 8);
    is_int(rc, MEET_STUN_MALFORMED, "FINGERPRINT not last: malformed (%s)",
           msg.error);
    expect("FINGERPRINT not last", copy, n + 8, MEET_STUN_CHECK_ERROR, 400,
           0);

    /* two FINGERPRINTs */

    n = build(b, sizeof(b), A_ALL_ICE, UFRAG ":x", PWD);
    memcpy(b + n, b + n - 8, 8);
    b[3] += 8;
    is_int(parse_copy(&msg, &copy, b, n + 8), MEET_STUN_MALFORMED,
           "two FINGERPRINTs: malformed");

    /* any changed byte but the cookie: never accepted */

    n = build(b, sizeof(b), A_ALL_ICE, UFRAG ":x", PWD);
    good = 0;

    for (i = 0; i < n; i++) {
        if (i >= 4 && i < 8) {
            continue;
        }

        b[i] ^= (i < 20) ? 0x01 : 0x40;

        parse_copy(&msg, &copy, b, n);

        if (meet_stun_binding_request_check(&msg, S(UFRAG), S(PWD), &res)
            != MEET_STUN_CHECK_OK)
        {
            good++;

        } else {
            diag("byte %zu changed and still accepted", i);
        }

        b[i] ^= (i < 20) ? 0x01 : 0x40;
    }

    is_int(good, n - 4, "any changed byte: never accepted");

    b[n - 1] ^= 1;
    is_int(parse_copy(&msg, &copy, b, n), MEET_STUN_BAD_FINGERPRINT,
           "wrong CRC: bad fingerprint");
    ok(!meet_stun_check_fingerprint(&msg), "wrong CRC: check fails");
    expect("wrong CRC", copy, n, MEET_STUN_CHECK_DROP, 0, 0);
    b[n - 1] ^= 1;

    /* wrong lengths of known attributes */

    memcpy(b, rfc_request, 20);
    b[2] = 0;
    b[3] = 8;
    memcpy(b + 20, "\x00\x24\x00\x03" "abc\0", 8);
    is_int(parse_copy(&msg, &copy, b, 28), MEET_STUN_MALFORMED,
           "PRIORITY of 3 bytes: malformed");
    memcpy(b + 20, "\x00\x25\x00\x04" "abcd", 8);
    is_int(parse_copy(&msg, &copy, b, 28), MEET_STUN_MALFORMED,
           "USE-CANDIDATE with a value: malformed");
    memcpy(b + 20, "\x80\x29\x00\x04" "abcd", 8);
    is_int(parse_copy(&msg, &copy, b, 28), MEET_STUN_MALFORMED,
           "ICE-CONTROLLED of 4 bytes: malformed");
    memcpy(b + 20, "\x00\x08\x00\x04" "abcd", 8);
    is_int(parse_copy(&msg, &copy, b, 28), MEET_STUN_MALFORMED,
           "MESSAGE-INTEGRITY of 4 bytes: malformed");
    memcpy(b + 20, "\x80\x28\x00\x00" "abcd", 8);
    is_int(parse_copy(&msg, &copy, b, 28), MEET_STUN_MALFORMED,
           "FINGERPRINT of 0 bytes: malformed");
    memcpy(b + 20, "\x00\x09\x00\x04" "\0\0\x02\x01", 8);
    is_int(parse_copy(&msg, &copy, b, 28), MEET_STUN_MALFORMED,
           "ERROR-CODE class 2: malformed");
    memcpy(b + 20, "\x00\x20\x00\x04" "\0\x01\0\0", 8);
    is_int(parse_copy(&msg, &copy, b, 28), MEET_STUN_MALFORMED,
           "XOR-MAPPED-ADDRESS of 4 bytes: malformed");

    memcpy(b + 20, "\x00\x1c\x00\x04" "abcd", 8);
    is_int(parse_copy(&msg, &copy, b, 28), MEET_STUN_MALFORMED,
           "MESSAGE-INTEGRITY-SHA256 of 4 bytes: malformed");

    /* USERNAME of 513 bytes (the limit is 512) */

    memcpy(b, rfc_request, 20);
    memset(b + 20, 'a', sizeof(b) - 20);
    b[2] = (4 + 516) >> 8;
    b[3] = (4 + 516) & 0xff;
    memcpy(b + 20, "\x00\x06\x02\x01", 4);
    is_int(parse_copy(&msg, &copy, b, 20 + 4 + 516), MEET_STUN_MALFORMED,
           "USERNAME of 513 bytes: malformed");

    b[2] = (4 + 512) >> 8;
    b[3] = (4 + 512) & 0xff;
    b[23] = 0;
    is_int(parse_copy(&msg, &copy, b, 20 + 4 + 512), MEET_STUN_OK,
           "USERNAME of 512 bytes: fine");
    is_int(msg.username_len, 512, "USERNAME of 512 bytes: length");

    free(copy);
}


static void
test_check_errors(void)
{
    u_char                buf[512];
    size_t                n;
    meet_stun_msg_t       msg;
    meet_stun_check_t     res;
    meet_stun_request_t   r;
    meet_stun_writer_t    w;

    n = build(buf, sizeof(buf), A_ALL_ICE, UFRAG ":Rfrg", PWD);
    expect("good check", buf, n, MEET_STUN_CHECK_OK, 0, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE & ~A_USERNAME, "", PWD);
    expect("no USERNAME", buf, n, MEET_STUN_CHECK_ERROR, 400, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE & ~A_INTEGRITY, UFRAG ":R", PWD);
    expect("no MESSAGE-INTEGRITY", buf, n, MEET_STUN_CHECK_ERROR, 400, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE & ~A_FINGERPRINT, UFRAG ":R",
              PWD);
    expect("no FINGERPRINT", buf, n, MEET_STUN_CHECK_ERROR, 400, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE, "Xfrg:Rfrg", PWD);
    expect("wrong ufrag", buf, n, MEET_STUN_CHECK_ERROR, 401, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE, "Rfrg:" UFRAG, PWD);
    expect("ufrags swapped", buf, n, MEET_STUN_CHECK_ERROR, 401, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE, UFRAG "x:Rfrg", PWD);
    expect("our ufrag as a prefix", buf, n, MEET_STUN_CHECK_ERROR, 401, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE, UFRAG, PWD);
    expect("USERNAME without colon", buf, n, MEET_STUN_CHECK_ERROR, 401, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE, "", PWD);
    expect("empty USERNAME", buf, n, MEET_STUN_CHECK_ERROR, 401, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE, UFRAG ":", PWD);
    expect("empty remote ufrag", buf, n, MEET_STUN_CHECK_OK, 0, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE, UFRAG ":Rfrg", "wrong password");
    expect("bad integrity", buf, n, MEET_STUN_CHECK_ERROR, 401, 0);

    n = build(buf, sizeof(buf), A_ALL_ICE, UFRAG ":Rfrg", PWD);
    meet_stun_parse(&msg, buf, n);
    is_int(meet_stun_binding_request_check(&msg, NULL, 0, NULL, 0, &res),
           MEET_STUN_CHECK_ERROR, "no session (ufrag NULL): error");
    is_int(res.error_code, 401, "no session (ufrag NULL): 401");

    n = build(buf, sizeof(buf), A_ALL_ICE & ~A_PRIORITY, UFRAG ":R", PWD);
    expect("no PRIORITY", buf, n, MEET_STUN_CHECK_ERROR, 400, 1);

    n = build(buf, sizeof(buf), A_ALL_ICE | A_CONTROLLED, UFRAG ":R", PWD);
    expect("ICE-CONTROLLING and ICE-CONTROLLED", buf, n,
           MEET_STUN_CHECK_ERROR, 400, 1);

    n = build(buf, sizeof(buf), (A_ALL_ICE & ~A_CONTROLLING) | A_CONTROLLED,
              UFRAG ":R", PWD);
    expect("ICE-CONTROLLED", buf, n, MEET_STUN_CHECK_ERROR, 487, 1);

    n = build(buf, sizeof(buf), (A_ALL_ICE & ~A_CONTROLLING)
              | A_CONTROLLED | A_USE_CANDIDATE, UFRAG ":R", PWD);
    expect("ICE-CONTROLLED with USE-CANDIDATE", buf, n,
           MEET_STUN_CHECK_ERROR, 487, 1);

    n = build(buf, sizeof(buf), A_ALL_ICE & ~A_CONTROLLING, UFRAG ":R", PWD);
    expect("no role attribute (RFC 5245 peer)", buf, n, MEET_STUN_CHECK_OK,
           0, 0);

    /* unknown comprehension-required attributes -> 420 with the list */

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_REQUEST, tid0);
    meet_stun_put_u32(&w, MEET_STUN_ATTR_PRIORITY, 1);
    meet_stun_put_attr(&w, 0x0030, S("x"));
    meet_stun_put_attr(&w, 0xc057, S("goog"));           /* optional */
    meet_stun_put_attr(&w, MEET_STUN_ATTR_REALM, S("r"));
    meet_stun_put_attr(&w, 0x0030, S("again"));          /* listed once */
    meet_stun_put_attr(&w, MEET_STUN_ATTR_USERNAME, S(UFRAG ":R"));
    meet_stun_put_integrity(&w, S(PWD));
    meet_stun_put_attr(&w, 0x0031, NULL, 0);             /* after MI */
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);

    is_int(meet_stun_parse(&msg, buf, n), MEET_STUN_OK,
           "unknown attributes: parses");
    ok(msg.nunknown == 2 && msg.unknown[0] == 0x0030
       && msg.unknown[1] == MEET_STUN_ATTR_REALM,
       "unknown attributes: 0x0030 and REALM, not 0xc057 nor 0x0031");
    expect("unknown attributes", buf, n, MEET_STUN_CHECK_ERROR, 420, 1);

    {
        u_char             ans[MEET_STUN_ANSWER_MAX];
        size_t             len;
        meet_stun_msg_t    a;
        meet_stun_check_t  rs;

        meet_stun_binding_request_check(&msg, S(UFRAG), S(PWD), &rs);
        len = meet_stun_write_answer(ans, sizeof(ans), &msg, &rs, NULL,
                                     S(PWD), NULL);
        meet_stun_parse(&a, ans, len);
        is_mem(a.unknown_attributes, a.unknown_attributes_len,
               "\x00\x30\x00\x14", 4,
               "420 answer: UNKNOWN-ATTRIBUTES 0x0030 0x0014");
        is_mems(a.error_reason, a.error_reason_len, "Unknown Attribute",
               "420 answer: reason phrase");
    }

    /* more unknown types than are kept: the first 16 */

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_REQUEST, tid0);

    for (n = 0; n < 20; n++) {
        meet_stun_put_attr(&w, 0x7000 + (unsigned) n, NULL, 0);
    }

    n = meet_stun_writer_finish(&w);
    meet_stun_parse(&msg, buf, n);
    ok(msg.nunknown == MEET_STUN_MAX_UNKNOWN
       && msg.unknown[15] == 0x700f, "20 unknown types: 16 kept");

    /* attributes after MESSAGE-INTEGRITY are ignored */

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_REQUEST, tid0);
    meet_stun_put_u32(&w, MEET_STUN_ATTR_PRIORITY, 5);
    meet_stun_put_attr(&w, MEET_STUN_ATTR_USERNAME, S(UFRAG ":R"));
    meet_stun_put_integrity(&w, S(PWD));
    meet_stun_put_attr(&w, MEET_STUN_ATTR_USE_CANDIDATE, NULL, 0);
    meet_stun_put_u64(&w, MEET_STUN_ATTR_ICE_CONTROLLED, 1);
    meet_stun_put_u32(&w, MEET_STUN_ATTR_PRIORITY, 6);
    meet_stun_put_attr(&w, MEET_STUN_ATTR_PRIORITY, S("bad"));
    meet_stun_put_integrity(&w, S("other"));
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);

    is_int(meet_stun_parse(&msg, buf, n), MEET_STUN_OK,
           "after MESSAGE-INTEGRITY: parses (bad PRIORITY ignored)");
    ok(!msg.use_candidate && !msg.ice_controlled && msg.priority == 5,
       "after MESSAGE-INTEGRITY: ignored");
    expect("after MESSAGE-INTEGRITY", buf, n, MEET_STUN_CHECK_OK, 0, 0);

    /* MESSAGE-INTEGRITY-SHA256 */

    r = chrome_request();
    r.sha256 = 1;
    n = meet_stun_write_request(buf, sizeof(buf), tid0, &r);
    meet_stun_parse(&msg, buf, n);
    ok(msg.integrity == 0 && msg.integrity_sha256 != 0
       && msg.integrity_sha256_len == 32
       && meet_stun_check_integrity_sha256(&msg, S(PWD)),
       "MESSAGE-INTEGRITY-SHA256 request: verifies");
    is_int(meet_stun_binding_request_check(&msg, S(UFRAG), S(PWD), &res),
           MEET_STUN_CHECK_OK, "MESSAGE-INTEGRITY-SHA256 request: accepted");
    ok(res.sha256, "MESSAGE-INTEGRITY-SHA256 request: noted");

    {
        u_char              ans[MEET_STUN_ANSWER_MAX];
        size_t              len;
        struct sockaddr_in  a4;

        a4 = sin4("10.1.2.3", 9);
        len = meet_stun_write_answer(ans, sizeof(ans), &msg, &res,
                                     (struct sockaddr *) &a4, S(PWD), NULL);
        answer_ok("SHA256 success", ans, len, tid0, MEET_STUN_SUCCESS, PWD,
                  1, NULL);
    }

    r.key = (const u_char *) "nope";
    r.key_len = 4;
    n = meet_stun_write_request(buf, sizeof(buf), tid0, &r);
    expect("MESSAGE-INTEGRITY-SHA256 wrong", buf, n, MEET_STUN_CHECK_ERROR,
           401, 0);

    /* both: SHA256 decides (RFC 8489 9.1.3), the answer uses it */

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_REQUEST, tid0);
    meet_stun_put_u32(&w, MEET_STUN_ATTR_PRIORITY, 5);
    meet_stun_put_attr(&w, MEET_STUN_ATTR_USERNAME, S(UFRAG ":R"));
    meet_stun_put_integrity(&w, S("not the password"));
    meet_stun_put_integrity_sha256(&w, S(PWD));
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);

    meet_stun_parse(&msg, buf, n);
    ok(msg.integrity && msg.integrity_sha256
       && !meet_stun_check_integrity(&msg, S(PWD))
       && meet_stun_check_integrity_sha256(&msg, S(PWD)),
       "MI (other key) + MI-SHA256: both found");
    expect("MI + MI-SHA256", buf, n, MEET_STUN_CHECK_OK, 0, 0);

    /* MESSAGE-INTEGRITY after MESSAGE-INTEGRITY-SHA256 is ignored */

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_REQUEST, tid0);
    meet_stun_put_attr(&w, MEET_STUN_ATTR_USERNAME, S(UFRAG ":R"));
    meet_stun_put_integrity_sha256(&w, S(PWD));
    meet_stun_put_integrity(&w, S(PWD));
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);
    meet_stun_parse(&msg, buf, n);
    ok(msg.integrity == 0 && msg.integrity_sha256 != 0,
       "MI after MI-SHA256: ignored");

    /* other methods, classes */

    meet_stun_writer_init(&w, buf, sizeof(buf), 0x003, MEET_STUN_REQUEST,
                          tid0);
    meet_stun_put_attr(&w, MEET_STUN_ATTR_USERNAME, S(UFRAG ":R"));
    meet_stun_put_integrity(&w, S(PWD));
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);
    meet_stun_parse(&msg, buf, n);
    is_int(msg.method, 0x003, "Allocate request: method 3");
    expect("Allocate request", buf, n, MEET_STUN_CHECK_DROP, 0, 0);

    meet_stun_writer_init(&w, buf, sizeof(buf), 0x0ff,
                          MEET_STUN_ERROR_RESPONSE, tid0);
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);
    meet_stun_parse(&msg, buf, n);
    ok(msg.method == 0x0ff && msg.class == MEET_STUN_ERROR_RESPONSE
       && buf[0] == 0x03 && buf[1] == 0xff,
       "method 0x0ff, error response: type 0x03ff and back");
    expect("method 0x0ff", buf, n, MEET_STUN_CHECK_DROP, 0, 0);

    /* methods above 0x0ff have a first byte > 3: not STUN (RFC 7983) */

    meet_stun_writer_init(&w, buf, sizeof(buf), 0xfff, MEET_STUN_REQUEST,
                          tid0);
    n = meet_stun_writer_finish(&w);
    ok(n == 20 && buf[0] == 0x3e && buf[1] == 0xef,
       "method 0xfff encodes as 0x3eef");
    is_int(meet_stun_parse(&msg, buf, n), MEET_STUN_NOT_STUN,
           "method 0xfff: not STUN by RFC 7983");

    meet_stun_writer_init(&w, buf, sizeof(buf), MEET_STUN_BINDING,
                          MEET_STUN_INDICATION, tid0);
    meet_stun_put_fingerprint(&w);
    n = meet_stun_writer_finish(&w);
    ok(buf[0] == 0x00 && buf[1] == 0x11, "Binding indication type 0x0011");
    expect("Binding indication", buf, n, MEET_STUN_CHECK_INDICATION, 0, 0);

    buf[n - 1] ^= 1;
    expect("Binding indication, bad FINGERPRINT", buf, n,
           MEET_STUN_CHECK_DROP, 0, 0);

    expect("success response", py_success4, sizeof(py_success4),
           MEET_STUN_CHECK_DROP, 0, 0);
    expect("error response", py_error401, sizeof(py_error401),
           MEET_STUN_CHECK_DROP, 0, 0);

    expect("not STUN", (const u_char *) "\x16\xfe\xfd", 3,
           MEET_STUN_CHECK_DROP, 0, 0);
}


static void
test_split(void)
{
    size_t         len, fl, sl, good;
    u_char        *copy;
    const u_char  *f, *s;
    const char    *u = "abcd:efgh";

    good = 0;

    for (len = 0; len <= 9; len++) {
        copy = malloc(len ? len : 1);
        memcpy(copy, u, len);

        f = s = NULL;
        fl = sl = 99;

        if (len < 5) {
            good += meet_stun_username_split(copy, len, &f, &fl, &s, &sl)
                    == -1;

        } else {
            good += meet_stun_username_split(copy, len, &f, &fl, &s, &sl)
                    == 0
                    && f == copy && fl == 4 && s == copy + 5
                    && sl == len - 5;
        }

        free(copy);
    }

    is_int(good, 10, "split at every length of \"abcd:efgh\"");

    ok(meet_stun_username_split((const u_char *) ":", 1, &f, &fl, &s, &sl)
       == 0 && fl == 0 && sl == 0, "split \":\": two empty parts");
    ok(meet_stun_username_split((const u_char *) "a:b:c", 5, &f, &fl, &s,
                                &sl) == 0 && fl == 1 && sl == 3,
       "split at the first colon");
    ok(meet_stun_username_split((const u_char *) "a:b", 3, NULL, NULL, NULL,
                                NULL) == 0, "split with NULL outputs");
    ok(meet_stun_username_split(NULL, 0, &f, &fl, &s, &sl) == -1,
       "split NULL");
}


/* every prefix of every message: no out-of-bounds, no false OK */

static void
test_every_length(void)
{
    size_t                  i, k, n, bad;
    u_char                 *copy, buf[MEET_STUN_ANSWER_MAX];
    meet_stun_msg_t         msg, req;
    meet_stun_check_t       res;
    meet_stun_request_t     r;
    struct sockaddr_in6     a6;

    static const struct {
        const u_char  *p;
        size_t         n;
    }  vectors[] = {
        { rfc_request, sizeof(rfc_request) },
        { rfc_response4, sizeof(rfc_response4) },
        { rfc_response6, sizeof(rfc_response6) },
        { py_request, sizeof(py_request) },
        { py_error401, sizeof(py_error401) },
    };

    copy = NULL;
    bad = 0;

    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        for (n = 0; n <= vectors[i].n; n++) {
            if ((parse_copy(&msg, &copy, vectors[i].p, n) == MEET_STUN_OK)
                != (n == vectors[i].n))
            {
                bad++;
            }

            meet_stun_binding_request_check(&msg, S(UFRAG), S(PWD), &res);
        }
    }

    free(copy);
    is_int(bad, 0, "every prefix of every vector: only the whole parses");

    /* writers into buffers of every size */

    meet_stun_parse(&req, py_request, sizeof(py_request));
    meet_stun_binding_request_check(&req, S(UFRAG), S(PWD), &res);
    a6 = sin6("2001:db8::1", 40000);

    n = meet_stun_write_answer(buf, sizeof(buf), &req, &res,
                               (struct sockaddr *) &a6, S(PWD), "ngx_meet");
    bad = 0;

    for (k = 0; k <= n; k++) {
        copy = malloc(k ? k : 1);

        if (meet_stun_write_answer(copy, k, &req, &res,
                                   (struct sockaddr *) &a6, S(PWD),
                                   "ngx_meet")
            != (k == n ? n : 0))
        {
            bad++;
        }

        free(copy);
    }

    is_int(bad, 0, "success answer into every size 0..%zu", n);

    r = chrome_request();
    r.software = "ngx_meet test";
    n = meet_stun_write_request(buf, sizeof(buf), tid0, &r);
    bad = 0;

    for (k = 0; k <= n; k++) {
        copy = malloc(k ? k : 1);

        if (meet_stun_write_request(copy, k, tid0, &r) != (k == n ? n : 0)) {
            bad++;
        }

        free(copy);
    }

    is_int(bad, 0, "request into every size 0..%zu", n);

    n = meet_stun_write_error(buf, sizeof(buf), &req, 420, NULL, req.unknown,
                              0, NULL, 0, NULL);
    ok(n > 0, "error writer, no unknown list");
    ok(meet_stun_write_error(buf, sizeof(buf), &req, 299, NULL, NULL, 0,
                             NULL, 0, NULL) == 0, "error code 299 refused");
    ok(meet_stun_write_error(buf, sizeof(buf), &req, 700, NULL, NULL, 0,
                             NULL, 0, NULL) == 0, "error code 700 refused");
}


static void
test_round_trip(void)
{
    int                       i;
    u_char                    buf[512], ans[MEET_STUN_ANSWER_MAX];
    size_t                    n, len;
    socklen_t                 sl;
    meet_stun_msg_t           msg, a;
    meet_stun_check_t         res;
    meet_stun_request_t       r;
    struct sockaddr          *sa;
    struct sockaddr_in        a4, *p4;
    struct sockaddr_in6       a6, m6, *p6;
    struct sockaddr_storage   ss;
    struct sockaddr_un        un;

    a4 = sin4("192.0.2.77", 61000);
    a6 = sin6("2001:db8:ffff::42", 1);
    m6 = sin6("::ffff:192.0.2.77", 61000);

    r = chrome_request();
    r.software = "libwebrtc";
    n = meet_stun_write_request(buf, sizeof(buf), tid0, &r);
    ok(n > 0, "round trip: request written (%zu bytes)", n);

    is_int(meet_stun_parse(&msg, buf, n), MEET_STUN_OK,
           "round trip: request parses");
    is_int(meet_stun_binding_request_check(&msg, S(UFRAG), S(PWD), &res),
           MEET_STUN_CHECK_OK, "round trip: check OK");
    ok(res.use_candidate && res.controlling && res.priority == r.priority
       && res.tiebreaker == r.tiebreaker,
       "round trip: nomination, controlling, priority, tie-breaker");
    is_mems(res.remote_ufrag, res.remote_ufrag_len, "Rfrg",
           "round trip: remote ufrag");

    for (i = 0; i < 3; i++) {
        sa = (i == 0) ? (struct sockaddr *) &a4
           : (i == 1) ? (struct sockaddr *) &a6 : (struct sockaddr *) &m6;

        len = meet_stun_write_answer(ans, sizeof(ans), &msg, &res, sa,
                                     S(PWD), "ngx_meet");
        answer_ok("round trip answer", ans, len, tid0, MEET_STUN_SUCCESS,
                  PWD, 0, &a);
        is_mems(a.software, a.software_len, "ngx_meet",
               "round trip answer: SOFTWARE");

        ok(meet_stun_xor_mapped_address(&a, &ss, &sl) == 0,
           "round trip answer %d: XOR-MAPPED-ADDRESS", i);

        if (i == 1) {
            p6 = (struct sockaddr_in6 *) &ss;
            ok(sl == sizeof(struct sockaddr_in6)
               && p6->sin6_family == AF_INET6
               && memcmp(&p6->sin6_addr, &a6.sin6_addr, 16) == 0
               && p6->sin6_port == a6.sin6_port,
               "round trip answer: the IPv6 peer");

        } else {
            p4 = (struct sockaddr_in *) &ss;
            ok(sl == sizeof(struct sockaddr_in) && p4->sin_family == AF_INET
               && p4->sin_addr.s_addr == a4.sin_addr.s_addr
               && p4->sin_port == a4.sin_port,
               "round trip answer: the IPv4 peer%s",
               i == 2 ? " (from an IPv4-mapped IPv6 address)" : "");
        }
    }

    memset(&un, 0, sizeof(un));
    un.sun_family = AF_UNIX;
    ok(meet_stun_write_answer(ans, sizeof(ans), &msg, &res,
                              (struct sockaddr *) &un, S(PWD), NULL) == 0,
       "round trip: AF_UNIX peer refused");
    ok(meet_stun_write_answer(ans, sizeof(ans), &msg, &res, NULL, S(PWD),
                              NULL) == 0,
       "round trip: NULL peer refused");

    /* the answer written over the request itself (tid copied first) */

    memcpy(ans, buf, n);
    meet_stun_parse(&msg, ans, n);
    len = meet_stun_write_success(ans, sizeof(ans), &msg,
                                  (struct sockaddr *) &a4, S(PWD), NULL);
    answer_ok("answer in place", ans, len, tid0, MEET_STUN_SUCCESS, PWD, 0,
              NULL);

    /* a request with no attributes at all, and a bare indication */

    memset(&r, 0, sizeof(meet_stun_request_t));
    r.no_fingerprint = 1;
    n = meet_stun_write_request(buf, sizeof(buf), tid0, &r);
    is_int(n, 20, "empty request: 20 bytes");
    expect("empty request", buf, n, MEET_STUN_CHECK_ERROR, 400, 0);

    r.role = 7;
    ok(meet_stun_write_request(buf, sizeof(buf), tid0, &r) == 0,
       "request with role 7 refused");

    is_str(meet_stun_error_reason(487), "Role Conflict", "reason of 487");
    is_str(meet_stun_error_reason(401), "Unauthenticated", "reason of 401");
    is_str(meet_stun_error_reason(599), "Error", "reason of 599");
}


/* answers to our own Binding requests (RFC 7675 consent) */

static void
test_response_check(void)
{
    u_char                buf[512], ans[MEET_STUN_ANSWER_MAX];
    u_char                tid1[MEET_STUN_TID_LEN];
    size_t                n, len;
    const char           *reason;
    meet_stun_msg_t       req, a;
    meet_stun_request_t   r;
    struct sockaddr_in    a4;

    a4 = sin4("192.0.2.77", 61000);

    /* our request, as a lite agent: controlled, the peer's password */

    memset(&r, 0, sizeof(meet_stun_request_t));
    r.username = (const u_char *) "Rfrg:" UFRAG;
    r.username_len = sizeof("Rfrg:" UFRAG) - 1;
    r.key = (const u_char *) "TheirPasswordIsLongEnough";
    r.key_len = sizeof("TheirPasswordIsLongEnough") - 1;
    r.priority = 0x7effffff;
    r.role = MEET_STUN_ROLE_CONTROLLED;
    r.tiebreaker = 42;

    n = meet_stun_write_request(buf, sizeof(buf), tid0, &r);
    is_int(meet_stun_parse(&req, buf, n), MEET_STUN_OK,
           "consent request parses");

    /* the peer answers with its password */

    len = meet_stun_write_success(ans, sizeof(ans), &req,
                                  (struct sockaddr *) &a4,
                                  S("TheirPasswordIsLongEnough"), NULL);
    meet_stun_parse(&a, ans, len);
    is_int(meet_stun_binding_response_check(&a, tid0,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_OK, "success answer: OK (%s)", reason);

    memcpy(tid1, tid0, MEET_STUN_TID_LEN);
    tid1[11] ^= 1;
    is_int(meet_stun_binding_response_check(&a, tid1,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_DROP, "another transaction id: dropped");
    is_str(reason, "a response to no request of ours", "... reason");
    is_int(meet_stun_binding_response_check(&a, NULL,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_DROP, "no transaction id: dropped");
    is_int(meet_stun_binding_response_check(&a, tid0, S(PWD), &reason),
           MEET_STUN_RESPONSE_DROP, "signed with another password: dropped");
    is_str(reason, "wrong MESSAGE-INTEGRITY", "... reason");
    is_int(meet_stun_binding_response_check(&a, tid0, NULL, 0, &reason),
           MEET_STUN_RESPONSE_DROP, "no password to check with: dropped");

    /* a request is not an answer, even with our transaction id */
    is_int(meet_stun_binding_response_check(&req, tid0,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_DROP, "a request: dropped");

    /* no MESSAGE-INTEGRITY */
    len = meet_stun_write_success(ans, sizeof(ans), &req,
                                  (struct sockaddr *) &a4, NULL, 0, NULL);
    meet_stun_parse(&a, ans, len);
    is_int(meet_stun_binding_response_check(&a, tid0,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_DROP, "unsigned success: dropped");
    is_str(reason, "no MESSAGE-INTEGRITY", "... reason");

    /* a broken FINGERPRINT, then none */
    len = meet_stun_write_success(ans, sizeof(ans), &req,
                                  (struct sockaddr *) &a4,
                                  S("TheirPasswordIsLongEnough"), NULL);
    ans[len - 1] ^= 1;
    meet_stun_parse(&a, ans, len);
    is_int(meet_stun_binding_response_check(&a, tid0,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_DROP, "wrong FINGERPRINT: dropped");

    len -= 8;
    ans[3] = (u_char) (len - MEET_STUN_HEADER_LEN);
    meet_stun_parse(&a, ans, len);
    is_int(meet_stun_binding_response_check(&a, tid0,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_DROP, "no FINGERPRINT: dropped");
    is_str(reason, "no FINGERPRINT", "... reason");

    /* an authentic error answer, and an unsigned one */
    len = meet_stun_write_error(ans, sizeof(ans), &req, 487, NULL, NULL, 0,
                                S("TheirPasswordIsLongEnough"), NULL);
    meet_stun_parse(&a, ans, len);
    is_int(meet_stun_binding_response_check(&a, tid0,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_ERROR, "signed 487: an error answer");
    is_int(a.error_code, 487, "... its code");

    len = meet_stun_write_error(ans, sizeof(ans), &req, 401, NULL, NULL, 0,
                                NULL, 0, NULL);
    meet_stun_parse(&a, ans, len);
    is_int(meet_stun_binding_response_check(&a, tid0,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_DROP, "unsigned 401: dropped");

    /* MESSAGE-INTEGRITY-SHA256 answers a SHA-256 request */
    r.sha256 = 1;
    n = meet_stun_write_request(buf, sizeof(buf), tid0, &r);
    meet_stun_parse(&req, buf, n);
    len = meet_stun_write_success(ans, sizeof(ans), &req,
                                  (struct sockaddr *) &a4,
                                  S("TheirPasswordIsLongEnough"), NULL);
    meet_stun_parse(&a, ans, len);
    ok(a.integrity_sha256 && a.integrity == 0, "SHA-256 answer written");
    is_int(meet_stun_binding_response_check(&a, tid0,
               S("TheirPasswordIsLongEnough"), &reason),
           MEET_STUN_RESPONSE_OK, "SHA-256 success answer: OK");
    is_int(meet_stun_binding_response_check(&a, tid0, S(PWD), &reason),
           MEET_STUN_RESPONSE_DROP, "SHA-256, another password: dropped");

    /* RFC 5769 2.2: the sample IPv4 response, with its password */
    meet_stun_parse(&a, rfc_response4, sizeof(rfc_response4));
    is_int(meet_stun_binding_response_check(&a, a.tid, S(RFC_PWD), &reason),
           MEET_STUN_RESPONSE_OK, "RFC 5769 IPv4 response: OK");
    is_int(meet_stun_binding_response_check(&a, tid0, S(RFC_PWD), &reason),
           MEET_STUN_RESPONSE_DROP, "RFC 5769 response, not ours: dropped");

    /* garbage */
    meet_stun_parse(&a, (const u_char *) "\x01\x01", 2);
    is_int(meet_stun_binding_response_check(&a, tid0, S(RFC_PWD), &reason),
           MEET_STUN_RESPONSE_DROP, "two bytes: dropped");
    ok(reason != NULL, "... with a reason");
}


int
main(void)
{
    test_is_stun();
    test_rfc5769_request();
    test_rfc5769_responses();
    test_independent();
    test_parse_errors();
    test_check_errors();
    test_split();
    test_every_length();
    test_round_trip();
    test_response_check();

    return done_testing();
}
