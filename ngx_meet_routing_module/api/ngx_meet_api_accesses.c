
/*
 * Copyright (C) ngx_meet authors
 *
 * The resource accesses of the meeting API (ngx_meet_api.h), Meet's
 * ResourceAccessViewSet: GET resource-accesses/?resource=<room id> and
 * POST (owners and administrators of the room), DELETE
 * resource-accesses/<id>/ (only owners for an owner's access).
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_api.h"


static ngx_int_t ngx_meet_api_access_room(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_access_found(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_access_done(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_accesses_answer(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);


/* Meet's RoleChoices; owner first */
static const char  *ngx_meet_api_roles[] = { "owner", "administrator",
                                             "member", NULL };


/* GET ?resource=<room id>, POST {user, resource, role}: the room first */

ngx_int_t
ngx_meet_api_accesses_request(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx)
{
    json_t  *q;

    if (r->method == NGX_HTTP_POST) {
        if (!json_is_object(ctx->body)
            || !json_is_string(json_object_get(ctx->body, "resource")))
        {
            ctx->key.len = 0;

        } else {
            q = json_object_get(ctx->body, "resource");
            ctx->key.data = (u_char *) json_string_value(q);
            ctx->key.len = json_string_length(q);
        }

    } else if (ngx_http_arg(r, (u_char *) "resource", 8, &ctx->key)
               != NGX_OK)
    {
        ctx->key.len = 0;
    }

    if (!ngx_meet_api_is_uuid(&ctx->key)) {
        return ngx_meet_api_send_error(r, "resource",
                   "A valid room id (UUID) is required.");
    }

    return ngx_meet_api_call(r, ctx, NGX_MEET_ROOM_GET,
                             &ctx->key, ngx_meet_api_access_room);
}


/* DELETE resource-accesses/<id>/ */

ngx_int_t
ngx_meet_api_access_request(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx)
{
    return ngx_meet_api_call(r, ctx, NGX_MEET_ACCESS_GET, &ctx->key,
                             ngx_meet_api_access_found);
}


/* GET ?resource= and POST: the room and the asking user's role in it */

static ngx_int_t
ngx_meet_api_access_room(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t                *errors, *user, *role;
    ngx_uint_t             i;
    ngx_meet_rooms_req_t  *req;

    if (res->rc == NGX_DECLINED) {
        if (r->method != NGX_HTTP_POST) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                             "Not found.");
        }

        return ngx_meet_api_send_error(r, "resource", "No such room.");
    }

    ctx->room = *(ngx_meet_room_rec_t *) res->items->elts;

    if (!ngx_meet_api_admin(&ctx->room.role)) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                         NGX_MEET_API_DENIED);
    }

    if (r->method != NGX_HTTP_POST) {
        return ngx_meet_api_call(r, ctx, NGX_MEET_ACCESS_LIST, &ctx->room.id,
                                 ngx_meet_api_accesses_answer);
    }

    /* POST {user, resource, role} */

    errors = json_object();
    if (errors == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    user = json_object_get(ctx->body, "user");
    role = json_object_get(ctx->body, "role");

    ctx->access.user_id.data = (u_char *) json_string_value(user);
    ctx->access.user_id.len = json_is_string(user)
                              ? json_string_length(user) : 0;

    if (!ngx_meet_api_is_uuid(&ctx->access.user_id)
        && ngx_meet_api_field_error(errors, "user",
                                    "A valid user id (UUID) is required.")
           != NGX_OK)
    {
        goto failed;
    }

    i = ngx_meet_api_choice(role, ngx_meet_api_roles, &ctx->access.role);

    if (i == NGX_MEET_API_NO_CHOICE
        && ngx_meet_api_field_error(errors, "role",
               "Not a valid choice: use owner, administrator or member.")
           != NGX_OK)
    {
        goto failed;
    }

    if (json_object_size(errors)) {
        return ngx_meet_api_send_errors(r, errors);
    }

    json_decref(errors);

    /* only owners make owners */
    if (i == 0 && ctx->room.role.len != 5) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                         NGX_MEET_API_DENIED);
    }

    req = ngx_meet_api_req(r, ctx, NGX_MEET_ACCESS_ADD, NULL);
    if (req == NULL || ngx_meet_rooms_uuid(r->pool, &ctx->access.id)
                       != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->access.room_id = ctx->room.id;
    req->access = ctx->access;

    return ngx_meet_api_store(ctx, req, ngx_meet_api_access_done);

failed:

    json_decref(errors);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/* DELETE resource-accesses/<id>/: the access, then its room */

static ngx_int_t
ngx_meet_api_access_found(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    if (res->rc == NGX_DECLINED) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    ctx->access = *(ngx_meet_room_access_t *) res->items->elts;

    return ngx_meet_api_call(r, ctx, NGX_MEET_ROOM_GET,
                             &ctx->access.room_id, ngx_meet_api_access_done);
}


/*
 * POST: the access was added (or not); DELETE: first the room of the
 * access (res is the room), then the deletion (ctx->room is set).
 */

static ngx_int_t
ngx_meet_api_access_done(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t  *root;
    ngx_int_t   rc;

    if (r->method == NGX_HTTP_DELETE) {
        if (ctx->room.id.len) {
            return (res->rc == NGX_DECLINED)
                   ? ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                               "Not found.")
                   : ngx_meet_http_send(r, NGX_HTTP_NO_CONTENT,
                                        "application/json", NULL, NULL,
                                        NULL, 0);
        }

        if (res->rc == NGX_DECLINED) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                             "Not found.");
        }

        ctx->room = *(ngx_meet_room_rec_t *) res->items->elts;

        /* administrators, and only owners for an owner's access */
        if (!ngx_meet_api_admin(&ctx->room.role)
            || (ctx->access.role.len == 5 && ctx->room.role.len != 5))
        {
            return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                             NGX_MEET_API_DENIED);
        }

        return ngx_meet_api_call(r, ctx, NGX_MEET_ACCESS_DELETE,
                                 &ctx->access.id, ngx_meet_api_access_done);
    }

    if (res->rc == NGX_BUSY) {
        return ngx_meet_api_send_error(r, "non_field_errors",
                   "This user has an access to this room already.");
    }

    if (res->rc == NGX_DECLINED) {
        return ngx_meet_api_send_error(r, "user", "No such user.");
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet api: user %V gave %V the role %V in room %V",
                  &ctx->session->user_id, &ctx->access.user_id,
                  &ctx->access.role, &ctx->room.id);

    root = ngx_meet_api_access_json(&ctx->access);
    if (root == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_meet_http_send_json(r, NGX_HTTP_CREATED, root);
    json_decref(root);

    return rc;
}


static ngx_int_t
ngx_meet_api_accesses_answer(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t                  *root, *list;
    ngx_uint_t               i, n;
    ngx_meet_room_access_t  *a;

    list = json_array();
    if (list == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    n = res->items ? res->items->nelts : 0;
    a = n ? res->items->elts : NULL;

    for (i = 0; i < n; i++) {
        if (json_array_append_new(list, ngx_meet_api_access_json(&a[i]))
            != 0)
        {
            json_decref(list);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    root = ngx_meet_api_page(r, list, n, 1, 0);
    return ngx_meet_api_send(r, NGX_HTTP_OK, root);
}

