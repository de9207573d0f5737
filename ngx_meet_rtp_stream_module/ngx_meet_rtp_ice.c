
/*
 * Copyright (C) ngx_meet authors
 *
 * ICE-lite on the media port: every STUN Binding request is checked
 * against the credentials of the participant its USERNAME names (our
 * ufrag first, RFC 8445 7.2.2), answered, and a valid one binds the
 * client address to that participant; USE-CANDIDATE makes it the selected
 * pair (the browser is the controlling agent).
 *
 * Consent (RFC 7675).  A valid check proves that its sender knows the
 * credentials, not that its source address wants our packets: the source
 * may be spoofed.  So media goes to an address only while it answers our
 * own Binding requests (signed with the client's ice-pwd from its offer):
 *
 *   - the first address of a participant is selected at once (DTLS, which
 *     only answers the client's flights, goes there) and gets requests at
 *     once, retransmitted from 100 ms up to meet_rtp_consent_interval
 *     (and at once, at most every 100 ms, when a check comes from it);
 *     media starts with the first valid answer (our transaction id,
 *     MESSAGE-INTEGRITY with the client's password, FINGERPRINT);
 *   - a nomination (USE-CANDIDATE) from another address while the
 *     selected one has consent makes it the "wanted" address: media stays
 *     on the selected one until the wanted one answers, then moves; one
 *     wanted address per participant (a newer nomination replaces it),
 *     given up after meet_rtp_consent_timeout without an answer;
 *   - consent freshness: the selected address gets a request every
 *     meet_rtp_consent_interval (5 s, randomized 0.8 to 1.2, RFC 7675
 *     5.1); after meet_rtp_consent_timeout (30 s) without a valid answer
 *     media stops, the address is closed and the signal side is told
 *     (NGX_MEET_MEDIA_ICE_DISCONNECTED).  The client's next check, from
 *     any address, selects it again and consent starts over (with new
 *     credentials after an ICE restart: the signal module keeps the
 *     latest offer's).
 *
 * An ICE-TCP connection is an address like any other: the same rules hold
 * between UDP and TCP paths.
 *
 * pion/ice, which livekit-server uses, is laxer as a lite agent: it takes
 * a nomination at once (selection.go, controlledSelector.
 * HandleBindingRequest: "an accepted lite nomination directly into the
 * valid list") and keeps the selected pair alive with Binding requests
 * (agent.go, checkKeepalive(): "binding request instead of indication to
 * support refresh consent") but judges it by what it receives
 * (validateSelectedPair()).
 */


#include "ngx_meet_rtp_stream.h"
#include "meet_stun.h"

#include <openssl/rand.h>


#if (NGX_MEET_RTP_TID_LEN != MEET_STUN_TID_LEN)
#error NGX_MEET_RTP_TID_LEN is not MEET_STUN_TID_LEN
#endif


/* the first retransmission of an unanswered consent request, ms */
#define NGX_MEET_RTP_CONSENT_RTO       100

/*
 * PRIORITY of our requests: what a peer-reflexive candidate of ours would
 * have (RFC 8445 7.1.1; type preference 110, component 1)
 */
#define NGX_MEET_RTP_CONSENT_PRIORITY  0x6effffff


static void ngx_meet_rtp_ice_select(ngx_meet_rtp_peer_t *peer,
    ngx_meet_rtp_conn_t *rc, ngx_uint_t nominated);
static void ngx_meet_rtp_consent_start(ngx_meet_rtp_conn_t *rc);
static void ngx_meet_rtp_consent_handler(ngx_event_t *ev);
static void ngx_meet_rtp_consent_request(ngx_meet_rtp_conn_t *rc,
    ngx_meet_media_transport_t *ms);
static void ngx_meet_rtp_consent_triggered(ngx_meet_rtp_conn_t *rc,
    ngx_meet_media_transport_t *ms);
static void ngx_meet_rtp_consent_response(ngx_meet_rtp_conn_t *rc,
    meet_stun_msg_t *msg);
static ngx_msec_t ngx_meet_rtp_consent_interval(
    ngx_meet_rtp_srv_conf_t *conf);


