
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
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "meet_jwt.h"
#include "ngx_meet_oidc.h"
#include "ngx_meet_api.h"


#define NGX_MEET_API_IDENTITY_LEN   16
#define NGX_MEET_API_PAGE_SIZE      20
#define NGX_MEET_API_BODY_MAX       65536
#define NGX_MEET_API_ZONE_SIZE      (2 * 1024 * 1024)

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
static ngx_int_t ngx_meet_api_session(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_int_t rc);
static ngx_int_t ngx_meet_api_store(ngx_http_request_t *r,
    ngx_meet_rooms_req_t *req, ngx_meet_api_step_pt next);
static void ngx_meet_api_store_done(void *data,
    ngx_meet_rooms_result_t *res);
static ngx_meet_rooms_req_t *ngx_meet_api_req(ngx_http_request_t *r,
    ngx_meet_rooms_op_e op, ngx_str_t *key);

static ngx_int_t ngx_meet_api_call(ngx_http_request_t *r,
    ngx_meet_rooms_op_e op, ngx_str_t *key, ngx_meet_api_step_pt next);
static ngx_int_t ngx_meet_api_room_found(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_room_answer(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_room_write(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_room_written(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_rooms_list(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_rooms_create(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);
static ngx_int_t ngx_meet_api_room_input(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_uint_t partial);
static ngx_int_t ngx_meet_api_access_room(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_access_found(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_access_done(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_accesses_answer(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_users_answer(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_users_me(ngx_http_request_t *r,
    ngx_meet_session_t *s);
static ngx_int_t ngx_meet_api_unregistered(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);
static ngx_int_t ngx_meet_api_config(ngx_http_request_t *r);
static ngx_int_t ngx_meet_api_me_stored(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);

static json_t *ngx_meet_api_livekit(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_str_t *room);
static ngx_int_t ngx_meet_api_slugify(ngx_http_request_t *r,
    ngx_str_t *name, ngx_str_t *slug);
static ngx_int_t ngx_meet_api_livekit_url(ngx_http_request_t *r,
    ngx_str_t *url);


/* Meet's RoomAccessLevel and RoleChoices; owner first */
static const char  *ngx_meet_api_levels[] = { "public", "trusted",
                                              "restricted", NULL };
static const char  *ngx_meet_api_roles[] = { "owner", "administrator",
                                             "member", NULL };


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

    return amcf;
}


/* the rooms store, once the whole http{} block is known */

static char *
ngx_meet_api_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_meet_api_main_conf_t *amcf = conf;

    ngx_conf_init_uint_value(amcf->pg_pool, 4);
    ngx_conf_init_msec_value(amcf->pg_timeout, 5000);

    if (!amcf->used) {
        return NGX_CONF_OK;
    }

    if (amcf->pg_conninfo.len) {
        amcf->rooms = ngx_meet_rooms_create_pg(cf, &amcf->pg_conninfo,
                                               amcf->pg_pool,
                                               amcf->pg_timeout);
    } else {
        amcf->rooms = ngx_meet_rooms_create_shm(cf, NGX_MEET_API_ZONE_SIZE,
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
                          "meet api: invalid room name \"%V\"", &item);

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
                      "meet api: malformed JSON body: %s", jerr.text);

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

static ngx_int_t
ngx_meet_api_session(ngx_http_request_t *r, ngx_meet_session_t *s,
    ngx_int_t rc)
{
    json_t                *q;
    u_char                *src, *dst;
    ngx_str_t              arg;
    ngx_meet_api_ctx_t    *ctx;
    ngx_meet_rooms_req_t  *req;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_api_module);

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
        ctx->status = NGX_HTTP_OK;
        return ngx_meet_api_call(r, NGX_MEET_ROOM_GET,
                                 &ctx->key, ngx_meet_api_room_found);
    }

    if (ctx->session == NULL) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_UNAUTHORIZED,
                                         NGX_MEET_API_NO_AUTH);
    }

    if (ctx->body_error) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST,
                                         ctx->body_error);
    }

    switch (ctx->what) {

    case NGX_MEET_API_ROOMS:
        if (r->method == NGX_HTTP_POST) {
            return ngx_meet_api_rooms_create(r, ctx);
        }

        ctx->page = 1;

        if (ngx_http_arg(r, (u_char *) "page", 4, &arg) == NGX_OK) {
            rc = ngx_atoi(arg.data, arg.len);
            if (rc < 1 || rc > 100000) {
                return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                                 "Invalid page.");
            }

            ctx->page = rc;
        }

        req = ngx_meet_api_req(r, NGX_MEET_ROOM_LIST, NULL);
        if (req == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        req->offset = (ctx->page - 1) * NGX_MEET_API_PAGE_SIZE;
        req->limit = NGX_MEET_API_PAGE_SIZE;

        return ngx_meet_api_store(r, req, ngx_meet_api_rooms_list);

    case NGX_MEET_API_ROOM:
        /* PUT, PATCH, DELETE: the room and the user's role first */
        return ngx_meet_api_call(r, NGX_MEET_ROOM_GET,
                                 &ctx->key, ngx_meet_api_room_write);

    case NGX_MEET_API_ACCESSES:
        if (r->method == NGX_HTTP_POST) {
            if (!json_is_object(ctx->body)
                || !json_is_string(json_object_get(ctx->body, "resource")))
            {
                ctx->key.len = 0;

            } else {
                q = json_object_get(ctx->body, "resource");
                ctx->key.data = (u_char *) json_string_value(q);
                ctx->key.len = json_string_length(q);
            }

        } else if (ngx_http_arg(r, (u_char *) "resource", 8, &ctx->key)
                   != NGX_OK)
        {
            ctx->key.len = 0;
        }

        if (!ngx_meet_api_is_uuid(&ctx->key)) {
            return ngx_meet_api_send_error(r, "resource",
                       "A valid room id (UUID) is required.");
        }

        return ngx_meet_api_call(r, NGX_MEET_ROOM_GET,
                                 &ctx->key, ngx_meet_api_access_room);

    case NGX_MEET_API_ACCESS:
        return ngx_meet_api_call(r, NGX_MEET_ACCESS_GET, &ctx->key,
                                 ngx_meet_api_access_found);

    case NGX_MEET_API_USERS:
        if (ngx_http_arg(r, (u_char *) "q", 1, &arg) != NGX_OK
            || arg.len == 0)
        {
            q = json_array();
            if (q == NULL) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            rc = ngx_meet_http_send_json(r, NGX_HTTP_OK, q);
            json_decref(q);
            return rc;
        }

        /* an e-mail address: %40 for '@' and the like */
        ctx->key.data = ngx_pnalloc(r->pool, arg.len);
        if (ctx->key.data == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        src = arg.data;
        dst = ctx->key.data;
        ngx_unescape_uri(&dst, &src, arg.len, NGX_UNESCAPE_URI);
        ctx->key.len = dst - ctx->key.data;

        return ngx_meet_api_call(r, NGX_MEET_USER_FIND, &ctx->key,
                                 ngx_meet_api_users_answer);

    default: /* NGX_MEET_API_ME */
        /*
         * the app asks for it at every start: the user is stored (or
         * updated) then, so that others find it (users/?q=) and can
         * invite it (resource-accesses/)
         */
        req = ngx_meet_api_req(r, NGX_MEET_USER_UPSERT, NULL);
        if (req == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        req->user.id = s->user_id;
        req->user.sub = s->sub;
        req->user.email = s->email;
        req->user.full_name = s->full_name;
        req->user.short_name = s->short_name;

        /* the session alone answers when the store is down */
        ctx->store_optional = 1;

        return ngx_meet_api_store(r, req, ngx_meet_api_me_stored);
    }
}


/*
 * A call to the rooms store; "next" continues with its answer (store
 * errors are answered here: 503 with the reason).  The request is held
 * meanwhile (NGX_DONE), also when the answer comes at once.
 */

static ngx_int_t
ngx_meet_api_store(ngx_http_request_t *r, ngx_meet_rooms_req_t *req,
    ngx_meet_api_step_pt next)
{
    ngx_meet_api_ctx_t        *ctx;
    ngx_meet_api_main_conf_t  *amcf;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_api_module);
    amcf = ngx_http_get_module_main_conf(r, ngx_meet_api_module);

    ctx->next = next;
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

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


static ngx_meet_rooms_req_t *
ngx_meet_api_req(ngx_http_request_t *r, ngx_meet_rooms_op_e op,
    ngx_str_t *key)
{
    ngx_meet_api_ctx_t    *ctx;
    ngx_meet_rooms_req_t  *req;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_api_module);

    req = ngx_pcalloc(r->pool, sizeof(ngx_meet_rooms_req_t));
    if (req == NULL) {
        return NULL;
    }

    req->op = op;

    if (key) {
        req->key = *key;
    }

    if (ctx->session) {
        req->user_id = ctx->session->user_id;
    }

    return req;
}


/* rooms */


/* a store call that needs a key only */

static ngx_int_t
ngx_meet_api_call(ngx_http_request_t *r, ngx_meet_rooms_op_e op,
    ngx_str_t *key, ngx_meet_api_step_pt next)
{
    ngx_meet_rooms_req_t  *req;

    req = ngx_meet_api_req(r, op, key);
    if (req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_api_store(r, req, next);
}


/* GET rooms/<key>/: the room, its accesses for its administrators */

static ngx_int_t
ngx_meet_api_room_found(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    if (res->rc == NGX_DECLINED) {
        if (ngx_meet_api_is_uuid(&ctx->key)) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                             "Not found.");
        }

        return ngx_meet_api_unregistered(r, ctx);
    }

    ctx->room = *(ngx_meet_room_rec_t *) res->items->elts;

    if (!ngx_meet_api_admin(&ctx->room.role)) {
        return ngx_meet_api_room_answer(r, ctx, NULL);
    }

    return ngx_meet_api_call(r, NGX_MEET_ACCESS_LIST, &ctx->room.id,
                             ngx_meet_api_room_answer);
}


/* the room as Meet's RoomSerializer shows it; res: its accesses or NULL */

static ngx_int_t
ngx_meet_api_room_answer(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t                  *root, *v, *list;
    ngx_int_t                rc;
    ngx_uint_t               i, allowed, admin;
    ngx_meet_room_rec_t     *room;
    ngx_meet_room_access_t  *a;

    room = &ctx->room;
    admin = ngx_meet_api_admin(&room->role);

    /* public: anyone; trusted: logged-in users; restricted: its members */
    allowed = (room->access_level.len == 6
               && ngx_strncmp(room->access_level.data, "public", 6) == 0)
              || (ctx->session
                  && room->access_level.len == 7
                  && ngx_strncmp(room->access_level.data, "trusted", 7)
                     == 0)
              || room->role.len;

    root = json_pack("{s:s% s:s% s:s% s:s% s:b}",
                     "id", room->id.data, room->id.len,
                     "name", room->name.data, room->name.len,
                     "slug", room->slug.data, room->slug.len,
                     "access_level", room->access_level.data,
                     room->access_level.len,
                     "is_administrable", (int) admin);
    if (root == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (admin) {
        v = json_loadb((char *) room->configuration.data,
                       room->configuration.len, 0, NULL);
        list = json_array();

        if (v == NULL || list == NULL
            || json_object_set_new(root, "configuration", v) != 0
            || json_object_set_new(root, "accesses", list) != 0)
        {
            goto failed;
        }

        a = res && res->items ? res->items->elts : NULL;

        for (i = 0; a && i < res->items->nelts; i++) {
            if (json_array_append_new(list, ngx_meet_api_access_json(&a[i]))
                != 0)
            {
                goto failed;
            }
        }
    }

    if (allowed) {
        v = ngx_meet_api_livekit(r, ctx, &room->id);
        if (v == NULL || json_object_set_new(root, "livekit", v) != 0) {
            goto failed;
        }
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet api: room \"%V\" (%V, %V) for %s%V%s",
                  &room->slug, &room->id, &room->access_level,
                  ctx->session ? "user " : "anonymous",
                  ctx->session ? &ctx->session->user_id : &room->role,
                  allowed ? ", with a token" : ", no access");

    rc = ngx_meet_http_send_json(r, ctx->status, root);
    json_decref(root);

    return rc;

failed:

    json_decref(root);

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "meet api: cannot build the answer for room \"%V\"",
                  &room->id);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/* PUT, PATCH, DELETE rooms/<key>/: the room and the role are known */

static ngx_int_t
ngx_meet_api_room_write(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    ngx_int_t              rc;
    ngx_meet_rooms_req_t  *req;

    if (res->rc == NGX_DECLINED) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    ctx->room = *(ngx_meet_room_rec_t *) res->items->elts;

    if (r->method == NGX_HTTP_DELETE
        ? !(ctx->room.role.len == 5
            && ngx_strncmp(ctx->room.role.data, "owner", 5) == 0)
        : !ngx_meet_api_admin(&ctx->room.role))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: user %V (role \"%V\") may not change "
                      "room %V", &ctx->session->user_id, &ctx->room.role,
                      &ctx->room.id);

        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                         NGX_MEET_API_DENIED);
    }

    if (r->method == NGX_HTTP_DELETE) {
        req = ngx_meet_api_req(r, NGX_MEET_ROOM_DELETE, &ctx->room.id);

    } else {
        rc = ngx_meet_api_room_input(r, ctx, r->method == NGX_HTTP_PATCH);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        req = ngx_meet_api_req(r, NGX_MEET_ROOM_UPDATE, NULL);
        if (req) {
            req->room = ctx->room;
        }
    }

    if (req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_api_store(r, req, ngx_meet_api_room_written);
}


/* after create, update, delete */

static ngx_int_t
ngx_meet_api_room_written(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    if (res->rc == NGX_DECLINED) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    if (res->rc == NGX_BUSY) {
        return ngx_meet_api_send_error(r, "name",
                   "A room with this name (slug) already exists.");
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet api: room %V \"%V\" %s by user %V", &ctx->room.id,
                  &ctx->room.slug,
                  r->method == NGX_HTTP_POST ? "created"
                  : r->method == NGX_HTTP_DELETE ? "deleted" : "updated",
                  &ctx->session->user_id);

    if (r->method == NGX_HTTP_DELETE) {
        return ngx_meet_http_send(r, NGX_HTTP_NO_CONTENT, "application/json",
                                  NULL, NULL, NULL, 0);
    }

    /* the room again as GET shows it: 201 after a create */
    ctx->status = (r->method == NGX_HTTP_POST) ? NGX_HTTP_CREATED
                                               : NGX_HTTP_OK;

    return ngx_meet_api_call(r, NGX_MEET_ROOM_GET,
                             &ctx->room.id, ngx_meet_api_room_found);
}


static ngx_int_t
ngx_meet_api_rooms_list(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t               *root, *results, *item;
    ngx_uint_t            i, n;
    ngx_meet_room_rec_t  *room;

    n = res->items ? res->items->nelts : 0;

    if (n == 0 && ctx->page > 1) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                         "Invalid page.");
    }

    results = json_array();
    if (results == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    room = n ? res->items->elts : NULL;

    for (i = 0; i < n; i++) {
        item = json_pack("{s:s% s:s% s:s% s:s%}",
                         "id", room[i].id.data, room[i].id.len,
                         "name", room[i].name.data, room[i].name.len,
                         "slug", room[i].slug.data, room[i].slug.len,
                         "access_level", room[i].access_level.data,
                         room[i].access_level.len);

        if (json_array_append_new(results, item) != 0) {
            json_decref(results);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    root = ngx_meet_api_page(r, results, res->count, ctx->page,
                             (ctx->page - 1) * NGX_MEET_API_PAGE_SIZE + n
                             < res->count);
    return ngx_meet_api_send(r, NGX_HTTP_OK, root);
}


static ngx_int_t
ngx_meet_api_rooms_create(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx)
{
    ngx_int_t              rc;
    ngx_meet_rooms_req_t  *req;

    ngx_str_set(&ctx->room.access_level, "public");
    ngx_str_set(&ctx->room.configuration, "{}");

    rc = ngx_meet_api_room_input(r, ctx, 0);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    req = ngx_meet_api_req(r, NGX_MEET_ROOM_CREATE, NULL);
    if (req == NULL
        || ngx_meet_rooms_uuid(r->pool, &ctx->room.id) != NGX_OK
        || ngx_meet_rooms_uuid(r->pool, &req->access.id) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    req->room = ctx->room;

    return ngx_meet_api_store(r, req, ngx_meet_api_room_written);
}


/*
 * name, access_level, configuration of the body into ctx->room; PATCH
 * (partial): only those given.  NGX_DECLINED to go on, else what the
 * 400 answer with DRF's field errors returned.
 */

static ngx_int_t
ngx_meet_api_room_input(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_uint_t partial)
{
    json_t      *errors, *v;
    ngx_str_t    name, slug, s;
    const char  *err;

    errors = json_object();
    if (errors == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!json_is_object(ctx->body)) {
        json_decref(errors);
        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST,
                   "Invalid data. Expected a dictionary.");
    }

    err = NULL;
    v = json_object_get(ctx->body, "name");

    if (v == NULL) {
        err = partial ? NULL : "This field is required.";

    } else if (!json_is_string(v)) {
        err = "Not a valid string.";

    } else {
        name.data = (u_char *) json_string_value(v);
        name.len = json_string_length(v);

        while (name.len && name.data[0] == ' ') {
            name.data++;
            name.len--;
        }

        while (name.len && name.data[name.len - 1] == ' ') {
            name.len--;
        }

        if (name.len == 0) {
            err = "This field may not be blank.";

        } else if (name.len > NGX_MEET_API_NAME_MAX) {
            err = "Ensure this field has no more than 128 characters.";

        } else if (ngx_strlchr(name.data, name.data + name.len, '\0')) {
            err = "Null characters are not allowed.";

        } else if (ngx_meet_api_slugify(r, &name, &slug) != NGX_OK) {
            err = "The name must have 1 to 64 letters or digits once "
                  "slugified.";

        } else {
            ctx->room.name = name;
            ctx->room.slug = slug;
        }
    }

    if (err && ngx_meet_api_field_error(errors, "name", err) != NGX_OK) {
        goto failed;
    }

    v = json_object_get(ctx->body, "access_level");

    if (v) {
        if (ngx_meet_api_choice(v, ngx_meet_api_levels,
                                &ctx->room.access_level)
            == NGX_MEET_API_NO_CHOICE)
        {
            if (ngx_meet_api_field_error(errors, "access_level",
                    json_is_string(v) ? "Not a valid choice: use public, "
                                        "trusted or restricted."
                                      : "Not a valid string.")
                != NGX_OK)
            {
                goto failed;
            }
        }
    }

    v = json_object_get(ctx->body, "configuration");

    if (v) {
        if (!json_is_object(v)) {
            if (ngx_meet_api_field_error(errors, "configuration",
                                         "Expected a JSON object.")
                != NGX_OK)
            {
                goto failed;
            }

        } else if (ngx_meet_json_dump(r->pool, v, &s) != NGX_OK) {
            goto failed;

        } else {
            ctx->room.configuration = s;
        }
    }

    if (json_object_size(errors)) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: invalid room input");
        return ngx_meet_api_send_errors(r, errors);
    }

    json_decref(errors);

    return NGX_DECLINED;

failed:

    json_decref(errors);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/* resource accesses */


/* GET ?resource= and POST: the room and the asking user's role in it */

static ngx_int_t
ngx_meet_api_access_room(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t                *errors, *user, *role;
    ngx_uint_t             i;
    ngx_meet_rooms_req_t  *req;

    if (res->rc == NGX_DECLINED) {
        if (r->method != NGX_HTTP_POST) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                             "Not found.");
        }

        return ngx_meet_api_send_error(r, "resource", "No such room.");
    }

    ctx->room = *(ngx_meet_room_rec_t *) res->items->elts;

    if (!ngx_meet_api_admin(&ctx->room.role)) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                         NGX_MEET_API_DENIED);
    }

    if (r->method != NGX_HTTP_POST) {
        return ngx_meet_api_call(r, NGX_MEET_ACCESS_LIST, &ctx->room.id,
                                 ngx_meet_api_accesses_answer);
    }

    /* POST {user, resource, role} */

    errors = json_object();
    if (errors == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    user = json_object_get(ctx->body, "user");
    role = json_object_get(ctx->body, "role");

    ctx->access.user_id.data = (u_char *) json_string_value(user);
    ctx->access.user_id.len = json_is_string(user)
                              ? json_string_length(user) : 0;

    if (!ngx_meet_api_is_uuid(&ctx->access.user_id)
        && ngx_meet_api_field_error(errors, "user",
                                    "A valid user id (UUID) is required.")
           != NGX_OK)
    {
        goto failed;
    }

    i = ngx_meet_api_choice(role, ngx_meet_api_roles, &ctx->access.role);

    if (i == NGX_MEET_API_NO_CHOICE
        && ngx_meet_api_field_error(errors, "role",
               "Not a valid choice: use owner, administrator or member.")
           != NGX_OK)
    {
        goto failed;
    }

    if (json_object_size(errors)) {
        return ngx_meet_api_send_errors(r, errors);
    }

    json_decref(errors);

    /* only owners make owners */
    if (i == 0 && ctx->room.role.len != 5) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                         NGX_MEET_API_DENIED);
    }

    req = ngx_meet_api_req(r, NGX_MEET_ACCESS_ADD, NULL);
    if (req == NULL || ngx_meet_rooms_uuid(r->pool, &ctx->access.id)
                       != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->access.room_id = ctx->room.id;
    req->access = ctx->access;

    return ngx_meet_api_store(r, req, ngx_meet_api_access_done);

failed:

    json_decref(errors);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/* DELETE resource-accesses/<id>/: the access, then its room */

static ngx_int_t
ngx_meet_api_access_found(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    if (res->rc == NGX_DECLINED) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    ctx->access = *(ngx_meet_room_access_t *) res->items->elts;

    return ngx_meet_api_call(r, NGX_MEET_ROOM_GET,
                             &ctx->access.room_id, ngx_meet_api_access_done);
}


/*
 * POST: the access was added (or not); DELETE: first the room of the
 * access (res is the room), then the deletion (ctx->room is set).
 */

static ngx_int_t
ngx_meet_api_access_done(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t  *root;
    ngx_int_t   rc;

    if (r->method == NGX_HTTP_DELETE) {
        if (ctx->room.id.len) {
            return (res->rc == NGX_DECLINED)
                   ? ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                               "Not found.")
                   : ngx_meet_http_send(r, NGX_HTTP_NO_CONTENT,
                                        "application/json", NULL, NULL,
                                        NULL, 0);
        }

        if (res->rc == NGX_DECLINED) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                             "Not found.");
        }

        ctx->room = *(ngx_meet_room_rec_t *) res->items->elts;

        /* administrators, and only owners for an owner's access */
        if (!ngx_meet_api_admin(&ctx->room.role)
            || (ctx->access.role.len == 5 && ctx->room.role.len != 5))
        {
            return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                             NGX_MEET_API_DENIED);
        }

        return ngx_meet_api_call(r, NGX_MEET_ACCESS_DELETE, &ctx->access.id,
                                 ngx_meet_api_access_done);
    }

    if (res->rc == NGX_BUSY) {
        return ngx_meet_api_send_error(r, "non_field_errors",
                   "This user has an access to this room already.");
    }

    if (res->rc == NGX_DECLINED) {
        return ngx_meet_api_send_error(r, "user", "No such user.");
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet api: user %V gave %V the role %V in room %V",
                  &ctx->session->user_id, &ctx->access.user_id,
                  &ctx->access.role, &ctx->room.id);

    root = ngx_meet_api_access_json(&ctx->access);
    if (root == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_meet_http_send_json(r, NGX_HTTP_CREATED, root);
    json_decref(root);

    return rc;
}


