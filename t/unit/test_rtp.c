/* sources: ngx_meet_rtp_stream_module/lib/meet_rtp.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the RTP library (meet_rtp.c).
 *
 * Provenance of the vectors:
 *  - "ffmpeg ..." packets are real RTP packets written by ffmpeg 5.1's RTP
 *    packetizers (Debian 12 ffmpeg 5.1.x), captured on a UDP socket:
 *        ffmpeg -re -f lavfi -i testsrc=size=160x120:rate=10 -frames:v 12
 *            -pix_fmt yuv420p -c:v <encoder> -g 5 ...
 *            -f rtp 'rtp://127.0.0.1:<port>?pkt_size=300'
 *    with libvpx (VP8, -deadline realtime), libvpx-vp9 (VP9, -strict
 *    experimental) and libx264 (-profile:v baseline -preset ultrafast
 *    -tune zerolatency -bf 0).  Long packets are cut after their first
 *    bytes (the functions under test never look further); the packet
 *    number is the index in the capture.
 *  - AV1: ffmpeg 5.1 has no AV1 packetizer, so the OBUs come from libaom
 *    (same command, -c:v libaom-av1 -cpu-used 8 -f obu) and were
 *    packetized by hand as the AV1 RTP specification says (temporal
 *    delimiter dropped, obu_has_size_field cleared, W = 2, N = 1).
 *  - header extension blocks follow the examples of RFC 8285 4.2/4.3;
 *    the audio packet is laid out as Chromium sends it (extmap ids 1
 *    audio level, 2 abs-send-time, 3 transport-cc, 4 mid).
 *  - everything else is built by hand from the RFC figures cited.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "meet_rtp.h"


#define YES      MEET_RTP_KEYFRAME_YES
#define NO       MEET_RTP_KEYFRAME_NO
#define UNKNOWN  MEET_RTP_KEYFRAME_UNKNOWN


/* ffmpeg VP8 #0: first packet of the first (key) frame */
static const char  vp8_key[] =
    "8060016c895f04804685951d908080007039009d012aa000780001c708858588"
    "998488020218a024";
/* ffmpeg VP8 #1: same frame, not a partition start (S = 0) */
static const char  vp8_cont[] =
    "8060016d895f04804685951d80808000f41b48d1d31ea88b006ba541708ea371";
/* ffmpeg VP8 #11: last packet of the key frame, marker set (whole) */
static const char  vp8_last[] =
    "80e00177895f04804685951d8080800057fcfe9fac083344f025050000";
/* ffmpeg VP8 #12: first packet of an inter frame (P = 1) */
static const char  vp8_inter[] =
    "80600178895f27a84685951d90808001b1080007104c001bedfede30bf78d036";
/* ffmpeg VP8 #48: first packet of the next key frame (-g 5) */
static const char  vp8_key2[] =
    "8060019c896064104685951d9080800a103a009d012aa0007800014708858588";

/* ffmpeg VP9 #0: key frame start (B = 1, profile 0 KEY_FRAME header) */
static const char  vp9_key[] =
    "8060038c74da7036e4b1070508824983420009f007761038241c18420005107f";
/* ffmpeg VP9 #1: continuation (B = 0) */
static const char  vp9_cont[] =
    "8060038d74da7036e4b10705000a127761beba0312971d83634ac1bc6a00a860";
/*
 * ffmpeg VP9 #8: an inter frame in one packet: ffmpeg leaves P = 0 in the
 * descriptor, the frame header says NON_KEY_FRAME
 */
static const char  vp9_inter[] =
    "80e0039474da935ee4b107050c86004092f081250000446807ddf8f4d1bb5ef9";
/* ffmpeg VP9 #12: next key frame */
static const char  vp9_key2[] =
    "8060039874db1ffee4b1070508824983420009f007761638241c18420005107f";

/* ffmpeg H.264 #0: STAP-A with SPS and PPS (the whole packet) */
static const char  h264_stap[] =
    "806006132fb67b207174da481800186742c00ada0a11f97011000003000100000300"
    "148f1226a0000468ce0fc8";
/* ffmpeg H.264 #1: FU-A start of an SEI */
static const char  h264_fu_sei[] =
    "806006142fb67b207174da481c8605ffff56dc45e9bde6d948b7962cd820d923";
/* ffmpeg H.264 #4: FU-A start of the IDR slice */
static const char  h264_fu_idr[] =
    "806006172fb67b207174da487c8588843a2628000902c31800200829261061a6";
/* ffmpeg H.264 #19: FU-A end of the IDR slice, marker */
static const char  h264_fu_idr_end[] =
    "80e006262fb67b207174da487c4511a0e0021b444c6b7323af1bf2b09bc2d014";
/* ffmpeg H.264 #20: single NAL unit, non-IDR slice (the whole packet) */
static const char  h264_single_p[] =
    "806006272fb69e487174da48419a21a375e82380";
/* ffmpeg H.264 #22: FU-A end of a non-IDR slice */
static const char  h264_fu_p_end[] =
    "80e006292fb69e487174da485c41c6259ddfc315ee108d8ac562b77b78021648";

/*
 * AV1 payloads (no RTP header), libaom OBUs packetized by hand:
 * first packet of the key frame: aggregation header 0x68 (Y = 1, W = 2,
 * N = 1), leb128 length 11 + sequence header OBU, then the start of the
 * frame OBU (last element, no length)
 */
static const char  av1_key[] =
    "680b0800000003b4ff736be40130140020b00000200828d7fe6218191cfa28c7";
/* the next packet of that frame: Z = 1, Y = 1, W = 1 */
static const char  av1_cont[] =
    "d0725a242373d79eabe8d76ed8ebed1f";
/* an inter frame: W = 1, N = 0, frame OBU */
static const char  av1_inter[] =
    "10303201e04000000348000820d44501";


static size_t
unhex(const char *s, u_char *out)
{
    size_t  n;

    for (n = 0; s[0] && s[1]; s += 2, n++) {
        out[n] = (u_char) strtoul((char []) { s[0], s[1], 0 }, NULL, 16);
    }

    return n;
}


static int
kf_hex(unsigned codec, const char *hex, int rtp)
{
    u_char             b[512];
    size_t             n;
    meet_rtp_header_t  h;

    n = unhex(hex, b);

    if (!rtp) {
        return meet_rtp_keyframe(codec, b, n);
    }

    if (meet_rtp_parse(&h, b, n) != MEET_RTP_OK) {
        return -100;
    }

    return meet_rtp_keyframe(codec, b + h.header_len, h.payload_len);
}


static void
test_classify(void)
{
    u_char  b[64];
    size_t  n;

    memset(b, 0, sizeof(b));

    /* RFC 5389 binding request header */
    n = unhex("000100002112a442b7e7a701bc34d686fa87dfae", b);
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_STUN, "STUN binding request");
    is_int(meet_rtp_classify(b, n - 1), MEET_RTP_PKT_UNKNOWN,
           "STUN shorter than its header");
    b[0] = 3;
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_STUN, "first byte 3: STUN");
    b[0] = 4;
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_UNKNOWN, "4: unknown");
    b[0] = 19;
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_UNKNOWN, "19 (ZRTP)");

    /* DTLS 1.2 handshake record header */
    n = unhex("16fefd000000000000000000a7", b);
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_DTLS, "DTLS handshake");
    is_int(meet_rtp_classify(b, n - 1), MEET_RTP_PKT_UNKNOWN,
           "DTLS shorter than a record header");
    b[0] = 20;
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_DTLS, "20: DTLS");
    b[0] = 63;
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_DTLS, "63: DTLS");
    b[0] = 64;
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_UNKNOWN,
           "64 (TURN channel): unknown");
    b[0] = 127;
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_UNKNOWN, "127: unknown");

    n = unhex(vp8_key, b);
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_RTP, "VP8 packet: RTP");
    is_int(meet_rtp_classify(b, 12), MEET_RTP_PKT_RTP, "12 bytes: RTP");
    is_int(meet_rtp_classify(b, 11), MEET_RTP_PKT_UNKNOWN, "11 bytes: no");
    n = unhex(vp8_last, b);
    is_int(meet_rtp_classify(b, n), MEET_RTP_PKT_RTP,
           "marker + PT 96 (second byte 224): RTP");

    memset(b, 0, sizeof(b));
    b[0] = 0x80;
    b[1] = 200;
    is_int(meet_rtp_classify(b, 28), MEET_RTP_PKT_RTCP, "SR: RTCP");
    is_int(meet_rtp_classify(b, 8), MEET_RTP_PKT_RTCP, "8 bytes: RTCP");
    is_int(meet_rtp_classify(b, 7), MEET_RTP_PKT_UNKNOWN, "7 bytes: no");
    b[1] = 192;
    is_int(meet_rtp_classify(b, 28), MEET_RTP_PKT_RTCP, "192: RTCP");
    b[1] = 223;
    is_int(meet_rtp_classify(b, 28), MEET_RTP_PKT_RTCP, "223: RTCP");
    b[1] = 191;
    is_int(meet_rtp_classify(b, 28), MEET_RTP_PKT_RTP, "191 (M, PT 63): RTP");
    b[1] = 224;
    is_int(meet_rtp_classify(b, 28), MEET_RTP_PKT_RTP, "224 (M, PT 96): RTP");
    b[1] = 72;
    is_int(meet_rtp_classify(b, 28), MEET_RTP_PKT_RTP,
           "PT 72 without marker: RTP (RFC 5761 looks at 64..95 + M)");
    b[0] = 191;
    b[1] = 200;
    is_int(meet_rtp_classify(b, 28), MEET_RTP_PKT_RTCP, "first byte 191");
    b[0] = 192;
    is_int(meet_rtp_classify(b, 28), MEET_RTP_PKT_UNKNOWN, "192: unknown");
    b[0] = 255;
    is_int(meet_rtp_classify(b, 28), MEET_RTP_PKT_UNKNOWN, "255: unknown");
    b[0] = 0x80;
    is_int(meet_rtp_classify(b, 1), MEET_RTP_PKT_UNKNOWN, "1 byte");
    is_int(meet_rtp_classify(b, 0), MEET_RTP_PKT_UNKNOWN, "0 bytes");
    is_int(meet_rtp_classify(NULL, 10), MEET_RTP_PKT_UNKNOWN, "NULL");
}


