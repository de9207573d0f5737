
/*
 * Copyright (C) ngx_meet authors
 */


#include "ngx_meet_signal_sdp.h"
#include "ngx_meet_sdp.h"


#define NGX_MEET_ANSWER_SIZE   16384
#define NGX_MEET_MAX_CANDS     8


static void ngx_meet_signal_sdp_tracks(ngx_meet_peer_t *peer,
    meet_sdp_offer_t *sdp, ngx_uint_t *changed);
static char *ngx_meet_signal_sdp_mime(const meet_sdp_media_t *m);
static void ngx_meet_signal_sdp_media(ngx_meet_peer_t *peer,
    meet_sdp_offer_t *sdp);
static void ngx_meet_signal_media_state(ngx_meet_media_session_t *ms,
    ngx_uint_t state);


static meet_sdp_offer_t     *ngx_meet_sdp_offer;
static meet_sdp_decision_t  *ngx_meet_sdp_decisions;


ngx_int_t
ngx_meet_signal_offer(ngx_meet_peer_t *peer,
    Livekit__SessionDescription *offer)
{
    u_char                      *buf;
    size_t                       size, needed, len;
    ssize_t                      n;
    ngx_uint_t                   i, changed;
    ngx_str_t                   *fp;
    ngx_array_t                 *cands;
    const char                  *err;
    meet_sdp_local_t             local;
    meet_sdp_offer_t            *sdp;
    meet_sdp_decision_t         *dec;
    meet_sdp_candidate_t         mc[NGX_MEET_MAX_CANDS];
    ngx_meet_candidate_t        *c;
    Livekit__SignalResponse      resp;
    Livekit__SessionDescription  answer;

    if (offer->sdp == NULL || offer->sdp[0] == '\0') {
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%s\" sent an empty offer",
                      peer->identity);
        ngx_meet_peer_close(peer, MEET_WS_CLOSE_INVALID_DATA,
                            "empty SDP offer");
        return NGX_ERROR;
    }

    len = ngx_strlen(offer->sdp);

    /*
     * The parsed offer is large (fixed maximums, ~0.5 MB, of which only
     * the sections present are touched) and an offer is handled from
     * start to end within one event: one per worker, reused.
     */
    if (ngx_meet_sdp_offer == NULL) {
        ngx_meet_sdp_offer = ngx_alloc(meet_sdp_offer_size(),
                                       peer->connection->log);
        ngx_meet_sdp_decisions = ngx_alloc(MEET_SDP_MAX_MEDIA
                                           * sizeof(meet_sdp_decision_t),
                                           peer->connection->log);
    }

    sdp = ngx_meet_sdp_offer;
    dec = ngx_meet_sdp_decisions;
    buf = NULL;

    if (sdp == NULL || dec == NULL) {
        goto internal;
    }

    if (meet_sdp_parse(sdp, (u_char *) offer->sdp, len) != MEET_SDP_OK) {
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%s\" sent a bad SDP offer: %s "
                      "(line %ud)", peer->identity, sdp->err,
                      sdp->err_line);
        ngx_meet_peer_close(peer, MEET_WS_CLOSE_INVALID_DATA,
                            "malformed SDP offer");
        return NGX_ERROR;
    }

    changed = 0;
    ngx_meet_signal_sdp_tracks(peer, sdp, &changed);
    ngx_meet_signal_sdp_media(peer, sdp);

    meet_sdp_default_decisions(sdp, dec);

    /* our side: ICE credentials, DTLS fingerprint, host candidates */

    ngx_memzero(&local, sizeof(meet_sdp_local_t));

    local.ice_ufrag.data = (u_char *) peer->ice_ufrag;
    local.ice_ufrag.len = ngx_strlen(peer->ice_ufrag);
    local.ice_pwd.data = (u_char *) peer->ice_pwd;
    local.ice_pwd.len = ngx_strlen(peer->ice_pwd);

    fp = ngx_meet_dtls_fingerprint((ngx_cycle_t *) ngx_cycle);
    if (fp == NULL) {
        goto internal;
    }

    local.fingerprint.data = fp->data;
    local.fingerprint.len = fp->len;

    cands = ngx_meet_candidates((ngx_cycle_t *) ngx_cycle);
    if (cands) {
        c = cands->elts;
        for (i = 0; i < cands->nelts && i < NGX_MEET_MAX_CANDS; i++) {
            mc[i].address.data = c[i].addr.data;
            mc[i].address.len = c[i].addr.len;
            mc[i].port = c[i].port;
            mc[i].tcp = c[i].tcp;
        }

        local.candidates = mc;
        local.ncandidates = i;
    }

    local.session_id = peer->sdp_session_id;
    local.session_version = ++peer->sdp_version;

    size = NGX_MEET_ANSWER_SIZE;

    for ( ;; ) {
        buf = ngx_alloc(size + 1, peer->connection->log);
        if (buf == NULL) {
            goto internal;
        }

        n = meet_sdp_build_answer(sdp, &local, dec, sdp->nmedia, buf, size,
                                  &needed, &err);

        if (n == MEET_SDP_TOO_SMALL && needed > size && needed < 1024 * 1024)
        {
            ngx_free(buf);
            buf = NULL;
            size = needed;
            continue;
        }

        break;
    }

    if (n < 0) {
        ngx_log_error(NGX_LOG_ERR, peer->connection->log, 0,
                      "meet signal: cannot answer the offer of \"%s\": %s",
                      peer->identity,
                      n == MEET_SDP_ERROR ? err : "answer too large");
        goto internal;
    }

    buf[n] = '\0';

    livekit__session_description__init(&answer);
    answer.type = "answer";
    answer.sdp = (char *) buf;
    answer.id = offer->id;

    livekit__signal_response__init(&resp);
    resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_ANSWER;
    resp.answer = &answer;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, peer->connection->log, 0,
                   "meet signal: answer %ud:\n%s", offer->id, buf);

    (void) ngx_meet_peer_send(peer, &resp);

    ngx_free(buf);

    if (changed && !peer->closing) {
        peer->version++;
        ngx_meet_room_broadcast(peer);
    }

    return NGX_OK;

