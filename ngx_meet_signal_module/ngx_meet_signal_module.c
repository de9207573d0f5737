
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_signal_module: LiveKit's signaling protocol over WebSocket, so
 * that the unmodified livekit-client SDK (2.21, single peer connection,
 * /rtc/v1) joins rooms served by nginx.
 *
 *     location /rtc { meet_signal; }        (or "/rtc signal;" in meet_routes)
 *
 *     /rtc/v1               WebSocket: protobuf SignalRequest/SignalResponse
 *     /rtc/v1/validate      200 "success", or the error status and reason
 *     /rtc/validate         the same
 *     /rtc                  404: the v0 two-connection protocol is not served
 *
 * Access tokens are LiveKit's (JWT HS256, "iss" = API key, keys from
 * meet_api_key / meet_api_keys_file, development default devkey/secret).
 */


#include "ngx_meet_http.h"
#include "ngx_meet_signal.h"
#include "ngx_meet_signal_sdp.h"
#include "ngx_meet_signal_ws.h"


static ngx_int_t ngx_meet_signal_preconf(ngx_conf_t *cf);
static ngx_int_t ngx_meet_signal_init(ngx_conf_t *cf);
static void *ngx_meet_signal_create_loc_conf(ngx_conf_t *cf);
static char *ngx_meet_signal_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_meet_signal(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
#if (NGX_MEET_TEST_HOOKS)
static char *ngx_meet_signal_test_data(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
#endif
static ngx_int_t ngx_meet_signal_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_meet_signal_init_process(ngx_cycle_t *cycle);
static void ngx_meet_signal_exit_process(ngx_cycle_t *cycle);
static ngx_meet_health_status_e ngx_meet_signal_health(ngx_meet_health_t *h,
    json_t *out, ngx_log_t *log);

static ngx_int_t ngx_meet_signal_handler(ngx_http_request_t *r);
static u_char *ngx_meet_signal_log_error(ngx_http_request_t *r,
    ngx_http_request_t *sr, u_char *buf, size_t len);
static ngx_int_t ngx_meet_signal_text(ngx_http_request_t *r,
    ngx_uint_t status, const char *text);
static ngx_int_t ngx_meet_signal_validate(ngx_http_request_t *r);
static ngx_int_t ngx_meet_signal_auth(ngx_http_request_t *r,
    meet_jwt_claims_t *claims, ngx_uint_t *status, const char **reason);
static ngx_int_t ngx_meet_signal_room_check(ngx_http_request_t *r,
    meet_jwt_claims_t *claims, ngx_uint_t *status, const char **reason);
static ngx_int_t ngx_meet_signal_limits(ngx_http_request_t *r,
    meet_jwt_claims_t *claims, Livekit__JoinRequest *join, json_t **attrs,
    ngx_uint_t *status, const char **reason);
static ngx_int_t ngx_meet_signal_join(ngx_http_request_t *r);
static ngx_int_t ngx_meet_signal_upgrade(ngx_http_request_t *r);
static ngx_int_t ngx_meet_signal_start(ngx_http_request_t *r,
    meet_jwt_claims_t *claims, Livekit__JoinRequest *join, json_t *attrs);
static ngx_int_t ngx_meet_signal_send_join(ngx_meet_signal_peer_t *peer);

static void ngx_meet_signal_read_handler(ngx_http_request_t *r);
static void ngx_meet_signal_write_handler(ngx_http_request_t *r);
static ngx_int_t ngx_meet_signal_message(ngx_meet_signal_peer_t *peer,
    u_char *data, size_t len);
static void ngx_meet_signal_kick(ngx_meet_signal_peer_t *peer,
    Livekit__DisconnectReason reason, const char *why);
static ngx_uint_t ngx_meet_signal_logout(ngx_str_t *session_key);
static void ngx_meet_signal_leave(ngx_meet_signal_peer_t *peer);
static void ngx_meet_signal_cleanup(void *data);
static void ngx_meet_signal_shutdown_peer(ngx_meet_signal_peer_t *peer,
    void *data);

static void ngx_meet_signal_add_track(ngx_meet_signal_peer_t *peer,
    Livekit__AddTrackRequest *req);
static void ngx_meet_signal_mute(ngx_meet_signal_peer_t *peer,
    Livekit__MuteTrackRequest *req);
static void ngx_meet_signal_update_metadata(ngx_meet_signal_peer_t *peer,
    Livekit__UpdateParticipantMetadata *req);
static void ngx_meet_signal_request_response(ngx_meet_signal_peer_t *peer,
    uint32_t request_id, Livekit__RequestResponse__Reason reason,
    const char *message, Livekit__AddTrackRequest *add_track);
static const u_char *ngx_meet_signal_key_lookup(void *data,
    const u_char *key, size_t key_len, size_t *secret_len);


static ngx_command_t  ngx_meet_signal_commands[] = {

    { ngx_string("meet_signal"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_meet_signal,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_signal_max_frame"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, max_frame),
      NULL },

    { ngx_string("meet_signal_max_message"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, max_message),
      NULL },

    { ngx_string("meet_signal_max_queue"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, max_queue),
      NULL },

    { ngx_string("meet_signal_ping_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, ping_timeout),
      NULL },

    { ngx_string("meet_signal_ping_interval"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, ping_interval),
      NULL },

    { ngx_string("meet_signal_max_participants"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, max_participants),
      NULL },

    { ngx_string("meet_signal_max_tracks"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, max_tracks),
      NULL },

    { ngx_string("meet_signal_departure_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, departure_timeout),
      NULL },

    { ngx_string("meet_signal_max_name_length"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, max_name_length),
      NULL },

    { ngx_string("meet_signal_max_metadata_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, max_metadata_size),
      NULL },

    { ngx_string("meet_signal_max_attributes_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, max_attributes_size),
      NULL },

    { ngx_string("meet_signal_message_rate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, message_rate),
      NULL },

    { ngx_string("meet_signal_message_burst"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, message_burst),
      NULL },

    { ngx_string("meet_signal_max_data_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_signal_loc_conf_t, max_data_size),
      NULL },

#if (NGX_MEET_TEST_HOOKS)
    { ngx_string("meet_signal_test_data"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_meet_signal_test_data,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },
#endif

      ngx_null_command
};


static ngx_http_module_t  ngx_meet_signal_module_ctx = {
    ngx_meet_signal_preconf,               /* preconfiguration */
    ngx_meet_signal_init,                  /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_meet_signal_create_loc_conf,       /* create location configuration */
    ngx_meet_signal_merge_loc_conf         /* merge location configuration */
};


ngx_module_t  ngx_meet_signal_module = {
    NGX_MODULE_V1,
    &ngx_meet_signal_module_ctx,           /* module context */
    ngx_meet_signal_commands,              /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_meet_signal_init_module,           /* init module */
    ngx_meet_signal_init_process,          /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_meet_signal_exit_process,          /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* whether this configuration has a meet_signal location */
static ngx_uint_t  ngx_meet_signal_used;
static ngx_uint_t  ngx_meet_signal_shutdown;


/* configuration */


static ngx_int_t
ngx_meet_signal_preconf(ngx_conf_t *cf)
{
    ngx_meet_signal_used = 0;
#if (NGX_MEET_TEST_HOOKS)
    ngx_meet_signal_test_data_used = 0;
#endif

    return NGX_OK;
}


static ngx_int_t
ngx_meet_signal_init(ngx_conf_t *cf)
{
    /* the shared core must be loaded (ngx_meet_routing_module.so first) */
    if (ngx_meet_core_check(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (!ngx_meet_signal_used) {
        return NGX_OK;
    }

    ngx_meet_signal_sdp_init();
    ngx_meet_signal_data_init();

    return ngx_meet_health_register(cf, "signal", ngx_meet_signal_health,
                                    NULL);
}


static void *
ngx_meet_signal_create_loc_conf(ngx_conf_t *cf)
{
    ngx_meet_signal_loc_conf_t  *slcf;

    slcf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_signal_loc_conf_t));
    if (slcf == NULL) {
        return NULL;
    }

    slcf->enable = NGX_CONF_UNSET;
    slcf->max_frame = NGX_CONF_UNSET_SIZE;
    slcf->max_message = NGX_CONF_UNSET_SIZE;
    slcf->max_queue = NGX_CONF_UNSET_SIZE;
    slcf->ping_timeout = NGX_CONF_UNSET_MSEC;
    slcf->ping_interval = NGX_CONF_UNSET_MSEC;
    slcf->max_participants = NGX_CONF_UNSET_UINT;
    slcf->max_tracks = NGX_CONF_UNSET_UINT;
    slcf->departure_timeout = NGX_CONF_UNSET_MSEC;
    slcf->max_name_length = NGX_CONF_UNSET_SIZE;
    slcf->max_metadata_size = NGX_CONF_UNSET_SIZE;
    slcf->max_attributes_size = NGX_CONF_UNSET_SIZE;
    slcf->message_rate = NGX_CONF_UNSET_UINT;
    slcf->message_burst = NGX_CONF_UNSET_UINT;
    slcf->max_data_size = NGX_CONF_UNSET_SIZE;

    return slcf;
}


static char *
ngx_meet_signal_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_meet_signal_loc_conf_t  *prev = parent;
    ngx_meet_signal_loc_conf_t  *conf = child;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_size_value(conf->max_frame, prev->max_frame, 256 * 1024);
    ngx_conf_merge_size_value(conf->max_message, prev->max_message,
                              1024 * 1024);
    ngx_conf_merge_size_value(conf->max_queue, prev->max_queue, 1024 * 1024);
    ngx_conf_merge_msec_value(conf->ping_timeout, prev->ping_timeout, 15000);
    ngx_conf_merge_msec_value(conf->ping_interval, prev->ping_interval, 5000);
    /*
     * livekit-server caps neither by default (room.max_participants and
     * limit.num_tracks are 0); a server for meetings does: a room of 100,
     * and what a participant of La Suite Meet publishes (camera,
     * microphone, screen and its audio) twice over
     */
    ngx_conf_merge_uint_value(conf->max_participants, prev->max_participants,
                              100);
    ngx_conf_merge_uint_value(conf->max_tracks, prev->max_tracks, 8);

    if (conf->max_tracks == 0 || conf->max_tracks > NGX_MEET_MAX_TRACKS) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_signal_max_tracks must be 1 to %d",
                           NGX_MEET_MAX_TRACKS);
        return NGX_CONF_ERROR;
    }
    ngx_conf_merge_msec_value(conf->departure_timeout,
                              prev->departure_timeout, 20000);

    /* livekit-server's defaults (pkg/config/config.go, Limit); 0: none */
    ngx_conf_merge_size_value(conf->max_name_length, prev->max_name_length,
                              256);
    ngx_conf_merge_size_value(conf->max_metadata_size,
                              prev->max_metadata_size, 512 * 1024);
    ngx_conf_merge_size_value(conf->max_attributes_size,
                              prev->max_attributes_size, 64 * 1024);

    /*
     * livekit-server has no such limit.  livekit-client sends one
     * UpdateTrackSettings per remote track it shows (RemoteTrackPublication
     * emitTrackUpdate), so joining a large room is a burst: 500 frames at
     * once, 100 a second after that
     */
    ngx_conf_merge_uint_value(conf->message_rate, prev->message_rate, 100);
    ngx_conf_merge_uint_value(conf->message_burst, prev->message_burst, 500);

    if (conf->message_rate > 1000000 || conf->message_burst > 1000000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_signal_message_rate and "
                           "meet_signal_message_burst must be at most "
                           "1000000");
        return NGX_CONF_ERROR;
    }

    if (conf->message_rate && conf->message_burst == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_signal_message_burst must be at least 1 "
                           "(meet_signal_message_rate 0 turns the limit "
                           "off)");
        return NGX_CONF_ERROR;
    }

    /*
     * livekit-server has no limit of its own (the SCTP max-message-size of
     * its answer holds); livekit-client's streams send chunks of 15000
     * bytes, Meet's messages are small JSON
     */
    ngx_conf_merge_size_value(conf->max_data_size, prev->max_data_size,
                              64 * 1024);

    if (conf->max_frame < 1024) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_signal_max_frame must be at least 1k; SDP "
                           "offers alone are about 20k");
        return NGX_CONF_ERROR;
    }

    if (conf->max_message < conf->max_frame) {
        conf->max_message = conf->max_frame;
    }

    if (conf->ping_interval < 1000 || conf->ping_timeout < conf->ping_interval)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_signal_ping_interval must be at least 1s and "
                           "meet_signal_ping_timeout at least the interval");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_meet_signal(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_signal_loc_conf_t  *slcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (slcf->enable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    slcf->enable = 1;
    ngx_meet_signal_used = 1;

    /* it checks LiveKit tokens: the development key on loopback only */
    ngx_meet_core_api_keys_used(cf);

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_meet_signal_handler;

    return NGX_CONF_OK;
}


#if (NGX_MEET_TEST_HOOKS)

/* the tests' data channel stand-in (ngx_meet_signal_data.c) */

static char *
ngx_meet_signal_test_data(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate (the location already has a handler)";
    }

    clcf->handler = ngx_meet_signal_test_data_handler;
    ngx_meet_signal_test_data_used = 1;

    return NGX_CONF_OK;
}

#endif


static ngx_int_t
ngx_meet_signal_init_module(ngx_cycle_t *cycle)
{
    ngx_core_conf_t  *ccf;

    if (!ngx_meet_signal_used) {
        return NGX_OK;
    }

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    if (ccf->worker_processes > 1 && ccf->master) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet_signal keeps rooms in the memory of one worker "
                      "process; set \"worker_processes 1;\" (rooms shared "
                      "between workers are not implemented yet)");
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_meet_signal_init_process(ngx_cycle_t *cycle)
{
    ngx_meet_signal_rooms_init();
    ngx_meet_signal_shutdown = 0;
    ngx_meet_logout_handler_set(ngx_meet_signal_logout);

    return NGX_OK;
}


static void
ngx_meet_signal_exit_process(ngx_cycle_t *cycle)
{
    ngx_meet_signal_sdp_exit();
    ngx_meet_signal_data_exit();
}


static ngx_meet_health_status_e
ngx_meet_signal_health(ngx_meet_health_t *h, json_t *out, ngx_log_t *log)
{
    ngx_uint_t  rooms, participants;

    rooms = ngx_meet_signal_rooms_count(&participants);

    json_object_set_new(out, "rooms", json_integer((json_int_t) rooms));
    json_object_set_new(out, "participants",
                        json_integer((json_int_t) participants));

    ngx_meet_signal_data_health(out);

    return NGX_MEET_HEALTH_OK;
}


/* HTTP side */


static ngx_int_t
ngx_meet_signal_handler(ngx_http_request_t *r)
{
    size_t      len;
    u_char     *u;

    u = r->uri.data;
    len = r->uri.len;

    /* access tokens are in the query string: keep them out of the logs */
    r->log_handler = ngx_meet_signal_log_error;

    if (len >= 7 && ngx_strncmp(u + len - 7, "/rtc/v1", 7) == 0) {
        return ngx_meet_signal_join(r);
    }

    if ((len >= 16 && ngx_strncmp(u + len - 16, "/rtc/v1/validate", 16) == 0)
        || (len >= 13 && ngx_strncmp(u + len - 13, "/rtc/validate", 13) == 0))
    {
        return ngx_meet_signal_validate(r);
    }

    if (len >= 4 && ngx_strncmp(u + len - 4, "/rtc", 4) == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: the v0 protocol (two peer connections) "
                      "is not served, answering 404 so the client uses "
                      "/rtc/v1");
        return ngx_meet_signal_text(r, NGX_HTTP_NOT_FOUND,
                                    "v0 signaling is not supported; use "
                                    "/rtc/v1 (livekit-client 2.17 or newer)");
    }

    return NGX_HTTP_NOT_FOUND;
}


static u_char *
ngx_meet_signal_log_error(ngx_http_request_t *r, ngx_http_request_t *sr,
    u_char *buf, size_t len)
{
    u_char                  *p;
    ngx_meet_signal_peer_t  *peer;

    p = buf;

    if (r->headers_in.server.len) {
        p = ngx_snprintf(p, len, ", host: \"%V\"", &r->headers_in.server);
        len -= p - buf;
        buf = p;
    }

    p = ngx_snprintf(p, len, ", request: \"%V %V\"", &r->method_name,
                     ngx_meet_log_esc(&r->uri));
    len -= p - buf;
    buf = p;

    peer = ngx_http_get_module_ctx(r, ngx_meet_signal_module);

    if (peer && peer->identity) {
        p = ngx_snprintf(p, len, ", participant: \"%V\" %s",
                         ngx_meet_log_cesc(peer->identity), peer->sid);

        if (peer->room) {
            len -= p - buf;
            buf = p;
            p = ngx_snprintf(p, len, ", room: \"%V\"",
                             ngx_meet_log_cesc(peer->room->name));
        }
    }

    return p;
}


static ngx_int_t
ngx_meet_signal_text(ngx_http_request_t *r, ngx_uint_t status,
    const char *text)
{
    if (ngx_http_discard_request_body(r) != NGX_OK) {
        r->keepalive = 0;
    }

    return ngx_meet_http_send(r, status, "text/plain",
                              "Access-Control-Allow-Origin", "*",
                              (u_char *) text, ngx_strlen(text));
}


static const u_char *
ngx_meet_signal_key_lookup(void *data, const u_char *key, size_t key_len,
    size_t *secret_len)
{
    return ngx_meet_core_api_secret((ngx_cycle_t *) ngx_cycle, key, key_len,
                               secret_len);
}


/*
 * Reads and checks the access token: the "access_token" argument or an
 * "Authorization: Bearer" header.  On failure sets the HTTP status and
 * LiveKit-style reason and logs why.
 */

static ngx_int_t
ngx_meet_signal_auth(ngx_http_request_t *r, meet_jwt_claims_t *claims,
    ngx_uint_t *status, const char **reason)
{
    u_char            *dst, *src;
    ngx_str_t          token;
    meet_jwt_err_e     err;
    ngx_table_elt_t   *auth;

    ngx_str_null(&token);

    if (ngx_http_arg(r, (u_char *) "access_token", 12, &token) == NGX_OK) {

        if (ngx_strlchr(token.data, token.data + token.len, '%')) {
            dst = ngx_pnalloc(r->pool, token.len);
            if (dst == NULL) {
                *status = NGX_HTTP_INTERNAL_SERVER_ERROR;
                *reason = "out of memory";
                return NGX_ERROR;
            }

            src = token.data;
            token.data = dst;
            ngx_unescape_uri(&dst, &src, token.len, NGX_UNESCAPE_URI);
            token.len = dst - token.data;
        }

    } else {
        auth = r->headers_in.authorization;

        if (auth && auth->value.len > 7
            && ngx_strncasecmp(auth->value.data, (u_char *) "Bearer ", 7)
               == 0)
        {
            token.data = auth->value.data + 7;
            token.len = auth->value.len - 7;
        }
    }

    if (token.len == 0) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: refused, no access token");
        *status = NGX_HTTP_UNAUTHORIZED;
        *reason = "no permissions to access the room: missing access token";
        return NGX_ERROR;
    }

    err = meet_jwt_verify(token.data, token.len, ngx_meet_signal_key_lookup,
                          NULL, (int64_t) ngx_time(), MEET_JWT_LEEWAY,
                          claims);

    if (err == MEET_JWT_OK) {
        err = meet_jwt_check_join(claims);
    }

    if (err != MEET_JWT_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: refused token: %s",
                      meet_jwt_strerror(err));
        *status = meet_jwt_http_status(err);
        *reason = meet_jwt_strerror(err);
        meet_jwt_claims_free(claims);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_meet_signal_room_check(ngx_http_request_t *r, meet_jwt_claims_t *claims,
    ngx_uint_t *status, const char **reason)
{
    size_t                       used, budget;
    ngx_str_t                    name;
    ngx_uint_t                   refused;
    ngx_meet_signal_peer_t      *same;
    ngx_meet_signal_room_t      *room;
    ngx_meet_signal_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_meet_signal_module);

    /*
     * the worker's media memory is spent (meet_media_memory): refused as
     * livekit-server refuses a node over its limits (pkg/service/utils.go:
     * 503, rtc.ErrLimitExceeded's text)
     */
    if (ngx_meet_media_mem_full()) {
        ngx_meet_media_mem_stats(&used, &budget, &refused);

        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet signal: refused a participant, the media "
                      "memory of this worker is spent (%uzk of "
                      "meet_media_memory %uzk)", used / 1024, budget / 1024);

        *status = NGX_HTTP_SERVICE_UNAVAILABLE;
        *reason = "node has exceeded its configured limit";
        return NGX_ERROR;
    }

    if (slcf->max_participants == 0) {
        return NGX_OK;
    }

    name.data = (u_char *) claims->video.room.data;
    name.len = claims->video.room.len;

    room = ngx_meet_signal_room_find(&name);
    if (room == NULL || room->npeers < slcf->max_participants) {
        return NGX_OK;
    }

    /* a reconnecting identity replaces itself: not a new participant */
    same = ngx_meet_signal_room_find_identity(room,
                                       (char *) claims->identity.data);
    if (same) {
        return NGX_OK;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet signal: refused \"%V\", room \"%V\" is full "
                  "(%ui participants)",
                  ngx_meet_log_cesc(claims->identity.data),
                  ngx_meet_log_esc(&name), room->npeers);

    *status = NGX_HTTP_FORBIDDEN;
    *reason = "room is full: the maximum number of participants is reached";

    return NGX_ERROR;
}


/*
 * The token's name, metadata and attributes, with the attributes the join
 * request adds, within LiveKit's limits (livekit-server
 * pkg/service/roommanager.go StartSession checks metadata and attributes,
 * the join request's attributes merged in by pkg/service/utils.go
 * ValidateConnectRequest, and refuses with InvalidArgument: 400).  The
 * name is checked too: LiveKit checks it only on updates, but it goes to
 * everyone in every ParticipantUpdate alike.  With "attrs", the merged
 * attributes (NULL: none) for the participant.
 */

static ngx_int_t
ngx_meet_signal_limits(ngx_http_request_t *r, meet_jwt_claims_t *claims,
    Livekit__JoinRequest *join, json_t **attrs, ngx_uint_t *status,
    const char **reason)
{
    size_t                       i, size;
    json_t                      *a;
    ngx_meet_signal_loc_conf_t  *slcf;

    slcf = ngx_http_get_module_loc_conf(r, ngx_meet_signal_module);

    *status = NGX_HTTP_BAD_REQUEST;

    if (slcf->max_name_length && claims->name.len > slcf->max_name_length) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: refused token: its name has %uz bytes, "
                      "meet_signal_max_name_length is %uz",
                      claims->name.len, slcf->max_name_length);
        *reason = "name length exceeds limits";
        return NGX_ERROR;
    }

    if (slcf->max_metadata_size
        && claims->metadata.len > slcf->max_metadata_size)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: refused token: its metadata has %uz "
                      "bytes, meet_signal_max_metadata_size is %uz",
                      claims->metadata.len, slcf->max_metadata_size);
        *reason = "metadata size exceeds limits";
        return NGX_ERROR;
    }

    a = NULL;

    if (claims->attributes) {
        a = json_deep_copy(claims->attributes);
        if (a == NULL) {
            goto internal;
        }
    }

    /* attributes the client asks for at join are merged in, as LiveKit;
       empty values do not delete (ValidateConnectRequest) */
    if (join && join->n_participant_attributes
        && claims->video.can_update_own_metadata)
    {
        if (a == NULL) {
            a = json_object();
            if (a == NULL) {
                goto internal;
            }
        }

        for (i = 0; i < join->n_participant_attributes; i++) {
            if (join->participant_attributes[i]->value
                && join->participant_attributes[i]->value[0])
            {
                (void) ngx_meet_signal_attribute_set(a,
                                      join->participant_attributes[i]->key,
                                      join->participant_attributes[i]->value);
            }
        }
    }

    size = ngx_meet_signal_attributes_size(a);

    if (slcf->max_attributes_size && size > slcf->max_attributes_size) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: refused join: its attributes have %uz "
                      "bytes, meet_signal_max_attributes_size is %uz",
                      size, slcf->max_attributes_size);
        json_decref(a);
        *reason = "attribute size exceeds limits";
        return NGX_ERROR;
    }

    if (attrs) {
        *attrs = a;

    } else if (a) {
        json_decref(a);
    }

    return NGX_OK;

