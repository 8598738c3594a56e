using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Conclave.Media.Stun;
using Conclave.Meetings.Accounts;
using Conclave.Testing;

namespace Conclave.Appliance.Tests;

/// <summary>
/// The appliance image built (when out of date) and booted once for all the boot tests, and the
/// visits a person makes to it from the host, each done once whichever test asks first. Power-down
/// waits for every visit, so the capture holds all of them and tests may run in any order.
/// </summary>
public sealed class BootedAppliance : IAsyncLifetime
{
    /// <summary>From qemu's start to the probe's report: a TCG boot took 35–100 s here, conclaved included.</summary>
    private static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5);

    /// <summary>A step against the guest: its first HTTPS requests wait for .NET to compile them under TCG.</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(2);

    private const string AdminName = "first-admin";
    private const string AdminPassword = "appliance boot test password";

    private readonly Lazy<Task<ConsoleVisit>> _console;
    private readonly Lazy<Task<MeetingVisit>> _meeting;
    private readonly Lazy<Task<SystemPageVisit>> _systemPage;
    private readonly Lazy<Task<PowerDown>> _powerDown;
    private readonly Lazy<Task<PacketCapture>> _capture;
    private GuestVm? _vm;

    public BootedAppliance()
    {
        _console = new(() => Step("the console visit", VisitConsoleAsync));
        _meeting = new(() => Step("the meeting visit", VisitMeetingAsync));
        _systemPage = new(() => Step("the System page visit", VisitSystemPageAsync));
        _powerDown = new(PowerDownAsync);
        _capture = new(ReadCaptureAsync);
    }

    public string OutputDirectory { get; } = RepositoryFiles.PathOf("artifacts", "appliance-test");
    public ApplianceImage Image { get; private set; } = null!;
    public TimeSpan BootToReport { get; private set; }
    public ProbeAnswer Report { get; private set; } = null!;
    public ProbeAnswer Hostname { get; private set; } = null!;
    public ProbeAnswer Units { get; private set; } = null!;
    public ProbeAnswer Security { get; private set; } = null!;
    private GuestVm Vm => _vm ?? throw new InvalidOperationException("the guest did not start");

    public async Task InitializeAsync()
    {
        if (Directory.Exists(OutputDirectory)) Directory.Delete(OutputDirectory, recursive: true);
        Image = await ApplianceImage.BuildAsync();
        _vm = await GuestVm.StartAsync(Image, OutputDirectory);
        try
        {
            try
            {
                Report = await Vm.Probe.WaitForAsync("report", BootTimeout);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                throw new TimeoutException($"{e.Message} (boot report; console log {Vm.ConsoleLogPath}, ends with):\n{Vm.ConsoleTail(60)}", e);
            }
            BootToReport = Vm.SinceStart;
            Hostname = await Vm.Probe.AskAsync("hostname");
            Units = await Vm.Probe.AskAsync("units");
            Security = await Vm.Probe.AskAsync("security");
        }
        catch
        {
            // No test runs after a failed start, and qemu must not outlive it.
            await _vm.DisposeAsync();
            _vm = null;
            throw;
        }
    }

    /// <summary>The journal of conclaved, for a failure message.</summary>
    public async Task<string> JournalAsync()
    {
        if (_vm is null || _vm.HasExited) return "(the guest is not running)";
        try
        {
            return (await _vm.Probe.AskAsync("journal", TimeSpan.FromSeconds(30))).Text;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            return $"(no journal: {e.Message}; the console ends with:)\n{_vm.ConsoleTail(30)}";
        }
    }

    public Task<ConsoleVisit> ConsoleAsync() => _console.Value;
    public Task<MeetingVisit> MeetingAsync() => _meeting.Value;
    public Task<SystemPageVisit> SystemPageAsync() => _systemPage.Value;
    public Task<PowerDown> PowerDownAsyncOnce() => _powerDown.Value;
    public Task<PacketCapture> CaptureAsync() => _capture.Value;

    private static async Task<T> Step<T>(string name, Func<Task<T>> step)
    {
        try
        {
            return await step().WaitAsync(StepTimeout);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{name} did not finish within {StepTimeout.TotalSeconds:0} s", e);
        }
    }

    public sealed record ConsoleVisit(HttpStatusCode LoginPage, X509Certificate2 ServerCertificate, X509Certificate2 CredentialCa, Uri SetupLink,
        HttpStatusCode AdminConsole, ConsoleClient Admin);

    /// <summary>
    /// Opens /login as a browser would, takes the one-time setup link from conclaved's journal,
    /// creates the first admin with TOTP there, then logs in afresh with password and TOTP code.
    /// </summary>
    private async Task<ConsoleVisit> VisitConsoleAsync()
    {
        X509Certificate2? serverCertificate = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    serverCertificate ??= certificate is null ? null : new X509Certificate2(certificate);
                    return true;
                },
            },
        };
        using var browser = new HttpClient(handler) { BaseAddress = Vm.Https };
        var loginPage = (await browser.GetAsync("/login")).StatusCode;

        var logged = (await Vm.Probe.AskAsync("setup-link")).Lines.LastOrDefault()
            ?? throw new InvalidOperationException("conclaved logged no setup link");
        var setupLink = new Uri(Vm.Https, new Uri(logged).PathAndQuery);
        byte[] totpSecret;
        using (var setup = new ConsoleClient(Vm.Https)) totpSecret = await setup.CreateFirstAdminAsync(setupLink, AdminName, AdminPassword);

        var admin = new ConsoleClient(Vm.Https);
        // The code of the next 30 s step: enrolment just used this step's code, which is never accepted twice.
        string code = new TotpAuthenticator(TimeProvider.System).CodeAt(totpSecret, DateTimeOffset.UtcNow.AddSeconds(TotpAuthenticator.StepSeconds));
        await admin.LoginAsync(AdminName, AdminPassword, code);
        var adminConsole = (await admin.GetAsync("/console")).StatusCode;
        string caPem = await (await admin.GetAsync("/console/token/credential-ca.pem")).Content.ReadAsStringAsync();
        return new ConsoleVisit(loginPage, serverCertificate ?? throw new InvalidOperationException("no server certificate"),
            X509Certificate2.CreateFromPem(caPem), setupLink, adminConsole, admin);
    }

    public sealed record MeetingVisit(string MeetingId, IReadOnlyList<string> SignallingTypes, string OfferedCandidate, IPEndPoint StunMappedAddress,
        TimeSpan StunRoundTrip, bool StunIntegrityVerified);

    /// <summary>
    /// The admin creates a meeting on the console, joins its signalling as a browser does (the
    /// admin is its host), and sends the connectivity check a browser sends to the media port
    /// with the ICE credentials of the appliance's offer.
    /// </summary>
    private async Task<MeetingVisit> VisitMeetingAsync()
    {
        var console = await ConsoleAsync();
        var now = DateTimeOffset.UtcNow;
        var created = await console.Admin.SubmitAsync("/console/meetings", "/console/meetings", ("title", "Boot test"),
            ("starts_at", $"{now:yyyy-MM-dd'T'HH:mm}"), ("ends_at", $"{now.AddHours(1):yyyy-MM-dd'T'HH:mm}"), ("roster", ""));
        string location = created.Headers.Location?.OriginalString ?? throw new InvalidOperationException($"creating a meeting answered {(int)created.StatusCode}");
        string meetingId = location["/console/meetings/".Length..];

        var origin = Vm.Https.GetLeftPart(UriPartial.Authority);
        await using var signalling = await SignallingClient.ConnectAsync(Vm.Https, console.Admin.Cookie(TestMeetings.SessionCookie), origin);
        await signalling.JoinAsync(meetingId);
        var types = new List<string>();
        JsonElement offer;
        while (true)
        {
            var message = await signalling.ReceiveAsync(StepTimeout) ?? throw new InvalidOperationException($"signalling closed after {string.Join(", ", types)}");
            string type = message.GetProperty("type").GetString()!;
            types.Add(type);
            if (type == "error") throw new InvalidOperationException($"signalling refused the join: {message}");
            if (type == "offer")
            {
                offer = message;
                break;
            }
        }
        string sdp = offer.GetProperty("sdp").GetString()!;
        string Attribute(string name) => sdp.Split("\r\n").First(l => l.StartsWith($"a={name}:", StringComparison.Ordinal))[(name.Length + 3)..];
        var (mapped, roundTrip, integrity) = await StunCheckAsync(Attribute("ice-ufrag"), Attribute("ice-pwd"));
        return new MeetingVisit(meetingId, types, Attribute("candidate"), mapped, roundTrip, integrity);
    }

    /// <summary>A Binding request as a browser's first check (RFC 8445 §7.2.2), retransmitted every 500 ms until answered.</summary>
    private async Task<(IPEndPoint Mapped, TimeSpan RoundTrip, bool Integrity)> StunCheckAsync(string ufrag, string password)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        byte[] request = IceConnectivityCheck.Request($"{ufrag}:bOoTtEsT", password);
        var response = new byte[1500];
        var stopwatch = Stopwatch.StartNew();
        for (int attempt = 0; attempt < 40; attempt++)
        {
            await udp.SendToAsync(request, Vm.Media);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                int length = await udp.ReceiveAsync(response, wait.Token);
                if (ReadBindingResponse(response.AsSpan(0, length), request.AsSpan(8, 12), password) is { } answer) return (answer.Mapped, stopwatch.Elapsed, answer.Integrity);
            }
            catch (OperationCanceledException)
            {
                // Not yet: send it again.
            }
        }
        throw new TimeoutException($"the media port (host {Vm.Media}, guest udp/10000) answered no STUN Binding request in 20 s");
    }

    private static (IPEndPoint Mapped, bool Integrity)? ReadBindingResponse(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> transactionId, string password)
    {
        if (!StunMessage.TryParse(datagram, out var message) || message.MessageType != StunMessageType.BindingSuccessResponse
            || !message.TransactionId.SequenceEqual(transactionId) || !message.TryGetAttribute(StunAttributeType.XorMappedAddress, out var xored) || xored.Length != 8)
        {
            return null;
        }
        // RFC 5389 §15.2: the port XORed with the cookie's high 16 bits, an IPv4 address with the cookie.
        int port = ((xored[2] << 8) | xored[3]) ^ (int)(StunMessage.MagicCookie >> 16);
        var address = new byte[4];
        for (int i = 0; i < 4; i++) address[i] = (byte)(xored[4 + i] ^ (byte)(StunMessage.MagicCookie >> (24 - 8 * i)));
        return (new IPEndPoint(new IPAddress(address), port), message.VerifyMessageIntegrity(System.Text.Encoding.UTF8.GetBytes(password)));
    }

    /// <summary>The host name the System page sets (RFC 1123 labels), and what the guest's hostnamectl says after.</summary>
    public const string NewHostname = "conclave-lab-7";

    public sealed record SystemPageVisit(HttpStatusCode Page, string PageBefore, HttpStatusCode Change, string? ChangeLocation, IReadOnlyList<string> GuestHostname,
        string PageAfter);

    /// <summary>
    /// The admin opens the console's System page (host name, time and its synchronisation, the
    /// services, over D-Bus in the guest), sets a new static host name there, and the guest's own
    /// hostnamectl is asked what it is now.
    /// </summary>
    private async Task<SystemPageVisit> VisitSystemPageAsync()
    {
        var console = await ConsoleAsync();
        var page = await console.Admin.GetAsync("/console/system");
        string before = await page.Content.ReadAsStringAsync();
        var change = await console.Admin.SubmitFromAsync(before, "/console/system/hostname", ("static_hostname", NewHostname));
        var guest = await Vm.Probe.AskAsync("hostname");
        string after = await (await console.Admin.GetAsync("/console/system")).Content.ReadAsStringAsync();
        return new SystemPageVisit(page.StatusCode, before, change.StatusCode, change.Headers.Location?.OriginalString, guest.Lines, after);
    }

    /// <param name="ConsoleAnswer">What the System page's power-off form answered; null when it could not be asked.</param>
    /// <param name="OffFromConsole">Whether the guest powered itself off after that (logind, allowed by the polkit rule); else QMP's power button ended it.</param>
    public sealed record PowerDown(HttpStatusCode? ConsoleAnswer, string ConsolePage, bool OffFromConsole, int ExitCode, TimeSpan Elapsed);

    /// <summary>Powering off from the System page (through logind, in the guest) takes a systemd shutdown under TCG.</summary>
    private static readonly TimeSpan PowerOffTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// After every visit (whether it passed: its own test reports that), the admin powers the
    /// appliance off on the System page, and qemu's exit is awaited; if the guest does not go
    /// down, QMP's power button ends it, so that the capture is complete either way.
    /// </summary>
    private async Task<PowerDown> PowerDownAsync()
    {
        foreach (var visit in new Task[] { _console.Value, _meeting.Value, _systemPage.Value })
        {
            try
            {
                await visit;
            }
            catch (Exception)
            {
                // Reported by the visit's own test.
            }
        }
        var stopwatch = Stopwatch.StartNew();
        HttpStatusCode? answer = null;
        string page = "";
        try
        {
            var admin = (await ConsoleAsync()).Admin;
            string systemPage = await (await admin.GetAsync("/console/system")).Content.ReadAsStringAsync();
            var response = await admin.SubmitFromAsync(systemPage, "/console/system/poweroff", ("confirm", "yes")).WaitAsync(StepTimeout);
            (answer, page) = (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TimeoutException)
        {
            page = e.Message;
        }
        if (answer is not null && await Vm.WaitForExitAsync(PowerOffTimeout) is int exitCode)
        {
            return new PowerDown(answer, page, OffFromConsole: true, exitCode, stopwatch.Elapsed);
        }
        int afterButton = await Vm.PowerDownAsync(PowerOffTimeout);
        return new PowerDown(answer, page, OffFromConsole: false, afterButton, stopwatch.Elapsed);
    }

    /// <summary>The capture, read once qemu has exited and written all of it.</summary>
    private async Task<PacketCapture> ReadCaptureAsync()
    {
        try
        {
            await _powerDown.Value;
        }
        catch (Exception)
        {
            // Reported by the power-down test; the capture is read as far as it was written.
        }
        return await PacketCapture.ReadAsync(Vm.CapturePath);
    }

    public async Task DisposeAsync()
    {
        if (_console.IsValueCreated && _console.Value.IsCompletedSuccessfully) _console.Value.Result.Admin.Dispose();
        if (_vm is not null) await _vm.DisposeAsync();
    }
}
