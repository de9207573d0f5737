
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_redis_module: the Redis server of a deployment, in http{}:
 *
 *     meet_redis  redis://:secret@127.0.0.1:6379/0
 *                 [connect_timeout=2s] [timeout=2s] [prefix=meet:];
 *
 * Each worker keeps one connection to it (ngx_meet_redis.c, hiredis on
 * nginx events), reported as "redis" in /healthz.  Its users: the Redis
 * backend of the session store (ngx_meet_session_redis.c) and, in the
 * tests' build only, meet_redis_test_kv (ngx_meet_redis_test.c).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_core.h"
#include "ngx_meet_redis_module.h"


#define NGX_MEET_REDIS_PREFIX_MAX   64


static void *ngx_meet_redis_create_main_conf(ngx_conf_t *cf);
static char *ngx_meet_redis_init_main_conf(ngx_conf_t *cf, void *conf);
static char *ngx_meet_redis(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_meet_redis_init_process(ngx_cycle_t *cycle);
static void ngx_meet_redis_exit_process(ngx_cycle_t *cycle);
static ngx_meet_redis_main_conf_t *ngx_meet_redis_cycle_conf(
    ngx_cycle_t *cycle);


static ngx_command_t  ngx_meet_redis_commands[] = {

    { ngx_string("meet_redis"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_1MORE,
      ngx_meet_redis,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

#if (NGX_MEET_TEST_HOOKS)

    { ngx_string("meet_redis_test_kv"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_meet_redis_test_kv,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

#endif

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
#if (NGX_MEET_TEST_HOOKS)
    rmcf->test_kv = NGX_CONF_UNSET;
#endif
    rmcf->redis.connect_timeout = NGX_CONF_UNSET_MSEC;
    rmcf->redis.timeout = NGX_CONF_UNSET_MSEC;

    return rmcf;
}


static char *
ngx_meet_redis_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_meet_redis_main_conf_t *rmcf = conf;

    ngx_conf_init_value(rmcf->configured, 0);
    ngx_conf_init_msec_value(rmcf->redis.connect_timeout, 2000);
    ngx_conf_init_msec_value(rmcf->redis.timeout, 2000);

    if (rmcf->prefix.data == NULL) {
        ngx_str_set(&rmcf->prefix, "meet:");
    }

#if (NGX_MEET_TEST_HOOKS)
    if (ngx_meet_redis_test_init_main_conf(cf, rmcf) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }
#endif

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

    if (ngx_meet_health_register(cf, "redis", ngx_meet_redis_health,
                                 &rmcf->client)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
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
