/* sources: ngx_meet_signal_module/lib/meet_ws.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the RFC 6455 framing library (meet_ws.c).
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "meet_ws.h"


#define E_PROTO    (-MEET_WS_CLOSE_PROTOCOL_ERROR)
#define E_BIG      (-MEET_WS_CLOSE_TOO_BIG)
#define E_DATA     (-MEET_WS_CLOSE_INVALID_DATA)
#define NOLIMIT    UINT64_MAX


static const u_char  mask_rfc[4] = { 0x37, 0xfa, 0x21, 0x3d };


/* deterministic pseudo-random bytes (xorshift32) */

static uint32_t  rnd_state = 2463534242u;

static uint32_t
rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}


/*
 * Builds a client frame (masked unless "unmasked"): returns its length.
 * "b0" is the whole first byte (FIN, RSV, opcode); "lenform" forces the
 * 7-bit (0), 16-bit (2) or 64-bit (8) length form, -1 picks the minimal.
 */

static size_t
mkframe(u_char *out, u_char b0, const u_char *payload, size_t n,
    const u_char mask[4], int unmasked, int lenform)
{
    size_t  h, i;

    h = 0;
    out[h++] = b0;

    if (lenform < 0) {
        lenform = (n < 126) ? 0 : (n <= 0xffff) ? 2 : 8;
    }

    if (lenform == 0) {
        out[h++] = (unmasked ? 0 : 0x80) | (u_char) n;

    } else if (lenform == 2) {
        out[h++] = (unmasked ? 0 : 0x80) | 126;
        out[h++] = (u_char) (n >> 8);
        out[h++] = (u_char) n;

    } else {
        out[h++] = (unmasked ? 0 : 0x80) | 127;

        for (i = 0; i < 8; i++) {
            out[h++] = (u_char) ((uint64_t) n >> (56 - 8 * i));
        }
    }

    if (!unmasked) {
        memcpy(out + h, mask, 4);
        h += 4;
    }

    for (i = 0; i < n; i++) {
        out[h + i] = payload[i] ^ (unmasked ? 0 : mask[i & 3]);
    }

    return h + n;
}


/*
 * A model of the receiving side of a connection, as the nginx module will
 * do it: bytes arrive in chunks of "chunk" bytes into a buffer; headers are
 * parsed when complete, payload is passed on piece by piece as it arrives.
 * Complete messages are appended to "sink" as "M<length>:<payload>|", pings
 * as "P:<payload>|", pongs as "O:<payload>|", close frames as
 * "C<code>:<reason>|".  Returns 0 when
 * every byte was consumed, a negative close code on error, or 1 when the
 * input stopped inside a frame.
 */

typedef struct {
    u_char    msgs[4096];
    size_t    len;
} sink_t;


static void
sink_add(sink_t *s, const void *p, size_t n)
{
    if (s->len + n <= sizeof(s->msgs)) {
        memcpy(s->msgs + s->len, p, n);
        s->len += n;
    }
}


static int
run_stream(const u_char *in, size_t inlen, size_t chunk, uint64_t max_frame,
    uint64_t max_message, sink_t *sink)
{
    int               rc, in_frame;
    char              tmp[32];
    u_char            buf[70000], ctl[MEET_WS_MAX_CONTROL];
    u_char            msg[70000];
    size_t            have, fed, n, msglen, ctllen, reason_len;
    unsigned          code;
    uint64_t          off;
    const u_char     *reason;
    meet_ws_frame_t   f;
    meet_ws_state_t   st;

    meet_ws_state_init(&st, max_frame, max_message);
    sink->len = 0;
    have = 0;
    fed = 0;
    in_frame = 0;
    off = 0;
    msglen = 0;
    ctllen = 0;
    memset(&f, 0, sizeof(f));

    for ( ;; ) {

        if (have == 0 || (!in_frame && have < MEET_WS_MAX_HEADER)) {
            if (fed == inlen) {
                if (have == 0 && !in_frame) {
                    return 0;
                }

                if (!in_frame) {
                    rc = meet_ws_parse_header(&f, buf, have, max_frame);

                    if (rc < 0) {
                        return rc;
                    }

                    if (rc == 0) {
                        return 1;
                    }

                } else {
                    return 1;
                }

            } else {
                n = inlen - fed;
                n = n < chunk ? n : chunk;
                n = n < sizeof(buf) - have ? n : sizeof(buf) - have;
                memcpy(buf + have, in + fed, n);
                have += n;
                fed += n;
            }
        }

        if (!in_frame) {
            rc = meet_ws_parse_header(&f, buf, have, max_frame);

            if (rc < 0) {
                return rc;
            }

            if (rc == 0) {
                if (fed == inlen) {
                    return 1;
                }

                continue;
            }

            memmove(buf, buf + rc, have - rc);
            have -= rc;

            rc = meet_ws_frame_begin(&st, &f);

            if (rc < 0) {
                return rc;
            }

            in_frame = 1;
            off = 0;
            ctllen = 0;
        }

        /* payload bytes present in the buffer */

        n = have;

        if (n > f.payload_len - off) {
            n = (size_t) (f.payload_len - off);
        }

        if (n) {
            rc = meet_ws_frame_data(&st, &f, buf, n, off);

            if (rc < 0) {
                return rc;
            }

            if (MEET_WS_OP_IS_CONTROL(f.opcode)) {
                memcpy(ctl + ctllen, buf, n);
                ctllen += n;

            } else if (msglen + n <= sizeof(msg)) {
                memcpy(msg + msglen, buf, n);
                msglen += n;
            }

            memmove(buf, buf + n, have - n);
            have -= n;
            off += n;
        }

        if (off < f.payload_len) {
            if (fed == inlen) {
                return 1;
            }

            n = inlen - fed;
            n = n < chunk ? n : chunk;
            n = n < sizeof(buf) - have ? n : sizeof(buf) - have;
            memcpy(buf + have, in + fed, n);
            have += n;
            fed += n;
            continue;
        }

        rc = meet_ws_frame_end(&st, &f);

        if (rc < 0) {
            return rc;
        }

        in_frame = 0;

        if (f.opcode == MEET_WS_OP_CLOSE) {
            rc = meet_ws_parse_close(ctl, ctllen, &code, &reason,
                                     &reason_len);
            if (rc < 0) {
                return rc;
            }

            snprintf(tmp, sizeof(tmp), "C%u:", code);
            sink_add(sink, tmp, strlen(tmp));
            sink_add(sink, reason, reason_len);
            sink_add(sink, "|", 1);

        } else if (f.opcode == MEET_WS_OP_PING
                   || f.opcode == MEET_WS_OP_PONG)
        {
            sink_add(sink, f.opcode == MEET_WS_OP_PING ? "P:" : "O:", 2);
            sink_add(sink, ctl, ctllen);
            sink_add(sink, "|", 1);

        } else if (f.fin) {
            snprintf(tmp, sizeof(tmp), "M%zu:", msglen);
            sink_add(sink, tmp, strlen(tmp));
            sink_add(sink, msg, msglen);
            sink_add(sink, "|", 1);
            msglen = 0;
        }
    }
}