/*
 * Refused checks are logged at most once a second per worker (a flood of
 * them from spoofed addresses must not flood the log), with how many were
 * not logged since; each one at debug level.
 */

static void
ngx_meet_rtp_ice_refused(ngx_connection_t *c, meet_stun_check_t *res)
{
    ngx_uint_t  quiet;

    static ngx_meet_rtp_log_limit_t  ll;

    if (!ngx_meet_rtp_log_limit(&ll, &quiet)) {
        ngx_log_debug2(NGX_LOG_DEBUG_STREAM, c->log, 0,
                       "meet rtp: ICE check refused with %ud: %s",
                       res->error_code, res->reason);
        return;
    }

    ngx_log_error(NGX_LOG_INFO, c->log, 0,
                  "meet rtp: ICE check refused with %ud: %s "
                  "(%ui more refused since the last such line)",
                  res->error_code, res->reason, quiet);
}


void
ngx_meet_rtp_stun(ngx_meet_rtp_conn_t *rc, u_char *p, size_t n)
{
    size_t                       len, ours_len, pwd_len;
    u_char                       out[MEET_STUN_ANSWER_MAX];
    const u_char                *ours, *pwd, *ufrag;
    ngx_connection_t            *c;
    meet_stun_msg_t              msg;
    meet_stun_check_t            res;
    ngx_meet_rtp_peer_t         *peer;
    ngx_meet_media_transport_t  *ms;

    c = rc->connection;

    (void) meet_stun_parse(&msg, p, n);

    if (msg.header_ok && msg.method == MEET_STUN_BINDING
        && (msg.class == MEET_STUN_SUCCESS
            || msg.class == MEET_STUN_ERROR_RESPONSE))
    {
        ngx_meet_rtp_consent_response(rc, &msg);
        return;
    }

    ms = NULL;

    if (msg.has_username
        && meet_stun_username_split(msg.username, msg.username_len, &ours,
                                    &ours_len, NULL, NULL)
           == 0)
    {
        ms = ngx_meet_media_transport_find(ours, ours_len);
    }

    ufrag = ms ? ms->local_ufrag.data : NULL;
    pwd = ms ? ms->local_pwd.data : NULL;
    pwd_len = ms ? ms->local_pwd.len : 0;

    (void) meet_stun_binding_request_check(&msg, ufrag,
                                           ms ? ms->local_ufrag.len : 0,
                                           pwd, pwd_len, &res);

    switch (res.rc) {

    case MEET_STUN_CHECK_DROP:
        ngx_meet_rtp_drops[NGX_MEET_DROP_STUN_MALFORMED]++;
        ngx_log_debug1(NGX_LOG_DEBUG_STREAM, c->log, 0,
                       "meet rtp: STUN dropped: %s", res.reason);
        return;

    case MEET_STUN_CHECK_INDICATION:
        return;

    case MEET_STUN_CHECK_ERROR:
        if (res.error_code == MEET_STUN_ERR_UNAUTHENTICATED) {
            ngx_meet_rtp_drops[ms ? NGX_MEET_DROP_STUN_INTEGRITY
                                  : NGX_MEET_DROP_STUN_UNKNOWN_UFRAG]++;

        } else {
            ngx_meet_rtp_drops[NGX_MEET_DROP_STUN_OTHER]++;
        }

        ngx_meet_rtp_ice_refused(c, &res);

        /*
         * an unauthenticated source gets no more bytes than it sent: the
         * media port is no amplifier for spoofed source addresses
         */
        len = meet_stun_write_answer(out, sizeof(out), &msg, &res,
                                     c->sockaddr, pwd, pwd_len, NULL);
        if (len && len <= n) {
            (void) ngx_meet_rtp_send(rc, out, len);
        }

        return;

    default: /* MEET_STUN_CHECK_OK */
        break;
    }

    len = meet_stun_write_answer(out, sizeof(out), &msg, &res, c->sockaddr,
                                 pwd, pwd_len, NULL);
    if (len) {
        (void) ngx_meet_rtp_send(rc, out, len);
    }

    /* a valid check keeps the address alive (consent freshness) */
    ngx_add_timer(c->read, rc->conf->session_timeout);

    if (!rc->validated) {
        rc->validated = 1;
        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "meet rtp: valid ICE check for %V from %V",
                      &ms->local_ufrag, &c->addr_text);
    }

    peer = ms->media;

    if (peer == NULL) {
        peer = ngx_meet_rtp_peer_create(ms);
        if (peer == NULL) {
            return;
        }
    }

    if (peer->selected == rc) {
        if (res.use_candidate && !rc->nominated) {
            rc->nominated = 1;
            ngx_log_error(NGX_LOG_INFO, c->log, 0,
                          "meet rtp: %V selected for %V (nominated)",
                          &c->addr_text, &ms->local_ufrag);
        }

        ngx_meet_rtp_consent_triggered(rc, ms);
        return;
    }

    /*
     * The first address, or a nomination while no media flows: selected
     * now (media waits for its consent all the same)
     */
    if (peer->selected == NULL
        || (res.use_candidate && !peer->selected->consent))
    {
        ngx_meet_rtp_ice_select(peer, rc, res.use_candidate);
        return;
    }

    if (peer->candidate == rc) {
        ngx_meet_rtp_consent_triggered(rc, ms);
        return;
    }

    if (!res.use_candidate) {
        return;
    }

    /* media moves here once it answers our request (RFC 7675) */

    if (peer->candidate) {
        ngx_meet_rtp_consent_stop(peer->candidate);
    }

    peer->candidate = rc;
    rc->want = peer;

    ngx_log_error(NGX_LOG_INFO, c->log, 0,
                  "meet rtp: %V nominated for %V: media stays on %V until "
                  "it answers our consent request", &c->addr_text,
                  &ms->local_ufrag, &peer->selected->connection->addr_text);

    ngx_meet_rtp_consent_start(rc);
}


