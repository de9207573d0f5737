
/*
 * Copyright (C) ngx_meet authors
 *
 * SDP answer builder: which sections and codecs of a parsed offer are
 * kept, and the answer text; see meet_sdp.h.
 */


#include <string.h>

#include "meet_sdp.h"


#define MEET_SDP_ID_MAX         256     /* msid, cname given by the caller */

#define MEET_SDP_FB_KEEP                                                      \
    (MEET_SDP_FB_NACK|MEET_SDP_FB_NACK_PLI|MEET_SDP_FB_CCM_FIR                \
     |MEET_SDP_FB_GOOG_REMB|MEET_SDP_FB_TRANSPORT_CC)


typedef struct {
    u_char               *buf;
    size_t                size;
    size_t                len;          /* may grow past size: counting */
} meet_sdp_out_t;


static int meet_sdp_forwarded(const meet_sdp_media_t *m,
    const meet_sdp_codec_t *c, const meet_sdp_decision_t *d);
static size_t meet_sdp_keep(const meet_sdp_media_t *m,
    const meet_sdp_decision_t *d, u_char *keep);
static int meet_sdp_accepted(const meet_sdp_media_t *m,
    const meet_sdp_decision_t *d);
static const char *meet_sdp_check(const meet_sdp_offer_t *offer,
    const meet_sdp_local_t *local, const meet_sdp_decision_t *decisions,
    size_t ndecisions);
static void meet_sdp_put(meet_sdp_out_t *out, const void *data, size_t n);
static void meet_sdp_puts(meet_sdp_out_t *out, const char *s);
static void meet_sdp_putstr(meet_sdp_out_t *out, const meet_sdp_str_t *s);
static void meet_sdp_putu(meet_sdp_out_t *out, uint64_t n);
static void meet_sdp_put_transport(meet_sdp_out_t *out,
    const meet_sdp_media_t *m, const meet_sdp_local_t *local,
    const meet_sdp_candidate_t *def);
static void meet_sdp_put_rtp(meet_sdp_out_t *out, const meet_sdp_media_t *m,
    const meet_sdp_decision_t *d, const u_char *keep);
static void meet_sdp_put_fb(meet_sdp_out_t *out, const char *pt,
    const meet_sdp_codec_t *c, unsigned fb);
static void meet_sdp_put_ssrc(meet_sdp_out_t *out, uint32_t ssrc,
    const meet_sdp_decision_t *d);
static void meet_sdp_put_candidates(meet_sdp_out_t *out,
    const meet_sdp_local_t *local);


/* header extensions we forward; the answer keeps the offer's ids */
static const char  *meet_sdp_extensions[] = {
    MEET_SDP_EXT_MID,
    MEET_SDP_EXT_AUDIO_LEVEL,
    MEET_SDP_EXT_ABS_SEND_TIME,
    MEET_SDP_EXT_TWCC,
    MEET_SDP_EXT_RID,
    MEET_SDP_EXT_RRID,
    MEET_SDP_EXT_VIDEO_ORIENTATION,
    MEET_SDP_EXT_PLAYOUT_DELAY,
    NULL
};


void
meet_sdp_default_decisions(const meet_sdp_offer_t *offer,
    meet_sdp_decision_t *decisions)
{
    size_t                    i, naccepted;
    meet_sdp_decision_t      *d;
    const meet_sdp_media_t   *m;

    naccepted = 0;

    for (i = 0; i < offer->nmedia; i++) {
        m = &offer->media[i];
        d = &decisions[i];

        memset(d, 0, sizeof(meet_sdp_decision_t));

        if ((m->type != MEET_SDP_AUDIO && m->type != MEET_SDP_VIDEO)
            || !m->rtp
            || (m->port == 0 && !m->bundle_only)
            || (offer->has_bundle && !m->in_bundle)
            || (!offer->has_bundle && naccepted))
        {
            continue;
        }

        /* receive what the client sends, send nothing */
        d->direction = (m->direction & MEET_SDP_SENDONLY) ? MEET_SDP_RECVONLY
                                                          : MEET_SDP_INACTIVE;
        d->accept = 1;

        if (meet_sdp_kept_codecs(m, d) == 0) {
            d->accept = 0;
            continue;
        }

        naccepted++;
    }
}


