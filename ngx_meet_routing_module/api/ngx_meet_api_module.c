
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_api_module: the meeting API of a Meet deployment, answered by
 * nginx itself, in La Suite Meet's shapes (/api/v1.0/...), so the web app
 * (ours, or Meet's frontend) gets rooms and LiveKit tokens without a
 * backend.  Part of ngx_meet_routing_module.so; enabled by the "api"
 * target of meet_routes:
 *
 *     meet_postgres "host=... dbname=..." [pool=N] [timeout=5s];  # http{}
 *     meet_routes {
 *         /api/v1.0/   api;
 *     }
 *     meet_api_anonymous_rooms  on;    # dev: a token for anyone, any room
 *
 * Endpoints (Meet's serializers.py and viewsets.py):
 *     rooms/                  GET (the user's rooms, paginated), POST
 *     rooms/<id or slug>/     GET (with "livekit" when access is allowed;
 *                             an unregistered slug as Meet's
 *                             ALLOW_UNREGISTERED_ROOMS), PUT, PATCH, DELETE
 *     resource-accesses/      GET ?resource=<room id>, POST
 *     resource-accesses/<id>/ DELETE
 *     users/?q=<email>        GET;  users/me/  GET
 *     config/                 GET: {"login_enabled": <meet_oidc here>}
 *     authenticate/, callback/, logout/, ...: the OIDC login
 *                             (ngx_meet_oidc_module.c)
 *
 * Rooms live in the rooms store (ngx_meet_rooms.c): a shared memory zone,
 * or PostgreSQL with meet_postgres.  The user comes from
 * ngx_meet_session_lookup() (ngx_meet_session.h).
 *
 * This file is the module: directives, configuration, the handler, the
 * routing of paths, the body, the session step, config/ and the store
 * calls; the endpoints are in ngx_meet_api_rooms.c, _accesses.c and
 * _users.c, what they share in ngx_meet_api_json.c (ngx_meet_api.h).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_oidc.h"
#include "ngx_meet_api.h"


#define NGX_MEET_API_BODY_MAX       65536

#define NGX_MEET_API_NO_AUTH  "Authentication credentials were not provided."


static ngx_int_t ngx_meet_api_init(ngx_conf_t *cf);
static void *ngx_meet_api_create_main_conf(ngx_conf_t *cf);
static char *ngx_meet_api_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_meet_api_create_loc_conf(ngx_conf_t *cf);
static char *ngx_meet_api_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_meet_api(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_meet_api_postgres(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_meet_api_init_process(ngx_cycle_t *cycle);
static void ngx_meet_api_exit_process(ngx_cycle_t *cycle);

static ngx_int_t ngx_meet_api_handler(ngx_http_request_t *r);
static ngx_int_t ngx_meet_api_route(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_str_t *path);
static void ngx_meet_api_body(ngx_http_request_t *r);
static void ngx_meet_api_json_cleanup(void *data);
static ngx_int_t ngx_meet_api_start(ngx_http_request_t *r);
static ngx_int_t ngx_meet_api_csrf(ngx_http_request_t *r);
static ngx_int_t ngx_meet_api_session(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_int_t rc);
static ngx_int_t ngx_meet_api_store_call(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_int_t rc);
static void ngx_meet_api_store_done(void *data,
    ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_config(ngx_http_request_t *r);


static ngx_command_t  ngx_meet_api_commands[] = {

    { ngx_string("meet_api"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_meet_api,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_postgres"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE123,
      ngx_meet_api_postgres,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_api_rooms_zone_size"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_meet_api_main_conf_t, zone_size),
      NULL },

    { ngx_string("meet_api_rooms_per_user"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_meet_api_main_conf_t, rooms_per_user),
      NULL },

    { ngx_string("meet_api_room_configuration_max"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_meet_api_main_conf_t, configuration_max),
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
    ngx_meet_api_init_main_conf,           /* init main configuration */

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
    ngx_meet_api_init_process,             /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_meet_api_exit_process,             /* exit process */
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

    /*
     * set by ngx_pcalloc():
     *     amcf->pg_conninfo = { 0, NULL };
     *     amcf->used = 0;
     *     amcf->rooms = NULL;
     */

    amcf->proto_index = NGX_ERROR;
    amcf->host_index = NGX_ERROR;
    amcf->pg_pool = NGX_CONF_UNSET_UINT;
    amcf->pg_timeout = NGX_CONF_UNSET_MSEC;
    amcf->zone_size = NGX_CONF_UNSET_SIZE;
    amcf->rooms_per_user = NGX_CONF_UNSET_UINT;
    amcf->configuration_max = NGX_CONF_UNSET_SIZE;

    return amcf;
}


/* the rooms store, once the whole http{} block is known */

static char *
ngx_meet_api_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_meet_api_main_conf_t *amcf = conf;

    ngx_conf_init_uint_value(amcf->pg_pool, 4);
    ngx_conf_init_msec_value(amcf->pg_timeout, 5000);
    ngx_conf_init_size_value(amcf->zone_size, 2 * 1024 * 1024);
    ngx_conf_init_uint_value(amcf->rooms_per_user, 100);
    ngx_conf_init_size_value(amcf->configuration_max, 16384);

    if (amcf->zone_size < 8 * ngx_pagesize) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_api_rooms_zone_size must be at least %uzk",
                           8 * ngx_pagesize / 1024);
        return NGX_CONF_ERROR;
    }

    if (amcf->configuration_max == 0
        || amcf->configuration_max > NGX_MEET_API_BODY_MAX)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_api_room_configuration_max must be 1 to "
                           "%uz bytes (the largest request body)",
                           (size_t) NGX_MEET_API_BODY_MAX);
        return NGX_CONF_ERROR;
    }

    if (!amcf->used) {
        return NGX_CONF_OK;
    }

    if (amcf->pg_conninfo.len) {
        amcf->rooms = ngx_meet_rooms_create_pg(cf, &amcf->pg_conninfo,
                                               amcf->pg_pool,
                                               amcf->pg_timeout);
    } else {
        amcf->rooms = ngx_meet_rooms_create_shm(cf, amcf->zone_size,
                                                &ngx_meet_api_module);
    }

    return amcf->rooms ? NGX_CONF_OK : NGX_CONF_ERROR;
}


/* meet_postgres "<libpq conninfo>" [pool=N] [timeout=5s] */

static char *
ngx_meet_api_postgres(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_api_main_conf_t *amcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value, s;
    ngx_uint_t  i;

    if (amcf->pg_conninfo.data) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "needs a connection string, e.g. "
               "\"host=127.0.0.1 dbname=meet user=meet password=...\"";
    }

    amcf->pg_conninfo = value[1];

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "pool=", 5) == 0) {
            n = ngx_atoi(value[i].data + 5, value[i].len - 5);
            if (n < 1 || n > 64) {
                goto invalid;
            }

            amcf->pg_pool = n;
            continue;
        }

        if (ngx_strncmp(value[i].data, "timeout=", 8) == 0) {
            s.data = value[i].data + 8;
            s.len = value[i].len - 8;

            amcf->pg_timeout = ngx_parse_time(&s, 0);
            if (amcf->pg_timeout == (ngx_msec_t) NGX_ERROR
                || amcf->pg_timeout == 0)
            {
                goto invalid;
            }

            continue;
        }

        goto invalid;
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "meet_postgres: invalid parameter \"%V\", expected "
                       "pool=<1..64> or timeout=<time>", &value[i]);

    return NGX_CONF_ERROR;
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

    ngx_meet_api_main_conf_t  *amcf;
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

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_meet_api_module);
    amcf->used = 1;

    /* it mints LiveKit tokens: the development key on loopback only */
    ngx_meet_core_api_keys_used(cf);

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


