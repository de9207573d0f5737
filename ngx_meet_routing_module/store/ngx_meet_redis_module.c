
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_redis_module: the Redis server of a deployment, in http{}:
 *
 *     meet_redis  redis://:secret@127.0.0.1:6379/0
 *                 [connect_timeout=2s] [timeout=2s] [prefix=meet:];
 *
 * Each worker keeps one connection to it (ngx_meet_core/ngx_meet_redis.c,
 * hiredis on nginx events), reported as "redis" in /healthz.  The module
 * offers the Redis backend of the session store
 * (ngx_meet_redis_session_store()) and, for tests only, a key/value
 * location on that store:
 *
 *     location /kv/ { meet_redis_test_kv; }
 *
 *     GET    /kv/<key>          200 value, 404 no such key
 *     PUT    /kv/<key>[?ttl=N]  204 (body = value, N seconds to live)
 *     DELETE /kv/<key>          204
 *     503 {"detail": "<reason>"} when Redis cannot answer.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_core.h"
#include "ngx_meet_http.h"
#include "ngx_meet_redis_module.h"


#define NGX_MEET_REDIS_PREFIX_MAX   64


typedef struct {
    ngx_meet_redis_conf_t      redis;
    ngx_str_t                  prefix;
    ngx_flag_t                 configured;
    ngx_flag_t                 test_kv;       /* a location uses it */
    ngx_meet_redis_t          *client;        /* this worker's */
    ngx_meet_session_store_t   store;
} ngx_meet_redis_main_conf_t;


/* a session store call in flight */
typedef struct {
    ngx_meet_session_store_pt  handler;
    void                      *data;
    ngx_pool_t                *pool;          /* get: the value goes here */
    ngx_log_t                 *log;
    const char                *op;
} ngx_meet_redis_store_call_t;


/* the test key/value location */
typedef struct {
    ngx_str_t                  key;
    ngx_str_t                  value;
    time_t                     ttl;
    ngx_int_t                  rc;
    unsigned                   sync:1;
    unsigned                   completed:1;
} ngx_meet_redis_kv_ctx_t;


