
/*
 * Copyright (C) ngx_meet authors
 *
 * The OIDC relying party's entry for the api module.
 */


#ifndef _NGX_MEET_OIDC_H_INCLUDED_
#define _NGX_MEET_OIDC_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>


/*
 * Answers the login paths under the api location ("authenticate/",
 * "callback/", "logout/", "logout-callback/", "backchannel-logout/",
 * path being what follows the location's prefix); NGX_DECLINED for any
 * other path.  Returns what a content handler returns.
 */
ngx_int_t ngx_meet_oidc_handle(ngx_http_request_t *r, ngx_str_t *path);

/* 1 when the request's server has a meet_oidc block (login possible) */
ngx_uint_t ngx_meet_oidc_enabled(ngx_http_request_t *r);


#endif /* _NGX_MEET_OIDC_H_INCLUDED_ */
