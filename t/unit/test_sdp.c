/* sources: ngx_meet_signal_module/lib/meet_sdp_parse.c ngx_meet_signal_module/lib/meet_sdp_answer.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * Unit tests of the SDP offer parser and answer builder (meet_sdp_parse.c,
 * meet_sdp_answer.c).
 * t/unit/fixtures/chromium-*-offer.sdp are real offers of HeadlessChrome
 * 156 shaped like livekit-client's: the join offer (3 recvonly audio,
 * 3 recvonly video, a data channel, max-bundle) and the re-offer after our
 * answer rejected the data channel and the page added a sendonly camera
 * and microphone.
 */


#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "meet_sdp.h"


#define FP32                                                                  \
    "3D:89:98:E4:CB:A1:11:D2:44:4E:5D:CA:1C:B8:9E:23:"                        \
    "65:F3:09:81:04:FA:41:B9:5C:32:6C:CE:04:9A:8C:53"
#define FP32B                                                                 \
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"                        \
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"

#define SESS  "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
#define ICE                                                                   \
    "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"                \
    "a=fingerprint:sha-256 " FP32 "\r\na=setup:actpass\r\n"
#define AUDIO(mid)                                                            \
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" ICE             \
    "a=mid:" mid "\r\na=recvonly\r\na=rtcp-mux\r\n"                           \
    "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
#define VIDEO(mid)                                                            \
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\n" ICE           \
    "a=mid:" mid "\r\na=sendonly\r\na=rtcp-mux\r\n"                           \
    "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"

#define S(s)  { sizeof(s) - 1, (const u_char *) (s) }

#define ANSWER_SIZE  65536


static meet_sdp_offer_t     *offer;
static meet_sdp_offer_t     *offer2;
static meet_sdp_decision_t   dec[MEET_SDP_MAX_MEDIA];
static char                  answer[ANSWER_SIZE + 1];
static char                  big[MEET_SDP_MAX_SIZE + 4096];

static const meet_sdp_candidate_t  cands[] = {
    { S("192.0.2.1"), 7882, 0 },
    { S("2001:db8::1"), 7882, 0 },
    { S("192.0.2.1"), 7881, 1 }
};


static char *
read_fixture(const char *name, size_t *len)
{
    char    path[1024], *p, *buf;
    long    n;
    FILE   *f;

    /* next to this file, whatever the working directory */
    snprintf(path, sizeof(path), "%s", __FILE__);
    p = strrchr(path, '/');
    snprintf(p ? p + 1 : path, sizeof(path) - (p ? p + 1 - path : 0),
             "fixtures/%s", name);

    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(path, sizeof(path), "t/unit/fixtures/%s", name);
        f = fopen(path, "rb");
    }

    if (f == NULL) {
        diag("cannot open fixture %s", name);
        exit(1);
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    buf = malloc(n + 1);
    if (buf == NULL || fread(buf, 1, n, f) != (size_t) n) {
        exit(1);
    }

    buf[n] = '\0';
    fclose(f);
    *len = (size_t) n;

    return buf;
}


static int
parse(meet_sdp_offer_t *o, const char *text)
{
    int  rc;

    rc = meet_sdp_parse(o, (const u_char *) text, strlen(text));

    if (rc != MEET_SDP_OK) {
        diag("parse error: %s (line %u)", o->err, o->err_line);
    }

    return rc;
}


static void
parse_err(const char *text, size_t len, const char *reason, unsigned line,
    const char *name)
{
    int  rc;

    rc = meet_sdp_parse(offer, (const u_char *) text, len);

    if (!ok(rc == MEET_SDP_ERROR && offer->err
            && strstr(offer->err, reason) && offer->err_line == line,
            "error: %s", name))
    {
        diag("rc %d err \"%s\" line %u; expected \"%s\" line %u", rc,
             rc == MEET_SDP_ERROR ? offer->err : "", offer->err_line, reason,
             line);
    }
}


#define PARSE_ERR(text, reason, line, name)                                   \
    parse_err(text, strlen(text), reason, line, name)


static int
str_is(const meet_sdp_str_t *s, const char *c)
{
    return s->len == strlen(c) && memcmp(s->data, c, s->len) == 0;
}


static void
local_init(meet_sdp_local_t *l)
{
    memset(l, 0, sizeof(meet_sdp_local_t));

    l->ice_ufrag = (meet_sdp_str_t) S("nGxM");
    l->ice_pwd = (meet_sdp_str_t) S("0123456789abcdefghijklmn");
    l->fingerprint = (meet_sdp_str_t) S(FP32B);
    l->candidates = cands;
    l->ncandidates = 3;
    l->session_id = 4242;
    l->session_version = 7;
}


/* builds into answer[], NUL-terminated; the length or a negative code */

static ssize_t
build(const meet_sdp_offer_t *o, const meet_sdp_local_t *l,
    const meet_sdp_decision_t *d, const char **err)
{
    size_t   needed;
    ssize_t  n;

    *err = NULL;
    n = meet_sdp_build_answer(o, l, d, o->nmedia, (u_char *) answer,
                              ANSWER_SIZE, &needed, err);
    answer[n > 0 ? n : 0] = '\0';

    if (n < 0) {
        diag("build: %s", *err ? *err : "?");
    }

    return n;
}


/* the text of the i-th m= section of answer[] (static buffer) */

static const char *
section(const char *sdp, size_t i)
{
    size_t       n;
    const char  *p, *e;
    static char  buf[ANSWER_SIZE + 1];

    p = sdp;

    for (n = 0; ; n++) {
        p = strstr(p, "\r\nm=");
        if (p == NULL) {
            return "";
        }

        p += 2;

        if (n == i) {
            break;
        }
    }

    e = strstr(p, "\r\nm=");
    n = e ? (size_t) (e - p) + 2 : strlen(p);
    memcpy(buf, p, n);
    buf[n] = '\0';

    return buf;
}


/* a whole line of text */

static int
has_line(const char *text, const char *line)
{
    size_t       n;
    const char  *p;

    n = strlen(line);

    for (p = text; (p = strstr(p, line)) != NULL; p++) {
        if ((p == text || p[-1] == '\n') && p[n] == '\r' && p[n + 1] == '\n')
        {
            return 1;
        }
    }

    return 0;
}


static size_t
count_prefix(const char *text, const char *prefix)
{
    size_t       n, len;
    const char  *p;

    n = 0;
    len = strlen(prefix);

    for (p = text; (p = strstr(p, prefix)) != NULL; p += len) {
        if (p == text || p[-1] == '\n') {
            n++;
        }
    }

    return n;
}


