
/*
 * Copyright (C) ngx_meet authors
 *
 * SDP offer parser and the queries on a parsed offer; the string checks
 * here serve the answer builder (meet_sdp_answer.c) too.  See meet_sdp.h.
 *
 * The parser works line by line on the caller's text and never writes to
 * it.  Every limit is checked before an array is written.  Lines may end
 * with CRLF or LF; empty lines are skipped; control characters other than
 * TAB are refused, so no slice can carry a CR or NUL into an answer.
 */


#include <string.h>

#include "meet_sdp.h"


#define MEET_SDP_MID_MAX        32


typedef struct {
    meet_sdp_offer_t     *offer;
    meet_sdp_media_t     *media;        /* current section, NULL: session */
    unsigned              line;
} meet_sdp_ctx_t;


typedef struct {
    const char           *name;
    size_t                len;          /* fingerprint bytes */
} meet_sdp_hash_t;


static int meet_sdp_fail(meet_sdp_ctx_t *ctx, const char *reason);
static int meet_sdp_line(meet_sdp_ctx_t *ctx, const u_char *p,
    const u_char *end);
static int meet_sdp_origin(meet_sdp_ctx_t *ctx, const u_char *p,
    const u_char *end);
static int meet_sdp_media(meet_sdp_ctx_t *ctx, const u_char *p,
    const u_char *end);
static int meet_sdp_attr(meet_sdp_ctx_t *ctx, const u_char *p,
    const u_char *end);
static int meet_sdp_attr_transport(meet_sdp_ctx_t *ctx,
    const meet_sdp_str_t *name, const meet_sdp_str_t *value);
static int meet_sdp_attr_group(meet_sdp_ctx_t *ctx,
    const meet_sdp_str_t *value);
static int meet_sdp_attr_rtpmap(meet_sdp_ctx_t *ctx,
    const meet_sdp_str_t *value);
static int meet_sdp_attr_fmtp(meet_sdp_ctx_t *ctx,
    const meet_sdp_str_t *value);
static int meet_sdp_attr_rtcp_fb(meet_sdp_ctx_t *ctx,
    const meet_sdp_str_t *value);
static int meet_sdp_attr_extmap(meet_sdp_ctx_t *ctx,
    const meet_sdp_str_t *value);
static int meet_sdp_attr_ssrc(meet_sdp_ctx_t *ctx,
    const meet_sdp_str_t *value);
static int meet_sdp_attr_ssrc_group(meet_sdp_ctx_t *ctx,
    const meet_sdp_str_t *value);
static int meet_sdp_attr_rid(meet_sdp_ctx_t *ctx,
    const meet_sdp_str_t *value);
static int meet_sdp_finalize(meet_sdp_ctx_t *ctx);
static void meet_sdp_codec_fmtp(meet_sdp_codec_t *c);

static int meet_sdp_token(const u_char **pos, const u_char *end,
    meet_sdp_str_t *tok);
static void meet_sdp_rest(const u_char *p, const u_char *end,
    meet_sdp_str_t *rest);
static int meet_sdp_direction(const meet_sdp_str_t *s);
static const meet_sdp_hash_t *meet_sdp_hash(const meet_sdp_str_t *s);
static meet_sdp_codec_t *meet_sdp_codec(meet_sdp_media_t *m, uint64_t pt);
static int meet_sdp_pt(meet_sdp_ctx_t *ctx, const u_char **pos,
    const u_char *end, int star, meet_sdp_codec_t **codec, int *is_star);


static const meet_sdp_hash_t  meet_sdp_hashes[] = {
    { "sha-1", 20 },
    { "sha-224", 28 },
    { "sha-256", 32 },
    { "sha-384", 48 },
    { "sha-512", 64 },
    { NULL, 0 }
};


static const char  *meet_sdp_directions[] = {
    "inactive", "sendonly", "recvonly", "sendrecv"
};


size_t
meet_sdp_offer_size(void)
{
    return sizeof(meet_sdp_offer_t);
}


int
meet_sdp_parse(meet_sdp_offer_t *offer, const u_char *text, size_t len)
{
    int              seen_v;
    const u_char    *p, *end, *eol, *next;
    meet_sdp_ctx_t   ctx;

    /* everything before the sections; each section is cleared when met */
    memset(offer, 0, offsetof(meet_sdp_offer_t, media));

    ctx.offer = offer;
    ctx.media = NULL;
    ctx.line = 0;

    if (text == NULL || len == 0) {
        return meet_sdp_fail(&ctx, "empty SDP: missing v=0");
    }

    if (len > MEET_SDP_MAX_SIZE) {
        return meet_sdp_fail(&ctx, "SDP larger than 64 KB");
    }

    seen_v = 0;
    p = text;
    end = text + len;

    while (p < end) {
        ctx.line++;

        eol = memchr(p, '\n', end - p);
        if (eol == NULL) {
            eol = end;
            next = end;

        } else {
            next = eol + 1;
        }

        if (eol > p && eol[-1] == '\r') {
            eol--;
        }

        if (eol == p) {
            /* empty line: tolerated (e.g. a trailing blank line) */
            p = next;
            continue;
        }

        if (!seen_v) {
            if (eol - p != 3 || p[0] != 'v' || p[1] != '=' || p[2] != '0') {
                return meet_sdp_fail(&ctx, "the first line must be v=0");
            }

            seen_v = 1;
            p = next;
            continue;
        }

        if (meet_sdp_line(&ctx, p, eol) != MEET_SDP_OK) {
            return MEET_SDP_ERROR;
        }

        p = next;
    }

    if (!seen_v) {
        ctx.line = 0;
        return meet_sdp_fail(&ctx, "empty SDP: missing v=0");
    }

    return meet_sdp_finalize(&ctx);
}


static int
meet_sdp_fail(meet_sdp_ctx_t *ctx, const char *reason)
{
    ctx->offer->err = reason;
    ctx->offer->err_line = ctx->line;

    return MEET_SDP_ERROR;
}