static ngx_int_t
ngx_meet_api_init_process(ngx_cycle_t *cycle)
{
    ngx_meet_api_main_conf_t  *amcf;

    /* not in the cache manager and loader: they serve no requests */
    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    amcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_meet_api_module);

    if (amcf == NULL || amcf->rooms == NULL) {
        return NGX_OK;
    }

    return ngx_meet_rooms_init_process(amcf->rooms, cycle);
}


static void
ngx_meet_api_exit_process(ngx_cycle_t *cycle)
{
    ngx_meet_api_main_conf_t  *amcf;

    amcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_meet_api_module);

    if (amcf && amcf->rooms) {
        ngx_meet_rooms_exit_process(amcf->rooms);
    }
}


/* requests */


static ngx_int_t
ngx_meet_api_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_str_t                  path;
    ngx_meet_api_ctx_t        *ctx;
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

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_meet_api_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_meet_api_module);

    rc = ngx_meet_api_route(r, ctx, &path);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    if (r->method & (NGX_HTTP_POST|NGX_HTTP_PUT|NGX_HTTP_PATCH)) {
        rc = ngx_http_read_client_request_body(r, ngx_meet_api_body);
        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    return ngx_meet_api_start(r);
}


/*
 * The path and the method: NGX_DECLINED to go on, else what the error
 * answer returned (404, 405, 400 for a bad room name).
 */

