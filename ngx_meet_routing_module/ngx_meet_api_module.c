
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_api_module: the meeting API of a Meet deployment, answered by
 * nginx itself, in La Suite Meet's shapes (/api/v1.0/...), so the web app
 * (ours, or Meet's frontend) gets rooms and LiveKit tokens without a
 * backend.  Part of ngx_meet_routing_module.so; enabled by the "api"
 * target of meet_routes:
 *
 *     meet_routes {
 *         /api/v1.0/   api;
 *     }
 *     meet_api_anonymous_rooms  on;    # dev: a token for anyone, any room
 *
 * Today:
 *     GET /api/v1.0/rooms/<slug>/?username=<name>
 *         the room and, when access is allowed, "livekit": {url, room,
 *         token}, as Meet's RoomViewSet.retrieve answers for an
 *         unregistered room (ALLOW_UNREGISTERED_ROOMS);
 *     GET /api/v1.0/users/me/    401 for anonymous users.
 * Login, stored rooms and access levels come with the OIDC work.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_core.h"
#include "ngx_meet_http.h"
#include "ngx_meet_jwt.h"
#include "ngx_meet_oidc.h"
#include "ngx_meet_session.h"


#define NGX_MEET_API_SLUG_MAX       64
#define NGX_MEET_API_NAME_MAX       128
#define NGX_MEET_API_IDENTITY_LEN   16

#define NGX_MEET_API_NO_AUTH  "Authentication credentials were not provided."


typedef struct {
    ngx_int_t                  proto_index;   /* $meet_forwarded_proto */
    ngx_int_t                  host_index;    /* $meet_forwarded_host */
} ngx_meet_api_main_conf_t;


typedef struct {
    ngx_str_t                  slug;
} ngx_meet_api_ctx_t;


typedef struct {
    ngx_flag_t                 enable;
    ngx_flag_t                 anonymous_rooms;
    time_t                     token_ttl;
    ngx_http_complex_value_t  *livekit_url;
} ngx_meet_api_loc_conf_t;


static ngx_int_t ngx_meet_api_init(ngx_conf_t *cf);
static void *ngx_meet_api_create_main_conf(ngx_conf_t *cf);
static void *ngx_meet_api_create_loc_conf(ngx_conf_t *cf);
static char *ngx_meet_api_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_meet_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);

static ngx_int_t ngx_meet_api_handler(ngx_http_request_t *r);
static ngx_int_t ngx_meet_api_rooms(ngx_http_request_t *r, ngx_str_t *rest);
static ngx_int_t ngx_meet_api_room_retrieve(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_int_t rc);
static ngx_int_t ngx_meet_api_users_me_session(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_int_t rc);
static ngx_int_t ngx_meet_api_users_me(ngx_http_request_t *r);
static ngx_int_t ngx_meet_api_config(ngx_http_request_t *r);
static ngx_int_t ngx_meet_api_read_only(ngx_http_request_t *r);
static ngx_int_t ngx_meet_api_answer(ngx_http_request_t *r, json_t *value);
static ngx_int_t ngx_meet_api_not_allowed(ngx_http_request_t *r,
    const char *allow);
static ngx_int_t ngx_meet_api_slug(ngx_http_request_t *r, ngx_str_t *in,
    ngx_str_t *slug);
static ngx_int_t ngx_meet_api_username(ngx_http_request_t *r,
    ngx_str_t *name, const char **err);
static ngx_int_t ngx_meet_api_livekit_url(ngx_http_request_t *r,
    ngx_str_t *url);


static ngx_command_t  ngx_meet_api_commands[] = {

    { ngx_string("meet_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_meet_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_api_anonymous_rooms"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_api_loc_conf_t, anonymous_rooms),
      NULL },

    { ngx_string("meet_api_token_ttl"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_api_loc_conf_t, token_ttl),
      NULL },

    { ngx_string("meet_api_livekit_url"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_set_complex_value_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_meet_api_loc_conf_t, livekit_url),
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_meet_api_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_meet_api_init,                     /* postconfiguration */

    ngx_meet_api_create_main_conf,         /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_meet_api_create_loc_conf,          /* create location configuration */
    ngx_meet_api_merge_loc_conf            /* merge location configuration */
};


ngx_module_t  ngx_meet_api_module = {
    NGX_MODULE_V1,
    &ngx_meet_api_module_ctx,              /* module context */
    ngx_meet_api_commands,                 /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* configuration */


static void *
ngx_meet_api_create_main_conf(ngx_conf_t *cf)
{
    ngx_meet_api_main_conf_t  *amcf;

    amcf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_api_main_conf_t));
    if (amcf == NULL) {
        return NULL;
    }

    amcf->proto_index = NGX_ERROR;
    amcf->host_index = NGX_ERROR;

    return amcf;
}


