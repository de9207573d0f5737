
/*
 * Copyright (C) ngx_meet authors
 *
 * The rooms of the meeting API (ngx_meet_api.h): rooms/ (the user's
 * rooms, a page of them; POST creates one), rooms/<id or slug>/ (GET as
 * Meet's RoomSerializer with its LiveKit token when access is allowed,
 * an unregistered slug as Meet's ALLOW_UNREGISTERED_ROOMS; PUT, PATCH,
 * DELETE), the checks of a room's input, and the LiveKit tokens.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "meet_jwt.h"
#include "ngx_meet_api.h"


#define NGX_MEET_API_IDENTITY_LEN   16
#define NGX_MEET_API_PAGE_SIZE      20


static ngx_int_t ngx_meet_api_room_found(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_room_answer(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_room_write(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_room_written(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_rooms_list(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_meet_rooms_result_t *res);
static ngx_int_t ngx_meet_api_rooms_create(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);
static ngx_int_t ngx_meet_api_room_input(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_uint_t partial);
static ngx_int_t ngx_meet_api_unregistered(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx);
static json_t *ngx_meet_api_livekit(ngx_http_request_t *r,
    ngx_meet_api_ctx_t *ctx, ngx_str_t *room);
static ngx_int_t ngx_meet_api_slugify(ngx_http_request_t *r,
    ngx_str_t *name, ngx_str_t *slug);
static ngx_int_t ngx_meet_api_livekit_url(ngx_http_request_t *r,
    ngx_str_t *url);


/* Meet's RoomAccessLevel */
static const char  *ngx_meet_api_levels[] = { "public", "trusted",
                                              "restricted", NULL };


/* GET rooms/ (the user's rooms, a page of them), POST rooms/ */

ngx_int_t
ngx_meet_api_rooms_request(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx)
{
    ngx_int_t              rc;
    ngx_str_t              arg;
    ngx_meet_rooms_req_t  *req;

    if (r->method == NGX_HTTP_POST) {
        return ngx_meet_api_rooms_create(r, ctx);
    }

    ctx->page = 1;

    if (ngx_http_arg(r, (u_char *) "page", 4, &arg) == NGX_OK) {
        rc = ngx_atoi(arg.data, arg.len);
        if (rc < 1 || rc > 100000) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                             "Invalid page.");
        }

        ctx->page = rc;
    }

    req = ngx_meet_api_req(r, ctx, NGX_MEET_ROOM_LIST, NULL);
    if (req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    req->offset = (ctx->page - 1) * NGX_MEET_API_PAGE_SIZE;
    req->limit = NGX_MEET_API_PAGE_SIZE;

    return ngx_meet_api_store(ctx, req, ngx_meet_api_rooms_list);
}


/* rooms/<key>/: GET (also anonymous users), PUT, PATCH, DELETE */

ngx_int_t
ngx_meet_api_room_request(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx)
{
    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        ctx->status = NGX_HTTP_OK;
        return ngx_meet_api_call(r, ctx, NGX_MEET_ROOM_GET,
                                 &ctx->key, ngx_meet_api_room_found);
    }

    /* PUT, PATCH, DELETE: the room and the user's role first */
    return ngx_meet_api_call(r, ctx, NGX_MEET_ROOM_GET,
                             &ctx->key, ngx_meet_api_room_write);
}


/* GET rooms/<key>/: the room, its accesses for its administrators */

static ngx_int_t
ngx_meet_api_room_found(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    if (res->rc == NGX_DECLINED) {
        if (ngx_meet_api_is_uuid(&ctx->key)) {
            return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                             "Not found.");
        }

        return ngx_meet_api_unregistered(r, ctx);
    }

    ctx->room = *(ngx_meet_room_rec_t *) res->items->elts;

    if (!ngx_meet_api_admin(&ctx->room.role)) {
        return ngx_meet_api_room_answer(r, ctx, NULL);
    }

    return ngx_meet_api_call(r, ctx, NGX_MEET_ACCESS_LIST, &ctx->room.id,
                             ngx_meet_api_room_answer);
}


/* the room as Meet's RoomSerializer shows it; res: its accesses or NULL */

