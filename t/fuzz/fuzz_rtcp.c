/* sources: ngx_meet_rtp_stream_module/lib/meet_rtcp.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the RTCP library.  The input is one (unprotected)
 * compound RTCP packet; the target walks it, parses every packet the way
 * the SFU does and checks round trips through the builders: SR/RR rebuilt
 * byte for byte, NACK list -> FCI -> list, PLI, FIR, REMB and SDES CNAME
 * parse -> build -> parse, feedback SSRC rewriting on a copy.  The input
 * is also read as a list of sequence numbers for the NACK builder.
 * Aborts when a promise of meet_rtcp.h is broken.
 *
 * The corpus in t/fuzz/corpus/rtcp/ holds a real ffmpeg SR + SDES and
 * hand-built RR, NACK, PLI, FIR, REMB, TWCC, BYE and APP packets.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meet_rtcp.h"


#define check(cond)  do { if (!(cond)) { abort(); } } while (0)

#define MAX_INPUT   8192
#define MAX_LOST    (MAX_INPUT / 4 * 17)


static uint16_t  lost[MAX_LOST], lost2[MAX_LOST];
static u_char    seen[65536], seen2[65536];
static u_char    out[MAX_INPUT * 2 + 64];


static int
same_set(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    size_t  i;

    memset(seen, 0, sizeof(seen));
    memset(seen2, 0, sizeof(seen2));

    for (i = 0; i < na; i++) {
        seen[a[i]] = 1;
    }

    for (i = 0; i < nb; i++) {
        seen2[b[i]] = 1;
    }

    return memcmp(seen, seen2, sizeof(seen)) == 0;
}


static meet_rtcp_packet_t
only(const u_char *p, size_t n)
{
    meet_rtcp_iter_t    it;
    meet_rtcp_packet_t  pkt, next;

    meet_rtcp_iter_init(&it, p, n);
    check(meet_rtcp_next(&it, &pkt) == 1);
    check(meet_rtcp_next(&it, &next) == 0);

    return pkt;
}


static void
check_report(const meet_rtcp_packet_t *pkt)
{
    int                       rc;
    size_t                    n;
    unsigned                  i;
    meet_rtcp_report_t        r, r2;
    meet_rtcp_packet_t        p2;
    meet_rtcp_sender_info_t   si;
    meet_rtcp_report_block_t  blocks[MEET_RTCP_MAX_BLOCKS + 1], rb;

    rc = meet_rtcp_parse_report(pkt, &r);

    if (pkt->pt != MEET_RTCP_SR && pkt->pt != MEET_RTCP_RR) {
        check(rc == MEET_RTCP_ERR_TYPE);
        return;
    }

    check(rc == MEET_RTCP_OK || rc == MEET_RTCP_ERR_TRUNCATED);

    if (rc != MEET_RTCP_OK) {
        return;
    }

    check(r.nblocks == pkt->count && r.nblocks <= MEET_RTCP_MAX_BLOCKS);
    check(r.blocks + (size_t) r.nblocks * 24 <= pkt->body + pkt->body_len);

    for (i = 0; i < r.nblocks; i++) {
        check(meet_rtcp_report_block(&r, i, &blocks[i]) == 0);
        check(blocks[i].cumulative_lost >= -0x800000
              && blocks[i].cumulative_lost <= 0x7fffff);
    }

    check(meet_rtcp_report_block(&r, i, &rb) == -1);

    /* rebuilt: the same bytes as far as the builder writes */

    if (pkt->pt == MEET_RTCP_SR) {
        si.ssrc = r.ssrc;
        si.ntp = r.ntp;
        si.rtp_ts = r.rtp_ts;
        si.packets = r.packets;
        si.octets = r.octets;
        n = meet_rtcp_build_sr(out, sizeof(out), &si, blocks, r.nblocks);
        check(n == 28 + (size_t) r.nblocks * 24);

    } else {
        n = meet_rtcp_build_rr(out, sizeof(out), r.ssrc, blocks, r.nblocks);
        check(n == 8 + (size_t) r.nblocks * 24);
    }

    check(memcmp(out + 4, pkt->body, n - 4) == 0);
    check(out[1] == pkt->pt && (out[0] & 0x1f) == pkt->count);

    if (n == pkt->len && pkt->padding == 0) {
        check(memcmp(out, pkt->p, n) == 0);
    }

    p2 = only(out, n);
    check(meet_rtcp_parse_report(&p2, &r2) == MEET_RTCP_OK);
    check(r2.ssrc == r.ssrc && r2.ntp == r.ntp && r2.nblocks == r.nblocks);
}


