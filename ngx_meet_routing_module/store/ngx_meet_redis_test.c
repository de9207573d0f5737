
/*
 * Copyright (C) ngx_meet authors
 *
 * meet_redis_test_kv, in the tests' build only (-DNGX_MEET_TEST_HOOKS): a
 * key/value location on the Redis session store, for the suite:
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
#include "ngx_meet_http.h"
#include "ngx_meet_redis_module.h"
#include "ngx_meet_session.h"


#if (NGX_MEET_TEST_HOOKS)


/* the test key/value location */
typedef struct {
    ngx_str_t                  key;
    ngx_str_t                  value;
    time_t                     ttl;
    ngx_int_t                  rc;
    unsigned                   sync:1;
    unsigned                   completed:1;
} ngx_meet_redis_kv_ctx_t;


static ngx_int_t ngx_meet_redis_kv_handler(ngx_http_request_t *r);
static void ngx_meet_redis_kv_body(ngx_http_request_t *r);
static ngx_int_t ngx_meet_redis_kv_start(ngx_http_request_t *r,
    ngx_meet_redis_kv_ctx_t *ctx);
static void ngx_meet_redis_kv_done(void *data, ngx_int_t rc,
    ngx_str_t *value);
static ngx_int_t ngx_meet_redis_kv_respond(ngx_http_request_t *r,
    ngx_meet_redis_kv_ctx_t *ctx);


char *
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


/* meet_redis may come after meet_redis_test_kv in http{} */

char *
ngx_meet_redis_test_init_main_conf(ngx_conf_t *cf,
    ngx_meet_redis_main_conf_t *rmcf)
{
    ngx_conf_init_value(rmcf->test_kv, 0);

    if (!rmcf->test_kv) {
        return NGX_CONF_OK;
    }

    if (!rmcf->configured) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_redis_test_kv needs \"meet_redis\" in "
                           "http{}");
        return NGX_CONF_ERROR;
    }

    rmcf->test_store = ngx_meet_session_redis_create(cf);
    if (rmcf->test_store == NULL) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


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
    st = rmcf->test_store;

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


#endif /* NGX_MEET_TEST_HOOKS */