static void
test_join_fixture(void)
{
    size_t                   len, i;
    char                    *text;
    const meet_sdp_media_t  *m;
    const meet_sdp_codec_t  *c;
    static const u_char      fp0[4] = { 0x3d, 0x89, 0x98, 0xe4 };

    (void) fp0;
    text = read_fixture("chromium-join-offer.sdp", &len);

    is_int(meet_sdp_parse(offer, (u_char *) text, len), MEET_SDP_OK,
           "chromium join offer parses");
    is_int(offer->nmedia, 7, "7 m= sections");
    ok(offer->has_bundle && offer->nbundle == 7, "BUNDLE of 7 mids");
    ok(offer->extmap_allow_mixed, "extmap-allow-mixed");
    ok(str_is(&offer->msid_semantic, "WMS"), "msid-semantic WMS");
    ok(str_is(&offer->origin_user, "-")
       && str_is(&offer->origin_sess_version, "2"), "o= fields");

    for (i = 0; i < 7; i++) {
        m = &offer->media[i];

        ok(m->type == (i < 3 ? MEET_SDP_AUDIO
                       : i < 6 ? MEET_SDP_VIDEO : MEET_SDP_APPLICATION)
           && m->mid.len == 1 && m->mid.data[0] == (u_char) ('0' + i)
           && m->in_bundle && m->own_ice && m->own_fingerprint,
           "section %zu: type, mid, bundle, own ICE", i);
    }

    m = &offer->media[0];
    ok(m->rtp && !m->sctp && m->port == 9
       && str_is(&m->proto, "UDP/TLS/RTP/SAVPF"), "audio m= line");
    is_int(m->direction, MEET_SDP_RECVONLY, "audio recvonly");
    ok(m->rtcp_mux && m->rtcp_rsize, "rtcp-mux, rtcp-rsize");
    is_int(m->setup, MEET_SDP_SETUP_ACTPASS, "setup actpass");
    ok(str_is(&m->fp_hash, "sha-256") && m->fp_len == 32, "sha-256 fp");
    is_int(m->ice_ufrag.len, 4, "ice-ufrag length");
    ok(m->ice_pwd.len == 24, "ice-pwd length");
    is_int(m->ncodecs, 8, "8 audio payload types");
    is_int(m->nextmaps, 4, "4 audio extmaps");
    ok(str_is(&m->connection, "IN IP4 0.0.0.0"), "c= line");

    c = meet_sdp_find_codec(m, "OPUS");
    ok(c && c->pt == 111 && c->clock == 48000 && c->channels == 2,
       "opus/48000/2 found case-insensitively");
    ok(c && c->minptime == 10 && c->useinbandfec == 1,
       "opus minptime and useinbandfec");
    ok(c && meet_sdp_has_rtcp_fb(m, 111, MEET_SDP_FB_TRANSPORT_CC)
       && !meet_sdp_has_rtcp_fb(m, 111, MEET_SDP_FB_NACK),
       "opus rtcp-fb transport-cc only");
    c = meet_sdp_find_pt(m, 0);
    ok(c && str_is(&c->name, "PCMU") && c->clock == 8000, "PT 0 PCMU");
    c = meet_sdp_find_codec(m, "red");
    ok(c && c->pt == 63 && str_is(&c->fmtp, "111/111"), "audio red 63");
    is_int(meet_sdp_extmap_id(m, MEET_SDP_EXT_AUDIO_LEVEL), 1,
           "audio-level extmap id");
    is_int(meet_sdp_extmap_id(m, MEET_SDP_EXT_RID), -1,
           "no rid extmap in audio");

    m = &offer->media[3];
    is_int(m->ncodecs, 34, "34 video payload types");
    is_int(meet_sdp_rtx_pt(m, 96), 97, "rtx of VP8 96 is 97");
    is_int(meet_sdp_rtx_pt(m, 45), 46, "rtx of AV1 45 is 46");
    is_int(meet_sdp_rtx_pt(m, 120), -1, "ulpfec has no rtx");
    ok(meet_sdp_has_rtcp_fb(m, 96, MEET_SDP_FB_NACK_PLI)
       && meet_sdp_has_rtcp_fb(m, 96, MEET_SDP_FB_CCM_FIR)
       && meet_sdp_has_rtcp_fb(m, 96, MEET_SDP_FB_GOOG_REMB)
       && meet_sdp_has_rtcp_fb(m, -1, MEET_SDP_FB_NACK)
       && !meet_sdp_has_rtcp_fb(m, 97, MEET_SDP_FB_NACK),
       "VP8 feedback, none for rtx");
    c = meet_sdp_find_pt(m, 102);
    ok(c && c->packetization_mode == 1 && c->profile_level_id == 0x42001f
       && c->level_asymmetry_allowed == 1, "H264 102 fmtp helpers");
    c = meet_sdp_find_pt(m, 104);
    ok(c && c->packetization_mode == 0, "H264 104 packetization-mode=0");
    c = meet_sdp_find_pt(m, 97);
    ok(c && c->apt == 96 && c->packetization_mode == -1, "rtx apt");
    is_int(meet_sdp_extmap_id(m, MEET_SDP_EXT_TWCC), 3, "twcc id 3");
    is_int(meet_sdp_extmap_id(m, "urn:ietf:params:rtp-hdrext:toffset"), 14,
           "toffset id 14");

    m = &offer->media[6];
    ok(m->sctp && !m->rtp && m->ncodecs == 0
       && str_is(&m->fmts, "webrtc-datachannel"), "application section");
    ok(m->sctp_port == 5000 && m->has_max_message_size
       && m->max_message_size == 262144, "sctp-port, max-message-size");

    ok(meet_sdp_find_mid(offer, (u_char *) "4", 1) == &offer->media[4],
       "find mid 4");
    ok(meet_sdp_find_mid(offer, (u_char *) "9", 1) == NULL, "no mid 9");

    free(text);
}


static void
test_publish_fixture(void)
{
    size_t                   len, i;
    char                    *text;
    const meet_sdp_media_t  *m;

    text = read_fixture("chromium-publish-offer.sdp", &len);

    is_int(meet_sdp_parse(offer, (u_char *) text, len), MEET_SDP_OK,
           "chromium publish offer parses");
    is_int(offer->nmedia, 9, "9 m= sections");
    is_int(offer->nbundle, 8, "8 mids in BUNDLE (data channel rejected)");

    m = &offer->media[6];
    ok(m->type == MEET_SDP_APPLICATION && m->port == 0 && !m->in_bundle,
       "rejected data channel: port 0, not bundled");

    ok(offer->media[0].port != 0 && offer->media[0].ncandidates == 4
       && offer->media[0].end_of_candidates == 0
       && str_is(&offer->media[0].connection, "IN IP4 192.0.2.2"),
       "gathered candidates counted in the first section");

    m = &offer->media[7];
    ok(m->type == MEET_SDP_VIDEO && str_is(&m->mid, "7")
       && m->direction == MEET_SDP_SENDONLY, "camera: video sendonly mid 7");
    ok(m->nmsids == 1 && m->msid_stream.len == 36 && m->msid_track.len == 36,
       "camera a=msid");
    is_int(m->nssrcs, 2, "camera: 2 SSRCs");
    is_int(m->nssrc_groups, 1, "camera: 1 ssrc-group");
    ok(str_is(&m->ssrc_groups[0].semantics, "FID")
       && m->ssrc_groups[0].nssrcs == 2
       && m->ssrc_groups[0].ssrcs[0] == m->ssrcs[0].ssrc
       && m->ssrc_groups[0].ssrcs[1] == m->ssrcs[1].ssrc, "FID group");

    for (i = 0; i < 2; i++) {
        ok(m->ssrcs[i].cname.len > 0
           && m->ssrcs[i].msid_stream.len == m->msid_stream.len
           && memcmp(m->ssrcs[i].msid_track.data, m->msid_track.data,
                     m->msid_track.len) == 0, "ssrc %zu cname and msid", i);
    }

    is_int(m->ncodecs, 23, "camera: 23 payload types");

    m = &offer->media[8];
    ok(m->type == MEET_SDP_AUDIO && m->direction == MEET_SDP_SENDONLY
       && m->nssrcs == 1 && m->nssrc_groups == 0, "microphone");

    /* default decisions on it */

    meet_sdp_default_decisions(offer, dec);

    for (i = 0; i < 9; i++) {
        ok(i == 6 ? !dec[i].accept
                  : dec[i].accept
                    && dec[i].direction == (i >= 7 ? MEET_SDP_RECVONLY
                                                   : MEET_SDP_INACTIVE),
           "default decision %zu", i);
    }

    free(text);
}


static void
test_lf_only(void)
{
    size_t  len, i, j, n;
    char   *text, *lf;

    text = read_fixture("chromium-join-offer.sdp", &len);
    lf = malloc(len + 1);

    for (i = 0, j = 0; i < len; i++) {
        if (text[i] != '\r') {
            lf[j++] = text[i];
        }
    }

    ok(j < len, "fixture has CRLF");

    is_int(meet_sdp_parse(offer2, (u_char *) text, len), MEET_SDP_OK,
           "CRLF parses");
    is_int(meet_sdp_parse(offer, (u_char *) lf, j), MEET_SDP_OK,
           "LF-only parses");

    n = 0;

    for (i = 0; i < offer->nmedia; i++) {
        n += offer->media[i].ncodecs + offer->media[i].nextmaps;
        ok(offer->media[i].mid.len == offer2->media[i].mid.len
           && offer->media[i].ncodecs == offer2->media[i].ncodecs
           && offer->media[i].nextmaps == offer2->media[i].nextmaps
           && offer->media[i].ice_pwd.len == offer2->media[i].ice_pwd.len
           && offer->media[i].fingerprint.len == 95,
           "LF section %zu same as CRLF", i);
    }

    is_int(offer->nmedia, 7, "LF: 7 sections");
    ok(n > 100, "LF: codecs and extmaps found");

    /* mixed endings, no final newline, blank lines */
    is_int(parse(offer, SESS "\n" "m=audio 9 RTP/AVP 0\r\n" ICE "\n\n"
                 "a=mid:a"), MEET_SDP_OK, "mixed endings, blank lines");
    ok(str_is(&offer->media[0].mid, "a"), "last line without newline");

    free(lf);
    free(text);
}


