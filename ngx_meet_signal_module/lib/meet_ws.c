
/*
 * Copyright (C) ngx_meet authors
 *
 * RFC 6455 WebSocket framing, server side.  See meet_ws.h.
 */


#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "meet_ws.h"


#define MEET_WS_GUID      "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define MEET_WS_GUID_LEN  (sizeof(MEET_WS_GUID) - 1)


static int meet_ws_opcode_known(unsigned op);
static int meet_ws_base64_char(u_char c);


static int
meet_ws_opcode_known(unsigned op)
{
    switch (op) {

    case MEET_WS_OP_CONT:
    case MEET_WS_OP_TEXT:
    case MEET_WS_OP_BINARY:
    case MEET_WS_OP_CLOSE:
    case MEET_WS_OP_PING:
    case MEET_WS_OP_PONG:
        return 1;

    default:
        return 0;
    }
}


static int
meet_ws_base64_char(u_char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '+' || c == '/';
}


int
meet_ws_key_valid(const u_char *key, size_t len)
{
    size_t  i;

    if (key == NULL || len != MEET_WS_KEY_LEN) {
        return 0;
    }

    /* 16 bytes = 22 characters (128 of their 132 bits) and "==" */

    for (i = 0; i < MEET_WS_KEY_LEN - 2; i++) {
        if (!meet_ws_base64_char(key[i])) {
            return 0;
        }
    }

    return key[22] == '=' && key[23] == '=';
}


int
meet_ws_accept_key(const u_char *key, size_t len,
    u_char out[MEET_WS_ACCEPT_LEN])
{
    u_char  buf[MEET_WS_KEY_MAX + MEET_WS_GUID_LEN];
    u_char  md[SHA_DIGEST_LENGTH];
    u_char  b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];

    if (out == NULL || len > MEET_WS_KEY_MAX || (key == NULL && len != 0)) {
        return -1;
    }

    if (len) {
        memcpy(buf, key, len);
    }

    memcpy(buf + len, MEET_WS_GUID, MEET_WS_GUID_LEN);

    if (SHA1(buf, len + MEET_WS_GUID_LEN, md) == NULL) {
        return -1;
    }

    /* EVP_EncodeBlock() writes a terminating NUL: 29 bytes */

    if (EVP_EncodeBlock(b64, md, SHA_DIGEST_LENGTH) != MEET_WS_ACCEPT_LEN) {
        return -1;
    }

    memcpy(out, b64, MEET_WS_ACCEPT_LEN);

    return 0;
}


int
meet_ws_parse_header(meet_ws_frame_t *f, const u_char *buf, size_t len,
    uint64_t max_frame)
{
    u_char    b0, b1, op;
    size_t    ext, hlen, i;
    uint64_t  plen;

    if (f == NULL) {
        return -MEET_WS_CLOSE_INTERNAL;
    }

    if (buf == NULL || len < 1) {
        return MEET_WS_AGAIN;
    }

    b0 = buf[0];
    op = b0 & 0x0f;

    /* no extension is negotiated: RSV1-3 must be 0 */

    if (b0 & 0x70) {
        return -MEET_WS_CLOSE_PROTOCOL_ERROR;
    }

    if (!meet_ws_opcode_known(op)) {
        return -MEET_WS_CLOSE_PROTOCOL_ERROR;
    }

    if (MEET_WS_OP_IS_CONTROL(op) && !(b0 & 0x80)) {
        return -MEET_WS_CLOSE_PROTOCOL_ERROR;
    }

    if (len < 2) {
        return MEET_WS_AGAIN;
    }

    b1 = buf[1];

    /* a client must mask every frame (RFC 6455 5.1) */

    if (!(b1 & 0x80)) {
        return -MEET_WS_CLOSE_PROTOCOL_ERROR;
    }

    plen = b1 & 0x7f;

    if (MEET_WS_OP_IS_CONTROL(op) && plen > MEET_WS_MAX_CONTROL) {
        return -MEET_WS_CLOSE_PROTOCOL_ERROR;
    }

    ext = (plen == 126) ? 2 : (plen == 127) ? 8 : 0;

    if (ext == 8 && len > 2 && (buf[2] & 0x80)) {
        return -MEET_WS_CLOSE_PROTOCOL_ERROR;
    }

    if (len < 2 + ext) {
        return MEET_WS_AGAIN;
    }

    if (ext) {
        plen = 0;

        for (i = 0; i < ext; i++) {
            plen = (plen << 8) | buf[2 + i];
        }
    }

    if (plen > max_frame) {
        return -MEET_WS_CLOSE_TOO_BIG;
    }

    hlen = 2 + ext + 4;

    if (len < hlen) {
        return MEET_WS_AGAIN;
    }

    f->payload_len = plen;
    memcpy(f->mask, buf + 2 + ext, 4);
    f->opcode = op;
    f->fin = (b0 & 0x80) ? 1 : 0;
    f->header_len = (u_char) hlen;

    return (int) hlen;
}


