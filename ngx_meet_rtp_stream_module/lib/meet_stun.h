
/*
 * Copyright (C) ngx_meet authors
 *
 * STUN for the server side of an ICE-lite agent, in plain C: no nginx
 * types, no allocation, no I/O.  Every function accepts any bytes and any
 * lengths without reading or writing outside the ranges it is given;
 * results that refer to message bytes point into the caller's buffer.
 *
 *     RFC 8489  STUN (obsoletes RFC 5389): messages, attributes,
 *               short-term credentials, MESSAGE-INTEGRITY(-SHA256),
 *               FINGERPRINT
 *     RFC 8445  ICE: PRIORITY, USE-CANDIDATE, ICE-CONTROLLING,
 *               ICE-CONTROLLED, USERNAME "ours:theirs", 487
 *     RFC 7983  telling STUN from DTLS and RTP on one port
 *     RFC 5769  test vectors (t/unit/test_stun.c)
 *
 * Answering one datagram that may be STUN (a lite agent only answers):
 *
 *     if (meet_stun_is_stun(p, n)) {
 *         meet_stun_parse(&msg, p, n);
 *
 *         (optional) find the session by our ufrag first:
 *         meet_stun_username_split(msg.username, msg.username_len,
 *                                  &local, &local_len, NULL, NULL);
 *
 *         rc = meet_stun_binding_request_check(&msg, ufrag, ufrag_len,
 *                                              pwd, pwd_len, &res);
 *         MEET_STUN_CHECK_OK:          a valid check: res.use_candidate,
 *                                      res.priority ...; answer it
 *         MEET_STUN_CHECK_ERROR:       answer it (res.error_code)
 *         MEET_STUN_CHECK_INDICATION:  a keepalive; no answer
 *         MEET_STUN_CHECK_DROP:        silently discard
 *                                      (a response: see below)
 *
 *         for OK and ERROR:
 *         len = meet_stun_write_answer(buf, sizeof(buf), &msg, &res,
 *                                      peer_sockaddr, pwd, pwd_len, NULL);
 *     }
 *
 * RFC choices (details at meet_stun_binding_request_check()):
 *   - methods other than Binding are silently discarded (RFC 8489 6.3:
 *     "the method value is a supported method", else discard), as are
 *     responses and messages failing the header or FINGERPRINT checks;
 *   - a request with ICE-CONTROLLED always gets 487 (Role Conflict): a
 *     lite agent is controlled (RFC 8445 6.1.1) and cannot take the
 *     controlling role, and the tie-breaker procedure of 7.3.1.1 is for
 *     full agents; the 487 makes a full peer switch to controlling
 *     (7.2.5.1).
 */


#ifndef _MEET_STUN_H_INCLUDED_
#define _MEET_STUN_H_INCLUDED_


#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>


/* the same type as nginx's u_char (glibc's <sys/types.h>) */
typedef unsigned char  u_char;


#define MEET_STUN_HEADER_LEN              20
#define MEET_STUN_MAGIC_COOKIE            0x2112a442
#define MEET_STUN_TID_LEN                 12
#define MEET_STUN_FINGERPRINT_XOR         0x5354554e

/* methods */
#define MEET_STUN_BINDING                 0x001

/* classes */
#define MEET_STUN_REQUEST                 0
#define MEET_STUN_INDICATION              1
#define MEET_STUN_SUCCESS                 2
#define MEET_STUN_ERROR_RESPONSE          3

/* attributes, comprehension-required (< 0x8000) */
#define MEET_STUN_ATTR_MAPPED_ADDRESS     0x0001
#define MEET_STUN_ATTR_USERNAME           0x0006
#define MEET_STUN_ATTR_MESSAGE_INTEGRITY  0x0008
#define MEET_STUN_ATTR_ERROR_CODE         0x0009
#define MEET_STUN_ATTR_UNKNOWN_ATTRIBUTES 0x000a
#define MEET_STUN_ATTR_REALM              0x0014
#define MEET_STUN_ATTR_NONCE              0x0015
#define MEET_STUN_ATTR_MESSAGE_INTEGRITY_SHA256  0x001c
#define MEET_STUN_ATTR_PASSWORD_ALGORITHM 0x001d
#define MEET_STUN_ATTR_USERHASH           0x001e
#define MEET_STUN_ATTR_XOR_MAPPED_ADDRESS 0x0020
#define MEET_STUN_ATTR_PRIORITY           0x0024
#define MEET_STUN_ATTR_USE_CANDIDATE      0x0025

