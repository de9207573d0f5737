
/*
 * Copyright (C) ngx_meet authors
 */


#include "ngx_meet_signal_sdp.h"
#include "ngx_meet_signal_ws.h"
#include "meet_sdp.h"


#define NGX_MEET_ANSWER_SIZE   16384
#define NGX_MEET_MAX_CANDS     8


static void ngx_meet_signal_sdp_tracks(ngx_meet_signal_peer_t *peer,
    meet_sdp_offer_t *sdp, ngx_uint_t *changed);
static char *ngx_meet_signal_sdp_mime(const meet_sdp_media_t *m);
static ngx_int_t ngx_meet_signal_sdp_media(ngx_meet_signal_peer_t *peer,
    meet_sdp_offer_t *sdp);
static void ngx_meet_signal_media_state(ngx_meet_media_transport_t *ms,
    ngx_meet_media_state_e state);
static void ngx_meet_signal_sdp_layers(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_track_t *t, const meet_sdp_media_t *m);
static ngx_int_t ngx_meet_signal_sdp_publish_codecs(
    ngx_meet_signal_peer_t *peer, meet_sdp_offer_t *sdp,
    meet_sdp_decision_t *dec, ngx_pool_t *pool);
static void ngx_meet_signal_sdp_uptracks(ngx_meet_signal_peer_t *peer,
    meet_sdp_offer_t *sdp);
static ngx_int_t ngx_meet_signal_sdp_subscribe(ngx_meet_signal_peer_t *peer,
    meet_sdp_offer_t *sdp, meet_sdp_decision_t *dec, ngx_pool_t *pool,
    ngx_array_t *mids, ngx_uint_t *need);
static void ngx_meet_signal_sdp_require(ngx_meet_signal_peer_t *peer,
    ngx_uint_t audios, ngx_uint_t videos);
static void ngx_meet_signal_sdp_require_others(ngx_meet_signal_peer_t *peer);
static void ngx_meet_signal_sdp_requirement(Livekit__SignalResponse *resp,
    Livekit__MediaSectionsRequirement *req, ngx_uint_t audios,
    ngx_uint_t videos);


static meet_sdp_offer_t     *ngx_meet_signal_sdp_offer;
static meet_sdp_decision_t  *ngx_meet_signal_sdp_decisions;

static ngx_meet_media_state_pt  ngx_meet_signal_next_state;


ngx_int_t
ngx_meet_signal_offer(ngx_meet_signal_peer_t *peer,
    Livekit__SessionDescription *offer)
{
    u_char                      *buf;
    size_t                       size, needed, len;
    ngx_uint_t                   need[2];
    ngx_pool_t                  *pool;
    ngx_array_t                  mids;
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
                      "meet signal: \"%V\" sent an empty offer",
                      ngx_meet_log_cesc(peer->identity));
        ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_INVALID_DATA,
                            "empty SDP offer");
        return NGX_ERROR;
    }

    len = ngx_strlen(offer->sdp);

    /*
     * The parsed offer is large (fixed maximums, ~0.5 MB, of which only
     * the sections present are touched) and an offer is handled from
     * start to end within one event: one per worker, reused.
     */
    if (ngx_meet_signal_sdp_offer == NULL) {
        ngx_meet_signal_sdp_offer = ngx_alloc(meet_sdp_offer_size(),
                                       peer->connection->log);
        ngx_meet_signal_sdp_decisions = ngx_alloc(MEET_SDP_MAX_MEDIA
                                           * sizeof(meet_sdp_decision_t),
                                           peer->connection->log);
    }

    sdp = ngx_meet_signal_sdp_offer;
    dec = ngx_meet_signal_sdp_decisions;
    buf = NULL;
    pool = NULL;

    if (sdp == NULL || dec == NULL) {
        goto internal;
    }

    if (meet_sdp_parse(sdp, (u_char *) offer->sdp, len) != MEET_SDP_OK) {
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" sent a bad SDP offer: %s "
                      "(line %ud)", ngx_meet_log_cesc(peer->identity),
                      sdp->err, sdp->err_line);
        ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_INVALID_DATA,
                            "malformed SDP offer");
        return NGX_ERROR;
    }

    changed = 0;
    ngx_meet_signal_sdp_tracks(peer, sdp, &changed);

    if (ngx_meet_signal_sdp_media(peer, sdp) != NGX_OK) {
        goto internal;
    }

    meet_sdp_default_decisions(sdp, dec);

    ngx_meet_signal_sdp_uptracks(peer, sdp);

    pool = ngx_create_pool(4096, peer->connection->log);
    if (pool == NULL) {
        goto internal;
    }

    if (ngx_meet_signal_sdp_publish_codecs(peer, sdp, dec, pool) != NGX_OK) {
        goto internal;
    }

    ngx_memzero(&need, sizeof(need));
    ngx_memzero(&mids, sizeof(mids));

    if (ngx_meet_signal_sdp_subscribe(peer, sdp, dec, pool, &mids, need)
        != NGX_OK)
    {
        goto internal;
    }

    /*
     * Data channels (RFC 8841), when the media module carries them (its
     * sender is registered, ngx_meet_media.h rule 8): livekit-client opens
     * them on this peer connection.  Rejected, the client would wait for
     * them until its peer connection timeout.
     */
    if (ngx_meet_media_data_sender != NULL) {
        (void) meet_sdp_accept_data(sdp, dec);
    }

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

    /*
     * The media module's SCTP port (it connects to the client's 5000, as
     * browsers offer) and RFC 8841's default message size, also
     * livekit-server's (pion's SCTP transport): larger messages are
     * refused by the browser's send(); meet_rtp_data_max_message bounds
     * what a client may make us put together
     */
    local.sctp_port = 5000;
    local.max_message_size = 65536;

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
                      "meet signal: cannot answer the offer of \"%V\": %s",
                      ngx_meet_log_cesc(peer->identity),
                      n == MEET_SDP_ERROR ? err : "answer too large");
        goto internal;
    }

    buf[n] = '\0';

    livekit__session_description__init(&answer);
    answer.type = "answer";
    answer.sdp = (char *) buf;
    answer.id = offer->id;
    answer.mid_to_track_id = mids.elts;
    answer.n_mid_to_track_id = mids.nelts;

    livekit__signal_response__init(&resp);
    resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_ANSWER;
    resp.answer = &answer;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, peer->connection->log, 0,
                   "meet signal: answer %ud:\n%s", offer->id, buf);

    (void) ngx_meet_signal_peer_send(peer, &resp);

    ngx_free(buf);

    if (need[0] || need[1]) {
        ngx_meet_signal_sdp_require(peer, need[0], need[1]);
    }

    if (!peer->closing) {
        ngx_meet_signal_dynacast(peer->room);
    }

    ngx_destroy_pool(pool);
    pool = NULL;

    if (changed && !peer->closing) {
        peer->version++;
        ngx_meet_signal_room_broadcast(peer, 0);

        /* the others re-offer, and their answers carry the new tracks */
        ngx_meet_signal_sdp_require_others(peer);
    }

    return NGX_OK;