static void
test_handshake(void)
{
    u_char  out[MEET_WS_ACCEPT_LEN + 1];
    u_char  big[MEET_WS_KEY_MAX + 1];

    memset(out, '!', sizeof(out));
    is_int(meet_ws_accept_key((u_char *) "dGhlIHNhbXBsZSBub25jZQ==", 24, out),
           0, "accept key: rc");
    is_mem(out, MEET_WS_ACCEPT_LEN, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28,
           "accept key: RFC 6455 1.3 example");
    is_int(out[MEET_WS_ACCEPT_LEN], '!', "accept key: writes 28 bytes only");

    memset(big, 'A', sizeof(big));
    is_int(meet_ws_accept_key(big, MEET_WS_KEY_MAX, out), 0,
           "accept key: longest key");
    is_int(meet_ws_accept_key(big, MEET_WS_KEY_MAX + 1, out), -1,
           "accept key: too long");
    is_int(meet_ws_accept_key(NULL, 0, out), 0, "accept key: empty key");
    is_int(meet_ws_accept_key(NULL, 5, out), -1, "accept key: NULL key");

    ok(meet_ws_key_valid((u_char *) "dGhlIHNhbXBsZSBub25jZQ==", 24),
       "key valid: RFC example");
    ok(meet_ws_key_valid((u_char *) "AAAAAAAAAAAAAAAAAAAA+/==", 24),
       "key valid: + and /");
    ok(!meet_ws_key_valid((u_char *) "dGhlIHNhbXBsZSBub25jZQ=", 23),
       "key invalid: 23 chars");
    ok(!meet_ws_key_valid((u_char *) "dGhlIHNhbXBsZSBub25jZQ===", 25),
       "key invalid: 25 chars");
    ok(!meet_ws_key_valid((u_char *) "dGhlIHNhbXBsZSBub25jZQAA", 24),
       "key invalid: no padding (18 bytes)");
    ok(!meet_ws_key_valid((u_char *) "dGhlIHNhbXBsZSBub25jZ===", 24),
       "key invalid: 3 pad chars");
    ok(!meet_ws_key_valid((u_char *) "dGhlIHNhbXBs ZSBub25jZ==", 24),
       "key invalid: space");
    ok(!meet_ws_key_valid((u_char *) "dGhlIHNhbXBs-ZSBub25jZ==", 24),
       "key invalid: url-safe alphabet");
    ok(!meet_ws_key_valid((u_char *) "dGhlIHNhbXBs\0ZSBub25jZ==", 24),
       "key invalid: NUL");
    ok(!meet_ws_key_valid(NULL, 24), "key invalid: NULL");
    ok(!meet_ws_key_valid((u_char *) "", 0), "key invalid: empty");
}


static void
test_rfc_examples(void)
{
    int              rc;
    u_char           b[80000], p[70000];
    size_t           n;
    meet_ws_frame_t  f;
    meet_ws_state_t  st;

    static const u_char  hello_unmasked[] = {
        0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f
    };
    static const u_char  hello_masked[] = {
        0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
    };
    static const u_char  pong_masked[] = {
        0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
    };

    /* 5.7: a single-frame unmasked text message is refused from a client */

    is_int(meet_ws_parse_header(&f, hello_unmasked, sizeof(hello_unmasked),
                                NOLIMIT),
           E_PROTO, "5.7 unmasked \"Hello\": 1002 from a client");

    /* 5.7: a single-frame masked text message */

    memcpy(b, hello_masked, sizeof(hello_masked));
    rc = meet_ws_parse_header(&f, b, sizeof(hello_masked), NOLIMIT);
    is_int(rc, 6, "5.7 masked \"Hello\": header length");
    is_int(f.opcode, MEET_WS_OP_TEXT, "masked \"Hello\": opcode");
    is_int(f.fin, 1, "masked \"Hello\": fin");
    is_int(f.payload_len, 5, "masked \"Hello\": length");
    is_mem(f.mask, 4, mask_rfc, 4, "masked \"Hello\": mask");

    meet_ws_state_init(&st, 1000, 1000);
    is_int(meet_ws_frame_begin(&st, &f), 0, "masked \"Hello\": begin");
    is_int(meet_ws_frame_data(&st, &f, b + rc, 5, 0), 0,
           "masked \"Hello\": data");
    is_mem(b + rc, 5, "Hello", 5, "masked \"Hello\": unmasked payload");
    is_int(meet_ws_frame_end(&st, &f), 0, "masked \"Hello\": end");
    is_int(st.message_op, 0, "masked \"Hello\": message closed");

    /* 5.7: a fragmented unmasked text message, here masked */

    meet_ws_state_init(&st, 1000, 1000);
    n = mkframe(b, 0x01, (u_char *) "Hel", 3, mask_rfc, 0, -1);
    rc = meet_ws_parse_header(&f, b, n, NOLIMIT);
    is_int(rc, 6, "fragmented: first header");
    is_int(f.fin, 0, "fragmented: first fin 0");
    is_int(f.opcode, MEET_WS_OP_TEXT, "fragmented: first opcode text");
    is_int(meet_ws_frame_begin(&st, &f), 0, "fragmented: first begin");
    is_int(meet_ws_frame_data(&st, &f, b + rc, 3, 0), 0,
           "fragmented: first data");
    is_mem(b + rc, 3, "Hel", 3, "fragmented: \"Hel\"");
    is_int(meet_ws_frame_end(&st, &f), 0, "fragmented: first end");
    is_int(st.message_op, MEET_WS_OP_TEXT, "fragmented: message open");

    n = mkframe(b, 0x80, (u_char *) "lo", 2, mask_rfc, 0, -1);
    rc = meet_ws_parse_header(&f, b, n, NOLIMIT);
    is_int(rc, 6, "fragmented: second header");
    is_int(f.opcode, MEET_WS_OP_CONT, "fragmented: continuation");
    is_int(meet_ws_frame_begin(&st, &f), 0, "fragmented: second begin");
    is_int(meet_ws_frame_data(&st, &f, b + rc, 2, 0), 0,
           "fragmented: second data");
    is_mem(b + rc, 2, "lo", 2, "fragmented: \"lo\"");
    is_int(meet_ws_frame_end(&st, &f), 0, "fragmented: second end");
    is_int(st.message_op, 0, "fragmented: message closed");

    /* 5.7: ping (here masked), masked pong */

    n = mkframe(b, 0x89, (u_char *) "Hello", 5, mask_rfc, 0, -1);
    memcpy(p, b, n);
    p[0] = 0x8a;
    is_mem(p, n, pong_masked, sizeof(pong_masked),
           "masked ping and pong differ only in the opcode");
    rc = meet_ws_parse_header(&f, b, n, NOLIMIT);
    is_int(rc, 6, "ping: header");
    is_int(f.opcode, MEET_WS_OP_PING, "ping: opcode");
    rc = meet_ws_parse_header(&f, pong_masked, sizeof(pong_masked), NOLIMIT);
    is_int(rc, 6, "pong: header");
    is_int(f.opcode, MEET_WS_OP_PONG, "pong: opcode");
    is_int(f.payload_len, 5, "pong: length");

    /* 5.7: 256 bytes binary (16-bit length), 64 KiB (64-bit length) */

    for (n = 0; n < 65536; n++) {
        p[n] = (u_char) rnd();
    }

    n = mkframe(b, 0x82, p, 256, mask_rfc, 0, -1);
    is_mem(b, 4, "\x82\xfe\x01\x00", 4, "256 bytes: 16-bit length form");
    rc = meet_ws_parse_header(&f, b, n, NOLIMIT);
    is_int(rc, 8, "256 bytes: header length 8");
    is_int(f.payload_len, 256, "256 bytes: length");
    is_int(f.opcode, MEET_WS_OP_BINARY, "256 bytes: binary");
    meet_ws_state_init(&st, 70000, 70000);
    is_int(meet_ws_frame_begin(&st, &f), 0, "256 bytes: begin");
    is_int(meet_ws_frame_data(&st, &f, b + rc, 256, 0), 0, "256: data");
    is_mem(b + rc, 256, p, 256, "256 bytes: payload");
    is_int(meet_ws_frame_end(&st, &f), 0, "256 bytes: end");

    n = mkframe(b, 0x82, p, 65536, mask_rfc, 0, -1);
    is_mem(b, 10, "\x82\xff\x00\x00\x00\x00\x00\x01\x00\x00", 10,
           "64 KiB: 64-bit length form");
    rc = meet_ws_parse_header(&f, b, n, NOLIMIT);
    is_int(rc, 14, "64 KiB: header length 14");
    is_int(f.payload_len, 65536, "64 KiB: length");
    is_int(meet_ws_frame_begin(&st, &f), 0, "64 KiB: begin");
    is_int(meet_ws_frame_data(&st, &f, b + rc, 65536, 0), 0, "64 KiB: data");
    is_mem(b + rc, 65536, p, 65536, "64 KiB: payload");
    is_int(meet_ws_frame_end(&st, &f), 0, "64 KiB: end");

    /* the same lengths in the unmasked server form */

    is_int(meet_ws_encode_header(b, 10, 1, MEET_WS_OP_TEXT, 5), 2,
           "encode \"Hello\" header: 2 bytes");
    is_mem(b, 2, "\x81\x05", 2, "encode \"Hello\" header");
    is_int(meet_ws_encode_header(b, 10, 0, MEET_WS_OP_TEXT, 3), 2,
           "encode first fragment");
    is_mem(b, 2, "\x01\x03", 2, "encode first fragment bytes");
    is_int(meet_ws_encode_header(b, 10, 1, MEET_WS_OP_CONT, 2), 2,
           "encode last fragment");
    is_mem(b, 2, "\x80\x02", 2, "encode last fragment bytes");
    is_int(meet_ws_encode_header(b, 10, 1, MEET_WS_OP_PING, 5), 2,
           "encode ping");
    is_mem(b, 2, "\x89\x05", 2, "encode ping bytes");
    is_int(meet_ws_encode_header(b, 10, 1, MEET_WS_OP_BINARY, 256), 4,
           "encode 256: 4 bytes");
    is_mem(b, 4, "\x82\x7e\x01\x00", 4, "encode 256 bytes");
    is_int(meet_ws_encode_header(b, 10, 1, MEET_WS_OP_BINARY, 65536), 10,
           "encode 64 KiB: 10 bytes");
    is_mem(b, 10, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10,
           "encode 64 KiB bytes");
}