int
meet_sdp_accept_data(const meet_sdp_offer_t *offer,
    meet_sdp_decision_t *decisions)
{
    size_t                   i, naccepted;
    const meet_sdp_media_t  *m;

    naccepted = 0;

    for (i = 0; i < offer->nmedia; i++) {
        naccepted += decisions[i].accept;
    }

    for (i = 0; i < offer->nmedia; i++) {
        m = &offer->media[i];

        if (m->type != MEET_SDP_APPLICATION
            || !m->sctp
            || !meet_sdp_eq(&m->fmts, "webrtc-datachannel")
            || (m->port == 0 && !m->bundle_only)
            || (offer->has_bundle && !m->in_bundle)
            || (!offer->has_bundle && naccepted))
        {
            continue;
        }

        memset(&decisions[i], 0, sizeof(meet_sdp_decision_t));
        decisions[i].accept = 1;

        return (int) i;
    }

    return -1;
}


size_t
meet_sdp_kept_codecs(const meet_sdp_media_t *m, const meet_sdp_decision_t *d)
{
    u_char  keep[MEET_SDP_MAX_CODECS];

    return meet_sdp_keep(m, d, keep);
}


/*
 * The codecs we forward, kept in offer order:
 *   audio: opus/48000/2; red/48000 only with allow_red, when it has an
 *          fmtp ("111/111") whose every PT is kept; no CN, no
 *          telephone-event (the SFU forwards no DTMF and no comfort noise)
 *          and no G.711/G.722 (nothing to transcode from opus);
 *   video: VP8, VP9, AV1, H264 with packetization-mode=1, all /90000;
 *          no red, ulpfec or flexfec (the SFU does not repair);
 *   each kept codec's rtx (apt=) payload type.
 */

static int
meet_sdp_forwarded(const meet_sdp_media_t *m, const meet_sdp_codec_t *c,
    const meet_sdp_decision_t *d)
{
    size_t          i;
    const u_char   *slash;
    meet_sdp_str_t  name;

    if (!c->has_rtpmap) {
        return 0;
    }

    if (m->type == MEET_SDP_AUDIO) {
        if (!meet_sdp_ieq(&c->name, "opus")
            || c->clock != 48000 || c->channels != 2)
        {
            return 0;
        }

    } else if (m->type == MEET_SDP_VIDEO) {
        if (c->clock != 90000) {
            return 0;
        }

        if (meet_sdp_ieq(&c->name, "H264")) {
            if (c->packetization_mode != 1) {
                return 0;
            }

        } else if (!meet_sdp_ieq(&c->name, "VP8")
                   && !meet_sdp_ieq(&c->name, "VP9")
                   && !meet_sdp_ieq(&c->name, "AV1"))
        {
            return 0;
        }

    } else {
        return 0;
    }

    if (d->codecs == NULL) {
        return 1;
    }

    for (i = 0; i < d->ncodecs; i++) {
        name = d->codecs[i];

        if (name.data == NULL) {
            continue;
        }

        /* "video/VP8" is "VP8" */
        slash = memchr(name.data, '/', name.len);
        if (slash) {
            name.len -= slash + 1 - name.data;
            name.data = slash + 1;
        }

        if (meet_sdp_ieq2(&name, &c->name)) {
            return 1;
        }
    }

    return 0;
}