static void
test_errors(void)
{
    size_t  i, n;
    char    buf[8192];

    PARSE_ERR("", "missing v=0", 0, "empty input");
    PARSE_ERR("\r\n\r\n", "missing v=0", 0, "only blank lines");
    PARSE_ERR("o=- 1 2 IN IP4 0.0.0.0\r\nv=0\r\n", "v=0", 1,
              "v=0 not first");
    PARSE_ERR("v=1\r\n", "v=0", 1, "v=1");
    PARSE_ERR(SESS "v=0\r\n", "second v=", 5, "second v= line");
    PARSE_ERR(SESS "hello\r\n", "<letter>=<value>", 5, "line without x=");
    PARSE_ERR(SESS "A=foo\r\n", "<letter>=<value>", 5, "upper-case type");
    PARSE_ERR(SESS "a\r\n", "<letter>=<value>", 5, "one-letter line");
    PARSE_ERR("v=0\r\no=- 1 2 IN IP4\r\n", "6 fields", 2, "short o=");
    PARSE_ERR(SESS "m=audio 9 UDP/TLS/RTP/SAVPF\r\n", "fewer than 4", 5,
              "m= with 3 fields");
    PARSE_ERR(SESS "m=audio 9\r\n", "fewer than 4", 5, "m= with 2 fields");
    PARSE_ERR(SESS "m=audio x UDP/TLS/RTP/SAVPF 111\r\n", "bad port", 5,
              "non-numeric port");
    PARSE_ERR(SESS "m=audio 65536 UDP/TLS/RTP/SAVPF 111\r\n", "bad port", 5,
              "port > 65535");
    PARSE_ERR(SESS "m=audio -1 UDP/TLS/RTP/SAVPF 111\r\n", "bad port", 5,
              "negative port");
    PARSE_ERR(SESS "m=audio 9/x RTP/AVP 0\r\n", "port count", 5,
              "bad port count");
    PARSE_ERR(SESS "m=audio 9 UDP/TLS/RTP/SAVPF 111 opus\r\n",
              "bad payload type", 5, "non-numeric PT in m=");
    PARSE_ERR(SESS "m=audio 9 UDP/TLS/RTP/SAVPF 128\r\n",
              "bad payload type", 5, "PT 128 in m=");
    PARSE_ERR(SESS "m=audio 9 UDP/TLS/RTP/SAVPF 0 0\r\n", "duplicate", 5,
              "duplicate PT in m=");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=rtpmap:200 foo/8000\r\n",
              "0-127", 6, "rtpmap PT 200");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=rtpmap:x foo/8000\r\n",
              "0-127", 6, "rtpmap non-numeric PT");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n",
              "bad a=rtpmap", 6, "rtpmap without clock");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/x\r\n",
              "clock", 6, "rtpmap bad clock");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000/0\r\n",
              "channel", 6, "rtpmap 0 channels");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=rtpmap:0\r\n",
              "bad a=rtpmap", 6, "rtpmap without encoding");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=fmtp:abc x=1\r\n",
              "0-127", 6, "fmtp non-numeric PT");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=fmtp:\r\n",
              "without a payload type", 6, "fmtp without PT");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=rtcp-fb:-1 nack\r\n",
              "0-127", 6, "rtcp-fb bad PT");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=rtcp-fb:0\r\n",
              "without a type", 6, "rtcp-fb without type");

    /* attributes that must be per-media, before any m= */
    PARSE_ERR(SESS "a=rtpmap:111 opus/48000/2\r\n", "before any m=", 5,
              "session-level rtpmap");
    PARSE_ERR(SESS "a=mid:0\r\n", "before any m=", 5, "session-level mid");
    PARSE_ERR(SESS "a=ssrc:1 cname:x\r\n", "before any m=", 5,
              "session-level ssrc");
    PARSE_ERR(SESS "a=candidate:1 1 udp 1 1.2.3.4 5 typ host\r\n",
              "before any m=", 5, "session-level candidate");
    PARSE_ERR(SESS "a=rtcp-mux\r\n", "before any m=", 5,
              "session-level rtcp-mux");

    /* transport attributes */
    PARSE_ERR(SESS "a=ice-ufrag:abc\r\n", "ice-ufrag", 5, "ufrag 3 chars");
    PARSE_ERR(SESS "a=ice-ufrag:ab-d\r\n", "ice-ufrag", 5, "ufrag bad char");
    PARSE_ERR(SESS "a=ice-pwd:012345678901234567890\r\n", "ice-pwd", 5,
              "pwd 21 chars");
    PARSE_ERR(SESS "a=ice-pwd:0123456789012345678901 \r\na=ice-pwd:x\r\n",
              "ice-pwd", 6, "pwd 1 char (after a good one)");

    n = (size_t) snprintf(buf, sizeof(buf), SESS "a=ice-ufrag:");
    for (i = 0; i < 257; i++) {
        buf[n++] = 'u';
    }
    memcpy(buf + n, "\r\n", 3);
    PARSE_ERR(buf, "ice-ufrag", 5, "ufrag 257 chars");
    buf[n - 1] = '\r';
    buf[n] = '\n';
    buf[n + 1] = '\0';
    is_int(parse(offer, buf), MEET_SDP_OK, "ufrag 256 chars is fine");

    PARSE_ERR(SESS "a=fingerprint:sha-256 AA:BB\r\n", "length", 5,
              "fingerprint 2 bytes");
    PARSE_ERR(SESS "a=fingerprint:sha-256 " FP32 ":00\r\n", "length", 5,
              "fingerprint 33 bytes");
    PARSE_ERR(SESS "a=fingerprint:sha-256 "
              "3D:89:98:E4:CB:A1:11:D2:44:4E:5D:CA:1C:B8:9E:23:"
              "65:F3:09:81:04:FA:41:B9:5C:32:6C:CE:04:9A:8C:5G\r\n",
              "length", 5, "fingerprint bad hex");
    PARSE_ERR(SESS "a=fingerprint:sha-256 "
              "3D-89:98:E4:CB:A1:11:D2:44:4E:5D:CA:1C:B8:9E:23:"
              "65:F3:09:81:04:FA:41:B9:5C:32:6C:CE:04:9A:8C:53\r\n",
              "length", 5, "fingerprint bad separator");
    PARSE_ERR(SESS "a=fingerprint:md5 " FP32 "\r\n", "unsupported", 5,
              "fingerprint md5");
    PARSE_ERR(SESS "a=fingerprint:sha-256\r\n", "bad a=fingerprint", 5,
              "fingerprint without value");
    PARSE_ERR(SESS "a=fingerprint:sha-1 " FP32 "\r\n", "length", 5,
              "sha-1 with 32 bytes");
    PARSE_ERR(SESS "a=setup:both\r\n", "setup", 5, "bad setup");

    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\n", "ice-ufrag", 5,
              "live section without ICE");
    PARSE_ERR(SESS "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
              "m=audio 9 RTP/AVP 0\r\n", "fingerprint", 7,
              "live section without fingerprint");
    is_int(parse(offer, SESS "m=audio 0 RTP/AVP 0\r\n"), MEET_SDP_OK,
           "port 0 section needs no ICE");

    /* BUNDLE and mids */
    PARSE_ERR(SESS "a=group:BUNDLE 0\r\n" AUDIO("0")
              "m=audio 9 RTP/AVP 0\r\n" ICE, "without a=mid", 17,
              "BUNDLE offer, section without mid");
    PARSE_ERR(SESS "a=group:BUNDLE 0 1\r\n" AUDIO("0"), "unknown mid", 0,
              "BUNDLE names an unknown mid");
    PARSE_ERR(SESS "a=group:BUNDLE 0 0\r\n", "duplicate mid", 5,
              "BUNDLE lists a mid twice");
    PARSE_ERR(SESS AUDIO("0") AUDIO("0"), "duplicate a=mid", 16,
              "two sections with mid 0");
    PARSE_ERR(SESS AUDIO("0") "a=mid:1\r\n", "second a=mid", 16,
              "second a=mid in a section");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=mid:a b\r\n", "bad a=mid", 6,
              "mid with a space");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=mid:"
              "012345678901234567890123456789012\r\n", "bad a=mid", 6,
              "mid of 33 chars");

    /* other attributes */
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=extmap:0 urn:x\r\n",
              "extmap id", 6, "extmap id 0");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=extmap:256 urn:x\r\n",
              "extmap id", 6, "extmap id 256");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=extmap:1/both urn:x\r\n",
              "direction", 6, "extmap bad direction");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=extmap:1\r\n", "URI", 6,
              "extmap without URI");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=extmap:1 urn:x\r\n"
              "a=extmap:1 urn:y\r\n", "duplicate", 7, "extmap id twice");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=ssrc:x cname:a\r\n",
              "bad a=ssrc", 6, "ssrc non-numeric");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=ssrc:4294967296 cname:a\r\n",
              "bad a=ssrc", 6, "ssrc > 32 bits");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=ssrc-group:FID 1 x\r\n",
              "ssrc-group", 6, "ssrc-group bad SSRC");
    PARSE_ERR(SESS "m=audio 9 RTP/AVP 0\r\na=ssrc-group:FID "
              "1 2 3 4 5 6 7 8 9\r\n", "too many SSRCs", 6,
              "ssrc-group of 9 SSRCs");
    PARSE_ERR(SESS "m=video 9 RTP/AVP 96\r\na=rid:h both\r\n", "send or recv",
              6, "rid bad direction");
    PARSE_ERR(SESS "m=video 9 RTP/AVP 96\r\na=rid:h.1 send\r\n", "rid id",
              6, "rid bad id");
    PARSE_ERR(SESS "m=video 9 RTP/AVP 96\r\na=rid:h\r\n", "bad a=rid", 6,
              "rid without direction");
    PARSE_ERR(SESS "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
              "a=sctp-port:70000\r\n", "sctp-port", 6, "sctp-port 70000");
    PARSE_ERR(SESS "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
              "a=max-message-size:-1\r\n", "max-message-size", 6,
              "negative max-message-size");

    /* bytes */
    parse_err(SESS "s=a\0b\r\n", sizeof(SESS "s=a\0b\r\n") - 1,
              "control character", 5, "NUL byte");
    PARSE_ERR(SESS "s=a\rb\r\n", "control character", 5, "bare CR inside");
    PARSE_ERR(SESS "s=\x01\r\n", "control character", 5, "control byte");
    is_int(parse(offer, SESS "s=a\tb\r\n"), MEET_SDP_OK, "TAB is fine");

    /* non-RTP sections: formats and fmtp are not payload types */
    is_int(parse(offer, SESS "m=application 0 UDP/DTLS/SCTP "
                 "webrtc-datachannel\r\na=fmtp:webrtc-datachannel x=1\r\n"),
           MEET_SDP_OK, "non-numeric fmt in an SCTP section");
}


