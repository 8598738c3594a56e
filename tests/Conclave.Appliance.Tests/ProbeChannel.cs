using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Conclave.Appliance.Tests;

/// <summary>One answer of the guest's probe (image/test-layer/…/conclave-probe): the lines between "BEGIN request" and "END request status".</summary>
public sealed record ProbeAnswer(string Request, IReadOnlyList<string> Lines, int ExitStatus)
{
    /// <summary>The value of a "key value" or "key=value" line, or null.</summary>
    public string? Value(string key)
    {
        foreach (var line in Lines)
        {
            if (line.StartsWith(key + " ", StringComparison.Ordinal) || line.StartsWith(key + "=", StringComparison.Ordinal)) return line[(key.Length + 1)..].Trim();
        }
        return null;
    }

    public string Text => string.Join('\n', Lines);
}

/// <summary>
/// The host's end of the guest's second serial port, a qemu chardev on a unix socket: the probe
/// reports once the boot has finished and then answers one request per line. Every line it
/// sends is also kept in a log file.
/// </summary>
internal sealed class ProbeChannel : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<ProbeAnswer> _answers = Channel.CreateUnbounded<ProbeAnswer>();
    private readonly SemaphoreSlim _oneRequest = new(1, 1);
    private readonly Task _reading;

    private ProbeChannel(Socket socket, string logPath)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reading = Task.Run(() => ReadAsync(logPath));
    }

    /// <summary>Connects to qemu's socket, which exists a moment after qemu starts.</summary>
    public static async Task<ProbeChannel> ConnectAsync(string socketPath, string logPath, Func<bool> qemuRunning)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath));
                return new ProbeChannel(socket, logPath);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && qemuRunning())
            {
                socket.Dispose();
                await Task.Delay(100);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private async Task ReadAsync(string logPath)
    {
        await using var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        using var reader = new StreamReader(_stream, Encoding.UTF8);
        string? request = null;
        var lines = new List<string>();
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                await log.WriteLineAsync(line);
                if (request is null)
                {
                    if (line.StartsWith("BEGIN ", StringComparison.Ordinal)) request = line[6..];
                    continue;
                }
                if (line.StartsWith($"END {request} ", StringComparison.Ordinal))
                {
                    int status = int.TryParse(line.AsSpan(5 + request.Length), out int parsed) ? parsed : -1;
                    _answers.Writer.TryWrite(new ProbeAnswer(request, lines, status));
                    request = null;
                    lines = [];
                    continue;
                }
                lines.Add(line);
            }
        }
        catch (IOException)
        {
            // qemu went away: the channel ends.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            _answers.Writer.TryComplete();
        }
    }

    /// <summary>Waits for the probe's next answer to <paramref name="request"/>, skipping any other.</summary>
    public async Task<ProbeAnswer> WaitForAsync(string request, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var answer = await _answers.Reader.ReadAsync(deadline.Token);
                if (answer.Request == request) return answer;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the guest's probe did not answer '{request}' within {timeout.TotalSeconds:0} s");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the guest's serial line closed before the probe answered '{request}' (qemu exited?)");
        }
    }

    /// <summary>Sends one request line and waits for its answer.</summary>
    public async Task<ProbeAnswer> AskAsync(string request, TimeSpan? timeout = null)
    {
        await _oneRequest.WaitAsync();
        try
        {
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(request + "\n"));
            return await WaitForAsync(request, timeout ?? TimeSpan.FromSeconds(60));
        }
        finally
        {
            _oneRequest.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already gone with qemu.
        }
        _socket.Dispose();
        await _reading;
        _oneRequest.Dispose();
    }
}
