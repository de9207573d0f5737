
/*
 * Copyright (C) ngx_meet authors
 *
 * LiveKit signaling codec glue, in plain C (no nginx types): the /rtc/v1
 * "join_request" query parameter (percent-encoded, base64url, optionally
 * gzip-compressed WrappedJoinRequest) and protobuf-c allocation.  The
 * messages themselves are protobuf-c code generated from
 * livekit_signal.proto.
 */


#ifndef _MEET_LK_CODEC_H_INCLUDED_
#define _MEET_LK_CODEC_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>
#include "livekit_signal.pb-c.h"


/* the largest JoinRequest accepted after decompression */
#define MEET_LK_JOIN_MAX        (256 * 1024)
/* the longest join_request query value accepted */
#define MEET_LK_JOIN_ARG_MAX    (64 * 1024)


/*
 * Decodes a join_request query value into a JoinRequest allocated with
 * "allocator" (NULL: malloc; free it with
 * livekit__join_request__free_unpacked()).  Returns 0, or -1 with *err set
 * to a static reason.  Temporary buffers come from the allocator too and
 * are freed before returning.
 */
int meet_lk_join_request_decode(const unsigned char *arg, size_t len,
    ProtobufCAllocator *allocator, Livekit__JoinRequest **out,
    const char **err);

/*
 * Base64 decoding that accepts both alphabets (standard and URL-safe) with
 * or without padding; returns the decoded length or -1.  dst must hold
 * len * 3 / 4 + 3 bytes.
 */
long meet_lk_base64_decode(unsigned char *dst, const unsigned char *src,
    size_t len);


#endif /* _MEET_LK_CODEC_H_INCLUDED_ */
