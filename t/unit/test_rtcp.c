/* sources: ngx_meet_rtp_stream_module/lib/meet_rtcp.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the RTCP library (meet_rtcp.c).
 *
 * Provenance of the vectors:
 *  - ffmpeg_sr_sdes: a real compound SR + SDES CNAME that ffmpeg 5.1's
 *    RTP muxer (Debian 12) sent to the RTCP port, captured on a UDP
 *    socket: ffmpeg -re -f lavfi -i sine=... -c:a libopus
 *    -cname ngx_meet-test -f rtp rtp://127.0.0.1:<port>
 *  - the REMB FCI "REMB" 03 07 fb 93 + 3 SSRCs (0x3fb93 << 1 = 522022
 *    bit/s) is the one of libwebrtc's REMB unit test, also used by
 *    ireader/media-server's rtcp-psfb.c test;
 *  - everything else is built by hand from the figures of RFC 3550 6.4
 *    (SR/RR, report blocks), 6.5 (SDES), 6.6 (BYE), 6.7 (APP), RFC 4585
 *    6.1-6.3 (feedback, NACK, PLI), RFC 5104 4.3.1 (FIR),
 *    draft-alvestrand-rmcat-remb 2.2 and
 *    draft-holmer-rmcat-transport-wide-cc-extensions-01 3.1 (TWCC).
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "meet_rtcp.h"


static const char  ffmpeg_sr_sdes[] =
    "80c800060fbecb01eeace4b3845a1cacf96f485a0000000000000000"
    "81ca00050fbecb01010d6e67785f6d6565742d7465737400";


static size_t
unhex(const char *s, u_char *out)
{
    size_t  n;

    for (n = 0; s[0] && s[1]; s += 2, n++) {
        out[n] = (u_char) strtoul((char []) { s[0], s[1], 0 }, NULL, 16);
    }

    return n;
}


/* the first packet of a compound, or pt 0 */

static meet_rtcp_packet_t
first(const u_char *p, size_t n)
{
    meet_rtcp_iter_t    it;
    meet_rtcp_packet_t  pkt;

    memset(&pkt, 0, sizeof(pkt));
    meet_rtcp_iter_init(&it, p, n);

    if (meet_rtcp_next(&it, &pkt) != 1) {
        memset(&pkt, 0, sizeof(pkt));
    }

    return pkt;
}


static void
test_walk(void)
{
    u_char              b[256];
    size_t              n, len;
    uint32_t            ssrc;
    const u_char       *cname;
    meet_rtcp_iter_t    it;
    meet_rtcp_report_t  r;
    meet_rtcp_packet_t  pkt;

    n = unhex(ffmpeg_sr_sdes, b);
    is_int(meet_rtcp_validate(b, n), 2, "ffmpeg SR + SDES: 2 packets");

    meet_rtcp_iter_init(&it, b, n);
    is_int(meet_rtcp_next(&it, &pkt), 1, "SR");
    ok(pkt.pt == MEET_RTCP_SR && pkt.count == 0 && pkt.len == 28
       && pkt.body == b + 4 && pkt.body_len == 24 && pkt.padding == 0,
       "SR: type, count, lengths");
    is_int(meet_rtcp_parse_report(&pkt, &r), MEET_RTCP_OK, "SR parses");
    ok(r.ssrc == 0x0fbecb01 && r.ntp == 0xeeace4b3845a1cacULL
       && r.rtp_ts == 0xf96f485a && r.packets == 0 && r.octets == 0
       && r.nblocks == 0, "SR sender info");
    is_int(meet_rtcp_next(&it, &pkt), 1, "SDES");
    ok(pkt.pt == MEET_RTCP_SDES && pkt.count == 1 && pkt.len == 24,
       "SDES: type, count, length");
    ok(meet_rtcp_sdes_cname(&pkt, &ssrc, &cname, &len) == 0
       && ssrc == 0x0fbecb01 && len == 13
       && memcmp(cname, "ngx_meet-test", 13) == 0, "CNAME");
    is_int(meet_rtcp_next(&it, &pkt), 0, "end");
    is_int(meet_rtcp_next(&it, &pkt), 0, "end again");
    is_int(meet_rtcp_parse_report(&pkt, &r), MEET_RTCP_ERR_TYPE,
           "SDES is no report");

    /* errors */
    is_int(meet_rtcp_validate(b, 0), MEET_RTCP_ERR_TRUNCATED, "empty");
    is_int(meet_rtcp_validate(NULL, 10), MEET_RTCP_ERR_TRUNCATED, "NULL");
    is_int(meet_rtcp_validate(b, 3), MEET_RTCP_ERR_TRUNCATED, "3 bytes");
    is_int(meet_rtcp_validate(b, 27), MEET_RTCP_ERR_LENGTH,
           "SR cut: length past the end");
    is_int(meet_rtcp_validate(b, 30), MEET_RTCP_ERR_TRUNCATED,
           "2 bytes after a packet");
    is_int(meet_rtcp_validate(b, n - 4), MEET_RTCP_ERR_LENGTH,
           "second packet cut");
    is_int(meet_rtcp_validate(b, 28), 1, "SR alone (RFC 5506 or not)");

    meet_rtcp_iter_init(&it, b, 30);
    meet_rtcp_next(&it, &pkt);
    is_int(meet_rtcp_next(&it, &pkt), MEET_RTCP_ERR_TRUNCATED, "error");
    is_int(meet_rtcp_next(&it, &pkt), MEET_RTCP_ERR_TRUNCATED, "sticks");
    is_int(meet_rtcp_next(NULL, &pkt), MEET_RTCP_ERR_TRUNCATED, "NULL it");

    b[0] = 0x40;
    is_int(meet_rtcp_validate(b, n), MEET_RTCP_ERR_VERSION, "version 1");
    b[0] = 0x80;
    b[28] = 0xc1;
    is_int(meet_rtcp_validate(b, n), MEET_RTCP_ERR_VERSION,
           "version 3 in the second packet");
    b[28] = 0x81;

    /* padding: only on the last packet, count 1..body */
    b[0] = 0xa0;
    is_int(meet_rtcp_validate(b, n), MEET_RTCP_ERR_PADDING,
           "P on the first of two packets");
    b[0] = 0x80;

    n = unhex("a1c90008" "00000001"
              "00000002" "0a000005" "00001000" "00000020" "00000000"
              "00000000" "00000004", b);
    is_int(n, 36, "padded RR: 36 bytes");
    is_int(meet_rtcp_validate(b, n), 1, "padded RR alone");
    pkt = first(b, n);
    ok(pkt.padding == 4 && pkt.body_len == 28 && pkt.len == 36,
       "padding removed from the body");
    is_int(meet_rtcp_parse_report(&pkt, &r), MEET_RTCP_OK,
           "padded RR parses");
    b[n - 1] = 0;
    is_int(meet_rtcp_validate(b, n), MEET_RTCP_ERR_PADDING, "padding 0");
    b[n - 1] = 33;
    is_int(meet_rtcp_validate(b, n), MEET_RTCP_ERR_PADDING,
           "padding > body");
    b[n - 1] = 32;
    is_int(meet_rtcp_validate(b, n), 1, "padding = body");
    pkt = first(b, n);
    is_int(meet_rtcp_parse_report(&pkt, &r), MEET_RTCP_ERR_TRUNCATED,
           "RR with its block eaten by padding");

    /* a header whose length is 0 words: 4 bytes, an empty body */
    n = unhex("80cc0000" "80c90001deadbeef", b);
    is_int(meet_rtcp_validate(b, n), 2, "empty packet then RR");
    pkt = first(b, n);
    ok(pkt.len == 4 && pkt.body_len == 0, "empty body");

    /* APP (RFC 3550 6.7), any other type is walked */
    n = unhex("81cc00030000000a4d454554cafebabe" "80cf0000", b);
    is_int(meet_rtcp_validate(b, n), 2, "APP and type 207");
    pkt = first(b, n);
    ok(pkt.pt == MEET_RTCP_APP && pkt.count == 1 && pkt.body_len == 12
       && memcmp(pkt.body + 4, "MEET", 4) == 0, "APP name");
}