static size_t
meet_sdp_keep(const meet_sdp_media_t *m, const meet_sdp_decision_t *d,
    u_char *keep)
{
    size_t                   i, j, n, ok;
    uint64_t                 pt;
    const u_char            *p, *end;
    meet_sdp_str_t           tok;
    const meet_sdp_codec_t  *c;

    n = 0;

    for (i = 0; i < m->ncodecs; i++) {
        keep[i] = (u_char) meet_sdp_forwarded(m, &m->codecs[i], d);
        n += keep[i];
    }

    if (n == 0) {
        return 0;
    }

    /* audio red: every redundant PT must be a kept primary codec */

    if (m->type == MEET_SDP_AUDIO && d->allow_red) {
        for (i = 0; i < m->ncodecs; i++) {
            c = &m->codecs[i];

            if (!c->has_rtpmap || !meet_sdp_ieq(&c->name, "red")
                || c->clock != 48000)
            {
                continue;
            }

            if (c->fmtp.len == 0) {
                continue;
            }

            ok = 1;
            p = c->fmtp.data;
            end = c->fmtp.data + c->fmtp.len;

            /* "111/111": make '/' a separator */
            while (ok && p < end) {
                tok.data = p;

                while (p < end && *p != '/') {
                    p++;
                }

                tok.len = p - tok.data;
                p += (p < end);

                ok = 0;

                if (meet_sdp_uint(&tok, 127, &pt) == MEET_SDP_OK) {
                    for (j = 0; j < m->ncodecs; j++) {
                        if (m->codecs[j].pt == pt && keep[j] == 1) {
                            ok = 1;
                            break;
                        }
                    }
                }
            }

            if (ok) {
                keep[i] = 2;
                n++;
            }
        }
    }

    /* rtx of a kept codec (primary or red) */

    for (i = 0; i < m->ncodecs; i++) {
        c = &m->codecs[i];

        if (keep[i] || c->apt < 0 || !meet_sdp_ieq(&c->name, "rtx")) {
            continue;
        }

        for (j = 0; j < m->ncodecs; j++) {
            if (m->codecs[j].pt == c->apt && (keep[j] == 1 || keep[j] == 2)) {
                keep[i] = 3;
                n++;
                break;
            }
        }
    }

    return n;
}


static int
meet_sdp_accepted(const meet_sdp_media_t *m, const meet_sdp_decision_t *d)
{
    /* a section the offer itself rejects stays rejected (RFC 8829 5.3.1) */
    return d->accept && (m->port != 0 || m->bundle_only);
}


uint32_t
meet_sdp_candidate_priority(const meet_sdp_candidate_t *c, size_t i)
{
    uint32_t  local;

    /*
     * RFC 8445 5.1.2.1: (2^24) type + (2^8) local + (256 - component);
     * host type preference 126; the local preference puts every UDP
     * candidate above every TCP one and keeps the caller's order (so its
     * IPv4/IPv6 ranking) within each transport.
     */

    local = (i < 0x7fff) ? 0x7fff - (uint32_t) i : 0;

    if (!c->tcp) {
        local += 0x8000;
    }

    return (126u << 24) + (local << 8) + (256 - 1);
}


