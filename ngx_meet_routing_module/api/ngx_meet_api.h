
/*
 * Copyright (C) ngx_meet authors
 *
 * Shared declarations of ngx_meet_api_module's files (private to api/).
 * The files are layered, each calling only those below it, never up:
 *
 *     ngx_meet_api_module.c     the module: directives, configuration,
 *                               the content handler, the routing of
 *                               paths, the request body, the session
 *                               step, config/, the rooms store calls
 *     ngx_meet_api_rooms.c      rooms/, rooms/<key>/: rooms, their
 *                               input, unregistered rooms, LiveKit tokens
 *     ngx_meet_api_accesses.c   resource-accesses/[<id>/]
 *     ngx_meet_api_users.c      users/?q=, users/me/
 *     ngx_meet_api_json.c       what the endpoints share: DRF's answers
 *                               (send, field errors, pagination, the
 *                               access serializer), checks of input
 *                               (UUIDs, choices, room names, ?username=),
 *                               this server's origin for URLs, and the
 *                               requests to the rooms store
 *
 * A request, in this order:
 *
 *   1. ngx_meet_api_handler() (module): the OIDC paths first, then
 *      ngx_meet_api_route() sets ctx->what and ctx->key, or answers
 *      config/ and the errors of path and method;
 *   2. the body of POST, PUT, PATCH is read and parsed (ctx->body);
 *   3. the session lookup, then ngx_meet_api_session() answers 401 and
 *      a bad body (a room's GET goes on anonymous) and calls the
 *      endpoint of ctx->what: ngx_meet_api_<endpoint>_request();
 *   4. an endpoint, and each step after it, returns its answer (what a
 *      content handler returns) or asks for a rooms store call: it makes
 *      the request (ngx_meet_api_req()) and returns what
 *      ngx_meet_api_store() or ngx_meet_api_call() return:
 *      NGX_MEET_API_STORE, with ctx->req and the step ctx->next.  The
 *      module makes the call, answers store errors (503), and runs
 *      ctx->next with the store's answer: back to 4.
 *
 * So the endpoint files never call the module: they go on with its flow
 * through NGX_MEET_API_STORE and the step they name.  The configuration
 * (ngx_meet_api_module's loc and main conf) is read by all.
 */


#ifndef _NGX_MEET_API_H_INCLUDED_
#define _NGX_MEET_API_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_core.h"
#include "ngx_meet_http.h"
#include "ngx_meet_rooms.h"
#include "ngx_meet_session.h"


#define NGX_MEET_API_SLUG_MAX       64
#define NGX_MEET_API_NAME_MAX       128

#define NGX_MEET_API_NO_CHOICE      ((ngx_uint_t) -1)

/* an endpoint asks for ctx->req, then ctx->next (no nginx code) */
#define NGX_MEET_API_STORE          -100

#define NGX_MEET_API_DENIED   \
    "You do not have permission to perform this action."


typedef struct {
    ngx_int_t                  proto_index;   /* $meet_forwarded_proto */
    ngx_int_t                  host_index;    /* $meet_forwarded_host */

    ngx_str_t                  pg_conninfo;   /* meet_postgres */
    ngx_uint_t                 pg_pool;
    ngx_msec_t                 pg_timeout;
    size_t                     zone_size;     /* meet_api_rooms_zone_size */
    ngx_uint_t                 rooms_per_user;
    size_t                     configuration_max;
    ngx_uint_t                 used;          /* some location has meet_api */
    ngx_meet_rooms_t          *rooms;
} ngx_meet_api_main_conf_t;


typedef struct {
    ngx_flag_t                 enable;
    ngx_flag_t                 anonymous_rooms;
    time_t                     token_ttl;
    ngx_http_complex_value_t  *livekit_url;
} ngx_meet_api_loc_conf_t;


