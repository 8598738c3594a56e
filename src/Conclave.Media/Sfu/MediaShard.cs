using System.Net;
using Conclave.Media.Diagnostics;
using Conclave.Media.Dtls;
using Conclave.Media.Ice;
using Conclave.Media.Stun;
using Conclave.Media.Transport;

namespace Conclave.Media.Sfu;

/// <summary>
/// One media loop of the SFU with the rooms it owns (<see cref="MediaPlane"/> places each room on
/// one). Every datagram's route within a loop starts here:
/// <code>
/// socket ─► DatagramClassifier (RFC 7983)
///             ├─ STUN ─► peer by USERNAME ─► IceLiteAgent ─► address validated (and steered to this loop)
///             ├─ DTLS ─► peer by address  ─► DtlsServerSession ─► SRTP keys
///             ├─ RTP  ─► peer by address  ─► SrtpContext ─► SFrame shape ─► Producer ─► Consumers ─► SRTP out
///             │            (RTX from a publisher: restored, deduplicated, then as RTP; gaps NACKed to it)
///             └─ RTCP ─► peer by address  ─► SrtpContext ─► SR forward / NACK→RTX / PLI,FIR→publisher
/// </code>
/// A datagram for a peer of another loop (the kernel spreads remotes not yet steered over the
/// port's sockets) is handed to that loop (<see cref="ShardDirectory"/>). Nothing is allocated
/// for an address until it passed an ICE check. Media is relayed only when it is SFrame
/// (RFC 9605) under the room's MLS epoch (<see cref="SetRoomEpoch"/>).
/// </summary>
public sealed class MediaShard : IDatagramHandler, IPeerHost, IDisposable
{
    /// <summary>RFC 8839 §5.4 allows 4–256 ufrag characters; ours are 8, anything past 64 is not ours.</summary>
    private const int MaxUfragChars = 64;

    private readonly IDatagramSocket _socket;   // Passed by argument; owned from then on.
    private readonly IForwardTap? _forwardTap;  // Passed by argument.
    private readonly ShardDirectory _directory; // Passed by argument; shared by the plane's loops.
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