static void *ngx_meet_redis_create_main_conf(ngx_conf_t *cf);
static char *ngx_meet_redis_init_main_conf(ngx_conf_t *cf, void *conf);
static char *ngx_meet_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static char *ngx_meet_redis_test_kv(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_meet_redis_init_process(ngx_cycle_t *cycle);
static void ngx_meet_redis_exit_process(ngx_cycle_t *cycle);
static ngx_meet_redis_main_conf_t *ngx_meet_redis_cycle_conf(
    ngx_cycle_t *cycle);

static ngx_int_t ngx_meet_redis_store_get(ngx_meet_session_store_t *st,
    ngx_str_t *key, ngx_pool_t *pool, ngx_meet_session_store_pt handler,
    void *data);
static ngx_int_t ngx_meet_redis_store_set(ngx_meet_session_store_t *st,
    ngx_str_t *key, ngx_str_t *value, time_t ttl,
    ngx_meet_session_store_pt handler, void *data);
static ngx_int_t ngx_meet_redis_store_del(ngx_meet_session_store_t *st,
    ngx_str_t *key, ngx_meet_session_store_pt handler, void *data);
static ngx_int_t ngx_meet_redis_store_call(ngx_meet_session_store_t *st,
    const char *op, ngx_str_t *key, ngx_str_t *value, time_t ttl,
    ngx_pool_t *pool, ngx_meet_session_store_pt handler, void *data);
static void ngx_meet_redis_store_done(void *data, ngx_int_t rc,
    redisReply *reply, ngx_str_t *err);

static ngx_int_t ngx_meet_redis_kv_handler(ngx_http_request_t *r);
static void ngx_meet_redis_kv_body(ngx_http_request_t *r);
static ngx_int_t ngx_meet_redis_kv_start(ngx_http_request_t *r,
    ngx_meet_redis_kv_ctx_t *ctx);
static void ngx_meet_redis_kv_done(void *data, ngx_int_t rc,
    ngx_str_t *value);
static ngx_int_t ngx_meet_redis_kv_respond(ngx_http_request_t *r,
    ngx_meet_redis_kv_ctx_t *ctx);


static ngx_command_t  ngx_meet_redis_commands[] = {

    { ngx_string("meet_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_meet_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_redis_test_kv"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_meet_redis_test_kv,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_meet_redis_module_ctx = {
    NULL,                                  /* preconfiguration */
    NULL,                                  /* postconfiguration */

    ngx_meet_redis_create_main_conf,       /* create main configuration */
    ngx_meet_redis_init_main_conf,         /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_meet_redis_module = {
    NGX_MODULE_V1,
    &ngx_meet_redis_module_ctx,            /* module context */
    ngx_meet_redis_commands,               /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_meet_redis_init_process,           /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_meet_redis_exit_process,           /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


/* ---- configuration ----------------------------------------------------- */


static void *
ngx_meet_redis_create_main_conf(ngx_conf_t *cf)
{
    ngx_meet_redis_main_conf_t  *rmcf;

    rmcf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_redis_main_conf_t));
    if (rmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     rmcf->prefix = { 0, NULL };
     *     rmcf->client = NULL;
     */

    rmcf->configured = NGX_CONF_UNSET;
    rmcf->test_kv = NGX_CONF_UNSET;
    rmcf->redis.connect_timeout = NGX_CONF_UNSET_MSEC;
    rmcf->redis.timeout = NGX_CONF_UNSET_MSEC;

    return rmcf;
}


static char *
ngx_meet_redis_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_meet_redis_main_conf_t *rmcf = conf;

    ngx_conf_init_value(rmcf->configured, 0);
    ngx_conf_init_value(rmcf->test_kv, 0);
    ngx_conf_init_msec_value(rmcf->redis.connect_timeout, 2000);
    ngx_conf_init_msec_value(rmcf->redis.timeout, 2000);

    if (rmcf->prefix.data == NULL) {
        ngx_str_set(&rmcf->prefix, "meet:");
    }

    if (rmcf->test_kv && !rmcf->configured) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_redis_test_kv needs \"meet_redis\" in "
                           "http{}");
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* meet_redis <url> [connect_timeout=<time>] [timeout=<time>] [prefix=<s>] */

static char *
ngx_meet_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_redis_main_conf_t *rmcf = conf;

    ngx_str_t    *value, s;
    ngx_uint_t    i;
    ngx_msec_t   *ms;
    const char   *err;

    if (rmcf->configured != NGX_CONF_UNSET) {
        return "is duplicate (one Redis server per configuration)";
    }

    if (ngx_meet_core_check(cf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    if (ngx_meet_redis_parse_url(cf, &value[1], &rmcf->redis, &err)
        != NGX_OK)
    {
        /* the URL may hold a password: never echo it */
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_redis: invalid URL: %s", err);
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "connect_timeout=", 16) == 0) {
            ms = &rmcf->redis.connect_timeout;
            s.data = value[i].data + 16;
            s.len = value[i].len - 16;

        } else if (ngx_strncmp(value[i].data, "timeout=", 8) == 0) {
            ms = &rmcf->redis.timeout;
            s.data = value[i].data + 8;
            s.len = value[i].len - 8;

        } else if (ngx_strncmp(value[i].data, "prefix=", 7) == 0) {
            rmcf->prefix.data = value[i].data + 7;
            rmcf->prefix.len = value[i].len - 7;

            if (rmcf->prefix.len > NGX_MEET_REDIS_PREFIX_MAX) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "meet_redis: prefix= is longer than %d "
                                   "characters", NGX_MEET_REDIS_PREFIX_MAX);
                return NGX_CONF_ERROR;
            }

            continue;

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_redis: unknown parameter \"%V\"; "
                               "expected connect_timeout=<time>, "
                               "timeout=<time> or prefix=<text>",
                               &value[i]);
            return NGX_CONF_ERROR;
        }

        *ms = ngx_parse_time(&s, 0);

        if (*ms == (ngx_msec_t) NGX_ERROR || *ms == 0) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_redis: \"%V\" is not a positive time "
                               "(e.g. 500ms, 2s)", &value[i]);
            return NGX_CONF_ERROR;
        }
    }

    rmcf->configured = 1;

    rmcf->store.get = ngx_meet_redis_store_get;
    rmcf->store.set = ngx_meet_redis_store_set;
    rmcf->store.del = ngx_meet_redis_store_del;
    rmcf->store.ctx = rmcf;
    ngx_str_set(&rmcf->store.name, "redis");

    if (ngx_meet_health_register(cf, "redis", ngx_meet_redis_health,
                                 &rmcf->client)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_meet_redis_test_kv(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t    *clcf;
    ngx_meet_redis_main_conf_t  *rmcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler) {
        return "is duplicate (the location already has a handler)";
    }

    clcf->handler = ngx_meet_redis_kv_handler;

    /* meet_redis may come later in http{}: checked in init_main_conf */
    rmcf = ngx_http_conf_get_module_main_conf(cf, ngx_meet_redis_module);
    rmcf->test_kv = 1;

    return NGX_CONF_OK;
}