internal:

    ngx_free(buf);

    if (pool) {
        ngx_destroy_pool(pool);
    }

    ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_INTERNAL, "cannot answer");

    return NGX_ERROR;
}


static void
ngx_meet_signal_sdp_tracks(ngx_meet_signal_peer_t *peer, meet_sdp_offer_t *sdp,
    ngx_uint_t *changed)
{
    char                    *mid;
    ngx_uint_t               i, sending;
    ngx_queue_t             *q, *next;
    ngx_meet_signal_track_t *t;
    const meet_sdp_media_t  *m;

    /* unpublished: a published track whose section no longer sends it */

    for (q = ngx_queue_head(&peer->tracks);
         q != ngx_queue_sentinel(&peer->tracks);
         q = next)
    {
        next = ngx_queue_next(q);
        t = ngx_queue_data(q, ngx_meet_signal_track_t, queue);

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
                      "meet signal: \"%V\" unpublished track %s (mid %V)",
                      ngx_meet_log_cesc(peer->identity), t->sid,
                      ngx_meet_log_cesc(t->mid));

        ngx_meet_signal_track_free(peer, t);
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
            t = ngx_queue_data(q, ngx_meet_signal_track_t, queue);

            if (t->published
                || ngx_strlen(t->cid) != m->msid_track.len
                || ngx_strncmp(t->cid, m->msid_track.data,
                               m->msid_track.len) != 0)
            {
                continue;
            }

            mid = ngx_meet_signal_strdup((char *) m->mid.data, m->mid.len);
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
                          "meet signal: \"%V\" track %s is in media "
                          "section %V (%V)", ngx_meet_log_cesc(peer->identity),
                          t->sid, ngx_meet_log_cesc(t->mid),
                          ngx_meet_log_cesc(t->mime ? t->mime : "?"));

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
 * The media transport of a participant: our ICE credentials, and the
 * client's ufrag, password and certificate fingerprint from its (bundled)
 * offer, so the media module can check the STUN and DTLS that will come
 * and sign its own consent requests (RFC 7675).
 */

static ngx_int_t
ngx_meet_signal_sdp_media(ngx_meet_signal_peer_t *peer, meet_sdp_offer_t *sdp)
{
    ngx_str_t                    ufrag, pwd;
    ngx_uint_t                   i;
    const meet_sdp_media_t      *m;
    ngx_meet_media_transport_t  *ms;

    ms = peer->media;

    if (ms == NULL) {
        ufrag.data = (u_char *) peer->ice_ufrag;
        ufrag.len = ngx_strlen(peer->ice_ufrag);
        pwd.data = (u_char *) peer->ice_pwd;
        pwd.len = ngx_strlen(peer->ice_pwd);

        ms = ngx_meet_media_transport_create(&ufrag, &pwd, peer,
                                           peer->connection->log);
        if (ms == NULL) {
            return NGX_ERROR;
        }

        peer->media = ms;
    }

    for (i = 0; i < sdp->nmedia; i++) {
        m = &sdp->media[i];

        if (m->port == 0 || m->ice_ufrag.len == 0) {
            continue;
        }

        if (m->ice_ufrag.len <= sizeof(ms->remote_ufrag)
            && m->ice_pwd.len <= sizeof(ms->remote_pwd))
        {
            ngx_memcpy(ms->remote_ufrag, m->ice_ufrag.data, m->ice_ufrag.len);
            ms->remote_ufrag_len = m->ice_ufrag.len;
            ngx_memcpy(ms->remote_pwd, m->ice_pwd.data, m->ice_pwd.len);
            ms->remote_pwd_len = m->ice_pwd.len;
        }

        if (m->fp_len == 32) {
            ngx_memcpy(ms->remote_fp, m->fp, 32);
            ms->has_remote_fp = 1;
        }

        break;
    }

    return NGX_OK;
}


