
/*
 * Copyright (C) ngx_meet authors
 *
 * RTP for the SFU forwarding path.  See meet_rtp.h.
 */


#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "meet_rtp.h"


#define meet_rtp_rd16(p)                                                      \
    ((uint16_t) (((uint16_t) (p)[0] << 8) | (p)[1]))

#define meet_rtp_rd24(p)                                                      \
    (((uint32_t) (p)[0] << 16) | ((uint32_t) (p)[1] << 8) | (p)[2])

#define meet_rtp_rd32(p)                                                      \
    (((uint32_t) (p)[0] << 24) | ((uint32_t) (p)[1] << 16)                    \
     | ((uint32_t) (p)[2] << 8) | (p)[3])


static void meet_rtp_wr16(u_char *p, uint16_t v);
static void meet_rtp_wr32(u_char *p, uint32_t v);
static int meet_rtp_writable(const u_char *p, size_t n);
static u_char *meet_rtp_ext_find_mut(u_char *p, const meet_rtp_header_t *h,
    unsigned id, size_t *len);
static int meet_rtp_vp9_frame_header(const u_char *p, size_t n);
static int meet_rtp_h264_key_nal(unsigned type);
static void meet_rtp_rewriter_rebase(meet_rtp_rewriter_t *rw, uint32_t ssrc,
    uint16_t seq, uint32_t ts, uint64_t now_ms);
static int meet_rtp_rtx_valid(const u_char *p, size_t n,
    const meet_rtp_header_t *h);


static void
meet_rtp_wr16(u_char *p, uint16_t v)
{
    p[0] = (u_char) (v >> 8);
    p[1] = (u_char) v;
}


static void
meet_rtp_wr32(u_char *p, uint32_t v)
{
    p[0] = (u_char) (v >> 24);
    p[1] = (u_char) (v >> 16);
    p[2] = (u_char) (v >> 8);
    p[3] = (u_char) v;
}


int
meet_rtp_classify(const u_char *p, size_t n)
{
    u_char  b;

    if (p == NULL || n == 0) {
        return MEET_RTP_PKT_UNKNOWN;
    }

    b = p[0];

    if (b <= 3) {
        return n >= MEET_RTP_MIN_STUN ? MEET_RTP_PKT_STUN
                                      : MEET_RTP_PKT_UNKNOWN;
    }

    if (b >= 20 && b <= 63) {
        return n >= MEET_RTP_MIN_DTLS ? MEET_RTP_PKT_DTLS
                                      : MEET_RTP_PKT_UNKNOWN;
    }

    if (b >= 128 && b <= 191 && n >= 2) {

        if (p[1] >= 192 && p[1] <= 223) {
            return n >= MEET_RTP_MIN_RTCP ? MEET_RTP_PKT_RTCP
                                          : MEET_RTP_PKT_UNKNOWN;
        }

        return n >= MEET_RTP_MIN_RTP ? MEET_RTP_PKT_RTP
                                     : MEET_RTP_PKT_UNKNOWN;
    }

    return MEET_RTP_PKT_UNKNOWN;
}


int
meet_rtp_parse(meet_rtp_header_t *h, const u_char *p, size_t n)
{
    size_t  off, ext, pad;

    if (h == NULL || p == NULL || n < MEET_RTP_HEADER_LEN) {
        return MEET_RTP_ERR_TRUNCATED;
    }

    if ((p[0] >> 6) != 2) {
        return MEET_RTP_ERR_VERSION;
    }

    h->cc = p[0] & 0x0f;
    h->extension = (p[0] >> 4) & 1;
    h->marker = p[1] >> 7;
    h->pt = p[1] & 0x7f;
    h->seq = meet_rtp_rd16(p + 2);
    h->ts = meet_rtp_rd32(p + 4);
    h->ssrc = meet_rtp_rd32(p + 8);

    off = MEET_RTP_HEADER_LEN + 4 * (size_t) h->cc;

    if (off > n) {
        return MEET_RTP_ERR_CSRC;
    }

    if (h->extension) {
        if (n - off < 4) {
            return MEET_RTP_ERR_EXTENSION;
        }

        ext = 4 * (size_t) meet_rtp_rd16(p + off + 2);

        if (n - off - 4 < ext) {
            return MEET_RTP_ERR_EXTENSION;
        }

        h->ext_profile = meet_rtp_rd16(p + off);
        h->ext_offset = off + 4;
        h->ext_len = ext;
        off += 4 + ext;

    } else {
        h->ext_profile = 0;
        h->ext_offset = 0;
        h->ext_len = 0;
    }

    if (p[0] & 0x20) {
        /* p[n - 1] is after the header when the test passes */
        pad = p[n - 1];

        if (pad == 0 || pad > n - off) {
            return MEET_RTP_ERR_PADDING;
        }

    } else {
        pad = 0;
    }

    h->header_len = off;
    h->payload_len = n - off - pad;
    h->padding_len = pad;

    return MEET_RTP_OK;
}


int
meet_rtp_ext_iter_init(meet_rtp_ext_iter_t *it, const u_char *p,
    const meet_rtp_header_t *h)
{
    if (it == NULL) {
        return -1;
    }

    it->p = NULL;
    it->len = 0;
    it->off = 0;
    it->two_byte = 0;
    it->malformed = 0;

    if (p == NULL || h == NULL || !h->extension) {
        return -1;
    }

    if (h->ext_profile == MEET_RTP_EXT_ONE_BYTE) {
        it->two_byte = 0;

    } else if ((h->ext_profile & MEET_RTP_EXT_TWO_BYTE_MASK)
               == MEET_RTP_EXT_TWO_BYTE)
    {
        it->two_byte = 1;

    } else {
        return -1;
    }

    it->p = p + h->ext_offset;
    it->len = h->ext_len;

    return 0;
}


