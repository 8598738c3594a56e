using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Xunit.Abstractions;

namespace Conclave.Appliance.Tests;

/// <summary>
/// The appliance image, booted under qemu, checked from the host: the boot, conclaved under
/// systemd, the console, a meeting's signalling and media port, power-down and the air-gap
/// (docs/air-gap.md, docs/operations.md "Appliance image"). The logs of a run are in
/// artifacts/appliance-test/ (console.log, probe.log, capture.pcap) and artifacts/image/build.log.
/// </summary>
public sealed class ApplianceBootTests(BootedAppliance appliance, ITestOutputHelper output) : IClassFixture<BootedAppliance>
{
    [Fact]
    public void The_appliance_boots_to_a_running_system_named_conclave()
    {
        output.WriteLine($"image built or checked in {appliance.Image.BuildTime.TotalSeconds:0} s; {new FileInfo(appliance.Image.RootImage).Length >> 20} MiB root-test.img");
        output.WriteLine($"qemu start to the probe's report: {appliance.BootToReport.TotalSeconds:0.0} s");
        output.WriteLine(appliance.Report.Text);
        Assert.Equal("running", appliance.Report.Value("system-state"));
        Assert.Equal(["conclave"], appliance.Hostname.Lines);
    }

    [Fact]
    public void Conclaved_is_active_after_its_ready_notification_without_a_restart()
    {
        output.WriteLine($"conclaved start to READY=1: {appliance.Report.Value("start-to-ready-ms")} ms");
        Assert.Equal("notify", appliance.Report.Value("Type"));
        // A Type=notify service is "activating" until READY=1 arrives, "active" after.
        Assert.Equal("active", appliance.Report.Value("ActiveState"));
        Assert.Equal("running", appliance.Report.Value("SubState"));
        Assert.Equal("0", appliance.Report.Value("NRestarts"));
    }

    [Fact]
    public void The_units_sandbox_scores_at_most_2_0_in_the_guest()
    {
        string score = appliance.Report.Value("security-score") ?? "";
        output.WriteLine($"systemd-analyze security conclaved.service in the guest: {score}");
        Assert.True(double.TryParse(score, CultureInfo.InvariantCulture, out double exposure), $"no score in the report:\n{appliance.Report.Text}");
        Assert.True(exposure <= 2.0, $"conclaved.service scores {exposure} in the guest (at most 2.0):\n{appliance.Security.Text}");
    }

