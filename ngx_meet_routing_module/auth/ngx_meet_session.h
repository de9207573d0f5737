
/*
 * Copyright (C) ngx_meet authors
 *
 * Login sessions of the routing .so (ngx_meet_oidc_module creates them,
 * the api module reads them).  A session is a random 32-byte id in the
 * "sessionid" cookie (HttpOnly, Secure, SameSite=Lax); the store keeps
 * it under the SHA-256 of that id ("s:<hex>"), so a store dump holds no
 * usable cookie.
 *
 * Stores (meet_session_store): "shm" (the embedded default, a shared
 * memory zone that survives reloads) or "redis" (the server of
 * meet_redis: hiredis, asynchronous on nginx events), one file each in
 * store/.  Both implement ngx_meet_session_store_t below: a key/value
 * store with expiry, every call asynchronous (the handler may also run
 * before the call returns).  The session module owns the store (made at
 * configuration) and the values it keeps; the backend owns its zone or
 * its calls in flight.
 */


#ifndef _NGX_MEET_SESSION_H_INCLUDED_
#define _NGX_MEET_SESSION_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


#define NGX_MEET_SESSION_ID_LEN    32          /* random bytes in the cookie */
#define NGX_MEET_SESSION_HASH_LEN  64          /* hex SHA-256 of the id */


/* a logged-in user, as the api module sees it */
typedef struct {
    ngx_str_t                  key;         /* hex SHA-256 of the cookie id */
    ngx_str_t                  user_id;     /* UUID text, from iss + sub */
    ngx_str_t                  sub;
    ngx_str_t                  email;
    ngx_str_t                  full_name;
    ngx_str_t                  short_name;
    ngx_str_t                  iss;         /* the OP (not stored) */
    ngx_str_t                  op_sid;      /* the OP's "sid" claim */
    ngx_str_t                  id_token;    /* id_token_hint for logout */
    time_t                     created;
    time_t                     expires;
} ngx_meet_session_t;


/*
 * The rest of a request that needed the session.  rc: NGX_OK (s is the
 * session), NGX_DECLINED (no session: anonymous), NGX_ERROR (the store
 * is unreachable; s is NULL).  Returns what a content handler returns.
 */
typedef ngx_int_t (*ngx_meet_session_handler_pt)(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_int_t rc);

/*
 * Looks the request's session up and calls handler with it.  Returns the
 * handler's result when the answer came at once, else NGX_DONE (the
 * request is held, r->main->count++, and finalized with the handler's
 * result later).  Content handlers return what this returns.
 */
ngx_int_t ngx_meet_session_lookup(ngx_http_request_t *r,
    ngx_meet_session_handler_pt handler);


/* what ngx_meet_session_create / _end report back (rc as above) */
typedef void (*ngx_meet_session_done_pt)(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_int_t rc);

/*
 * Stores a new session for the user described by s (key, created and
 * expires are filled in here), adds the Set-Cookie header to r, and
 * indexes it by the OP's sid.  done runs once, maybe before the return.
 * NGX_ERROR: done will not run.
 */
ngx_int_t ngx_meet_session_create(ngx_http_request_t *r,
    ngx_meet_session_t *s, ngx_meet_session_done_pt done);

/*
 * Ends the request's own session (RP-initiated logout): removes it from
 * the store, clears the cookie, disconnects its meeting connections.
 * done gets the session that ended (NULL when there was none).
 */
ngx_int_t ngx_meet_session_logout(ngx_http_request_t *r,
    ngx_meet_session_done_pt done);

/*
 * Back-channel logout: ends the session the OP knows as (iss, sid).
 * done: NGX_OK ended, NGX_DECLINED no such session, NGX_ERROR store.
 */
ngx_int_t ngx_meet_session_end_op_sid(ngx_http_request_t *r,
    ngx_str_t *iss, ngx_str_t *sid, ngx_meet_session_done_pt done);

/*
 * The 32-byte secret of this server (HMAC of the login state cookie):
 * made once, kept in shared memory across reloads.
 */
u_char *ngx_meet_session_secret(ngx_http_request_t *r);

/* the configured session lifetime and cookie attributes, for others */
time_t ngx_meet_session_ttl(ngx_http_request_t *r);


/* ---- store backends ----------------------------------------------------- */

typedef struct ngx_meet_session_store_s  ngx_meet_session_store_t;

/*
 * Completion of a store call.  rc: NGX_OK (for get: value is the stored
 * value, allocated from the pool given to get), NGX_DECLINED (get: no
 * such key or expired), NGX_ERROR (the store is unreachable or answered
 * an error; logged by the store with its reason).
 */
typedef void (*ngx_meet_session_store_pt)(void *data, ngx_int_t rc,
    ngx_str_t *value);

struct ngx_meet_session_store_s {
    /* NGX_OK: handler will be (or was) called; NGX_ERROR: it will not */
    ngx_int_t  (*get)(ngx_meet_session_store_t *st, ngx_str_t *key,
                      ngx_pool_t *pool, ngx_meet_session_store_pt handler,
                      void *data);
    ngx_int_t  (*set)(ngx_meet_session_store_t *st, ngx_str_t *key,
                      ngx_str_t *value, time_t ttl,
                      ngx_meet_session_store_pt handler, void *data);
    ngx_int_t  (*del)(ngx_meet_session_store_t *st, ngx_str_t *key,
                      ngx_meet_session_store_pt handler, void *data);
    void        *ctx;
    ngx_str_t    name;                         /* for log lines */
};


/*
 * store/ngx_meet_session_shm.c: the zone "meet_sessions" of "size" bytes,
 * which also keeps the server secret (ngx_meet_session_shm_secret(), once
 * the zone is initialized); the session module makes it in any case.
 */
ngx_meet_session_store_t *ngx_meet_session_shm_create(ngx_conf_t *cf,
    size_t size, void *tag);
u_char *ngx_meet_session_shm_secret(ngx_meet_session_store_t *st);

/*
 * store/ngx_meet_session_redis.c: get (GET), set (SET key value EX ttl),
 * del (DEL) on the meet_redis server, keys prefixed with meet_redis's
 * prefix= ("meet:" by default).  NULL when http{} has no meet_redis (so
 * far: call it after meet_redis was parsed, e.g. from a postconfiguration
 * handler).  The store lives as long as the configuration cycle.
 */
ngx_meet_session_store_t *ngx_meet_session_redis_create(ngx_conf_t *cf);


#endif /* _NGX_MEET_SESSION_H_INCLUDED_ */