int
meet_rtp_ext_next(meet_rtp_ext_iter_t *it, unsigned *id,
    const u_char **data, size_t *len)
{
    u_char        b;
    size_t        l, hl;
    const u_char  *p;

    if (it == NULL) {
        return MEET_RTP_EXT_MALFORMED;
    }

    if (it->malformed) {
        return MEET_RTP_EXT_MALFORMED;
    }

    p = it->p;

    while (it->off < it->len) {
        b = p[it->off];

        if (b == 0) {
            /* padding byte, in both forms */
            it->off++;
            continue;
        }

        if (it->two_byte) {
            if (it->len - it->off < 2) {
                it->malformed = 1;
                return MEET_RTP_EXT_MALFORMED;
            }

            hl = 2;
            l = p[it->off + 1];

        } else {
            if ((b >> 4) == 15) {
                /* RFC 8285 4.2: reserved, processing stops here */
                it->off = it->len;
                break;
            }

            if ((b >> 4) == 0) {
                /* id 0 with a non-zero length: padding, as libwebrtc */
                it->off++;
                continue;
            }

            hl = 1;
            l = (size_t) (b & 0x0f) + 1;
            b >>= 4;
        }

        if (it->len - it->off - hl < l) {
            it->malformed = 1;
            return MEET_RTP_EXT_MALFORMED;
        }

        if (id) {
            *id = b;
        }

        if (data) {
            *data = p + it->off + hl;
        }

        if (len) {
            *len = l;
        }

        it->off += hl + l;

        return MEET_RTP_EXT_ELEMENT;
    }

    return MEET_RTP_EXT_END;
}


const u_char *
meet_rtp_ext_find(const u_char *p, const meet_rtp_header_t *h, unsigned id,
    size_t *len)
{
    size_t               l;
    unsigned             eid;
    const u_char        *data;
    meet_rtp_ext_iter_t  it;

    if (id == 0 || meet_rtp_ext_iter_init(&it, p, h) != 0) {
        return NULL;
    }

    while (meet_rtp_ext_next(&it, &eid, &data, &l) == MEET_RTP_EXT_ELEMENT) {
        if (eid == id) {
            if (len) {
                *len = l;
            }

            return data;
        }
    }

    return NULL;
}


static u_char *
meet_rtp_ext_find_mut(u_char *p, const meet_rtp_header_t *h, unsigned id,
    size_t *len)
{
    const u_char  *data;

    data = meet_rtp_ext_find(p, h, id, len);

    /* a slice of p, which is writable */
    return data ? p + (data - p) : NULL;
}


int
meet_rtp_ext_mid(const u_char *p, const meet_rtp_header_t *h, unsigned id,
    const u_char **mid, size_t *len)
{
    size_t         l;
    const u_char  *d;

    d = meet_rtp_ext_find(p, h, id, &l);

    if (d == NULL || l == 0) {
        return -1;
    }

    if (mid) {
        *mid = d;
    }

    if (len) {
        *len = l;
    }

    return 0;
}


int
meet_rtp_ext_abs_send_time(const u_char *p, const meet_rtp_header_t *h,
    unsigned id, uint32_t *t)
{
    size_t         l;
    const u_char  *d;

    d = meet_rtp_ext_find(p, h, id, &l);

    if (d == NULL || l != 3) {
        return -1;
    }

    if (t) {
        *t = meet_rtp_rd24(d);
    }

    return 0;
}


int
meet_rtp_ext_twcc_seq(const u_char *p, const meet_rtp_header_t *h,
    unsigned id, uint16_t *seq)
{
    size_t         l;
    const u_char  *d;

    d = meet_rtp_ext_find(p, h, id, &l);

    if (d == NULL || l != 2) {
        return -1;
    }

    if (seq) {
        *seq = meet_rtp_rd16(d);
    }

    return 0;
}


int
meet_rtp_ext_audio_level(const u_char *p, const meet_rtp_header_t *h,
    unsigned id, unsigned *level, unsigned *voice)
{
    size_t         l;
    const u_char  *d;

    d = meet_rtp_ext_find(p, h, id, &l);

    if (d == NULL || l == 0) {
        return -1;
    }

    if (level) {
        *level = d[0] & 0x7f;
    }

    if (voice) {
        *voice = d[0] >> 7;
    }

    return 0;
}


int
meet_rtp_ext_set(u_char *p, const meet_rtp_header_t *h, unsigned id,
    const u_char *value, size_t len)
{
    size_t   l;
    u_char  *d;

    if (value == NULL && len != 0) {
        return -1;
    }

    d = meet_rtp_ext_find_mut(p, h, id, &l);

    if (d == NULL || l != len) {
        return -1;
    }

    if (len) {
        memmove(d, value, len);
    }

    return 0;
}


int
meet_rtp_ext_set_twcc_seq(u_char *p, const meet_rtp_header_t *h,
    unsigned id, uint16_t seq)
{
    u_char  v[2];

    meet_rtp_wr16(v, seq);

    return meet_rtp_ext_set(p, h, id, v, 2);
}


static int
meet_rtp_writable(const u_char *p, size_t n)
{
    return p != NULL && n >= MEET_RTP_HEADER_LEN && (p[0] >> 6) == 2;
}