static void
test_reports(void)
{
    u_char                    b[1024], c[1024];
    size_t                    n, m;
    unsigned                  i;
    meet_rtcp_report_t        r;
    meet_rtcp_packet_t        pkt;
    meet_rtcp_sender_info_t   si;
    meet_rtcp_report_block_t  rb, blocks[32];

    /* RR with 2 blocks, by hand (RFC 3550 6.4.2) */
    n = unhex("82c9000d" "11111111"
              "22222222" "19fffffe" "0001ffff" "00000123" "abcd0000"
              "00010000"
              "33333333" "ff000010" "00020001" "00000000" "00000000"
              "00000000", b);
    is_int(n, 56, "RR with 2 blocks: 56 bytes");
    pkt = first(b, n);
    is_int(meet_rtcp_parse_report(&pkt, &r), MEET_RTCP_OK, "RR parses");
    ok(r.ssrc == 0x11111111 && r.nblocks == 2, "RR sender, 2 blocks");
    is_int(meet_rtcp_report_block(&r, 0, &rb), 0, "block 0");
    ok(rb.ssrc == 0x22222222 && rb.fraction_lost == 0x19
       && rb.cumulative_lost == -2 && rb.highest_seq == 0x0001ffff
       && rb.jitter == 0x123 && rb.lsr == 0xabcd0000 && rb.dlsr == 0x10000,
       "block 0 fields, cumulative lost -2 (24-bit signed)");
    is_int(meet_rtcp_report_block(&r, 1, &rb), 0, "block 1");
    ok(rb.ssrc == 0x33333333 && rb.fraction_lost == 0xff
       && rb.cumulative_lost == 16 && rb.highest_seq == 0x20001,
       "block 1 fields");
    is_int(meet_rtcp_report_block(&r, 2, &rb), -1, "no block 2");
    is_int(meet_rtcp_report_block(NULL, 0, &rb), -1, "NULL report");

    /* build the same */
    memset(blocks, 0, sizeof(blocks));
    meet_rtcp_report_block(&r, 0, &blocks[0]);
    meet_rtcp_report_block(&r, 1, &blocks[1]);
    m = meet_rtcp_build_rr(c, sizeof(c), 0x11111111, blocks, 2);
    is_mem(c, m, b, n, "RR built = by hand");
    is_int(meet_rtcp_build_rr(c, n - 1, 0x11111111, blocks, 2), 0,
           "RR: buffer 1 byte short");
    is_int(meet_rtcp_build_rr(c, sizeof(c), 1, blocks, 32), 0, "32 blocks");
    is_int(meet_rtcp_build_rr(c, sizeof(c), 1, NULL, 1), 0, "NULL blocks");
    m = meet_rtcp_build_rr(c, sizeof(c), 7, NULL, 0);
    is_mem(c, m, "\x80\xc9\x00\x01\x00\x00\x00\x07", 8, "empty RR");

    /* truncated: RC says 2, one block there */
    b[3] = 0x07;
    pkt = first(b, 32);
    is_int(meet_rtcp_parse_report(&pkt, &r), MEET_RTCP_ERR_TRUNCATED,
           "RR blocks past the body");

    /* cumulative lost clamped to 24 bits */
    blocks[0].cumulative_lost = 0x7fffffff;
    blocks[1].cumulative_lost = -0x7fffffff;
    m = meet_rtcp_build_rr(c, sizeof(c), 1, blocks, 2);
    pkt = first(c, m);
    meet_rtcp_parse_report(&pkt, &r);
    meet_rtcp_report_block(&r, 0, &rb);
    is_int(rb.cumulative_lost, 0x7fffff, "lost clamped up");
    meet_rtcp_report_block(&r, 1, &rb);
    is_int(rb.cumulative_lost, -0x800000, "lost clamped down");

    /* SR with 31 blocks round trip */
    for (i = 0; i < 31; i++) {
        blocks[i].ssrc = 1000 + i;
        blocks[i].fraction_lost = (uint8_t) i;
        blocks[i].cumulative_lost = (int32_t) i * 1000 - 15000;
        blocks[i].highest_seq = 0x10000 * i + 5;
        blocks[i].jitter = i;
        blocks[i].lsr = i * 3;
        blocks[i].dlsr = i * 7;
    }

    si.ssrc = 0xfeedface;
    si.ntp = 0x0123456789abcdefULL;
    si.rtp_ts = 0xdeadbeef;
    si.packets = 12345;
    si.octets = 678910;
    m = meet_rtcp_build_sr(c, sizeof(c), &si, blocks, 31);
    is_int(m, 28 + 31 * 24, "SR with 31 blocks");
    is_int(meet_rtcp_validate(c, m), 1, "valid");
    pkt = first(c, m);
    is_int(meet_rtcp_parse_report(&pkt, &r), MEET_RTCP_OK, "parses");
    ok(r.ssrc == si.ssrc && r.ntp == si.ntp && r.rtp_ts == si.rtp_ts
       && r.packets == si.packets && r.octets == si.octets
       && r.nblocks == 31, "sender info round trip");

    for (i = 0; i < 31; i++) {
        meet_rtcp_report_block(&r, i, &rb);

        /* field by field: memcmp() would compare the padding too */
        if (rb.ssrc != blocks[i].ssrc
            || rb.fraction_lost != blocks[i].fraction_lost
            || rb.cumulative_lost != blocks[i].cumulative_lost
            || rb.highest_seq != blocks[i].highest_seq
            || rb.jitter != blocks[i].jitter || rb.lsr != blocks[i].lsr
            || rb.dlsr != blocks[i].dlsr)
        {
            break;
        }
    }

    is_int(i, 31, "31 blocks round trip");
    is_int(meet_rtcp_build_sr(c, 28, &si, blocks, 1), 0, "SR too small");
    is_int(meet_rtcp_build_sr(c, sizeof(c), NULL, blocks, 1), 0, "no si");

    /* the ffmpeg compound rebuilt byte for byte */
    n = unhex(ffmpeg_sr_sdes, b);
    pkt = first(b, n);
    meet_rtcp_parse_report(&pkt, &r);
    si.ssrc = r.ssrc;
    si.ntp = r.ntp;
    si.rtp_ts = r.rtp_ts;
    si.packets = r.packets;
    si.octets = r.octets;
    m = meet_rtcp_build_compound(c, sizeof(c), &si, 0, NULL, 0,
                                 (u_char *) "ngx_meet-test", 13);
    is_mem(c, m, b, n, "SR + SDES as ffmpeg sends it");
    is_int(meet_rtcp_build_compound(c, n - 1, &si, 0, NULL, 0,
                                    (u_char *) "ngx_meet-test", 13), 0,
           "compound 1 byte short");
    m = meet_rtcp_build_compound(c, sizeof(c), NULL, 42, blocks, 3,
                                 (u_char *) "x", 1);
    is_int(m, 8 + 72 + 12, "RR + SDES");
    is_int(meet_rtcp_validate(c, m), 2, "valid compound");
    pkt = first(c + 80, m - 80);
    ok(pkt.pt == MEET_RTCP_SDES && meet_rtcp_sdes_cname(&pkt, &si.ssrc,
       NULL, NULL) == 0 && si.ssrc == 42, "SDES of the RR's SSRC");
    is_int(meet_rtcp_build_compound(c, sizeof(c), NULL, 42, blocks, 3,
                                    (u_char *) "x", 0), 0, "empty CNAME");
    is_int(meet_rtcp_parse_report(NULL, &r), MEET_RTCP_ERR_TRUNCATED,
           "NULL packet");
}