static void
test_parse(void)
{
    u_char             b[256];
    size_t             n;
    meet_rtp_header_t  h;

    n = unhex(vp8_key, b);
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "VP8 packet parses");
    is_int(h.pt, 96, "pt");
    is_int(h.marker, 0, "marker");
    is_int(h.seq, 364, "seq");
    is_int(h.ts, 2304705664u, "ts");
    is_int(h.ssrc, 0x4685951d, "ssrc");
    is_int(h.cc, 0, "no CSRC");
    is_int(h.extension, 0, "no extension");
    is_int(h.header_len, 12, "header length");
    is_int(h.payload_len, n - 12, "payload length");
    is_int(h.padding_len, 0, "no padding");

    n = unhex(vp8_last, b);
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "marker packet parses");
    is_int(h.marker, 1, "marker bit");
    is_int(h.pt, 96, "pt without the marker");
    is_int(h.seq, 375, "seq");

    /* only the header: empty payload */
    is_int(meet_rtp_parse(&h, b, 12), MEET_RTP_OK, "12 bytes parse");
    is_int(h.payload_len, 0, "empty payload");

    /* errors */
    is_int(meet_rtp_parse(&h, b, 11), MEET_RTP_ERR_TRUNCATED, "11 bytes");
    is_int(meet_rtp_parse(&h, b, 0), MEET_RTP_ERR_TRUNCATED, "0 bytes");
    is_int(meet_rtp_parse(&h, NULL, 20), MEET_RTP_ERR_TRUNCATED, "NULL");
    is_int(meet_rtp_parse(NULL, b, n), MEET_RTP_ERR_TRUNCATED, "NULL header");

    b[0] = 0x40;
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_ERR_VERSION, "version 1");
    b[0] = 0x00;
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_ERR_VERSION, "version 0");
    b[0] = 0xc0;
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_ERR_VERSION, "version 3");

    /* CSRCs (RFC 3550 5.1) */
    memset(b, 0, sizeof(b));
    b[0] = 0x82;
    b[1] = 111;
    memcpy(b + 12, "\x11\x11\x11\x11\x22\x22\x22\x22", 8);
    is_int(meet_rtp_parse(&h, b, 20), MEET_RTP_OK, "2 CSRCs");
    is_int(h.cc, 2, "cc");
    is_int(h.header_len, 20, "header with CSRCs");
    is_int(h.payload_len, 0, "no payload");
    is_int(meet_rtp_parse(&h, b, 19), MEET_RTP_ERR_CSRC, "CSRC overrun");
    b[0] = 0x8f;
    is_int(meet_rtp_parse(&h, b, 12 + 60), MEET_RTP_OK, "15 CSRCs fit");
    is_int(h.header_len, 72, "15 CSRCs");
    is_int(meet_rtp_parse(&h, b, 12 + 59), MEET_RTP_ERR_CSRC,
           "15 CSRCs, one byte short");
    is_int(meet_rtp_parse(&h, b, 12), MEET_RTP_ERR_CSRC, "15 CSRCs, none");

    /* extension (RFC 3550 5.3.1) */
    memset(b, 0, sizeof(b));
    b[0] = 0x90;
    unhex("bede0001" "10aa0000", b + 12);
    is_int(meet_rtp_parse(&h, b, 20), MEET_RTP_OK, "one-word extension");
    is_int(h.ext_profile, 0xbede, "profile");
    is_int(h.ext_offset, 16, "extension data offset");
    is_int(h.ext_len, 4, "extension data length");
    is_int(h.header_len, 20, "header with extension");
    is_int(meet_rtp_parse(&h, b, 19), MEET_RTP_ERR_EXTENSION,
           "extension data overrun");
    is_int(meet_rtp_parse(&h, b, 15), MEET_RTP_ERR_EXTENSION,
           "extension header truncated");
    is_int(meet_rtp_parse(&h, b, 12), MEET_RTP_ERR_EXTENSION,
           "X set, nothing after the fixed header");
    b[15] = 0xff;
    is_int(meet_rtp_parse(&h, b, 200), MEET_RTP_ERR_EXTENSION,
           "length 255 words past the end");
    b[15] = 0;
    is_int(meet_rtp_parse(&h, b, 16), MEET_RTP_OK, "empty extension");
    is_int(h.ext_len, 0, "no extension data");

    /* extension after CSRCs */
    memset(b, 0, sizeof(b));
    b[0] = 0x91;
    unhex("bede0001" "10aa0000", b + 16);
    is_int(meet_rtp_parse(&h, b, 28), MEET_RTP_OK, "CSRC + extension");
    is_int(h.ext_offset, 20, "extension data after the CSRC");
    is_int(h.header_len, 24, "header length");
    is_int(h.payload_len, 4, "payload");

    /* padding (RFC 3550 5.1) */
    memset(b, 0, sizeof(b));
    b[0] = 0xa0;
    b[12] = 0xaa;
    b[13] = 0xbb;
    b[15] = 2;
    is_int(meet_rtp_parse(&h, b, 16), MEET_RTP_OK, "padding of 2");
    is_int(h.payload_len, 2, "payload without padding");
    is_int(h.padding_len, 2, "padding length");
    b[15] = 4;
    is_int(meet_rtp_parse(&h, b, 16), MEET_RTP_OK,
           "padding = whole payload (a padding-only probe)");
    is_int(h.payload_len, 0, "empty payload");
    b[15] = 5;
    is_int(meet_rtp_parse(&h, b, 16), MEET_RTP_ERR_PADDING,
           "padding > payload");
    b[15] = 0;
    is_int(meet_rtp_parse(&h, b, 16), MEET_RTP_ERR_PADDING, "padding count 0");
    b[11] = 1;
    is_int(meet_rtp_parse(&h, b, 12), MEET_RTP_ERR_PADDING,
           "P set, no payload (the count would be in the header)");

    /* padding may not eat the extension */
    memset(b, 0, sizeof(b));
    b[0] = 0xb0;
    unhex("bede0001" "10aa0004", b + 12);
    is_int(meet_rtp_parse(&h, b, 20), MEET_RTP_ERR_PADDING,
           "padding reaching into the extension");
    b[20] = 0x55;
    b[21] = 1;
    is_int(meet_rtp_parse(&h, b, 22), MEET_RTP_OK, "extension + padding");
    is_int(h.payload_len, 1, "payload between them");
}


static void
test_extensions(void)
{
    u_char               b[256], v[4];
    size_t               n, len;
    unsigned             id, level, voice;
    uint16_t             seq;
    uint32_t             t;
    const u_char        *d, *mid;
    meet_rtp_header_t    h;
    meet_rtp_ext_iter_t  it;

    /* RFC 8285 4.2 one-byte form: ids 1 (1 byte), 2 (2), pad, pad, 3 (4) */
    n = unhex("90600001000000640000abcd" "bede0003"
              "10aa21bbbb00003301020304" "cafe", b);
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "one-byte form parses");
    is_int(h.header_len, 28, "header length");
    is_int(h.payload_len, 2, "payload");
    is_int(meet_rtp_ext_iter_init(&it, b, &h), 0, "iterator");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_ELEMENT, "1st");
    ok(id == 1 && len == 1 && d[0] == 0xaa, "id 1, 1 byte");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_ELEMENT, "2nd");
    ok(id == 2 && len == 2 && d[0] == 0xbb && d[1] == 0xbb, "id 2, 2 bytes");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_ELEMENT,
           "3rd after padding");
    ok(id == 3 && len == 4 && memcmp(d, "\x01\x02\x03\x04", 4) == 0,
       "id 3, 4 bytes");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_END, "end");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_END, "again");

    d = meet_rtp_ext_find(b, &h, 3, &len);
    ok(d == b + 24 && len == 4, "find id 3: a slice of the packet");
    ok(meet_rtp_ext_find(b, &h, 4, &len) == NULL, "id 4 absent");
    ok(meet_rtp_ext_find(b, &h, 0, &len) == NULL, "id 0 never found");

    /* id 15 ends the block (RFC 8285 4.2) */
    n = unhex("90600001000000640000abcd" "bede0002" "10aaf0001fbb0000", b);
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "block with id 15");
    meet_rtp_ext_iter_init(&it, b, &h);
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_ELEMENT, "1st");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_END,
           "id 15: processing stops");
    ok(meet_rtp_ext_find(b, &h, 1, NULL) != NULL, "id 1 before it found");

    /* id 0 with a length is skipped as one padding byte (as libwebrtc) */
    n = unhex("90600001000000640000abcd" "bede0001" "05105500", b);
    meet_rtp_parse(&h, b, n);
    d = meet_rtp_ext_find(b, &h, 1, &len);
    ok(d && len == 1 && d[0] == 0x55, "id 0 byte skipped");

    /* an element running past the block */
    n = unhex("90600001000000640000abcd" "bede0001" "1011" "3aaa", b);
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "parses (block is sized)");
    meet_rtp_ext_iter_init(&it, b, &h);
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_ELEMENT, "1st");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_MALFORMED,
           "id 3 with 4 bytes in 2: malformed");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_MALFORMED,
           "stays malformed");
    ok(meet_rtp_ext_find(b, &h, 3, &len) == NULL, "malformed id not found");
    ok(meet_rtp_ext_find(b, &h, 1, &len) != NULL, "id before it found");

    /* RFC 8285 4.3 two-byte form: id 1 empty, id 2 1 byte, pad, id 3 4 */
    n = unhex("90600001000000640000abcd" "10000003"
              "0100" "0201aa" "00" "0304deadbeef" "cafe", b);
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "two-byte form parses");
    is_int(meet_rtp_ext_iter_init(&it, b, &h), 0, "iterator");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_ELEMENT, "1st");
    ok(id == 1 && len == 0, "id 1, empty");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_ELEMENT, "2nd");
    ok(id == 2 && len == 1 && d[0] == 0xaa, "id 2, 1 byte");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_ELEMENT, "3rd");
    ok(id == 3 && len == 4 && memcmp(d, "\xde\xad\xbe\xef", 4) == 0,
       "id 3, 4 bytes");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_END, "end");

    /* two-byte form with appbits, ids above 14, element overrun */
    n = unhex("90600001000000640000abcd" "100f0002" "ff02abcd" "02050000", b);
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "0x100f parses");
    d = meet_rtp_ext_find(b, &h, 255, &len);
    ok(d && len == 2 && d[0] == 0xab, "id 255");
    meet_rtp_ext_iter_init(&it, b, &h);
    meet_rtp_ext_next(&it, &id, &d, &len);
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_MALFORMED,
           "two-byte element overrun");
    n = unhex("90600001000000640000abcd" "10000001" "000000" "07", b);
    meet_rtp_parse(&h, b, n);
    meet_rtp_ext_iter_init(&it, b, &h);
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_MALFORMED,
           "two-byte element header cut");

    /* other profiles, no extension */
    n = unhex("90600001000000640000abcd" "abcd0001" "10aa0000", b);
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "unknown profile parses");
    is_int(meet_rtp_ext_iter_init(&it, b, &h), -1, "but is not iterated");
    ok(meet_rtp_ext_find(b, &h, 1, &len) == NULL, "nothing found");
    n = unhex(vp8_key, b);
    meet_rtp_parse(&h, b, n);
    is_int(meet_rtp_ext_iter_init(&it, b, &h), -1, "no extension");
    is_int(meet_rtp_ext_next(&it, &id, &d, &len), MEET_RTP_EXT_END,
           "failed init iterates nothing");

    /*
     * an Opus packet laid out as Chromium sends it: audio level (id 1,
     * voice, 30 dBov), abs-send-time (2), transport-cc seq (3), mid (4)
     */
    n = unhex("906f1234000003c0deadbeef" "bede0003"
              "109e" "22123456" "310005" "4030" "00" "fcfffe", b);
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "Opus with extensions");
    is_int(h.payload_len, 3, "payload");
    ok(meet_rtp_ext_audio_level(b, &h, 1, &level, &voice) == 0
       && level == 30 && voice == 1, "audio level 30, voice");
    ok(meet_rtp_ext_abs_send_time(b, &h, 2, &t) == 0 && t == 0x123456,
       "abs-send-time");
    ok(meet_rtp_ext_twcc_seq(b, &h, 3, &seq) == 0 && seq == 5, "twcc seq");
    ok(meet_rtp_ext_mid(b, &h, 4, &mid, &len) == 0 && len == 1
       && mid[0] == '0', "mid \"0\"");

    /* wrong lengths and ids */
    is_int(meet_rtp_ext_abs_send_time(b, &h, 3, &t), -1,
           "abs-send-time needs 3 bytes");
    is_int(meet_rtp_ext_twcc_seq(b, &h, 2, &seq), -1, "twcc needs 2 bytes");
    is_int(meet_rtp_ext_mid(b, &h, 9, &mid, &len), -1, "no mid");
    is_int(meet_rtp_ext_audio_level(b, &h, 9, &level, &voice), -1,
           "no level");

    /* in-place rewrite: twcc renumbering */
    is_int(meet_rtp_ext_set_twcc_seq(b, &h, 3, 0xfffe), 0, "twcc seq set");
    ok(meet_rtp_ext_twcc_seq(b, &h, 3, &seq) == 0 && seq == 0xfffe,
       "twcc seq reads back");
    ok(meet_rtp_ext_abs_send_time(b, &h, 2, &t) == 0 && t == 0x123456,
       "neighbour untouched");
    is_int(meet_rtp_ext_set_twcc_seq(b, &h, 2, 1), -1,
           "other length: not written");
    is_int(meet_rtp_ext_set_twcc_seq(b, &h, 7, 1), -1, "absent: not written");
    memcpy(v, "\x01\x02\x03", 3);
    is_int(meet_rtp_ext_set(b, &h, 2, v, 3), 0, "abs-send-time set");
    ok(meet_rtp_ext_abs_send_time(b, &h, 2, &t) == 0 && t == 0x010203,
       "reads back");
    is_int(meet_rtp_ext_set(b, &h, 2, NULL, 3), -1, "NULL value");
    is_int(meet_rtp_parse(&h, b, n), MEET_RTP_OK, "still parses");
    is_mem(b + h.header_len, h.payload_len, "\xfc\xff\xfe", 3,
           "payload untouched");
}


