
/*
 * Copyright (C) ngx_meet authors
 *
 * ngx_meet_rtp_stream_module: the SFU, the media plane of every
 * participant on one UDP port (and ICE-TCP listeners): its directives,
 * the host candidates of its listeners, the one-worker rule, the worker's
 * start and exit, and its /healthz component.  The work is done by the
 * files below it (see ngx_meet_rtp_stream.h): sessions and demux, ICE-lite,
 * the participant's media, DTLS-SRTP, forwarding, output.
 */


#include "ngx_meet_rtp_stream.h"


static ngx_int_t ngx_meet_rtp_init(ngx_conf_t *cf);
static void *ngx_meet_rtp_create_srv_conf(ngx_conf_t *cf);
static char *ngx_meet_rtp_merge_srv_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_meet_rtp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_meet_rtp_add_candidates(ngx_conf_t *cf,
    ngx_stream_listen_t *ls, ngx_meet_rtp_srv_conf_t *rscf);
static char *ngx_meet_rtp_external_ip(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_meet_rtp_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_meet_rtp_init_process(ngx_cycle_t *cycle);
static void ngx_meet_rtp_exit_process(ngx_cycle_t *cycle);
static ngx_meet_health_status_e ngx_meet_rtp_health(ngx_meet_health_t *h,
    json_t *out, ngx_log_t *log);


static ngx_command_t  ngx_meet_rtp_commands[] = {

    { ngx_string("meet_rtp"),
      NGX_STREAM_SRV_CONF|NGX_CONF_NOARGS,
      ngx_meet_rtp,
      NGX_STREAM_SRV_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("meet_rtp_external_ip"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_1MORE,
      ngx_meet_rtp_external_ip,
      NGX_STREAM_SRV_CONF_OFFSET,
      0,
      NULL },

#if (NGX_MEET_TEST_HOOKS)
    /* fault injection, only in the tests' build (make test-modules) */
    { ngx_string("meet_rtp_test_drop"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, test_drop),
      NULL },

    { ngx_string("meet_rtp_test_drop_upstream"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, test_drop_upstream),
      NULL },

    { ngx_string("meet_rtp_test_data_echo"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, test_data_echo),
      NULL },
#endif

    { ngx_string("meet_rtp_data_max_message"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, data_max_message),
      NULL },

    { ngx_string("meet_rtp_data_buffer"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, data_buffer),
      NULL },

    { ngx_string("meet_rtp_session_timeout"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, session_timeout),
      NULL },

    { ngx_string("meet_rtp_tcp_pending"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, tcp_pending),
      NULL },

    { ngx_string("meet_rtp_tcp_pending_timeout"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, tcp_pending_timeout),
      NULL },

    { ngx_string("meet_rtp_rtcp_max_size"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, rtcp_max_size),
      NULL },

    { ngx_string("meet_rtp_rtcp_max_packets"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, rtcp_max_packets),
      NULL },

    { ngx_string("meet_rtp_nack_window"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, nack_window),
      NULL },

    { ngx_string("meet_rtp_nack_resends"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, nack_resends),
      NULL },

    { ngx_string("meet_rtp_nack_rate"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, nack_rate),
      NULL },

    { ngx_string("meet_rtp_consent_interval"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, consent_interval),
      NULL },

    { ngx_string("meet_rtp_consent_timeout"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, consent_timeout),
      NULL },

    { ngx_string("meet_rtp_history_min"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, history_min),
      NULL },

    { ngx_string("meet_rtp_history_max"),
      NGX_STREAM_MAIN_CONF|NGX_STREAM_SRV_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_STREAM_SRV_CONF_OFFSET,
      offsetof(ngx_meet_rtp_srv_conf_t, history_max),
      NULL },

      ngx_null_command
};


static ngx_stream_module_t  ngx_meet_rtp_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_meet_rtp_init,                     /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    ngx_meet_rtp_create_srv_conf,          /* create server configuration */
    ngx_meet_rtp_merge_srv_conf            /* merge server configuration */
};


ngx_module_t  ngx_meet_rtp_stream_module = {
    NGX_MODULE_V1,
    &ngx_meet_rtp_module_ctx,              /* module context */
    ngx_meet_rtp_commands,                 /* module directives */
    NGX_STREAM_MODULE,                     /* module type */
    NULL,                                  /* init master */
    ngx_meet_rtp_init_module,              /* init module */
    ngx_meet_rtp_init_process,             /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_meet_rtp_exit_process,             /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_meet_rtp_create_srv_conf(ngx_conf_t *cf)
{
    ngx_meet_rtp_srv_conf_t  *rscf;

    rscf = ngx_pcalloc(cf->pool, sizeof(ngx_meet_rtp_srv_conf_t));
    if (rscf == NULL) {
        return NULL;
    }

    rscf->enable = NGX_CONF_UNSET;
    rscf->external = NGX_CONF_UNSET_PTR;
    rscf->session_timeout = NGX_CONF_UNSET_MSEC;
    rscf->tcp_pending = NGX_CONF_UNSET_UINT;
    rscf->tcp_pending_timeout = NGX_CONF_UNSET_MSEC;
    rscf->rtcp_max_size = NGX_CONF_UNSET_SIZE;
    rscf->rtcp_max_packets = NGX_CONF_UNSET_UINT;
    rscf->nack_window = NGX_CONF_UNSET_MSEC;
    rscf->nack_resends = NGX_CONF_UNSET_UINT;
    rscf->nack_rate = NGX_CONF_UNSET_UINT;
    rscf->consent_interval = NGX_CONF_UNSET_MSEC;
    rscf->consent_timeout = NGX_CONF_UNSET_MSEC;
    rscf->history_min = NGX_CONF_UNSET_UINT;
    rscf->history_max = NGX_CONF_UNSET_UINT;
    rscf->data_max_message = NGX_CONF_UNSET_SIZE;
    rscf->data_buffer = NGX_CONF_UNSET_SIZE;
#if (NGX_MEET_TEST_HOOKS)
    rscf->test_drop = NGX_CONF_UNSET_UINT;
    rscf->test_drop_upstream = NGX_CONF_UNSET_UINT;
    rscf->test_data_echo = NGX_CONF_UNSET;
#endif

    return rscf;
}


static char *
ngx_meet_rtp_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_meet_rtp_srv_conf_t  *prev = parent;
    ngx_meet_rtp_srv_conf_t  *conf = child;

    ngx_conf_merge_value(conf->enable, prev->enable, 0);
    ngx_conf_merge_ptr_value(conf->external, prev->external, NULL);
    ngx_conf_merge_msec_value(conf->session_timeout, prev->session_timeout,
                              30000);
    /* ICE-TCP before its first valid check: a 4 KB read buffer, no write
       buffer, at most this many per worker, for this long */
    ngx_conf_merge_uint_value(conf->tcp_pending, prev->tcp_pending, 256);
    ngx_conf_merge_msec_value(conf->tcp_pending_timeout,
                              prev->tcp_pending_timeout, 5000);

    if (conf->tcp_pending == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_rtp_tcp_pending must be at least 1");
        return NGX_CONF_ERROR;
    }

    /*
     * RTCP from participants: libwebrtc and LiveKit send compounds of one
     * datagram within the path MTU (a few packets each); a NACK is
     * answered at most once per 100 ms and 3 times in all (LiveKit's
     * ignoreRetransmission and maxAck, pkg/sfu/sequencer.go), with at most
     * as many bytes resent as the subscriber gets of that stream
     * (libwebrtc's retransmission rate limiter allows the send bitrate)
     */
    ngx_conf_merge_size_value(conf->rtcp_max_size, prev->rtcp_max_size,
                              NGX_MEET_RTP_MTU);
    ngx_conf_merge_uint_value(conf->rtcp_max_packets, prev->rtcp_max_packets,
                              32);
    ngx_conf_merge_msec_value(conf->nack_window, prev->nack_window, 100);
    ngx_conf_merge_uint_value(conf->nack_resends, prev->nack_resends, 3);
    ngx_conf_merge_uint_value(conf->nack_rate, prev->nack_rate, 100);

    if (conf->rtcp_max_size < 64 || conf->rtcp_max_size > 65535) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_rtp_rtcp_max_size must be 64 to 65535");
        return NGX_CONF_ERROR;
    }

    if (conf->rtcp_max_packets == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_rtp_rtcp_max_packets must be at least 1");
        return NGX_CONF_ERROR;
    }

    if (conf->nack_resends == 0 || conf->nack_resends > 255) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_rtp_nack_resends must be 1 to 255");
        return NGX_CONF_ERROR;
    }

    if (conf->nack_rate > 10000) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_rtp_nack_rate must be 0 to 10000 "
                           "(percent of the media rate)");
        return NGX_CONF_ERROR;
    }

    /* RFC 7675 5.1: a consent request every 5 s (+-20 %), media stops
       after 30 s without an answer */
    ngx_conf_merge_msec_value(conf->consent_interval,
                              prev->consent_interval, 5000);
    ngx_conf_merge_msec_value(conf->consent_timeout, prev->consent_timeout,
                              30000);

    if (conf->consent_interval < 100
        || conf->consent_timeout <= conf->consent_interval)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_rtp_consent_interval must be at least "
                           "100ms and less than meet_rtp_consent_timeout");
        return NGX_CONF_ERROR;
    }

    /*
     * a video track's packets for NACKs: about a second of them (LiveKit
     * keeps a second's packets up to packet_buffer_size_video, 500:
     * pkg/sfu/buffer/buffer_base.go maybeGrowBucket(), pkg/config); 64
     * hold a second of a small simulcast layer, 512 of ~4 Mb/s
     */
    ngx_conf_merge_uint_value(conf->history_min, prev->history_min, 64);
    ngx_conf_merge_uint_value(conf->history_max, prev->history_max, 512);

    if (conf->history_min < 16 || conf->history_max > 32768
        || conf->history_min > conf->history_max
        || (conf->history_min & (conf->history_min - 1))
        || (conf->history_max & (conf->history_max - 1)))
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_rtp_history_min and meet_rtp_history_max "
                           "must be powers of two from 16 to 32768, min "
                           "not above max");
        return NGX_CONF_ERROR;
    }

    /*
     * Data channels: a message received is put together up to
     * data_max_message (the answer announces a=max-message-size:65536,
     * RFC 8841's default, so browsers send no more); data_buffer is the
     * SCTP send buffer of one participant, which holds what it has not
     * acknowledged yet: a message that does not fit is refused
     */
    ngx_conf_merge_size_value(conf->data_max_message, prev->data_max_message,
                              65536);
    ngx_conf_merge_size_value(conf->data_buffer, prev->data_buffer,
                              1024 * 1024);

    if (conf->data_max_message < 1024
        || conf->data_max_message > 16 * 1024 * 1024)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_rtp_data_max_message must be 1k to 16m");
        return NGX_CONF_ERROR;
    }

    if (conf->data_buffer < 16 * 1024 || conf->data_buffer > 64 * 1024 * 1024)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "meet_rtp_data_buffer must be 16k to 64m");
        return NGX_CONF_ERROR;
    }