static void
test_sdes_bye(void)
{
    u_char                 b[512], name[300];
    size_t                 n, len, m;
    unsigned               type, count;
    uint32_t               ssrc;
    const u_char          *t, *ssrcs;
    meet_rtcp_packet_t     pkt;
    meet_rtcp_sdes_iter_t  it;

    /*
     * two chunks: 0x11 with NAME "abc" and CNAME "c" (items end at a
     * boundary: 4 null octets), 0x22 with TOOL "xyz" (1 null octet)
     */
    n = unhex("82ca0007" "00000011" "0203616263010163" "00000000"
              "00000022" "060378797a000000", b);
    is_int(meet_rtcp_validate(b, n), 1, "SDES with 2 chunks");
    pkt = first(b, n);
    is_int(meet_rtcp_sdes_init(&it, &pkt), 0, "SDES iterator");
    ok(meet_rtcp_sdes_next(&it, &ssrc, &type, &t, &len) == 1
       && ssrc == 0x11 && type == 2 && len == 3 && memcmp(t, "abc", 3) == 0,
       "NAME abc");
    ok(meet_rtcp_sdes_next(&it, &ssrc, &type, &t, &len) == 1
       && ssrc == 0x11 && type == 1 && len == 1 && t[0] == 'c', "CNAME c");
    ok(meet_rtcp_sdes_next(&it, &ssrc, &type, &t, &len) == 1
       && ssrc == 0x22 && type == 6 && len == 3, "TOOL of chunk 2");
    is_int(meet_rtcp_sdes_next(&it, &ssrc, &type, &t, &len), 0, "end");
    ok(meet_rtcp_sdes_cname(&pkt, &ssrc, &t, &len) == 0 && ssrc == 0x11,
       "first CNAME");

    /* SC says 3: the third chunk is missing */
    b[0] = 0x83;
    pkt = first(b, n);
    meet_rtcp_sdes_init(&it, &pkt);
    meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL);
    meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL);
    meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL);
    is_int(meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL),
           MEET_RTCP_ERR_INVALID, "missing chunk");
    is_int(meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL),
           MEET_RTCP_ERR_INVALID, "stays invalid");

    /* an item past the end, no END item */
    n = unhex("81ca0002" "00000011" "01076162", b);
    pkt = first(b, n);
    meet_rtcp_sdes_init(&it, &pkt);
    is_int(meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL),
           MEET_RTCP_ERR_INVALID, "item past the end");
    ok(meet_rtcp_sdes_cname(&pkt, NULL, NULL, NULL) == -1, "no CNAME");
    n = unhex("81ca0002" "00000011" "01026162", b);
    pkt = first(b, n);
    meet_rtcp_sdes_init(&it, &pkt);
    is_int(meet_rtcp_sdes_next(&it, NULL, &type, NULL, NULL), 1, "item");
    is_int(meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL),
           MEET_RTCP_ERR_INVALID, "no END item");
    n = unhex("81ca0001" "00000011", b);
    pkt = first(b, n);
    meet_rtcp_sdes_init(&it, &pkt);
    is_int(meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL),
           MEET_RTCP_ERR_INVALID, "chunk without items");
    n = unhex("81ca0000", b);
    pkt = first(b, n);
    meet_rtcp_sdes_init(&it, &pkt);
    is_int(meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL),
           MEET_RTCP_ERR_INVALID, "chunk cut");
    n = unhex("80ca0000", b);
    pkt = first(b, n);
    meet_rtcp_sdes_init(&it, &pkt);
    is_int(meet_rtcp_sdes_next(&it, NULL, NULL, NULL, NULL), 0,
           "SC 0: nothing");
    pkt.pt = MEET_RTCP_RR;
    is_int(meet_rtcp_sdes_init(&it, &pkt), -1, "not SDES");

    /* SDES builder: lengths 1..255, always aligned and parseable */
    memset(name, 'n', sizeof(name));

    for (m = 1; m <= 255; m++) {
        n = meet_rtcp_build_sdes_cname(b, sizeof(b), 0xabc, name, m);

        if (n % 4 || n < 4 + 4 + 2 + m + 1 || n > 4 + 4 + 2 + m + 4
            || meet_rtcp_validate(b, n) != 1)
        {
            break;
        }

        pkt = first(b, n);

        if (meet_rtcp_sdes_cname(&pkt, &ssrc, &t, &len) != 0 || len != m
            || ssrc != 0xabc)
        {
            break;
        }
    }

    is_int(m, 256, "CNAME of every length 1..255 round trips");
    is_int(meet_rtcp_build_sdes_cname(b, sizeof(b), 1, name, 256), 0,
           "CNAME of 256");
    is_int(meet_rtcp_build_sdes_cname(b, 11, 1, name, 1), 0, "too small");
    is_int(meet_rtcp_build_sdes_cname(b, 12, 1, name, 1), 12, "fits in 12");

    /* BYE (RFC 3550 6.6) with a reason */
    n = unhex("82cb0004" "00000001" "00000002" "03627965" "00000000", b);
    pkt = first(b, n);
    ok(meet_rtcp_parse_bye(&pkt, &count, &ssrcs) == MEET_RTCP_OK
       && count == 2, "BYE with 2 SSRCs");
    ok(meet_rtcp_bye_ssrc(ssrcs, count, 0) == 1
       && meet_rtcp_bye_ssrc(ssrcs, count, 1) == 2
       && meet_rtcp_bye_ssrc(ssrcs, count, 2) == 0, "BYE SSRCs");
    b[0] = 0x84;
    pkt = first(b, n);
    is_int(meet_rtcp_parse_bye(&pkt, &count, &ssrcs), MEET_RTCP_OK,
           "SC 4 reads the reason as SSRCs (16 bytes there)");
    b[0] = 0x87;
    b[3] = 0x03;
    pkt = first(b, 16);
    is_int(meet_rtcp_parse_bye(&pkt, &count, &ssrcs),
           MEET_RTCP_ERR_TRUNCATED, "SC 7 in 12 bytes");
    pkt.pt = MEET_RTCP_SR;
    is_int(meet_rtcp_parse_bye(&pkt, &count, &ssrcs), MEET_RTCP_ERR_TYPE,
           "not BYE");
}