int
meet_rtp_set_pt(u_char *p, size_t n, unsigned pt)
{
    if (!meet_rtp_writable(p, n)) {
        return -1;
    }

    p[1] = (u_char) ((p[1] & 0x80) | (pt & 0x7f));

    return 0;
}


int
meet_rtp_set_marker(u_char *p, size_t n, unsigned marker)
{
    if (!meet_rtp_writable(p, n)) {
        return -1;
    }

    p[1] = (u_char) ((p[1] & 0x7f) | (marker ? 0x80 : 0));

    return 0;
}


int
meet_rtp_set_seq(u_char *p, size_t n, uint16_t seq)
{
    if (!meet_rtp_writable(p, n)) {
        return -1;
    }

    meet_rtp_wr16(p + 2, seq);

    return 0;
}


int
meet_rtp_set_ts(u_char *p, size_t n, uint32_t ts)
{
    if (!meet_rtp_writable(p, n)) {
        return -1;
    }

    meet_rtp_wr32(p + 4, ts);

    return 0;
}


int
meet_rtp_set_ssrc(u_char *p, size_t n, uint32_t ssrc)
{
    if (!meet_rtp_writable(p, n)) {
        return -1;
    }

    meet_rtp_wr32(p + 8, ssrc);

    return 0;
}


int
meet_rtp_seq_newer(uint16_t a, uint16_t b)
{
    uint16_t  d;

    d = (uint16_t) (a - b);

    if (d == 0x8000) {
        return a > b;
    }

    return d != 0 && d < 0x8000;
}


int32_t
meet_rtp_seq_diff(uint16_t a, uint16_t b)
{
    int32_t  d;

    d = (uint16_t) (a - b);

    return d >= 0x8000 ? d - 0x10000 : d;
}


int
meet_rtp_ts_newer(uint32_t a, uint32_t b)
{
    uint32_t  d;

    d = a - b;

    if (d == 0x80000000) {
        return a > b;
    }

    return d != 0 && d < 0x80000000;
}


int64_t
meet_rtp_ts_diff(uint32_t a, uint32_t b)
{
    int64_t  d;

    d = (uint32_t) (a - b);

    return d >= 0x80000000LL ? d - 0x100000000LL : d;
}


void
meet_rtp_unwrapper_init(meet_rtp_unwrapper_t *u)
{
    if (u) {
        u->last = 0;
        u->started = 0;
    }
}


int64_t
meet_rtp_unwrap_seq(meet_rtp_unwrapper_t *u, uint16_t seq)
{
    int64_t  v;

    if (u == NULL) {
        return seq;
    }

    if (!u->started) {
        u->started = 1;
        u->last = seq;
        return seq;
    }

    v = u->last + meet_rtp_seq_diff(seq, (uint16_t) (uint64_t) u->last);

    if (v > u->last) {
        u->last = v;
    }

    return v;
}


int64_t
meet_rtp_unwrap_ts(meet_rtp_unwrapper_t *u, uint32_t ts)
{
    int64_t  v;

    if (u == NULL) {
        return ts;
    }

    if (!u->started) {
        u->started = 1;
        u->last = ts;
        return ts;
    }

    v = u->last + meet_rtp_ts_diff(ts, (uint32_t) (uint64_t) u->last);

    if (v > u->last) {
        u->last = v;
    }

    return v;
}


int
meet_rtp_keyframe(unsigned codec, const u_char *payload, size_t len)
{
    switch (codec) {

    case MEET_RTP_CODEC_VP8:
        return meet_rtp_vp8_keyframe(payload, len);

    case MEET_RTP_CODEC_VP9:
        return meet_rtp_vp9_keyframe(payload, len);

    case MEET_RTP_CODEC_H264:
        return meet_rtp_h264_keyframe(payload, len);

    case MEET_RTP_CODEC_AV1:
        return meet_rtp_av1_keyframe(payload, len);

    default:
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }
}


/*
 * RFC 7741 4.2, the payload descriptor:
 *
 *     X R N S R PID(3)         S: start of a partition, PID: partition index
 *     I L T K RSV(4)           if X
 *     M PictureID(7 or 15)     if I (M: 15 bits)
 *     TL0PICIDX                if L
 *     TID(2) Y KEYIDX(5)       if T or K
 *
 * then, at the start of partition 0, the payload header (RFC 7741 4.3,
 * RFC 6386 9.1): size0(3) H VER(3) P, size1, size2, and for a key frame
 * (P = 0) the start code 9d 01 2a.
 */

int
meet_rtp_vp8_keyframe(const u_char *p, size_t n)
{
    size_t  off;

    if (p == NULL || n == 0) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    if ((p[0] & 0x10) == 0 || (p[0] & 0x07) != 0) {
        return MEET_RTP_KEYFRAME_NO;
    }

    off = 1;

    if (p[0] & 0x80) {
        if (n < 2) {
            return MEET_RTP_KEYFRAME_UNKNOWN;
        }

        off = 2;

        if (p[1] & 0x80) {
            if (off >= n) {
                return MEET_RTP_KEYFRAME_UNKNOWN;
            }

            off += (p[off] & 0x80) ? 2 : 1;
        }

        if (p[1] & 0x40) {
            off++;
        }

        if (p[1] & 0x30) {
            off++;
        }
    }

    if (off >= n) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    if (p[off] & 0x01) {
        return MEET_RTP_KEYFRAME_NO;
    }

    if (n - off < 6) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    if (p[off + 3] != 0x9d || p[off + 4] != 0x01 || p[off + 5] != 0x2a) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    return MEET_RTP_KEYFRAME_YES;
}