ngx_meet_session_store_t *
ngx_meet_redis_session_store(ngx_conf_t *cf)
{
    ngx_meet_redis_main_conf_t  *rmcf;

    rmcf = ngx_http_conf_get_module_main_conf(cf, ngx_meet_redis_module);

    if (rmcf == NULL || rmcf->configured != 1) {
        return NULL;
    }

    return &rmcf->store;
}


/* ---- the worker's client ----------------------------------------------- */


static ngx_meet_redis_main_conf_t *
ngx_meet_redis_cycle_conf(ngx_cycle_t *cycle)
{
    ngx_meet_redis_main_conf_t  *rmcf;

    if (cycle->conf_ctx[ngx_http_module.index] == NULL) {
        return NULL;                            /* no http{} */
    }

    rmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_meet_redis_module);

    if (rmcf == NULL || rmcf->configured != 1) {
        return NULL;
    }

    return rmcf;
}


ngx_meet_redis_t *
ngx_meet_redis_client(ngx_cycle_t *cycle)
{
    ngx_meet_redis_main_conf_t  *rmcf;

    rmcf = ngx_meet_redis_cycle_conf(cycle);

    return rmcf ? rmcf->client : NULL;
}


static ngx_int_t
ngx_meet_redis_init_process(ngx_cycle_t *cycle)
{
    ngx_meet_redis_main_conf_t  *rmcf;

    /* workers only: cache manager and loader run this hook too */

    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    rmcf = ngx_meet_redis_cycle_conf(cycle);
    if (rmcf == NULL) {
        return NGX_OK;
    }

    rmcf->client = ngx_meet_redis_create(cycle, &rmcf->redis);
    if (rmcf->client == NULL) {
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_meet_redis_exit_process(ngx_cycle_t *cycle)
{
    ngx_meet_redis_main_conf_t  *rmcf;

    rmcf = ngx_meet_redis_cycle_conf(cycle);

    if (rmcf && rmcf->client) {
        ngx_meet_redis_destroy(rmcf->client);
        rmcf->client = NULL;
    }
}


/* ---- the session store backend ----------------------------------------- */


static ngx_int_t
ngx_meet_redis_store_get(ngx_meet_session_store_t *st, ngx_str_t *key,
    ngx_pool_t *pool, ngx_meet_session_store_pt handler, void *data)
{
    return ngx_meet_redis_store_call(st, "GET", key, NULL, 0, pool, handler,
                                     data);
}


static ngx_int_t
ngx_meet_redis_store_set(ngx_meet_session_store_t *st, ngx_str_t *key,
    ngx_str_t *value, time_t ttl, ngx_meet_session_store_pt handler,
    void *data)
{
    return ngx_meet_redis_store_call(st, "SET", key, value, ttl, NULL,
                                     handler, data);
}


static ngx_int_t
ngx_meet_redis_store_del(ngx_meet_session_store_t *st, ngx_str_t *key,
    ngx_meet_session_store_pt handler, void *data)
{
    return ngx_meet_redis_store_call(st, "DEL", key, NULL, 0, NULL, handler,
                                     data);
}


static ngx_int_t
ngx_meet_redis_store_call(ngx_meet_session_store_t *st, const char *op,
    ngx_str_t *key, ngx_str_t *value, time_t ttl, ngx_pool_t *pool,
    ngx_meet_session_store_pt handler, void *data)
{
    u_char                       *p;
    ngx_str_t                     argv[5];
    ngx_uint_t                    argc;
    ngx_meet_redis_main_conf_t   *rmcf;
    ngx_meet_redis_store_call_t  *call;
    u_char                        ttl_buf[NGX_TIME_T_LEN];

    rmcf = st->ctx;

    /* the call and the prefixed key in one allocation */

    call = ngx_alloc(sizeof(ngx_meet_redis_store_call_t) + rmcf->prefix.len
                     + key->len, ngx_cycle->log);
    if (call == NULL) {
        return NGX_ERROR;
    }

    call->handler = handler;
    call->data = data;
    call->pool = pool;
    call->log = ngx_cycle->log;
    call->op = op;

    p = (u_char *) (call + 1);

    argv[0].data = (u_char *) op;
    argv[0].len = 3;
    argv[1].data = p;
    argv[1].len = rmcf->prefix.len + key->len;
    argc = 2;

    p = ngx_cpymem(p, rmcf->prefix.data, rmcf->prefix.len);
    ngx_memcpy(p, key->data, key->len);

    if (value) {
        argv[argc++] = *value;

        if (ttl > 0) {
            ngx_str_set(&argv[argc], "EX");
            argc++;
            argv[argc].data = ttl_buf;
            argv[argc].len = ngx_sprintf(ttl_buf, "%T", ttl) - ttl_buf;
            argc++;
        }
    }

    /* the handler may run (and free the call) before this returns */

    if (ngx_meet_redis_command(rmcf->client, ngx_meet_redis_store_done, call,
                               argc, argv)
        != NGX_OK)
    {
        ngx_free(call);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_meet_redis_store_done(void *data, ngx_int_t rc, redisReply *reply,
    ngx_str_t *err)
{
    ngx_meet_redis_store_call_t *call = data;

    void                       *hdata;
    ngx_str_t                   value, *v;
    ngx_log_t                  *log;
    ngx_pool_t                 *pool;
    const char                 *op;
    ngx_meet_session_store_pt   handler;

    handler = call->handler;
    hdata = call->data;
    pool = call->pool;
    log = call->log;
    op = call->op;

    ngx_free(call);

    if (rc != NGX_OK) {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "meet redis session store: %s failed: %V", op, err);
        handler(hdata, NGX_ERROR, NULL);
        return;
    }

    v = NULL;

    if (pool == NULL) {
        /* SET answers +OK, DEL the number of keys removed */
        rc = NGX_OK;

    } else if (reply->type == REDIS_REPLY_NIL) {
        rc = NGX_DECLINED;

    } else if (reply->type == REDIS_REPLY_STRING) {
        value.len = reply->len;
        value.data = ngx_pnalloc(pool, value.len + 1);

        if (value.data == NULL) {
            rc = NGX_ERROR;

        } else {
            ngx_memcpy(value.data, reply->str, value.len);
            value.data[value.len] = '\0';
            v = &value;
            rc = NGX_OK;
        }

    } else {
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "meet redis session store: %s: unexpected reply "
                      "type %d", op, reply->type);
        rc = NGX_ERROR;
    }

    handler(hdata, rc, v);
}


/* ---- meet_redis_test_kv: tests only ------------------------------------ */


static ngx_int_t
ngx_meet_redis_kv_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_str_t                  arg;
    ngx_http_core_loc_conf_t  *clcf;
    ngx_meet_redis_kv_ctx_t   *ctx;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_PUT|NGX_HTTP_DELETE))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_meet_redis_kv_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_http_set_ctx(r, ctx, ngx_meet_redis_module);

    /* the key: what follows the location's prefix */

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (r->uri.len > clcf->name.len) {
        ctx->key.data = r->uri.data + clcf->name.len;
        ctx->key.len = r->uri.len - clcf->name.len;
    }

    if (ctx->key.len == 0) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST,
                                         "no key after the location");
    }

    if (r->method == NGX_HTTP_PUT) {
        if (ngx_http_arg(r, (u_char *) "ttl", 3, &arg) == NGX_OK) {
            ctx->ttl = ngx_atotm(arg.data, arg.len);

            if (ctx->ttl == NGX_ERROR) {
                return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST,
                                                 "ttl: seconds expected");
            }
        }

        rc = ngx_http_read_client_request_body(r, ngx_meet_redis_kv_body);
        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return rc;
        }

        return NGX_DONE;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_meet_redis_kv_start(r, ctx);

    if (rc == NGX_DONE) {
        /* held until the store answers (ngx_meet_redis_kv_done) */
        r->main->count++;
    }

    return rc;
}