typedef struct {
    const char  *name;
    u_char       bytes[16];
    size_t       len;
    uint64_t     max_frame;
    int          rc;
} hdr_case_t;


static void
test_header_errors(void)
{
    int              rc, want;
    size_t           i, k;
    u_char           b[16];
    unsigned         op;
    meet_ws_frame_t  f;

    static const hdr_case_t  cases[] = {
        { "RSV1", { 0xc1, 0x80, 1, 2, 3, 4 }, 6, NOLIMIT, E_PROTO },
        { "RSV2", { 0xa1, 0x80, 1, 2, 3, 4 }, 6, NOLIMIT, E_PROTO },
        { "RSV3", { 0x91, 0x80, 1, 2, 3, 4 }, 6, NOLIMIT, E_PROTO },
        { "RSV all", { 0xf2, 0x80, 1, 2, 3, 4 }, 6, NOLIMIT, E_PROTO },
        { "unmasked text", { 0x81, 0x00 }, 2, NOLIMIT, E_PROTO },
        { "unmasked 16-bit", { 0x82, 0x7e, 0x01, 0x00 }, 4, NOLIMIT,
          E_PROTO },
        { "unmasked close", { 0x88, 0x00 }, 2, NOLIMIT, E_PROTO },
        { "ping fin 0", { 0x09, 0x80, 1, 2, 3, 4 }, 6, NOLIMIT, E_PROTO },
        { "close fin 0", { 0x08, 0x80, 1, 2, 3, 4 }, 6, NOLIMIT, E_PROTO },
        { "pong fin 0", { 0x0a, 0x80, 1, 2, 3, 4 }, 6, NOLIMIT, E_PROTO },
        { "ping 126 (16-bit form)", { 0x89, 0xfe, 0x00, 0x7e, 1, 2, 3, 4 },
          8, NOLIMIT, E_PROTO },
        { "ping 125 in 16-bit form", { 0x89, 0xfe, 0x00, 0x7d, 1, 2, 3, 4 },
          8, NOLIMIT, E_PROTO },
        { "close 64-bit form", { 0x88, 0xff, 0, 0, 0, 0, 0, 0, 0, 2,
          1, 2, 3, 4 }, 14, NOLIMIT, E_PROTO },
        { "64-bit length, top bit", { 0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 1,
          1, 2, 3, 4 }, 14, NOLIMIT, E_PROTO },
        { "64-bit length, all ones", { 0x82, 0xff, 0xff, 0xff, 0xff, 0xff,
          0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4 }, 14, NOLIMIT, E_PROTO },
        { "7-bit > max_frame", { 0x82, 0x8b, 1, 2, 3, 4 }, 6, 10, E_BIG },
        { "16-bit > max_frame", { 0x82, 0xfe, 0x01, 0x00, 1, 2, 3, 4 }, 8,
          255, E_BIG },
        { "64-bit > max_frame", { 0x82, 0xff, 0, 0, 0, 1, 0, 0, 0, 0,
          1, 2, 3, 4 }, 14, 0xffffffff, E_BIG },
        { "64-bit 2^63-1 > max_frame", { 0x82, 0xff, 0x7f, 0xff, 0xff, 0xff,
          0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4 }, 14, 1 << 20, E_BIG },
        { "ping > max_frame", { 0x89, 0x85, 1, 2, 3, 4 }, 6, 4, E_BIG },
        { "continuation > max_frame", { 0x00, 0x82, 1, 2, 3, 4 }, 6, 1,
          E_BIG },
        { "0 bytes with max_frame 0", { 0x82, 0x80, 1, 2, 3, 4 }, 6, 0, 6 },
        { "= max_frame", { 0x82, 0x8a, 1, 2, 3, 4 }, 6, 10, 6 },
        { "16-bit = max_frame", { 0x82, 0xfe, 0x01, 0x00, 1, 2, 3, 4 }, 8,
          256, 8 },
        { "64-bit 2^63-1, no limit", { 0x82, 0xff, 0x7f, 0xff, 0xff, 0xff,
          0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4 }, 14, NOLIMIT, 14 },
        { "ping 125", { 0x89, 0xfd, 1, 2, 3, 4 }, 6, NOLIMIT, 6 },
        { "non-minimal 16-bit length accepted",
          { 0x82, 0xfe, 0x00, 0x05, 1, 2, 3, 4 }, 8, NOLIMIT, 8 },
        { "non-minimal 64-bit length accepted",
          { 0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4 }, 14, NOLIMIT,
          14 },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        rc = meet_ws_parse_header(&f, cases[i].bytes, cases[i].len,
                                  cases[i].max_frame);
        is_int(rc, cases[i].rc, "header %s", cases[i].name);

        /* every prefix: need more bytes, or the same error */

        for (k = 0; k < cases[i].len; k++) {
            rc = meet_ws_parse_header(&f, cases[i].bytes, k,
                                      cases[i].max_frame);
            if (rc != 0 && (cases[i].rc > 0 || rc != cases[i].rc)) {
                break;
            }
        }

        is_int(k, cases[i].len, "header %s: every prefix 0 or the error",
               cases[i].name);
    }

    /* every opcode */

    for (op = 0; op < 16; op++) {
        b[0] = 0x80 | op;
        b[1] = 0x80;
        memcpy(b + 2, mask_rfc, 4);

        want = (op <= 2 || (op >= 8 && op <= 10)) ? 6 : E_PROTO;
        is_int(meet_ws_parse_header(&f, b, 6, NOLIMIT), want,
               "opcode 0x%x", op);

        if (want == E_PROTO) {
            is_int(meet_ws_parse_header(&f, b, 1, NOLIMIT), E_PROTO,
                   "opcode 0x%x: refused from the first byte", op);
        }
    }

    /* every control payload length in the 7-bit form */

    for (k = 0; k < 128; k++) {
        b[0] = 0x89;
        b[1] = 0x80 | (u_char) k;
        memcpy(b + 2, mask_rfc, 4);

        rc = meet_ws_parse_header(&f, b, 14, NOLIMIT);

        if (k <= 125 ? rc != 6 : rc != E_PROTO) {
            break;
        }
    }

    is_int(k, 128, "ping lengths 0-125 accepted, 126/127 refused");

    /* hostile: NULL, zero lengths */

    is_int(meet_ws_parse_header(&f, NULL, 0, NOLIMIT), 0, "NULL buffer");
    is_int(meet_ws_parse_header(&f, NULL, 10, NOLIMIT), 0,
           "NULL buffer, length 10");
    is_int(meet_ws_parse_header(&f, b, 0, NOLIMIT), 0, "zero length");
    is_int(meet_ws_parse_header(NULL, b, 6, NOLIMIT),
           -MEET_WS_CLOSE_INTERNAL, "NULL frame");
}