static void
check_nack(const meet_rtcp_fb_t *fb)
{
    int                 total, total2;
    size_t              n;
    meet_rtcp_fb_t      fb2;
    meet_rtcp_packet_t  p2;

    total = meet_rtcp_nack_lost(fb, lost, MAX_LOST);

    if (fb->pt != MEET_RTCP_RTPFB || fb->fmt != MEET_RTCP_FMT_NACK) {
        check(total == MEET_RTCP_ERR_TYPE);
        return;
    }

    if (fb->fci_len == 0 || fb->fci_len % 4) {
        check(total == MEET_RTCP_ERR_INVALID);
        return;
    }

    check(total >= (int) (fb->fci_len / 4));
    check(total <= (int) (fb->fci_len / 4 * 17));
    check(meet_rtcp_nack_lost(fb, NULL, 0) == total);
    check(meet_rtcp_nack_lost(fb, lost2, 1) == total);
    check(lost2[0] == lost[0]);

    /* list -> FCI -> list: the same set, at most as many entries */

    n = meet_rtcp_build_nack(out, sizeof(out), fb->sender_ssrc,
                             fb->media_ssrc, lost, (size_t) total);
    check(n >= 16 && n <= 12 + fb->fci_len);

    p2 = only(out, n);
    check(meet_rtcp_parse_fb(&p2, &fb2) == MEET_RTCP_OK);
    check(fb2.pt == MEET_RTCP_RTPFB && fb2.fmt == MEET_RTCP_FMT_NACK);
    check(fb2.sender_ssrc == fb->sender_ssrc
          && fb2.media_ssrc == fb->media_ssrc);

    total2 = meet_rtcp_nack_lost(&fb2, lost2, MAX_LOST);
    check(total2 > 0 && total2 <= total);
    check(same_set(lost, (size_t) total, lost2, (size_t) total2));

    /* rebuilding the rebuilt list changes nothing */

    check(meet_rtcp_build_nack(out + n, sizeof(out) - n, 1, 2, lost2,
                               (size_t) total2) == n);
    check(memcmp(out + n + 12, out + 12, n - 12) == 0);
}


static void
check_psfb(const meet_rtcp_fb_t *fb)
{
    int                 rc;
    size_t              n;
    uint8_t             seq, seq2;
    uint32_t            ssrc, ssrc2, ssrcs[MEET_RTCP_MAX_REMB_SSRCS];
    unsigned            i, count;
    meet_rtcp_fb_t      fb2;
    meet_rtcp_remb_t    remb, remb2;
    meet_rtcp_packet_t  p2;

    if (meet_rtcp_is_pli(fb)) {
        check(fb->pt == MEET_RTCP_PSFB && fb->fmt == MEET_RTCP_FMT_PLI);
        n = meet_rtcp_build_pli(out, sizeof(out), fb->sender_ssrc,
                                fb->media_ssrc);
        check(n == MEET_RTCP_PLI_LEN);
        p2 = only(out, n);
        check(meet_rtcp_parse_fb(&p2, &fb2) == MEET_RTCP_OK);
        check(meet_rtcp_is_pli(&fb2) && fb2.fci_len == 0
              && fb2.sender_ssrc == fb->sender_ssrc
              && fb2.media_ssrc == fb->media_ssrc);
    }

    count = meet_rtcp_fir_count(fb);
    check(count == 0
          || (fb->pt == MEET_RTCP_PSFB && fb->fmt == MEET_RTCP_FMT_FIR));
    check(count == fb->fci_len / 8 || count == 0);

    for (i = 0; i < count && i < 64; i++) {
        check(meet_rtcp_fir_entry(fb, i, &ssrc, &seq) == 0);
        n = meet_rtcp_build_fir(out, sizeof(out), fb->sender_ssrc, ssrc,
                                seq);
        check(n == MEET_RTCP_FIR_LEN);
        p2 = only(out, n);
        check(meet_rtcp_parse_fb(&p2, &fb2) == MEET_RTCP_OK);
        check(meet_rtcp_fir_count(&fb2) == 1 && fb2.media_ssrc == 0);
        check(meet_rtcp_fir_entry(&fb2, 0, &ssrc2, &seq2) == 0);
        check(ssrc2 == ssrc && seq2 == seq);
    }

    check(meet_rtcp_fir_entry(fb, count, &ssrc, &seq) == -1);

    rc = meet_rtcp_parse_remb(fb, &remb);

    check(rc == MEET_RTCP_OK || rc == MEET_RTCP_ERR_TYPE
          || rc == MEET_RTCP_ERR_TRUNCATED || rc == MEET_RTCP_ERR_INVALID);

    if (rc != MEET_RTCP_OK) {
        return;
    }

    check(fb->pt == MEET_RTCP_PSFB && fb->fmt == MEET_RTCP_FMT_AFB);
    check(remb.ssrcs + (size_t) remb.nssrcs * 4 <= fb->fci + fb->fci_len);

    for (i = 0; i < remb.nssrcs; i++) {
        ssrcs[i] = meet_rtcp_remb_ssrc(&remb, i);
    }

    n = meet_rtcp_build_remb(out, sizeof(out), fb->sender_ssrc,
                             remb.bitrate, ssrcs, remb.nssrcs);
    check(n == 20 + (size_t) remb.nssrcs * 4);

    p2 = only(out, n);
    check(meet_rtcp_parse_fb(&p2, &fb2) == MEET_RTCP_OK);
    check(meet_rtcp_parse_remb(&fb2, &remb2) == MEET_RTCP_OK);

    /* the canonical encoding of m << e is exact */
    check(remb2.bitrate == remb.bitrate);
    check(remb2.nssrcs == remb.nssrcs);
    check(remb.nssrcs == 0
          || memcmp(remb2.ssrcs, remb.ssrcs, (size_t) remb.nssrcs * 4) == 0);
}


