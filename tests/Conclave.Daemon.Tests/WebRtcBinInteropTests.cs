using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Conclave.Media.Diagnostics;
using Xunit.Abstractions;

namespace Conclave.Daemon.Tests;

/// <summary>
/// conclaved against an independent WebRTC stack: GStreamer 1.22's webrtcbin (OpenSSL DTLS,
/// libnice ICE), run by tests/support/webrtcbin_participant.py on loopback. The test signals for
/// it over WSS and hands it the SDP through stdin and stdout. webrtcbin publishes plain
/// Opus, which the SFU drops as not SFrame; a drop counted as such (not as an SRTP
/// authentication failure) shows the SRTP keys both sides derived from DTLS agree.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class WebRtcBinInteropTests(InProcessDaemon fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Webrtcbin_completes_dtls_with_the_appliance_and_its_srtp_authenticates()
    {
        var (signalling, meetingId) = await fixture.ConnectMemberAsync("gst-webrtcbin", "GStreamer");
        await using var _signalling = signalling;
        await using var participant = WebRtcBinParticipant.Start(output);
        var dropsBefore = (await fixture.Daemon.MediaPlane.GetStatsAsync()).Drops;

        await signalling.JoinAsync(meetingId);
        var offer = await signalling.ReceiveTypeAsync("offer");
        await participant.SendAsync(new { type = "offer", sdp = offer.GetProperty("sdp").GetString() });
        var answer = await participant.ReceiveTypeAsync("answer", ConnectTimeout);
        string answerSdp = answer.GetProperty("sdp").GetString()!;
        Assert.Contains("a=setup:active", answerSdp);
        Assert.Contains("a=rtpmap:111 OPUS/48000/2", answerSdp, StringComparison.OrdinalIgnoreCase);
        await signalling.SendJsonAsync(new { type = "answer", revision = offer.GetProperty("revision").GetInt32(), sdp = answerSdp });

        var started = Stopwatch.StartNew();
        await participant.ReceiveStateAsync("dtls", "connected", ConnectTimeout);
        output.WriteLine($"webrtcbin's DTLS transport connected {started.ElapsedMilliseconds} ms after the answer");

        // Plain Opus at 50 packets a second: the peer is closed after 50 (Peer's not-SFrame budget).
        var error = await signalling.ReceiveTypeAsync("error");
        var drops = DropsSince(dropsBefore, (await fixture.Daemon.MediaPlane.GetStatsAsync()).Drops);
        output.WriteLine($"appliance drops: {string.Join(", ", drops.Select(d => $"{d.Key} {d.Value}"))}; then error {error}");
        Assert.Equal("media-closed", error.GetProperty("code").GetString());
        Assert.Equal("media-not-encrypted", error.GetProperty("message").GetString());
        Assert.True(drops.GetValueOrDefault(DropReason.NotSFrame) >= 1, "webrtcbin's SRTP was unprotected and dropped as not SFrame");
        Assert.Equal(0, drops.GetValueOrDefault(DropReason.SrtpAuthFailed));
    }

    private static Dictionary<DropReason, long> DropsSince(IReadOnlyDictionary<DropReason, long> before, IReadOnlyDictionary<DropReason, long> after)
    {
        var added = new Dictionary<DropReason, long>();
        foreach (var (reason, count) in after)
        {
            long delta = count - before.GetValueOrDefault(reason);
            if (delta > 0) added[reason] = delta;
        }
        return added;
    }

    /// <summary>tests/support/webrtcbin_participant.py as a child process: JSON lines in and out.</summary>
    private sealed class WebRtcBinParticipant : IAsyncDisposable
    {
        /// <summary>Debian's interpreter: PyGObject and the GStreamer typelibs are Debian packages (scripts/setup.sh).</summary>
        private const string Python = "/usr/bin/python3";

        private readonly Process _process;
        private readonly Channel<JsonElement> _messages = Channel.CreateUnbounded<JsonElement>();
        private readonly StringBuilder _stderr = new();
        private readonly ITestOutputHelper _output;
        private readonly Task _reading;

        private WebRtcBinParticipant(Process process, ITestOutputHelper output)
        {
            _process = process;
            _output = output;
            _process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_stderr) _stderr.AppendLine(e.Data);
            };
            _process.BeginErrorReadLine();
            _reading = Task.Run(ReadAsync);
        }

        public static WebRtcBinParticipant Start(ITestOutputHelper output)
        {
            var start = new ProcessStartInfo(Python)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "tests", "support", "webrtcbin_participant.py"));
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start: scripts/setup.sh installs it");
            return new WebRtcBinParticipant(process, output);
        }

        private async Task ReadAsync()
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                _output.WriteLine($"webrtcbin: {line}");
                using var document = JsonDocument.Parse(line);
                await _messages.Writer.WriteAsync(document.RootElement.Clone());
            }
            _messages.Writer.Complete();
        }

        public async Task SendAsync(object message)
        {
            await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(message));
            await _process.StandardInput.FlushAsync();
        }

        public async Task<JsonElement> ReceiveTypeAsync(string type, TimeSpan timeout)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                while (true)
                {
                    var message = await _messages.Reader.ReadAsync(cancel.Token);
                    string? kind = message.GetProperty("type").GetString();
                    if (kind == type) return message;
                    if (kind == "error") throw new Xunit.Sdk.XunitException($"webrtcbin failed: {message}\n{Stderr()}");
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
            {
                throw new Xunit.Sdk.XunitException($"no '{type}' from webrtcbin within {timeout.TotalSeconds} s\n{Stderr()}");
            }
        }

        /// <summary>Waits for a state message whose <paramref name="name"/> is <paramref name="value"/>.</summary>
        public async Task ReceiveStateAsync(string name, string value, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var remaining = timeout - deadline.Elapsed;
                if (remaining <= TimeSpan.Zero) throw new Xunit.Sdk.XunitException($"webrtcbin's {name} never became {value}\n{Stderr()}");
                var state = await ReceiveTypeAsync("state", remaining);
                if (state.TryGetProperty(name, out var current) && current.GetString() == value) return;
                if (state.TryGetProperty(name, out current) && current.GetString() == "failed")
                {
                    throw new Xunit.Sdk.XunitException($"webrtcbin's {name} failed: {state}\n{Stderr()}");
                }
            }
        }

        private string Stderr()
        {
            lock (_stderr) return _stderr.ToString();
        }

        private static string RepositoryRoot()
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Appliance.sln"))) directory = directory.Parent;
            return directory?.FullName ?? throw new DirectoryNotFoundException($"no Appliance.sln above {AppContext.BaseDirectory}");
        }

        public async ValueTask DisposeAsync()
        {
            // Closing stdin ends the script (it sets its pipeline to NULL); kill it if it lingers.
            _process.StandardInput.Close();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(exit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
            }
            await _reading;
            string stderr = Stderr();
            if (stderr.Length > 0) _output.WriteLine($"webrtcbin stderr:\n{stderr}");
            _process.Dispose();
        }
    }
}