static void
test_limits(void)
{
    size_t  i, n;

    /* 64 KB */
    n = (size_t) snprintf(big, sizeof(big), SESS);
    while (n < MEET_SDP_MAX_SIZE) {
        n += (size_t) snprintf(big + n, sizeof(big) - n, "a=x-pad:%s\r\n",
                               "0123456789012345678901234567890123456789");
    }

    is_int(meet_sdp_parse(offer, (u_char *) big, MEET_SDP_MAX_SIZE),
           MEET_SDP_OK, "64 KB of valid lines parses");
    parse_err(big, MEET_SDP_MAX_SIZE + 1, "64 KB", 0, "64 KB + 1 refused");

    /* sections */
    n = (size_t) snprintf(big, sizeof(big), SESS);
    for (i = 0; i < MEET_SDP_MAX_MEDIA; i++) {
        n += (size_t) snprintf(big + n, sizeof(big) - n,
                               "m=audio 0 RTP/AVP 0\r\n");
    }

    is_int(parse(offer, big), MEET_SDP_OK, "64 m= sections");
    is_int(offer->nmedia, 64, "nmedia 64");
    snprintf(big + n, sizeof(big) - n, "m=audio 0 RTP/AVP 0\r\n");
    PARSE_ERR(big, "too many m=", 69, "65 m= sections");

    /* payload types */
    n = (size_t) snprintf(big, sizeof(big), SESS "m=video 0 RTP/AVP");
    for (i = 0; i < MEET_SDP_MAX_CODECS; i++) {
        n += (size_t) snprintf(big + n, sizeof(big) - n, " %zu", i + 1);
    }

    snprintf(big + n, sizeof(big) - n, "\r\n");
    is_int(parse(offer, big), MEET_SDP_OK, "48 payload types");
    snprintf(big + n, sizeof(big) - n, " 100\r\n");
    PARSE_ERR(big, "too many payload types", 5, "49 payload types");

    /* extmaps */
    n = (size_t) snprintf(big, sizeof(big), SESS "m=video 0 RTP/AVP 96\r\n");
    for (i = 0; i < MEET_SDP_MAX_EXTMAPS; i++) {
        n += (size_t) snprintf(big + n, sizeof(big) - n,
                               "a=extmap:%zu urn:x:%zu\r\n", i + 1, i);
    }

    is_int(parse(offer, big), MEET_SDP_OK, "24 extmaps");
    snprintf(big + n, sizeof(big) - n, "a=extmap:100 urn:y\r\n");
    PARSE_ERR(big, "too many a=extmap", 30, "25 extmaps");

    /* SSRCs: two lines each, one entry */
    n = (size_t) snprintf(big, sizeof(big), SESS "m=video 0 RTP/AVP 96\r\n");
    for (i = 0; i < MEET_SDP_MAX_SSRCS; i++) {
        n += (size_t) snprintf(big + n, sizeof(big) - n,
                               "a=ssrc:%zu cname:c\r\na=ssrc:%zu msid:s t\r\n",
                               i + 1000, i + 1000);
    }

    is_int(parse(offer, big), MEET_SDP_OK, "32 SSRCs in 64 lines");
    is_int(offer->media[0].nssrcs, 32, "nssrcs 32");
    ok(str_is(&offer->media[0].ssrcs[31].msid_track, "t")
       && str_is(&offer->media[0].ssrcs[31].cname, "c"), "ssrc 31 attrs");
    snprintf(big + n, sizeof(big) - n, "a=ssrc:1 cname:c\r\n");
    PARSE_ERR(big, "too many SSRCs", 70, "33 SSRCs");

    /* ssrc groups */
    n = (size_t) snprintf(big, sizeof(big), SESS "m=video 0 RTP/AVP 96\r\n");
    for (i = 0; i < MEET_SDP_MAX_SSRC_GROUPS; i++) {
        n += (size_t) snprintf(big + n, sizeof(big) - n,
                               "a=ssrc-group:FID %zu %zu\r\n", i, i + 100);
    }

    is_int(parse(offer, big), MEET_SDP_OK, "16 ssrc-groups");
    snprintf(big + n, sizeof(big) - n, "a=ssrc-group:SIM 1 2 3\r\n");
    PARSE_ERR(big, "too many a=ssrc-group", 22, "17 ssrc-groups");

    /* rids */
    n = (size_t) snprintf(big, sizeof(big), SESS "m=video 0 RTP/AVP 96\r\n");
    for (i = 0; i < MEET_SDP_MAX_RIDS; i++) {
        n += (size_t) snprintf(big + n, sizeof(big) - n,
                               "a=rid:r%zu send pt=96\r\n", i);
    }

    is_int(parse(offer, big), MEET_SDP_OK, "16 rids");
    ok(str_is(&offer->media[0].rids[3].id, "r3")
       && offer->media[0].rids[3].send
       && str_is(&offer->media[0].rids[3].params, "pt=96"), "rid 3");
    snprintf(big + n, sizeof(big) - n, "a=rid:x recv\r\n");
    PARSE_ERR(big, "too many a=rid", 22, "17 rids");

    /* candidates: all counted, the first ones kept */
    n = (size_t) snprintf(big, sizeof(big), SESS "m=video 0 RTP/AVP 96\r\n");
    for (i = 0; i < 40; i++) {
        n += (size_t) snprintf(big + n, sizeof(big) - n,
                               "a=candidate:%zu 1 udp 1 192.0.2.1 %zu "
                               "typ host\r\n", i, i + 1);
    }

    is_int(parse(offer, big), MEET_SDP_OK, "40 candidates");
    is_int(offer->media[0].ncandidates, 40, "40 candidates counted");
    ok(offer->media[0].candidates[15].len > 0
       && offer->media[0].candidates[15].data[0] == '1', "16 kept raw");

    /* BUNDLE with 65 mids */
    n = (size_t) snprintf(big, sizeof(big), SESS "a=group:BUNDLE");
    for (i = 0; i < MEET_SDP_MAX_MEDIA + 1; i++) {
        n += (size_t) snprintf(big + n, sizeof(big) - n, " %zu", i);
    }

    snprintf(big + n, sizeof(big) - n, "\r\n");
    PARSE_ERR(big, "too many mids", 5, "BUNDLE of 65 mids");
}