internal:

    *status = NGX_HTTP_INTERNAL_SERVER_ERROR;
    *reason = "out of memory";

    return NGX_ERROR;
}


static ngx_int_t
ngx_meet_signal_validate(ngx_http_request_t *r)
{
    ngx_uint_t          status;
    const char         *reason;
    ngx_table_elt_t    *h;
    meet_jwt_claims_t   claims;

    if (r->method == NGX_HTTP_OPTIONS) {
        /* CORS preflight for a validate call with an Authorization header */
        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Access-Control-Allow-Headers");
        ngx_str_set(&h->value, "Authorization");

        return ngx_meet_signal_text(r, NGX_HTTP_NO_CONTENT, "");
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    if (ngx_meet_signal_auth(r, &claims, &status, &reason) != NGX_OK) {
        return ngx_meet_signal_text(r, status, reason);
    }

    if (ngx_meet_signal_room_check(r, &claims, &status, &reason) != NGX_OK
        || ngx_meet_signal_limits(r, &claims, NULL, NULL, &status, &reason)
           != NGX_OK)
    {
        meet_jwt_claims_free(&claims);
        return ngx_meet_signal_text(r, status, reason);
    }

    meet_jwt_claims_free(&claims);

    return ngx_meet_signal_text(r, NGX_HTTP_OK, "success");
}


static ngx_int_t
ngx_meet_signal_join(ngx_http_request_t *r)
{
    ngx_int_t              rc;
    ngx_str_t              arg;
    ngx_uint_t             status;
    const char            *reason, *err;
    json_t                *attrs;
    ngx_table_elt_t       *upgrade;
    meet_jwt_claims_t      claims;
    Livekit__JoinRequest  *join;

    upgrade = r->headers_in.upgrade;

    if (r->method != NGX_HTTP_GET || upgrade == NULL
        || ngx_strlcasestrn(upgrade->value.data,
                            upgrade->value.data + upgrade->value.len,
                            (u_char *) "websocket", 9 - 1) == NULL)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: \"%V\" without a WebSocket upgrade, "
                      "answering 404", ngx_meet_log_esc(&r->uri));
        return ngx_meet_signal_text(r, NGX_HTTP_NOT_FOUND,
                                    "expected a WebSocket upgrade");
    }