void
meet_ws_state_init(meet_ws_state_t *st, uint64_t max_frame,
    uint64_t max_message)
{
    if (st == NULL) {
        return;
    }

    memset(st, 0, sizeof(meet_ws_state_t));

    st->max_frame = max_frame;
    st->max_message = max_message;
    st->utf8 = MEET_WS_UTF8_ACCEPT;
}


int
meet_ws_frame_begin(meet_ws_state_t *st, const meet_ws_frame_t *f)
{
    unsigned  op;
    uint64_t  room;

    if (st == NULL || f == NULL) {
        return -MEET_WS_CLOSE_INTERNAL;
    }

    op = f->opcode;

    if (!meet_ws_opcode_known(op)) {
        return -MEET_WS_CLOSE_PROTOCOL_ERROR;
    }

    if (MEET_WS_OP_IS_CONTROL(op)) {

        /* may come between fragments; the open message is untouched */

        if (!f->fin || f->payload_len > MEET_WS_MAX_CONTROL) {
            return -MEET_WS_CLOSE_PROTOCOL_ERROR;
        }

        if (f->payload_len > st->max_frame) {
            return -MEET_WS_CLOSE_TOO_BIG;
        }

        return 0;
    }

    if (op == MEET_WS_OP_CONT) {
        if (st->message_op == 0) {
            return -MEET_WS_CLOSE_PROTOCOL_ERROR;
        }

    } else {
        if (st->message_op != 0) {
            return -MEET_WS_CLOSE_PROTOCOL_ERROR;
        }

        st->message_op = (u_char) op;
        st->message_len = 0;
        st->utf8 = MEET_WS_UTF8_ACCEPT;
    }

    if (f->payload_len > st->max_frame) {
        return -MEET_WS_CLOSE_TOO_BIG;
    }

    room = (st->message_len <= st->max_message)
           ? st->max_message - st->message_len : 0;

    if (f->payload_len > room) {
        return -MEET_WS_CLOSE_TOO_BIG;
    }

    st->message_len += f->payload_len;

    return 0;
}


int
meet_ws_frame_data(meet_ws_state_t *st, const meet_ws_frame_t *f,
    u_char *p, size_t n, uint64_t offset)
{
    if (st == NULL || f == NULL || (p == NULL && n != 0)) {
        return -MEET_WS_CLOSE_INTERNAL;
    }

    if (offset > f->payload_len || n > f->payload_len - offset) {
        return -MEET_WS_CLOSE_INTERNAL;
    }

    if (n == 0) {
        return 0;
    }

    meet_ws_unmask(p, n, f->mask, offset);

    if (!MEET_WS_OP_IS_CONTROL(f->opcode)
        && st->message_op == MEET_WS_OP_TEXT)
    {
        st->utf8 = meet_ws_utf8(st->utf8, p, n);

        if (st->utf8 == MEET_WS_UTF8_REJECT) {
            return -MEET_WS_CLOSE_INVALID_DATA;
        }
    }

    return 0;
}


