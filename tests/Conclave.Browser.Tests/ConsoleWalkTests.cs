using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Microsoft.Playwright;

namespace Conclave.Browser.Tests;

/// <summary>
/// Who may meet, end to end in real Chromium: first-admin setup, TOTP enrolment and login, users,
/// a host's meeting with a roster and a guest invitation, the lobby, and three people who
/// see each other; an uninvited user is refused. Every console page is kept as a screenshot.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ConsoleWalkTests(DaemonFixture fixture)
{
    private const string AdminPassword = "admin password 1234";
    private const string UserPassword = "user password 1234";
    private const int FramesRequired = 30;

    private Uri Daemon => fixture.Daemon.HttpsUri;

    private string Url(string path) => new Uri(Daemon, path).ToString();

    private Task Shot(IPage page, string name) => page.ScreenshotAsync(new() { Path = Artifacts.Path($"console-{name}.png"), FullPage = true });

    [Fact]
    public async Task An_admin_sets_up_a_host_runs_a_meeting_with_members_and_a_guest_and_an_outsider_is_refused()
    {
        // First admin, from the link conclaved printed.
        Assert.NotNull(fixture.Daemon.SetupLink);
        await using var adminContext = await MeetingParticipant.NewContextAsync(fixture.Browser, Daemon);
        var admin = await adminContext.NewPageAsync();
        await admin.GotoAsync(fixture.Daemon.SetupLink!.ToString());
        await Shot(admin, "01-setup");
        await admin.GetByLabel("User name").FillAsync("ada");
        await admin.GetByLabel("Display name").FillAsync("Ada Admin");
        await admin.GetByLabel("Password").FillAsync(AdminPassword);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create admin" }).ClickAsync();

        // Admins must enrol TOTP before anything else.
        await Assertions.Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Two-factor authentication" })).ToBeVisibleAsync();
        await Shot(admin, "02-totp-enrolment");
        byte[] secret = OtpNet.Base32Encoding.ToBytes(await admin.Locator("#totp-secret").InnerTextAsync());
        var totp = new TotpAuthenticator(TimeProvider.System);
        await admin.GetByLabel("Your password").FillAsync(AdminPassword);
        await admin.GetByLabel("Code from the app", new() { Exact = true }).FillAsync(totp.CodeAt(secret, DateTimeOffset.UtcNow));
        await admin.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();

        // Log out and back in with password and TOTP (the next step's code: this step's was used to enrol).
        await admin.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Log in" })).ToBeVisibleAsync();
        await Shot(admin, "03-login");
        await admin.GetByLabel("User name").FillAsync("ada");
        await admin.GetByLabel("Password").FillAsync(AdminPassword);
        await admin.GetByLabel("Authentication code").FillAsync(totp.CodeAt(secret, DateTimeOffset.UtcNow.AddSeconds(30)));
        await admin.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Assertions.Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();

        // Users: a host, two members and one person on no roster.
        await admin.GotoAsync(Url("/console/users"));
        foreach (var (user, name, role) in new[] { ("hana", "Hana Host", "host"), ("mia", "Mia", "member"), ("noah", "Noah", "member"), ("oscar", "Oscar", "member") })
        {
            var form = admin.GetByRole(AriaRole.Form, new() { Name = "New user" });
            await form.GetByLabel("User name").FillAsync(user);
            await form.GetByLabel("Display name").FillAsync(name);
            await form.GetByLabel("Initial password").FillAsync(UserPassword);
            await form.Locator("#new-member").SetCheckedAsync(role == "member");
            await form.Locator($"#new-{role}").CheckAsync();
            await form.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
            await Assertions.Expect(admin.GetByRole(AriaRole.Cell, new() { Name = user, Exact = true })).ToBeVisibleAsync();
        }
        await Shot(admin, "04-users");
        foreach (var (path, heading, shot) in new[] { ("/console/audit", "Audit log", "05-audit"), ("/console/token", "Token", "06-token"), ("/console/settings", "Settings", "07-settings") })
        {
            await admin.GotoAsync(Url(path));
            await Assertions.Expect(admin.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true })).ToBeVisibleAsync();
            if (path == "/console/token") await Assertions.Expect(admin.GetByRole(AriaRole.Table, new() { Name = "Keys" })).ToContainTextAsync("AuditSigning");
            if (path == "/console/audit") await Assertions.Expect(admin.GetByRole(AriaRole.Table, new() { Name = "Audit records" })).ToContainTextAsync(AuditAction.UserCreate.Name);
            await Shot(admin, shot);
        }

        // The host creates a meeting with a roster of two and invites a guest.
        await using var hostContext = await MeetingParticipant.NewContextAsync(fixture.Browser, Daemon);
        var host = await LogInAsync(hostContext, "/console/meetings", "hana");
        await host.GetByLabel("Title").FillAsync("Chip design review");
        await host.GetByLabel("Roster (user names, separated by commas or spaces)").FillAsync("mia, noah");
        await host.GetByRole(AriaRole.Button, new() { Name = "Create meeting" }).ClickAsync();
        await Assertions.Expect(host.GetByRole(AriaRole.Heading, new() { Name = "Chip design review" })).ToBeVisibleAsync();
        string meetingPath = new Uri(host.Url).AbsolutePath;
        string meetingId = meetingPath.Split('/').Last();
        await host.GetByLabel("Guest's name").FillAsync("Gustav Guest");
        await host.GetByRole(AriaRole.Button, new() { Name = "Invite guest" }).ClickAsync();
        string invitationLink = await host.Locator("#invitation-link").InnerTextAsync();
        await Shot(host, "08-meeting-invitation");
        await host.GotoAsync(Url("/console/meetings"));
        await Shot(host, "09-meetings");
        await host.GotoAsync(Url(meetingPath));

        // Members log in from the meeting link and enter; the guest opens the invitation and waits.
        await using var miaContext = await MeetingParticipant.NewContextAsync(fixture.Browser, Daemon);
        await using var mia = await MeetingParticipant.JoinOnPageAsync(miaContext, await LogInAsync(miaContext, $"/m/{meetingId}", "mia"), "Mia");
        await using var noahContext = await MeetingParticipant.NewContextAsync(fixture.Browser, Daemon);
        await using var noah = await MeetingParticipant.JoinOnPageAsync(noahContext, await LogInAsync(noahContext, $"/m/{meetingId}", "noah"), "Noah");

        await using var guestContext = await MeetingParticipant.NewContextAsync(fixture.Browser, Daemon);
        var guestPage = await guestContext.NewPageAsync();
        await guestPage.GotoAsync(invitationLink);
        await Shot(guestPage, "10-invitation");
        await guestPage.GetByRole(AriaRole.Button, new() { Name = "Continue to the meeting" }).ClickAsync();
        await Assertions.Expect(guestPage.GetByText("You join as Gustav Guest (guest)")).ToBeVisibleAsync();
        await guestPage.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(guestPage.GetByRole(AriaRole.Status)).ToHaveTextAsync("Waiting for the host to let you in.");

        // The host's page shows the guest in the lobby by itself, and the host admits them.
        await Assertions.Expect(host.GetByRole(AriaRole.Listitem, new() { Name = "Waiting: Gustav Guest" })).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Shot(host, "11-lobby");
        await host.GetByRole(AriaRole.Button, new() { Name = "Admit Gustav Guest" }).ClickAsync();
        await guestPage.WaitForFunctionAsync("() => window.conclave?.selfId !== undefined", null, new() { Timeout = 15_000 });
        await using var guest = await MeetingParticipant.OnPageAsync(guestContext, guestPage, "Gustav Guest");

        // All three see each other.
        var everyone = new[] { mia, noah, guest };
        foreach (var receiver in everyone)
        {
            var senders = everyone.Where(p => p != receiver).ToArray();
            await Eventually.HoldsAsync(receiver.ReceiveStatsAsync,
                s => senders.All(sender => s.TryGetValue(sender.Id, out var r) && r.FramesDecoded >= FramesRequired),
                TimeSpan.FromSeconds(45), $"{receiver.Name} decoding {FramesRequired} frames from both others");
            foreach (var sender in senders) await Assertions.Expect(receiver.TileOf(sender)).ToBeVisibleAsync();
        }
        await Assertions.Expect(mia.Page.Locator("#room-name")).ToHaveTextAsync("Chip design review");
        await Assertions.Expect(mia.Page.GetByRole(AriaRole.Link, new() { Name = "Lobby and controls" })).ToBeHiddenAsync();
        await Shot(mia.Page, "12-meeting");
        // The host's own meeting page points to the lobby and controls.
        var hostMeetingPage = await hostContext.NewPageAsync();
        await hostMeetingPage.GotoAsync(Url($"/m/{meetingId}"));
        await Assertions.Expect(hostMeetingPage.GetByRole(AriaRole.Link, new() { Name = "Lobby and controls" })).ToHaveAttributeAsync("href", meetingPath);
        await hostMeetingPage.CloseAsync();
        await host.GotoAsync(Url("/console"));
        var participants = host.GetByRole(AriaRole.Table, new() { Name = "Participants of Chip design review" });
        await Assertions.Expect(participants).ToContainTextAsync("Gustav Guest");
        await Assertions.Expect(participants).ToContainTextAsync("kbit/s"); // bitrates sampled from the media plane
        await Shot(host, "13-dashboard");

        // Oscar is not on the roster: the meeting page refuses him at join.
        await using var oscarContext = await MeetingParticipant.NewContextAsync(fixture.Browser, Daemon);
        var oscar = await LogInAsync(oscarContext, $"/m/{meetingId}", "oscar");
        await Assertions.Expect(oscar.GetByText("You join as Oscar")).ToBeVisibleAsync();
        await oscar.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(oscar.GetByRole(AriaRole.Status)).ToContainTextAsync("not on this meeting's roster");
        Assert.Equal("not-on-roster", await oscar.GetByRole(AriaRole.Status).GetAttributeAsync("data-code"));
        await Shot(oscar, "14-refused");
    }

    /// <summary>Opens <paramref name="path"/>, is sent to the login page, logs in, and lands back on <paramref name="path"/>.</summary>
    private async Task<IPage> LogInAsync(IBrowserContext context, string path, string userName)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url(path));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Log in" })).ToBeVisibleAsync();
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(UserPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == path);
        return page;
    }
}