/* the media module reports a participant's transport (ngx_meet_media.h) */

static void
ngx_meet_signal_media_state(ngx_meet_media_transport_t *ms,
    ngx_meet_media_state_e state)
{
    ngx_meet_signal_peer_t  *peer = ms->owner;

    if (peer->closing) {
        goto next;
    }

    switch (state) {

    case NGX_MEET_MEDIA_DTLS_CONNECTED:
        if (peer->state != LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE) {
            ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                          "meet signal: \"%V\" media connected",
                          ngx_meet_log_cesc(peer->identity));
            peer->state = LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE;
            peer->version++;
            ngx_meet_signal_room_broadcast(peer, 0);
        }
        break;

    case NGX_MEET_MEDIA_FAILED:
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" media failed",
                      ngx_meet_log_cesc(peer->identity));
        break;

    case NGX_MEET_MEDIA_ICE_DISCONNECTED:
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" media disconnected (no ICE "
                      "consent)", ngx_meet_log_cesc(peer->identity));
        break;

    default:
        break;
    }

next:

    ngx_meet_signal_next_state(ms, state);
}


void
ngx_meet_signal_sdp_init(void)
{
    ngx_meet_signal_next_state = ngx_meet_media_top_state;
    ngx_meet_media_top_state = ngx_meet_signal_media_state;
}


void
ngx_meet_signal_sdp_exit(void)
{
    ngx_free(ngx_meet_signal_sdp_offer);
    ngx_free(ngx_meet_signal_sdp_decisions);
    ngx_meet_signal_sdp_offer = NULL;
    ngx_meet_signal_sdp_decisions = NULL;
}


void
ngx_meet_signal_sdp_free(ngx_meet_signal_peer_t *peer)
{
    ngx_queue_t              *q;
    ngx_meet_signal_track_t  *t;

    if (peer->media == NULL) {
        return;
    }

    /* the transport frees its uptracks: tracks left forget theirs */

    for (q = ngx_queue_head(&peer->tracks);
         q != ngx_queue_sentinel(&peer->tracks);
         q = ngx_queue_next(q))
    {
        t = ngx_queue_data(q, ngx_meet_signal_track_t, queue);
        t->up = NULL;
    }

    /* the media module releases its side from its transport free hook */
    ngx_meet_media_transport_free(peer->media);
    peer->media = NULL;
}


/*
 * The codec of a section that carries "mime" ("video/VP8"), or NULL: the
 * first of that name we forward (H.264: packetization-mode 1 and, when
 * profile >= 0, that profile_idc, so a subscriber gets what the publisher
 * sends).
 */

static const meet_sdp_codec_t *
ngx_meet_signal_codec_find(const meet_sdp_media_t *m, const char *mime,
    int profile)
{
    size_t                   i;
    const char              *name;
    const meet_sdp_codec_t  *c;

    if (mime == NULL) {
        return NULL;
    }

    name = ngx_strchr(mime, '/');
    name = name ? name + 1 : mime;

    for (i = 0; i < m->ncodecs; i++) {
        c = &m->codecs[i];

        if (c->name.len != ngx_strlen(name)
            || ngx_strncasecmp((u_char *) c->name.data, (u_char *) name,
                               c->name.len) != 0)
        {
            continue;
        }

        if (ngx_strcasecmp((u_char *) name, (u_char *) "H264") == 0) {
            if (c->packetization_mode != 1) {
                continue;
            }

            if (profile >= 0 && c->profile_level_id >= 0
                && ((c->profile_level_id >> 16) & 0xff) != profile)
            {
                continue;
            }
        }

        return c;
    }

    return NULL;
}


static int
ngx_meet_signal_codec_pt(const meet_sdp_media_t *m, const char *mime,
    int profile)
{
    const meet_sdp_codec_t  *c;

    c = ngx_meet_signal_codec_find(m, mime, profile);

    return c ? c->pt : -1;
}


/*
 * The publisher sends the codec its track was announced with: the answer
 * for the track's section keeps only that codec (its variants and rtx),
 * as LiveKit's answer puts the requested codec first.
 */