static int
same_set(const uint16_t *a, size_t na, const uint16_t *b, size_t nb)
{
    size_t          i;
    static u_char   seen_a[65536], seen_b[65536];

    memset(seen_a, 0, sizeof(seen_a));
    memset(seen_b, 0, sizeof(seen_b));

    for (i = 0; i < na; i++) {
        seen_a[a[i]] = 1;
    }

    for (i = 0; i < nb; i++) {
        seen_b[b[i]] = 1;
    }

    return memcmp(seen_a, seen_b, sizeof(seen_a)) == 0;
}


/* list -> NACK -> list; returns the number of FCI entries, -1 on error */

static int
nack_round_trip(const uint16_t *seqs, size_t n, int sorted_exact)
{
    int                 got;
    u_char              b[8192];
    size_t              len;
    uint16_t            lost[1100];
    meet_rtcp_fb_t      fb;
    meet_rtcp_packet_t  pkt;

    len = meet_rtcp_build_nack(b, sizeof(b), 0x51, 0x52, seqs, n);

    if (len == 0 || meet_rtcp_validate(b, len) != 1) {
        return -1;
    }

    pkt = first(b, len);

    if (meet_rtcp_parse_fb(&pkt, &fb) != MEET_RTCP_OK
        || fb.sender_ssrc != 0x51 || fb.media_ssrc != 0x52)
    {
        return -1;
    }

    got = meet_rtcp_nack_lost(&fb, lost, 1100);

    if (got < 0 || got > 1100) {
        return -1;
    }

    if (sorted_exact) {
        if ((size_t) got != n || memcmp(lost, seqs, n * 2) != 0) {
            return -1;
        }

    } else if (!same_set(lost, got, seqs, n)) {
        return -1;
    }

    return (int) (fb.fci_len / 4);
}