static void
ngx_meet_rtp_ice_select(ngx_meet_rtp_peer_t *peer, ngx_meet_rtp_conn_t *rc,
    ngx_uint_t nominated)
{
    ngx_uint_t  fresh;

    if (peer->selected) {
        peer->selected->peer = NULL;
        ngx_meet_rtp_consent_stop(peer->selected);
    }

    /* a wanted address that answered keeps its consent round */
    fresh = (rc->want == NULL);

    if (peer->candidate == rc) {
        peer->candidate = NULL;
    }

    rc->want = NULL;

    peer->selected = rc;
    rc->peer = peer;
    rc->nominated = nominated;

    ngx_log_error(NGX_LOG_INFO, rc->connection->log, 0,
                  "meet rtp: %V selected for %V%s",
                  &rc->connection->addr_text, &peer->media->local_ufrag,
                  nominated ? " (nominated)" : "");

    if (fresh) {
        ngx_meet_rtp_consent_start(rc);
    }

    ngx_meet_media_state(peer->media, NGX_MEET_MEDIA_ICE_CONNECTED);
}


/* RFC 7675: consent of rc's address, for its selected or wanted peer */

static void
ngx_meet_rtp_consent_start(ngx_meet_rtp_conn_t *rc)
{
    rc->consent_ev.handler = ngx_meet_rtp_consent_handler;
    rc->consent_ev.data = rc;
    rc->consent_ev.log = rc->connection->log;
    rc->consent_ev.cancelable = 1;

    rc->consent = 0;
    rc->consent_start = ngx_current_msec;
    rc->consent_tries = 0;
    rc->tid_live = 0;

    ngx_meet_rtp_consent_handler(&rc->consent_ev);
}


void
ngx_meet_rtp_consent_stop(ngx_meet_rtp_conn_t *rc)
{
    if (rc->consent_ev.timer_set) {
        ngx_del_timer(&rc->consent_ev);
    }

    if (rc->want && rc->want->candidate == rc) {
        rc->want->candidate = NULL;
    }

    rc->want = NULL;
    rc->consent = 0;
    rc->tid_live = 0;
}


/* the next request, or the end of consent */