static void
test_setters(void)
{
    u_char             b[64];
    size_t             n;
    meet_rtp_header_t  h;

    n = unhex(vp8_last, b);

    is_int(meet_rtp_set_pt(b, n, 111), 0, "set pt");
    is_int(meet_rtp_set_seq(b, n, 65535), 0, "set seq");
    is_int(meet_rtp_set_ts(b, n, 0xfffffff0), 0, "set ts");
    is_int(meet_rtp_set_ssrc(b, n, 0x01020304), 0, "set ssrc");
    meet_rtp_parse(&h, b, n);
    ok(h.pt == 111 && h.marker == 1, "pt 111, marker kept");
    ok(h.seq == 65535 && h.ts == 0xfffffff0 && h.ssrc == 0x01020304,
       "seq, ts, ssrc");
    is_int(meet_rtp_set_marker(b, n, 0), 0, "clear marker");
    meet_rtp_parse(&h, b, n);
    ok(h.pt == 111 && h.marker == 0, "marker cleared, pt kept");
    meet_rtp_set_marker(b, n, 7);
    meet_rtp_set_pt(b, n, 0xff);
    meet_rtp_parse(&h, b, n);
    ok(h.pt == 127 && h.marker == 1, "marker non-zero = 1, pt masked");
    is_mem(b + 12, 6, "\x80\x80\x80\x00\x57\xfc", 6, "payload untouched");

    is_int(meet_rtp_set_seq(b, 11, 1), -1, "11 bytes: refused");
    is_int(meet_rtp_set_ts(NULL, 20, 1), -1, "NULL: refused");
    b[0] = 0x40;
    is_int(meet_rtp_set_ssrc(b, n, 1), -1, "version 1: refused");
    is_int(meet_rtp_set_pt(b, n, 1), -1, "version 1: pt refused");
    is_int(meet_rtp_set_marker(b, n, 1), -1, "version 1: marker refused");
}


static void
test_seq(void)
{
    int                   fails;
    unsigned              a, b;
    int64_t               v;
    meet_rtp_unwrapper_t  u;

    ok(meet_rtp_seq_newer(1, 0), "1 newer than 0");
    ok(!meet_rtp_seq_newer(0, 1), "0 not newer than 1");
    ok(!meet_rtp_seq_newer(5, 5), "equal: not newer");
    ok(meet_rtp_seq_newer(0, 65535), "wrap: 0 newer than 65535");
    ok(!meet_rtp_seq_newer(65535, 0), "65535 older than 0");
    ok(meet_rtp_seq_newer(100, 65000), "100 newer than 65000");
    ok(meet_rtp_seq_newer(0x8000, 0) != meet_rtp_seq_newer(0, 0x8000),
       "half range: exactly one is newer");
    ok(meet_rtp_seq_newer(0x8000, 0), "half range: the larger one");
    is_int(meet_rtp_seq_diff(0, 65535), 1, "diff across the wrap");
    is_int(meet_rtp_seq_diff(65535, 0), -1, "negative diff across the wrap");
    is_int(meet_rtp_seq_diff(10, 65530), 16, "diff 16");
    is_int(meet_rtp_seq_diff(0x8000, 0), -32768, "half range diff");
    is_int(meet_rtp_seq_diff(0x7fff, 0), 32767, "largest positive diff");

    /* antisymmetry on a grid of pairs */
    fails = 0;

    for (a = 0; a < 65536; a += 251) {
        for (b = 0; b < 65536; b += 257) {
            if (a != b && meet_rtp_seq_newer(a, b) == meet_rtp_seq_newer(b, a))
            {
                fails++;
            }

            if (meet_rtp_seq_newer(a, b) != (meet_rtp_seq_diff(a, b) > 0)
                && (uint16_t) (a - b) != 0x8000)
            {
                fails++;
            }
        }
    }

    is_int(fails, 0, "newer() antisymmetric and agrees with diff()");

    ok(meet_rtp_ts_newer(5, 0xfffffff0), "ts wrap: 5 newer");
    ok(!meet_rtp_ts_newer(0xfffffff0, 5), "ts wrap: older");
    is_int(meet_rtp_ts_diff(5, 0xfffffff0), 21, "ts diff across wrap");
    is_int(meet_rtp_ts_diff(0xfffffff0, 5), -21, "negative ts diff");
    is_int(meet_rtp_ts_diff(0x80000000, 0), -2147483648LL, "half range");
    ok(meet_rtp_ts_newer(0x80000000, 0) && !meet_rtp_ts_newer(0, 0x80000000),
       "ts half range: the larger one");

    /* unwrapper across wraps, with reordering */
    meet_rtp_unwrapper_init(&u);
    is_int(meet_rtp_unwrap_seq(&u, 65530), 65530, "first value as is");
    is_int(meet_rtp_unwrap_seq(&u, 65535), 65535, "then 65535");
    is_int(meet_rtp_unwrap_seq(&u, 2), 65538, "2 after the wrap");
    is_int(meet_rtp_unwrap_seq(&u, 65534), 65534, "late packet before wrap");
    is_int(meet_rtp_unwrap_seq(&u, 3), 65539, "next after the late one");
    is_int(u.last, 65539, "newest kept");

    fails = 0;
    v = 0;

    for (a = 0; a < 300000; a += 7) {
        /* the stream goes on from 65539 = 3 + 65536 */
        v = meet_rtp_unwrap_seq(&u, (uint16_t) (a + 4));

        if (v != (int64_t) a + 4 + 65536) {
            fails++;
        }
    }

    is_int(fails, 0, "several wraps, step 7: monotonic, exact");

    meet_rtp_unwrapper_init(&u);
    is_int(meet_rtp_unwrap_seq(&u, 3), 3, "first 3");
    is_int(meet_rtp_unwrap_seq(&u, 65534), -2, "before the first: negative");

    meet_rtp_unwrapper_init(&u);
    is_int(meet_rtp_unwrap_ts(&u, 0xffffff00), 0xffffff00, "ts first");
    is_int(meet_rtp_unwrap_ts(&u, 0x100), 0x100000100LL, "ts wrap");
    is_int(meet_rtp_unwrap_ts(&u, 0xfffffff0), 0xfffffff0, "late ts");
    is_int(meet_rtp_unwrap_ts(&u, 0x7fffffff), 0x17fffffffLL, "ts far");
    is_int(meet_rtp_unwrap_seq(NULL, 7), 7, "NULL unwrapper");
}