/* attributes, comprehension-optional (>= 0x8000) */
#define MEET_STUN_ATTR_PASSWORD_ALGORITHMS  0x8002
#define MEET_STUN_ATTR_ALTERNATE_DOMAIN   0x8003
#define MEET_STUN_ATTR_SOFTWARE           0x8022
#define MEET_STUN_ATTR_ALTERNATE_SERVER   0x8023
#define MEET_STUN_ATTR_FINGERPRINT        0x8028
#define MEET_STUN_ATTR_ICE_CONTROLLED     0x8029
#define MEET_STUN_ATTR_ICE_CONTROLLING    0x802a

#define MEET_STUN_ATTR_COMPREHENSION_OPTIONAL(t)  (((t) & 0x8000) != 0)

/* error codes (ERROR-CODE: class * 100 + number) */
#define MEET_STUN_ERR_TRY_ALTERNATE       300
#define MEET_STUN_ERR_BAD_REQUEST         400
#define MEET_STUN_ERR_UNAUTHENTICATED     401   /* "Unauthorized" in 5389 */
#define MEET_STUN_ERR_FORBIDDEN           403
#define MEET_STUN_ERR_UNKNOWN_ATTRIBUTE   420
#define MEET_STUN_ERR_STALE_NONCE         438
#define MEET_STUN_ERR_ROLE_CONFLICT       487
#define MEET_STUN_ERR_SERVER_ERROR        500

/* ICE roles, for meet_stun_request_t */
#define MEET_STUN_ROLE_NONE               0
#define MEET_STUN_ROLE_CONTROLLING        1
#define MEET_STUN_ROLE_CONTROLLED         2

/* results of meet_stun_parse() */
#define MEET_STUN_OK                      0
#define MEET_STUN_NOT_STUN               -1   /* RFC 7983 test failed */
#define MEET_STUN_MALFORMED              -2   /* length, padding, attrs */
#define MEET_STUN_BAD_FINGERPRINT        -3

/* results of meet_stun_binding_request_check() */
#define MEET_STUN_CHECK_OK                0   /* answer with success */
#define MEET_STUN_CHECK_ERROR             1   /* answer with error_code */
#define MEET_STUN_CHECK_INDICATION        2   /* no answer */
#define MEET_STUN_CHECK_DROP              3   /* silently discard */

/* results of meet_stun_binding_response_check() */
#define MEET_STUN_RESPONSE_OK             0   /* success: the peer agrees */
#define MEET_STUN_RESPONSE_ERROR          1   /* an authentic error answer */
#define MEET_STUN_RESPONSE_DROP           2   /* not an authentic answer */

/* unknown comprehension-required attributes kept for a 420 answer */
#define MEET_STUN_MAX_UNKNOWN             16

/* RFC 8489: USERNAME < 509 bytes (RFC 5389: < 513); SOFTWARE,
 * ERROR-CODE reason: < 128 characters, at most 763 bytes */
#define MEET_STUN_MAX_USERNAME            512
#define MEET_STUN_MAX_TEXT                763

#define MEET_STUN_SHA1_LEN                20
#define MEET_STUN_SHA256_LEN              32

/*
 * Room meet_stun_write_answer() needs, with a SOFTWARE value of at most
 * 128 bytes: 20 header, 28 ERROR-CODE, 36 UNKNOWN-ATTRIBUTES (or 24
 * XOR-MAPPED-ADDRESS), 36 MESSAGE-INTEGRITY-SHA256, 8 FINGERPRINT, 132
 * SOFTWARE.
 */
#define MEET_STUN_ANSWER_MAX              264


