using System.Net;
using Conclave.Media.Diagnostics;
using Conclave.Media.Dtls;
using Conclave.Media.Ice;
using Conclave.Media.Stun;
using Conclave.Media.Transport;

namespace Conclave.Media.Sfu;

/// <summary>
/// The SFU on one media port. Every datagram's route starts here:
/// <code>
/// socket ─► DatagramClassifier (RFC 7983)
///             ├─ STUN ─► peer by USERNAME ─► IceLiteAgent ─► address validated
///             ├─ DTLS ─► peer by address  ─► DtlsServerSession ─► SRTP keys
///             ├─ RTP  ─► peer by address  ─► SrtpContext ─► SFrame shape ─► Producer ─► Consumers ─► SRTP out
///             │            (RTX from a publisher: restored, deduplicated, then as RTP; gaps NACKed to it)
///             └─ RTCP ─► peer by address  ─► SrtpContext ─► SR forward / NACK→RTX / PLI,FIR→publisher
/// </code>
/// Nothing is allocated for an address until it passed an ICE check. Media is relayed only
/// when it is SFrame (RFC 9605) under the room's MLS epoch (<see cref="SetRoomEpoch"/>).
/// </summary>
public sealed class MediaPlane : IDatagramHandler, IPeerHost, IDisposable
{
    /// <summary>RFC 8839 §5.4 allows 4–256 ufrag characters; ours are 8, anything past 64 is not ours.</summary>
    private const int MaxUfragChars = 64;

    private readonly IDatagramSocket _socket;   // Passed by argument; owned from then on.
    private readonly IForwardTap? _forwardTap;  // Passed by argument.
    private readonly LoopBuffers _buffers = new();
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Peer> _peersByUfrag = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Peer>.AlternateLookup<ReadOnlySpan<char>> _peersByUfragSpan;
    private readonly Dictionary<SocketAddress, Peer> _peersByAddress = new();
    /// <summary>
    /// Epochs told for rooms no peer has joined yet; a room takes its own when it is
    /// created. Only rooms with participants are told, so this stays small.
    /// </summary>
    private readonly Dictionary<string, ulong> _pendingEpochs = new(StringComparer.Ordinal);
    private readonly List<(Peer Peer, PeerTickOutcome Outcome)> _expired = new();
    private long _lastPeerTickMs;