static void
test_split_headers(void)
{
    int              rc, bad;
    u_char           b[200000], p[70000];
    size_t           i, k, n, hlen;
    meet_ws_frame_t  f, g;

    static const struct {
        u_char  b0;
        size_t  len;
        int     form;
    } frames[] = {
        { 0x81, 0, -1 }, { 0x81, 5, -1 }, { 0x82, 125, -1 },
        { 0x82, 126, -1 }, { 0x02, 127, -1 }, { 0x80, 65535, -1 },
        { 0x82, 65536, -1 }, { 0x89, 0, -1 }, { 0x8a, 125, -1 },
        { 0x88, 2, -1 }, { 0x00, 7, 2 }, { 0x82, 7, 8 },
    };

    for (i = 0; i < sizeof(p); i++) {
        p[i] = (u_char) rnd();
    }

    for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
        n = mkframe(b, frames[i].b0, p, frames[i].len, mask_rfc, 0,
                    frames[i].form);
        memcpy(b + n, b, n);    /* a second frame behind */

        hlen = n - frames[i].len;
        bad = 0;

        for (k = 0; k < hlen; k++) {
            memset(&g, 0xee, sizeof(g));
            rc = meet_ws_parse_header(&g, b, k, frames[i].len);

            if (rc != 0) {
                diag("prefix %zu: rc %d", k, rc);
                bad++;
            }
        }

        is_int(bad, 0, "frame 0x%02x len %zu: every prefix of the header "
               "needs more", frames[i].b0, frames[i].len);

        bad = 0;

        for (k = hlen; k <= n + 3 && k <= 2 * n; k++) {
            memset(&f, 0, sizeof(f));
            rc = meet_ws_parse_header(&f, b, k, frames[i].len);

            if (rc != (int) hlen || f.payload_len != frames[i].len
                || f.opcode != (frames[i].b0 & 0x0f)
                || f.fin != (frames[i].b0 >> 7)
                || f.header_len != hlen
                || memcmp(f.mask, mask_rfc, 4) != 0)
            {
                bad++;
            }
        }

        is_int(bad, 0, "frame 0x%02x len %zu: same result with more bytes",
               frames[i].b0, frames[i].len);

        /* max_frame one less */

        if (frames[i].len > 0) {
            is_int(meet_ws_parse_header(&f, b, n, frames[i].len - 1), E_BIG,
                   "frame 0x%02x len %zu: max_frame - 1 is 1009",
                   frames[i].b0, frames[i].len);
        }
    }
}


static void
test_stream(void)
{
    int      rc, bad;
    u_char   in[2000], p[300];
    size_t   n, chunk, i;
    sink_t   sink, ref;

    static const char  expect[] =
        "P:ping1|M8:Hello, w|M0:|O:|M300:";

    for (i = 0; i < sizeof(p); i++) {
        p[i] = (u_char) ('a' + i % 26);
    }

    /* text "Hel" ping "lo, " "w" (64-bit length form, zero mask) | empty
     * text | 300 bytes binary in 3 fragments, a pong between | close 1000
     * "bye" */

    n = 0;
    n += mkframe(in + n, 0x01, (u_char *) "Hel", 3, mask_rfc, 0, -1);
    n += mkframe(in + n, 0x89, (u_char *) "ping1", 5, mask_rfc, 0, -1);
    n += mkframe(in + n, 0x00, (u_char *) "lo, ", 4, mask_rfc, 0, -1);
    n += mkframe(in + n, 0x80, (u_char *) "w", 1, (u_char *) "\0\0\0\0", 0,
                 8);
    n += mkframe(in + n, 0x81, (u_char *) "", 0, mask_rfc, 0, -1);
    n += mkframe(in + n, 0x02, p, 100, (u_char *) "\x01\x02\x03\x04", 0, -1);
    n += mkframe(in + n, 0x00, p + 100, 150, mask_rfc, 0, -1);
    n += mkframe(in + n, 0x8a, (u_char *) "", 0, mask_rfc, 0, -1);
    n += mkframe(in + n, 0x80, p + 250, 50, mask_rfc, 0, 2);
    n += mkframe(in + n, 0x88, (u_char *) "\x03\xe8" "bye", 5, mask_rfc, 0,
                 -1);

    rc = run_stream(in, n, n, 1000, 1000, &ref);
    is_int(rc, 0, "stream in one piece: consumed");
    ok(ref.len == sizeof(expect) - 1 + 300 + 11
       && memcmp(ref.msgs, expect, sizeof(expect) - 1) == 0,
       "stream in one piece: messages, ping and pong between fragments");
    ok(ref.len >= sizeof(expect) - 1 + 300
       && memcmp(ref.msgs + sizeof(expect) - 1, p, 300) == 0,
       "stream in one piece: binary payload");
    ok(ref.len == sizeof(expect) - 1 + 300 + 11
       && memcmp(ref.msgs + sizeof(expect) - 1 + 300, "|C1000:bye|", 11)
          == 0,
       "stream in one piece: close");

    bad = 0;

    for (chunk = 1; chunk < n; chunk++) {
        rc = run_stream(in, n, chunk, 1000, 1000, &sink);

        if (rc != 0 || sink.len != ref.len
            || memcmp(sink.msgs, ref.msgs, ref.len) != 0)
        {
            diag("chunk %zu: rc %d", chunk, rc);
            bad++;
        }
    }

    is_int(bad, 0, "stream in chunks of every size: same messages");

    /* stopped at every byte: never an error, "inside a frame" */

    bad = 0;

    for (i = 1; i < n; i++) {
        rc = run_stream(in, i, 7, 1000, 1000, &sink);

        if (rc < 0) {
            bad++;
        }
    }

    is_int(bad, 0, "stream cut at every byte: no error");

    /* limits */

    is_int(run_stream(in, n, 5, 1000, 299, &sink), E_BIG,
           "stream: message of 300 > max_message 299");
    is_int(run_stream(in, n, 5, 1000, 300, &sink), 0,
           "stream: message of 300 = max_message");
    is_int(run_stream(in, n, 5, 149, 1000, &sink), E_BIG,
           "stream: frame of 150 > max_frame 149");
}