internal:

    ngx_free(buf);
    ngx_meet_peer_close(peer, MEET_WS_CLOSE_INTERNAL, "cannot answer");

    return NGX_ERROR;
}


static void
ngx_meet_signal_sdp_tracks(ngx_meet_peer_t *peer, meet_sdp_offer_t *sdp,
    ngx_uint_t *changed)
{
    char                    *mid;
    ngx_uint_t               i, sending;
    ngx_queue_t             *q, *next;
    ngx_meet_track_t        *t;
    const meet_sdp_media_t  *m;

    /* unpublished: a published track whose section no longer sends it */

    for (q = ngx_queue_head(&peer->tracks);
         q != ngx_queue_sentinel(&peer->tracks);
         q = next)
    {
        next = ngx_queue_next(q);
        t = ngx_queue_data(q, ngx_meet_track_t, queue);

        if (!t->published) {
            continue;
        }

        m = meet_sdp_find_mid(sdp, (u_char *) t->mid, ngx_strlen(t->mid));

        sending = m && m->port
                  && (m->direction & MEET_SDP_SENDONLY)
                  && m->msid_track.len == ngx_strlen(t->cid)
                  && ngx_strncmp(m->msid_track.data, t->cid,
                                 m->msid_track.len) == 0;

        if (sending) {
            continue;
        }

        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%s\" unpublished track %s (mid %s)",
                      peer->identity, t->sid, t->mid);

        ngx_meet_track_free(peer, t);
        *changed = 1;
    }

    /* published: a sending section whose msid names a pending track */

    for (i = 0; i < sdp->nmedia; i++) {
        m = &sdp->media[i];

        if (m->port == 0 || !(m->direction & MEET_SDP_SENDONLY)
            || m->msid_track.len == 0 || m->mid.len == 0)
        {
            continue;
        }

        for (q = ngx_queue_head(&peer->tracks);
             q != ngx_queue_sentinel(&peer->tracks);
             q = ngx_queue_next(q))
        {
            t = ngx_queue_data(q, ngx_meet_track_t, queue);

            if (t->published
                || ngx_strlen(t->cid) != m->msid_track.len
                || ngx_strncmp(t->cid, m->msid_track.data,
                               m->msid_track.len) != 0)
            {
                continue;
            }

            mid = ngx_meet_strdup((char *) m->mid.data, m->mid.len);
            if (mid == NULL) {
                break;
            }

            ngx_free(t->mid);
            t->mid = mid;
            t->published = 1;

            if (t->mime == NULL) {
                t->mime = ngx_meet_signal_sdp_mime(m);
            }

            ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                          "meet signal: \"%s\" track %s is in media "
                          "section %s (%s)", peer->identity, t->sid, t->mid,
                          t->mime ? t->mime : "?");

            *changed = 1;
            break;
        }
    }
}


