
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_core_module: the code the ngx_meet modules share.  It is an
 * NGX_CORE_MODULE without directives of its own yet; its configuration
 * holds registries the other modules fill in at configuration time.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include "ngx_meet_core.h"


static void *ngx_meet_core_create_conf(ngx_cycle_t *cycle);


static ngx_core_module_t  ngx_meet_core_module_ctx = {
    ngx_string("meet_core"),
    ngx_meet_core_create_conf,
    NULL
};


ngx_module_t  ngx_meet_core_module = {
    NGX_MODULE_V1,
    &ngx_meet_core_module_ctx,             /* module context */
    NULL,                                  /* module directives */
    NGX_CORE_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_meet_core_create_conf(ngx_cycle_t *cycle)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = ngx_pcalloc(cycle->pool, sizeof(ngx_meet_core_conf_t));
    if (mcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&mcf->health, cycle->pool, 4,
                       sizeof(ngx_meet_health_t))
        != NGX_OK)
    {
        return NULL;
    }

    return mcf;
}


ngx_int_t
ngx_meet_core_check(ngx_conf_t *cf)
{
    /*
     * With dynamic modules a module that uses the core cannot even be
     * loaded without it (undefined symbol); this catches a core module
     * that is compiled in but missing from the cycle.
     */

    if (ngx_get_conf(cf->cycle->conf_ctx, ngx_meet_core_module) == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "ngx_meet_core_module is not loaded; load "
                           "ngx_meet_routing_module.so before the other "
                           "ngx_meet modules");
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_meet_health_register(ngx_conf_t *cf, const char *name,
    ngx_meet_health_pt handler, void *data)
{
    ngx_uint_t             i;
    ngx_meet_health_t     *h;
    ngx_meet_core_conf_t  *mcf;

    if (ngx_meet_core_check(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cf->cycle->conf_ctx,
                                                ngx_meet_core_module);

    h = mcf->health.elts;
    for (i = 0; i < mcf->health.nelts; i++) {
        if (ngx_strcmp(h[i].name.data, name) == 0) {
            /* one entry per component, the last registration wins */
            h[i].handler = handler;
            h[i].data = data;
            return NGX_OK;
        }
    }

    h = ngx_array_push(&mcf->health);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->name.len = ngx_strlen(name);
    h->name.data = (u_char *) name;
    h->handler = handler;
    h->data = data;

    return NGX_OK;
}


ngx_array_t *
ngx_meet_health_components(ngx_cycle_t *cycle)
{
    ngx_meet_core_conf_t  *mcf;

    mcf = (ngx_meet_core_conf_t *) ngx_get_conf(cycle->conf_ctx,
                                                ngx_meet_core_module);
    return mcf ? &mcf->health : NULL;
}


const char *
ngx_meet_health_status_name(ngx_meet_health_status_e status)
{
    switch (status) {
    case NGX_MEET_HEALTH_OK:
        return "ok";
    case NGX_MEET_HEALTH_DEGRADED:
        return "degraded";
    default:
        return "down";
    }
}


ngx_int_t
ngx_meet_json_dump(ngx_pool_t *pool, json_t *value, ngx_str_t *out)
{
    char    *s;
    size_t   len;

    s = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s == NULL) {
        return NGX_ERROR;
    }

    len = ngx_strlen(s);

    out->data = ngx_pnalloc(pool, len + 1);
    if (out->data == NULL) {
        free(s);
        return NGX_ERROR;
    }

    /* a trailing newline makes the output friendly to curl and logs */
    ngx_memcpy(out->data, s, len);
    out->data[len] = '\n';
    out->len = len + 1;

    free(s);

    return NGX_OK;
}


char *
ngx_meet_conf_parse_text(ngx_conf_t *cf, ngx_str_t *text, ngx_str_t *file,
    ngx_uint_t line)
{
    char             *rv;
    u_char           *p;
    ngx_buf_t         b;
    ngx_conf_file_t   conf_file, *saved;

    /*
     * ngx_conf_parse() reads a buffer without a file as "-g" parameters,
     * which may not contain blocks.  A conf_file with a valid-looking fd
     * and an empty file makes it parse the buffer as the inside of a
     * block instead; the block is closed by the "}" appended here, so
     * the file itself is never read.
     */

    p = ngx_pnalloc(cf->temp_pool, text->len + 2);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(p, text->data, text->len);
    p[text->len] = ' ';
    p[text->len + 1] = '}';

    ngx_memzero(&b, sizeof(ngx_buf_t));
    b.start = p;
    b.pos = p;
    b.last = p + text->len + 2;
    b.end = b.last;
    b.temporary = 1;

    ngx_memzero(&conf_file, sizeof(ngx_conf_file_t));
    conf_file.file.fd = (ngx_fd_t) -2;       /* never read, see above */
    conf_file.file.name.len = file->len;

    /* the location code keeps the file name as a C string pointer */
    conf_file.file.name.data = ngx_pnalloc(cf->pool, file->len + 1);
    if (conf_file.file.name.data == NULL) {
        return NGX_CONF_ERROR;
    }
    ngx_cpystrn(conf_file.file.name.data, file->data, file->len + 1);

    conf_file.buffer = &b;
    conf_file.line = line;

    saved = cf->conf_file;
    cf->conf_file = &conf_file;

    rv = ngx_conf_parse(cf, NULL);

    cf->conf_file = saved;

    return rv;
}