static void
test_nack(void)
{
    int                 i;
    u_char              b[256];
    size_t              n;
    uint16_t            seqs[1100], lost[40];
    meet_rtcp_fb_t      fb;
    meet_rtcp_packet_t  pkt;

    /* RFC 4585 6.2.1: PID 1000, BLP 0x0005: 1000, 1001, 1003 */
    n = unhex("81cd0003" "00000001" "00000002" "03e80005", b);
    pkt = first(b, n);
    is_int(meet_rtcp_parse_fb(&pkt, &fb), MEET_RTCP_OK, "NACK parses");
    ok(fb.pt == MEET_RTCP_RTPFB && fb.fmt == MEET_RTCP_FMT_NACK
       && fb.sender_ssrc == 1 && fb.media_ssrc == 2 && fb.fci_len == 4,
       "NACK header");
    is_int(meet_rtcp_nack_lost(&fb, lost, 40), 3, "3 lost");
    ok(lost[0] == 1000 && lost[1] == 1001 && lost[2] == 1003,
       "1000, 1001, 1003");
    is_int(meet_rtcp_nack_lost(&fb, lost, 1), 3, "max 1: total still 3");
    is_int(meet_rtcp_nack_lost(&fb, NULL, 0), 3, "count only");

    /* two entries across the wrap, BLP all ones */
    n = unhex("81cd0004" "00000001" "00000002" "fff0ffff" "00000001", b);
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    is_int(meet_rtcp_nack_lost(&fb, lost, 40), 19, "17 + 2 lost");
    ok(lost[0] == 0xfff0 && lost[15] == 0xffff && lost[16] == 0
       && lost[17] == 0 && lost[18] == 1, "wrap inside the BLP");

    /* errors */
    fb.fci_len = 3;
    is_int(meet_rtcp_nack_lost(&fb, lost, 40), MEET_RTCP_ERR_INVALID,
           "FCI of 3 bytes");
    fb.fci_len = 0;
    is_int(meet_rtcp_nack_lost(&fb, lost, 40), MEET_RTCP_ERR_INVALID,
           "empty FCI");
    fb.fmt = 2;
    fb.fci_len = 4;
    is_int(meet_rtcp_nack_lost(&fb, lost, 40), MEET_RTCP_ERR_TYPE, "FMT 2");
    n = unhex("81cd0001" "00000001", b);
    pkt = first(b, n);
    is_int(meet_rtcp_parse_fb(&pkt, &fb), MEET_RTCP_ERR_TRUNCATED,
           "feedback without media SSRC");
    n = unhex("81c90001" "00000001", b);
    pkt = first(b, n);
    is_int(meet_rtcp_parse_fb(&pkt, &fb), MEET_RTCP_ERR_TYPE, "RR is no FB");

    /* builder: exact bytes */
    seqs[0] = 1000;
    seqs[1] = 1001;
    seqs[2] = 1003;
    n = meet_rtcp_build_nack(b, sizeof(b), 1, 2, seqs, 3);
    is_mem(b, n, "\x81\xcd\x00\x03\x00\x00\x00\x01\x00\x00\x00\x02"
           "\x03\xe8\x00\x05", 16, "NACK built as RFC 4585");
    is_int(meet_rtcp_build_nack(b, 15, 1, 2, seqs, 3), 0, "1 byte short");
    is_int(meet_rtcp_build_nack(b, sizeof(b), 1, 2, seqs, 0), 0, "none");
    is_int(meet_rtcp_build_nack(b, sizeof(b), 1, 2, NULL, 3), 0, "NULL");

    /* round trips */
    seqs[0] = 7;
    is_int(nack_round_trip(seqs, 1, 1), 1, "one seq: one entry");

    for (i = 0; i < 17; i++) {
        seqs[i] = (uint16_t) (100 + i);
    }

    is_int(nack_round_trip(seqs, 17, 1), 1, "17 in a row: one entry");
    seqs[17] = 117;
    is_int(nack_round_trip(seqs, 18, 1), 2, "18 in a row: two entries");

    for (i = 0; i < 12; i++) {
        seqs[i] = (uint16_t) (65530 + i);
    }

    is_int(nack_round_trip(seqs, 12, 1), 1, "across the wrap: one entry");

    for (i = 0; i < 1000; i++) {
        seqs[i] = (uint16_t) (i * 3 + 60000);
    }

    is_int(nack_round_trip(seqs, 1000, 1), 167,
           "1000 seqs, every third: 6 per entry");

    seqs[0] = 50;
    seqs[1] = 10;
    seqs[2] = 11;
    seqs[3] = 50;
    seqs[4] = 49;
    seqs[5] = 66;
    seqs[6] = 10;
    ok(nack_round_trip(seqs, 7, 0) > 0, "unsorted with duplicates: same set");

    for (i = 0; i < 1024; i++) {
        seqs[i] = (uint16_t) (i * 40503u);
    }

    is_int(nack_round_trip(seqs, 1024, 0), 1024, "scattered: 1024 entries");
}