static void
test_sequencing(void)
{
    u_char           b[64];
    meet_ws_frame_t  f;
    meet_ws_state_t  st;

#define FRAME(b0, len)                                                        \
    (memset(&f, 0, sizeof(f)), f.fin = (b0) >> 7, f.opcode = (b0) & 0x0f,     \
     f.payload_len = (len), &f)

    meet_ws_state_init(&st, 100, 250);

    is_int(meet_ws_frame_begin(&st, FRAME(0x80, 1)), E_PROTO,
           "continuation (fin) without a message: 1002");
    is_int(meet_ws_frame_begin(&st, FRAME(0x00, 1)), E_PROTO,
           "continuation without a message: 1002");

    is_int(meet_ws_frame_begin(&st, FRAME(0x01, 10)), 0, "text fin 0");
    is_int(meet_ws_frame_end(&st, &f), 0, "text fin 0: end");
    is_int(meet_ws_frame_begin(&st, FRAME(0x81, 1)), E_PROTO,
           "text while a message is open: 1002");

    meet_ws_state_init(&st, 100, 250);
    meet_ws_frame_begin(&st, FRAME(0x01, 10));
    meet_ws_frame_end(&st, &f);
    is_int(meet_ws_frame_begin(&st, FRAME(0x02, 1)), E_PROTO,
           "binary while a text message is open: 1002");

    meet_ws_state_init(&st, 100, 250);
    meet_ws_frame_begin(&st, FRAME(0x02, 10));
    meet_ws_frame_end(&st, &f);
    is_int(meet_ws_frame_begin(&st, FRAME(0x81, 1)), E_PROTO,
           "text while a binary message is open: 1002");

    meet_ws_state_init(&st, 100, 250);
    is_int(meet_ws_frame_begin(&st, FRAME(0x02, 100)), 0, "binary 100");
    is_int(meet_ws_frame_end(&st, &f), 0, "binary 100: end");
    is_int(meet_ws_frame_begin(&st, FRAME(0x89, 5)), 0,
           "ping between fragments");
    is_int(meet_ws_frame_end(&st, &f), 0, "ping between fragments: end");
    is_int(st.message_op, MEET_WS_OP_BINARY, "ping keeps the message open");
    is_int(meet_ws_frame_begin(&st, FRAME(0x8a, 0)), 0,
           "pong between fragments");
    meet_ws_frame_end(&st, &f);
    is_int(meet_ws_frame_begin(&st, FRAME(0x88, 2)), 0,
           "close between fragments");
    meet_ws_frame_end(&st, &f);
    is_int(meet_ws_frame_begin(&st, FRAME(0x00, 100)), 0,
           "continuation 100 (200 total)");
    meet_ws_frame_end(&st, &f);
    is_int(meet_ws_frame_begin(&st, FRAME(0x80, 51)), E_BIG,
           "continuation 51 (251 > max_message 250): 1009");

    meet_ws_state_init(&st, 100, 250);
    meet_ws_frame_begin(&st, FRAME(0x02, 100));
    meet_ws_frame_end(&st, &f);
    meet_ws_frame_begin(&st, FRAME(0x00, 100));
    meet_ws_frame_end(&st, &f);
    is_int(meet_ws_frame_begin(&st, FRAME(0x80, 50)), 0,
           "continuation 50 (250 = max_message)");
    is_int(meet_ws_frame_end(&st, &f), 0, "message of 250: end");
    is_int(st.message_op, 0, "message of 250: closed");
    is_int(meet_ws_frame_begin(&st, FRAME(0x80, 0)), E_PROTO,
           "continuation after the message ended: 1002");

    meet_ws_state_init(&st, 100, 250);
    is_int(meet_ws_frame_begin(&st, FRAME(0x82, 101)), E_BIG,
           "frame 101 > max_frame: 1009");
    meet_ws_state_init(&st, 1000, 250);
    is_int(meet_ws_frame_begin(&st, FRAME(0x82, 251)), E_BIG,
           "single frame 251 > max_message: 1009");
    meet_ws_state_init(&st, NOLIMIT, NOLIMIT);
    is_int(meet_ws_frame_begin(&st, FRAME(0x02, (uint64_t) 1 << 62)), 0,
           "no limits: 2^62");
    is_int(meet_ws_frame_begin(&st, FRAME(0x00, (uint64_t) 1 << 62)), 0,
           "no limits: 2^63 total");
    is_int(meet_ws_frame_begin(&st, FRAME(0x00, ((uint64_t) 1 << 63) - 1)),
           0, "no limits: 2^64 - 1 total");
    is_int(meet_ws_frame_begin(&st, FRAME(0x80, 1)), E_BIG,
           "no limits: total would wrap: 1009");

    meet_ws_state_init(&st, 1000, 1000);
    is_int(meet_ws_frame_begin(&st, FRAME(0x09, 0)), E_PROTO,
           "hand-made ping fin 0: 1002");
    is_int(meet_ws_frame_begin(&st, FRAME(0x89, 126)), E_PROTO,
           "hand-made ping 126: 1002");
    is_int(meet_ws_frame_begin(&st, FRAME(0x83, 1)), E_PROTO,
           "hand-made opcode 3: 1002");
    is_int(meet_ws_frame_begin(&st, FRAME(0x8b, 1)), E_PROTO,
           "hand-made opcode 0xb: 1002");
    meet_ws_state_init(&st, 10, 1000);
    is_int(meet_ws_frame_begin(&st, FRAME(0x89, 11)), E_BIG,
           "ping 11 > max_frame 10: 1009");

    /* data outside the payload */

    meet_ws_state_init(&st, 1000, 1000);
    (void) FRAME(0x82, 10);
    meet_ws_frame_begin(&st, &f);
    is_int(meet_ws_frame_data(&st, &f, b, 11, 0), -MEET_WS_CLOSE_INTERNAL,
           "data beyond the payload: 1011");
    is_int(meet_ws_frame_data(&st, &f, b, 1, 10), -MEET_WS_CLOSE_INTERNAL,
           "data at offset = length: 1011");
    is_int(meet_ws_frame_data(&st, &f, b, 2, UINT64_MAX),
           -MEET_WS_CLOSE_INTERNAL, "data at offset 2^64-1: 1011");
    is_int(meet_ws_frame_data(&st, &f, b, 0, 10), 0,
           "no data at offset = length: fine");
    is_int(meet_ws_frame_data(&st, &f, NULL, 1, 0), -MEET_WS_CLOSE_INTERNAL,
           "NULL data: 1011");
    is_int(meet_ws_frame_begin(NULL, &f), -MEET_WS_CLOSE_INTERNAL,
           "NULL state: 1011");

#undef FRAME
}


