
/*
 * Copyright (C) ngx_meet authors
 *
 * The join_request decoding and protobuf-c allocation; see meet_lk_codec.h.
 */


#include <string.h>
#include <stdlib.h>
#include <zlib.h>
#include "meet_lk_codec.h"


static void *meet_lk_alloc(ProtobufCAllocator *a, size_t size);
static void meet_lk_free(ProtobufCAllocator *a, void *p);
static long meet_lk_percent_decode(unsigned char *dst,
    const unsigned char *src, size_t len);
static int meet_lk_gunzip(ProtobufCAllocator *a, const uint8_t *in,
    size_t in_len, uint8_t **out, size_t *out_len, const char **err);


static int8_t  meet_lk_b64[256];
static int     meet_lk_b64_ready;


static void *
meet_lk_alloc(ProtobufCAllocator *a, size_t size)
{
    if (a == NULL) {
        return malloc(size);
    }

    return a->alloc(a->allocator_data, size);
}


static void
meet_lk_free(ProtobufCAllocator *a, void *p)
{
    if (p == NULL) {
        return;
    }

    if (a == NULL) {
        free(p);
        return;
    }

    a->free(a->allocator_data, p);
}


static long
meet_lk_percent_decode(unsigned char *dst, const unsigned char *src,
    size_t len)
{
    int             hi, lo;
    size_t          i;
    unsigned char  *d;

    d = dst;

    for (i = 0; i < len; i++) {

        if (src[i] != '%') {
            *d++ = src[i];
            continue;
        }

        if (len - i < 3) {
            return -1;
        }

        hi = src[i + 1];
        lo = src[i + 2];

        hi = (hi >= '0' && hi <= '9') ? hi - '0'
             : ((hi | 0x20) >= 'a' && (hi | 0x20) <= 'f')
               ? (hi | 0x20) - 'a' + 10 : -1;
        lo = (lo >= '0' && lo <= '9') ? lo - '0'
             : ((lo | 0x20) >= 'a' && (lo | 0x20) <= 'f')
               ? (lo | 0x20) - 'a' + 10 : -1;

        if (hi < 0 || lo < 0) {
            return -1;
        }

        *d++ = (unsigned char) (hi << 4 | lo);
        i += 2;
    }

    return d - dst;
}


long
meet_lk_base64_decode(unsigned char *dst, const unsigned char *src,
    size_t len)
{
    int             v, pad;
    size_t          i, n;
    uint32_t        acc;
    unsigned char  *d;

    static const char  std[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    if (!meet_lk_b64_ready) {
        memset(meet_lk_b64, -1, sizeof(meet_lk_b64));
        for (i = 0; i < 62; i++) {
            meet_lk_b64[(unsigned char) std[i]] = (int8_t) i;
        }
        meet_lk_b64['+'] = 62;
        meet_lk_b64['-'] = 62;
        meet_lk_b64['/'] = 63;
        meet_lk_b64['_'] = 63;
        meet_lk_b64_ready = 1;
    }

    /* padding: at most two "=" and only at the end */
    pad = 0;
    while (len && src[len - 1] == '=') {
        len--;
        if (++pad > 2) {
            return -1;
        }
    }

    if (len % 4 == 1) {
        return -1;
    }

    d = dst;
    acc = 0;
    n = 0;

    for (i = 0; i < len; i++) {
        v = meet_lk_b64[src[i]];
        if (v < 0) {
            return -1;
        }

        acc = acc << 6 | (uint32_t) v;

        if (++n == 4) {
            *d++ = (unsigned char) (acc >> 16);
            *d++ = (unsigned char) (acc >> 8);
            *d++ = (unsigned char) acc;
            acc = 0;
            n = 0;
        }
    }

    if (n == 2) {
        *d++ = (unsigned char) (acc >> 4);

    } else if (n == 3) {
        *d++ = (unsigned char) (acc >> 10);
        *d++ = (unsigned char) (acc >> 2);
    }

    return d - dst;
}


static int
meet_lk_gunzip(ProtobufCAllocator *a, const uint8_t *in, size_t in_len,
    uint8_t **out, size_t *out_len, const char **err)
{
    int        rc;
    uint8_t   *buf;
    z_stream   zs;

    buf = meet_lk_alloc(a, MEET_LK_JOIN_MAX);
    if (buf == NULL) {
        *err = "out of memory";
        return -1;
    }

    memset(&zs, 0, sizeof(z_stream));

    /* 16 + MAX_WBITS: gzip header and trailer (CompressionStream "gzip") */
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
        meet_lk_free(a, buf);
        *err = "cannot initialize zlib";
        return -1;
    }

    zs.next_in = (Bytef *) in;
    zs.avail_in = (uInt) in_len;
    zs.next_out = buf;
    zs.avail_out = MEET_LK_JOIN_MAX;

    rc = inflate(&zs, Z_FINISH);

    if (rc == Z_STREAM_END && zs.avail_in == 0) {
        *out = buf;
        *out_len = MEET_LK_JOIN_MAX - zs.avail_out;
        inflateEnd(&zs);
        return 0;
    }

    inflateEnd(&zs);
    meet_lk_free(a, buf);

    if (rc == Z_STREAM_END) {
        *err = "data after the gzip stream";

    } else if (rc == Z_BUF_ERROR && zs.avail_out == 0) {
        *err = "join_request larger than 256 KB after decompression";

    } else {
        *err = "join_request is not valid gzip data";
    }

    return -1;
}