/* one message, as parsed; offsets count from the start of the message */
typedef struct {
    const u_char             *start;
    size_t                    len;

    const char               *error;        /* why parsing failed */
    int                       status;       /* meet_stun_parse() result */

    uint16_t                  type;         /* the raw message type */
    uint16_t                  method;
    uint16_t                  class;
    const u_char             *tid;          /* 12 bytes, in the message */

    const u_char             *username;     /* USERNAME value */
    size_t                    username_len;
    const u_char             *software;     /* SOFTWARE value */
    size_t                    software_len;

    uint32_t                  priority;     /* PRIORITY */
    uint64_t                  tiebreaker;   /* ICE-CONTROLLING/-CONTROLLED */

    size_t                    integrity;    /* MESSAGE-INTEGRITY, 0: none */
    size_t                    integrity_sha256;     /* 0: none */
    size_t                    integrity_sha256_len; /* 16 to 32 */
    size_t                    fingerprint;  /* FINGERPRINT, 0: none */
    size_t                    xor_mapped;   /* XOR-MAPPED-ADDRESS, 0: none */

    unsigned                  error_code;   /* ERROR-CODE, 0: none */
    const u_char             *error_reason;
    size_t                    error_reason_len;
    const u_char             *unknown_attributes;  /* UNKNOWN-ATTRIBUTES */
    size_t                    unknown_attributes_len;

    /* comprehension-required attributes this code does not know */
    uint16_t                  unknown[MEET_STUN_MAX_UNKNOWN];
    unsigned                  nunknown;

    unsigned                  header_ok:1;  /* method, class, tid valid */
    unsigned                  has_username:1;
    unsigned                  has_priority:1;
    unsigned                  use_candidate:1;
    unsigned                  ice_controlling:1;
    unsigned                  ice_controlled:1;
} meet_stun_msg_t;


/* what meet_stun_binding_request_check() decided */
typedef struct {
    int                       rc;           /* MEET_STUN_CHECK_* */
    unsigned                  error_code;   /* for MEET_STUN_CHECK_ERROR */
    const char               *reason;       /* for logs, never NULL */

    /* MEET_STUN_CHECK_OK */
    uint32_t                  priority;
    uint64_t                  tiebreaker;   /* of ICE-CONTROLLING, or 0 */
    const u_char             *remote_ufrag; /* the peer's part of USERNAME */
    size_t                    remote_ufrag_len;
    unsigned                  use_candidate:1;
    unsigned                  controlling:1;   /* ICE-CONTROLLING present */

    unsigned                  authenticated:1; /* the answer carries
                                                  MESSAGE-INTEGRITY */
    unsigned                  sha256:1;        /* ... -SHA256 */
} meet_stun_check_t;


/* a Binding request to write: meet_stun_write_request() */
typedef struct {
    const u_char             *username;     /* "theirs:ours" (RFC 8445
                                               7.2.2), NULL: none */
    size_t                    username_len;
    const u_char             *key;          /* their password, NULL:
                                               no MESSAGE-INTEGRITY */
    size_t                    key_len;
    uint64_t                  tiebreaker;
    uint32_t                  priority;     /* 0: no PRIORITY */
    unsigned                  role;         /* MEET_STUN_ROLE_* */
    unsigned                  use_candidate:1;
    unsigned                  sha256:1;     /* MESSAGE-INTEGRITY-SHA256
                                               instead */
    unsigned                  no_fingerprint:1;
    const char               *software;     /* NULL: none */
} meet_stun_request_t;


/*
 * Building a message attribute by attribute, for what the writers below
 * do not cover:
 *
 *     meet_stun_writer_init(&w, buf, size, method, class, tid);
 *     meet_stun_put_*(&w, ...);  ...
 *     meet_stun_put_integrity(&w, key, key_len);
 *     meet_stun_put_fingerprint(&w);
 *     len = meet_stun_writer_finish(&w);      0: it did not fit
 *
 * Each put keeps the header length up to date.  Once something did not
 * fit (or an argument was wrong) later puts do nothing and finish returns
 * 0.  Padding bytes are w.pad (0; RFC 5769's vectors use ' ').  buf must
 * not overlap the values passed in, except tid, which is copied first.
 */
typedef struct {
    u_char                   *buf;
    size_t                    size;
    size_t                    len;
    u_char                    pad;
    unsigned                  failed:1;
} meet_stun_writer_t;


/*
 * RFC 7983 demultiplexing plus the magic cookie: first byte 0..3, at
 * least 20 bytes, cookie 0x2112A442.  1 or 0.
 */
int meet_stun_is_stun(const u_char *p, size_t n);

/*
 * Parses a whole message (one datagram, or one RFC 4571 frame).  Always
 * fills msg (msg->status is the result, msg->error says why it failed):
 *
 * MEET_STUN_NOT_STUN     meet_stun_is_stun() failed;
 * MEET_STUN_MALFORMED    the length field is not n - 20 or not a multiple
 *                        of 4 (header_ok == 0), or, with header_ok == 1,
 *                        an attribute overruns the message, a known
 *                        attribute has a wrong length or value, or
 *                        FINGERPRINT is not the last attribute;
 * MEET_STUN_BAD_FINGERPRINT  a FINGERPRINT with the wrong CRC;
 * MEET_STUN_OK.
 *
 * method, class and tid are valid when header_ok is set.  Attributes are
 * walked with their 4-byte padding (any padding value); the first of a
 * repeated attribute counts.  After MESSAGE-INTEGRITY only
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are looked at; after a
 * MESSAGE-INTEGRITY-SHA256 alone, only FINGERPRINT (RFC 8489 14.5, 14.6).
 * Unknown comprehension-required attributes before those go to
 * msg->unknown (the first MEET_STUN_MAX_UNKNOWN distinct types).
 */