static ngx_int_t
ngx_meet_api_route(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_str_t *path)
{
    u_char      *p;
    ngx_int_t    rc;
    ngx_str_t    item, slug;
    ngx_uint_t   methods;
    const char  *allow, *err;

    static struct {
        ngx_str_t            prefix;
        ngx_meet_api_what_e  collection;
    } paths[] = {
        { ngx_string("rooms/"), NGX_MEET_API_ROOMS },
        { ngx_string("resource-accesses/"), NGX_MEET_API_ACCESSES },
        { ngx_string("users/"), NGX_MEET_API_USERS },
        { ngx_null_string, 0 }
    };

    ngx_uint_t  i;

    for (i = 0; paths[i].prefix.len; i++) {
        if (path->len >= paths[i].prefix.len
            && ngx_strncmp(path->data, paths[i].prefix.data,
                           paths[i].prefix.len) == 0)
        {
            break;
        }
    }

    if (paths[i].prefix.len == 0) {
        /* "users/me" without the slash, as before */
        if (path->len == 8 && ngx_strncmp(path->data, "users/me", 8) == 0) {
            ctx->what = NGX_MEET_API_ME;
            goto methods;
        }

        if ((path->len == 7 && ngx_strncmp(path->data, "config/", 7) == 0)
            || (path->len == 6 && ngx_strncmp(path->data, "config", 6) == 0))
        {
            return ngx_meet_api_config(r);
        }

        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    item.data = path->data + paths[i].prefix.len;
    item.len = path->len - paths[i].prefix.len;

    if (item.len && item.data[item.len - 1] == '/') {
        item.len--;
    }

    ctx->what = paths[i].collection;

    if (item.len == 0) {
        goto methods;
    }

    if (ngx_strlchr(item.data, item.data + item.len, '/')) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    ctx->what++;          /* the item of the collection */

    switch (ctx->what) {

    case NGX_MEET_API_ROOM:
        if (ngx_meet_api_is_uuid(&item)) {
            p = ngx_pnalloc(r->pool, item.len);
            if (p == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            ngx_strlow(p, item.data, item.len);
            ctx->key.data = p;
            ctx->key.len = item.len;
            break;
        }

        rc = ngx_meet_api_slug(r, &item, &slug);

        if (rc == NGX_ERROR) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (rc == NGX_DECLINED) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "meet api: invalid room name \"%V\"",
                          ngx_meet_log_esc(&item));

            return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST,
                       "Invalid room name: use 1 to 64 letters, digits, "
                       "'-' or '_', starting with a letter or digit.");
        }

        ctx->key = slug;
        break;

    case NGX_MEET_API_ACCESS:
        if (!ngx_meet_api_is_uuid(&item)) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                             "Not found.");
        }

        ctx->key = item;
        break;

    default: /* users/<x>/: only "me" */
        if (item.len != 2 || ngx_strncmp(item.data, "me", 2) != 0) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                             "Not found.");
        }
    }

methods:

    switch (ctx->what) {

    case NGX_MEET_API_ROOMS:
    case NGX_MEET_API_ACCESSES:
        methods = NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_POST;
        allow = "GET, POST, HEAD, OPTIONS";
        break;

    case NGX_MEET_API_ROOM:
        methods = NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_PUT|NGX_HTTP_PATCH
                  |NGX_HTTP_DELETE;
        allow = "GET, PUT, PATCH, DELETE, HEAD, OPTIONS";
        break;

    case NGX_MEET_API_ACCESS:
        methods = NGX_HTTP_DELETE;
        allow = "DELETE, OPTIONS";
        break;

    default: /* users/, users/me/ */
        methods = NGX_HTTP_GET|NGX_HTTP_HEAD;
        allow = "GET, HEAD, OPTIONS";
    }

    if (!(r->method & methods)) {
        return ngx_meet_api_not_allowed(r, allow);
    }

    if (ctx->what == NGX_MEET_API_ROOM
        && (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))
        && ngx_meet_api_username(r, &ctx->username, &err) != NGX_OK)
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: bad username for room \"%V\": %s",
                      &ctx->key, err);
        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST, err);
    }

    return NGX_DECLINED;
}


/* the request body is in: parse it as JSON, then go on */

