using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Conclave.Media.Dtls;
using Conclave.Media.Sfu;
using Conclave.Media.Srtp;
using Conclave.Media.Tests.Sfu;
using Conclave.Media.Transport;
using Conclave.Testing;

namespace Conclave.Media.Load;

/// <summary>One room under load: its publisher's browser and camera, its subscribers and their sockets.</summary>
internal sealed record LoadRoom(string Id, HarnessBrowser Publisher, VideoStream Camera, Producer Producer,
    IReadOnlyList<HarnessBrowser> Subscribers, IReadOnlyList<SubscriberSocket> SubscriberSockets);

/// <summary>
/// A media plane as the daemon runs it — one loop per socket on one shared UDP port of
/// 127.0.0.1, each loop on its own thread (<see cref="MediaPlane.Start"/>) — with rooms of one
/// publisher and some subscribers joined over real UDP: ICE checks and consent answers on the
/// browsers' own sockets, SDP offers answered through the peers' handles, and only DTLS
/// replaced by handing both sides the same random keys (as <see cref="SfuHarness"/> does).
/// </summary>
internal sealed class LoadPlane : IDisposable
{
    private const uint FirstPublisherSsrc = 0x5EED_0000;
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(5);

    private readonly List<HarnessBrowser> _browsers = new();
    private readonly List<LoadRoom> _rooms = new();

    private LoadPlane(MediaPlane plane) => Plane = plane;

    public MediaPlane Plane { get; }

    public IReadOnlyList<LoadRoom> Rooms => _rooms;

    /// <summary>The kernel thread id of each loop, in the order of the plane's loops.</summary>
    public IReadOnlyList<int> LoopThreadIds { get; private set; } = [];

    /// <summary>How many rooms each loop owns, in the order of the plane's loops.</summary>
    public IReadOnlyList<int> RoomsPerLoop { get; private set; } = [];

    public int Port => Plane.LocalEndPoint.Port;

    /// <summary>Every subscriber socket's port (for the kernel's per-socket drop counts).</summary>
    public IReadOnlySet<int> SubscriberPorts => _rooms.SelectMany(room => room.SubscriberSockets).Select(socket => socket.LocalEndPoint.Port).ToHashSet();

