
/*
 * Copyright (C) ngx_meet authors
 *
 * The SDP side of signaling: offers from the client (in the join request
 * and as SignalRequest.offer), answers from us, and what they say about
 * published tracks.
 */


#ifndef _NGX_MEET_SIGNAL_SDP_H_INCLUDED_
#define _NGX_MEET_SIGNAL_SDP_H_INCLUDED_


#include "ngx_meet_signal.h"


/*
 * Answers an offer and updates the peer's tracks from it: a track added
 * with add_track is published when a sending media section carries its
 * cid as msid track id; a published track whose section stops sending is
 * unpublished.  A malformed offer closes the session (1007).
 */
ngx_int_t ngx_meet_signal_offer(ngx_meet_signal_peer_t *peer,
    Livekit__SessionDescription *offer);

/* the forwarding entries a peer that leaves receives */
void ngx_meet_signal_downtracks_free(ngx_meet_signal_peer_t *peer);

/* dynacast: tell publishers which simulcast layers are wanted */
void ngx_meet_signal_dynacast(ngx_meet_signal_room_t *room);

/* UpdateTrackSettings: the layer, or none, a subscriber wants of tracks */
void ngx_meet_signal_track_settings(ngx_meet_signal_peer_t *peer,
    Livekit__UpdateTrackSettings *ts);

/* puts the signal module's handler on the media state hooks
 * (postconfiguration) */
void ngx_meet_signal_sdp_init(void);

/* the worker's offer buffers, at process exit */
void ngx_meet_signal_sdp_exit(void);

/* what the SDP code keeps per peer, freed with it: its media transport
 * (again: nothing when already freed) */
void ngx_meet_signal_sdp_free(ngx_meet_signal_peer_t *peer);


#endif /* _NGX_MEET_SIGNAL_SDP_H_INCLUDED_ */