static void *
ngx_meet_api_create_loc_conf(ngx_conf_t *cf)
{
    ngx_meet_api_loc_conf_t  *alcf;

    alcf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_api_loc_conf_t));
    if (alcf == NULL) {
        return NULL;
    }

    /* set by ngx_pcalloc(): alcf->enable = 0 (only meet_api sets it) */

    alcf->anonymous_rooms = NGX_CONF_UNSET;
    alcf->token_ttl = NGX_CONF_UNSET;
    alcf->livekit_url = NGX_CONF_UNSET_PTR;

    return alcf;
}


static char *
ngx_meet_api_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_meet_api_loc_conf_t *prev = parent;
    ngx_meet_api_loc_conf_t *conf = child;

    ngx_conf_merge_value(conf->anonymous_rooms, prev->anonymous_rooms, 0);

    /* LiveKit's default token lifetime: 6 hours */
    ngx_conf_merge_sec_value(conf->token_ttl, prev->token_ttl, 6 * 3600);
    ngx_conf_merge_ptr_value(conf->livekit_url, prev->livekit_url, NULL);

    if (conf->token_ttl < 60) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_api_token_ttl must be at least 60s, "
                           "clients need the token for reconnects");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_meet_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_api_loc_conf_t *alcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (alcf->enable) {
        return "is duplicate";
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->name.len == 0 || clcf->name.data[clcf->name.len - 1] != '/') {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_api: the location must be a prefix ending "
                           "in \"/\", e.g. \"location /api/v1.0/\"");
        return NGX_CONF_ERROR;
    }

    alcf->enable = 1;
    clcf->handler = ngx_meet_api_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_meet_api_init(ngx_conf_t *cf)
{
    ngx_str_t                  name;
    ngx_meet_api_main_conf_t  *amcf;

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_meet_api_module);

    /* variables of ngx_meet_routing_module (same .so, always present) */

    ngx_str_set(&name, "meet_forwarded_proto");
    amcf->proto_index = ngx_http_get_variable_index(cf, &name);

    ngx_str_set(&name, "meet_forwarded_host");
    amcf->host_index = ngx_http_get_variable_index(cf, &name);

    if (amcf->proto_index == NGX_ERROR || amcf->host_index == NGX_ERROR) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* requests */


static ngx_int_t
ngx_meet_api_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_str_t                  path;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (r->uri.len < clcf->name.len) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    path.data = r->uri.data + clcf->name.len;
    path.len = r->uri.len - clcf->name.len;

    rc = ngx_meet_oidc_handle(r, &path);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    if (path.len >= 6 && ngx_strncmp(path.data, "rooms/", 6) == 0) {
        path.data += 6;
        path.len -= 6;
        return ngx_meet_api_rooms(r, &path);
    }

    if ((path.len == 7 && ngx_strncmp(path.data, "config/", 7) == 0)
        || (path.len == 6 && ngx_strncmp(path.data, "config", 6) == 0))
    {
        return ngx_meet_api_config(r);
    }

    if ((path.len == 9 && ngx_strncmp(path.data, "users/me/", 9) == 0)
        || (path.len == 8 && ngx_strncmp(path.data, "users/me", 8) == 0))
    {
        return ngx_meet_api_users_me(r);
    }

    return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
}


