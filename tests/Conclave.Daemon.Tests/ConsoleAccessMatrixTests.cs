using System.Net.WebSockets;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Conclave.Crypto.Audit;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;
using Conclave.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Conclave.Daemon.Tests;

/// <summary>
/// The access matrix, through the real HTTPS console and signalling of an in-process
/// conclaved: each refusal answers with its status (or signalling error) and leaves an
/// audit record; each authorized case goes through.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class ConsoleAccessMatrixTests(InProcessDaemon fixture)
{
    private const string Password = "correct horse battery";

    private IServiceProvider Services => fixture.Daemon.App.Services;

    private Account NewAccount(Role roles) => fixture.NewAccount(roles, Password);

    private async Task<ConsoleClient> LoggedInAsync(Account account, IPAddress? from = null)
    {
        var client = new ConsoleClient(fixture.Daemon.HttpsUri, from);
        await client.LoginAsync(account.UserName, Password);
        return client;
    }

    private Meeting NewMeeting(Account host, params Account[] roster) =>
        Services.GetRequiredService<MeetingService>().Create(host, "Matrix", DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), roster.Select(a => a.UserName));

    /// <summary>
    /// An audit record of <paramref name="action"/> whose outcome starts with <paramref name="outcome"/>, once the
    /// records queued so far are written (refusals are not waited for). A stranger's refusal is written at once when
    /// it is the first of its kind from its network in a minute: tests that check one connect from a network of
    /// their own (<see cref="ConsoleClient.NewLoopbackSource"/>) and name it as the actor.
    /// </summary>
    private void AssertAudited(AuditAction action, string outcome, string? actor = null)
    {
        Assert.True(Services.GetRequiredService<AuditLog>().FlushAsync().GetAwaiter().GetResult(), "the audit log is not writing");
        Assert.Contains(AuditReader.Read(Path.Combine(fixture.StateDirectory, "audit.log"), action: action.Name),
            r => r.Outcome.StartsWith(outcome, StringComparison.Ordinal) && (actor is null || r.Actor.StartsWith(actor, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Not_logged_in_a_page_redirects_to_login_and_a_form_gets_401()
    {
        var from = ConsoleClient.NewLoopbackSource();
        using var anonymous = new ConsoleClient(fixture.Daemon.HttpsUri, from);
        var page = await anonymous.GetAsync("/console/users");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login?return=", page.Headers.Location!.OriginalString);
        var form = await anonymous.PostAsync("/console/meetings", ("title", "sneaky"));
        Assert.Equal(HttpStatusCode.Unauthorized, form.StatusCode);
        AssertAudited(AuditAction.ConsoleAccess, "refused: not logged in", $"anonymous@{from}");
    }

    [Fact]
    public async Task A_forged_or_altered_session_cookie_is_refused()
    {
        var member = NewAccount(Role.Member);
        var from = ConsoleClient.NewLoopbackSource();
        using var client = await LoggedInAsync(member, from);
        string real = client.Cookie("__Host-conclave-session")!;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/console")).StatusCode);

        char flipped = real[10] == 'A' ? 'B' : 'A';
        client.SetCookie("__Host-conclave-session", real[..10] + flipped + real[11..]);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/console")).StatusCode);
        client.SetCookie("__Host-conclave-session", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/console")).StatusCode);
        AssertAudited(AuditAction.ConsoleAccess, "refused: invalid or expired session cookie", $"anonymous@{from}");
    }

    [Fact]
    public async Task The_wrong_role_gets_403_and_the_right_role_gets_the_page()
    {
        var member = NewAccount(Role.Member);
        using var memberClient = await LoggedInAsync(member);
        Assert.Equal(HttpStatusCode.Forbidden, (await memberClient.GetAsync("/console/users")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await memberClient.GetAsync("/console/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await memberClient.GetAsync("/console/meetings")).StatusCode);
        AssertAudited(AuditAction.ConsoleAccess, "refused: needs role admin", member.AuditName);

        var security = NewAccount(Role.SecurityOfficer);
        security = Services.GetRequiredService<IAccountStore>().Find(security.Id)!;
        using var anonymous = new ConsoleClient(fixture.Daemon.HttpsUri);
        await anonymous.LoginAsync(security.UserName, Password);
        // Security officers must enrol TOTP before anything else.
        var beforeEnrolment = await anonymous.GetAsync("/console/token");
        Assert.Equal(HttpStatusCode.Redirect, beforeEnrolment.StatusCode);
        Assert.Equal("/console/enrol", beforeEnrolment.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Recordings_are_for_compliance_officers_and_admins_and_only_compliance_officers_take_a_bundle()
    {
        var host = NewAccount(Role.Host);
        using var hostClient = await LoggedInAsync(host);
        Assert.Equal(HttpStatusCode.Forbidden, (await hostClient.GetAsync("/console/recordings")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await hostClient.GetAsync("/console/recordings/0123456789abcdef0123456789abcdef/bundle")).StatusCode);
        AssertAudited(AuditAction.ConsoleAccess, "refused: needs role admin, compliance", host.AuditName);
        AssertAudited(AuditAction.ConsoleAccess, "refused: needs role compliance", host.AuditName);
    }

    [Fact]
    public async Task A_form_without_its_csrf_token_is_refused_and_with_it_goes_through()
    {
        var host = NewAccount(Role.Host);
        using var client = await LoggedInAsync(host);
        var start = DateTimeOffset.UtcNow;
        (string, string)[] fields = [("title", "Budget review"), ("starts_at", $"{start:yyyy-MM-dd'T'HH:mm}"), ("ends_at", $"{start.AddHours(1):yyyy-MM-dd'T'HH:mm}"), ("roster", "")];
        var without = await client.PostAsync("/console/meetings", fields);
        Assert.Equal(HttpStatusCode.Forbidden, without.StatusCode);
        var forged = await client.PostAsync("/console/meetings", [("_csrf", "forged"), .. fields]);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        AssertAudited(AuditAction.ConsoleForm, "refused: missing or wrong CSRF token", host.AuditName);
        Assert.DoesNotContain(Services.GetRequiredService<IMeetingStore>().ListHostedBy(host.Id), m => m.Title == "Budget review");

        var with = await client.SubmitAsync("/console/meetings", "/console/meetings", fields);
        Assert.Equal(HttpStatusCode.Redirect, with.StatusCode);
        Assert.Contains(Services.GetRequiredService<IMeetingStore>().ListHostedBy(host.Id), m => m.Title == "Budget review");
    }

    [Fact]
    public async Task A_host_cannot_see_another_hosts_meeting()
    {
        var owner = NewAccount(Role.Host);
        var meeting = NewMeeting(owner);
        using var other = await LoggedInAsync(NewAccount(Role.Host));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/console/meetings/{meeting.Id}")).StatusCode);
        using var ownerClient = await LoggedInAsync(owner);
        Assert.Equal(HttpStatusCode.OK, (await ownerClient.GetAsync($"/console/meetings/{meeting.Id}")).StatusCode);
        AssertAudited(AuditAction.MeetingView, "refused: not its host");
    }

    [Fact]
    public async Task Signalling_refuses_anyone_not_logged_in_and_anyone_not_on_the_roster()
    {
        var host = NewAccount(Role.Host);
        var member = NewAccount(Role.Member);
        var outsider = NewAccount(Role.Member);
        var meeting = NewMeeting(host, member);

        var anonymous = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, null));
        Assert.Contains("401", anonymous.Message);
        AssertAudited(AuditAction.SignallingConnect, "refused: not logged in");

        using var outsiderConsole = await LoggedInAsync(outsider);
        await using var refused = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, outsiderConsole.Cookie("__Host-conclave-session"));
        await refused.JoinAsync(meeting.Id, "x");
        await ExpectRefusalAsync(refused, "not-on-roster");
        AssertAudited(AuditAction.Admission, "refused: not-on-roster", outsider.AuditName);

        using var memberConsole = await LoggedInAsync(member);
        await using var allowed = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, memberConsole.Cookie("__Host-conclave-session"));
        await allowed.JoinAsync(meeting.Id, "whatever the browser says");
        var joined = await allowed.ReceiveTypeAsync("joined");
        Assert.NotNull(joined.GetProperty("participantId").GetString());
        AssertAudited(AuditAction.Admission, "ok: enter", member.AuditName);
    }

    [Fact]
    public async Task Expired_and_reused_invitations_are_gone()
    {
        var host = NewAccount(Role.Host);
        var meeting = NewMeeting(host);
        var meetings = Services.GetRequiredService<MeetingService>();

        // An invitation that expired an hour ago (written straight to the store: the daemon's clock is real).
        byte[] token = RandomNumberGenerator.GetBytes(32);
        Services.GetRequiredService<IMeetingStore>().AddInvitation(new Invitation("expired" + Guid.NewGuid().ToString("N")[..6], meeting.Id, SHA256.HashData(token), "Late guest",
            DateTimeOffset.UtcNow.AddHours(-1), null, 0, InvitationState.Issued, null, DateTimeOffset.UtcNow.AddHours(-2)));
        var from = ConsoleClient.NewLoopbackSource();
        using var late = new ConsoleClient(fixture.Daemon.HttpsUri, from);
        Assert.Equal(HttpStatusCode.Gone, (await late.GetAsync($"/i/{System.Buffers.Text.Base64Url.EncodeToString(token)}")).StatusCode);
        AssertAudited(AuditAction.InvitationOpen, "refused: it has expired", $"anonymous@{from}");

        var issued = meetings.Invite(host, meeting.Id, "Guest", 24, null);
        using var guest = new ConsoleClient(fixture.Daemon.HttpsUri);
        var redeemed = await guest.SubmitAsync($"/i/{issued.LinkToken}", $"/i/{issued.LinkToken}");
        Assert.Equal(HttpStatusCode.Redirect, redeemed.StatusCode);
        Assert.Equal($"/m/{meeting.Id}", redeemed.Headers.Location!.OriginalString);
        Assert.NotNull(guest.Cookie("__Host-conclave-guest"));

        using var second = new ConsoleClient(fixture.Daemon.HttpsUri, from);
        Assert.Equal(HttpStatusCode.Gone, (await second.GetAsync($"/i/{issued.LinkToken}")).StatusCode);
        AssertAudited(AuditAction.InvitationOpen, "refused: it has been used already", $"anonymous@{from}");
    }

    [Fact]
    public async Task A_forged_guest_pass_is_refused_and_a_guessed_passcode_revokes_the_invitation()
    {
        var forged = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() =>
            SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, null, cookieHeader: $"__Host-conclave-guest={System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))}"));
        Assert.Contains("401", forged.Message);

        var host = NewAccount(Role.Host);
        var meeting = NewMeeting(host);
        var issued = Services.GetRequiredService<MeetingService>().Invite(host, meeting.Id, "Careful guest", 24, "4711");
        var from = ConsoleClient.NewLoopbackSource();
        using var guesser = new ConsoleClient(fixture.Daemon.HttpsUri, from);
        string link = $"/i/{issued.LinkToken}";
        for (int tries = 1; tries < Invitation.MaxPasscodeFailures; tries++)
        {
            var wrong = await guesser.SubmitAsync(link, link, ("passcode", $"{tries:D4}"));
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            Assert.Contains($"{Invitation.MaxPasscodeFailures - tries} tries left", WebUtility.HtmlDecode(await wrong.Content.ReadAsStringAsync()));
        }
        var last = await guesser.SubmitAsync(link, link, ("passcode", "0000"));
        Assert.Equal(HttpStatusCode.Gone, last.StatusCode);
        AssertAudited(AuditAction.InvitationRedeem, "refused: wrong passcode, invitation revoked", $"anonymous@{from}");
        // Even the right passcode is too late now.
        using var guest = new ConsoleClient(fixture.Daemon.HttpsUri);
        Assert.Equal(HttpStatusCode.Gone, (await guest.GetAsync(link)).StatusCode);
    }

    [Fact]
    public async Task A_guest_waits_in_the_lobby_and_once_denied_cannot_come_back()
    {
        var host = NewAccount(Role.Host);
        var meeting = NewMeeting(host);
        var (guestPass, invitation) = await RedeemedGuestAsync(host, meeting, "Visitor");

        await using var waiting = await GuestSocketAsync(guestPass);
        await waiting.JoinAsync(meeting.Id, "Visitor");
        await waiting.ReceiveTypeAsync("lobby");

        using var hostConsole = await LoggedInAsync(host);
        var entry = Services.GetRequiredService<Conclave.Meetings.Admission.AdmissionService>().Lobby.Waiting(meeting.Id).Single();
        var denied = await hostConsole.SubmitAsync($"/console/meetings/{meeting.Id}", $"/console/meetings/{meeting.Id}/deny", ("entry", entry.Id));
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        await ExpectRefusalAsync(waiting, "denied");
        AssertAudited(AuditAction.LobbyDeny, "ok", host.AuditName);

        await using var again = await GuestSocketAsync(guestPass);
        await again.JoinAsync(meeting.Id, "Visitor");
        await ExpectRefusalAsync(again, "denied");
        AssertAudited(AuditAction.Admission, "refused: denied", $"guest:{invitation.Id}");
    }

    [Fact]
    public async Task An_admitted_guest_enters_and_a_removed_one_cannot_come_back()
    {
        var host = NewAccount(Role.Host);
        var meeting = NewMeeting(host);
        var (guestPass, invitation) = await RedeemedGuestAsync(host, meeting, "Consultant");
        using var hostConsole = await LoggedInAsync(host);

        await using var guest = await GuestSocketAsync(guestPass);
        await guest.JoinAsync(meeting.Id, "Consultant");
        await guest.ReceiveTypeAsync("lobby");
        var entry = Services.GetRequiredService<Conclave.Meetings.Admission.AdmissionService>().Lobby.Waiting(meeting.Id).Single();
        await hostConsole.SubmitAsync($"/console/meetings/{meeting.Id}", $"/console/meetings/{meeting.Id}/admit", ("entry", entry.Id));
        await guest.ReceiveTypeAsync("joined");
        AssertAudited(AuditAction.LobbyAdmit, "ok", host.AuditName);

        var removed = await hostConsole.SubmitAsync($"/console/meetings/{meeting.Id}", $"/console/meetings/{meeting.Id}/remove", ("attendee", $"invitation:{invitation.Id}"));
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        await ExpectRefusalAsync(guest, "removed");
        AssertAudited(AuditAction.ParticipantRemove, "ok", host.AuditName);

        await using var again = await GuestSocketAsync(guestPass);
        await again.JoinAsync(meeting.Id, "Consultant");
        await ExpectRefusalAsync(again, "removed");
    }

    [Fact]
    public async Task An_admitted_guest_whose_invitation_is_revoked_is_disconnected_and_cannot_come_back()
    {
        var host = NewAccount(Role.Host);
        var meeting = NewMeeting(host);
        var (guestPass, invitation) = await RedeemedGuestAsync(host, meeting, "Auditor");
        using var hostConsole = await LoggedInAsync(host);
        await using var guest = await GuestSocketAsync(guestPass);
        await guest.JoinAsync(meeting.Id);
        await guest.ReceiveTypeAsync("lobby");
        var entry = Services.GetRequiredService<Conclave.Meetings.Admission.AdmissionService>().Lobby.Waiting(meeting.Id).Single();
        await hostConsole.SubmitAsync($"/console/meetings/{meeting.Id}", $"/console/meetings/{meeting.Id}/admit", ("entry", entry.Id));
        await guest.ReceiveTypeAsync("joined");

        var revoked = await hostConsole.SubmitAsync($"/console/meetings/{meeting.Id}", $"/console/meetings/{meeting.Id}/revoke", ("invitation", invitation.Id));

        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        await ExpectRefusalAsync(guest, "invitation-invalid");
        var refused = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => GuestSocketAsync(guestPass));
        Assert.Contains("401", refused.Message);
    }

    [Fact]
    public async Task Another_host_cannot_tell_who_is_inside_a_meeting_by_trying_to_remove_them()
    {
        var host = NewAccount(Role.Host);
        var alice = NewAccount(Role.Member);
        var meeting = NewMeeting(host, alice);
        var prober = NewAccount(Role.Host);
        var probersOwn = NewMeeting(prober);
        using var aliceConsole = await LoggedInAsync(alice);
        using var proberConsole = await LoggedInAsync(prober);
        await using var aliceSocket = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, aliceConsole.Cookie("__Host-conclave-session"));
        await aliceSocket.JoinAsync(meeting.Id);
        await aliceSocket.ReceiveTypeAsync("joined");

        var inside = await proberConsole.SubmitAsync($"/console/meetings/{probersOwn.Id}", $"/console/meetings/{meeting.Id}/remove", ("attendee", $"account:{alice.Id}"));
        var absent = await proberConsole.SubmitAsync($"/console/meetings/{probersOwn.Id}", $"/console/meetings/{meeting.Id}/remove", ("attendee", "account:999999"));

        Assert.Equal(HttpStatusCode.NotFound, inside.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        Assert.Equal(await absent.Content.ReadAsStringAsync(), await inside.Content.ReadAsStringAsync());
        Assert.Equal(WebSocketState.Open, aliceSocket.State);
    }

    [Fact]
    public async Task A_removed_member_and_a_locked_meeting_keep_people_out()
    {
        var host = NewAccount(Role.Host);
        var alice = NewAccount(Role.Member);
        var bob = NewAccount(Role.Member);
        var meeting = NewMeeting(host, alice, bob);
        using var hostConsole = await LoggedInAsync(host);
        using var aliceConsole = await LoggedInAsync(alice);
        using var bobConsole = await LoggedInAsync(bob);

        await using var aliceSocket = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, aliceConsole.Cookie("__Host-conclave-session"));
        await aliceSocket.JoinAsync(meeting.Id, "Alice");
        await aliceSocket.ReceiveTypeAsync("joined");
        await hostConsole.SubmitAsync($"/console/meetings/{meeting.Id}", $"/console/meetings/{meeting.Id}/remove", ("attendee", $"account:{alice.Id}"));
        await ExpectRefusalAsync(aliceSocket, "removed");
        await using var aliceAgain = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, aliceConsole.Cookie("__Host-conclave-session"));
        await aliceAgain.JoinAsync(meeting.Id, "Alice");
        await ExpectRefusalAsync(aliceAgain, "removed");
        AssertAudited(AuditAction.Admission, "refused: removed", alice.AuditName);

        var locked = await hostConsole.SubmitAsync($"/console/meetings/{meeting.Id}", $"/console/meetings/{meeting.Id}/lock");
        Assert.Equal(HttpStatusCode.Redirect, locked.StatusCode);
        await using var bobSocket = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, bobConsole.Cookie("__Host-conclave-session"));
        await bobSocket.JoinAsync(meeting.Id, "Bob");
        await ExpectRefusalAsync(bobSocket, "meeting-locked");
        AssertAudited(AuditAction.Admission, "refused: meeting-locked", bob.AuditName);
        AssertAudited(AuditAction.MeetingLock, "ok", host.AuditName);
    }

    [Fact]
    public async Task Ending_the_meeting_closes_it_for_everyone_inside_and_in_the_lobby_and_for_good()
    {
        var host = NewAccount(Role.Host);
        var member = NewAccount(Role.Member);
        var meeting = NewMeeting(host, member);
        var (guestPass, _) = await RedeemedGuestAsync(host, meeting, "Late guest");
        using var hostConsole = await LoggedInAsync(host);
        using var memberConsole = await LoggedInAsync(member);

        await using var inside = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, memberConsole.Cookie("__Host-conclave-session"));
        await inside.JoinAsync(meeting.Id, "Member");
        await inside.ReceiveTypeAsync("joined");
        await using var waiting = await GuestSocketAsync(guestPass);
        await waiting.JoinAsync(meeting.Id, "Late guest");
        await waiting.ReceiveTypeAsync("lobby");

        var ended = await hostConsole.SubmitAsync($"/console/meetings/{meeting.Id}", $"/console/meetings/{meeting.Id}/end");
        Assert.Equal(HttpStatusCode.Redirect, ended.StatusCode);
        await ExpectRefusalAsync(inside, "meeting-ended");
        await ExpectRefusalAsync(waiting, "meeting-ended");
        AssertAudited(AuditAction.MeetingEnd, "ok", host.AuditName);

        await using var again = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, memberConsole.Cookie("__Host-conclave-session"));
        await again.JoinAsync(meeting.Id, "Member");
        await ExpectRefusalAsync(again, "meeting-ended");
        Assert.Equal(HttpStatusCode.Locked, (await hostConsole.SubmitAsync($"/console/meetings/{meeting.Id}", $"/console/meetings/{meeting.Id}/invitations", ("guest_name", "Too late"))).StatusCode);
    }

    [Fact]
    public async Task The_first_admin_setup_link_works_once()
    {
        var link = fixture.Daemon.SetupLink;
        Assert.NotNull(link);
        using var admin = await fixture.AdminClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/console/users")).StatusCode);
        AssertAudited(AuditAction.SetupFirstAdmin, "ok");
        AssertAudited(AuditAction.TotpEnrol, "ok", "user:first-admin");

        var from = ConsoleClient.NewLoopbackSource();
        using var second = new ConsoleClient(fixture.Daemon.HttpsUri, from);
        Assert.Equal(HttpStatusCode.Gone, (await second.GetAsync(link!.PathAndQuery)).StatusCode);
        string token = System.Web.HttpUtility.ParseQueryString(link.Query)["token"]!;
        var reused = await second.SubmitAsync("/login", "/setup", ("token", token), ("username", "mallory-admin"), ("display_name", "M"), ("password", Password));
        Assert.Equal(HttpStatusCode.Gone, reused.StatusCode);
        AssertAudited(AuditAction.SetupFirstAdmin, "refused: invalid or used setup link", $"anonymous@{from}");
        Assert.Null(Services.GetRequiredService<IAccountStore>().FindByUserName("mallory-admin"));
    }

    private async Task<(string GuestPass, Invitation Invitation)> RedeemedGuestAsync(Account host, Meeting meeting, string name)
    {
        var issued = Services.GetRequiredService<MeetingService>().Invite(host, meeting.Id, name, 24, null);
        using var guest = new ConsoleClient(fixture.Daemon.HttpsUri);
        await guest.SubmitAsync($"/i/{issued.LinkToken}", $"/i/{issued.LinkToken}");
        return (guest.Cookie("__Host-conclave-guest")!, issued.Invitation);
    }

    private Task<SignallingClient> GuestSocketAsync(string guestPass) =>
        SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, null, cookieHeader: $"__Host-conclave-guest={guestPass}");

    private static async Task ExpectRefusalAsync(SignallingClient client, string code)
    {
        JsonElement? message;
        do
        {
            message = await client.ReceiveAsync();
            Assert.True(message is not null, $"the socket closed without an error (expected '{code}')");
        }
        while (message.Value.GetProperty("type").GetString() != "error");
        Assert.Equal(code, message.Value.GetProperty("code").GetString());
    }
}