/* what a request asks for */
typedef enum {
    NGX_MEET_API_ROOMS = 0,        /* rooms/ */
    NGX_MEET_API_ROOM,             /* rooms/<key>/ */
    NGX_MEET_API_ACCESSES,         /* resource-accesses/ */
    NGX_MEET_API_ACCESS,           /* resource-accesses/<id>/ */
    NGX_MEET_API_USERS,            /* users/ */
    NGX_MEET_API_ME                /* users/me/ */
} ngx_meet_api_what_e;


typedef struct ngx_meet_api_ctx_s  ngx_meet_api_ctx_t;

/* the next step of a request once the rooms store answered */
typedef ngx_int_t (*ngx_meet_api_step_pt)(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);

struct ngx_meet_api_ctx_s {
    ngx_meet_api_what_e        what;
    ngx_str_t                  key;          /* room key, access id */
    ngx_str_t                  username;     /* ?username= */
    ngx_meet_session_t        *session;      /* NULL: anonymous */
    json_t                    *body;         /* POST, PUT, PATCH */
    char                      *body_error;   /* why it is not JSON */
    ngx_meet_rooms_req_t      *req;          /* the store call asked */
    ngx_meet_api_step_pt       next;         /* goes on with its answer */
    ngx_meet_room_rec_t        room;         /* the room being worked on */
    ngx_meet_room_access_t     access;
    ngx_uint_t                 status;       /* of the room answer */
    ngx_uint_t                 page;
    unsigned                   store_optional:1;  /* answer without it */
};


/* ngx_meet_api_rooms.c */

ngx_int_t ngx_meet_api_rooms_request(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);
ngx_int_t ngx_meet_api_room_request(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);

/* ngx_meet_api_accesses.c */

ngx_int_t ngx_meet_api_accesses_request(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);
ngx_int_t ngx_meet_api_access_request(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);

/* ngx_meet_api_users.c */

ngx_int_t ngx_meet_api_users_request(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);
ngx_int_t ngx_meet_api_me_request(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);

/* ngx_meet_api_json.c */

ngx_meet_rooms_req_t *ngx_meet_api_req(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_op_e op, ngx_str_t *key);
ngx_int_t ngx_meet_api_store(ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_req_t *req, ngx_meet_api_step_pt next);
ngx_int_t ngx_meet_api_call(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_op_e op, ngx_str_t *key, ngx_meet_api_step_pt next);

json_t *ngx_meet_api_access_json(ngx_meet_room_access_t *a);
json_t *ngx_meet_api_page(ngx_http_request_t *r, json_t *results,
    ngx_uint_t count, ngx_uint_t page, ngx_uint_t more);
ngx_int_t ngx_meet_api_send(ngx_http_request_t *r, ngx_uint_t status,
    json_t *value);
ngx_int_t ngx_meet_api_send_errors(ngx_http_request_t *r, json_t *errors);
ngx_int_t ngx_meet_api_send_error(ngx_http_request_t *r, const char *field,
    const char *msg);
ngx_int_t ngx_meet_api_field_error(json_t *errors, const char *field,
    const char *msg);
ngx_uint_t ngx_meet_api_choice(json_t *v, const char **choices,
    ngx_str_t *out);
ngx_uint_t ngx_meet_api_is_uuid(ngx_str_t *s);
ngx_uint_t ngx_meet_api_admin(ngx_str_t *role);
ngx_int_t ngx_meet_api_not_allowed(ngx_http_request_t *r, const char *allow);
ngx_int_t ngx_meet_api_slug(ngx_http_request_t *r, ngx_str_t *in,
    ngx_str_t *slug);
ngx_int_t ngx_meet_api_username(ngx_http_request_t *r, ngx_str_t *name,
    const char **err);
ngx_int_t ngx_meet_api_origin(ngx_http_request_t *r, const char *scheme,
    ngx_str_t *url);


extern ngx_module_t  ngx_meet_api_module;


#endif /* _NGX_MEET_API_H_INCLUDED_ */