static int
meet_sdp_line(meet_sdp_ctx_t *ctx, const u_char *p, const u_char *end)
{
    u_char           type;
    const u_char    *q;
    meet_sdp_str_t   value;

    for (q = p; q < end; q++) {
        if ((*q < 0x20 && *q != '\t') || *q == 0x7f) {
            return meet_sdp_fail(ctx, "control character in a line");
        }
    }

    if (end - p < 2 || p[1] != '=' || p[0] < 'a' || p[0] > 'z') {
        return meet_sdp_fail(ctx, "line is not <letter>=<value>");
    }

    type = p[0];
    p += 2;

    switch (type) {

    case 'v':
        return meet_sdp_fail(ctx, "second v= line");

    case 'o':
        return meet_sdp_origin(ctx, p, end);

    case 's':
        ctx->offer->session_name.data = p;
        ctx->offer->session_name.len = end - p;
        return MEET_SDP_OK;

    case 'c':
        meet_sdp_rest(p, end, &value);

        if (ctx->media) {
            ctx->media->connection = value;

        } else {
            ctx->offer->connection = value;
        }

        return MEET_SDP_OK;

    case 'm':
        return meet_sdp_media(ctx, p, end);

    case 'a':
        return meet_sdp_attr(ctx, p, end);

    default:
        /* t=, b=, i=, u=, e=, p=, k=, r=, z= and unknown types */
        return MEET_SDP_OK;
    }
}


static int
meet_sdp_origin(meet_sdp_ctx_t *ctx, const u_char *p, const u_char *end)
{
    meet_sdp_str_t     nettype, addrtype;
    meet_sdp_offer_t  *o;

    o = ctx->offer;

    if (!meet_sdp_token(&p, end, &o->origin_user)
        || !meet_sdp_token(&p, end, &o->origin_sess_id)
        || !meet_sdp_token(&p, end, &o->origin_sess_version)
        || !meet_sdp_token(&p, end, &nettype)
        || !meet_sdp_token(&p, end, &addrtype)
        || !meet_sdp_token(&p, end, &o->origin_address))
    {
        return meet_sdp_fail(ctx, "o= line with fewer than 6 fields");
    }

    return MEET_SDP_OK;
}


static int
meet_sdp_media(meet_sdp_ctx_t *ctx, const u_char *p, const u_char *end)
{
    size_t             i;
    uint64_t           n;
    const u_char      *slash;
    meet_sdp_str_t     port, tok;
    meet_sdp_media_t  *m;
    meet_sdp_codec_t  *c;
    meet_sdp_offer_t  *o;

    o = ctx->offer;

    if (o->nmedia == MEET_SDP_MAX_MEDIA) {
        return meet_sdp_fail(ctx, "too many m= sections");
    }

    m = &o->media[o->nmedia++];
    memset(m, 0, sizeof(meet_sdp_media_t));
    ctx->media = m;

    m->line = ctx->line;

    if (!meet_sdp_token(&p, end, &m->media)
        || !meet_sdp_token(&p, end, &port)
        || !meet_sdp_token(&p, end, &m->proto))
    {
        return meet_sdp_fail(ctx, "m= line with fewer than 4 fields");
    }

    meet_sdp_rest(p, end, &m->fmts);

    if (m->fmts.len == 0) {
        return meet_sdp_fail(ctx, "m= line with fewer than 4 fields");
    }

    /* "<port>" or "<port>/<count>" */
    slash = memchr(port.data, '/', port.len);
    if (slash) {
        tok.data = slash + 1;
        tok.len = port.data + port.len - tok.data;

        if (meet_sdp_uint(&tok, 65535, &n) != MEET_SDP_OK) {
            return meet_sdp_fail(ctx, "bad port count in m= line");
        }

        port.len = slash - port.data;
    }

    if (meet_sdp_uint(&port, 65535, &n) != MEET_SDP_OK) {
        return meet_sdp_fail(ctx, "bad port in m= line");
    }

    m->port = (uint16_t) n;

    if (meet_sdp_eq(&m->media, "audio")) {
        m->type = MEET_SDP_AUDIO;

    } else if (meet_sdp_eq(&m->media, "video")) {
        m->type = MEET_SDP_VIDEO;

    } else if (meet_sdp_eq(&m->media, "application")) {
        m->type = MEET_SDP_APPLICATION;

    } else {
        m->type = MEET_SDP_OTHER;
    }

    for (i = 0; i + 4 <= m->proto.len; i++) {
        if (memcmp(m->proto.data + i, "RTP/", 4) == 0) {
            m->rtp = 1;
            break;
        }
    }

    if (m->proto.len >= 4
        && memcmp(m->proto.data + m->proto.len - 4, "SCTP", 4) == 0)
    {
        m->sctp = 1;
    }

    if (!m->rtp) {
        return MEET_SDP_OK;
    }

    /* RTP formats are payload types */

    p = m->fmts.data;
    end = m->fmts.data + m->fmts.len;

    while (meet_sdp_token(&p, end, &tok)) {

        if (meet_sdp_uint(&tok, 127, &n) != MEET_SDP_OK) {
            return meet_sdp_fail(ctx, "bad payload type in m= line");
        }

        if (meet_sdp_codec(m, n)) {
            return meet_sdp_fail(ctx, "duplicate payload type in m= line");
        }

        if (m->ncodecs == MEET_SDP_MAX_CODECS) {
            return meet_sdp_fail(ctx, "too many payload types in m= line");
        }

        c = &m->codecs[m->ncodecs++];
        memset(c, 0, sizeof(meet_sdp_codec_t));

        c->pt = (uint8_t) n;

        /* static payload types (RFC 3551) need no a=rtpmap */
        switch (n) {
        case 0:
            c->name.data = (const u_char *) "PCMU";
            c->name.len = 4;
            break;
        case 8:
            c->name.data = (const u_char *) "PCMA";
            c->name.len = 4;
            break;
        case 9:
            c->name.data = (const u_char *) "G722";
            c->name.len = 4;
            break;
        case 13:
            c->name.data = (const u_char *) "CN";
            c->name.len = 2;
            break;
        }

        if (c->name.len) {
            c->has_rtpmap = 1;
            c->clock = 8000;
        }
    }

    return MEET_SDP_OK;
}


