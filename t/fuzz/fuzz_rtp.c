/* sources: ngx_meet_rtp_stream_module/lib/meet_rtp.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the RTP library.  The input is one datagram as it
 * arrives on the media port; the target demultiplexes and parses it, reads
 * its header extensions and payload the way the forwarding path does,
 * rewrites a copy and parses it again (in place, and as the forwarding
 * copy without extension), wraps it into an RTX packet and back (RFC
 * 4588) and unwraps it as one, and also replays the input as a
 * sequence of (SSRC, seq, ts, time) arrivals through a rewriter and of
 * media sent and resends asked through the retransmission bounds, and of
 * packets kept through a history that grows and shrinks.  Aborts
 * when a promise of meet_rtp.h is broken.
 *
 * The corpus in t/fuzz/corpus/rtp/ holds RTP packets (ffmpeg VP8, VP9 and
 * H.264 packets, packets with one-byte and two-byte header extensions,
 * padding, CSRCs).
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meet_rtp.h"


#define check(cond)  do { if (!(cond)) { abort(); } } while (0)

#define MAX_PACKET  2048


static uint32_t
rd32(const u_char *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16)
           | ((uint32_t) p[2] << 8) | p[3];
}


static void
check_extensions(const u_char *p, size_t n, const meet_rtp_header_t *h)
{
    int                  rc, count;
    u_char               q[MAX_PACKET], v[256];
    size_t               len, l2;
    unsigned             id, level, voice;
    uint16_t             seq;
    uint32_t             t;
    size_t               ml;
    const u_char        *d, *f, *m;
    meet_rtp_header_t    h2;
    meet_rtp_ext_iter_t  it;

    if (meet_rtp_ext_iter_init(&it, p, h) != 0) {
        check(!h->extension
              || (h->ext_profile != MEET_RTP_EXT_ONE_BYTE
                  && (h->ext_profile & MEET_RTP_EXT_TWO_BYTE_MASK)
                     != MEET_RTP_EXT_TWO_BYTE));
        check(meet_rtp_ext_find(p, h, 1, NULL) == NULL);
        return;
    }

    count = 0;

    while ((rc = meet_rtp_ext_next(&it, &id, &d, &len))
           == MEET_RTP_EXT_ELEMENT)
    {
        count++;
        check(count <= 1024);

        /* the element lies inside the extension block */
        check(d >= p + h->ext_offset);
        check(d + len <= p + h->ext_offset + h->ext_len);
        check(id >= 1 && id <= 255);

        if (!it.two_byte) {
            check(id <= 14 && len >= 1 && len <= 16);
        }

        /* find() gives the first element with that id */
        f = meet_rtp_ext_find(p, h, id, &l2);
        check(f != NULL && f <= d);

        if (f == d) {
            check(l2 == len);
        }

        /* rewrite it in place on a copy: only its bytes change */
        if (f == d) {
            memcpy(q, p, n);
            memset(v, 0x5a, len);
            check(meet_rtp_ext_set(q, h, id, v, len) == 0);
            check(memcmp(q + (d - p), v, len) == 0);
            check(memcmp(q, p, (size_t) (d - p)) == 0);
            check(memcmp(q + (d - p) + len, d + len,
                         n - (size_t) (d - p) - len) == 0);
            check(meet_rtp_parse(&h2, q, n) == MEET_RTP_OK);
            check(h2.header_len == h->header_len
                  && h2.payload_len == h->payload_len);
            check(meet_rtp_ext_set(q, h, id, v, len + 1) == -1);

            if (len == 2) {
                memcpy(q, p, n);
                check(meet_rtp_ext_set_twcc_seq(q, h, id, 0xbeef) == 0);
                check(meet_rtp_ext_twcc_seq(q, h, id, &seq) == 0
                      && seq == 0xbeef);
            }
        }

        /* the readers agree with the first element of that id */
        check((meet_rtp_ext_abs_send_time(p, h, id, &t) == 0) == (l2 == 3));
        check((meet_rtp_ext_twcc_seq(p, h, id, &seq) == 0) == (l2 == 2));
        check((meet_rtp_ext_audio_level(p, h, id, &level, &voice) == 0)
              == (l2 >= 1));
        check((meet_rtp_ext_mid(p, h, id, &m, &ml) == 0) == (l2 >= 1));
        check(l2 == 0 || (m == f && ml == l2));

        if (l2 >= 1) {
            check(level <= 127 && voice <= 1);
        }
    }

    check(rc == MEET_RTP_EXT_END || rc == MEET_RTP_EXT_MALFORMED);
    check(meet_rtp_ext_next(&it, &id, &d, &len) == rc);
}


