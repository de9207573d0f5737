
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_redis_module (meet_redis in http{}): this worker's Redis
 * client and the Redis backend of the session store.
 */


#ifndef _NGX_MEET_REDIS_MODULE_H_INCLUDED_
#define _NGX_MEET_REDIS_MODULE_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_redis.h"
#include "ngx_meet_session.h"


/*
 * The session store on the meet_redis server: get (GET), set (SET key
 * value EX ttl), del (DEL), keys prefixed with meet_redis's prefix=
 * ("meet:" by default).  NULL when http{} has no meet_redis (so far:
 * call it after meet_redis was parsed, e.g. from a postconfiguration
 * handler).  The store lives as long as the configuration cycle.
 */
ngx_meet_session_store_t *ngx_meet_redis_session_store(ngx_conf_t *cf);

/* this worker's client (NULL without meet_redis, or outside a worker) */
ngx_meet_redis_t *ngx_meet_redis_client(ngx_cycle_t *cycle);


extern ngx_module_t  ngx_meet_redis_module;


#endif /* _NGX_MEET_REDIS_MODULE_H_INCLUDED_ */