static ngx_int_t
ngx_meet_api_rooms(ngx_http_request_t *r, ngx_str_t *rest)
{
    ngx_int_t            rc;
    ngx_str_t            in, slug;
    ngx_meet_api_ctx_t  *ctx;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (rest->len == 0) {
        /* the collection: list and create need a logged-in user */
        if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_POST))) {
            return ngx_meet_api_not_allowed(r, "GET, POST, HEAD, OPTIONS");
        }

        return ngx_meet_http_send_detail(r, NGX_HTTP_UNAUTHORIZED,
                                         NGX_MEET_API_NO_AUTH);
    }

    in = *rest;

    if (in.data[in.len - 1] == '/') {
        in.len--;
    }

    if (in.len == 0 || ngx_strlchr(in.data, in.data + in.len, '/')) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    rc = ngx_meet_api_slug(r, &in, &slug);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: invalid room name \"%V\"", &in);

        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST,
                   "Invalid room name: use 1 to 64 letters, digits, '-' "
                   "or '_', starting with a letter or digit.");
    }

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_meet_api_ctx_t));
        if (ctx == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->slug = slug;
        ngx_http_set_ctx(r, ctx, ngx_meet_api_module);

        return ngx_meet_session_lookup(r, ngx_meet_api_room_retrieve);
    }

    if (r->method & (NGX_HTTP_PUT|NGX_HTTP_PATCH|NGX_HTTP_DELETE)) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_UNAUTHORIZED,
                                         NGX_MEET_API_NO_AUTH);
    }

    return ngx_meet_api_not_allowed(r, "GET, PUT, PATCH, DELETE, HEAD, "
                                       "OPTIONS");
}


static ngx_int_t
ngx_meet_api_room_retrieve(ngx_http_request_t *r, ngx_meet_session_t *s,
    ngx_int_t src)
{
    char                     *token;
    json_t                   *root, *claims;
    ngx_str_t                *slug;
    ngx_meet_api_ctx_t       *ctx;
    u_char                    identity[NGX_MEET_API_IDENTITY_LEN + 8], *p;
    u_char                   *room, *name_z;
    ngx_int_t                 rc;
    ngx_str_t                 name, url;
    const char               *err;
    ngx_meet_api_key_t       *key;
    meet_jwt_token_spec_t     spec;
    ngx_meet_api_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_meet_api_module);
    ctx = ngx_http_get_module_ctx(r, ngx_meet_api_module);
    slug = &ctx->slug;

    if (s == NULL && !alcf->anonymous_rooms) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: no token for room \"%V\": anonymous "
                      "access is off (meet_api_anonymous_rooms)", slug);

        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                   "This server gives tokens to logged-in users only.");
    }

    if (ngx_meet_api_username(r, &name, &err) != NGX_OK) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: bad username for room \"%V\": %s",
                      slug, err);
        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST, err);
    }

    if (ngx_meet_api_livekit_url(r, &url) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key = ngx_meet_api_key_default((ngx_cycle_t *) ngx_cycle);
    if (key == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: no API key to sign tokens with");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    room = ngx_pnalloc(r->pool, slug->len + 1 + name.len + 1);
    if (room == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    name_z = ngx_cpymem(room, slug->data, slug->len);
    *name_z++ = '\0';
    p = name.len ? ngx_cpymem(name_z, name.data, name.len) : name_z;
    *p = '\0';

    ngx_memzero(&spec, sizeof(meet_jwt_token_spec_t));

    if (s) {
        /* a logged-in user: its id, its name unless it chose one */
        spec.identity = (char *) s->user_id.data;
        spec.name = name.len ? (char *) name_z
                             : s->full_name.len ? (char *) s->full_name.data
                                                : NULL;

    } else {
        /* an anonymous participant: a fresh random identity */
        p = ngx_meet_random_id(identity, "anon-", NGX_MEET_API_IDENTITY_LEN);
        *p = '\0';

        spec.identity = (char *) identity;
        spec.name = name.len ? (char *) name_z : NULL;
    }

    spec.room = (char *) room;
    spec.now = ngx_time();
    spec.ttl = alcf->token_ttl;
    spec.room_join = 1;
    spec.can_publish = MEET_JWT_TRUE;
    spec.can_subscribe = MEET_JWT_TRUE;
    spec.can_publish_data = MEET_JWT_TRUE;
    spec.can_update_own_metadata = MEET_JWT_TRUE;
    spec.sources = MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_CAMERA)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_MICROPHONE)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_SCREEN_SHARE)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_SCREEN_SHARE_AUDIO);

    claims = meet_jwt_build_claims(&spec);

    /* logout finds the meeting connections of a session by this claim */
    if (claims && s
        && json_object_set_new(claims, "meet_session",
                               json_stringn((char *) s->key.data, s->key.len))
           != 0)
    {
        json_decref(claims);
        claims = NULL;
    }

    token = claims ? meet_jwt_sign_hs256(claims, key->key.data, key->key.len,
                                         key->secret.data, key->secret.len)
                   : NULL;
    json_decref(claims);

    if (token == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: cannot mint a token for room \"%V\"", slug);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    root = json_pack("{s:n s:s% s:s% s:b s:s s:b s:{} "
                     "s:{s:s% s:s% s:s}}",
                     "id",
                     "name", slug->data, slug->len,
                     "slug", slug->data, slug->len,
                     "is_public", 1,
                     "access_level", "public",
                     "is_administrable", 0,
                     "configuration",
                     "livekit",
                     "url", url.data, url.len,
                     "room", slug->data, slug->len,
                     "token", token);

    free(token);

    if (root == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: cannot build the room answer");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet api: token for room \"%V\", %s \"%s\"",
                  slug, s ? "user" : "anonymous", spec.identity);

    rc = ngx_meet_http_send_json(r, NGX_HTTP_OK, root);
    json_decref(root);

    return rc;
}