static void
test_psfb(void)
{
    int                  i;
    u_char               b[2048];
    size_t               n;
    uint8_t              seq;
    uint32_t             ssrc, ssrcs[255];
    meet_rtcp_fb_t       fb;
    meet_rtcp_remb_t     remb;
    meet_rtcp_packet_t   pkt;

    static const uint64_t  rates[] = {
        0, 1, 30000, 262143, 262144, 262145, 522022, 1000000, 2500000,
        30000000, 1000000000000ULL, 0x3ffffULL << 46, UINT64_MAX
    };

    /* PLI (RFC 4585 6.3.1) */
    n = meet_rtcp_build_pli(b, sizeof(b), 0x01020304, 0x0a0b0c0d);
    is_mem(b, n, "\x81\xce\x00\x02\x01\x02\x03\x04\x0a\x0b\x0c\x0d", 12,
           "PLI bytes");
    pkt = first(b, n);
    ok(meet_rtcp_parse_fb(&pkt, &fb) == MEET_RTCP_OK && meet_rtcp_is_pli(&fb)
       && fb.sender_ssrc == 0x01020304 && fb.media_ssrc == 0x0a0b0c0d
       && fb.fci_len == 0, "PLI round trip");
    is_int(meet_rtcp_build_pli(b, 11, 1, 2), 0, "PLI: 11 bytes too small");
    ok(!meet_rtcp_is_pli(NULL), "NULL is no PLI");

    /* FIR (RFC 5104 4.3.1) */
    n = meet_rtcp_build_fir(b, sizeof(b), 0x11, 0x22, 9);
    is_mem(b, n, "\x84\xce\x00\x04\x00\x00\x00\x11\x00\x00\x00\x00"
           "\x00\x00\x00\x22\x09\x00\x00\x00", 20, "FIR bytes");
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    ok(!meet_rtcp_is_pli(&fb) && meet_rtcp_fir_count(&fb) == 1,
       "FIR: one entry");
    ok(meet_rtcp_fir_entry(&fb, 0, &ssrc, &seq) == 0 && ssrc == 0x22
       && seq == 9, "FIR entry");
    is_int(meet_rtcp_fir_entry(&fb, 1, &ssrc, &seq), -1, "no entry 1");
    is_int(meet_rtcp_build_fir(b, 19, 1, 2, 3), 0, "FIR: too small");

    /* REMB, the libwebrtc test vector */
    n = unhex("8fce0007" "12345678" "00000000"
              "52454d42" "0307fb93" "23456789" "2345678a" "2345678b", b);
    pkt = first(b, n);
    is_int(meet_rtcp_parse_fb(&pkt, &fb), MEET_RTCP_OK, "REMB: feedback");
    is_int(meet_rtcp_parse_remb(&fb, &remb), MEET_RTCP_OK, "REMB parses");
    is_int(remb.bitrate, 522022, "0x3fb93 << 1 bit/s");
    ok(remb.nssrcs == 3 && meet_rtcp_remb_ssrc(&remb, 0) == 0x23456789
       && meet_rtcp_remb_ssrc(&remb, 2) == 0x2345678b
       && meet_rtcp_remb_ssrc(&remb, 3) == 0, "REMB SSRCs");
    ssrcs[0] = 0x23456789;
    ssrcs[1] = 0x2345678a;
    ssrcs[2] = 0x2345678b;
    i = (int) meet_rtcp_build_remb(b + 100, sizeof(b) - 100, 0x12345678,
                                   522022, ssrcs, 3);
    is_mem(b + 100, i, b, n, "REMB built = libwebrtc's");
    ok(!meet_rtcp_is_pli(&fb) && meet_rtcp_fir_count(&fb) == 0,
       "REMB is neither PLI nor FIR");

    /* REMB errors */
    b[16] = 0x04;
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    is_int(meet_rtcp_parse_remb(&fb, &remb), MEET_RTCP_ERR_INVALID,
           "4 SSRCs announced, 3 there");
    b[16] = 0x03;
    b[17] = 0xff;
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    is_int(meet_rtcp_parse_remb(&fb, &remb), MEET_RTCP_ERR_INVALID,
           "exponent 63 with a large mantissa: overflow");
    b[17] = 0xfc;
    b[18] = 0;
    b[19] = 1;
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    ok(meet_rtcp_parse_remb(&fb, &remb) == MEET_RTCP_OK
       && remb.bitrate == 1ULL << 63, "1 << 63 fits");
    b[12] = 'X';
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    is_int(meet_rtcp_parse_remb(&fb, &remb), MEET_RTCP_ERR_TYPE,
           "AFB other than REMB");
    n = unhex("8fce0003" "12345678" "00000000" "52454d42", b);
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    is_int(meet_rtcp_parse_remb(&fb, &remb), MEET_RTCP_ERR_TRUNCATED,
           "REMB without bitrate");
    n = unhex("81ce0002" "12345678" "00000000", b);
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    is_int(meet_rtcp_parse_remb(&fb, &remb), MEET_RTCP_ERR_TYPE,
           "PLI is no REMB");

    /* REMB encode/decode for several bitrates */
    for (i = 0; i < 255; i++) {
        ssrcs[i] = (uint32_t) i * 0x01010101u;
    }

    for (i = 0; i < (int) (sizeof(rates) / sizeof(rates[0])); i++) {
        uint32_t  mant;
        unsigned  exp;
        uint64_t  expect;

        meet_rtcp_remb_encode(rates[i], &mant, &exp);
        expect = (uint64_t) mant << exp;

        ok(mant < (1u << 18) && exp < 64 && expect <= rates[i]
           && (rates[i] - expect) >> exp == 0,
           "REMB %llu: mantissa %u exponent %u, rounded down by < 2^exp",
           (unsigned long long) rates[i], mant, exp);

        n = meet_rtcp_build_remb(b, sizeof(b), 1, rates[i], ssrcs,
                                 (unsigned) (i * 20));
        pkt = first(b, n);
        ok(n == 20 + (size_t) i * 80 && meet_rtcp_validate(b, n) == 1
           && meet_rtcp_parse_fb(&pkt, &fb) == MEET_RTCP_OK
           && meet_rtcp_parse_remb(&fb, &remb) == MEET_RTCP_OK
           && remb.bitrate == expect && remb.nssrcs == (unsigned) i * 20
           && (i == 0 || meet_rtcp_remb_ssrc(&remb, i * 20 - 1)
                         == ssrcs[i * 20 - 1]),
           "REMB %llu, %d SSRCs: round trip", (unsigned long long) rates[i],
           i * 20);
    }

    is_int(meet_rtcp_build_remb(b, sizeof(b), 1, 5, ssrcs, 256), 0,
           "256 SSRCs");
    is_int(meet_rtcp_build_remb(b, 23, 1, 5, ssrcs, 1), 0, "too small");
    is_int(meet_rtcp_build_remb(b, sizeof(b), 1, 5, NULL, 1), 0, "NULL");
}


