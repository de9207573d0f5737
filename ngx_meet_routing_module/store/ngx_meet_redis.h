
/*
 * Copyright (C) ngx_meet authors
 *
 * A Redis client on nginx events (hiredis's asynchronous API, the socket
 * wrapped in an nginx connection): one client per worker and configured
 * server, never a blocking call in a worker.
 *
 *   - connects in the background, AUTH and SELECT from the URL first,
 *     then PING: the client is "up" once the server answered all three;
 *   - commands given while it connects are queued and sent once it is up;
 *     while the server is known to be down (the last attempt failed, a
 *     command timed out) they fail at once with the reason;
 *   - connect and command timeouts on nginx timers; a timeout drops the
 *     connection (the replies of a stuck server can no longer be matched);
 *   - reconnects by itself with a growing delay (100 ms doubling to 3 s,
 *     at once after losing a working connection);
 *   - ngx_meet_redis_health() reports it in /healthz.
 *
 * Part of the routing .so (store/): its one user is ngx_meet_redis_module,
 * whose client each worker owns (ngx_meet_redis_client()).
 */


#ifndef _NGX_MEET_REDIS_H_INCLUDED_
#define _NGX_MEET_REDIS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <hiredis/hiredis.h>
#include "ngx_meet_core.h"


#define NGX_MEET_REDIS_DEFAULT_PORT  6379


/* a parsed redis:// URL and the timeouts, filled at configuration time */
typedef struct {
    ngx_str_t                  url;           /* as configured */
    ngx_str_t                  host;          /* as written in the URL */
    ngx_str_t                  addr;          /* resolved IP text, NUL-ended */
    in_port_t                  port;
    ngx_str_t                  user;          /* ACL user, or empty */
    ngx_str_t                  password;      /* empty: no AUTH */
    ngx_uint_t                 db;
    ngx_str_t                  name;          /* "host:port/db" for logs */
    ngx_msec_t                 connect_timeout;
    ngx_msec_t                 timeout;       /* per command */
} ngx_meet_redis_conf_t;


typedef struct ngx_meet_redis_s  ngx_meet_redis_t;


/*
 * Completion of a command.  rc NGX_OK: reply is the server's answer
 * (valid during the call only; never an error reply).  rc NGX_ERROR: the
 * command failed; err says why (error reply, timeout, server down,
 * connection lost, worker exiting) and reply is the error reply or NULL.
 */
typedef void (*ngx_meet_redis_handler_pt)(void *data, ngx_int_t rc,
    redisReply *reply, ngx_str_t *err);


/*
 * Parses "redis://[[user]:password@]host[:port][/db]" (percent-escapes
 * allowed in user and password).  A host name is resolved here, at
 * configuration time.  NGX_OK, or NGX_ERROR with *err set to a message.
 */
ngx_int_t ngx_meet_redis_parse_url(ngx_conf_t *cf, ngx_str_t *url,
    ngx_meet_redis_conf_t *rc, const char **err);

/* in a worker (init_process): creates the client and starts connecting */
ngx_meet_redis_t *ngx_meet_redis_create(ngx_cycle_t *cycle,
    ngx_meet_redis_conf_t *conf);

/*
 * Worker exit: fails every pending command (handlers run with an error),
 * closes the connection and stops the timers.  The client must not be
 * used afterwards (commands fail at once).
 */
void ngx_meet_redis_destroy(ngx_meet_redis_t *rd);

/*
 * Sends a command (argv of argc binary-safe strings).  NGX_OK: handler
 * will be called, or already was (at once when the server is known to
 * be down); NGX_ERROR (no memory): it will not.  rd may be NULL (no
 * client in this process): the handler is called with an error.
 */
ngx_int_t ngx_meet_redis_command(ngx_meet_redis_t *rd,
    ngx_meet_redis_handler_pt handler, void *data, ngx_uint_t argc,
    ngx_str_t *argv);

/* 1 when connected and ready */
ngx_uint_t ngx_meet_redis_up(ngx_meet_redis_t *rd);

/* why the last command or connection attempt failed (empty: none) */
ngx_str_t *ngx_meet_redis_last_error(ngx_meet_redis_t *rd);

/* a health handler (ngx_meet_health_register); data: ngx_meet_redis_t ** */
ngx_meet_health_status_e ngx_meet_redis_health(ngx_meet_health_t *h,
    json_t *out, ngx_log_t *log);


#endif /* _NGX_MEET_REDIS_H_INCLUDED_ */