static void
ngx_meet_rtp_consent_handler(ngx_event_t *ev)
{
    ngx_meet_rtp_conn_t  *rc = ev->data;

    ngx_msec_t                   base, elapsed, next;
    ngx_meet_rtp_peer_t         *peer;
    ngx_meet_rtp_srv_conf_t     *conf;
    ngx_meet_media_transport_t  *ms;

    peer = rc->peer ? rc->peer : rc->want;

    if (peer == NULL || peer->media == NULL || rc->finalizing) {
        return;
    }

    ms = peer->media;
    conf = rc->conf;

    base = rc->consent ? rc->consent_at : rc->consent_start;
    elapsed = ngx_current_msec - base;

    if (elapsed >= conf->consent_timeout) {

        if (rc->want) {
            ngx_log_error(NGX_LOG_INFO, rc->connection->log, 0,
                          "meet rtp: %V nominated for %V did not answer our "
                          "consent requests for %M ms, media stays where it "
                          "was", &rc->connection->addr_text,
                          &ms->local_ufrag, elapsed);
            ngx_meet_rtp_consent_stop(rc);
            return;
        }

        ngx_log_error(NGX_LOG_INFO, rc->connection->log, 0,
                      "meet rtp: no consent from %V for %V for %M ms "
                      "(meet_rtp_consent_timeout), media to it stops",
                      &rc->connection->addr_text, &ms->local_ufrag, elapsed);

        /* the client comes back with a new check, from any address */
        ngx_meet_rtp_consent_stop(rc);

        if (!rc->finalizing) {
            rc->finalizing = 1;
            ngx_post_event(&rc->fin, &ngx_posted_events);
        }

        ngx_meet_media_state(ms, NGX_MEET_MEDIA_ICE_DISCONNECTED);
        return;
    }

    ngx_meet_rtp_consent_request(rc, ms);

    if (rc->consent) {
        next = ngx_meet_rtp_consent_interval(conf);

    } else {
        /* not answered yet: retransmissions, doubling up to the interval */
        next = (ngx_msec_t) NGX_MEET_RTP_CONSENT_RTO
               << ngx_min(rc->consent_tries, 16);
        next = ngx_min(next, conf->consent_interval);
        rc->consent_tries++;
    }

    next = ngx_min(next, conf->consent_timeout - elapsed);

    ngx_add_timer(&rc->consent_ev, next);
}


static void
ngx_meet_rtp_consent_request(ngx_meet_rtp_conn_t *rc,
    ngx_meet_media_transport_t *ms)
{
    size_t                len;
    u_char                user[sizeof(ms->remote_ufrag) + 1
                               + NGX_MEET_ICE_UFRAG_MAX];
    u_char                out[512];
    u_char               *p;
    meet_stun_request_t   r;

    static uint64_t       tiebreaker;

    if (ms->remote_pwd_len == 0 || ms->remote_ufrag_len == 0) {
        ngx_log_debug0(NGX_LOG_DEBUG_STREAM, rc->connection->log, 0,
                       "meet rtp: no ICE credentials of the client yet, "
                       "no consent request");
        return;
    }

    if (tiebreaker == 0
        && RAND_bytes((u_char *) &tiebreaker, sizeof(uint64_t)) != 1)
    {
        tiebreaker = 0;
        return;
    }

    /* a new transaction id each time (RFC 7675 5.1); the last two count */

    ngx_memcpy(rc->tid[1], rc->tid[0], NGX_MEET_RTP_TID_LEN);
    rc->tid_live = (rc->tid_live & 1) << 1;

    if (RAND_bytes(rc->tid[0], NGX_MEET_RTP_TID_LEN) != 1) {
        ngx_log_error(NGX_LOG_ALERT, rc->connection->log, 0,
                      "meet rtp: RAND_bytes() failed");
        return;
    }

    /* RFC 8445 7.2.2: USERNAME "theirs:ours" */

    p = ngx_cpymem(user, ms->remote_ufrag, ms->remote_ufrag_len);
    *p++ = ':';
    p = ngx_cpymem(p, ms->local_ufrag.data, ms->local_ufrag.len);

    ngx_memzero(&r, sizeof(meet_stun_request_t));
    r.username = user;
    r.username_len = p - user;
    r.key = ms->remote_pwd;
    r.key_len = ms->remote_pwd_len;
    r.priority = NGX_MEET_RTP_CONSENT_PRIORITY;
    r.role = MEET_STUN_ROLE_CONTROLLED;
    r.tiebreaker = tiebreaker;

    len = meet_stun_write_request(out, sizeof(out), rc->tid[0], &r);
    if (len == 0) {
        return;
    }

    rc->tid_live |= 1;
    rc->consent_sent = ngx_current_msec;

    (void) ngx_meet_rtp_send(rc, out, len);
}