    /// <summary>Takes ownership of the options' socket and certificate: <see cref="Dispose"/> releases them.</summary>
    public MediaPlane(MediaPlaneOptions options)
    {
        _socket = options.Socket;
        Certificate = options.Certificate;
        LocalEndPoint = _socket.LocalEndPoint;
        var advertised = options.AdvertisedAddress ?? LocalEndPoint.Address;
        if (advertised.Equals(IPAddress.Any) || advertised.Equals(IPAddress.IPv6Any))
        {
            _socket.Dispose();
            throw new ArgumentException("the media port listens on a wildcard address: set the advertised address browsers should send to");
        }
        CandidateEndPoint = new IPEndPoint(advertised, LocalEndPoint.Port);
        _peersByUfragSpan = _peersByUfrag.GetAlternateLookup<ReadOnlySpan<char>>();
        _forwardTap = options.ForwardTap;
        Loop = new MediaEventLoop(_socket, this, Drops, options.Time);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The ICE host candidate given to browsers.</summary>
    public IPEndPoint CandidateEndPoint { get; }

    public DropCounters Drops { get; } = new();

    /// <summary>This process's DTLS certificate; its fingerprint goes into every offer (RFC 8122).</summary>
    public DtlsCertificate Certificate { get; }

    internal MediaEventLoop Loop { get; }

    /// <summary>Raised when a packet handler or command threw; the loop goes on.</summary>
    public event Action<Exception>? Faulted
    {
        add => Loop.Faulted += value;
        remove => Loop.Faulted -= value;
    }

    /// <summary>Raised on the loop thread when a peer leaves or is dropped.</summary>
    public event Action<string, string?>? PeerClosed;

    public void Start() => Loop.Start();

    /// <summary>Creates a peer in <paramref name="roomId"/> (the room is created on first use).</summary>
    public Task<PeerHandle> JoinAsync(string roomId, IPeerSignalSink sink) =>
        Loop.InvokeAsync(() => new PeerHandle(this, Join(roomId, sink)));

    /// <summary>NOTE: loop thread only.</summary>
    internal Peer Join(string roomId, IPeerSignalSink sink)
    {
        if (!_rooms.TryGetValue(roomId, out var room))
        {
            room = new Room(roomId);
            if (_pendingEpochs.Remove(roomId, out ulong epoch)) room.Epoch = epoch;
            _rooms.Add(roomId, room);
        }
        var peer = new Peer(this, room, sink, _buffers, Loop.NowMs);
        _peersByUfrag.Add(peer.Ice.Local.Ufrag, peer);
        room.Add(peer);
        return peer;
    }

    /// <summary>
    /// Asks every video publisher of the room for a key frame (a PLI, RFC 4585 §6.3.1),
    /// through each stream's throttle: a member who just joined the MLS group can open
    /// nothing before the next key frame. Safe from any thread.
    /// </summary>
    public void RequestKeyFrames(string roomId) => Loop.Post(() =>
    {
        if (_rooms.TryGetValue(roomId, out var room)) room.RequestKeyFrames(Loop.NowMs);
    });

    /// <summary>
    /// The room's MLS group is at <paramref name="epoch"/> now: published media must carry
    /// SFrame under it or one of the two epochs before (<see cref="Room.Epoch"/>). The room
    /// need not exist yet. Safe from any thread.
    /// </summary>
    public void SetRoomEpoch(string roomId, ulong epoch) => Loop.Post(() =>
    {
        if (_rooms.TryGetValue(roomId, out var room)) room.Epoch = epoch;
        else _pendingEpochs[roomId] = epoch;
    });

    /// <summary>Counters of every room and peer, for the console and for tests.</summary>
    public Task<MediaPlaneStats> GetStatsAsync() => Loop.InvokeAsync(() => MediaPlaneStats.Capture(_rooms.Values, Drops));

    // ---- the packet path -----------------------------------------------------------

    void IDatagramHandler.OnDatagram(Span<byte> datagram, SocketAddress from, long nowMs)
    {
        switch (DatagramClassifier.Classify(datagram))
        {
            case DatagramKind.Stun:
                OnStun(datagram, from, nowMs);
                break;
            case DatagramKind.Dtls:
                if (_peersByAddress.TryGetValue(from, out var dtlsPeer)) dtlsPeer.OnDtls(datagram, from);
                else Drops.Count(DropReason.UnknownAddress);
                break;
            case DatagramKind.Rtp:
                if (_peersByAddress.TryGetValue(from, out var rtpPeer)) rtpPeer.OnRtp(datagram, nowMs);
                else Drops.Count(DropReason.UnknownAddress);
                break;
            case DatagramKind.Rtcp:
                if (_peersByAddress.TryGetValue(from, out var rtcpPeer)) rtcpPeer.OnRtcp(datagram, nowMs);
                else Drops.Count(DropReason.UnknownAddress);
                break;
            default:
                Drops.Count(DropReason.UnknownProtocol);
                break;
        }
    }

    private void OnStun(ReadOnlySpan<byte> datagram, SocketAddress from, long nowMs)
    {
        if (!StunMessage.TryParse(datagram, out var message))
        {
            Drops.Count(DropReason.StunMalformed);
            return;
        }
        if (message.MessageType == StunMessageType.BindingSuccessResponse)
        {
            // Only an address that passed a check can have been sent one of ours.
            if (_peersByAddress.TryGetValue(from, out var checkedPeer)) checkedPeer.OnBindingResponse(message, from);
            else Drops.Count(DropReason.UnknownAddress);
            return;
        }
        if (message.MessageType != StunMessageType.BindingRequest)
        {
            Drops.Count(DropReason.StunUnexpectedType);
            return;
        }
        if (!IceUsername.TryGetLocalUfrag(message, out var ufragBytes) || ufragBytes.Length > MaxUfragChars)
        {
            Drops.Count(DropReason.StunUnknownUsername);
            return;
        }
        Span<char> ufrag = stackalloc char[ufragBytes.Length];
        for (int i = 0; i < ufragBytes.Length; i++) ufrag[i] = (char)ufragBytes[i];
        if (!_peersByUfragSpan.TryGetValue(ufrag, out var peer))
        {
            Drops.Count(DropReason.StunUnknownUsername);
            return;
        }
        peer.OnBindingRequest(message, from, nowMs);
    }

    void IDatagramHandler.OnTick(long nowMs)
    {
        // Peers' timers (feedback at 50 ms, consent at seconds) need no finer step than 10 ms.
        if (nowMs - _lastPeerTickMs < MediaEventLoop.TickMs) return;
        _lastPeerTickMs = nowMs;
        foreach (var room in _rooms.Values)
        {
            var peers = room.Peers;
            for (int i = 0; i < peers.Count; i++)
            {
                var outcome = peers[i].OnTick(nowMs);
                if (outcome != PeerTickOutcome.Alive) _expired.Add((peers[i], outcome));
            }
        }
        // Closing changes the rooms being iterated above, so it waits until here.
        foreach (var (peer, outcome) in _expired) ClosePeer(peer, CloseReason(outcome));
        _expired.Clear();
    }

    /// <summary>What the browser's signalling is told when its timers drop a peer.</summary>
    private static string CloseReason(PeerTickOutcome outcome) => outcome switch
    {
        PeerTickOutcome.ConsentExpired => "ICE consent expired: no connectivity check for 30 s (RFC 7675)",
        PeerTickOutcome.ConnectTimedOut => "ICE did not connect within 30 s",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "a live peer is not closed"),
    };

