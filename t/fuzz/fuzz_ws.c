/* sources: ngx_meet_signal_module/lib/meet_ws.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the RFC 6455 framing library: the input is what a
 * client sends on a connection, read the way the signaling module reads
 * it (a small fixed buffer filled in chunks, headers parsed when complete,
 * payload handled piece by piece as it arrives).  Checks the library's
 * promises on the way and aborts when one is broken.
 *
 * Input: 3 bytes of settings (chunk size, max_frame, max_message), then
 * the stream.  The corpus in t/fuzz/corpus/ws/ uses the same layout.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meet_ws.h"


#define BUF_SIZE   256
#define MSG_SIZE   65536

#define check(cond)  do { if (!(cond)) { abort(); } } while (0)


static const uint64_t  limits[] = {
    0, 1, 2, 5, 16, 125, 126, 127, 200, 1000, 65535, 65536, UINT64_MAX
};

#define NLIMITS  (sizeof(limits) / sizeof(limits[0]))


/* a plain UTF-8 decoder to compare with: decode, then range rules */

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


static void
check_header(const meet_ws_frame_t *f, int rc, uint64_t max_frame)
{
    u_char           h[MEET_WS_MAX_HEADER];
    size_t           n;
    meet_ws_frame_t  g;

    check(rc == 6 || rc == 8 || rc == 14);
    check(f->header_len == rc);
    check(f->payload_len <= max_frame);
    check((f->payload_len >> 63) == 0);
    check(f->fin <= 1);

    if (MEET_WS_OP_IS_CONTROL(f->opcode)) {
        check(f->fin && f->payload_len <= MEET_WS_MAX_CONTROL);
    }

    /* the encoder gives back the same header (minimal length form) */

    n = meet_ws_encode_header(h, sizeof(h), f->fin, f->opcode,
                              f->payload_len);
    check(n == 2 || n == 4 || n == 10);
    check(n + 4 <= (size_t) rc);

    h[1] |= 0x80;
    memcpy(h + n, f->mask, 4);

    check(meet_ws_parse_header(&g, h, n + 4, UINT64_MAX) == (int) n + 4);
    check(g.payload_len == f->payload_len && g.opcode == f->opcode
          && g.fin == f->fin && memcmp(g.mask, f->mask, 4) == 0);
}


static void
check_close(const u_char *p, size_t n)
{
    int            rc, rc2;
    u_char         b[MEET_WS_CLOSE_FRAME_MAX];
    size_t         len, rlen, rlen2;
    unsigned       code, code2;
    const u_char  *reason, *reason2;

    rc = meet_ws_parse_close(p, n, &code, &reason, &rlen);

    check(rc == 0 || rc == -MEET_WS_CLOSE_PROTOCOL_ERROR
          || rc == -MEET_WS_CLOSE_INVALID_DATA);

    if (rc != 0) {
        return;
    }

    if (n == 0) {
        check(code == MEET_WS_CLOSE_NO_STATUS && rlen == 0);
        return;
    }

    check(meet_ws_close_code_valid(code));
    check(reason == p + 2 && rlen == n - 2);
    check(meet_ws_utf8_valid(reason, rlen));

    /* echo it back: the same code and reason */

    len = meet_ws_close_frame(b, sizeof(b), code, reason, rlen);
    check(len == 2 + n && b[0] == 0x88 && b[1] == n);

    rc2 = meet_ws_parse_close(b + 2, len - 2, &code2, &reason2, &rlen2);
    check(rc2 == 0 && code2 == code && rlen2 == rlen);
    check(rlen == 0 || memcmp(reason2, reason, rlen) == 0);
}


