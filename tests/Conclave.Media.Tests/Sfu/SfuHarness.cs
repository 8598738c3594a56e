using System.Net;
using System.Security.Cryptography;
using Conclave.Media.Dtls;
using Conclave.Media.Sfu;
using Conclave.Media.Srtp;
using Conclave.Media.Tests.Transport;
using Conclave.Media.Transport;
using Conclave.Testing;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// A media plane whose loop the harness turns by hand (its thread never starts) on a clock
/// that moves only when told, with "browsers" that are a datagram socket, the SRTP contexts
/// a browser would hold and the answers it would give. ICE runs for real (signed Binding
/// requests), and so does offer/answer: every offer is answered through
/// <see cref="PeerHandle.ApplyAnswerAsync"/>, which is what activates forwarding. Only the
/// DTLS handshake is replaced, by handing both sides the same random keys.
/// </summary>
internal sealed class SfuHarness : IDisposable
{
    private readonly Func<IDatagramSocket> _openSocket;
    private readonly int _deliveryWaitMs;
    private readonly SocketAddress _planeAddress;
    private readonly List<HarnessBrowser> _browsers = new();

    /// <param name="openSocket">A socket on a fresh address of the network the plane and the browsers share.</param>
    /// <param name="deliveryWaitMs">How long the plane waits for a datagram sent to it: 0 in memory, where a send has arrived when it returns.</param>
    /// <param name="forwardTap">What sees each forwarded packet, if anything.</param>
    /// <param name="planeSockets">The plane's sockets, one per loop on one port; one from <paramref name="openSocket"/> when not given.</param>
    public SfuHarness(Func<IDatagramSocket> openSocket, int deliveryWaitMs, IForwardTap? forwardTap = null, IReadOnlyList<IDatagramSocket>? planeSockets = null)
    {
        _openSocket = openSocket;
        _deliveryWaitMs = deliveryWaitMs;
        Loops = new MediaPlane(new MediaPlaneOptions
        {
            Sockets = planeSockets ?? [openSocket()], Certificate = DtlsCertificate.CreateSelfSigned(), Time = Clock, ForwardTap = forwardTap,
        });
        _planeAddress = Loops.LocalEndPoint.Serialize();
    }

    public ManualClock Clock { get; } = new();

    /// <summary>The plane with all its loops.</summary>
    public MediaPlane Loops { get; }

    /// <summary>The plane's first loop: the only one, unless the harness was given more sockets.</summary>
    public MediaShard Plane => Loops.Shards[0];

    /// <summary>
    /// A browser joins <paramref name="room"/>: ICE, keys, then its answers to every offer,
    /// publishing the streams given. Whatever that sent anyone (Binding responses, key-frame
    /// requests) is drained, so each browser starts with nothing to receive.
    /// </summary>
    public HarnessBrowser Join(string room, (uint Ssrc, uint RtxSsrc)? video = null, uint? audioSsrc = null)
    {
        var sink = new RecordingSignalSink();
        var shard = Loops.ShardFor(room);
        var peer = shard.Join(room, sink); // the harness is the loop thread
        var keys = new DtlsSrtpKeys((ushort)SrtpProfile.AeadAes128Gcm,
            RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(12), RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(12));
        var browser = new HarnessBrowser(peer, new PeerHandle(shard, peer), sink, _openSocket(), keys, video, audioSsrc);
        _browsers.Add(browser);

        Deliver(IceConnectivityCheck.Request($"{peer.Ice.Local.Ufrag}:{HarnessBrowser.IceUfrag}", peer.Ice.Local.Password, useCandidate: true), browser.Socket);
        peer.OnDtlsConnected(keys);
        Run(browser.Handle.NegotiateAsync());
        AnswerEveryOffer();
        foreach (var response in browser.AnswerConsentChecks()) Deliver(response, browser.Socket);
        foreach (var each in _browsers) each.Drain();
        return browser;
    }