ssize_t
meet_sdp_build_answer(const meet_sdp_offer_t *offer,
    const meet_sdp_local_t *local, const meet_sdp_decision_t *decisions,
    size_t ndecisions, u_char *buf, size_t size, size_t *needed,
    const char **err)
{
    size_t                       i, j, naccepted;
    uint16_t                     port;
    u_char                       keep[MEET_SDP_MAX_CODECS];
    const char                  *e;
    meet_sdp_out_t               out;
    const meet_sdp_media_t      *m;
    const meet_sdp_decision_t   *d;
    const meet_sdp_candidate_t  *def;

    if (needed) {
        *needed = 0;
    }

    e = meet_sdp_check(offer, local, decisions, ndecisions);
    if (e) {
        if (err) {
            *err = e;
        }

        return MEET_SDP_ERROR;
    }

    out.buf = buf;
    out.size = buf ? size : 0;
    out.len = 0;

    /* the default candidate for real_port */

    def = NULL;
    port = 9;

    if (local->real_port && local->ncandidates) {
        def = &local->candidates[0];

        for (i = 0; i < local->ncandidates; i++) {
            if (!local->candidates[i].tcp) {
                def = &local->candidates[i];
                break;
            }
        }

        port = def->port;
    }

    /* session */

    meet_sdp_puts(&out, "v=0\r\no=- ");
    meet_sdp_putu(&out, local->session_id);
    meet_sdp_puts(&out, " ");
    meet_sdp_putu(&out, local->session_version);
    meet_sdp_puts(&out, " IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n");

    naccepted = 0;

    for (i = 0; i < offer->nmedia; i++) {
        naccepted += meet_sdp_accepted(&offer->media[i], &decisions[i]);
    }

    if (offer->has_bundle && naccepted) {
        meet_sdp_puts(&out, "a=group:BUNDLE");

        /* in the offer's group order: its first mid is the tagged one */
        for (i = 0; i < offer->nbundle; i++) {
            for (j = 0; j < offer->nmedia; j++) {
                m = &offer->media[j];

                if (m->mid.len == offer->bundle[i].len
                    && memcmp(m->mid.data, offer->bundle[i].data, m->mid.len)
                       == 0)
                {
                    if (meet_sdp_accepted(m, &decisions[j])) {
                        meet_sdp_puts(&out, " ");
                        meet_sdp_putstr(&out, &m->mid);
                    }

                    break;
                }
            }
        }

        meet_sdp_puts(&out, "\r\n");
    }

    if (offer->extmap_allow_mixed) {
        meet_sdp_puts(&out, "a=extmap-allow-mixed\r\n");
    }

    meet_sdp_puts(&out, "a=msid-semantic: WMS *\r\n");

    /* sections, in offer order */

    for (i = 0; i < offer->nmedia; i++) {
        m = &offer->media[i];
        d = &decisions[i];

        meet_sdp_puts(&out, "m=");
        meet_sdp_putstr(&out, &m->media);

        if (!meet_sdp_accepted(m, d)) {
            meet_sdp_puts(&out, " 0 ");
            meet_sdp_putstr(&out, &m->proto);
            meet_sdp_puts(&out, " ");
            meet_sdp_putstr(&out, &m->fmts);
            meet_sdp_puts(&out, "\r\nc=IN IP4 0.0.0.0\r\n");

            if (m->mid.len) {
                meet_sdp_puts(&out, "a=mid:");
                meet_sdp_putstr(&out, &m->mid);
                meet_sdp_puts(&out, "\r\n");
            }

            continue;
        }

        meet_sdp_puts(&out, " ");
        meet_sdp_putu(&out, port);
        meet_sdp_puts(&out, " ");
        meet_sdp_putstr(&out, &m->proto);

        if (m->rtp) {
            (void) meet_sdp_keep(m, d, keep);

            for (j = 0; j < m->ncodecs; j++) {
                if (keep[j]) {
                    meet_sdp_puts(&out, " ");
                    meet_sdp_putu(&out, m->codecs[j].pt);
                }
            }

        } else {
            meet_sdp_puts(&out, " ");
            meet_sdp_putstr(&out, &m->fmts);
        }

        meet_sdp_puts(&out, "\r\n");

        meet_sdp_put_transport(&out, m, local, def);

        if (m->rtp) {
            meet_sdp_put_rtp(&out, m, d, keep);

        } else {
            meet_sdp_puts(&out, "a=sctp-port:");
            meet_sdp_putu(&out, local->sctp_port ? local->sctp_port : 5000);
            meet_sdp_puts(&out, "\r\na=max-message-size:");
            meet_sdp_putu(&out, local->max_message_size
                                ? local->max_message_size : 262144);
            meet_sdp_puts(&out, "\r\n");
        }

        meet_sdp_put_candidates(&out, local);
    }

    if (needed) {
        *needed = out.len;
    }

    if (buf == NULL || out.len > size) {
        if (err) {
            *err = "answer buffer too small";
        }

        return MEET_SDP_TOO_SMALL;
    }

    return (ssize_t) out.len;
}


