#!/usr/bin/python3
"""A GStreamer 1.22 webrtcbin participant whose signalling (and, with --e2ee, crypto) is driven over pipes.

stdin, one JSON object a line: {"type": "offer", "sdp": ...} (the appliance's offer).
stdout, one JSON object a line: {"type": "answer", "sdp": ...}, then {"type": "state", ...}
each time webrtcbin's ICE or DTLS state changes, and {"type": "error", "message": ...}.
webrtcbin's DTLS client offers SRTP_AES128_CM_SHA1_80 only (RFC 5764 §4.1.2). It runs until
stdin closes.

Without arguments the script publishes plain Opus (PT 111, as the appliance offers) in the
appliance's audio section, and receives nothing.

With --e2ee it holds no key: every media frame crosses the pipe to whoever drives it, base64
in JSON lines, and only what comes back is sent or decoded (docs/e2ee.md: SFrame, RFC 9605).
  send:    audiotestsrc (440 Hz) ! opusenc ! appsink  -> {"type": "seal", "kind": "audio", "pts", "duration", "data"}
           {"type": "sealed", ...same fields, "data"}  -> appsrc ! rtpopuspay pt=111 ! webrtcbin
  receive: webrtcbin src pad ! rtpopusdepay | rtpvp8depay ! appsink -> {"type": "open", "kind", "mid", "pts", "data"}
           {"type": "opened", ...same fields, "data"}  -> appsrc ! opusdec | vp8dec ! fakesink (counted)
Every second it reports {"type": "counts", "received": {kind: n}, "decoded": {kind: n},
"sent": n, "videoSize": "WxH" of the last decoded picture}.
"""

import base64
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
TONE_HZ = 440
OPUS_CAPS = f"application/x-rtp,media=audio,encoding-name=OPUS,payload={OPUS_PAYLOAD_TYPE},clock-rate=48000"
DEPAYLOADERS = {"OPUS": ("audio", "rtpopusdepay", "opusdec"), "VP8": ("video", "rtpvp8depay", "vp8dec")}

# State changes are signalled on webrtcbin's own threads, frames on streaming threads: one line at a time.
stdout_lock = threading.Lock()


def emit(message):
    with stdout_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def buffer_bytes(buffer):
    ok, info = buffer.map(Gst.MapFlags.READ)
    if not ok:
        return None
    try:
        return bytes(info.data)
    finally:
        buffer.unmap(info)


def clock_time(value):
    """A time for JSON: null for none (2^64 - 1 is no JavaScript number)."""
    return None if value == Gst.CLOCK_TIME_NONE else value


def frame_message(kind, buffer, **fields):
    data = buffer_bytes(buffer)
    if data is None:
        return None
    return {
        "kind": kind,
        "pts": clock_time(buffer.pts),
        "duration": clock_time(buffer.duration),
        "data": base64.b64encode(data).decode("ascii"),
        **fields,
    }


def frame_buffer(message):
    buffer = Gst.Buffer.new_wrapped(base64.b64decode(message["data"]))
    buffer.pts = Gst.CLOCK_TIME_NONE if message["pts"] is None else message["pts"]
    buffer.duration = Gst.CLOCK_TIME_NONE if message["duration"] is None else message["duration"]
    return buffer


