using System.Net.WebSockets;
using System.Threading.Channels;
using Conclave.Media.Sfu;
using Conclave.Meetings;
using Conclave.Meetings.Admission;
using Conclave.Web.E2ee;
using Conclave.Web.Recording;
using Microsoft.Extensions.Logging;

namespace Conclave.Web.Signalling;

/// <summary>
/// One browser's signalling WebSocket: join (through admission and, if asked, the lobby),
/// then offer/answer rounds until leave. Who is asking was settled from the cookie before
/// the upgrade; the room is a meeting id. A message that is malformed, oversized or out
/// of order, or a refused admission, earns an error message and the end of this socket;
/// nothing else on the appliance notices. Once in the room, its MLS messages go to the
/// room's <see cref="DeliveryService"/>, which sends back through <see cref="IDeliveryRecipient"/>.
/// </summary>
public sealed partial class SignallingConnection : IPeerSignalSink, IDeliveryRecipient
{
    /// <summary>Offers and roster updates queued for a browser that does not read; past this it is gone.</summary>
    private const int MaxQueuedMessages = 256;

    /// <summary>
    /// How long the browser has to answer our close frame (RFC 6455 §7.1.1: the server
    /// closes TCP after the handshake). Closing TCP while its reply is still in flight makes
    /// the kernel answer with a reset, which can destroy our error message unread.
    /// </summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly SignallingQuotas _quotas;
    private readonly System.Net.IPAddress? _source;
    private IDisposable? _peerLease;
    private int _answerLimitBytes = SignallingLimits.MaxMessageBytes;
    private readonly MediaPlane _plane;
    private readonly RoomDirectory _directory;
    private readonly AdmissionService _admission;
    private readonly CredentialIssuer _credentials;
    private readonly MeetingRecordings _recordings;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _handling = new(1, 1);
    private LobbyEntry? _lobbyEntry;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateBounded<Outgoing>(
        new BoundedChannelOptions(MaxQueuedMessages) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _closing = new();
    private PeerHandle? _peer;
    private string? _room;
    private MlsSignatureKey? _signatureKey;
    private DeliveryService? _delivery;
    private bool _isHost;

    public SignallingConnection(WebSocket socket, Attendee attendee, System.Net.IPAddress? source, MediaPlane plane, RoomDirectory directory,
        AdmissionService admission, CredentialIssuer credentials, MeetingRecordings recordings, SignallingQuotas quotas, ILogger logger)
    {
        _socket = socket;
        _source = source;
        _quotas = quotas;
        Attendee = attendee;
        _plane = plane;
        _directory = directory;
        _admission = admission;
        _credentials = credentials;
        _recordings = recordings;
        _logger = logger;
    }

    /// <summary>Who this is, as admission knows them; their display name is bound to it, not chosen by the browser.</summary>
    public Attendee Attendee { get; }

    public string? ParticipantId => _peer?.PeerId;

    /// <summary>The ConclaveCredential the appliance issued this participant, once in the room.</summary>
    internal byte[]? IssuedCredential { get; private set; }
    public string DisplayName => Attendee.DisplayName;

    private readonly record struct Outgoing(byte[]? Utf8Json, WebSocketCloseStatus? Close, string? CloseReason);

    public async Task RunAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _closing.Token);
        var writer = WriteLoopAsync(stopping);
        using var socketLease = _quotas.TryOpenSocket(Attendee.Key, _source);
        try
        {
            if (socketLease is null)
            {
                Fail(SignallingError.TooManyConnections, $"at most {_quotas.Limits.SocketsPerAttendee} signalling connections per person and {_quotas.Limits.SocketsPerSource} per network address; close another tab first");
            }
            else
            {
                await ReadLoopAsync(linked.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
            // The browser went away without a closing handshake: same as leaving.
        }
        finally
        {
            _closing.Cancel();
            await _handling.WaitAsync(CancellationToken.None);
            await LeaveAsync();
            _handling.Release();
            _outgoing.Writer.TryComplete();
            await writer;
            await AwaitCloseReplyAsync();
        }
    }

    /// <summary>After our close frame, read (and drop) until the browser's close frame arrives or time runs out.</summary>
    private async Task AwaitCloseReplyAsync()
    {
        if (_socket.State != WebSocketState.CloseSent) return;
        using var timeout = new CancellationTokenSource(CloseHandshakeTimeout);
        var scratch = new byte[256];
        try
        {
            while (_socket.State == WebSocketState.CloseSent)
            {
                if ((await _socket.ReceiveAsync(scratch.AsMemory(), timeout.Token)).MessageType == WebSocketMessageType.Close) return;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancel)
    {
        var buffer = new byte[SignallingLimits.MaxMessageBytes];
        var messageRate = new MessageRate(_quotas.Limits.MessagesPerSecond);
        var dataRates = new DataMessageRates();
        using var joinTimeout = new CancellationTokenSource(SignallingLimits.JoinTimeout);
        while (_socket.State == WebSocketState.Open)
        {
            int length = 0;
            int limitBytes = Volatile.Read(ref _answerLimitBytes);
            ValueWebSocketReceiveResult result;
            using var receiveCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel, _peer is null ? joinTimeout.Token : CancellationToken.None);
            do
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= limitBytes)
                    {
                        Fail(SignallingError.TooLarge, $"a message may hold at most {limitBytes} bytes");
                        return;
                    }
                    Array.Resize(ref buffer, Math.Min(limitBytes, 2 * buffer.Length));
                }
                try
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), receiveCancel.Token);
                }
                catch (OperationCanceledException) when (joinTimeout.IsCancellationRequested && !cancel.IsCancellationRequested)
                {
                    Fail(SignallingError.Timeout, "no join message within 30 seconds");
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Close) return;
                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType != WebSocketMessageType.Text)
            {
                Fail(SignallingError.Malformed, "messages are JSON text frames");
                return;
            }
            if (!ClientMessageParser.TryParse(buffer.AsMemory(0, length), out var message, out var error))
            {
                Fail(SignallingError.Malformed, error!);
                return;
            }
            // Chat and content have budgets of their own, so a lively chat or a drawing never starves negotiation.
            if (message is ClientMessage.Data data ? !dataRates.TryTake(data.Kind, Environment.TickCount64) : !messageRate.TryTake(Environment.TickCount64))
            {
                Fail(SignallingError.RateLimited, message is ClientMessage.Data limited
                    ? $"at most {DataMessageRates.PerSecond(limited.Kind)} {limited.Kind.ToString().ToLowerInvariant()} data messages a second"
                    : $"at most {_quotas.Limits.MessagesPerSecond} messages a second");
                return;
            }
            await _handling.WaitAsync(cancel);
            try
            {
                if (!await HandleAsync(message!)) return;
            }
            finally
            {
                _handling.Release();
            }
        }
    }

    /// <summary>Acts on one message; false ends the socket.</summary>
    private async Task<bool> HandleAsync(ClientMessage message)
    {
        switch (message)
        {
            case ClientMessage.Join join when _peer is null && _room is null:
                if (join.SignatureKey is null)
                {
                    Fail(SignallingError.E2eeRequired, "every meeting is end-to-end encrypted: join must carry e2ee.signatureKey (reload the page for the current client)");
                    return false;
                }
                _signatureKey = join.SignatureKey;
                if (!_quotas.TryCountJoin(Attendee.Key))
                {
                    Fail(SignallingError.RateLimited, $"at most {_quotas.Limits.JoinsPerAttendeePerMinute} joins a minute; wait a moment");
                    return false;
                }
                _room = join.Room;
                var decision = _admission.Decide(Attendee, join.Room);
                if (decision.Verdict is AdmissionVerdict.Enter or AdmissionVerdict.WaitInLobby
                    && !_recordings.CheckNotice(Attendee, join.Room, join.RecordingNoticeAccepted))
                {
                    Fail(SignallingError.RecordingNoticeRequired, "this meeting may be recorded: the page must show the recording notice before Join (reload the page)");
                    return false;
                }
                switch (decision.Verdict)
                {
                    case AdmissionVerdict.Enter:
                        return await EnterAsync();
                    case AdmissionVerdict.WaitInLobby:
                        _lobbyEntry = _admission.Wait(Attendee, join.Room);
                        if (_lobbyEntry is null)
                        {
                            Fail(SignallingError.LobbyFull, "the lobby is full; try again later");
                            return false;
                        }
                        Send(new ServerMessage.Lobby(decision.Message));
                        _ = AwaitLobbyAsync(_lobbyEntry);
                        return true;
                    default:
                        Fail(SignallingErrors.From(decision.Code!.Value), decision.Message);
                        return false;
                }
            case ClientMessage.Join:
                Fail(SignallingError.OutOfOrder, "already joined: one join per connection");
                return false;
            case ClientMessage.Leave:
                return false;
            case ClientMessage.NegotiationFailed failed:
                LogNegotiationFailed(_logger, _peer?.PeerId ?? "(not joined)", failed.Reason);
                return false;
            case not null when _peer is null:
                Fail(SignallingError.OutOfOrder, _lobbyEntry is null ? "join first" : "wait until the host lets you in");
                return false;
            case ClientMessage.Answer answer:
                var applied = await _peer.ApplyAnswerAsync(answer.Revision, answer.Sdp);
                if (applied.Outcome == AnswerOutcome.Applied) return true;
                Fail(SignallingError.BadSdp, applied.Refusal!);
                return false;
            case ClientMessage.Candidate:
                // ICE-lite (RFC 8445 §2.5): the appliance learns the browser's address from
                // its connectivity checks, so trickled candidates need no action.
                return true;
            case ClientMessage.RestartIce:
                await _peer.RestartIceAsync();
                return true;
            case ClientMessage.MlsCommit commit:
                _delivery!.Commit(_peer.PeerId, commit.Epoch, commit.Commit, commit.Removes);
                return true;
            case ClientMessage.MlsJoined joined:
                _delivery!.Joined(_peer.PeerId, joined.Epoch, joined.Leaf);
                return true;
            case ClientMessage.Data data:
                // Relayed as it came; never logged. Only chat is kept (as ciphertext) while the meeting is
                // recorded with its chat: content messages are never recorded (docs/recording.md).
                _delivery!.Relay(_peer.PeerId, new ServerMessage.Data(data.Epoch, data.Kind, data.Ct, _peer.PeerId));
                if (data.Kind == DataKind.Chat) _recordings.Data(_room!, _peer.PeerId, data.Epoch, Convert.FromBase64String(data.Ct));
                return true;
            case ClientMessage.ShareStart:
                if (_directory.StartSharing(_room!, this, _isHost) == ShareDecision.Busy)
                {
                    // Refused, not ended: the socket stays open (docs/content-sharing.md).
                    Send(new ServerMessage.Error(SignallingError.ShareBusy, "someone else is presenting; only the host may take over"));
                }
                return true;
            case ClientMessage.ShareStop:
                _directory.StopSharing(_room!, this);
                return true;
            case ClientMessage.RecordingStart start:
                _recordings.Start(this, _room!, start.Scope);
                return true;
            case ClientMessage.RecordingStop:
                await _recordings.StopAsync(this, _room!);
                return true;
            case ClientMessage.RecordingEscrow escrow:
                // A blob for another (or no longer running) recording is dropped: escrow races the stop.
                _recordings.Escrow(_room!, escrow.RecordingId, escrow.Epoch, Convert.FromBase64String(escrow.Blob));
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// In the room: a media peer, an MLS credential for the join's signature key, the roster
    /// told, the Delivery Service's first word, the first offer sent. False when a limit
    /// refused it or the token could not sign.
    /// </summary>
    private async Task<bool> EnterAsync()
    {
        if (_directory.ParticipantCount(_room!) >= _quotas.Limits.ParticipantsPerMeeting)
        {
            Fail(SignallingError.MeetingFull, $"this meeting holds at most {_quotas.Limits.ParticipantsPerMeeting} people");
            return false;
        }
        _peerLease = _quotas.TryAddPeer(Attendee.Key);
        if (_peerLease is null)
        {
            Fail(SignallingError.TooManyConnections, $"you are in at most {_quotas.Limits.PeersPerAttendee} meetings or tabs at once; leave one first");
            return false;
        }
        var peer = await _plane.JoinAsync(_room!, this);
        IssuedCredential credential;
        try
        {
            credential = _credentials.Issue(Attendee, _room!, peer.PeerId, _signatureKey!);
        }
        catch (DomainException e) when (e.Kind == DomainErrorKind.Unavailable)
        {
            await peer.LeaveAsync();
            Fail(SignallingError.MediaClosed, e.Message);
            return false;
        }
        _peer = peer;
        IssuedCredential = credential.Credential;
        _isHost = credential.Kind == AttendeeKind.Host;
        string groupToken = GroupTokens.New();
        var (others, delivery) = _directory.Enter(_room!, peer.PeerId, this);
        _delivery = delivery;
        Send(new ServerMessage.Joined(peer.PeerId, others.Where(o => o.ParticipantId is not null).Select(o => new Participant(o.ParticipantId!, o.DisplayName)).ToList(),
            new JoinedE2ee(Convert.ToBase64String(credential.Credential), Convert.ToBase64String(credential.CaPublicKeySpki), groupToken)));
        var joined = new ServerMessage.ParticipantJoined(new Participant(peer.PeerId, DisplayName)).ToUtf8Json();
        foreach (var other in others) other.Send(joined);
        _recordings.ParticipantEntered(_room!, peer.PeerId, credential.Credential);
        if (_recordings.ActiveRecordingId(_room!) is { } recordingId) SendRecordingState("on", recordingId, null);
        if (_directory.Presenter(_room!) is { } presenter) Send(new ServerMessage.Presenter(presenter));
        // After joined (the browser needs the CA key first) and after the others heard of it (they
        // accept its leaf only once it is announced): mls-create, mls-join or nothing yet.
        delivery.Enter(peer.PeerId, Attendee.Key, GroupTokens.Sha256(groupToken), this);
        LogJoined(_logger, peer.PeerId, _room!);
        await peer.NegotiateAsync();
        return true;
    }

    private async Task AwaitLobbyAsync(LobbyEntry entry)
    {
        var outcome = await entry.Outcome;
        await _handling.WaitAsync();
        try
        {
            if (_closing.IsCancellationRequested || _lobbyEntry != entry) return;
            _lobbyEntry = null;
            switch (outcome)
            {
                case LobbyOutcome.Admitted:
                    await EnterAsync();
                    break;
                case LobbyOutcome.MeetingEnded:
                    Fail(SignallingError.MeetingEnded, "the meeting ended while you waited");
                    break;
                default:
                    Fail(SignallingError.Denied, "the host did not let you in");
                    break;
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // The media plane stopped while this person was being let in.
            Fail(SignallingError.MediaClosed, "the appliance is shutting down");
        }
        finally
        {
            _handling.Release();
        }
    }

    /// <summary>The host removed this person or ended the meeting: tell the browser and close.</summary>
    internal void Close(RefusalCode refusal, string message) => Fail(SignallingErrors.From(refusal), message);

    private async Task LeaveAsync()
    {
        if (Interlocked.Exchange(ref _lobbyEntry, null) is { } waiting) _admission.Lobby.Withdraw(waiting);
        Interlocked.Exchange(ref _peerLease, null)?.Dispose();
        var peer = Interlocked.Exchange(ref _peer, null);
        if (peer is null || _room is null) return;
        await peer.LeaveAsync();
        var (remaining, emptied) = _directory.Leave(_room, peer.PeerId);
        var left = new ServerMessage.ParticipantLeft(peer.PeerId).ToUtf8Json();
        foreach (var other in remaining) other.Send(left);
        // Removal follows admission: a member is asked to remove this participant's leaf.
        _delivery!.Leave(peer.PeerId);
        if (emptied)
        {
            _delivery.Dispose();
            await _recordings.RoomEmptiedAsync(_room);
        }
        LogLeft(_logger, peer.PeerId, _room);
    }

    private void Send(ServerMessage message) => Send(message.ToUtf8Json());

    /// <summary>Lets this participant's peer publish a screen, or stops it; the room directory calls it under its lock, so the order holds.</summary>
    internal void AllowScreen(bool allowed) => _peer?.AllowScreenAsync(allowed);

    internal void SendRecordingState(string state, string? recordingId, string? reason) => Send(new ServerMessage.RecordingState(state, recordingId, reason));

    internal void SendRecordingRequested(string recordingId, Meetings.Recordings.RecordingScope scope, IReadOnlyList<byte[]> escrowKeys) =>
        Send(new ServerMessage.RecordingRequested(recordingId, scope == Meetings.Recordings.RecordingScope.Media ? "media" : "media+chat",
            escrowKeys.Select(Convert.ToBase64String).ToList()));

    internal void SendRecordingStopping(string recordingId) => Send(new ServerMessage.RecordingStopping(recordingId));

    /// <summary>Queues a message already serialised, so one sent to a whole room is serialised once.</summary>
    internal void Send(byte[] utf8Json)
    {
        if (!_outgoing.Writer.TryWrite(new Outgoing(utf8Json, null, null)))
        {
            // The browser stopped reading: it cannot follow the meeting any more. The callers may
            // hold a room's lock, so the socket's cancellation callbacks run elsewhere.
            _ = _closing.CancelAsync();
        }
    }

    void IDeliveryRecipient.Send(byte[] utf8Json) => Send(utf8Json);

    private void Fail(SignallingError code, string message)
    {
        string codeName = code.WireName();
        LogRefused(_logger, codeName, message);
        _outgoing.Writer.TryWrite(new Outgoing(new ServerMessage.Error(code, message).ToUtf8Json(), null, null));
        _outgoing.Writer.TryWrite(new Outgoing(null, WebSocketCloseStatus.PolicyViolation, codeName));
    }

    private async Task WriteLoopAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync(stopping))
            {
                if (_socket.State != WebSocketState.Open) break;
                if (item.Utf8Json is not null)
                {
                    await _socket.SendAsync(item.Utf8Json, WebSocketMessageType.Text, true, stopping);
                }
                else if (item.Close is { } status)
                {
                    await _socket.CloseOutputAsync(status, item.CloseReason, stopping);
                    // The browser's close frame ends the read loop; cancelling a pending
                    // receive would abort the socket before our error is read.
                    _closing.CancelAfter(CloseHandshakeTimeout);
                    break;
                }
            }
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", stopping);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    // ---- IPeerSignalSink (media loop thread: enqueue only) -----------------------

    void IPeerSignalSink.SendOffer(PeerOffer offer)
    {
        // The answer mirrors the offer section by section: allow it twice the offer's size,
        // so a large meeting's answer fits and nothing else can grow past that.
        Volatile.Write(ref _answerLimitBytes, Math.Max(SignallingLimits.MaxMessageBytes, 2 * offer.Sdp.Length));
        Send(ServerMessage.Offer.From(offer));
    }

    void IPeerSignalSink.OnMediaClosed(string reason) => Fail(SignallingError.MediaClosed, reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Participant {ParticipantId} joined room {Room}")]
    private static partial void LogJoined(ILogger logger, string participantId, string room);

    [LoggerMessage(Level = LogLevel.Information, Message = "Participant {ParticipantId} left room {Room}")]
    private static partial void LogLeft(ILogger logger, string participantId, string room);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Participant {ParticipantId} left: its browser could not apply an offer: {Reason}")]
    private static partial void LogNegotiationFailed(ILogger logger, string participantId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signalling refused a message ({Code}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string code, string reason);
}