static ngx_int_t
ngx_meet_signal_sdp_publish_codecs(ngx_meet_signal_peer_t *peer,
    meet_sdp_offer_t *sdp, meet_sdp_decision_t *dec, ngx_pool_t *pool)
{
    const char              *name;
    ngx_queue_t             *q;
    meet_sdp_str_t          *codec;
    ngx_meet_signal_track_t *t;
    const meet_sdp_media_t  *m;

    for (q = ngx_queue_head(&peer->tracks);
         q != ngx_queue_sentinel(&peer->tracks);
         q = ngx_queue_next(q))
    {
        t = ngx_queue_data(q, ngx_meet_signal_track_t, queue);

        if (!t->published || t->mid == NULL || t->mime == NULL) {
            continue;
        }

        m = meet_sdp_find_mid(sdp, (u_char *) t->mid, ngx_strlen(t->mid));

        if (m == NULL || !dec[m - sdp->media].accept
            || ngx_meet_signal_codec_find(m, t->mime, -1) == NULL)
        {
            continue;
        }

        codec = ngx_palloc(pool, sizeof(meet_sdp_str_t));
        if (codec == NULL) {
            return NGX_ERROR;
        }

        name = ngx_strchr(t->mime, '/');
        codec->data = (u_char *) (name ? name + 1 : t->mime);
        codec->len = ngx_strlen(codec->data);

        dec[m - sdp->media].codecs = codec;
        dec[m - sdp->media].ncodecs = 1;
    }

    return NGX_OK;
}


/*
 * A publisher's offer: the SSRC and payload type of each published track
 * (the first SSRC of an a=ssrc-group:FID, else the first a=ssrc), and the
 * track in its media transport's forwarding table.
 */

static void
ngx_meet_signal_sdp_uptracks(ngx_meet_signal_peer_t *peer,
    meet_sdp_offer_t *sdp)
{
    int                          id;
    ngx_uint_t                   added;
    ngx_queue_t                 *q;
    ngx_meet_signal_track_t     *t;
    ngx_meet_uptrack_t          *up;
    const meet_sdp_codec_t      *c;
    const meet_sdp_media_t      *m;
    ngx_meet_media_transport_t  *ms;

    ms = peer->media;

    for (q = ngx_queue_head(&peer->tracks);
         q != ngx_queue_sentinel(&peer->tracks);
         q = ngx_queue_next(q))
    {
        t = ngx_queue_data(q, ngx_meet_signal_track_t, queue);

        if (!t->published || t->mid == NULL) {
            continue;
        }

        m = meet_sdp_find_mid(sdp, (u_char *) t->mid, ngx_strlen(t->mid));
        if (m == NULL) {
            continue;
        }

        up = t->up;
        added = (up == NULL);

        if (up == NULL) {
            up = ngx_meet_media_uptrack_add(ms, t);
            if (up == NULL) {
                ngx_log_error(NGX_LOG_WARN, peer->connection->log, 0,
                              "meet signal: \"%V\" track %s not forwarded: "
                              "%ui tracks published already",
                              ngx_meet_log_cesc(peer->identity), t->sid,
                              ms->nup);
                continue;
            }

            t->up = up;
            ngx_memzero(&t->audio_seen, sizeof(ngx_meet_media_audio_t));
        }

        if (m->nrids) {
            /*
             * Simulcast: no SSRCs in the SDP.  The media module learns the
             * SSRC of the layer we forward from the RTP header extensions
             * (sdes:mid, rtp-stream-id).  The a=rid lines come smallest
             * first (livekit-client: q, h, f); layer 0 is t->up, the
             * others follow below.
             */
            if (m->rids[0].id.len <= sizeof(up->rid)) {
                ngx_memcpy(up->rid, m->rids[0].id.data, m->rids[0].id.len);
                up->rid_len = m->rids[0].id.len;
            }

        } else if (m->nssrc_groups && m->ssrc_groups[0].nssrcs
                   && m->ssrc_groups[0].semantics.len == 3
                   && ngx_strncmp(m->ssrc_groups[0].semantics.data, "FID", 3)
                      == 0)
        {
            up->ssrc = m->ssrc_groups[0].ssrcs[0];

            if (m->ssrc_groups[0].nssrcs > 1) {
                up->rtx_ssrc = m->ssrc_groups[0].ssrcs[1];
            }

        } else if (m->nssrcs) {
            up->ssrc = m->ssrcs[0].ssrc;
        }

        if (m->mid.len <= sizeof(up->mid)) {
            ngx_memcpy(up->mid, m->mid.data, m->mid.len);
            up->mid_len = m->mid.len;
        }

        id = meet_sdp_extmap_id(m, MEET_SDP_EXT_MID);
        if (id > 0 && id < 256) {
            ms->ext_mid = (uint8_t) id;
        }

        id = meet_sdp_extmap_id(m, MEET_SDP_EXT_RID);
        if (id > 0 && id < 256) {
            ms->ext_rid = (uint8_t) id;
        }

        id = meet_sdp_extmap_id(m, MEET_SDP_EXT_RRID);
        if (id > 0 && id < 256) {
            ms->ext_rrid = (uint8_t) id;
        }

        id = meet_sdp_extmap_id(m, MEET_SDP_EXT_AUDIO_LEVEL);
        if (id > 0 && id < 256) {
            ms->ext_audio_level = (uint8_t) id;
        }

        /* transport-cc: the answer keeps it, so we owe the feedback */
        id = meet_sdp_extmap_id(m, MEET_SDP_EXT_TWCC);
        if (id > 0 && id < 256
            && meet_sdp_has_rtcp_fb(m, -1, MEET_SDP_FB_TRANSPORT_CC))
        {
            ms->ext_twcc = (uint8_t) id;
        }

        up->video = (m->type == MEET_SDP_VIDEO);
        up->codec = up->video ? ngx_meet_media_codec(t->mime) : 0;
        c = ngx_meet_signal_codec_find(m, t->mime, -1);
        t->pub_pt = c ? c->pt : -1;
        t->pub_profile = (c && c->profile_level_id >= 0 && c->name.len == 4
                          && ngx_strncasecmp((u_char *) c->name.data,
                                             (u_char *) "H264", 4) == 0)
                         ? (c->profile_level_id >> 16) & 0xff : -1;

        if (t->pub_pt >= 0) {
            up->pt = (uint8_t) t->pub_pt;
            id = meet_sdp_rtx_pt(m, t->pub_pt);
            up->rtx_pt = (id > 0) ? (uint8_t) id : 0;
        }

        if (added) {
            ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                          "meet signal: \"%V\" track %s is SSRC %uD%s%V, "
                          "payload type %d", ngx_meet_log_cesc(peer->identity),
                          t->sid, up->ssrc,
                          up->rid_len ? ", simulcast layer " : "",
                          ngx_meet_log_nesc(up->rid, up->rid_len), t->pub_pt);
        }

        ngx_meet_signal_sdp_layers(peer, t, m);
    }
}


