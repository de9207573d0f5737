
/*
 * Copyright (C) ngx_meet authors
 *
 * The Redis backend of the session store (see ngx_meet_session.h): GET,
 * SET EX and DEL on the meet_redis server through this worker's client
 * (ngx_meet_redis_module.h), every key after meet_redis's prefix=.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_core.h"
#include "ngx_meet_redis_module.h"
#include "ngx_meet_session.h"


/* a session store call in flight */
typedef struct {
    ngx_meet_session_store_pt  handler;
    void                      *data;
    ngx_pool_t                *pool;          /* get: the value goes here */
    ngx_log_t                 *log;
    const char                *op;
} ngx_meet_session_redis_call_t;


static ngx_int_t ngx_meet_session_redis_get(ngx_meet_session_store_t *st,
    ngx_str_t *key, ngx_pool_t *pool, ngx_meet_session_store_pt handler,
    void *data);
static ngx_int_t ngx_meet_session_redis_set(ngx_meet_session_store_t *st,
    ngx_str_t *key, ngx_str_t *value, time_t ttl,
    ngx_meet_session_store_pt handler, void *data);
static ngx_int_t ngx_meet_session_redis_del(ngx_meet_session_store_t *st,
    ngx_str_t *key, ngx_meet_session_store_pt handler, void *data);
static ngx_int_t ngx_meet_session_redis_call(ngx_meet_session_store_t *st,
    const char *op, ngx_str_t *key, ngx_str_t *value, time_t ttl,
    ngx_pool_t *pool, ngx_meet_session_store_pt handler, void *data);
static void ngx_meet_session_redis_done(void *data, ngx_int_t rc,
    redisReply *reply, ngx_str_t *err);


ngx_meet_session_store_t *
ngx_meet_session_redis_create(ngx_conf_t *cf)
{
    ngx_meet_session_store_t    *st;
    ngx_meet_redis_main_conf_t  *rmcf;

    rmcf = ngx_http_conf_get_module_main_conf(cf, ngx_meet_redis_module);

    if (rmcf == NULL || rmcf->configured != 1) {
        return NULL;
    }

    st = ngx_pcalloc(cf->pool, sizeof(ngx_meet_session_store_t));
    if (st == NULL) {
        return NULL;
    }

    st->get = ngx_meet_session_redis_get;
    st->set = ngx_meet_session_redis_set;
    st->del = ngx_meet_session_redis_del;
    st->ctx = rmcf;
    ngx_str_set(&st->name, "redis");

    return st;
}


static ngx_int_t
ngx_meet_session_redis_get(ngx_meet_session_store_t *st, ngx_str_t *key,
    ngx_pool_t *pool, ngx_meet_session_store_pt handler, void *data)
{
    return ngx_meet_session_redis_call(st, "GET", key, NULL, 0, pool, handler,
                                     data);
}


static ngx_int_t
ngx_meet_session_redis_set(ngx_meet_session_store_t *st, ngx_str_t *key,
    ngx_str_t *value, time_t ttl, ngx_meet_session_store_pt handler,
    void *data)
{
    return ngx_meet_session_redis_call(st, "SET", key, value, ttl, NULL,
                                     handler, data);
}


static ngx_int_t
ngx_meet_session_redis_del(ngx_meet_session_store_t *st, ngx_str_t *key,
    ngx_meet_session_store_pt handler, void *data)
{
    return ngx_meet_session_redis_call(st, "DEL", key, NULL, 0, NULL, handler,
                                     data);
}


static ngx_int_t
ngx_meet_session_redis_call(ngx_meet_session_store_t *st, const char *op,
    ngx_str_t *key, ngx_str_t *value, time_t ttl, ngx_pool_t *pool,
    ngx_meet_session_store_pt handler, void *data)
{
    u_char                       *p;
    ngx_str_t                     argv[5];
    ngx_uint_t                    argc;
    ngx_meet_redis_main_conf_t   *rmcf;
    ngx_meet_session_redis_call_t  *call;
    u_char                        ttl_buf[NGX_TIME_T_LEN];

    rmcf = st->ctx;

    /* the call and the prefixed key in one allocation */

    call = ngx_alloc(sizeof(ngx_meet_session_redis_call_t) + rmcf->prefix.len
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

    if (ngx_meet_redis_command(rmcf->client, ngx_meet_session_redis_done, call,
                               argc, argv)
        != NGX_OK)
    {
        ngx_free(call);
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_meet_session_redis_done(void *data, ngx_int_t rc, redisReply *reply,
    ngx_str_t *err)
{
    ngx_meet_session_redis_call_t *call = data;

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
                      "meet redis session store: %s failed: %V", op,
                      ngx_meet_log_esc(err));
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