static void
ngx_meet_api_body(ngx_http_request_t *r)
{
    u_char              *p;
    size_t               len;
    ngx_buf_t           *b;
    ngx_chain_t         *cl;
    json_error_t         jerr;
    ngx_pool_cleanup_t  *cln;
    ngx_meet_api_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_api_module);

    len = 0;

    if (r->request_body && r->request_body->bufs) {
        for (cl = r->request_body->bufs; cl; cl = cl->next) {
            if (cl->buf->in_file) {
                len = NGX_MEET_API_BODY_MAX + 1;
                break;
            }

            len += cl->buf->last - cl->buf->pos;
        }
    }

    if (len > NGX_MEET_API_BODY_MAX) {
        ngx_http_finalize_request(r,
            ngx_meet_http_send_detail(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                      "Request body too large."));
        return;
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    len = 0;

    if (r->request_body) {
        for (cl = r->request_body->bufs; cl; cl = cl->next) {
            b = cl->buf;
            ngx_memcpy(p + len, b->pos, b->last - b->pos);
            len += b->last - b->pos;
        }
    }

    ctx->body = json_loadb((char *) p, len, JSON_REJECT_DUPLICATES, &jerr);

    if (ctx->body == NULL) {
        /* answered once the user is known: 401 comes first, as in DRF */
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: malformed JSON body: %V",
                      ngx_meet_log_cesc(jerr.text));

        ctx->body_error = ngx_pnalloc(r->pool, sizeof("JSON parse error - ")
                                               + sizeof(jerr.text));
        if (ctx->body_error == NULL) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        ngx_sprintf((u_char *) ctx->body_error, "JSON parse error - %s%Z",
                    jerr.text);

        ngx_http_finalize_request(r, ngx_meet_api_start(r));
        return;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        json_decref(ctx->body);
        ctx->body = NULL;
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    cln->handler = ngx_meet_api_json_cleanup;
    cln->data = ctx->body;

    ngx_http_finalize_request(r, ngx_meet_api_start(r));
}


static void
ngx_meet_api_json_cleanup(void *data)
{
    json_decref(data);
}


static ngx_int_t
ngx_meet_api_start(ngx_http_request_t *r)
{
    return ngx_meet_session_lookup(r, ngx_meet_api_session);
}



/* the user is known (or anonymous): the work of each endpoint */

/*
 * Writes of logged-in browsers (DRF's SessionAuthentication enforces
 * Django's CSRF check the same way): the request comes from our origin or
 * carries the double-submitted csrftoken, and its body is JSON.
 * NGX_DECLINED to go on, else what sending the refusal returned.
 */

static ngx_int_t
ngx_meet_api_csrf(ngx_http_request_t *r)
{
    ngx_str_t         origin, reason, *ct;
    ngx_int_t         rc;
    u_char            buf[128], *p;

    if (ngx_meet_api_origin(r, "http", &origin) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_meet_http_csrf_check(r, &origin, NGX_MEET_HTTP_CSRF_WRITE,
                                  &reason);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet api: %V", &reason);
        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                         (char *) reason.data);
    }

    /* a body that is not JSON: what a cross-site form or beacon sends */

    if (r->headers_in.content_length_n <= 0 && !r->headers_in.chunked) {
        return NGX_DECLINED;
    }

    ct = r->headers_in.content_type ? &r->headers_in.content_type->value
                                    : NULL;

    if (ct && ct->len >= sizeof("application/json") - 1
        && ngx_strncasecmp(ct->data, (u_char *) "application/json",
                           sizeof("application/json") - 1) == 0
        && (ct->len == sizeof("application/json") - 1
            || ct->data[sizeof("application/json") - 1] == ';'))
    {
        return NGX_DECLINED;
    }

    p = ngx_snprintf(buf, sizeof(buf) - 1, "Unsupported media type \"%*s\" "
                     "in request.", ct ? ngx_min(ct->len, 64) : 0,
                     ct ? ct->data : (u_char *) "");
    *p = '\0';

    return ngx_meet_http_send_detail(r, NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                     (char *) buf);
}