/* the simulcast layers above the first: uptracks of their own */

static void
ngx_meet_signal_sdp_layers(ngx_meet_signal_peer_t *peer,
    ngx_meet_signal_track_t *t, const meet_sdp_media_t *m)
{
    ngx_uint_t           k, known;
    ngx_meet_uptrack_t  *u;

    for (k = 1; k < m->nrids && k < NGX_MEET_MAX_LAYERS; k++) {

        if (m->rids[k].id.len > sizeof(u->rid)
            || m->mid.len > sizeof(u->mid))
        {
            break;
        }

        known = (t->up->layers[k] != NULL);   /* from an earlier offer */

        u = ngx_meet_media_uptrack_layer(t->up, k);
        if (u == NULL) {
            break;
        }

        ngx_memcpy(u->rid, m->rids[k].id.data, m->rids[k].id.len);
        u->rid_len = m->rids[k].id.len;
        ngx_memcpy(u->mid, m->mid.data, m->mid.len);
        u->mid_len = m->mid.len;
        u->video = t->up->video;
        u->codec = t->up->codec;
        u->pt = t->up->pt;
        u->rtx_pt = t->up->rtx_pt;

        if (known) {
            continue;
        }

        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" track %s simulcast layer %ui "
                      "is rid %V", ngx_meet_log_cesc(peer->identity), t->sid,
                      k, ngx_meet_log_nesc(u->rid, u->rid_len));
    }
}


static ngx_uint_t
ngx_meet_signal_mid_used(ngx_meet_media_transport_t *sub,
    const meet_sdp_str_t *mid)
{
    ngx_uint_t  i;

    for (i = 0; i < sub->ndown; i++) {
        if (sub->down[i]->mid_len == mid->len
            && ngx_strncmp(sub->down[i]->mid, mid->data, mid->len) == 0)
        {
            return 1;
        }
    }

    return 0;
}


/*
 * A subscriber's offer: every track published by the others in the room
 * goes into one of its receive-only sections of the same kind (kept from
 * answer to answer), as LiveKit's single peer connection does: a=sendonly,
 * a=msid "PA_x|TR_y TR_y", our SSRC, the publisher's codec, and the mid in
 * mid_to_track_id.  Tracks without a free section are counted in need[]
 * (audio, video) for a MediaSectionsRequirement.
 */