static void
test_keyframes(void)
{
    u_char  b[64];
    size_t  n;

    /* VP8, real */
    is_int(kf_hex(MEET_RTP_CODEC_VP8, vp8_key, 1), YES, "VP8 key frame start");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, vp8_cont, 1), NO, "VP8 continuation");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, vp8_last, 1), NO, "VP8 last packet");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, vp8_inter, 1), NO, "VP8 inter frame");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, vp8_key2, 1), YES, "VP8 2nd key frame");

    /* VP8, RFC 7741 descriptor variants */
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "1050010f9d012a", 0), YES,
           "VP8 no X, key frame");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "1051010f9d012a", 0), NO,
           "VP8 no X, P = 1");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "1150010f9d012a", 0), NO,
           "VP8 S = 1 but partition 1");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "90f0abcd1240" "50010f9d012a", 0), YES,
           "VP8 I (15 bit), L, T: key frame");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "90e0121540" "50010f9d012a", 0), YES,
           "VP8 I (7 bit), L, T");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "9010" "20" "50010f9d012a", 0), YES,
           "VP8 K only");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "90f0abcd1240", 0), UNKNOWN,
           "VP8 descriptor only");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "90f0ab", 0), UNKNOWN,
           "VP8 descriptor cut in the picture id");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "90", 0), UNKNOWN,
           "VP8 X without its byte");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "1050010f9d01", 0), UNKNOWN,
           "VP8 start code cut");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "1050010f9d0100", 0), UNKNOWN,
           "VP8 bad start code");
    is_int(kf_hex(MEET_RTP_CODEC_VP8, "1051", 0), NO,
           "VP8 P = 1 needs one byte");
    is_int(meet_rtp_vp8_keyframe(NULL, 0), UNKNOWN, "VP8 empty");

    /* VP9, real */
    is_int(kf_hex(MEET_RTP_CODEC_VP9, vp9_key, 1), YES, "VP9 key frame start");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, vp9_cont, 1), NO, "VP9 continuation");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, vp9_inter, 1), NO,
           "VP9 inter frame with P = 0 in the descriptor (ffmpeg)");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, vp9_key2, 1), YES, "VP9 2nd key frame");

    /* VP9 descriptor variants (RFC 9628 4.2), frame header 82 49 83 42 */
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "48" "82498342", 0), NO,
           "VP9 P = 1");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "a8" "8123" "00" "07" "82498342", 0),
           YES, "VP9 I (15 bit), L (SID 0), TL0PICIDX");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "a8" "8123" "02" "07" "82498342", 0),
           NO, "VP9 SID 1");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "b8" "23" "00" "82498342", 0), YES,
           "VP9 flexible mode, L without TL0PICIDX");
    /*
     * Chromium-like key frame of an L1T1 stream with the scalability
     * structure: I (15 bit), V; SS: N_S = 0, Y, G: 640x360, N_G = 1,
     * TID 0 U 0 R 0
     */
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "8a" "8001" "18" "02800168" "01" "00"
                  "82498342", 0), YES, "VP9 with scalability structure");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "8a" "8001" "18" "02800168" "01" "04"
                  "05" "82498342", 0), YES, "VP9 SS with one P_DIFF");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "8a" "8001" "18" "028001", 0), UNKNOWN,
           "VP9 SS cut");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "8a" "8001" "18" "02800168" "02" "00",
                  0), UNKNOWN, "VP9 SS with a missing group");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "a8", 0), UNKNOWN, "VP9 I cut");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "28", 0), UNKNOWN, "VP9 L cut");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "08", 0), UNKNOWN, "VP9 no header");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "08" "824983", 0), UNKNOWN,
           "VP9 sync code cut");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "08" "82498300", 0), UNKNOWN,
           "VP9 bad sync code");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "08" "42498342", 0), UNKNOWN,
           "VP9 bad frame marker");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "08" "8a498342", 0), NO,
           "VP9 show_existing_frame");
    /* profile 3: 10 1 1 0 (reserved) 0 0 1 0 then 49 83 42 at bit 9 */
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "08" "b124c1a100", 0), YES,
           "VP9 profile 3 key frame");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "08" "b124c1a1", 0), UNKNOWN,
           "VP9 profile 3, sync code cut");
    is_int(kf_hex(MEET_RTP_CODEC_VP9, "08" "b324c1a100", 0), NO,
           "VP9 profile 3 inter frame");

    /* H.264, real */
    is_int(kf_hex(MEET_RTP_CODEC_H264, h264_stap, 1), YES,
           "H.264 STAP-A with SPS/PPS");
    is_int(kf_hex(MEET_RTP_CODEC_H264, h264_fu_sei, 1), NO,
           "H.264 FU-A start of SEI");
    is_int(kf_hex(MEET_RTP_CODEC_H264, h264_fu_idr, 1), YES,
           "H.264 FU-A start of IDR");
    is_int(kf_hex(MEET_RTP_CODEC_H264, h264_fu_idr_end, 1), NO,
           "H.264 FU-A end of IDR");
    is_int(kf_hex(MEET_RTP_CODEC_H264, h264_single_p, 1), NO,
           "H.264 single non-IDR slice");
    is_int(kf_hex(MEET_RTP_CODEC_H264, h264_fu_p_end, 1), NO,
           "H.264 FU-A end of a non-IDR slice");

    /* H.264 by hand (RFC 6184 5.6-5.8) */
    is_int(kf_hex(MEET_RTP_CODEC_H264, "6588", 0), YES, "single IDR");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "6742", 0), YES, "single SPS");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "68ce", 0), NO, "single PPS");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "18" "000268ce" "00024188", 0), NO,
           "STAP-A with PPS and a P slice");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "18" "000268ce" "00026588", 0), YES,
           "STAP-A with IDR second");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "18" "000368ce", 0), UNKNOWN,
           "STAP-A size past the end");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "18" "000068ce", 0), UNKNOWN,
           "STAP-A size 0");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "18" "000268ce" "00", 0), UNKNOWN,
           "STAP-A size cut");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "18", 0), UNKNOWN, "empty STAP-A");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "7c", 0), UNKNOWN, "FU-A cut");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "7c87", 0), YES, "FU-A start of SPS");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "7c05", 0), NO, "FU-A middle of IDR");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "19000000", 0), UNKNOWN, "STAP-B");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "1a000000", 0), UNKNOWN, "MTAP16");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "1d85", 0), UNKNOWN, "FU-B");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "00", 0), UNKNOWN, "type 0");
    is_int(kf_hex(MEET_RTP_CODEC_H264, "1f", 0), UNKNOWN, "type 31");
    is_int(meet_rtp_h264_keyframe(b, 0), UNKNOWN, "H.264 empty");

    /* AV1 */
    is_int(kf_hex(MEET_RTP_CODEC_AV1, av1_key, 0), YES, "AV1 N = 1");
    is_int(kf_hex(MEET_RTP_CODEC_AV1, av1_cont, 0), NO, "AV1 continuation");
    is_int(kf_hex(MEET_RTP_CODEC_AV1, av1_inter, 0), NO, "AV1 inter frame");
    is_int(kf_hex(MEET_RTP_CODEC_AV1, "88", 0), UNKNOWN, "AV1 N and Z");
    is_int(meet_rtp_av1_keyframe(b, 0), UNKNOWN, "AV1 empty");

    n = unhex("1050010f9d012a", b);
    is_int(meet_rtp_keyframe(99, b, n), UNKNOWN, "unknown codec");
    is_int(meet_rtp_keyframe(MEET_RTP_CODEC_VP8, NULL, 5), UNKNOWN, "NULL");
}


static void
test_rewriter(void)
{
    int                  i, fails;
    u_char               b[64];
    size_t               n;
    uint16_t             s;
    uint32_t             t;
    meet_rtp_header_t    h;
    meet_rtp_rewriter_t  rw;

#define MAP(ssrc, seq, ts, now)                                               \
    meet_rtp_rewriter_map(&rw, ssrc, (uint16_t) (seq), (uint32_t) (ts), now, \
                          &s, &t)

    meet_rtp_rewriter_init(&rw, 0xaaaa, 90000);

    /* source A: the first packet passes unchanged */
    is_int(MAP(1, 65530, 1000, 0), MEET_RTP_RW_FORWARD, "first forwarded");
    ok(s == 65530 && t == 1000, "first unchanged");

    /* 65531 .. 3, seq 2 held back; 3 packets per frame */
    for (i = 1; i < 10; i++) {
        if (i != 8) {
            MAP(1, 65530 + i, 1000 + 3000 * (i / 3), 10 * i);
        }
    }

    ok(s == 3 && t == 10000, "A continues across the seq wrap");
    is_int(rw.max_out_seq, 3, "newest out seq");

    /* reordered within A: same mapping */
    is_int(MAP(1, 2, 7000, 100), MEET_RTP_RW_FORWARD, "late A forwarded");
    ok(s == 2 && t == 7000, "late A keeps its mapping");
    is_int(MAP(1, 2, 7000, 100), MEET_RTP_RW_DROP, "its duplicate dropped");
    is_int(MAP(1, 3, 10000, 100), MEET_RTP_RW_DROP,
           "duplicate of the newest dropped");

    /* switch to B (new SSRC, unrelated seq/ts), 40 ms later */
    is_int(MAP(2, 5000, 777777, 130), MEET_RTP_RW_FORWARD, "B forwarded");
    is_int(s, 4, "B continues at newest out seq + 1");
    is_int(t, 10000 + 40 * 90, "B ts = A's newest + 40 ms at 90 kHz");
    is_int(MAP(2, 5001, 777777, 131), MEET_RTP_RW_FORWARD, "B 2nd packet");
    ok(s == 5 && t == 10000 + 3600, "same frame: same ts");
    is_int(MAP(2, 5003, 780777, 160), MEET_RTP_RW_FORWARD, "B with a gap");
    ok(s == 7 && t == 10000 + 3600 + 3000, "gap kept, ts delta kept");
    is_int(MAP(2, 5002, 777777, 161), MEET_RTP_RW_FORWARD, "B gap filled");
    is_int(s, 6, "filled in place");

    /* late A after the switch: dropped */
    is_int(MAP(1, 2, 7000, 170), MEET_RTP_RW_DROP, "late A dropped");
    is_int(MAP(1, 3, 10000, 170), MEET_RTP_RW_DROP, "A's newest again");
    is_int(rw.in_ssrc, 2, "still B");

    /* a packet of B from before its first one: dropped (would collide) */
    is_int(MAP(2, 4999, 774777, 171), MEET_RTP_RW_DROP,
           "B before the switch point dropped");

    /* back to A: A's numbers are re-based again */
    is_int(MAP(1, 20, 40000, 200), MEET_RTP_RW_FORWARD, "A again");
    is_int(s, 8, "A again: + 1");
    is_int(t, 16600 + 40 * 90, "A again: ts + 40 ms");

    /* explicit switch with the same SSRC, no time elapsed: + 1 tick */
    meet_rtp_rewriter_switch(&rw);
    is_int(MAP(1, 100, 5, 200), MEET_RTP_RW_FORWARD, "after switch()");
    ok(s == 9 && t == 16600 + 3600 + 1, "seq + 1, ts + 1 tick");

    /* same SSRC restarted far behind: a new mapping */
    is_int(MAP(1, 100 - 5000, 0, 220), MEET_RTP_RW_FORWARD,
           "restart far behind");
    ok(s == 10 && t == 16600 + 3600 + 1 + 20 * 90, "restart continues");

    /* a forward jump within 32767 is a gap, not a restart */
    is_int(MAP(1, 100 - 5000 + 3000, 9000, 240), MEET_RTP_RW_FORWARD,
           "jump ahead");
    ok(s == 3010 && t == 16600 + 3600 + 1 + 1800 + 9000, "gap of 2999 kept");

    /* after the window, old packets are judged by the window only */
    fails = 0;
    meet_rtp_rewriter_init(&rw, 7, 48000);
    MAP(9, 0, 0, 0);

    for (i = 1; i <= 3000; i++) {
        if (MAP(9, (uint16_t) (i * 2), (uint32_t) i * 960, i * 20)
            != MEET_RTP_RW_FORWARD || s != (uint16_t) (i * 2))
        {
            fails++;
        }
    }

    is_int(fails, 0, "3000 packets with gaps, identity mapping");
    is_int(rw.base_check, 0, "base check off after the window");
    is_int(MAP(9, 6000 - 1001, 1, 60000), MEET_RTP_RW_FORWARD,
           "late by 1001: forwarded");
    is_int(MAP(9, 6000 - 1025, 1, 60000), MEET_RTP_RW_FORWARD,
           "late by 1025: a restart");
    is_int(s, 6001, "restart: + 1");
    is_int(t, 3000 * 960 + 48000 * 0 + 1, "audio: + 1 tick, no time");

    /* long pause: elapsed time becomes ticks (48 kHz) */
    meet_rtp_rewriter_switch(&rw);
    MAP(10, 1, 1, 60000 + 2500);
    is_int(t, 3000 * 960 + 1 + 2500 * 48, "2.5 s at 48 kHz");

    /* clock_rate 0 means 90000; a clock going backwards counts 0 */
    meet_rtp_rewriter_init(&rw, 7, 0);
    is_int(rw.clock_rate, 90000, "default clock rate");
    MAP(1, 10, 100, 1000);
    MAP(2, 10, 100, 900);
    is_int(t, 101, "time going backwards: + 1 tick");
    MAP(3, 10, 100, UINT64_MAX);
    ok(s == 12, "huge elapsed time: no overflow trap");

    /* the previous source's late packets only count for a while */
    meet_rtp_rewriter_init(&rw, 7, 90000);
    MAP(1, 100, 0, 0);
    MAP(2, 7, 0, 10);
    is_int(MAP(1, 50, 0, 20), MEET_RTP_RW_DROP, "old A soon after: late");
    is_int(MAP(1, 50, 0, 10 + MEET_RTP_RW_LATE_MS + 1), MEET_RTP_RW_FORWARD,
           "old A much later: A restarted, a switch");
    is_int(s, 102, "switch: + 1");

    /* NULL */
    is_int(meet_rtp_rewriter_map(NULL, 1, 1, 1, 1, &s, &t), MEET_RTP_RW_DROP,
           "NULL rewriter");
    meet_rtp_rewriter_init(NULL, 0, 0);
    meet_rtp_rewriter_switch(NULL);

    /* apply on a real packet */
    meet_rtp_rewriter_init(&rw, 0xcafebabe, 90000);
    n = unhex(vp8_key, b);
    meet_rtp_parse(&h, b, n);
    is_int(meet_rtp_rewriter_apply(&rw, b, n, &h, 0), MEET_RTP_RW_FORWARD,
           "apply: first");
    meet_rtp_parse(&h, b, n);
    ok(h.ssrc == 0xcafebabe && h.seq == 364 && h.ts == 2304705664u
       && h.pt == 96, "apply: SSRC rewritten, rest kept");
    n = unhex(vp9_key, b);
    meet_rtp_parse(&h, b, n);
    is_int(meet_rtp_rewriter_apply(&rw, b, n, &h, 50), MEET_RTP_RW_FORWARD,
           "apply: another source");
    meet_rtp_parse(&h, b, n);
    ok(h.ssrc == 0xcafebabe && h.seq == 365
       && h.ts == 2304705664u + 50 * 90, "apply: continued");
    n = unhex(vp9_key, b);
    meet_rtp_parse(&h, b, n);
    is_int(meet_rtp_rewriter_apply(&rw, b, n, &h, 60), MEET_RTP_RW_DROP,
           "apply: duplicate dropped");
    n = unhex(vp8_cont, b);
    meet_rtp_parse(&h, b, n);
    is_int(meet_rtp_rewriter_apply(&rw, b, n, &h, 70), MEET_RTP_RW_FORWARD,
           "apply: the first source again, newer: a switch back");
    meet_rtp_parse(&h, b, n);
    ok(h.seq == 366 && h.ts == 2304705664u + 4500 + 20 * 90,
       "apply: continued again");
    is_int(meet_rtp_rewriter_apply(&rw, b, 11, &h, 60), MEET_RTP_RW_DROP,
           "apply: short packet");
    is_int(meet_rtp_rewriter_apply(&rw, b, n, NULL, 60), MEET_RTP_RW_DROP,
           "apply: no header");

#undef MAP
}