static void
test_overrides(void)
{
    const meet_sdp_media_t  *m;

    is_int(parse(offer, SESS
                 "a=ice-ufrag:sess\r\na=ice-pwd:sessionpassword1234567\r\n"
                 "a=fingerprint:sha-256 " FP32 "\r\na=setup:actpass\r\n"
                 "a=sendonly\r\n"
                 "m=audio 9 RTP/AVP 0\r\na=mid:0\r\n"
                 "m=audio 9 RTP/AVP 0\r\na=mid:1\r\n"
                 "a=ice-ufrag:med1\r\na=ice-pwd:mediapassword123456789\r\n"
                 "a=fingerprint:sha-256 " FP32B "\r\na=setup:active\r\n"
                 "a=recvonly\r\n"
                 "m=audio 9 RTP/AVP 0\r\na=mid:2\r\n"
                 "a=ice-ufrag:med2\r\n"),
           MEET_SDP_OK, "session + section transport attributes");

    m = &offer->media[0];
    ok(str_is(&m->ice_ufrag, "sess") && str_is(&m->ice_pwd,
       "sessionpassword1234567") && !m->own_ice && !m->own_fingerprint,
       "section 0 inherits ICE");
    ok(m->fp_len == 32 && m->fp[0] == 0x3d && m->fp[31] == 0x53
       && m->setup == MEET_SDP_SETUP_ACTPASS, "section 0 inherits DTLS");
    is_int(m->direction, MEET_SDP_SENDONLY, "session direction inherited");
    ok(str_is(&offer->ice_ufrag, "sess"), "session ufrag kept");

    m = &offer->media[1];
    ok(str_is(&m->ice_ufrag, "med1") && str_is(&m->ice_pwd,
       "mediapassword123456789") && m->own_ice, "section 1 overrides ICE");
    ok(m->own_fingerprint && m->fp_len == 32 && m->fp[0] == 0xaa
       && m->fp[31] == 0x99 && m->own_setup
       && m->setup == MEET_SDP_SETUP_ACTIVE, "section 1 overrides DTLS");
    is_int(m->direction, MEET_SDP_RECVONLY, "section direction wins");

    m = &offer->media[2];
    ok(str_is(&m->ice_ufrag, "med2")
       && str_is(&m->ice_pwd, "sessionpassword1234567"),
       "section 2: own ufrag, session pwd");

    /* default direction, several fingerprints */
    is_int(parse(offer, SESS "m=audio 9 RTP/AVP 0\r\n"
                 "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n"
                 "a=fingerprint:sha-1 00:11:22:33:44:55:66:77:88:99:"
                 "00:11:22:33:44:55:66:77:88:99\r\n"
                 "a=fingerprint:sha-256 " FP32 "\r\n"
                 "a=fingerprint:sha-512 " FP32 ":" FP32 "\r\n"),
           MEET_SDP_OK, "three fingerprints");
    m = &offer->media[0];
    ok(str_is(&m->fp_hash, "sha-256") && m->fp_len == 32,
       "sha-256 preferred");
    is_int(m->direction, MEET_SDP_SENDRECV, "default direction sendrecv");
    is_int(m->setup, MEET_SDP_SETUP_NONE, "no setup");

    /* static payload types need no rtpmap; attributes of unknown PTs */
    is_int(parse(offer, SESS "m=audio 9 RTP/AVP 8 0 101\r\n" ICE
                 "a=rtpmap:99 foo/8000\r\na=fmtp:98 x=1\r\n"
                 "a=rtcp-fb:* nack\r\na=rtcp-fb:* ccm tmmbr\r\n"
                 "a=rtpmap:101 telephone-event/8000\r\n"
                 "a=x-unknown:whatever\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"),
           MEET_SDP_OK, "static PTs, unknown PTs and attributes");
    m = &offer->media[0];
    ok(m->ncodecs == 3 && str_is(&m->codecs[0].name, "PCMA")
       && str_is(&m->codecs[1].name, "PCMU"), "PCMA, PCMU implied");
    ok(meet_sdp_find_pt(m, 99) == NULL, "PT 99 not in m= line: ignored");
    ok(meet_sdp_has_rtcp_fb(m, 0, MEET_SDP_FB_NACK)
       && !meet_sdp_has_rtcp_fb(m, 0, MEET_SDP_FB_NACK_PLI)
       && (m->fb_any & MEET_SDP_FB_OTHER), "rtcp-fb wildcard");
}


static void
test_fmtp(void)
{
    meet_sdp_str_t  f = S("a=1; packetization-mode = 1 ;flag;Profile-Level-Id"
                          "=42E01F;big=99999999999");
    meet_sdp_str_t  v;

    ok(meet_sdp_fmtp_param(&f, "a", &v) && str_is(&v, "1"), "fmtp a=1");
    ok(meet_sdp_fmtp_param(&f, "PACKETIZATION-MODE", &v) && str_is(&v, "1"),
       "fmtp spaces, case");
    ok(meet_sdp_fmtp_param(&f, "flag", &v) && v.len == 0, "fmtp flag");
    ok(!meet_sdp_fmtp_param(&f, "b", &v), "fmtp absent");
    is_int(meet_sdp_fmtp_uint(&f, "packetization-mode"), 1, "fmtp_uint");
    is_int(meet_sdp_fmtp_uint(&f, "big"), -1, "fmtp_uint overflow");
    is_int(meet_sdp_fmtp_uint(&f, "profile-level-id"), -1, "hex is not uint");
    is_int(meet_sdp_fmtp_uint(&f, "nope"), -1, "fmtp_uint absent");
}