static void
test_text_frames(void)
{
    u_char           b[64];
    size_t           n;
    meet_ws_frame_t  f;
    meet_ws_state_t  st;

    static const u_char  zero[4] = { 0, 0, 0, 0 };

    /* "κόσμε" split inside a character across fragments */

    meet_ws_state_init(&st, 100, 100);
    n = mkframe(b, 0x01, (u_char *) "\xce\xba\xe1", 3, mask_rfc, 0, -1);
    meet_ws_parse_header(&f, b, n, 100);
    is_int(meet_ws_frame_begin(&st, &f), 0, "text utf-8 split: begin");
    is_int(meet_ws_frame_data(&st, &f, b + 6, 1, 0), 0, "piece 1");
    is_int(meet_ws_frame_data(&st, &f, b + 7, 2, 1), 0, "piece 2");
    is_int(meet_ws_frame_end(&st, &f), 0, "end of fragment inside a char");
    n = mkframe(b, 0x80, (u_char *) "\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 8,
                mask_rfc, 0, -1);
    meet_ws_parse_header(&f, b, n, 100);
    is_int(meet_ws_frame_begin(&st, &f), 0, "continuation: begin");
    is_int(meet_ws_frame_data(&st, &f, b + 6, 8, 0), 0, "continuation: data");
    is_mem(b + 6, 8, "\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 8, "unmasked");
    is_int(meet_ws_frame_end(&st, &f), 0, "valid text message: end");

    /* invalid in the middle: fails at the piece with the bad byte */

    meet_ws_state_init(&st, 100, 100);
    n = mkframe(b, 0x81, (u_char *) "ab\xed\xa0\x80" "cd", 7, mask_rfc, 0,
                -1);
    meet_ws_parse_header(&f, b, n, 100);
    meet_ws_frame_begin(&st, &f);
    is_int(meet_ws_frame_data(&st, &f, b + 6, 3, 0), 0,
           "surrogate: valid so far");
    is_int(meet_ws_frame_data(&st, &f, b + 9, 1, 3), E_DATA,
           "surrogate: 1007 at the second byte (fail fast)");

    /* truncated at the end of the message */

    meet_ws_state_init(&st, 100, 100);
    n = mkframe(b, 0x81, (u_char *) "ab\xf0\x90\x80", 5, mask_rfc, 0, -1);
    meet_ws_parse_header(&f, b, n, 100);
    meet_ws_frame_begin(&st, &f);
    is_int(meet_ws_frame_data(&st, &f, b + 6, 5, 0), 0, "truncated: data");
    is_int(meet_ws_frame_end(&st, &f), E_DATA, "truncated at fin: 1007");

    /* binary is not checked; a ping between text fragments is not text */

    meet_ws_state_init(&st, 100, 100);
    n = mkframe(b, 0x82, (u_char *) "\xff\xfe\xc0", 3, zero, 0, -1);
    meet_ws_parse_header(&f, b, n, 100);
    meet_ws_frame_begin(&st, &f);
    is_int(meet_ws_frame_data(&st, &f, b + 6, 3, 0), 0, "binary: no utf-8");
    is_int(meet_ws_frame_end(&st, &f), 0, "binary: end");

    meet_ws_state_init(&st, 100, 100);
    n = mkframe(b, 0x01, (u_char *) "\xc3", 1, zero, 0, -1);
    meet_ws_parse_header(&f, b, n, 100);
    meet_ws_frame_begin(&st, &f);
    meet_ws_frame_data(&st, &f, b + 6, 1, 0);
    meet_ws_frame_end(&st, &f);
    n = mkframe(b, 0x89, (u_char *) "\xff", 1, zero, 0, -1);
    meet_ws_parse_header(&f, b, n, 100);
    is_int(meet_ws_frame_begin(&st, &f), 0, "ping inside a char: begin");
    is_int(meet_ws_frame_data(&st, &f, b + 6, 1, 0), 0,
           "ping payload is not utf-8 checked");
    is_int(meet_ws_frame_end(&st, &f), 0, "ping: end");
    n = mkframe(b, 0x80, (u_char *) "\xa9", 1, zero, 0, -1);
    meet_ws_parse_header(&f, b, n, 100);
    meet_ws_frame_begin(&st, &f);
    is_int(meet_ws_frame_data(&st, &f, b + 6, 1, 0), 0,
           "character completed after the ping");
    is_int(meet_ws_frame_end(&st, &f), 0, "text \"\\xc3\" ping \"\\xa9\"");
}


static void
test_unmask(void)
{
    int      bad;
    u_char   orig[80], buf[80 + 8], ref[80];
    u_char   mask[4];
    size_t   n, i, k, j, a;
    uint64_t off;

    for (i = 0; i < sizeof(orig); i++) {
        orig[i] = (u_char) rnd();
    }

    for (i = 0; i < 4; i++) {
        mask[i] = (u_char) rnd();
    }

    bad = 0;

    /* every length, offset and alignment against a bytewise reference */

    for (n = 0; n <= 40; n++) {
        for (off = 0; off < 9; off++) {
            for (a = 0; a < 8; a++) {
                for (i = 0; i < n; i++) {
                    ref[i] = orig[i] ^ mask[(off + i) % 4];
                }

                memcpy(buf + a, orig, n);
                meet_ws_unmask(buf + a, n, mask, off);

                if (n && memcmp(buf + a, ref, n) != 0) {
                    bad++;
                }
            }
        }
    }

    is_int(bad, 0, "unmask: every length 0-40, offset 0-8, alignment 0-7");

    /* in pieces at every split point equals in one go */

    bad = 0;

    for (k = 0; k <= 64; k++) {
        for (j = k; j <= 64; j++) {
            memcpy(ref, orig, 64);
            meet_ws_unmask(ref, 64, mask, 0);

            memcpy(buf, orig, 64);
            meet_ws_unmask(buf, k, mask, 0);
            meet_ws_unmask(buf + k, j - k, mask, k);
            meet_ws_unmask(buf + j, 64 - j, mask, j);

            if (memcmp(buf, ref, 64) != 0) {
                bad++;
            }
        }
    }

    is_int(bad, 0, "unmask: three pieces at every split = one piece");

    memcpy(buf, orig, 64);
    meet_ws_unmask(buf, 64, mask, 5);
    meet_ws_unmask(buf, 64, mask, 5);
    is_mem(buf, 64, orig, 64, "unmask twice: identity");

    memcpy(buf, orig, 16);
    meet_ws_unmask(buf, 16, mask, (uint64_t) 0xfffffffffffffffdULL);
    for (i = 0; i < 16; i++) {
        ref[i] = orig[i] ^ mask[(i + 1) % 4];
    }
    is_mem(buf, 16, ref, 16, "unmask: offset wrapping 2^64");

    memcpy(buf, "\x7f\x9f\x4d\x51\x58", 5);
    meet_ws_unmask(buf, 5, mask_rfc, 0);
    is_mem(buf, 5, "Hello", 5, "unmask: RFC 5.7 \"Hello\"");

    memcpy(buf, "\x7f\x9f\x4d\x51\x58", 5);
    meet_ws_unmask(buf, 2, mask_rfc, 0);
    meet_ws_unmask(buf + 2, 3, mask_rfc, 2);
    is_mem(buf, 5, "Hello", 5, "unmask: RFC \"Hello\" in two pieces");

    meet_ws_unmask(NULL, 10, mask_rfc, 0);
    meet_ws_unmask(buf, 0, mask_rfc, 0);
    ok(1, "unmask: NULL and empty do nothing");
}


/* reference UTF-8 check: decode, then range rules */

static int
utf8_ref(const u_char *p, size_t n)
{
    size_t    i, k, len;
    uint32_t  cp, min;

    for (i = 0; i < n; i += len) {
        if (p[i] < 0x80) {
            len = 1;
            continue;

        } else if ((p[i] & 0xe0) == 0xc0) {
            len = 2;
            cp = p[i] & 0x1f;
            min = 0x80;

        } else if ((p[i] & 0xf0) == 0xe0) {
            len = 3;
            cp = p[i] & 0x0f;
            min = 0x800;

        } else if ((p[i] & 0xf8) == 0xf0) {
            len = 4;
            cp = p[i] & 0x07;
            min = 0x10000;

        } else {
            return 0;
        }

        if (i + len > n) {
            return 0;
        }

        for (k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }

            cp = (cp << 6) | (p[i + k] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
    }

    return 1;
}


typedef struct {
    const char  *name;
    const char  *s;
    size_t       len;
    int          valid;
} utf8_case_t;

#define U(name, s, valid)  { name, s, sizeof(s) - 1, valid }


static void
test_utf8(void)
{
    int        bad, whole;
    u_char     b[8];
    size_t     i, k, c;
    uint32_t   st, st2;

    static const utf8_case_t  cases[] = {
        U("empty", "", 1),
        U("ascii", "Hello-World", 1),
        U("kosme (6.2)", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", 1),
        U("U+0000", "\0", 1),
        U("U+007F", "\x7f", 1),
        U("U+0080", "\xc2\x80", 1),
        U("U+07FF", "\xdf\xbf", 1),
        U("U+0800", "\xe0\xa0\x80", 1),
        U("U+D7FF", "\xed\x9f\xbf", 1),
        U("U+E000", "\xee\x80\x80", 1),
        U("U+FFFD", "\xef\xbf\xbd", 1),
        U("U+FFFF", "\xef\xbf\xbf", 1),
        U("U+10000 (4 bytes)", "\xf0\x90\x80\x80", 1),
        U("U+1F600 (4 bytes)", "\xf0\x9f\x98\x80", 1),
        U("U+10FFFF", "\xf4\x8f\xbf\xbf", 1),
        U("lone continuation 80", "\x80", 0),
        U("lone continuation bf", "\xbf", 0),
        U("2 continuations", "\x80\xbf", 0),
        U("overlong / C0 AF", "\xc0\xaf", 0),
        U("overlong NUL C0 80", "\xc0\x80", 0),
        U("overlong C1 BF", "\xc1\xbf", 0),
        U("overlong E0 80 AF", "\xe0\x80\xaf", 0),
        U("overlong E0 9F BF", "\xe0\x9f\xbf", 0),
        U("overlong F0 80 80 AF", "\xf0\x80\x80\xaf", 0),
        U("overlong F0 8F BF BF", "\xf0\x8f\xbf\xbf", 0),
        U("overlong F8 (5 bytes)", "\xf8\x80\x80\x80\xaf", 0),
        U("overlong FC (6 bytes)", "\xfc\x80\x80\x80\x80\xaf", 0),
        U("surrogate D800", "\xed\xa0\x80", 0),
        U("surrogate DB7F", "\xed\xad\xbf", 0),
        U("surrogate DC00", "\xed\xb0\x80", 0),
        U("surrogate DFFF", "\xed\xbf\xbf", 0),
        U("surrogate pair", "\xed\xa0\x80\xed\xb0\x80", 0),
        U("U+110000", "\xf4\x90\x80\x80", 0),
        U("U+13FFFF", "\xf4\xbf\xbf\xbf", 0),
        U("F5", "\xf5\x80\x80\x80", 0),
        U("FE", "\xfe", 0),
        U("FF", "\xff", 0),
        U("truncated 2", "\xc2", 0),
        U("truncated 3/1", "\xe0", 0),
        U("truncated 3/2", "\xe0\xa0", 0),
        U("truncated 4/3", "\xf0\x90\x80", 0),
        U("truncated then ascii", "\xc2" "A", 0),
        U("truncated 4 then ascii", "\xf0\x90\x80" "A", 0),
        U("kosme then bad (6.3)",
          "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"
          "edited", 0),
        U("valid after 8 ascii", "01234567\xc3\xa9", 1),
        U("invalid after 16 ascii", "0123456789abcdef\xff", 0),
        U("Hello-\\xc0\\x80", "Hello-\xc0\x80-World", 0),
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const u_char  *s = (const u_char *) cases[i].s;
        size_t         n = cases[i].len;

        whole = meet_ws_utf8_valid(s, n);
        is_int(whole, cases[i].valid, "utf-8 %s", cases[i].name);
        is_int(utf8_ref(s, n), cases[i].valid, "utf-8 reference: %s",
               cases[i].name);

        /* in two pieces at every split, and byte by byte */

        bad = 0;

        for (k = 0; k <= n; k++) {
            st = meet_ws_utf8(MEET_WS_UTF8_ACCEPT, s, k);
            st = meet_ws_utf8(st, s + k, n - k);

            if ((st == MEET_WS_UTF8_ACCEPT) != cases[i].valid) {
                bad++;
            }
        }

        st = MEET_WS_UTF8_ACCEPT;

        for (k = 0; k < n; k++) {
            st = meet_ws_utf8(st, s + k, 1);
        }

        if ((st == MEET_WS_UTF8_ACCEPT) != cases[i].valid) {
            bad++;
        }

        is_int(bad, 0, "utf-8 %s: same in pieces", cases[i].name);
    }

    /* truncated forms are "inside a character", not rejected */

    st = meet_ws_utf8(MEET_WS_UTF8_ACCEPT, (u_char *) "\xf0\x90\x80", 3);
    ok(st != MEET_WS_UTF8_ACCEPT && st != MEET_WS_UTF8_REJECT,
       "utf-8: truncated 4-byte is pending");
    st = meet_ws_utf8(st, (u_char *) "\x80", 1);
    is_int(st, MEET_WS_UTF8_ACCEPT, "utf-8: and completes");
    st = meet_ws_utf8(MEET_WS_UTF8_REJECT, (u_char *) "a", 1);
    is_int(st, MEET_WS_UTF8_REJECT, "utf-8: reject sticks");
    st = meet_ws_utf8(0x00050000, (u_char *) "a", 1);
    is_int(st, MEET_WS_UTF8_REJECT, "utf-8: garbage state rejects");
    st = meet_ws_utf8(MEET_WS_UTF8_ACCEPT, NULL, 0);
    is_int(st, MEET_WS_UTF8_ACCEPT, "utf-8: NULL, 0");
    st = meet_ws_utf8(MEET_WS_UTF8_ACCEPT, NULL, 3);
    is_int(st, MEET_WS_UTF8_REJECT, "utf-8: NULL, 3");

    /* fail fast: rejected at the first byte that cannot continue */

    st = meet_ws_utf8(MEET_WS_UTF8_ACCEPT, (u_char *) "\xf4", 1);
    st2 = meet_ws_utf8(st, (u_char *) "\x90", 1);
    is_int(st2, MEET_WS_UTF8_REJECT, "utf-8: F4 90 rejected at 2nd byte");
    st = meet_ws_utf8(MEET_WS_UTF8_ACCEPT, (u_char *) "\xe0", 1);
    st2 = meet_ws_utf8(st, (u_char *) "\x9f", 1);
    is_int(st2, MEET_WS_UTF8_REJECT, "utf-8: E0 9F rejected at 2nd byte");

    /* exhaustive: every 1 and 2 byte string, every 3 byte string from a
     * lead byte, 4 byte strings with representative tails */

    bad = 0;

    for (c = 0; c < 0x10000; c++) {
        b[0] = (u_char) (c >> 8);
        b[1] = (u_char) c;

        if (meet_ws_utf8_valid(b, 1) != utf8_ref(b, 1)
            || meet_ws_utf8_valid(b, 2) != utf8_ref(b, 2))
        {
            bad++;
        }
    }

    for (c = 0xc00000; c < 0x1000000; c++) {
        b[0] = (u_char) (c >> 16);
        b[1] = (u_char) (c >> 8);
        b[2] = (u_char) c;

        if (meet_ws_utf8_valid(b, 3) != utf8_ref(b, 3)) {
            bad++;
        }
    }

    for (c = 0xf00000; c < 0xf80000; c++) {
        static const u_char  tails[] = { 0x41, 0x7f, 0x80, 0x8f, 0x90,
                                         0xbf, 0xc0, 0xff };

        b[0] = (u_char) (c >> 16);
        b[1] = (u_char) (c >> 8);
        b[2] = (u_char) c;

        for (k = 0; k < sizeof(tails); k++) {
            b[3] = tails[k];

            if (meet_ws_utf8_valid(b, 4) != utf8_ref(b, 4)) {
                bad++;
            }
        }
    }

    is_int(bad, 0, "utf-8: exhaustive 1-3 bytes, 4 bytes sampled, "
           "matches the reference");
}


static void
test_close(void)
{
    int            rc;
    u_char         b[200];
    size_t         i, rlen;
    unsigned       code;
    const u_char  *reason;

    static const unsigned  valid[] = {
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013,
        1014, 3000, 3999, 4000, 4999
    };
    static const unsigned  invalid[] = {
        0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000,
        65535
    };

    rc = meet_ws_parse_close((u_char *) "", 0, &code, &reason, &rlen);
    is_int(rc, 0, "close: empty payload is fine");
    is_int(code, MEET_WS_CLOSE_NO_STATUS, "close: empty -> 1005");
    is_int(rlen, 0, "close: empty -> no reason");
    is_int(meet_ws_parse_close(NULL, 0, NULL, NULL, NULL), 0,
           "close: NULL, 0, no outputs");

    is_int(meet_ws_parse_close((u_char *) "\x03", 1, &code, NULL, NULL),
           E_PROTO, "close: 1 byte: 1002");

    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        b[0] = (u_char) (valid[i] >> 8);
        b[1] = (u_char) valid[i];
        rc = meet_ws_parse_close(b, 2, &code, &reason, &rlen);
        ok(rc == 0 && code == valid[i] && rlen == 0, "close code %u valid",
           valid[i]);
    }

    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        b[0] = (u_char) (invalid[i] >> 8);
        b[1] = (u_char) invalid[i];
        is_int(meet_ws_parse_close(b, 2, &code, &reason, &rlen), E_PROTO,
               "close code %u: 1002", invalid[i]);
    }

    rc = meet_ws_parse_close((u_char *) "\x03\xe8" "bye \xce\xba", 8, &code,
                             &reason, &rlen);
    is_int(rc, 0, "close 1000 with utf-8 reason");
    is_int(code, 1000, "close 1000: code");
    is_mem(reason, rlen, "bye \xce\xba", 6, "close 1000: reason");

    is_int(meet_ws_parse_close((u_char *) "\x03\xe8" "a\xff", 4, &code, NULL,
                               NULL),
           E_DATA, "close reason not utf-8: 1007");
    is_int(meet_ws_parse_close((u_char *) "\x03\xe8" "\xce", 3, NULL, NULL,
                               NULL),
           E_DATA, "close reason truncated utf-8: 1007");
    is_int(meet_ws_parse_close((u_char *) "\x03\xed" "a\xff", 4, NULL, NULL,
                               NULL),
           E_PROTO, "bad code and bad reason: 1002 first");

    memset(b, 'x', sizeof(b));
    b[0] = 0x03;
    b[1] = 0xe8;
    is_int(meet_ws_parse_close(b, 125, NULL, NULL, NULL), 0,
           "close payload of 125");
    is_int(meet_ws_parse_close(b, 126, NULL, NULL, NULL), E_PROTO,
           "close payload of 126: 1002");
    is_int(meet_ws_parse_close(NULL, 2, NULL, NULL, NULL), E_PROTO,
           "close NULL payload: 1002");

    for (code = 0, i = 0; i < 70000; i++) {
        code += meet_ws_close_code_valid((unsigned) i);
    }

    is_int(code, 4 + 8 + 2000, "close codes: exactly 2012 valid ones");
}


static void
test_encode(void)
{
    int              rc, bad, fin;
    u_char           b[32], c[32];
    size_t           i, n;
    unsigned         op;
    meet_ws_frame_t  f;

    static const uint64_t  lens[] = {
        0, 1, 125, 126, 127, 255, 256, 65535, 65536, 65537, 0xffffffffULL,
        0x100000000ULL, 0x7fffffffffffffffULL
    };
    static const unsigned  ops[] = {
        MEET_WS_OP_CONT, MEET_WS_OP_TEXT, MEET_WS_OP_BINARY,
        MEET_WS_OP_CLOSE, MEET_WS_OP_PING, MEET_WS_OP_PONG
    };

    bad = 0;

    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        for (op = 0; op < sizeof(ops) / sizeof(ops[0]); op++) {
            for (fin = 0; fin < 2; fin++) {
                n = meet_ws_encode_header(b, sizeof(b), fin, ops[op],
                                          lens[i]);

                if (MEET_WS_OP_IS_CONTROL(ops[op])
                    && (!fin || lens[i] > 125))
                {
                    if (n != 0) {
                        diag("op %u fin %d len %llu: not refused", ops[op],
                             fin, (unsigned long long) lens[i]);
                        bad++;
                    }

                    continue;
                }

                if (n != (lens[i] < 126 ? 2 : lens[i] < 65536 ? 4 : 10)) {
                    bad++;
                    continue;
                }

                /* as a client frame: set the mask bit, add a mask */

                memcpy(c, b, n);
                c[1] |= 0x80;
                memcpy(c + n, mask_rfc, 4);

                rc = meet_ws_parse_header(&f, c, n + 4, NOLIMIT);

                if (rc != (int) n + 4 || f.payload_len != lens[i]
                    || f.opcode != ops[op] || f.fin != fin)
                {
                    diag("op %u fin %d len %llu: rc %d", ops[op], fin,
                         (unsigned long long) lens[i], rc);
                    bad++;
                }

                /* every shorter buffer is refused */

                while (n > 0) {
                    if (meet_ws_encode_header(b, --n, fin, ops[op], lens[i])
                        != 0)
                    {
                        bad++;
                    }
                }
            }
        }
    }

    is_int(bad, 0, "encode: round trips through the parser, sizes checked");

    is_int(meet_ws_encode_header(b, sizeof(b), 1, 3, 0), 0,
           "encode: opcode 3 refused");
    is_int(meet_ws_encode_header(b, sizeof(b), 1, 0x81, 0), 0,
           "encode: opcode 0x81 refused");
    is_int(meet_ws_encode_header(b, sizeof(b), 1, MEET_WS_OP_BINARY,
                                 0x8000000000000000ULL),
           0, "encode: length with the top bit refused");
    is_int(meet_ws_encode_header(NULL, 10, 1, MEET_WS_OP_TEXT, 0), 0,
           "encode: NULL buffer");
    is_int(meet_ws_encode_header(b, sizeof(b), 7, MEET_WS_OP_TEXT, 0), 2,
           "encode: any non-zero fin is 1");
    is_int(b[0], 0x81, "encode: fin 7 -> 0x81");
}


