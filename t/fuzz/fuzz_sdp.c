/* sources: ngx_meet_signal_module/lib/meet_sdp_parse.c ngx_meet_signal_module/lib/meet_sdp_answer.c */

/*
 * Copyright (C) ngx_meet authors
 *
 * libFuzzer target for the SDP offer parser and answer builder: the input
 * is an offer as a client sends it.  When it parses, an answer is built
 * with the default decisions (which must always succeed), again into a
 * buffer one byte short (which must report the same needed size), then
 * with a variation chosen from the input (a sendonly slot with msid and
 * SSRCs, codec restriction, red, real port, accepted data channel) that
 * may fail cleanly.  Every answer that fits the parser's size limit must
 * parse back with the offer's sections in the offer's order.  A broken
 * promise aborts.
 *
 * The corpus in t/fuzz/corpus/sdp/ holds real Chromium offers.
 */


#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meet_sdp.h"


#define ANSWER_SIZE  (256 * 1024)

#define check(cond)  do { if (!(cond)) { abort(); } } while (0)

#define S(s)  { sizeof(s) - 1, (const u_char *) (s) }


static meet_sdp_offer_t      offer;
static meet_sdp_offer_t      reparsed;
static meet_sdp_decision_t   dec[MEET_SDP_MAX_MEDIA];
static u_char                answer[ANSWER_SIZE];

static const meet_sdp_candidate_t  cands[] = {
    { S("192.0.2.1"), 7882, 0 },
    { S("2001:db8::1"), 7882, 0 },
    { S("192.0.2.1"), 7881, 1 }
};

static const meet_sdp_str_t  restrict_vp8[] = { S("video/VP8"), S("opus") };
static const meet_sdp_str_t  restrict_h264[] = { S("H264"), S("AV1") };


static void
check_slice(const meet_sdp_str_t *s, const uint8_t *data, size_t size)
{
    if (s->len == 0) {
        return;
    }

    check(s->data >= data && s->data + s->len <= data + size);
    check(memchr(s->data, '\n', s->len) == NULL);
    check(memchr(s->data, '\r', s->len) == NULL);
}


static void
check_offer(const meet_sdp_offer_t *o, const uint8_t *data, size_t size)
{
    size_t                   i, j;
    const meet_sdp_media_t  *m;

    check(o->nmedia <= MEET_SDP_MAX_MEDIA);
    check(o->nbundle <= MEET_SDP_MAX_MEDIA);

    for (i = 0; i < o->nbundle; i++) {
        check_slice(&o->bundle[i], data, size);
        check(meet_sdp_find_mid(o, o->bundle[i].data, o->bundle[i].len));
    }

    for (i = 0; i < o->nmedia; i++) {
        m = &o->media[i];

        check(m->ncodecs <= MEET_SDP_MAX_CODECS);
        check(m->nextmaps <= MEET_SDP_MAX_EXTMAPS);
        check(m->nssrcs <= MEET_SDP_MAX_SSRCS);
        check(m->nssrc_groups <= MEET_SDP_MAX_SSRC_GROUPS);
        check(m->nrids <= MEET_SDP_MAX_RIDS);
        check(m->direction <= MEET_SDP_SENDRECV);
        check(m->fp_len <= MEET_SDP_FP_MAX);
        check(m->mid.len || !o->has_bundle);

        check_slice(&m->media, data, size);
        check_slice(&m->proto, data, size);
        check_slice(&m->fmts, data, size);
        check_slice(&m->mid, data, size);
        check_slice(&m->ice_ufrag, data, size);
        check_slice(&m->ice_pwd, data, size);
        check_slice(&m->fingerprint, data, size);

        if (m->port != 0 || m->bundle_only) {
            check(m->ice_ufrag.len >= 4 && m->ice_pwd.len >= 22);
            check(m->fp_len >= 20);
        }

        for (j = 0; j < m->ncodecs; j++) {
            check(m->codecs[j].pt <= 127);
            check_slice(&m->codecs[j].fmtp, data, size);
            check(meet_sdp_find_pt(m, m->codecs[j].pt) == &m->codecs[j]);
            (void) meet_sdp_rtx_pt(m, m->codecs[j].pt);
        }

        for (j = 0; j < m->nextmaps; j++) {
            check(m->extmaps[j].id >= 1 && m->extmaps[j].id <= 255);
            check_slice(&m->extmaps[j].uri, data, size);
        }

        for (j = 0; j < m->nssrc_groups; j++) {
            check(m->ssrc_groups[j].nssrcs <= MEET_SDP_MAX_GROUP_SSRCS);
        }

        for (j = 0; j < m->ncandidates && j < MEET_SDP_MAX_CANDIDATES; j++) {
            check_slice(&m->candidates[j], data, size);
        }

        (void) meet_sdp_find_codec(m, "VP8");
        (void) meet_sdp_has_rtcp_fb(m, -1, MEET_SDP_FB_NACK_PLI);
        (void) meet_sdp_extmap_id(m, MEET_SDP_EXT_MID);
    }
}