static int
meet_sdp_attr(meet_sdp_ctx_t *ctx, const u_char *p, const u_char *end)
{
    int                dir;
    uint64_t           n;
    const u_char      *colon;
    meet_sdp_str_t     name, value;
    meet_sdp_media_t  *m;
    meet_sdp_offer_t  *o;

    o = ctx->offer;
    m = ctx->media;

    colon = memchr(p, ':', end - p);

    name.data = p;

    if (colon) {
        name.len = colon - p;
        meet_sdp_rest(colon + 1, end, &value);

    } else {
        name.len = end - p;
        value.data = end;
        value.len = 0;
    }

    /* attributes allowed at both levels */

    if (meet_sdp_eq(&name, "ice-ufrag")
        || meet_sdp_eq(&name, "ice-pwd")
        || meet_sdp_eq(&name, "fingerprint")
        || meet_sdp_eq(&name, "setup"))
    {
        return meet_sdp_attr_transport(ctx, &name, &value);
    }

    dir = meet_sdp_direction(&name);
    if (dir >= 0 && colon == NULL) {
        if (m) {
            m->direction = (unsigned) dir;
            m->has_direction = 1;

        } else {
            o->direction = (unsigned) dir;
            o->has_direction = 1;
        }

        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "ice-options")) {
        if (m == NULL) {
            o->ice_options = value;
        }

        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "extmap-allow-mixed")) {
        o->extmap_allow_mixed = 1;
        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "end-of-candidates")) {
        if (m) {
            m->end_of_candidates = 1;
        }

        return MEET_SDP_OK;
    }

    if (m == NULL) {

        /* session-level attributes */

        if (meet_sdp_eq(&name, "group")) {
            return meet_sdp_attr_group(ctx, &value);
        }

        if (meet_sdp_eq(&name, "ice-lite")) {
            o->ice_lite = 1;
            return MEET_SDP_OK;
        }

        if (meet_sdp_eq(&name, "msid-semantic")) {
            o->msid_semantic = value;
            return MEET_SDP_OK;
        }

        if (meet_sdp_eq(&name, "mid")
            || meet_sdp_eq(&name, "rtpmap")
            || meet_sdp_eq(&name, "fmtp")
            || meet_sdp_eq(&name, "rtcp-fb")
            || meet_sdp_eq(&name, "rtcp-mux")
            || meet_sdp_eq(&name, "rtcp-rsize")
            || meet_sdp_eq(&name, "msid")
            || meet_sdp_eq(&name, "ssrc")
            || meet_sdp_eq(&name, "ssrc-group")
            || meet_sdp_eq(&name, "rid")
            || meet_sdp_eq(&name, "simulcast")
            || meet_sdp_eq(&name, "sctp-port")
            || meet_sdp_eq(&name, "max-message-size")
            || meet_sdp_eq(&name, "candidate")
            || meet_sdp_eq(&name, "bundle-only"))
        {
            return meet_sdp_fail(ctx,
                                 "media-level attribute before any m= line");
        }

        /* unknown, or legal but unused here (e.g. session-level extmap) */
        return MEET_SDP_OK;
    }

    /* media-level attributes */

    if (meet_sdp_eq(&name, "mid")) {
        if (m->mid.data) {
            return meet_sdp_fail(ctx, "second a=mid in a section");
        }

        if (!meet_sdp_is_token(&value, MEET_SDP_MID_MAX)) {
            return meet_sdp_fail(ctx, "bad a=mid");
        }

        m->mid = value;
        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "rtcp-mux")) {
        m->rtcp_mux = 1;
        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "rtcp-rsize")) {
        m->rtcp_rsize = 1;
        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "bundle-only")) {
        m->bundle_only = 1;
        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "rtpmap")) {
        return meet_sdp_attr_rtpmap(ctx, &value);
    }

    if (meet_sdp_eq(&name, "fmtp")) {
        return meet_sdp_attr_fmtp(ctx, &value);
    }

    if (meet_sdp_eq(&name, "rtcp-fb")) {
        return meet_sdp_attr_rtcp_fb(ctx, &value);
    }

    if (meet_sdp_eq(&name, "extmap")) {
        return meet_sdp_attr_extmap(ctx, &value);
    }

    if (meet_sdp_eq(&name, "msid")) {
        if (m->nmsids++ == 0) {
            p = value.data;
            end = value.data + value.len;

            if (!meet_sdp_token(&p, end, &m->msid_stream)) {
                return meet_sdp_fail(ctx, "empty a=msid");
            }

            (void) meet_sdp_token(&p, end, &m->msid_track);
        }

        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "ssrc")) {
        return meet_sdp_attr_ssrc(ctx, &value);
    }

    if (meet_sdp_eq(&name, "ssrc-group")) {
        return meet_sdp_attr_ssrc_group(ctx, &value);
    }

    if (meet_sdp_eq(&name, "rid")) {
        return meet_sdp_attr_rid(ctx, &value);
    }

    if (meet_sdp_eq(&name, "simulcast")) {
        m->simulcast = value;
        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "sctp-port")) {
        if (meet_sdp_uint(&value, 65535, &n) != MEET_SDP_OK) {
            return meet_sdp_fail(ctx, "bad a=sctp-port");
        }

        m->sctp_port = (uint32_t) n;
        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "max-message-size")) {
        if (meet_sdp_uint(&value, 0xffffffff, &n) != MEET_SDP_OK) {
            return meet_sdp_fail(ctx, "bad a=max-message-size");
        }

        m->max_message_size = (uint32_t) n;
        m->has_max_message_size = 1;
        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(&name, "candidate")) {
        if (m->ncandidates < MEET_SDP_MAX_CANDIDATES) {
            m->candidates[m->ncandidates] = value;
        }

        if (m->ncandidates < (size_t) -1) {
            m->ncandidates++;
        }

        return MEET_SDP_OK;
    }

    /* unknown attribute, or one we need not read (a=rtcp:, a=rtcp-xr: ...) */
    return MEET_SDP_OK;
}