static void
test_answer_join(void)
{
    size_t             len, i;
    char              *text;
    ssize_t            n, n2;
    size_t             needed;
    const char        *err, *s;
    meet_sdp_local_t   local;

    text = read_fixture("chromium-join-offer.sdp", &len);
    is_int(meet_sdp_parse(offer, (u_char *) text, len), MEET_SDP_OK,
           "join offer");

    local_init(&local);
    meet_sdp_default_decisions(offer, dec);

    for (i = 0; i < 6; i++) {
        ok(dec[i].accept && dec[i].direction == MEET_SDP_INACTIVE,
           "default: recvonly slot %zu -> inactive", i);
    }

    ok(!dec[6].accept, "default: application rejected");

    n = build(offer, &local, dec, &err);
    ok(n > 0, "answer built (%zd bytes)", n);

    /* session */
#define SESSION_LINES                                                         \
    "v=0\r\no=- 4242 7 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"
    ok(strncmp(answer, SESSION_LINES, sizeof(SESSION_LINES) - 1) == 0,
       "session lines");
    ok(has_line(answer, "a=group:BUNDLE 0 1 2 3 4 5"), "BUNDLE 0-5");
    ok(has_line(answer, "a=msid-semantic: WMS *"), "msid-semantic");
    ok(has_line(answer, "a=extmap-allow-mixed"), "extmap-allow-mixed");
    is_int(count_prefix(answer, "m="), 7, "7 m= lines");
    is_int(count_prefix(answer, "a=ice-lite"), 1, "one ice-lite");

    /* audio */
    s = section(answer, 0);
    ok(has_line(s, "m=audio 9 UDP/TLS/RTP/SAVPF 111"), "audio: opus only");
    ok(has_line(s, "c=IN IP4 0.0.0.0") && has_line(s, "a=mid:0")
       && has_line(s, "a=ice-ufrag:nGxM")
       && has_line(s, "a=ice-pwd:0123456789abcdefghijklmn")
       && has_line(s, "a=fingerprint:sha-256 " FP32B)
       && has_line(s, "a=setup:passive") && has_line(s, "a=rtcp-mux")
       && has_line(s, "a=rtcp-rsize") && has_line(s, "a=inactive"),
       "audio: transport lines");
    ok(has_line(s, "a=rtpmap:111 opus/48000/2")
       && has_line(s, "a=fmtp:111 minptime=10;useinbandfec=1")
       && has_line(s, "a=rtcp-fb:111 transport-cc"), "audio: opus lines");
    ok(!strstr(s, "red/") && !strstr(s, "telephone-event")
       && !strstr(s, "CN/") && !strstr(s, "PCMU"),
       "audio: no red, DTMF, CN, G.711");
    ok(has_line(s, "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level")
       && has_line(s, "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid"),
       "audio: extmaps with the offer's ids");
    ok(has_line(s, "a=candidate:1 1 udp 2130706431 192.0.2.1 7882 typ host")
       && has_line(s, "a=candidate:2 1 udp 2130706175 2001:db8::1 7882 "
                   "typ host")
       && has_line(s, "a=candidate:3 1 tcp 2122317311 192.0.2.1 7881 "
                   "typ host tcptype passive")
       && has_line(s, "a=end-of-candidates"), "audio: candidates");
    ok(!strstr(s, "a=ssrc") && !strstr(s, "a=msid:"), "no ssrc when inactive");

    /* video codec filter */
    s = section(answer, 3);
    ok(has_line(s, "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100 101 35 36 "
                "37 38 102 103 108 109 116 117 41 42 45 46 47 48"),
       "video: VP8, VP9, H264 mode 1, AV1 and their rtx, offer order");
    ok(!has_line(s, "a=rtpmap:104 H264/90000")
       && !has_line(s, "a=rtpmap:107 rtx/90000"),
       "video: H264 packetization-mode=0 and its rtx dropped");
    ok(!strstr(s, "red/90000") && !strstr(s, "ulpfec")
       && !strstr(s, "flexfec") && !has_line(s, "a=rtpmap:119 rtx/90000"),
       "video: red, ulpfec, flexfec and red's rtx dropped");
    ok(has_line(s, "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;"
                "profile-level-id=42001f")
       && has_line(s, "a=fmtp:97 apt=96")
       && has_line(s, "a=fmtp:98 profile-id=0"), "video: fmtp as offered");
    ok(has_line(s, "a=rtcp-fb:96 goog-remb")
       && has_line(s, "a=rtcp-fb:96 transport-cc")
       && has_line(s, "a=rtcp-fb:96 ccm fir")
       && has_line(s, "a=rtcp-fb:96 nack")
       && has_line(s, "a=rtcp-fb:96 nack pli")
       && !strstr(s, "a=rtcp-fb:97 "), "video: rtcp-fb as offered");
    ok(has_line(s, "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/"
                "abs-send-time")
       && has_line(s, "a=extmap:13 urn:3gpp:video-orientation")
       && has_line(s, "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-"
                   "transport-wide-cc-extensions-01")
       && has_line(s, "a=extmap:5 http://www.webrtc.org/experiments/"
                   "rtp-hdrext/playout-delay")
       && has_line(s, "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:"
                   "rtp-stream-id")
       && has_line(s, "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:"
                   "repaired-rtp-stream-id"), "video: supported extmaps");
    ok(!strstr(s, "toffset") && !strstr(s, "video-content-type")
       && !strstr(s, "video-timing") && !strstr(s, "color-space"),
       "video: other extmaps dropped");

    /* rejected data channel */
    s = section(answer, 6);
    is_str(s, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"
           "c=IN IP4 0.0.0.0\r\na=mid:6\r\n", "rejected application");

    /* the answer parses, same sections in the same order */
    is_int(meet_sdp_parse(offer2, (u_char *) answer, (size_t) n),
           MEET_SDP_OK, "the answer parses");
    is_int(offer2->nmedia, offer->nmedia, "same number of sections");

    for (i = 0; i < offer->nmedia; i++) {
        ok(offer2->media[i].type == offer->media[i].type
           && offer2->media[i].mid.len == offer->media[i].mid.len
           && memcmp(offer2->media[i].mid.data, offer->media[i].mid.data,
                     offer->media[i].mid.len) == 0
           && offer2->media[i].proto.len == offer->media[i].proto.len,
           "answer section %zu matches the offer's", i);
    }

    ok(offer2->ice_lite && offer2->media[0].setup == MEET_SDP_SETUP_PASSIVE
       && offer2->media[0].ncandidates == 3
       && offer2->media[0].end_of_candidates, "answer: lite, passive");

    /* buffer sizes */
    n2 = meet_sdp_build_answer(offer, &local, dec, offer->nmedia, NULL, 0,
                               &needed, &err);
    ok(n2 == MEET_SDP_TOO_SMALL && needed == (size_t) n,
       "NULL buffer: needed %zu", needed);
    n2 = meet_sdp_build_answer(offer, &local, dec, offer->nmedia,
                               (u_char *) big, (size_t) n - 1, &needed, &err);
    ok(n2 == MEET_SDP_TOO_SMALL && needed == (size_t) n,
       "one byte short: too small");
    n2 = meet_sdp_build_answer(offer, &local, dec, offer->nmedia,
                               (u_char *) big, needed, &needed, &err);
    ok(n2 == n && memcmp(big, answer, (size_t) n) == 0,
       "retry with the needed size: same answer");

    /* a rejected audio slot leaves the BUNDLE group */
    dec[1].accept = 0;
    n = build(offer, &local, dec, &err);
    ok(n > 0 && has_line(answer, "a=group:BUNDLE 0 2 3 4 5"),
       "BUNDLE without the rejected mid 1");
    s = section(answer, 1);
    is_str(s, "m=audio 0 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n"
           "c=IN IP4 0.0.0.0\r\na=mid:1\r\n", "rejected audio section");

    /* nothing accepted: no group line */
    for (i = 0; i < offer->nmedia; i++) {
        dec[i].accept = 0;
    }

    n = build(offer, &local, dec, &err);
    ok(n > 0 && !strstr(answer, "a=group:") && count_prefix(answer, "m=")
       == 7 && !strstr(answer, "a=candidate"), "everything rejected");

    free(text);
}