/*
 * The forwarding copy: a packet with a marker, a CSRC, a one-byte
 * extension block (RFC 8285: an audio level and a mid) and padding goes
 * out without the extension, with the receiver's payload type, SSRC and
 * numbers; a NACKed one again with the number asked for.
 */

static void
test_rewriter_copy(void)
{
    u_char               in[64], out[64], want[64];
    size_t               n, len, w;
    meet_rtp_header_t    h, oh;
    meet_rtp_rewriter_t  rw;

    static const char  pkt[] =
        "b1"                    /* V=2 P=1 X=1 CC=1 */
        "e0"                    /* M=1 PT=96 */
        "1234" "00010000" "11223344"
        "55667788"              /* CSRC */
        "bede0002" "10ff" "21" "6131" "000000"   /* ext: level, mid "a1" */
        "deadbeefcafe"          /* payload */
        "000003";               /* padding, count 3 */

    meet_rtp_rewriter_init(&rw, 0xcafebabe, 90000);
    n = unhex(pkt, in);
    is_int(meet_rtp_parse(&h, in, n), MEET_RTP_OK, "copy: input parses");
    is_int(h.header_len, 28, "copy: input header with extension");

    len = meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, n, &h, 111, -1,
                                 0);
    w = unhex("a1" "ef" "1234" "00010000" "cafebabe" "55667788"
              "deadbeefcafe" "000003", want);
    is_mem(out, len, want, w,
           "copy: no extension, X cleared, marker and CSRC kept, pt 111, "
           "SSRC rewritten, payload and padding as they were");
    is_int(meet_rtp_parse(&oh, out, len), MEET_RTP_OK, "copy: output parses");
    ok(oh.marker && oh.pt == 111 && oh.cc == 1 && !oh.extension
       && oh.payload_len == 6 && oh.padding_len == 3,
       "copy: output header");
    ok(in[0] == 0xb1 && in[1] == 0xe0 && in[8] == 0x11,
       "copy: the input is left alone");

    /* the next packet of another source continues the numbers */
    in[2] = 0x50; in[3] = 0x00;             /* seq 0x5000 */
    in[8] = 0x99;                           /* another SSRC */
    meet_rtp_parse(&h, in, n);
    len = meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, n, &h, 111, -1,
                                 20);
    meet_rtp_parse(&oh, out, len);
    ok(len == w && oh.seq == 0x1235 && oh.ts == 0x10000 + 20 * 90
       && oh.ssrc == 0xcafebabe, "copy: a new source continues the stream");

    /* the same packet again is a duplicate */
    is_int(meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, n, &h, 111, -1,
                                  30), 0, "copy: duplicate dropped");

    /* a retransmission: the number asked for, the mapping's timestamp */
    out[2] = 0;
    len = meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, n, &h, 100,
                                 0x1235, 40);
    meet_rtp_parse(&oh, out, len);
    ok(len == w && oh.seq == 0x1235 && oh.ts == 0x10000 + 20 * 90
       && oh.pt == 100 && oh.ssrc == 0xcafebabe,
       "copy: resend with the number asked for, not mapped");
    is_int(rw.max_out_seq, 0x1235, "copy: resend leaves the mapping");

    /* pt above 127 cannot clobber the marker */
    len = meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, n, &h, 0xff,
                                 0x1235, 40);
    is_int(out[1], 0xff, "copy: pt masked to 7 bits, marker kept");
    in[1] = 0x60;
    meet_rtp_parse(&h, in, n);
    len = meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, n, &h, 0xff,
                                 0x1235, 40);
    is_int(out[1], 0x7f, "copy: no marker, none added");

    /* room: exactly enough, one byte short */
    is_int(meet_rtp_rewriter_copy(&rw, out, w, in, n, &h, 96, 1, 0), w,
           "copy: exactly enough room");
    is_int(meet_rtp_rewriter_copy(&rw, out, w - 1, in, n, &h, 96, 1, 0), 0,
           "copy: no room");
    is_int(rw.max_out_seq, 0x1235, "copy: no room maps nothing");

    /* bad arguments */
    is_int(meet_rtp_rewriter_copy(NULL, out, sizeof(out), in, n, &h, 96, -1,
                                  0), 0, "copy: no rewriter");
    is_int(meet_rtp_rewriter_copy(&rw, NULL, sizeof(out), in, n, &h, 96, -1,
                                  0), 0, "copy: no output");
    is_int(meet_rtp_rewriter_copy(&rw, out, sizeof(out), NULL, n, &h, 96, -1,
                                  0), 0, "copy: no packet");
    is_int(meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, n, NULL, 96, -1,
                                  0), 0, "copy: no header");
    is_int(meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, 11, &h, 96, -1,
                                  0), 0, "copy: short packet");
    is_int(meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, 20, &h, 96, -1,
                                  0), 0, "copy: header longer than the packet");
    is_int(meet_rtp_rewriter_copy(&rw, out, sizeof(out), in, n, &h, 96,
                                  0x10000, 0), 0,
           "copy: resend beyond 16 bits");
}


/*
 * RFC 4588 retransmissions.  old_unrtx() and old_send_rtx() are the code
 * ngx_meet_rtp_forward.c had before it called the library (buffer sizes
 * and checks included, nginx calls replaced by libc): the library must
 * write the same bytes for every packet.
 */

#define OLD_MTU  1500

static size_t
old_unrtx(u_char *buf, const u_char *p, size_t n, const meet_rtp_header_t *h,
    unsigned pt, uint32_t ssrc)
{
    size_t  hl;

    if (h->payload_len < 2 || n > OLD_MTU) {
        return 0;
    }

    hl = h->header_len;

    memcpy(buf, p, hl);
    memcpy(buf + hl, p + hl + 2, n - hl - 2);

    buf[1] = (u_char) ((p[1] & 0x80) | pt);
    buf[2] = p[hl];
    buf[3] = p[hl + 1];
    buf[8] = (u_char) (ssrc >> 24);
    buf[9] = (u_char) (ssrc >> 16);
    buf[10] = (u_char) (ssrc >> 8);
    buf[11] = (u_char) ssrc;

    return n - 2;
}


static size_t
old_send_rtx(u_char *out, const u_char *p, const meet_rtp_header_t *h,
    unsigned rtx_pt, uint32_t rtx_ssrc, uint16_t rtx_seq, uint16_t seq,
    uint32_t ts)
{
    size_t  hl;

    hl = 12 + 4 * (size_t) h->cc;

    if (hl + 2 + h->payload_len > OLD_MTU) {
        return 0;
    }

    memcpy(out, p, hl);

    out[0] &= ~0x30;
    out[1] = (u_char) ((p[1] & 0x80) | rtx_pt);
    out[2] = (u_char) (rtx_seq >> 8);
    out[3] = (u_char) rtx_seq;
    out[8] = (u_char) (rtx_ssrc >> 24);
    out[9] = (u_char) (rtx_ssrc >> 16);
    out[10] = (u_char) (rtx_ssrc >> 8);
    out[11] = (u_char) rtx_ssrc;
    out[4] = (u_char) (ts >> 24);
    out[5] = (u_char) (ts >> 16);
    out[6] = (u_char) (ts >> 8);
    out[7] = (u_char) ts;
    out[hl] = (u_char) (seq >> 8);
    out[hl + 1] = (u_char) seq;

    memcpy(out + hl + 2, p + h->header_len, h->payload_len);

    return hl + 2 + h->payload_len;
}


