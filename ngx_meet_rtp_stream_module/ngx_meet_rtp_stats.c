
/*
 * Copyright (C) ngx_meet authors
 *
 * The per-worker counters of the media plane and their names in /healthz
 * (components.media), in one place as nginx keeps its ngx_stat_*.  The
 * other files only increment them; ngx_meet_rtp_stream_module.c zeroes
 * them when a worker starts and reports them.
 */


#include "ngx_meet_rtp_stream.h"


ngx_uint_t  ngx_meet_rtp_npeers;          /* participants with media */

ngx_uint_t  ngx_meet_rtp_drops[NGX_MEET_DROP_LAST];

ngx_uint_t  ngx_meet_rtp_retransmits;     /* answers to subscribers' NACKs */
ngx_uint_t  ngx_meet_rtp_nack_repeats;    /* NACKed again too soon, or too
                                             often: not answered */
ngx_uint_t  ngx_meet_rtp_nack_over_rate;  /* over meet_rtp_nack_rate */
ngx_uint_t  ngx_meet_rtp_rtcp_ignored;    /* packets of a compound after
                                             meet_rtp_rtcp_max_packets */
ngx_uint_t  ngx_meet_rtp_nacks_sent;      /* NACKs to publishers */
ngx_uint_t  ngx_meet_rtp_rtx_received;    /* publishers' RTX packets */
ngx_uint_t  ngx_meet_rtp_plis_sent;
ngx_uint_t  ngx_meet_rtp_recovered;       /* losses from publishers filled */
ngx_uint_t  ngx_meet_rtp_unrecovered;     /*   and given up on */
ngx_uint_t  ngx_meet_rtp_rr_sent;         /* receiver reports */
ngx_uint_t  ngx_meet_rtp_batches;         /* sendmmsg() calls */
ngx_uint_t  ngx_meet_rtp_batched;         /* datagrams they carried */
ngx_uint_t  ngx_meet_rtp_layer_switches;
ngx_uint_t  ngx_meet_rtp_mem_refused;     /* tracks and ICE-TCP connections
                                             refused meet_media_memory */
ngx_uint_t  ngx_meet_rtp_history_slots;   /* packets the NACK histories
                                             hold room for, now */


/* data channels */
ngx_uint_t  ngx_meet_rtp_data_in;         /* whole messages received */
ngx_uint_t  ngx_meet_rtp_data_in_bytes;
ngx_uint_t  ngx_meet_rtp_data_out;        /* messages queued to SCTP */
ngx_uint_t  ngx_meet_rtp_data_out_bytes;
ngx_uint_t  ngx_meet_rtp_data_channels;   /* channels opened */
ngx_uint_t  ngx_meet_rtp_data_assocs;     /* SCTP associations now */

ngx_uint_t  ngx_meet_rtp_data_drops[NGX_MEET_DATA_DROP_LAST];


const char  *ngx_meet_rtp_data_drop_names[NGX_MEET_DATA_DROP_LAST] = {
    "too_big",
    "buffer_full",
    "unknown_stream",
    "data_track",
    "bad_ppid",
    "channel_refused",
    "dcep_malformed",
    "no_memory",
    "send_error"
};


ngx_meet_rtp_counter_t  ngx_meet_rtp_data_counters[] = {
    { "messages_in", &ngx_meet_rtp_data_in },
    { "bytes_in", &ngx_meet_rtp_data_in_bytes },
    { "messages_out", &ngx_meet_rtp_data_out },
    { "bytes_out", &ngx_meet_rtp_data_out_bytes },
    { "channels_opened", &ngx_meet_rtp_data_channels },
    { "associations", &ngx_meet_rtp_data_assocs },
    { NULL, NULL }
};


const char  *ngx_meet_rtp_drop_names[NGX_MEET_DROP_LAST] = {
    "unknown_packet",
    "unbound_address",
    "stun_malformed",
    "stun_unknown_ufrag",
    "stun_integrity",
    "stun_other",
    "stun_response",
    "dtls",
    "srtp_auth",
    "srtp_replay",
    "srtp_other",
    "media_before_dtls",
    "rtcp_too_large"
};


ngx_meet_rtp_counter_t  ngx_meet_rtp_counters[] = {
    { "retransmitted", &ngx_meet_rtp_retransmits },
    { "nack_repeats", &ngx_meet_rtp_nack_repeats },
    { "nack_over_rate", &ngx_meet_rtp_nack_over_rate },
    { "rtcp_packets_ignored", &ngx_meet_rtp_rtcp_ignored },
    { "nacks_sent", &ngx_meet_rtp_nacks_sent },
    { "rtx_received", &ngx_meet_rtp_rtx_received },
    { "plis_sent", &ngx_meet_rtp_plis_sent },
    { "recovered", &ngx_meet_rtp_recovered },
    { "unrecovered", &ngx_meet_rtp_unrecovered },
    { "receiver_reports", &ngx_meet_rtp_rr_sent },
    { "send_batches", &ngx_meet_rtp_batches },
    { "batched_datagrams", &ngx_meet_rtp_batched },
    { "layer_switches", &ngx_meet_rtp_layer_switches },
    { "memory_refused", &ngx_meet_rtp_mem_refused },
    { "history_slots", &ngx_meet_rtp_history_slots },
    { NULL, NULL }
};


void
ngx_meet_rtp_stats_init(void)
{
    ngx_uint_t  i;

    ngx_memzero(ngx_meet_rtp_drops, sizeof(ngx_meet_rtp_drops));
    ngx_memzero(ngx_meet_rtp_data_drops, sizeof(ngx_meet_rtp_data_drops));

    for (i = 0; ngx_meet_rtp_counters[i].name; i++) {
        *ngx_meet_rtp_counters[i].value = 0;
    }

    for (i = 0; ngx_meet_rtp_data_counters[i].name; i++) {
        *ngx_meet_rtp_data_counters[i].value = 0;
    }

    ngx_meet_rtp_npeers = 0;
}


ngx_uint_t
ngx_meet_rtp_log_limit(ngx_meet_rtp_log_limit_t *ll, ngx_uint_t *quiet)
{
    if (ll->logged && ngx_current_msec - ll->logged < 1000) {
        ll->quiet++;
        return 0;
    }

    *quiet = ll->quiet;

    ll->logged = ngx_current_msec ? ngx_current_msec : 1;
    ll->quiet = 0;

    return 1;
}