static const char *
meet_sdp_check(const meet_sdp_offer_t *offer, const meet_sdp_local_t *local,
    const meet_sdp_decision_t *decisions, size_t ndecisions)
{
    size_t                       i, j, naccepted;
    u_char                       ch, fp[MEET_SDP_FP_MAX];
    meet_sdp_str_t               s;
    const meet_sdp_media_t      *m;
    const meet_sdp_decision_t   *d;
    const meet_sdp_candidate_t  *c;

    if (offer == NULL || local == NULL
        || (decisions == NULL && ndecisions))
    {
        return "no offer, local parameters or decisions";
    }

    if (ndecisions != offer->nmedia) {
        return "one decision per m= section is needed";
    }

    if (!meet_sdp_is_ice(&local->ice_ufrag, 4, 256)) {
        return "local ICE ufrag is not 4-256 ice-chars";
    }

    if (!meet_sdp_is_ice(&local->ice_pwd, 22, 256)) {
        return "local ICE password is not 22-256 ice-chars";
    }

    if (local->fingerprint.data == NULL
        || meet_sdp_hex_fp(&local->fingerprint, fp, sizeof(fp)) != 32)
    {
        return "local fingerprint is not a sha-256 \"AB:CD:...\"";
    }

    if (local->ncandidates && local->candidates == NULL) {
        return "no candidates";
    }

    for (i = 0; i < local->ncandidates; i++) {
        c = &local->candidates[i];

        if (c->address.data == NULL || c->address.len == 0
            || c->address.len > 64 || c->port == 0)
        {
            return "bad local candidate";
        }

        for (j = 0; j < c->address.len; j++) {
            ch = c->address.data[j];

            if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')
                  || (ch >= 'A' && ch <= 'F') || ch == '.' || ch == ':'))
            {
                return "local candidate address is not an IP address";
            }
        }
    }

    naccepted = 0;

    for (i = 0; i < offer->nmedia; i++) {
        m = &offer->media[i];
        d = &decisions[i];

        if (!meet_sdp_accepted(m, d)) {
            continue;
        }

        naccepted++;

        if (offer->has_bundle && !m->in_bundle) {
            return "accepted m= section is not in the BUNDLE group";
        }

        if (m->sctp && !m->rtp) {
            continue;
        }

        if (!m->rtp) {
            return "accepted m= section is neither RTP nor SCTP";
        }

        if (d->direction > MEET_SDP_SENDRECV) {
            return "bad direction in a decision";
        }

        /* we may send only if the client receives, and the reverse */
        if (((d->direction & MEET_SDP_SENDONLY)
             && !(m->direction & MEET_SDP_RECVONLY))
            || ((d->direction & MEET_SDP_RECVONLY)
                && !(m->direction & MEET_SDP_SENDONLY)))
        {
            return "answer direction incompatible with the offer's";
        }

        if (meet_sdp_kept_codecs(m, d) == 0) {
            return "accepted m= section has no codec we forward";
        }

        if (!(d->direction & MEET_SDP_SENDONLY)) {
            continue;
        }

        if ((d->msid_stream.len
             && !meet_sdp_is_token(&d->msid_stream, MEET_SDP_ID_MAX))
            || (d->msid_track.len
                && !meet_sdp_is_token(&d->msid_track, MEET_SDP_ID_MAX)))
        {
            return "msid is not a token";
        }

        s = d->cname;

        if (s.len > MEET_SDP_ID_MAX || (s.len && s.data == NULL)) {
            return "bad cname";
        }

        for (j = 0; j < s.len; j++) {
            if (s.data[j] <= 0x20 || s.data[j] >= 0x7f) {
                return "bad cname";
            }
        }
    }

    if (naccepted > 1 && !offer->has_bundle) {
        return "several accepted m= sections need a BUNDLE offer";
    }

    return NULL;
}


static void
meet_sdp_put_transport(meet_sdp_out_t *out, const meet_sdp_media_t *m,
    const meet_sdp_local_t *local, const meet_sdp_candidate_t *def)
{
    if (def) {
        meet_sdp_puts(out, memchr(def->address.data, ':', def->address.len)
                           ? "c=IN IP6 " : "c=IN IP4 ");
        meet_sdp_putstr(out, &def->address);
        meet_sdp_puts(out, "\r\n");

    } else {
        meet_sdp_puts(out, "c=IN IP4 0.0.0.0\r\n");
    }

    meet_sdp_puts(out, "a=ice-ufrag:");
    meet_sdp_putstr(out, &local->ice_ufrag);
    meet_sdp_puts(out, "\r\na=ice-pwd:");
    meet_sdp_putstr(out, &local->ice_pwd);
    meet_sdp_puts(out, "\r\na=fingerprint:sha-256 ");
    meet_sdp_putstr(out, &local->fingerprint);
    meet_sdp_puts(out, "\r\na=setup:passive\r\n");

    if (m->mid.len) {
        meet_sdp_puts(out, "a=mid:");
        meet_sdp_putstr(out, &m->mid);
        meet_sdp_puts(out, "\r\n");
    }
}


