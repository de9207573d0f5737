
/*
 * Copyright (C) ngx_meet authors
 *
 * The rooms store of the api module: rooms, the accesses of users to them
 * and the users (La Suite Meet's Room, ResourceAccess and User models).
 * Two backends behind one asynchronous call, ngx_meet_rooms_call(), each
 * a ngx_meet_rooms_store_t (below) in a file of its own:
 *
 *   shm   ngx_meet_rooms_shm.c: a shared memory zone (the embedded
 *         default: no server needed, survives reloads, not restarts);
 *   pg    ngx_meet_rooms_pg.c: PostgreSQL (ngx_meet_pg.c: libpq on nginx
 *         events), with its schema migrations.
 *
 * The api module owns the store (made at configuration, one of the two)
 * and its requests; the backend owns its connections or zone.  Every
 * record is a row of ngx_str_t fields (the structs below are read as
 * arrays of them by both backends); results are allocated from the
 * caller's pool.
 */


#ifndef _NGX_MEET_ROOMS_H_INCLUDED_
#define _NGX_MEET_ROOMS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


typedef struct {
    ngx_str_t                  id;            /* UUID text */
    ngx_str_t                  name;
    ngx_str_t                  slug;          /* unique */
    ngx_str_t                  access_level;  /* public|trusted|restricted */
    ngx_str_t                  configuration; /* JSON object text */
    ngx_str_t                  role;          /* the asking user's, or "" */
} ngx_meet_room_rec_t;

#define NGX_MEET_ROOM_FIELDS       6
#define NGX_MEET_ROOM_STORED       5          /* role is not stored */


typedef struct {
    ngx_str_t                  id;
    ngx_str_t                  user_id;
    ngx_str_t                  room_id;
    ngx_str_t                  role;          /* owner|administrator|member */
    ngx_str_t                  email;         /* of the user, when known */
    ngx_str_t                  full_name;
    ngx_str_t                  short_name;
} ngx_meet_room_access_t;

#define NGX_MEET_ACCESS_FIELDS     7
#define NGX_MEET_ACCESS_STORED     4


typedef struct {
    ngx_str_t                  id;            /* UUID text */
    ngx_str_t                  sub;
    ngx_str_t                  email;
    ngx_str_t                  full_name;
    ngx_str_t                  short_name;
} ngx_meet_user_t;

#define NGX_MEET_USER_FIELDS       5


typedef enum {
    NGX_MEET_ROOM_GET = 0,     /* key (id or slug), user_id -> room + role */
    NGX_MEET_ROOM_LIST,        /* user_id, offset, limit -> rooms, count */
    NGX_MEET_ROOM_CREATE,      /* room, user_id (owner), access.id;
                                  limit: rooms user_id may own, 0 any */
    NGX_MEET_ROOM_UPDATE,      /* room (by room.id) */
    NGX_MEET_ROOM_DELETE,      /* key (id) */
    NGX_MEET_ACCESS_ADD,       /* access (id, user_id, room_id, role) */
    NGX_MEET_ACCESS_LIST,      /* key (room id) -> accesses */
    NGX_MEET_ACCESS_GET,       /* key (access id) -> access */
    NGX_MEET_ACCESS_DELETE,    /* key (access id) */
    NGX_MEET_USER_UPSERT,      /* user */
    NGX_MEET_USER_FIND,        /* key (email, any case) -> users */
    NGX_MEET_ROOMS_NOPS
} ngx_meet_rooms_op_e;


typedef struct {
    ngx_meet_rooms_op_e        op;
    ngx_str_t                  key;
    ngx_str_t                  user_id;
    ngx_uint_t                 offset;
    ngx_uint_t                 limit;
    ngx_meet_room_rec_t        room;
    ngx_meet_room_access_t     access;
    ngx_meet_user_t            user;
} ngx_meet_rooms_req_t;


/*
 * rc: NGX_OK; NGX_DECLINED: no such room, access or user (for
 * ACCESS_ADD: the user or the room); NGX_BUSY: a conflict (CREATE and
 * UPDATE: the slug is taken; ACCESS_ADD: the user has an access already);
 * NGX_ABORT: CREATE: the user owns "limit" rooms already;
 * NGX_ERROR: the store is unreachable, full or failed, "reason" says why.
 */
typedef struct {
    ngx_int_t                  rc;
    const char                *reason;
    ngx_array_t               *items;     /* of the op's record type */
    ngx_uint_t                 count;     /* ROOM_LIST: all the user's */
} ngx_meet_rooms_result_t;

typedef void (*ngx_meet_rooms_handler_pt)(void *data,
    ngx_meet_rooms_result_t *res);


typedef struct ngx_meet_rooms_s  ngx_meet_rooms_t;

/*
 * A backend: one function per operation on the store (nchan_store_t's
 * shape).  The op of a call is in its request: every backend serves all
 * of ngx_meet_rooms_op_e.  NULL init_process/exit_process: nothing to do.
 */
typedef struct {
    ngx_int_t  (*init_process)(ngx_meet_rooms_t *st, ngx_cycle_t *cycle);
    void       (*exit_process)(ngx_meet_rooms_t *st);
    void       (*call)(ngx_meet_rooms_t *st, ngx_pool_t *pool,
                       ngx_meet_rooms_req_t *req,
                       ngx_meet_rooms_handler_pt handler, void *data);
} ngx_meet_rooms_store_t;

struct ngx_meet_rooms_s {
    ngx_meet_rooms_store_t    *store;
    void                      *ctx;       /* the backend's state */
};


/* configuration: one of the two */
ngx_meet_rooms_t *ngx_meet_rooms_create_shm(ngx_conf_t *cf, size_t size,
    void *tag);
ngx_meet_rooms_t *ngx_meet_rooms_create_pg(ngx_conf_t *cf,
    ngx_str_t *conninfo, ngx_uint_t pool, ngx_msec_t timeout);

ngx_int_t ngx_meet_rooms_init_process(ngx_meet_rooms_t *st,
    ngx_cycle_t *cycle);
void ngx_meet_rooms_exit_process(ngx_meet_rooms_t *st);

/*
 * Runs req; the handler is called exactly once, maybe before this returns
 * (shm, or PostgreSQL known to be down), with results in "pool".
 */
void ngx_meet_rooms_call(ngx_meet_rooms_t *st, ngx_pool_t *pool,
    ngx_meet_rooms_req_t *req, ngx_meet_rooms_handler_pt handler,
    void *data);

/* a random UUID (version 4), 36 characters, into pool */
ngx_int_t ngx_meet_rooms_uuid(ngx_pool_t *pool, ngx_str_t *out);


/* ---- for the backends --------------------------------------------------- */

#define NGX_MEET_ROOMS_MAX_FIELDS  8

/* record types (indexes of ngx_meet_rooms_nfields) */
#define NGX_MEET_ROOMS_T_ROOM      0
#define NGX_MEET_ROOMS_T_ACCESS    1
#define NGX_MEET_ROOMS_T_USER      2
#define NGX_MEET_ROOMS_T_NONE      3

extern ngx_uint_t  ngx_meet_rooms_nfields[];

/* a new record of "type" appended to res->items, its fields to fill */
ngx_str_t *ngx_meet_rooms_push(ngx_pool_t *pool,
    ngx_meet_rooms_result_t *res, ngx_uint_t type);


#endif /* _NGX_MEET_ROOMS_H_INCLUDED_ */