static void
ngx_meet_redis_kv_body(ngx_http_request_t *r)
{
    u_char                   *p;
    size_t                    len;
    ssize_t                   n;
    ngx_buf_t                *b;
    ngx_int_t                 rc;
    ngx_chain_t              *cl;
    ngx_meet_redis_kv_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_redis_module);

    len = 0;
    cl = r->request_body ? r->request_body->bufs : NULL;

    for ( /* void */ ; cl; cl = cl->next) {
        b = cl->buf;
        len += ngx_buf_in_memory(b) ? (size_t) (b->last - b->pos)
                                    : (size_t) (b->file_last - b->file_pos);
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    ctx->value.data = p;

    for (cl = r->request_body ? r->request_body->bufs : NULL; cl;
         cl = cl->next)
    {
        b = cl->buf;

        if (ngx_buf_in_memory(b)) {
            p = ngx_cpymem(p, b->pos, b->last - b->pos);
            continue;
        }

        /* a body bigger than client_body_buffer_size is in a file */

        n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                          b->file_pos);
        if (n != b->file_last - b->file_pos) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "meet redis test kv: cannot read the request "
                          "body from its temporary file");
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
            return;
        }

        p += n;
    }

    ctx->value.len = p - ctx->value.data;

    rc = ngx_meet_redis_kv_start(r, ctx);

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


