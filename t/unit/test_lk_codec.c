/* sources: ngx_meet_signal_module/lib/meet_lk_codec.c build/gen/livekit_signal.pb-c.c */

/*
 * The join_request query value of /rtc/v1: percent-encoding, base64url,
 * WrappedJoinRequest, gzip, JoinRequest.
 */

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "tap.h"
#include "meet_lk_codec.h"


static size_t
b64url(const unsigned char *in, size_t len, char *out, int pad, int pct)
{
    static const char  a[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t    i, o;
    uint32_t  v;

    o = 0;
    for (i = 0; i + 2 < len; i += 3) {
        v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];
        out[o++] = a[v >> 18 & 63]; out[o++] = a[v >> 12 & 63];
        out[o++] = a[v >> 6 & 63]; out[o++] = a[v & 63];
    }
    if (len - i == 1) {
        v = in[i] << 16;
        out[o++] = a[v >> 18 & 63]; out[o++] = a[v >> 12 & 63];
        if (pad) {
            for (int k = 0; k < 2; k++) {
                if (pct) { memcpy(out + o, "%3D", 3); o += 3; }
                else { out[o++] = '='; }
            }
        }
    } else if (len - i == 2) {
        v = in[i] << 16 | in[i + 1] << 8;
        out[o++] = a[v >> 18 & 63]; out[o++] = a[v >> 12 & 63];
        out[o++] = a[v >> 6 & 63];
        if (pad) {
            if (pct) { memcpy(out + o, "%3D", 3); o += 3; }
            else { out[o++] = '='; }
        }
    }
    out[o] = '\0';
    return o;
}


static size_t
gzip_data(const unsigned char *in, size_t len, unsigned char *out,
    size_t size)
{
    z_stream  zs;

    memset(&zs, 0, sizeof(zs));
    deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    zs.next_in = (Bytef *) in;
    zs.avail_in = len;
    zs.next_out = out;
    zs.avail_out = size;
    deflate(&zs, Z_FINISH);
    deflateEnd(&zs);
    return size - zs.avail_out;
}


/* a JoinRequest with a client_info and an offer, wrapped */
static size_t
make_arg(char *arg, int compression, int pad, int pct, const char *sdp)
{
    unsigned char                 jr_buf[8192], gz[8192], w_buf[8192];
    size_t                        jr_len, w_len;
    Livekit__ClientInfo           ci = LIVEKIT__CLIENT_INFO__INIT;
    Livekit__SessionDescription   sd = LIVEKIT__SESSION_DESCRIPTION__INIT;
    Livekit__JoinRequest          jr = LIVEKIT__JOIN_REQUEST__INIT;
    Livekit__WrappedJoinRequest   w = LIVEKIT__WRAPPED_JOIN_REQUEST__INIT;

    ci.sdk = LIVEKIT__CLIENT_INFO__SDK__JS;
    ci.version = "2.21.0";
    ci.protocol = 17;
    sd.type = "offer";
    sd.sdp = (char *) sdp;
    sd.id = 1;
    jr.client_info = &ci;
    jr.publisher_offer = &sd;

    jr_len = livekit__join_request__pack(&jr, jr_buf);

    w.compression = compression;
    if (compression == LIVEKIT__WRAPPED_JOIN_REQUEST__COMPRESSION__GZIP) {
        w.join_request.len = gzip_data(jr_buf, jr_len, gz, sizeof(gz));
        w.join_request.data = gz;
    } else {
        w.join_request.len = jr_len;
        w.join_request.data = jr_buf;
    }

    w_len = livekit__wrapped_join_request__pack(&w, w_buf);

    return b64url(w_buf, w_len, arg, pad, pct);
}