static void
test_twcc(void)
{
    int                      rc;
    u_char                   b[512];
    size_t                   n, i;
    meet_rtcp_fb_t           fb;
    meet_rtcp_twcc_t         tw;
    meet_rtcp_packet_t       pkt;
    meet_rtcp_twcc_status_t  st[300];

    /*
     * base 10, 5 packets, reference time -1, feedback count 7; one 2-bit
     * status vector chunk 11 01 10 00 01 01 00: small, large, lost, small,
     * small; deltas 4 (1 ms), -8 (-2 ms), 250, 0; one byte of padding
     */
    n = unhex("8fcd0006" "00000001" "00000002"
              "000a0005" "ffffff07" "d850" "04fff8fa00" "00", b);
    is_int(meet_rtcp_validate(b, n), 1, "TWCC feedback walks");
    pkt = first(b, n);
    is_int(meet_rtcp_parse_fb(&pkt, &fb), MEET_RTCP_OK, "feedback");
    is_int(meet_rtcp_parse_twcc(&fb, &tw), MEET_RTCP_OK, "TWCC parses");
    ok(tw.base_seq == 10 && tw.status_count == 5 && tw.ref_time == -1
       && tw.fb_count == 7 && tw.chunks_len == 8, "TWCC header fields");
    rc = meet_rtcp_twcc_decode(&tw, st, 300);
    is_int(rc, 5, "5 statuses");
    ok(st[0].seq == 10 && st[0].status == MEET_RTCP_TWCC_SMALL_DELTA
       && st[0].delta == 4, "10: small, 1 ms");
    ok(st[1].seq == 11 && st[1].status == MEET_RTCP_TWCC_LARGE_DELTA
       && st[1].delta == -8, "11: large, -2 ms");
    ok(st[2].seq == 12 && st[2].status == MEET_RTCP_TWCC_NOT_RECEIVED
       && st[2].delta == 0, "12: lost");
    ok(st[3].delta == 250 && st[4].seq == 14 && st[4].delta == 0,
       "13, 14");
    is_int(meet_rtcp_twcc_decode(&tw, st, 2), 5, "max 2: still 5");
    is_int(meet_rtcp_twcc_decode(&tw, NULL, 0), 5, "check only");

    /* deltas cut: 4 of 5 bytes */
    tw.chunks_len = 6;
    is_int(meet_rtcp_twcc_decode(&tw, st, 300), MEET_RTCP_ERR_INVALID,
           "deltas cut");
    tw.chunks_len = 1;
    is_int(meet_rtcp_twcc_decode(&tw, st, 300), MEET_RTCP_ERR_INVALID,
           "chunk cut");

    /* reserved symbol 3 in a 2-bit vector */
    b[20] = 0xf8;
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    meet_rtcp_parse_twcc(&fb, &tw);
    is_int(meet_rtcp_twcc_decode(&tw, st, 300), MEET_RTCP_ERR_INVALID,
           "symbol 3");

    /* draft 3.1.3 example: run of 221 received, small delta (0x20dd) */
    n = unhex("8fcd0000" "00000001" "00000002"
              "fff000dd" "00000100" "20dd", b);
    memset(b + n, 1, 221);
    n += 221;
    memset(b + n, 0, 8);
    n = (n + 3) & ~(size_t) 3;
    b[2] = (u_char) ((n / 4 - 1) >> 8);
    b[3] = (u_char) (n / 4 - 1);
    is_int(meet_rtcp_validate(b, n), 1, "run-length feedback walks");
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    meet_rtcp_parse_twcc(&fb, &tw);
    is_int(tw.ref_time, 1, "reference time 1");
    is_int(meet_rtcp_twcc_decode(&tw, st, 300), 221, "221 statuses");

    for (i = 0; i < 221; i++) {
        if (st[i].status != 1 || st[i].delta != 1
            || st[i].seq != (uint16_t) (0xfff0 + i))
        {
            break;
        }
    }

    is_int(i, 221, "all small, seq wraps");
    tw.chunks_len = 2 + 220;
    is_int(meet_rtcp_twcc_decode(&tw, st, 300), MEET_RTCP_ERR_INVALID,
           "220 of 221 deltas");

    /* run length of reserved symbols */
    n = unhex("8fcd0004" "00000001" "00000002" "00000003" "00000000" "6003"
              "0000", b);
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    meet_rtcp_parse_twcc(&fb, &tw);
    is_int(meet_rtcp_twcc_decode(&tw, st, 300), MEET_RTCP_ERR_INVALID,
           "run of symbol 3");

    /*
     * a 1-bit vector (1 0 11000000000001: 0, 1 and 13 received) covering
     * 14, then a run of 2 lost: 16 statuses, 3 deltas
     */
    n = unhex("8fcd0005" "00000001" "00000002" "00640010" "00000000"
              "b001" "0002" "010203" "00000000", b);
    n -= 3;
    b[3] = (u_char) (n / 4 - 1);
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    meet_rtcp_parse_twcc(&fb, &tw);
    is_int(meet_rtcp_twcc_decode(&tw, st, 300), 16, "16 statuses");
    ok(st[0].status == 1 && st[0].delta == 1 && st[1].delta == 2
       && st[2].status == 0 && st[12].status == 0 && st[13].status == 1
       && st[13].delta == 3 && st[14].status == 0 && st[15].status == 0
       && st[15].seq == 115, "1-bit vector, then a run");

    /* a vector covering more than the count: the rest is ignored */
    b[15] = 3;
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    meet_rtcp_parse_twcc(&fb, &tw);
    is_int(meet_rtcp_twcc_decode(&tw, st, 300), 3, "count 3 of 14");
    is_int(st[1].delta, 2, "deltas of the 3 only");

    /* count 0 */
    b[15] = 0;
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    meet_rtcp_parse_twcc(&fb, &tw);
    is_int(meet_rtcp_twcc_decode(&tw, st, 300), 0, "count 0");

    /* not TWCC, too short */
    n = unhex("81cd0003" "00000001" "00000002" "03e80005", b);
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    is_int(meet_rtcp_parse_twcc(&fb, &tw), MEET_RTCP_ERR_TYPE, "NACK");
    n = unhex("8fcd0003" "00000001" "00000002" "000a0005", b);
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    is_int(meet_rtcp_parse_twcc(&fb, &tw), MEET_RTCP_ERR_TRUNCATED,
           "TWCC header cut");
    is_int(meet_rtcp_twcc_decode(NULL, st, 1), MEET_RTCP_ERR_INVALID, "NULL");
}


static void
test_rewrite(void)
{
    u_char              b[256];
    size_t              n;
    uint8_t             seq;
    uint32_t            ssrc;
    uint16_t            seqs[3] = { 5, 6, 9 };
    meet_rtcp_fb_t      fb;
    meet_rtcp_packet_t  pkt;

    /* subscriber PLI on our SSRC 0xaaaa -> PLI from us on 0xbbbb */
    n = meet_rtcp_build_pli(b, sizeof(b), 0x1111, 0xaaaa);
    is_int(meet_rtcp_fb_rewrite(b, n, 0x2222, 0xbbbb), 0, "PLI rewritten");
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    ok(meet_rtcp_is_pli(&fb) && fb.sender_ssrc == 0x2222
       && fb.media_ssrc == 0xbbbb, "PLI SSRCs");

    n = meet_rtcp_build_nack(b, sizeof(b), 0x1111, 0xaaaa, seqs, 3);
    is_int(meet_rtcp_fb_rewrite(b, n, 0x2222, 0xbbbb), 0, "NACK rewritten");
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    ok(fb.sender_ssrc == 0x2222 && fb.media_ssrc == 0xbbbb
       && meet_rtcp_nack_lost(&fb, NULL, 0) == 3, "NACK SSRCs, FCI kept");

    /* FIR with two entries, padded */
    n = unhex("a4ce0007" "00001111" "00000000" "0000aaaa" "03000000"
              "0000cccc" "04000000" "00000004", b);
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    is_int(meet_rtcp_fir_count(&fb), 2, "padded FIR: 2 entries");
    is_int(meet_rtcp_fb_rewrite(b, n, 0x2222, 0xbbbb), 0, "FIR rewritten");
    pkt = first(b, n);
    meet_rtcp_parse_fb(&pkt, &fb);
    ok(fb.sender_ssrc == 0x2222 && fb.media_ssrc == 0,
       "FIR header: sender, media stays 0");
    ok(meet_rtcp_fir_entry(&fb, 0, &ssrc, &seq) == 0 && ssrc == 0xbbbb
       && seq == 3, "FIR entry 0");
    ok(meet_rtcp_fir_entry(&fb, 1, &ssrc, &seq) == 0 && ssrc == 0xbbbb
       && seq == 4, "FIR entry 1");
    is_mem(b + 28, 4, "\x00\x00\x00\x04", 4, "padding untouched");

    /* refused */
    n = meet_rtcp_build_remb(b, sizeof(b), 1, 1000, NULL, 0);
    is_int(meet_rtcp_fb_rewrite(b, n, 0x2222, 0xbbbb), -1, "REMB refused");
    ok(b[7] == 1, "REMB untouched");
    n = meet_rtcp_build_rr(b, sizeof(b), 1, NULL, 0);
    memset(b + n, 0, 8);
    is_int(meet_rtcp_fb_rewrite(b, 16, 0x2222, 0xbbbb), -1, "RR refused");
    n = meet_rtcp_build_pli(b, sizeof(b), 1, 2);
    is_int(meet_rtcp_fb_rewrite(b, 11, 0x2222, 0xbbbb), -1, "11 bytes");
    b[3] = 3;
    is_int(meet_rtcp_fb_rewrite(b, 12, 0x2222, 0xbbbb), -1,
           "length past the end");
    b[3] = 2;
    b[0] = 0xa1;
    b[11] = 0;
    is_int(meet_rtcp_fb_rewrite(b, 12, 0x2222, 0xbbbb), -1, "padding 0");
    b[0] = 0x41;
    is_int(meet_rtcp_fb_rewrite(b, 12, 0x2222, 0xbbbb), -1, "version 1");
    is_int(meet_rtcp_fb_rewrite(NULL, 12, 0x2222, 0xbbbb), -1, "NULL");
}