/* 200 with a JSON value (taken); NULL (no memory) gives a 500 */

static ngx_int_t
ngx_meet_api_answer(ngx_http_request_t *r, json_t *value)
{
    ngx_int_t  rc;

    if (value == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: cannot build the answer");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_meet_http_send_json(r, NGX_HTTP_OK, value);
    json_decref(value);

    return rc;
}


/* GET and HEAD only, no body: NGX_OK, else the answer's rc */

static ngx_int_t
ngx_meet_api_read_only(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return ngx_meet_api_not_allowed(r, "GET, HEAD, OPTIONS");
    }

    return NGX_OK;
}


/*
 * What the frontend needs to know about this server (Meet has a config/
 * endpoint of its own keys; ours says whether logging in is possible).
 */

static ngx_int_t
ngx_meet_api_config(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_meet_api_read_only(r);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_meet_api_answer(r, json_pack("{s:b}", "login_enabled",
                                            (int) ngx_meet_oidc_enabled(r)));
}


static ngx_int_t
ngx_meet_api_users_me(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_meet_api_read_only(r);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_meet_session_lookup(r, ngx_meet_api_users_me_session);
}


static ngx_int_t
ngx_meet_api_users_me_session(ngx_http_request_t *r, ngx_meet_session_t *s,
    ngx_int_t src)
{
    if (src == NGX_ERROR) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "The session store is unavailable.");
    }

    if (s == NULL) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_UNAUTHORIZED,
                                         NGX_MEET_API_NO_AUTH);
    }

    /* Meet's UserSerializer */
    return ngx_meet_api_answer(r, json_pack("{s:s% s:s% s:s% s:s% s:s s:s}",
                     "id", s->user_id.data, s->user_id.len,
                     "email", s->email.data, s->email.len,
                     "full_name", s->full_name.data, s->full_name.len,
                     "short_name", s->short_name.data, s->short_name.len,
                     "timezone", "UTC",
                     "language", "en-us"));
}


static ngx_int_t
ngx_meet_api_not_allowed(ngx_http_request_t *r, const char *allow)
{
    u_char           *p;
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Allow");
    h->value.data = (u_char *) allow;
    h->value.len = ngx_strlen(allow);

    /* Django REST framework's words: Method "POST" not allowed. */

    p = ngx_pnalloc(r->pool, r->method_name.len + sizeof("Method \"\" not "
                                                         "allowed."));
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(p, "Method \"%V\" not allowed.%Z", &r->method_name);

    return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_ALLOWED, (char *) p);
}


/*
 * Room names as Meet's slugs: lower case letters, digits, '-' and '_',
 * starting with a letter or digit, at most 64.  Upper case is folded (Meet
 * slugifies names).  No '.': /<room> of the web app must never look like
 * a file to the SPA route.  NGX_DECLINED for an invalid name.
 */

