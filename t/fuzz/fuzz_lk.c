/* sources: ngx_meet_signal_module/lib/meet_lk_codec.c build/gen/livekit_signal.pb-c.c */

/*
 * The protobuf and join_request decoding of the signal module: the first
 * byte picks the decoder (join_request query value, SignalRequest as a
 * WebSocket message carries it, or JoinRequest bytes); decoded messages
 * are re-encoded (to the announced size) and decoded again.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "meet_lk_codec.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                   len;
    uint8_t                 *buf;
    const char              *err;
    Livekit__JoinRequest    *jr, *jr2;
    Livekit__SignalRequest  *sr, *sr2;

    if (size < 1) {
        return 0;
    }

    switch (data[0] % 3) {

    case 0:
        if (meet_lk_join_request_decode(data + 1, size - 1, NULL, &jr, &err)
            == 0 && jr->base.n_unknown_fields == 0)
        {
            len = livekit__join_request__get_packed_size(jr);
            buf = malloc(len + 1);
            if (livekit__join_request__pack(jr, buf) != len) {
                abort();
            }
            jr2 = livekit__join_request__unpack(NULL, len, buf);
            if (jr2) {
                livekit__join_request__free_unpacked(jr2, NULL);
            }
            free(buf);
            livekit__join_request__free_unpacked(jr, NULL);

        } else if (jr) {
            livekit__join_request__free_unpacked(jr, NULL);
        }
        break;

    case 1:
        sr = livekit__signal_request__unpack(NULL, size - 1, data + 1);

        /*
         * protobuf-c keeps unknown fields and packs them again, even a
         * field number 0 it should have refused (also in nested
         * messages); then the copy does not decode.  The round trip must
         * not crash or leak, and a copy that decodes must agree.
         */
        if (sr && sr->base.n_unknown_fields) {
            livekit__signal_request__free_unpacked(sr, NULL);
            sr = NULL;
        }

        if (sr) {
            len = livekit__signal_request__get_packed_size(sr);
            buf = malloc(len + 1);
            if (livekit__signal_request__pack(sr, buf) != len) {
                abort();
            }
            sr2 = livekit__signal_request__unpack(NULL, len, buf);
            if (sr2 && sr2->message_case != sr->message_case) {
                abort();
            }
            if (sr2) {
                livekit__signal_request__free_unpacked(sr2, NULL);
            }
            free(buf);
            livekit__signal_request__free_unpacked(sr, NULL);
        }
        break;

    default:
        jr = livekit__join_request__unpack(NULL, size - 1, data + 1);
        if (jr) {
            livekit__join_request__free_unpacked(jr, NULL);
        }
        break;
    }

    return 0;
}