static void
check_rewrite(const u_char *p, size_t n, const meet_rtp_header_t *h)
{
    u_char             q[MAX_PACKET];
    uint16_t           seq;
    uint32_t           ts, ssrc;
    unsigned           pt, marker;
    meet_rtp_header_t  h2;

    memcpy(q, p, n);

    seq = (uint16_t) ~h->seq;
    ts = h->ts ^ 0x80000001;
    ssrc = h->ssrc + 1;
    pt = (h->pt + 35) & 0x7f;
    marker = !h->marker;

    check(meet_rtp_set_seq(q, n, seq) == 0);
    check(meet_rtp_set_ts(q, n, ts) == 0);
    check(meet_rtp_set_ssrc(q, n, ssrc) == 0);
    check(meet_rtp_set_pt(q, n, pt) == 0);
    check(meet_rtp_set_marker(q, n, marker) == 0);

    check(meet_rtp_parse(&h2, q, n) == MEET_RTP_OK);
    check(h2.seq == seq && h2.ts == ts && h2.ssrc == ssrc && h2.pt == pt
          && h2.marker == marker);
    check(h2.cc == h->cc && h2.extension == h->extension
          && h2.header_len == h->header_len
          && h2.payload_len == h->payload_len
          && h2.padding_len == h->padding_len
          && h2.ext_profile == h->ext_profile
          && h2.ext_offset == h->ext_offset && h2.ext_len == h->ext_len);
    check(q[0] == p[0] && memcmp(q + 12, p + 12, n - 12) == 0);
    check(meet_rtp_classify(q, n) == MEET_RTP_PKT_RTP
          || meet_rtp_classify(q, n) == MEET_RTP_PKT_RTCP);
}


/*
 * The forwarding copy: into a buffer one byte larger than promised (the
 * canary must stay), without the extension; it parses again with the
 * same CSRCs, payload and padding; a resend is the number asked for.
 */

static void
check_forward_copy(const u_char *p, size_t n, const meet_rtp_header_t *h)
{
    u_char               q[MAX_PACKET + 1];
    size_t               len, hl, size;
    meet_rtp_header_t    h2;
    meet_rtp_rewriter_t  rw;

    hl = 12 + 4 * (size_t) h->cc;
    size = hl + (n - h->header_len);

    meet_rtp_rewriter_init(&rw, 0x0a0b0c0d, 90000);

    q[size - 1] = 0x5a;
    check(meet_rtp_rewriter_copy(&rw, q, size - 1, p, n, h, 33, -1, 0) == 0);
    check(q[size - 1] == 0x5a && !rw.started);

    q[size] = 0xa5;
    len = meet_rtp_rewriter_copy(&rw, q, size, p, n, h, h->pt + 1, -1, 0);
    check(len == size && q[size] == 0xa5);
    check(meet_rtp_parse(&h2, q, len) == MEET_RTP_OK);
    check(!h2.extension && h2.cc == h->cc && h2.header_len == hl
          && h2.payload_len == h->payload_len
          && h2.padding_len == h->padding_len
          && h2.marker == h->marker && h2.pt == ((h->pt + 1) & 0x7f)
          && h2.seq == h->seq && h2.ts == h->ts && h2.ssrc == 0x0a0b0c0d);
    check(memcmp(q + 12, p + 12, hl - 12) == 0
          && memcmp(q + hl, p + h->header_len, n - h->header_len) == 0);

    len = meet_rtp_rewriter_copy(&rw, q, size, p, n, h, 0, 77, 0);
    check(len == size && meet_rtp_parse(&h2, q, len) == MEET_RTP_OK
          && h2.seq == 77 && h2.ts == h->ts);
}


