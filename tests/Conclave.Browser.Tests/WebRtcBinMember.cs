using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Conclave.Testing;
using Xunit.Abstractions;

namespace Conclave.Browser.Tests;

/// <summary>
/// A meeting member whose WebRTC stack is GStreamer's webrtcbin: interop/gst-member.ts under Node
/// (the browser's own MLS and SFrame code, bundled with esbuild for this run) joins over WSS and
/// holds the keys; its child tests/support/webrtcbin_participant.py --e2ee runs webrtcbin and
/// hands it every frame to seal or open. Its JSON lines are read here; a transcript of all it
/// printed is kept for a failure message.
/// </summary>
internal sealed class WebRtcBinMember : IAsyncDisposable
{
    private const string Node = "/usr/bin/node";
    private static readonly SemaphoreSlim BundleOnce = new(1, 1);
    private static string? _bundle;

    private readonly Process _process;
    private readonly Channel<JsonElement> _messages = Channel.CreateUnbounded<JsonElement>();
    private readonly StringBuilder _transcript = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Task _reading;
    private volatile WebRtcBinCounts? _counts;

    private WebRtcBinMember(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) Note("stderr", e.Data);
        };
        _process.BeginErrorReadLine();
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Everything the sidecar printed (stdout, and on stderr its own and Python's), with the ms since it started.</summary>
    public string Transcript
    {
        get
        {
            lock (_transcript) return _transcript.ToString();
        }
    }

    /// <summary>The last frame counts it reported (about once a second), or null before the first.</summary>
    public WebRtcBinCounts? Counts => _counts;

    /// <param name="cookie">The member's session cookie: written to the sidecar's stdin, never put in its arguments.</param>
    public static async Task<WebRtcBinMember> StartAsync(Uri daemon, string meetingId, string cookie, ITestOutputHelper output)
    {
        string bundle = await BundleAsync(output);
        var start = new ProcessStartInfo(Node)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { bundle, daemon.GetLeftPart(UriPartial.Authority), meetingId, RepositoryFiles.PathOf("tests", "support", "webrtcbin_participant.py") })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Node} did not start: scripts/setup.sh installs it");
        var member = new WebRtcBinMember(process);
        await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(new { cookie }));
        await process.StandardInput.FlushAsync();
        return member;
    }

    /// <summary>
    /// Type-checks interop/gst-member.ts with the client's tsc and bundles it with esbuild into
    /// artifacts/webrtcbin (as bench/load/run.sh does its harness), once per test run.
    /// </summary>
    private static async Task<string> BundleAsync(ITestOutputHelper output)
    {
        await BundleOnce.WaitAsync();
        try
        {
            if (_bundle is not null) return _bundle;
            var took = Stopwatch.StartNew();
            string client = RepositoryFiles.PathOf("src", "Conclave.Web", "client");
            string source = RepositoryFiles.PathOf("tests", "Conclave.Browser.Tests", "interop");
            string outDirectory = RepositoryFiles.PathOf("artifacts", "webrtcbin");
            Directory.CreateDirectory(outDirectory);
            string bundle = Path.Combine(outDirectory, "gst-member.mjs");
            await RunAsync(client, Path.Combine(client, "node_modules", ".bin", "tsc"), "--noEmit", "-p", Path.Combine(source, "tsconfig.json"));
            await RunAsync(client, Path.Combine(client, "node_modules", ".bin", "esbuild"), Path.Combine(source, "gst-member.ts"),
                "--bundle", "--platform=node", "--format=esm", "--target=node20", $"--outfile={bundle}", "--log-level=warning");
            output.WriteLine($"gst-member.ts type-checked and bundled in {took.ElapsedMilliseconds} ms");
            return _bundle = bundle;
        }
        finally
        {
            BundleOnce.Release();
        }
    }

    private static async Task RunAsync(string workingDirectory, string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start: scripts/setup.sh installs the client's npm packages");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} exited {process.ExitCode}: {await stdout}{await stderr}");
        }
    }

    private void Note(string stream, string line)
    {
        lock (_transcript) _transcript.AppendLine($"{_clock.ElapsedMilliseconds,7} {stream}: {line}");
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            Note("stdout", line);
            using var document = JsonDocument.Parse(line);
            var message = document.RootElement.Clone();
            if (message.GetProperty("type").GetString() == "counts") _counts = WebRtcBinCounts.Parse(message);
            else await _messages.Writer.WriteAsync(message);
        }
        _messages.Writer.Complete();
    }

    /// <summary>The next message of <paramref name="type"/> that <paramref name="matches"/>; an error it reports fails the test.</summary>
    public async Task<JsonElement> ReceiveAsync(string type, Func<JsonElement, bool> matches, TimeSpan timeout, string what)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var message = await _messages.Reader.ReadAsync(cancel.Token);
                string? kind = message.GetProperty("type").GetString();
                if (kind == type && matches(message)) return message;
                if (kind is "error" or "python-exit" or "closed") throw new Xunit.Sdk.XunitException($"the webrtcbin member failed waiting for {what}: {message}");
                if (kind == "state" && message.EnumerateObject().Any(p => p.Value.ValueKind == JsonValueKind.String && p.Value.GetString() == "failed"))
                {
                    throw new Xunit.Sdk.XunitException($"webrtcbin failed waiting for {what}: {message}");
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new Xunit.Sdk.XunitException($"no {what} from the webrtcbin member within {timeout.TotalSeconds} s");
        }
    }

    /// <summary>Waits until its reported counts satisfy <paramref name="condition"/>.</summary>
    public async Task<WebRtcBinCounts> CountsAsync(Func<WebRtcBinCounts, bool> condition, TimeSpan timeout, string what)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_counts is { } counts && condition(counts)) return counts;
            if (_process.HasExited) throw new Xunit.Sdk.XunitException($"the webrtcbin member exited ({_process.ExitCode}) before {what}");
            if (waited.Elapsed > timeout) throw new Xunit.Sdk.XunitException($"{what} did not happen within {timeout.TotalSeconds} s; last counts: {_counts}");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The end of stdin is its leave: it closes the WebSocket and ends webrtcbin; killed if it lingers.
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(exit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        await _reading;
        _process.Dispose();
    }
}