static void
check_answer(const u_char *a, size_t len)
{
    size_t  i;

    check(len >= 4 && memcmp(a, "v=0\r", 4) == 0);

    if (len > MEET_SDP_MAX_SIZE) {
        return;
    }

    check(meet_sdp_parse(&reparsed, a, len) == MEET_SDP_OK);
    check(reparsed.nmedia == offer.nmedia);
    check(reparsed.ice_lite);

    for (i = 0; i < offer.nmedia; i++) {
        check(reparsed.media[i].mid.len == offer.media[i].mid.len);
        check(offer.media[i].mid.len == 0
              || memcmp(reparsed.media[i].mid.data, offer.media[i].mid.data,
                        offer.media[i].mid.len) == 0);
        check(reparsed.media[i].media.len == offer.media[i].media.len);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t            i, needed, needed2;
    ssize_t           n, n2;
    u_char           *small;
    uint32_t          h;
    const char       *err;
    meet_sdp_local_t  local;

    if (meet_sdp_parse(&offer, data, size) != MEET_SDP_OK) {
        check(offer.err != NULL && offer.err[0] != '\0');
        return 0;
    }

    check_offer(&offer, data, size);

    memset(&local, 0, sizeof(local));
    local.ice_ufrag = (meet_sdp_str_t) S("nGxM");
    local.ice_pwd = (meet_sdp_str_t) S("0123456789abcdefghijklmn");
    local.fingerprint = (meet_sdp_str_t) S(
        "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"
        "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99");
    local.candidates = cands;
    local.ncandidates = 3;
    local.session_id = 1;
    local.session_version = 2;

    /* default decisions: always an answer */

    meet_sdp_default_decisions(&offer, dec);

    err = NULL;
    n = meet_sdp_build_answer(&offer, &local, dec, offer.nmedia, answer,
                              sizeof(answer), &needed, &err);
    check(n > 0 && (size_t) n == needed);
    check_answer(answer, (size_t) n);

    /* one byte short, in an exact heap buffer: ASan sees any overflow */

    small = malloc((size_t) n - 1);
    check(small != NULL);
    n2 = meet_sdp_build_answer(&offer, &local, dec, offer.nmedia, small,
                               (size_t) n - 1, &needed2, &err);
    check(n2 == MEET_SDP_TOO_SMALL && needed2 == needed);
    free(small);

    /* a variation chosen by the input */

    h = 2166136261u;
    for (i = 0; i < size; i++) {
        h = (h ^ data[i]) * 16777619u;
    }

    local.real_port = (h >> 1) & 1;
    local.ncandidates = (h >> 2) % 4;

    for (i = 0; i < offer.nmedia; i++) {
        dec[i].allow_red = (h >> 4) & 1;

        if ((h >> 5) & 1) {
            dec[i].codecs = ((h >> 6) & 1) ? restrict_vp8 : restrict_h264;
            dec[i].ncodecs = 2;
        }

        if (offer.media[i].sctp && ((h >> 7) & 1)) {
            dec[i].accept = 1;
        }

        if (dec[i].accept && offer.media[i].rtp
            && (offer.media[i].direction & MEET_SDP_RECVONLY)
            && ((h >> 8) & 1))
        {
            dec[i].direction |= MEET_SDP_SENDONLY;
            dec[i].msid_stream = (meet_sdp_str_t) S("PA_abc|TR_def");
            dec[i].msid_track = (meet_sdp_str_t) S("TR_def");
            dec[i].cname = (meet_sdp_str_t) S("c");
            dec[i].ssrc = h | 1;
            dec[i].rtx_ssrc = ((h >> 9) & 1) ? h + 2 : 0;
        }
    }

    err = NULL;
    n = meet_sdp_build_answer(&offer, &local, dec, offer.nmedia, answer,
                              sizeof(answer), &needed, &err);

    if (n < 0) {
        check(n == MEET_SDP_ERROR && err != NULL);
        return 0;
    }

    check((size_t) n == needed);
    check_answer(answer, (size_t) n);

    return 0;
}
