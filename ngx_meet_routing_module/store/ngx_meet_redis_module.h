
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_redis_module (meet_redis in http{}): the Redis server of a
 * deployment.  The module owns its configuration and each worker's client
 * (made in init_process, destroyed in exit_process); its users borrow
 * them: the Redis backend of the session store (ngx_meet_session_redis.c)
 * and, in the tests' build, meet_redis_test_kv (ngx_meet_redis_test.c).
 */


#ifndef _NGX_MEET_REDIS_MODULE_H_INCLUDED_
#define _NGX_MEET_REDIS_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_redis.h"


typedef struct {
    ngx_meet_redis_conf_t      redis;
    ngx_str_t                  prefix;        /* before every key */
    ngx_flag_t                 configured;
    ngx_meet_redis_t          *client;        /* this worker's */
#if (NGX_MEET_TEST_HOOKS)
    ngx_flag_t                 test_kv;       /* a location uses it */
    void                      *test_store;    /* its session store */
#endif
} ngx_meet_redis_main_conf_t;


/* this worker's client (NULL without meet_redis, or outside a worker) */
ngx_meet_redis_t *ngx_meet_redis_client(ngx_cycle_t *cycle);


#if (NGX_MEET_TEST_HOOKS)

/* meet_redis_test_kv (ngx_meet_redis_test.c) */
char *ngx_meet_redis_test_kv(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
char *ngx_meet_redis_test_init_main_conf(ngx_conf_t *cf,
    ngx_meet_redis_main_conf_t *rmcf);

#endif


extern ngx_module_t  ngx_meet_redis_module;


#endif /* _NGX_MEET_REDIS_MODULE_H_INCLUDED_ */