#if (NGX_MEET_TEST_HOOKS)
    ngx_conf_merge_uint_value(conf->test_drop, prev->test_drop, 0);
    ngx_conf_merge_uint_value(conf->test_drop_upstream,
                              prev->test_drop_upstream, 0);
    ngx_conf_merge_value(conf->test_data_echo, prev->test_data_echo, 0);
#endif

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_meet_rtp_init(ngx_conf_t *cf)
{
    ngx_uint_t                    i, n;
    ngx_stream_listen_t          *ls;
    ngx_meet_rtp_srv_conf_t      *rscf;
    ngx_stream_core_main_conf_t  *cmcf;

    /* our state on the forwarding table is released by hooks */
    ngx_meet_rtp_peer_hooks_init();
    ngx_meet_rtp_forward_hooks_init();

    cmcf = ngx_stream_conf_get_module_main_conf(cf, ngx_stream_core_module);

    ls = cmcf->listen.elts;
    n = 0;

    for (i = 0; i < cmcf->listen.nelts; i++) {
        rscf = ls[i].ctx->srv_conf[ngx_meet_rtp_stream_module.ctx_index];

        if (rscf->enable != 1) {
            continue;
        }

        /* UDP, or TCP for ICE-TCP (RFC 6544 passive candidates) */

        if (ls[i].type == SOCK_STREAM && ls[i].ssl) {
            ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                          "meet_rtp: \"listen %V ssl\": ICE-TCP carries "
                          "DTLS itself, remove \"ssl\"", &ls[i].addr_text);
            return NGX_ERROR;
        }

        if (ngx_meet_rtp_add_candidates(cf, &ls[i], rscf) != NGX_OK) {
            return NGX_ERROR;
        }

        n++;
    }

    if (n == 0) {
        return NGX_OK;
    }

    /* data channels: the signal module's messages go out through us */
    ngx_meet_rtp_sctp_hooks_init();

    return ngx_meet_health_register(cf, "media", ngx_meet_rtp_health, NULL);
}