/*
 * A packet: second byte b1 (marker, pt), cc CSRCs, a one-byte extension
 * block of ext words (none when 0), payload bytes, pad bytes of padding.
 */

static size_t
rtx_packet(u_char *p, unsigned b1, unsigned cc, unsigned ext, size_t payload,
    unsigned pad)
{
    size_t    n, i;
    unsigned  k;

    p[0] = (u_char) (0x80 | (pad ? 0x20 : 0) | (ext ? 0x10 : 0) | cc);
    p[1] = (u_char) b1;
    p[2] = 0x4a; p[3] = 0x5b;                       /* seq */
    p[4] = 0x01; p[5] = 0x02; p[6] = 0x03; p[7] = 0x04;
    p[8] = 0xa1; p[9] = 0xb2; p[10] = 0xc3; p[11] = 0xd4;
    n = 12;

    for (k = 0; k < 4 * cc; k++) {
        p[n++] = (u_char) (0xc0 + k);
    }

    if (ext) {
        p[n++] = 0xbe; p[n++] = 0xde;
        p[n++] = 0; p[n++] = (u_char) ext;

        for (k = 0; k < 4 * ext; k++) {
            p[n++] = (k % 4 == 0) ? 0x30 : (u_char) (0xe0 + k);
        }
    }

    for (i = 0; i < payload; i++) {
        p[n++] = (u_char) (i * 7 + 1);
    }

    for (k = 0; k < pad; k++) {
        p[n++] = (k + 1 == pad) ? (u_char) pad : 0;
    }

    return n;
}


static void
test_rtx_same_as_before(void)
{
    u_char             p[1600], a[1600], b[1600];
    size_t             n, la, lb;
    unsigned           i;
    meet_rtp_header_t  h;

    static const struct {
        unsigned     b1, cc, ext;
        size_t       payload;
        unsigned     pad;
        const char  *name;
    } t[] = {
        { 0x60, 0, 0, 20, 0, "plain" },
        { 0xe0, 0, 0, 20, 0, "marker" },
        { 0x60, 2, 0, 9, 0, "2 CSRCs" },
        { 0xe0, 15, 0, 9, 0, "15 CSRCs, marker" },
        { 0x60, 0, 2, 30, 0, "extension" },
        { 0xe0, 3, 1, 30, 0, "CSRCs, extension, marker" },
        { 0x60, 0, 0, 30, 5, "padding" },
        { 0xe0, 15, 3, 17, 1, "15 CSRCs, extension, padding 1" },
        { 0x60, 0, 0, 0, 200, "padding only" },
        { 0x60, 1, 1, 0, 0, "no payload" },
        { 0x60, 0, 0, 1, 0, "1 byte payload" },
        { 0x60, 0, 1, 1, 4, "1 byte payload, padding" },
        { 0x60, 0, 0, 2, 0, "2 byte payload" },
        { 0xe0, 2, 1, 2, 3, "2 byte payload, padding" },
        { 0x60, 0, 0, 1486, 0, "1498 bytes" },
        { 0x60, 0, 0, 1487, 0, "1499 bytes" },
        { 0x60, 0, 0, 1488, 0, "1500 bytes" },
        { 0x60, 0, 0, 1489, 0, "1501 bytes" },
        { 0x60, 0, 2, 1480, 0, "1504 bytes with extension" },
    };

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        n = rtx_packet(p, t[i].b1, t[i].cc, t[i].ext, t[i].payload,
                       t[i].pad);

        if (!is_int(meet_rtp_parse(&h, p, n), MEET_RTP_OK,
                    "rtx %s: parses", t[i].name))
        {
            continue;
        }

        memset(a, 0xee, sizeof(a));
        memset(b, 0xee, sizeof(b));
        la = old_send_rtx(a, p, &h, 97, 0x0badf00d, 0xfffe, 0x1234,
                          0x89abcdef);
        lb = meet_rtp_rtx_wrap(b, OLD_MTU, p, n, &h, 97, 0x0badf00d, 0xfffe,
                               0x1234, 0x89abcdef);
        is_mem(b, lb, a, la, "rtx %s: wrap writes what forward.c wrote",
               t[i].name);
        ok(memcmp(a, b, sizeof(a)) == 0,
           "rtx %s: wrap writes nothing else", t[i].name);

        memset(a, 0xee, sizeof(a));
        memset(b, 0xee, sizeof(b));
        /*
         * forward.c drops datagrams longer than the MTU before it looks
         * for RTX (ngx_meet_rtp_forward()); old_unrtx() checked again
         */
        la = old_unrtx(a, p, n, &h, 100, 0x01020304);
        lb = (n > OLD_MTU) ? 0 : meet_rtp_rtx_unwrap(b, OLD_MTU, p, n, &h,
                                                      100, 0x01020304);
        is_mem(b, lb, a, la, "rtx %s: unwrap writes what forward.c wrote",
               t[i].name);
        ok(memcmp(a, b, sizeof(a)) == 0,
           "rtx %s: unwrap writes nothing else", t[i].name);
    }
}


/*
 * The bytes, by hand: a packet with a marker, 2 CSRCs, a one-byte
 * extension and padding; its RTX packet; that one unwrapped.
 */

static void
test_rtx(void)
{
    u_char             in[128], out[128], back[128], want[128];
    size_t             n, len, w, blen, hl;
    unsigned           i;
    meet_rtp_header_t  h, oh, bh;

    static const char  pkt[] =
        "b2"                    /* V=2 P=1 X=1 CC=2 */
        "e0"                    /* M=1 PT=96 */
        "1234" "00010000" "11223344"
        "55667788" "99aabbcc"   /* CSRCs */
        "bede0001" "10ff" "0000"                  /* ext: audio level */
        "deadbeefcafe"          /* payload */
        "000003";               /* padding, count 3 */

    n = unhex(pkt, in);
    is_int(meet_rtp_parse(&h, in, n), MEET_RTP_OK, "rtx: input parses");

    /* towards a subscriber: pt 97, its RTX SSRC and number, OSN 0x0102 */

    len = meet_rtp_rtx_wrap(out, sizeof(out), in, n, &h, 97, 0xcafebabe,
                            0x0007, 0x0102, 0x00020000);
    w = unhex("82" "e1" "0007" "00020000" "cafebabe" "55667788" "99aabbcc"
              "0102" "deadbeefcafe", want);
    is_mem(out, len, want, w,
           "rtx wrap: X and P cleared, marker and CSRCs kept, RTX pt, "
           "number, timestamp and SSRC, OSN before the payload, no "
           "extension, no padding");
    is_int(meet_rtp_parse(&oh, out, len), MEET_RTP_OK, "rtx wrap: parses");
    ok(oh.marker && oh.pt == 97 && oh.cc == 2 && !oh.extension
       && oh.padding_len == 0 && oh.payload_len == 8 && oh.seq == 7
       && oh.ts == 0x20000 && oh.ssrc == 0xcafebabe,
       "rtx wrap: output header");
    ok(in[0] == 0xb2 && in[1] == 0xe0 && in[8] == 0x11,
       "rtx wrap: the input is left alone");

    /* and back: the publisher's pt and SSRC, the OSN as number */

    blen = meet_rtp_rtx_unwrap(back, sizeof(back), out, len, &oh, 96,
                               0x11223344);
    w = unhex("82" "e0" "0102" "00020000" "11223344" "55667788" "99aabbcc"
              "deadbeefcafe", want);
    is_mem(back, blen, want, w, "rtx unwrap: the original packet");
    is_int(meet_rtp_parse(&bh, back, blen), MEET_RTP_OK,
           "rtx unwrap: parses");

    /* unwrap keeps the extension, the padding and the marker */

    memcpy(out, in, n);
    memmove(out + 28 + 2, out + 28, n - 28);
    out[28] = 0xab; out[29] = 0xcd;         /* OSN */
    out[1] = 0x61;                          /* no marker, RTX pt 97 */
    meet_rtp_parse(&oh, out, n + 2);
    len = meet_rtp_rtx_unwrap(back, sizeof(back), out, n + 2, &oh, 96,
                              0x01020304);
    w = unhex("b2" "60" "abcd" "00010000" "01020304" "55667788" "99aabbcc"
              "bede0001" "10ff" "0000" "deadbeefcafe" "000003", want);
    is_mem(back, len, want, w,
           "rtx unwrap: extension, padding, no marker kept");
    is_int(meet_rtp_parse(&bh, back, len), MEET_RTP_OK,
           "rtx unwrap: with extension parses");
    ok(bh.seq == 0xabcd && bh.pt == 96 && !bh.marker && bh.extension
       && bh.padding_len == 3 && bh.payload_len == 6,
       "rtx unwrap: output header");

    /* pt above 127 cannot clobber the marker */
    in[1] = 0x60;
    meet_rtp_parse(&h, in, n);
    len = meet_rtp_rtx_wrap(out, sizeof(out), in, n, &h, 0xff, 1, 2, 3, 4);
    is_int(out[1], 0x7f, "rtx wrap: pt masked, no marker added");
    meet_rtp_parse(&oh, out, len);
    len = meet_rtp_rtx_unwrap(back, sizeof(back), out, len, &oh, 0xff, 1);
    is_int(back[1], 0x7f, "rtx unwrap: pt masked, no marker added");
    in[1] = 0xe0;
    meet_rtp_parse(&h, in, n);

    /* room: exactly enough, one byte short (nothing written) */

    w = 12 + 8 + 2 + 6;
    memset(out, 0x5a, sizeof(out));
    is_int(meet_rtp_rtx_wrap(out, w, in, n, &h, 97, 1, 2, 3, 4), w,
           "rtx wrap: exactly enough room");
    memset(out, 0x5a, sizeof(out));
    is_int(meet_rtp_rtx_wrap(out, w - 1, in, n, &h, 97, 1, 2, 3, 4), 0,
           "rtx wrap: one byte short");
    ok(out[0] == 0x5a && out[w - 1] == 0x5a, "rtx wrap: nothing written");

    meet_rtp_parse(&oh, out, meet_rtp_rtx_wrap(out, w, in, n, &h, 97, 1, 2,
                                               3, 4));
    is_int(meet_rtp_rtx_unwrap(back, w - 2, out, w, &oh, 96, 1), w - 2,
           "rtx unwrap: exactly enough room");
    memset(back, 0x5a, sizeof(back));
    is_int(meet_rtp_rtx_unwrap(back, w - 3, out, w, &oh, 96, 1), 0,
           "rtx unwrap: one byte short");
    ok(back[0] == 0x5a && back[w - 3] == 0x5a, "rtx unwrap: nothing written");

    /* no OSN: padding only (a bandwidth probe), 0 or 1 payload bytes */

    w = unhex("a0" "61" "0001" "00000000" "01020304" "0000000000000008", out);
    is_int(meet_rtp_parse(&oh, out, w), MEET_RTP_OK, "rtx probe parses");
    is_int(oh.payload_len, 0, "rtx probe: no payload");
    is_int(meet_rtp_rtx_unwrap(back, sizeof(back), out, w, &oh, 96, 1), 0,
           "rtx unwrap: padding only is no packet");
    w = unhex("a0" "61" "0001" "00000000" "01020304" "ab" "000003", out);
    meet_rtp_parse(&oh, out, w);
    is_int(oh.payload_len, 1, "rtx 1 byte: payload");
    is_int(meet_rtp_rtx_unwrap(back, sizeof(back), out, w, &oh, 96, 1), 0,
           "rtx unwrap: 1 byte payload is no packet");
    w = unhex("80" "61" "0001" "00000000" "01020304" "abcd", out);
    meet_rtp_parse(&oh, out, w);
    len = meet_rtp_rtx_unwrap(back, sizeof(back), out, w, &oh, 96, 9);
    w = unhex("80" "60" "abcd" "00000000" "00000009", want);
    is_mem(back, len, want, w, "rtx unwrap: just the OSN, empty payload");

    /* 15 CSRCs */

    w = unhex("8f" "e0" "0001" "00000002" "00000003", in);

    for (i = 0; i < 15; i++) {
        in[w++] = (u_char) i; in[w++] = 0; in[w++] = 0; in[w++] = 0xcc;
    }

    in[w++] = 0x42;
    n = w;
    meet_rtp_parse(&h, in, n);
    hl = 12 + 60;
    len = meet_rtp_rtx_wrap(out, sizeof(out), in, n, &h, 97, 5, 6, h.seq,
                            h.ts);
    ok(len == hl + 3 && out[0] == 0x8f && out[1] == 0xe1
       && memcmp(out + 12, in + 12, 60) == 0 && out[hl] == 0
       && out[hl + 1] == 1 && out[hl + 2] == 0x42,
       "rtx wrap: 15 CSRCs kept");
    meet_rtp_parse(&oh, out, len);
    blen = meet_rtp_rtx_unwrap(back, sizeof(back), out, len, &oh, 96, 3);
    is_mem(back, blen, in, n, "rtx: 15 CSRCs wrapped and back");

    /* bad arguments */

    n = unhex(pkt, in);
    meet_rtp_parse(&h, in, n);
    is_int(meet_rtp_rtx_wrap(NULL, 99, in, n, &h, 97, 1, 2, 3, 4), 0,
           "rtx wrap: no output");
    is_int(meet_rtp_rtx_wrap(out, 99, NULL, n, &h, 97, 1, 2, 3, 4), 0,
           "rtx wrap: no packet");
    is_int(meet_rtp_rtx_wrap(out, 99, in, n, NULL, 97, 1, 2, 3, 4), 0,
           "rtx wrap: no header");
    is_int(meet_rtp_rtx_wrap(out, 99, in, 11, &h, 97, 1, 2, 3, 4), 0,
           "rtx wrap: short packet");
    is_int(meet_rtp_rtx_wrap(out, 99, in, 30, &h, 97, 1, 2, 3, 4), 0,
           "rtx wrap: header and payload longer than the packet");
    is_int(meet_rtp_rtx_unwrap(NULL, 99, in, n, &h, 96, 1), 0,
           "rtx unwrap: no output");
    is_int(meet_rtp_rtx_unwrap(out, 99, NULL, n, &h, 96, 1), 0,
           "rtx unwrap: no packet");
    is_int(meet_rtp_rtx_unwrap(out, 99, in, n, NULL, 96, 1), 0,
           "rtx unwrap: no header");
    is_int(meet_rtp_rtx_unwrap(out, 99, in, 30, &h, 96, 1), 0,
           "rtx unwrap: header and payload longer than the packet");
    in[0] = 0xb1;
    is_int(meet_rtp_rtx_wrap(out, 99, in, n, &h, 97, 1, 2, 3, 4), 0,
           "rtx wrap: CSRC count not the header's");
    in[0] = 0x32;
    is_int(meet_rtp_rtx_unwrap(out, 99, in, n, &h, 96, 1), 0,
           "rtx unwrap: not version 2");
}