/* "video/VP8": the first codec of a section that we forward */

static char *
ngx_meet_signal_sdp_mime(const meet_sdp_media_t *m)
{
    char                    *mime;
    size_t                   i, k;
    const meet_sdp_codec_t  *c;

    static const char       *known[] = { "opus", "VP8", "VP9", "H264", "AV1" };

    for (i = 0; i < m->ncodecs; i++) {
        c = &m->codecs[i];

        for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
            if (c->name.len != ngx_strlen(known[k])
                || ngx_strncasecmp((u_char *) c->name.data,
                                   (u_char *) known[k], c->name.len) != 0)
            {
                continue;
            }

            mime = ngx_alloc(6 + c->name.len + 1, ngx_cycle->log);
            if (mime == NULL) {
                return NULL;
            }

            ngx_sprintf((u_char *) mime, "%s%s%Z",
                        m->type == MEET_SDP_AUDIO ? "audio/" : "video/",
                        known[k]);
            return mime;
        }
    }

    return NULL;
}


/*
 * The media session of a participant: our ICE credentials, and the
 * client's ufrag and certificate fingerprint from its (bundled) offer, so
 * the media module can check the STUN and DTLS that will come.
 */

static void
ngx_meet_signal_sdp_media(ngx_meet_peer_t *peer, meet_sdp_offer_t *sdp)
{
    ngx_uint_t                 i;
    const meet_sdp_media_t    *m;
    ngx_meet_media_session_t  *ms;

    ms = &peer->media;

    for (i = 0; i < sdp->nmedia; i++) {
        m = &sdp->media[i];

        if (m->port == 0 || m->ice_ufrag.len == 0) {
            continue;
        }

        if (m->ice_ufrag.len <= sizeof(ms->remote_ufrag)) {
            ngx_memcpy(ms->remote_ufrag, m->ice_ufrag.data, m->ice_ufrag.len);
            ms->remote_ufrag_len = m->ice_ufrag.len;
        }

        if (m->fp_len == 32) {
            ngx_memcpy(ms->remote_fp, m->fp, 32);
            ms->has_remote_fp = 1;
        }

        break;
    }

    if (ms->in_tree) {
        return;
    }

    ms->local_ufrag.data = (u_char *) peer->ice_ufrag;
    ms->local_ufrag.len = ngx_strlen(peer->ice_ufrag);
    ms->local_pwd.data = (u_char *) peer->ice_pwd;
    ms->local_pwd.len = ngx_strlen(peer->ice_pwd);
    ms->log = peer->connection->log;
    ms->owner = peer;
    ms->on_state = ngx_meet_signal_media_state;

    ngx_meet_media_session_add(ms);
}


static void
ngx_meet_signal_media_state(ngx_meet_media_session_t *ms, ngx_uint_t state)
{
    ngx_meet_peer_t  *peer = ms->owner;

    if (peer->closing) {
        return;
    }

    switch (state) {

    case NGX_MEET_MEDIA_DTLS_CONNECTED:
        if (peer->state != LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE) {
            ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                          "meet signal: \"%s\" media connected",
                          peer->identity);
            peer->state = LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE;
            peer->version++;
            ngx_meet_room_broadcast(peer);
        }
        break;

    case NGX_MEET_MEDIA_FAILED:
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%s\" media failed", peer->identity);
        break;

    default:
        break;
    }
}


void
ngx_meet_signal_sdp_exit(void)
{
    ngx_free(ngx_meet_sdp_offer);
    ngx_free(ngx_meet_sdp_decisions);
    ngx_meet_sdp_offer = NULL;
    ngx_meet_sdp_decisions = NULL;
}


void
ngx_meet_signal_sdp_free(ngx_meet_peer_t *peer)
{
    /* the media module tears its side down from on_remove */
    ngx_meet_media_session_remove(&peer->media);
}