/*
 * The beginning of a VP9 uncompressed header (VP9 bitstream specification
 * 6.2): frame_marker(2) = 2, profile_low_bit, profile_high_bit,
 * reserved_zero if profile 3, show_existing_frame, frame_type (0 = key),
 * show_frame, error_resilient_mode, then for a key frame the sync code
 * 49 83 42.  At most 9 + 24 bits: 5 bytes.
 */

static int
meet_rtp_vp9_frame_header(const u_char *p, size_t n)
{
    size_t    i, bit;
    uint64_t  v;
    unsigned  profile;

    if (n == 0) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    v = 0;

    for (i = 0; i < 5; i++) {
        v = (v << 8) | (i < n ? p[i] : 0);
    }

    /* bit k (0 = first) of the header is (v >> (39 - k)) & 1 */

#define meet_rtp_vp9_bit(k)  ((unsigned) (v >> (39 - (k))) & 1)

    if (meet_rtp_vp9_bit(0) != 1 || meet_rtp_vp9_bit(1) != 0) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    profile = meet_rtp_vp9_bit(2) | (meet_rtp_vp9_bit(3) << 1);
    bit = 4;

    if (profile == 3) {
        bit++;
    }

    if (meet_rtp_vp9_bit(bit)) {
        /* show_existing_frame: no new frame */
        return MEET_RTP_KEYFRAME_NO;
    }

    if (meet_rtp_vp9_bit(bit + 1)) {
        /* frame_type NON_KEY_FRAME */
        return MEET_RTP_KEYFRAME_NO;
    }

    bit += 4;

    /* the sync code, bits bit .. bit + 23 */

    if (n * 8 < bit + 24) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    if (((v >> (40 - bit - 24)) & 0xffffff) != 0x498342) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

#undef meet_rtp_vp9_bit

    return MEET_RTP_KEYFRAME_YES;
}


/*
 * RFC 9628 (draft-ietf-payload-vp9) 4.2, the payload descriptor:
 *
 *     I P L F B E V Z
 *     M PictureID(7 or 15)            if I
 *     TID(3) U SID(3) D               if L
 *     TL0PICIDX                       if L and not F
 *     P_DIFF(7) N, up to 3 times      if F and P
 *     scalability structure           if V
 *
 * B: start of a (layer) frame; P: inter-picture predicted.
 */

int
meet_rtp_vp9_keyframe(const u_char *p, size_t n)
{
    size_t    off, r;
    unsigned  i, ns, ng, sid;

    if (p == NULL || n == 0) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    if ((p[0] & 0x08) == 0) {
        return MEET_RTP_KEYFRAME_NO;
    }

    off = 1;
    sid = 0;

    if (p[0] & 0x80) {
        if (off >= n) {
            return MEET_RTP_KEYFRAME_UNKNOWN;
        }

        off += (p[off] & 0x80) ? 2 : 1;
    }

    if (p[0] & 0x20) {
        if (off >= n) {
            return MEET_RTP_KEYFRAME_UNKNOWN;
        }

        sid = (p[off] >> 1) & 0x07;
        off += (p[0] & 0x10) ? 1 : 2;
    }

    if (sid != 0 || (p[0] & 0x40)) {
        return MEET_RTP_KEYFRAME_NO;
    }

    /* P = 0: no P_DIFF even in flexible mode */

    if (p[0] & 0x02) {
        if (off >= n) {
            return MEET_RTP_KEYFRAME_UNKNOWN;
        }

        ns = (p[off] >> 5) + 1;
        r = p[off];
        off++;

        if (r & 0x10) {
            off += 4 * (size_t) ns;
        }

        if (r & 0x08) {
            if (off >= n) {
                return MEET_RTP_KEYFRAME_UNKNOWN;
            }

            ng = p[off++];

            for (i = 0; i < ng; i++) {
                if (off >= n) {
                    return MEET_RTP_KEYFRAME_UNKNOWN;
                }

                off += 1 + ((p[off] >> 2) & 0x03);
            }
        }
    }

    if (off >= n) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    return meet_rtp_vp9_frame_header(p + off, n - off);
}


static int
meet_rtp_h264_key_nal(unsigned type)
{
    /* IDR slice, sequence parameter set */
    return type == 5 || type == 7;
}


/*
 * RFC 6184 5.2: the NAL unit type of the first byte tells single NAL unit
 * packets (1..23), STAP-A (24: 16-bit size + NAL unit, repeated) and FU-A
 * (28: FU indicator, FU header S E R Type).
 */

int
meet_rtp_h264_keyframe(const u_char *p, size_t n)
{
    size_t    off, sz;
    unsigned  type;

    if (p == NULL || n == 0) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    type = p[0] & 0x1f;

    if (type >= 1 && type <= 23) {
        return meet_rtp_h264_key_nal(type) ? MEET_RTP_KEYFRAME_YES
                                           : MEET_RTP_KEYFRAME_NO;
    }

    if (type == 24) {
        if (n < 4) {
            return MEET_RTP_KEYFRAME_UNKNOWN;
        }

        for (off = 1; off < n; off += sz) {
            if (n - off < 2) {
                return MEET_RTP_KEYFRAME_UNKNOWN;
            }

            sz = meet_rtp_rd16(p + off);
            off += 2;

            if (sz == 0 || sz > n - off) {
                return MEET_RTP_KEYFRAME_UNKNOWN;
            }

            if (meet_rtp_h264_key_nal(p[off] & 0x1f)) {
                return MEET_RTP_KEYFRAME_YES;
            }
        }

        return MEET_RTP_KEYFRAME_NO;
    }

    if (type == 28) {
        if (n < 2) {
            return MEET_RTP_KEYFRAME_UNKNOWN;
        }

        if ((p[1] & 0x80) == 0) {
            return MEET_RTP_KEYFRAME_NO;
        }

        return meet_rtp_h264_key_nal(p[1] & 0x1f) ? MEET_RTP_KEYFRAME_YES
                                                   : MEET_RTP_KEYFRAME_NO;
    }

    /* 0, 30, 31 undefined; STAP-B, MTAP16, MTAP24, FU-B not used */

    return MEET_RTP_KEYFRAME_UNKNOWN;
}