#if (NGX_HTTP_V2)
    /*
     * HTTP/2 has no Upgrade (RFC 7540 8.1.2.2; nginx 1.22 lets the header
     * through): taking over the connection of one stream would break the
     * others.  Browsers open WebSockets over HTTP/1.1.
     */
    if (r->stream) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: a WebSocket upgrade over HTTP/2, "
                      "answering 400");
        return ngx_meet_signal_text(r, NGX_HTTP_BAD_REQUEST,
                                    "WebSocket needs HTTP/1.1");
    }
#endif

    if (ngx_meet_signal_auth(r, &claims, &status, &reason) != NGX_OK) {
        return ngx_meet_signal_text(r, status, reason);
    }

    if (ngx_meet_signal_room_check(r, &claims, &status, &reason) != NGX_OK) {
        meet_jwt_claims_free(&claims);
        return ngx_meet_signal_text(r, status, reason);
    }

    if (ngx_http_arg(r, (u_char *) "join_request", 12, &arg) != NGX_OK) {
        meet_jwt_claims_free(&claims);
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: /rtc/v1 without join_request");
        return ngx_meet_signal_text(r, NGX_HTTP_BAD_REQUEST,
                                    "missing join_request");
    }

    if (meet_lk_join_request_decode(arg.data, arg.len, NULL, &join, &err)
        != 0)
    {
        meet_jwt_claims_free(&claims);
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: bad join_request: %s", err);
        return ngx_meet_signal_text(r, NGX_HTTP_BAD_REQUEST, err);
    }

    if (ngx_meet_signal_limits(r, &claims, join, &attrs, &status, &reason)
        != NGX_OK)
    {
        livekit__join_request__free_unpacked(join, NULL);
        meet_jwt_claims_free(&claims);
        return ngx_meet_signal_text(r, status, reason);
    }

    rc = ngx_meet_signal_upgrade(r);

    if (rc == NGX_OK) {
        /* the peer owns attrs from here */
        rc = ngx_meet_signal_start(r, &claims, join, attrs);

    } else if (attrs) {
        json_decref(attrs);
    }

    livekit__join_request__free_unpacked(join, NULL);
    meet_jwt_claims_free(&claims);

    return rc;
}