/*
 * RFC 4588: the RTX packet of the input, into a buffer one byte larger
 * than promised (the canary must stay), parses with the RTX numbers, no
 * extension and no padding; unwrapped it is the input without its
 * extension and padding.  The input taken as an RTX packet unwraps to a
 * packet with its OSN as number, or to nothing without an OSN.
 */

static void
check_rtx(const u_char *p, size_t n, const meet_rtp_header_t *h)
{
    u_char             q[MAX_PACKET + 3], r[MAX_PACKET + 3];
    u_char             want[MAX_PACKET + 3];
    size_t             len, blen, hl, size;
    meet_rtp_header_t  h2, h3;

    hl = 12 + 4 * (size_t) h->cc;
    size = hl + 2 + h->payload_len;

    q[size - 1] = 0x5a;
    check(meet_rtp_rtx_wrap(q, size - 1, p, n, h, 97, 0x0a0b0c0d, 0xfffe,
                            h->seq, h->ts) == 0);
    check(q[size - 1] == 0x5a);

    q[size] = 0xa5;
    len = meet_rtp_rtx_wrap(q, size, p, n, h, (h->pt + 1) & 0x7f,
                            0x0a0b0c0d, 0xfffe, h->seq, h->ts);
    check(len == size && q[size] == 0xa5);
    check(meet_rtp_parse(&h2, q, len) == MEET_RTP_OK);
    check(!h2.extension && h2.padding_len == 0 && h2.cc == h->cc
          && h2.header_len == hl && h2.payload_len == 2 + h->payload_len
          && h2.marker == h->marker && h2.pt == ((h->pt + 1) & 0x7f)
          && h2.seq == 0xfffe && h2.ts == h->ts && h2.ssrc == 0x0a0b0c0d);
    check(q[hl] == (h->seq >> 8) && q[hl + 1] == (h->seq & 0xff));
    check(memcmp(q + 12, p + 12, hl - 12) == 0
          && memcmp(q + hl + 2, p + h->header_len, h->payload_len) == 0);

    /* and back: the input without extension and padding */

    memcpy(want, p, hl);
    want[0] &= ~0x30;
    memcpy(want + hl, p + h->header_len, h->payload_len);

    r[len - 3] = 0x5a;
    check(meet_rtp_rtx_unwrap(r, len - 3, q, len, &h2, h->pt, h->ssrc) == 0);
    check(r[len - 3] == 0x5a);

    r[len - 2] = 0xa5;
    blen = meet_rtp_rtx_unwrap(r, len - 2, q, len, &h2, h->pt, h->ssrc);
    check(blen == hl + h->payload_len && r[len - 2] == 0xa5);
    check(memcmp(r, want, blen) == 0);
    check(meet_rtp_parse(&h3, r, blen) == MEET_RTP_OK);

    /* the input as an RTX packet */

    if (h->payload_len < 2) {
        check(meet_rtp_rtx_unwrap(r, sizeof(r), p, n, h, 96, 1) == 0);
        return;
    }

    r[n - 2] = 0xa5;
    blen = meet_rtp_rtx_unwrap(r, n - 2, p, n, h, 96, 0x01020304);
    check(blen == n - 2 && r[n - 2] == 0xa5);
    check(meet_rtp_parse(&h3, r, blen) == MEET_RTP_OK);
    check(h3.seq == ((p[h->header_len] << 8) | p[h->header_len + 1])
          && h3.pt == 96 && h3.ssrc == 0x01020304
          && h3.marker == h->marker && h3.cc == h->cc
          && h3.extension == h->extension
          && h3.header_len == h->header_len
          && h3.payload_len == h->payload_len - 2
          && h3.padding_len == h->padding_len);
    check(r[0] == p[0] && memcmp(r + 4, p + 4, 4) == 0
          && memcmp(r + 12, p + 12, h->header_len - 12) == 0
          && memcmp(r + h->header_len, p + h->header_len + 2,
                    n - h->header_len - 2) == 0);
}


