using System.Net;
using Conclave.Crypto.Audit;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Conclave.Daemon.Tests.SystemBus;

/// <summary>
/// The console's System page through the in-process conclaved's HTTPS console, its real D-Bus adapters
/// and a private bus at <see cref="InProcessDaemon.SystemBusSocket"/> where <see cref="FakeSystemServices"/>
/// stand in for the system's services: nothing here can change this machine's host name or reboot it.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class SystemPageTests(InProcessDaemon fixture) : IAsyncLifetime
{
    private const string Unavailable = "D-Bus system bus not available here: hostname, time and services are managed on the appliance";

    private PrivateSystemBus? _bus;
    private FakeSystemServices? _services;

    private IServiceProvider Services => fixture.Daemon.App.Services;

    private FakeSystemServices Fakes => _services ?? throw new InvalidOperationException("no private bus in this test");

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>The private bus with the stand-ins for <paramref name="names"/> (all four when none).</summary>
    private async Task StartSystemAsync(params string[] names)
    {
        _bus = await PrivateSystemBus.StartAsync(InProcessDaemon.SystemBusSocket);
        _services = await FakeSystemServices.StartAsync(_bus.Address, names);
    }

    [Fact]
    public async Task An_admin_sees_the_host_names_the_clock_and_the_state_of_each_service()
    {
        await StartSystemAsync();
        using var admin = await fixture.AdminClientAsync();

        var response = await admin.GetAsync("/console/system");
        string page = await TextAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<td>conclave-fake</td>", page);
        Assert.Contains("<td>2030-03-04 09:15:00</td>", page);
        Assert.Contains("<td>Europe/Zurich</td>", page);
        Assert.Contains("<tr><td>conclaved.service</td><td>active</td><td>running</td><td></td></tr>", page);
        Assert.Contains("<tr><td>chrony.service</td><td>failed</td><td>failed</td><td></td></tr>", page);
        Assert.Contains("<tr><td>pcscd.service</td><td>not installed</td><td>dead</td><td></td></tr>", page);
        Assert.Contains("Time servers (chrony)", page);
        Assert.Contains("<a href=\"/console/system\" aria-current=\"page\">System</a>", page);
    }

    [Fact]
    public async Task Members_hosts_and_officers_may_neither_see_the_page_nor_use_its_forms()
    {
        await StartSystemAsync();
        foreach (var roles in new[] { Role.Member, Role.Host, Role.SecurityOfficer, Role.ComplianceOfficer })
        {
            var account = EnrolledAccount(roles);
            using var client = new ConsoleClient(fixture.Daemon.HttpsUri);
            client.SetCookie(TestMeetings.SessionCookie, Services.GetRequiredService<AccountService>().StartSession(account).CookieValue);

            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/console/system")).StatusCode);
            // A form posted with the account's own valid CSRF token (from the dashboard) is refused all the same.
            Assert.Equal(HttpStatusCode.Forbidden, (await client.SubmitAsync("/console", "/console/system/reboot", ("confirm", "yes"))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.SubmitAsync("/console", "/console/system/hostname", ("static_hostname", "taken-over"))).StatusCode);
            AssertAudited(AuditAction.ConsoleAccess, "refused: needs role admin", account.AuditName);
            Assert.DoesNotContain("System</a>", await TextAsync(await client.GetAsync("/console")));
        }

        var from = ConsoleClient.NewLoopbackSource();
        using var anonymous = new ConsoleClient(fixture.Daemon.HttpsUri, from);
        var page = await anonymous.GetAsync("/console/system");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login?return=", page.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/console/system/poweroff", ("confirm", "yes"))).StatusCode);
        AssertAudited(AuditAction.ConsoleAccess, "refused: not logged in", $"anonymous@{from}");

        Assert.Empty(Fakes.Calls);
    }

    [Theory]
    [InlineData("", "Enter a host name.")]
    [InlineData("-conclave", "neither starts nor ends with a hyphen")]
    [InlineData("conclave-", "neither starts nor ends with a hyphen")]
    [InlineData("conclave..example", "no empty part")]
    [InlineData("conclave_box", "only ASCII letters, digits, hyphens and dots")]
    [InlineData("bücher", "only ASCII letters, digits, hyphens and dots")]
    [InlineData("a.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "at most 64 characters")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "at most 63 characters")]
    public async Task A_host_name_against_the_rules_is_refused_on_the_page_and_never_sent(string name, string why)
    {
        await StartSystemAsync();
        using var admin = await fixture.AdminClientAsync();

        var response = await admin.SubmitAsync("/console/system", "/console/system/hostname", ("static_hostname", name));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(why, WebUtility.HtmlDecode(await TextAsync(response)));
        Assert.Empty(Fakes.Calls);
    }

    [Fact]
    public async Task A_valid_host_name_is_set_without_interaction_and_audited_with_the_old_and_new_name()
    {
        await StartSystemAsync();
        using var admin = await fixture.AdminClientAsync();

        var response = await admin.SubmitAsync("/console/system", "/console/system/hostname", ("static_hostname", " conclave-2.example.org "));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/console/system", response.Headers.Location!.OriginalString);
        Assert.Equal(["SetStaticHostname(conclave-2.example.org, false)"], Fakes.Calls);
        AssertAudited(AuditAction.SystemHostname, "ok: conclave-fake → conclave-2.example.org", "user:first-admin");
    }

    [Fact]
    public async Task A_refusal_by_the_system_is_shown_with_its_DBus_name_and_message_and_audited()
    {
        await StartSystemAsync();
        Fakes.RefuseWith = ("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", "Interactive authentication required.");
        using var admin = await fixture.AdminClientAsync();

        var response = await admin.SubmitAsync("/console/system", "/console/system/hostname", ("static_hostname", "conclave-3"));
        string page = WebUtility.HtmlDecode(await TextAsync(response));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("The host name was not changed: systemd-hostnamed, SetStaticHostname: org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: Interactive authentication required.", page);
        Assert.DoesNotContain("   at ", page);
        AssertAudited(AuditAction.SystemHostname,
            "refused: conclave-fake → conclave-3: systemd-hostnamed, SetStaticHostname: org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", "user:first-admin");
    }

    [Theory]
    [InlineData("/console/system/reboot")]
    [InlineData("/console/system/poweroff")]
    public async Task Reboot_and_power_off_do_nothing_without_their_confirmation(string action)
    {
        await StartSystemAsync();
        using var admin = await fixture.AdminClientAsync();

        var unticked = await admin.SubmitAsync("/console/system", action);
        var otherValue = await admin.SubmitAsync("/console/system", action, ("confirm", "no"));

        Assert.Equal(HttpStatusCode.BadRequest, unticked.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, otherValue.StatusCode);
        Assert.Contains("Nothing done: tick the box", await TextAsync(unticked));
        Assert.Empty(Fakes.Calls);
    }

    [Theory]
    [InlineData("/console/system/reboot", "system.reboot", "Reboot(false)", "The appliance is rebooting.")]
    [InlineData("/console/system/poweroff", "system.poweroff", "PowerOff(false)", "The appliance is powering off.")]
    public async Task A_confirmed_reboot_or_power_off_is_audited_before_logind_is_asked(string action, string audited, string call, string shown)
    {
        await StartSystemAsync();
        int recordsWhenAsked = -1;
        Fakes.OnStateChanging = _ => recordsWhenAsked = Requests(audited);
        int before = Requests(audited);
        using var admin = await fixture.AdminClientAsync();

        var response = await admin.SubmitAsync("/console/system", action, ("confirm", "yes"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(shown, await TextAsync(response));
        Assert.Equal([call], Fakes.Calls);
        Assert.Equal(before + 1, recordsWhenAsked);
    }

    [Fact]
    public async Task A_reboot_logind_refuses_is_shown_and_audited_as_refused()
    {
        await StartSystemAsync();
        Fakes.RefuseWith = ("org.freedesktop.login1.BlockedByInhibitorLock", "Operation inhibited by \"apt\" (PID 4242 \"root\"), reason is \"upgrade\".");
        using var admin = await fixture.AdminClientAsync();

        var response = await admin.SubmitAsync("/console/system", "/console/system/reboot", ("confirm", "yes"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("The appliance did not reboot: systemd-logind, Reboot: org.freedesktop.login1.BlockedByInhibitorLock: Operation inhibited by \"apt\"",
            WebUtility.HtmlDecode(await TextAsync(response)));
        AssertAudited(AuditAction.SystemReboot, "refused: systemd-logind, Reboot: org.freedesktop.login1.BlockedByInhibitorLock", "user:first-admin");
    }

    [Fact]
    public async Task Without_a_system_bus_the_page_says_plainly_that_these_are_managed_on_the_appliance()
    {
        using var admin = await fixture.AdminClientAsync();

        var response = await admin.GetAsync("/console/system");
        string page = await TextAsync(response);
        var reboot = await admin.SubmitAsync("/console", "/console/system/reboot", ("confirm", "yes"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<p role=\"status\">{Unavailable}</p>", page);
        Assert.DoesNotContain("static_hostname", page);
        Assert.Equal(HttpStatusCode.BadGateway, reboot.StatusCode);
        Assert.Contains($"The appliance did not reboot: {Unavailable}", await TextAsync(reboot));
    }

    [Fact]
    public async Task A_system_service_that_is_not_running_is_named_on_the_page_and_the_rest_is_shown()
    {
        await StartSystemAsync(FakeSystemServices.Systemd1);
        using var admin = await fixture.AdminClientAsync();

        var response = await admin.GetAsync("/console/system");
        string page = await TextAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<p class=\"error\">systemd-hostnamed is not running</p>", page);
        Assert.Contains("<p class=\"error\">systemd-timedated is not running</p>", page);
        Assert.Contains("<tr><td>conclaved.service</td><td>active</td><td>running</td><td></td></tr>", page);
    }

    /// <summary>An account with these roles and (for roles that need it) TOTP enrolled, so the role check is what answers.</summary>
    private Account EnrolledAccount(Role roles)
    {
        string userName = $"s{Guid.NewGuid():N}"[..16];
        return Services.GetRequiredService<IAccountStore>().Create(new Account(0, userName, $"Person {userName}", roles, false, "$argon2id$unused",
            Roles.RequiresSecondFactor(roles) ? [1] : null, null, 0, 0, null, null, DateTimeOffset.UtcNow));
    }

    /// <summary>How many "ok: requested" records of <paramref name="action"/> the audit log holds now.</summary>
    private int Requests(string action) =>
        AuditReader.Read(Path.Combine(fixture.StateDirectory, "audit.log"), action: action).Count(r => r.Outcome == "ok: requested");

    private void AssertAudited(AuditAction action, string outcome, string actor)
    {
        Assert.True(Services.GetRequiredService<AuditLog>().FlushAsync().GetAwaiter().GetResult(), "the audit log is not writing");
        Assert.Contains(AuditReader.Read(Path.Combine(fixture.StateDirectory, "audit.log"), action: action.Name),
            r => r.Outcome.StartsWith(outcome, StringComparison.Ordinal) && r.Actor.StartsWith(actor, StringComparison.Ordinal));
    }

    private static Task<string> TextAsync(HttpResponseMessage response) => response.Content.ReadAsStringAsync();

    public async Task DisposeAsync()
    {
        _services?.Dispose();
        if (_bus is not null) await _bus.DisposeAsync();
    }
}