static ngx_int_t
ngx_meet_api_accesses_answer(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t                  *root, *list;
    ngx_uint_t               i, n;
    ngx_meet_room_access_t  *a;

    list = json_array();
    if (list == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = res->items ? res->items->nelts : 0;
    a = n ? res->items->elts : NULL;

    for (i = 0; i < n; i++) {
        if (json_array_append_new(list, ngx_meet_api_access_json(&a[i]))
            != 0)
        {
            json_decref(list);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    root = ngx_meet_api_page(r, list, n, 1, 0);
    return ngx_meet_api_send(r, NGX_HTTP_OK, root);
}


/* users */


static ngx_int_t
ngx_meet_api_users_answer(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t           *list;
    ngx_int_t         rc;
    ngx_uint_t        i, n;
    ngx_meet_user_t  *u;

    list = json_array();
    if (list == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = res->items ? res->items->nelts : 0;
    u = n ? res->items->elts : NULL;

    for (i = 0; i < n; i++) {
        if (json_array_append_new(list,
                json_pack("{s:s% s:s% s:s% s:s%}",
                          "id", u[i].id.data, u[i].id.len,
                          "email", u[i].email.data, u[i].email.len,
                          "full_name", u[i].full_name.data,
                          u[i].full_name.len,
                          "short_name", u[i].short_name.data,
                          u[i].short_name.len))
            != 0)
        {
            json_decref(list);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    rc = ngx_meet_http_send_json(r, NGX_HTTP_OK, list);
    json_decref(list);

    return rc;
}


static ngx_int_t
ngx_meet_api_me_stored(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    return ngx_meet_api_users_me(r, ctx->session);
}


static ngx_int_t
ngx_meet_api_users_me(ngx_http_request_t *r, ngx_meet_session_t *s)
{
    json_t  *root;

    root = json_pack("{s:s% s:s% s:s% s:s% s:s s:s}",
                     "id", s->user_id.data, s->user_id.len,
                     "email", s->email.data, s->email.len,
                     "full_name", s->full_name.data, s->full_name.len,
                     "short_name", s->short_name.data, s->short_name.len,
                     "timezone", "UTC",
                     "language", "en-us");
    return ngx_meet_api_send(r, NGX_HTTP_OK, root);
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


/*
 * An unregistered room (no such slug in the store), as Meet's
 * ALLOW_UNREGISTERED_ROOMS: a token for logged-in users, and for anyone
 * with meet_api_anonymous_rooms on.
 */

static ngx_int_t
ngx_meet_api_unregistered(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx)
{
    json_t                   *root, *livekit;
    ngx_str_t                *slug;
    ngx_meet_api_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_meet_api_module);
    slug = &ctx->key;

    if (ctx->session == NULL && !alcf->anonymous_rooms) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: no token for room \"%V\": anonymous "
                      "access is off (meet_api_anonymous_rooms)", slug);

        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                   "This server gives tokens to logged-in users only.");
    }

    livekit = ngx_meet_api_livekit(r, ctx, slug);
    if (livekit == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    root = json_pack("{s:n s:s% s:s% s:b s:s s:b s:{} s:o}",
                     "id",
                     "name", slug->data, slug->len,
                     "slug", slug->data, slug->len,
                     "is_public", 1,
                     "access_level", "public",
                     "is_administrable", 0,
                     "configuration",
                     "livekit", livekit);

    if (root == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: cannot build the room answer");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_api_send(r, NGX_HTTP_OK, root);
}


/*
 * "livekit": {url, room, token}: a token for the LiveKit room "room"
 * (the room id, or an unregistered slug).  A logged-in user joins as his
 * user id, with the claim "meet_session" (the session key, for
 * back-channel logout); others as a fresh anonymous identity.  The name
 * is ?username=, else the user's full name.
 */

static json_t *
ngx_meet_api_livekit(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_str_t *room)
{
    char                     *token;
    json_t                   *claims, *out;
    u_char                    anon[NGX_MEET_API_IDENTITY_LEN + 8], *p;
    u_char                   *room_z, *name_z, *identity;
    ngx_str_t                 url, *name;
    ngx_meet_api_key_t       *key;
    ngx_meet_session_t       *s;
    meet_jwt_token_spec_t     spec;
    ngx_meet_api_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_meet_api_module);
    s = ctx->session;

    if (ngx_meet_api_livekit_url(r, &url) != NGX_OK) {
        return NULL;
    }

    key = ngx_meet_api_key_default((ngx_cycle_t *) ngx_cycle);
    if (key == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: no API key to sign tokens with");
        return NULL;
    }

    name = ctx->username.len ? &ctx->username
           : (s && s->full_name.len) ? &s->full_name : NULL;

    room_z = ngx_pnalloc(r->pool, room->len + 1
                                  + (name ? name->len : 0) + 1
                                  + (s ? s->user_id.len : 0) + 1);
    if (room_z == NULL) {
        return NULL;
    }

    name_z = ngx_cpymem(room_z, room->data, room->len);
    *name_z++ = '\0';
    p = name ? ngx_cpymem(name_z, name->data, name->len) : name_z;
    *p++ = '\0';

    if (s) {
        identity = p;
        p = ngx_cpymem(p, s->user_id.data, s->user_id.len);
        *p = '\0';

    } else {
        /* an anonymous participant: a fresh random identity */
        identity = anon;
        p = ngx_meet_random_id(anon, "anon-", NGX_MEET_API_IDENTITY_LEN);
        *p = '\0';
    }

    ngx_memzero(&spec, sizeof(meet_jwt_token_spec_t));

    spec.identity = (char *) identity;
    spec.name = name ? (char *) name_z : NULL;
    spec.room = (char *) room_z;
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

    if (claims && s
        && json_object_set_new(claims, "meet_session",
                               json_stringn((char *) s->key.data,
                                            s->key.len))
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
                      "meet api: cannot mint a token for room \"%V\"", room);
        return NULL;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet api: token for room \"%V\", %s \"%s\"", room,
                  s ? "user" : "anonymous", identity);

    out = json_pack("{s:s% s:s% s:s}",
                    "url", url.data, url.len,
                    "room", room->data, room->len,
                    "token", token);
    free(token);

    return out;
}


/*
 * Django's slugify() for ASCII: letters (lower case), digits and '_'
 * kept, runs of spaces and '-' become one '-', the rest dropped (accents
 * too), leading and trailing '-' and '_' stripped.  NGX_DECLINED when the
 * slug is empty or over 64.
 */

static ngx_int_t
ngx_meet_api_slugify(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *slug)
{
    u_char      c, *p, *start;
    ngx_uint_t  i, dash;

    start = ngx_pnalloc(r->pool, name->len);
    if (start == NULL) {
        return NGX_ERROR;
    }

    p = start;
    dash = 0;

    for (i = 0; i < name->len; i++) {
        c = ngx_tolower(name->data[i]);

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
            if (dash && p > start) {
                *p++ = '-';
            }

            dash = 0;
            *p++ = c;

        } else if (c == ' ' || c == '-' || c == '\t') {
            dash = 1;
        }
    }

    while (p > start && (p[-1] == '_' || p[-1] == '-')) {
        p--;
    }

    while (p > start && (start[0] == '_' || start[0] == '-')) {
        start++;
    }

    slug->data = start;
    slug->len = p - start;

    return (slug->len == 0 || slug->len > NGX_MEET_API_SLUG_MAX)
           ? NGX_DECLINED : NGX_OK;
}


/*
 * The LiveKit URL for clients: meet_api_livekit_url, else this server's
 * own origin as the client reached it, ws:// or wss://.
 */

static ngx_int_t
ngx_meet_api_livekit_url(ngx_http_request_t *r, ngx_str_t *url)
{
    ngx_meet_api_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_meet_api_module);

    if (alcf->livekit_url) {
        return ngx_http_complex_value(r, alcf->livekit_url, url);
    }

    return ngx_meet_api_origin(r, "ws", url);
}