static ngx_int_t
ngx_meet_signal_upgrade(ngx_http_request_t *r)
{
    u_char           *accept;
    ngx_int_t         rc;
    ngx_table_elt_t  *h, *key, *version;

    key = ngx_meet_header(&r->headers_in.headers, "Sec-WebSocket-Key", 17);
    version = ngx_meet_header(&r->headers_in.headers, "Sec-WebSocket-Version",
                              21);

    if (version == NULL || version->value.len != 2
        || ngx_strncmp(version->value.data, "13", 2) != 0)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: unsupported Sec-WebSocket-Version");

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        h->hash = 1;
        ngx_str_set(&h->key, "Sec-WebSocket-Version");
        ngx_str_set(&h->value, "13");

        return ngx_meet_signal_text(r, NGX_HTTP_BAD_REQUEST,
                                    "unsupported WebSocket version");
    }

    if (key == NULL || !meet_ws_key_valid(key->value.data, key->value.len)) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet signal: missing or bad Sec-WebSocket-Key");
        return ngx_meet_signal_text(r, NGX_HTTP_BAD_REQUEST,
                                    "bad Sec-WebSocket-Key");
    }

    accept = ngx_pnalloc(r->pool, MEET_WS_ACCEPT_LEN);
    if (accept == NULL
        || meet_ws_accept_key(key->value.data, key->value.len, accept) != 0)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_BAD_REQUEST;
    }

    r->headers_out.status = NGX_HTTP_SWITCHING_PROTOCOLS;
    r->headers_out.content_length_n = -1;
    r->keepalive = 0;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Upgrade");
    ngx_str_set(&h->value, "websocket");

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Sec-WebSocket-Accept");
    h->value.data = accept;
    h->value.len = MEET_WS_ACCEPT_LEN;

    rc = ngx_http_send_header(r);
    if (rc == NGX_ERROR || rc > NGX_OK) {
        return rc;
    }

    /* the 101 goes out now; frames bypass the output filters from here */

    rc = ngx_http_send_special(r, NGX_HTTP_FLUSH);
    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_meet_signal_start(ngx_http_request_t *r, meet_jwt_claims_t *claims,
    Livekit__JoinRequest *join, json_t *attrs)
{
    u_char                      *p;
    json_t                      *v;
    ngx_str_t                    name;
    ngx_connection_t            *c;
    ngx_meet_signal_peer_t      *peer, *old;
    ngx_meet_signal_room_t      *room;
    ngx_pool_cleanup_t          *cln;
    ngx_meet_signal_loc_conf_t  *slcf;

    c = r->connection;
    slcf = ngx_http_get_module_loc_conf(r, ngx_meet_signal_module);

    peer = ngx_pcalloc(r->pool, sizeof(ngx_meet_signal_peer_t));
    if (peer == NULL) {
        if (attrs) {
            json_decref(attrs);
        }
        return NGX_ERROR;
    }

    /* the participant's attributes: the cleanup frees them */
    peer->attributes = attrs;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        json_decref(attrs);
        peer->attributes = NULL;
        return NGX_ERROR;
    }

    cln->handler = ngx_meet_signal_cleanup;
    cln->data = peer;

    ngx_http_set_ctx(r, peer, ngx_meet_signal_module);

    peer->request = r;
    peer->connection = c;
    peer->conf = slcf;

    /*
     * nginx's graceful shutdown (reload, quit) calls the read handler of
     * idle connections (ngx_close_idle_connections): ours then tells every
     * participant to reconnect and closes, instead of keeping the old
     * worker alive for as long as clients ping
     */
    c->idle = 1;
    ngx_queue_init(&peer->tracks);

    /* complete messages come to the dispatcher, the end to the room */
    ngx_meet_signal_ws_init(peer, ngx_meet_signal_message,
                            ngx_meet_signal_leave);

    p = ngx_meet_random_id((u_char *) peer->sid, "PA_", 12);
    *p = '\0';

    p = ngx_meet_random_id((u_char *) peer->ice_ufrag, "", 16);
    *p = '\0';
    p = ngx_meet_random_id((u_char *) peer->ice_pwd, "", 32);
    *p = '\0';

    peer->sdp_session_id = (uint64_t) ngx_random() << 20 ^ ngx_random();

    peer->identity = ngx_meet_signal_strdup((char *) claims->identity.data,
                                            claims->identity.len);
    peer->name = ngx_meet_signal_strdup((char *) claims->name.data,
                                        claims->name.len);
    peer->metadata = ngx_meet_signal_strdup((char *) claims->metadata.data,
                                            claims->metadata.len);
    if (peer->identity == NULL || peer->name == NULL
        || peer->metadata == NULL)
    {
        return NGX_ERROR;
    }

    v = json_object_get(claims->payload, "meet_session");
    if (json_is_string(v) && json_string_length(v) < sizeof(peer->session_key))
    {
        ngx_memcpy(peer->session_key, json_string_value(v),
                   json_string_length(v) + 1);
    }

    peer->can_publish = claims->video.can_publish;
    peer->can_subscribe = claims->video.can_subscribe;
    peer->can_publish_data = claims->video.can_publish_data;
    peer->can_update_metadata = claims->video.can_update_own_metadata;
    peer->hidden = claims->video.hidden;
    peer->sources = claims->video.sources;
    peer->sources_restricted = claims->video.sources_restricted;
    peer->version = 1;
    peer->state = LIVEKIT__PARTICIPANT_INFO__STATE__JOINED;
    peer->joined_at_ms = (int64_t) ngx_time() * 1000
                         + (int64_t) ngx_timeofday()->msec;

    if (join->client_info) {
        peer->client_protocol = join->client_info->client_protocol;
        peer->protocol = join->client_info->protocol;
    }

    /* a second connection of the same identity replaces the first */

    name.data = (u_char *) claims->video.room.data;
    name.len = claims->video.room.len;

    room = ngx_meet_signal_room_get(&name, c->log);
    if (room == NULL) {
        return NGX_ERROR;
    }

    old = ngx_meet_signal_room_find_identity(room, peer->identity);

    if (old) {
        ngx_log_error(NGX_LOG_INFO, c->log, 0,
                      "meet signal: \"%V\" joined room \"%V\" again, "
                      "closing its previous connection (%s)",
                      ngx_meet_log_cesc(peer->identity),
                      ngx_meet_log_cesc(room->name), old->sid);

        /* it leaves now, so the newcomer's join does not list it */
        ngx_meet_signal_kick(old,
                             LIVEKIT__DISCONNECT_REASON__DUPLICATE_IDENTITY,
                             "duplicate identity");

        /* the room went with it when it was the last one and
           meet_signal_departure_timeout is 0: the newcomer opens it again */
        room = ngx_meet_signal_room_get(&name, c->log);
        if (room == NULL) {
            return NGX_ERROR;
        }
    }

    ngx_meet_signal_room_add_peer(room, peer);

    ngx_log_error(NGX_LOG_INFO, c->log, 0,
                  "meet signal: \"%V\" (%s) joined room \"%V\" (%s), "
                  "%ui participants", ngx_meet_log_cesc(peer->identity),
                  peer->sid, ngx_meet_log_cesc(room->name), room->sid,
                  room->npeers);

    /* WebSocket from here on */

    r->read_event_handler = ngx_meet_signal_read_handler;
    r->write_event_handler = ngx_meet_signal_write_handler;
    ngx_meet_signal_ws_start(peer);

    if (ngx_meet_signal_send_join(peer) != NGX_OK) {
        ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_INTERNAL,
                                   "internal error");
        return NGX_DONE;
    }

    if (join->publisher_offer) {
        (void) ngx_meet_signal_offer(peer, join->publisher_offer);
    }

    ngx_meet_signal_room_broadcast(peer, 0);

    /* bytes the client sent right after the handshake */
    if (c->read->ready) {
        ngx_post_event(c->read, &ngx_posted_events);
    }

    return NGX_DONE;
}