static ngx_int_t
ngx_meet_signal_sdp_subscribe(ngx_meet_signal_peer_t *peer,
    meet_sdp_offer_t *sdp,
    meet_sdp_decision_t *dec, ngx_pool_t *pool, ngx_array_t *mids,
    ngx_uint_t *need)
{
    u_char                                          *p;
    int                                              sub_pt, id;
    size_t                                           len;
    uint32_t                                         ssrc;
    ngx_uint_t                                       i, k;
    ngx_queue_t                                     *q, *tq;
    ngx_meet_signal_peer_t                          *pub;
    ngx_meet_signal_track_t                         *t;
    meet_sdp_str_t                                  *codec;
    meet_sdp_media_t                                *m;
    ngx_meet_downtrack_t                            *d;
    ngx_meet_media_transport_t                      *sub;
    Livekit__SessionDescription__MidToTrackIdEntry  *e, **ep;

    sub = peer->media;

    if (ngx_array_init(mids, pool, 4, sizeof(void *)) != NGX_OK) {
        return NGX_ERROR;
    }

    if (peer->room == NULL || !peer->can_subscribe) {
        return NGX_OK;
    }

    /* a section the client no longer offers for receiving: slot gone */

    for (i = 0; i < sub->ndown; /* void */ ) {
        d = sub->down[i];
        m = (meet_sdp_media_t *) meet_sdp_find_mid(sdp, d->mid, d->mid_len);

        if (m && m->port && m->direction == MEET_SDP_RECVONLY) {
            i++;
            continue;
        }

        ngx_meet_media_downtrack_free(d);
    }

    for (q = ngx_queue_head(&peer->room->peers);
         q != ngx_queue_sentinel(&peer->room->peers);
         q = ngx_queue_next(q))
    {
        pub = ngx_queue_data(q, ngx_meet_signal_peer_t, queue);

        if (pub == peer || pub->closing) {
            continue;
        }

        for (tq = ngx_queue_head(&pub->tracks);
             tq != ngx_queue_sentinel(&pub->tracks);
             tq = ngx_queue_next(tq))
        {
            t = ngx_queue_data(tq, ngx_meet_signal_track_t, queue);

            if (!t->published || t->up == NULL || t->mime == NULL
                || t->pub_pt < 0)
            {
                continue;
            }

            d = ngx_meet_media_downtrack_find(sub, t->up);
            m = NULL;

            if (d) {
                m = (meet_sdp_media_t *) meet_sdp_find_mid(sdp, d->mid,
                                                            d->mid_len);

            } else {
                /* a free receive-only section of the same kind */
                for (i = 0; i < sdp->nmedia; i++) {
                    m = &sdp->media[i];

                    if (m->port && m->direction == MEET_SDP_RECVONLY
                        && m->type == (t->up->video ? MEET_SDP_VIDEO
                                                    : MEET_SDP_AUDIO)
                        && m->mid.len && m->mid.len <= 32
                        && !ngx_meet_signal_mid_used(sub, &m->mid)
                        && ngx_meet_signal_codec_pt(m, t->mime,
                                                    t->pub_profile) >= 0)
                    {
                        break;
                    }

                    m = NULL;
                }

                if (m == NULL) {
                    need[t->up->video ? 1 : 0]++;
                    continue;
                }

                if (sub->ndown >= NGX_MEET_MAX_DOWNTRACKS) {
                    continue;
                }

                d = ngx_meet_media_downtrack_add(sub, t->up);
                if (d == NULL) {
                    return NGX_ERROR;
                }

                do {
                    ssrc = (uint32_t) ngx_random() ^ ((uint32_t) ngx_random()
                                                      << 16);
                } while (ssrc == 0);

                d->ssrc = ssrc;
                ngx_memcpy(d->mid, m->mid.data, m->mid.len);
                d->mid_len = m->mid.len;

                sub_pt = ngx_meet_signal_codec_pt(m, t->mime,
                                                  t->pub_profile);
                d->pt_map[t->pub_pt & 127] = (uint8_t) (sub_pt + 1);

                /* retransmissions on an RTX stream where the slot has rtx */
                id = t->up->video ? meet_sdp_rtx_pt(m, sub_pt) : -1;

                if (id > 0 && id < 128) {
                    d->rtx_pt = (uint8_t) id;
                    d->rtx_seq = (uint16_t) ngx_random();

                    do {
                        d->rtx_ssrc = (uint32_t) ngx_random()
                                      ^ ((uint32_t) ngx_random() << 16);
                    } while (d->rtx_ssrc == 0 || d->rtx_ssrc == d->ssrc);
                }

                ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                              "meet signal: \"%V\" receives %s of \"%V\" "
                              "in mid %V as SSRC %uD",
                              ngx_meet_log_cesc(peer->identity), t->sid,
                              ngx_meet_log_cesc(pub->identity),
                              ngx_meet_log_nesc(m->mid.data, m->mid.len),
                              d->ssrc);
            }

            if (m == NULL) {
                continue;
            }

            /* the answer for that section */

            i = m - sdp->media;

            codec = ngx_palloc(pool, sizeof(meet_sdp_str_t));
            e = ngx_palloc(pool, sizeof(*e));
            len = sizeof("PA_|TR_") + 2 * NGX_MEET_SID_LEN;
            p = ngx_pnalloc(pool, len);
            ep = ngx_array_push(mids);
            if (codec == NULL || e == NULL || p == NULL || ep == NULL) {
                return NGX_ERROR;
            }

            codec->data = (u_char *) ngx_strchr(t->mime, '/') + 1;
            codec->len = ngx_strlen(codec->data);

            dec[i].accept = 1;
            dec[i].direction = MEET_SDP_SENDONLY;
            dec[i].codecs = codec;
            dec[i].ncodecs = 1;
            dec[i].msid_stream.data = p;
            dec[i].msid_stream.len = ngx_sprintf(p, "%s|%s", pub->sid, t->sid)
                                     - p;
            dec[i].msid_track.data = (u_char *) t->sid;
            dec[i].msid_track.len = ngx_strlen(t->sid);
            dec[i].ssrc = d->ssrc;
            dec[i].rtx_ssrc = d->rtx_ssrc;

            livekit__session_description__mid_to_track_id_entry__init(e);
            e->key = ngx_pnalloc(pool, m->mid.len + 1);
            if (e->key == NULL) {
                return NGX_ERROR;
            }
            k = m->mid.len;
            ngx_memcpy(e->key, m->mid.data, k);
            e->key[k] = '\0';
            e->value = t->sid;
            *ep = e;
        }
    }

    return NGX_OK;
}


