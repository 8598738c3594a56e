using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Conclave.Testing;

/// <summary>A raw WebSocket to /ws, to send what no browser would.</summary>
public sealed class SignallingClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    /// <param name="sessionCookie">The console session of the account that connects (signalling refuses anonymous upgrades).</param>
    public static async Task<SignallingClient> ConnectAsync(Uri https, string? sessionCookie, string? origin = null, string? cookieHeader = null)
    {
        var client = new SignallingClient();
        if (origin is not null) client._socket.Options.SetRequestHeader("Origin", origin);
        cookieHeader ??= sessionCookie is null ? null : $"{TestMeetings.SessionCookie}={sessionCookie}";
        if (cookieHeader is not null) client._socket.Options.SetRequestHeader("Cookie", cookieHeader);
        // The development certificate is self-signed (README).
        client._socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        var ws = new UriBuilder(https) { Scheme = "wss", Path = "/ws" }.Uri;
        await client._socket.ConnectAsync(ws, CancellationToken.None);
        return client;
    }

    public WebSocketState State => _socket.State;
    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    public Task SendJsonAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    /// <summary>Sends <c>join</c> as a browser does (<see cref="JoinMessages"/>).</summary>
    public Task JoinAsync(string room, string? name = null) => SendJsonAsync(JoinMessages.For(room, name));

    /// <summary>The next message, or null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[256 * 1024];
        int length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancel.Token);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            length += result.Count;
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
    }

    /// <summary>Reads messages until one of <paramref name="type"/> arrives.</summary>
    public async Task<JsonElement> ReceiveTypeAsync(string type)
    {
        while (true)
        {
            var message = await ReceiveAsync() ?? throw new InvalidOperationException($"socket closed while waiting for '{type}'");
            if (message.GetProperty("type").GetString() == type) return message;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try { await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None); }
            catch (WebSocketException) { }
        }
        _socket.Dispose();
    }
}