static ngx_int_t
ngx_meet_signal_send_join(ngx_meet_signal_peer_t *peer)
{
    size_t                     n;
    ngx_int_t                  rc;
    ngx_pool_t                *pool;
    ngx_queue_t               *q;
    ngx_meet_signal_peer_t    *p;
    Livekit__Room              room;
    Livekit__ServerInfo        si;
    Livekit__JoinResponse      jr;
    Livekit__SignalResponse    resp;
    Livekit__ParticipantInfo   self, *others;

    pool = ngx_create_pool(8192, peer->connection->log);
    if (pool == NULL) {
        return NGX_ERROR;
    }

    rc = NGX_ERROR;

    livekit__join_response__init(&jr);

    if (ngx_meet_signal_room_info(peer->room, pool, &room) != NGX_OK
        || ngx_meet_signal_peer_info(peer, pool, &self) != NGX_OK)
    {
        goto done;
    }

    jr.room = &room;
    jr.participant = &self;

    if (peer->room->npeers > 1) {
        jr.other_participants = ngx_palloc(pool, peer->room->npeers
                                       * sizeof(Livekit__ParticipantInfo *));
        others = ngx_palloc(pool, peer->room->npeers
                                  * sizeof(Livekit__ParticipantInfo));
        if (jr.other_participants == NULL || others == NULL) {
            goto done;
        }

        n = 0;

        for (q = ngx_queue_head(&peer->room->peers);
             q != ngx_queue_sentinel(&peer->room->peers);
             q = ngx_queue_next(q))
        {
            p = ngx_queue_data(q, ngx_meet_signal_peer_t, queue);

            if (p == peer || p->hidden || p->closing) {
                continue;
            }

            if (ngx_meet_signal_peer_info(p, pool, &others[n]) != NGX_OK) {
                goto done;
            }

            jr.other_participants[n] = &others[n];
            n++;
        }

        jr.n_other_participants = n;
    }

    livekit__server_info__init(&si);
    si.edition = LIVEKIT__SERVER_INFO__EDITION__Standard;
    si.version = NGX_MEET_LIVEKIT_COMPAT;
    si.protocol = NGX_MEET_LIVEKIT_PROTOCOL;
    si.region = "";
    si.node_id = "";
    si.debug_info = NGX_MEET_VER;

    jr.server_version = NGX_MEET_LIVEKIT_COMPAT;
    jr.server_info = &si;
    jr.server_region = "";
    jr.alternative_url = "";
    jr.ping_interval = (int32_t) (peer->conf->ping_interval / 1000);
    jr.ping_timeout = (int32_t) (peer->conf->ping_timeout / 1000);
    jr.subscriber_primary = 0;

    livekit__signal_response__init(&resp);
    resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN;
    resp.join = &jr;

    rc = ngx_meet_signal_peer_send(peer, &resp);

done:

    ngx_destroy_pool(pool);

    return rc;
}