static ngx_int_t
ngx_meet_api_room_answer(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t                  *root, *v, *list;
    ngx_int_t                rc;
    ngx_uint_t               i, allowed, admin;
    ngx_meet_room_rec_t     *room;
    ngx_meet_room_access_t  *a;

    room = &ctx->room;
    admin = ngx_meet_api_admin(&room->role);

    /* public: anyone; trusted: logged-in users; restricted: its members */
    allowed = (room->access_level.len == 6
               && ngx_strncmp(room->access_level.data, "public", 6) == 0)
              || (ctx->session
                  && room->access_level.len == 7
                  && ngx_strncmp(room->access_level.data, "trusted", 7)
                     == 0)
              || room->role.len;

    root = json_pack("{s:s% s:s% s:s% s:s% s:b}",
                     "id", room->id.data, room->id.len,
                     "name", room->name.data, room->name.len,
                     "slug", room->slug.data, room->slug.len,
                     "access_level", room->access_level.data,
                     room->access_level.len,
                     "is_administrable", (int) admin);
    if (root == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (admin) {
        v = json_loadb((char *) room->configuration.data,
                       room->configuration.len, 0, NULL);
        list = json_array();

        if (v == NULL || list == NULL
            || json_object_set_new(root, "configuration", v) != 0
            || json_object_set_new(root, "accesses", list) != 0)
        {
            goto failed;
        }

        a = res && res->items ? res->items->elts : NULL;

        for (i = 0; a && i < res->items->nelts; i++) {
            if (json_array_append_new(list, ngx_meet_api_access_json(&a[i]))
                != 0)
            {
                goto failed;
            }
        }
    }

    if (allowed) {
        v = ngx_meet_api_livekit(r, ctx, &room->id);
        if (v == NULL || json_object_set_new(root, "livekit", v) != 0) {
            goto failed;
        }
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet api: room \"%V\" (%V, %V) for %s%V%s",
                  &room->slug, &room->id, &room->access_level,
                  ctx->session ? "user " : "anonymous",
                  ctx->session ? &ctx->session->user_id : &room->role,
                  allowed ? ", with a token" : ", no access");

    rc = ngx_meet_http_send_json(r, ctx->status, root);
    json_decref(root);

    return rc;

failed:

    json_decref(root);

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "meet api: cannot build the answer for room \"%V\"",
                  &room->id);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/* PUT, PATCH, DELETE rooms/<key>/: the room and the role are known */

static ngx_int_t
ngx_meet_api_room_write(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    ngx_int_t              rc;
    ngx_meet_rooms_req_t  *req;

    if (res->rc == NGX_DECLINED) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    ctx->room = *(ngx_meet_room_rec_t *) res->items->elts;

    if (r->method == NGX_HTTP_DELETE
        ? !(ctx->room.role.len == 5
            && ngx_strncmp(ctx->room.role.data, "owner", 5) == 0)
        : !ngx_meet_api_admin(&ctx->room.role))
    {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: user %V (role \"%V\") may not change "
                      "room %V", &ctx->session->user_id, &ctx->room.role,
                      &ctx->room.id);

        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                                         NGX_MEET_API_DENIED);
    }

    if (r->method == NGX_HTTP_DELETE) {
        req = ngx_meet_api_req(r, ctx, NGX_MEET_ROOM_DELETE, &ctx->room.id);

    } else {
        rc = ngx_meet_api_room_input(r, ctx, r->method == NGX_HTTP_PATCH);
        if (rc != NGX_DECLINED) {
            return rc;
        }

        req = ngx_meet_api_req(r, ctx, NGX_MEET_ROOM_UPDATE, NULL);
        if (req) {
            req->room = ctx->room;
        }
    }

    if (req == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_api_store(ctx, req, ngx_meet_api_room_written);
}


/* after create, update, delete */

static ngx_int_t
ngx_meet_api_room_written(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    ngx_meet_api_main_conf_t  *amcf;

    if (res->rc == NGX_DECLINED) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND, "Not found.");
    }

    if (res->rc == NGX_BUSY) {
        return ngx_meet_api_send_error(r, "name",
                   "A room with this name (slug) already exists.");
    }

    if (res->rc == NGX_ABORT) {
        amcf = ngx_http_get_module_main_conf(r, ngx_meet_api_module);

        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "meet api: user %V owns %ui rooms already "
                      "(meet_api_rooms_per_user): creation refused",
                      &ctx->session->user_id, amcf->rooms_per_user);

        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                   "You own the largest number of rooms allowed: delete "
                   "one to create another.");
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet api: room %V \"%V\" %s by user %V", &ctx->room.id,
                  &ctx->room.slug,
                  r->method == NGX_HTTP_POST ? "created"
                  : r->method == NGX_HTTP_DELETE ? "deleted" : "updated",
                  &ctx->session->user_id);

    if (r->method == NGX_HTTP_DELETE) {
        return ngx_meet_http_send(r, NGX_HTTP_NO_CONTENT, "application/json",
                                  NULL, NULL, NULL, 0);
    }

    /* the room again as GET shows it: 201 after a create */
    ctx->status = (r->method == NGX_HTTP_POST) ? NGX_HTTP_CREATED
                                               : NGX_HTTP_OK;

    return ngx_meet_api_call(r, ctx, NGX_MEET_ROOM_GET,
                             &ctx->room.id, ngx_meet_api_room_found);
}