int
main(void)
{
    char                   arg[16384];
    unsigned char          buf[64], big[300000], gz[400000], w_buf[400000];
    long                   n;
    size_t                 len;
    const char            *err;
    Livekit__JoinRequest  *jr;
    Livekit__WrappedJoinRequest  w = LIVEKIT__WRAPPED_JOIN_REQUEST__INIT;

    /* base64: both alphabets, padding optional */
    n = meet_lk_base64_decode(buf, (const unsigned char *) "aGk=", 4);
    ok(n == 2 && memcmp(buf, "hi", 2) == 0, "base64 padded");
    n = meet_lk_base64_decode(buf, (const unsigned char *) "aGk", 3);
    ok(n == 2 && memcmp(buf, "hi", 2) == 0, "base64 unpadded");
    n = meet_lk_base64_decode(buf, (const unsigned char *) "-_-_", 4);
    ok(n == 3 && buf[0] == 0xfb && buf[1] == 0xff && buf[2] == 0xbf,
       "base64url alphabet");
    n = meet_lk_base64_decode(buf, (const unsigned char *) "+/+/", 4);
    ok(n == 3 && buf[0] == 0xfb && buf[2] == 0xbf, "standard alphabet");
    is_int(meet_lk_base64_decode(buf, (const unsigned char *) "a", 1), -1,
           "base64: 1 char is invalid");
    is_int(meet_lk_base64_decode(buf, (const unsigned char *) "aGk===", 6),
           -1, "base64: 3 pads are invalid");
    is_int(meet_lk_base64_decode(buf, (const unsigned char *) "aG!k", 4),
           -1, "base64: bad character");
    is_int(meet_lk_base64_decode(buf, (const unsigned char *) "", 0), 0,
           "base64: empty");

    /* what livekit-client 2.21 sends: gzip, padded, "=" as %3D */
    len = make_arg(arg, LIVEKIT__WRAPPED_JOIN_REQUEST__COMPRESSION__GZIP, 1,
                   1, "v=0\r\n");
    is_int(meet_lk_join_request_decode((unsigned char *) arg, len, NULL, &jr,
                                       &err), 0, "gzip join request decodes");
    ok(jr && jr->client_info && strcmp(jr->client_info->version, "2.21.0") == 0,
       "client_info.version");
    ok(jr && jr->publisher_offer && jr->publisher_offer->id == 1
       && strcmp(jr->publisher_offer->sdp, "v=0\r\n") == 0,
       "publisher_offer carried");
    if (jr) {
        livekit__join_request__free_unpacked(jr, NULL);
    }

    len = make_arg(arg, LIVEKIT__WRAPPED_JOIN_REQUEST__COMPRESSION__NONE, 0,
                   0, "v=0\r\n");
    is_int(meet_lk_join_request_decode((unsigned char *) arg, len, NULL, &jr,
                                       &err), 0, "uncompressed, unpadded");
    if (jr) {
        livekit__join_request__free_unpacked(jr, NULL);
    }

    /* errors, each with a reason */
    is_int(meet_lk_join_request_decode((unsigned char *) "", 0, NULL, &jr,
                                       &err), -1, "empty is refused");
    is_int(meet_lk_join_request_decode((unsigned char *) "ab%zz", 5, NULL,
                                       &jr, &err), -1, "bad escape refused");
    is_str(err, "join_request has a bad percent escape", "... reason");
    is_int(meet_lk_join_request_decode((unsigned char *) "ab%3", 4, NULL,
                                       &jr, &err), -1, "short escape refused");
    is_int(meet_lk_join_request_decode((unsigned char *) "a!!b", 4, NULL,
                                       &jr, &err), -1, "not base64 refused");
    is_str(err, "join_request is not base64", "... reason");
    /* 0xff... is not a WrappedJoinRequest (bad varint/wire type) */
    is_int(meet_lk_join_request_decode((unsigned char *) "______8", 7, NULL,
                                       &jr, &err), -1,
           "not a WrappedJoinRequest refused");

    /* gzip flag on data that is not gzip */
    w.compression = LIVEKIT__WRAPPED_JOIN_REQUEST__COMPRESSION__GZIP;
    w.join_request.data = (uint8_t *) "not gzip at all";
    w.join_request.len = 15;
    len = livekit__wrapped_join_request__pack(&w, w_buf);
    len = b64url(w_buf, len, arg, 1, 1);
    is_int(meet_lk_join_request_decode((unsigned char *) arg, len, NULL, &jr,
                                       &err), -1, "bad gzip refused");
    is_str(err, "join_request is not valid gzip data", "... reason");

    /* a gzip bomb: small on the wire, over 256 KB inflated */
    memset(big, 0, sizeof(big));
    w.join_request.len = gzip_data(big, sizeof(big), gz, sizeof(gz));
    w.join_request.data = gz;
    len = livekit__wrapped_join_request__pack(&w, w_buf);
    ok(len < 4096, "bomb is small compressed");
    len = b64url(w_buf, len, arg, 1, 1);
    is_int(meet_lk_join_request_decode((unsigned char *) arg, len, NULL, &jr,
                                       &err), -1, "gzip bomb refused");
    is_str(err, "join_request larger than 256 KB after decompression",
           "... reason");

    /* unknown compression value */
    w.compression = 7;
    w.join_request.data = (uint8_t *) "x";
    w.join_request.len = 1;
    len = livekit__wrapped_join_request__pack(&w, w_buf);
    len = b64url(w_buf, len, arg, 0, 0);
    is_int(meet_lk_join_request_decode((unsigned char *) arg, len, NULL, &jr,
                                       &err), -1, "unknown compression");

    /* uncompressed bytes that are not a JoinRequest */
    w.compression = 0;
    w.join_request.data = (uint8_t *) "\xff\xff\xff";
    w.join_request.len = 3;
    len = livekit__wrapped_join_request__pack(&w, w_buf);
    len = b64url(w_buf, len, arg, 0, 0);
    is_int(meet_lk_join_request_decode((unsigned char *) arg, len, NULL, &jr,
                                       &err), -1, "garbage JoinRequest");
    is_str(err, "join_request does not hold a JoinRequest", "... reason");

    /* too long */
    memset(arg, 'A', sizeof(arg));
    is_int(meet_lk_join_request_decode((unsigned char *) arg,
                                       MEET_LK_JOIN_ARG_MAX + 1, NULL, &jr,
                                       &err), -1, "over 64 KB refused");

    return done_testing();
}