int meet_stun_parse(meet_stun_msg_t *msg, const u_char *p, size_t n);

/*
 * MESSAGE-INTEGRITY (HMAC-SHA1 over the message up to the attribute, the
 * length field counting up to its end: RFC 8489 14.5) and
 * MESSAGE-INTEGRITY-SHA256 (HMAC-SHA256, compared over the attribute's
 * 16 to 32 bytes: 14.6), with the short-term key (the ICE password as
 * is).  Constant-time comparison.  1 when present and right, else 0.
 */
int meet_stun_check_integrity(const meet_stun_msg_t *msg, const u_char *key,
    size_t key_len);
int meet_stun_check_integrity_sha256(const meet_stun_msg_t *msg,
    const u_char *key, size_t key_len);

/* FINGERPRINT: 1 when present and right, else 0 (the parser checks it) */
int meet_stun_check_fingerprint(const meet_stun_msg_t *msg);

/*
 * Splits an ICE USERNAME "first:second" at its first colon (ufrags have
 * none).  In a request we receive, first is our ufrag and second theirs
 * (RFC 8445 7.2.2).  0, or -1 without a colon.  Output pointers may be
 * NULL.
 */
int meet_stun_username_split(const u_char *username, size_t len,
    const u_char **first, size_t *first_len, const u_char **second,
    size_t *second_len);

/*
 * ICE-lite server procedure for one parsed message (RFC 8489 6.3, 9.1.3;
 * RFC 8445 7.3, 7.3.2), with our ufrag and password for the session (NULL
 * when the caller found none: 401).  Fills res and returns res->rc:
 *
 * DROP: not STUN, bad header, bad FINGERPRINT, a method other than
 *     Binding, a response, a malformed indication;
 * INDICATION: a Binding indication (an ICE keepalive, RFC 8445 11:
 *     unauthenticated, so it proves nothing);
 * ERROR, in this order:
 *     400  malformed attributes; no USERNAME, no MESSAGE-INTEGRITY(-SHA256)
 *          or no FINGERPRINT (RFC 8445 7.3 requires it);
 *     401  USERNAME is not "ufrag:..." with our ufrag, or the integrity
 *          check fails (MESSAGE-INTEGRITY-SHA256 when present, RFC 8489
 *          9.1.3);
 *     then, authenticated (the answer carries MESSAGE-INTEGRITY):
 *     420  unknown comprehension-required attributes (msg->unknown);
 *     400  both ICE-CONTROLLING and ICE-CONTROLLED;
 *     487  ICE-CONTROLLED: the peer thinks it is controlled too.  A lite
 *          agent is always controlled (RFC 8445 6.1.1) and never sends
 *          checks, so it cannot take the controlling role; role-conflict
 *          repair (7.3.1.1) is a full-implementation procedure.  A 487
 *          tells the peer to switch to controlling (7.2.5.1): it is the
 *          "retain its role" branch of 7.3.1.1, whatever the tie-breaker
 *          (mediasoup does the same);
 *     400  no PRIORITY (RFC 8445 7.1.1: MUST be included);
 * OK: res->priority, res->use_candidate (nominate this pair: 7.3.2),
 *     res->controlling and res->tiebreaker, res->remote_ufrag.
 */
int meet_stun_binding_request_check(const meet_stun_msg_t *msg,
    const u_char *ufrag, size_t ufrag_len, const u_char *pwd, size_t pwd_len,
    meet_stun_check_t *res);

/*
 * The answer to a Binding request of ours (RFC 8489 6.3.3, 7.2.5.2 of
 * RFC 8445; RFC 7675 consent): tid is the request's transaction id, pwd
 * the peer's ICE password (the key of our request).  Returns, with *reason
 * for logs (never NULL):
 *
 * DROP: not parsed, bad FINGERPRINT, not a Binding response, another
 *     transaction id, no FINGERPRINT, no or a wrong
 *     MESSAGE-INTEGRITY(-SHA256) (-SHA256 when present), an unknown
 *     comprehension-required attribute;
 * ERROR: an authentic error response (msg->error_code);
 * OK: an authentic success response.
 */