/* the session around the WebSocket (ngx_meet_signal_ws.c) */


/* on_close, and at the end of the request: out of the room */

static void
ngx_meet_signal_leave(ngx_meet_signal_peer_t *peer)
{
    ngx_queue_t              *q;
    ngx_meet_signal_track_t  *t;

    if (peer->leave.posted) {
        ngx_delete_posted_event(&peer->leave);
    }

    if (!peer->in_room) {
        return;
    }

    ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                  "meet signal: \"%V\" (%s) left room \"%V\"",
                  ngx_meet_log_cesc(peer->identity), peer->sid,
                  ngx_meet_log_cesc(peer->room->name));

    /* the others see it go with no tracks */
    while (!ngx_queue_empty(&peer->tracks)) {
        q = ngx_queue_head(&peer->tracks);
        t = ngx_queue_data(q, ngx_meet_signal_track_t, queue);
        ngx_meet_signal_track_free(peer, t);
    }

    ngx_meet_signal_downtracks_free(peer);
    ngx_meet_signal_dynacast(peer->room);
    ngx_meet_signal_room_remove_peer(peer, peer->conf->departure_timeout);

    /* out of the room, out of the media plane */
    ngx_meet_signal_sdp_free(peer);
}


static void
ngx_meet_signal_shutdown_peer(ngx_meet_signal_peer_t *peer, void *data)
{
    Livekit__LeaveRequest    leave;
    Livekit__SignalResponse  resp;

    /* the worker exits (reload, stop): the client rejoins from scratch */

    livekit__leave_request__init(&leave);
    leave.can_reconnect = 1;
    leave.reason = LIVEKIT__DISCONNECT_REASON__SERVER_SHUTDOWN;
    leave.action = LIVEKIT__LEAVE_REQUEST__ACTION__RECONNECT;

    livekit__signal_response__init(&resp);
    resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE;
    resp.leave = &leave;

    (void) ngx_meet_signal_peer_send(peer, &resp);
    ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_GOING_AWAY,
                               "server shutdown");
}


static void
ngx_meet_signal_cleanup(void *data)
{
    ngx_meet_signal_peer_t  *peer = data;

    /*
     * a graceful shutdown closes idle connections, ours included: the
     * client still gets its LeaveRequest (reconnect) and a 1001 close,
     * written at once while the socket is open
     */
    if (ngx_exiting && !peer->closing && !peer->finalized) {
        ngx_meet_signal_shutdown_peer(peer, NULL);
    }

    ngx_meet_signal_leave(peer);
    ngx_meet_signal_ws_free(peer);

    ngx_free(peer->identity);
    ngx_free(peer->name);
    ngx_free(peer->metadata);

    if (peer->attributes) {
        json_decref(peer->attributes);
    }

    ngx_meet_signal_sdp_free(peer);
}


static void
ngx_meet_signal_write_handler(ngx_http_request_t *r)
{
    ngx_meet_signal_peer_t  *peer;

    peer = ngx_http_get_module_ctx(r, ngx_meet_signal_module);

    if (peer == NULL || peer->finalized) {
        return;
    }

    ngx_meet_signal_ws_write(peer);
}


static void
ngx_meet_signal_read_handler(ngx_http_request_t *r)
{
    ngx_meet_signal_peer_t  *peer;

    peer = ngx_http_get_module_ctx(r, ngx_meet_signal_module);

    if (peer == NULL || peer->finalized) {
        return;
    }

    if (ngx_exiting && !ngx_meet_signal_shutdown) {
        ngx_meet_signal_shutdown = 1;
        ngx_meet_signal_rooms_foreach_peer(ngx_meet_signal_shutdown_peer, NULL);
    }

    ngx_meet_signal_ws_read(peer);
}


/* one SignalRequest */

static ngx_int_t
ngx_meet_signal_message(ngx_meet_signal_peer_t *peer, u_char *data, size_t len)
{
    int64_t                   now;
    Livekit__Pong             pong;
    Livekit__SignalRequest   *req;
    Livekit__SignalResponse   resp;

    req = livekit__signal_request__unpack(NULL, len, data);

    if (req == NULL) {
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" sent %uz bytes that are not a "
                      "SignalRequest, closing",
                      ngx_meet_log_cesc(peer->identity), len);
        ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_INVALID_DATA,
                            "malformed protobuf");
        return NGX_DONE;
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, peer->connection->log, 0,
                   "meet signal: request %d from \"%s\"",
                   req->message_case, peer->identity);

    livekit__signal_response__init(&resp);

    switch (req->message_case) {

    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING:
        resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG;
        resp.pong = req->ping;
        (void) ngx_meet_signal_peer_send(peer, &resp);
        break;

    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING_REQ:
        now = (int64_t) ngx_time() * 1000 + (int64_t) ngx_timeofday()->msec;

        livekit__pong__init(&pong);
        pong.last_ping_timestamp = req->ping_req->timestamp;
        pong.timestamp = now;

        resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG_RESP;
        resp.pong_resp = &pong;
        (void) ngx_meet_signal_peer_send(peer, &resp);
        break;

    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_OFFER:
        (void) ngx_meet_signal_offer(peer, req->offer);
        break;

    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_ADD_TRACK:
        ngx_meet_signal_add_track(peer, req->add_track);
        break;

    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_MUTE:
        ngx_meet_signal_mute(peer, req->mute);
        break;

    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_UPDATE_METADATA:
        ngx_meet_signal_update_metadata(peer, req->update_metadata);
        break;

    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_LEAVE:
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" (%s) leaves (reason %d)",
                      ngx_meet_log_cesc(peer->identity), peer->sid,
                      req->leave->reason);
        ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_NORMAL, "left");
        break;

    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_TRACK_SETTING:
        ngx_meet_signal_track_settings(peer, req->track_setting);
        break;

    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_ANSWER:
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_TRICKLE:
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_SUBSCRIPTION:
        /* ICE-lite ignores trickles; we never offer; the rest later */
        break;

    default:
        /* messages this server does not know are ignored, as LiveKit does */
        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, peer->connection->log, 0,
                       "meet signal: ignoring request %d", req->message_case);
        break;
    }

    livekit__signal_request__free_unpacked(req, NULL);

    return peer->finalized ? NGX_DONE : NGX_OK;
}


