#!/usr/bin/python3
"""A GStreamer 1.22 webrtcbin participant whose signalling the test drives.

stdin, one JSON object a line: {"type": "offer", "sdp": ...} (the appliance's offer).
stdout, one JSON object a line: {"type": "answer", "sdp": ...}, then {"type": "state", ...}
each time webrtcbin's ICE or DTLS state changes, and {"type": "error", "message": ...}.
The script publishes Opus (PT 111, as the appliance offers) in the appliance's audio
section; webrtcbin's DTLS client offers SRTP_AES128_CM_SHA1_80 (RFC 5764 §4.1.2).
It runs until stdin closes.
"""

import json
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("Nice", "0.1")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC, Nice  # noqa: E402

OPUS_PAYLOAD_TYPE = 111

# State changes are signalled on webrtcbin's own threads: one line at a time.
stdout_lock = threading.Lock()


def emit(message):
    with stdout_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


class Participant:
    def __init__(self, loop):
        self.loop = loop
        self.pipeline = Gst.parse_launch(
            "webrtcbin name=webrtc bundle-policy=max-bundle "
            "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc ! "
            f"rtpopuspay pt={OPUS_PAYLOAD_TYPE} ! "
            f"application/x-rtp,media=audio,encoding-name=OPUS,payload={OPUS_PAYLOAD_TYPE},clock-rate=48000 ! webrtc.sink_0"
        )
        self.webrtc = self.pipeline.get_by_name("webrtc")
        # libnice gathers no loopback candidate of its own; the appliance listens on 127.0.0.1.
        # Both objects are kept: PyGObject frees the agent wrapper otherwise.
        self.ice = self.webrtc.get_property("ice-agent")
        self.agent = self.ice.get_property("agent")
        loopback = Nice.Address.new()
        loopback.set_from_string("127.0.0.1")
        if not self.agent.add_local_address(loopback):
            raise RuntimeError("libnice refused the loopback address")
        self.states = {}
        self.dtls_transport = None
        self.webrtc.connect("notify::ice-connection-state", self.on_state)
        self.webrtc.connect("notify::connection-state", self.on_state)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_error)
        self.pipeline.set_state(Gst.State.PLAYING)

    def on_error(self, _bus, message):
        error, debug = message.parse_error()
        emit({"type": "error", "message": f"{error.message} ({debug})"})

    def on_state(self, *_):
        states = {
            "ice": self.webrtc.get_property("ice-connection-state").value_nick,
            "connection": self.webrtc.get_property("connection-state").value_nick,
        }
        transceiver = self.webrtc.emit("get-transceiver", 0)
        transport = transceiver.get_property("sender").get_property("transport") if transceiver else None
        if transport is not None:
            states["dtls"] = transport.get_property("state").value_nick
            if self.dtls_transport is None:
                self.dtls_transport = transport
                transport.connect("notify::state", self.on_state)
        if states != self.states:
            self.states = states
            emit({"type": "state", **states})

    def on_offer(self, sdp_text):
        _, sdp = GstSdp.SDPMessage.new_from_text(sdp_text)
        offer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.OFFER, sdp)
        promise = Gst.Promise.new_with_change_func(self.on_remote_set, None)
        self.webrtc.emit("set-remote-description", offer, promise)

    def on_remote_set(self, promise, _):
        promise.wait()
        self.webrtc.emit("create-answer", None, Gst.Promise.new_with_change_func(self.on_answer, None))

    def on_answer(self, promise, _):
        promise.wait()
        reply = promise.get_reply()
        answer = reply.get_value("answer") if reply else None
        if answer is None:
            emit({"type": "error", "message": f"create-answer failed: {reply.to_string() if reply else 'no reply'}"})
            return
        self.webrtc.emit("set-local-description", answer, Gst.Promise.new())
        emit({"type": "answer", "sdp": answer.sdp.as_text()})
        self.on_state()

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)
        self.loop.quit()


def read_signalling(participant):
    for line in sys.stdin:
        message = json.loads(line)
        if message.get("type") == "offer":
            GLib.idle_add(participant.on_offer, message["sdp"])
    GLib.idle_add(participant.stop)


def main():
    Gst.init(None)
    loop = GLib.MainLoop()
    participant = Participant(loop)
    threading.Thread(target=read_signalling, args=(participant,), daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()
