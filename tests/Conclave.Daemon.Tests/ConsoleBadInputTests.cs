using System.Net;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Conclave.Daemon.Tests;

/// <summary>
/// Hostile or mistaken console forms, posted over HTTPS with a valid session and CSRF
/// token: each gets its status and a message saying what is wrong, and nothing is written.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class ConsoleBadInputTests(InProcessDaemon fixture)
{
    private IServiceProvider Services => fixture.Daemon.App.Services;

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Contains(message, WebUtility.HtmlDecode(body));
    }

    [Fact]
    public async Task User_forms_refuse_unknown_roles_duplicates_bad_names_and_short_passwords_and_write_nothing()
    {
        using var admin = await fixture.AdminClientAsync();
        var accounts = Services.GetRequiredService<IAccountStore>();
        int before = accounts.List().Count;

        await AssertRefusedAsync(await admin.SubmitAsync("/console/users", "/console/users", ("username", "eve"), ("display_name", "Eve"), ("password", "long enough password"), ("roles", "superuser")),
            HttpStatusCode.BadRequest, "Unknown role 'superuser'");
        await AssertRefusedAsync(await admin.SubmitAsync("/console/users", "/console/users", ("username", "eve"), ("display_name", "Eve"), ("password", "short"), ("roles", "member")),
            HttpStatusCode.BadRequest, "A password has 12 to 1024 characters.");
        await AssertRefusedAsync(await admin.SubmitAsync("/console/users", "/console/users", ("username", "../etc"), ("display_name", "Eve"), ("password", "long enough password"), ("roles", "member")),
            HttpStatusCode.BadRequest, "A user name has 3–64 characters");
        await AssertRefusedAsync(await admin.SubmitAsync("/console/users", "/console/users", ("username", "eve"), ("display_name", new string('x', 65)), ("password", "long enough password"), ("roles", "member")),
            HttpStatusCode.BadRequest, "A display name has at most 64 characters");
        Assert.Equal(before, accounts.List().Count);

        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/console/users", "/console/users", ("username", "dup-user"), ("display_name", "Dup"), ("password", "long enough password"), ("roles", "member"))).StatusCode);
        await AssertRefusedAsync(await admin.SubmitAsync("/console/users", "/console/users", ("username", "DUP-USER"), ("display_name", "Dup"), ("password", "long enough password"), ("roles", "member")),
            HttpStatusCode.Conflict, "The user name 'dup-user' is taken.");
        Assert.Equal(before + 1, accounts.List().Count);
    }

    [Fact]
    public async Task Meeting_forms_refuse_impossible_dates_unknown_members_and_long_titles()
    {
        var host = Services.GetRequiredService<IAccountStore>().Create(new Account(0, $"h{Guid.NewGuid():N}"[..16], "Host", Role.Host, false,
            Services.GetRequiredService<PasswordHasher>().Hash("host password 1234"), null, null, 0, 0, null, null, DateTimeOffset.UtcNow));
        using var client = new ConsoleClient(fixture.Daemon.HttpsUri);
        await client.LoginAsync(host.UserName, "host password 1234");
        var now = DateTimeOffset.UtcNow;
        (string, string)[] Meeting(string title, DateTimeOffset starts, DateTimeOffset ends, string roster = "") =>
            [("title", title), ("starts_at", $"{starts:yyyy-MM-dd'T'HH:mm}"), ("ends_at", $"{ends:yyyy-MM-dd'T'HH:mm}"), ("roster", roster)];

        await AssertRefusedAsync(await client.SubmitAsync("/console/meetings", "/console/meetings", Meeting("Backwards", now.AddHours(2), now.AddHours(1))),
            HttpStatusCode.BadRequest, "A meeting must end after it starts.");
        await AssertRefusedAsync(await client.SubmitAsync("/console/meetings", "/console/meetings", Meeting("Past", now.AddDays(-2), now.AddDays(-1))),
            HttpStatusCode.BadRequest, "its end is in the past");
        await AssertRefusedAsync(await client.SubmitAsync("/console/meetings", "/console/meetings", Meeting("Far", now.AddYears(2), now.AddYears(2).AddHours(1))),
            HttpStatusCode.BadRequest, "A meeting starts at most a year from now.");
        await AssertRefusedAsync(await client.SubmitAsync("/console/meetings", "/console/meetings", [("title", "Bad date"), ("starts_at", "2026-02-30T10:00"), ("ends_at", "tomorrow"), ("roster", "")]),
            HttpStatusCode.BadRequest, "must look like 2026-11-24T14:30");
        await AssertRefusedAsync(await client.SubmitAsync("/console/meetings", "/console/meetings", Meeting("Ghosts", now, now.AddHours(1), "nobody-here")),
            HttpStatusCode.BadRequest, "No user named 'nobody-here'");
        await AssertRefusedAsync(await client.SubmitAsync("/console/meetings", "/console/meetings", Meeting(new string('t', 121), now, now.AddHours(1))),
            HttpStatusCode.BadRequest, "A title has at most 120 characters");
        Assert.Empty(Services.GetRequiredService<IMeetingStore>().ListHostedBy(host.Id));
    }

    [Fact]
    public async Task An_oversized_form_is_refused_before_it_is_read()
    {
        using var admin = await fixture.AdminClientAsync();
        var response = await admin.SubmitAsync("/console/settings", "/console/settings", ("invitation_hours", "24"), ("session_idle_minutes", "30"), ("shared_files_kept_hours", "24"), ("padding", new string('x', 200_000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Settings_changes_are_checked_and_audited()
    {
        using var admin = await fixture.AdminClientAsync();
        await AssertRefusedAsync(await admin.SubmitAsync("/console/settings", "/console/settings", ("invitation_hours", "99999"), ("session_idle_minutes", "30"), ("shared_files_kept_hours", "24")),
            HttpStatusCode.BadRequest, "An invitation lasts 1 to 720 hours.");
        await AssertRefusedAsync(await admin.SubmitAsync("/console/settings", "/console/settings", ("invitation_hours", "-1"), ("session_idle_minutes", "30"), ("shared_files_kept_hours", "24")),
            HttpStatusCode.BadRequest, "must be a whole number");
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/console/settings", "/console/settings", ("invitation_hours", "48"), ("session_idle_minutes", "30"), ("shared_files_kept_hours", "24"))).StatusCode);
        Assert.Equal(48, Services.GetRequiredService<ISettingsStore>().Get().InvitationLifetimeHours);
        Assert.Contains(Conclave.Crypto.Audit.AuditReader.Read(Path.Combine(fixture.StateDirectory, "audit.log"), action: AuditAction.ConfigChange.Name),
            r => r.Object == "settings:InvitationLifetimeHours" && r.Outcome.EndsWith("→ 48", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/console/settings", "/console/settings", ("invitation_hours", "72"), ("session_idle_minutes", "30"), ("shared_files_kept_hours", "24"))).StatusCode);
    }

    [Fact]
    public async Task Shared_files_are_kept_0_to_720_hours_after_a_meeting_and_a_change_is_audited()
    {
        using var admin = await fixture.AdminClientAsync();
        Assert.Contains("Shared files kept after a meeting", await (await admin.GetAsync("/console/settings")).Content.ReadAsStringAsync());
        await AssertRefusedAsync(await admin.SubmitAsync("/console/settings", "/console/settings", ("invitation_hours", "72"), ("session_idle_minutes", "30"), ("shared_files_kept_hours", "721")),
            HttpStatusCode.BadRequest, "Shared files are kept 0 to 720 hours after a meeting.");
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/console/settings", "/console/settings", ("invitation_hours", "72"), ("session_idle_minutes", "30"), ("shared_files_kept_hours", "720"))).StatusCode);
        Assert.Equal(720, Services.GetRequiredService<ISettingsStore>().Get().SharedFilesKeptHours);
        Assert.Contains(Conclave.Crypto.Audit.AuditReader.Read(Path.Combine(fixture.StateDirectory, "audit.log"), action: AuditAction.ConfigChange.Name),
            r => r.Object == "settings:SharedFilesKeptHours" && r.Outcome.EndsWith("24 → 720", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/console/settings", "/console/settings", ("invitation_hours", "72"), ("session_idle_minutes", "30"), ("shared_files_kept_hours", "24"))).StatusCode);
    }

    [Fact]
    public async Task A_display_name_with_markup_is_shown_as_text()
    {
        using var admin = await fixture.AdminClientAsync();
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/console/users", "/console/users", ("username", $"x{Guid.NewGuid():N}"[..12]), ("display_name", "<script>alert(1)</script>"), ("password", "long enough password"), ("roles", "member"))).StatusCode);
        string page = await (await admin.GetAsync("/console/users")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert(1)</script>", page);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", page);
    }
}