/*
 * AV1 RTP payload format 4.4, the aggregation header: Z Y W(2) N -(3).
 * N: first packet of a coded video sequence; Z: the first OBU element
 * continues one from the previous packet (never so with N).
 */

int
meet_rtp_av1_keyframe(const u_char *p, size_t n)
{
    if (p == NULL || n == 0) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    if ((p[0] & 0x08) == 0) {
        return MEET_RTP_KEYFRAME_NO;
    }

    if (p[0] & 0x80) {
        return MEET_RTP_KEYFRAME_UNKNOWN;
    }

    return MEET_RTP_KEYFRAME_YES;
}


void
meet_rtp_rewriter_init(meet_rtp_rewriter_t *rw, uint32_t out_ssrc,
    uint32_t clock_rate)
{
    if (rw == NULL) {
        return;
    }

    memset(rw, 0, sizeof(meet_rtp_rewriter_t));

    rw->out_ssrc = out_ssrc;
    rw->clock_rate = clock_rate ? clock_rate : 90000;
}


void
meet_rtp_rewriter_switch(meet_rtp_rewriter_t *rw)
{
    if (rw) {
        rw->switching = 1;
    }
}


static void
meet_rtp_rewriter_rebase(meet_rtp_rewriter_t *rw, uint32_t ssrc,
    uint16_t seq, uint32_t ts, uint64_t now_ms)
{
    uint16_t  oseq;
    uint32_t  ots;
    uint64_t  elapsed, ticks;

    if (!rw->started) {
        oseq = seq;
        ots = ts;
        rw->started = 1;

    } else {
        if (ssrc != rw->in_ssrc) {
            rw->prev_ssrc = rw->in_ssrc;
            rw->prev_max_seq = rw->max_in_seq;
            rw->prev_until = now_ms + MEET_RTP_RW_LATE_MS;
            rw->prev_valid = 1;
        }

        oseq = (uint16_t) (rw->max_out_seq + 1);

        elapsed = now_ms > rw->last_ms ? now_ms - rw->last_ms : 0;

        if (elapsed > 0xffffffff) {
            elapsed = 0xffffffff;
        }

        /* < 2^32 * 2^32: no overflow; modulo 2^32, never 0 */
        ticks = (uint32_t) (elapsed * rw->clock_rate / 1000);

        if (ticks == 0) {
            ticks = 1;
        }

        ots = rw->max_out_ts + (uint32_t) ticks;
    }

    rw->in_ssrc = ssrc;
    rw->seq_offset = (uint16_t) (oseq - seq);
    rw->ts_offset = ots - ts;
    rw->max_in_seq = seq;
    rw->base_in_seq = seq;
    rw->max_out_seq = oseq;
    rw->max_out_ts = ots;
    rw->last_ms = now_ms;
    rw->history = 1;
    rw->switching = 0;
    rw->base_check = 1;
}


int
meet_rtp_rewriter_map(meet_rtp_rewriter_t *rw, uint32_t ssrc, uint16_t seq,
    uint32_t ts, uint64_t now_ms, uint16_t *out_seq, uint32_t *out_ts)
{
    int32_t  d;

    if (rw == NULL) {
        return MEET_RTP_RW_DROP;
    }

    if (rw->started && ssrc != rw->in_ssrc && rw->prev_valid
        && ssrc == rw->prev_ssrc)
    {
        if (now_ms <= rw->prev_until
            && !meet_rtp_seq_newer(seq, rw->prev_max_seq))
        {
            /* a late packet of the source just replaced */
            return MEET_RTP_RW_DROP;
        }
    }

    if (!rw->started || rw->switching || ssrc != rw->in_ssrc) {
        meet_rtp_rewriter_rebase(rw, ssrc, seq, ts, now_ms);
        goto forward;
    }

    d = meet_rtp_seq_diff(seq, rw->max_in_seq);

    if (d > 0) {
        /* newer: the mapping moves on, a gap stays a gap */

        rw->history = (d >= 64) ? 1 : ((rw->history << d) | 1);
        rw->max_in_seq = seq;
        rw->max_out_seq = (uint16_t) (seq + rw->seq_offset);
        rw->max_out_ts = ts + rw->ts_offset;
        rw->last_ms = now_ms;

        /*
         * far enough from the start of the mapping that no packet within
         * the window can precede it (the distance is exact here: at most
         * MEET_RTP_RW_WINDOW + 32767 before this step)
         */
        if (rw->base_check
            && (uint16_t) (seq - rw->base_in_seq) > MEET_RTP_RW_WINDOW)
        {
            rw->base_check = 0;
        }

        goto forward;
    }

    if (-d > MEET_RTP_RW_WINDOW) {
        /* the source restarted with the same SSRC */
        meet_rtp_rewriter_rebase(rw, ssrc, seq, ts, now_ms);
        goto forward;
    }

    /* the newest again, or late */

    if (-d < MEET_RTP_RW_HISTORY) {
        if ((rw->history >> -d) & 1) {
            return MEET_RTP_RW_DROP;
        }

        rw->history |= (uint64_t) 1 << -d;
    }

    if (rw->base_check && meet_rtp_seq_diff(seq, rw->base_in_seq) < 0) {
        /* before this mapping: its number was the previous source's */
        return MEET_RTP_RW_DROP;
    }

forward:

    if (out_seq) {
        *out_seq = (uint16_t) (seq + rw->seq_offset);
    }

    if (out_ts) {
        *out_ts = ts + rw->ts_offset;
    }

    return MEET_RTP_RW_FORWARD;
}