static void
check_twcc(const meet_rtcp_fb_t *fb)
{
    int                       rc, rc2;
    size_t                    i, max;
    meet_rtcp_twcc_t          tw;
    meet_rtcp_twcc_status_t  *st;

    static meet_rtcp_twcc_status_t  sts[65536], sts2[65536];

    rc = meet_rtcp_parse_twcc(fb, &tw);

    if (rc != MEET_RTCP_OK) {
        check(rc == MEET_RTCP_ERR_TYPE || rc == MEET_RTCP_ERR_TRUNCATED);
        return;
    }

    check(fb->pt == MEET_RTCP_RTPFB && fb->fmt == MEET_RTCP_FMT_TWCC);
    check(tw.ref_time >= -0x800000 && tw.ref_time <= 0x7fffff);

    rc = meet_rtcp_twcc_decode(&tw, sts, 65536);

    if (rc < 0) {
        check(rc == MEET_RTCP_ERR_INVALID);
        check(meet_rtcp_twcc_decode(&tw, NULL, 0) == rc);
        return;
    }

    check(rc == tw.status_count);

    for (i = 0; i < (size_t) rc; i++) {
        st = &sts[i];
        check(st->seq == (uint16_t) (tw.base_seq + i));
        check(st->status <= MEET_RTCP_TWCC_LARGE_DELTA);

        if (st->status == MEET_RTCP_TWCC_NOT_RECEIVED) {
            check(st->delta == 0);

        } else if (st->status == MEET_RTCP_TWCC_SMALL_DELTA) {
            check(st->delta >= 0 && st->delta <= 255);

        } else {
            check(st->delta >= -32768 && st->delta <= 32767);
        }
    }

    /* a prefix decodes the same */
    max = rc ? (size_t) (fb->fci_len % (size_t) rc) : 0;
    rc2 = meet_rtcp_twcc_decode(&tw, sts2, max);
    check(rc2 == rc);
    check(max == 0 || memcmp(sts, sts2, max * sizeof(sts[0])) == 0);
}


static void
check_sdes(const meet_rtcp_packet_t *pkt)
{
    int                    rc, items;
    size_t                 len, n, l2;
    uint32_t               ssrc, s2;
    unsigned               type;
    const u_char          *text, *t2;
    meet_rtcp_packet_t     p2;
    meet_rtcp_sdes_iter_t  it;

    if (meet_rtcp_sdes_init(&it, pkt) != 0) {
        check(pkt->pt != MEET_RTCP_SDES);
        return;
    }

    items = 0;

    while ((rc = meet_rtcp_sdes_next(&it, &ssrc, &type, &text, &len)) == 1) {
        check(type != MEET_RTCP_SDES_END);
        check(text >= pkt->body && text + len <= pkt->body + pkt->body_len);
        check(++items <= 1024);
    }

    check(rc == 0 || rc == MEET_RTCP_ERR_INVALID);
    check(meet_rtcp_sdes_next(&it, &ssrc, &type, &text, &len) == rc);

    if (meet_rtcp_sdes_cname(pkt, &ssrc, &text, &len) != 0) {
        return;
    }

    n = meet_rtcp_build_sdes_cname(out, sizeof(out), ssrc, text, len);
    check((n == 0) == (len == 0));

    if (n == 0) {
        return;
    }

    check(n % 4 == 0 && meet_rtcp_validate(out, n) == 1);
    p2 = only(out, n);
    check(meet_rtcp_sdes_cname(&p2, &s2, &t2, &l2) == 0);
    check(s2 == ssrc && l2 == len && memcmp(t2, text, len) == 0);
}