static int
meet_sdp_attr_transport(meet_sdp_ctx_t *ctx, const meet_sdp_str_t *name,
    const meet_sdp_str_t *value)
{
    int                     set;
    u_char                  fp[MEET_SDP_FP_MAX];
    const u_char           *p, *end;
    meet_sdp_str_t          hash, hex, *ufrag, *pwd, *fp_hash, *fp_hex;
    meet_sdp_media_t       *m;
    meet_sdp_offer_t       *o;
    const meet_sdp_hash_t  *h;

    o = ctx->offer;
    m = ctx->media;

    if (m) {
        ufrag = &m->ice_ufrag;
        pwd = &m->ice_pwd;
        fp_hash = &m->fp_hash;
        fp_hex = &m->fingerprint;

    } else {
        ufrag = &o->ice_ufrag;
        pwd = &o->ice_pwd;
        fp_hash = &o->fp_hash;
        fp_hex = &o->fingerprint;
    }

    if (meet_sdp_eq(name, "ice-ufrag")) {
        if (!meet_sdp_is_ice(value, 4, 256)) {
            return meet_sdp_fail(ctx, "a=ice-ufrag is not 4-256 ice-chars");
        }

        *ufrag = *value;

        if (m) {
            m->own_ice = 1;
        }

        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(name, "ice-pwd")) {
        if (!meet_sdp_is_ice(value, 22, 256)) {
            return meet_sdp_fail(ctx, "a=ice-pwd is not 22-256 ice-chars");
        }

        *pwd = *value;

        if (m) {
            m->own_ice = 1;
        }

        return MEET_SDP_OK;
    }

    if (meet_sdp_eq(name, "setup")) {
        if (meet_sdp_eq(value, "actpass")) {
            set = MEET_SDP_SETUP_ACTPASS;

        } else if (meet_sdp_eq(value, "active")) {
            set = MEET_SDP_SETUP_ACTIVE;

        } else if (meet_sdp_eq(value, "passive")) {
            set = MEET_SDP_SETUP_PASSIVE;

        } else if (meet_sdp_eq(value, "holdconn")) {
            set = MEET_SDP_SETUP_HOLDCONN;

        } else {
            return meet_sdp_fail(ctx, "bad a=setup");
        }

        if (m) {
            m->setup = set;
            m->own_setup = 1;

        } else {
            o->setup = set;
        }

        return MEET_SDP_OK;
    }

    /* a=fingerprint:<hash-func> <XX:XX:...> */

    p = value->data;
    end = value->data + value->len;

    if (!meet_sdp_token(&p, end, &hash) || !meet_sdp_token(&p, end, &hex)) {
        return meet_sdp_fail(ctx, "bad a=fingerprint");
    }

    h = meet_sdp_hash(&hash);
    if (h == NULL) {
        return meet_sdp_fail(ctx, "unsupported a=fingerprint hash");
    }

    if (meet_sdp_hex_fp(&hex, fp, sizeof(fp)) != h->len) {
        return meet_sdp_fail(ctx,
                             "a=fingerprint is not hex of the hash's length");
    }

    /* several fingerprints: keep sha-256 if there is one, else the last */
    if (fp_hash->len == 0 || !meet_sdp_ieq(fp_hash, "sha-256")) {
        *fp_hash = hash;
        *fp_hex = hex;
    }

    if (m) {
        m->own_fingerprint = 1;
    }

    return MEET_SDP_OK;
}


static int
meet_sdp_attr_group(meet_sdp_ctx_t *ctx, const meet_sdp_str_t *value)
{
    size_t             i;
    const u_char      *p, *end;
    meet_sdp_str_t     sem, mid;
    meet_sdp_offer_t  *o;

    o = ctx->offer;
    p = value->data;
    end = value->data + value->len;

    if (!meet_sdp_token(&p, end, &sem)) {
        return meet_sdp_fail(ctx, "empty a=group");
    }

    if (!meet_sdp_eq(&sem, "BUNDLE") || o->has_bundle) {
        /* LS, FID ... and further BUNDLE groups are not used */
        return MEET_SDP_OK;
    }

    o->has_bundle = 1;

    while (meet_sdp_token(&p, end, &mid)) {

        if (!meet_sdp_is_token(&mid, MEET_SDP_MID_MAX)) {
            return meet_sdp_fail(ctx, "bad mid in a=group:BUNDLE");
        }

        for (i = 0; i < o->nbundle; i++) {
            if (o->bundle[i].len == mid.len
                && memcmp(o->bundle[i].data, mid.data, mid.len) == 0)
            {
                return meet_sdp_fail(ctx, "duplicate mid in a=group:BUNDLE");
            }
        }

        if (o->nbundle == MEET_SDP_MAX_MEDIA) {
            return meet_sdp_fail(ctx, "too many mids in a=group:BUNDLE");
        }

        o->bundle[o->nbundle++] = mid;
    }

    return MEET_SDP_OK;
}


static int
meet_sdp_attr_rtpmap(meet_sdp_ctx_t *ctx, const meet_sdp_str_t *value)
{
    uint64_t           n;
    const u_char      *p, *end, *s1, *s2;
    meet_sdp_str_t     enc, tok;
    meet_sdp_codec_t  *c;

    p = value->data;
    end = value->data + value->len;

    if (meet_sdp_pt(ctx, &p, end, 0, &c, NULL) != MEET_SDP_OK) {
        return MEET_SDP_ERROR;
    }

    if (!meet_sdp_token(&p, end, &enc)) {
        return meet_sdp_fail(ctx, "bad a=rtpmap");
    }

    /* <name>/<clock>[/<channels>] */

    s1 = memchr(enc.data, '/', enc.len);
    if (s1 == NULL || s1 == enc.data) {
        return meet_sdp_fail(ctx, "bad a=rtpmap");
    }

    tok.data = s1 + 1;
    s2 = memchr(tok.data, '/', enc.data + enc.len - tok.data);
    tok.len = (s2 ? s2 : enc.data + enc.len) - tok.data;

    if (meet_sdp_uint(&tok, 0xffffffff, &n) != MEET_SDP_OK || n == 0) {
        return meet_sdp_fail(ctx, "bad clock rate in a=rtpmap");
    }

    if (c == NULL) {
        /* not in the m= line: ignored (RFC 8866 6.6) */
        return MEET_SDP_OK;
    }

    c->clock = (uint32_t) n;
    c->name.data = enc.data;
    c->name.len = s1 - enc.data;
    c->has_rtpmap = 1;
    c->channels = 0;

    if (s2) {
        tok.data = s2 + 1;
        tok.len = enc.data + enc.len - tok.data;

        if (meet_sdp_uint(&tok, 255, &n) != MEET_SDP_OK || n == 0) {
            return meet_sdp_fail(ctx, "bad channel count in a=rtpmap");
        }

        c->channels = (uint8_t) n;
    }

    return MEET_SDP_OK;
}