int
meet_ws_frame_end(meet_ws_state_t *st, const meet_ws_frame_t *f)
{
    if (st == NULL || f == NULL) {
        return -MEET_WS_CLOSE_INTERNAL;
    }

    if (MEET_WS_OP_IS_CONTROL(f->opcode) || !f->fin) {
        return 0;
    }

    if (st->message_op == MEET_WS_OP_TEXT
        && st->utf8 != MEET_WS_UTF8_ACCEPT)
    {
        return -MEET_WS_CLOSE_INVALID_DATA;
    }

    st->message_op = 0;
    st->message_len = 0;
    st->utf8 = MEET_WS_UTF8_ACCEPT;

    return 0;
}


void
meet_ws_unmask(u_char *p, size_t n, const u_char mask[4], uint64_t offset)
{
    u_char    m[8];
    size_t    i;
    uint64_t  w, mw;

    if (p == NULL || mask == NULL) {
        return;
    }

    i = 0;

    /* bytewise up to a multiple of 4 in the payload, then 8 at a time */

    while (i < n && ((offset + i) & 3) != 0) {
        p[i] ^= mask[(offset + i) & 3];
        i++;
    }

    memcpy(m, mask, 4);
    memcpy(m + 4, mask, 4);
    memcpy(&mw, m, 8);

    while (n - i >= 8) {
        memcpy(&w, p + i, 8);
        w ^= mw;
        memcpy(p + i, &w, 8);
        i += 8;
    }

    while (i < n) {
        p[i] ^= mask[(offset + i) & 3];
        i++;
    }
}


/*
 * The state inside a character is (bytes still needed << 16) | (lowest
 * allowed next byte << 8) | highest allowed next byte: the second byte of
 * E0, ED, F0 and F4 sequences has a narrower range (overlongs, surrogates,
 * above U+10FFFF).
 */

uint32_t
meet_ws_utf8(uint32_t state, const u_char *p, size_t n)
{
    u_char    c, lo, hi;
    size_t    i;
    uint32_t  need;
    uint64_t  w;

    if (state == MEET_WS_UTF8_ACCEPT) {
        need = 0;
        lo = 0x80;
        hi = 0xbf;

    } else {
        need = state >> 16;
        lo = (state >> 8) & 0xff;
        hi = state & 0xff;

        if (need == 0 || need > 3) {
            return MEET_WS_UTF8_REJECT;
        }
    }

    if (p == NULL) {
        return (n == 0) ? state : MEET_WS_UTF8_REJECT;
    }

    i = 0;

    while (i < n) {

        if (need == 0) {

            /* ASCII runs, 8 bytes at a time */

            while (n - i >= 8) {
                memcpy(&w, p + i, 8);

                if (w & 0x8080808080808080ULL) {
                    break;
                }

                i += 8;
            }

            if (i == n) {
                break;
            }

            c = p[i++];

            if (c < 0x80) {
                continue;
            }

            if (c < 0xc2) {
                /* a continuation byte, or C0/C1: overlong 2-byte forms */
                return MEET_WS_UTF8_REJECT;
            }

            if (c < 0xe0) {
                need = 1;

            } else if (c < 0xf0) {
                need = 2;

                if (c == 0xe0) {
                    lo = 0xa0;              /* overlong 3-byte forms */

                } else if (c == 0xed) {
                    hi = 0x9f;              /* surrogates D800-DFFF */
                }

            } else if (c < 0xf5) {
                need = 3;

                if (c == 0xf0) {
                    lo = 0x90;              /* overlong 4-byte forms */

                } else if (c == 0xf4) {
                    hi = 0x8f;              /* above U+10FFFF */
                }

            } else {
                return MEET_WS_UTF8_REJECT;
            }

            continue;
        }

        c = p[i++];

        if (c < lo || c > hi) {
            return MEET_WS_UTF8_REJECT;
        }

        need--;
        lo = 0x80;
        hi = 0xbf;
    }

    if (need == 0) {
        return MEET_WS_UTF8_ACCEPT;
    }

    return (need << 16) | ((uint32_t) lo << 8) | hi;
}


int
meet_ws_utf8_valid(const u_char *p, size_t n)
{
    return meet_ws_utf8(MEET_WS_UTF8_ACCEPT, p, n) == MEET_WS_UTF8_ACCEPT;
}