static void
test_ntp(void)
{
    uint64_t  ntp;

    ntp = meet_rtcp_ntp_from_unix_us(0);
    is_int(ntp >> 32, 2208988800ULL, "1970 in NTP seconds");
    is_int(ntp & 0xffffffff, 0, "no fraction");
    ntp = meet_rtcp_ntp_from_unix_us(1500000);
    ok(ntp == ((2208988801ULL << 32) | 0x80000000), "1.5 s");
    is_int(meet_rtcp_ntp_mid(0x0123456789abcdefULL), 0x456789ab,
           "middle 32 bits (LSR)");
    ntp = meet_rtcp_ntp_from_unix_us(1700000000123456ULL);
    is_int(ntp >> 32, (1700000000ULL + 2208988800ULL) & 0xffffffff,
           "2023 (seconds wrap in 2036)");
    is_int(((ntp & 0xffffffff) * 1000000) >> 32, 123455,
           "fraction: 123456 us rounded down");
}


/* receiver statistics: RFC 3550 A.1, A.3, A.8 */

static void
test_rx_stats(void)
{
    unsigned                  i;
    uint64_t                  t;
    meet_rtcp_rx_t            rx;
    meet_rtcp_report_block_t  b;

    meet_rtcp_rx_init(&rx, 0x11223344, 90000);
    ok(meet_rtcp_rx_block(&rx, 0, &b) == -1, "rx: no block before a packet");

    /* 100 packets, 1 per 10 ms at 90 kHz: timestamps 900 apart, no jitter */
    t = 5000000;
    for (i = 0; i < 100; i++) {
        if (i == 10 || i == 20 || i == 30) {
            continue;                       /* 3 lost */
        }
        meet_rtcp_rx_packet(&rx, (uint16_t) (65500 + i), 1000 + 900 * i,
                            t + 10000 * i);
    }

    ok(meet_rtcp_rx_block(&rx, t + 1000000, &b) == 0, "rx: a block");
    is_int(b.ssrc, 0x11223344, "rx: its SSRC");
    is_int(b.cumulative_lost, 3, "rx: 3 lost");
    is_int(b.fraction_lost, 3 * 256 / 100, "rx: fraction 3/100 in 1/256");
    is_int(b.highest_seq, 65536 + (uint16_t) (65500 + 99),
           "rx: extended highest seq across the wrap");
    is_int(b.jitter, 0, "rx: no jitter at a steady pace");
    ok(b.lsr == 0 && b.dlsr == 0, "rx: no SR yet: LSR and DLSR 0");

    /* an SR, then a report 1.5 s later */
    meet_rtcp_rx_sender_report(&rx, 0x0123456789abcdefULL, t + 2000000);
    meet_rtcp_rx_packet(&rx, (uint16_t) (65500 + 100), 1000 + 900 * 100,
                        t + 10000 * 100);
    ok(meet_rtcp_rx_block(&rx, t + 3500000, &b) == 0, "rx: second block");
    is_int(b.lsr, 0x456789ab, "rx: LSR is the middle 32 bits of the NTP");
    is_int(b.dlsr, 65536 * 3 / 2, "rx: DLSR 1.5 s in 1/65536 s");
    is_int(b.fraction_lost, 0, "rx: fraction per interval: none lost since");
    is_int(b.cumulative_lost, 3, "rx: cumulative stays 3");

    /* a late packet lowers the loss count */
    meet_rtcp_rx_packet(&rx, (uint16_t) (65500 + 20), 1000 + 900 * 20,
                        t + 10000 * 101);
    meet_rtcp_rx_block(&rx, t + 4000000, &b);
    is_int(b.cumulative_lost, 2, "rx: a late packet counts as received");

    /* jitter: arrivals alternating 0 and 4 ms late */
    meet_rtcp_rx_init(&rx, 1, 90000);
    for (i = 0; i < 400; i++) {
        meet_rtcp_rx_packet(&rx, (uint16_t) i, 900 * i,
                            10000 * i + (i & 1 ? 4000 : 0));
    }
    meet_rtcp_rx_block(&rx, 0, &b);
    ok(b.jitter >= 330 && b.jitter <= 370,
       "rx: jitter converges on the 4 ms (360 units) swing (%u)",
       (unsigned) b.jitter);

    /* a restart: a big jump is counted only when the next one follows */
    meet_rtcp_rx_init(&rx, 1, 48000);
    for (i = 0; i < 10; i++) {
        meet_rtcp_rx_packet(&rx, (uint16_t) (100 + i), 960 * i, 20000 * i);
    }
    ok(meet_rtcp_rx_packet(&rx, 40000, 0, 300000) == -1,
       "rx: a jump of more than 3000 is not counted at once");
    ok(meet_rtcp_rx_packet(&rx, 40001, 960, 320000) == 0,
       "rx: the next in sequence restarts the source");
    meet_rtcp_rx_block(&rx, 400000, &b);
    ok(b.highest_seq == 40001 && b.cumulative_lost == 0,
       "rx: counts start again at the restart");
}


int
main(void)
{
    test_walk();
    test_reports();
    test_sdes_bye();
    test_nack();
    test_psfb();
    test_twcc();
    test_rewrite();
    test_ntp();
    test_rx_stats();

    return done_testing();
}