/*
 * The ICE host candidates of a media listener: the meet_rtp_external_ip
 * addresses with the listener's port, else the listener's own address.
 */

static ngx_int_t
ngx_meet_rtp_add_candidates(ngx_conf_t *cf, ngx_stream_listen_t *ls,
    ngx_meet_rtp_srv_conf_t *rscf)
{
    u_char       text[NGX_SOCKADDR_STRLEN];
    ngx_str_t    addr, *ext;
    ngx_uint_t   i, tcp;
    in_port_t    port;

    port = ngx_inet_get_port(ls->sockaddr);
    tcp = (ls->type == SOCK_STREAM);

    if (rscf->external && rscf->external->nelts) {
        ext = rscf->external->elts;

        for (i = 0; i < rscf->external->nelts; i++) {
            if (ngx_meet_candidate_add(cf, &ext[i], port, tcp) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        return NGX_OK;
    }

    if (ls->wildcard) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "meet_rtp: \"listen %V\" is a wildcard address, which "
                      "clients cannot reach; add \"meet_rtp_external_ip "
                      "<address>;\" with the address clients use",
                      &ls->addr_text);
        return NGX_ERROR;
    }

    addr.len = ngx_sock_ntop(ls->sockaddr, ls->socklen, text,
                             NGX_SOCKADDR_STRLEN, 0);
    addr.data = text;

    return ngx_meet_candidate_add(cf, &addr, port, tcp);
}