static int
meet_sdp_attr_fmtp(meet_sdp_ctx_t *ctx, const meet_sdp_str_t *value)
{
    const u_char      *p, *end;
    meet_sdp_codec_t  *c;

    p = value->data;
    end = value->data + value->len;

    if (meet_sdp_pt(ctx, &p, end, 0, &c, NULL) != MEET_SDP_OK) {
        return MEET_SDP_ERROR;
    }

    if (c) {
        meet_sdp_rest(p, end, &c->fmtp);
    }

    return MEET_SDP_OK;
}


static int
meet_sdp_attr_rtcp_fb(meet_sdp_ctx_t *ctx, const meet_sdp_str_t *value)
{
    int                star;
    unsigned           fb;
    const u_char      *p, *end;
    meet_sdp_str_t     type, param;
    meet_sdp_codec_t  *c;

    p = value->data;
    end = value->data + value->len;

    if (meet_sdp_pt(ctx, &p, end, 1, &c, &star) != MEET_SDP_OK) {
        return MEET_SDP_ERROR;
    }

    if (!meet_sdp_token(&p, end, &type)) {
        return meet_sdp_fail(ctx, "a=rtcp-fb without a type");
    }

    if (!meet_sdp_token(&p, end, &param)) {
        param.len = 0;
    }

    if (meet_sdp_eq(&type, "nack")) {
        if (param.len == 0) {
            fb = MEET_SDP_FB_NACK;

        } else if (meet_sdp_eq(&param, "pli")) {
            fb = MEET_SDP_FB_NACK_PLI;

        } else {
            fb = MEET_SDP_FB_OTHER;
        }

    } else if (meet_sdp_eq(&type, "ccm") && meet_sdp_eq(&param, "fir")) {
        fb = MEET_SDP_FB_CCM_FIR;

    } else if (meet_sdp_eq(&type, "goog-remb") && param.len == 0) {
        fb = MEET_SDP_FB_GOOG_REMB;

    } else if (meet_sdp_eq(&type, "transport-cc") && param.len == 0) {
        fb = MEET_SDP_FB_TRANSPORT_CC;

    } else {
        fb = MEET_SDP_FB_OTHER;
    }

    if (star) {
        ctx->media->fb_any |= (uint8_t) fb;

    } else if (c) {
        c->fb |= (uint8_t) fb;
    }

    return MEET_SDP_OK;
}


static int
meet_sdp_attr_extmap(meet_sdp_ctx_t *ctx, const meet_sdp_str_t *value)
{
    int                 dir;
    size_t              i;
    uint64_t            id;
    const u_char       *p, *end, *slash;
    meet_sdp_str_t      tok, d;
    meet_sdp_media_t   *m;
    meet_sdp_extmap_t  *e;

    m = ctx->media;
    p = value->data;
    end = value->data + value->len;

    if (!meet_sdp_token(&p, end, &tok)) {
        return meet_sdp_fail(ctx, "bad a=extmap");
    }

    dir = -1;

    slash = memchr(tok.data, '/', tok.len);
    if (slash) {
        d.data = slash + 1;
        d.len = tok.data + tok.len - d.data;
        tok.len = slash - tok.data;

        dir = meet_sdp_direction(&d);
        if (dir < 0) {
            return meet_sdp_fail(ctx, "bad direction in a=extmap");
        }
    }

    if (meet_sdp_uint(&tok, 255, &id) != MEET_SDP_OK || id == 0) {
        return meet_sdp_fail(ctx, "bad a=extmap id");
    }

    for (i = 0; i < m->nextmaps; i++) {
        if (m->extmaps[i].id == id) {
            return meet_sdp_fail(ctx, "duplicate a=extmap id");
        }
    }

    if (m->nextmaps == MEET_SDP_MAX_EXTMAPS) {
        return meet_sdp_fail(ctx, "too many a=extmap in a section");
    }

    e = &m->extmaps[m->nextmaps];

    if (!meet_sdp_token(&p, end, &e->uri)) {
        return meet_sdp_fail(ctx, "a=extmap without a URI");
    }

    meet_sdp_rest(p, end, &e->attrs);

    e->id = (uint16_t) id;
    e->has_direction = (dir >= 0);
    e->direction = (dir >= 0) ? (uint8_t) dir : MEET_SDP_SENDRECV;

    m->nextmaps++;

    return MEET_SDP_OK;
}


static int
meet_sdp_attr_ssrc(meet_sdp_ctx_t *ctx, const meet_sdp_str_t *value)
{
    size_t             i;
    uint64_t           n;
    const u_char      *p, *end, *colon;
    meet_sdp_str_t     tok, attr, val;
    meet_sdp_ssrc_t   *s;
    meet_sdp_media_t  *m;

    m = ctx->media;
    p = value->data;
    end = value->data + value->len;

    if (!meet_sdp_token(&p, end, &tok)
        || meet_sdp_uint(&tok, 0xffffffff, &n) != MEET_SDP_OK)
    {
        return meet_sdp_fail(ctx, "bad a=ssrc");
    }

    s = NULL;

    for (i = 0; i < m->nssrcs; i++) {
        if (m->ssrcs[i].ssrc == n) {
            s = &m->ssrcs[i];
            break;
        }
    }

    if (s == NULL) {
        if (m->nssrcs == MEET_SDP_MAX_SSRCS) {
            return meet_sdp_fail(ctx, "too many SSRCs in a section");
        }

        s = &m->ssrcs[m->nssrcs++];
        memset(s, 0, sizeof(meet_sdp_ssrc_t));
        s->ssrc = (uint32_t) n;
    }

    /* <attribute>[:<value>] */

    meet_sdp_rest(p, end, &attr);
    if (attr.len == 0) {
        return MEET_SDP_OK;
    }

    colon = memchr(attr.data, ':', attr.len);
    if (colon == NULL) {
        return MEET_SDP_OK;
    }

    val.data = colon + 1;
    val.len = attr.data + attr.len - val.data;
    attr.len = colon - attr.data;

    if (meet_sdp_eq(&attr, "cname")) {
        s->cname = val;

    } else if (meet_sdp_eq(&attr, "msid")) {
        p = val.data;
        end = val.data + val.len;

        if (meet_sdp_token(&p, end, &s->msid_stream)) {
            (void) meet_sdp_token(&p, end, &s->msid_track);
        }
    }

    return MEET_SDP_OK;
}