static void
check_misc(const u_char *data, size_t size)
{
    u_char    out[MEET_WS_ACCEPT_LEN], b[MEET_WS_CLOSE_FRAME_MAX];
    size_t    k, n;
    uint32_t  whole, st;

    /* UTF-8: in two pieces = in one */

    k = size ? data[0] % (size + 1) : 0;
    whole = meet_ws_utf8(MEET_WS_UTF8_ACCEPT, data, size);
    st = meet_ws_utf8(MEET_WS_UTF8_ACCEPT, data, k);
    st = meet_ws_utf8(st, data + k, size - k);
    check(st == whole);
    check((whole == MEET_WS_UTF8_ACCEPT) == utf8_ref(data, size));

    /* close payload builder: any reason, always a valid payload */

    n = meet_ws_close_payload(b, size % (sizeof(b) + 1), 1000 + size % 4000,
                              data, size);
    check(n <= MEET_WS_MAX_CONTROL);
    check(meet_ws_parse_close(b, n, NULL, NULL, NULL) == 0);

    check_close(data, size < 200 ? size : 200);

    if (meet_ws_key_valid(data, size)) {
        check(size == MEET_WS_KEY_LEN);
        check(meet_ws_accept_key(data, size, out) == 0);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int               rc, in_frame;
    u_char            buf[BUF_SIZE], ref[BUF_SIZE], ctl[MEET_WS_MAX_CONTROL];
    size_t            have, fed, chunk, n, i, ctllen;
    uint64_t          max_frame, max_message, off;
    meet_ws_frame_t   f;
    meet_ws_state_t   st;

    static u_char     msg[MSG_SIZE];
    static size_t     msglen;

    if (size < 3 || size > MSG_SIZE) {
        return 0;
    }

    chunk = data[0] ? data[0] : BUF_SIZE;
    max_frame = limits[data[1] % NLIMITS];
    max_message = limits[data[2] % NLIMITS];
    data += 3;
    size -= 3;

    check_misc(data, size);

    meet_ws_state_init(&st, max_frame, max_message);

    have = 0;
    fed = 0;
    in_frame = 0;
    off = 0;
    ctllen = 0;
    msglen = 0;
    memset(&f, 0, sizeof(f));

    for ( ;; ) {

        /* read: what fits of the next chunk */

        n = size - fed;
        n = n < chunk ? n : chunk;
        n = n < BUF_SIZE - have ? n : BUF_SIZE - have;
        memcpy(buf + have, data + fed, n);
        have += n;
        fed += n;

        if (!in_frame) {
            rc = meet_ws_parse_header(&f, buf, have, st.max_frame);

            if (rc == MEET_WS_AGAIN) {
                check(have < MEET_WS_MAX_HEADER);

                if (fed == size) {
                    return 0;
                }

                continue;
            }

            if (rc < 0) {
                check(rc == -MEET_WS_CLOSE_PROTOCOL_ERROR
                      || rc == -MEET_WS_CLOSE_TOO_BIG);
                return 0;
            }

            check_header(&f, rc, st.max_frame);

            memmove(buf, buf + rc, have - rc);
            have -= rc;

            rc = meet_ws_frame_begin(&st, &f);

            if (rc < 0) {
                check(rc == -MEET_WS_CLOSE_PROTOCOL_ERROR
                      || rc == -MEET_WS_CLOSE_TOO_BIG);
                return 0;
            }

            check(st.message_len <= st.max_message);
            check(MEET_WS_OP_IS_CONTROL(f.opcode)
                  || st.message_op == MEET_WS_OP_TEXT
                  || st.message_op == MEET_WS_OP_BINARY);

            in_frame = 1;
            off = 0;
            ctllen = 0;
        }

        /* payload bytes in the buffer, possibly split at any point */

        n = have;

        if (n > f.payload_len - off) {
            n = (size_t) (f.payload_len - off);
        }

        if (n) {
            for (i = 0; i < n; i++) {
                ref[i] = buf[i] ^ f.mask[(off + i) & 3];
            }

            rc = meet_ws_frame_data(&st, &f, buf, n, off);

            check(memcmp(buf, ref, n) == 0);

            if (MEET_WS_OP_IS_CONTROL(f.opcode)) {
                check(ctllen + n <= sizeof(ctl));
                memcpy(ctl + ctllen, buf, n);
                ctllen += n;

            } else {
                /* the input is shorter than MSG_SIZE */
                check(msglen + n <= MSG_SIZE);
                memcpy(msg + msglen, buf, n);
                msglen += n;
            }

            if (rc < 0) {
                /* fail fast: the text so far cannot become valid */
                check(rc == -MEET_WS_CLOSE_INVALID_DATA);
                check(!MEET_WS_OP_IS_CONTROL(f.opcode)
                      && st.message_op == MEET_WS_OP_TEXT);
                check(meet_ws_utf8(MEET_WS_UTF8_ACCEPT, msg, msglen)
                      == MEET_WS_UTF8_REJECT);
                return 0;
            }

            memmove(buf, buf + n, have - n);
            have -= n;
            off += n;
        }

        if (off < f.payload_len) {
            if (fed == size) {
                return 0;
            }

            continue;
        }

        /* the frame is complete */

        in_frame = 0;

        if (!MEET_WS_OP_IS_CONTROL(f.opcode) && f.fin
            && st.message_op == MEET_WS_OP_TEXT)
        {
            rc = meet_ws_frame_end(&st, &f);

            check(rc == 0 || rc == -MEET_WS_CLOSE_INVALID_DATA);
            check((rc == 0) == meet_ws_utf8_valid(msg, msglen));

            if (rc < 0) {
                return 0;
            }

        } else {
            check(meet_ws_frame_end(&st, &f) == 0);
        }

        if (!MEET_WS_OP_IS_CONTROL(f.opcode) && f.fin) {
            check(st.message_op == 0 && st.message_len == 0);
            msglen = 0;
        }

        if (f.opcode == MEET_WS_OP_CLOSE) {
            check_close(ctl, ctllen);
            return 0;
        }

        if (fed == size && have == 0) {
            return 0;
        }
    }
}