static ngx_int_t
ngx_meet_api_rooms_list(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_meet_rooms_result_t *res)
{
    json_t               *root, *results, *item;
    ngx_uint_t            i, n;
    ngx_meet_room_rec_t  *room;

    n = res->items ? res->items->nelts : 0;

    if (n == 0 && ctx->page > 1) {
        return ngx_meet_http_send_detail(r, NGX_HTTP_NOT_FOUND,
                                         "Invalid page.");
    }

    results = json_array();
    if (results == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    room = n ? res->items->elts : NULL;

    for (i = 0; i < n; i++) {
        item = json_pack("{s:s% s:s% s:s% s:s%}",
                         "id", room[i].id.data, room[i].id.len,
                         "name", room[i].name.data, room[i].name.len,
                         "slug", room[i].slug.data, room[i].slug.len,
                         "access_level", room[i].access_level.data,
                         room[i].access_level.len);

        if (json_array_append_new(results, item) != 0) {
            json_decref(results);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    root = ngx_meet_api_page(r, results, res->count, ctx->page,
                             (ctx->page - 1) * NGX_MEET_API_PAGE_SIZE + n
                             < res->count);
    return ngx_meet_api_send(r, NGX_HTTP_OK, root);
}


static ngx_int_t
ngx_meet_api_rooms_create(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx)
{
    ngx_int_t                  rc;
    ngx_meet_rooms_req_t      *req;
    ngx_meet_api_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_meet_api_module);

    ngx_str_set(&ctx->room.access_level, "public");
    ngx_str_set(&ctx->room.configuration, "{}");

    rc = ngx_meet_api_room_input(r, ctx, 0);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    req = ngx_meet_api_req(r, ctx, NGX_MEET_ROOM_CREATE, NULL);
    if (req == NULL
        || ngx_meet_rooms_uuid(r->pool, &ctx->room.id) != NGX_OK
        || ngx_meet_rooms_uuid(r->pool, &req->access.id) != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    req->room = ctx->room;
    req->limit = amcf->rooms_per_user;

    return ngx_meet_api_store(ctx, req, ngx_meet_api_room_written);
}


/*
 * name, access_level, configuration of the body into ctx->room; PATCH
 * (partial): only those given.  NGX_DECLINED to go on, else what the
 * 400 answer with DRF's field errors returned.
 */

static ngx_int_t
ngx_meet_api_room_input(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_uint_t partial)
{
    u_char                    *p, msg[80];
    json_t                    *errors, *v;
    ngx_str_t                  name, slug, s;
    const char                *err;
    ngx_meet_api_main_conf_t  *amcf;

    amcf = ngx_http_get_module_main_conf(r, ngx_meet_api_module);

    errors = json_object();
    if (errors == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!json_is_object(ctx->body)) {
        json_decref(errors);
        return ngx_meet_http_send_detail(r, NGX_HTTP_BAD_REQUEST,
                   "Invalid data. Expected a dictionary.");
    }

    err = NULL;
    v = json_object_get(ctx->body, "name");

    if (v == NULL) {
        err = partial ? NULL : "This field is required.";

    } else if (!json_is_string(v)) {
        err = "Not a valid string.";

    } else {
        name.data = (u_char *) json_string_value(v);
        name.len = json_string_length(v);

        while (name.len && name.data[0] == ' ') {
            name.data++;
            name.len--;
        }

        while (name.len && name.data[name.len - 1] == ' ') {
            name.len--;
        }

        if (name.len == 0) {
            err = "This field may not be blank.";

        } else if (name.len > NGX_MEET_API_NAME_MAX) {
            err = "Ensure this field has no more than 128 characters.";

        } else if (ngx_strlchr(name.data, name.data + name.len, '\0')) {
            err = "Null characters are not allowed.";

        } else if (ngx_meet_api_slugify(r, &name, &slug) != NGX_OK) {
            err = "The name must have 1 to 64 letters or digits once "
                  "slugified.";

        } else {
            ctx->room.name = name;
            ctx->room.slug = slug;
        }
    }

    if (err && ngx_meet_api_field_error(errors, "name", err) != NGX_OK) {
        goto failed;
    }

    v = json_object_get(ctx->body, "access_level");

    if (v) {
        if (ngx_meet_api_choice(v, ngx_meet_api_levels,
                                &ctx->room.access_level)
            == NGX_MEET_API_NO_CHOICE)
        {
            if (ngx_meet_api_field_error(errors, "access_level",
                    json_is_string(v) ? "Not a valid choice: use public, "
                                        "trusted or restricted."
                                      : "Not a valid string.")
                != NGX_OK)
            {
                goto failed;
            }
        }
    }

    v = json_object_get(ctx->body, "configuration");

    if (v) {
        if (!json_is_object(v)) {
            if (ngx_meet_api_field_error(errors, "configuration",
                                         "Expected a JSON object.")
                != NGX_OK)
            {
                goto failed;
            }

        } else if (ngx_meet_json_dump(r->pool, v, &s) != NGX_OK) {
            goto failed;

        } else if (s.len > amcf->configuration_max) {
            ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                          "meet api: room configuration of %uz bytes, more "
                          "than meet_api_room_configuration_max %uz",
                          s.len, amcf->configuration_max);

            /* DRF's max_length message (the bound in bytes here) */
            p = ngx_snprintf(msg, sizeof(msg) - 1, "Ensure this field has "
                             "no more than %uz characters.",
                             amcf->configuration_max);
            *p = '\0';

            if (ngx_meet_api_field_error(errors, "configuration",
                                         (char *) msg)
                != NGX_OK)
            {
                goto failed;
            }

        } else {
            ctx->room.configuration = s;
        }
    }

    if (json_object_size(errors)) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: invalid room input");
        return ngx_meet_api_send_errors(r, errors);
    }

    json_decref(errors);

    return NGX_DECLINED;

failed:

    json_decref(errors);

    return NGX_HTTP_INTERNAL_SERVER_ERROR;
}


/*
 * An unregistered room (no such slug in the store), as Meet's
 * ALLOW_UNREGISTERED_ROOMS: a token for logged-in users, and for anyone
 * with meet_api_anonymous_rooms on.
 */

static ngx_int_t
ngx_meet_api_unregistered(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx)
{
    json_t                   *root, *livekit;
    ngx_str_t                *slug;
    ngx_meet_api_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_meet_api_module);
    slug = &ctx->key;

    if (ctx->session == NULL && !alcf->anonymous_rooms) {
        ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                      "meet api: no token for room \"%V\": anonymous "
                      "access is off (meet_api_anonymous_rooms)", slug);

        return ngx_meet_http_send_detail(r, NGX_HTTP_FORBIDDEN,
                   "This server gives tokens to logged-in users only.");
    }

    livekit = ngx_meet_api_livekit(r, ctx, slug);
    if (livekit == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    root = json_pack("{s:n s:s% s:s% s:b s:s s:b s:{} s:o}",
                     "id",
                     "name", slug->data, slug->len,
                     "slug", slug->data, slug->len,
                     "is_public", 1,
                     "access_level", "public",
                     "is_administrable", 0,
                     "configuration",
                     "livekit", livekit);

    if (root == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: cannot build the room answer");
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_meet_api_send(r, NGX_HTTP_OK, root);
}


/*
 * "livekit": {url, room, token}: a token for the LiveKit room "room"
 * (the room id, or an unregistered slug).  A logged-in user joins as his
 * user id, with the claim "meet_session" (the session key, for
 * back-channel logout); others as a fresh anonymous identity.  The name
 * is ?username=, else the user's full name.
 */

static json_t *
ngx_meet_api_livekit(ngx_http_request_t *r, ngx_meet_api_ctx_t *ctx,
    ngx_str_t *room)
{
    char                     *token;
    json_t                   *claims, *out;
    u_char                    anon[NGX_MEET_API_IDENTITY_LEN + 8], *p;
    u_char                   *room_z, *name_z, *identity;
    ngx_str_t                 url, *name;
    ngx_meet_core_api_key_t  *key;
    ngx_meet_session_t       *s;
    meet_jwt_token_spec_t     spec;
    ngx_meet_api_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_meet_api_module);
    s = ctx->session;

    if (ngx_meet_api_livekit_url(r, &url) != NGX_OK) {
        return NULL;
    }

    key = ngx_meet_core_api_key_default((ngx_cycle_t *) ngx_cycle);
    if (key == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: no API key to sign tokens with");
        return NULL;
    }

    name = ctx->username.len ? &ctx->username
           : (s && s->full_name.len) ? &s->full_name : NULL;

    room_z = ngx_pnalloc(r->pool, room->len + 1
                                  + (name ? name->len : 0) + 1
                                  + (s ? s->user_id.len : 0) + 1);
    if (room_z == NULL) {
        return NULL;
    }

    name_z = ngx_cpymem(room_z, room->data, room->len);
    *name_z++ = '\0';
    p = name ? ngx_cpymem(name_z, name->data, name->len) : name_z;
    *p++ = '\0';

    if (s) {
        identity = p;
        p = ngx_cpymem(p, s->user_id.data, s->user_id.len);
        *p = '\0';

    } else {
        /* an anonymous participant: a fresh random identity */
        identity = anon;
        p = ngx_meet_random_id(anon, "anon-", NGX_MEET_API_IDENTITY_LEN);
        *p = '\0';
    }

    ngx_memzero(&spec, sizeof(meet_jwt_token_spec_t));

    spec.identity = (char *) identity;
    spec.name = name ? (char *) name_z : NULL;
    spec.room = (char *) room_z;
    spec.now = ngx_time();
    spec.ttl = alcf->token_ttl;
    spec.room_join = 1;
    spec.can_publish = MEET_JWT_TRUE;
    spec.can_subscribe = MEET_JWT_TRUE;
    spec.can_publish_data = MEET_JWT_TRUE;
    spec.can_update_own_metadata = MEET_JWT_TRUE;
    spec.sources = MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_CAMERA)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_MICROPHONE)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_SCREEN_SHARE)
                   | MEET_JWT_SOURCE_BIT(MEET_JWT_SOURCE_SCREEN_SHARE_AUDIO);

    claims = meet_jwt_build_claims(&spec);

    if (claims && s
        && json_object_set_new(claims, "meet_session",
                               json_stringn((char *) s->key.data,
                                            s->key.len))
           != 0)
    {
        json_decref(claims);
        claims = NULL;
    }

    token = claims ? meet_jwt_sign_hs256(claims, key->key.data, key->key.len,
                                         key->secret.data, key->secret.len)
                   : NULL;
    json_decref(claims);

    if (token == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "meet api: cannot mint a token for room \"%V\"", room);
        return NULL;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet api: token for room \"%V\", %s \"%s\"", room,
                  s ? "user" : "anonymous", identity);

    out = json_pack("{s:s% s:s% s:s}",
                    "url", url.data, url.len,
                    "room", room->data, room->len,
                    "token", token);
    free(token);

    return out;
}