    /// <summary>Takes ownership of <paramref name="socket"/>: <see cref="Dispose"/> releases it. The certificate stays the plane's.</summary>
    internal MediaShard(IDatagramSocket socket, IPEndPoint candidateEndPoint, MediaPlaneOptions options, DropCounters drops, ShardDirectory directory)
    {
        _socket = socket;
        Certificate = options.Certificate;
        LocalEndPoint = _socket.LocalEndPoint;
        CandidateEndPoint = candidateEndPoint;
        Drops = drops;
        _directory = directory;
        _peersByUfragSpan = _peersByUfrag.GetAlternateLookup<ReadOnlySpan<char>>();
        _forwardTap = options.ForwardTap;
        Loop = new MediaEventLoop(_socket, this, Drops, options.Time);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The ICE host candidate given to browsers.</summary>
    public IPEndPoint CandidateEndPoint { get; }

    /// <summary>The plane's counters, which every loop shares.</summary>
    public DropCounters Drops { get; }

    /// <summary>Datagrams this loop received for another loop's peer and handed over.</summary>
    public long DatagramsHandedOff { get; private set; }

    /// <summary>This process's DTLS certificate; its fingerprint goes into every offer (RFC 8122).</summary>
    public DtlsCertificate Certificate { get; }

    internal MediaEventLoop Loop { get; }

    /// <summary>Raised when a packet handler or command threw; the loop goes on.</summary>
    public event Action<Exception>? Faulted
    {
        add => Loop.Faulted += value;
        remove => Loop.Faulted -= value;
    }

    /// <summary>Raised on this loop's thread when a peer leaves or is dropped.</summary>
    public event Action<string, string?>? PeerClosed;

    public void Start() => Loop.Start();

    /// <summary>Creates a peer in <paramref name="roomId"/> (the room is created on first use).</summary>
    internal Task<PeerHandle> JoinAsync(string roomId, IPeerSignalSink sink) =>
        Loop.InvokeAsync(() =>
        {
            _directory.JoinArrived(roomId);
            return new PeerHandle(this, Join(roomId, sink));
        });

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
        _directory.BindUfrag(peer.Ice.Local.Ufrag, this);
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

    /// <summary>Counters of this loop's rooms and peers (the plane's drop counters with them).</summary>
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
                else OnUnknownAddress(datagram, from);
                break;
            case DatagramKind.Rtp:
                if (_peersByAddress.TryGetValue(from, out var rtpPeer)) rtpPeer.OnRtp(datagram, nowMs);
                else OnUnknownAddress(datagram, from);
                break;
            case DatagramKind.Rtcp:
                if (_peersByAddress.TryGetValue(from, out var rtcpPeer)) rtcpPeer.OnRtcp(datagram, nowMs);
                else OnUnknownAddress(datagram, from);
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
            else OnUnknownAddress(datagram, from);
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
            if (_directory.OwnerOfUfrag(ufrag) is { } owner && owner != this) HandOff(owner, datagram, from);
            else Drops.Count(DropReason.StunUnknownUsername);
            return;
        }
        peer.OnBindingRequest(message, from, nowMs);
    }

    /// <summary>Not a peer of this loop's: another loop's (the kernel chose this socket before steering), or nobody's.</summary>
    private void OnUnknownAddress(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (_directory.OwnerOfAddress(from) is { } owner && owner != this) HandOff(owner, datagram, from);
        else Drops.Count(DropReason.UnknownAddress);
    }

    /// <summary>
    /// Gives a datagram to the loop that owns its peer. Copies, so it allocates: it happens only
    /// before an address is steered (a new remote's first ICE checks, and what was already
    /// queued here), never on a steered peer's media path.
    /// </summary>
    private void HandOff(MediaShard owner, ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        DatagramsHandedOff++;
        byte[] copy = datagram.ToArray();
        var sender = ShardDirectory.Copy(from);
        owner.Loop.Post(() => ((IDatagramHandler)owner).OnDatagram(copy, sender, owner.Loop.NowMs));
    }

    /// <summary>Only peers have timers, and a room without peers is removed.</summary>
    bool IDatagramHandler.HasTimers => _rooms.Count > 0;

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
        // the same port takes it over from its old, dying session (on this loop or another).
        _peersByAddress[address] = peer;
        _socket.Steer(address);
        _directory.BindAddress(address, this);
    }

    /// <summary>Another loop's peer proved <paramref name="address"/> since: this loop lets it go, unless it took it back meanwhile.</summary>
    internal void ForgetAddress(SocketAddress address)
    {
        if (_directory.OwnerOfAddress(address) == this) return;
        _peersByAddress.Remove(address);
        _socket.Unsteer(address);
    }

    void IPeerHost.ReplaceUfrag(string oldUfrag, Peer peer)
    {
        _peersByUfrag.Remove(oldUfrag);
        _directory.ReleaseUfrag(oldUfrag, this);
        _peersByUfrag[peer.Ice.Local.Ufrag] = peer;
        _directory.BindUfrag(peer.Ice.Local.Ufrag, this);
    }

    /// <summary>Removes a peer everywhere; <paramref name="reason"/> is null when it left on its own.</summary>
    internal void ClosePeer(Peer peer, string? reason)
    {
        if (peer.IsClosed) return;
        peer.MarkClosed();
        _peersByUfrag.Remove(peer.Ice.Local.Ufrag);
        _directory.ReleaseUfrag(peer.Ice.Local.Ufrag, this);
        foreach (var address in peer.ValidatedAddresses)
        {
            if (!_peersByAddress.TryGetValue(address, out var owner) || owner != peer) continue;
            _peersByAddress.Remove(address);
            _socket.Unsteer(address);
            _directory.ReleaseAddress(address, this);
        }
        var room = peer.Room;
        room.Remove(peer);
        if (room.Peers.Count == 0)
        {
            _rooms.Remove(room.Id);
            _directory.RoomEmptied(room.Id);
        }
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
    }
}