static void
check_keyframes(const u_char *p, size_t n)
{
    int       rc;
    unsigned  codec;

    for (codec = 0; codec <= 5; codec++) {
        rc = meet_rtp_keyframe(codec, p, n);
        check(rc == MEET_RTP_KEYFRAME_YES || rc == MEET_RTP_KEYFRAME_NO
              || rc == MEET_RTP_KEYFRAME_UNKNOWN);

        if (codec < MEET_RTP_CODEC_VP8 || codec > MEET_RTP_CODEC_AV1
            || n == 0)
        {
            check(rc == MEET_RTP_KEYFRAME_UNKNOWN);
        }
    }
}


/*
 * The input replayed as arrivals of 8 bytes: SSRC selector, seq (2), ts
 * (4, only 2 used plus a frame step), time step; checks the rewriter's
 * mapping promises.
 */

static void
check_rewriter(const u_char *data, size_t size)
{
    int                   rc, same, rebase;
    size_t                i;
    int64_t               last, u2;
    uint16_t              seq, oseq, old_max_out, old_off;
    uint32_t              ssrc, ts, ots, old_ts_off, old_ssrc, old_max_ts;
    uint64_t              now;
    meet_rtp_rewriter_t   rw;
    meet_rtp_unwrapper_t  u;

    if (size < 1) {
        return;
    }

    meet_rtp_rewriter_init(&rw, 0x12345678, (data[0] & 1) ? 48000 : 90000);
    meet_rtp_unwrapper_init(&u);

    now = 0;

    for (i = 1; i + 8 <= size; i += 8) {
        ssrc = data[i] & 0x03;
        seq = (uint16_t) ((data[i + 1] << 8) | data[i + 2]);
        ts = rd32(data + i + 3);
        now += data[i + 7];

        if (data[i] & 0x80) {
            meet_rtp_rewriter_switch(&rw);
        }

        /* the unwrapper moves by the shortest distance */
        last = u.last;
        u2 = meet_rtp_unwrap_seq(&u, seq);

        if (i > 1) {
            check(u2 == last + meet_rtp_seq_diff(seq, (uint16_t) last));
            check(u.last == (u2 > last ? u2 : last));

        } else {
            check(u2 == seq && u.last == seq);
        }

        same = rw.started && !rw.switching && ssrc == rw.in_ssrc;
        old_max_out = rw.max_out_seq;
        old_max_ts = rw.max_out_ts;
        old_off = rw.seq_offset;
        old_ts_off = rw.ts_offset;
        old_ssrc = rw.in_ssrc;

        rc = meet_rtp_rewriter_map(&rw, ssrc, seq, ts, now, &oseq, &ots);

        check(rc == MEET_RTP_RW_FORWARD || rc == MEET_RTP_RW_DROP);
        check(!rw.switching || rc == MEET_RTP_RW_DROP);
        check(rw.started);

        if (rc == MEET_RTP_RW_DROP) {
            check(rw.seq_offset == old_off && rw.ts_offset == old_ts_off
                  && rw.in_ssrc == old_ssrc && rw.max_out_seq == old_max_out);
            continue;
        }

        /* the mapping in force maps this packet */
        check(oseq == (uint16_t) (seq + rw.seq_offset));
        check(ots == ts + rw.ts_offset);
        check(rw.in_ssrc == ssrc);

        rebase = !same || rw.seq_offset != old_off
                 || rw.ts_offset != old_ts_off;

        if (rebase && i > 1) {
            /* continues the outgoing stream */
            check(oseq == (uint16_t) (old_max_out + 1));
            check(ots != old_max_ts);
            check(rw.max_out_seq == oseq && rw.base_in_seq == seq);
        }

        /* never a packet newer than the newest sent */
        check(!meet_rtp_seq_newer(oseq, rw.max_out_seq));

        /* the newest again is a duplicate */
        check(meet_rtp_rewriter_map(&rw, ssrc, rw.max_in_seq, ts, now,
                                    NULL, NULL) == MEET_RTP_RW_DROP);
    }
}


