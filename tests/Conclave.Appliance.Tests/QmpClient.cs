using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Conclave.Appliance.Tests;

/// <summary>
/// The QEMU Machine Protocol on qemu's unix socket: JSON lines, a greeting, capability
/// negotiation (qmp_capabilities), then commands whose "return" or "error" comes back
/// among asynchronous events.
/// </summary>
internal sealed class QmpClient : IDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly NetworkStream _stream;

    private QmpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<QmpClient> ConnectAsync(string socketPath, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), deadline.Token);
            var client = new QmpClient(socket);
            await client.ReadLineAsync(deadline.Token); // {"QMP": {...}}
            await client.ExecuteAsync("qmp_capabilities", deadline.Token);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command; throws when qemu answers with an error.</summary>
    public async Task ExecuteAsync(string command, CancellationToken cancel)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes($"{{\"execute\": \"{command}\"}}\n"), cancel);
        while (true)
        {
            using var reply = JsonDocument.Parse(await ReadLineAsync(cancel));
            if (reply.RootElement.TryGetProperty("return", out _)) return;
            if (reply.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"QMP {command}: {error}");
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancel) =>
        await _reader.ReadLineAsync(cancel) ?? throw new IOException("qemu closed its QMP socket");

    public void Dispose()
    {
        _reader.Dispose();
        _socket.Dispose();
    }
}