/* loss tracking for NACKs */

static void
test_nack(void)
{
    uint16_t         out[MEET_RTP_NACK_MAX + 8];
    unsigned         n, i;
    meet_rtp_nack_t  nk;

    meet_rtp_nack_init(&nk, 40, 3, 1000);

    ok(meet_rtp_nack_packet(&nk, 100, 0) == MEET_RTP_NACK_NEW,
       "nack: the first packet is new");
    ok(meet_rtp_nack_due(&nk, 0, out, 8) == 0, "nack: nothing missing");
    ok(meet_rtp_nack_packet(&nk, 101, 1) == MEET_RTP_NACK_NEW,
       "nack: next packet new");
    ok(meet_rtp_nack_packet(&nk, 104, 2) == MEET_RTP_NACK_NEW,
       "nack: a gap: new");
    n = meet_rtp_nack_due(&nk, 2, out, 8);
    ok(n == 2 && out[0] == 102 && out[1] == 103,
       "nack: the two skipped numbers are due at once (%u)", n);
    ok(meet_rtp_nack_due(&nk, 20, out, 8) == 0,
       "nack: not again before retry_ms");
    n = meet_rtp_nack_due(&nk, 42, out, 8);
    ok(n == 2, "nack: again after retry_ms (%u)", n);
    ok(meet_rtp_nack_packet(&nk, 103, 50) == MEET_RTP_NACK_RECOVERED,
       "nack: a missing packet arriving is recovered");
    ok(meet_rtp_nack_packet(&nk, 103, 51) == MEET_RTP_NACK_DUPLICATE,
       "nack: the same again is a duplicate");
    ok(meet_rtp_nack_packet(&nk, 101, 51) == MEET_RTP_NACK_DUPLICATE,
       "nack: an old packet that arrived is a duplicate");
    ok(meet_rtp_nack_packet(&nk, 104, 51) == MEET_RTP_NACK_DUPLICATE,
       "nack: the newest again is a duplicate");
    n = meet_rtp_nack_due(&nk, 82, out, 8);
    ok(n == 1 && out[0] == 102, "nack: only 102 still missing, third NACK");
    ok(meet_rtp_nack_due(&nk, 100, out, 8) == 0 && nk.n == 1,
       "nack: after max_tries it waits one more retry_ms");
    ok(meet_rtp_nack_due(&nk, 122, out, 8) == 0 && nk.n == 0
       && nk.gave_up == 1, "nack: then gives up (counted)");
    ok(meet_rtp_nack_packet(&nk, 102, 130) == MEET_RTP_NACK_RECOVERED,
       "nack: a packet given up on that comes late after all is recovered");
    ok(meet_rtp_nack_packet(&nk, 102, 131) == MEET_RTP_NACK_DUPLICATE,
       "nack: ... once");

    /* wrap around 65535 -> 0 */
    meet_rtp_nack_init(&nk, 40, 3, 1000);
    meet_rtp_nack_packet(&nk, 65534, 0);
    ok(meet_rtp_nack_packet(&nk, 1, 1) == MEET_RTP_NACK_NEW,
       "nack: a gap across the wrap");
    n = meet_rtp_nack_due(&nk, 1, out, 8);
    ok(n == 2 && out[0] == 65535 && out[1] == 0,
       "nack: 65535 and 0 missing");

    /* age limit */
    meet_rtp_nack_init(&nk, 10, 100, 300);
    meet_rtp_nack_packet(&nk, 10, 0);
    meet_rtp_nack_packet(&nk, 12, 0);
    for (i = 0; i < 40; i++) {
        meet_rtp_nack_due(&nk, i * 10, out, 8);
    }
    ok(nk.n == 0 && nk.gave_up == 1, "nack: given up after max_age_ms");

    /* a long gap keeps the newest MEET_RTP_NACK_MAX */
    meet_rtp_nack_init(&nk, 40, 3, 1000);
    meet_rtp_nack_packet(&nk, 1000, 0);
    meet_rtp_nack_packet(&nk, 1200, 0);
    ok(nk.n == MEET_RTP_NACK_MAX, "nack: at most %d missing", MEET_RTP_NACK_MAX);
    n = meet_rtp_nack_due(&nk, 0, out, MEET_RTP_NACK_MAX + 8);
    ok(n == MEET_RTP_NACK_MAX && out[0] == 1200 - MEET_RTP_NACK_MAX
       && out[n - 1] == 1199, "nack: the newest ones, oldest first");
    ok(meet_rtp_nack_due(&nk, 40, out, 4) == 4,
       "nack: at most max written");

    /* a restart of the numbers */
    ok(meet_rtp_nack_packet(&nk, 30000, 50) == MEET_RTP_NACK_NEW
       && nk.n == 0, "nack: a jump of more than 1000 is a restart");

    /* overflow of the list by successive gaps */
    meet_rtp_nack_init(&nk, 40, 3, 1000);
    meet_rtp_nack_packet(&nk, 0, 0);
    for (i = 0; i < 40; i++) {
        meet_rtp_nack_packet(&nk, (uint16_t) (2 * i + 2), 0);
    }
    ok(nk.n == 40, "nack: 40 single gaps missing");
    for (i = 40; i < 70; i++) {
        meet_rtp_nack_packet(&nk, (uint16_t) (2 * i + 2), 0);
    }
    ok(nk.n == MEET_RTP_NACK_MAX && nk.gave_up == 70 - MEET_RTP_NACK_MAX
       && nk.items[0].seq == 2 * (70 - MEET_RTP_NACK_MAX) + 1,
       "nack: the oldest dropped when full");
}