class Participant:
    def __init__(self, loop, e2ee):
        self.loop = loop
        self.e2ee = e2ee
        if e2ee:
            send = (
                f"audiotestsrc is-live=true wave=sine freq={TONE_HZ} ! audioconvert ! audioresample ! opusenc ! "
                "appsink name=encoded emit-signals=true sync=false "
                "appsrc name=sealed is-live=true format=time ! "
            )
        else:
            send = "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc ! "
        self.pipeline = Gst.parse_launch(
            f"webrtcbin name=webrtc bundle-policy=max-bundle {send}"
            f"rtpopuspay pt={OPUS_PAYLOAD_TYPE} ! {OPUS_CAPS} ! webrtc.sink_0"
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
        # Counts and decode branches are touched from streaming threads and the stdin reader.
        self.lock = threading.Lock()
        self.received = {"audio": 0, "video": 0}
        self.decoded = {"audio": 0, "video": 0}
        self.sent = 0
        self.video_size = None
        self.decoders = {}
        if e2ee:
            self.sealed = self.pipeline.get_by_name("sealed")
            encoded = self.pipeline.get_by_name("encoded")
            encoded.connect("new-sample", self.on_encoded)
            self.webrtc.connect("pad-added", self.on_pad_added)
            GLib.timeout_add_seconds(1, self.report_counts)
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

    # --- --e2ee: frames out to be sealed, sealed frames in to be sent

    def on_encoded(self, sink):
        sample = sink.emit("pull-sample")
        if self.sealed.get_property("caps") is None:
            self.sealed.set_property("caps", sample.get_caps())
        message = frame_message("audio", sample.get_buffer(), type="seal")
        if message is not None:
            emit(message)
        return Gst.FlowReturn.OK

    def on_sealed(self, message):
        with self.lock:
            self.sent += 1
        self.sealed.emit("push-buffer", frame_buffer(message))

    # --- --e2ee: received frames out to be opened, opened frames in to be decoded

    def on_pad_added(self, _webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        caps = pad.get_current_caps() or pad.query_caps(None)
        encoding = caps.get_structure(0).get_string("encoding-name") if caps and caps.get_size() > 0 else None
        transceiver = pad.get_property("transceiver")
        mid = transceiver.get_property("mid") if transceiver is not None else None
        if encoding not in DEPAYLOADERS:
            self.link_new(pad, [Gst.ElementFactory.make("fakesink")])
            return
        kind, depayloader, decoder = DEPAYLOADERS[encoding]
        sink = Gst.ElementFactory.make("appsink")
        sink.set_property("emit-signals", True)
        sink.set_property("sync", False)
        sink.connect("new-sample", self.on_depayloaded, kind, mid)
        self.link_new(pad, [Gst.ElementFactory.make(depayloader), sink])
        # The decode branch of this mid: fed only with what was opened.
        source = Gst.ElementFactory.make("appsrc")
        source.set_property("format", Gst.Format.TIME)
        counter = Gst.ElementFactory.make("fakesink")
        counter.set_property("sync", False)
        counter.set_property("async", False)
        counter.set_property("signal-handoffs", True)
        counter.connect("handoff", self.on_decoded, kind)
        with self.lock:
            self.decoders[mid] = source
        self.link_new(None, [source, Gst.ElementFactory.make(decoder), counter])
        emit({"type": "track", "kind": kind, "mid": mid, "encoding": encoding})

    def link_new(self, pad, elements):
        for element in elements:
            self.pipeline.add(element)
        for upstream, downstream in zip(elements, elements[1:]):
            upstream.link(downstream)
        for element in elements:
            element.sync_state_with_parent()
        if pad is not None:
            pad.link(elements[0].get_static_pad("sink"))

    def on_depayloaded(self, sink, kind, mid):
        sample = sink.emit("pull-sample")
        with self.lock:
            self.received[kind] += 1
            source = self.decoders.get(mid)
        if source is not None and source.get_property("caps") is None:
            source.set_property("caps", sample.get_caps())
        message = frame_message(kind, sample.get_buffer(), type="open", mid=mid)
        if message is not None:
            emit(message)
        return Gst.FlowReturn.OK

    def on_opened(self, message):
        with self.lock:
            source = self.decoders.get(message["mid"])
        if source is not None:
            source.emit("push-buffer", frame_buffer(message))

    def on_decoded(self, sink, _buffer, pad, kind):
        with self.lock:
            self.decoded[kind] += 1
            if kind == "video" and self.video_size is None:
                structure = pad.get_current_caps().get_structure(0)
                self.video_size = f"{structure.get_int('width')[1]}x{structure.get_int('height')[1]}"

    def report_counts(self):
        with self.lock:
            counts = {"type": "counts", "received": dict(self.received), "decoded": dict(self.decoded), "sent": self.sent, "videoSize": self.video_size}
        emit(counts)
        return True

    def stop(self):
        self.pipeline.set_state(Gst.State.NULL)
        self.loop.quit()


def read_driver(participant):
    for line in sys.stdin:
        message = json.loads(line)
        kind = message.get("type")
        if kind == "offer":
            GLib.idle_add(participant.on_offer, message["sdp"])
        elif kind == "sealed":
            participant.on_sealed(message)
        elif kind == "opened":
            participant.on_opened(message)
    GLib.idle_add(participant.stop)


def main():
    Gst.init(None)
    loop = GLib.MainLoop()
    participant = Participant(loop, e2ee="--e2ee" in sys.argv[1:])
    threading.Thread(target=read_driver, args=(participant,), daemon=True).start()
    loop.run()


if __name__ == "__main__":
    main()