static void
ngx_meet_signal_sdp_require(ngx_meet_signal_peer_t *peer, ngx_uint_t audios,
    ngx_uint_t videos)
{
    Livekit__SignalResponse           resp;
    Livekit__MediaSectionsRequirement req;

    ngx_meet_signal_sdp_requirement(&resp, &req, audios, videos);

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, peer->connection->log, 0,
                   "meet signal: \"%s\" needs %ui audio and %ui video "
                   "sections", peer->identity, audios, videos);

    (void) ngx_meet_signal_peer_send(peer, &resp);
}


static void
ngx_meet_signal_sdp_require_others(ngx_meet_signal_peer_t *peer)
{
    ngx_queue_t                       *q;
    ngx_meet_signal_peer_t            *p;
    ngx_meet_signal_msg_t              msg;
    Livekit__SignalResponse            resp;
    Livekit__MediaSectionsRequirement  req;

    /* the same for everyone: packed once */
    ngx_meet_signal_sdp_requirement(&resp, &req, 0, 0);
    ngx_meet_signal_msg_init(&msg, &resp);

    for (q = ngx_queue_head(&peer->room->peers);
         q != ngx_queue_sentinel(&peer->room->peers);
         q = ngx_queue_next(q))
    {
        p = ngx_queue_data(q, ngx_meet_signal_peer_t, queue);

        if (p != peer && !p->closing && p->can_subscribe) {
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, p->connection->log, 0,
                           "meet signal: \"%s\" needs 0 audio and 0 video "
                           "sections", p->identity);

            (void) ngx_meet_signal_peer_send_msg(p, &msg);
        }
    }

    ngx_meet_signal_msg_free(&msg);
}


static void
ngx_meet_signal_sdp_requirement(Livekit__SignalResponse *resp,
    Livekit__MediaSectionsRequirement *req, ngx_uint_t audios,
    ngx_uint_t videos)
{
    livekit__media_sections_requirement__init(req);
    req->num_audios = audios;
    req->num_videos = videos;

    livekit__signal_response__init(resp);
    resp->message_case =
                     LIVEKIT__SIGNAL_RESPONSE__MESSAGE_MEDIA_SECTIONS_REQUIREMENT;
    resp->media_sections_requirement = req;
}


/*
 * What a subscriber asks of tracks it receives (livekit-client sends it
 * for adaptiveStream, setVideoQuality(), setEnabled()): disabled pauses the
 * track; else the layer it gets is the smallest at least as wide as asked,
 * or the one of the quality asked (LOW, MEDIUM, HIGH).  The media module
 * switches on the next key frame of that layer.
 */

void
ngx_meet_signal_track_settings(ngx_meet_signal_peer_t *peer,
    Livekit__UpdateTrackSettings *ts)
{
    ngx_uint_t                i, k, layer, ndown;
    ngx_meet_signal_track_t  *t;
    ngx_meet_uptrack_t       *up;
    ngx_meet_downtrack_t     *d;

    /*
     * the work is the tracks it receives times the sids it lists:
     * livekit-client lists one (RemoteTrackPublication emitTrackUpdate), a
     * list longer than the tracks it receives (at least
     * NGX_MEET_MAX_TRACKS) is refused whole
     */
    ndown = peer->media ? peer->media->ndown : 0;

    if (ts->n_track_sids > ngx_max(ndown, NGX_MEET_MAX_TRACKS)) {
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: refused track settings for %uz tracks, "
                      "it receives %ui", ts->n_track_sids, ndown);
        return;
    }

    for (i = 0; i < ndown; i++) {
        d = peer->media->down[i];
        up = d->up;
        t = up->owner;

        for (k = 0; k < ts->n_track_sids; k++) {
            if (ts->track_sids[k] && ngx_strcmp(ts->track_sids[k], t->sid)
                                     == 0)
            {
                break;
            }
        }

        if (k == ts->n_track_sids) {
            continue;
        }

        if (ts->disabled || ts->quality == LIVEKIT__VIDEO_QUALITY__OFF) {
            d->paused = 1;

        } else {
            if (d->paused) {
                ngx_meet_media_downtrack_resume(d);
            }

            if (ts->width) {
                layer = NGX_MEET_MAX_LAYERS - 1;

                for (k = 0; k < NGX_MEET_MAX_LAYERS; k++) {
                    if (t->layer_width[k] >= ts->width) {
                        layer = k;
                        break;
                    }
                }

            } else {
                layer = (ts->quality >= LIVEKIT__VIDEO_QUALITY__LOW
                         && ts->quality <= LIVEKIT__VIDEO_QUALITY__HIGH)
                        ? (ngx_uint_t) ts->quality : NGX_MEET_MAX_LAYERS - 1;
            }

            d->max_layer = layer;
        }

        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" wants %s of %s%s (%uDx%uD, "
                      "quality %d): layer %ui",
                      ngx_meet_log_cesc(peer->identity),
                      d->paused ? "none" : "up to a layer", t->sid,
                      d->paused ? ", paused" : "", ts->width, ts->height,
                      (int) ts->quality, d->max_layer);
    }

    ngx_meet_signal_dynacast(peer->room);
}