int
meet_ws_close_code_valid(unsigned code)
{
    /*
     * RFC 6455 7.4.1 and the IANA registry: 1004 is reserved, 1005, 1006
     * and 1015 must not be sent, 1012-1014 are registered, 1016-2999 are
     * reserved; 3000-3999 registered by libraries, 4000-4999 private.
     */

    return (code >= 1000 && code <= 1003)
           || (code >= 1007 && code <= 1014)
           || (code >= 3000 && code <= 4999);
}


int
meet_ws_parse_close(const u_char *p, size_t n, unsigned *code,
    const u_char **reason, size_t *reason_len)
{
    unsigned  c;

    if (code) {
        *code = MEET_WS_CLOSE_NO_STATUS;
    }

    if (reason) {
        *reason = NULL;
    }

    if (reason_len) {
        *reason_len = 0;
    }

    if (n == 0) {
        return 0;
    }

    if (p == NULL || n == 1 || n > MEET_WS_MAX_CONTROL) {
        return -MEET_WS_CLOSE_PROTOCOL_ERROR;
    }

    c = ((unsigned) p[0] << 8) | p[1];

    if (!meet_ws_close_code_valid(c)) {
        return -MEET_WS_CLOSE_PROTOCOL_ERROR;
    }

    if (!meet_ws_utf8_valid(p + 2, n - 2)) {
        return -MEET_WS_CLOSE_INVALID_DATA;
    }

    if (code) {
        *code = c;
    }

    if (reason) {
        *reason = p + 2;
    }

    if (reason_len) {
        *reason_len = n - 2;
    }

    return 0;
}


size_t
meet_ws_encode_header(u_char *buf, size_t size, int fin, unsigned opcode,
    uint64_t len)
{
    size_t  hlen, i;

    if (buf == NULL || !meet_ws_opcode_known(opcode)) {
        return 0;
    }

    if (MEET_WS_OP_IS_CONTROL(opcode)
        && (!fin || len > MEET_WS_MAX_CONTROL))
    {
        return 0;
    }

    if (len >> 63) {
        return 0;
    }

    hlen = (len < 126) ? 2 : (len <= 0xffff) ? 4 : 10;

    if (size < hlen) {
        return 0;
    }

    buf[0] = (u_char) ((fin ? 0x80 : 0) | opcode);

    switch (hlen) {

    case 2:
        buf[1] = (u_char) len;
        break;

    case 4:
        buf[1] = 126;
        buf[2] = (u_char) (len >> 8);
        buf[3] = (u_char) len;
        break;

    default: /* 10 */
        buf[1] = 127;

        for (i = 0; i < 8; i++) {
            buf[2 + i] = (u_char) (len >> (56 - 8 * i));
        }
    }

    return hlen;
}


size_t
meet_ws_close_payload(u_char *buf, size_t size, unsigned code,
    const u_char *reason, size_t reason_len)
{
    size_t  max, n;

    if (buf == NULL || size < 2 || !meet_ws_close_code_valid(code)) {
        return 0;
    }

    buf[0] = (u_char) (code >> 8);
    buf[1] = (u_char) code;

    if (reason == NULL || reason_len == 0
        || !meet_ws_utf8_valid(reason, reason_len))
    {
        return 2;
    }

    max = size - 2;

    if (max > MEET_WS_MAX_CLOSE_REASON) {
        max = MEET_WS_MAX_CLOSE_REASON;
    }

    n = reason_len;

    if (n > max) {
        n = max;

        /* reason[n] is the first byte left out: not inside a character */

        while (n > 0 && (reason[n] & 0xc0) == 0x80) {
            n--;
        }
    }

    memmove(buf + 2, reason, n);

    return 2 + n;
}


size_t
meet_ws_close_frame(u_char *buf, size_t size, unsigned code,
    const u_char *reason, size_t reason_len)
{
    size_t  n;

    if (buf == NULL || size < 2) {
        return 0;
    }

    n = meet_ws_close_payload(buf + 2, size - 2, code, reason, reason_len);

    buf[0] = 0x80 | MEET_WS_OP_CLOSE;
    buf[1] = (u_char) n;

    return 2 + n;
}