int
meet_rtp_rewriter_apply(meet_rtp_rewriter_t *rw, u_char *p, size_t n,
    const meet_rtp_header_t *h, uint64_t now_ms)
{
    uint16_t  seq;
    uint32_t  ts;

    if (rw == NULL || h == NULL || !meet_rtp_writable(p, n)) {
        return MEET_RTP_RW_DROP;
    }

    if (meet_rtp_rewriter_map(rw, h->ssrc, h->seq, h->ts, now_ms, &seq, &ts)
        != MEET_RTP_RW_FORWARD)
    {
        return MEET_RTP_RW_DROP;
    }

    meet_rtp_wr16(p + 2, seq);
    meet_rtp_wr32(p + 4, ts);
    meet_rtp_wr32(p + 8, rw->out_ssrc);

    return MEET_RTP_RW_FORWARD;
}


size_t
meet_rtp_rewriter_copy(meet_rtp_rewriter_t *rw, u_char *out, size_t size,
    const u_char *p, size_t n, const meet_rtp_header_t *h, unsigned pt,
    int resend, uint64_t now_ms)
{
    size_t    hl, rest;
    uint16_t  seq;
    uint32_t  ts;

    if (rw == NULL || out == NULL || h == NULL || resend > 0xffff
        || !meet_rtp_writable(p, n))
    {
        return 0;
    }

    /* the fixed header and CSRCs stay, the extension goes */

    hl = MEET_RTP_HEADER_LEN + 4 * (size_t) h->cc;

    if (h->header_len < hl || h->header_len > n) {
        return 0;
    }

    rest = n - h->header_len;               /* payload and padding */

    if (hl + rest > size) {
        return 0;
    }

    if (resend >= 0) {
        /* asked for again: the number it went out with, this mapping */
        seq = (uint16_t) resend;
        ts = h->ts + rw->ts_offset;

    } else if (meet_rtp_rewriter_map(rw, h->ssrc, h->seq, h->ts, now_ms,
                                     &seq, &ts)
               != MEET_RTP_RW_FORWARD)
    {
        return 0;
    }

    memcpy(out, p, hl);
    memcpy(out + hl, p + h->header_len, rest);

    out[0] &= ~0x10;
    out[1] = (u_char) ((p[1] & 0x80) | (pt & 0x7f));
    meet_rtp_wr16(out + 2, seq);
    meet_rtp_wr32(out + 4, ts);
    meet_rtp_wr32(out + 8, rw->out_ssrc);

    return hl + rest;
}


/* retransmission streams, RFC 4588 */


static int
meet_rtp_rtx_valid(const u_char *p, size_t n, const meet_rtp_header_t *h)
{
    /* h is a header of p: CSRCs and payload inside, padding after */

    return h != NULL && meet_rtp_writable(p, n)
           && h->cc == (p[0] & 0x0f)
           && h->header_len >= MEET_RTP_HEADER_LEN + 4 * (size_t) h->cc
           && h->header_len <= n
           && h->payload_len <= n - h->header_len;
}


size_t
meet_rtp_rtx_unwrap(u_char *out, size_t size, const u_char *p, size_t n,
    const meet_rtp_header_t *h, unsigned pt, uint32_t ssrc)
{
    size_t  hl;

    if (out == NULL || !meet_rtp_rtx_valid(p, n, h)
        || h->payload_len < 2 || n - 2 > size)
    {
        return 0;
    }

    hl = h->header_len;

    memcpy(out, p, hl);
    memcpy(out + hl, p + hl + 2, n - hl - 2);   /* payload and padding */

    out[1] = (u_char) ((p[1] & 0x80) | (pt & 0x7f));
    out[2] = p[hl];                             /* the OSN */
    out[3] = p[hl + 1];
    meet_rtp_wr32(out + 8, ssrc);

    return n - 2;
}


size_t
meet_rtp_rtx_wrap(u_char *out, size_t size, const u_char *p, size_t n,
    const meet_rtp_header_t *h, unsigned rtx_pt, uint32_t rtx_ssrc,
    uint16_t rtx_seq, uint16_t osn, uint32_t ts)
{
    size_t  hl;

    if (out == NULL || !meet_rtp_rtx_valid(p, n, h)) {
        return 0;
    }

    /* the fixed header and CSRCs stay, the extension goes */

    hl = MEET_RTP_HEADER_LEN + 4 * (size_t) h->cc;

    if (hl + 2 + h->payload_len > size) {
        return 0;
    }

    memcpy(out, p, hl);
    memcpy(out + hl + 2, p + h->header_len, h->payload_len);

    out[0] &= ~0x30;                            /* X and P */
    out[1] = (u_char) ((p[1] & 0x80) | (rtx_pt & 0x7f));
    meet_rtp_wr16(out + 2, rtx_seq);
    meet_rtp_wr32(out + 4, ts);
    meet_rtp_wr32(out + 8, rtx_ssrc);
    meet_rtp_wr16(out + hl, osn);

    return hl + 2 + h->payload_len;
}