    [Fact]
    public void The_firewall_and_dhcp_networking_are_up_and_no_remote_shell_or_update_timer_runs()
    {
        var units = appliance.Units.Lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 4)
            .ToDictionary(f => f[0], f => $"{f[1]} {f[2]} {f[3]}", StringComparer.Ordinal);
        Assert.Equal("loaded active exited", units.GetValueOrDefault("nftables.service"));
        Assert.Equal("loaded active running", units.GetValueOrDefault("systemd-networkd.service"));
        Assert.DoesNotContain(units.Keys, u => u.Contains("ssh", StringComparison.Ordinal) || u.Contains("telnet", StringComparison.Ordinal));
        foreach (var timer in new[] { "apt-daily.timer", "apt-daily-upgrade.timer" })
        {
            Assert.True(!units.TryGetValue(timer, out var state) || state.StartsWith("masked", StringComparison.Ordinal), $"{timer} is {state}");
        }
    }

    [Fact]
    public async Task The_console_answers_over_https_with_a_certificate_issued_by_the_tokens_credential_ca()
    {
        var console = await WithJournalAsync(appliance.ConsoleAsync);
        Assert.Equal(HttpStatusCode.OK, console.LoginPage);
        output.WriteLine($"HTTPS certificate: {console.ServerCertificate.Subject}, issued by {console.CredentialCa.Subject}");
        Assert.NotNull(console.ServerCertificate.GetECDsaPublicKey());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(console.CredentialCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(console.ServerCertificate),
            $"the HTTPS certificate does not chain to the console's credential CA: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation))}");
    }

    [Fact]
    public async Task The_first_admin_is_made_through_the_setup_link_in_the_journal_and_logs_in_with_a_totp_code()
    {
        var console = await WithJournalAsync(appliance.ConsoleAsync);
        Assert.StartsWith("/setup?token=", console.SetupLink.PathAndQuery, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, console.AdminConsole);
    }

    [Fact]
    public async Task A_meeting_made_on_the_console_is_joined_over_signalling_and_its_media_port_answers_a_stun_check()
    {
        var meeting = await WithJournalAsync(appliance.MeetingAsync);
        output.WriteLine($"signalling: {string.Join(", ", meeting.SignallingTypes)}; candidate {meeting.OfferedCandidate}");
        output.WriteLine($"STUN Binding answered in {meeting.StunRoundTrip.TotalMilliseconds:0} ms, mapped address {meeting.StunMappedAddress}");
        Assert.Contains("joined", meeting.SignallingTypes);
        // The media address it advertises is the guest's own (Conclave:MediaAdvertisedAddress).
        Assert.Contains("10.0.2.15 10000 typ host", meeting.OfferedCandidate, StringComparison.Ordinal);
        Assert.True(meeting.StunIntegrityVerified, "the Binding response's MESSAGE-INTEGRITY is not keyed by the offer's ICE password");
        // Inside the guest the check came from qemu's host address: it crossed the guest's network card.
        Assert.Equal(IPAddress.Parse("10.0.2.2"), meeting.StunMappedAddress.Address);
    }

    [Fact]
    public async Task The_system_page_shows_time_and_services_over_d_bus_and_changes_the_host_name_hostnamectl_then_reports()
    {
        var visit = await WithJournalAsync(appliance.SystemPageAsync);
        output.WriteLine($"host name set on the System page; the guest's hostnamectl then says {string.Join(" ", visit.GuestHostname)}");
        Assert.Equal(HttpStatusCode.OK, visit.Page);
        // Read from the real services in the guest: timedated's clock and systemd's unit states.
        Assert.DoesNotContain("D-Bus system bus not available", visit.PageBefore, StringComparison.Ordinal);
        Assert.Matches(@"System time \(UTC\)</th><td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</td>", visit.PageBefore);
        Assert.Matches(@"Clock synchronised</th><td>(yes|no)</td>", visit.PageBefore);
        Assert.Contains("<tr><td>conclaved.service</td><td>active</td><td>running</td>", visit.PageBefore, StringComparison.Ordinal);
        Assert.Contains("None configured", visit.PageBefore, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Redirect, "/console/system"), (visit.Change, visit.ChangeLocation));
        Assert.Equal([BootedAppliance.NewHostname], visit.GuestHostname);
        Assert.Contains($"<td>{BootedAppliance.NewHostname}</td>", visit.PageAfter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_system_page_powers_the_appliance_off_cleanly_through_logind()
    {
        var powerDown = await appliance.PowerDownAsyncOnce();
        output.WriteLine($"System page power-off to qemu's exit: {powerDown.Elapsed.TotalSeconds:0.0} s (answered {powerDown.ConsoleAnswer?.ToString() ?? "nothing"})");
        Assert.True(powerDown.ConsoleAnswer == HttpStatusCode.OK, $"the power-off form answered {powerDown.ConsoleAnswer}: {powerDown.ConsolePage}");
        Assert.Contains("The appliance is powering off.", powerDown.ConsolePage, StringComparison.Ordinal);
        Assert.True(powerDown.OffFromConsole, "the guest did not power itself off; QMP's power button ended it");
        Assert.Equal(0, powerDown.ExitCode);
    }

    [Fact]
    public async Task The_appliance_sends_nothing_but_replies_dhcp_and_neighbour_discovery()
    {
        var capture = await appliance.CaptureAsync();
        output.WriteLine($"{capture.Frames} frames: {capture.FromGuest} from the guest, {capture.ToGuest} to it. Where the guest's went:");
        foreach (var (destination, count) in capture.Destinations) output.WriteLine($"  {count,6}  {destination}");
        Assert.True(capture.Unexpected.Count == 0, $"the guest sent {capture.Unexpected.Count} frames the air-gap does not allow:\n{string.Join('\n', capture.Unexpected.Take(50))}");
        // The capture covered the visits: without their replies it would prove nothing.
        Assert.Contains(capture.Destinations.Keys, d => d.Contains("HTTPS replies", StringComparison.Ordinal));
        Assert.Contains(capture.Destinations.Keys, d => d.Contains("media replies", StringComparison.Ordinal));
    }

    /// <summary>Runs a visit; when it fails, the failure carries conclaved's journal from the guest.</summary>
    private async Task<T> WithJournalAsync<T>(Func<Task<T>> visit)
    {
        try
        {
            return await visit();
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException($"{e.Message}\nconclaved's journal in the guest:\n{await appliance.JournalAsync()}", e);
        }
    }
}