    // ---- what peers need (loop thread, but for TrySend and Post) ------------------

    long IPeerHost.NowMs => Loop.NowMs;

    bool IPeerHost.TrySend(ReadOnlySpan<byte> datagram, SocketAddress to) => Loop.TrySend(datagram, to);

    void IPeerHost.SendMedia(ReadOnlySpan<byte> datagram, SocketAddress to) => Loop.SendMedia(datagram, to);

    void IPeerHost.CountDrop(DropReason reason) => Drops.Count(reason);

    void IPeerHost.CountDrops(DropReason reason, int count) => Drops.Count(reason, count);

    IForwardTap? IPeerHost.ForwardTap => _forwardTap;

    void IPeerHost.Post(Action work) => Loop.Post(work);

    void IPeerHost.ClosePeer(Peer peer, string reason) => ClosePeer(peer, reason);

    void IPeerHost.BindAddress(SocketAddress address, Peer peer)
    {
        // A 5-tuple belongs to the last peer that proved it: a browser that rejoins from
        // the same port takes it over from its old, dying session.
        _peersByAddress[address] = peer;
    }

    void IPeerHost.ReplaceUfrag(string oldUfrag, Peer peer)
    {
        _peersByUfrag.Remove(oldUfrag);
        _peersByUfrag[peer.Ice.Local.Ufrag] = peer;
    }

    /// <summary>Removes a peer everywhere; <paramref name="reason"/> is null when it left on its own.</summary>
    internal void ClosePeer(Peer peer, string? reason)
    {
        if (peer.IsClosed) return;
        peer.MarkClosed();
        _peersByUfrag.Remove(peer.Ice.Local.Ufrag);
        foreach (var address in peer.ValidatedAddresses)
        {
            if (_peersByAddress.TryGetValue(address, out var owner) && owner == peer) _peersByAddress.Remove(address);
        }
        var room = peer.Room;
        room.Remove(peer);
        if (room.Peers.Count == 0) _rooms.Remove(room.Id);
        peer.Dispose();
        if (reason is not null) peer.NotifyMediaClosed(reason);
        PeerClosed?.Invoke(peer.Id, reason);
    }

    public void Dispose()
    {
        Loop.Dispose();
        _socket.Dispose();
        foreach (var room in _rooms.Values)
        {
            foreach (var peer in room.Peers) peer.Dispose();
        }
        Certificate.Dispose();
    }
}
