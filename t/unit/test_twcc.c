/* sources: ngx_meet_rtp_stream_module/lib/meet_rtcp.c */

/*
 * Transport-wide CC feedback built by meet_rtcp_build_twcc() decodes back
 * (with the RTCP walker and meet_rtcp_twcc_decode(), written separately)
 * to the same statuses and arrival times, quantized to 250 us.
 */

#include <string.h>
#include <stdint.h>
#include "tap.h"
#include "meet_rtcp.h"


static void
roundtrip(const char *name, const int64_t *arr, size_t n, uint16_t base)
{
    u_char                   buf[4096];
    size_t                   len, i;
    int64_t                  t, first;
    int                      rc;
    meet_rtcp_fb_t           fb;
    meet_rtcp_iter_t         it;
    meet_rtcp_packet_t       pkt;
    meet_rtcp_twcc_t         tw;
    meet_rtcp_twcc_status_t  st[2048];

    len = meet_rtcp_build_twcc(buf, sizeof(buf), 0x11223344, 0x55667788, 7,
                               base, arr, n);
    ok(len > 0 && len % 4 == 0, "%s: built, %zu bytes", name, len);
    is_int(meet_rtcp_validate(buf, len), 1, "%s: one valid RTCP packet", name);

    meet_rtcp_iter_init(&it, buf, len);
    rc = meet_rtcp_next(&it, &pkt);
    ok(rc == 1 && pkt.pt == 205 && pkt.count == 15, "%s: RTPFB FMT 15", name);
    is_int(meet_rtcp_parse_fb(&pkt, &fb), 0, "%s: feedback header", name);
    is_int(fb.media_ssrc, 0x55667788, "%s: media SSRC", name);
    is_int(meet_rtcp_parse_twcc(&fb, &tw), 0, "%s: TWCC header", name);
    is_int(tw.base_seq, base, "%s: base seq", name);
    is_int(tw.status_count, (int) n, "%s: status count", name);
    is_int(tw.fb_count, 7, "%s: feedback count", name);
    is_int(meet_rtcp_twcc_decode(&tw, st, 2048), (int) n,
           "%s: decoded all statuses", name);

    for (first = 0; first < (int64_t) n && arr[first] < 0; first++) { }
    t = (int64_t) tw.ref_time * 64000;

    for (i = 0; i < n; i++) {
        if (arr[i] < 0) {
            if (st[i].status != 0) {
                break;
            }
            continue;
        }
        t += (int64_t) st[i].delta * 250;
        /* quantization error never accumulates beyond one step */
        if (st[i].status == 0 || t > arr[i] || arr[i] - t >= 250) {
            break;
        }
    }
    is_int(i, (int) n, "%s: every arrival within 250 us", name);
}


int
main(void)
{
    size_t   i;
    int64_t  a[2000];

    /* 10 packets, 5 ms apart */
    for (i = 0; i < 10; i++) {
        a[i] = 1000000000 + i * 5000;
    }
    roundtrip("steady", a, 10, 100);

    /* losses, a big gap (2-byte delta) and reordering (negative) */
    a[0] = 2000000000; a[1] = -1; a[2] = -1; a[3] = 2000000000 + 300000;
    a[4] = 2000000000 + 299000; a[5] = -1; a[6] = 2000000000 + 301000;
    roundtrip("loss, gap, reorder", a, 7, 65533);

    /* first packets lost; long runs for run-length chunks */
    for (i = 0; i < 2000; i++) {
        a[i] = (i < 3) ? -1 : 3000000000LL + (int64_t) i * 1000;
    }
    roundtrip("2000 packets", a, 2000, 0);

    /* nothing arrived: nothing to say */
    for (i = 0; i < 4; i++) {
        a[i] = -1;
    }
    is_int(meet_rtcp_build_twcc((u_char *) a + 64, 64, 1, 2, 0, 0, a, 4), 0,
           "no arrival: no feedback");
    is_int(meet_rtcp_build_twcc((u_char *) a + 64, 8, 1, 2, 0, 0, a, 0), 0,
           "count 0: no feedback");

    return done_testing();
}
