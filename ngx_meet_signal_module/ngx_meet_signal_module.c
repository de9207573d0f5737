
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_signal_module: LiveKit-compatible signaling over WebSocket
 * (/rtc/v1).  This is the skeleton the foundation ships: the directive
 * loads and parses, and requests get an honest 501 until the signaling
 * issue lands.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include "ngx_meet_core.h"


typedef struct {
    ngx_flag_t                enable;
} ngx_meet_signal_loc_conf_t;


static ngx_int_t ngx_meet_signal_init(ngx_conf_t *cf);
static void *ngx_meet_signal_create_loc_conf(ngx_conf_t *cf);
static char *ngx_meet_signal_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_meet_signal(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_meet_signal_handler(ngx_http_request_t *r);


static ngx_command_t  ngx_meet_signal_commands[] = {

    { ngx_string("meet_signal"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_meet_signal,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_meet_signal_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_meet_signal_init,                  /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_meet_signal_create_loc_conf,       /* create location configuration */
    ngx_meet_signal_merge_loc_conf         /* merge location configuration */
};


ngx_module_t  ngx_meet_signal_module = {
    NGX_MODULE_V1,
    &ngx_meet_signal_module_ctx,           /* module context */
    ngx_meet_signal_commands,              /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_int_t
ngx_meet_signal_init(ngx_conf_t *cf)
{
    /* the shared core must be loaded (ngx_meet_routing_module.so first) */
    return ngx_meet_core_check(cf);
}


static void *
ngx_meet_signal_create_loc_conf(ngx_conf_t *cf)
{
    ngx_meet_signal_loc_conf_t  *slcf;

    slcf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_signal_loc_conf_t));
    if (slcf == NULL) {
        return NULL;
    }

    slcf->enable = NGX_CONF_UNSET;

    return slcf;
}


static char *
ngx_meet_signal_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_meet_signal_loc_conf_t  *prev = parent;
    ngx_meet_signal_loc_conf_t  *conf = child;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);

    return NGX_CONF_OK;
}


static char *
ngx_meet_signal(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_signal_loc_conf_t  *slcf = conf;

    ngx_http_core_loc_conf_t  *clcf;

    if (slcf->enable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    slcf->enable = 1;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_meet_signal_handler;

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_meet_signal_handler(ngx_http_request_t *r)
{
    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "meet signal: signaling is not implemented in this "
                  "build, answering 501");

    return NGX_HTTP_NOT_IMPLEMENTED;
}