/* loss tracking for NACKs */


void
meet_rtp_nack_init(meet_rtp_nack_t *nk, unsigned retry_ms, unsigned max_tries,
    unsigned max_age_ms)
{
    memset(nk, 0, sizeof(meet_rtp_nack_t));
    nk->retry_ms = retry_ms;
    nk->max_tries = max_tries ? max_tries : 1;
    nk->max_age_ms = max_age_ms;
}


static void
meet_rtp_nack_give_up(meet_rtp_nack_t *nk, unsigned i)
{
    nk->gone[nk->gone_next] = nk->items[i].seq;
    nk->gone_next = (nk->gone_next + 1) % MEET_RTP_NACK_GONE;

    if (nk->ngone < MEET_RTP_NACK_GONE) {
        nk->ngone++;
    }

    nk->gave_up++;
}


static void
meet_rtp_nack_remove(meet_rtp_nack_t *nk, unsigned i)
{
    memmove(&nk->items[i], &nk->items[i + 1],
            (nk->n - i - 1) * sizeof(meet_rtp_nack_item_t));
    nk->n--;
}


int
meet_rtp_nack_packet(meet_rtp_nack_t *nk, uint16_t seq, uint64_t now_ms)
{
    int32_t    d;
    uint16_t   s;
    unsigned   i;

    if (!nk->started) {
        nk->started = 1;
        nk->max_seq = seq;
        return MEET_RTP_NACK_NEW;
    }

    d = meet_rtp_seq_diff(seq, nk->max_seq);

    if (d > MEET_RTP_NACK_RESET || d < -MEET_RTP_NACK_RESET) {
        /* the source restarted its numbers: nothing is missing */
        nk->n = 0;
        nk->max_seq = seq;
        return MEET_RTP_NACK_NEW;
    }

    if (d > 0) {
        /* the numbers in between are missing, the newest 64 at most */
        s = (d - 1 > MEET_RTP_NACK_MAX) ? (uint16_t) (seq - MEET_RTP_NACK_MAX)
                                        : (uint16_t) (nk->max_seq + 1);

        for ( /* void */ ; s != seq; s++) {
            if (nk->n == MEET_RTP_NACK_MAX) {
                meet_rtp_nack_give_up(nk, 0);
                meet_rtp_nack_remove(nk, 0);
            }

            nk->items[nk->n].seq = s;
            nk->items[nk->n].tries = 0;
            nk->items[nk->n].first_ms = now_ms;
            nk->items[nk->n].next_ms = now_ms;
            nk->n++;
        }

        nk->max_seq = seq;

        return MEET_RTP_NACK_NEW;
    }

    for (i = 0; i < nk->n; i++) {
        if (nk->items[i].seq == seq) {
            meet_rtp_nack_remove(nk, i);
            return MEET_RTP_NACK_RECOVERED;
        }
    }

    /* late after all: once */
    for (i = 0; i < nk->ngone; i++) {
        if (nk->gone[i] == seq) {
            nk->gone[i] = (uint16_t) (nk->max_seq + 1);   /* not again */
            return MEET_RTP_NACK_RECOVERED;
        }
    }

    return MEET_RTP_NACK_DUPLICATE;
}


unsigned
meet_rtp_nack_due(meet_rtp_nack_t *nk, uint64_t now_ms, uint16_t *out,
    unsigned max)
{
    unsigned               i, k;
    meet_rtp_nack_item_t  *it;

    k = 0;
    i = 0;

    while (i < nk->n) {
        it = &nk->items[i];

        if (now_ms - it->first_ms > nk->max_age_ms
            || (it->next_ms <= now_ms && it->tries >= nk->max_tries))
        {
            /* too old, or no answer to the last NACK either */
            meet_rtp_nack_give_up(nk, i);
            meet_rtp_nack_remove(nk, i);
            continue;
        }

        if (it->next_ms <= now_ms && k < max) {
            out[k++] = it->seq;
            it->tries++;
            it->next_ms = now_ms + nk->retry_ms;
        }

        i++;
    }

    return k;
}


/* bounds on retransmissions to one receiver */


void
meet_rtp_resend_init(meet_rtp_resend_t *rs, meet_rtp_resend_slot_t *slots,
    unsigned nslots, unsigned window_ms, unsigned max_resends,
    unsigned rate_pct)
{
    memset(rs, 0, sizeof(meet_rtp_resend_t));

    if (slots && nslots) {
        memset(slots, 0, nslots * sizeof(meet_rtp_resend_slot_t));
    }

    rs->slots = slots;
    rs->nslots = slots ? nslots : 0;
    rs->window_ms = window_ms;
    rs->max_resends = max_resends == 0 ? 1
                      : max_resends > 255 ? 255 : max_resends;
    rs->rate_pct = rate_pct;
}


/* the second of media bytes that now_ms falls in */

static void
meet_rtp_resend_second(meet_rtp_resend_t *rs, uint64_t now_ms)
{
    if (!rs->started) {
        rs->started = 1;
        rs->sec_start_ms = now_ms;
        return;
    }

    if (now_ms - rs->sec_start_ms < 1000) {
        return;
    }

    /* a second ended; after a silence of more, the last one was empty */
    rs->prev_bytes = (now_ms - rs->sec_start_ms < 2000) ? rs->sec_bytes : 0;
    rs->sec_bytes = 0;
    rs->sec_start_ms = now_ms;
}


