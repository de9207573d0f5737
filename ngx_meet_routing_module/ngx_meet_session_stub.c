
/*
 * Copyright (C) ngx_meet authors
 *
 * TEMPORARY stand-in for ngx_meet_session_lookup() (ngx_meet_session.h)
 * until the OIDC login lands on main: every request is anonymous.  To be
 * deleted when the real implementation is merged.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_session.h"


ngx_int_t
ngx_meet_session_lookup(ngx_http_request_t *r,
    ngx_meet_session_handler_pt handler)
{
    return handler(r, NULL, NGX_DECLINED);
}