static void
check_rewrite(const u_char *base, const meet_rtcp_packet_t *pkt)
{
    int             rc;
    size_t          off, i, pad, end;
    unsigned        fmt;
    meet_rtcp_fb_t  fb;

    static u_char   q[MAX_INPUT];

    off = (size_t) (pkt->p - base);
    memcpy(q, base, off + pkt->len);

    rc = meet_rtcp_fb_rewrite(q + off, pkt->len, 0xa1a2a3a4, 0xb1b2b3b4);

    fmt = pkt->count;

    if ((pkt->pt != MEET_RTCP_RTPFB && pkt->pt != MEET_RTCP_PSFB)
        || pkt->body_len < 8
        || (pkt->pt == MEET_RTCP_PSFB && fmt == MEET_RTCP_FMT_AFB))
    {
        check(rc == -1);
        check(memcmp(q, base, off + pkt->len) == 0);
        return;
    }

    check(rc == 0);
    check(meet_rtcp_parse_fb(pkt, &fb) == MEET_RTCP_OK);

    /* only the SSRC words changed */
    pad = pkt->padding;
    end = pkt->len - pad;

    for (i = 0; i < pkt->len; i++) {
        u_char  want;

        want = pkt->p[i];

        if (i >= 4 && i < 8) {
            want = (u_char) (0xa1 + i - 4);

        } else if (pkt->pt == MEET_RTCP_PSFB && fmt == MEET_RTCP_FMT_FIR) {
            if (i >= 12 && i < end && (i - 12) % 8 < 4
                && i + 8 - (i - 12) % 8 <= end)
            {
                want = (u_char) (0xb1 + (i - 12) % 8);
            }

        } else if (i >= 8 && i < 12) {
            want = (u_char) (0xb1 + i - 8);
        }

        check(q[off + i] == want);
    }

    check(memcmp(q, base, off) == 0);
}


static void
check_build_nack(const u_char *data, size_t size)
{
    int                 total;
    size_t              n, k, len;
    uint16_t           *seqs;
    meet_rtcp_fb_t      fb;
    meet_rtcp_packet_t  p2;

    n = size / 2;

    if (n == 0 || n > MAX_LOST) {
        return;
    }

    seqs = lost;

    for (k = 0; k < n; k++) {
        seqs[k] = (uint16_t) ((data[2 * k] << 8) | data[2 * k + 1]);
    }

    len = meet_rtcp_build_nack(out, sizeof(out), 7, 8, seqs, n);
    check(len >= 16 && len <= 12 + 4 * n);

    p2 = only(out, len);
    check(p2.len == len);
    check(meet_rtcp_parse_fb(&p2, &fb) == MEET_RTCP_OK);
    total = meet_rtcp_nack_lost(&fb, lost2, MAX_LOST);
    check(total > 0 && (size_t) total <= len / 4 * 17);
    check(same_set(seqs, n, lost2, (size_t) total));
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int                 rc, count, valid;
    meet_rtcp_fb_t      fb;
    meet_rtcp_iter_t    it;
    meet_rtcp_packet_t  pkt;

    if (size > MAX_INPUT) {
        return 0;
    }

    valid = meet_rtcp_validate(data, size);
    check(valid >= 0 || valid == MEET_RTCP_ERR_TRUNCATED
          || valid == MEET_RTCP_ERR_VERSION || valid == MEET_RTCP_ERR_LENGTH
          || valid == MEET_RTCP_ERR_PADDING);

    meet_rtcp_iter_init(&it, data, size);
    count = 0;

    while ((rc = meet_rtcp_next(&it, &pkt)) == 1) {
        count++;

        check(pkt.p >= data && pkt.p + pkt.len <= data + size);
        check(pkt.len >= 4 && pkt.len % 4 == 0);
        check(pkt.body == pkt.p + 4);
        check(pkt.body_len + 4 + pkt.padding == pkt.len);
        check(pkt.pt == pkt.p[1] && pkt.count == (pkt.p[0] & 0x1f));
        check(pkt.padding == 0 || pkt.p + pkt.len == data + size);

        check_report(&pkt);
        check_sdes(&pkt);
        check_rewrite(data, &pkt);

        rc = meet_rtcp_parse_bye(&pkt, NULL, NULL);
        check(rc == MEET_RTCP_OK || rc == MEET_RTCP_ERR_TYPE
              || rc == MEET_RTCP_ERR_TRUNCATED);

        rc = meet_rtcp_parse_fb(&pkt, &fb);

        if (rc == MEET_RTCP_OK) {
            check(fb.fci == pkt.body + 8
                  && fb.fci_len + 8 == pkt.body_len);
            check_nack(&fb);
            check_psfb(&fb);
            check_twcc(&fb);

        } else {
            check(rc == MEET_RTCP_ERR_TYPE || rc == MEET_RTCP_ERR_TRUNCATED);
        }
    }

    check(rc == valid || (rc == 0 && valid == count));
    check(meet_rtcp_next(&it, &pkt) == rc);

    check_build_nack(data, size);

    return 0;
}