    /// <summary>Every browser answers its latest offer if it has not yet, until no offer is left unanswered.</summary>
    public void AnswerEveryOffer()
    {
        bool answered;
        do
        {
            answered = false;
            foreach (var browser in _browsers)
            {
                var offers = browser.Signals.Offers;
                if (browser.Peer.IsClosed || offers.Count == 0 || offers[^1].Revision == browser.AnsweredRevision) continue;
                var offer = offers[^1];
                var result = Run(browser.Handle.ApplyAnswerAsync(offer.Revision, browser.Answer(offer.Sdp)));
                if (result.Outcome != AnswerOutcome.Applied) throw new InvalidOperationException($"the harness's answer was refused: {result.Refusal}");
                browser.AnsweredRevision = offer.Revision;
                answered = true;
            }
        } while (answered);
    }

    /// <summary>The room's MLS group is at <paramref name="epoch"/>, as the delivery service tells the plane; the loop turns to take it.</summary>
    public void SetRoomEpoch(string room, ulong epoch)
    {
        Loops.SetRoomEpoch(room, epoch);
        Turn(0);
    }

    /// <summary>The plane asks the room's video publishers for key frames; the loop turns to do it.</summary>
    public void RequestKeyFrames(string room)
    {
        Loops.RequestKeyFrames(room);
        Turn(0);
    }

    /// <summary>The browser leaves, as its signalling's leave message does.</summary>
    public void Leave(HarnessBrowser browser) => Run(browser.Handle.LeaveAsync());

    /// <summary>The browser protects <paramref name="rtp"/> and sends it to the appliance.</summary>
    public void SendRtp(HarnessBrowser from, ReadOnlySpan<byte> rtp)
    {
        var buffer = new byte[2048];
        Ensure(from.Outbound.ProtectRtp(rtp, buffer, out int written));
        Deliver(buffer.AsSpan(0, written), from.Socket);
    }

    public void SendRtcp(HarnessBrowser from, ReadOnlySpan<byte> rtcp)
    {
        var buffer = new byte[2048];
        Ensure(from.Outbound.ProtectRtcp(rtcp, buffer, out int written));
        Deliver(buffer.AsSpan(0, written), from.Socket);
    }

    /// <summary>Sends a datagram from <paramref name="from"/> to the media port, and turns the loop to take it.</summary>
    public void Deliver(ReadOnlySpan<byte> datagram, IDatagramSocket from)
    {
        if (!from.TrySendTo(datagram, _planeAddress)) throw new InvalidOperationException("the harness could not send");
        Turn(_deliveryWaitMs);
    }

    /// <summary>Moves the clock on and turns the loop, so that timers due by then run.</summary>
    public void Advance(long ms)
    {
        Clock.Advance(ms);
        Turn(0);
    }

    /// <summary>Turns the loop once, so that a call made through a <see cref="PeerHandle"/> runs.</summary>
    public T Run<T>(Task<T> call)
    {
        Turn(0);
        if (!call.IsCompleted) throw new InvalidOperationException("the call did not run on the loop");
        return call.GetAwaiter().GetResult();
    }

    public void Run(Task call)
    {
        Turn(0);
        if (!call.IsCompleted) throw new InvalidOperationException("the call did not run on the loop");
        call.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Turns every loop. With several, which socket the kernel gave a datagram is not known, so
    /// each turns without waiting, then each again for what one handed another.
    /// </summary>
    private void Turn(int waitMs)
    {
        var shards = Loops.Shards;
        if (shards.Count == 1)
        {
            Plane.Loop.RunOnce(waitMs);
            return;
        }
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (var shard in shards) shard.Loop.RunOnce(0);
        }
    }

    /// <summary>The harness is shared with bench/, which has no xunit: fail with a plain exception.</summary>
    internal static void Ensure(SrtpStatus status)
    {
        if (status != SrtpStatus.Ok) throw new InvalidOperationException($"SRTP in the harness failed: {status}");
    }

    public void Dispose()
    {
        foreach (var browser in _browsers) browser.Dispose();
        Loops.Dispose();
    }
}

internal sealed class RecordingSignalSink : IPeerSignalSink
{
    public List<PeerOffer> Offers { get; } = new();
    public List<string> Closed { get; } = new();

    public void SendOffer(PeerOffer offer) => Offers.Add(offer);

    public void OnMediaClosed(string reason) => Closed.Add(reason);
}