/// <summary>
/// What the webrtcbin member reported: frames webrtcbin received, decoded and sent per kind; what
/// its sidecar sealed, opened, and could not open, by the E2EE worker's reasons.
/// </summary>
internal sealed record WebRtcBinCounts(
    long AudioReceived, long VideoReceived, long AudioDecoded, long VideoDecoded, long AudioSent,
    long Sealed, long SealDroppedNoKey, long AudioOpened, long VideoOpened,
    long OpenDroppedNoKey, long OpenDroppedWrongSender, long OpenDroppedAuthentication, long OpenDroppedMalformed, string? VideoSize)
{
    public static WebRtcBinCounts Parse(JsonElement counts)
    {
        var received = counts.GetProperty("received");
        var decoded = counts.GetProperty("decoded");
        var opened = counts.GetProperty("opened");
        var dropped = counts.GetProperty("openDropped");
        var videoSize = counts.GetProperty("videoSize");
        return new WebRtcBinCounts(
            received.GetProperty("audio").GetInt64(), received.GetProperty("video").GetInt64(),
            decoded.GetProperty("audio").GetInt64(), decoded.GetProperty("video").GetInt64(), counts.GetProperty("sent").GetInt64(),
            counts.GetProperty("sealed").GetInt64(), counts.GetProperty("sealDroppedNoKey").GetInt64(),
            opened.GetProperty("audio").GetInt64(), opened.GetProperty("video").GetInt64(),
            dropped.GetProperty("noKey").GetInt64(), dropped.GetProperty("wrongSender").GetInt64(),
            dropped.GetProperty("authentication").GetInt64(), dropped.GetProperty("malformed").GetInt64(),
            videoSize.ValueKind == JsonValueKind.String ? videoSize.GetString() : null);
    }
}