static int
meet_sdp_attr_ssrc_group(meet_sdp_ctx_t *ctx, const meet_sdp_str_t *value)
{
    uint64_t                n;
    const u_char           *p, *end;
    meet_sdp_str_t          tok;
    meet_sdp_media_t       *m;
    meet_sdp_ssrc_group_t  *g;

    m = ctx->media;
    p = value->data;
    end = value->data + value->len;

    if (m->nssrc_groups == MEET_SDP_MAX_SSRC_GROUPS) {
        return meet_sdp_fail(ctx, "too many a=ssrc-group in a section");
    }

    g = &m->ssrc_groups[m->nssrc_groups];
    g->nssrcs = 0;

    if (!meet_sdp_token(&p, end, &g->semantics)) {
        return meet_sdp_fail(ctx, "empty a=ssrc-group");
    }

    while (meet_sdp_token(&p, end, &tok)) {

        if (meet_sdp_uint(&tok, 0xffffffff, &n) != MEET_SDP_OK) {
            return meet_sdp_fail(ctx, "bad SSRC in a=ssrc-group");
        }

        if (g->nssrcs == MEET_SDP_MAX_GROUP_SSRCS) {
            return meet_sdp_fail(ctx, "too many SSRCs in a=ssrc-group");
        }

        g->ssrcs[g->nssrcs++] = (uint32_t) n;
    }

    m->nssrc_groups++;

    return MEET_SDP_OK;
}


static int
meet_sdp_attr_rid(meet_sdp_ctx_t *ctx, const meet_sdp_str_t *value)
{
    size_t             i;
    u_char             ch;
    const u_char      *p, *end;
    meet_sdp_str_t     dir;
    meet_sdp_rid_t    *r;
    meet_sdp_media_t  *m;

    m = ctx->media;
    p = value->data;
    end = value->data + value->len;

    if (m->nrids == MEET_SDP_MAX_RIDS) {
        return meet_sdp_fail(ctx, "too many a=rid in a section");
    }

    r = &m->rids[m->nrids];

    if (!meet_sdp_token(&p, end, &r->id)
        || !meet_sdp_token(&p, end, &dir))
    {
        return meet_sdp_fail(ctx, "bad a=rid");
    }

    /* rid-id = 1*(alpha-numeric / "-" / "_") (RFC 8851) */

    if (r->id.len > 255) {
        return meet_sdp_fail(ctx, "bad a=rid id");
    }

    for (i = 0; i < r->id.len; i++) {
        ch = r->id.data[i];

        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z')
              || (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_'))
        {
            return meet_sdp_fail(ctx, "bad a=rid id");
        }
    }

    if (meet_sdp_eq(&dir, "send")) {
        r->send = 1;

    } else if (meet_sdp_eq(&dir, "recv")) {
        r->send = 0;

    } else {
        return meet_sdp_fail(ctx, "a=rid direction is not send or recv");
    }

    meet_sdp_rest(p, end, &r->params);

    m->nrids++;

    return MEET_SDP_OK;
}


static int
meet_sdp_finalize(meet_sdp_ctx_t *ctx)
{
    size_t             i, j;
    meet_sdp_media_t  *m;
    meet_sdp_offer_t  *o;

    o = ctx->offer;

    for (i = 0; i < o->nmedia; i++) {
        m = &o->media[i];
        ctx->line = m->line;

        if (m->ice_ufrag.len == 0) {
            m->ice_ufrag = o->ice_ufrag;
        }

        if (m->ice_pwd.len == 0) {
            m->ice_pwd = o->ice_pwd;
        }

        if (m->fingerprint.len == 0) {
            m->fp_hash = o->fp_hash;
            m->fingerprint = o->fingerprint;
        }

        if (!m->own_setup) {
            m->setup = o->setup;
        }

        if (!m->has_direction) {
            m->direction = o->has_direction ? o->direction
                                            : MEET_SDP_SENDRECV;
        }

        if (m->connection.len == 0) {
            m->connection = o->connection;
        }

        if (m->fingerprint.len) {
            m->fp_len = meet_sdp_hex_fp(&m->fingerprint, m->fp,
                                        MEET_SDP_FP_MAX);
        }

        /* a live section needs ICE and DTLS parameters */
        if (m->port != 0 || m->bundle_only) {
            if (m->ice_ufrag.len == 0) {
                return meet_sdp_fail(ctx, "m= section without a=ice-ufrag");
            }

            if (m->ice_pwd.len == 0) {
                return meet_sdp_fail(ctx, "m= section without a=ice-pwd");
            }

            if (m->fingerprint.len == 0) {
                return meet_sdp_fail(ctx,
                                     "m= section without a=fingerprint");
            }
        }

        if (o->has_bundle && m->mid.len == 0) {
            return meet_sdp_fail(ctx,
                                 "m= section without a=mid in a BUNDLE offer");
        }

        if (m->mid.len) {
            for (j = 0; j < i; j++) {
                if (o->media[j].mid.len == m->mid.len
                    && memcmp(o->media[j].mid.data, m->mid.data,
                              m->mid.len) == 0)
                {
                    return meet_sdp_fail(ctx, "duplicate a=mid");
                }
            }
        }

        for (j = 0; j < m->ncodecs; j++) {
            meet_sdp_codec_fmtp(&m->codecs[j]);
        }
    }

    for (i = 0; i < o->nbundle; i++) {
        m = (meet_sdp_media_t *) meet_sdp_find_mid(o, o->bundle[i].data,
                                                  o->bundle[i].len);
        if (m == NULL) {
            ctx->line = 0;
            return meet_sdp_fail(ctx, "a=group:BUNDLE names an unknown mid");
        }

        m->in_bundle = 1;
    }

    return MEET_SDP_OK;
}


static void
meet_sdp_codec_fmtp(meet_sdp_codec_t *c)
{
    size_t          i;
    int32_t         v;
    u_char          ch;
    int64_t         n;
    meet_sdp_str_t  val;

    n = meet_sdp_fmtp_uint(&c->fmtp, "apt");
    c->apt = (n >= 0 && n <= 127) ? (int32_t) n : -1;

    n = meet_sdp_fmtp_uint(&c->fmtp, "packetization-mode");
    c->packetization_mode = (n >= 0 && n <= 2) ? (int8_t) n : -1;

    n = meet_sdp_fmtp_uint(&c->fmtp, "level-asymmetry-allowed");
    c->level_asymmetry_allowed = (n >= 0 && n <= 1) ? (int8_t) n : -1;

    n = meet_sdp_fmtp_uint(&c->fmtp, "useinbandfec");
    c->useinbandfec = (n >= 0 && n <= 1) ? (int8_t) n : -1;

    n = meet_sdp_fmtp_uint(&c->fmtp, "minptime");
    c->minptime = (n >= 0 && n <= 32767) ? (int16_t) n : -1;

    c->profile_level_id = -1;

    if (meet_sdp_fmtp_param(&c->fmtp, "profile-level-id", &val)
        && val.len == 6)
    {
        v = 0;

        for (i = 0; i < 6; i++) {
            ch = val.data[i];

            if (ch >= '0' && ch <= '9') {
                v = v * 16 + (ch - '0');

            } else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f') {
                v = v * 16 + ((ch | 0x20) - 'a' + 10);

            } else {
                return;
            }
        }

        c->profile_level_id = v;
    }
}