/*
 * Dynacast: a publisher sends the simulcast layers somebody gets.  The
 * highest layer any subscriber asked for (not paused) decides; the lowest
 * layer stays on, so that a new subscriber starts at once.  The publisher
 * hears of changes only (SubscribedQualityUpdate; livekit-client acts on it
 * with its dynacast option).
 */

void
ngx_meet_signal_dynacast(ngx_meet_signal_room_t *room)
{
    u_char                            codec[16];
    size_t                            len;
    ngx_int_t                         top;
    ngx_uint_t                        k;
    const char                       *name;
    ngx_queue_t                      *q, *tq, *next, *tnext;
    ngx_meet_signal_peer_t           *p;
    ngx_meet_signal_track_t          *t;
    ngx_meet_downtrack_t             *d;
    Livekit__SubscribedQuality        sq[NGX_MEET_MAX_LAYERS];
    Livekit__SubscribedQuality       *sqs[NGX_MEET_MAX_LAYERS];
    Livekit__SubscribedCodec          sc, *scs[1];
    Livekit__SubscribedQualityUpdate  upd;
    Livekit__SignalResponse           resp;

    static ngx_uint_t               running;

    /* a send that closes a peer comes back here: the outer loop goes on */
    if (room == NULL || running) {
        return;
    }

    running = 1;

    /*
     * sending may close a slow publisher, take it out of the room and free
     * its tracks: the next peer is taken before, and its tracks are left
     * once it is closing
     */

    for (q = ngx_queue_head(&room->peers);
         q != ngx_queue_sentinel(&room->peers);
         q = next)
    {
        next = ngx_queue_next(q);
        p = ngx_queue_data(q, ngx_meet_signal_peer_t, queue);

        for (tq = ngx_queue_head(&p->tracks);
             !p->closing && tq != ngx_queue_sentinel(&p->tracks);
             tq = tnext)
        {
            tnext = ngx_queue_next(tq);
            t = ngx_queue_data(tq, ngx_meet_signal_track_t, queue);

            if (t->up == NULL || !t->up->video || t->up->nlayers < 2
                || t->mime == NULL)
            {
                continue;
            }

            top = 0;

            for (d = t->up->down; d; d = d->next) {
                if (!d->paused && (ngx_int_t) d->max_layer > top) {
                    top = d->max_layer;
                }
            }

            top = ngx_min(top, (ngx_int_t) t->up->nlayers - 1);

            if (top == t->dynacast) {
                continue;
            }

            t->dynacast = top;

            /* "video/VP8" -> "vp8", as livekit-client names codecs */
            name = ngx_strchr(t->mime, '/');
            name = name ? name + 1 : t->mime;
            len = ngx_min(ngx_strlen(name), sizeof(codec) - 1);
            ngx_strlow(codec, (u_char *) name, len);
            codec[len] = '\0';

            for (k = 0; k < NGX_MEET_MAX_LAYERS; k++) {
                livekit__subscribed_quality__init(&sq[k]);
                sq[k].quality = (Livekit__VideoQuality) k;
                sq[k].enabled = ((ngx_int_t) k <= top);
                sqs[k] = &sq[k];
            }

            livekit__subscribed_codec__init(&sc);
            sc.codec = (char *) codec;
            sc.qualities = sqs;
            sc.n_qualities = NGX_MEET_MAX_LAYERS;
            scs[0] = &sc;

            livekit__subscribed_quality_update__init(&upd);
            upd.track_sid = t->sid;
            upd.subscribed_qualities = sqs;
            upd.n_subscribed_qualities = NGX_MEET_MAX_LAYERS;
            upd.subscribed_codecs = scs;
            upd.n_subscribed_codecs = 1;

            livekit__signal_response__init(&resp);
            resp.message_case =
                LIVEKIT__SIGNAL_RESPONSE__MESSAGE_SUBSCRIBED_QUALITY_UPDATE;
            resp.subscribed_quality_update = &upd;

            ngx_log_error(NGX_LOG_INFO, p->connection->log, 0,
                          "meet signal: \"%V\" is asked to send %s up to "
                          "layer %i", ngx_meet_log_cesc(p->identity), t->sid,
                          top);

            (void) ngx_meet_signal_peer_send(p, &resp);
        }
    }

    running = 0;
}


void
ngx_meet_signal_downtracks_free(ngx_meet_signal_peer_t *peer)
{
    while (peer->media && peer->media->ndown) {
        ngx_meet_media_downtrack_free(peer->media->down[0]);
    }
}