/* NGX_DONE: ngx_meet_redis_kv_done finalizes; else the response's rc */

static ngx_int_t
ngx_meet_redis_kv_start(ngx_http_request_t *r, ngx_meet_redis_kv_ctx_t *ctx)
{
    ngx_int_t                    rc;
    ngx_meet_session_store_t    *st;
    ngx_meet_redis_main_conf_t  *rmcf;

    rmcf = ngx_http_get_module_main_conf(r, ngx_meet_redis_module);
    st = &rmcf->store;

    ctx->sync = 1;

    switch (r->method) {

    case NGX_HTTP_GET:
        rc = st->get(st, &ctx->key, r->pool, ngx_meet_redis_kv_done, r);
        break;

    case NGX_HTTP_PUT:
        rc = st->set(st, &ctx->key, &ctx->value, ctx->ttl,
                     ngx_meet_redis_kv_done, r);
        break;

    default: /* NGX_HTTP_DELETE */
        rc = st->del(st, &ctx->key, ngx_meet_redis_kv_done, r);
        break;
    }

    ctx->sync = 0;

    if (rc != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ctx->completed) {
        return ngx_meet_redis_kv_respond(r, ctx);
    }

    return NGX_DONE;
}


static void
ngx_meet_redis_kv_done(void *data, ngx_int_t rc, ngx_str_t *value)
{
    ngx_http_request_t *r = data;

    ngx_connection_t         *c;
    ngx_meet_redis_kv_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_meet_redis_module);

    ctx->rc = rc;
    ctx->completed = 1;

    if (value) {
        ctx->value = *value;
    }

    if (ctx->sync) {
        return;
    }

    c = r->connection;

    ngx_http_finalize_request(r, ngx_meet_redis_kv_respond(r, ctx));
    ngx_http_run_posted_requests(c);
}


static ngx_int_t
ngx_meet_redis_kv_respond(ngx_http_request_t *r, ngx_meet_redis_kv_ctx_t *ctx)
{
    u_char                      *reason;
    ngx_str_t                   *err;
    ngx_meet_redis_main_conf_t  *rmcf;

    if (ctx->rc == NGX_ERROR) {
        rmcf = ngx_http_get_module_main_conf(r, ngx_meet_redis_module);
        err = ngx_meet_redis_last_error(rmcf->client);

        reason = ngx_pnalloc(r->pool, err->len + 1);
        if (reason == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(reason, err->data, err->len);
        reason[err->len] = '\0';

        return ngx_meet_http_send_detail(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         (char *) reason);
    }

    if (r->method != NGX_HTTP_GET) {
        return ngx_meet_http_send(r, NGX_HTTP_NO_CONTENT, "text/plain",
                                  NULL, NULL, NULL, 0);
    }

    if (ctx->rc == NGX_DECLINED) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                         "Not found.");
    }

    return ngx_meet_http_send(r, NGX_HTTP_OK, "application/octet-stream",
                              "Cache-Control", "no-store",
                              ctx->value.data, ctx->value.len);
}