int meet_stun_binding_response_check(const meet_stun_msg_t *msg,
    const u_char tid[MEET_STUN_TID_LEN], const u_char *pwd, size_t pwd_len,
    const char **reason);

/* the RFC 8489 reason phrase of an error code, "Error" if unknown */
const char *meet_stun_error_reason(unsigned code);


/*
 * Writers.  Each returns the message length, or 0 when buf is too small
 * or an argument is invalid; nothing is written past buf + size.  Every
 * message ends with FINGERPRINT.  A response mirrors the request's
 * transaction id and uses MESSAGE-INTEGRITY-SHA256 instead of
 * MESSAGE-INTEGRITY when the request had it (RFC 8489 9.1.3).  software
 * (NUL-terminated, NULL: none) comes first.  buf must not overlap the
 * request.
 *
 * meet_stun_write_success(): Binding success response with
 *     XOR-MAPPED-ADDRESS of peer (AF_INET, or AF_INET6; an IPv4-mapped
 *     IPv6 address is written as IPv4) and, when key is not NULL,
 *     MESSAGE-INTEGRITY.
 * meet_stun_write_error(): Binding error response with ERROR-CODE (code
 *     300..699, reason NULL: meet_stun_error_reason()), UNKNOWN-ATTRIBUTES
 *     when nunknown > 0, MESSAGE-INTEGRITY when key is not NULL (never
 *     for 400 and 401 answers to requests that did not authenticate).
 * meet_stun_write_answer(): the answer res calls for (OK: success; ERROR:
 *     error with res->error_code, msg->unknown for 420, pwd only when
 *     res->authenticated); 0 for DROP and INDICATION.
 * meet_stun_write_request(): Binding request: SOFTWARE, PRIORITY,
 *     ICE-CONTROLLING/-CONTROLLED, USE-CANDIDATE, USERNAME,
 *     MESSAGE-INTEGRITY(-SHA256), FINGERPRINT (RFC 5769's order).
 */
size_t meet_stun_write_success(u_char *buf, size_t size,
    const meet_stun_msg_t *req, const struct sockaddr *peer,
    const u_char *key, size_t key_len, const char *software);
size_t meet_stun_write_error(u_char *buf, size_t size,
    const meet_stun_msg_t *req, unsigned code, const char *reason,
    const uint16_t *unknown, size_t nunknown, const u_char *key,
    size_t key_len, const char *software);
size_t meet_stun_write_answer(u_char *buf, size_t size,
    const meet_stun_msg_t *req, const meet_stun_check_t *res,
    const struct sockaddr *peer, const u_char *pwd, size_t pwd_len,
    const char *software);
size_t meet_stun_write_request(u_char *buf, size_t size,
    const u_char tid[MEET_STUN_TID_LEN], const meet_stun_request_t *r);

/*
 * XOR-MAPPED-ADDRESS of a parsed message as a sockaddr_in or
 * sockaddr_in6 in *ss (its length in *len, which may be NULL).  0, or -1
 * when the message has none.
 */
int meet_stun_xor_mapped_address(const meet_stun_msg_t *msg,
    struct sockaddr_storage *ss, socklen_t *len);

/* the message builder (see meet_stun_writer_t) */
void meet_stun_writer_init(meet_stun_writer_t *w, u_char *buf, size_t size,
    unsigned method, unsigned cls, const u_char *tid);
void meet_stun_put_attr(meet_stun_writer_t *w, unsigned type,
    const void *value, size_t len);
void meet_stun_put_u32(meet_stun_writer_t *w, unsigned type, uint32_t v);
void meet_stun_put_u64(meet_stun_writer_t *w, unsigned type, uint64_t v);
void meet_stun_put_xor_address(meet_stun_writer_t *w,
    const struct sockaddr *sa);
void meet_stun_put_error_code(meet_stun_writer_t *w, unsigned code,
    const char *reason);
void meet_stun_put_unknown(meet_stun_writer_t *w, const uint16_t *types,
    size_t n);
void meet_stun_put_integrity(meet_stun_writer_t *w, const u_char *key,
    size_t key_len);
void meet_stun_put_integrity_sha256(meet_stun_writer_t *w,
    const u_char *key, size_t key_len);
void meet_stun_put_fingerprint(meet_stun_writer_t *w);
size_t meet_stun_writer_finish(meet_stun_writer_t *w);


#endif /* _MEET_STUN_H_INCLUDED_ */
