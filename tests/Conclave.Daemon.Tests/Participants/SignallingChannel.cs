using System.Net.WebSockets;
using System.Text.Json;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>
/// A participant's signalling WebSocket (docs/signalling.md): JSON text frames in both
/// directions, read by one loop for the socket's whole life. Unlike a single request's
/// receive, nothing here times out: a quiet meeting sends nothing for long stretches.
/// </summary>
internal sealed class SignallingChannel : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sending = new(1, 1);

    private SignallingChannel()
    {
    }

    public static async Task<SignallingChannel> ConnectAsync(Uri https, string sessionCookie)
    {
        var channel = new SignallingChannel();
        channel._socket.Options.SetRequestHeader("Cookie", $"{Conclave.Testing.TestMeetings.SessionCookie}={sessionCookie}");
        // The development certificate is self-signed (README).
        channel._socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        await channel._socket.ConnectAsync(new UriBuilder(https) { Scheme = "wss", Path = "/ws" }.Uri, CancellationToken.None);
        return channel;
    }

    public WebSocketState State => _socket.State;

    public async Task SendAsync(object message)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(message);
        await _sending.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.Open) await _socket.SendAsync(json, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Calls <paramref name="onMessage"/> for each message until the appliance closes the socket.</summary>
    public async Task ReadAllAsync(Func<JsonElement, Task> onMessage)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        await ReplyToCloseAsync();
                        return;
                    }
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                using var document = JsonDocument.Parse(buffer.AsMemory(0, length));
                await onMessage(document.RootElement);
            }
        }
        catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Aborted by DisposeAsync, or the appliance went away: the meeting is over for this participant.
        }
    }

    /// <summary>RFC 6455 §5.5.1: answer the appliance's close frame so it can close TCP cleanly.</summary>
    private async Task ReplyToCloseAsync()
    {
        await _sending.WaitAsync();
        try
        {
            if (_socket.State == WebSocketState.CloseReceived) await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
        finally
        {
            _sending.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