static void
meet_sdp_put_rtp(meet_sdp_out_t *out, const meet_sdp_media_t *m,
    const meet_sdp_decision_t *d, const u_char *keep)
{
    size_t                    i, j, rtx, nsend;
    unsigned                  dir;
    const meet_sdp_codec_t   *c;
    const meet_sdp_extmap_t  *e;
    static const char        *rev[] = {
        "inactive", "recvonly", "sendonly", "sendrecv"
    };

    /* header extensions: the offer's ids for the URIs we know */

    for (i = 0; i < m->nextmaps; i++) {
        e = &m->extmaps[i];

        for (j = 0; meet_sdp_extensions[j]; j++) {
            if (meet_sdp_eq(&e->uri, meet_sdp_extensions[j])) {
                break;
            }
        }

        if (meet_sdp_extensions[j] == NULL) {
            continue;
        }

        meet_sdp_puts(out, "a=extmap:");
        meet_sdp_putu(out, e->id);

        if (e->has_direction) {
            /* the answer's view: the offerer's sendonly is our recvonly */
            meet_sdp_puts(out, "/");
            meet_sdp_puts(out, rev[e->direction & 3]);
        }

        meet_sdp_puts(out, " ");
        meet_sdp_putstr(out, &e->uri);
        meet_sdp_puts(out, "\r\n");
    }

    dir = d->direction & 3;

    meet_sdp_puts(out, "a=");
    meet_sdp_puts(out, meet_sdp_direction_name(dir));
    meet_sdp_puts(out, "\r\n");

    if ((dir & MEET_SDP_SENDONLY) && d->msid_track.len) {
        meet_sdp_puts(out, "a=msid:");

        if (d->msid_stream.len) {
            meet_sdp_putstr(out, &d->msid_stream);

        } else {
            meet_sdp_puts(out, "-");
        }

        meet_sdp_puts(out, " ");
        meet_sdp_putstr(out, &d->msid_track);
        meet_sdp_puts(out, "\r\n");
    }

    meet_sdp_puts(out, "a=rtcp-mux\r\n");

    if (m->rtcp_rsize) {
        meet_sdp_puts(out, "a=rtcp-rsize\r\n");
    }

    if (m->fb_any & MEET_SDP_FB_KEEP) {
        meet_sdp_put_fb(out, "*", NULL, m->fb_any);
    }

    rtx = 0;

    for (i = 0; i < m->ncodecs; i++) {
        if (!keep[i]) {
            continue;
        }

        c = &m->codecs[i];

        if (keep[i] == 3) {
            rtx = 1;
        }

        meet_sdp_puts(out, "a=rtpmap:");
        meet_sdp_putu(out, c->pt);
        meet_sdp_puts(out, " ");
        meet_sdp_putstr(out, &c->name);
        meet_sdp_puts(out, "/");
        meet_sdp_putu(out, c->clock);

        if (c->channels) {
            meet_sdp_puts(out, "/");
            meet_sdp_putu(out, c->channels);
        }

        meet_sdp_puts(out, "\r\n");

        if (c->fb & MEET_SDP_FB_KEEP) {
            meet_sdp_put_fb(out, NULL, c, c->fb);
        }

        if (c->fmtp.len) {
            meet_sdp_puts(out, "a=fmtp:");
            meet_sdp_putu(out, c->pt);
            meet_sdp_puts(out, " ");
            meet_sdp_putstr(out, &c->fmtp);
            meet_sdp_puts(out, "\r\n");
        }
    }

    /* simulcast (RFC 8853): we receive every layer the offer sends */

    if ((dir & MEET_SDP_RECVONLY) && m->simulcast.len) {
        nsend = 0;

        for (i = 0; i < m->nrids; i++) {
            if (!m->rids[i].send) {
                continue;
            }

            meet_sdp_puts(out, "a=rid:");
            meet_sdp_putstr(out, &m->rids[i].id);
            meet_sdp_puts(out, " recv\r\n");
            nsend++;
        }

        if (nsend) {
            meet_sdp_puts(out, "a=simulcast:recv ");

            for (i = 0, j = 0; i < m->nrids; i++) {
                if (!m->rids[i].send) {
                    continue;
                }

                if (j++) {
                    meet_sdp_puts(out, ";");
                }

                meet_sdp_putstr(out, &m->rids[i].id);
            }

            meet_sdp_puts(out, "\r\n");
        }
    }

    if (!(dir & MEET_SDP_SENDONLY) || d->ssrc == 0) {
        return;
    }

    if (rtx && d->rtx_ssrc) {
        meet_sdp_puts(out, "a=ssrc-group:FID ");
        meet_sdp_putu(out, d->ssrc);
        meet_sdp_puts(out, " ");
        meet_sdp_putu(out, d->rtx_ssrc);
        meet_sdp_puts(out, "\r\n");
    }

    meet_sdp_put_ssrc(out, d->ssrc, d);

    if (rtx && d->rtx_ssrc) {
        meet_sdp_put_ssrc(out, d->rtx_ssrc, d);
    }
}