/*
 * The input as a sequence of (kind, seq, length, time step) through the
 * retransmission bounds: a resend allowed is never within the window of
 * the last one of the same number, never over max_resends, and the bytes
 * resent never exceed rate_pct % of the media sent.
 */

static void
check_resend(const u_char *data, size_t size)
{
    int                     rc;
    size_t                  i, len;
    uint16_t                seq;
    uint64_t                now, sent, resent;
    unsigned                pct, k;
    meet_rtp_resend_t       rs;
    meet_rtp_resend_slot_t  slots[8], *sl;
    uint32_t                last[8];
    uint16_t                lseq[8];
    unsigned                count[8];

    if (size < 1) {
        return;
    }

    pct = data[0];
    meet_rtp_resend_init(&rs, slots, 8, 100, 3, pct);
    memset(count, 0, sizeof(count));

    now = 0;
    sent = 0;
    resent = 0;

    for (i = 1; i + 5 <= size; i += 5) {
        seq = (uint16_t) ((data[i + 1] << 8) | data[i + 2]);
        len = data[i + 3] * 8;
        now += data[i + 4];
        k = seq % 8;
        sl = &slots[k];

        if (data[i] & 1) {
            meet_rtp_resend_sent(&rs, seq, len, now);
            sent += len;
            count[k] = 0;
            continue;
        }

        rc = meet_rtp_resend_check(&rs, seq, len, now);
        check(rc == MEET_RTP_RESEND_OK || rc == MEET_RTP_RESEND_REPEAT
              || rc == MEET_RTP_RESEND_RATE);

        if (rc != MEET_RTP_RESEND_OK) {
            continue;
        }

        if (count[k] && lseq[k] == seq) {
            check(now - last[k] >= 100 && count[k] < 3);
            count[k]++;

        } else {
            count[k] = 1;
        }

        lseq[k] = seq;
        last[k] = (uint32_t) now;
        resent += len;

        check(sl->seq == seq && sl->resends == count[k]);
        check(resent * 100 <= sent * pct);
    }
}


/*
 * The input as a sequence of (kind, seq, length, time step) through a
 * packet history that grows and shrinks as meet_rtp_history_rate() says:
 * a packet just put is found with its bytes; a move keeps every packet
 * when the slots grow, and the newest when they shrink; the sizes asked
 * are powers of two from min to max.
 */

static meet_rtp_history_slot_t  hist_slots[2][64];