static void
test_answer_publish(void)
{
    size_t                 len, i;
    char                  *text;
    ssize_t                n;
    const char            *err, *s;
    meet_sdp_local_t       local;
    static meet_sdp_str_t  vp8[] = { S("video/VP8") };
    static meet_sdp_str_t  h264[] = { S("H264"), S("nothing") };
    static meet_sdp_str_t  h265[] = { S("H265") };

    text = read_fixture("chromium-publish-offer.sdp", &len);
    is_int(meet_sdp_parse(offer, (u_char *) text, len), MEET_SDP_OK,
           "publish offer");

    local_init(&local);
    meet_sdp_default_decisions(offer, dec);

    /* mid 3 (recvonly video slot) gets a track */
    dec[3].direction = MEET_SDP_SENDONLY;
    dec[3].codecs = vp8;
    dec[3].ncodecs = 1;
    dec[3].msid_stream = (meet_sdp_str_t) S("PA_abc|TR_def");
    dec[3].msid_track = (meet_sdp_str_t) S("TR_def");
    dec[3].cname = (meet_sdp_str_t) S("PA_abc");
    dec[3].ssrc = 11111111;
    dec[3].rtx_ssrc = 22222222;

    /* the camera: only H264 */
    dec[7].codecs = h264;
    dec[7].ncodecs = 2;

    /* the microphone with red */
    dec[8].allow_red = 1;

    n = build(offer, &local, dec, &err);
    ok(n > 0, "publish answer built");
    ok(has_line(answer, "a=group:BUNDLE 0 1 2 3 4 5 7 8"), "BUNDLE");

    s = section(answer, 3);
    ok(has_line(s, "m=video 9 UDP/TLS/RTP/SAVPF 96 97"), "VP8 + rtx only");
    ok(has_line(s, "a=sendonly")
       && has_line(s, "a=msid:PA_abc|TR_def TR_def")
       && has_line(s, "a=ssrc-group:FID 11111111 22222222")
       && has_line(s, "a=ssrc:11111111 cname:PA_abc")
       && has_line(s, "a=ssrc:11111111 msid:PA_abc|TR_def TR_def")
       && has_line(s, "a=ssrc:22222222 cname:PA_abc")
       && has_line(s, "a=ssrc:22222222 msid:PA_abc|TR_def TR_def"),
       "sendonly slot: msid, FID, ssrc lines");

    s = section(answer, 6);
    ok(strncmp(s, "m=application 0 UDP/DTLS/SCTP ", 30) == 0,
       "offered port 0: rejected");

    s = section(answer, 7);
    ok(has_line(s, "m=video 9 UDP/TLS/RTP/SAVPF 102 103 108 109 116 117")
       && has_line(s, "a=recvonly") && !strstr(s, "a=ssrc")
       && !strstr(s, "a=msid"), "camera: H264 mode 1 only, recvonly");

    s = section(answer, 8);
    ok(has_line(s, "m=audio 9 UDP/TLS/RTP/SAVPF 111 63")
       && has_line(s, "a=rtpmap:63 red/48000/2")
       && has_line(s, "a=fmtp:63 111/111") && has_line(s, "a=recvonly"),
       "microphone: opus + red when allowed");

    /* the answer reparses with the sendonly slot */
    is_int(meet_sdp_parse(offer2, (u_char *) answer, (size_t) n),
           MEET_SDP_OK, "publish answer parses");
    ok(offer2->media[3].direction == MEET_SDP_SENDONLY
       && offer2->media[3].nssrcs == 2
       && str_is(&offer2->media[3].msid_track, "TR_def")
       && str_is(&offer2->media[3].ssrcs[0].msid_stream, "PA_abc|TR_def"),
       "reparsed sendonly slot");

    /* no rtx ssrc: no group; no ssrc: no ssrc lines; no stream: "-" */
    dec[3].rtx_ssrc = 0;
    dec[3].msid_stream.len = 0;
    n = build(offer, &local, dec, &err);
    s = section(answer, 3);
    ok(n > 0 && !strstr(s, "ssrc-group") && has_line(s, "a=msid:- TR_def")
       && has_line(s, "a=ssrc:11111111 msid:- TR_def")
       && !strstr(s, "22222222"), "no rtx SSRC, no stream id");

    dec[3].ssrc = 0;
    n = build(offer, &local, dec, &err);
    s = section(answer, 3);
    ok(n > 0 && !strstr(s, "a=ssrc") && has_line(s, "a=msid:- TR_def"),
       "no SSRC: msid only");

    dec[3].ssrc = 5;
    dec[3].cname.len = 0;
    dec[3].codecs = NULL;
    n = build(offer, &local, dec, &err);
    s = section(answer, 3);
    ok(n > 0 && has_line(s, "a=ssrc:5 cname:ngx_meet"), "default cname");

    /* real port */
    local.real_port = 1;
    n = build(offer, &local, dec, &err);
    s = section(answer, 0);
    ok(n > 0 && has_line(s, "m=audio 7882 UDP/TLS/RTP/SAVPF 111")
       && has_line(s, "c=IN IP4 192.0.2.1"), "real port and address");
    local.candidates = &cands[1];
    local.ncandidates = 2;
    n = build(offer, &local, dec, &err);
    s = section(answer, 0);
    ok(n > 0 && has_line(s, "c=IN IP6 2001:db8::1")
       && has_line(s, "a=candidate:1 1 udp 2130706431 2001:db8::1 7882 "
                   "typ host"), "IPv6 default candidate");
    local_init(&local);

    /* errors */
    dec[7].codecs = h265;
    dec[7].ncodecs = 1;
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "no codec"),
       "restricted to a codec we do not forward");
    dec[7].codecs = NULL;

    dec[7].direction = MEET_SDP_SENDONLY;
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "incompatible"),
       "sendonly answer to a sendonly offer");
    dec[7].direction = MEET_SDP_SENDRECV;
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "incompatible"),
       "sendrecv answer to a sendonly offer");
    dec[7].direction = MEET_SDP_RECVONLY;

    dec[0].direction = MEET_SDP_RECVONLY;
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "incompatible"),
       "recvonly answer to a recvonly offer");
    dec[0].direction = MEET_SDP_INACTIVE;

    dec[6].accept = 1;
    n = build(offer, &local, dec, &err);
    ok(n > 0 && strstr(section(answer, 6), "m=application 0 "),
       "accepting a port 0 offer section still rejects it");
    dec[6].accept = 0;

    dec[3].msid_track = (meet_sdp_str_t) S("TR def");
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "msid"), "msid with a space");
    dec[3].msid_track = (meet_sdp_str_t) S("TR_def");

    dec[3].cname = (meet_sdp_str_t) S("a\r\nb");
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "cname"), "cname with CRLF");
    dec[3].cname.len = 0;

    local.ice_ufrag = (meet_sdp_str_t) S("abc");
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "ufrag"), "short local ufrag");
    local_init(&local);

    local.ice_pwd = (meet_sdp_str_t) S("0123456789abcdefghij\r\n");
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "password"), "bad local pwd");
    local_init(&local);

    local.fingerprint = (meet_sdp_str_t) S("AB:CD");
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "fingerprint"), "short local fp");
    local_init(&local);

    {
        meet_sdp_candidate_t  bad[] = { { S("192.0.2.1 x"), 1, 0 } };

        local.candidates = bad;
        local.ncandidates = 1;
        n = build(offer, &local, dec, &err);
        ok(n == MEET_SDP_ERROR && strstr(err, "candidate"),
           "bad candidate address");
        local_init(&local);
    }

    n = meet_sdp_build_answer(offer, &local, dec, offer->nmedia - 1,
                              (u_char *) answer, ANSWER_SIZE, NULL, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "one decision"),
       "decision count mismatch");

    for (i = 0; i < offer->nmedia; i++) {
        dec[i].accept = 0;
    }

    n = build(offer, &local, dec, &err);
    ok(n > 0, "all rejected is fine");

    free(text);
}