static char *
ngx_meet_rtp(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_rtp_srv_conf_t  *rscf = conf;

    ngx_stream_core_srv_conf_t  *cscf;

    if (rscf->enable != NGX_CONF_UNSET) {
        return "is duplicate";
    }

    rscf->enable = 1;

    cscf = ngx_stream_conf_get_module_srv_conf(cf, ngx_stream_core_module);
    cscf->handler = ngx_meet_rtp_conn_handler;

    return NGX_CONF_OK;
}


static char *
ngx_meet_rtp_external_ip(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_meet_rtp_srv_conf_t  *rscf = conf;

    ngx_str_t    *value, *ip;
    ngx_uint_t    i;
    ngx_addr_t    addr;

    if (rscf->external != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    rscf->external = ngx_array_create(cf->pool, cf->args->nelts - 1,
                                      sizeof(ngx_str_t));
    if (rscf->external == NULL) {
        return NGX_CONF_ERROR;
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        if (ngx_parse_addr(cf->pool, &addr, value[i].data, value[i].len)
            != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "meet_rtp_external_ip: \"%V\" is not an IP "
                               "address; give the address clients reach "
                               "this host at, e.g. 203.0.113.10", &value[i]);
            return NGX_CONF_ERROR;
        }

        ip = ngx_array_push(rscf->external);
        if (ip == NULL) {
            return NGX_CONF_ERROR;
        }

        *ip = value[i];
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_meet_rtp_init_module(ngx_cycle_t *cycle)
{
    ngx_array_t      *cands;
    ngx_core_conf_t  *ccf;

    /* every meet_rtp listener registered its candidates in this cycle */
    cands = ngx_meet_candidates(cycle);
    if (cands == NULL || cands->nelts == 0) {
        return NGX_OK;
    }

    ccf = (ngx_core_conf_t *) ngx_get_conf(cycle->conf_ctx, ngx_core_module);

    if (ccf->worker_processes > 1 && ccf->master) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "meet_rtp keeps media sessions in the worker that holds "
                      "the participant's signaling; set \"worker_processes "
                      "1;\" (media shared between workers is not "
                      "implemented yet)");
        return NGX_ERROR;
    }

    return NGX_OK;
}


static ngx_int_t
ngx_meet_rtp_init_process(ngx_cycle_t *cycle)
{
    ngx_meet_rtp_stats_init();

    return ngx_meet_rtp_dtls_init_process(cycle);
}


static void
ngx_meet_rtp_exit_process(ngx_cycle_t *cycle)
{
    /* before nginx checks for connections left open */
    ngx_meet_rtp_conns_close(cycle);
    ngx_meet_rtp_dtls_exit_process(cycle);
}