static void
ngx_meet_signal_add_track(ngx_meet_signal_peer_t *peer,
    Livekit__AddTrackRequest *req)
{
    u_char                          *p;
    size_t                           i, k;
    ngx_pool_t                      *pool;
    ngx_meet_signal_track_t         *t;
    Livekit__TrackInfo               ti;
    Livekit__SignalResponse          resp;
    Livekit__TrackPublishedResponse  pub;

    if (!peer->can_publish
        || (peer->sources_restricted
            && !(peer->sources & (1u << (req->source & 31)))))
    {
        ngx_log_error(NGX_LOG_WARN, peer->connection->log, 0,
                      "meet signal: \"%V\" may not publish a track of "
                      "source %d, ignoring add_track",
                      ngx_meet_log_cesc(peer->identity), req->source);
        return;
    }

    t = ngx_meet_signal_peer_track(peer, NULL, req->cid);

    if (t == NULL) {

        if (peer->ntracks >= ((ngx_meet_signal_loc_conf_t *)
                              peer->conf)->max_tracks)
        {
            ngx_log_error(NGX_LOG_WARN, peer->connection->log, 0,
                          "meet signal: \"%V\" has %ui tracks already "
                          "(meet_signal_max_tracks), refusing add_track",
                          ngx_meet_log_cesc(peer->identity), peer->ntracks);

            /* livekit-server pkg/rtc/participant.go addPendingTrackLocked:
             * LIMIT_EXCEEDED naming the AddTrackRequest */
            ngx_meet_signal_request_response(peer, 0,
                         LIVEKIT__REQUEST_RESPONSE__REASON__LIMIT_EXCEEDED,
                         "too many tracks, rejecting new track", req);
            return;
        }

        t = ngx_calloc(sizeof(ngx_meet_signal_track_t), peer->connection->log);
        if (t == NULL) {
            return;
        }

        p = ngx_meet_random_id((u_char *) t->sid, "TR_", 12);
        *p = '\0';

        t->pub_pt = -1;
        t->pub_profile = -1;
        t->dynacast = -1;

        t->cid = ngx_meet_signal_strdup(req->cid, ngx_strlen(req->cid));
        t->name = ngx_meet_signal_strdup(req->name, ngx_strlen(req->name));
        t->stream = ngx_meet_signal_strdup(req->stream,
                                           ngx_strlen(req->stream));
        t->type = req->type;
        t->source = req->source;
        t->width = req->width;
        t->height = req->height;
        t->muted = req->muted;

        /* simulcast layer sizes, by quality (LOW, MEDIUM, HIGH) */
        for (i = 0; i < req->n_layers; i++) {
            if (req->layers[i]->quality >= 0
                && req->layers[i]->quality < NGX_MEET_MAX_LAYERS)
            {
                t->layer_width[req->layers[i]->quality] =
                    (uint16_t) ngx_min(req->layers[i]->width, 65535);
            }
        }

        for (i = 0; i < req->n_simulcast_codecs
                    && t->ncodecs < NGX_MEET_MAX_CODECS; i++)
        {
            Livekit__SimulcastCodec  *sc = req->simulcast_codecs[i];
            char                     *mime;
            size_t                    len;

            if (sc->codec == NULL || sc->codec[0] == '\0') {
                continue;
            }

            /* "vp9" -> "video/VP9" as LiveKit reports mime types */
            len = ngx_strlen(sc->codec);
            mime = ngx_alloc(len + 7, peer->connection->log);
            if (mime == NULL) {
                continue;
            }

            p = ngx_cpymem(mime, t->type == LIVEKIT__TRACK_TYPE__AUDIO
                                 ? "audio/" : "video/", 6);
            for (k = 0; k < len; k++) {
                p[k] = ngx_toupper(sc->codec[k]);
            }
            p[len] = '\0';

            t->codec_mime[t->ncodecs] = mime;
            t->codec_cid[t->ncodecs] =
                         ngx_meet_signal_strdup(sc->cid, ngx_strlen(sc->cid));
            t->ncodecs++;
        }

        if (t->cid == NULL || t->name == NULL || t->stream == NULL) {
            ngx_free(t->cid);
            ngx_free(t->name);
            ngx_free(t->stream);
            ngx_free(t);
            return;
        }

        if (t->ncodecs) {
            t->mime = ngx_meet_signal_strdup(t->codec_mime[0],
                                             ngx_strlen(t->codec_mime[0]));
        }

        ngx_queue_insert_tail(&peer->tracks, &t->queue);
        peer->ntracks++;

        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" publishes %s track %s (%V)",
                      ngx_meet_log_cesc(peer->identity),
                      t->type == LIVEKIT__TRACK_TYPE__AUDIO ? "an audio"
                                                            : "a video",
                      t->sid, ngx_meet_log_cesc(t->cid));
    }

    pool = ngx_create_pool(1024, peer->connection->log);
    if (pool == NULL) {
        return;
    }

    if (ngx_meet_signal_track_info(t, pool, &ti) == NGX_OK) {
        livekit__track_published_response__init(&pub);
        pub.cid = t->cid;
        pub.track = &ti;

        livekit__signal_response__init(&resp);
        resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRACK_PUBLISHED;
        resp.track_published = &pub;

        (void) ngx_meet_signal_peer_send(peer, &resp);
    }

    ngx_destroy_pool(pool);
}


static void
ngx_meet_signal_mute(ngx_meet_signal_peer_t *peer,
    Livekit__MuteTrackRequest *req)
{
    ngx_meet_signal_track_t  *t;

    t = ngx_meet_signal_peer_track(peer, req->sid, NULL);

    if (t == NULL) {
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: \"%V\" mutes unknown track \"%V\"",
                      ngx_meet_log_cesc(peer->identity),
                      ngx_meet_log_cesc(req->sid));
        return;
    }

    if (t->muted == (req->muted ? 1 : 0)) {
        return;
    }

    t->muted = req->muted ? 1 : 0;
    peer->version++;

    ngx_log_debug3(NGX_LOG_DEBUG_HTTP, peer->connection->log, 0,
                   "meet signal: \"%s\" %s %s", peer->identity,
                   t->muted ? "mutes" : "unmutes", t->sid);

    if (t->published) {
        ngx_meet_signal_room_broadcast(peer, 0);
    }
}


/*
 * UpdateParticipantMetadata, checked as livekit-server does
 * (pkg/rtc/participant.go UpdateMetadata): without canUpdateOwnMetadata
 * NOT_ALLOWED, over a limit LIMIT_EXCEEDED, and nothing changes; else the
 * non-empty name and metadata replace the old ones, attributes are merged
 * (an empty value deletes), everyone gets the ParticipantUpdate, the sender
 * too, then the sender gets a RequestResponse with its request_id.  LiveKit
 * checks the size of the update's attributes; here the attributes the
 * participant would have after it are counted, or a series of updates
 * would grow them without end.
 */