static void
test_answer_misc(void)
{
    ssize_t           n;
    const char       *err, *s;
    meet_sdp_local_t  local;

    local_init(&local);

    /* accepted section outside the BUNDLE group */
    is_int(parse(offer, SESS "a=group:BUNDLE 0\r\n" AUDIO("0") AUDIO("1")),
           MEET_SDP_OK, "partial BUNDLE");
    meet_sdp_default_decisions(offer, dec);
    ok(dec[0].accept && !dec[1].accept, "default: unbundled rejected");
    dec[1].accept = 1;
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "BUNDLE"),
       "accepting an unbundled section");

    /* no BUNDLE: one section fine, two not */
    is_int(parse(offer, SESS AUDIO("0") VIDEO("1")), MEET_SDP_OK,
           "no BUNDLE offer");
    meet_sdp_default_decisions(offer, dec);
    ok(dec[0].accept && !dec[1].accept, "default without BUNDLE: first only");
    dec[1].accept = 1;
    dec[1].direction = MEET_SDP_RECVONLY;
    n = build(offer, &local, dec, &err);
    ok(n == MEET_SDP_ERROR && strstr(err, "BUNDLE"), "two without BUNDLE");
    dec[0].accept = 0;
    n = build(offer, &local, dec, &err);
    ok(n > 0 && !strstr(answer, "a=group"), "one without BUNDLE");
    ok(!strstr(answer, "a=extmap-allow-mixed"), "no extmap-allow-mixed");

    /* simulcast (RFC 8853): every offered send rid is received */
    is_int(parse(offer, SESS "a=group:BUNDLE v\r\n"
                 "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" ICE "a=mid:v\r\n"
                 "a=sendonly\r\na=rtpmap:96 VP8/90000\r\n"
                 "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\n"
                 "a=simulcast:send q;h;f\r\n"),
           MEET_SDP_OK, "simulcast offer");
    meet_sdp_default_decisions(offer, dec);
    n = build(offer, &local, dec, &err);
    s = section(answer, 0);
    ok(n > 0 && strstr(s, "a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\n")
       && strstr(s, "a=simulcast:recv q;h;f\r\n"),
       "simulcast answer: a=rid recv for each layer and a=simulcast:recv");
    is_int(parse(offer, SESS "a=group:BUNDLE v\r\n"
                 "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" ICE "a=mid:v\r\n"
                 "a=sendonly\r\na=rtpmap:96 VP8/90000\r\n"),
           MEET_SDP_OK, "single-layer offer");
    meet_sdp_default_decisions(offer, dec);
    n = build(offer, &local, dec, &err);
    ok(n > 0 && !strstr(answer, "a=simulcast") && !strstr(answer, "a=rid"),
       "no simulcast offered: none in the answer");

    /* accepting application, wildcard feedback, extmap directions */
    is_int(parse(offer, SESS "a=group:BUNDLE v d\r\n"
                 "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n" ICE "a=mid:v\r\n"
                 "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\n"
                 "a=fmtp:97 apt=96\r\na=rtcp-fb:* nack\r\n"
                 "a=rtcp-fb:* ccm tmmbr\r\na=rtcp-fb:96 nack pli\r\n"
                 "a=extmap:3/sendonly " MEET_SDP_EXT_TWCC "\r\n"
                 "a=extmap:4/recvonly urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                 "a=extmap:5 urn:ietf:params:rtp-hdrext:toffset\r\n"
                 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" ICE
                 "a=mid:d\r\na=sctp-port:5000\r\n"),
           MEET_SDP_OK, "video + application offer");
    meet_sdp_default_decisions(offer, dec);
    ok(dec[0].accept && dec[0].direction == MEET_SDP_RECVONLY
       && !dec[1].accept, "default: sendrecv video -> recvonly, app rejected");
    is_int(meet_sdp_accept_data(offer, dec), 1, "data: section 1 accepted");
    ok(dec[1].accept && dec[0].accept, "and the video stays");
    is_int(meet_sdp_accept_data(offer, dec), 1, "again: the same");
    local.sctp_port = 5001;
    n = build(offer, &local, dec, &err);
    ok(n > 0, "answer with application");
    s = section(answer, 0);
    ok(has_line(s, "a=rtcp-fb:* nack") && !strstr(s, "tmmbr")
       && has_line(s, "a=rtcp-fb:96 nack pli") && !strstr(s, "rtcp-rsize"),
       "wildcard rtcp-fb kept, unknown dropped, no rsize");
    ok(has_line(s, "a=extmap:3/recvonly " MEET_SDP_EXT_TWCC)
       && has_line(s, "a=extmap:4/sendonly urn:ietf:params:rtp-hdrext:"
                   "sdes:mid") && !strstr(s, "toffset"),
       "extmap directions reversed");
    s = section(answer, 1);
    ok(has_line(s, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel")
       && has_line(s, "a=sctp-port:5001")
       && has_line(s, "a=max-message-size:262144")
       && has_line(s, "a=mid:d") && has_line(s, "a=setup:passive")
       && !strstr(s, "a=rtcp-mux") && !strstr(s, "a=inactive"),
       "accepted application");
    ok(has_line(answer, "a=group:BUNDLE v d"), "BUNDLE v d");

    /* which application sections are data channels */
    is_int(parse(offer, SESS "a=group:BUNDLE d\r\n"
                 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" ICE
                 "a=mid:d\r\na=sctp-port:5000\r\n"),
           MEET_SDP_OK, "only data (livekit-client v0 publisher)");
    meet_sdp_default_decisions(offer, dec);
    is_int(meet_sdp_accept_data(offer, dec), 0, "accepted");
    is_int(parse(offer, SESS "a=group:BUNDLE v\r\n"
                 "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" ICE "a=mid:v\r\n"
                 "a=rtpmap:96 VP8/90000\r\n"
                 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" ICE
                 "a=mid:d\r\n"
                 "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n" ICE
                 "a=mid:e\r\n"
                 "m=application 9 UDP/DTLS/SCTP other\r\n" ICE
                 "a=mid:f\r\n"),
           MEET_SDP_OK, "application sections outside BUNDLE, rejected, "
           "not webrtc-datachannel");
    meet_sdp_default_decisions(offer, dec);
    is_int(meet_sdp_accept_data(offer, dec), -1, "none accepted");
    ok(!dec[1].accept && !dec[2].accept && !dec[3].accept, "all rejected");
    is_int(parse(offer, SESS
                 "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" ICE "a=mid:v\r\n"
                 "a=rtpmap:96 VP8/90000\r\n"
                 "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" ICE
                 "a=mid:d\r\n"), MEET_SDP_OK, "no BUNDLE");
    meet_sdp_default_decisions(offer, dec);
    is_int(meet_sdp_accept_data(offer, dec), -1,
           "no BUNDLE: the video is the one transport");

    /* codecs we do not forward */
    is_int(parse(offer, SESS "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 9\r\n" ICE
                 "a=rtpmap:111 opus/48000\r\n"), MEET_SDP_OK,
           "mono opus, PCMU, G722");
    meet_sdp_default_decisions(offer, dec);
    is_int(meet_sdp_kept_codecs(&offer->media[0], &dec[0]), 0,
           "nothing to keep");
    ok(!dec[0].accept, "default: rejected for lack of codecs");

    is_int(parse(offer, SESS "m=video 9 UDP/TLS/RTP/SAVPF 100 101 102\r\n"
                 ICE "a=rtpmap:100 H264/90000\r\na=rtpmap:101 rtx/90000\r\n"
                 "a=fmtp:101 apt=100\r\na=rtpmap:102 VP8/48000\r\n"),
           MEET_SDP_OK, "H264 without fmtp, VP8 wrong clock");
    meet_sdp_default_decisions(offer, dec);
    is_int(meet_sdp_kept_codecs(&offer->media[0], &dec[0]), 0,
           "H264 without packetization-mode=1, VP8/48000: dropped");

    /* the priority formula */
    is_int(meet_sdp_candidate_priority(&cands[0], 0),
           (126u << 24) + (0xffffu << 8) + 255, "udp #0 priority");
    ok(meet_sdp_candidate_priority(&cands[2], 0)
       < meet_sdp_candidate_priority(&cands[0], 40), "UDP above TCP");
    ok(meet_sdp_candidate_priority(&cands[0], 0)
       > meet_sdp_candidate_priority(&cands[1], 1), "given order kept");

    is_str(meet_sdp_direction_name(MEET_SDP_RECVONLY), "recvonly",
           "direction name");
}


int
main(void)
{
    offer = malloc(meet_sdp_offer_size());
    offer2 = malloc(meet_sdp_offer_size());

    if (offer == NULL || offer2 == NULL) {
        return 1;
    }

    is_int(meet_sdp_offer_size(), sizeof(meet_sdp_offer_t), "offer size");
    note("sizeof(meet_sdp_offer_t) = %zu", sizeof(meet_sdp_offer_t));

    test_join_fixture();
    test_publish_fixture();
    test_lf_only();
    test_errors();
    test_limits();
    test_overrides();
    test_fmtp();
    test_answer_join();
    test_answer_publish();
    test_answer_misc();

    free(offer);
    free(offer2);

    return done_testing();
}