static void
meet_sdp_put_fb(meet_sdp_out_t *out, const char *pt,
    const meet_sdp_codec_t *c, unsigned fb)
{
    size_t              i;
    static const struct {
        unsigned        flag;
        const char     *text;
    }                   types[] = {
        { MEET_SDP_FB_GOOG_REMB, "goog-remb" },
        { MEET_SDP_FB_TRANSPORT_CC, "transport-cc" },
        { MEET_SDP_FB_CCM_FIR, "ccm fir" },
        { MEET_SDP_FB_NACK, "nack" },
        { MEET_SDP_FB_NACK_PLI, "nack pli" }
    };

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (!(fb & types[i].flag)) {
            continue;
        }

        meet_sdp_puts(out, "a=rtcp-fb:");

        if (pt) {
            meet_sdp_puts(out, pt);

        } else {
            meet_sdp_putu(out, c->pt);
        }

        meet_sdp_puts(out, " ");
        meet_sdp_puts(out, types[i].text);
        meet_sdp_puts(out, "\r\n");
    }
}


static void
meet_sdp_put_ssrc(meet_sdp_out_t *out, uint32_t ssrc,
    const meet_sdp_decision_t *d)
{
    meet_sdp_puts(out, "a=ssrc:");
    meet_sdp_putu(out, ssrc);
    meet_sdp_puts(out, " cname:");

    if (d->cname.len) {
        meet_sdp_putstr(out, &d->cname);

    } else {
        meet_sdp_puts(out, "ngx_meet");
    }

    meet_sdp_puts(out, "\r\n");

    if (d->msid_track.len == 0) {
        return;
    }

    meet_sdp_puts(out, "a=ssrc:");
    meet_sdp_putu(out, ssrc);
    meet_sdp_puts(out, " msid:");

    if (d->msid_stream.len) {
        meet_sdp_putstr(out, &d->msid_stream);

    } else {
        meet_sdp_puts(out, "-");
    }

    meet_sdp_puts(out, " ");
    meet_sdp_putstr(out, &d->msid_track);
    meet_sdp_puts(out, "\r\n");
}


static void
meet_sdp_put_candidates(meet_sdp_out_t *out, const meet_sdp_local_t *local)
{
    size_t                       i;
    const meet_sdp_candidate_t  *c;

    for (i = 0; i < local->ncandidates; i++) {
        c = &local->candidates[i];

        /* foundation: one per (address, transport), here per candidate */
        meet_sdp_puts(out, "a=candidate:");
        meet_sdp_putu(out, i + 1);
        meet_sdp_puts(out, c->tcp ? " 1 tcp " : " 1 udp ");
        meet_sdp_putu(out, meet_sdp_candidate_priority(c, i));
        meet_sdp_puts(out, " ");
        meet_sdp_putstr(out, &c->address);
        meet_sdp_puts(out, " ");
        meet_sdp_putu(out, c->port);
        meet_sdp_puts(out, c->tcp ? " typ host tcptype passive\r\n"
                                  : " typ host\r\n");
    }

    meet_sdp_puts(out, "a=end-of-candidates\r\n");
}


static void
meet_sdp_put(meet_sdp_out_t *out, const void *data, size_t n)
{
    if (n && out->len <= out->size && n <= out->size - out->len) {
        memcpy(out->buf + out->len, data, n);
    }

    out->len += n;
}


static void
meet_sdp_puts(meet_sdp_out_t *out, const char *s)
{
    meet_sdp_put(out, s, strlen(s));
}


static void
meet_sdp_putstr(meet_sdp_out_t *out, const meet_sdp_str_t *s)
{
    meet_sdp_put(out, s->data, s->len);
}


static void
meet_sdp_putu(meet_sdp_out_t *out, uint64_t n)
{
    u_char  tmp[20], *p;

    p = tmp + sizeof(tmp);

    do {
        *--p = (u_char) ('0' + n % 10);
        n /= 10;
    } while (n);

    meet_sdp_put(out, p, tmp + sizeof(tmp) - p);
}