static void
check_history(const u_char *data, size_t size)
{
    size_t                          i, len;
    uint16_t                        seq, newest;
    uint64_t                        now;
    unsigned                        want, cur, k, min, max, found, kept;
    int                             had, grows;
    meet_rtp_history_t              hi;
    const meet_rtp_history_slot_t  *sl;
    u_char                          pkt[MEET_RTP_HISTORY_MTU + 8];

    if (size < 1) {
        return;
    }

    min = 1u << (data[0] & 3);             /* 1 .. 8 */
    max = min << ((data[0] >> 2) & 3);     /* .. 64 */
    cur = 0;
    meet_rtp_history_init(&hi, hist_slots[cur], min);
    now = 0;
    newest = 0;

    for (i = 1; i + 5 <= size; i += 5) {
        seq = (uint16_t) ((data[i + 1] << 8) | data[i + 2]);
        len = (size_t) data[i + 3] * 8;
        now += (uint64_t) data[i + 4] * 4;

        if (data[i] & 1) {
            memset(pkt, data[i], sizeof(pkt));
            pkt[0] = data[i + 2];
            meet_rtp_history_put(&hi, seq, pkt, len);

            sl = meet_rtp_history_get(&hi, seq);

            if (len && len <= MEET_RTP_HISTORY_MTU) {
                check(sl && sl->seq == seq && sl->len == len
                      && sl->data[0] == data[i + 2]);
            }

            if (hi.have) {
                newest = hi.max_seq;
            }

            continue;
        }

        want = meet_rtp_history_rate(&hi, now, min, max);

        if (want == 0) {
            continue;
        }

        check(want >= min && want <= max && (want & (want - 1)) == 0
              && want != hi.nslots);

        /* every packet kept stays when growing, the newest when not */
        found = 0;
        for (k = 0; k < hi.nslots; k++) {
            found += (hi.slots[k].len != 0);
        }

        had = hi.have && meet_rtp_history_get(&hi, newest) != NULL;
        grows = want > hi.nslots;

        cur ^= 1;
        meet_rtp_history_move(&hi, hist_slots[cur], want);

        check(hi.nslots == want && (!hi.have || hi.max_seq == newest));

        kept = 0;
        for (k = 0; k < want; k++) {
            if (hi.slots[k].len) {
                kept++;
                check((hi.slots[k].seq & (want - 1)) == k);
            }
        }

        check(grows ? kept == found : kept <= found && kept <= want);
        check(!had || meet_rtp_history_get(&hi, newest) != NULL);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                rc, kind;
    meet_rtp_header_t  h;

    if (size > MAX_PACKET) {
        return 0;
    }

    kind = meet_rtp_classify(data, size);
    check(kind >= MEET_RTP_PKT_UNKNOWN && kind <= MEET_RTP_PKT_RTCP);

    rc = meet_rtp_parse(&h, data, size);

    check(rc == MEET_RTP_OK || rc == MEET_RTP_ERR_TRUNCATED
          || rc == MEET_RTP_ERR_VERSION || rc == MEET_RTP_ERR_CSRC
          || rc == MEET_RTP_ERR_EXTENSION || rc == MEET_RTP_ERR_PADDING);

    if (rc == MEET_RTP_OK) {
        check(size >= 12 && (data[0] >> 6) == 2);
        check(kind == MEET_RTP_PKT_RTP || kind == MEET_RTP_PKT_RTCP);
        check(h.header_len >= 12 + 4 * (size_t) h.cc);
        check(h.header_len + h.payload_len + h.padding_len == size);
        check(h.pt <= 127 && h.marker <= 1 && h.cc <= 15);
        check((h.padding_len != 0) == ((data[0] & 0x20) != 0));
        check(h.padding_len == 0 || h.padding_len == data[size - 1]);

        if (h.extension) {
            check(h.ext_offset == 12 + 4 * (size_t) h.cc + 4);
            check(h.ext_offset + h.ext_len == h.header_len);
            check(h.ext_len % 4 == 0);

        } else {
            check(h.ext_len == 0 && h.header_len == 12 + 4 * (size_t) h.cc);
        }

        check_extensions(data, size, &h);
        check_rewrite(data, size, &h);
        check_forward_copy(data, size, &h);
        check_rtx(data, size, &h);
        check_keyframes(data + h.header_len, h.payload_len);

    } else if (size >= 12 && (data[0] >> 6) == 2) {
        check(rc != MEET_RTP_ERR_TRUNCATED && rc != MEET_RTP_ERR_VERSION);
    }

    check_keyframes(data, size);
    check_rewriter(data, size);
    check_resend(data, size);
    check_history(data, size);

    return 0;
}