static ngx_int_t
ngx_meet_api_session(ngx_http_request_t *r, ngx_meet_session_t *s,
    ngx_int_t rc)
{
    ngx_meet_api_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_api_module);

    if (rc == NGX_ERROR
        && ctx->what == NGX_MEET_API_ROOM
        && (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)))
    {
        /*
         * A room and its token need no session: the user is unknown
         * while the store is down, and gets what anonymous users get
         * (public rooms), not a 503 for the meeting it wants to join.
         */
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet api: the session store is unreachable: "
                      "room answered as for an anonymous user");
        rc = NGX_DECLINED;
    }

    if (rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: the session store is unreachable");
        return ngx_meet_http_send_detail(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                   "The session store is unavailable, try again later.");
    }

    ctx->session = (rc == NGX_OK) ? s : NULL;

    /* a room is the one answer anonymous users may get */

    if (ctx->what == NGX_MEET_API_ROOM
        && (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)))
    {
        return ngx_meet_api_store_call(r, ctx,
                                       ngx_meet_api_room_request(r, ctx));
    }

    if (ctx->session == NULL) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_UNAUTHORIZED,
                                         NGX_MEET_API_NO_AUTH);
    }

    /* a write for a logged-in browser: from our origin only (DRF order:
       after authentication, before the body is looked at) */
    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD|NGX_HTTP_OPTIONS))) {
        rc = ngx_meet_api_csrf(r);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    if (ctx->body_error) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST,
                                         ctx->body_error);
    }

    switch (ctx->what) {

    case NGX_MEET_API_ROOMS:
        rc = ngx_meet_api_rooms_request(r, ctx);
        break;

    case NGX_MEET_API_ROOM:
        rc = ngx_meet_api_room_request(r, ctx);
        break;

    case NGX_MEET_API_ACCESSES:
        rc = ngx_meet_api_accesses_request(r, ctx);
        break;

    case NGX_MEET_API_ACCESS:
        rc = ngx_meet_api_access_request(r, ctx);
        break;

    case NGX_MEET_API_USERS:
        rc = ngx_meet_api_users_request(r, ctx);
        break;

    default: /* NGX_MEET_API_ME */
        rc = ngx_meet_api_me_request(r, ctx);
    }

    return ngx_meet_api_store_call(r, ctx, rc);
}


/*
 * What an endpoint returned: its answer (rc, returned as it is), or
 * NGX_MEET_API_STORE for the call to the rooms store that it asked for
 * (ctx->req; ctx->next continues with the store's answer, store errors
 * are answered here: 503 with the reason).  The request is held
 * meanwhile (NGX_DONE), also when the answer comes at once.
 */

static ngx_int_t
ngx_meet_api_store_call(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_int_t rc)
{
    ngx_meet_rooms_req_t      *req;
    ngx_meet_api_main_conf_t  *amcf;

    if (rc != NGX_MEET_API_STORE) {
        return rc;
    }

    amcf = ngx_http_get_module_main_conf(r, ngx_meet_api_module);

    req = ctx->req;
    ctx->req = NULL;
    r->main->count++;

    ngx_meet_rooms_call(amcf->rooms, r->pool, req, ngx_meet_api_store_done,
                        r);

    return NGX_DONE;
}


static void
ngx_meet_api_store_done(void *data, ngx_meet_rooms_result_t *res)
{
    ngx_http_request_t *r = data;

    ngx_int_t            rc;
    ngx_connection_t    *c;
    ngx_meet_api_ctx_t  *ctx;

    c = r->connection;
    ctx = ngx_http_get_module_ctx(r, ngx_meet_api_module);

    if (res->rc == NGX_ERROR && ctx->store_optional) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "meet api: rooms store failed: %s (answering "
                      "without it)", res->reason);

        rc = ctx->next(r, ctx, res);

    } else if (res->rc == NGX_ERROR) {
        ngx_log_error(NGX_LOG_ERR, c->log, 0,
                      "meet api: rooms store failed: %s", res->reason);

        rc = ngx_meet_http_send_detail(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                       res->reason);
    } else {
        rc = ctx->next(r, ctx, res);
    }

    ngx_http_finalize_request(r, ngx_meet_api_store_call(r, ctx, rc));
    ngx_http_run_posted_requests(c);
}


/*
 * What the frontend needs to know about this server (Meet has a config/
 * endpoint of its own keys; ours says whether logging in is possible).
 */

static ngx_int_t
ngx_meet_api_config(ngx_http_request_t *r)
{
    json_t  *root;
    ngx_int_t   rc;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return ngx_meet_api_not_allowed(r, "GET, HEAD, OPTIONS");
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    root = json_pack("{s:b}", "login_enabled",
                     (int) ngx_meet_oidc_enabled(r));
    return ngx_meet_api_send(r, NGX_HTTP_OK, root);
}


