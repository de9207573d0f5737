/* sources: ngx_meet_signal_module/lib/meet_lk_data.c ngx_meet_signal_module/lib/meet_ws.c build/gen/livekit_data.pb-c.c build/gen/livekit_signal.pb-c.c */

/*
 * LiveKit data messages as a participant sends them: the first byte picks
 * the channel and whether the sender is hidden; a packet that decodes is
 * rewritten as the signal module does, checked against a nonce ring and
 * a destination, packed again (to the announced size), and must decode
 * and pass the checks again.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "meet_lk_data.h"


static meet_lk_data_nonces_t  nonces;


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t                  len;
    uint8_t                *buf;
    uint32_t                last;
    Livekit__DataPacket    *dp, *dp2;
    meet_lk_data_sender_t   sender = { "PA_fuzz", "fuzz", 0 };
    meet_lk_data_limits_t   limits = { 65536, 64 };
    meet_lk_data_limits_t   again = { 4 * 65536, 3 * 64 };

    if (size < 1) {
        return 0;
    }

    sender.hidden = (data[0] >> 1) & 1;

    if (meet_lk_data_decode(data + 1, size - 1, &limits, NULL, &dp)
        != MEET_LK_DATA_OK)
    {
        return 0;
    }

    last = 3;

    if (meet_lk_data_rewrite(dp, data[0] & 1, &sender, &last, NULL)
        == MEET_LK_DATA_OK)
    {
        (void) meet_lk_data_duplicate(&nonces, dp);
        (void) meet_lk_data_wants(dp, "PA_other", "other");

        len = livekit__data_packet__get_packed_size(dp);
        buf = malloc(len + 1);

        if (livekit__data_packet__pack(dp, buf) != len) {
            abort();
        }

        if (meet_lk_data_decode(buf, len, &again, NULL, &dp2)
            != MEET_LK_DATA_OK)
        {
            abort();
        }

        if (dp2->participant_sid == NULL
            || strcmp(dp2->participant_sid, "PA_fuzz") != 0)
        {
            abort();
        }

        livekit__data_packet__free_unpacked(dp2, NULL);
        free(buf);
    }

    livekit__data_packet__free_unpacked(dp, NULL);

    return 0;
}