const meet_sdp_codec_t *
meet_sdp_find_codec(const meet_sdp_media_t *m, const char *name)
{
    size_t  i;

    for (i = 0; i < m->ncodecs; i++) {
        if (meet_sdp_ieq(&m->codecs[i].name, name)) {
            return &m->codecs[i];
        }
    }

    return NULL;
}


const meet_sdp_codec_t *
meet_sdp_find_pt(const meet_sdp_media_t *m, int pt)
{
    size_t  i;

    for (i = 0; i < m->ncodecs; i++) {
        if (m->codecs[i].pt == pt) {
            return &m->codecs[i];
        }
    }

    return NULL;
}


int
meet_sdp_rtx_pt(const meet_sdp_media_t *m, int pt)
{
    size_t                   i;
    const meet_sdp_codec_t  *c;

    for (i = 0; i < m->ncodecs; i++) {
        c = &m->codecs[i];

        if (c->apt == pt && pt >= 0 && meet_sdp_ieq(&c->name, "rtx")) {
            return c->pt;
        }
    }

    return -1;
}


int
meet_sdp_has_rtcp_fb(const meet_sdp_media_t *m, int pt, unsigned fb)
{
    size_t                   i;
    const meet_sdp_codec_t  *c;

    if (m->fb_any & fb) {
        return 1;
    }

    if (pt < 0) {
        for (i = 0; i < m->ncodecs; i++) {
            if (m->codecs[i].fb & fb) {
                return 1;
            }
        }

        return 0;
    }

    c = meet_sdp_find_pt(m, pt);

    return (c && (c->fb & fb)) ? 1 : 0;
}


int
meet_sdp_extmap_id(const meet_sdp_media_t *m, const char *uri)
{
    size_t  i;

    for (i = 0; i < m->nextmaps; i++) {
        if (meet_sdp_eq(&m->extmaps[i].uri, uri)) {
            return m->extmaps[i].id;
        }
    }

    return -1;
}


const meet_sdp_media_t *
meet_sdp_find_mid(const meet_sdp_offer_t *offer, const u_char *mid,
    size_t len)
{
    size_t  i;

    for (i = 0; i < offer->nmedia; i++) {
        if (offer->media[i].mid.len == len && len
            && memcmp(offer->media[i].mid.data, mid, len) == 0)
        {
            return &offer->media[i];
        }
    }

    return NULL;
}


int
meet_sdp_fmtp_param(const meet_sdp_str_t *fmtp, const char *name,
    meet_sdp_str_t *value)
{
    const u_char    *p, *end, *semi, *eq;
    meet_sdp_str_t   key;

    if (fmtp->len == 0 || fmtp->data == NULL) {
        return 0;
    }

    p = fmtp->data;
    end = fmtp->data + fmtp->len;

    while (p < end) {
        semi = memchr(p, ';', end - p);
        if (semi == NULL) {
            semi = end;
        }

        while (p < semi && (*p == ' ' || *p == '\t')) {
            p++;
        }

        eq = memchr(p, '=', semi - p);

        key.data = p;
        key.len = (eq ? eq : semi) - p;

        while (key.len && (key.data[key.len - 1] == ' '
                           || key.data[key.len - 1] == '\t'))
        {
            key.len--;
        }

        if (meet_sdp_ieq(&key, name)) {
            if (value) {
                if (eq) {
                    meet_sdp_rest(eq + 1, semi, value);

                } else {
                    value->data = semi;
                    value->len = 0;
                }
            }

            return 1;
        }

        p = semi + (semi < end);
    }

    return 0;
}


int64_t
meet_sdp_fmtp_uint(const meet_sdp_str_t *fmtp, const char *name)
{
    uint64_t        n;
    meet_sdp_str_t  value;

    if (!meet_sdp_fmtp_param(fmtp, name, &value)
        || meet_sdp_uint(&value, 0x7fffffff, &n) != MEET_SDP_OK)
    {
        return -1;
    }

    return (int64_t) n;
}


const char *
meet_sdp_direction_name(unsigned direction)
{
    return meet_sdp_directions[direction & 3];
}


/* lexical helpers */


