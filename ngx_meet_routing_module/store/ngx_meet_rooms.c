
/*
 * Copyright (C) ngx_meet authors
 *
 * The rooms store (see ngx_meet_rooms.h): what its callers call, passed on
 * to the backend's operations (ngx_meet_rooms_shm.c, ngx_meet_rooms_pg.c),
 * and what both backends share.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <openssl/rand.h>
#include "ngx_meet_rooms.h"


/* fields of each record type, for both backends */
ngx_uint_t  ngx_meet_rooms_nfields[] = {
    NGX_MEET_ROOM_FIELDS, NGX_MEET_ACCESS_FIELDS, NGX_MEET_USER_FIELDS
};


ngx_int_t
ngx_meet_rooms_init_process(ngx_meet_rooms_t *st, ngx_cycle_t *cycle)
{
    return st->store->init_process ? st->store->init_process(st, cycle)
                                   : NGX_OK;
}


void
ngx_meet_rooms_exit_process(ngx_meet_rooms_t *st)
{
    if (st->store->exit_process) {
        st->store->exit_process(st);
    }
}


void
ngx_meet_rooms_call(ngx_meet_rooms_t *st, ngx_pool_t *pool,
    ngx_meet_rooms_req_t *req, ngx_meet_rooms_handler_pt handler,
    void *data)
{
    st->store->call(st, pool, req, handler, data);
}


ngx_int_t
ngx_meet_rooms_uuid(ngx_pool_t *pool, ngx_str_t *out)
{
    u_char  b[16];

    if (RAND_bytes(b, 16) != 1) {
        return NGX_ERROR;
    }

    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;

    out->data = ngx_pnalloc(pool, 37);
    if (out->data == NULL) {
        return NGX_ERROR;
    }

    ngx_hex_dump(out->data, b, 4);
    out->data[8] = '-';
    ngx_hex_dump(out->data + 9, b + 4, 2);
    out->data[13] = '-';
    ngx_hex_dump(out->data + 14, b + 6, 2);
    out->data[18] = '-';
    ngx_hex_dump(out->data + 19, b + 8, 2);
    out->data[23] = '-';
    ngx_hex_dump(out->data + 24, b + 10, 6);
    out->data[36] = '\0';
    out->len = 36;

    return NGX_OK;
}


/* a new record of "type" appended to res->items, its fields to fill */

ngx_str_t *
ngx_meet_rooms_push(ngx_pool_t *pool, ngx_meet_rooms_result_t *res,
    ngx_uint_t type)
{
    ngx_str_t  *f;

    if (res->items == NULL) {
        res->items = ngx_array_create(pool, 4, ngx_meet_rooms_nfields[type]
                                               * sizeof(ngx_str_t));
        if (res->items == NULL) {
            return NULL;
        }
    }

    f = ngx_array_push(res->items);
    if (f == NULL) {
        return NULL;
    }

    ngx_memzero(f, ngx_meet_rooms_nfields[type] * sizeof(ngx_str_t));

    return f;
}
