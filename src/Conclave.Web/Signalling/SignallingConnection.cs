using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Conclave.Media.Sfu;
using Microsoft.Extensions.Logging;

namespace Conclave.Web.Signalling;

/// <summary>
/// One browser's signalling WebSocket: join, then offer/answer rounds until leave.
/// A message that is malformed, oversized or out of order earns an error message and
/// the end of this socket; nothing else on the appliance notices.
/// </summary>
public sealed partial class SignallingConnection : IPeerSignalSink
{
    /// <summary>Offers and roster updates queued for a browser that does not read; past this it is gone.</summary>
    private const int MaxQueuedMessages = 256;

    private readonly WebSocket _socket;
    private readonly MediaPlane _plane;
    private readonly RoomDirectory _directory;
    private readonly ILogger _logger;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateBounded<Outgoing>(
        new BoundedChannelOptions(MaxQueuedMessages) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _closing = new();
    private PeerHandle? _peer;
    private string? _room;

    public SignallingConnection(WebSocket socket, MediaPlane plane, RoomDirectory directory, ILogger logger)
    {
        _socket = socket;
        _plane = plane;
        _directory = directory;
        _logger = logger;
    }

    public string? ParticipantId => _peer?.PeerId;
    public string? DisplayName { get; private set; }

    private readonly record struct Outgoing(string? Text, WebSocketCloseStatus? Close, string? CloseReason);

    public async Task RunAsync(CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _closing.Token);
        var writer = WriteLoopAsync(stopping);
        try
        {
            await ReadLoopAsync(linked.Token);
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
            await LeaveAsync();
            _outgoing.Writer.TryComplete();
            await writer;
        }
    }

    private async Task ReadLoopAsync(CancellationToken cancel)
    {
        var buffer = new byte[SignallingLimits.MaxMessageBytes];
        using var joinTimeout = new CancellationTokenSource(SignallingLimits.JoinTimeout);
        while (_socket.State == WebSocketState.Open)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            using var receiveCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel, _peer is null ? joinTimeout.Token : CancellationToken.None);
            do
            {
                if (length == buffer.Length)
                {
                    Fail(SignallingErrorCode.TooLarge, $"a message may hold at most {SignallingLimits.MaxMessageBytes} bytes");
                    return;
                }
                try
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), receiveCancel.Token);
                }
                catch (OperationCanceledException) when (joinTimeout.IsCancellationRequested && !cancel.IsCancellationRequested)
                {
                    Fail(SignallingErrorCode.Timeout, "no join message within 30 seconds");
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Close) return;
                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (result.MessageType != WebSocketMessageType.Text)
            {
                Fail(SignallingErrorCode.Malformed, "messages are JSON text frames");
                return;
            }
            if (!ClientMessageParser.TryParse(buffer.AsMemory(0, length), out var message, out var error))
            {
                Fail(SignallingErrorCode.Malformed, error!);
                return;
            }
            if (!await HandleAsync(message!)) return;
        }
    }

    /// <summary>Acts on one message; false ends the socket.</summary>
    private async Task<bool> HandleAsync(ClientMessage message)
    {
        switch (message)
        {
            case ClientMessage.Join join when _peer is null:
                _peer = await _plane.JoinAsync(join.Room, this);
                _room = join.Room;
                DisplayName = join.Name;
                var others = _directory.Enter(join.Room, _peer.PeerId, this);
                Send(ServerMessages.Joined(_peer.PeerId, others.Where(o => o.ParticipantId is not null).Select(o => new ServerMessages.ParticipantInfo(o.ParticipantId!, o.DisplayName!)).ToList()));
                var joined = ServerMessages.ParticipantJoined(new ServerMessages.ParticipantInfo(_peer.PeerId, join.Name));
                foreach (var other in others) other.Send(joined);
                LogJoined(_logger, _peer.PeerId, join.Room);
                await _peer.NegotiateAsync();
                return true;
            case ClientMessage.Join:
                Fail(SignallingErrorCode.OutOfOrder, "already joined: one join per connection");
                return false;
            case ClientMessage.Leave:
                return false;
            case not null when _peer is null:
                Fail(SignallingErrorCode.OutOfOrder, "join first");
                return false;
            case ClientMessage.Answer answer:
                var refusal = await _peer.ApplyAnswerAsync(answer.Revision, answer.Sdp);
                if (refusal is null) return true;
                Fail(SignallingErrorCode.BadSdp, refusal);
                return false;
            case ClientMessage.Candidate:
                // ICE-lite (RFC 8445 §2.5): the appliance learns the browser's address from
                // its connectivity checks, so trickled candidates need no action.
                return true;
            case ClientMessage.RestartIce:
                await _peer.RestartIceAsync();
                return true;
            default:
                return false;
        }
    }

    private async Task LeaveAsync()
    {
        var peer = Interlocked.Exchange(ref _peer, null);
        if (peer is null || _room is null) return;
        await peer.LeaveAsync();
        var remaining = _directory.Leave(_room, peer.PeerId);
        var left = ServerMessages.ParticipantLeft(peer.PeerId);
        foreach (var other in remaining) other.Send(left);
        LogLeft(_logger, peer.PeerId, _room);
    }

    internal void Send(string json)
    {
        if (!_outgoing.Writer.TryWrite(new Outgoing(json, null, null)))
        {
            // The browser stopped reading: it cannot follow the meeting any more.
            _closing.Cancel();
        }
    }

    private void Fail(string code, string message)
    {
        LogRefused(_logger, code, message);
        _outgoing.Writer.TryWrite(new Outgoing(ServerMessages.Error(code, message), null, null));
        _outgoing.Writer.TryWrite(new Outgoing(null, WebSocketCloseStatus.PolicyViolation, code));
    }

    private async Task WriteLoopAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync(stopping))
            {
                if (_socket.State != WebSocketState.Open) break;
                if (item.Text is not null)
                {
                    await _socket.SendAsync(Encoding.UTF8.GetBytes(item.Text), WebSocketMessageType.Text, true, stopping);
                }
                else if (item.Close is { } status)
                {
                    await _socket.CloseOutputAsync(status, item.CloseReason, stopping);
                    _closing.Cancel();
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

    void IPeerSignalSink.SendOffer(PeerOffer offer) => Send(ServerMessages.Offer(offer));

    void IPeerSignalSink.OnMediaClosed(string reason) => Fail(SignallingErrorCode.MediaClosed, reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Participant {ParticipantId} joined room {Room}")]
    private static partial void LogJoined(ILogger logger, string participantId, string room);

    [LoggerMessage(Level = LogLevel.Information, Message = "Participant {ParticipantId} left room {Room}")]
    private static partial void LogLeft(ILogger logger, string participantId, string room);

    [LoggerMessage(Level = LogLevel.Information, Message = "Signalling refused a message ({Code}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string code, string reason);
}