/*
 * Django's slugify() for ASCII: letters (lower case), digits and '_'
 * kept, runs of spaces and '-' become one '-', the rest dropped (accents
 * too), leading and trailing '-' and '_' stripped.  NGX_DECLINED when the
 * slug is empty or over 64.
 */

static ngx_int_t
ngx_meet_api_slugify(ngx_http_request_t *r, ngx_str_t *name,
    ngx_str_t *slug)
{
    u_char      c, *p, *start;
    ngx_uint_t  i, dash;

    start = ngx_pnalloc(r->pool, name->len);
    if (start == NULL) {
        return NGX_ERROR;
    }

    p = start;
    dash = 0;

    for (i = 0; i < name->len; i++) {
        c = ngx_tolower(name->data[i]);

        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
            if (dash && p > start) {
                *p++ = '-';
            }

            dash = 0;
            *p++ = c;

        } else if (c == ' ' || c == '-' || c == '\t') {
            dash = 1;
        }
    }

    while (p > start && (p[-1] == '_' || p[-1] == '-')) {
        p--;
    }

    while (p > start && (start[0] == '_' || start[0] == '-')) {
        start++;
    }

    slug->data = start;
    slug->len = p - start;

    return (slug->len == 0 || slug->len > NGX_MEET_API_SLUG_MAX)
           ? NGX_DECLINED : NGX_OK;
}
/*
 * The LiveKit URL for clients: meet_api_livekit_url, else this server's
 * own origin as the client reached it, ws:// or wss://.
 */

static ngx_int_t
ngx_meet_api_livekit_url(ngx_http_request_t *r, ngx_str_t *url)
{
    ngx_meet_api_loc_conf_t  *alcf;

    alcf = ngx_http_get_module_loc_conf(r, ngx_meet_api_module);

    if (alcf->livekit_url) {
        return ngx_http_complex_value(r, alcf->livekit_url, url);
    }

    return ngx_meet_api_origin(r, "ws", url);
}