static void
test_resend(void)
{
    int                     rc;
    unsigned                i, n;
    meet_rtp_resend_t       rs;
    meet_rtp_resend_slot_t  slots[16];

    /* window 100 ms, 3 resends, 100 % of the media rate */
    meet_rtp_resend_init(&rs, slots, 16, 100, 3, 100);
    ok(meet_rtp_resend_check(&rs, 5, 100, 0) == MEET_RTP_RESEND_RATE,
       "resend: no media sent, no budget");

    for (i = 0; i < 10; i++) {
        meet_rtp_resend_sent(&rs, (uint16_t) i, 1000, 10 * i);
    }
    ok(meet_rtp_resend_check(&rs, 5, 1000, 100) == MEET_RTP_RESEND_OK,
       "resend: 10 packets of media sent: one resent");
    ok(meet_rtp_resend_check(&rs, 5, 1000, 150) == MEET_RTP_RESEND_REPEAT,
       "resend: the same number within the window is a repeat");
    ok(meet_rtp_resend_check(&rs, 5, 1000, 199) == MEET_RTP_RESEND_REPEAT,
       "resend: ... up to its end");
    ok(meet_rtp_resend_check(&rs, 5, 1000, 200) == MEET_RTP_RESEND_OK,
       "resend: after the window: again");
    ok(meet_rtp_resend_check(&rs, 5, 1000, 300) == MEET_RTP_RESEND_OK,
       "resend: a third time");
    ok(meet_rtp_resend_check(&rs, 5, 1000, 1000) == MEET_RTP_RESEND_REPEAT,
       "resend: never a fourth (max_resends)");
    ok(meet_rtp_resend_check(&rs, 21, 1000, 1000) == MEET_RTP_RESEND_OK,
       "resend: another number in the same slot is not a repeat");
    meet_rtp_resend_sent(&rs, 5, 1000, 1000);
    ok(slots[5].resends == 0,
       "resend: a new packet with the slot's number starts it again");

    /* the byte budget: 10 kB sent, 10 kB resent at most */
    meet_rtp_resend_init(&rs, slots, 16, 100, 3, 100);
    for (i = 0; i < 10; i++) {
        meet_rtp_resend_sent(&rs, (uint16_t) i, 1000, i);
    }
    n = 0;
    for (i = 0; i < 16; i++) {
        rc = meet_rtp_resend_check(&rs, (uint16_t) i, 500, 20);
        n += (rc == MEET_RTP_RESEND_OK);
    }
    ok(n == 16, "resend: 16 of 500 bytes within 10 kB (%u)", n);
    n = 0;
    for (i = 100; i < 116; i++) {
        rc = meet_rtp_resend_check(&rs, (uint16_t) i, 500, 20);
        n += (rc == MEET_RTP_RESEND_OK);
        if (rc != MEET_RTP_RESEND_OK && rc != MEET_RTP_RESEND_RATE) {
            break;
        }
    }
    ok(n == 4, "resend: then 4 more, the rest over the rate (%u)", n);

    /* the budget holds one second's media at most */
    meet_rtp_resend_init(&rs, slots, 16, 100, 3, 50);
    for (i = 0; i < 300; i++) {
        meet_rtp_resend_sent(&rs, (uint16_t) i, 100, 10 * i);
    }
    /* 100 packets in the last second: 10 kB, half of it for resends */
    n = 0;
    for (i = 0; i < 100; i++) {
        n += (meet_rtp_resend_check(&rs, (uint16_t) (1000 + i), 100, 3000)
              == MEET_RTP_RESEND_OK);
    }
    ok(n == 50, "resend: 50 %% of the last second, not of three (%u)", n);

    /* after a silence the old seconds count no more */
    meet_rtp_resend_sent(&rs, 0, 100, 10000);
    n = 0;
    for (i = 0; i < 10; i++) {
        n += (meet_rtp_resend_check(&rs, (uint16_t) (2000 + i), 100, 10000)
              == MEET_RTP_RESEND_OK);
    }
    ok(n == 0, "resend: after a silence, one packet's half is the budget");

    /* rate 0: nothing is resent; no slots: the rate alone */
    meet_rtp_resend_init(&rs, slots, 16, 100, 3, 0);
    meet_rtp_resend_sent(&rs, 1, 1000, 0);
    ok(meet_rtp_resend_check(&rs, 1, 10, 0) == MEET_RTP_RESEND_RATE,
       "resend: rate 0 resends nothing");
    meet_rtp_resend_init(&rs, NULL, 0, 100, 3, 100);
    meet_rtp_resend_sent(&rs, 1, 1000, 0);
    ok(meet_rtp_resend_check(&rs, 1, 500, 0) == MEET_RTP_RESEND_OK
       && meet_rtp_resend_check(&rs, 1, 500, 0) == MEET_RTP_RESEND_OK
       && meet_rtp_resend_check(&rs, 1, 500, 0) == MEET_RTP_RESEND_RATE,
       "resend: without slots only the rate counts");

    /* the window across the 32-bit millisecond wrap */
    meet_rtp_resend_init(&rs, slots, 16, 100, 3, 100);
    meet_rtp_resend_sent(&rs, 1, 1000, 0xfffffff0ULL);
    meet_rtp_resend_sent(&rs, 2, 1000, 0xfffffff0ULL);
    ok(meet_rtp_resend_check(&rs, 3, 100, 0xffffffe0ULL + 0x20) == 0,
       "resend: before the wrap");
    ok(meet_rtp_resend_check(&rs, 3, 100, 0x100000010ULL)
       == MEET_RTP_RESEND_REPEAT, "resend: the window holds across it");
}


static meet_rtp_history_slot_t  hist_a[64], hist_b[256], hist_c[16];


static void
test_history(void)
{
    u_char                          pkt[MEET_RTP_HISTORY_MTU + 1];
    unsigned                        i, n, got, grow;
    uint64_t                        t;
    meet_rtp_history_t              hi;
    const meet_rtp_history_slot_t  *sl;

    memset(pkt, 0xab, sizeof(pkt));

    meet_rtp_history_init(&hi, hist_a, 64);
    ok(hi.nslots == 64 && meet_rtp_history_get(&hi, 0) == NULL,
       "history: empty");

    for (i = 0; i < 100; i++) {
        pkt[0] = (u_char) i;
        meet_rtp_history_put(&hi, (uint16_t) (65500 + i), pkt, 100 + i);
    }
    sl = meet_rtp_history_get(&hi, (uint16_t) (65500 + 99));
    ok(sl && sl->len == 199 && sl->data[0] == 99, "history: the newest");
    ok(meet_rtp_history_get(&hi, (uint16_t) (65500 + 36)) != NULL
       && meet_rtp_history_get(&hi, (uint16_t) (65500 + 35)) == NULL,
       "history: the last 64 kept, across the wrap");
    ok(hi.max_seq == (uint16_t) (65500 + 99), "history: the newest number");

    /* 7 and 8 are 65500 + 43 and + 44 */
    meet_rtp_history_put(&hi, 7, pkt, MEET_RTP_HISTORY_MTU + 1);
    meet_rtp_history_put(&hi, 8, pkt, 0);
    ok((sl = meet_rtp_history_get(&hi, 7)) && sl->len == 143
       && (sl = meet_rtp_history_get(&hi, 8)) && sl->len == 144,
       "history: too long or empty packets are not kept");

    /* growing keeps every packet */
    meet_rtp_history_move(&hi, hist_b, 256);
    n = 0;
    for (i = 36; i < 100; i++) {
        sl = meet_rtp_history_get(&hi, (uint16_t) (65500 + i));
        n += (sl && sl->len == 100 + i && sl->data[0] == (u_char) i);
    }
    ok(hi.nslots == 256 && n == 64, "history: grown, the 64 moved (%u)", n);
    meet_rtp_history_put(&hi, (uint16_t) (65500 + 100), pkt, 10);
    ok(meet_rtp_history_get(&hi, (uint16_t) (65500 + 36)) != NULL,
       "history: grown, a new packet overwrites nothing kept");

    /* shrinking keeps the newest */
    meet_rtp_history_move(&hi, hist_c, 16);
    n = 0;
    for (i = 85; i <= 100; i++) {
        n += (meet_rtp_history_get(&hi, (uint16_t) (65500 + i)) != NULL);
    }
    ok(hi.nslots == 16 && n == 16
       && meet_rtp_history_get(&hi, (uint16_t) (65500 + 84)) == NULL,
       "history: shrunk, the newest 16 (%u)", n);

    /* none: nothing kept, nothing found */
    meet_rtp_history_init(&hi, NULL, 0);
    meet_rtp_history_put(&hi, 1, pkt, 10);
    ok(hi.nslots == 0 && meet_rtp_history_get(&hi, 1) == NULL,
       "history: without slots");

    /* the rate: 20 packets a second stay in 64 slots */
    meet_rtp_history_init(&hi, hist_a, 64);
    grow = 0;
    for (t = 0; t < 10000; t += 50) {
        grow |= meet_rtp_history_rate(&hi, t, 64, 512);
    }
    ok(grow == 0 && hi.rate == 20, "history: 20/s fits 64 (rate %u)",
       hi.rate);

    /* 300 a second: 512 (a second and a quarter), no more than max */
    got = 0;
    for (i = 0; i < 900; i++) {
        n = meet_rtp_history_rate(&hi, 10000 + i * 10 / 3, 64, 512);
        if (n) {
            got = n;
            meet_rtp_history_move(&hi, hist_b, 256);  /* any slots */
            hi.nslots = n;
            break;
        }
    }
    ok(got == 512, "history: 300/s needs 512 (%u)", got);
    meet_rtp_history_init(&hi, hist_a, 64);
    got = 0;
    for (i = 0; i < 3000 && !got; i++) {
        got = meet_rtp_history_rate(&hi, i / 2, 64, 256);
    }
    ok(got == 256, "history: 2000/s, max 256 (%u)", got);

    /* 90 a second: 128 */
    meet_rtp_history_init(&hi, hist_a, 64);
    got = 0;
    for (i = 0; i < 300 && !got; i++) {
        got = meet_rtp_history_rate(&hi, (uint64_t) i * 1000 / 90, 64, 512);
    }
    ok(got == 128, "history: 90/s needs 128 (%u)", got);

    /* quiet: 10 s at a quarter or less halves it, then again */
    meet_rtp_history_init(&hi, hist_b, 256);
    n = 0;
    grow = 0;
    for (t = 0; t < 30000; t += 100) {
        got = meet_rtp_history_rate(&hi, t, 64, 512);
        if (got) {
            grow = got;
            hi.nslots = got;
            n++;
            break;
        }
    }
    ok(n == 1 && grow == 128 && t >= 10000,
       "history: 10/s in 256 slots halved after 10 s (%u at %u ms)", grow,
       (unsigned) t);

    meet_rtp_history_init(&hi, hist_b, 256);
    got = 0;
    for (t = 0; t < 30000 && !got; t += 5) {
        got = meet_rtp_history_rate(&hi, t, 64, 512);
    }
    ok(got == 0, "history: 200/s in 256 slots kept (%u)", got);

    /* a silence of 5 s counts as a slow second */
    meet_rtp_history_init(&hi, hist_a, 64);
    meet_rtp_history_rate(&hi, 0, 64, 512);
    for (i = 0; i < 400; i++) {
        meet_rtp_history_rate(&hi, 1, 64, 512);
    }
    got = meet_rtp_history_rate(&hi, 5001, 64, 512);
    ok(got == 128 && hi.rate == 80,
       "history: 401 packets in 5 s, 80/s, 128 slots (%u, %u)", hi.rate, got);
}


int
main(void)
{
    test_classify();
    test_parse();
    test_extensions();
    test_setters();
    test_seq();
    test_keyframes();
    test_rewriter();
    test_rewriter_copy();
    test_rtx_same_as_before();
    test_rtx();
    test_nack();
    test_resend();
    test_history();

    return done_testing();
}