/*
 * A valid check from an address whose consent we wait for: the client is
 * there, our request goes now rather than at its retransmission time (at
 * most one per NGX_MEET_RTP_CONSENT_RTO: checks come often)
 */

static void
ngx_meet_rtp_consent_triggered(ngx_meet_rtp_conn_t *rc,
    ngx_meet_media_transport_t *ms)
{
    if (!rc->consent && rc->consent_ev.timer_set
        && ngx_current_msec - rc->consent_sent >= NGX_MEET_RTP_CONSENT_RTO)
    {
        ngx_meet_rtp_consent_request(rc, ms);
    }
}


/* a STUN response from rc's address: an answer to our consent request? */

static void
ngx_meet_rtp_consent_response(ngx_meet_rtp_conn_t *rc, meet_stun_msg_t *msg)
{
    int                          rv;
    ngx_uint_t                   i;
    const char                  *reason;
    ngx_meet_rtp_peer_t         *peer;
    ngx_meet_media_transport_t  *ms;

    peer = rc->peer ? rc->peer : rc->want;
    ms = peer ? peer->media : NULL;

    reason = "a response to no request of ours";
    rv = MEET_STUN_RESPONSE_DROP;
    i = 0;

    if (ms) {
        for (i = 0; i < 2; i++) {
            if ((rc->tid_live & (1 << i))
                && ngx_memcmp(msg->tid, rc->tid[i], NGX_MEET_RTP_TID_LEN)
                   == 0)
            {
                rv = meet_stun_binding_response_check(msg, rc->tid[i],
                                                      ms->remote_pwd,
                                                      ms->remote_pwd_len,
                                                      &reason);
                break;
            }
        }
    }

    if (rv == MEET_STUN_RESPONSE_DROP) {
        ngx_meet_rtp_drops[NGX_MEET_DROP_STUN_RESPONSE]++;
        ngx_log_debug2(NGX_LOG_DEBUG_STREAM, rc->connection->log, 0,
                       "meet rtp: STUN response from %V dropped: %s",
                       &rc->connection->addr_text, reason);
        return;
    }

    /* an answer uses its transaction up */
    rc->tid_live &= ~(1 << i);

    if (rv == MEET_STUN_RESPONSE_ERROR) {
        ngx_log_error(NGX_LOG_INFO, rc->connection->log, 0,
                      "meet rtp: %V answered our consent request for %V "
                      "with %ud", &rc->connection->addr_text,
                      &ms->local_ufrag, msg->error_code);
        return;
    }

    rc->consent_at = ngx_current_msec;
    rc->consent_tries = 0;

    if (!rc->consent) {
        rc->consent = 1;
        ngx_log_error(NGX_LOG_INFO, rc->connection->log, 0,
                      "meet rtp: %V consents to media for %V",
                      &rc->connection->addr_text, &ms->local_ufrag);
    }

    if (rc->want) {
        ngx_meet_rtp_ice_select(rc->want, rc, 1);
    }

    ngx_add_timer(&rc->consent_ev, ngx_meet_rtp_consent_interval(rc->conf));
}


/* RFC 7675 5.1: the interval randomized over 0.8 to 1.2 of it */

static ngx_msec_t
ngx_meet_rtp_consent_interval(ngx_meet_rtp_srv_conf_t *conf)
{
    ngx_msec_t  fifth;

    fifth = conf->consent_interval / 5;

    return conf->consent_interval - fifth
           + (ngx_msec_t) ngx_random() % (2 * fifth + 1);
}