int
meet_lk_join_request_decode(const unsigned char *arg, size_t len,
    ProtobufCAllocator *allocator, Livekit__JoinRequest **out,
    const char **err)
{
    long                          n;
    size_t                        plain_len;
    uint8_t                      *plain;
    unsigned char                *tmp, *raw;
    Livekit__WrappedJoinRequest  *wrapped;

    *out = NULL;

    if (len == 0) {
        *err = "empty join_request";
        return -1;
    }

    if (len > MEET_LK_JOIN_ARG_MAX) {
        *err = "join_request longer than 64 KB";
        return -1;
    }

    tmp = meet_lk_alloc(allocator, len + len * 3 / 4 + 4);
    if (tmp == NULL) {
        *err = "out of memory";
        return -1;
    }

    n = meet_lk_percent_decode(tmp, arg, len);
    if (n < 0) {
        meet_lk_free(allocator, tmp);
        *err = "join_request has a bad percent escape";
        return -1;
    }

    raw = tmp + len;
    n = meet_lk_base64_decode(raw, tmp, (size_t) n);
    if (n < 0) {
        meet_lk_free(allocator, tmp);
        *err = "join_request is not base64";
        return -1;
    }

    wrapped = livekit__wrapped_join_request__unpack(allocator, (size_t) n,
                                                    raw);
    meet_lk_free(allocator, tmp);

    if (wrapped == NULL) {
        *err = "join_request is not a WrappedJoinRequest";
        return -1;
    }

    switch (wrapped->compression) {

    case LIVEKIT__WRAPPED_JOIN_REQUEST__COMPRESSION__NONE:
        *out = livekit__join_request__unpack(allocator,
                                             wrapped->join_request.len,
                                             wrapped->join_request.data);
        break;

    case LIVEKIT__WRAPPED_JOIN_REQUEST__COMPRESSION__GZIP:
        if (meet_lk_gunzip(allocator, wrapped->join_request.data,
                           wrapped->join_request.len, &plain, &plain_len,
                           err)
            != 0)
        {
            livekit__wrapped_join_request__free_unpacked(wrapped, allocator);
            return -1;
        }

        *out = livekit__join_request__unpack(allocator, plain_len, plain);
        meet_lk_free(allocator, plain);
        break;

    default:
        livekit__wrapped_join_request__free_unpacked(wrapped, allocator);
        *err = "join_request has an unknown compression";
        return -1;
    }

    livekit__wrapped_join_request__free_unpacked(wrapped, allocator);

    if (*out == NULL) {
        *err = "join_request does not hold a JoinRequest";
        return -1;
    }

    return 0;
}