static void
test_close_build(void)
{
    u_char         b[200], r[300];
    size_t         n, i, rlen;
    unsigned       code;
    const u_char  *reason;

    n = meet_ws_close_payload(b, sizeof(b), 1000, (u_char *) "bye", 3);
    is_mem(b, n, "\x03\xe8" "bye", 5, "close payload 1000 \"bye\"");

    n = meet_ws_close_payload(b, sizeof(b), MEET_WS_CLOSE_TRY_AGAIN_LATER,
                              NULL, 0);
    is_mem(b, n, "\x03\xf5", 2, "close payload 1013, no reason");

    n = meet_ws_close_payload(b, sizeof(b), 4999, (u_char *) "", 0);
    is_mem(b, n, "\x13\x87", 2, "close payload 4999, empty reason");

    is_int(meet_ws_close_payload(b, sizeof(b), 1005, (u_char *) "x", 1), 0,
           "close payload 1005: empty");
    is_int(meet_ws_close_payload(b, sizeof(b), 1006, NULL, 0), 0,
           "close payload 1006: empty");
    is_int(meet_ws_close_payload(b, sizeof(b), 0, NULL, 0), 0,
           "close payload code 0: empty");
    is_int(meet_ws_close_payload(b, 1, 1000, NULL, 0), 0,
           "close payload in 1 byte: empty");
    is_int(meet_ws_close_payload(NULL, 10, 1000, NULL, 0), 0,
           "close payload NULL buffer: 0");

    n = meet_ws_close_payload(b, sizeof(b), 1000, (u_char *) "a\xff", 2);
    is_mem(b, n, "\x03\xe8", 2, "close payload: non-utf-8 reason left out");

    memset(r, 'z', sizeof(r));
    n = meet_ws_close_payload(b, sizeof(b), 1008, r, sizeof(r));
    is_int(n, 125, "close payload: long reason cut to 125");
    is_int(meet_ws_parse_close(b, n, &code, &reason, &rlen), 0,
           "close payload cut: parses");
    is_int(rlen, 123, "close payload cut: 123 byte reason");

    n = meet_ws_close_payload(b, 10, 1008, r, sizeof(r));
    is_int(n, 10, "close payload: cut to the buffer");

    /* cut on a character boundary */

    for (i = 0; i < 62; i++) {
        memcpy(r + 2 * i, "\xc3\xa9", 2);       /* é: 124 bytes */
    }

    n = meet_ws_close_payload(b, sizeof(b), 1000, r, 124);
    is_int(n, 2 + 122, "close payload: 62 x 2-byte cut to 61");
    is_int(meet_ws_parse_close(b, n, NULL, NULL, NULL), 0,
           "close payload 2-byte cut: valid");

    for (i = 0; i < 42; i++) {
        memcpy(r + 3 * i, "\xe2\x82\xac", 3);   /* €: 126 bytes */
    }

    n = meet_ws_close_payload(b, sizeof(b), 1000, r, 123);
    is_int(n, 125, "close payload: 41 x 3-byte fits exactly");
    n = meet_ws_close_payload(b, sizeof(b), 1000, r, 126);
    is_int(n, 125, "close payload: 42 x 3-byte cut to 41");
    n = meet_ws_close_payload(b, 7, 1000, r, 126);
    is_int(n, 5, "close payload: 3-byte cut to a 7 byte buffer: 1 char");

    for (i = 0; i < 31; i++) {
        memcpy(r + 4 * i, "\xf0\x9f\x98\x80", 4);   /* 124 bytes */
    }

    n = meet_ws_close_payload(b, sizeof(b), 1000, r, 124);
    is_int(n, 2 + 120, "close payload: 31 x 4-byte cut to 30");
    is_int(meet_ws_parse_close(b, n, NULL, NULL, NULL), 0,
           "close payload 4-byte cut: valid");
    n = meet_ws_close_payload(b, 5, 1000, r, 124);
    is_int(n, 2, "close payload: no room for one 4-byte char");

    /* whole frames */

    n = meet_ws_close_frame(b, sizeof(b), 1001, (u_char *) "going", 5);
    is_mem(b, n, "\x88\x07\x03\xe9" "going", 9, "close frame 1001 \"going\"");
    n = meet_ws_close_frame(b, sizeof(b), 1005, NULL, 0);
    is_mem(b, n, "\x88\x00", 2, "close frame without a code");
    memset(r, 'q', sizeof(r));
    n = meet_ws_close_frame(b, sizeof(b), 1011, r, sizeof(r));
    is_int(n, MEET_WS_CLOSE_FRAME_MAX, "close frame: at most 127 bytes");
    is_int(b[1], 125, "close frame: length byte 125");
    is_int(meet_ws_close_frame(b, 1, 1000, NULL, 0), 0,
           "close frame: 1 byte buffer");
    n = meet_ws_close_frame(b, 3, 1000, NULL, 0);
    is_mem(b, n, "\x88\x00", 2, "close frame: 3 byte buffer, no code");
}


int
main(void)
{
    test_handshake();
    test_rfc_examples();
    test_header_errors();
    test_split_headers();
    test_stream();
    test_sequencing();
    test_text_frames();
    test_unmask();
    test_utf8();
    test_close();
    test_encode();
    test_close_build();

    return done_testing();
}