static void
ngx_meet_signal_update_metadata(ngx_meet_signal_peer_t *peer,
    Livekit__UpdateParticipantMetadata *req)
{
    char                         *name, *metadata;
    size_t                        i, size;
    json_t                       *attrs;
    const char                   *why;
    ngx_meet_signal_loc_conf_t   *slcf;

    slcf = peer->conf;

    if (!peer->can_update_metadata) {
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: refused metadata update %uD: no "
                      "canUpdateOwnMetadata", req->request_id);
        ngx_meet_signal_request_response(peer, req->request_id,
                         LIVEKIT__REQUEST_RESPONSE__REASON__NOT_ALLOWED,
                         "does not have permission to update own metadata",
                         NULL);
        return;
    }

    why = NULL;
    size = 0;

    if (slcf->max_name_length && ngx_strlen(req->name) > slcf->max_name_length)
    {
        why = "exceeds name length limit";
        size = ngx_strlen(req->name);

    } else if (slcf->max_metadata_size
               && ngx_strlen(req->metadata) > slcf->max_metadata_size)
    {
        why = "exceeds metadata size limit";
        size = ngx_strlen(req->metadata);
    }

    /* the attributes after the update, on a copy */

    attrs = NULL;

    if (why == NULL && req->n_attributes) {
        attrs = peer->attributes ? json_deep_copy(peer->attributes)
                                 : json_object();
        if (attrs == NULL) {
            return;
        }

        for (i = 0; i < req->n_attributes; i++) {
            (void) ngx_meet_signal_attribute_set(attrs,
                                                 req->attributes[i]->key,
                                                 req->attributes[i]->value);
        }

        size = ngx_meet_signal_attributes_size(attrs);

        if (slcf->max_attributes_size && size > slcf->max_attributes_size) {
            why = "exceeds attributes size limit";
            json_decref(attrs);
            attrs = NULL;
        }
    }

    if (why) {
        ngx_log_error(NGX_LOG_INFO, peer->connection->log, 0,
                      "meet signal: refused metadata update %uD: %s "
                      "(%uz bytes)", req->request_id, why, size);
        ngx_meet_signal_request_response(peer, req->request_id,
                         LIVEKIT__REQUEST_RESPONSE__REASON__LIMIT_EXCEEDED,
                         why, NULL);
        return;
    }

    name = NULL;
    metadata = NULL;

    if (req->name[0]) {
        name = ngx_meet_signal_strdup(req->name, ngx_strlen(req->name));
    }

    if (req->metadata[0]) {
        metadata = ngx_meet_signal_strdup(req->metadata,
                                          ngx_strlen(req->metadata));
    }

    if ((req->name[0] && name == NULL)
        || (req->metadata[0] && metadata == NULL))
    {
        ngx_free(name);
        ngx_free(metadata);
        json_decref(attrs);
        return;
    }

    if (name) {
        ngx_free(peer->name);
        peer->name = name;
    }

    if (metadata) {
        ngx_free(peer->metadata);
        peer->metadata = metadata;
    }

    if (attrs) {
        json_decref(peer->attributes);
        peer->attributes = attrs;
    }

    peer->version++;
    ngx_meet_signal_room_broadcast(peer, 1);

    /*
     * everyone gets the participant's whole name, metadata and attributes:
     * an update counts as one more frame per 4 KB of them, so a
     * participant cannot make the room receive more than about 400 KB a
     * second at the default rate (meet_signal_message_rate)
     */
    ngx_meet_signal_ws_charge(peer, (ngx_strlen(peer->name)
                                     + ngx_strlen(peer->metadata)
                                     + ngx_meet_signal_attributes_size(
                                                          peer->attributes))
                                    / 4096);

    ngx_meet_signal_request_response(peer, req->request_id,
                                     LIVEKIT__REQUEST_RESPONSE__REASON__OK,
                                     "", NULL);
}


/*
 * The answer to a request with a request_id (livekit-server
 * pkg/rtc/participant_signal.go sendRequestResponse: OK only to clients of
 * protocol 15 and later).  The request is named (its oneof case and id),
 * not copied back as LiveKit does: livekit-client reads only request_id,
 * reason and message of it (src/room/participant/LocalParticipant.ts
 * handleSignalRequestResponse), and an oversized update would be sent
 * back whole.
 */

static void
ngx_meet_signal_request_response(ngx_meet_signal_peer_t *peer,
    uint32_t request_id, Livekit__RequestResponse__Reason reason,
    const char *message, Livekit__AddTrackRequest *add_track)
{
    Livekit__RequestResponse            rr;
    Livekit__SignalResponse             resp;
    Livekit__UpdateParticipantMetadata  um;

    if (reason == LIVEKIT__REQUEST_RESPONSE__REASON__OK && peer->protocol <= 14)
    {
        return;
    }

    livekit__update_participant_metadata__init(&um);
    um.request_id = request_id;

    livekit__request_response__init(&rr);
    rr.request_id = request_id;
    rr.reason = reason;
    rr.message = (char *) message;
    if (add_track) {
        rr.request_case = LIVEKIT__REQUEST_RESPONSE__REQUEST_ADD_TRACK;
        rr.add_track = add_track;

    } else {
        rr.request_case = LIVEKIT__REQUEST_RESPONSE__REQUEST_UPDATE_METADATA;
        rr.update_metadata = &um;
    }

    livekit__signal_response__init(&resp);
    resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REQUEST_RESPONSE;
    resp.request_response = &rr;

    (void) ngx_meet_signal_peer_send(peer, &resp);
}


/* a LeaveRequest (disconnect, with the reason), then a normal close */

static void
ngx_meet_signal_kick(ngx_meet_signal_peer_t *peer,
    Livekit__DisconnectReason reason, const char *why)
{
    Livekit__SignalResponse  resp;
    Livekit__LeaveRequest    leave;

    livekit__leave_request__init(&leave);
    leave.reason = reason;
    leave.action = LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT;

    livekit__signal_response__init(&resp);
    resp.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE;
    resp.leave = &leave;

    (void) ngx_meet_signal_peer_send(peer, &resp);
    ngx_meet_signal_peer_close(peer, MEET_WS_CLOSE_NORMAL, why);
    ngx_meet_signal_leave(peer);
}


typedef struct {
    ngx_str_t    *key;
    ngx_uint_t    closed;
} ngx_meet_signal_logout_t;


static void
ngx_meet_signal_logout_peer(ngx_meet_signal_peer_t *peer, void *data)
{
    ngx_meet_signal_logout_t *lo = data;

    if (peer->session_key[0] == '\0'
        || ngx_strlen(peer->session_key) != lo->key->len
        || ngx_strncmp(peer->session_key, lo->key->data, lo->key->len) != 0)
    {
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, peer->connection->log, 0,
                  "meet signal: \"%V\" (%s) disconnected: its login "
                  "session ended", ngx_meet_log_cesc(peer->identity),
                  peer->sid);

    lo->closed++;

    ngx_meet_signal_kick(peer, LIVEKIT__DISCONNECT_REASON__PARTICIPANT_REMOVED,
                         "logged out");
}


static ngx_uint_t
ngx_meet_signal_logout(ngx_str_t *session_key)
{
    ngx_meet_signal_logout_t  lo;

    lo.key = session_key;
    lo.closed = 0;

    ngx_meet_signal_rooms_foreach_peer(ngx_meet_signal_logout_peer, &lo);

    return lo.closed;
}