    /// <summary>
    /// Opens the plane with <paramref name="loops"/> loops and joins <paramref name="rooms"/> rooms
    /// of one publisher and <paramref name="subscribers"/> subscribers; returns once every subscriber
    /// received a probe packet from its publisher through the SFU.
    /// </summary>
    public static LoadPlane Open(int loops, int rooms, int subscribers)
    {
        var first = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), sharedPort: true);
        var sockets = new List<IDatagramSocket> { first };
        for (int i = 1; i < loops; i++) sockets.Add(UdpDatagramSocket.Bind(first.LocalEndPoint, sharedPort: true));
        var plane = new MediaPlane(new MediaPlaneOptions { Sockets = sockets, Certificate = DtlsCertificate.CreateSelfSigned() });
        var load = new LoadPlane(plane);
        try
        {
            plane.Faulted += e => Console.Error.WriteLine($"media loop fault: {e}");
            plane.Start();
            load.Join(rooms, subscribers);
            return load;
        }
        catch
        {
            load.Dispose();
            throw;
        }
    }

    private void Join(int rooms, int subscribers)
    {
        var shards = Plane.Shards;
        LoopThreadIds = shards.Select(shard => Wait(shard.Loop.InvokeAsync(Native.CurrentThreadId))).ToArray();
        for (int r = 0; r < rooms; r++)
        {
            string roomId = $"room-{r}";
            Plane.SetRoomEpoch(roomId, SFramePayload.Epoch);
            uint ssrc = FirstPublisherSsrc + (uint)(r * 2);
            var publisherSocket = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var publisher = JoinBrowser(roomId, publisherSocket, video: (ssrc, ssrc + 1));
            var subscriberSockets = new List<SubscriberSocket>();
            var subscriberBrowsers = new List<HarnessBrowser>();
            for (int s = 0; s < subscribers; s++)
            {
                var socket = new SubscriberSocket();
                subscriberSockets.Add(socket);
                subscriberBrowsers.Add(JoinBrowser(roomId, socket, video: null));
            }
            var shard = Plane.ShardFor(roomId);
            var producer = Wait(shard.Loop.InvokeAsync(() => publisher.Peer.ProducerOf(MediaSource.Camera)))
                ?? throw new InvalidOperationException($"{roomId}'s publisher publishes no camera");
            var camera = new VideoStream(ssrc, publisher.Outbound, publisherSocket, Plane.LocalEndPoint.Serialize());
            _rooms.Add(new LoadRoom(roomId, publisher, camera, producer, subscriberBrowsers, subscriberSockets));
        }
        RoomsPerLoop = shards.Select(shard => Wait(shard.GetStatsAsync()).Rooms.Count).ToArray();
        foreach (var room in _rooms) Probe(room);
    }

    /// <summary>
    /// A browser joins on the room's loop and connects as a browser would over UDP: its nominating
    /// ICE check, DTLS keys, answers to every offer until none is left, then its answer to the
    /// appliance's consent check (RFC 7675), without which no media is sent to it.
    /// </summary>
    private HarnessBrowser JoinBrowser(string roomId, IDatagramSocket socket, (uint Ssrc, uint RtxSsrc)? video)
    {
        var shard = Plane.ShardFor(roomId);
        var sink = new RecordingSignalSink();
        var peer = Wait(shard.Loop.InvokeAsync(() => shard.Join(roomId, sink)));
        var keys = new DtlsSrtpKeys((ushort)SrtpProfile.AeadAes128Gcm,
            RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(12), RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(12));
        var browser = new HarnessBrowser(peer, new PeerHandle(shard, peer), sink, socket, keys, video, audioSsrc: null);
        _browsers.Add(browser);

        var planeAddress = Plane.LocalEndPoint.Serialize();
        var check = IceConnectivityCheck.Request($"{peer.Ice.Local.Ufrag}:{HarnessBrowser.IceUfrag}", peer.Ice.Local.Password, useCandidate: true);
        if (!socket.TrySendTo(check, planeAddress)) throw new InvalidOperationException("the ICE check could not be sent");
        Wait(shard.Loop.InvokeAsync(() =>
        {
            peer.OnDtlsConnected(keys);
            return true;
        }));
        Wait(browser.Handle.NegotiateAsync());
        AnswerEveryOffer();
        // The consent check goes out once the answer gave the appliance the browser's ICE credentials.
        // Answered once: the appliance retransmits an unanswered check every 200 ms (RFC 5389 §7.2.1)
        // and counts a second answer to it as unexpected.
        var consentAnswers = Until(browser.AnswerConsentChecks, answers => answers.Count > 0, "the appliance's consent check");
        socket.TrySendTo(consentAnswers[^1], planeAddress);
        return browser;
    }

    /// <summary>Every browser answers its latest offer until no offer is left unanswered (offers follow each other's answers).</summary>
    private void AnswerEveryOffer()
    {
        bool answered;
        do
        {
            answered = false;
            foreach (var browser in _browsers)
            {
                var offers = browser.Signals.Offers;
                if (offers.Count == 0 || offers[^1].Revision == browser.AnsweredRevision) continue;
                var offer = offers[^1];
                var result = Wait(browser.Handle.ApplyAnswerAsync(offer.Revision, browser.Answer(offer.Sdp)));
                if (result.Outcome != AnswerOutcome.Applied) throw new InvalidOperationException($"an answer was refused: {result.Refusal}");
                browser.AnsweredRevision = offer.Revision;
                answered = true;
            }
            // Anything a loop posted to itself meanwhile (a renegotiation) has run once this returns.
            foreach (var shard in Plane.Shards) Wait(shard.Loop.InvokeAsync(() => true));
        } while (answered);
    }

    /// <summary>The publisher sends a few packets; every subscriber must get one through the SFU.</summary>
    private static void Probe(LoadRoom room)
    {
        var packet = new byte[VideoStream.SrtpBytes];
        for (int i = 0; i < 3; i++)
        {
            room.Camera.SealNext(packet);
            room.Camera.Socket.TrySendTo(packet, room.Camera.Destination);
        }
        foreach (var subscriber in room.Subscribers)
        {
            Until(subscriber.ReceiveRtp, rtp => rtp is not null, $"{room.Id}'s probe packet at a subscriber");
            subscriber.Drain();
        }
    }

    private static T Until<T>(Func<T> attempt, Func<T, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < SetupTimeout)
        {
            var result = attempt();
            if (done(result)) return result;
            Thread.Sleep(1);
        }
        throw new TimeoutException($"waited {SetupTimeout.TotalSeconds} s for {what}");
    }

    private static T Wait<T>(Task<T> task) =>
        task.WaitAsync(SetupTimeout).GetAwaiter().GetResult();

    private static void Wait(Task task) => task.WaitAsync(SetupTimeout).GetAwaiter().GetResult();

    public void Dispose()
    {
        Plane.Dispose();
        foreach (var browser in _browsers) browser.Dispose();
    }
}