static ngx_meet_health_status_e
ngx_meet_rtp_health(ngx_meet_health_t *h, json_t *out, ngx_log_t *log)
{
    size_t                        used, budget;
    ngx_uint_t                    i, n, refused;
    json_t                       *listen, *tcp, *drops, *mem, *data;
    ngx_listening_t              *ls;
    ngx_stream_core_srv_conf_t   *cscf;
    ngx_meet_rtp_srv_conf_t      *rscf;
    ngx_stream_addr_conf_t       *addr_conf;
    ngx_stream_port_t            *port;
    ngx_meet_rtp_counter_t       *counters;

    listen = json_array();
    if (listen == NULL || json_object_set_new(out, "udp", listen) != 0) {
        return NGX_MEET_HEALTH_DOWN;
    }

    tcp = json_array();
    if (tcp == NULL || json_object_set_new(out, "tcp", tcp) != 0) {
        return NGX_MEET_HEALTH_DOWN;
    }

    ls = ngx_cycle->listening.elts;
    n = 0;

    for (i = 0; i < ngx_cycle->listening.nelts; i++) {
        if (ls[i].handler != ngx_stream_init_connection
            || ls[i].servers == NULL)
        {
            continue;
        }

        port = ls[i].servers;
        if (port->naddrs == 0) {
            continue;
        }

        /* the server of the first address bound to this socket */
        addr_conf = (port->naddrs && ls[i].sockaddr->sa_family == AF_INET)
                    ? &((ngx_stream_in_addr_t *) port->addrs)[0].conf
#if (NGX_HAVE_INET6)
                    : (ls[i].sockaddr->sa_family == AF_INET6)
                    ? &((ngx_stream_in6_addr_t *) port->addrs)[0].conf
#endif
                    : NULL;

        if (addr_conf == NULL) {
            continue;
        }

        rscf = addr_conf->ctx->srv_conf[ngx_meet_rtp_stream_module.ctx_index];
        cscf = addr_conf->ctx->srv_conf[ngx_stream_core_module.ctx_index];

        if (rscf->enable != 1 || cscf->handler != ngx_meet_rtp_conn_handler)
        {
            continue;
        }

        if (ls[i].worker != 0) {
            /* reuseport clones share the address */
            continue;
        }

        if (json_array_append_new(ls[i].type == SOCK_DGRAM ? listen : tcp,
                                  json_stringn((char *) ls[i].addr_text.data,
                                               ls[i].addr_text.len))
            != 0)
        {
            return NGX_MEET_HEALTH_DOWN;
        }

        n++;
    }

    /* this worker's media transports and why it dropped packets */

    json_object_set_new(out, "sessions",
                        json_integer((json_int_t) ngx_meet_rtp_npeers));

    counters = ngx_meet_rtp_counters;

    for (i = 0; counters[i].name; i++) {
        json_object_set_new(out, counters[i].name,
                            json_integer((json_int_t) *counters[i].value));
    }

    /* the worker's media memory (meet_media_memory) */
    mem = json_object();
    if (mem) {
        ngx_meet_media_mem_stats(&used, &budget, &refused);
        json_object_set_new(mem, "used", json_integer((json_int_t) used));
        json_object_set_new(mem, "budget", json_integer((json_int_t) budget));
        json_object_set_new(mem, "refused",
                            json_integer((json_int_t) refused));
        json_object_set_new(mem, "full",
                            json_boolean(ngx_meet_media_mem_full()));
        json_object_set_new(out, "memory", mem);
    }

    drops = json_object();
    if (drops) {
        for (i = 0; i < NGX_MEET_DROP_LAST; i++) {
            if (ngx_meet_rtp_drops[i]) {
                json_object_set_new(drops, ngx_meet_rtp_drop_names[i],
                                    json_integer((json_int_t)
                                                 ngx_meet_rtp_drops[i]));
            }
        }

        json_object_set_new(out, "dropped", drops);
    }

    /* data channels: messages each way, and why some were dropped */

    data = json_object();
    if (data) {
        counters = ngx_meet_rtp_data_counters;

        for (i = 0; counters[i].name; i++) {
            json_object_set_new(data, counters[i].name,
                                json_integer((json_int_t)
                                             *counters[i].value));
        }

        drops = json_object();
        if (drops) {
            for (i = 0; i < NGX_MEET_DATA_DROP_LAST; i++) {
                if (ngx_meet_rtp_data_drops[i]) {
                    json_object_set_new(drops,
                                        ngx_meet_rtp_data_drop_names[i],
                                        json_integer((json_int_t)
                                            ngx_meet_rtp_data_drops[i]));
                }
            }

            json_object_set_new(data, "dropped", drops);
        }

        json_object_set_new(out, "data", data);
    }

    if (n == 0) {
        ngx_log_error(NGX_LOG_WARN, log, 0,
                      "meet health: no media UDP socket is open");
        return NGX_MEET_HEALTH_DOWN;
    }

    return NGX_MEET_HEALTH_OK;
}
