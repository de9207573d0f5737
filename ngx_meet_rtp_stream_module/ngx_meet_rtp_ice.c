
/*
 * Copyright (C) ngx_meet authors
 *
 * ICE-lite on the media port: every STUN Binding request is checked
 * against the credentials of the participant its USERNAME names (our
 * ufrag first, RFC 8445 7.2.2), answered, and a valid one binds the
 * client address to that participant; USE-CANDIDATE makes it the selected
 * pair (the browser is the controlling agent).
 */


#include "ngx_meet_rtp_stream.h"
#include "meet_stun.h"


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

        return;
    }

    if (peer->selected == NULL || res.use_candidate) {

        if (peer->selected) {
            peer->selected->peer = NULL;
        }

        peer->selected = rc;
        rc->peer = peer;
        rc->nominated = res.use_candidate;

        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "meet rtp: %V selected for %V%s", &c->addr_text,
                      &ms->local_ufrag,
                      res.use_candidate ? " (nominated)" : "");

        ngx_meet_media_state(ms, NGX_MEET_MEDIA_ICE_CONNECTED);
    }
}