static int
meet_sdp_token(const u_char **pos, const u_char *end, meet_sdp_str_t *tok)
{
    const u_char  *p;

    p = *pos;

    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    if (p == end) {
        *pos = p;
        return 0;
    }

    tok->data = p;

    while (p < end && *p != ' ' && *p != '\t') {
        p++;
    }

    tok->len = p - tok->data;
    *pos = p;

    return 1;
}


static void
meet_sdp_rest(const u_char *p, const u_char *end, meet_sdp_str_t *rest)
{
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }

    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }

    rest->data = p;
    rest->len = end - p;
}


int
meet_sdp_uint(const meet_sdp_str_t *s, uint64_t max, uint64_t *out)
{
    size_t    i;
    uint64_t  n;

    if (s->len == 0 || s->len > 20) {
        return MEET_SDP_ERROR;
    }

    n = 0;

    for (i = 0; i < s->len; i++) {
        if (s->data[i] < '0' || s->data[i] > '9') {
            return MEET_SDP_ERROR;
        }

        if (n > (max - (s->data[i] - '0')) / 10) {
            return MEET_SDP_ERROR;
        }

        n = n * 10 + (s->data[i] - '0');
    }

    *out = n;

    return MEET_SDP_OK;
}


int
meet_sdp_eq(const meet_sdp_str_t *s, const char *c)
{
    size_t  n;

    n = strlen(c);

    return s->len == n && (n == 0 || memcmp(s->data, c, n) == 0);
}


int
meet_sdp_ieq(const meet_sdp_str_t *s, const char *c)
{
    meet_sdp_str_t  t;

    t.data = (const u_char *) c;
    t.len = strlen(c);

    return meet_sdp_ieq2(s, &t);
}


int
meet_sdp_ieq2(const meet_sdp_str_t *a, const meet_sdp_str_t *b)
{
    size_t  i;
    u_char  x, y;

    if (a->len != b->len) {
        return 0;
    }

    for (i = 0; i < a->len; i++) {
        x = a->data[i];
        y = b->data[i];

        if (x >= 'A' && x <= 'Z') {
            x |= 0x20;
        }

        if (y >= 'A' && y <= 'Z') {
            y |= 0x20;
        }

        if (x != y) {
            return 0;
        }
    }

    return 1;
}


/* token-char of RFC 8866 */

int
meet_sdp_is_token(const meet_sdp_str_t *s, size_t max)
{
    size_t  i;
    u_char  c;

    if (s->len == 0 || s->len > max || s->data == NULL) {
        return 0;
    }

    for (i = 0; i < s->len; i++) {
        c = s->data[i];

        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '(' || c == ')'
            || c == ',' || c == '/' || (c >= ':' && c <= '@')
            || (c >= '[' && c <= ']'))
        {
            return 0;
        }
    }

    return 1;
}


/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839) */

int
meet_sdp_is_ice(const meet_sdp_str_t *s, size_t min, size_t max)
{
    size_t  i;
    u_char  c;

    if (s->len < min || s->len > max || s->data == NULL) {
        return 0;
    }

    for (i = 0; i < s->len; i++) {
        c = s->data[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z') || c == '+' || c == '/'))
        {
            return 0;
        }
    }

    return 1;
}


static int
meet_sdp_direction(const meet_sdp_str_t *s)
{
    unsigned  i;

    for (i = 0; i < 4; i++) {
        if (meet_sdp_eq(s, meet_sdp_directions[i])) {
            return (int) i;
        }
    }

    return -1;
}


static const meet_sdp_hash_t *
meet_sdp_hash(const meet_sdp_str_t *s)
{
    const meet_sdp_hash_t  *h;

    for (h = meet_sdp_hashes; h->name; h++) {
        if (meet_sdp_ieq(s, h->name)) {
            return h;
        }
    }

    return NULL;
}


/* "AB:CD:..." to bytes; the byte count, 0 if malformed or too long */

size_t
meet_sdp_hex_fp(const meet_sdp_str_t *s, u_char *bin, size_t max)
{
    size_t  i, n;
    u_char  c, v;

    if (s->len < 2 || (s->len + 1) % 3 != 0 || (s->len + 1) / 3 > max) {
        return 0;
    }

    n = 0;

    for (i = 0; i < s->len; i++) {
        c = s->data[i];

        if (i % 3 == 2) {
            if (c != ':') {
                return 0;
            }

            continue;
        }

        if (c >= '0' && c <= '9') {
            v = c - '0';

        } else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
            v = (c | 0x20) - 'a' + 10;

        } else {
            return 0;
        }

        if (i % 3 == 0) {
            bin[n] = (u_char) (v << 4);

        } else {
            bin[n++] |= v;
        }
    }

    return n;
}


static meet_sdp_codec_t *
meet_sdp_codec(meet_sdp_media_t *m, uint64_t pt)
{
    size_t  i;

    for (i = 0; i < m->ncodecs; i++) {
        if (m->codecs[i].pt == pt) {
            return &m->codecs[i];
        }
    }

    return NULL;
}


/*
 * The "<pt>" that starts a=rtpmap, a=fmtp and a=rtcp-fb ("*" too for the
 * last).  *codec is NULL when the section does not list the PT or is not
 * RTP (a=fmtp:webrtc-datachannel ...); a non-numeric PT in an RTP
 * section is an error.
 */

static int
meet_sdp_pt(meet_sdp_ctx_t *ctx, const u_char **pos, const u_char *end,
    int star, meet_sdp_codec_t **codec, int *is_star)
{
    uint64_t         n;
    meet_sdp_str_t   tok;

    *codec = NULL;

    if (is_star) {
        *is_star = 0;
    }

    if (!meet_sdp_token(pos, end, &tok)) {
        return meet_sdp_fail(ctx, "attribute without a payload type");
    }

    if (!ctx->media->rtp) {
        return MEET_SDP_OK;
    }

    if (star && tok.len == 1 && tok.data[0] == '*') {
        *is_star = 1;
        return MEET_SDP_OK;
    }

    if (meet_sdp_uint(&tok, 127, &n) != MEET_SDP_OK) {
        return meet_sdp_fail(ctx, "payload type is not a number 0-127");
    }

    *codec = meet_sdp_codec(ctx->media, n);

    return MEET_SDP_OK;
}