static ngx_int_t
ngx_meet_api_slug(ngx_http_request_t *r, ngx_str_t *in, ngx_str_t *slug)
{
    u_char      c;
    ngx_uint_t  i;

    if (in->len > NGX_MEET_API_SLUG_MAX) {
        return NGX_DECLINED;
    }

    slug->data = ngx_pnalloc(r->pool, in->len + 1);
    if (slug->data == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < in->len; i++) {
        c = ngx_tolower(in->data[i]);

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || (i > 0 && (c == '-' || c == '_'))))
        {
            return NGX_DECLINED;
        }

        slug->data[i] = c;
    }

    slug->data[i] = '\0';
    slug->len = in->len;

    return NGX_OK;
}


/* ?username=: URL-decoded ('+' is a space), UTF-8, no control characters */

static ngx_int_t
ngx_meet_api_username(ngx_http_request_t *r, ngx_str_t *name,
    const char **err)
{
    u_char     *src, *dst, *p, *last;
    uint32_t    ch;
    ngx_str_t   arg;
    ngx_uint_t  i;

    ngx_str_null(name);

    if (ngx_http_arg(r, (u_char *) "username", 8, &arg) != NGX_OK
        || arg.len == 0)
    {
        return NGX_OK;
    }

    if (arg.len > 3 * NGX_MEET_API_NAME_MAX) {
        *err = "username: at most 128 bytes";
        return NGX_ERROR;
    }

    src = ngx_pnalloc(r->pool, 2 * arg.len);
    if (src == NULL) {
        *err = "out of memory";
        return NGX_ERROR;
    }

    for (i = 0; i < arg.len; i++) {
        src[i] = (arg.data[i] == '+') ? ' ' : arg.data[i];
    }

    dst = src + arg.len;
    p = dst;
    ngx_unescape_uri(&p, &src, arg.len, 0);

    name->data = dst;
    name->len = p - dst;

    if (name->len > NGX_MEET_API_NAME_MAX) {
        *err = "username: at most 128 bytes";
        return NGX_ERROR;
    }

    p = name->data;
    last = name->data + name->len;

    while (p < last) {
        if (*p < 0x80) {
            if (*p < 0x20 || *p == 0x7f) {
                *err = "username: control characters are not allowed";
                return NGX_ERROR;
            }

            p++;
            continue;
        }

        ch = ngx_utf8_decode(&p, last - p);
        if (ch > 0x10ffff) {
            *err = "username: not valid UTF-8";
            return NGX_ERROR;
        }
    }

    /* surrounding spaces are not part of a name */

    while (name->len && name->data[0] == ' ') {
        name->data++;
        name->len--;
    }

    while (name->len && name->data[name->len - 1] == ' ') {
        name->len--;
    }

    return NGX_OK;
}


/*
 * The LiveKit URL for clients: meet_api_livekit_url, else this server's
 * own origin as the client reached it (the trusted X-Forwarded-* of a
 * proxy in front of us included), ws:// or wss://.
 */

static ngx_int_t
ngx_meet_api_livekit_url(ngx_http_request_t *r, ngx_str_t *url)
{
    u_char                     *p;
    ngx_uint_t                  secure;
    ngx_meet_api_loc_conf_t    *alcf;
    ngx_meet_api_main_conf_t   *amcf;
    ngx_http_variable_value_t  *proto, *host;

    alcf = ngx_http_get_module_loc_conf(r, ngx_meet_api_module);

    if (alcf->livekit_url) {
        return ngx_http_complex_value(r, alcf->livekit_url, url);
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_meet_api_module);

    proto = ngx_http_get_indexed_variable(r, amcf->proto_index);
    host = ngx_http_get_indexed_variable(r, amcf->host_index);

    if (proto == NULL || host == NULL || host->not_found || host->len == 0) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: no host to build the LiveKit url from; "
                      "set meet_api_livekit_url");
        return NGX_ERROR;
    }

    secure = (!proto->not_found && proto->len == 5
              && ngx_strncmp(proto->data, "https", 5) == 0);

    url->data = ngx_pnalloc(r->pool, sizeof("wss://") + host->len);
    if (url->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(url->data, secure ? "wss://" : "ws://",
                   secure ? 6 : 5);
    p = ngx_cpymem(p, host->data, host->len);
    url->len = p - url->data;

    return NGX_OK;
}