void
meet_rtp_resend_sent(meet_rtp_resend_t *rs, uint16_t seq, size_t len,
    uint64_t now_ms)
{
    uint64_t  cap;

    meet_rtp_resend_second(rs, now_ms);

    rs->sec_bytes += len;
    rs->credit += (uint64_t) len * rs->rate_pct;

    cap = (rs->sec_bytes > rs->prev_bytes ? rs->sec_bytes : rs->prev_bytes)
          * rs->rate_pct;

    if (rs->credit > cap) {
        rs->credit = cap;
    }

    if (rs->nslots) {
        rs->slots[seq % rs->nslots].resends = 0;
    }
}


int
meet_rtp_resend_check(meet_rtp_resend_t *rs, uint16_t seq, size_t len,
    uint64_t now_ms)
{
    uint64_t                 cost;
    meet_rtp_resend_slot_t  *sl;

    sl = rs->nslots ? &rs->slots[seq % rs->nslots] : NULL;

    if (sl && sl->resends && sl->seq == seq
        && (sl->resends >= rs->max_resends
            || (uint32_t) ((uint32_t) now_ms - sl->last_ms) < rs->window_ms))
    {
        return MEET_RTP_RESEND_REPEAT;
    }

    cost = (uint64_t) len * 100;

    if (rs->credit < cost) {
        return MEET_RTP_RESEND_RATE;
    }

    rs->credit -= cost;

    if (sl) {
        if (sl->resends == 0 || sl->seq != seq) {
            sl->seq = seq;
            sl->resends = 0;
        }

        sl->resends++;
        sl->last_ms = (uint32_t) now_ms;
    }

    return MEET_RTP_RESEND_OK;
}


void
meet_rtp_history_init(meet_rtp_history_t *hi, meet_rtp_history_slot_t *slots,
    unsigned nslots)
{
    memset(hi, 0, sizeof(meet_rtp_history_t));

    meet_rtp_history_move(hi, slots, nslots);
}


void
meet_rtp_history_put(meet_rtp_history_t *hi, uint16_t seq, const u_char *p,
    size_t len)
{
    meet_rtp_history_slot_t  *sl;

    if (hi->nslots == 0 || len == 0 || len > MEET_RTP_HISTORY_MTU) {
        return;
    }

    sl = &hi->slots[seq & (hi->nslots - 1)];
    sl->seq = seq;
    sl->len = (uint16_t) len;
    memcpy(sl->data, p, len);

    if (!hi->have || (int16_t) (seq - hi->max_seq) > 0) {
        hi->max_seq = seq;
        hi->have = 1;
    }
}


const meet_rtp_history_slot_t *
meet_rtp_history_get(meet_rtp_history_t *hi, uint16_t seq)
{
    meet_rtp_history_slot_t  *sl;

    if (hi->nslots == 0) {
        return NULL;
    }

    sl = &hi->slots[seq & (hi->nslots - 1)];

    if (sl->len == 0 || sl->seq != seq) {
        return NULL;
    }

    return sl;
}


unsigned
meet_rtp_history_rate(meet_rtp_history_t *hi, uint64_t now_ms, unsigned min,
    unsigned max)
{
    uint64_t  elapsed;
    unsigned  need, want;

    if (!hi->started) {
        hi->started = 1;
        hi->sec_start_ms = now_ms;
        hi->sec_packets = 1;
        return 0;
    }

    elapsed = now_ms - hi->sec_start_ms;

    if (now_ms < hi->sec_start_ms || elapsed < 1000) {
        hi->sec_packets++;
        return 0;
    }

    /* a second ended (after a silence, a longer and emptier one) */
    hi->rate = (unsigned) ((uint64_t) hi->sec_packets * 1000 / elapsed);
    hi->sec_start_ms = now_ms;
    hi->sec_packets = 1;

    need = hi->rate + hi->rate / 4;

    for (want = min; want < need && want < max; want *= 2) {
        /* void */
    }

    if (want > max) {
        want = max;
    }

    if (want > hi->nslots) {
        hi->quiet = 0;
        return want;
    }

    if (want > hi->nslots / 4 || hi->nslots <= min) {
        hi->quiet = 0;
        return 0;
    }

    if (++hi->quiet < MEET_RTP_HISTORY_QUIET) {
        return 0;
    }

    /* quiet for a while: half, and half again later if it stays so */
    hi->quiet = 0;

    return hi->nslots / 2;
}


void
meet_rtp_history_move(meet_rtp_history_t *hi, meet_rtp_history_slot_t *slots,
    unsigned nslots)
{
    unsigned                  i;
    meet_rtp_history_slot_t  *from, *to;

    for (i = 0; i < nslots; i++) {
        slots[i].len = 0;
    }

    for (i = 0; nslots && i < hi->nslots; i++) {
        from = &hi->slots[i];

        if (from->len == 0) {
            continue;
        }

        to = &slots[from->seq & (nslots - 1)];

        /* of two that share a slot, the one nearer the newest */
        if (to->len
            && (uint16_t) (hi->max_seq - to->seq)
               <= (uint16_t) (hi->max_seq - from->seq))
        {
            continue;
        }

        to->seq = from->seq;
        to->len = from->len;
        memcpy(to->data, from->data, from->len);
    }

    hi->slots = nslots ? slots : NULL;
    hi->nslots = nslots;
    hi->quiet = 0;
}
